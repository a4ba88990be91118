//! How a run ended: [`Report`] and [`Stopped`].

use crate::optim::StopReason;

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Stopped {
    /// The step budget was used.
    Steps,
    /// The epoch budget was used.
    Epochs,
    /// The loss fell below the tolerance.
    LossBelow,
    /// The gradient norm fell below the tolerance.
    GradNormBelow,
    /// The time budget was used.
    Time,
    /// An observer stopped the run.
    Observer,
    /// L-BFGS stopped for this reason.
    Lbfgs(StopReason),
}

/// The outcome of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Report {
    /// Updates made (L-BFGS: iterations).
    pub steps: usize,
    /// Epochs completed.
    pub epochs: usize,
    /// Loss evaluations.
    pub evaluations: usize,
    /// The last loss evaluated.
    pub loss: f64,
    /// Why it ended.
    pub stopped: Stopped,
    /// Wall time.
    pub seconds: f64,
}
