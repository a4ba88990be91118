//! Reductions (sum and mean: of all entries, of each row, of each column) and their
//! adjoint, `expand` (broadcast a scalar, row or column to a full matrix).
//!
//! A sum adds each entry once, so every entry receives the output's adjoint:
//! `y = sum(x)  =>  dx = expand(dy, shape(x))`. Conversely `expand` repeats its input, so its
//! rule sums: `Y = expand(x)  =>  dx = sum_to(dY, shape(x))`. The means are composites:
//! `mean(x) = sum(x) / count`.

use super::Adjoint;
use crate::ops::{NodeId, Op};
use crate::tape::Var;
use crate::tensor::Tensor;
use crate::tensor::loops::{Write, expand_into, sum_to_into};
use crate::tensor::{Broadcast, fmt_shape};

impl<'t> Var<'t> {
    /// `y = sum_ij x_ij` (`1x1`)  =>  `dx = expand(dy)`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));
    /// let s = x.sum();
    /// assert_eq!(s.item(), 10.0);
    /// assert_eq!(tape.backward(s)[x], Tensor::ones(2, 2));
    /// ```
    pub fn sum(self) -> Var<'t> {
        self.record(Op::Sum(self.index()))
    }

    /// `y_i = sum_j x_ij` (`m x n -> m x 1`)  =>  `dx_ij = dy_i`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));
    /// assert_eq!(x.sum_each_row().value(), Tensor::column(&[3.0, 7.0]));
    /// ```
    pub fn sum_each_row(self) -> Var<'t> {
        self.record(Op::SumEachRow(self.index()))
    }

    /// `y_j = sum_i x_ij` (`m x n -> 1 x n`)  =>  `dx_ij = dy_j`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));
    /// assert_eq!(x.sum_each_col().value(), Tensor::row(&[4.0, 6.0]));
    /// ```
    pub fn sum_each_col(self) -> Var<'t> {
        self.record(Op::SumEachCol(self.index()))
    }

    /// `y = (1 / mn) sum_ij x_ij`, recorded as `sum(x) / (m n)`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::row(&[1.0, 2.0, 3.0, 6.0]));
    /// let m = x.mean();
    /// assert_eq!(m.item(), 3.0);
    /// assert_eq!(tape.backward(m)[x], Tensor::full(1, 4, 0.25));   // 1/n each
    /// ```
    pub fn mean(self) -> Var<'t> {
        let (m, n) = self.shape();
        self.sum() / (m * n) as f64
    }

    /// `y_i = (1 / n) sum_j x_ij` (`m x 1`), recorded as `sum_each_row(x) / n`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::from_rows(&[[1.0, 3.0], [2.0, 6.0]]));
    /// assert_eq!(x.mean_each_row().value(), Tensor::column(&[2.0, 4.0]));
    /// ```
    pub fn mean_each_row(self) -> Var<'t> {
        let n = self.shape().1;
        self.sum_each_row() / n as f64
    }

    /// `y_j = (1 / m) sum_i x_ij` (`1 x n`), recorded as `sum_each_col(x) / m`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::from_rows(&[[1.0, 3.0], [3.0, 5.0]]));
    /// assert_eq!(x.mean_each_col().value(), Tensor::row(&[2.0, 4.0]));
    /// ```
    pub fn mean_each_col(self) -> Var<'t> {
        let m = self.shape().0;
        self.sum_each_col() / m as f64
    }

    /// `Y = x` broadcast to `rows x cols` from `1x1`, `1 x cols` or `rows x 1`
    /// =>  `dx = sum_to(dY, shape(x))`. The identity if `x` is already `rows x cols`.
    ///
    /// # Panics
    /// If `x` cannot be broadcast to `rows x cols`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let b = tape.leaf(Tensor::row(&[1.0, 2.0]));
    /// let big = b.expand(3, 2);                          // three copies of the row
    /// assert_eq!(big.shape(), (3, 2));
    /// assert_eq!(tape.backward(big.sum())[b], Tensor::row(&[3.0, 3.0]));
    /// ```
    pub fn expand(self, rows: usize, cols: usize) -> Var<'t> {
        let shape = self.shape();
        match Broadcast::classify((rows, cols), shape) {
            Some(Broadcast::Same) => self,
            Some(_) => self.record(Op::Expand(self.index(), rows, cols)),
            None => panic!(
                "expand: {} cannot be broadcast to [{rows}x{cols}]",
                fmt_shape(shape)
            ),
        }
    }

    /// Sums down to `rows x cols`, a shape this value could have been broadcast from
    /// (`1x1`, `1 x n`, `m x 1`): recorded as `sum`, `sum_each_col` or `sum_each_row`.
    /// The identity if the shape is already `rows x cols`.
    ///
    /// # Panics
    /// If `rows x cols` is none of those shapes.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));
    /// assert_eq!(x.sum_to(1, 2).value(), Tensor::row(&[4.0, 6.0]));
    /// ```
    pub fn sum_to(self, rows: usize, cols: usize) -> Var<'t> {
        let shape = self.shape();
        match Broadcast::classify(shape, (rows, cols)) {
            Some(Broadcast::Same) => self,
            Some(Broadcast::Scalar) => self.sum(),
            Some(Broadcast::Row) => self.sum_each_col(),
            Some(Broadcast::Col) => self.sum_each_row(),
            None => panic!(
                "sum_to: {} cannot be summed to [{rows}x{cols}]",
                fmt_shape(shape)
            ),
        }
    }
}

/// The two linear maps of broadcasting, each the other's adjoint: summing down to a smaller
/// shape (`sum`, `sum_each_row`, `sum_each_col`) and repeating up to a larger one (`expand`).
/// The rule of each is the other:
///
/// ```text
/// y = sum_to(x)   =>  dx = expand(dy, shape(x))     (every entry of x is counted once)
/// y = expand(x)   =>  dx = sum_to(dy, shape(x))     (every copy sends its gradient back)
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Broadcasting {
    SumTo,
    Expand,
}

impl Broadcasting {
    /// The rule: the map that takes `dy` to `dx`.
    pub(crate) fn adjoint(self) -> Broadcasting {
        match self {
            Broadcasting::SumTo => Broadcasting::Expand,
            Broadcasting::Expand => Broadcasting::SumTo,
        }
    }

    /// The map applied to `x`, to `shape`, on any [`Adjoint`] (numbers or the tape).
    pub(crate) fn apply<V: Adjoint>(self, x: &V, (rows, cols): (usize, usize)) -> V {
        match self {
            Broadcasting::SumTo => x.sum_to(rows, cols),
            Broadcasting::Expand => x.expand(rows, cols),
        }
    }

    /// The map applied to `x` into `out` (of `shape`), as `write` says: a replay's loops.
    #[inline(always)]
    pub(crate) fn apply_into(
        self,
        out: &mut [f64],
        shape: (usize, usize),
        x: &Tensor,
        write: Write,
    ) {
        match self {
            Broadcasting::SumTo => sum_to_into(out, shape, x, write),
            Broadcasting::Expand => expand_into(out, shape, x, write),
        }
    }
}

impl Op {
    /// A sum or an `expand`: which map, and its input.
    pub(crate) fn broadcasting(&self) -> Option<(Broadcasting, NodeId)> {
        match *self {
            Op::Sum(x) | Op::SumEachRow(x) | Op::SumEachCol(x) => Some((Broadcasting::SumTo, x)),
            Op::Expand(x, ..) => Some((Broadcasting::Expand, x)),
            _ => None,
        }
    }
}

/// The lines of the sums and `expand` for the tape's pages.
pub(crate) const SUM_TEXT: &str = "y = Σᵢⱼ aᵢⱼ;  da = dy 1 (dy copied to every entry)";
pub(crate) const SUM_EACH_ROW_TEXT: &str = "yᵢ = Σⱼ aᵢⱼ;  daᵢⱼ = dyᵢ";
pub(crate) const SUM_EACH_COL_TEXT: &str = "yⱼ = Σᵢ aᵢⱼ;  daᵢⱼ = dyⱼ";
pub(crate) const EXPAND_TEXT: &str = "y = a broadcast;  da = dy summed over the broadcast axes";
