//! Indexing: windows of rows and columns, the zero padding that is their adjoint, rows
//! gathered by index and scattered back, concatenation, and 0/1 masks.

use super::{Tensor, fmt_shape};
use std::ops::{Bound, Range, RangeBounds};

impl Tensor {
    /// The window `self[rows, cols]`, each a range of indices (`..` for all): PyTorch's
    /// `a[a:b, c:d]`.
    ///
    /// # Panics
    /// If a range is reversed or reaches past the shape, naming both.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_rows(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    /// assert_eq!(a.slice(.., 1..3), Tensor::from_rows(&[[2.0, 3.0], [5.0, 6.0]]));
    /// assert_eq!(a.slice(1.., ..), Tensor::row(&[4.0, 5.0, 6.0]));
    /// ```
    pub fn slice(&self, rows: impl RangeBounds<usize>, cols: impl RangeBounds<usize>) -> Tensor {
        let rows = bounds("slice", "rows", rows, self.rows, self.shape());
        let cols = bounds("slice", "cols", cols, self.cols, self.shape());
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
    /// [`Tensor::index_select`].
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

    /// The rows of `parts` stacked in order, `[A; B; ...]`: PyTorch's `torch.cat(parts, 0)`.
    ///
    /// # Panics
    /// If `parts` is empty or the column counts differ, naming the shapes.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let c = Tensor::concat_rows(&[&Tensor::row(&[1.0, 2.0]), &Tensor::row(&[3.0, 4.0])]);
    /// assert_eq!(c, Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));
    /// ```
    pub fn concat_rows(parts: &[&Tensor]) -> Tensor {
        let cols = concat_check("concat_rows", parts, |t| t.cols);
        let data: Vec<f64> = parts.iter().flat_map(|t| t.data.iter().copied()).collect();
        Tensor::from_vec(data.len().checked_div(cols).unwrap_or(0), cols, data)
    }

    /// The columns of `parts` side by side in order, `[A, B, ...]`: PyTorch's
    /// `torch.cat(parts, 1)`.
    ///
    /// # Panics
    /// If `parts` is empty or the row counts differ, naming the shapes.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let c = Tensor::concat_cols(&[&Tensor::column(&[1.0, 2.0]), &Tensor::column(&[3.0, 4.0])]);
    /// assert_eq!(c, Tensor::from_rows(&[[1.0, 3.0], [2.0, 4.0]]));
    /// ```
    pub fn concat_cols(parts: &[&Tensor]) -> Tensor {
        let rows = concat_check("concat_cols", parts, |t| t.rows);
        let cols: usize = parts.iter().map(|t| t.cols).sum();
        let mut data = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for t in parts {
                data.extend_from_slice(&t.data[i * t.cols..(i + 1) * t.cols]);
            }
        }
        Tensor::from_vec(rows, cols, data)
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
/// `range` as indices into `0..len` (`..` is all of them), for `op` on a tensor of `shape`.
///
/// # Panics
/// If the range is reversed or reaches past `len`, naming `op`, the range and the shape.
pub(crate) fn bounds(
    op: &str,
    what: &str,
    range: impl RangeBounds<usize>,
    len: usize,
    shape: (usize, usize),
) -> Range<usize> {
    let start = match range.start_bound() {
        Bound::Included(&s) => s,
        Bound::Excluded(&s) => s.saturating_add(1),
        Bound::Unbounded => 0,
    };
    let end = match range.end_bound() {
        Bound::Included(&e) => e.saturating_add(1),
        Bound::Excluded(&e) => e,
        Bound::Unbounded => len,
    };
    assert!(
        start <= end && end <= len,
        "{op}: {what} {start}..{end} out of bounds for {}",
        fmt_shape(shape)
    );
    start..end
}

/// The side every part of a concatenation shares (`side` of each), or a panic naming `op` and
/// the shapes.
fn concat_check(op: &str, parts: &[&Tensor], side: impl Fn(&Tensor) -> usize) -> usize {
    let Some(first) = parts.first() else {
        panic!("{op}: nothing to concatenate")
    };
    let n = side(first);
    assert!(
        parts.iter().all(|t| side(t) == n),
        "{op}: the parts {} do not line up",
        parts
            .iter()
            .map(|t| fmt_shape(t.shape()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    n
}
