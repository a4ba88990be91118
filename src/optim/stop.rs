//! [`Stop`]: why an optimization loop ended, one enum for every loop of the crate (a
//! [`Trainer`](crate::train::Trainer) run, one [`Lbfgs::minimize`](super::Lbfgs::minimize) call).

use std::fmt;

/// Why a loop ended: a budget used, a tolerance met, an observer's request, or a failure.
///
/// ```
/// use tapegrad::optim::{Lbfgs, Stop};
/// let mut theta = vec![3.0];
/// let report = Lbfgs::new().max_iter(1).minimize(&mut theta, |t| (t[0] * t[0], vec![2.0 * t[0]]));
/// assert_eq!(report.stop, Stop::Steps);
/// assert_eq!(report.stop.to_string(), "the step budget was used");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Stop {
    /// The step budget was used (L-BFGS: `max_iter` iterations).
    Steps,
    /// The epoch budget was used.
    Epochs,
    /// The evaluation budget was used (L-BFGS: `max_eval`).
    Evaluations,
    /// The time budget was used.
    Time,
    /// The loss fell below its tolerance.
    LossBelow,
    /// The gradient fell below its tolerance (a training run: `||∇f||₂`; L-BFGS:
    /// `max|∇f| <= tolerance_grad`).
    GradientBelow,
    /// L-BFGS: the directional derivative `gᵀd` rose above `−tolerance_change` (no descent
    /// left).
    DirectionalDerivative,
    /// L-BFGS: the step `max|t d|` fell to `tolerance_change` or below.
    StepBelow,
    /// L-BFGS: the loss changed by less than `tolerance_change`.
    LossChangeBelow,
    /// An observer asked to stop.
    Observer,
    /// L-BFGS: the line search found no decrease.
    LineSearchFailed,
    /// L-BFGS polishing ([`Lbfgs::polish`](super::Lbfgs::polish)): the quasi-Newton step no
    /// longer reduced `||∇f||`.
    GradientStalled,
    /// L-BFGS: `f` or its gradient was not finite at evaluation number `evaluation`
    /// (1-based, in this call).
    NonFinite {
        /// Which evaluation produced it.
        evaluation: usize,
    },
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Steps => write!(f, "the step budget was used"),
            Stop::Epochs => write!(f, "the epoch budget was used"),
            Stop::Evaluations => write!(f, "the evaluation budget (max_eval) was used"),
            Stop::Time => write!(f, "the time budget was used"),
            Stop::LossBelow => write!(f, "the loss fell below its tolerance"),
            Stop::GradientBelow => write!(f, "the gradient fell below its tolerance"),
            Stop::DirectionalDerivative => {
                write!(f, "the directional derivative rose above -tolerance_change")
            }
            Stop::StepBelow => write!(f, "the step fell below tolerance_change"),
            Stop::LossChangeBelow => write!(f, "the loss changed by less than tolerance_change"),
            Stop::Observer => write!(f, "an observer stopped the run"),
            Stop::LineSearchFailed => write!(f, "the line search found no decrease"),
            Stop::GradientStalled => write!(f, "polishing: the gradient stopped decreasing"),
            Stop::NonFinite { evaluation } => {
                write!(f, "non-finite loss or gradient at evaluation {evaluation}")
            }
        }
    }
}
