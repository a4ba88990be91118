//! Arithmetic: `+ - * /` between Vars (broadcasting, [`Zip`] ops) and with `f64`, and
//! unary `-` ([`Map`] ops).
//!
//! Broadcasting: one operand may be a `1x1` scalar, a `1xn` row (over the rows of an
//! `m x n` matrix) or an `m x 1` column (over its columns). The forward pass repeats the
//! small operand; the backward pass therefore *sums* its gradient back down to its shape:
//! `da = sum_to(dy ⊙ ∂y/∂a, shape(a))` (a value used `n` times gets `n` contributions).

use super::{Map, Real, Zip};
use crate::tape::Var;
use std::iter::Sum as SumOf;

impl<'t> Var<'t> {
    /// `y = x + c` for a scalar `c`  =>  `dx = dy` ([`AddScalar`]).
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(1.0);
    /// let y = x.add_scalar(2.0);                        // the same as x + 2.0
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (3.0, 1.0));
    /// ```
    pub fn add_scalar(self, c: f64) -> Var<'t> {
        self.apply_map(AddScalar(c))
    }

    /// `y = c x` for a scalar `c`  =>  `dx = c dy` ([`MulScalar`]).
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(1.0);
    /// let y = x.mul_scalar(-4.0);                       // the same as x * -4.0
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (-4.0, -4.0));
    /// ```
    pub fn mul_scalar(self, c: f64) -> Var<'t> {
        self.apply_map(MulScalar(c))
    }
}

/// `y = a + b`  =>  `da = dy`, `db = dy` (each summed over its broadcast axes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Add;

impl Zip for Add {
    fn name(&self) -> &'static str {
        "add"
    }
    fn formula(&self) -> &'static str {
        "y = a + b;  da = dy,  db = dy (summed over broadcast axes)"
    }
    fn f(&self, a: f64, b: f64) -> f64 {
        a + b
    }
    fn da<S: Real>(&self, dy: S, _a: S, _b: S, _y: S) -> S {
        dy
    }
    fn db<S: Real>(&self, dy: S, _a: S, _b: S, _y: S) -> S {
        dy
    }
}

/// `y = a − b`  =>  `da = dy`, `db = −dy`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sub;

impl Zip for Sub {
    fn name(&self) -> &'static str {
        "sub"
    }
    fn formula(&self) -> &'static str {
        "y = a − b;  da = dy,  db = −dy (summed over broadcast axes)"
    }
    fn f(&self, a: f64, b: f64) -> f64 {
        a - b
    }
    fn da<S: Real>(&self, dy: S, _a: S, _b: S, _y: S) -> S {
        dy
    }
    fn db<S: Real>(&self, dy: S, _a: S, _b: S, _y: S) -> S {
        -dy
    }
}

/// `y = a ⊙ b`  =>  `da = dy ⊙ b`, `db = dy ⊙ a`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mul;

impl Zip for Mul {
    fn name(&self) -> &'static str {
        "mul"
    }
    fn formula(&self) -> &'static str {
        "y = a ⊙ b;  da = dy ⊙ b,  db = dy ⊙ a (summed over broadcast axes)"
    }
    fn f(&self, a: f64, b: f64) -> f64 {
        a * b
    }
    fn da<S: Real>(&self, dy: S, _a: S, b: S, _y: S) -> S {
        dy * b
    }
    fn db<S: Real>(&self, dy: S, a: S, _b: S, _y: S) -> S {
        dy * a
    }
}

/// `y = a ⊘ b`  =>  `da = dy ⊘ b`, `db = −dy ⊙ y ⊘ b` (since `∂y/∂b = −a / b² = −y / b`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Div;

impl Zip for Div {
    fn name(&self) -> &'static str {
        "div"
    }
    fn formula(&self) -> &'static str {
        "y = a ⊘ b;  da = dy ⊘ b,  db = −dy ⊙ y ⊘ b (summed over broadcast axes)"
    }
    fn f(&self, a: f64, b: f64) -> f64 {
        a / b
    }
    fn da<S: Real>(&self, dy: S, _a: S, b: S, _y: S) -> S {
        dy / b
    }
    fn db<S: Real>(&self, dy: S, _a: S, b: S, y: S) -> S {
        -(dy * y / b)
    }
}

/// `y = −x`  =>  `dx = −dy`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Neg;

impl Map for Neg {
    fn name(&self) -> String {
        "neg".into()
    }
    fn formula(&self) -> &'static str {
        "y = −a;  da = −dy"
    }
    fn f(&self, x: f64) -> f64 {
        -x
    }
    fn dx<S: Real>(&self, dy: S, _x: S, _y: S) -> S {
        -dy
    }
}

/// `y = x + c`  =>  `dx = dy`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AddScalar(
    /// `c`.
    pub f64,
);

impl Map for AddScalar {
    fn name(&self) -> String {
        format!("add_scalar({})", self.0)
    }
    fn formula(&self) -> &'static str {
        "y = a + c;  da = dy"
    }
    fn f(&self, x: f64) -> f64 {
        x + self.0
    }
    fn dx<S: Real>(&self, dy: S, _x: S, _y: S) -> S {
        dy
    }
}

/// `y = c x`  =>  `dx = c dy`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MulScalar(
    /// `c`.
    pub f64,
);

impl Map for MulScalar {
    fn name(&self) -> String {
        format!("mul_scalar({})", self.0)
    }
    fn formula(&self) -> &'static str {
        "y = c a;  da = c dy"
    }
    fn f(&self, x: f64) -> f64 {
        self.0 * x
    }
    fn dx<S: Real>(&self, dy: S, _x: S, _y: S) -> S {
        dy * self.0
    }
}

// ----- operator overloading -------------------------------------------------------------

impl<'t> std::ops::Add for Var<'t> {
    type Output = Var<'t>;
    /// `a + b`, broadcasting. See [`Add`].
    fn add(self, rhs: Var<'t>) -> Var<'t> {
        self.apply_zip(rhs, Add)
    }
}

impl<'t> std::ops::Sub for Var<'t> {
    type Output = Var<'t>;
    /// `a - b`, broadcasting. See [`Sub`].
    fn sub(self, rhs: Var<'t>) -> Var<'t> {
        self.apply_zip(rhs, Sub)
    }
}

impl<'t> std::ops::Mul for Var<'t> {
    type Output = Var<'t>;
    /// `a ⊙ b` (entrywise), broadcasting. See [`Mul`]. For the matrix product use
    /// [`Var::matmul`].
    fn mul(self, rhs: Var<'t>) -> Var<'t> {
        self.apply_zip(rhs, Mul)
    }
}

impl<'t> std::ops::Div for Var<'t> {
    type Output = Var<'t>;
    /// `a ⊘ b` (entrywise), broadcasting. See [`Div`].
    fn div(self, rhs: Var<'t>) -> Var<'t> {
        self.apply_zip(rhs, Div)
    }
}

impl<'t> std::ops::Neg for Var<'t> {
    type Output = Var<'t>;
    /// `-x`. See [`Neg`].
    fn neg(self) -> Var<'t> {
        self.apply_map(Neg)
    }
}

impl<'t> std::ops::Add<f64> for Var<'t> {
    type Output = Var<'t>;
    /// `x + c`.
    fn add(self, c: f64) -> Var<'t> {
        self.add_scalar(c)
    }
}

impl<'t> std::ops::Add<Var<'t>> for f64 {
    type Output = Var<'t>;
    /// `c + x`.
    fn add(self, x: Var<'t>) -> Var<'t> {
        x.add_scalar(self)
    }
}

impl<'t> std::ops::Sub<f64> for Var<'t> {
    type Output = Var<'t>;
    /// `x - c`, recorded as `x + (-c)`.
    fn sub(self, c: f64) -> Var<'t> {
        self.add_scalar(-c)
    }
}

impl<'t> std::ops::Sub<Var<'t>> for f64 {
    type Output = Var<'t>;
    /// `c - x`, recorded as `(-x) + c`.
    fn sub(self, x: Var<'t>) -> Var<'t> {
        (-x).add_scalar(self)
    }
}

impl<'t> std::ops::Mul<f64> for Var<'t> {
    type Output = Var<'t>;
    /// `x c`.
    fn mul(self, c: f64) -> Var<'t> {
        self.mul_scalar(c)
    }
}

impl<'t> std::ops::Mul<Var<'t>> for f64 {
    type Output = Var<'t>;
    /// `c x`.
    fn mul(self, x: Var<'t>) -> Var<'t> {
        x.mul_scalar(self)
    }
}

impl<'t> std::ops::Div<f64> for Var<'t> {
    type Output = Var<'t>;
    /// `x / c`, recorded as `x ⊘ c` with `c` a `1x1` constant (exact division, as PyTorch).
    fn div(self, c: f64) -> Var<'t> {
        self / self.tape().constant(c)
    }
}

impl<'t> std::ops::Div<Var<'t>> for f64 {
    type Output = Var<'t>;
    /// `c / x`, recorded as `c ⊘ x` with `c` a `1x1` constant.
    fn div(self, x: Var<'t>) -> Var<'t> {
        x.tape().constant(self) / x
    }
}

impl<'t> SumOf for Var<'t> {
    /// `x_1 + x_2 + ... + x_n`, recorded as `n - 1` additions (broadcasting as `+` does).
    ///
    /// # Panics
    /// If the iterator is empty: a sum of no Vars has no tape to be recorded on. Start from
    /// a constant instead: `iter.fold(tape.constant(0.0), |a, b| a + b)`.
    ///
    /// ```
    /// use tapegrad::{Tape, Var};
    /// let tape = Tape::new();
    /// let xs: Vec<Var> = (1..=3).map(|k| tape.leaf(k as f64)).collect();
    /// let total: Var = xs.iter().map(|x| x.square()).sum();   // 1 + 4 + 9
    /// assert_eq!(total.item(), 14.0);
    /// assert_eq!(total.backward()[xs[2]].item(), 6.0);        // d/dx3 = 2 x3
    /// ```
    fn sum<I: Iterator<Item = Var<'t>>>(mut iter: I) -> Var<'t> {
        let first = iter.next().expect(
            "sum of Vars: the iterator is empty, so there is no tape to record on; use \
             iter.fold(tape.constant(0.0), |a, b| a + b)",
        );
        iter.fold(first, |acc, v| acc + v)
    }
}

impl<'a, 't> SumOf<&'a Var<'t>> for Var<'t> {
    /// As `Sum<Var>`, for an iterator of references.
    fn sum<I: Iterator<Item = &'a Var<'t>>>(iter: I) -> Var<'t> {
        iter.copied().sum()
    }
}
