//! The gradients a sweep returns: numbers (`Grads`) or recorded Vars (`GradVars`).

#[cfg(doc)]
use super::Tape;
use super::Var;
use crate::ops::NodeId;
use crate::tensor::Tensor;
use std::fmt;
use std::ops::Index;

/// The gradients from one reverse sweep: `grads[v]` is `dL/dv`, with the shape of `v`.
pub struct Grads {
    pub(super) tape_id: usize,
    pub(super) grads: Vec<Option<Tensor>>,
}

impl Grads {
    /// `dL/dv`, or `None` for a constant (or a node recorded after the loss).
    ///
    /// # Panics
    /// If `v` belongs to another tape.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let (w, c) = (tape.leaf(2.0), tape.constant(5.0));
    /// let g = tape.backward(w * c);
    /// assert_eq!(g.get(w).map(|t| t.item()), Some(5.0));
    /// assert!(g.get(c).is_none());
    /// ```
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
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let w = tape.leaf(2.0);
    /// let g = tape.backward(w.square());
    /// assert_eq!(g.by_index(w.index()).unwrap().item(), 4.0);
    /// ```
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
    pub(super) grads: Vec<Option<Var<'t>>>,
    /// The tape they were recorded on: a `Var` of another tape is refused, as [`Grads`] does.
    pub(super) tape_id: usize,
}

impl<'t> GradVars<'t> {
    /// The recorded gradient of `v`, or `None` where none flows (constants, nodes off every
    /// path to the loss).
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let (x, c) = (tape.leaf(1.5), tape.constant(2.0));
    /// let gv = tape.backward_graph(x * c);
    /// assert_eq!(gv.get(x).unwrap().item(), 2.0);
    /// assert!(gv.get(c).is_none());
    /// ```
    ///
    /// # Panics
    /// If `v` belongs to another tape.
    pub fn get(&self, v: Var<'t>) -> Option<Var<'t>> {
        assert!(
            v.tape.id == self.tape_id,
            "GradVars: the Var belongs to tape #{}, these gradients to tape #{}",
            v.tape.id,
            self.tape_id
        );
        self.grads.get(v.index).copied().flatten()
    }

    /// The recorded gradient of `v`; a leaf the loss does not depend on gets a recorded zero.
    ///
    /// # Panics
    /// If `v` is a constant, or belongs to another tape.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let (x, unused) = (tape.leaf(1.5), tape.leaf(7.0));
    /// let gv = tape.backward_graph(x.exp());
    /// assert_eq!(gv.of(x).item(), 1.5f64.exp());
    /// assert_eq!(gv.of(unused).item(), 0.0);            // a recorded zero
    /// ```
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

impl fmt::Debug for Grads {
    /// A summary: the tape, how many nodes the sweep covered and how many have a gradient.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Grads")
            .field("tape", &self.tape_id)
            .field("nodes", &self.grads.len())
            .field("with_gradient", &self.grads.iter().flatten().count())
            .finish()
    }
}

impl fmt::Debug for GradVars<'_> {
    /// A summary: how many nodes the sweep covered and how many have a recorded gradient.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GradVars")
            .field("nodes", &self.grads.len())
            .field("with_gradient", &self.grads.iter().flatten().count())
            .finish()
    }
}
