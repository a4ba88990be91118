//! Piecewise choices: the entrywise `maximum` and `minimum` of two values, and `select`
//! (`where(mask, a, b)`) with a constant mask.
//!
//! Their rules route `dy` to whichever input was chosen; the routing weights are constants
//! (computed from values, never differentiated), so second derivatives are zero wherever
//! the choice does not change. Conventions, as PyTorch's:
//!
//! ```text
//! y = maximum(a, b)  =>  da = sum_to(dy ⊙ w, a),  db = sum_to(dy ⊙ (1 − w), b),
//!                        w = 1 where a > b, 1/2 where a = b (a tie splits the gradient), 0 where a < b
//! y = minimum(a, b)  =>  the same with w = 1 where a < b
//! y = select(m, a, b) = m ? a : b  =>  da = dy ⊙ m,  db = dy ⊙ (1 − m)
//! ```
//!
//! A NaN in either input of `maximum`/`minimum` gives NaN (PyTorch's `torch.maximum`), never
//! the other value.

use super::{Adjoint, Real, Zip};
use crate::ops::Op;
use crate::tape::Var;
use crate::tensor::{Tensor, fmt_shape};

impl<'t> Var<'t> {
    /// `y = max(a, b)` entrywise, broadcasting as `+` does. A tie splits the gradient in half
    /// (see the module docs); a NaN gives NaN.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.leaf(Tensor::row(&[1.0, 5.0, 2.0]));
    /// let b = tape.leaf(Tensor::row(&[3.0, 4.0, 2.0]));
    /// let y = a.maximum(b);
    /// assert_eq!(y.value(), Tensor::row(&[3.0, 5.0, 2.0]));
    /// let g = tape.backward(y.sum());
    /// assert_eq!((g[a].clone(), g[b].clone()), (Tensor::row(&[0.0, 1.0, 0.5]), Tensor::row(&[1.0, 0.0, 0.5])));
    /// ```
    pub fn maximum(self, other: Var<'t>) -> Var<'t> {
        self.apply_zip(other, Maximum)
    }

    /// `y = min(a, b)` entrywise, broadcasting as `+` does. A tie splits the gradient in half;
    /// a NaN gives NaN.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::row(&[-1.0, 2.0]));
    /// let clipped = x.minimum(tape.constant(1.0));        // min(x, 1)
    /// assert_eq!(clipped.value(), Tensor::row(&[-1.0, 1.0]));
    /// assert_eq!(tape.backward(clipped.sum())[x], Tensor::row(&[1.0, 0.0]));
    /// ```
    pub fn minimum(self, other: Var<'t>) -> Var<'t> {
        self.apply_zip(other, Minimum)
    }

    /// `y = mask ? a : b` entrywise: `a` where the mask is nonzero, `b` elsewhere. The mask is
    /// a constant (compute it from values, e.g. with [`Tensor::mask`]); the unchosen branch
    /// does not leak into the value, even when it is NaN or infinite there.
    ///
    /// # Panics
    /// If `a`, `b` and the mask do not all have the same shape, or `a` and `b` live on
    /// different tapes.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor, Var};
    /// // The course's piecewise f(x) = x^2 for x < 1, 2x − 1 otherwise.
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::row(&[0.5, 3.0]));
    /// let mask = x.value().mask(|v| v < 1.0);
    /// let f = Var::select(&mask, x.square(), x * 2.0 - 1.0);
    /// assert_eq!(f.value(), Tensor::row(&[0.25, 5.0]));
    /// assert_eq!(tape.backward(f.sum())[x], Tensor::row(&[1.0, 2.0]));
    /// ```
    pub fn select(mask: &Tensor, a: Var<'t>, b: Var<'t>) -> Var<'t> {
        assert!(
            mask.shape() == a.shape() && mask.shape() == b.shape(),
            "select: mask {}, a {} and b {} must have the same shape",
            fmt_shape(mask.shape()),
            fmt_shape(a.shape()),
            fmt_shape(b.shape())
        );
        let m = a
            .tape()
            .constant(mask.map(|v| if v != 0.0 { 1.0 } else { 0.0 }));
        a.binary(b, Op::Select(m.index(), a.index(), b.index()))
    }
}

/// `f(x, y)`, or NaN if either is NaN.
pub(crate) fn nan_or(x: f64, y: f64, f: fn(f64, f64) -> f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        f(x, y)
    }
}

/// `m ? a : b` entrywise.
pub(crate) fn select_values(mask: &Tensor, a: &Tensor, b: &Tensor) -> Tensor {
    Tensor::from_fn(a.rows(), a.cols(), |i, j| {
        if mask[(i, j)] != 0.0 {
            a[(i, j)]
        } else {
            b[(i, j)]
        }
    })
}

/// The weight of `a` in `maximum(a, b)`: 1, 1/2 at a tie, 0; NaN if either is NaN (the
/// output is NaN, and so is the gradient it sends to both, never a finite number).
pub(crate) fn max_weight(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a > b {
        1.0
    } else if a == b {
        0.5
    } else {
        0.0
    }
}

/// The weight of `a` in `minimum(a, b)`.
fn min_weight(a: f64, b: f64) -> f64 {
    max_weight(b, a)
}

/// `y = maximum(a, b)`  =>  `da = dy ⊙ w`, `db = dy ⊙ (1 − w)`, `w` = `max_weight(a, b)` held
/// constant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Maximum;

impl Zip for Maximum {
    fn name(&self) -> &'static str {
        "maximum"
    }
    fn formula(&self) -> &'static str {
        "y = max(a, b);  da = dy ⊙ [a > b],  db = dy ⊙ [b > a] (ties: half each)"
    }
    fn f(&self, a: f64, b: f64) -> f64 {
        nan_or(a, b, f64::max)
    }
    fn da<S: Real>(&self, dy: S, a: S, b: S, _y: S) -> S {
        dy * a.detach_with(b, max_weight)
    }
    fn db<S: Real>(&self, dy: S, a: S, b: S, _y: S) -> S {
        dy * a.detach_with(b, |a, b| 1.0 - max_weight(a, b))
    }
}

/// `y = minimum(a, b)`  =>  as [`Maximum`] with `w = 1` where `a < b`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Minimum;

impl Zip for Minimum {
    fn name(&self) -> &'static str {
        "minimum"
    }
    fn formula(&self) -> &'static str {
        "y = min(a, b);  da = dy ⊙ [a < b],  db = dy ⊙ [b < a] (ties: half each)"
    }
    fn f(&self, a: f64, b: f64) -> f64 {
        nan_or(a, b, f64::min)
    }
    fn da<S: Real>(&self, dy: S, a: S, b: S, _y: S) -> S {
        dy * a.detach_with(b, min_weight)
    }
    fn db<S: Real>(&self, dy: S, a: S, b: S, _y: S) -> S {
        dy * a.detach_with(b, |a, b| 1.0 - min_weight(a, b))
    }
}

/// The line of `select` for the tape's pages.
pub(crate) const SELECT: &str = "y = mask ? a : b;  da = dy ⊙ mask,  db = dy ⊙ (1 − mask)";

/// `y = m ? a : b`  =>  `da = dy ⊙ m`, `db = dy ⊙ (1 − m)`, computed as `dy − dy ⊙ m`.
///
/// ```
/// use tapegrad::Tensor;
/// let m = Tensor::row(&[1.0, 0.0]);
/// let [da, db] = tapegrad::ops::select::select_vjp(&Tensor::row(&[3.0, 4.0]), &m, true, true);
/// assert_eq!((da.unwrap(), db.unwrap()), (Tensor::row(&[3.0, 0.0]), Tensor::row(&[0.0, 4.0])));
/// ```
pub fn select_vjp<V: Adjoint>(dy: &V, mask: &V, need_a: bool, need_b: bool) -> [Option<V>; 2] {
    let chosen = dy.mul(mask);
    [
        need_a.then(|| chosen.clone()),
        need_b.then(|| dy.sub(&chosen)),
    ]
}
