//! Checks of code that is not on the tape: a hand-written `θ ↦ (f, ∇f)` (the form the
//! optimizers take), a hand-written Jacobian `θ ↦ (y, J)`, vector-Jacobian and
//! Jacobian-vector products, and a hand-written Hessian. Each is compared entry by entry with
//! the finite differences of the [module docs](crate::gradcheck) (the Hessian with the tape's
//! exact one), and the [`Report`] says where it is wrong: the worst entry (by parameter name
//! with a [layout](Options::layout)), and per block a [`Diagnosis`](super::Diagnosis) of the
//! pattern (a constant factor, a sign flip, a transposed block).

use super::Options;
use super::report::{Report, compare};
use crate::params::Params;
use crate::tape::{Tape, Var};
use crate::tensor::Tensor;

/// The finite-difference derivative of each output of `f` with respect to `θ_j`, for all j:
/// an `m x n` matrix (row `i`: output `i`).
fn numeric_jacobian(o: &Options<'_>, f: &dyn Fn(&[f64]) -> Vec<f64>, theta: &[f64]) -> Tensor {
    let m = f(theta).len();
    let mut jac = Tensor::zeros(m, theta.len());
    let mut x = theta.to_vec();
    for j in 0..theta.len() {
        let h = o.step * theta[j].abs().max(1.0);
        let col = o.stencil.derivative(h, |s| {
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

impl Options<'_> {
    /// [`check_gradient`](super::check_gradient) with these settings.
    pub fn check_gradient(&self, f: impl Fn(&[f64]) -> (f64, Vec<f64>), theta: &[f64]) -> Report {
        let (value, g) = f(theta);
        assert!(
            g.len() == theta.len(),
            "check_gradient: theta has {} entries, the gradient {}",
            theta.len(),
            g.len()
        );
        let numeric = numeric_jacobian(self, &|t| vec![f(t).0], theta);
        compare("gradient", self, Some(value), &Tensor::row(&g), &numeric)
    }

    /// [`check_jacobian`](super::check_jacobian) with these settings.
    pub fn check_jacobian(
        &self,
        f: impl Fn(&[f64]) -> (Vec<f64>, Tensor),
        theta: &[f64],
    ) -> Report {
        let (_, j) = f(theta);
        let numeric = numeric_jacobian(self, &|t| f(t).0, theta);
        compare("jacobian", self, None, &j, &numeric)
    }

    /// [`check_vjp`](super::check_vjp) with these settings.
    ///
    /// # Panics
    /// If `v` does not have one entry per output.
    pub fn check_vjp(
        &self,
        y: impl Fn(&[f64]) -> Vec<f64>,
        vjp: impl Fn(&[f64], &[f64]) -> Vec<f64>,
        theta: &[f64],
        v: &[f64],
    ) -> Report {
        let numeric = numeric_jacobian(self, &y, theta);
        assert!(
            v.len() == numeric.rows(),
            "check_vjp: v has {} entries for {} outputs",
            v.len(),
            numeric.rows()
        );
        let want = Tensor::row(v).matmul(&numeric);
        compare("vjp", self, None, &Tensor::row(&vjp(theta, v)), &want)
    }

    /// [`check_jvp`](super::check_jvp) with these settings.
    ///
    /// # Panics
    /// If `u` does not have one entry per input.
    pub fn check_jvp(
        &self,
        y: impl Fn(&[f64]) -> Vec<f64>,
        jvp: impl Fn(&[f64], &[f64]) -> Vec<f64>,
        theta: &[f64],
        u: &[f64],
    ) -> Report {
        let numeric = numeric_jacobian(self, &y, theta);
        assert!(
            u.len() == theta.len(),
            "check_jvp: u has {} entries for {} inputs",
            u.len(),
            theta.len()
        );
        // J u as a row per output: each output's derivative along u is one block entry.
        let want = numeric.matmul(&Tensor::column(u)).t();
        let got = Tensor::row(&jvp(theta, u));
        let plain = Options {
            layout: None,
            ..*self
        };
        compare("jvp", &plain, None, &got, &want)
    }

    /// [`check_hessian`](super::check_hessian) with these settings (default tolerance here
    /// `1e-8`: the reference is exact, not a finite difference).
    pub fn check_hessian<F>(
        &self,
        hessian: impl Fn(&[f64]) -> Tensor,
        f: F,
        theta: &[f64],
    ) -> Report
    where
        F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
    {
        let inputs = split(self.layout, theta);
        let exact = crate::hessian::hessian(f, &inputs);
        compare("hessian", self, None, &hessian(theta), &exact)
    }
}

/// `θ` as the layout's tensors, or as one row without a layout.
fn split(layout: Option<&Params>, theta: &[f64]) -> Vec<Tensor> {
    match layout {
        Some(p) => {
            assert!(
                p.len() == theta.len(),
                "check_hessian: the layout has {} values, theta has {}",
                p.len(),
                theta.len()
            );
            p.views()
                .iter()
                .map(|v| Tensor::from_slice(v.rows, v.cols, &theta[v.offset..v.offset + v.len()]))
                .collect()
        }
        None => vec![Tensor::row(theta)],
    }
}
