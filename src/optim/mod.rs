//! Optimizers on the flat parameter vector `theta`.
//!
//! Optimizers know neither the tape nor the model: a first-order method sees `theta` and
//! its gradient as slices ([`Optimizer::step`]); L-BFGS sees a closure
//! `theta -> (f(theta), grad f(theta))` ([`Lbfgs::minimize`]).
//!
//! - [`Sgd`]: plain, momentum, Nesterov, dampening, weight decay, maximize (PyTorch's rules).
//! - [`Adam`]: Adam, AMSGrad, L2 weight decay, and AdamW's decoupled decay ([`Adam::adamw`]).
//! - [`Lbfgs`] with [`StrongWolfe`] line search (PyTorch's algorithm).
//! - [`Schedule`]: step-size schedules for any first-order optimizer; [`IterateAverage`]:
//!   the running mean of the iterates; [`sampling`]: seeded sample and minibatch choice.
//! - [`descend`]: the loop `evaluate, check, step` with divergence caught as an error.
//!
//! Every update is checked: a non-finite gradient or parameter is an error ([`Diverged`])
//! that names the step, never a silent NaN.

mod adam;
mod diverged;
mod lbfgs;
mod lbfgs_report;
mod lbfgs_settings;
pub mod line_search;
pub mod sampling;
mod schedule;
mod sgd;
mod stop;
mod two_loop;

pub use adam::Adam;
pub use diverged::{Diverged, Method, NonFinite};
pub use lbfgs::{Iteration, Lbfgs, LbfgsReport, LineSearch};
pub use line_search::StrongWolfe;
pub use schedule::{IterateAverage, Schedule};
pub use sgd::Sgd;
pub use stop::Stop;
pub use two_loop::two_loop;

/// A first-order method: `theta <- update(theta, grad)`, with its state (momentum buffers,
/// moments, step count) kept inside.
pub trait Optimizer {
    /// One update of `theta` given `grad = ∇f(theta)`.
    ///
    /// # Errors
    /// [`Diverged`] if `grad` or the updated `theta` has a non-finite entry; `theta` is then
    /// left as the failed update made it, for inspection.
    ///
    /// # Panics
    /// If `theta` and `grad` have different lengths, or the length changes between steps.
    fn step(&mut self, theta: &mut [f64], grad: &[f64]) -> Result<(), Diverged>;

    /// Forgets all state: the next step is step 1 again.
    fn reset(&mut self);

    /// The current step size.
    fn lr(&self) -> f64;

    /// Sets the step size (what a [`Schedule`] drives).
    ///
    /// # Panics
    /// If `lr` is negative or not finite.
    fn set_lr(&mut self, lr: f64);

    /// Steps taken since construction or the last [`Optimizer::reset`].
    fn steps(&self) -> usize;

    /// What kind of update this is, for the stability bound a [`Diverged`] error quotes.
    /// The default, [`Method::Other`], quotes none.
    fn method(&self) -> Method {
        Method::Other
    }
}

/// The first non-finite entry of `v`, if any.
pub(crate) fn first_non_finite(v: &[f64]) -> Option<usize> {
    // `0 x` is ±0 for a finite x and NaN for ±inf or NaN: one vectorized pass says whether
    // to look, the search runs only on a vector that has a non-finite entry.
    let finite = {
        let mut acc = [0.0f64; 8];
        let chunks = v.chunks_exact(8);
        let tail: f64 = chunks.remainder().iter().map(|x| 0.0 * x).sum();
        for c in chunks {
            for (a, x) in acc.iter_mut().zip(c) {
                *a += 0.0 * x;
            }
        }
        acc.iter().sum::<f64>() + tail == 0.0
    };
    if finite {
        return None;
    }
    v.iter().position(|x| !x.is_finite())
}

/// Panics unless `theta` and `grad` have the same length (`name` is the optimizer).
pub(crate) fn check_lengths(name: &str, theta: &[f64], grad: &[f64]) {
    assert!(
        theta.len() == grad.len(),
        "{name}::step: theta has {} entries but grad has {}",
        theta.len(),
        grad.len()
    );
}

/// The bits of `x − x`: zero for a finite `x`, a NaN's for ±inf or NaN. ORed over an
/// update pass (an integer OR, which vectorizes where a `bool` flag kept the loop scalar),
/// nonzero says the pass met a non-finite value.
#[inline(always)]
#[allow(clippy::eq_op)] // x − x is the point: +0 for every finite x, NaN for the others
pub(crate) fn non_finite_bits(x: f64) -> u64 {
    (x - x).to_bits()
}

/// The error of step `step` after its update pass saw a non-finite value (`seen`), or `Ok`:
/// the first non-finite entry of the gradient if it has one, else of the state vectors
/// (moments: [`NonFinite::State`]), else of the updated `theta`.
///
/// An update reads each gradient entry into each state entry and the parameter, so a
/// non-finite gradient (or state) shows in what the pass wrote; the pass itself only ORs
/// [`non_finite_bits`], and the search for which entry runs only on the step that failed.
pub(crate) fn finite_or_diverged(
    seen: u64,
    (theta, grad, state): (&[f64], &[f64], &[&[f64]]),
    (step, lr, method): (usize, f64, Method),
) -> Result<(), Diverged> {
    if seen == 0 {
        return Ok(());
    }
    let first = |v: &[f64]| v.iter().position(|x| !x.is_finite());
    let in_state = || state.iter().filter_map(|s| first(s)).min();
    let what = match (first(grad), in_state(), first(theta)) {
        (Some(i), _, _) => NonFinite::Gradient(i),
        (None, Some(i), _) => NonFinite::State(i),
        (None, None, Some(i)) => NonFinite::Parameter(i),
        // `seen` came from one of these slices: unreachable unless the caller lied.
        (None, None, None) => unreachable!("{method:?}: a non-finite value seen and not found"),
    };
    Err(Diverged {
        step,
        what,
        lr,
        method,
    })
}

/// Panics unless `value` is finite and in `range`, naming the optimizer and the parameter.
pub(crate) fn check_hyper(opt: &str, name: &str, value: f64, ok: bool, range: &str) {
    assert!(
        value.is_finite() && ok,
        "{opt}: {name} must be in {range}, got {value}"
    );
}

/// Runs `steps` iterations of `opt` from `theta`: at step `k`, evaluate
/// `(f_k, g_k) = value_and_grad(theta)`, set the step size from `schedule` (if any), and
/// update. Returns the losses `f(theta_0), ..., f(theta_{steps-1})`, the loss before each
/// step (evaluate once more to get the final loss).
///
/// # Errors
/// [`Diverged`] at the first step whose loss, gradient or update is not finite.
///
/// # Panics
/// Before the first step, if the schedule's settings are invalid ([`Schedule::validate`]):
/// a step size that is NaN, negative, or becomes negative (a cosine to `min < 0`).
///
/// ```
/// use tapegrad::nn::least_squares;
/// use tapegrad::optim::{Schedule, Sgd, descend};
/// use tapegrad::Tensor;
/// let f = least_squares(Tensor::eye(2), Tensor::column(&[1.0, -1.0]));  // (1/2)||θ − y||²
/// let mut theta = [0.0, 0.0];
/// let schedule = Schedule::StepDecay { gamma: 0.5, every: 50 };   // 0.5, then 0.25, ...
/// let losses = descend(&mut Sgd::new(0.5), &mut theta, 200, Some(&schedule), &f).unwrap();
/// assert_eq!(losses.len(), 200);
/// assert!(losses.windows(2).all(|w| w[1] <= w[0]));
/// assert!(f(&theta).0 < 1e-12);
/// ```
pub fn descend<O: Optimizer + ?Sized>(
    opt: &mut O,
    theta: &mut [f64],
    steps: usize,
    schedule: Option<&Schedule>,
    mut value_and_grad: impl FnMut(&[f64]) -> (f64, Vec<f64>),
) -> Result<Vec<f64>, Diverged> {
    if let Some(Err(e)) = schedule.map(Schedule::validate) {
        panic!("descend: {e}");
    }
    // Grown as the run goes: a huge `steps` with an early stop allocates nothing up front.
    let mut losses = Vec::with_capacity(steps.min(1 << 16));
    for k in 0..steps {
        if let Some(s) = schedule {
            opt.set_lr(s.at(opt.steps()));
        }
        let (f, g) = value_and_grad(theta);
        if !f.is_finite() {
            return Err(Diverged {
                step: opt.steps() + 1,
                what: NonFinite::Loss,
                lr: opt.lr(),
                method: opt.method(),
            });
        }
        losses.push(f);
        opt.step(theta, &g)?;
        debug_assert_eq!(losses.len(), k + 1);
    }
    Ok(losses)
}
