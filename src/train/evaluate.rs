//! One evaluation of the training loss and its gradient on a batch: recorded on a tape
//! cleared for it (the default), or, with [`Trainer::replay`](super::Trainer::replay), run as a
//! [`Replay`] of the one recording made for batches of that size.

use super::Loss;
use super::batch::Batch;
use crate::nn::{Module, Params};
use crate::ops::NodeId;
use crate::replay::Replay;
use crate::tape::{Tape, Var};
use crate::tensor::Tensor;
use std::rc::Rc;

/// The tape, or the replays, that serve a whole run (no allocation per step).
pub(super) struct Evaluator {
    tape: Tape,
    /// One recording per batch size, when replaying.
    replays: Option<Vec<Recorded>>,
}

/// A recorded step for batches of `rows` rows: its replay, and the nodes of its inputs and
/// targets.
struct Recorded {
    rows: usize,
    replay: Replay,
    inputs: (NodeId, NodeId),
}

/// What the loss is evaluated with.
pub(super) struct Problem<'p> {
    pub model: &'p dyn Module,
    pub loss: Loss,
    pub x: &'p Rc<Tensor>,
    pub y: &'p Rc<Tensor>,
}

impl Evaluator {
    /// Records every step, or (`replay`) replays one recording per batch size. A
    /// cross-entropy loss is always recorded: its one-hot targets are made from the numbers.
    pub(super) fn new(replay: bool, loss: Loss) -> Evaluator {
        let replay = replay && !matches!(loss, Loss::CrossEntropy(_));
        Evaluator {
            tape: Tape::new(),
            replays: replay.then(Vec::new),
        }
    }

    /// `f` at `params` on the batch, and `∇f` into `grad`.
    pub(super) fn evaluate(
        &mut self,
        p: &Problem<'_>,
        params: &Params,
        batch: &Batch,
        grad: &mut [f64],
    ) -> f64 {
        let Some(replays) = &mut self.replays else {
            return self.record(p, params, batch, grad);
        };
        let rows = match batch {
            Batch::All => p.x.rows(),
            Batch::Cut(x, _) => x.rows(),
            Batch::Rows(idx) => idx.len(),
        };
        let at = match replays.iter().position(|r| r.rows == rows) {
            Some(at) => at,
            None => {
                let tape = Tape::new();
                let theta = tape.params(params);
                let (x, y) = inputs(&tape, p, batch);
                let loss = p.loss.apply(p.model.forward(&theta, x), y);
                let replay = Replay::new(&tape, loss, &theta);
                if replay.reads_values().is_some() {
                    // The step read values while it was recorded (a custom loss or module
                    // that branches on the numbers): a replay could follow a stale branch, so
                    // this run records every step instead.
                    self.replays = None;
                    return self.record(p, params, batch, grad);
                }
                replays.push(Recorded {
                    rows,
                    replay,
                    inputs: (x.index(), y.index()),
                });
                replays.len() - 1
            }
        };
        let r = &mut replays[at];
        let (x, y) = r.inputs;
        match batch {
            Batch::All => (r.replay.share_node(x, p.x), r.replay.share_node(y, p.y)),
            Batch::Cut(bx, by) => (r.replay.share_node(x, bx), r.replay.share_node(y, by)),
            Batch::Rows(idx) => (
                r.replay.set_node(x, &p.x.index_select(idx)),
                r.replay.set_node(y, &p.y.index_select(idx)),
            ),
        };
        r.replay.run(params.as_slice(), grad)
    }

    /// `f` at `params` on the batch and `∇f` into `grad`, on the tape cleared for it (the
    /// default, and L-BFGS's evaluations).
    pub(super) fn record(
        &mut self,
        p: &Problem<'_>,
        params: &Params,
        batch: &Batch,
        grad: &mut [f64],
    ) -> f64 {
        let tape = &mut self.tape;
        tape.clear();
        let theta = tape.params(params);
        let (x, y) = inputs(tape, p, batch);
        let loss = p.loss.apply(p.model.forward(&theta, x), y);
        tape.backward_into(loss, &theta, grad);
        loss.item()
    }
}

/// The batch's inputs and targets, recorded as constants.
fn inputs<'t>(tape: &'t Tape, p: &Problem<'_>, batch: &Batch) -> (Var<'t>, Var<'t>) {
    match batch {
        Batch::All => (tape.constant(p.x), tape.constant(p.y)),
        Batch::Cut(x, y) => (tape.constant(x), tape.constant(y)),
        Batch::Rows(idx) => (
            tape.constant(p.x.index_select(idx)),
            tape.constant(p.y.index_select(idx)),
        ),
    }
}
