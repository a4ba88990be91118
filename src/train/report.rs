//! How a run ended: [`Report`] (why: [`Stop`], the crate's one stop enum).

use crate::optim::Stop;
use std::fmt;

/// The outcome of a run.
///
/// ```
/// use tapegrad::nn::{Params, Reduction};
/// use tapegrad::optim::{Sgd, Stop};
/// use tapegrad::train::{Loss, Trainer};
/// use tapegrad::{Tensor, nn::Linear, Rng};
/// let (x, y) = (Tensor::column(&[0.0, 1.0, 2.0]), Tensor::column(&[1.0, 3.0, 5.0]));
/// let mut params = Params::new();
/// let line = Linear::new(1, 1).build(&mut params, "0", &mut Rng::new(0));
/// let report = Trainer::new(&line, &x, &y).loss(Loss::Mse(Reduction::Mean)).steps(50)
///     .run(&mut params, &mut Sgd::new(0.1)).unwrap();
/// assert_eq!((report.steps, report.stop), (50, Stop::Steps));
/// assert!(report.to_string().starts_with("50 steps (50 evaluations) in 50 epochs: the step budget was used"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Report {
    /// Updates made (L-BFGS: iterations).
    pub steps: usize,
    /// Epochs completed.
    pub epochs: usize,
    /// Loss evaluations.
    pub evaluations: usize,
    /// The loss at the last evaluation, on that step's batch. A run that used a budget
    /// ([`Stop::Steps`], [`Stop::Epochs`], [`Stop::Time`]) evaluates and then updates, so
    /// this is the loss *before* the last update; a run stopped by a test on the loss or the
    /// gradient, or by an observer, stops before updating, so this is the loss at the
    /// returned parameters. (L-BFGS: as [`LbfgsReport::last_loss`](crate::optim::LbfgsReport::last_loss).)
    pub last_loss: f64,
    /// Why it ended.
    pub stop: Stop,
    /// Wall time.
    pub seconds: f64,
}

impl fmt::Display for Report {
    /// `50 steps (50 evaluations) in 50 epochs: the step budget was used; last loss 1.2e-3, 0.01 s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} steps ({} evaluations) in {} epochs: {}; last loss {:e}, {:.2} s",
            self.steps, self.evaluations, self.epochs, self.stop, self.last_loss, self.seconds
        )
    }
}
