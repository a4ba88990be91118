//! Gradient checks for code that is not on the tape: a hand-written `θ ↦ (f, ∇f)` (the form
//! the optimizers take), a hand-written Jacobian `θ ↦ (y, J)`, and vector-Jacobian or
//! Jacobian-vector products. Each is compared entry by entry with the finite differences of
//! the module docs, and the report says where it is wrong: the worst entry (by parameter name
//! when a [`Params`] layout is given), and per named block a [`Diagnosis`] of the pattern (a
//! constant factor, a sign flip, a transposed block).

pub use super::report::{Block, Diagnosis, Report, Worst};

use super::GradcheckConfig;
use super::report::compare;
use crate::params::Params;
use crate::tensor::Tensor;

/// The finite-difference derivative of each output of `f` with respect to `θ_j`, for all j:
/// an `m x n` matrix (row `i`: output `i`).
fn numeric_jacobian(
    config: &GradcheckConfig,
    f: &dyn Fn(&[f64]) -> Vec<f64>,
    theta: &[f64],
) -> Tensor {
    let m = f(theta).len();
    let mut jac = Tensor::zeros(m, theta.len());
    let mut x = theta.to_vec();
    for j in 0..theta.len() {
        let h = config.step * theta[j].abs().max(1.0);
        let col = config.stencil.derivative(h, |s| {
            x[j] = theta[j] + s * h;
            let y = f(&x);
            x[j] = theta[j];
            y
        });
        for (i, v) in col.into_iter().enumerate() {
            jac[(i, j)] = v;
        }
    }
    jac
}

/// Checks a hand-written gradient: `f(θ) = (value, ∇f(θ))` against finite differences of the
/// value. With a `layout` (the model's [`Params`]), the report names each parameter.
///
/// ```
/// use tapegrad::gradcheck::closures::{Diagnosis, check_gradient};
/// // f(θ) = Σ θ_i², whose gradient is 2θ; the buggy version forgot the 2.
/// let good = |t: &[f64]| (t.iter().map(|x| x * x).sum(), t.iter().map(|x| 2.0 * x).collect());
/// let bad = |t: &[f64]| (t.iter().map(|x| x * x).sum(), t.to_vec());
/// assert!(check_gradient(good, &[0.5, -1.5], None).passed());
/// let r = check_gradient(bad, &[0.5, -1.5], None);
/// assert!(!r.passed());
/// assert_eq!(r.blocks[0].diagnosis.clamp_ratio(), Diagnosis::Factor(2.0));   // "a missing factor 2"
/// ```
pub fn check_gradient(
    f: impl Fn(&[f64]) -> (f64, Vec<f64>),
    theta: &[f64],
    layout: Option<&Params>,
) -> Report {
    check_gradient_with(GradcheckConfig::default(), f, theta, layout)
}

/// [`check_gradient`] with explicit settings.
pub fn check_gradient_with(
    config: GradcheckConfig,
    f: impl Fn(&[f64]) -> (f64, Vec<f64>),
    theta: &[f64],
    layout: Option<&Params>,
) -> Report {
    let (_, g) = f(theta);
    assert!(
        g.len() == theta.len(),
        "check_gradient: theta has {} entries, the gradient {}",
        theta.len(),
        g.len()
    );
    let numeric = numeric_jacobian(&config, &|t| vec![f(t).0], theta);
    compare("gradient", config, layout, &Tensor::row(&g), &numeric)
}

/// Checks a hand-written Jacobian: `f(θ) = (y, J)` with `J` of shape `m x n` (`J_ij =
/// ∂y_i/∂θ_j`) against finite differences of `y`.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad::gradcheck::closures::check_jacobian;
/// // y = (θ0 θ1, θ0²): J = [[θ1, θ0], [2θ0, 0]].
/// let f = |t: &[f64]| (vec![t[0] * t[1], t[0] * t[0]], Tensor::from_rows(&[[t[1], t[0]], [2.0 * t[0], 0.0]]));
/// assert!(check_jacobian(f, &[1.5, -2.0], None).passed());
/// ```
pub fn check_jacobian(
    f: impl Fn(&[f64]) -> (Vec<f64>, Tensor),
    theta: &[f64],
    layout: Option<&Params>,
) -> Report {
    let config = GradcheckConfig::default();
    let (_, j) = f(theta);
    let numeric = numeric_jacobian(&config, &|t| f(t).0, theta);
    compare("jacobian", config, layout, &j, &numeric)
}

/// Checks a hand-written vector-Jacobian product `vjp(θ, v) = Jᵀv` (a backward pass) of the
/// function `y(θ)`, for the output weights `v`: against `vᵀ` times the numeric Jacobian.
///
/// ```
/// use tapegrad::gradcheck::closures::check_vjp;
/// // y = (θ0 θ1, θ0²), Jᵀv = (v0 θ1 + 2 v1 θ0, v0 θ0).
/// let y = |t: &[f64]| vec![t[0] * t[1], t[0] * t[0]];
/// let vjp = |t: &[f64], v: &[f64]| vec![v[0] * t[1] + 2.0 * v[1] * t[0], v[0] * t[0]];
/// assert!(check_vjp(y, vjp, &[1.5, -2.0], &[0.3, -0.7], None).passed());
/// ```
pub fn check_vjp(
    y: impl Fn(&[f64]) -> Vec<f64>,
    vjp: impl Fn(&[f64], &[f64]) -> Vec<f64>,
    theta: &[f64],
    v: &[f64],
    layout: Option<&Params>,
) -> Report {
    let config = GradcheckConfig::default();
    let numeric = numeric_jacobian(&config, &y, theta);
    assert!(
        v.len() == numeric.rows(),
        "check_vjp: v has {} entries for {} outputs",
        v.len(),
        numeric.rows()
    );
    let want = Tensor::row(v).matmul(&numeric);
    compare("vjp", config, layout, &Tensor::row(&vjp(theta, v)), &want)
}

/// Checks a hand-written Jacobian-vector product `jvp(θ, u) = J u` (forward mode) of `y(θ)`.
///
/// ```
/// use tapegrad::gradcheck::closures::check_jvp;
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
    let config = GradcheckConfig::default();
    let numeric = numeric_jacobian(&config, &y, theta);
    assert!(
        u.len() == theta.len(),
        "check_jvp: u has {} entries for {} inputs",
        u.len(),
        theta.len()
    );
    let want = numeric.matmul(&Tensor::column(u)).t();
    let got = Tensor::row(&jvp(theta, u));
    compare("jvp", config, None, &got, &want)
}

/// Checks a hand-written Hessian `hessian(θ)` (`n x n`) against the tape's exact one of the
/// same function `f` (written with tape ops over the inputs `θ`, as [`crate::hessian`] takes it).
///
/// ```
/// use tapegrad::{Tensor, gradcheck::closures::check_hessian};
/// // f(x) = Σ x_i³: H = diag(6 x).
/// let x = [Tensor::row(&[1.0, -2.0])];
/// let hand = |t: &[f64]| Tensor::from_fn(2, 2, |i, j| if i == j { 6.0 * t[i] } else { 0.0 });
/// assert!(check_hessian(hand, |_, v| v[0].powi(3).sum(), &x).passed());
/// ```
pub fn check_hessian<F>(hessian: impl Fn(&[f64]) -> Tensor, f: F, theta: &[Tensor]) -> Report
where
    F: for<'t> Fn(&'t crate::Tape, &[crate::Var<'t>]) -> crate::Var<'t>,
{
    let flat: Vec<f64> = theta.iter().flat_map(|t| t.as_slice().to_vec()).collect();
    let exact = crate::hessian::hessian(f, theta);
    let config = GradcheckConfig {
        tolerance: 1e-8,
        ..GradcheckConfig::default()
    };
    compare("hessian", config, None, &hessian(&flat), &exact)
}
