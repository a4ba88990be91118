//! Reductions (sum and mean: of all entries, of each row, of each column) and their
//! adjoint, `expand` (broadcast a scalar, row or column to a full matrix).
//!
//! A sum adds each entry once, so every entry receives the output's adjoint:
//! `y = sum(x)  =>  dx = expand(dy, shape(x))`. Conversely `expand` repeats its input, so its
//! rule sums: `Y = expand(x)  =>  dx = sum_to(dY, shape(x))`. The means are composites:
//! `mean(x) = sum(x) / count`.

use super::Adjoint;
use crate::ops::Op;
use crate::tape::Var;
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

/// `y = sum(x)`, `sum_each_row(x)` or `sum_each_col(x)`  =>  `dx = expand(dy, shape(x))`.
///
/// ```
/// use tapegrad::Tensor;
/// let x = Tensor::zeros(2, 3);
/// assert_eq!(tapegrad::ops::reduce::sum_vjp(&Tensor::scalar(2.0), &x), Tensor::full(2, 3, 2.0));
/// ```
pub fn sum_vjp<V: Adjoint>(dy: &V, x: &V) -> V {
    let (r, c) = x.shape();
    dy.expand(r, c)
}

/// `Y = expand(x)`  =>  `dx = sum_to(dY, shape(x))`.
///
/// ```
/// use tapegrad::Tensor;
/// let x = Tensor::zeros(1, 2);
/// let dy = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
/// assert_eq!(tapegrad::ops::reduce::expand_vjp(&dy, &x), Tensor::row(&[4.0, 6.0]));
/// ```
pub fn expand_vjp<V: Adjoint>(dy: &V, x: &V) -> V {
    let (r, c) = x.shape();
    dy.sum_to(r, c)
}

/// The lines of the sums and `expand` for the tape's pages.
pub(crate) const SUM_TEXT: &str = "y = Σᵢⱼ aᵢⱼ;  da = dy 1 (dy copied to every entry)";
pub(crate) const SUM_EACH_ROW_TEXT: &str = "yᵢ = Σⱼ aᵢⱼ;  daᵢⱼ = dyᵢ";
pub(crate) const SUM_EACH_COL_TEXT: &str = "yⱼ = Σᵢ aᵢⱼ;  daᵢⱼ = dyⱼ";
pub(crate) const EXPAND_TEXT: &str = "y = a broadcast;  da = dy summed over the broadcast axes";
