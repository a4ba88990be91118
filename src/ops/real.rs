//! [`Real`]: the numbers an entrywise rule computes with. A rule such as sigmoid's
//! `dx = dy ⊙ y ⊙ (1 − y)` is written once, as `dy * (y * (-y + 1.0))`, over any `Real`:
//!
//! - on `f64`, entry by entry: the ordinary backward pass, and the replay's loops;
//! - on [`Var`], whole tensors at a time, each operation recorded on the tape: the gradient is
//!   itself differentiable (second order, [`crate::Tape::backward_graph`]).
//!
//! The arithmetic is the same in both, operation for operation, so a rule cannot mean one
//! thing on numbers and another on the tape.

use crate::tape::Var;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A number a rule computes with: `f64` (one entry) or [`Var`] (a recorded tensor, the
/// operations broadcasting as [`Var`]'s do).
///
/// ```
/// use tapegrad::ops::Real;
/// use tapegrad::Tape;
/// // One formula, f(x) = x e^x + 2x, on a number and on the tape.
/// fn f<S: Real>(x: S) -> S { x * x.exp() + x * 2.0 }
/// let tape = Tape::new();
/// let x = tape.leaf(0.5);
/// assert_eq!(f(x).item(), f(0.5));
/// assert_eq!(tape.backward(f(x))[x].item(), 1.5 * 0.5f64.exp() + 2.0); // (1 + x) e^x + 2
/// ```
pub trait Real:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Mul<f64, Output = Self>
{
    /// `e^x`.
    fn exp(self) -> Self;
    /// `sin x`.
    fn sin(self) -> Self;
    /// `cos x`.
    fn cos(self) -> Self;
    /// `σ(x) = 1 / (1 + e^−x)`, without overflow ([`crate::ops::unary::sigmoid`]).
    fn sigmoid(self) -> Self;
    /// `x^n`.
    fn powi(self, n: i32) -> Self;
    /// `x^p`.
    fn powf(self, p: f64) -> Self;
    /// `f(x)` held constant: no derivative flows through it. For piecewise-constant factors
    /// such as relu's `1[x > 0]` and abs's `sign(x)`, whose own derivative is zero wherever it
    /// exists.
    fn detach(self, f: fn(f64) -> f64) -> Self;
    /// `f(x, z)` held constant, broadcasting: a routing weight (maximum, minimum).
    fn detach_with(self, z: Self, f: fn(f64, f64) -> f64) -> Self;
}

impl Real for f64 {
    fn exp(self) -> f64 {
        f64::exp(self)
    }
    fn sin(self) -> f64 {
        f64::sin(self)
    }
    fn cos(self) -> f64 {
        f64::cos(self)
    }
    fn sigmoid(self) -> f64 {
        super::unary::sigmoid(self)
    }
    #[inline]
    fn powi(self, n: i32) -> f64 {
        super::unary::powi(self, n)
    }
    fn powf(self, p: f64) -> f64 {
        f64::powf(self, p)
    }
    #[inline]
    fn detach(self, f: fn(f64) -> f64) -> f64 {
        f(self)
    }
    #[inline]
    fn detach_with(self, z: f64, f: fn(f64, f64) -> f64) -> f64 {
        f(self, z)
    }
}

impl Real for Var<'_> {
    fn exp(self) -> Self {
        Var::exp(self)
    }
    fn sin(self) -> Self {
        Var::sin(self)
    }
    fn cos(self) -> Self {
        Var::cos(self)
    }
    fn sigmoid(self) -> Self {
        Var::sigmoid(self)
    }
    fn powi(self, n: i32) -> Self {
        Var::powi(self, n)
    }
    fn powf(self, p: f64) -> Self {
        Var::powf(self, p)
    }
    fn detach(self, f: fn(f64) -> f64) -> Self {
        let c = self.peek(|x| x.map(f));
        self.tape().constant(c)
    }
    fn detach_with(self, z: Self, f: fn(f64, f64) -> f64) -> Self {
        let c = self.peek(|x| z.peek(|z| x.broadcast_map(z, "detach_with", f)));
        self.tape().constant(c)
    }
}

/// Which operands an expression reads: a bit per operand, the operations joining them. A rule
/// evaluated on `Uses` says, from the rule itself, what it depends on (Add's `da = dy` reads
/// neither operand, so a bias's gradient needs no pass over the bias).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Uses(pub u8);

impl Uses {
    /// What either reads.
    fn join(self, other: Uses) -> Uses {
        Uses(self.0 | other.0)
    }
}

macro_rules! uses_ops {
    ($($tr:ident $f:ident),*) => {$(
        impl std::ops::$tr for Uses {
            type Output = Uses;
            fn $f(self, rhs: Uses) -> Uses {
                self.join(rhs)
            }
        }
    )*};
}
uses_ops!(Add add, Sub sub, Mul mul, Div div);

impl Neg for Uses {
    type Output = Uses;
    fn neg(self) -> Uses {
        self
    }
}

impl Add<f64> for Uses {
    type Output = Uses;
    fn add(self, _: f64) -> Uses {
        self
    }
}

impl Mul<f64> for Uses {
    type Output = Uses;
    fn mul(self, _: f64) -> Uses {
        self
    }
}

impl Real for Uses {
    fn exp(self) -> Uses {
        self
    }
    fn sin(self) -> Uses {
        self
    }
    fn cos(self) -> Uses {
        self
    }
    fn sigmoid(self) -> Uses {
        self
    }
    fn powi(self, _: i32) -> Uses {
        self
    }
    fn powf(self, _: f64) -> Uses {
        self
    }
    fn detach(self, _: fn(f64) -> f64) -> Uses {
        self
    }
    fn detach_with(self, z: Uses, _: fn(f64, f64) -> f64) -> Uses {
        self.join(z)
    }
}
