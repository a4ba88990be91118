//! [`Diverged`]: the error of a run whose values stopped being finite, with the stability
//! bound of the method that failed.
//!
//! On a `β`-smooth convex quadratic (the course's least squares; locally, any smooth loss near
//! a minimum), each first-order method is stable only below a step size it determines (from
//! the characteristic polynomial of the update on an eigenvector with curvature `λ <= β`):
//!
//! ```text
//! gradient descent             θ ← θ − γ g                         γ < 2/β
//! heavy-ball momentum μ        b ← μ b + (1 − τ) g,  θ ← θ − γ b    γ < 2(1 + μ) / ((1 − τ) β)
//! Nesterov momentum μ          b ← μ b + g,  θ ← θ − γ (g + μ b)    γ < 2(1 + μ) / ((1 + 2μ) β)
//! ```
//!
//! with `β + λ` in place of `β` under L2 weight decay `λ`. Adam rescales each coordinate by
//! its own running gradient size, so no bound follows from `β` alone; its error says so.

use std::fmt;

/// Which value became non-finite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NonFinite {
    /// The loss `f(theta_k)`.
    Loss,
    /// Entry `i` of the gradient.
    Gradient(usize),
    /// Entry `i` of the parameters after the update.
    Parameter(usize),
    /// Entry `i` of the optimizer's state (Adam's second moment `v` after a gradient whose
    /// square overflows): every later step would silently leave `θ_i` where it is.
    State(usize),
    /// The step size a [`Schedule`](super::Schedule) gives for this step (an exponential
    /// schedule with rate above 1 overflows).
    StepSize,
}

/// The kind of update an [`Optimizer`](super::Optimizer) makes, with the hyperparameters
/// that set its stable step size (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Method {
    /// `θ ← θ − γ (g + λ θ)`.
    GradientDescent {
        /// `λ`.
        weight_decay: f64,
    },
    /// PyTorch's momentum: `b ← μ b + (1 − τ) g`, `θ ← θ − γ b`.
    HeavyBall {
        /// `μ`.
        momentum: f64,
        /// `τ`.
        dampening: f64,
        /// `λ`.
        weight_decay: f64,
    },
    /// PyTorch's Nesterov momentum: `b ← μ b + g`, `θ ← θ − γ (g + μ b)`.
    Nesterov {
        /// `μ`.
        momentum: f64,
        /// `λ`.
        weight_decay: f64,
    },
    /// Adam and its variants: no bound from `β` alone.
    Adam,
    /// A method that states no bound.
    Other,
}

impl Method {
    /// `c` such that the method is stable on a `β`-smooth convex quadratic for `γ < c / β`
    /// (`β` including the weight decay), or `None` where no such bound follows from `β`.
    ///
    /// ```
    /// use tapegrad::optim::Method;
    /// assert_eq!(Method::GradientDescent { weight_decay: 0.0 }.stable_step_times_beta(), Some(2.0));
    /// let hb = Method::HeavyBall { momentum: 0.9, dampening: 0.0, weight_decay: 0.0 };
    /// assert!((hb.stable_step_times_beta().unwrap() - 3.8).abs() < 1e-15);
    /// assert_eq!(Method::Adam.stable_step_times_beta(), None);
    /// ```
    pub fn stable_step_times_beta(&self) -> Option<f64> {
        match *self {
            Method::GradientDescent { .. } => Some(2.0),
            Method::HeavyBall {
                momentum: mu,
                dampening: tau,
                ..
            } => (tau < 1.0).then(|| 2.0 * (1.0 + mu) / (1.0 - tau)),
            Method::Nesterov { momentum: mu, .. } => Some(2.0 * (1.0 + mu) / (1.0 + 2.0 * mu)),
            Method::Adam | Method::Other => None,
        }
    }

    /// The stability statement for this method, as the error message quotes it.
    fn explain(&self) -> String {
        let decay = |lambda: f64| {
            if lambda != 0.0 {
                format!(" (with weight decay {lambda}, beta + {lambda} in place of beta)")
            } else {
                String::new()
            }
        };
        let c = self.stable_step_times_beta();
        match *self {
            Method::GradientDescent { weight_decay } => format!(
                "gradient descent on a beta-smooth loss is stable only for step sizes below \
                 2/beta{}",
                decay(weight_decay)
            ),
            Method::HeavyBall {
                momentum,
                dampening,
                weight_decay,
            } => {
                let formula = if dampening == 0.0 {
                    "2(1+mu)/beta".to_string()
                } else {
                    "2(1+mu)/((1-tau) beta)".to_string()
                };
                format!(
                    "heavy-ball momentum mu = {momentum}{} on a beta-smooth convex quadratic is \
                     stable only for step sizes below {formula} = {:.4}/beta{}",
                    if dampening != 0.0 {
                        format!(", tau = {dampening}")
                    } else {
                        String::new()
                    },
                    c.unwrap_or(f64::NAN),
                    decay(weight_decay)
                )
            }
            Method::Nesterov {
                momentum,
                weight_decay,
            } => format!(
                "Nesterov momentum mu = {momentum} on a beta-smooth convex quadratic is stable \
                 only for step sizes below 2(1+mu)/((1+2mu) beta) = {:.4}/beta{}",
                c.unwrap_or(f64::NAN),
                decay(weight_decay)
            ),
            Method::Adam => "Adam scales each coordinate by its own gradient history, so no \
                             step-size bound follows from beta alone; try a smaller lr"
                .to_string(),
            Method::Other => "the step size may be too large for this loss".to_string(),
        }
    }
}

/// A run that stopped because a value became non-finite (NaN or infinite): usually a step
/// size above the stable bound of the method, which the message quotes.
///
/// ```
/// use tapegrad::optim::{Optimizer, Sgd};
/// // f(θ) = 2θ², β = 4: momentum 0.9 is stable for γ < 2(1.9)/4 = 0.95, plain GD for γ < 0.5.
/// let mut opt = Sgd::new(1.0).momentum(0.9);
/// let mut theta = [1.0];
/// let err = (0..10_000).find_map(|_| {
///     let g = [4.0 * theta[0]];
///     opt.step(&mut theta, &g).err()
/// }).unwrap();
/// assert!(err.to_string().contains("below 2(1+mu)/beta = 3.8000/beta"), "{err}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Diverged {
    /// The step (1-based: step `k` computes `theta_k` from `theta_{k-1}`) at which it appeared.
    pub step: usize,
    /// What became non-finite.
    pub what: NonFinite,
    /// The step size in use at that step.
    pub lr: f64,
    /// The update that failed, for its stability bound.
    pub method: Method,
}

impl fmt::Display for Diverged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.what {
            NonFinite::Loss => "the loss".to_string(),
            NonFinite::Gradient(i) => format!("gradient entry {i}"),
            NonFinite::Parameter(i) => format!("parameter {i}"),
            NonFinite::State(i) => format!("the optimizer's state for parameter {i}"),
            NonFinite::StepSize => {
                return write!(
                    f,
                    "diverged at step {}: the step size the schedule gives is not finite ({}): a \
                     schedule whose step size grows (Exponential with rate > 1) overflows",
                    self.step, self.lr
                );
            }
        };
        // The step size as given (0.001) in the usual range, in scientific notation outside it
        // (1e308 is not 309 digits).
        let lr = if (1e-4..1e6).contains(&self.lr.abs()) || self.lr == 0.0 {
            format!("{}", self.lr)
        } else {
            format!("{:e}", self.lr)
        };
        write!(
            f,
            "diverged at step {}: {what} is not finite (step size {lr}; {})",
            self.step,
            self.method.explain()
        )
    }
}

impl std::error::Error for Diverged {}
