//! The training loss: [`Loss`] records `L(prediction, target)` on a tape.

use crate::nn::{Module, Params, Reduction, cross_entropy, mse};
use crate::tape::{Tape, Var};
use crate::tensor::Tensor;

/// The loss `L(prediction, target)`.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Loss {
    /// [`mse`] with the reduction.
    Mse(Reduction),
    /// [`cross_entropy`] of logits against class indices stored as `f64` in a column.
    CrossEntropy(Reduction),
    /// Any function of tape ops.
    Custom(for<'t> fn(Var<'t>, Var<'t>) -> Var<'t>),
}

impl Loss {
    /// Records `L(pred, target)` on the tape.
    pub fn apply<'t>(self, pred: Var<'t>, target: Var<'t>) -> Var<'t> {
        match self {
            Loss::Mse(r) => mse(pred, target, r),
            Loss::CrossEntropy(r) => {
                // Each target a class index: a whole number from 0 (NaN, -1 and 1.7 are not,
                // and `as usize` would silently make them 0, 0 and 1); `cross_entropy` checks
                // it against the number of classes.
                let classes: Vec<usize> = target
                    .value()
                    .as_slice()
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| {
                        assert!(
                            c >= 0.0 && c.fract() == 0.0 && c < 4_294_967_296.0,
                            "Loss::CrossEntropy: the target of row {i} is {c}, not a class index \
                             (a whole number from 0)"
                        );
                        c as usize
                    })
                    .collect();
                cross_entropy(pred, &classes, r)
            }
            Loss::Custom(f) => f(pred, target),
        }
    }
}

/// The loss of `model` with `params` on all of `(x, y)`.
pub(crate) fn loss_at(
    model: &dyn Module,
    params: &Params,
    x: &Tensor,
    y: &Tensor,
    loss: Loss,
) -> f64 {
    let tape = Tape::new();
    let theta = tape.params(params);
    loss.apply(model.forward(&theta, tape.constant(x)), tape.constant(y))
        .item()
}
