//! Activations as modules: ReLU, Sigmoid, Tanh, Identity, and scaled or custom ones.

use super::{Module, ParamId, Theta};
use crate::tape::Var;

/// An entrywise activation `y = a(x)`. Scale one with [`Activation::scaled`]
/// (`Activation::Sigmoid.scaled(4.0)` is the course's `4 sigmoid(x)`), or wrap any function
/// of tape ops with [`Activation::Custom`]; no new module type is needed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Activation {
    /// `y = x`.
    Identity,
    /// `y = max(x, 0)`.
    Relu,
    /// `y = 1 / (1 + exp(-x))`.
    Sigmoid,
    /// `y = tanh(x)`.
    Tanh,
    /// `y = c a(x)`.
    Scaled(f64, Box<Activation>),
    /// Any function of tape ops, with a name for summaries.
    Custom(&'static str, for<'t> fn(Var<'t>) -> Var<'t>),
}

impl Activation {
    /// `c` times this activation.
    ///
    /// ```
    /// use tapegrad::nn::Activation;
    /// use tapegrad::Tape;
    /// let four_sigmoid = Activation::Sigmoid.scaled(4.0);   // the course's 4 sigma(x)
    /// let tape = Tape::new();
    /// assert_eq!(four_sigmoid.apply(tape.leaf(0.0)).item(), 2.0);
    /// ```
    pub fn scaled(self, c: f64) -> Activation {
        Activation::Scaled(c, Box::new(self))
    }

    /// `y = a(x)` on the tape.
    ///
    /// ```
    /// use tapegrad::nn::Activation;
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::row(&[-1.0, 2.0]));
    /// assert_eq!(Activation::Relu.apply(x).value(), Tensor::row(&[0.0, 2.0]));
    /// ```
    pub fn apply<'t>(&self, x: Var<'t>) -> Var<'t> {
        match self {
            Activation::Identity => x,
            Activation::Relu => x.relu(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::Tanh => x.tanh(),
            Activation::Scaled(c, a) => a.apply(x) * *c,
            Activation::Custom(_, f) => f(x),
        }
    }
}

impl Module for Activation {
    fn forward<'t>(&self, _theta: &Theta<'t>, x: Var<'t>) -> Var<'t> {
        self.apply(x)
    }

    fn describe(&self) -> String {
        match self {
            Activation::Identity => "Identity".into(),
            Activation::Relu => "ReLU".into(),
            Activation::Sigmoid => "Sigmoid".into(),
            Activation::Tanh => "Tanh".into(),
            Activation::Scaled(c, a) => format!("{c} * {}", a.describe()),
            Activation::Custom(name, _) => (*name).into(),
        }
    }

    fn param_ids(&self) -> Vec<ParamId> {
        Vec::new()
    }
}
