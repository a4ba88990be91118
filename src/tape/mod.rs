//! The tape (Wengert list), the `Var` handle, and the reverse sweep.
//!
//! A [`Tape`] records every operation in evaluation order as a node ([`Tape::var`]): the op, the indices
//! of its inputs (always smaller than its own index), and its value. Because nodes are
//! appended in the order they are computed, the list is already topologically sorted, and
//! reverse mode is a single loop from the loss back to the first node:
//!
//! ```text
//! seed:   dL/dL = 1
//! for i = loss, loss-1, ..., 0:
//!     for each input k of node i:   dL/dx_k += vjp_k(dL/dy_i)      (chain rule)
//! ```
//!
//! A [`Var`] is a small `Copy` handle (a reference to the tape and a node index), so
//! expressions read like the math: `(x.matmul(w) + b).relu()`.

pub(crate) mod anomaly;
mod grads;
mod hooks;
mod sweep;
mod value;
mod var;

pub use grads::{GradVars, Grads};
/// The sweep with an observer, for the step-through that the modules above the tape show.
pub(crate) use sweep::reverse_sweep;
pub use value::Value;
pub use var::Var;

use crate::ops::{NodeId, Op};
use crate::tensor::Tensor;
use crate::tensor::fmt_shape;
use anomaly::{Anomaly, AnomalyMode};
use std::cell::{Ref, RefCell};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT_TAPE_ID: AtomicUsize = AtomicUsize::new(0);

/// A Wengert list: the nodes of one computation, in evaluation order.
///
/// Build a fresh tape for each evaluation (it is cheap: one `Vec`); values are recorded as
/// they are computed, so the tape holds exactly what the reverse sweep needs.
pub struct Tape {
    id: usize,
    nodes: RefCell<Vec<Node>>,
    /// Names given with [`Var::named`] (and to parameter leaves by [`Tape::params`]).
    names: RefCell<Names>,
    anomaly: AnomalyMode,
    first_anomaly: RefCell<Option<Anomaly>>,
    /// The first value read out by [`Var::value`] or [`Var::item`] since the tape was made
    /// or cleared: the node, and how many nodes the tape held then (a read before the loss
    /// was recorded means the recording may have branched on the numbers).
    first_read: std::cell::Cell<Option<(NodeId, usize)>>,
}

/// The names of nodes, `(node, name)` in the order given (a later name of the same node
/// wins). [`Tape::clear`] keeps the strings and the next evaluation writes its names over
/// them, so a training loop whose leaves are named (as [`Tape::params`] names them) allocates
/// nothing for names after its first step.
#[derive(Default)]
struct Names {
    entries: Vec<(NodeId, String)>,
    /// How many of `entries` belong to this evaluation; those after are kept for reuse.
    live: usize,
}

impl Names {
    fn push(&mut self, node: NodeId, name: &str) {
        match self.entries.get_mut(self.live) {
            Some((k, s)) => {
                *k = node;
                s.clear();
                s.push_str(name);
            }
            None => self.entries.push((node, name.to_string())),
        }
        self.live += 1;
    }

    fn of(&self, node: NodeId) -> Option<&str> {
        self.entries[..self.live]
            .iter()
            .rev()
            .find(|(k, _)| *k == node)
            .map(|(_, n)| n.as_str())
    }

    fn clear(&mut self) {
        self.live = 0;
    }
}

/// One entry of the tape.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    /// What computed this node, with its input indices.
    pub(crate) op: Op,
    /// Its value (derefs to a [`Tensor`]).
    pub(crate) value: Value,
    /// True if some leaf reaches this node, so the loss has a gradient with respect to it.
    pub(crate) requires_grad: bool,
}

impl Default for Tape {
    fn default() -> Self {
        Tape::new()
    }
}

impl Tape {
    /// An empty tape. Each tape gets a distinct number, used in error messages, and the
    /// anomaly-detection mode set for this thread by [`set_anomaly_detection`](crate::anomaly::set_anomaly_detection) (off unless
    /// turned on).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// assert!(tape.is_empty());
    /// let x = tape.leaf(Tensor::scalar(3.0));
    /// let y = x * x;
    /// assert_eq!(tape.backward(y)[x].item(), 6.0);
    /// ```
    pub fn new() -> Tape {
        Tape::with_anomaly_mode(anomaly::thread_default())
    }

    /// An empty tape with its own anomaly-detection mode (see [`set_anomaly_detection`](crate::anomaly::set_anomaly_detection)
    /// for the default of new tapes).
    ///
    /// ```
    /// use tapegrad::{AnomalyMode, Tape};
    /// let tape = Tape::with_anomaly_mode(AnomalyMode::Record);
    /// let x = tape.leaf(0.0);
    /// let _ = x.ln();                                   // ln(0) = -inf: recorded, not fatal
    /// let a = tape.anomaly().expect("the first non-finite op is recorded");
    /// assert_eq!(a.node, 1);
    /// ```
    pub fn with_anomaly_mode(mode: AnomalyMode) -> Tape {
        Tape {
            id: NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed),
            nodes: RefCell::new(Vec::with_capacity(32)),
            names: RefCell::new(Names::default()),
            anomaly: mode,
            first_anomaly: RefCell::new(None),
            first_read: std::cell::Cell::new(None),
        }
    }

    /// Empties the tape for the next evaluation, keeping what it has allocated: the node list
    /// keeps its capacity, and the values' buffers go back to the tensor pool, where the next
    /// evaluation's values take them again. A training loop that clears one tape per step,
    /// instead of building a new one, makes one allocation per step after its first (the
    /// list of adjoints of [`Tape::backward_into`]); a [`crate::replay::Replay`] makes none.
    ///
    /// The tape gets a new number, so [`Grads`] from before the clear cannot be read with the
    /// `Var`s recorded after it. (`&mut self`: no `Var` of the old evaluation is alive.)
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let mut tape = Tape::new();
    /// for step in 0..3 {
    ///     tape.clear();
    ///     let x = tape.leaf(step as f64);
    ///     let y = x * x;
    ///     assert_eq!(tape.backward(y)[x].item(), 2.0 * step as f64);
    ///     assert_eq!(tape.len(), 2);
    /// }
    /// ```
    pub fn clear(&mut self) {
        self.nodes.get_mut().clear();
        self.names.get_mut().clear();
        *self.first_anomaly.get_mut() = None;
        self.first_read.set(None);
        self.id = NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed);
    }

    /// Notes that the value of `node` was read out (the first read since the last clear).
    pub(crate) fn note_read(&self, node: NodeId) {
        if self.first_read.get().is_none() {
            self.first_read.set(Some((node, self.nodes.borrow().len())));
        }
    }

    /// The node whose value was read out while the tape held at most `len` nodes, if any:
    /// with `len` the loss's index, a read made before the loss was recorded.
    pub(crate) fn read_before(&self, len: usize) -> Option<NodeId> {
        self.first_read
            .get()
            .and_then(|(node, at)| (at <= len).then_some(node))
    }

    /// This tape's number (as printed in error messages).
    ///
    /// ```
    /// use tapegrad::Tape;
    /// assert_ne!(Tape::new().id(), Tape::new().id());
    /// ```
    pub fn id(&self) -> usize {
        self.id
    }

    /// Records a leaf: a value the loss is differentiated with respect to. Accepts a
    /// [`Tensor`] (moved), `&Tensor` (copied), an `f64` (`1x1`) or an `Rc<Tensor>` (shared).
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let w = tape.leaf(Tensor::row(&[1.0, 2.0]));      // moved in; &Tensor copies, f64 is 1x1
    /// assert!(w.requires_grad());
    /// assert_eq!(tape.backward(w.sum())[w], Tensor::row(&[1.0, 1.0]));
    /// ```
    pub fn leaf(&self, value: impl Into<Value>) -> Var<'_> {
        self.push_node(Op::Leaf, value.into(), true)
    }

    /// Records a constant: a value held fixed (inputs, targets). It gets no gradient.
    /// Accepts what [`Tape::leaf`] does; pass an `Rc<Tensor>` to record a large data matrix
    /// without copying it.
    ///
    /// ```
    /// use std::rc::Rc;
    /// use tapegrad::{Tape, Tensor};
    /// let data = Rc::new(Tensor::column(&[1.0, 2.0]));  // shared by every tape, never copied
    /// let tape = Tape::new();
    /// let x = tape.constant(&data);
    /// let w = tape.leaf(3.0);
    /// let loss = (x * w).sum();
    /// let grads = tape.backward(loss);
    /// assert_eq!(grads[w].item(), 3.0);                 // d/dw sum(x w) = sum(x)
    /// assert!(grads.get(x).is_none());                  // constants get no gradient
    /// ```
    pub fn constant(&self, value: impl Into<Value>) -> Var<'_> {
        self.push_node(Op::Constant, value.into(), false)
    }

    /// The number of nodes recorded so far.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(1.0);
    /// let _ = x.exp() + 1.0;
    /// assert_eq!(tape.len(), 3);                        // leaf, exp, add_scalar
    /// ```
    pub fn len(&self) -> usize {
        self.nodes.borrow().len()
    }

    /// True if nothing has been recorded.
    ///
    /// ```
    /// assert!(tapegrad::Tape::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Node `i` of the tape (the `i`-th recorded, from 0), to read its [`Var::op`],
    /// [`Var::shape`] or [`Var::value`]: the way to walk a tape in recording order.
    ///
    /// # Panics
    /// If the tape has `i` nodes or fewer.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(2.0);
    /// let _ = x.square();
    /// let names: Vec<String> = (0..tape.len()).map(|i| tape.var(i).op().name()).collect();
    /// assert_eq!(names, ["leaf", "powi(2)"]);
    /// ```
    pub fn var(&self, i: NodeId) -> Var<'_> {
        assert!(
            i < self.len(),
            "Tape::var: node {i} is not on tape #{} ({} nodes)",
            self.id,
            self.len()
        );
        Var {
            tape: self,
            index: i,
        }
    }

    /// The recorded nodes, in order (a borrow: recording while it is alive panics).
    pub(crate) fn nodes(&self) -> Ref<'_, Vec<Node>> {
        self.nodes.borrow()
    }

    /// Records the result of `op`, whose inputs must already be on this tape.
    pub(crate) fn push(&self, op: Op, value: Tensor) -> Var<'_> {
        let requires_grad = {
            let nodes = self.nodes.borrow();
            if self.anomaly != AnomalyMode::Off && !value.all_finite() {
                self.check_forward(&nodes, op, &value);
            }
            op.inputs()
                .as_array()
                .iter()
                .flatten()
                .any(|&k| nodes[k].requires_grad)
        };
        self.push_node(op, Value::Owned(value), requires_grad)
    }

    /// Appends the node `(op, value, requires_grad)`. The node is built in its slot of the
    /// list, not moved there whole: a whole-`Node` move stalled on just-written stores.
    fn push_node(&self, op: Op, value: Value, requires_grad: bool) -> Var<'_> {
        // Data (a leaf or a constant) that is already NaN or infinite is where the trouble
        // starts: reported here, not at the first op that passes it on.
        if self.anomaly != AnomalyMode::Off
            && matches!(op, Op::Leaf | Op::Constant)
            && !value.all_finite()
        {
            let index = self.nodes.borrow().len();
            self.report(Anomaly::data(index, op, &value));
        }
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(Node {
            op,
            value,
            requires_grad,
        });
        Var {
            tape: self,
            index: nodes.len() - 1,
        }
    }

    /// The name given to node `i` with [`Var::named`] (the last one given), or by
    /// [`Tape::params`] to a parameter leaf, if any.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let w = tape.leaf(1.0).named("w");
    /// assert_eq!(tape.name_of(w.index()).as_deref(), Some("w"));
    /// ```
    pub fn name_of(&self, i: NodeId) -> Option<String> {
        self.names.borrow().of(i).map(str::to_string)
    }

    /// Panics unless `v` was recorded on this tape.
    pub(crate) fn check_owns(&self, v: Var<'_>, op: &str) {
        assert!(
            std::ptr::eq(self, v.tape),
            "{op}: the Var belongs to tape #{}, not to tape #{}",
            v.tape.id,
            self.id
        );
    }
}

impl fmt::Debug for Tape {
    /// A summary, not a dump: `Tape { id: 3, nodes: 12, last: "mean [1x1]" }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nodes = self.nodes.borrow();
        let mut d = f.debug_struct("Tape");
        d.field("id", &self.id).field("nodes", &nodes.len());
        if let Some(last) = nodes.last() {
            d.field(
                "last",
                &format_args!("{} {}", last.op.name(), fmt_shape(last.value.shape())),
            );
        }
        if self.anomaly != AnomalyMode::Off {
            d.field("anomaly", &self.anomaly);
        }
        d.finish()
    }
}
