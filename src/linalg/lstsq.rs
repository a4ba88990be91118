//! Least squares in closed form, the reference every optimizer is checked against.
//!
//! For `X` (`N x p`) and `Y` (`N x k`):
//! - overdetermined, `N >= p`, full column rank: `θ* = argmin ||X θ − Y||`, from the pivoted
//!   QR `X P = Q R` as `θ* = P R⁻¹ (Qᵀ Y)[..p]` (never forming `XᵀX`, whose condition number
//!   is the square of `X`'s);
//! - underdetermined, `N < p`, full row rank: the minimum-norm solution
//!   `θ* = Xᵀ (X Xᵀ)⁻¹ Y`, from the QR of `Xᵀ`: `Xᵀ P = Q R` gives `θ* = Q [R⁻ᵀ Pᵀ Y; 0]`;
//! - the Euclidean projection of `a` onto `{θ : X θ = Y}`: `a − Xᵀ (X Xᵀ)⁻¹ (X a − Y)`,
//!   which is `a` plus the minimum-norm solution of `X z = Y − X a`;
//! - the scaled projection for a diagonal `H > 0`: `a − H⁻¹ Xᵀ (X H⁻¹ Xᵀ)⁻¹ (X a − Y)`, the
//!   Euclidean projection in the variables `u = H^½ θ`.
//!
//! [`lstsq`] on a rank-deficient `X` is an error that names the case and the rank found;
//! [`min_norm`] answers for any shape and rank (`X⁺ Y`). A NaN or infinite entry is an error
//! naming it, never a rank of 0.

use super::qr::Qr;
use super::scale;
use super::svd::pinv;
use crate::tensor::{Tensor, fmt_shape};
use std::fmt;

/// Why a least-squares problem has no unique answer of the kind asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LstsqError {
    /// `X` does not have full rank.
    RankDeficient {
        /// `"overdetermined (N >= p): needs full column rank"` or
        /// `"underdetermined (N < p): needs full row rank"`.
        case: &'static str,
        /// The shape of `X`.
        shape: (usize, usize),
        /// The rank found (see [`Qr::rank`]).
        rank: usize,
        /// The rank needed, `min(N, p)`.
        needed: usize,
    },
    /// An input has a NaN or an infinite entry.
    NonFinite {
        /// Which input: `"X"`, `"Y"` or `"a"`.
        what: &'static str,
        /// The entry's row and column.
        at: (usize, usize),
        /// The value found.
        value: String,
    },
}

impl fmt::Display for LstsqError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LstsqError::RankDeficient {
                case,
                shape,
                rank,
                needed,
            } => write!(
                f,
                "least squares, {case}: X {} has rank {rank}, needs {needed}",
                fmt_shape(*shape)
            ),
            LstsqError::NonFinite { what, at, value } => {
                write!(f, "least squares: {what} has a {value} at {at:?}")
            }
        }
    }
}

impl std::error::Error for LstsqError {}

/// The first NaN or infinite entry of `t`, as an error naming `what`.
fn check_finite(what: &'static str, t: &Tensor) -> Result<(), LstsqError> {
    match t.as_slice().iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(k) => Err(LstsqError::NonFinite {
            what,
            at: (k / t.cols(), k % t.cols()),
            value: t.as_slice()[k].to_string(),
        }),
    }
}

fn check_rows(op: &str, x: &Tensor, y: &Tensor) {
    assert!(
        x.rows() == y.rows(),
        "{op}: X {} and Y {} have different numbers of rows",
        fmt_shape(x.shape()),
        fmt_shape(y.shape())
    );
}

/// The least-squares solution of `X θ ≈ Y`: for `N >= p` the unique minimizer of
/// `||X θ − Y||` (full column rank needed), for `N < p` the minimum-norm solution of
/// `X θ = Y` (full row rank needed).
///
/// # Errors
/// [`LstsqError::RankDeficient`] naming the case and the rank found ([`min_norm`] gives the
/// minimum-norm least-squares solution for any rank); [`LstsqError::NonFinite`] naming the
/// first NaN or infinite entry of `X` or `Y`.
///
/// # Panics
/// If `X` and `Y` have different numbers of rows.
///
/// ```
/// use tapegrad::{Tensor, linalg::lstsq};
/// // The line through (0, 1), (1, 3), (2, 5): y = 1 + 2 t, columns [1, t].
/// let x = Tensor::from_rows(&[[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]);
/// let theta = lstsq(&x, &Tensor::column(&[1.0, 3.0, 5.0])).unwrap();
/// theta.assert_close(&Tensor::column(&[1.0, 2.0]), 1e-14, 1e-14);
/// ```
pub fn lstsq(x: &Tensor, y: &Tensor) -> Result<Tensor, LstsqError> {
    check_rows("lstsq", x, y);
    check_finite("X", x)?;
    check_finite("Y", y)?;
    unit_scaled(x, y, |x, y| {
        if x.rows() >= x.cols() {
            overdetermined(x, y)
        } else {
            full_row_rank(x, y)
        }
    })
}

/// Solves `X θ ≈ Y` as `(X 2^-a) θ' ≈ Y 2^-b` with both scaled exactly to unit size (so the
/// Householder norms neither overflow nor underflow), then `θ = θ' 2^(b − a)`.
fn unit_scaled(
    x: &Tensor,
    y: &Tensor,
    solve: impl FnOnce(&Tensor, &Tensor) -> Result<Tensor, LstsqError>,
) -> Result<Tensor, LstsqError> {
    let (ex, ey) = (scale::exponent(x), scale::exponent(y));
    let theta = solve(&scale::scaled(x, -ex), &scale::scaled(y, -ey))?;
    Ok(scale::scaled(&theta, ey - ex))
}

/// `θ* = argmin ||X θ − Y||` for `N >= p` by Householder QR (blocked, pivoted where the rank is in doubt: see [`Qr`]).
fn overdetermined(x: &Tensor, y: &Tensor) -> Result<Tensor, LstsqError> {
    let (n, p) = x.shape();
    let qr = Qr::new(x);
    let rank = qr.rank();
    if rank < p {
        return Err(LstsqError::RankDeficient {
            case: "overdetermined (N >= p): needs full column rank",
            shape: (n, p),
            rank,
            needed: p,
        });
    }
    let c = qr.apply_qt(y);
    let z = qr.solve_r(&c);
    // Undo the pivoting: θ[perm[j]] = z[j].
    let mut theta = Tensor::zeros(p, y.cols());
    for (j, &pj) in qr.perm().iter().enumerate() {
        for col in 0..y.cols() {
            theta[(pj, col)] = z[(j, col)];
        }
    }
    Ok(theta)
}

/// The minimum-norm least-squares solution `θ* = X⁺ Y` for any shape and rank: among the
/// minimizers of `||X θ − Y||`, the one of least norm. For `N <= p` with full row rank it is
/// `Xᵀ (X Xᵀ)⁻¹ Y`, the minimum-norm solution of `X θ = Y`, computed from the QR of `Xᵀ`;
/// otherwise from the SVD ([`pinv`], singular values below the rank tolerance dropped).
///
/// # Errors
/// [`LstsqError::NonFinite`] if `X` or `Y` has a NaN or infinite entry.
///
/// # Panics
/// If `X` and `Y` have different numbers of rows.
///
/// ```
/// use tapegrad::{Tensor, linalg::min_norm};
/// // One equation θ0 + θ1 = 2 in two unknowns: the minimum-norm solution is (1, 1).
/// let x = Tensor::from_rows(&[[1.0, 1.0]]);
/// let theta = min_norm(&x, &Tensor::scalar(2.0)).unwrap();
/// theta.assert_close(&Tensor::column(&[1.0, 1.0]), 1e-15, 1e-15);
/// ```
pub fn min_norm(x: &Tensor, y: &Tensor) -> Result<Tensor, LstsqError> {
    check_rows("min_norm", x, y);
    check_finite("X", x)?;
    check_finite("Y", y)?;
    unit_scaled(x, y, |x, y| {
        if x.rows() <= x.cols() {
            if let Ok(theta) = full_row_rank(x, y) {
                return Ok(theta);
            }
        }
        // Any other shape or rank: θ* = X⁺ Y by the SVD.
        Ok(pinv(x).matmul(y))
    })
}

/// The minimum-norm solution `Xᵀ (X Xᵀ)⁻¹ Y` for `N <= p` with full row rank, from the QR of
/// `Xᵀ`; the error names the rank found otherwise.
fn full_row_rank(x: &Tensor, y: &Tensor) -> Result<Tensor, LstsqError> {
    let (n, p) = x.shape();
    let qr = Qr::new(&x.t()); // Xᵀ P = Q R, so Pᵀ X = Rᵀ Qᵀ
    let rank = qr.rank();
    if rank < n {
        return Err(LstsqError::RankDeficient {
            case: "underdetermined (N < p): needs full row rank",
            shape: (n, p),
            rank,
            needed: n,
        });
    }
    // Rᵀ w = Pᵀ Y, then θ = Q [w; 0].
    let py = Tensor::from_fn(n, y.cols(), |i, j| y[(qr.perm()[i], j)]);
    let w = qr.solve_rt(&py);
    let padded = Tensor::from_fn(p, y.cols(), |i, j| if i < n { w[(i, j)] } else { 0.0 });
    Ok(qr.apply_q(&padded))
}

/// The Euclidean projection of `a` onto `{θ : X θ = Y}`: `a − Xᵀ (X Xᵀ)⁻¹ (X a − Y)`.
/// It is where gradient descent on `||X θ − Y||²` started at `a` converges.
///
/// For a rank-deficient `X` (or an inconsistent system) it projects onto the set of
/// least-squares solutions, `a + X⁺ (Y − X a)`.
///
/// # Errors
/// [`LstsqError::NonFinite`] if `X`, `Y` or `a` has a NaN or infinite entry.
///
/// # Panics
/// If the shapes disagree.
///
/// ```
/// use tapegrad::{Tensor, linalg::project};
/// // Onto the line θ0 + θ1 = 2 from a = (2, 0): the closest point is (2, 0) itself.
/// let x = Tensor::from_rows(&[[1.0, 1.0]]);
/// let p = project(&x, &Tensor::scalar(2.0), &Tensor::column(&[3.0, 1.0])).unwrap();
/// p.assert_close(&Tensor::column(&[2.0, 0.0]), 1e-15, 1e-15);
/// ```
pub fn project(x: &Tensor, y: &Tensor, a: &Tensor) -> Result<Tensor, LstsqError> {
    assert!(
        a.rows() == x.cols() && a.cols() == y.cols(),
        "project: X {} and Y {} need a of shape [{}x{}], got {}",
        fmt_shape(x.shape()),
        fmt_shape(y.shape()),
        x.cols(),
        y.cols(),
        fmt_shape(a.shape())
    );
    check_finite("a", a)?;
    let residual = y.sub(&x.matmul(a)); // Y − X a
    Ok(a.add(&min_norm(x, &residual)?))
}

/// The scaled projection of `a` onto `{θ : X θ = Y}` in the metric of the diagonal
/// `H = diag(h) > 0`: `a − H⁻¹ Xᵀ (X H⁻¹ Xᵀ)⁻¹ (X a − Y)`, computed as the Euclidean
/// projection in `u = H^½ θ`. It is where scaled gradient descent
/// `θ ← θ − γ H⁻¹ ∇f(θ)` started at `a` converges.
///
/// # Errors
/// [`LstsqError::NonFinite`] if `X`, `Y` or `a` has a NaN or infinite entry.
///
/// # Panics
/// If the shapes disagree, or an entry of `h` is not positive and finite.
///
/// ```
/// use tapegrad::{Tensor, linalg::{project, scaled_project}};
/// let x = Tensor::from_rows(&[[1.0, 1.0]]);
/// let (y, a) = (Tensor::scalar(2.0), Tensor::column(&[0.0, 0.0]));
/// // With H = I it is the Euclidean projection; with H = diag(1, 4) the cheap coordinate moves more.
/// let p = scaled_project(&x, &y, &a, &[1.0, 1.0]).unwrap();
/// p.assert_close(&project(&x, &y, &a).unwrap(), 1e-15, 1e-15);
/// let q = scaled_project(&x, &y, &a, &[1.0, 4.0]).unwrap();
/// q.assert_close(&Tensor::column(&[1.6, 0.4]), 1e-14, 1e-14);
/// ```
pub fn scaled_project(x: &Tensor, y: &Tensor, a: &Tensor, h: &[f64]) -> Result<Tensor, LstsqError> {
    assert!(
        h.len() == x.cols(),
        "scaled_project: X {} needs {} diagonal entries in h, got {}",
        fmt_shape(x.shape()),
        x.cols(),
        h.len()
    );
    assert!(
        h.iter().all(|&v| v > 0.0 && v.is_finite()),
        "scaled_project: H must be positive definite, got h = {h:?}"
    );
    let sqrt_h: Vec<f64> = h.iter().map(|v| v.sqrt()).collect();
    // X θ = (X H^-½)(H^½ θ): scale the columns of X by 1/sqrt(h_j) and a's rows by sqrt(h_j).
    let x_u = Tensor::from_fn(x.rows(), x.cols(), |i, j| x[(i, j)] / sqrt_h[j]);
    let a_u = Tensor::from_fn(a.rows(), a.cols(), |i, j| a[(i, j)] * sqrt_h[i]);
    let u = project(&x_u, y, &a_u)?;
    Ok(Tensor::from_fn(u.rows(), u.cols(), |i, j| {
        u[(i, j)] / sqrt_h[i]
    }))
}
