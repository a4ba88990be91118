//! Reading and writing what a user keeps and exchanges: trained parameters as
//! [`safetensors`] (PyTorch, candle and burn read them), matrices as NumPy [`npy`] files,
//! and tables as matrix [`csv`].
//!
//! Every reader takes untrusted bytes: it never panics and never allocates more than the
//! input's own size justifies (each length is checked against the bytes present before
//! anything is allocated); every failure is a [`DataError`] naming the file and the problem
//! (and for text, the line and column). Fuzz-style property tests feed random and mutated
//! bytes to each reader (`testsuite/tests/io_fuzz.rs`).

pub mod csv;
mod csv_records;
mod error;
pub(crate) mod json;
pub mod npy;
pub mod safetensors;

pub use error::DataError;

pub(crate) use crate::text::{clip_message as clip, quote_short};
