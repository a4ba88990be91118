//! Arithmetic: `+ - * /` between Vars (broadcasting) and with `f64`, and unary `-`.
//!
//! Broadcasting: one operand may be a `1x1` scalar, a `1xn` row (over the rows of an
//! `m x n` matrix) or an `m x 1` column (over its columns). The forward pass repeats the
//! small operand; the backward pass therefore *sums* its gradient back down to its shape:
//! `da = sum_to(dy ⊙ dy/da, shape(a))` (a value used `n` times gets `n` contributions).

use super::Adjoint;
use crate::ops::Op;
use crate::tape::Var;
use std::iter::Sum;
use std::ops::{Add, Div, Mul, Neg, Sub};

impl<'t> Var<'t> {
    /// `y = x + c` for a scalar `c`  =>  `dx = dy`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(1.0);
    /// let y = x.add_scalar(2.0);                        // the same as x + 2.0
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (3.0, 1.0));
    /// ```
    pub fn add_scalar(self, c: f64) -> Var<'t> {
        self.record(Op::AddScalar(self.index(), c))
    }

    /// `y = c x` for a scalar `c`  =>  `dx = c dy`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(1.0);
    /// let y = x.mul_scalar(-4.0);                       // the same as x * -4.0
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (-4.0, -4.0));
    /// ```
    pub fn mul_scalar(self, c: f64) -> Var<'t> {
        self.record(Op::MulScalar(self.index(), c))
    }
}

/// `y = a + b`  =>  `da = sum_to(dy, a)`, `db = sum_to(dy, b)`.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad::ops::arith::add_vjp;
/// // y = a + b with b a 1x2 row broadcast over a 2x2 a: db sums dy over the rows.
/// let (a, b) = (Tensor::zeros(2, 2), Tensor::zeros(1, 2));
/// let dy = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
/// let [da, db] = add_vjp(&dy, &a, &b, true, true);
/// assert_eq!(da.unwrap(), dy);
/// assert_eq!(db.unwrap(), Tensor::row(&[4.0, 6.0]));
/// ```
pub fn add_vjp<V: Adjoint>(dy: &V, a: &V, b: &V, need_a: bool, need_b: bool) -> [Option<V>; 2] {
    [
        need_a.then(|| sum_to_shape(dy, a)),
        need_b.then(|| sum_to_shape(dy, b)),
    ]
}

/// `y = a - b`  =>  `da = sum_to(dy, a)`, `db = -sum_to(dy, b)`.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad::ops::arith::sub_vjp;
/// let (a, b, dy) = (Tensor::scalar(5.0), Tensor::scalar(2.0), Tensor::scalar(1.0));
/// let [da, db] = sub_vjp(&dy, &a, &b, true, true);
/// assert_eq!((da.unwrap().item(), db.unwrap().item()), (1.0, -1.0));
/// ```
pub fn sub_vjp<V: Adjoint>(dy: &V, a: &V, b: &V, need_a: bool, need_b: bool) -> [Option<V>; 2] {
    [
        need_a.then(|| sum_to_shape(dy, a)),
        need_b.then(|| sum_to_shape(dy, b).neg()),
    ]
}

/// `y = a ⊙ b`  =>  `da = sum_to(dy ⊙ b, a)`, `db = sum_to(dy ⊙ a, b)`.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad::ops::arith::mul_vjp;
/// let (a, b, dy) = (Tensor::scalar(3.0), Tensor::scalar(4.0), Tensor::scalar(1.0));
/// let [da, db] = mul_vjp(&dy, &a, &b, true, false);  // only da is needed
/// assert_eq!(da.unwrap().item(), 4.0);               // d(ab)/da = b
/// assert!(db.is_none());
/// ```
pub fn mul_vjp<V: Adjoint>(dy: &V, a: &V, b: &V, need_a: bool, need_b: bool) -> [Option<V>; 2] {
    [
        need_a.then(|| sum_to_shape(&dy.mul(b), a)),
        need_b.then(|| sum_to_shape(&dy.mul(a), b)),
    ]
}

/// `y = a ⊘ b`  =>  `da = sum_to(dy ⊘ b, a)`, `db = -sum_to(dy ⊙ y ⊘ b, b)`
/// (since `dy/db = -a / b^2 = -y / b`).
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad::ops::arith::div_vjp;
/// let (a, b) = (Tensor::scalar(6.0), Tensor::scalar(2.0));
/// let y = a.div(&b);
/// let [da, db] = div_vjp(&Tensor::scalar(1.0), &y, &a, &b, true, true);
/// assert_eq!(da.unwrap().item(), 0.5);               // 1 / b
/// assert_eq!(db.unwrap().item(), -1.5);              // -a / b^2
/// ```
pub fn div_vjp<V: Adjoint>(
    dy: &V,
    y: &V,
    a: &V,
    b: &V,
    need_a: bool,
    need_b: bool,
) -> [Option<V>; 2] {
    [
        need_a.then(|| sum_to_shape(&dy.div(b), a)),
        need_b.then(|| sum_to_shape(&dy.mul(y).div(b), b).neg()),
    ]
}

/// `y = -x`  =>  `dx = -dy`.
///
/// ```
/// use tapegrad::Tensor;
/// assert_eq!(tapegrad::ops::arith::neg_vjp(&Tensor::scalar(2.0)).item(), -2.0);
/// ```
pub fn neg_vjp<V: Adjoint>(dy: &V) -> V {
    dy.neg()
}

/// `y = x + c`  =>  `dx = dy`.
///
/// ```
/// use tapegrad::Tensor;
/// assert_eq!(tapegrad::ops::arith::add_scalar_vjp(&Tensor::scalar(2.0)).item(), 2.0);
/// ```
pub fn add_scalar_vjp<V: Adjoint>(dy: &V) -> V {
    dy.clone()
}

/// `y = c x`  =>  `dx = c dy`.
///
/// ```
/// use tapegrad::Tensor;
/// assert_eq!(tapegrad::ops::arith::mul_scalar_vjp(&Tensor::scalar(2.0), 3.0).item(), 6.0);
/// ```
pub fn mul_scalar_vjp<V: Adjoint>(dy: &V, c: f64) -> V {
    dy.scale(c)
}

/// `sum_to(g, x)`: sums a broadcast gradient `g` back to the shape of the operand `x`.
fn sum_to_shape<V: Adjoint>(g: &V, x: &V) -> V {
    let (r, c) = x.shape();
    g.sum_to(r, c)
}

// ----- operator overloading -------------------------------------------------------------

impl<'t> Add for Var<'t> {
    type Output = Var<'t>;
    /// `a + b`, broadcasting. See [`add_vjp`].
    fn add(self, rhs: Var<'t>) -> Var<'t> {
        self.binary(rhs, Op::Add(self.index(), rhs.index()))
    }
}

impl<'t> Sub for Var<'t> {
    type Output = Var<'t>;
    /// `a - b`, broadcasting. See [`sub_vjp`].
    fn sub(self, rhs: Var<'t>) -> Var<'t> {
        self.binary(rhs, Op::Sub(self.index(), rhs.index()))
    }
}

impl<'t> Mul for Var<'t> {
    type Output = Var<'t>;
    /// `a ⊙ b` (entrywise), broadcasting. See [`mul_vjp`]. For the matrix product use
    /// [`Var::matmul`].
    fn mul(self, rhs: Var<'t>) -> Var<'t> {
        self.binary(rhs, Op::Mul(self.index(), rhs.index()))
    }
}

impl<'t> Div for Var<'t> {
    type Output = Var<'t>;
    /// `a ⊘ b` (entrywise), broadcasting. See [`div_vjp`].
    fn div(self, rhs: Var<'t>) -> Var<'t> {
        self.binary(rhs, Op::Div(self.index(), rhs.index()))
    }
}

impl<'t> Neg for Var<'t> {
    type Output = Var<'t>;
    /// `-x`. See [`neg_vjp`].
    fn neg(self) -> Var<'t> {
        self.record(Op::Neg(self.index()))
    }
}

impl<'t> Add<f64> for Var<'t> {
    type Output = Var<'t>;
    /// `x + c`.
    fn add(self, c: f64) -> Var<'t> {
        self.add_scalar(c)
    }
}

impl<'t> Add<Var<'t>> for f64 {
    type Output = Var<'t>;
    /// `c + x`.
    fn add(self, x: Var<'t>) -> Var<'t> {
        x.add_scalar(self)
    }
}

impl<'t> Sub<f64> for Var<'t> {
    type Output = Var<'t>;
    /// `x - c`, recorded as `x + (-c)`.
    fn sub(self, c: f64) -> Var<'t> {
        self.add_scalar(-c)
    }
}

impl<'t> Sub<Var<'t>> for f64 {
    type Output = Var<'t>;
    /// `c - x`, recorded as `(-x) + c`.
    fn sub(self, x: Var<'t>) -> Var<'t> {
        (-x).add_scalar(self)
    }
}

impl<'t> Mul<f64> for Var<'t> {
    type Output = Var<'t>;
    /// `x c`.
    fn mul(self, c: f64) -> Var<'t> {
        self.mul_scalar(c)
    }
}

impl<'t> Mul<Var<'t>> for f64 {
    type Output = Var<'t>;
    /// `c x`.
    fn mul(self, x: Var<'t>) -> Var<'t> {
        x.mul_scalar(self)
    }
}

impl<'t> Div<f64> for Var<'t> {
    type Output = Var<'t>;
    /// `x / c`, recorded as `x ⊘ c` with `c` a `1x1` constant (exact division, as PyTorch).
    fn div(self, c: f64) -> Var<'t> {
        self / self.tape().constant(c)
    }
}

impl<'t> Div<Var<'t>> for f64 {
    type Output = Var<'t>;
    /// `c / x`, recorded as `c ⊘ x` with `c` a `1x1` constant.
    fn div(self, x: Var<'t>) -> Var<'t> {
        x.tape().constant(self) / x
    }
}

impl<'t> Sum for Var<'t> {
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

impl<'a, 't> Sum<&'a Var<'t>> for Var<'t> {
    /// As `Sum<Var>`, for an iterator of references.
    fn sum<I: Iterator<Item = &'a Var<'t>>>(iter: I) -> Var<'t> {
        iter.copied().sum()
    }
}
