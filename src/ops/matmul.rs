//! The matrix product, the product with a transposed right factor (a linear layer's
//! `x W^T`, PyTorch's `F.linear`), and the transpose.

use super::Adjoint;
use crate::matmul::Form;
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
    /// If the column counts differ: `matmul_nt: [7x2] . [10x3]^T: inner dimensions 2 and 3 differ`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.constant(Tensor::from_rows(&[[1.0, 2.0]]));          // 1 x in
    /// let w = tape.leaf(Tensor::from_rows(&[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])); // out x in
    /// let y = x.matmul_nt(w);                              // x W^T, as nn.Linear
    /// assert_eq!(y.value(), Tensor::row(&[1.0, 2.0, 3.0]));
    /// ```
    pub fn matmul_nt(self, rhs: Var<'t>) -> Var<'t> {
        let (a, b) = (self.shape(), rhs.shape());
        assert!(
            a.1 == b.1,
            "matmul_nt: {} . {}^T: inner dimensions {} and {} differ",
            fmt_shape(a),
            fmt_shape(b),
            a.1,
            b.1
        );
        self.binary(rhs, Op::MatMulNt(self.index(), rhs.index()))
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

/// An operand of a product's rule: the adjoint `dY` or one of the two factors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Of {
    Dy,
    A,
    B,
}

/// One adjoint of a product, itself a product: `op(left) op(right)` in `form`
/// (`L R`, `L Rᵀ` or `Lᵀ R`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Term {
    pub form: Form,
    pub left: Of,
    pub right: Of,
}

const fn term(form: Form, left: Of, right: Of) -> Term {
    Term { form, left, right }
}

/// A product's forward and rule, each a product of operands: what the tape evaluates and
/// what a replay plans its kernels from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProductRule {
    /// `Y` from `A` and `B`.
    pub y: Term,
    /// `dA` and `dB` from `dY`, `A` and `B`.
    pub grads: [Term; 2],
}

/// `Y = A B`  =>  `dA = dY Bᵀ`,  `dB = Aᵀ dY`.
pub(crate) const MATMUL: ProductRule = ProductRule {
    y: term(Form::AB, Of::A, Of::B),
    grads: [
        term(Form::ABt, Of::Dy, Of::B),
        term(Form::AtB, Of::A, Of::Dy),
    ],
};

/// `Y = A Bᵀ`  =>  `dA = dY B`,  `dB = dYᵀ A`.
pub(crate) const MATMUL_T: ProductRule = ProductRule {
    y: term(Form::ABt, Of::A, Of::B),
    grads: [
        term(Form::AB, Of::Dy, Of::B),
        term(Form::AtB, Of::Dy, Of::A),
    ],
};

/// The lines of the products for the tape's pages.
pub(crate) const MATMUL_TEXT: &str = "y = A B;  dA = dy Bᵀ,  dB = Aᵀ dy";
pub(crate) const MATMUL_T_TEXT: &str = "y = A Bᵀ;  dA = dy B,  dB = dyᵀ A";
pub(crate) const TRANSPOSE_TEXT: &str = "y = aᵀ;  da = dyᵀ";

impl Term {
    /// `(m, k, n)` of this product, `C` (`m x n`) `= op(L) op(R)` with the inner size `k`,
    /// given each operand's shape.
    pub(crate) fn mkn(&self, shape: impl Fn(Of) -> (usize, usize)) -> (usize, usize, usize) {
        let (left, right) = (shape(self.left), shape(self.right));
        match self.form {
            Form::AB => (left.0, left.1, right.1),
            Form::ABt => (left.0, left.1, right.0),
            Form::AtB => (left.1, left.0, right.1),
        }
    }

    /// The product on any [`Adjoint`] (numbers or the tape), given each operand.
    pub(crate) fn eval<'v, V: Adjoint + 'v>(&self, operand: impl Fn(Of) -> &'v V) -> V {
        let (l, r) = (operand(self.left), operand(self.right));
        match self.form {
            Form::AB => l.matmul(r),
            Form::ABt => l.matmul_nt(r),
            Form::AtB => l.matmul_tn(r),
        }
    }
}

/// `[dA, dB]` of a product by its rule, each only if needed.
pub(crate) fn product_vjp<V: Adjoint>(
    rule: &ProductRule,
    [dy, a, b]: [&V; 3],
    need: [bool; 2],
) -> [Option<V>; 2] {
    let operand = |of: Of| match of {
        Of::Dy => dy,
        Of::A => a,
        Of::B => b,
    };
    [
        need[0].then(|| rule.grads[0].eval(operand)),
        need[1].then(|| rule.grads[1].eval(operand)),
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
