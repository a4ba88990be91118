//! Entrywise functions `y = f(x)`: the trait each one implements ([`Map`]), the list of them
//! ([`Unary`]), and the executors that run a [`Map`] on tensors, on the tape and in a replay.
//!
//! An entrywise op is three things, written once beside each other in its family's file:
//! the function `f` on one number, the rule `dx` on one entry (over [`Real`], so the same
//! expression runs on `f64` and records on the tape), and the line the tape's pages show.
//! Sigmoid, from [`crate::ops::unary`]:
//!
//! ```text
//! fn f(&self, x: f64) -> f64 { sigmoid(x) }
//! fn dx<S: Real>(&self, dy: S, _x: S, y: S) -> S { dy * (y * (-y + 1.0)) }
//! fn formula(&self) -> &'static str { "y = σ(a);  da = dy ⊙ y (1 − y)" }
//! ```
//!
//! Every executor instantiates those two functions into its own loop: [`Tensor::map`] for the
//! forward, one pass over `(dy, x, y)` for the backward on numbers, whole-[`Var`] arithmetic
//! for the recorded backward, and the replay's loops over its buffers. Adding an entrywise op
//! is its type with those three functions, and its name in [`Unary`]'s list.

use super::Real;
use super::arith::{AddScalar, MulScalar, Neg};
use super::softmax::{LogSigmoid, Softplus};
use super::trig::{Cos, Sin};
use super::unary::{Abs, Exp, Ln, PowF, PowI, Relu, Sigmoid, Sqrt, Tanh};
use crate::tape::Var;
use crate::tensor::Tensor;
use crate::tensor::loops::{Write, each};

/// An entrywise function `y = f(x)` with its backward rule `dx = dy ⊙ f'(x)`: the form of the
/// built-in entrywise ops ([`Unary`] lists them). To record an op of your own, implement
/// [`super::Function`].
///
/// ```
/// use tapegrad::ops::{Map, unary::Sigmoid};
/// assert_eq!(Sigmoid.f(0.0), 0.5);
/// assert_eq!(Sigmoid.dx(1.0, 0.0, 0.5), 0.25);          // dy y (1 - y)
/// assert_eq!(Sigmoid.formula(), "y = σ(a);  da = dy ⊙ y (1 − y)");
/// ```
pub trait Map: Copy {
    /// The name the tape prints: `sigmoid`, `powi(3)`.
    fn name(&self) -> String;
    /// The forward and the rule in one line, as the tape's pages show them.
    fn formula(&self) -> &'static str;
    /// `y = f(x)`.
    fn f(&self, x: f64) -> f64;
    /// The rule: `dx` from the adjoint `dy`, the input `x` and the output `y = f(x)`.
    fn dx<S: Real>(&self, dy: S, x: S, y: S) -> S;
}

/// Runs an executor compiled for one [`Map`] type (so its loop is that op's own loop).
pub(crate) trait MapVisitor {
    type Out;
    fn visit<M: Map>(self, m: M) -> Self::Out;
}

// The registry: one name per entrywise op.
super::registry!(
    Unary: MapVisitor,
    "The built-in entrywise ops: each variant holds its op ([`Map`]), whose file has its \
     function, its rule and its formula.";
    Neg, AddScalar, MulScalar, PowI, PowF, Sqrt, Exp, Ln, Abs, Relu, Sigmoid, Tanh, Sin, Cos,
    Softplus, LogSigmoid,
);

impl Unary {
    /// The op's name, as [`Map::name`].
    ///
    /// ```
    /// use tapegrad::ops::{Unary, unary::PowI};
    /// assert_eq!(Unary::from(PowI(3)).name(), "powi(3)");
    /// ```
    pub fn name(self) -> String {
        struct V;
        impl MapVisitor for V {
            type Out = String;
            fn visit<M: Map>(self, m: M) -> String {
                m.name()
            }
        }
        self.visit(V)
    }

    /// The op's line for the tape's pages, as [`Map::formula`].
    ///
    /// ```
    /// use tapegrad::ops::{Unary, unary::Exp};
    /// assert_eq!(Unary::from(Exp).formula(), "y = exp(a);  da = dy ⊙ y");
    /// ```
    pub fn formula(self) -> &'static str {
        struct V;
        impl MapVisitor for V {
            type Out = &'static str;
            fn visit<M: Map>(self, m: M) -> &'static str {
                m.formula()
            }
        }
        self.visit(V)
    }

    /// `f(x)` entrywise: the forward of the tape.
    pub(crate) fn forward(self, x: &Tensor) -> Tensor {
        struct V<'a>(&'a Tensor);
        impl MapVisitor for V<'_> {
            type Out = Tensor;
            fn visit<M: Map>(self, m: M) -> Tensor {
                self.0.map(|x| m.f(x))
            }
        }
        self.visit(V(x))
    }

    /// `y_k = f(x_k)` into `y`: the forward of a replay.
    #[inline(always)]
    pub(crate) fn forward_into(self, y: &mut [f64], x: &[f64]) {
        struct V<'a>(&'a mut [f64], &'a [f64]);
        impl MapVisitor for V<'_> {
            type Out = ();
            fn visit<M: Map>(self, m: M) {
                crate::wide::wide(
                    #[inline(always)]
                    || each(self.0, Write::Overwrite, [self.1], |[x]| m.f(x)),
                );
            }
        }
        self.visit(V(y, x))
    }

    /// `dx_k = rule(dy_k, x_k, y_k)` (or `dx_k += ...`): the backward on numbers, of the tape
    /// (into a new buffer) and of a replay (into its adjoint buffers).
    #[inline(always)]
    pub(crate) fn backward_into(self, dx: &mut [f64], write: Write, [dy, x, y]: [&[f64]; 3]) {
        struct V<'a>(&'a mut [f64], Write, [&'a [f64]; 3]);
        impl MapVisitor for V<'_> {
            type Out = ();
            fn visit<M: Map>(self, m: M) {
                crate::wide::wide(
                    #[inline(always)]
                    || each(self.0, self.1, self.2, |[d, x, y]| m.dx(d, x, y)),
                );
            }
        }
        self.visit(V(dx, write, [dy, x, y]))
    }

    /// `dx = rule(dy, x, y)` on a new tensor.
    pub(crate) fn backward(self, dy: &Tensor, x: &Tensor, y: &Tensor) -> Tensor {
        let mut dx = Tensor::to_overwrite_like(dy, "backward");
        let ins = [dy.as_slice(), x.as_slice(), y.as_slice()];
        self.backward_into(dx.as_mut_slice(), Write::Overwrite, ins);
        dx
    }

    /// `dx = rule(dy, x, y)` recorded on the tape (second order).
    pub(crate) fn backward_recorded<'t>(self, dy: Var<'t>, x: Var<'t>, y: Var<'t>) -> Var<'t> {
        struct V<'t>(Var<'t>, Var<'t>, Var<'t>);
        impl<'t> MapVisitor for V<'t> {
            type Out = Var<'t>;
            fn visit<M: Map>(self, m: M) -> Var<'t> {
                m.dx(self.0, self.1, self.2)
            }
        }
        self.visit(V(dy, x, y))
    }
}
