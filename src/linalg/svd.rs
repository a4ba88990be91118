//! The singular value decomposition `A = U diag(σ) Vᵀ` of any shape, by one-sided Jacobi
//! (Hestenes 1958), and what it gives: the rank, a null-space basis, the pseudo-inverse and
//! the exact 2-norm condition number.
//!
//! One-sided Jacobi orthogonalizes the columns `w_j` of `W = A` (tall case; a wide `A` is
//! handled through `Aᵀ`) by plane rotations on the right, accumulated in `V`:
//!
//! ```text
//! α = w_pᵀw_p,  β = w_qᵀw_q,  γ = w_pᵀw_q        (skip the pair if |γ| <= m eps sqrt(αβ))
//! ζ = (β − α) / (2γ),  t = sign(ζ) / (|ζ| + sqrt(1 + ζ²)),  c = 1 / sqrt(1 + t²),  s = c t
//! [w_p, w_q] ← [c w_p − s w_q,  s w_p + c w_q],   the same for [v_p, v_q]
//! ```
//!
//! until a whole sweep needs no rotation. Then `σ_j = ||w_j||` and `u_j = w_j / σ_j`. Columns
//! whose `σ_j` is at or below the rank tolerance get a `u_j` completed to an orthonormal set
//! (their `w_j` is rounding noise). Like two-sided Jacobi for eigenvalues, it is short,
//! accurate (small singular values to high relative accuracy on well-scaled columns; Demmel
//! & Veselić 1992) and fast enough for the course's matrices.
//!
//! **Rank tolerance** (LAPACK's and NumPy's `matrix_rank` convention):
//! `tol = max(m, n) · eps · σ_max`; singular values above it count.

use super::eig::sym_eig;
use crate::tensor::Tensor;

/// A thin SVD `A = U diag(σ) Vᵀ` of an `m x n` matrix, `k = min(m, n)`: `U` is `m x k` and
/// `V` is `n x k`, both with orthonormal columns; `σ` is descending and non-negative.
#[derive(Clone, Debug, PartialEq)]
pub struct Svd {
    /// `U` (`m x k`).
    pub u: Tensor,
    /// `σ_0 >= σ_1 >= ... >= σ_{k-1} >= 0`.
    pub s: Vec<f64>,
    /// `V` (`n x k`).
    pub v: Tensor,
}

impl Svd {
    /// `max(m, n) · eps · σ_max`: singular values at or below it are treated as zero.
    pub fn tolerance(&self) -> f64 {
        let big = self.u.rows().max(self.v.rows()) as f64;
        big * f64::EPSILON * self.s.first().copied().unwrap_or(0.0)
    }

    /// The numerical rank: the number of `σ_j > tolerance()`.
    pub fn rank(&self) -> usize {
        let tol = self.tolerance();
        self.s.iter().filter(|&&s| s > tol).count()
    }
}

/// Sweeps after which one-sided Jacobi gives up (typically 6 to 12 are needed).
const MAX_SWEEPS: usize = 60;

/// The thin SVD of `a`, any shape (see the module docs).
///
/// # Panics
/// If an entry of `a` is NaN or infinite, naming it.
///
/// ```
/// use tapegrad::{Tensor, linalg::svd};
/// let a = Tensor::from_rows(&[[3.0, 0.0], [0.0, -2.0], [0.0, 0.0]]);
/// let d = svd(&a);
/// assert_eq!(d.s, vec![3.0, 2.0]);
/// // U diag(σ) Vᵀ = A
/// d.u.mul(&Tensor::row(&d.s)).matmul_nt(&d.v).assert_close(&a, 1e-15, 1e-15);
/// ```
pub fn svd(a: &Tensor) -> Svd {
    let (m, n) = a.shape();
    if let Some(k) = a.as_slice().iter().position(|x| !x.is_finite()) {
        panic!(
            "svd: entry ({}, {}) is {}",
            k / n.max(1),
            k % n.max(1),
            a.as_slice()[k]
        );
    }
    // Scaled to max|a_ij| ∈ [1/2, 1) (exactly, by a power of two) so that the rotations'
    // sums of squares neither overflow nor underflow; σ scales back, U and V do not change.
    let e = super::scale::exponent(a);
    if e != 0 {
        let mut d = svd(&super::scale::scaled(a, -e));
        for s in &mut d.s {
            *s = super::scale::times_pow2(*s, e);
        }
        return d;
    }
    if m < n {
        // A = (Aᵀ)ᵀ = (U' S V'ᵀ)ᵀ = V' S U'ᵀ.
        let t = svd(&a.t());
        return Svd {
            u: t.v,
            s: t.s,
            v: t.u,
        };
    }
    // Columns of A as the rows of W (contiguous), and of V as the rows of Vt.
    let mut w = a.t().into_vec();
    let mut vt = Tensor::eye(n).into_vec();
    let threshold = m as f64 * f64::EPSILON;
    for _ in 0..MAX_SWEEPS {
        let mut rotated = false;
        for p in 0..n {
            for q in p + 1..n {
                rotated |= rotate_pair(&mut w, &mut vt, m, n, p, q, threshold);
            }
        }
        if !rotated {
            break;
        }
    }
    // σ_j = ||w_j||, sorted descending.
    let norms: Vec<f64> = (0..n).map(|j| norm(&w[j * m..(j + 1) * m])).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| norms[j].total_cmp(&norms[i]));
    let s: Vec<f64> = order.iter().map(|&j| norms[j]).collect();
    let tol = m as f64 * f64::EPSILON * s.first().copied().unwrap_or(0.0);
    // u_j = w_j / σ_j for σ_j above the tolerance; the rest completed to an orthonormal set.
    let mut u_cols: Vec<Vec<f64>> = Vec::with_capacity(n);
    for (k, &j) in order.iter().enumerate() {
        let col = &w[j * m..(j + 1) * m];
        if s[k] > tol {
            u_cols.push(col.iter().map(|x| x / s[k]).collect());
        } else {
            let e = orthonormal_complement(&u_cols, m);
            u_cols.push(e);
        }
    }
    let u = Tensor::from_fn(m, n, |i, k| u_cols[k][i]);
    let v = Tensor::from_fn(n, n, |i, k| vt[order[k] * n + i]);
    Svd { u, s, v }
}

/// Rotates columns `p` and `q` (rows of `w`, length `m`; rows of `vt`, length `n`) to make
/// them orthogonal; returns false if they already are (to `threshold` relative).
fn rotate_pair(
    w: &mut [f64],
    vt: &mut [f64],
    m: usize,
    n: usize,
    p: usize,
    q: usize,
    threshold: f64,
) -> bool {
    let (wp, wq) = (&w[p * m..(p + 1) * m], &w[q * m..(q + 1) * m]);
    let alpha: f64 = wp.iter().map(|x| x * x).sum();
    let beta: f64 = wq.iter().map(|x| x * x).sum();
    let gamma: f64 = wp.iter().zip(wq).map(|(x, y)| x * y).sum();
    if gamma == 0.0 || gamma.abs() <= threshold * (alpha * beta).sqrt() {
        return false;
    }
    let zeta = (beta - alpha) / (2.0 * gamma);
    let t = zeta.signum() / (zeta.abs() + zeta.hypot(1.0));
    let c = 1.0 / t.hypot(1.0);
    let s = c * t;
    rotate_rows(w, m, p, q, c, s);
    rotate_rows(vt, n, p, q, c, s);
    true
}

/// `[r_p, r_q] ← [c r_p − s r_q, s r_p + c r_q]` for rows of length `len`.
fn rotate_rows(x: &mut [f64], len: usize, p: usize, q: usize, c: f64, s: f64) {
    let (head, tail) = x.split_at_mut(q * len);
    let (rp, rq) = (&mut head[p * len..(p + 1) * len], &mut tail[..len]);
    for (a, b) in rp.iter_mut().zip(rq.iter_mut()) {
        let (xa, xb) = (*a, *b);
        *a = c * xa - s * xb;
        *b = s * xa + c * xb;
    }
}

fn norm(x: &[f64]) -> f64 {
    // Scaled, so that columns of huge or tiny entries neither overflow nor underflow.
    let big = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if big == 0.0 {
        return 0.0;
    }
    big * x.iter().map(|v| (v / big) * (v / big)).sum::<f64>().sqrt()
}

/// A unit vector of length `m` orthogonal to every vector in `basis` (which has fewer than
/// `m` orthonormal vectors): the first coordinate vector with a large enough remainder after
/// two rounds of Gram–Schmidt.
fn orthonormal_complement(basis: &[Vec<f64>], m: usize) -> Vec<f64> {
    let mut best: Option<Vec<f64>> = None;
    for i in 0..m {
        let mut e = vec![0.0; m];
        e[i] = 1.0;
        for _ in 0..2 {
            for b in basis {
                let d: f64 = b.iter().zip(&e).map(|(x, y)| x * y).sum();
                for (ej, bj) in e.iter_mut().zip(b) {
                    *ej -= d * bj;
                }
            }
        }
        let r = norm(&e);
        if r > 0.5 {
            return e.iter().map(|x| x / r).collect();
        }
        if best.as_ref().is_none_or(|b| norm(b) < r) {
            best = Some(e);
        }
    }
    let e = best.expect("m > 0");
    let r = norm(&e);
    e.iter().map(|x| x / r).collect()
}

/// The numerical rank of `a`: singular values above `max(m, n) · eps · σ_max`.
///
/// ```
/// use tapegrad::{Tensor, linalg::rank};
/// let a = Tensor::from_rows(&[[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]);
/// assert_eq!(rank(&a), 1);
/// ```
pub fn rank(a: &Tensor) -> usize {
    svd(a).rank()
}

/// An orthonormal basis of the null space `{v : A v = 0}` of the `m x n` matrix `a`, as the
/// columns of an `n x (n − rank)` matrix (`n x 0` when `A` has full column rank). Each basis
/// vector satisfies `||A v|| <= max(m, n) eps ||A||_2`, the rank tolerance.
///
/// ```
/// use tapegrad::{Tensor, linalg::null_space};
/// let x = Tensor::from_rows(&[[1.0, 1.0, 0.0]]);           // one equation, three unknowns
/// let z = null_space(&x);
/// assert_eq!(z.shape(), (3, 2));
/// assert!(x.matmul(&z).max_abs() < 1e-15);
/// ```
pub fn null_space(a: &Tensor) -> Tensor {
    let (m, n) = a.shape();
    // The full V (n x n) comes from the SVD of A padded with zero rows to at least n rows.
    let padded = if m >= n {
        a.clone()
    } else {
        Tensor::from_fn(n, n, |i, j| if i < m { a[(i, j)] } else { 0.0 })
    };
    let d = svd(&padded);
    let tol = m.max(n) as f64 * f64::EPSILON * d.s.first().copied().unwrap_or(0.0);
    let keep: Vec<usize> = (0..n).filter(|&k| d.s[k] <= tol).collect();
    Tensor::from_fn(n, keep.len(), |i, j| d.v[(i, keep[j])])
}

/// The Moore–Penrose pseudo-inverse `A⁺ = V diag(1/σ) Uᵀ` (`n x m`), with `1/σ` replaced by 0
/// for singular values at or below the rank tolerance. `A⁺ y` is the minimum-norm
/// least-squares solution for any shape and rank.
///
/// ```
/// use tapegrad::{Tensor, linalg::pinv};
/// let a = Tensor::from_rows(&[[1.0, 1.0]]);
/// pinv(&a).assert_close(&Tensor::column(&[0.5, 0.5]), 1e-15, 1e-15);
/// ```
pub fn pinv(a: &Tensor) -> Tensor {
    let d = svd(a);
    let tol = d.tolerance();
    let inv: Vec<f64> =
        d.s.iter()
            .map(|&s| if s > tol { 1.0 / s } else { 0.0 })
            .collect();
    d.v.mul(&Tensor::row(&inv)).matmul_nt(&d.u)
}

/// The exact 2-norm condition number `σ_max / σ_min` from the SVD (infinite for a
/// rank-deficient matrix, decided with the tolerance of [`rank`]; `σ_min` taken over
/// `min(m, n)` singular values; NaN when an entry is NaN or infinite). For large
/// matrices where an estimate will do, see [`condition_estimate`](super::condition_estimate).
///
/// ```
/// use tapegrad::{Tensor, linalg::condition_number};
/// let x = Tensor::from_rows(&[[10.0, 0.0], [0.0, 0.1], [0.0, 0.0]]);
/// assert!((condition_number(&x) - 100.0).abs() < 1e-12);
/// ```
pub fn condition_number(a: &Tensor) -> f64 {
    if a.as_slice().iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    let d = svd(a);
    // Rank-deficient by the same tolerance as `rank` (a computed σ_min of 1e-16 σ_max on a
    // singular matrix is rounding, not a condition number of 1e16).
    let tol = d.tolerance();
    match (d.s.first(), d.s.last()) {
        (Some(&big), Some(&small)) if small > tol => big / small,
        (Some(_), Some(_)) => f64::INFINITY,
        _ => f64::NAN,
    }
}

/// The singular values of `a` from the eigenvalues of `AᵀA` (a check, and a reminder of why
/// the SVD works with `A` itself: squaring the matrix squares its condition number).
///
/// ```
/// use tapegrad::{Tensor, linalg::{singular_values_via_gram, svd}};
/// let a = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
/// let s = singular_values_via_gram(&a);
/// assert!((s[0] - svd(&a).s[0]).abs() < 1e-13);
/// ```
pub fn singular_values_via_gram(a: &Tensor) -> Vec<f64> {
    // The Gram matrix squares the entries: form it from `a` scaled exactly to unit size, and
    // scale the singular values back.
    let e = super::scale::exponent(a);
    let a = &super::scale::scaled(a, -e);
    let gram = if a.rows() >= a.cols() {
        a.matmul_tn(a)
    } else {
        a.matmul_nt(a)
    };
    // Symmetrize exactly: the kernels may differ by an ulp between (i, j) and (j, i).
    let gram = Tensor::from_fn(gram.rows(), gram.cols(), |i, j| {
        0.5 * (gram[(i, j)] + gram[(j, i)])
    });
    let mut s: Vec<f64> = sym_eig(&gram)
        .values
        .iter()
        .map(|l| super::scale::times_pow2(l.max(0.0).sqrt(), e))
        .collect();
    s.reverse();
    s
}
