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
//! vector-Jacobian product), see [`closures`]: same estimate, same defaults, and a report that
//! names the parameter block at fault and the pattern of the error.
//!
//! The function must be smooth within `2h` of the point: keep inputs away from kinks
//! (`relu`, `abs` at 0) and from the edges of domains (`ln`, `sqrt` at 0).

pub mod closures;
#[cfg(feature = "proptest")]
pub mod property;
mod report;
mod second_order;

pub use second_order::{gradgradcheck, gradgradcheck_with};

use crate::tape::{Tape, Var};
use crate::tensor::{Tensor, rel_diff};
use std::fmt;

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

/// Settings of a gradient check. See the module docs for why the defaults suit f64.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradcheckConfig {
    /// Relative step: `h = step * max(1, |x|)`. Default `7e-4` (≈ `eps^(1/5)`).
    pub step: f64,
    /// The finite-difference formula. Default [`Stencil::FourPoint`].
    pub stencil: Stencil,
    /// Magnitude below which errors are measured absolutely. Default `1e-3`.
    pub floor: f64,
    /// Largest relative error that passes. Default `1e-6`.
    pub tolerance: f64,
}

impl Default for GradcheckConfig {
    fn default() -> Self {
        GradcheckConfig {
            step: 7e-4,
            stencil: Stencil::FourPoint,
            floor: 1e-3,
            tolerance: 1e-6,
        }
    }
}

/// The entry where analytic and numeric gradients disagree most.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mismatch {
    /// Which input (position in the `inputs` slice).
    pub input: usize,
    /// Row and column of the entry within that input.
    pub index: (usize, usize),
    /// The reverse-mode gradient.
    pub analytic: f64,
    /// The finite-difference estimate.
    pub numeric: f64,
    /// `|analytic - numeric| / max(|analytic|, |numeric|, floor)`.
    pub rel_error: f64,
}

/// The result of a gradient check.
#[derive(Clone, Debug, PartialEq)]
pub struct GradcheckReport {
    /// Which check made it: `"gradcheck"` or `"gradgradcheck"`.
    pub check: &'static str,
    /// The settings used.
    pub config: GradcheckConfig,
    /// The value of the function at the inputs.
    pub value: f64,
    /// How many entries were compared.
    pub entries: usize,
    /// The worst entry (`None` if there were no entries).
    pub worst: Option<Mismatch>,
}

impl GradcheckReport {
    /// The largest relative error over all entries (0 if none).
    ///
    /// ```
    /// use tapegrad::{Tensor, gradcheck::gradcheck};
    /// let r = gradcheck(|_, x| x[0].exp().sum(), &[Tensor::row(&[0.1, 0.2])]);
    /// assert!(r.max_rel_error() < 1e-9);
    /// ```
    pub fn max_rel_error(&self) -> f64 {
        self.worst.map_or(0.0, |w| w.rel_error)
    }

    /// True if every entry is within the tolerance (NaN never passes).
    ///
    /// ```
    /// use tapegrad::{Tensor, gradcheck::gradcheck};
    /// let r = gradcheck(|_, x| (x[0] * x[1]).sum(), &[Tensor::row(&[1.0, 2.0]), Tensor::row(&[3.0, 4.0])]);
    /// assert!(r.passed(), "{r}");
    /// ```
    pub fn passed(&self) -> bool {
        self.max_rel_error() <= self.config.tolerance
    }
}

impl fmt::Display for GradcheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed() { "passed" } else { "FAILED" };
        write!(
            f,
            "{} {verdict}: {} entries, f = {:e}, max relative error {:.3e} (tolerance {:.0e})",
            self.check,
            self.entries,
            self.value,
            self.max_rel_error(),
            self.config.tolerance
        )?;
        if let Some(w) = self.worst {
            write!(
                f,
                "; worst at input {} entry ({}, {}): analytic {:e}, numeric {:e}",
                w.input, w.index.0, w.index.1, w.analytic, w.numeric
            )?;
        }
        Ok(())
    }
}

/// Checks the reverse-mode gradient of `f` at `inputs` against finite differences, with
/// the default [`GradcheckConfig`].
///
/// `f` receives a fresh tape and the inputs recorded on it as leaves, and returns a `1x1`
/// loss.
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
pub fn gradcheck<F>(f: F, inputs: &[Tensor]) -> GradcheckReport
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    gradcheck_with(GradcheckConfig::default(), f, inputs)
}

/// [`gradcheck`] with explicit settings.
///
/// # Panics
/// If `f` returns a value that is not `1x1`.
///
/// ```
/// use tapegrad::gradcheck::{GradcheckConfig, Stencil, gradcheck_with};
/// use tapegrad::Tensor;
/// let config = GradcheckConfig { stencil: Stencil::TwoPoint, step: 6e-6, ..GradcheckConfig::default() };
/// let r = gradcheck_with(config, |_, x| x[0].sin_like(), &[Tensor::row(&[0.3, 0.7])]);
/// assert!(r.passed());
/// # trait SinLike<'t> { fn sin_like(self) -> tapegrad::Var<'t>; }
/// # impl<'t> SinLike<'t> for tapegrad::Var<'t> { fn sin_like(self) -> tapegrad::Var<'t> { (self - self.powi(3) / 6.0).sum() } }
/// ```
pub fn gradcheck_with<F>(config: GradcheckConfig, f: F, inputs: &[Tensor]) -> GradcheckReport
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    let eval = |xs: &[Tensor]| -> f64 {
        let tape = Tape::new();
        let vars: Vec<Var<'_>> = xs.iter().map(|x| tape.leaf(x)).collect();
        let y = f(&tape, &vars);
        assert!(
            y.shape() == (1, 1),
            "gradcheck: the function must return a [1x1] scalar, got [{}x{}]",
            y.shape().0,
            y.shape().1
        );
        y.item()
    };

    let tape = Tape::new();
    let vars: Vec<Var<'_>> = inputs.iter().map(|x| tape.leaf(x)).collect();
    let y = f(&tape, &vars);
    let value = y.item();
    let grads = tape.backward(y);

    let mut worst: Option<Mismatch> = None;
    let mut entries = 0;
    let mut xs = inputs.to_vec();
    for (input, var) in vars.iter().enumerate() {
        let analytic = &grads[*var];
        for k in 0..xs[input].len() {
            let x0 = xs[input].as_slice()[k];
            let h = config.step * x0.abs().max(1.0);
            let numeric = config.stencil.derivative(h, |s| {
                xs[input].as_mut_slice()[k] = x0 + s * h;
                let v = eval(&xs);
                xs[input].as_mut_slice()[k] = x0;
                vec![v]
            })[0];
            let a = analytic.as_slice()[k];
            let rel_error = rel_diff(a, numeric, config.floor);
            entries += 1;
            if worst.is_none_or(|w| rel_error > w.rel_error || rel_error.is_nan()) {
                let cols = xs[input].cols();
                worst = Some(Mismatch {
                    input,
                    index: (k / cols, k % cols),
                    analytic: a,
                    numeric,
                    rel_error,
                });
            }
        }
    }
    GradcheckReport {
        check: "gradcheck",
        config,
        value,
        entries,
        worst,
    }
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
