//! Trigonometric functions: `sin`, `cos`.
//!
//! Their rules use each other: `sin' = cos`, `cos' = −sin`. Written with [`Adjoint`]
//! arithmetic, the recorded backward differentiates them again, so second derivatives come
//! from the same two lines.

use super::Adjoint;
use crate::ops::Op;
use crate::tape::Var;

impl<'t> Var<'t> {
    /// `y = sin(x)`  =>  `dx = dy ⊙ cos(x)`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(0.0);
    /// let y = x.sin();
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (0.0, 1.0));
    /// ```
    pub fn sin(self) -> Var<'t> {
        self.record(Op::Sin(self.index()))
    }

    /// `y = cos(x)`  =>  `dx = −dy ⊙ sin(x)`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(std::f64::consts::FRAC_PI_2);
    /// let y = x.cos();
    /// assert!((tape.backward(y)[x].item() + 1.0).abs() < 1e-15);   // −sin(π/2)
    /// ```
    pub fn cos(self) -> Var<'t> {
        self.record(Op::Cos(self.index()))
    }
}

/// `y = sin(x)`  =>  `dx = dy ⊙ cos(x)`.
///
/// ```
/// use tapegrad::Tensor;
/// let dx = tapegrad::ops::trig::sin_vjp(&Tensor::scalar(2.0), &Tensor::scalar(0.0));
/// assert_eq!(dx.item(), 2.0);
/// ```
pub fn sin_vjp<V: Adjoint>(dy: &V, x: &V) -> V {
    dy.mul(&x.cos())
}

/// `y = cos(x)`  =>  `dx = −dy ⊙ sin(x)`.
///
/// ```
/// use tapegrad::Tensor;
/// let x = Tensor::scalar(std::f64::consts::FRAC_PI_2);
/// assert_eq!(tapegrad::ops::trig::cos_vjp(&Tensor::scalar(1.0), &x).item(), -1.0);
/// ```
pub fn cos_vjp<V: Adjoint>(dy: &V, x: &V) -> V {
    dy.mul(&x.sin()).neg()
}
