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

/// A pivoted QR factorization `A P = Q R` of an `m x n` matrix, `m >= n`.
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
    /// Factors `a`.
    ///
    /// # Panics
    /// If `a` has more columns than rows (factor `aᵀ` instead).
    pub fn new(a: &Tensor) -> Qr {
        let (m, n) = a.shape();
        assert!(
            m >= n,
            "Qr::new: need rows >= cols, got {} (factor the transpose)",
            fmt_shape(a.shape())
        );
        let mut r = a.clone();
        let mut perm: Vec<usize> = (0..n).collect();
        let mut reflectors = Vec::with_capacity(n);
        for k in 0..n {
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

    /// The `n x n` upper-triangular factor `R`.
    pub fn r(&self) -> Tensor {
        Tensor::from_fn(
            self.n,
            self.n,
            |i, j| if j >= i { self.r[(i, j)] } else { 0.0 },
        )
    }

    /// The column permutation: column `j` of `A P` is column `perm()[j]` of `A`.
    pub fn perm(&self) -> &[usize] {
        &self.perm
    }

    /// The numerical rank: the number of `|R_kk| > max(m, n) · eps · |R_00|`.
    pub fn rank(&self) -> usize {
        let r00 = self.r[(0, 0)].abs();
        let tol = self.m.max(self.n) as f64 * f64::EPSILON * r00;
        (0..self.n).filter(|&k| self.r[(k, k)].abs() > tol).count()
    }

    /// `Qᵀ B` for `B` of shape `m x k`: the reflectors applied in order.
    ///
    /// # Panics
    /// If `B` does not have `m` rows.
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
    pub fn solve_r(&self, c: &Tensor) -> Tensor {
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
    pub fn solve_rt(&self, c: &Tensor) -> Tensor {
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
