//! Anomaly detection's mode and report, kept by the tape (which checks each value it records
//! and each gradient its sweep sends); public as [`crate::anomaly`].

use super::Node;
#[cfg(doc)]
use super::Tape;
use crate::ops::{NodeId, Op};
use crate::tensor::fmt_shape;
use std::cell::Cell;
use std::fmt;

thread_local! {
    /// The anomaly-detection mode of tapes created on this thread.
    static ANOMALY_MODE: Cell<AnomalyMode> = const { Cell::new(AnomalyMode::Off) };
}

/// What a tape does when a value first becomes non-finite (NaN or infinite).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnomalyMode {
    /// No checks (the default; no cost).
    Off,
    /// Record the first anomaly; read it with [`Tape::anomaly`].
    Record,
    /// Panic at the first anomaly with its report (like PyTorch's `detect_anomaly`).
    Panic,
}

/// Sets the anomaly-detection mode of every tape created afterwards on this thread: one call
/// turns it on for a whole training loop. Each check costs a scan of the op's output (forward)
/// or local gradients (backward).
///
/// ```
/// use tapegrad::{AnomalyMode, Tape, set_anomaly_detection};
/// set_anomaly_detection(AnomalyMode::Record);       // every new tape on this thread checks
/// let tape = Tape::new();
/// let x = tape.leaf(0.0);
/// let y = (x / x).exp();                            // 0/0 = NaN: div is where it starts
/// assert_eq!(tape.anomaly().unwrap().node, 1);
/// set_anomaly_detection(AnomalyMode::Off);
/// # let _ = y;
/// ```
pub fn set_anomaly_detection(mode: AnomalyMode) {
    ANOMALY_MODE.with(|m| m.set(mode));
}

/// Where an anomaly appeared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// A leaf or constant was recorded with a NaN or infinite entry: the data itself.
    Data,
    /// The op's output is not finite though its inputs are.
    Forward,
    /// The op's rule sent a non-finite gradient to input `input` (0 or 1) from a finite adjoint.
    Backward {
        /// Which input (in [`Op::inputs`] order).
        input: usize,
    },
}

/// The first op whose output or backward gradient became non-finite.
#[derive(Clone, Debug, PartialEq)]
pub struct Anomaly {
    /// Forward or backward.
    pub phase: Phase,
    /// The node's index.
    pub node: NodeId,
    /// The op's name.
    pub op: String,
    /// The op's inputs.
    pub inputs: Vec<InputSummary>,
}

/// An input of an anomalous op: its node, shape and range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputSummary {
    /// The input's node index.
    pub node: NodeId,
    /// Its shape.
    pub shape: (usize, usize),
    /// Its smallest entry (NaN entries ignored).
    pub min: f64,
    /// Its largest entry (NaN entries ignored).
    pub max: f64,
    /// How many entries are NaN.
    pub nans: usize,
    /// How many entries are infinite.
    pub infs: usize,
}

impl InputSummary {
    fn of(node: NodeId, v: &crate::tensor::Tensor) -> InputSummary {
        let x = v.as_slice();
        InputSummary {
            node,
            shape: v.shape(),
            min: x.iter().copied().fold(f64::INFINITY, f64::min),
            max: x.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            nans: x.iter().filter(|v| v.is_nan()).count(),
            infs: x.iter().filter(|v| v.is_infinite()).count(),
        }
    }
}

impl fmt::Display for InputSummary {
    /// `node K [RxC] min .. max ..`, and the counts of NaN and infinite entries if any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (node, shape) = (self.node, fmt_shape(self.shape));
        write!(
            f,
            "node {node} {shape} min {:e} max {:e}",
            self.min, self.max
        )?;
        if self.nans > 0 || self.infs > 0 {
            write!(f, " ({} NaN, {} infinite)", self.nans, self.infs)?;
        }
        Ok(())
    }
}

impl Anomaly {
    pub(crate) fn new(
        phase: Phase,
        node: NodeId,
        op: Op,
        inputs: &[NodeId],
        nodes: &[Node],
    ) -> Anomaly {
        let inputs = inputs
            .iter()
            .map(|&k| InputSummary::of(k, &nodes[k].value))
            .collect();
        Anomaly {
            phase,
            node,
            op: op.name(),
            inputs,
        }
    }
}

impl Anomaly {
    /// A leaf or constant recorded with non-finite entries; its summary is its own.
    pub(crate) fn data(node: NodeId, op: Op, value: &crate::tensor::Tensor) -> Anomaly {
        Anomaly {
            phase: Phase::Data,
            node,
            op: op.name(),
            inputs: vec![InputSummary::of(node, value)],
        }
    }
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.phase {
            Phase::Data => write!(
                f,
                "anomaly in the data: node {} ({}) was recorded with non-finite entries",
                self.node, self.op
            )?,
            Phase::Forward => write!(
                f,
                "anomaly in forward: node {} ({}) produced a non-finite value",
                self.node, self.op
            )?,
            Phase::Backward { input } => write!(
                f,
                "anomaly in backward: node {} ({}) sent a non-finite gradient to its input {input}",
                self.node, self.op
            )?,
        }
        for i in &self.inputs {
            let what = if self.phase == Phase::Data {
                "value"
            } else {
                "input"
            };
            write!(f, "; {what} {i}")?;
        }
        Ok(())
    }
}

/// The anomaly-detection mode of new tapes on this thread.
pub(crate) fn thread_default() -> AnomalyMode {
    ANOMALY_MODE.with(Cell::get)
}
