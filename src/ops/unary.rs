//! Entrywise functions: powi, powf, square, sqrt, exp, ln, abs, relu, sigmoid, tanh.
//!
//! Each forward `y = f(x)` has the rule `dx = dy ⊙ f'(x)`. Where `f'` is simplest in terms
//! of the output (`exp`, `sqrt`, `sigmoid`, `tanh`), the rule uses the saved `y`: that is
//! why those are primitives rather than composites.
//!
//! Conventions at kinks (as PyTorch): `relu'(0) = 0` and `abs'(0) = sign(0) = 0`. Their
//! second derivatives are 0 wherever they exist (the factors `1[x > 0]` and `sign(x)` are
//! held constant), so Hessian-vector products through relu and abs are exact away from 0.

use super::{Map, Real};
use crate::tape::Var;

impl<'t> Var<'t> {
    /// `y = x^n` for an integer `n`  =>  `dx = dy ⊙ n x^(n-1)`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(2.0);
    /// let y = x.powi(3);
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (8.0, 12.0));  // 3 x^2
    /// ```
    pub fn powi(self, n: i32) -> Var<'t> {
        self.apply_map(PowI(n))
    }

    /// `y = x^p` for a real `p`  =>  `dx = dy ⊙ p x^(p-1)`. NaN for `x < 0` and
    /// non-integer `p`, as `f64::powf`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(4.0);
    /// let y = x.powf(1.5);
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (8.0, 3.0));   // 1.5 x^0.5
    /// ```
    pub fn powf(self, p: f64) -> Var<'t> {
        self.apply_map(PowF(p))
    }

    /// `y = x^2`, recorded as `powi(2)`  =>  `dx = 2 x ⊙ dy`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(-3.0);
    /// let y = x.square();
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (9.0, -6.0));
    /// ```
    pub fn square(self) -> Var<'t> {
        self.powi(2)
    }

    /// `y = sqrt(x)`  =>  `dx = dy ⊘ (2 y)`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(4.0);
    /// let y = x.sqrt();
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (2.0, 0.25));  // 1 / (2 y)
    /// ```
    pub fn sqrt(self) -> Var<'t> {
        self.apply_map(Sqrt)
    }

    /// `y = exp(x)`  =>  `dx = dy ⊙ y`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(1.0);
    /// let y = x.exp();
    /// assert_eq!(tape.backward(y)[x].item(), y.item());                 // exp' = exp
    /// ```
    pub fn exp(self) -> Var<'t> {
        self.apply_map(Exp)
    }

    /// `y = ln(x)` (natural log)  =>  `dx = dy ⊘ x`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(2.0);
    /// let y = x.ln();
    /// assert_eq!(tape.backward(y)[x].item(), 0.5);                      // 1 / x
    /// ```
    pub fn ln(self) -> Var<'t> {
        self.apply_map(Ln)
    }

    /// `y = |x|`  =>  `dx = dy ⊙ sign(x)`, with `sign(0) = 0`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::row(&[-2.0, 0.0, 3.0]));
    /// let y = x.abs().sum();
    /// assert_eq!(tape.backward(y)[x], Tensor::row(&[-1.0, 0.0, 1.0]));  // sign(x), sign(0) = 0
    /// ```
    pub fn abs(self) -> Var<'t> {
        self.apply_map(Abs)
    }

    /// `y = max(x, 0)`  =>  `dx = dy ⊙ 1[x > 0]` (so `relu'(0) = 0`).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::row(&[-1.0, 0.0, 2.0]));
    /// let y = x.relu();
    /// assert_eq!(y.value(), Tensor::row(&[0.0, 0.0, 2.0]));
    /// assert_eq!(tape.backward(y.sum())[x], Tensor::row(&[0.0, 0.0, 1.0])); // relu'(0) = 0
    /// ```
    pub fn relu(self) -> Var<'t> {
        self.apply_map(Relu)
    }

    /// `y = σ(x) = 1 / (1 + exp(-x))`  =>  `dx = dy ⊙ y ⊙ (1 - y)`.
    ///
    /// Computed without overflow for any `x` (see [`sigmoid`]): `σ(-1000) = 0`, `σ(1000) = 1`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(0.0);
    /// let y = x.sigmoid();
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (0.5, 0.25));  // y (1 - y)
    /// ```
    pub fn sigmoid(self) -> Var<'t> {
        self.apply_map(Sigmoid)
    }

    /// `y = tanh(x)`  =>  `dx = dy ⊙ (1 - y^2)`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(0.0);
    /// let y = x.tanh();
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (0.0, 1.0));   // 1 - y^2
    /// ```
    pub fn tanh(self) -> Var<'t> {
        self.apply_map(Tanh)
    }
}

/// `x^n`: the small powers by multiplication (`x`, `x·x`, `x·(x·x)`), others by
/// `f64::powi`. The products are bit-identical to `powi`'s repeated squaring (each is the
/// product of the same two operands); they only skip the library call, which was 13% of a
/// least-squares training step.
///
/// ```
/// use tapegrad::ops::unary::powi;
/// for x in [0.3, -1.7, 1e-200, f64::NAN] {
///     for n in -3..=5 {
///         let (a, b) = (powi(x, n), x.powi(n));
///         assert!(a == b || (a.is_nan() && b.is_nan()), "{x}^{n}");
///     }
/// }
/// ```
#[inline]
pub fn powi(x: f64, n: i32) -> f64 {
    match n {
        1 => x,
        2 => x * x,
        3 => x * (x * x),
        _ => x.powi(n),
    }
}

/// `max(x, 0)`, with NaN propagated as PyTorch does (`f64::max` would drop it).
///
/// ```
/// assert_eq!(tapegrad::ops::unary::relu(-2.0), 0.0);
/// assert_eq!(tapegrad::ops::unary::relu(2.0), 2.0);
/// assert!(tapegrad::ops::unary::relu(f64::NAN).is_nan());
/// ```
pub fn relu(x: f64) -> f64 {
    if x > 0.0 || x.is_nan() { x } else { 0.0 }
}

/// The logistic function `1 / (1 + exp(-x))`, evaluated so that `exp` never overflows:
/// for `x >= 0` as `1 / (1 + exp(-x))`, for `x < 0` as `exp(x) / (1 + exp(x))`.
///
/// ```
/// use tapegrad::ops::unary::sigmoid;
/// assert_eq!(sigmoid(0.0), 0.5);
/// assert_eq!((sigmoid(-1000.0), sigmoid(1000.0)), (0.0, 1.0));     // no overflow
/// ```
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `1[x > 0]`: relu's derivative, with `relu'(0) = 0` and NaN at NaN (a NaN input's
/// gradient is NaN, never a silent 0).
pub(crate) fn step(x: f64) -> f64 {
    // Written as selects, not branches, so the mask of a whole tensor vectorizes.
    let s = if x > 0.0 { 1.0 } else { 0.0 };
    if x.is_nan() { x } else { s }
}

/// `sign(x)`: abs's derivative, with `sign(0) = 0` (and NaN for NaN).
pub(crate) fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else if x == 0.0 {
        0.0
    } else {
        f64::NAN
    }
}

/// `y = x^n`  =>  `dx = dy ⊙ n x^(n-1)` (and `dx = 0` for `n = 0`, also at `x = 0`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowI(
    /// `n`.
    pub i32,
);

impl Map for PowI {
    fn name(&self) -> String {
        format!("powi({})", self.0)
    }
    fn formula(&self) -> &'static str {
        "y = aⁿ;  da = dy ⊙ n aⁿ⁻¹"
    }
    fn f(&self, x: f64) -> f64 {
        powi(x, self.0)
    }
    fn dx<S: Real>(&self, dy: S, x: S, _y: S) -> S {
        let n = self.0;
        if n == 0 {
            return dy * 0.0; // x^0 = 1, also at x = 0
        }
        match n.checked_sub(1) {
            Some(m) => dy * (x.powi(m) * n as f64),
            // n = i32::MIN: n − 1 does not fit an i32; x^(n−1) = x^n / x.
            None => dy * (x.powi(n) / x * n as f64),
        }
    }
}

/// `y = x^p`  =>  `dx = dy ⊙ p x^(p-1)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PowF(
    /// `p`.
    pub f64,
);

impl Map for PowF {
    fn name(&self) -> String {
        format!("powf({})", self.0)
    }
    fn formula(&self) -> &'static str {
        "y = aᵖ;  da = dy ⊙ p aᵖ⁻¹"
    }
    fn f(&self, x: f64) -> f64 {
        x.powf(self.0)
    }
    fn dx<S: Real>(&self, dy: S, x: S, _y: S) -> S {
        dy * (x.powf(self.0 - 1.0) * self.0)
    }
}

/// `y = sqrt(x)`  =>  `dx = dy ⊘ (2 y)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sqrt;

impl Map for Sqrt {
    fn name(&self) -> String {
        "sqrt".into()
    }
    fn formula(&self) -> &'static str {
        "y = √a;  da = dy ⊘ (2y)"
    }
    fn f(&self, x: f64) -> f64 {
        x.sqrt()
    }
    fn dx<S: Real>(&self, dy: S, _x: S, y: S) -> S {
        dy / (y * 2.0)
    }
}

/// `y = exp(x)`  =>  `dx = dy ⊙ y`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exp;

impl Map for Exp {
    fn name(&self) -> String {
        "exp".into()
    }
    fn formula(&self) -> &'static str {
        "y = exp(a);  da = dy ⊙ y"
    }
    fn f(&self, x: f64) -> f64 {
        x.exp()
    }
    fn dx<S: Real>(&self, dy: S, _x: S, y: S) -> S {
        dy * y
    }
}

/// `y = ln(x)`  =>  `dx = dy ⊘ x`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ln;

impl Map for Ln {
    fn name(&self) -> String {
        "ln".into()
    }
    fn formula(&self) -> &'static str {
        "y = ln(a);  da = dy ⊘ a"
    }
    fn f(&self, x: f64) -> f64 {
        x.ln()
    }
    fn dx<S: Real>(&self, dy: S, x: S, _y: S) -> S {
        dy / x
    }
}

/// `y = |x|`  =>  `dx = dy ⊙ sign(x)`, `sign(x)` held constant (`sign(0) = 0`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Abs;

impl Map for Abs {
    fn name(&self) -> String {
        "abs".into()
    }
    fn formula(&self) -> &'static str {
        "y = |a|;  da = dy ⊙ sign(a)"
    }
    fn f(&self, x: f64) -> f64 {
        x.abs()
    }
    fn dx<S: Real>(&self, dy: S, x: S, _y: S) -> S {
        dy * x.detach(sign)
    }
}

/// `y = relu(x)`  =>  `dx = dy ⊙ 1[x > 0]`, `1[x > 0]` held constant (`relu'(0) = 0`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Relu;

impl Map for Relu {
    fn name(&self) -> String {
        "relu".into()
    }
    fn formula(&self) -> &'static str {
        "y = max(a, 0);  da = dy ⊙ [a > 0]"
    }
    fn f(&self, x: f64) -> f64 {
        relu(x)
    }
    fn dx<S: Real>(&self, dy: S, x: S, _y: S) -> S {
        dy * x.detach(step)
    }
}

/// `y = σ(x)`  =>  `dx = dy ⊙ y ⊙ (1 − y)`: a primitive, not a composite, because its rule
/// uses the saved output.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sigmoid;

impl Map for Sigmoid {
    fn name(&self) -> String {
        "sigmoid".into()
    }
    fn formula(&self) -> &'static str {
        "y = σ(a);  da = dy ⊙ y (1 − y)"
    }
    fn f(&self, x: f64) -> f64 {
        sigmoid(x)
    }
    fn dx<S: Real>(&self, dy: S, _x: S, y: S) -> S {
        dy * (y * (-y + 1.0))
    }
}

/// `y = tanh(x)`  =>  `dx = dy ⊙ (1 − y²)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tanh;

impl Map for Tanh {
    fn name(&self) -> String {
        "tanh".into()
    }
    fn formula(&self) -> &'static str {
        "y = tanh(a);  da = dy ⊙ (1 − y²)"
    }
    fn f(&self, x: f64) -> f64 {
        x.tanh()
    }
    fn dx<S: Real>(&self, dy: S, _x: S, y: S) -> S {
        dy * (-(y * y) + 1.0)
    }
}
