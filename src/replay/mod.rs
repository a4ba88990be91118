//! Replay: a recorded training step run again on new parameters, with no recording.
//!
//! A training loop records the same graph every step: the same ops on the same shapes, only
//! the numbers change. [`Replay`] takes one recording (a tape, its scalar loss and the
//! parameter leaves) and runs it again for any `θ`: the forward pass writes each node's value
//! over a buffer kept from the last step, and the reverse pass writes each adjoint straight
//! into its input's adjoint buffer. Nothing is recorded, nothing is allocated after the
//! first step, and no adjoint is zeroed: the plan knows, before any number is computed,
//! which contribution to an adjoint comes first (it writes) and which come later (they add).
//!
//! ```text
//! record once:   tape, loss, θ-leaves          ->  plan: forward list, backward list
//! every step:    θ  ->  forward (values)  ->  seed dL/dL = 1  ->  backward (adjoints)  ->  ∇θ
//! ```
//!
//! A large parameter that only products read (a layer's weight, from 256 entries) is read
//! from the `θ` given to [`Replay::run`] where it lives, and its gradient is written straight
//! into `grad`: no copy in or out (at a 1024 x 1024 layer, two of a step's passes over 8 MB).
//!
//! The values are those the tape computes, bit for bit (the same arithmetic in the same
//! order); the gradients are the tape's to rounding (a contribution is added into its
//! adjoint as it is made, instead of made first and then added).
//!
//! # What a replay assumes
//! The recorded graph is the graph of every step: it is a trace. A step whose ops depend on
//! the numbers (a Python-style `if loss > 1`, a mask made from values with
//! [`crate::Tensor::mask`]) replays the branch that was recorded; record again when the
//! graph changes, as for a new batch size. Anomaly detection does not watch a replay.
//!
//! Every entrywise op ([`crate::ops::Map`], [`crate::ops::Zip`]), the products, the sums and
//! `expand` run in place, by their own rules; every other op (and a user's
//! [`crate::ops::Function`]) runs its forward and rule into tensors from the pool, which after the
//! first step allocate nothing either, except a gather or scatter of rows (it reads its
//! index list from its index node each step).

mod backward;
mod forward;
mod homes;
mod plan;
mod step;

use crate::ops::{NodeId, Op};

use crate::params::Theta;
use crate::tape::{Tape, Value, Var};
use crate::tensor::{Tensor, fmt_shape};
use homes::Param;
use plan::{Backward, Forward};
use std::rc::Rc;

/// A recorded computation of a scalar loss, run again for new parameters: see the
/// [module documentation](self).
///
/// ```
/// use tapegrad::nn::{Activation, Init, Module, Params, Reduction, mlp, mse};
/// use tapegrad::optim::{Optimizer, Sgd};
/// use tapegrad::replay::Replay;
/// use tapegrad::{Rng, Tape, Tensor};
/// let mut params = Params::new();
/// let model = mlp(&[1, 8, 1], Activation::Relu).build(&mut params, &mut Rng::new(0));
/// let (x, y) = (Tensor::column(&[0.0, 0.5, 1.0]), Tensor::column(&[0.0, 0.25, 1.0]));
///
/// // Record one step...
/// let tape = Tape::new();
/// let theta = tape.params(&params);
/// let loss = mse(model.forward(&theta, tape.constant(&x)), tape.constant(&y), Reduction::Mean);
/// let mut step = Replay::new(&tape, loss, &theta);
///
/// // ...and run it for every step after.
/// let (mut grad, mut opt) = (vec![0.0; params.len()], Sgd::new(0.1));
/// let first = step.run(params.as_slice(), &mut grad);
/// assert_eq!(first, loss.item());                       // the recorded loss, bit for bit
/// for _ in 0..100 {
///     step.run(params.as_slice(), &mut grad);
///     opt.step(params.as_mut_slice(), &grad).unwrap();
/// }
/// assert!(step.run(params.as_slice(), &mut grad) < first);
/// ```
pub struct Replay {
    tape_id: usize,
    loss: NodeId,
    /// Every node's value, `0..=loss`: parameters and computed nodes own theirs; constants
    /// may share theirs with the caller.
    values: Vec<Value>,
    /// `dL/dy_i`, where an adjoint flows (an empty tensor elsewhere).
    adjoints: Vec<Tensor>,
    forward: Vec<Forward>,
    backward: Vec<Backward>,
    /// Each parameter: its leaf, where it lies in `θ`, and whether an adjoint reaches it.
    params: Vec<Param>,
    theta_len: usize,
    /// A node whose value the recording read out before the loss (see [`Replay::reads_values`]).
    reads: Option<NodeId>,
    /// Each node's home: `Some(range)` for a parameter read in place.
    homes: Vec<Option<(usize, usize)>>,
    /// Some parameter is read in place.
    in_place: bool,
}

impl Replay {
    /// The plan for re-running `loss` as recorded on `tape`, differentiated with respect to
    /// the parameter leaves `theta` (from [`Tape::params`]). Other leaves and constants keep
    /// their recorded values until [`Replay::set_input`] changes them.
    ///
    /// # Panics
    /// If `loss` is not `1x1`, or `loss` or `theta` is not on `tape`.
    ///
    /// ```
    /// use tapegrad::nn::Params;
    /// use tapegrad::replay::Replay;
    /// use tapegrad::{Tape, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::row(&[1.0, 2.0]));
    /// let tape = Tape::new();
    /// let theta = tape.params(&p);
    /// let loss = theta.vars()[0].square().sum();        // ||w||^2
    /// let mut replay = Replay::new(&tape, loss, &theta);
    /// let mut grad = [0.0; 2];
    /// assert_eq!(replay.run(&[3.0, -1.0], &mut grad), 10.0);
    /// assert_eq!(grad, [6.0, -2.0]);                     // 2 w
    /// ```
    pub fn new(tape: &Tape, loss: Var<'_>, theta: &Theta<'_>) -> Replay {
        let own = |v: Var<'_>, what: &str| {
            assert!(
                std::ptr::eq(v.tape(), tape),
                "Replay::new: the {what} (node {}) is on tape #{}, not on tape #{}",
                v.index(),
                v.tape().id(),
                tape.id()
            );
        };
        own(loss, "loss");
        // A value read out before the loss was recorded (this function's own reads come after).
        let reads = tape.read_before(loss.index());
        assert!(
            loss.shape() == (1, 1),
            "Replay::new: the loss must be a [1x1] scalar, got {} (node {})",
            fmt_shape(loss.shape()),
            loss.index()
        );
        let (layout, theta_len) = theta.layout();
        let layout: Vec<(Var<'_>, usize)> = layout.collect();
        let nodes = tape.nodes();
        let n = loss.index() + 1;
        let mut is_param = vec![false; n];
        for &(v, _) in &layout {
            own(v, "parameter");
            if v.index() < n {
                is_param[v.index()] = true;
            }
        }
        // needs[i]: some parameter reaches node i (its adjoint is wanted).
        let mut needs = is_param.clone();
        for (i, node) in nodes[..n].iter().enumerate() {
            needs[i] |= node
                .op
                .inputs()
                .as_array()
                .iter()
                .flatten()
                .any(|&k| needs[k]);
        }
        let (forward, backward, reached) = plan::plan(&nodes, &needs, loss.index());
        let (params, homes) = homes::params(&nodes[..n], &layout, &reached);
        // A parameter read in place keeps no buffers here (an empty one would be noticed if
        // anything read it).
        let values = nodes[..n]
            .iter()
            .enumerate()
            .map(|(i, node)| match (&node.value, node.op) {
                _ if homes[i].is_some() => Value::Owned(Tensor::zeros(0, 0)),
                (Value::Shared(_), Op::Constant | Op::Leaf) if !is_param[i] => node.value.clone(),
                (value, _) => Value::Owned((**value).clone()),
            })
            .collect();
        let adjoints = (0..n)
            .map(|i| match reached[i] && homes[i].is_none() {
                true => Tensor::zeros(nodes[i].value.rows(), nodes[i].value.cols()),
                false => Tensor::zeros(0, 0),
            })
            .collect();
        Replay {
            reads,
            tape_id: tape.id(),
            loss: loss.index(),
            values,
            adjoints,
            forward,
            backward,
            params,
            theta_len,
            in_place: homes.iter().any(Option::is_some),
            homes,
        }
    }

    /// The node whose value the recording read out ([`Var::value`](crate::Var::value),
    /// [`Var::item`](crate::Var::item)) before the loss was recorded, if any. Such a
    /// recording may depend on the numbers (a branch on `loss.item()`, a mask or a constant
    /// made from values, an argmax): a replay follows what the recording did, so it can differ
    /// from a fresh recording at other values. [`Trainer::replay`](crate::train::Trainer::replay)
    /// records every step of such a run instead of replaying it.
    ///
    /// ```
    /// use tapegrad::nn::Params;
    /// use tapegrad::replay::Replay;
    /// use tapegrad::{Tape, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::row(&[1.0, -2.0]));
    /// let tape = Tape::new();
    /// let theta = tape.params(&p);
    /// let w = theta.vars()[0];
    /// // A branch on the numbers: |w|^2 or sum(w), whichever the recorded sign says.
    /// let loss = if w.sum().item() < 0.0 { w.square().sum() } else { w.sum() };
    /// assert!(Replay::new(&tape, loss, &theta).reads_values().is_some());
    /// ```
    pub fn reads_values(&self) -> Option<NodeId> {
        self.reads
    }

    /// Gives the input `input` (a constant, or a leaf that is not a parameter, of the
    /// recording) a new value of the same shape, for the next [`Replay::run`]: the next
    /// minibatch of the same size.
    ///
    /// # Panics
    /// If `input` is not on the recorded tape, is not a constant or a non-parameter leaf, or
    /// `value` has another shape.
    ///
    /// ```
    /// use tapegrad::nn::Params;
    /// use tapegrad::replay::Replay;
    /// use tapegrad::{Tape, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::scalar(2.0));
    /// let tape = Tape::new();
    /// let theta = tape.params(&p);
    /// let x = tape.constant(Tensor::column(&[1.0, 2.0]));
    /// let loss = (x * theta.vars()[0]).sum();           // w sum(x)
    /// let mut replay = Replay::new(&tape, loss, &theta);
    /// replay.set_input(x, &Tensor::column(&[5.0, 5.0]));
    /// let mut grad = [0.0];
    /// assert_eq!(replay.run(&[2.0], &mut grad), 20.0);
    /// assert_eq!(grad, [10.0]);
    /// ```
    pub fn set_input(&mut self, input: Var<'_>, value: &Tensor) {
        let i = input.index();
        assert!(
            input.tape().id() == self.tape_id && i <= self.loss,
            "Replay::set_input: node {i} of tape #{} is not an input of this recording (tape #{}, nodes 0..={})",
            input.tape().id(),
            self.tape_id,
            self.loss
        );
        assert!(
            matches!(input.op(), Op::Constant | Op::Leaf)
                && self.params.iter().all(|p| p.node != i),
            "Replay::set_input: node {i} is a {}; only a constant or a leaf that is not a parameter can be set",
            if matches!(input.op(), Op::Leaf) {
                "parameter".to_string()
            } else {
                input.op().name()
            }
        );
        self.set_node(i, value);
    }

    /// [`Replay::set_input`] by node index (checked to be an input by the caller): `value`
    /// copied into the node's buffer.
    pub(crate) fn set_node(&mut self, i: NodeId, value: &Tensor) {
        self.check_shape(i, value);
        match &mut self.values[i] {
            Value::Owned(t) => t.as_mut_slice().copy_from_slice(value.as_slice()),
            shared => *shared = Value::Owned(value.clone()),
        }
    }

    /// [`Replay::set_node`] with a shared value: the node shares it, nothing is copied (and
    /// nothing is done if it shares it already: a fixed batch handed in again).
    pub(crate) fn share_node(&mut self, i: NodeId, value: &Rc<Tensor>) {
        if matches!(&self.values[i], Value::Shared(held) if Rc::ptr_eq(held, value)) {
            return;
        }
        self.check_shape(i, value);
        self.values[i] = Value::Shared(Rc::clone(value));
    }

    fn check_shape(&self, i: NodeId, value: &Tensor) {
        let shape = self.values[i].shape();
        assert!(
            value.shape() == shape,
            "Replay::set_input: node {i} was recorded as {}, got {}",
            fmt_shape(shape),
            fmt_shape(value.shape())
        );
    }

    /// The value of node `v` at the last [`Replay::run`] (its recorded value before the first).
    ///
    /// # Panics
    /// If `v` is not one of the recording's nodes up to the loss, or is a parameter of at
    /// least 256 entries that only products read: the replay reads such a parameter from the
    /// `θ` it is given, where it lives, and keeps no copy (its value is that range of `θ`).
    ///
    /// ```
    /// use tapegrad::nn::Params;
    /// use tapegrad::replay::Replay;
    /// use tapegrad::{Tape, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::scalar(1.0));
    /// let tape = Tape::new();
    /// let theta = tape.params(&p);
    /// let h = theta.vars()[0].exp();
    /// let loss = h.sum();
    /// let mut replay = Replay::new(&tape, loss, &theta);
    /// replay.run(&[0.0], &mut [0.0]);
    /// assert_eq!(replay.value(h).item(), 1.0);          // exp(0)
    /// ```
    pub fn value(&self, v: Var<'_>) -> &Tensor {
        assert!(
            v.tape().id() == self.tape_id && v.index() <= self.loss,
            "Replay::value: node {} of tape #{} is not in this recording (tape #{}, nodes 0..={})",
            v.index(),
            v.tape().id(),
            self.tape_id,
            self.loss
        );
        if let Some((offset, len)) = self.homes[v.index()] {
            panic!(
                "Replay::value: node {} is a parameter read in place: its value is theta[{offset}..{}] of the last run",
                v.index(),
                offset + len
            );
        }
        &self.values[v.index()]
    }
}

impl std::fmt::Debug for Replay {
    /// A summary, not a dump: the recording's tape and size, how many nodes each pass visits,
    /// how many of them run their own rule instead of an in-place one, and how many parameters
    /// are read where they live in `θ`:
    /// `Replay { tape: 3, nodes: 21, forward: 12, backward: 12, by_rule: 0, params: 6, read_in_place: 0, theta: 141 }`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let by_rule = self
            .backward
            .iter()
            .filter(|b| !backward::in_place(b.op))
            .count();
        f.debug_struct("Replay")
            .field("tape", &self.tape_id)
            .field("nodes", &self.values.len())
            .field("forward", &self.forward.len())
            .field("backward", &self.backward.len())
            .field("by_rule", &by_rule)
            .field("params", &self.params.len())
            .field(
                "read_in_place",
                &self.params.iter().filter(|p| p.in_place).count(),
            )
            .field("theta", &self.theta_len)
            .finish()
    }
}
