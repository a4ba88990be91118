//! The crate's own linear algebra: no linear-algebra dependency.
//!
//! - [`matmul`]: `C <- C + A B` kernels (and `A Bᵀ`, `Aᵀ B`), with a naive oracle for tests;
//! - [`qr`]: Householder QR, blocked, with column pivoting (which reveals the numerical rank)
//!   where the rank is in doubt;
//! - [`cholesky`](mod@cholesky): `A = L Lᵀ` and solves for symmetric positive definite systems;
//! - [`compress`]: [`mse_equivalent`], `2(p + 1)` rows with the mean squared error of `N`;
//! - [`lstsq`](mod@lstsq): least squares (overdetermined), minimum-norm solutions (underdetermined), and
//!   the Euclidean and scaled projections onto the solution set;
//! - [`norms`]: the spectral norm by power iteration, the smoothness constant `β` of the MSE
//!   loss, and a fast condition-number estimate ([`condition_estimate`]);
//! - [`eig`](mod@eig): the symmetric eigendecomposition (cyclic Jacobi);
//! - [`svd`](mod@svd): the SVD of any shape (one-sided Jacobi), [`rank`], [`null_space`], [`pinv`]
//!   and the exact condition number [`condition_number`].

pub mod cholesky;
pub mod compress;
pub mod eig;
mod householder;
pub mod lstsq;
pub mod matmul;
pub mod norms;
pub mod qr;
mod scale;
pub mod svd;

pub use cholesky::{NotPositiveDefinite, cholesky, cholesky_solve, solve_spd};
pub use compress::mse_equivalent;
pub use eig::{SymEig, sym_eig};
pub use lstsq::{LstsqError, lstsq, min_norm, project, scaled_project};
pub use norms::{
    PowerIteration, condition_estimate, mse_smoothness, power_iteration, spectral_norm,
};
pub use qr::Qr;
pub use svd::{Svd, condition_number, null_space, pinv, rank, singular_values_via_gram, svd};
