//! `Tensor`: a row-major `rows x cols` matrix of `f64`.
//!
//! Every value in the crate is a 2-D matrix: a scalar is `1x1`, a batch of `n` samples with
//! `d` features is `n x d`. This module knows nothing of the tape; it is plain numerics.
//!
//! Elementwise binary operations broadcast in exactly three written-out cases: a `1x1` scalar over any shape, a `1xn` row over the rows of an `m x n`
//! matrix, and an `m x 1` column over its columns. Either operand may be the broadcast one.

mod broadcast;
mod compare;
mod construct;
mod display;
pub(crate) mod index;
pub(crate) mod loops;
mod matrix;
mod operators;
mod pool;
pub(crate) mod pow2;
mod random;
mod reduce;

pub(crate) use broadcast::Broadcast;
pub(crate) use compare::rel_diff;
pub use display::preview;

use std::ops::{Index, IndexMut};

/// A row-major `rows x cols` matrix of `f64`: entry `(i, j)` is `data[i * cols + j]`.
///
/// Its buffer comes from, and goes back to, a per-thread pool of recycled buffers (see
/// `tensor/pool.rs`): a loop that builds the same shapes at every step allocates nothing
/// after the first.
#[derive(PartialEq)]
pub struct Tensor {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Clone for Tensor {
    fn clone(&self) -> Tensor {
        let mut data = buffer(self.data.len());
        data.extend_from_slice(&self.data);
        Tensor {
            rows: self.rows,
            cols: self.cols,
            data,
        }
    }
}

impl Drop for Tensor {
    fn drop(&mut self) {
        pool::give(std::mem::take(&mut self.data));
    }
}

/// An empty buffer with room for `len` values: recycled from the pool when it serves that
/// size, from the allocator otherwise.
pub(crate) fn buffer(len: usize) -> Vec<f64> {
    if pool::pooled(len) {
        pool::take(len)
    } else {
        Vec::with_capacity(len)
    }
}

/// Formats a shape as `[rows x cols]`, the form every error message uses.
///
/// ```
/// assert_eq!(tapegrad::tensor::fmt_shape((3, 2)), "[3x2]");
/// ```
pub fn fmt_shape((r, c): (usize, usize)) -> String {
    format!("[{r}x{c}]")
}

/// `rows * cols`, checked: a product that overflows `usize` (or exceeds what a `Vec<f64>`
/// can address) panics naming `op` and the shape, never wraps to a shape that disagrees with
/// the data.
pub(crate) fn checked_len(op: &str, rows: usize, cols: usize) -> usize {
    match rows.checked_mul(cols) {
        Some(n) if n <= isize::MAX as usize / std::mem::size_of::<f64>() => n,
        _ => panic!("{op}: shape [{rows}x{cols}] has more entries than memory can address"),
    }
}

/// An empty `Vec` with room for a `rows x cols` tensor; a size the allocator refuses panics
/// naming `op`, the shape and the bytes asked for (instead of aborting the process).
pub(crate) fn with_room(op: &str, rows: usize, cols: usize) -> Vec<f64> {
    let n = checked_len(op, rows, cols);
    if pool::pooled(n) {
        return pool::take(n);
    }
    let mut data = Vec::new();
    if let Err(e) = data.try_reserve_exact(n) {
        panic!(
            "{op}: cannot allocate [{rows}x{cols}] ({n} values, {} bytes): {e}",
            n * std::mem::size_of::<f64>()
        );
    }
    data
}

/// A `Vec` of exactly `rows x cols` values, whatever they are (recycled from the pool), for a
/// writer that sets every entry without reading it first; sizes outside the pool are zeroed.
pub(crate) fn to_overwrite(op: &str, rows: usize, cols: usize) -> Vec<f64> {
    let n = checked_len(op, rows, cols);
    if pool::pooled(n) {
        return pool::take_to_overwrite(n);
    }
    let mut data = with_room(op, rows, cols);
    data.resize(n, 0.0);
    data
}

impl Tensor {
    /// A tensor of `like`'s shape whose entries are all about to be written (recycled from the
    /// pool, not zeroed).
    pub(crate) fn to_overwrite_like(like: &Tensor, op: &str) -> Tensor {
        let (rows, cols) = like.shape();
        Tensor {
            rows,
            cols,
            data: to_overwrite(op, rows, cols),
        }
    }

    // ----- access --------------------------------------------------------------------------

    /// `(rows, cols)`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::zeros(4, 3);
    /// assert_eq!(t.shape(), (4, 3));
    /// ```
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Number of rows.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::zeros(4, 3).rows(), 4);
    /// ```
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::zeros(4, 3).cols(), 3);
    /// ```
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Number of entries, `rows * cols`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::zeros(4, 3).len(), 12);
    /// ```
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True for a tensor with no entries (a zero dimension).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert!(Tensor::zeros(0, 3).is_empty());
    /// assert!(!Tensor::scalar(1.0).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The entries in row-major order.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(a.as_slice(), &[1.0, 2.0, 3.0, 4.0]);
    /// ```
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The entries in row-major order, mutable.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let mut a = Tensor::zeros(2, 2);
    /// a.as_mut_slice()[3] = 1.0;
    /// assert_eq!(a[(1, 1)], 1.0);
    /// ```
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// The entries in row-major order, by value.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::row(&[1.0, 2.0]).into_vec(), vec![1.0, 2.0]);
    /// ```
    pub fn into_vec(mut self) -> Vec<f64> {
        std::mem::take(&mut self.data)
    }

    /// Row `i` as a slice.
    ///
    /// # Panics
    /// If `i` is not a row of the tensor, naming the shape.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(a.row_slice(1), &[3.0, 4.0]);
    /// ```
    pub fn row_slice(&self, i: usize) -> &[f64] {
        assert!(
            i < self.rows,
            "Tensor::row_slice: row {i} out of bounds for {}",
            fmt_shape(self.shape())
        );
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The single entry of a `1x1` tensor.
    ///
    /// # Panics
    /// If the tensor is not `1x1`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::scalar(3.0).item(), 3.0);
    /// ```
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
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(a.get(0, 1), 2.0);
    /// ```
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self[(i, j)]
    }

    /// The rows `indices[0], indices[1], ...` stacked into a new `indices.len() x cols` matrix
    /// (a minibatch).
    ///
    /// # Panics
    /// If an index is out of bounds, naming it and the shape.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let x = Tensor::column(&[10.0, 20.0, 30.0, 40.0]);
    /// assert_eq!(x.index_select(&[3, 0]), Tensor::column(&[40.0, 10.0]));
    /// ```
    pub fn index_select(&self, indices: &[usize]) -> Tensor {
        let mut data = Vec::with_capacity(indices.len() * self.cols);
        for &i in indices {
            assert!(
                i < self.rows,
                "index_select: row {i} out of bounds for {}",
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
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_rows(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    /// assert_eq!(a.reshape(3, 2), Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]));
    /// ```
    pub fn reshape(mut self, rows: usize, cols: usize) -> Tensor {
        assert!(
            rows.checked_mul(cols) == Some(self.len()),
            "Tensor::reshape: cannot view {} ({} values) as [{rows}x{cols}]",
            fmt_shape(self.shape()),
            self.len()
        );
        Tensor {
            rows,
            cols,
            data: std::mem::take(&mut self.data),
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
