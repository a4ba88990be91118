//! What a first project uses, in one line: `use tapegrad::prelude::*;`.
//!
//! The values and the tape ([`Tensor`], [`Tape`], [`Var`], [`Rng`]); the modules and losses
//! of [`crate::nn`] with the [`Module`] trait (which brings `forward` and `predict` into
//! scope); the optimizers of [`crate::optim`] with the [`Optimizer`] trait (`step`); the
//! training loop ([`Trainer`], [`Batches`], [`Loss`], [`History`]); and [`Replay`].
//!
//! ```
//! use tapegrad::prelude::*;
//! let mut params = Params::new();
//! let model = mlp(&[1, 8, 1], Activation::Tanh).build(&mut params, &mut Rng::new(0));
//! let (x, y) = (Tensor::column(&[0.0, 0.5, 1.0]), Tensor::column(&[0.0, 0.25, 1.0]));
//! let loss = |params: &Params| {
//!     let tape = Tape::new();
//!     let theta = tape.params(params);
//!     let loss = mse(model.forward(&theta, tape.constant(&x)), tape.constant(&y), Reduction::Mean);
//!     (loss.item(), tape.backward(loss).flat(&theta))
//! };
//! let (before, grad) = loss(&params);
//! Sgd::new(0.1).step(params.as_mut_slice(), &grad).unwrap();
//! assert!(loss(&params).0 < before);
//! ```

pub use crate::nn::{
    Activation, Init, Linear, Module, Params, Reduction, Sequential, Theta, mlp, mse,
};
pub use crate::optim::{Adam, Lbfgs, Optimizer, Schedule, Sgd};
pub use crate::replay::Replay;
pub use crate::train::{Batches, History, Loss, Trainer};
pub use crate::{Rng, Tape, Tensor, Var};
