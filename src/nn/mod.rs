//! Neural-net modules on the tape: flat parameters, `Linear`, activations, `mse`,
//! `cross_entropy`, `Sequential` and the `mlp` builder.
//!
//! A model is a function `m(x; theta)`: [`Module::forward`] takes the parameter leaves
//! ([`Theta`], from [`crate::Tape::params`]) and an input `Var`, and records the forward
//! pass on the tape.

mod activation;
mod cross_entropy;
mod linear;
mod loss;
mod sequential;

pub use activation::Activation;
pub use cross_entropy::cross_entropy;
pub use linear::{Init, Linear, LinearBuilder};
pub use loss::{Reduction, least_squares, mse};
// The flat parameters and their views on a tape live in `crate::params`, below `nn`:
// replay, the checks and the file formats use them without the layers.
pub use crate::params::{ParamId, ParamView, Params, Theta};
pub use sequential::{MlpBuilder, Sequential, mlp};

use crate::tape::{Tape, Var};
use crate::tensor::Tensor;

/// A layer or model: `y = f(x; theta)`.
///
/// Modules are `Send + Sync`: a model holds only its structure (the numbers live in
/// [`Params`]), so one model can be shared by reference across threads, each thread
/// recording on its own [`Tape`] (a tape is single-threaded: it uses `RefCell`).
pub trait Module: Send + Sync {
    /// Records `y = f(x; theta)` on `x`'s tape.
    fn forward<'t>(&self, theta: &Theta<'t>, x: Var<'t>) -> Var<'t>;
    /// A one-line description for summaries, e.g. `Linear(1, 10)`.
    fn describe(&self) -> String;
    /// The parameters this module uses, in registration order.
    fn param_ids(&self) -> Vec<ParamId>;

    /// `m(x; θ)` on plain tensors, with `θ` from `params`: for plotting fits and computing
    /// test errors, without a tape of your own (one is made and dropped inside).
    ///
    /// ```
    /// use tapegrad::nn::{Init, Linear, Module, Params};
    /// use tapegrad::{Rng, Tensor};
    /// let mut params = Params::new();
    /// let w = Tensor::from_rows(&[[2.0]]);
    /// let layer = Linear::new(1, 1).init(Init::Values(w, Tensor::scalar(1.0))).build(&mut params, "0", &mut Rng::new(0));
    /// assert_eq!(layer.predict(&params, &Tensor::column(&[0.0, 3.0])), Tensor::column(&[1.0, 7.0]));
    /// ```
    fn predict(&self, params: &Params, x: &Tensor) -> Tensor {
        let tape = Tape::new();
        self.forward(&tape.params(params), tape.constant(x)).value()
    }
}
