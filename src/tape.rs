//! The tape (Wengert list), the `Var` handle, and the reverse sweep.
//!
//! A [`Tape`] records every operation in evaluation order as a [`Node`]: the op, the indices
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

use crate::anomaly::{Anomaly, AnomalyMode, Phase};
use crate::inspect::BackwardStep;
use crate::ops::{Adjoint, NodeId, Op};
use crate::tensor::{fmt_shape, Tensor};
use std::cell::{Ref, RefCell};
use std::fmt;
use std::ops::{Deref, Index};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT_TAPE_ID: AtomicUsize = AtomicUsize::new(0);

/// A Wengert list: the nodes of one computation, in evaluation order.
///
/// Build a fresh tape for each evaluation (it is cheap: one `Vec`); values are recorded as
/// they are computed, so the tape holds exactly what the reverse sweep needs.
pub struct Tape {
    id: usize,
    nodes: RefCell<Vec<Node>>,
    /// Names given with [`Var::named`], by node (not on the hot path).
    names: RefCell<Vec<(NodeId, String)>>,
    anomaly: AnomalyMode,
    first_anomaly: RefCell<Option<Anomaly>>,
}

/// One entry of the tape.
#[derive(Clone, Debug)]
pub struct Node {
    /// What computed this node, with its input indices.
    pub op: Op,
    /// Its value (derefs to a [`Tensor`]).
    pub value: Value,
    /// True if some leaf reaches this node, so the loss has a gradient with respect to it.
    pub requires_grad: bool,
}

/// A node's value: owned by the tape, or shared with the caller through an `Rc`, so that a
/// large constant used by many tapes (a data matrix evaluated at every step) is recorded
/// without a copy: `tape.constant(Rc::clone(&x))`. Either way it reads as a [`Tensor`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Computed on this tape, or handed over by value.
    Owned(Tensor),
    /// Shared with the caller.
    Shared(Rc<Tensor>),
}

impl Deref for Value {
    type Target = Tensor;
    fn deref(&self) -> &Tensor {
        match self {
            Value::Owned(t) => t,
            Value::Shared(t) => t,
        }
    }
}

impl From<Tensor> for Value {
    fn from(t: Tensor) -> Value {
        Value::Owned(t)
    }
}

impl From<&Tensor> for Value {
    /// A copy of the tensor.
    fn from(t: &Tensor) -> Value {
        Value::Owned(t.clone())
    }
}

impl From<f64> for Value {
    /// A `1x1` tensor.
    fn from(x: f64) -> Value {
        Value::Owned(Tensor::from(x))
    }
}

impl From<Rc<Tensor>> for Value {
    /// Shared, not copied.
    fn from(t: Rc<Tensor>) -> Value {
        Value::Shared(t)
    }
}

impl From<&Rc<Tensor>> for Value {
    /// Shared, not copied.
    fn from(t: &Rc<Tensor>) -> Value {
        Value::Shared(Rc::clone(t))
    }
}

/// A handle to one node of a tape: cheap to copy, with operators and methods that record
/// new nodes on the same tape.
#[derive(Clone, Copy)]
pub struct Var<'t> {
    tape: &'t Tape,
    index: NodeId,
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
    pub fn new() -> Tape {
        Tape::with_anomaly_mode(crate::anomaly::thread_default())
    }

    /// An empty tape with its own anomaly-detection mode (see [`set_anomaly_detection`](crate::anomaly::set_anomaly_detection)
    /// for the default of new tapes).
    pub fn with_anomaly_mode(mode: AnomalyMode) -> Tape {
        Tape {
            id: NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed),
            nodes: RefCell::new(Vec::with_capacity(32)),
            names: RefCell::new(Vec::new()),
            anomaly: mode,
            first_anomaly: RefCell::new(None),
        }
    }

    /// This tape's number (as printed in error messages).
    pub fn id(&self) -> usize {
        self.id
    }

    /// Records a leaf: a value the loss is differentiated with respect to. Accepts a
    /// [`Tensor`] (moved), `&Tensor` (copied), an `f64` (`1x1`) or an `Rc<Tensor>` (shared).
    pub fn leaf(&self, value: impl Into<Value>) -> Var<'_> {
        self.push_node(Node {
            op: Op::Leaf,
            value: value.into(),
            requires_grad: true,
        })
    }

    /// Records a constant: a value held fixed (inputs, targets). It gets no gradient.
    /// Accepts what [`Tape::leaf`] does; pass an `Rc<Tensor>` to record a large data matrix
    /// without copying it.
    pub fn constant(&self, value: impl Into<Value>) -> Var<'_> {
        self.push_node(Node {
            op: Op::Constant,
            value: value.into(),
            requires_grad: false,
        })
    }

    /// The number of nodes recorded so far.
    pub fn len(&self) -> usize {
        self.nodes.borrow().len()
    }

    /// True if nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Read access to the recorded nodes, in evaluation order.
    ///
    /// # Panics
    /// Recording on this tape while the returned guard is alive panics (`RefCell`).
    pub fn nodes(&self) -> Ref<'_, Vec<Node>> {
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
        self.push_node(Node {
            op,
            value: Value::Owned(value),
            requires_grad,
        })
    }

    fn push_node(&self, node: Node) -> Var<'_> {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(node);
        Var {
            tape: self,
            index: nodes.len() - 1,
        }
    }

    /// Reverse mode: the gradient of the scalar `loss` with respect to every node.
    ///
    /// One reverse sweep from `loss` to the first node, seeded with `dL/dL = 1`. The result is
    /// a fresh store: calling `backward` twice gives the same gradients, and nothing
    /// accumulates on the tape. A value used several times receives the sum of the gradients
    /// of its uses. A leaf the loss does not depend on gets a zero gradient.
    ///
    /// # Panics
    /// If `loss` is not `1x1` (use [`Tape::backward_with_seed`] for a vector output), or
    /// belongs to another tape.
    pub fn backward(&self, loss: Var<'_>) -> Grads {
        self.check_owns(loss, "backward");
        let shape = loss.shape();
        assert!(
            shape == (1, 1),
            "backward: the loss must be a [1x1] scalar, got {} (node {}, {}); reduce it with \
             sum() or mean(), or call backward_with_seed with dL/dy",
            fmt_shape(shape),
            loss.index,
            self.nodes.borrow()[loss.index].op.name()
        );
        self.backward_with_seed(loss, Tensor::scalar(1.0))
    }

    /// Reverse mode from an output `y` of any shape, seeded with a given adjoint
    /// `seed = dL/dy` (a vector-Jacobian product `J^T seed`).
    ///
    /// # Panics
    /// If `seed` does not have the shape of `y`, or `y` belongs to another tape.
    pub fn backward_with_seed(&self, y: Var<'_>, seed: Tensor) -> Grads {
        self.check_owns(y, "backward_with_seed");
        let nodes = self.nodes.borrow();
        assert!(
            seed.shape() == nodes[y.index].value.shape(),
            "backward_with_seed: seed {} does not match the output {}",
            fmt_shape(seed.shape()),
            fmt_shape(nodes[y.index].value.shape())
        );
        let mut check = |i: NodeId, dy: &Tensor, local: &[Option<Tensor>; 2]| {
            self.check_backward(&nodes, i, dy, local);
        };
        let observe: Option<Observer<'_, Tensor>> = if self.anomaly == AnomalyMode::Off {
            None
        } else {
            Some(&mut check)
        };
        let mut grads = reverse_sweep(
            y.index,
            seed,
            &|i| nodes[i].op,
            &|i| &nodes[i].value,
            &|i| nodes[i].requires_grad,
            observe,
        );
        // A node that could have a gradient but is not on a path to y gets zeros.
        for (g, node) in grads.iter_mut().zip(nodes.iter()) {
            if g.is_none() && node.requires_grad {
                *g = Some(Tensor::zeros(node.value.rows(), node.value.cols()));
            }
        }
        Grads {
            tape_id: self.id,
            grads,
        }
    }

    /// Reverse mode whose gradients are themselves recorded on the tape (PyTorch's
    /// `create_graph=True`): the same backward rules run on [`Var`]s instead of numbers, so
    /// each gradient is a differentiable expression of the leaves.
    ///
    /// Differentiating `g . v` (with `g` from here) by a second [`Tape::backward`] gives the
    /// Hessian-vector product `H v` (see [`crate::hessian::hvp`]).
    ///
    /// # Panics
    /// As [`Tape::backward`].
    pub fn backward_graph<'t>(&'t self, loss: Var<'t>) -> GradVars<'t> {
        self.check_owns(loss, "backward_graph");
        assert!(
            loss.shape() == (1, 1),
            "backward_graph: the loss must be a [1x1] scalar, got {}",
            fmt_shape(loss.shape())
        );
        let seed = self.constant(Tensor::scalar(1.0));
        // The nodes before `loss` as Vars; the rules record new nodes after the end.
        let vars: Vec<Var<'t>> = (0..=loss.index)
            .map(|index| Var { tape: self, index })
            .collect();
        let grads = reverse_sweep(
            loss.index,
            seed,
            &|i| self.nodes.borrow()[i].op,
            &|i| &vars[i],
            &|i| self.nodes.borrow()[i].requires_grad,
            None,
        );
        GradVars { grads }
    }

    /// Anomaly detection, forward: `value` (about to be node `nodes.len()`) is not finite.
    /// Reported only if every input is finite: this op is where the trouble starts.
    fn check_forward(&self, nodes: &[Node], op: Op, value: &Tensor) {
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
    fn check_backward(&self, nodes: &[Node], i: NodeId, dy: &Tensor, local: &[Option<Tensor>; 2]) {
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

    fn report(&self, anomaly: Anomaly) {
        if self.anomaly == AnomalyMode::Panic {
            panic!("{anomaly}");
        }
        self.first_anomaly.borrow_mut().get_or_insert(anomaly);
    }

    /// The first anomaly recorded on this tape (with [`AnomalyMode::Record`]).
    pub fn anomaly(&self) -> Option<Anomaly> {
        self.first_anomaly.borrow().clone()
    }

    /// The name given to node `i` with [`Var::named`], if any.
    pub fn name_of(&self, i: NodeId) -> Option<String> {
        self.names
            .borrow()
            .iter()
            .rev()
            .find(|(k, _)| *k == i)
            .map(|(_, n)| n.clone())
    }

    /// One reverse sweep from the scalar `loss`, returning every step in the order it runs:
    /// for each node from `loss` back to the first, the incoming adjoint `dL/dy` and the local
    /// gradient its rule sends to each input. Summing what each node receives gives exactly
    /// [`Tape::backward`]'s gradients.
    ///
    /// # Panics
    /// As [`Tape::backward`].
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

    /// Panics unless `v` was recorded on this tape.
    fn check_owns(&self, v: Var<'_>, op: &str) {
        assert!(
            std::ptr::eq(self, v.tape),
            "{op}: the Var belongs to tape #{}, not to tape #{}",
            v.tape.id,
            self.id
        );
    }
}

/// What the reverse sweep shows an observer at each node: the node, its adjoint, and the
/// local gradients its rule sends to its inputs.
type Observer<'o, V> = &'o mut dyn FnMut(NodeId, &V, &[Option<V>; 2]);

/// The reverse sweep, shared by the numeric ([`Tensor`]) and the recorded ([`Var`]) backward.
///
/// `adj[i]` holds `dL/dy_i`. Walking `i` from `output` down to 0, each node's rule turns its
/// adjoint into local gradients for its inputs, and the sweep adds them in: this is the only
/// place where gradients are accumulated.
///
/// `observe`, if given, sees each node's incoming adjoint and the local gradients its rule
/// sends to its inputs (for the step-through and anomaly detection); the ordinary backward
/// passes `None`.
fn reverse_sweep<'a, V: Adjoint + 'a>(
    output: NodeId,
    seed: V,
    op: &dyn Fn(NodeId) -> Op,
    value: &dyn Fn(NodeId) -> &'a V,
    requires_grad: &dyn Fn(NodeId) -> bool,
    mut observe: Option<Observer<'_, V>>,
) -> Vec<Option<V>> {
    let mut adj: Vec<Option<V>> = vec![None; output + 1];
    adj[output] = Some(seed);
    for i in (0..=output).rev() {
        if !requires_grad(i) {
            continue;
        }
        // Inputs have smaller indices, so split the store: adjoints to write below i, ours at i.
        let (below, here) = adj.split_at_mut(i);
        let Some(dy) = here[0].as_ref() else { continue };
        let op = op(i);
        let local = op.vjp(dy, value(i), value, requires_grad);
        if let Some(observe) = observe.as_mut() {
            observe(i, dy, &local);
        }
        for (k, g) in op.inputs().as_array().into_iter().zip(local) {
            if let (Some(k), Some(g)) = (k, g) {
                below[k] = Some(match below[k].take() {
                    None => g,
                    Some(acc) => acc.accumulate(&g),
                });
            }
        }
    }
    adj
}

/// The gradients from one reverse sweep: `grads[v]` is `dL/dv`, with the shape of `v`.
pub struct Grads {
    tape_id: usize,
    grads: Vec<Option<Tensor>>,
}

impl Grads {
    /// `dL/dv`, or `None` for a constant (or a node recorded after the loss).
    ///
    /// # Panics
    /// If `v` belongs to another tape.
    pub fn get(&self, v: Var<'_>) -> Option<&Tensor> {
        assert!(
            v.tape.id == self.tape_id,
            "Grads: the Var belongs to tape #{}, these gradients to tape #{}",
            v.tape.id,
            self.tape_id
        );
        self.grads.get(v.index).and_then(|g| g.as_ref())
    }

    /// The gradient of node `i` by index, or `None` as in [`Grads::get`].
    pub fn by_index(&self, i: NodeId) -> Option<&Tensor> {
        self.grads.get(i).and_then(|g| g.as_ref())
    }
}

impl Index<Var<'_>> for Grads {
    type Output = Tensor;
    /// `dL/dv`.
    ///
    /// # Panics
    /// If `v` is a constant (constants have no gradient), was recorded after the loss, or
    /// belongs to another tape.
    fn index(&self, v: Var<'_>) -> &Tensor {
        self.get(v).unwrap_or_else(|| {
            let op = v.tape.nodes.borrow()[v.index].op.name();
            panic!(
                "Grads: node {} ({op}) has no gradient: it is a constant, or was recorded \
                 after the output that backward started from",
                v.index
            )
        })
    }
}

/// Gradients recorded on the tape by [`Tape::backward_graph`]: `grads[v]` is the [`Var`]
/// holding `dL/dv`, which can be differentiated again.
pub struct GradVars<'t> {
    grads: Vec<Option<Var<'t>>>,
}

impl<'t> GradVars<'t> {
    /// The recorded gradient of `v`, or `None` where none flows (constants, nodes off every
    /// path to the loss).
    pub fn get(&self, v: Var<'t>) -> Option<Var<'t>> {
        self.grads.get(v.index).copied().flatten()
    }

    /// The recorded gradient of `v`; a leaf the loss does not depend on gets a recorded zero.
    ///
    /// # Panics
    /// If `v` is a constant.
    pub fn of(&self, v: Var<'t>) -> Var<'t> {
        self.get(v).unwrap_or_else(|| {
            assert!(
                v.requires_grad(),
                "GradVars: node {} ({}) is a constant and has no gradient",
                v.index,
                v.op().name()
            );
            let (r, c) = v.shape();
            v.tape.constant(Tensor::zeros(r, c))
        })
    }
}

impl<'t> Var<'t> {
    /// Gives the node a name, shown by the tape's table and DOT export: `tape.leaf(w).named("w1")`.
    pub fn named(self, name: &str) -> Var<'t> {
        self.tape
            .names
            .borrow_mut()
            .push((self.index, name.to_string()));
        self
    }

    /// The node's index on its tape.
    pub fn index(self) -> NodeId {
        self.index
    }

    /// The tape this Var lives on.
    pub fn tape(self) -> &'t Tape {
        self.tape
    }

    /// `(rows, cols)` of the value.
    pub fn shape(self) -> (usize, usize) {
        self.tape.nodes.borrow()[self.index].value.shape()
    }

    /// A copy of the value.
    pub fn value(self) -> Tensor {
        Tensor::clone(&self.tape.nodes.borrow()[self.index].value)
    }

    /// The value of a `1x1` node.
    ///
    /// # Panics
    /// If the node is not `1x1`.
    pub fn item(self) -> f64 {
        self.tape.nodes.borrow()[self.index].value.item()
    }

    /// The op that produced this node.
    pub fn op(self) -> Op {
        self.tape.nodes.borrow()[self.index].op
    }

    /// True if the loss can have a gradient with respect to this node (a leaf reaches it).
    pub fn requires_grad(self) -> bool {
        self.tape.nodes.borrow()[self.index].requires_grad
    }

    /// Records `op` computed from `self` by `forward`.
    pub(crate) fn unary(self, op: Op, forward: impl FnOnce(&Tensor) -> Tensor) -> Var<'t> {
        let value = forward(&self.tape.nodes.borrow()[self.index].value);
        self.tape.push(op, value)
    }

    /// Records `op` computed from `self` and `rhs` by `forward`.
    ///
    /// # Panics
    /// If `self` and `rhs` live on different tapes, naming `name` and both tapes.
    pub(crate) fn binary(
        self,
        rhs: Var<'t>,
        op: Op,
        forward: impl FnOnce(&Tensor, &Tensor) -> Tensor,
    ) -> Var<'t> {
        assert!(
            std::ptr::eq(self.tape, rhs.tape),
            "{}: operands belong to different tapes (tape #{} and tape #{}); record a whole \
             computation on one tape",
            op.name(),
            self.tape.id,
            rhs.tape.id
        );
        let value = {
            let nodes = self.tape.nodes.borrow();
            forward(&nodes[self.index].value, &nodes[rhs.index].value)
        };
        self.tape.push(op, value)
    }
}

impl fmt::Debug for Var<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nodes = self.tape.nodes.borrow();
        let node = &nodes[self.index];
        write!(
            f,
            "Var(tape #{}, node {}, {}, {})",
            self.tape.id,
            self.index,
            node.op.name(),
            fmt_shape(node.value.shape())
        )
    }
}

/// The recorded backward: the same rules, run on `Var`s, so gradients are on the tape.
impl<'t> Adjoint for Var<'t> {
    fn shape(&self) -> (usize, usize) {
        Var::shape(*self)
    }
    fn add(&self, rhs: &Self) -> Self {
        *self + *rhs
    }
    fn sub(&self, rhs: &Self) -> Self {
        *self - *rhs
    }
    fn mul(&self, rhs: &Self) -> Self {
        *self * *rhs
    }
    fn div(&self, rhs: &Self) -> Self {
        *self / *rhs
    }
    fn neg(&self) -> Self {
        -*self
    }
    fn scale(&self, c: f64) -> Self {
        *self * c
    }
    fn add_scalar(&self, c: f64) -> Self {
        *self + c
    }
    fn powi(&self, n: i32) -> Self {
        Var::powi(*self, n)
    }
    fn powf(&self, p: f64) -> Self {
        Var::powf(*self, p)
    }
    fn matmul(&self, rhs: &Self) -> Self {
        Var::matmul(*self, *rhs)
    }
    fn t(&self) -> Self {
        Var::t(*self)
    }
    fn matmul_nt(&self, rhs: &Self) -> Self {
        Var::matmul(*self, Var::t(*rhs))
    }
    fn matmul_tn(&self, rhs: &Self) -> Self {
        Var::matmul(Var::t(*self), *rhs)
    }
    fn expand(&self, rows: usize, cols: usize) -> Self {
        Var::expand(*self, rows, cols)
    }
    fn sum_to(&self, rows: usize, cols: usize) -> Self {
        Var::sum_to(*self, rows, cols)
    }
    fn detached(&self, f: fn(f64) -> f64) -> Tensor {
        self.tape.nodes.borrow()[self.index].value.map(f)
    }
    fn mul_const(&self, c: &Tensor) -> Self {
        *self * self.tape.constant(c.clone())
    }
}
