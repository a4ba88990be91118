//! The backward sweep step by step, as the page of [`Tape::to_html`] walks it.

use crate::ops::{NodeId, Op};
use crate::tape::{Tape, Var, reverse_sweep};
use crate::tensor::{Tensor, fmt_shape};

/// One step of the reverse sweep, as [`Tape::backward_steps`](crate::Tape::backward_steps) yields it.
#[derive(Clone, Debug, PartialEq)]
pub struct BackwardStep {
    /// The node whose rule ran.
    pub node: NodeId,
    /// Its op.
    pub op: Op,
    /// The incoming adjoint `dL/dy` of the node (all uses summed).
    pub adjoint: Tensor,
    /// `(input node, local gradient)` for each input that needs one.
    pub sends: Vec<(NodeId, Tensor)>,
}

impl Tape {
    /// One reverse sweep from the scalar `loss`, returning every step in the order it runs:
    /// for each node from `loss` back to the first, the incoming adjoint `dL/dy` and the local
    /// gradient its rule sends to each input. Summing what each node receives gives exactly
    /// [`Tape::backward`]'s gradients.
    ///
    /// # Panics
    /// As [`Tape::backward`].
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(3.0);
    /// let loss = x.square();
    /// let steps = tape.backward_steps(loss);
    /// assert_eq!(steps[0].node, loss.index());          // the sweep starts at the loss, dL/dL = 1
    /// assert_eq!(steps[0].adjoint.item(), 1.0);
    /// assert_eq!(steps[0].sends[0].1.item(), 6.0);      // and sends 2x to x
    /// ```
    pub fn backward_steps(&self, loss: Var<'_>) -> Vec<BackwardStep> {
        self.check_owns(loss, "backward_steps");
        assert!(
            loss.shape() == (1, 1),
            "backward_steps: the loss must be a [1x1] scalar, got {}",
            fmt_shape(loss.shape())
        );
        let nodes = self.nodes();
        let mut steps = Vec::new();
        let mut record = |i: NodeId, dy: &Tensor, local: &[Option<Tensor>; 2]| {
            let inputs = nodes[i].op.inputs().as_array();
            let sends = inputs
                .into_iter()
                .zip(local)
                .filter_map(|(k, g)| Some((k?, g.clone()?)))
                .collect();
            steps.push(BackwardStep {
                node: i,
                op: nodes[i].op,
                adjoint: dy.clone(),
                sends,
            });
        };
        reverse_sweep(
            loss.index(),
            Tensor::scalar(1.0),
            &|i| nodes[i].op,
            &|i| &nodes[i].value,
            &|i| nodes[i].requires_grad,
            Some(&mut record),
        );
        steps
    }
}
