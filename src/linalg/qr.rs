//! Householder QR with column pivoting: `A P = Q R`.
//!
//! For `A` of shape `m x n` with `m >= n`, step `k` picks the remaining column of largest
//! norm, swaps it into place, and applies the reflector `H_k = I − β_k v_k v_kᵀ` that zeroes
//! column `k` below the diagonal:
//!
//! ```text
//! x = A[k.., k],  α = −sign(x_0) ||x||,  v = x − α e_1,  β = 2 / vᵀv,
//! A[k.., k..] ← A[k.., k..] − β v (vᵀ A[k.., k..])
//! ```
//!
//! so that `H_{n-1} ... H_0 A P = R` (upper triangular, `|R_00| >= |R_11| >= ...`). The
//! pivoting makes the diagonal of `R` reveal the numerical rank: the number of `|R_kk|`
//! above `max(m, n) · eps · |R_00|` (the threshold of numpy's `matrix_rank`).

use crate::tensor::{Tensor, fmt_shape};

/// A pivoted QR factorization `A P = Q R` of an `m x n` matrix of any shape: `Q` is `m x m`
/// (stored as `min(m, n)` reflectors), `R` is `min(m, n) x n`, upper triangular (upper
/// trapezoidal for a wide matrix).
#[derive(Clone, Debug)]
pub struct Qr {
    m: usize,
    n: usize,
    /// `R` in the upper triangle (`n x n` after the first `n` rows), row-major `m x n`.
    r: Tensor,
    /// The reflectors `v_k` (length `m − k`) and their `β_k`.
    reflectors: Vec<(Vec<f64>, f64)>,
    /// `perm[j]` is the original column of `A` in position `j` of `A P`.
    perm: Vec<usize>,
}

impl Qr {
    /// Factors `a`, any shape.
    ///
    /// ```
    /// use tapegrad::{Tensor, linalg::Qr};
    /// let a = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    /// let qr = Qr::new(&a);
    /// assert_eq!(qr.rank(), 2);
    /// // Q R = A P, column by column.
    /// let mut r = Tensor::zeros(3, 2);
    /// r.as_mut_slice()[..2].copy_from_slice(qr.r().row_slice(0));
    /// r.as_mut_slice()[2..4].copy_from_slice(qr.r().row_slice(1));
    /// let qr_a = qr.apply_q(&r);
    /// for (j, &p) in qr.perm().iter().enumerate() {
    ///     for i in 0..3 {
    ///         assert!((qr_a[(i, j)] - a[(i, p)]).abs() < 1e-14);
    ///     }
    /// }
    /// ```
    pub fn new(a: &Tensor) -> Qr {
        let (m, n) = a.shape();
        let mut r = a.clone();
        let mut perm: Vec<usize> = (0..n).collect();
        let mut reflectors = Vec::with_capacity(m.min(n));
        for k in 0..m.min(n) {
            // Pivot: the remaining column with the largest norm below row k.
            let col_norm2 =
                |r: &Tensor, j: usize| (k..m).map(|i| r[(i, j)] * r[(i, j)]).sum::<f64>();
            let p = (k..n)
                .max_by(|&i, &j| col_norm2(&r, i).total_cmp(&col_norm2(&r, j)))
                .unwrap_or(k);
            if p != k {
                for i in 0..m {
                    let t = r[(i, k)];
                    r[(i, k)] = r[(i, p)];
                    r[(i, p)] = t;
                }
                perm.swap(k, p);
            }
            // The reflector that maps x = A[k.., k] to α e_1.
            let norm = col_norm2(&r, k).sqrt();
            let mut v: Vec<f64> = (k..m).map(|i| r[(i, k)]).collect();
            if norm == 0.0 {
                reflectors.push((v, 0.0));
                continue;
            }
            let alpha = if v[0] > 0.0 { -norm } else { norm };
            v[0] -= alpha;
            let vtv: f64 = v.iter().map(|x| x * x).sum();
            let beta = if vtv == 0.0 { 0.0 } else { 2.0 / vtv };
            // A[k.., j] -= β v (vᵀ A[k.., j]) for the columns right of k.
            for j in k + 1..n {
                let s: f64 = (k..m).zip(&v).map(|(i, vi)| vi * r[(i, j)]).sum();
                for (i, vi) in (k..m).zip(&v) {
                    r[(i, j)] -= beta * s * vi;
                }
            }
            r[(k, k)] = alpha;
            for i in k + 1..m {
                r[(i, k)] = 0.0;
            }
            reflectors.push((v, beta));
        }
        Qr {
            m,
            n,
            r,
            reflectors,
            perm,
        }
    }

    /// The `min(m, n) x n` upper-triangular (trapezoidal, for a wide matrix) factor `R`.
    ///
    /// ```
    /// use tapegrad::{Tensor, linalg::Qr};
    /// let r = Qr::new(&Tensor::from_rows(&[[3.0], [4.0]])).r();
    /// assert!((r.item().abs() - 5.0).abs() < 1e-15);               // |R_00| = ||a||
    /// ```
    pub fn r(&self) -> Tensor {
        Tensor::from_fn(self.m.min(self.n), self.n, |i, j| {
            if j >= i { self.r[(i, j)] } else { 0.0 }
        })
    }

    /// The column permutation: column `j` of `A P` is column `perm()[j]` of `A`.
    ///
    /// ```
    /// use tapegrad::{Tensor, linalg::Qr};
    /// // The larger column comes first.
    /// let qr = Qr::new(&Tensor::from_rows(&[[1.0, 10.0], [0.0, 0.0]]));
    /// assert_eq!(qr.perm(), &[1, 0]);
    /// ```
    pub fn perm(&self) -> &[usize] {
        &self.perm
    }

    /// The numerical rank: the number of `|R_kk| > max(m, n) · eps · |R_00|`.
    ///
    /// ```
    /// use tapegrad::{Tensor, linalg::Qr};
    /// let a = Tensor::from_rows(&[[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]); // column 2 = 2 x column 1
    /// assert_eq!(Qr::new(&a).rank(), 1);
    /// ```
    pub fn rank(&self) -> usize {
        let k = self.m.min(self.n);
        if k == 0 {
            return 0;
        }
        let r00 = self.r[(0, 0)].abs();
        let tol = self.m.max(self.n) as f64 * f64::EPSILON * r00;
        (0..k).filter(|&i| self.r[(i, i)].abs() > tol).count()
    }

    /// `Qᵀ B` for `B` of shape `m x k`: the reflectors applied in order.
    ///
    /// # Panics
    /// If `B` does not have `m` rows.
    ///
    /// ```
    /// use tapegrad::{Tensor, linalg::Qr};
    /// let a = Tensor::from_rows(&[[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]);
    /// let qr = Qr::new(&a);
    /// let b = Tensor::column(&[1.0, 2.0, 3.0]);
    /// assert!((qr.apply_qt(&b).norm() - b.norm()).abs() < 1e-14);  // Q is orthogonal
    /// ```
    pub fn apply_qt(&self, b: &Tensor) -> Tensor {
        assert!(
            b.rows() == self.m,
            "Qr::apply_qt: Q is {m}x{m}, B is {}",
            fmt_shape(b.shape()),
            m = self.m
        );
        let mut c = b.clone();
        for (k, (v, beta)) in self.reflectors.iter().enumerate() {
            reflect(&mut c, k, v, *beta);
        }
        c
    }

    /// `Q B` for `B` of shape `m x k`: the reflectors applied in reverse order.
    ///
    /// # Panics
    /// If `B` does not have `m` rows.
    ///
    /// ```
    /// use tapegrad::{Tensor, linalg::Qr};
    /// let qr = Qr::new(&Tensor::from_rows(&[[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]));
    /// let b = Tensor::column(&[1.0, 2.0, 3.0]);
    /// qr.apply_q(&qr.apply_qt(&b)).assert_close(&b, 1e-14, 1e-14); // Q Qᵀ = I
    /// ```
    pub fn apply_q(&self, b: &Tensor) -> Tensor {
        assert!(
            b.rows() == self.m,
            "Qr::apply_q: Q is {m}x{m}, B is {}",
            fmt_shape(b.shape()),
            m = self.m
        );
        let mut c = b.clone();
        for (k, (v, beta)) in self.reflectors.iter().enumerate().rev() {
            reflect(&mut c, k, v, *beta);
        }
        c
    }

    /// Solves `R z = c` (the first `n` rows of `c`) by back substitution.
    ///
    /// # Panics
    /// If the matrix was wide (`m < n`): `R` has no square triangle to solve with.
    ///
    /// ```
    /// use tapegrad::{Tensor, linalg::Qr};
    /// // Least squares by hand: z = R⁻¹ (Qᵀ y)[..n], then undo the permutation.
    /// let x = Tensor::from_rows(&[[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]);
    /// let qr = Qr::new(&x);
    /// let z = qr.solve_r(&qr.apply_qt(&Tensor::column(&[1.0, 3.0, 5.0])));
    /// let mut theta = [0.0; 2];
    /// for (j, &p) in qr.perm().iter().enumerate() {
    ///     theta[p] = z[(j, 0)];
    /// }
    /// assert!((theta[0] - 1.0).abs() < 1e-14 && (theta[1] - 2.0).abs() < 1e-14);
    /// ```
    pub fn solve_r(&self, c: &Tensor) -> Tensor {
        self.check_square_r("solve_r");
        self.check_rhs("solve_r", c);
        let k = c.cols();
        let mut z = Tensor::zeros(self.n, k);
        for col in 0..k {
            for i in (0..self.n).rev() {
                let s: f64 = (i + 1..self.n).map(|j| self.r[(i, j)] * z[(j, col)]).sum();
                z[(i, col)] = (c[(i, col)] - s) / self.r[(i, i)];
            }
        }
        z
    }

    /// Solves `Rᵀ w = c` (`c` of shape `n x k`) by forward substitution.
    ///
    /// # Panics
    /// If the matrix was wide (`m < n`): `R` has no square triangle to solve with.
    ///
    /// ```
    /// use tapegrad::{Tensor, linalg::Qr};
    /// let qr = Qr::new(&Tensor::from_rows(&[[2.0, 1.0], [0.0, 1.0], [0.0, 0.0]]));
    /// let c = Tensor::column(&[1.0, 1.0]);
    /// let w = qr.solve_rt(&c);
    /// qr.r().t().matmul(&w).assert_close(&c, 1e-14, 1e-14);       // Rᵀ w = c
    /// ```
    pub fn solve_rt(&self, c: &Tensor) -> Tensor {
        self.check_square_r("solve_rt");
        self.check_rhs("solve_rt", c);
        let k = c.cols();
        let mut w = Tensor::zeros(self.n, k);
        for col in 0..k {
            for i in 0..self.n {
                let s: f64 = (0..i).map(|j| self.r[(j, i)] * w[(j, col)]).sum();
                w[(i, col)] = (c[(i, col)] - s) / self.r[(i, i)];
            }
        }
        w
    }

    /// Panics unless `R` has a square `n x n` triangle to solve with (`m >= n`).
    /// Panics unless the right-hand side has at least `n` rows (its first `n` are used).
    fn check_rhs(&self, op: &str, c: &Tensor) {
        assert!(
            c.rows() >= self.n,
            "Qr::{op}: R is {n}x{n}, the right-hand side {} has fewer than {n} rows",
            fmt_shape(c.shape()),
            n = self.n
        );
    }

    fn check_square_r(&self, op: &str) {
        assert!(
            self.m >= self.n,
            "Qr::{op}: R is [{}x{}], not square: a wide matrix has no unique solution (use \
             linalg::min_norm or linalg::pinv)",
            self.m,
            self.n
        );
    }
}

/// `C[k.., :] ← (I − β v vᵀ) C[k.., :]`.
fn reflect(c: &mut Tensor, k: usize, v: &[f64], beta: f64) {
    if beta == 0.0 {
        return;
    }
    for col in 0..c.cols() {
        let s: f64 = v
            .iter()
            .enumerate()
            .map(|(i, vi)| vi * c[(k + i, col)])
            .sum();
        for (i, vi) in v.iter().enumerate() {
            c[(k + i, col)] -= beta * s * vi;
        }
    }
}
