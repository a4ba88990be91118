//! Anomaly detection: the checks the recording and the sweep make, and the first report.

use super::anomaly::{Anomaly, AnomalyMode, Phase};
use super::{Node, Tape};
use crate::ops::{NodeId, Op};
use crate::tensor::Tensor;

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
}
