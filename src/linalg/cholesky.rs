//! Cholesky factorization `A = L Lᵀ` of a symmetric positive definite matrix, and solves.
//!
//! Column by column (the Cholesky–Banachiewicz order):
//!
//! ```text
//! L_jj = sqrt(A_jj − Σ_{k<j} L_jk²)
//! L_ij = (A_ij − Σ_{k<j} L_ik L_jk) / L_jj      for i > j
//! ```
//!
//! A non-positive pivot means `A` is not positive definite (numerically), and is reported.

use crate::tensor::{Tensor, fmt_shape};
use std::fmt;

/// `A` is not (numerically) positive definite: pivot `index` was `value <= 0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NotPositiveDefinite {
    /// The failing pivot.
    pub index: usize,
    /// `A_jj − Σ L_jk²` there.
    pub value: f64,
}

impl fmt::Display for NotPositiveDefinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cholesky: the matrix is not positive definite (pivot {} is {:e})",
            self.index, self.value
        )
    }
}

impl std::error::Error for NotPositiveDefinite {}

/// The lower-triangular `L` with `A = L Lᵀ`. Only the lower triangle of `A` is read.
///
/// # Errors
/// [`NotPositiveDefinite`] at the first non-positive (or NaN) pivot.
///
/// # Panics
/// If `A` is not square.
///
/// ```
/// use tapegrad::{Tensor, linalg::cholesky};
/// let a = Tensor::from_rows(&[[4.0, 2.0], [2.0, 5.0]]);
/// let l = cholesky(&a).unwrap();
/// assert_eq!(l, Tensor::from_rows(&[[2.0, 0.0], [1.0, 2.0]]));
/// assert_eq!(l.matmul_nt(&l), a);                                   // L Lᵀ = A
/// assert!(cholesky(&Tensor::from_rows(&[[1.0, 2.0], [2.0, 1.0]])).is_err()); // indefinite
/// ```
pub fn cholesky(a: &Tensor) -> Result<Tensor, NotPositiveDefinite> {
    let n = a.rows();
    assert!(
        a.cols() == n,
        "cholesky: A must be square, got {}",
        fmt_shape(a.shape())
    );
    let mut l = Tensor::zeros(n, n);
    for j in 0..n {
        let d = a[(j, j)] - (0..j).map(|k| l[(j, k)] * l[(j, k)]).sum::<f64>();
        if d.is_nan() || d <= 0.0 {
            return Err(NotPositiveDefinite { index: j, value: d });
        }
        let ljj = d.sqrt();
        l[(j, j)] = ljj;
        for i in j + 1..n {
            let s: f64 = (0..j).map(|k| l[(i, k)] * l[(j, k)]).sum();
            l[(i, j)] = (a[(i, j)] - s) / ljj;
        }
    }
    Ok(l)
}

/// Solves `A X = B` given `L` from [`cholesky`]: `L Z = B` forward, then `Lᵀ X = Z` backward.
///
/// # Panics
/// If `B` does not have as many rows as `L`.
///
/// ```
/// use tapegrad::{Tensor, linalg::{cholesky, cholesky_solve}};
/// let a = Tensor::from_rows(&[[4.0, 2.0], [2.0, 5.0]]);
/// let l = cholesky(&a).unwrap();
/// let x = cholesky_solve(&l, &Tensor::column(&[6.0, 7.0]));
/// assert_eq!(x, Tensor::column(&[1.0, 1.0]));
/// ```
pub fn cholesky_solve(l: &Tensor, b: &Tensor) -> Tensor {
    let n = l.rows();
    assert!(
        b.rows() == n,
        "cholesky_solve: L is {}, B is {}",
        fmt_shape(l.shape()),
        fmt_shape(b.shape())
    );
    let mut x = b.clone();
    for col in 0..b.cols() {
        for i in 0..n {
            let s: f64 = (0..i).map(|k| l[(i, k)] * x[(k, col)]).sum();
            x[(i, col)] = (x[(i, col)] - s) / l[(i, i)];
        }
        for i in (0..n).rev() {
            let s: f64 = (i + 1..n).map(|k| l[(k, i)] * x[(k, col)]).sum();
            x[(i, col)] = (x[(i, col)] - s) / l[(i, i)];
        }
    }
    x
}

/// Solves the symmetric positive definite system `A X = B`.
///
/// # Errors
/// [`NotPositiveDefinite`] if the factorization fails.
///
/// ```
/// use tapegrad::{Tensor, linalg::solve_spd};
/// let a = Tensor::from_rows(&[[2.0, 0.0], [0.0, 4.0]]);
/// let x = solve_spd(&a, &Tensor::column(&[2.0, 2.0])).unwrap();
/// x.assert_close(&Tensor::column(&[1.0, 0.5]), 1e-15, 0.0);
/// ```
pub fn solve_spd(a: &Tensor, b: &Tensor) -> Result<Tensor, NotPositiveDefinite> {
    Ok(cholesky_solve(&cholesky(a)?, b))
}
