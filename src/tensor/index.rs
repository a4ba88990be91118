//! Indexing: windows of rows and columns, the zero padding that is their adjoint, rows
//! gathered by index and scattered back, concatenation, and 0/1 masks.

use super::{Tensor, fmt_shape};
use std::ops::Range;

impl Tensor {
    /// The window `self[rows, cols]` (`rows.len() x cols.len()`).
    ///
    /// # Panics
    /// If a range is reversed or reaches past the shape, naming both.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_rows(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    /// assert_eq!(a.slice(0..2, 1..3), Tensor::from_rows(&[[2.0, 3.0], [5.0, 6.0]]));
    /// ```
    pub fn slice(&self, rows: Range<usize>, cols: Range<usize>) -> Tensor {
        check_range("slice", "rows", &rows, self.rows, self.shape());
        check_range("slice", "cols", &cols, self.cols, self.shape());
        Tensor::from_fn(rows.len(), cols.len(), |i, j| {
            self[(rows.start + i, cols.start + j)]
        })
    }

    /// `self` placed at row `r0`, column `c0` of a `rows x cols` matrix of zeros: the adjoint
    /// of [`Tensor::slice`].
    ///
    /// # Panics
    /// If `self` does not fit there.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let p = Tensor::scalar(7.0).pad(1, 0, 2, 2);
    /// assert_eq!(p, Tensor::from_rows(&[[0.0, 0.0], [7.0, 0.0]]));
    /// ```
    pub fn pad(&self, r0: usize, c0: usize, rows: usize, cols: usize) -> Tensor {
        assert!(
            r0 + self.rows <= rows && c0 + self.cols <= cols,
            "pad: {} at ({r0}, {c0}) does not fit in [{rows}x{cols}]",
            fmt_shape(self.shape())
        );
        let mut out = Tensor::zeros(rows, cols);
        for i in 0..self.rows {
            let dst = (r0 + i) * cols + c0;
            out.data[dst..dst + self.cols].copy_from_slice(self.row_slice(i));
        }
        out
    }

    /// The rows of `self` summed into a `rows x cols` matrix of zeros at positions
    /// `indices` (`out[indices[k]] += self[k]`; a repeated index adds up): the adjoint of
    /// [`Tensor::select_rows`].
    ///
    /// # Panics
    /// If `indices` does not have one entry per row of `self`, or an index is `>= rows`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let g = Tensor::column(&[1.0, 2.0, 3.0]);
    /// assert_eq!(g.scatter_rows(&[2, 0, 2], 3), Tensor::column(&[2.0, 0.0, 4.0]));
    /// ```
    pub fn scatter_rows(&self, indices: &[usize], rows: usize) -> Tensor {
        assert!(
            indices.len() == self.rows,
            "scatter_rows: {} indices for {} rows",
            indices.len(),
            self.rows
        );
        let mut out = Tensor::zeros(rows, self.cols);
        for (k, &i) in indices.iter().enumerate() {
            assert!(
                i < rows,
                "scatter_rows: index {i} out of bounds for {rows} rows"
            );
            let dst = i * self.cols;
            for (o, &g) in out.data[dst..dst + self.cols]
                .iter_mut()
                .zip(self.row_slice(k))
            {
                *o += g;
            }
        }
        out
    }

    /// `[self; other]`: the rows of `other` below those of `self`.
    ///
    /// # Panics
    /// If the column counts differ, naming both shapes.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let c = Tensor::row(&[1.0, 2.0]).concat_rows(&Tensor::row(&[3.0, 4.0]));
    /// assert_eq!(c, Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));
    /// ```
    pub fn concat_rows(&self, other: &Tensor) -> Tensor {
        assert!(
            self.cols == other.cols,
            "concat_rows: {} and {}: column counts differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape())
        );
        let mut data = self.data.clone();
        data.extend_from_slice(&other.data);
        Tensor::from_vec(self.rows + other.rows, self.cols, data)
    }

    /// `[self, other]`: the columns of `other` right of those of `self`.
    ///
    /// # Panics
    /// If the row counts differ, naming both shapes.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let c = Tensor::column(&[1.0, 2.0]).concat_cols(&Tensor::column(&[3.0, 4.0]));
    /// assert_eq!(c, Tensor::from_rows(&[[1.0, 3.0], [2.0, 4.0]]));
    /// ```
    pub fn concat_cols(&self, other: &Tensor) -> Tensor {
        assert!(
            self.rows == other.rows,
            "concat_cols: {} and {}: row counts differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape())
        );
        let cols = self.cols + other.cols;
        Tensor::from_fn(self.rows, cols, |i, j| {
            if j < self.cols {
                self[(i, j)]
            } else {
                other[(i, j - self.cols)]
            }
        })
    }

    /// A 0/1 mask: `1` where `pred(x)` holds, `0` elsewhere (for [`crate::Var::select`]).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let x = Tensor::row(&[1.0, 5.0, 3.0]);
    /// assert_eq!(x.mask(|v| v < 4.0), Tensor::row(&[1.0, 0.0, 1.0]));
    /// ```
    pub fn mask(&self, pred: impl Fn(f64) -> bool) -> Tensor {
        self.map(|x| if pred(x) { 1.0 } else { 0.0 })
    }
}

/// Panics unless `range` is a forward range within `0..len`.
fn check_range(op: &str, what: &str, range: &Range<usize>, len: usize, shape: (usize, usize)) {
    assert!(
        range.start <= range.end && range.end <= len,
        "{op}: {what} {}..{} out of bounds for {}",
        range.start,
        range.end,
        fmt_shape(shape)
    );
}
