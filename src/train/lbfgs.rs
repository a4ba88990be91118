//! The loop run by L-BFGS: one call of [`Lbfgs::minimize`] on the full batch, observers
//! seeing every evaluation.

use super::batch::Batch;
use super::evaluate::Evaluator;
use super::{Flow, Report, Step, Trainer};
use crate::nn::Params;
use crate::optim::{Lbfgs, Stop};
use std::time::Instant;

impl Trainer<'_> {
    /// Trains `params` with L-BFGS on the full batch (one call of [`Lbfgs::minimize`], its
    /// own stop rules; `steps` caps the iterations if set). Observers see every evaluation,
    /// with `step` the iterations completed so far.
    pub fn run_lbfgs(mut self, params: &mut Params, opt: &mut Lbfgs) -> Report {
        let start = Instant::now();
        let mut opt = match self.max_steps {
            Some(n) => opt.clone().max_iter(n),
            None => opt.clone(),
        };
        // One Params, refilled with each evaluation's θ (not a copy per evaluation).
        let mut at = params.clone();
        let iterations = std::cell::Cell::new(0);
        let mut evaluations = 0;
        let mut evaluator = Evaluator::new(false, self.loss);
        let stop = std::cell::Cell::new(false);
        let mut theta = params.as_slice().to_vec();
        let lr = 1.0;
        let report = {
            let this = &mut self;
            opt.minimize_observed(
                &mut theta,
                |th| {
                    at.set_flat(th);
                    let mut grad = vec![0.0; th.len()];
                    let loss = evaluator.record(&this.problem(), &at, &Batch::All, &mut grad);
                    evaluations += 1;
                    let info = Step {
                        step: iterations.get(),
                        epoch: iterations.get(),
                        evaluations,
                        loss,
                        grad: &grad,
                        lr,
                        theta: th,
                        seconds: start.elapsed().as_secs_f64(),
                    };
                    if this.notify(&info) == Flow::Stop {
                        stop.set(true);
                    }
                    (loss, grad)
                },
                |it| {
                    iterations.set(it.iteration);
                    !stop.get()
                },
            )
        };
        params.set_flat(&theta);
        self.finish();
        Report {
            steps: report.iterations,
            epochs: report.iterations,
            evaluations: report.evaluations,
            last_loss: report.last_loss,
            stop: if stop.get() {
                Stop::Observer
            } else {
                report.stop
            },
            seconds: start.elapsed().as_secs_f64(),
        }
    }
}
