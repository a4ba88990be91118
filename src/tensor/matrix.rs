//! Matrix products and the transpose, on the crate's own kernels.

use super::{Tensor, fmt_shape};
use crate::matmul::Form;

impl Tensor {
    // ----- matrix ---------------------------------------------------------------------------

    /// The transpose `self^T` (`cols x rows`).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_rows(&[[1.0, 2.0, 3.0]]);
    /// assert_eq!(a.t(), Tensor::column(&[1.0, 2.0, 3.0]));
    /// ```
    pub fn t(&self) -> Tensor {
        let mut data = Vec::with_capacity(self.len());
        for j in 0..self.cols {
            for i in 0..self.rows {
                data.push(self.data[i * self.cols + j]);
            }
        }
        Tensor {
            rows: self.cols,
            cols: self.rows,
            data,
        }
    }

    /// The matrix product `self · other`.
    ///
    /// # Panics
    /// If the inner dimensions differ: `matmul: [3x2] . [3x1]: inner dimensions 2 and 3 differ`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
    /// let x = Tensor::column(&[1.0, -1.0]);
    /// assert_eq!(a.matmul(&x), Tensor::column(&[-1.0, -1.0]));
    /// ```
    pub fn matmul(&self, other: &Tensor) -> Tensor {
        assert!(
            self.cols == other.rows,
            "matmul: {} . {}: inner dimensions {} and {} differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape()),
            self.cols,
            other.rows
        );
        self.product(
            other,
            Form::AB,
            (self.rows, self.cols, other.cols),
            "matmul",
        )
    }

    /// `self · other^T` without forming the transpose (`m x k` times `(n x k)^T`).
    ///
    /// # Panics
    /// If the column counts differ.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let x = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);   // n x in
    /// let w = Tensor::from_rows(&[[1.0, 0.0], [1.0, 1.0]]);               // out x in
    /// assert_eq!(x.matmul_nt(&w), x.matmul(&w.t()));                      // x W^T, no transpose formed
    /// ```
    pub fn matmul_nt(&self, other: &Tensor) -> Tensor {
        assert!(
            self.cols == other.cols,
            "matmul_nt: {} . {}^T: inner dimensions {} and {} differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape()),
            self.cols,
            other.cols
        );
        self.product(
            other,
            Form::ABt,
            (self.rows, self.cols, other.rows),
            "matmul_nt",
        )
    }

    /// `self^T · other` without forming the transpose (`(k x m)^T` times `k x n`).
    ///
    /// # Panics
    /// If the row counts differ.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let x = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    /// assert_eq!(x.matmul_tn(&x), x.t().matmul(&x));                      // the Gram matrix X^T X
    /// ```
    pub fn matmul_tn(&self, other: &Tensor) -> Tensor {
        assert!(
            self.rows == other.rows,
            "matmul: {}^T . {}: inner dimensions {} and {} differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape()),
            self.rows,
            other.rows
        );
        self.product(
            other,
            Form::AtB,
            (self.cols, self.rows, other.cols),
            "matmul",
        )
    }

    /// The `m x n` product `form` of `self` and `other` (shapes checked by the caller), in a
    /// new tensor whose buffer the kernel overwrites (no zeros written first).
    fn product(&self, other: &Tensor, form: Form, mkn: (usize, usize, usize), op: &str) -> Tensor {
        let (m, _, n) = mkn;
        let mut data = super::to_overwrite(op, m, n);
        crate::matmul::product(form, mkn, &self.data, &other.data, &mut data);
        Tensor {
            rows: m,
            cols: n,
            data,
        }
    }
}
