//! Gradient checking: reverse-mode gradients against central finite differences.
//!
//! Point [`gradcheck`] at any scalar function of one or more tensors written with tape ops;
//! it records the function on a tape, runs [`Tape::backward`], and compares every entry of
//! every input's gradient with a finite-difference estimate.
//!
//! # The estimate and its defaults (why they suit f64)
//! For entry `x` of an input, with step `h = step * max(1, |x|)`, the fourth-order central
//! difference
//!
//! ```text
//! n = [8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))] / (12 h)
//! ```
//!
//! has truncation error `h^4 |f^(5)| / 30` and rounding error about `eps |f| / h`
//! (`eps = 2.2e-16`). The two balance near `h = eps^(1/5) ≈ 7e-4`, the default `step`,
//! where both are around `1e-13` relative to `f`: five orders of magnitude below the default
//! tolerance `1e-6`. (The plain two-point difference, `step = eps^(1/3) ≈ 6e-6`, reaches only
//! about `1e-10` and is available as [`Stencil::TwoPoint`].)
//!
//! Each entry is scored by the relative error `|a - n| / max(|a|, |n|, floor)` with analytic
//! `a` and numeric `n`. The floor (default `1e-3`) keeps a true zero gradient, whose numeric
//! estimate is rounding noise, from being scored as a 100% error; above the floor the score
//! is a plain relative error.
//!
//! Second derivatives: [`gradgradcheck`] checks the Hessian-vector product `H v` of
//! [`crate::hessian::hvp`] (reverse mode over the reverse pass) against finite differences of
//! the gradient, with the same estimate and settings.
//!
//! For code that is not on the tape (a hand-written backward pass, a Jacobian, a
//! vector-Jacobian or Jacobian-vector product, a Hessian): [`check_gradient`],
//! [`check_jacobian`], [`check_vjp`], [`check_jvp`], [`check_hessian`]: same estimate, same
//! defaults, and the same [`Report`], which names the parameter block at fault (with a
//! [layout](Options::layout)) and the pattern of the error.
//!
//! Every check is a free function with the default settings, and a method of [`Options`]
//! with others: `Options::new().tolerance(1e-8).layout(&params).check_gradient(f, &theta)`.
//!
//! The function must be smooth within `2h` of the point: keep inputs away from kinks
//! (`relu`, `abs` at 0) and from the edges of domains (`ln`, `sqrt` at 0).

mod closures;
mod options;
mod report;

pub use options::Options;
pub use report::{Block, Diagnosis, Report, Worst};

use crate::tape::{Tape, Var};
use crate::tensor::Tensor;

/// The finite-difference formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stencil {
    /// `(f(x+h) - f(x-h)) / 2h`: error `O(h^2)`; use `step ≈ 6e-6`.
    TwoPoint,
    /// `[8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))] / 12h`: error `O(h^4)`; use `step ≈ 7e-4`.
    FourPoint,
}

impl Stencil {
    /// The formula itself, entrywise over the outputs of `at(s) = f(x + s h)`: every
    /// finite-difference estimate in the crate (gradients, Jacobians, Hessian-vector
    /// products) is this one function.
    pub(crate) fn derivative(self, h: f64, mut at: impl FnMut(f64) -> Vec<f64>) -> Vec<f64> {
        let (p1, m1) = (at(1.0), at(-1.0));
        match self {
            Stencil::TwoPoint => p1
                .iter()
                .zip(&m1)
                .map(|(a, b)| (a - b) / (2.0 * h))
                .collect(),
            Stencil::FourPoint => {
                let (p2, m2) = (at(2.0), at(-2.0));
                (0..p1.len())
                    .map(|i| (8.0 * (p1[i] - m1[i]) - (p2[i] - m2[i])) / (12.0 * h))
                    .collect()
            }
        }
    }
}

/// Checks the reverse-mode gradient of `f` at `inputs` against finite differences, with the
/// default [`Options`] ([`Options::gradcheck`] with others).
///
/// `f` receives a fresh tape and the inputs recorded on it as leaves, and returns a `1x1`
/// loss. The report's blocks are the inputs, `input 0`, `input 1`, ...
///
/// ```
/// use tapegrad::{gradcheck::gradcheck, Tensor};
/// let x = Tensor::from_rows(&[[0.5, -1.5], [2.0, 0.25]]);
/// let report = gradcheck(|_tape, v| (v[0].sigmoid() * v[0]).sum(), &[x]);
/// assert!(report.passed(), "{report}");
/// ```
///
/// # Panics
/// If `f` returns a value that is not `1x1`.
pub fn gradcheck<F>(f: F, inputs: &[Tensor]) -> Report
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    Options::new().gradcheck(f, inputs)
}

/// Checks `H v` from [`hvp`](crate::hessian::hvp) (reverse mode over the reverse pass)
/// against finite differences of the gradient along `v`,
/// `[8 (g(θ + h v) − g(θ − h v)) − (g(θ + 2h v) − g(θ − 2h v))] / 12h`, entry by entry, with
/// the default [`Options`] (`h = step · max(1, max|θ|) / max(1, max|v|)`).
///
/// # Panics
/// As [`hvp`](crate::hessian::hvp).
///
/// ```
/// use tapegrad::{Tensor, gradcheck::gradgradcheck};
/// let x = Tensor::row(&[0.3, -0.4]);
/// let v = Tensor::row(&[1.0, 2.0]);
/// let r = gradgradcheck(|_, t| t[0].tanh().square().sum(), &[x], &[v]);
/// assert!(r.passed(), "{r}");
/// ```
pub fn gradgradcheck<F>(f: F, theta: &[Tensor], v: &[Tensor]) -> Report
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    Options::new().gradgradcheck(f, theta, v)
}

/// Checks a hand-written gradient: `f(θ) = (value, ∇f(θ))` against finite differences of the
/// value, with the default [`Options`] (with a [layout](Options::layout), the report names
/// each parameter).
///
/// ```
/// use tapegrad::gradcheck::{Diagnosis, check_gradient};
/// // f(θ) = Σ θ_i², whose gradient is 2θ; the buggy version forgot the 2.
/// let good = |t: &[f64]| (t.iter().map(|x| x * x).sum(), t.iter().map(|x| 2.0 * x).collect());
/// let bad = |t: &[f64]| (t.iter().map(|x| x * x).sum(), t.to_vec());
/// assert!(check_gradient(good, &[0.5, -1.5]).passed());
/// let r = check_gradient(bad, &[0.5, -1.5]);
/// assert!(!r.passed());
/// assert_eq!(r.blocks[0].diagnosis.clamp_ratio(), Diagnosis::Factor(2.0));   // "a missing factor 2"
/// ```
pub fn check_gradient(f: impl Fn(&[f64]) -> (f64, Vec<f64>), theta: &[f64]) -> Report {
    Options::new().check_gradient(f, theta)
}

/// Checks a hand-written Jacobian: `f(θ) = (y, J)` with `J` of shape `m x n`
/// (`J_ij = ∂y_i/∂θ_j`) against finite differences of `y`.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad::gradcheck::check_jacobian;
/// // y = (θ0 θ1, θ0²): J = [[θ1, θ0], [2θ0, 0]].
/// let f = |t: &[f64]| (vec![t[0] * t[1], t[0] * t[0]], Tensor::from_rows(&[[t[1], t[0]], [2.0 * t[0], 0.0]]));
/// assert!(check_jacobian(f, &[1.5, -2.0]).passed());
/// ```
pub fn check_jacobian(f: impl Fn(&[f64]) -> (Vec<f64>, Tensor), theta: &[f64]) -> Report {
    Options::new().check_jacobian(f, theta)
}

/// Checks a hand-written vector-Jacobian product `vjp(θ, v) = Jᵀv` (a backward pass) of the
/// function `y(θ)`, for the output weights `v`: against `vᵀ` times the numeric Jacobian.
///
/// # Panics
/// If `v` does not have one entry per output.
///
/// ```
/// use tapegrad::gradcheck::check_vjp;
/// // y = (θ0 θ1, θ0²), Jᵀv = (v0 θ1 + 2 v1 θ0, v0 θ0).
/// let y = |t: &[f64]| vec![t[0] * t[1], t[0] * t[0]];
/// let vjp = |t: &[f64], v: &[f64]| vec![v[0] * t[1] + 2.0 * v[1] * t[0], v[0] * t[0]];
/// assert!(check_vjp(y, vjp, &[1.5, -2.0], &[0.3, -0.7]).passed());
/// ```
pub fn check_vjp(
    y: impl Fn(&[f64]) -> Vec<f64>,
    vjp: impl Fn(&[f64], &[f64]) -> Vec<f64>,
    theta: &[f64],
    v: &[f64],
) -> Report {
    Options::new().check_vjp(y, vjp, theta, v)
}

/// Checks a hand-written Jacobian-vector product `jvp(θ, u) = J u` (forward mode) of `y(θ)`,
/// against the numeric Jacobian times `u`.
///
/// # Panics
/// If `u` does not have one entry per input.
///
/// ```
/// use tapegrad::gradcheck::check_jvp;
/// let y = |t: &[f64]| vec![t[0] * t[1], t[0] * t[0]];
/// let jvp = |t: &[f64], u: &[f64]| vec![t[1] * u[0] + t[0] * u[1], 2.0 * t[0] * u[0]];
/// assert!(check_jvp(y, jvp, &[1.5, -2.0], &[1.0, 0.5]).passed());
/// ```
pub fn check_jvp(
    y: impl Fn(&[f64]) -> Vec<f64>,
    jvp: impl Fn(&[f64], &[f64]) -> Vec<f64>,
    theta: &[f64],
    u: &[f64],
) -> Report {
    Options::new().check_jvp(y, jvp, theta, u)
}

/// Checks a hand-written Hessian `hessian(θ)` (`n x n`) against the tape's exact one of the
/// same function `f`, written with tape ops over `θ` as one row (with a
/// [layout](Options::layout): over one input per parameter). The reference is exact, so the
/// tolerance is `1e-8`.
///
/// ```
/// use tapegrad::gradcheck::check_hessian;
/// use tapegrad::Tensor;
/// // f(x) = Σ x_i³: H = diag(6 x).
/// let hand = |t: &[f64]| Tensor::from_fn(2, 2, |i, j| if i == j { 6.0 * t[i] } else { 0.0 });
/// assert!(check_hessian(hand, |_, v| v[0].powi(3).sum(), &[1.0, -2.0]).passed());
/// ```
pub fn check_hessian<F>(hessian: impl Fn(&[f64]) -> Tensor, f: F, theta: &[f64]) -> Report
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    Options::new()
        .tolerance(1e-8)
        .check_hessian(hessian, f, theta)
}

/// Runs [`gradcheck`] and panics with the report if it fails: the assertion for tests.
///
/// # Panics
/// If any entry's relative error exceeds the tolerance.
///
/// ```
/// use tapegrad::{Tensor, gradcheck::assert_gradcheck};
/// // Panics with the worst entry if reverse mode and finite differences disagree.
/// assert_gradcheck(|_, x| x[0].sigmoid().ln().sum(), &[Tensor::row(&[-1.0, 0.5, 3.0])]);
/// ```
#[track_caller]
pub fn assert_gradcheck<F>(f: F, inputs: &[Tensor])
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    let report = gradcheck(f, inputs);
    assert!(report.passed(), "{report}");
}
