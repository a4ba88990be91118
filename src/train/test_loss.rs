//! [`TestLoss`]: an observer that evaluates the loss on held-out data as the run goes.

use super::{Flow, History, Loss, Observer, Step};
use crate::nn::{Module, Params};
use crate::tensor::Tensor;

/// The loss on held-out data every `every` steps, as a [`History`] (named `name`).
pub struct TestLoss<'a> {
    model: &'a dyn Module,
    layout: Params,
    x: Tensor,
    y: Tensor,
    loss: Loss,
    every: usize,
    /// The test losses recorded.
    pub history: History,
}

impl<'a> TestLoss<'a> {
    /// The test loss of `model` (parameters laid out as `params`) on `(x, y)` every `every`
    /// steps, with the training run's loss function.
    ///
    /// # Panics
    /// If `every` is 0; if the test inputs and targets have different numbers of rows; if
    /// the model uses parameters `params` does not hold (another model's); or if the model
    /// cannot be evaluated on the test set (the wrong width): each message names the test set.
    pub fn new(
        name: &str,
        model: &'a dyn Module,
        params: &Params,
        (x, y): (&Tensor, &Tensor),
        loss: Loss,
        every: usize,
    ) -> TestLoss<'a> {
        assert!(every > 0, "TestLoss {name}: need every >= 1");
        assert!(
            x.rows() == y.rows(),
            "TestLoss {name}: the test inputs {} and targets {} have different numbers of rows",
            crate::tensor::fmt_shape(x.shape()),
            crate::tensor::fmt_shape(y.shape())
        );
        if let Some(id) = model
            .param_ids()
            .into_iter()
            .find(|id| id.0 >= params.views().len())
        {
            panic!(
                "TestLoss {name}: the model uses parameter {} but these Params hold {} (another \
                 model's Params?)",
                id.0,
                params.views().len()
            );
        }
        // One evaluation now, so a test set the model cannot take (the wrong width) fails
        // here, named, and not at the first observation with the model's message alone.
        let trial = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            super::loss_at(model, params, x, y, loss)
        }));
        if let Err(e) = trial {
            let why = e
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| e.downcast_ref::<&str>().copied())
                .unwrap_or("the model panicked");
            panic!(
                "TestLoss {name}: the model cannot be evaluated on the test set (inputs {}, \
                 targets {}): {why}",
                crate::tensor::fmt_shape(x.shape()),
                crate::tensor::fmt_shape(y.shape())
            );
        }
        TestLoss {
            model,
            layout: params.clone(),
            x: x.clone(),
            y: y.clone(),
            loss,
            every,
            history: History::new(name),
        }
    }
}

impl Observer for TestLoss<'_> {
    fn observe(&mut self, s: &Step<'_>) -> Flow {
        if s.step % self.every == 0 {
            self.layout.set_flat(s.theta);
            let l = super::loss_at(self.model, &self.layout, &self.x, &self.y, self.loss);
            let h = &mut self.history;
            h.steps.push(s.step);
            h.evaluations.push(s.evaluations);
            h.seconds.push(s.seconds);
            h.lrs.push(s.lr);
            h.losses.push(l);
        }
        Flow::Continue
    }
}
