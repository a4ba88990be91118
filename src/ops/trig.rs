//! Trigonometric functions: `sin`, `cos`.
//!
//! Their rules use each other: `sin' = cos`, `cos' = −sin`. Written over [`Real`]
//! arithmetic, the recorded backward differentiates them again, so second derivatives come
//! from the same two lines.

use super::{Map, Real};
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
        self.apply_map(Sin)
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
        self.apply_map(Cos)
    }
}

/// `y = sin(x)`  =>  `dx = dy ⊙ cos(x)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sin;

impl Map for Sin {
    fn name(&self) -> String {
        "sin".into()
    }
    fn formula(&self) -> &'static str {
        "y = sin(a);  da = dy ⊙ cos(a)"
    }
    fn f(&self, x: f64) -> f64 {
        x.sin()
    }
    fn dx<S: Real>(&self, dy: S, x: S, _y: S) -> S {
        dy * x.cos()
    }
}

/// `y = cos(x)`  =>  `dx = −dy ⊙ sin(x)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cos;

impl Map for Cos {
    fn name(&self) -> String {
        "cos".into()
    }
    fn formula(&self) -> &'static str {
        "y = cos(a);  da = −dy ⊙ sin(a)"
    }
    fn f(&self, x: f64) -> f64 {
        x.cos()
    }
    fn dx<S: Real>(&self, dy: S, x: S, _y: S) -> S {
        -(dy * x.sin())
    }
}
