//! Reductions, the broadcast adjoints `expand`/`sum_to`, and norms.

use super::Tensor;
use super::loops::{Write, expand_into, sum_to_into};

impl Tensor {
    // ----- reductions -----------------------------------------------------------------------

    /// The sum of all entries.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]).sum(), 10.0);
    /// ```
    pub fn sum(&self) -> f64 {
        super::loops::sum(&self.data)
    }

    /// The mean of all entries (NaN for an empty tensor).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]).mean(), 2.5);
    /// ```
    pub fn mean(&self) -> f64 {
        self.sum() / self.len() as f64
    }

    /// The sum of each row: `m x n -> m x 1`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(a.sum_each_row(), Tensor::column(&[3.0, 7.0]));
    /// ```
    pub fn sum_each_row(&self) -> Tensor {
        self.sum_to(self.rows, 1)
    }

    /// The sum of each column: `m x n -> 1 x n`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(a.sum_each_col(), Tensor::row(&[4.0, 6.0]));
    /// ```
    pub fn sum_each_col(&self) -> Tensor {
        self.sum_to(1, self.cols)
    }

    /// Broadcasts a `1x1`, `1 x cols` or `rows x 1` tensor (or one already `rows x cols`) to
    /// `rows x cols`: the adjoint of [`Tensor::sum_to`].
    ///
    /// # Panics
    /// If the shape is none of those.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let b = Tensor::row(&[1.0, 2.0]);
    /// assert_eq!(b.expand(2, 2), Tensor::from_rows(&[[1.0, 2.0], [1.0, 2.0]]));
    /// ```
    pub fn expand(&self, rows: usize, cols: usize) -> Tensor {
        let mut data = super::to_overwrite("expand", rows, cols);
        crate::wide::wide(
            #[inline(always)]
            || expand_into(&mut data, (rows, cols), self, Write::Overwrite),
        );
        Tensor { rows, cols, data }
    }

    /// Sums a `rows' x cols'` tensor down to a shape it was broadcast from (`1x1`, `1 x cols`,
    /// `rows x 1`, or its own shape): the adjoint of [`Tensor::expand`].
    ///
    /// # Panics
    /// If `(rows, cols)` is not such a shape.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let g = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(g.sum_to(1, 2), Tensor::row(&[4.0, 6.0]));   // the gradient of a broadcast bias
    /// assert_eq!(g.sum_to(1, 1), Tensor::scalar(10.0));
    /// ```
    pub fn sum_to(&self, rows: usize, cols: usize) -> Tensor {
        let mut data = super::to_overwrite("sum_to", rows, cols);
        crate::wide::wide(
            #[inline(always)]
            || sum_to_into(&mut data, (rows, cols), self, Write::Overwrite),
        );
        Tensor { rows, cols, data }
    }

    /// The largest absolute entry (0 for an empty tensor; NaN if any entry is NaN).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::row(&[1.0, -3.0, 2.0]).max_abs(), 3.0);
    /// assert!(Tensor::row(&[f64::NAN, 1.0]).max_abs().is_nan());
    /// ```
    pub fn max_abs(&self) -> f64 {
        // NaN wins: `f64::max` would drop it and report the largest finite entry.
        self.data.iter().fold(0.0, |m: f64, &x| {
            if m.is_nan() || x.is_nan() {
                f64::NAN
            } else {
                m.max(x.abs())
            }
        })
    }

    /// The Frobenius norm `sqrt(sum x_ij^2)`, computed as BLAS's `dnrm2` guarantees: no
    /// overflow or underflow for any finite entries (the squares are summed after an exact
    /// scaling by a power of two that brings the largest entry to `[1/2, 1)`; for entries in
    /// the ordinary range the result is bit-for-bit the plain sum's). NaN if any entry is NaN,
    /// infinite if any is infinite.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::row(&[3.0, 4.0]).norm(), 5.0);
    /// // The squares would underflow, or overflow; the norm is right to an ulp.
    /// assert!((Tensor::row(&[3e-200, 4e-200]).norm() / 5e-200 - 1.0).abs() < 1e-15);
    /// assert!((Tensor::row(&[3e200, 4e200]).norm() / 5e200 - 1.0).abs() < 1e-15);
    /// ```
    pub fn norm(&self) -> f64 {
        let m = self.max_abs();
        if m == 0.0 || !m.is_finite() {
            return m; // 0, NaN or infinity
        }
        let e = super::pow2::exponent_of(m);
        let sum: f64 = self
            .data
            .iter()
            .map(|&x| {
                let u = super::pow2::times_pow2(x, -e);
                u * u
            })
            .sum();
        super::pow2::times_pow2(sum.sqrt(), e)
    }

    /// True if every entry is finite (no NaN, no infinity).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert!(Tensor::row(&[1.0, 2.0]).all_finite());
    /// assert!(!Tensor::row(&[1.0, f64::NAN]).all_finite());
    /// ```
    pub fn all_finite(&self) -> bool {
        self.data.iter().all(|x| x.is_finite())
    }
}
