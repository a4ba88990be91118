//! `Tensor`: a row-major `rows x cols` matrix of `f64`.
//!
//! Every value in the crate is a 2-D matrix: a scalar is `1x1`, a batch of `n` samples with
//! `d` features is `n x d`. This module knows nothing of the tape; it is plain numerics.
//!
//! Elementwise binary operations broadcast in exactly three written-out cases (see
//! [`Broadcast`]): a `1x1` scalar over any shape, a `1xn` row over the rows of an `m x n`
//! matrix, and an `m x 1` column over its columns. Either operand may be the broadcast one.

mod broadcast;
mod compare;
mod display;
mod matrix;
mod operators;
mod random;
mod reduce;

pub use broadcast::{Broadcast, broadcast_shape};
pub use compare::rel_diff;

use std::ops::{Index, IndexMut};

/// A row-major `rows x cols` matrix of `f64`: entry `(i, j)` is `data[i * cols + j]`.
#[derive(Clone, PartialEq)]
pub struct Tensor {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

/// Formats a shape as `[rows x cols]`, the form every error message uses.
pub fn fmt_shape((r, c): (usize, usize)) -> String {
    format!("[{r}x{c}]")
}

impl Tensor {
    // ----- construction -------------------------------------------------------------------

    /// A `rows x cols` tensor from row-major `data`.
    ///
    /// # Panics
    /// If `data.len() != rows * cols`, naming the expected and actual lengths.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f64>) -> Tensor {
        assert!(
            data.len() == rows * cols,
            "Tensor::from_vec: shape [{rows}x{cols}] needs {} values, got {}",
            rows * cols,
            data.len()
        );
        Tensor { rows, cols, data }
    }

    /// A tensor from a slice of equally long rows: `Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]])`.
    pub fn from_rows<const N: usize>(rows: &[[f64; N]]) -> Tensor {
        let data = rows.iter().flat_map(|r| r.iter().copied()).collect();
        Tensor::from_vec(rows.len(), N, data)
    }

    /// A column vector `n x 1` from a slice.
    pub fn column(values: &[f64]) -> Tensor {
        Tensor::from_vec(values.len(), 1, values.to_vec())
    }

    /// A row vector `1 x n` from a slice.
    pub fn row(values: &[f64]) -> Tensor {
        Tensor::from_vec(1, values.len(), values.to_vec())
    }

    /// A `1x1` tensor holding `x`.
    pub fn scalar(x: f64) -> Tensor {
        Tensor::from_vec(1, 1, vec![x])
    }

    /// A `rows x cols` tensor with every entry equal to `value`.
    pub fn full(rows: usize, cols: usize, value: f64) -> Tensor {
        Tensor::from_vec(rows, cols, vec![value; rows * cols])
    }

    /// A `rows x cols` tensor of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Tensor {
        Tensor::full(rows, cols, 0.0)
    }

    /// A `rows x cols` tensor of ones.
    pub fn ones(rows: usize, cols: usize) -> Tensor {
        Tensor::full(rows, cols, 1.0)
    }

    /// The `n x n` identity matrix.
    pub fn eye(n: usize) -> Tensor {
        Tensor::from_fn(n, n, |i, j| if i == j { 1.0 } else { 0.0 })
    }

    /// A `rows x cols` tensor with entry `(i, j) = f(i, j)`.
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> f64) -> Tensor {
        let mut data = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                data.push(f(i, j));
            }
        }
        Tensor { rows, cols, data }
    }

    // ----- access --------------------------------------------------------------------------

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Number of entries, `rows * cols`.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True for a tensor with no entries (a zero dimension).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The entries in row-major order.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The entries in row-major order, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// The entries in row-major order, by value.
    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }

    /// Row `i` as a slice.
    pub fn row_slice(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The single entry of a `1x1` tensor.
    ///
    /// # Panics
    /// If the tensor is not `1x1`.
    pub fn item(&self) -> f64 {
        assert!(
            self.shape() == (1, 1),
            "Tensor::item: expected a [1x1] tensor, got {}",
            fmt_shape(self.shape())
        );
        self.data[0]
    }

    /// Entry `(i, j)`, checked.
    ///
    /// # Panics
    /// If `(i, j)` is out of bounds, naming the index and the shape.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self[(i, j)]
    }

    /// The rows `indices[0], indices[1], ...` stacked into a new `indices.len() x cols` matrix
    /// (a minibatch).
    ///
    /// # Panics
    /// If an index is out of bounds, naming it and the shape.
    pub fn select_rows(&self, indices: &[usize]) -> Tensor {
        let mut data = Vec::with_capacity(indices.len() * self.cols);
        for &i in indices {
            assert!(
                i < self.rows,
                "select_rows: row {i} out of bounds for {}",
                fmt_shape(self.shape())
            );
            data.extend_from_slice(self.row_slice(i));
        }
        Tensor {
            rows: indices.len(),
            cols: self.cols,
            data,
        }
    }

    /// The same entries viewed as a `rows x cols` matrix.
    ///
    /// # Panics
    /// If `rows * cols` differs from the number of entries.
    pub fn reshape(self, rows: usize, cols: usize) -> Tensor {
        assert!(
            rows * cols == self.len(),
            "Tensor::reshape: cannot view {} ({} values) as [{rows}x{cols}]",
            fmt_shape(self.shape()),
            self.len()
        );
        Tensor {
            rows,
            cols,
            data: self.data,
        }
    }
}

impl Index<(usize, usize)> for Tensor {
    type Output = f64;
    fn index(&self, (i, j): (usize, usize)) -> &f64 {
        assert!(
            i < self.rows && j < self.cols,
            "Tensor index ({i}, {j}) out of bounds for {}",
            fmt_shape(self.shape())
        );
        &self.data[i * self.cols + j]
    }
}

impl IndexMut<(usize, usize)> for Tensor {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut f64 {
        assert!(
            i < self.rows && j < self.cols,
            "Tensor index ({i}, {j}) out of bounds for {}",
            fmt_shape(self.shape())
        );
        &mut self.data[i * self.cols + j]
    }
}

impl From<f64> for Tensor {
    /// A `1x1` tensor.
    fn from(x: f64) -> Tensor {
        Tensor::scalar(x)
    }
}
