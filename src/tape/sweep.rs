//! The reverse sweep, and the three ways to run it: numeric, recorded, seeded.

use super::anomaly::AnomalyMode;
use super::{GradVars, Grads, Tape, Var};
use crate::ops::{Adjoint, NodeId, Op};
use crate::tensor::{Tensor, fmt_shape};

impl Tape {
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
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// // f(w) = (x w - 3)^2 at x = [1, 2], w = [0.5, -0.25]^T: x w = 0, f = 9, df/dw = 2 (x w - 3) x^T.
    /// let tape = Tape::new();
    /// let x = tape.constant(Tensor::row(&[1.0, 2.0]));
    /// let w = tape.leaf(Tensor::column(&[0.5, -0.25]));
    /// let loss = (x.matmul(w) - 3.0).square().sum();
    /// let grads = tape.backward(loss);
    /// assert_eq!(loss.item(), 9.0);
    /// assert_eq!(grads[w], Tensor::column(&[-6.0, -12.0]));
    /// ```
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
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// // y = A x has Jacobian A; seeding with e_1 gives the first row of A: J^T e_1.
    /// let tape = Tape::new();
    /// let a = tape.constant(Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));
    /// let x = tape.leaf(Tensor::column(&[1.0, 1.0]));
    /// let y = a.matmul(x);
    /// let g = tape.backward_with_seed(y, Tensor::column(&[1.0, 0.0]));
    /// assert_eq!(g[x], Tensor::column(&[1.0, 2.0]));
    /// ```
    pub fn backward_with_seed(&self, y: Var<'_>, seed: Tensor) -> Grads {
        self.check_owns(y, "backward_with_seed");
        let mut grads = Vec::new();
        self.sweep_numeric(y, seed, &mut grads);
        let nodes = self.nodes.borrow();
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

    /// Reverse mode from the scalar `loss`, then `read(adjoints)`: `adjoints[i]` is
    /// `dL/dy_i`, `None` where nothing flowed. For [`Tape::backward_into`]. The list is made per
    /// sweep (one allocation; the tensors in it come from the pool and go back to it).
    pub(crate) fn backward_in_place(&self, loss: Var<'_>, read: impl FnOnce(&[Option<Tensor>])) {
        self.check_owns(loss, "backward_into");
        assert!(
            loss.shape() == (1, 1),
            "backward_into: the loss must be a [1x1] scalar, got {}",
            fmt_shape(loss.shape())
        );
        let mut adjoints = Vec::new();
        self.sweep_numeric(loss, Tensor::scalar(1.0), &mut adjoints);
        read(&adjoints);
    }

    /// The numeric reverse sweep from `y` seeded with `seed`, into `adj`, watched by anomaly
    /// detection when it is on.
    fn sweep_numeric(&self, y: Var<'_>, seed: Tensor, adj: &mut Vec<Option<Tensor>>) {
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
        sweep_into(
            adj,
            y.index,
            seed,
            |i: NodeId| nodes[i].op,
            |i: NodeId| &*nodes[i].value,
            |i: NodeId| nodes[i].requires_grad,
            observe,
        );
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
    ///
    /// ```
    /// use tapegrad::Tape;
    /// // f = x^3: f' = 3x^2 is recorded, so f'' = 6x comes from a second sweep.
    /// let tape = Tape::new();
    /// let x = tape.leaf(2.0);
    /// let f = x.powi(3);
    /// let df = tape.backward_graph(f).of(x);
    /// assert_eq!(df.item(), 12.0);
    /// assert_eq!(tape.backward(df)[x].item(), 12.0);    // f''(2) = 6 * 2
    /// ```
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
        GradVars {
            grads,
            tape_id: self.id,
        }
    }
}

/// What the reverse sweep shows an observer at each node: the node, its adjoint, and the
/// local gradients its rule sends to its inputs.
pub(super) type Observer<'o, V> = &'o mut dyn FnMut(NodeId, &V, &[Option<V>; 2]);

/// The reverse sweep, shared by the numeric ([`Tensor`]) and the recorded ([`Var`]) backward.
///
/// `adj[i]` holds `dL/dy_i`. Walking `i` from `output` down to 0, each node's rule turns its
/// adjoint into local gradients for its inputs, and the sweep adds them in: this is the only
/// place where gradients are accumulated.
///
/// `observe`, if given, sees each node's incoming adjoint and the local gradients its rule
/// sends to its inputs (for the step-through and anomaly detection); the ordinary backward
/// passes `None`.
pub(crate) fn reverse_sweep<'a, V: Adjoint + 'a>(
    output: NodeId,
    seed: V,
    op: &dyn Fn(NodeId) -> Op,
    value: &dyn Fn(NodeId) -> &'a V,
    requires_grad: &dyn Fn(NodeId) -> bool,
    observe: Option<Observer<'_, V>>,
) -> Vec<Option<V>> {
    let mut adj = Vec::new();
    sweep_into(&mut adj, output, seed, op, value, requires_grad, observe);
    adj
}

/// [`reverse_sweep`] into a given store (cleared first; its capacity is reused).
pub(super) fn sweep_into<'a, V: Adjoint + 'a>(
    adj: &mut Vec<Option<V>>,
    output: NodeId,
    seed: V,
    op: impl Fn(NodeId) -> Op,
    value: impl Fn(NodeId) -> &'a V,
    requires_grad: impl Fn(NodeId) -> bool,
    mut observe: Option<Observer<'_, V>>,
) {
    adj.clear();
    adj.resize(output + 1, None);
    adj[output] = Some(seed);
    for i in (0..=output).rev() {
        if !requires_grad(i) {
            continue;
        }
        // Inputs have smaller indices, so split the store: adjoints to write below i, ours at i.
        let (below, here) = adj.split_at_mut(i);
        let Some(dy) = here[0].as_ref() else { continue };
        let op = op(i);
        let local = op.vjp(dy, value(i), &value, &requires_grad);
        if let Some(observe) = observe.as_mut() {
            observe(i, dy, &local);
        }
        let [ka, kb] = op.inputs().as_array();
        let [ga, gb] = local;
        add_local(below, ka, ga);
        add_local(below, kb, gb);
    }
}

/// `adj[k] += g`: the sweep's one accumulation, of a local gradient `g` into the adjoint of
/// input `k` (the first contribution is moved in, later ones added in place).
#[inline(always)]
fn add_local<V: Adjoint>(adj: &mut [Option<V>], k: Option<NodeId>, g: Option<V>) {
    if let (Some(k), Some(g)) = (k, g) {
        match &mut adj[k] {
            slot @ None => *slot = Some(g),
            Some(acc) => acc.add_in_place(&g),
        }
    }
}
