//! What L-BFGS is configured with ([`LineSearch`]) and what one call reports
//! ([`LbfgsReport`]).

#[cfg(doc)]
use super::Lbfgs;
use super::{Stop, StrongWolfe};

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

/// The result of one [`Lbfgs::minimize`] call.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LbfgsReport {
    /// Iterations done in this call.
    pub iterations: usize,
    /// Evaluations of `f` in this call.
    pub evaluations: usize,
    /// The loss at the last evaluation: at the returned `θ`, except that without a line
    /// search a run stopped by `max_iter` does not evaluate after its last step (as
    /// PyTorch), so there it is the loss before that step.
    pub last_loss: f64,
    /// `max|∇f|` at the last evaluation.
    pub grad_inf: f64,
    /// `||∇f||_2` at the last evaluation.
    pub grad_norm: f64,
    /// Why it stopped.
    pub stop: Stop,
}
