//! Reading and writing what a user keeps and exchanges: trained parameters as
//! [`safetensors`] (PyTorch, candle and burn read them), matrices as NumPy [`npy`] files,
//! and tables as matrix [`csv`].
//!
//! Every reader takes untrusted bytes: it never panics and never allocates more than the
//! input's own size justifies (each length is checked against the bytes present before
//! anything is allocated); every failure is a [`DataError`] naming the file and the problem
//! (and for text, the line and column). Fuzz-style property tests feed random and mutated
//! bytes to each reader (`tests/io_fuzz.rs`).

pub mod csv;
mod csv_records;
mod error;
pub mod json;
pub mod npy;
pub mod safetensors;

pub use error::DataError;

/// The most characters of an input an error message quotes.
const QUOTE_CHARS: usize = 200;

/// `s` quoted for an error message (as `{:?}` does), cut to 200 characters with the full
/// length said when longer: a 200 MB field or a 1 MB name is not copied into a message.
pub(crate) fn quote_short(s: &str) -> String {
    let n = s.chars().count();
    if n <= QUOTE_CHARS {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(QUOTE_CHARS).collect();
        format!("{head:?}... ({n} characters)")
    }
}

/// `s` as a message shows it unquoted: at most 200 characters, then an ellipsis.
pub(crate) fn clip(s: &str) -> String {
    if s.chars().count() <= QUOTE_CHARS {
        s.to_string()
    } else {
        s.chars().take(QUOTE_CHARS).chain(['…']).collect()
    }
}
