//! What L-BFGS is configured with ([`LineSearch`]) and what one call reports
//! ([`LbfgsReport`], [`StopReason`]).

#[cfg(doc)]
use super::Lbfgs;
use super::StrongWolfe;
use std::fmt;

/// The line search L-BFGS uses.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum LineSearch {
    /// A fixed step `t = lr` (after the first iteration's scaling); one evaluation per
    /// iteration.
    None,
    /// The strong Wolfe search.
    StrongWolfe(StrongWolfe),
}

/// Why [`Lbfgs::minimize`] stopped.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum StopReason {
    /// `max|∇f| <= tolerance_grad`.
    GradientTolerance,
    /// The directional derivative `gᵀd` was above `−tolerance_change` (no descent left).
    DirectionalDerivative,
    /// The step `max|t d|` was at most `tolerance_change`.
    StepTolerance,
    /// The loss changed by less than `tolerance_change`.
    LossChangeTolerance,
    /// The observer of [`Lbfgs::minimize_observed`] asked to stop.
    Stopped,
    /// `max_iter` iterations were done.
    MaxIter,
    /// `max_eval` evaluations were used.
    MaxEval,
    /// The line search found no decrease.
    LineSearchFailed,
    /// Polishing (see [`Lbfgs::polish`]): the quasi-Newton step no longer reduced `||∇f||`.
    GradientStalled,
    /// `f` or its gradient was not finite at evaluation number `evaluation` (1-based, in
    /// this call).
    NonFinite {
        /// Which evaluation produced it.
        evaluation: usize,
    },
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::GradientTolerance => write!(f, "gradient below tolerance_grad"),
            StopReason::DirectionalDerivative => {
                write!(f, "directional derivative above -tolerance_change")
            }
            StopReason::StepTolerance => write!(f, "step below tolerance_change"),
            StopReason::LossChangeTolerance => write!(f, "loss change below tolerance_change"),
            StopReason::MaxIter => write!(f, "max_iter reached"),
            StopReason::Stopped => write!(f, "stopped by the observer"),
            StopReason::MaxEval => write!(f, "max_eval reached"),
            StopReason::LineSearchFailed => write!(f, "line search found no decrease"),
            StopReason::GradientStalled => write!(f, "polishing: the gradient stopped decreasing"),
            StopReason::NonFinite { evaluation } => {
                write!(f, "non-finite loss or gradient at evaluation {evaluation}")
            }
        }
    }
}

/// The result of one [`Lbfgs::minimize`] call.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LbfgsReport {
    /// Iterations done in this call.
    pub iterations: usize,
    /// Evaluations of `f` in this call.
    pub evaluations: usize,
    /// The loss at the last evaluation. Without a line search, a run stopped by `max_iter`
    /// does not evaluate after its last step (as PyTorch), so this is the loss before it.
    pub f: f64,
    /// `max|∇f|` at the last evaluation.
    pub grad_inf: f64,
    /// `||∇f||_2` at the last evaluation.
    pub grad_norm: f64,
    /// Why it stopped.
    pub reason: StopReason,
}
