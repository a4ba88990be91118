//! # tapegrad
//!
//! Reverse-mode automatic differentiation on a tape (a Wengert list), in `f64`, written to
//! be read. A [`Tape`] records each operation in evaluation order; [`Tape::backward`] walks
//! it once in reverse, applying each op's backward rule (written beside its forward in
//! [`ops`], formula first) and summing the contributions that reach each value.
//!
//! ## A tour: tape → backward → step
//!
//! Fit `y ≈ X w` by gradient descent on `L(w) = (1/N) ||X w - y||^2`:
//!
//! ```
//! use tapegrad::{Tape, Tensor};
//!
//! let x = Tensor::from_rows(&[[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]); // N = 3 rows [1, t]
//! let y = Tensor::column(&[1.0, 3.0, 5.0]);                          // y = 1 + 2 t
//! let mut w = Tensor::zeros(2, 1);
//!
//! for _ in 0..500 {
//!     let tape = Tape::new();                         // a fresh Wengert list per step
//!     let wv = tape.leaf(&w);                         // differentiate with respect to w
//!     let residual = tape.constant(&x).matmul(wv) - tape.constant(&y);
//!     let loss = residual.square().mean();            // (1/N) ||X w - y||^2
//!     let grads = tape.backward(loss);                // one reverse sweep
//!     w = w.sub(&grads[wv].scale(0.2));               // w <- w - lr * dL/dw
//! }
//! assert!((w.get(0, 0) - 1.0).abs() < 1e-9 && (w.get(1, 0) - 2.0).abs() < 1e-9);
//! ```
//!
//! ## Where things are
//! - [`tensor`]: [`Tensor`], a row-major `rows x cols` `f64` matrix (a scalar is `1x1`),
//!   with broadcasting in three written-out cases (scalar, row, column).
//! - [`tape`]: [`Tape`], [`Var`] (a `Copy` handle, with operators), the reverse sweep,
//!   [`Grads`]; and [`Tape::backward_graph`], which records the gradient itself so it can be
//!   differentiated again (Hessian-vector products).
//! - [`ops`]: the operations, one file per family, each forward beside its rule.
//! - [`gradcheck`](mod@gradcheck): reverse mode against finite differences, for your own functions.
//! - [`linalg`]: the crate's own matrix kernels (no linear-algebra dependency).
#![warn(missing_docs)]
#![deny(unsafe_code)]

pub mod data;
pub mod gradcheck;
pub mod hessian;
pub mod inspect;
pub mod linalg;
pub mod nn;
pub mod ops;
pub mod optim;
pub mod tape;
pub mod tensor;

pub use tape::{set_anomaly_detection, AnomalyMode, GradVars, Grads, Tape, Var};
pub use tensor::Tensor;

/// The README's code blocks run as doc tests, so its example cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
