//! The matrix product, the product with a transposed right factor (a linear layer's
//! `x W^T`, PyTorch's `F.linear`), and the transpose.

use super::Adjoint;
use crate::ops::Op;
use crate::tape::Var;
use crate::tensor::fmt_shape;

impl<'t> Var<'t> {
    /// `Y = A B` (`m x k` times `k x n`)  =>  `dA = dY B^T`, `dB = A^T dY`.
    ///
    /// # Panics
    /// If the inner dimensions differ: `matmul: [3x2] . [3x1]: inner dimensions 2 and 3 differ`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.leaf(Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));
    /// let x = tape.constant(Tensor::column(&[1.0, 1.0]));
    /// let y = a.matmul(x).sum();                         // sum(A x)
    /// assert_eq!(y.item(), 10.0);
    /// assert_eq!(tape.backward(y)[a], Tensor::ones(2, 2)); // dA = dY x^T
    /// ```
    pub fn matmul(self, rhs: Var<'t>) -> Var<'t> {
        let (a, b) = (self.shape(), rhs.shape());
        assert!(
            a.1 == b.0,
            "matmul: {} . {}: inner dimensions {} and {} differ",
            fmt_shape(a),
            fmt_shape(b),
            a.1,
            b.0
        );
        self.binary(rhs, Op::MatMul(self.index(), rhs.index()))
    }

    /// `Y = A B^T` (`m x k` times `(n x k)^T`)  =>  `dA = dY B`, `dB = dY^T A`.
    ///
    /// The same as `a.matmul(b.t())` without recording (or copying) the transpose: the
    /// linear layer's `x W^T` with `W` stored `out x in`.
    ///
    /// # Panics
    /// If the column counts differ: `matmul_t: [7x2] . [10x3]^T: inner dimensions 2 and 3 differ`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.constant(Tensor::from_rows(&[[1.0, 2.0]]));          // 1 x in
    /// let w = tape.leaf(Tensor::from_rows(&[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])); // out x in
    /// let y = x.matmul_t(w);                              // x W^T, as nn.Linear
    /// assert_eq!(y.value(), Tensor::row(&[1.0, 2.0, 3.0]));
    /// ```
    pub fn matmul_t(self, rhs: Var<'t>) -> Var<'t> {
        let (a, b) = (self.shape(), rhs.shape());
        assert!(
            a.1 == b.1,
            "matmul_t: {} . {}^T: inner dimensions {} and {} differ",
            fmt_shape(a),
            fmt_shape(b),
            a.1,
            b.1
        );
        self.binary(rhs, Op::MatMulT(self.index(), rhs.index()))
    }

    /// `Y = X^T`  =>  `dX = dY^T`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::column(&[1.0, 2.0]));
    /// let y = x.t().matmul(x);                            // x^T x = ||x||^2
    /// assert_eq!(y.item(), 5.0);
    /// assert_eq!(tape.backward(y)[x], Tensor::column(&[2.0, 4.0]));
    /// ```
    pub fn t(self) -> Var<'t> {
        self.record(Op::Transpose(self.index()))
    }
}

/// `Y = A B`  =>  `dA = dY B^T`, `dB = A^T dY`.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad::ops::matmul::matmul_vjp;
/// let a = Tensor::from_rows(&[[1.0, 2.0]]);
/// let b = Tensor::column(&[3.0, 4.0]);
/// let [da, db] = matmul_vjp(&Tensor::scalar(1.0), &a, &b, true, true);
/// assert_eq!(da.unwrap(), b.t());                     // dA = dY B^T
/// assert_eq!(db.unwrap(), a.t());                     // dB = A^T dY
/// ```
pub fn matmul_vjp<V: Adjoint>(dy: &V, a: &V, b: &V, need_a: bool, need_b: bool) -> [Option<V>; 2] {
    [
        need_a.then(|| dy.matmul_nt(b)),
        need_b.then(|| a.matmul_tn(dy)),
    ]
}

/// `Y = A B^T`  =>  `dA = dY B`, `dB = dY^T A`.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad::ops::matmul::matmul_t_vjp;
/// let a = Tensor::from_rows(&[[1.0, 2.0]]);
/// let b = Tensor::from_rows(&[[3.0, 4.0]]);
/// let [da, db] = matmul_t_vjp(&Tensor::scalar(1.0), &a, &b, true, true);
/// assert_eq!(da.unwrap(), b);                         // dA = dY B
/// assert_eq!(db.unwrap(), a);                         // dB = dY^T A
/// ```
pub fn matmul_t_vjp<V: Adjoint>(
    dy: &V,
    a: &V,
    b: &V,
    need_a: bool,
    need_b: bool,
) -> [Option<V>; 2] {
    [
        need_a.then(|| dy.matmul(b)),
        need_b.then(|| dy.matmul_tn(a)),
    ]
}

/// `Y = X^T`  =>  `dX = dY^T`.
///
/// ```
/// use tapegrad::Tensor;
/// let dy = Tensor::row(&[1.0, 2.0]);
/// assert_eq!(tapegrad::ops::matmul::transpose_vjp(&dy), Tensor::column(&[1.0, 2.0]));
/// ```
pub fn transpose_vjp<V: Adjoint>(dy: &V) -> V {
    dy.t()
}
