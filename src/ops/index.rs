//! Indexing on the tape: windows of rows and columns, single entries, rows gathered by
//! index (a minibatch), and concatenation. Each is linear, so each rule is the adjoint map:
//!
//! ```text
//! Y = X[r0..r1, c0..c1]     =>  dX = dY placed at (r0, c0) in zeros of X's shape   (pad)
//! Y = pad(X, r0, c0)        =>  dX = dY[r0.., c0..] of X's shape                    (slice)
//! Y = X[idx, :]  (gather)   =>  dX = Σ over k of dY[k] added into row idx[k]        (scatter)
//! Y = scatter(X, idx)       =>  dX = dY[idx, :]                                     (gather)
//! Y = [A; B]  or  [A, B]    =>  dA, dB = the two blocks of dY
//! ```
//!
//! Gather and scatter read their indices from a constant node (the indices as `f64`, exact
//! below 2^53) recorded just before them, so the op itself stays a small `Copy` value.

use super::Adjoint;
use crate::ops::Op;
use crate::tape::Var;
use crate::tensor::index::bounds;
use crate::tensor::{Tensor, fmt_shape};
use std::ops::{Range, RangeBounds};

impl<'t> Var<'t> {
    /// The window `x[rows, cols]`, each a range of indices (`..` for all): PyTorch's
    /// `x[a:b, c:d]`, `Y = X[a..b, c..d]`.
    ///
    /// # Panics
    /// If a range is reversed or reaches past the shape, naming both.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// // Rosenbrock's x[1:] − x[:-1]^2 on a column x.
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::column(&[1.0, 2.0, 3.0]));
    /// let r = x.slice(1..3, ..) - x.slice(0..2, ..).square();
    /// assert_eq!(r.value(), Tensor::column(&[1.0, -1.0]));
    /// assert_eq!(tape.backward(r.sum())[x], Tensor::column(&[-2.0, -3.0, 1.0]));
    /// ```
    pub fn slice(self, rows: impl RangeBounds<usize>, cols: impl RangeBounds<usize>) -> Var<'t> {
        let shape = self.shape();
        let rows = bounds("slice", "rows", rows, shape.0, shape);
        let cols = bounds("slice", "cols", cols, shape.1, shape);
        self.window(rows, cols)
    }

    /// The single entry `x_ij` as a `1x1` value (one output of a network, one parameter).
    ///
    /// # Panics
    /// If `(i, j)` is out of bounds, naming the shape.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));
    /// let y = x.at(1, 0);
    /// assert_eq!(y.item(), 3.0);
    /// assert_eq!(tape.backward(y)[x], Tensor::from_rows(&[[0.0, 0.0], [1.0, 0.0]]));
    /// ```
    pub fn at(self, i: usize, j: usize) -> Var<'t> {
        self.window(i..i + 1, j..j + 1)
    }

    /// `Y = X[rows, cols]`, recorded as one slice node.
    pub(crate) fn window(self, rows: Range<usize>, cols: Range<usize>) -> Var<'t> {
        let op = Op::Slice(self.index(), rows.start, rows.end, cols.start, cols.end);
        self.record(op)
    }

    /// `self` placed at `(r0, c0)` in a `rows x cols` matrix of zeros (the adjoint of a slice,
    /// recorded by the second-order backward).
    pub(crate) fn pad(self, r0: usize, c0: usize, rows: usize, cols: usize) -> Var<'t> {
        self.record(Op::Pad(self.index(), r0, c0, rows, cols))
    }

    /// The rows `indices[0], indices[1], ...` of `x` stacked: a minibatch on the tape. A row
    /// picked twice gets the sum of both gradients.
    ///
    /// # Panics
    /// If an index is out of bounds, naming it and the shape.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::column(&[10.0, 20.0, 30.0]));
    /// let batch = x.index_select(&[2, 0, 2]);
    /// assert_eq!(batch.value(), Tensor::column(&[30.0, 10.0, 30.0]));
    /// assert_eq!(tape.backward(batch.sum())[x], Tensor::column(&[1.0, 0.0, 2.0]));
    /// ```
    pub fn index_select(self, indices: &[usize]) -> Var<'t> {
        let (rows, _) = self.shape();
        if let Some(&bad) = indices.iter().find(|&&i| i >= rows) {
            panic!(
                "index_select: row {bad} out of bounds for {}",
                fmt_shape(self.shape())
            );
        }
        let idx = self.tape().constant(Tensor::column(
            &indices.iter().map(|&i| i as f64).collect::<Vec<_>>(),
        ));
        self.gather_by(idx)
    }

    /// Gathers the rows listed in the constant node `idx`.
    pub(crate) fn gather_by(self, idx: Var<'t>) -> Var<'t> {
        self.record(Op::IndexSelect(self.index(), idx.index()))
    }

    /// Scatters (adds) the rows of `self` into rows `idx` of zeros with `rows` rows.
    pub(crate) fn scatter_by(self, idx: Var<'t>, rows: usize) -> Var<'t> {
        self.record(Op::ScatterRows(self.index(), idx.index(), rows))
    }

    /// `[a; b; ...]`: the values stacked vertically (equal column counts).
    ///
    /// # Panics
    /// If `parts` is empty or the column counts differ, naming the shapes.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor, Var};
    /// let tape = Tape::new();
    /// let (a, b) = (tape.leaf(Tensor::row(&[1.0, 2.0])), tape.leaf(Tensor::row(&[3.0, 4.0])));
    /// let c = Var::concat_rows(&[a, b]);
    /// assert_eq!(c.value(), Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));
    /// ```
    pub fn concat_rows(parts: &[Var<'t>]) -> Var<'t> {
        concat("concat_rows", parts, |a, b| {
            a.binary(b, Op::ConcatRows(a.index(), b.index()))
        })
    }

    /// `[a, b, ...]`: the values side by side (equal row counts).
    ///
    /// # Panics
    /// If `parts` is empty or the row counts differ, naming the shapes.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor, Var};
    /// let tape = Tape::new();
    /// let (a, b) = (tape.leaf(Tensor::column(&[1.0, 2.0])), tape.leaf(Tensor::column(&[3.0, 4.0])));
    /// let c = Var::concat_cols(&[a, b]);
    /// assert_eq!(c.value(), Tensor::from_rows(&[[1.0, 3.0], [2.0, 4.0]]));
    /// assert_eq!(tape.backward(c.slice(.., 1..2).sum())[b], Tensor::column(&[1.0, 1.0]));
    /// ```
    pub fn concat_cols(parts: &[Var<'t>]) -> Var<'t> {
        concat("concat_cols", parts, |a, b| {
            a.binary(b, Op::ConcatCols(a.index(), b.index()))
        })
    }
}

/// Folds `parts` pairwise with `join`.
fn concat<'t>(op: &str, parts: &[Var<'t>], join: impl Fn(Var<'t>, Var<'t>) -> Var<'t>) -> Var<'t> {
    let (first, rest) = parts
        .split_first()
        .unwrap_or_else(|| panic!("{op}: nothing to concatenate"));
    rest.iter().fold(*first, |acc, &v| join(acc, v))
}

/// Indices stored as `f64` in a constant column.
pub(crate) fn idx_values(idx: &Tensor) -> Vec<usize> {
    idx.as_slice().iter().map(|&v| v as usize).collect()
}

/// `Y = X[r0.., c0..]`  =>  `dX = pad(dY, r0, c0)` to the shape of `X`.
///
/// ```
/// use tapegrad::Tensor;
/// let dx = tapegrad::ops::index::slice_vjp(&Tensor::scalar(1.0), &Tensor::zeros(2, 2), 0, 1);
/// assert_eq!(dx, Tensor::from_rows(&[[0.0, 1.0], [0.0, 0.0]]));
/// ```
pub fn slice_vjp<V: Adjoint>(dy: &V, x: &V, r0: usize, c0: usize) -> V {
    let (rows, cols) = x.shape();
    dy.pad(r0, c0, rows, cols)
}

/// `Y = pad(X, r0, c0)`  =>  `dX = dY[r0..r0+m, c0..c0+n]` for `X` of shape `m x n`.
///
/// ```
/// use tapegrad::Tensor;
/// let dy = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
/// assert_eq!(tapegrad::ops::index::pad_vjp(&dy, &Tensor::zeros(1, 1), 1, 1).item(), 4.0);
/// ```
pub fn pad_vjp<V: Adjoint>(dy: &V, x: &V, r0: usize, c0: usize) -> V {
    let (rows, cols) = x.shape();
    dy.slice(r0..r0 + rows, c0..c0 + cols)
}

/// `Y = X[idx, :]`  =>  `dX = scatter(dY, idx)`: row `k` of `dY` added into row `idx[k]`.
///
/// ```
/// use tapegrad::Tensor;
/// let idx = Tensor::column(&[1.0, 1.0]);
/// let dx = tapegrad::ops::index::index_select_vjp(&Tensor::column(&[1.0, 2.0]), &Tensor::zeros(2, 1), &idx);
/// assert_eq!(dx, Tensor::column(&[0.0, 3.0]));
/// ```
pub fn index_select_vjp<V: Adjoint>(dy: &V, x: &V, idx: &V) -> V {
    dy.scatter_rows(idx, x.shape().0)
}

/// `Y = scatter(X, idx)`  =>  `dX = dY[idx, :]`.
///
/// ```
/// use tapegrad::Tensor;
/// let idx = Tensor::column(&[2.0]);
/// let dx = tapegrad::ops::index::scatter_rows_vjp(&Tensor::column(&[5.0, 6.0, 7.0]), &idx);
/// assert_eq!(dx.item(), 7.0);
/// ```
pub fn scatter_rows_vjp<V: Adjoint>(dy: &V, idx: &V) -> V {
    dy.index_select(idx)
}

/// `Y = [A; B]`  =>  `dA = dY[..m_A, :]`, `dB = dY[m_A.., :]`.
///
/// ```
/// use tapegrad::Tensor;
/// let dy = Tensor::column(&[1.0, 2.0, 3.0]);
/// let [da, db] = tapegrad::ops::index::concat_rows_vjp(&dy, &Tensor::zeros(1, 1), &Tensor::zeros(2, 1), true, true);
/// assert_eq!((da.unwrap(), db.unwrap()), (Tensor::scalar(1.0), Tensor::column(&[2.0, 3.0])));
/// ```
pub fn concat_rows_vjp<V: Adjoint>(
    dy: &V,
    a: &V,
    b: &V,
    need_a: bool,
    need_b: bool,
) -> [Option<V>; 2] {
    let (ra, cols) = a.shape();
    let rb = b.shape().0;
    [
        need_a.then(|| dy.slice(0..ra, 0..cols)),
        need_b.then(|| dy.slice(ra..ra + rb, 0..cols)),
    ]
}

/// `Y = [A, B]`  =>  `dA = dY[:, ..n_A]`, `dB = dY[:, n_A..]`.
///
/// ```
/// use tapegrad::Tensor;
/// let dy = Tensor::row(&[1.0, 2.0, 3.0]);
/// let [da, db] = tapegrad::ops::index::concat_cols_vjp(&dy, &Tensor::zeros(1, 2), &Tensor::zeros(1, 1), true, true);
/// assert_eq!((da.unwrap(), db.unwrap()), (Tensor::row(&[1.0, 2.0]), Tensor::scalar(3.0)));
/// ```
pub fn concat_cols_vjp<V: Adjoint>(
    dy: &V,
    a: &V,
    b: &V,
    need_a: bool,
    need_b: bool,
) -> [Option<V>; 2] {
    let (rows, ca) = a.shape();
    let cb = b.shape().1;
    [
        need_a.then(|| dy.slice(0..rows, 0..ca)),
        need_b.then(|| dy.slice(0..rows, ca..ca + cb)),
    ]
}

/// The lines of the windows, gathers and concatenations for the tape's pages.
pub(crate) const SLICE_TEXT: &str = "y = a[r0..r1, c0..c1];  da = dy placed back, zeros elsewhere";
pub(crate) const PAD_TEXT: &str = "y = a placed in zeros;  da = dy's window";
pub(crate) const GATHER_TEXT: &str = "yₖ = a_{idx k};  da_{idx k} += dyₖ (repeats add up)";
pub(crate) const SCATTER_TEXT: &str = "y_{idx k} += aₖ;  daₖ = dy_{idx k}";
pub(crate) const CONCAT_ROWS_TEXT: &str = "y = [a; b];  da, db = dy's top and bottom rows";
pub(crate) const CONCAT_COLS_TEXT: &str = "y = [a, b];  da, db = dy's left and right columns";
