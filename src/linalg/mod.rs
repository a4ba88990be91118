//! The crate's own linear algebra: no linear-algebra dependency.
//!
//! - [`matmul`]: `C <- C + A B` kernels (and `A Bᵀ`, `Aᵀ B`), with a naive oracle for tests;
//! - [`qr`]: Householder QR with column pivoting, which reveals the numerical rank;
//! - [`cholesky`](mod@cholesky): `A = L Lᵀ` and solves for symmetric positive definite systems;
//! - [`lstsq`](mod@lstsq): least squares (overdetermined), minimum-norm solutions (underdetermined), and
//!   the Euclidean and scaled projections onto the solution set;
//! - [`norms`]: the spectral norm by power iteration, the smoothness constant `β` of the MSE
//!   loss, and a condition-number estimate.

pub mod cholesky;
pub mod lstsq;
pub mod matmul;
pub mod norms;
pub mod qr;

pub use cholesky::{NotPositiveDefinite, cholesky, cholesky_solve, solve_spd};
pub use lstsq::{LstsqError, lstsq, min_norm, project, scaled_project};
pub use norms::{PowerIteration, condition_number, mse_smoothness, power_iteration, spectral_norm};
pub use qr::Qr;
