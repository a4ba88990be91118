//! Householder QR: `A P = Q R`, blocked, with column pivoting where the rank is in doubt.
//!
//! Step `k` applies the reflector `H_k = I − τ_k v_k v_kᵀ` that zeroes column `k` below the
//! diagonal:
//!
//! ```text
//! x = A[k.., k],  β = −sign(x_0) ||x||,  τ = (β − x_0) / β,  v = [1; x[1..] / (x_0 − β)],
//! A[k.., k..] ← A[k.., k..] − τ v (vᵀ A[k.., k..])
//! ```
//!
//! so that `H_{n-1} ... H_0 A P = R`. With column pivoting, step `k` first swaps in the
//! remaining column of largest norm, so `|R_00| >= |R_11| >= ...` and the diagonal reveals the
//! numerical rank: the number of `|R_kk|` above `max(m, n) · eps · |R_00|` (the threshold of
//! numpy's `matrix_rank`). Large full-rank matrices skip the pivoting and run blocked, with
//! most of the work in matrix products (see [`Qr`], "Two stages", and
//! `linalg/householder.rs`).

use super::householder::{NB, factor_blocked, factor_pivoted, reflect};
use crate::tensor::{Tensor, fmt_shape};

/// From this many columns on, a tall or square matrix is first factored without pivoting, in
/// blocks ([`super::householder`]); below, pivoting costs nothing worth saving.
const BLOCKED_MIN_COLS: usize = 2 * NB;

/// A QR factorization `A P = Q R` of an `m x n` matrix of any shape: `Q` is `m x m`
/// (stored as `min(m, n)` reflectors), `R` is `min(m, n) x n`, upper triangular (upper
/// trapezoidal for a wide matrix).
///
/// # Two stages
/// A tall or square matrix with at least 64 columns is factored first without pivoting,
/// blocked, with the trailing updates in the matmul kernel (W4's 600x600: see
/// `BENCHMARKS.md`). If the 1-norm condition number of that `R`, estimated by Hager and
/// Higham's method from a few triangular solves, is below `1 / (n max(m, n) eps)`, the matrix
/// has full column rank by a wide margin and the factorization stands, with `P = I`.
/// Otherwise (rank deficient, or too close to it to tell), the matrix is factored again with
/// column pivoting, whose `R` reveals the rank. Smaller and wide matrices are always pivoted.
#[derive(Clone, Debug)]
pub struct Qr {
    m: usize,
    n: usize,
    /// Column-major `m x n`: `R` on and above the diagonal, `v_k[1..]` below `R_kk`.
    cols: Vec<f64>,
    /// `τ_k` of each reflector `H_k = I − τ_k v_k v_kᵀ`.
    tau: Vec<f64>,
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
        let at = a.t(); // column-major A
        if m >= n && n >= BLOCKED_MIN_COLS {
            let mut cols = at.as_slice().to_vec(); // a copy: pivoting may need `at` again
            let tau = factor_blocked(&mut cols, m, n);
            let qr = Qr {
                m,
                n,
                cols,
                tau,
                perm: (0..n).collect(),
            };
            if qr.clearly_full_rank() {
                return qr;
            }
        }
        let mut cols = at.into_vec();
        let (tau, perm) = factor_pivoted(&mut cols, m, n);
        Qr {
            m,
            n,
            cols,
            tau,
            perm,
        }
    }

    /// `R_ij` for `i <= j`.
    #[inline]
    fn r_at(&self, i: usize, j: usize) -> f64 {
        self.cols[j * self.m + i]
    }

    /// True if `κ_1(R) < 1 / (n max(m, n) eps)` by the estimate (and no `R_kk` is zero or not
    /// finite): then every `|R_kk| >= σ_min(R) >= ||R||_2 / κ_2(R)` clears the rank threshold
    /// (`κ_2 <= n κ_1`), so pivoting would find full rank too.
    fn clearly_full_rank(&self) -> bool {
        let n = self.n;
        let diagonal_ok = (0..n).all(|k| {
            let d = self.r_at(k, k);
            d != 0.0 && d.is_finite()
        });
        if !diagonal_ok {
            return false;
        }
        let norm1 = (0..n)
            .map(|j| {
                self.cols[j * self.m..j * self.m + j + 1]
                    .iter()
                    .map(|x| x.abs())
                    .sum::<f64>()
            })
            .fold(0.0, f64::max);
        let kappa = norm1 * self.inverse_norm1_estimate();
        kappa.is_finite() && kappa * (n as f64) * (self.m.max(n) as f64) * f64::EPSILON < 1.0
    }

    /// An estimate (a lower bound, usually within a factor of 3) of `||R⁻¹||_1` from a few
    /// solves with `R` and `Rᵀ`: Hager's method with Higham's refinements (LAPACK's `dlacn2`).
    fn inverse_norm1_estimate(&self) -> f64 {
        let n = self.n;
        let norm1 = |y: &[f64]| y.iter().map(|v| v.abs()).sum::<f64>();
        let mut x = vec![1.0 / n as f64; n];
        let mut est = 0.0f64;
        let mut last = usize::MAX;
        for iteration in 0..5 {
            let mut y = x.clone();
            self.solve_upper(&mut y);
            let e = norm1(&y);
            if !e.is_finite() {
                return f64::INFINITY;
            }
            if iteration > 0 && e <= est {
                break;
            }
            est = e;
            let mut z: Vec<f64> = y
                .iter()
                .map(|&v| if v >= 0.0 { 1.0 } else { -1.0 })
                .collect();
            self.solve_upper_t(&mut z);
            let (j, z_max) = z.iter().enumerate().fold((0, 0.0f64), |(bj, bz), (j, &v)| {
                if v.abs() > bz { (j, v.abs()) } else { (bj, bz) }
            });
            let zx: f64 = z.iter().zip(&x).map(|(a, b)| a * b).sum();
            if z_max <= zx || j == last {
                break;
            }
            x.fill(0.0);
            x[j] = 1.0;
            last = j;
        }
        // Higham's extra vector, against matrices that fool the iteration.
        let mut alt: Vec<f64> = (0..n)
            .map(|i| {
                let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
                sign * (1.0 + i as f64 / (n.max(2) - 1) as f64)
            })
            .collect();
        self.solve_upper(&mut alt);
        est.max(2.0 * norm1(&alt) / (3.0 * n as f64))
    }

    /// `z ← R⁻¹ z` (the first `n` entries), by columns of `R`.
    fn solve_upper(&self, z: &mut [f64]) {
        for j in (0..self.n).rev() {
            let col = &self.cols[j * self.m..j * self.m + j];
            z[j] /= self.r_at(j, j);
            let zj = z[j];
            for (zi, r) in z[..j].iter_mut().zip(col) {
                *zi -= zj * r;
            }
        }
    }

    /// `w ← R⁻ᵀ w` (the first `n` entries): `w_i = (w_i − R[..i, i] · w[..i]) / R_ii`.
    fn solve_upper_t(&self, w: &mut [f64]) {
        for i in 0..self.n {
            let col = &self.cols[i * self.m..i * self.m + i];
            let s: f64 = col.iter().zip(&w[..i]).map(|(r, x)| r * x).sum();
            w[i] = (w[i] - s) / self.r_at(i, i);
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
            if j >= i { self.r_at(i, j) } else { 0.0 }
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

    /// The numerical rank: the number of `|R_kk| > max(m, n) · eps · max_j |R_jj|` (with
    /// pivoting, the largest is `|R_00|`; a matrix factored without pivoting passed a
    /// condition test that puts every `|R_kk|` above the threshold).
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
        let largest = (0..k).map(|i| self.r_at(i, i).abs()).fold(0.0, f64::max);
        let tol = self.m.max(self.n) as f64 * f64::EPSILON * largest;
        (0..k).filter(|&i| self.r_at(i, i).abs() > tol).count()
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
        self.reflect_columns(b, false)
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
        self.reflect_columns(b, true)
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
        self.solve_columns(c, Self::solve_upper)
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
        self.solve_columns(c, Self::solve_upper_t)
    }

    /// `Qᵀ B` (`backward = false`: `H_0` first) or `Q B` (`true`), one column of `B` at a time.
    fn reflect_columns(&self, b: &Tensor, backward: bool) -> Tensor {
        let m = self.m;
        let mut ct = b.t(); // the columns of B as rows
        for y in ct.as_mut_slice().chunks_exact_mut(m.max(1)) {
            let mut apply = |k: usize| {
                let v_tail = &self.cols[k * m + k + 1..(k + 1) * m];
                reflect(v_tail, self.tau[k], &mut y[k..]);
            };
            if backward {
                (0..self.tau.len()).rev().for_each(&mut apply);
            } else {
                (0..self.tau.len()).for_each(&mut apply);
            }
        }
        ct.t()
    }

    /// `solve` (with `R` or `Rᵀ`) applied to each column of `c`'s first `n` rows.
    fn solve_columns(&self, c: &Tensor, solve: fn(&Qr, &mut [f64])) -> Tensor {
        let n = self.n;
        let ct = c.t();
        let mut zt = Tensor::zeros(c.cols(), n);
        for (z, col) in zt
            .as_mut_slice()
            .chunks_exact_mut(n.max(1))
            .zip(ct.as_slice().chunks_exact(c.rows().max(1)))
        {
            z.copy_from_slice(&col[..n]);
            solve(self, z);
        }
        zt.t()
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
