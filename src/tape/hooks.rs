//! Inspection hooks on the sweep: anomaly detection and the step-through.

use super::sweep::reverse_sweep;
use super::{Node, Tape, Var};
use crate::anomaly::{Anomaly, AnomalyMode, Phase};
use crate::inspect::BackwardStep;
use crate::ops::{NodeId, Op};
use crate::tensor::{Tensor, fmt_shape};

impl Tape {
    /// Anomaly detection, forward: `value` (about to be node `nodes.len()`) is not finite.
    /// Reported only if every input is finite: this op is where the trouble starts.
    pub(super) fn check_forward(&self, nodes: &[Node], op: Op, value: &Tensor) {
        debug_assert!(!value.all_finite());
        let inputs: Vec<NodeId> = op.inputs().as_array().into_iter().flatten().collect();
        if inputs.iter().all(|&k| nodes[k].value.all_finite()) {
            self.report(Anomaly::new(
                Phase::Forward,
                nodes.len(),
                op,
                &inputs,
                nodes,
            ));
        }
    }

    /// Anomaly detection, backward: node `i` received a finite adjoint and sent a
    /// non-finite local gradient to one of its inputs.
    pub(super) fn check_backward(
        &self,
        nodes: &[Node],
        i: NodeId,
        dy: &Tensor,
        local: &[Option<Tensor>; 2],
    ) {
        if !dy.all_finite() {
            return; // reported where it first appeared
        }
        let inputs: Vec<NodeId> = nodes[i]
            .op
            .inputs()
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        if let Some(k) = local
            .iter()
            .position(|g| g.as_ref().is_some_and(|g| !g.all_finite()))
        {
            self.report(Anomaly::new(
                Phase::Backward { input: k },
                i,
                nodes[i].op,
                &inputs,
                nodes,
            ));
        }
    }

    pub(super) fn report(&self, anomaly: Anomaly) {
        if self.anomaly == AnomalyMode::Panic {
            panic!("{anomaly}");
        }
        self.first_anomaly.borrow_mut().get_or_insert(anomaly);
    }

    /// The first anomaly recorded on this tape (with [`AnomalyMode::Record`]).
    ///
    /// ```
    /// use tapegrad::{AnomalyMode, Tape};
    /// let tape = Tape::with_anomaly_mode(AnomalyMode::Record);
    /// let x = tape.leaf(-1.0);
    /// let _ = x.sqrt();                                 // NaN
    /// assert!(tape.anomaly().unwrap().to_string().contains("sqrt"));
    /// ```
    pub fn anomaly(&self) -> Option<Anomaly> {
        self.first_anomaly.borrow().clone()
    }

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
        let nodes = self.nodes.borrow();
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
            loss.index,
            Tensor::scalar(1.0),
            &|i| nodes[i].op,
            &|i| &nodes[i].value,
            &|i| nodes[i].requires_grad,
            Some(&mut record),
        );
        steps
    }
}
