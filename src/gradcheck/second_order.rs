//! Second derivatives checked: `H v` by reverse mode over the reverse pass
//! ([`crate::hessian::hvp`]) against finite differences of the gradient.

use super::{GradcheckConfig, GradcheckReport, Mismatch};
use crate::hessian::hvp;
use crate::tape::{Tape, Var};
use crate::tensor::{Tensor, rel_diff};

/// Checks `H v` from [`hvp`] against finite differences of the gradient along `v`,
/// `[8 (g(θ + h v) − g(θ − h v)) − (g(θ + 2h v) − g(θ − 2h v))] / 12h`, entry by entry, with the
/// settings of [`GradcheckConfig`] (`h = step · max(1, max|θ|) / max(1, max|v|)`; see
/// [`crate::gradcheck`] for why the defaults suit f64).
///
/// # Panics
/// As [`hvp`].
///
/// ```
/// use tapegrad::{Tensor, gradcheck::gradgradcheck};
/// // H v by reverse over reverse against finite differences of the gradient.
/// let x = Tensor::row(&[0.3, -0.4]);
/// let v = Tensor::row(&[1.0, 2.0]);
/// let r = gradgradcheck(|_, t| t[0].tanh().square().sum(), &[x], &[v]);
/// assert!(r.passed(), "{r}");
/// ```
pub fn gradgradcheck<F>(f: F, theta: &[Tensor], v: &[Tensor]) -> GradcheckReport
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    gradgradcheck_with(GradcheckConfig::default(), f, theta, v)
}

/// [`gradgradcheck`] with explicit settings.
///
/// # Panics
/// As [`hvp`].
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad::gradcheck::{GradcheckConfig, gradgradcheck_with};
/// let config = GradcheckConfig { tolerance: 1e-8, ..GradcheckConfig::default() };
/// let r = gradgradcheck_with(config, |_, t| t[0].exp().sum(), &[Tensor::row(&[0.1])], &[Tensor::row(&[1.0])]);
/// assert!(r.passed(), "{r}");
/// ```
pub fn gradgradcheck_with<F>(
    config: GradcheckConfig,
    f: F,
    theta: &[Tensor],
    v: &[Tensor],
) -> GradcheckReport
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    let exact = hvp(&f, theta, v);
    let scale = |ts: &[Tensor]| ts.iter().map(Tensor::max_abs).fold(1.0f64, f64::max);
    let h = config.step * scale(theta) / scale(v);
    // The gradient at θ + s h v, all inputs' entries in one flat vector.
    let grad_at = |s: f64| -> Vec<f64> {
        let tape = Tape::new();
        let xs: Vec<Var<'_>> = theta
            .iter()
            .zip(v)
            .map(|(t, d)| tape.leaf(t.add(&d.scale(s * h))))
            .collect();
        let y = f(&tape, &xs);
        let g = tape.backward(y);
        xs.iter().flat_map(|&x| g[x].as_slice().to_vec()).collect()
    };
    let flat = config.stencil.derivative(h, grad_at);
    let mut offset = 0;
    let numeric: Vec<Tensor> = theta
        .iter()
        .map(|t| {
            let part =
                Tensor::from_vec(t.rows(), t.cols(), flat[offset..offset + t.len()].to_vec());
            offset += t.len();
            part
        })
        .collect();
    let mut worst: Option<Mismatch> = None;
    let mut entries = 0;
    for (input, (a, n)) in exact.hv.iter().zip(&numeric).enumerate() {
        for (k, (&ak, &nk)) in a.as_slice().iter().zip(n.as_slice()).enumerate() {
            let rel_error = rel_diff(ak, nk, config.floor);
            entries += 1;
            if worst.is_none_or(|w| rel_error > w.rel_error) {
                let cols = a.cols().max(1);
                worst = Some(Mismatch {
                    input,
                    index: (k / cols, k % cols),
                    analytic: ak,
                    numeric: nk,
                    rel_error,
                });
            }
        }
    }
    GradcheckReport {
        check: "gradgradcheck",
        config,
        value: exact.value,
        entries,
        worst,
    }
}
