//! [`Options`]: the one settings type of every check, and every check as its method (the
//! free functions of [`crate::gradcheck`] are these with the defaults).

use super::Stencil;
use super::report::{Report, compare};
use crate::hessian::hvp;
use crate::params::Params;
use crate::tape::{Tape, Var};
use crate::tensor::Tensor;

/// Settings of a check: the finite-difference step and [`Stencil`], the floor below which an
/// error is measured absolutely, the tolerance, and (for a flat `θ`) the [`Params`] layout that
/// names its blocks. See the [module docs](crate::gradcheck) for why the defaults suit f64.
///
/// ```
/// use tapegrad::gradcheck::{Options, Stencil};
/// use tapegrad::Tensor;
/// let two_point = Options::new().stencil(Stencil::TwoPoint).step(6e-6);
/// let r = two_point.gradcheck(|_, x| x[0].sin().sum(), &[Tensor::row(&[0.3, 0.7])]);
/// assert!(r.passed(), "{r}");
/// assert_eq!(r.stencil, Stencil::TwoPoint);
/// ```
#[derive(Clone, Copy, Debug)]
#[must_use]
pub struct Options<'a> {
    pub(super) step: f64,
    pub(super) stencil: Stencil,
    pub(super) floor: f64,
    pub(super) tolerance: f64,
    pub(super) layout: Option<&'a Params>,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            step: 7e-4,
            stencil: Stencil::FourPoint,
            floor: 1e-3,
            tolerance: 1e-6,
            layout: None,
        }
    }
}

impl<'a> Options<'a> {
    /// The defaults: `step` 7e-4, [`Stencil::FourPoint`], `floor` 1e-3, `tolerance` 1e-6, no
    /// layout.
    pub fn new() -> Options<'a> {
        Options::default()
    }

    /// Relative step: `h = step · max(1, |x|)` (default `7e-4 ≈ eps^(1/5)`).
    pub fn step(mut self, step: f64) -> Options<'a> {
        self.step = step;
        self
    }

    /// The finite-difference formula (default [`Stencil::FourPoint`]).
    pub fn stencil(mut self, stencil: Stencil) -> Options<'a> {
        self.stencil = stencil;
        self
    }

    /// Magnitude below which errors are measured absolutely (default `1e-3`).
    pub fn floor(mut self, floor: f64) -> Options<'a> {
        self.floor = floor;
        self
    }

    /// Largest relative error that passes (default `1e-6`).
    pub fn tolerance(mut self, tolerance: f64) -> Options<'a> {
        self.tolerance = tolerance;
        self
    }

    /// The layout of a flat `θ`: the report names each parameter block and its pattern of
    /// error, and [`Options::check_hessian`] gives the function one input per parameter.
    pub fn layout(mut self, params: &'a Params) -> Options<'a> {
        self.layout = Some(params);
        self
    }

    /// [`gradcheck`](super::gradcheck) with these settings (a layout is not used: the
    /// inputs are the blocks, `input 0`, `input 1`, ...).
    ///
    /// # Panics
    /// If `f` returns a value that is not `1x1`.
    pub fn gradcheck<F>(&self, f: F, inputs: &[Tensor]) -> Report
    where
        F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
    {
        fn scalar(y: Var<'_>) -> Var<'_> {
            assert!(
                y.shape() == (1, 1),
                "gradcheck: the function must return a [1x1] scalar, got [{}x{}]",
                y.shape().0,
                y.shape().1
            );
            y
        }
        let eval = |xs: &[Tensor]| -> f64 {
            let tape = Tape::new();
            let vars: Vec<Var<'_>> = xs.iter().map(|x| tape.leaf(x)).collect();
            scalar(f(&tape, &vars)).item()
        };
        let tape = Tape::new();
        let vars: Vec<Var<'_>> = inputs.iter().map(|x| tape.leaf(x)).collect();
        let y = scalar(f(&tape, &vars));
        let value = y.item();
        let grads = tape.backward(y);
        let analytic: Vec<f64> = vars
            .iter()
            .flat_map(|v| grads[*v].as_slice().to_vec())
            .collect();
        let mut numeric = Vec::with_capacity(analytic.len());
        let mut xs = inputs.to_vec();
        for input in 0..xs.len() {
            for k in 0..xs[input].len() {
                let x0 = xs[input].as_slice()[k];
                let h = self.step * x0.abs().max(1.0);
                numeric.push(
                    self.stencil.derivative(h, |s| {
                        xs[input].as_mut_slice()[k] = x0 + s * h;
                        let v = eval(&xs);
                        xs[input].as_mut_slice()[k] = x0;
                        vec![v]
                    })[0],
                );
            }
        }
        self.inputs_report("gradcheck", Some(value), inputs, analytic, numeric)
    }

    /// [`gradgradcheck`](super::gradgradcheck) with these settings.
    ///
    /// # Panics
    /// As [`hvp`].
    pub fn gradgradcheck<F>(&self, f: F, theta: &[Tensor], v: &[Tensor]) -> Report
    where
        F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
    {
        let exact = hvp(&f, theta, v);
        let scale = |ts: &[Tensor]| ts.iter().map(Tensor::max_abs).fold(1.0f64, f64::max);
        let h = self.step * scale(theta) / scale(v);
        // The gradient at θ + s h v, all inputs' entries in one flat vector.
        let grad_at = |s: f64| -> Vec<f64> {
            let tape = Tape::new();
            let xs: Vec<Var<'_>> = theta
                .iter()
                .zip(v)
                .map(|(t, d)| tape.leaf(t.add(&d.mul_scalar(s * h))))
                .collect();
            let y = f(&tape, &xs);
            let g = tape.backward(y);
            xs.iter().flat_map(|&x| g[x].as_slice().to_vec()).collect()
        };
        let numeric = self.stencil.derivative(h, grad_at);
        let analytic = exact
            .hv
            .iter()
            .flat_map(|t| t.as_slice().to_vec())
            .collect();
        self.inputs_report("gradgradcheck", Some(exact.value), theta, analytic, numeric)
    }

    /// The report of a check over tensor inputs, each a block named `input i`.
    fn inputs_report(
        &self,
        check: &'static str,
        value: Option<f64>,
        inputs: &[Tensor],
        analytic: Vec<f64>,
        numeric: Vec<f64>,
    ) -> Report {
        let mut blocks = Params::new();
        for (i, x) in inputs.iter().enumerate() {
            blocks.add(&format!("input {i}"), x);
        }
        let row = |v: Vec<f64>| Tensor::from_vec(1, v.len(), v);
        let options = Options {
            layout: Some(&blocks),
            ..*self
        };
        compare(check, &options, value, &row(analytic), &row(numeric))
    }
}
