//! `Tensor`: a row-major `rows x cols` matrix of `f64`.
//!
//! Every value in the crate is a 2-D matrix: a scalar is `1x1`, a batch of `n` samples with
//! `d` features is `n x d`. This module knows nothing of the tape; it is plain numerics.
//!
//! Elementwise binary operations broadcast in exactly three written-out cases (see
//! [`Broadcast`]): a `1x1` scalar over any shape, a `1xn` row over the rows of an `m x n`
//! matrix, and an `m x 1` column over its columns. Either operand may be the broadcast one.

use rand::Rng;
use rand_distr::{Distribution, Normal, Uniform};
use std::fmt;
use std::ops::{Index, IndexMut};

/// A row-major `rows x cols` matrix of `f64`: entry `(i, j)` is `data[i * cols + j]`.
#[derive(Clone, PartialEq)]
pub struct Tensor {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

/// How the operands of an elementwise binary op line up. The three broadcast cases are the
/// only ones the crate supports; anything else is a shape error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Broadcast {
    /// Both operands have the same shape.
    Same,
    /// One operand is `1x1` and is applied to every entry of the other.
    Scalar,
    /// One operand is a `1xn` row, applied to each of the `m` rows of an `m x n` matrix.
    Row,
    /// One operand is an `m x 1` column, applied to each of the `n` columns of an `m x n` matrix.
    Col,
}

impl Broadcast {
    /// Classifies `small` against `big` (the operand that sets the output shape), or `None`
    /// when `small` cannot be broadcast to `big`.
    pub fn classify(big: (usize, usize), small: (usize, usize)) -> Option<Broadcast> {
        if big == small {
            Some(Broadcast::Same)
        } else if small == (1, 1) {
            Some(Broadcast::Scalar)
        } else if small.0 == 1 && small.1 == big.1 {
            Some(Broadcast::Row)
        } else if small.1 == 1 && small.0 == big.0 {
            Some(Broadcast::Col)
        } else {
            None
        }
    }
}

/// The output shape of a broadcasting binary op on shapes `a` and `b`.
///
/// # Panics
/// If neither shape broadcasts to the other, naming `op` and both shapes.
pub fn broadcast_shape(op: &str, a: (usize, usize), b: (usize, usize)) -> (usize, usize) {
    if Broadcast::classify(a, b).is_some() {
        a
    } else if Broadcast::classify(b, a).is_some() {
        b
    } else {
        panic!(
            "{op}: {} and {}: shapes do not broadcast (supported: equal shapes, a 1x1 scalar, \
             a 1xn row over rows, an mx1 column over columns)",
            fmt_shape(a),
            fmt_shape(b)
        )
    }
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

    /// Entries drawn independently from the uniform distribution on `[low, high)`.
    ///
    /// # Panics
    /// If `low >= high` or either bound is not finite.
    pub fn rand_uniform(
        rows: usize,
        cols: usize,
        low: f64,
        high: f64,
        rng: &mut impl Rng,
    ) -> Tensor {
        assert!(
            low.is_finite() && high.is_finite() && low < high,
            "Tensor::rand_uniform: need finite low < high, got low = {low}, high = {high}"
        );
        let dist = Uniform::new(low, high);
        Tensor::from_fn(rows, cols, |_, _| dist.sample(rng))
    }

    /// Entries drawn independently from the normal distribution `N(mean, std^2)`.
    ///
    /// # Panics
    /// If `std` is negative or not finite.
    pub fn rand_normal(
        rows: usize,
        cols: usize,
        mean: f64,
        std: f64,
        rng: &mut impl Rng,
    ) -> Tensor {
        let dist = Normal::new(mean, std).unwrap_or_else(|_| {
            panic!("Tensor::rand_normal: std must be finite and >= 0, got {std}")
        });
        Tensor::from_fn(rows, cols, |_, _| dist.sample(rng))
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

    // ----- elementwise ----------------------------------------------------------------------

    /// `f` applied to every entry.
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Tensor {
        Tensor {
            rows: self.rows,
            cols: self.cols,
            data: self.data.iter().map(|&x| f(x)).collect(),
        }
    }

    /// `f(a_ij, b_ij)` for two tensors of the same shape.
    ///
    /// # Panics
    /// If the shapes differ, naming `op` and both shapes.
    pub fn zip_map(&self, other: &Tensor, op: &str, f: impl Fn(f64, f64) -> f64) -> Tensor {
        assert!(
            self.shape() == other.shape(),
            "{op}: {} and {}: shapes differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape())
        );
        let data = self
            .data
            .iter()
            .zip(&other.data)
            .map(|(&a, &b)| f(a, b))
            .collect();
        Tensor {
            rows: self.rows,
            cols: self.cols,
            data,
        }
    }

    /// `f(a, b)` entrywise with broadcasting (the three cases of [`Broadcast`], either side).
    ///
    /// # Panics
    /// If the shapes do not broadcast, naming `op` and both shapes.
    pub fn broadcast_map(&self, other: &Tensor, op: &str, f: impl Fn(f64, f64) -> f64) -> Tensor {
        let (rows, cols) = broadcast_shape(op, self.shape(), other.shape());
        // How each operand lines up with the output shape.
        let index_of = |t: &Tensor| -> Broadcast {
            Broadcast::classify((rows, cols), t.shape()).expect("checked by broadcast_shape")
        };
        let (ba, bb) = (index_of(self), index_of(other));
        let mut data = Vec::with_capacity(rows * cols);
        match (ba, bb) {
            (Broadcast::Same, Broadcast::Same) => {
                data.extend(self.data.iter().zip(&other.data).map(|(&a, &b)| f(a, b)));
            }
            // The full operand is read row by row; the broadcast one supplies a scalar, the
            // matching slice of its row, or its i-th entry.
            (Broadcast::Same, small) => {
                for (i, a_row) in self.data.chunks_exact(cols.max(1)).enumerate().take(rows) {
                    match small {
                        Broadcast::Row => {
                            data.extend(a_row.iter().zip(&other.data).map(|(&a, &b)| f(a, b)))
                        }
                        _ => {
                            let b = other.data[if small == Broadcast::Col { i } else { 0 }];
                            data.extend(a_row.iter().map(|&a| f(a, b)));
                        }
                    }
                }
            }
            (small, Broadcast::Same) => {
                for (i, b_row) in other.data.chunks_exact(cols.max(1)).enumerate().take(rows) {
                    match small {
                        Broadcast::Row => {
                            data.extend(self.data.iter().zip(b_row).map(|(&a, &b)| f(a, b)))
                        }
                        _ => {
                            let a = self.data[if small == Broadcast::Col { i } else { 0 }];
                            data.extend(b_row.iter().map(|&b| f(a, b)));
                        }
                    }
                }
            }
            _ => {
                for i in 0..rows {
                    for j in 0..cols {
                        data.push(f(self.broadcast_at(ba, i, j), other.broadcast_at(bb, i, j)));
                    }
                }
            }
        }
        Tensor { rows, cols, data }
    }

    /// Entry `(i, j)` of this tensor seen through broadcast case `b`.
    #[inline]
    fn broadcast_at(&self, b: Broadcast, i: usize, j: usize) -> f64 {
        match b {
            Broadcast::Same => self.data[i * self.cols + j],
            Broadcast::Scalar => self.data[0],
            Broadcast::Row => self.data[j],
            Broadcast::Col => self.data[i],
        }
    }

    /// `self + other`, broadcasting.
    pub fn add(&self, other: &Tensor) -> Tensor {
        self.broadcast_map(other, "add", |a, b| a + b)
    }

    /// `self - other`, broadcasting.
    pub fn sub(&self, other: &Tensor) -> Tensor {
        self.broadcast_map(other, "sub", |a, b| a - b)
    }

    /// `self ⊙ other` (entrywise product), broadcasting.
    pub fn mul(&self, other: &Tensor) -> Tensor {
        self.broadcast_map(other, "mul", |a, b| a * b)
    }

    /// `self ⊘ other` (entrywise quotient), broadcasting.
    pub fn div(&self, other: &Tensor) -> Tensor {
        self.broadcast_map(other, "div", |a, b| a / b)
    }

    /// `-self`.
    pub fn neg(&self) -> Tensor {
        self.map(|x| -x)
    }

    /// `c * self`.
    pub fn scale(&self, c: f64) -> Tensor {
        self.map(|x| c * x)
    }

    /// `self + c` entrywise.
    pub fn add_scalar(&self, c: f64) -> Tensor {
        self.map(|x| x + c)
    }

    /// In place `self += other` for equal shapes: the accumulation of the reverse sweep.
    ///
    /// # Panics
    /// If the shapes differ.
    pub fn add_assign(&mut self, other: &Tensor) {
        assert!(
            self.shape() == other.shape(),
            "add_assign: {} += {}: shapes differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape())
        );
        for (a, &b) in self.data.iter_mut().zip(&other.data) {
            *a += b;
        }
    }

    // ----- matrix ---------------------------------------------------------------------------

    /// The transpose `self^T` (`cols x rows`).
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
    pub fn matmul(&self, other: &Tensor) -> Tensor {
        assert!(
            self.cols == other.rows,
            "matmul: {} . {}: inner dimensions {} and {} differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape()),
            self.cols,
            other.rows
        );
        let mut out = Tensor::zeros(self.rows, other.cols);
        crate::linalg::matmul::gemm(
            self.rows,
            self.cols,
            other.cols,
            &self.data,
            &other.data,
            &mut out.data,
        );
        out
    }

    /// `self · other^T` without forming the transpose (`m x k` times `(n x k)^T`).
    ///
    /// # Panics
    /// If the column counts differ.
    pub fn matmul_nt(&self, other: &Tensor) -> Tensor {
        assert!(
            self.cols == other.cols,
            "matmul_t: {} . {}^T: inner dimensions {} and {} differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape()),
            self.cols,
            other.cols
        );
        let mut out = Tensor::zeros(self.rows, other.rows);
        crate::linalg::matmul::gemm_nt(
            self.rows,
            self.cols,
            other.rows,
            &self.data,
            &other.data,
            &mut out.data,
        );
        out
    }

    /// `self^T · other` without forming the transpose (`(k x m)^T` times `k x n`).
    ///
    /// # Panics
    /// If the row counts differ.
    pub fn matmul_tn(&self, other: &Tensor) -> Tensor {
        assert!(
            self.rows == other.rows,
            "matmul: {}^T . {}: inner dimensions {} and {} differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape()),
            self.rows,
            other.rows
        );
        let mut out = Tensor::zeros(self.cols, other.cols);
        crate::linalg::matmul::gemm_tn(
            self.cols,
            self.rows,
            other.cols,
            &self.data,
            &other.data,
            &mut out.data,
        );
        out
    }

    // ----- reductions -----------------------------------------------------------------------

    /// The sum of all entries.
    pub fn sum(&self) -> f64 {
        self.data.iter().sum()
    }

    /// The mean of all entries (NaN for an empty tensor).
    pub fn mean(&self) -> f64 {
        self.sum() / self.len() as f64
    }

    /// The sum of each row: `m x n -> m x 1`.
    pub fn sum_each_row(&self) -> Tensor {
        let data = (0..self.rows)
            .map(|i| self.row_slice(i).iter().sum())
            .collect();
        Tensor {
            rows: self.rows,
            cols: 1,
            data,
        }
    }

    /// The sum of each column: `m x n -> 1 x n`.
    pub fn sum_each_col(&self) -> Tensor {
        let mut data = vec![0.0; self.cols];
        for i in 0..self.rows {
            for (acc, &x) in data.iter_mut().zip(self.row_slice(i)) {
                *acc += x;
            }
        }
        Tensor {
            rows: 1,
            cols: self.cols,
            data,
        }
    }

    /// Broadcasts a `1x1`, `1 x cols` or `rows x 1` tensor (or one already `rows x cols`) to
    /// `rows x cols`: the adjoint of [`Tensor::sum_to`].
    ///
    /// # Panics
    /// If the shape is none of those.
    pub fn expand(&self, rows: usize, cols: usize) -> Tensor {
        let b = Broadcast::classify((rows, cols), self.shape()).unwrap_or_else(|| {
            panic!(
                "expand: {} cannot be broadcast to [{rows}x{cols}]",
                fmt_shape(self.shape())
            )
        });
        if b == Broadcast::Same {
            return self.clone();
        }
        Tensor::from_fn(rows, cols, |i, j| self.broadcast_at(b, i, j))
    }

    /// Sums a `rows' x cols'` tensor down to a shape it was broadcast from (`1x1`, `1 x cols`,
    /// `rows x 1`, or its own shape): the adjoint of [`Tensor::expand`].
    ///
    /// # Panics
    /// If `(rows, cols)` is not such a shape.
    pub fn sum_to(&self, rows: usize, cols: usize) -> Tensor {
        match Broadcast::classify(self.shape(), (rows, cols)) {
            Some(Broadcast::Same) => self.clone(),
            Some(Broadcast::Scalar) => Tensor::scalar(self.sum()),
            Some(Broadcast::Row) => self.sum_each_col(),
            Some(Broadcast::Col) => self.sum_each_row(),
            None => panic!(
                "sum_to: {} cannot be summed to [{rows}x{cols}]",
                fmt_shape(self.shape())
            ),
        }
    }

    /// The largest absolute entry (0 for an empty tensor).
    pub fn max_abs(&self) -> f64 {
        self.data.iter().fold(0.0, |m, &x| m.max(x.abs()))
    }

    /// The Frobenius norm `sqrt(sum x_ij^2)`.
    pub fn norm(&self) -> f64 {
        self.data.iter().map(|x| x * x).sum::<f64>().sqrt()
    }

    /// True if every entry is finite (no NaN, no infinity).
    pub fn all_finite(&self) -> bool {
        self.data.iter().all(|x| x.is_finite())
    }

    // ----- comparison for tests -------------------------------------------------------------

    /// The largest entrywise error `|a - b| / max(|a|, |b|, floor)`: relative for entries
    /// above `floor` in magnitude, absolute (scaled by `1/floor`) below it.
    ///
    /// # Panics
    /// If the shapes differ.
    pub fn max_rel_diff(&self, other: &Tensor, floor: f64) -> f64 {
        assert!(
            self.shape() == other.shape(),
            "max_rel_diff: {} vs {}: shapes differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape())
        );
        self.data
            .iter()
            .zip(&other.data)
            .map(|(&a, &b)| rel_diff(a, b, floor))
            .fold(0.0, f64::max)
    }

    /// True if the shapes agree and every entry satisfies `|a - b| <= atol + rtol * max(|a|, |b|)`.
    pub fn approx_eq(&self, other: &Tensor, rtol: f64, atol: f64) -> bool {
        self.shape() == other.shape()
            && self
                .data
                .iter()
                .zip(&other.data)
                .all(|(&a, &b)| (a - b).abs() <= atol + rtol * a.abs().max(b.abs()))
    }

    /// Asserts [`Tensor::approx_eq`], printing both tensors and the worst entry if it fails.
    ///
    /// # Panics
    /// If the tensors are not close.
    #[track_caller]
    pub fn assert_close(&self, other: &Tensor, rtol: f64, atol: f64) {
        if self.approx_eq(other, rtol, atol) {
            return;
        }
        if self.shape() != other.shape() {
            panic!(
                "assert_close: shapes differ: {} vs {}",
                fmt_shape(self.shape()),
                fmt_shape(other.shape())
            );
        }
        let (k, _) = self
            .data
            .iter()
            .zip(&other.data)
            .map(|(&a, &b)| (a - b).abs() - rtol * a.abs().max(b.abs()))
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |best, (k, e)| {
                if e > best.1 {
                    (k, e)
                } else {
                    best
                }
            });
        panic!(
            "assert_close (rtol {rtol:e}, atol {atol:e}): worst entry ({}, {}): {} vs {}\nleft:\n{self}\nright:\n{other}",
            k / self.cols.max(1),
            k % self.cols.max(1),
            self.data[k],
            other.data[k]
        );
    }
}

/// `|a - b| / max(|a|, |b|, floor)`; 0 when both are equal (including both infinite), and
/// infinity when exactly one is NaN or they differ in a non-finite way.
pub fn rel_diff(a: f64, b: f64, floor: f64) -> f64 {
    if a == b {
        return 0.0;
    }
    let d = (a - b).abs();
    if !d.is_finite() {
        return f64::INFINITY;
    }
    d / a.abs().max(b.abs()).max(floor)
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

/// Rows and columns shown before a large tensor is summarized with `...`.
const SHOW_EDGE: usize = 3;
/// A tensor with at most this many rows and columns is printed whole.
const SHOW_FULL: usize = 8;

impl fmt::Display for Tensor {
    /// Prints the shape, then the entries in aligned columns. Small tensors (at most 8x8)
    /// print whole; larger ones show the first and last three rows and columns around `...`.
    /// Entries print with 4 significant decimals by default (`{:.6}` changes that), in fixed
    /// notation when all magnitudes lie in `[1e-3, 1e5)` and in scientific notation otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prec = f.precision().unwrap_or(4);
        let nonzero = self.data.iter().filter(|x| **x != 0.0 && x.is_finite());
        let fixed = nonzero.clone().all(|x| (1e-3..1e5).contains(&x.abs()));
        let cell = |x: f64| {
            if fixed || !x.is_finite() || x == 0.0 {
                format!("{x:.prec$}")
            } else {
                format!("{x:.prec$e}")
            }
        };
        let pick = |n: usize| -> Vec<Option<usize>> {
            if n <= SHOW_FULL {
                (0..n).map(Some).collect()
            } else {
                let mut v: Vec<Option<usize>> = (0..SHOW_EDGE).map(Some).collect();
                v.push(None);
                v.extend((n - SHOW_EDGE..n).map(Some));
                v
            }
        };
        let (rows, cols) = (pick(self.rows), pick(self.cols));
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                cols.iter()
                    .map(|c| match (r, c) {
                        (Some(i), Some(j)) => cell(self.data[i * self.cols + j]),
                        (None, _) | (_, None) => "...".to_string(),
                    })
                    .collect()
            })
            .collect();
        let width = cells.iter().flatten().map(|s| s.len()).max().unwrap_or(0);
        writeln!(f, "Tensor {}", fmt_shape(self.shape()))?;
        for (k, line) in cells.iter().enumerate() {
            write!(f, "[")?;
            for s in line {
                write!(f, " {s:>width$}")?;
            }
            write!(f, " ]")?;
            if k + 1 < cells.len() {
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
