//! [`Adjoint`]: the arithmetic a backward rule may use, and its implementation on numbers
//! ([`Tensor`]); the recorded implementation (on [`crate::Var`]) lives with the tape.

use super::{Binary, Custom, Unary, index, unary};
use crate::tensor::Tensor;
use std::ops::Range;

/// The arithmetic a backward rule is allowed to use. Implemented by [`Tensor`] (numbers)
/// and by [`crate::Var`] (recorded on the tape, for second-order derivatives).
///
/// The binary operations broadcast as [`Tensor::add`] does.
pub trait Adjoint: Clone {
    /// `(rows, cols)`.
    fn shape(&self) -> (usize, usize);
    /// `self + rhs`.
    fn add(&self, rhs: &Self) -> Self;
    /// `self - rhs`.
    fn sub(&self, rhs: &Self) -> Self;
    /// `self ⊙ rhs`.
    fn mul(&self, rhs: &Self) -> Self;
    /// `self ⊘ rhs`.
    fn div(&self, rhs: &Self) -> Self;
    /// `-self`.
    fn neg(&self) -> Self;
    /// `c self`.
    fn mul_scalar(&self, c: f64) -> Self;
    /// `self + c`.
    fn add_scalar(&self, c: f64) -> Self;
    /// `self^n` entrywise.
    fn powi(&self, n: i32) -> Self;
    /// `self^p` entrywise.
    fn powf(&self, p: f64) -> Self;
    /// `self · rhs`.
    fn matmul(&self, rhs: &Self) -> Self;
    /// `self^T`.
    fn t(&self) -> Self;
    /// `self · rhs^T` (for [`Tensor`], without forming the transpose).
    fn matmul_nt(&self, rhs: &Self) -> Self;
    /// `self^T · rhs` (for [`Tensor`], without forming the transpose).
    fn matmul_tn(&self, rhs: &Self) -> Self;
    /// Broadcast to `rows x cols` (the adjoint of `sum_to`).
    fn expand(&self, rows: usize, cols: usize) -> Self;
    /// Sum down to `rows x cols`, a shape this value was broadcast from.
    fn sum_to(&self, rows: usize, cols: usize) -> Self;
    /// `exp(self)` entrywise.
    fn exp(&self) -> Self;
    /// `sin(self)` entrywise.
    fn sin(&self) -> Self;
    /// `cos(self)` entrywise.
    fn cos(&self) -> Self;
    /// `σ(self)` entrywise.
    fn sigmoid(&self) -> Self;
    /// The window `self[rows, cols]`.
    fn slice(&self, rows: Range<usize>, cols: Range<usize>) -> Self;
    /// `self` placed at `(r0, c0)` in zeros of shape `rows x cols`.
    fn pad(&self, r0: usize, c0: usize, rows: usize, cols: usize) -> Self;
    /// The rows listed (as `f64`) in the column `idx`.
    fn index_select(&self, idx: &Self) -> Self;
    /// The rows of `self` added into rows `idx` of zeros with `rows` rows.
    fn scatter_rows(&self, idx: &Self, rows: usize) -> Self;
    /// An entrywise op's rule ([`Unary`]) run on this type: `dx` from `dy`, `x` and `y`.
    #[doc(hidden)]
    fn map_rule(op: Unary, dy: &Self, x: &Self, y: &Self) -> Self;
    /// A broadcasting op's rules ([`Binary`]) run on this type: `[da, db]`, each summed to its
    /// input's shape, each only if needed.
    #[doc(hidden)]
    fn zip_rule(
        op: Binary,
        dy: &Self,
        inputs: [&Self; 2],
        y: &Self,
        need: [bool; 2],
    ) -> [Option<Self>; 2];
    /// A user's op's rule ([`Custom`]) run on this type.
    #[doc(hidden)]
    fn custom_rule(f: Custom, dy: &Self, inputs: &[&Self], y: &Self) -> Vec<Self>;
    /// `self <- self + g`: how the reverse sweep adds a new contribution `g` into an adjoint
    /// (for [`Tensor`], in its own buffer).
    #[doc(hidden)]
    fn add_in_place(&mut self, g: &Self) {
        *self = self.add(g);
    }
}

impl Adjoint for Tensor {
    fn shape(&self) -> (usize, usize) {
        Tensor::shape(self)
    }
    fn add(&self, rhs: &Self) -> Self {
        Tensor::add(self, rhs)
    }
    fn sub(&self, rhs: &Self) -> Self {
        Tensor::sub(self, rhs)
    }
    fn mul(&self, rhs: &Self) -> Self {
        Tensor::mul(self, rhs)
    }
    fn div(&self, rhs: &Self) -> Self {
        Tensor::div(self, rhs)
    }
    fn neg(&self) -> Self {
        Tensor::neg(self)
    }
    fn mul_scalar(&self, c: f64) -> Self {
        Tensor::mul_scalar(self, c)
    }
    fn add_scalar(&self, c: f64) -> Self {
        Tensor::add_scalar(self, c)
    }
    fn powi(&self, n: i32) -> Self {
        self.map(|x| unary::powi(x, n))
    }
    fn powf(&self, p: f64) -> Self {
        self.map(|x| x.powf(p))
    }
    fn matmul(&self, rhs: &Self) -> Self {
        Tensor::matmul(self, rhs)
    }
    fn t(&self) -> Self {
        Tensor::t(self)
    }
    fn matmul_nt(&self, rhs: &Self) -> Self {
        Tensor::matmul_nt(self, rhs)
    }
    fn matmul_tn(&self, rhs: &Self) -> Self {
        Tensor::matmul_tn(self, rhs)
    }
    fn expand(&self, rows: usize, cols: usize) -> Self {
        Tensor::expand(self, rows, cols)
    }
    fn sum_to(&self, rows: usize, cols: usize) -> Self {
        Tensor::sum_to(self, rows, cols)
    }
    fn map_rule(op: Unary, dy: &Self, x: &Self, y: &Self) -> Self {
        op.backward(dy, x, y)
    }
    fn zip_rule(
        op: Binary,
        dy: &Self,
        inputs: [&Self; 2],
        y: &Self,
        need: [bool; 2],
    ) -> [Option<Self>; 2] {
        op.backward(dy, inputs, y, need)
    }
    fn custom_rule(f: Custom, dy: &Self, inputs: &[&Self], y: &Self) -> Vec<Self> {
        f.0.backward_numbers(dy, inputs, y)
    }
    fn exp(&self) -> Self {
        self.map(f64::exp)
    }
    fn sin(&self) -> Self {
        self.map(f64::sin)
    }
    fn cos(&self) -> Self {
        self.map(f64::cos)
    }
    fn sigmoid(&self) -> Self {
        self.map(unary::sigmoid)
    }
    fn slice(&self, rows: Range<usize>, cols: Range<usize>) -> Self {
        Tensor::slice(self, rows, cols)
    }
    fn pad(&self, r0: usize, c0: usize, rows: usize, cols: usize) -> Self {
        Tensor::pad(self, r0, c0, rows, cols)
    }
    fn index_select(&self, idx: &Self) -> Self {
        self.index_select(&index::idx_values(idx))
    }
    fn scatter_rows(&self, idx: &Self, rows: usize) -> Self {
        Tensor::scatter_rows(self, &index::idx_values(idx), rows)
    }
    fn add_in_place(&mut self, g: &Self) {
        self.add_assign(g);
    }
}
