//! `Var`: a `Copy` handle to one node, and the recorded backward on Vars.

use super::Grads;
use super::Tape;
use crate::ops::{Adjoint, Binary, Custom, NodeId, Op, Unary};
use crate::tensor::preview;
use crate::tensor::{Tensor, fmt_shape};
use std::fmt;
use std::ops::Range;

/// A handle to one node of a tape: cheap to copy, with operators and methods that record
/// new nodes on the same tape.
#[derive(Clone, Copy)]
pub struct Var<'t> {
    pub(super) tape: &'t Tape,
    pub(super) index: NodeId,
}

impl<'t> Var<'t> {
    /// Gives the node a name, shown by the tape's table and DOT export: `tape.leaf(w).named("w1")`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let w = tape.leaf(1.0).named("w1");
    /// assert!(tape.to_string().contains("w1"));
    /// # let _ = w;
    /// ```
    pub fn named(self, name: &str) -> Var<'t> {
        self.tape.names.borrow_mut().push(self.index, name);
        self
    }

    /// Reverse mode from this scalar: the same as [`Tape::backward`]`(self)`, PyTorch's
    /// `loss.backward()` (but the gradients are returned, not stored on the leaves).
    ///
    /// # Panics
    /// If the value is not `1x1`.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let w = tape.leaf(Tensor::row(&[1.0, -2.0]));
    /// let loss = w.square().sum();                 // ||w||^2
    /// let grads = loss.backward();
    /// assert_eq!(grads[w], Tensor::row(&[2.0, -4.0]));  // 2 w
    /// ```
    pub fn backward(self) -> Grads {
        self.tape.backward(self)
    }

    /// The node's index on its tape.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let (a, b) = (tape.leaf(1.0), tape.leaf(2.0));
    /// assert_eq!((a.index(), b.index(), (a + b).index()), (0, 1, 2));
    /// ```
    pub fn index(self) -> NodeId {
        self.index
    }

    /// The tape this Var lives on.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(1.0);
    /// assert_eq!(x.tape().id(), tape.id());
    /// ```
    pub fn tape(self) -> &'t Tape {
        self.tape
    }

    /// `(rows, cols)` of the value.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.constant(Tensor::zeros(7, 1));
    /// assert_eq!(x.t().shape(), (1, 7));
    /// ```
    pub fn shape(self) -> (usize, usize) {
        self.tape.nodes.borrow()[self.index].value.shape()
    }

    /// A copy of the value.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::row(&[1.0, 4.0]));
    /// assert_eq!(x.sqrt().value(), Tensor::row(&[1.0, 2.0]));
    /// ```
    pub fn value(self) -> Tensor {
        self.tape.note_read(self.index);
        Tensor::clone(&self.tape.nodes.borrow()[self.index].value)
    }

    /// The value of a `1x1` node.
    ///
    /// # Panics
    /// If the node is not `1x1`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// assert_eq!((tape.leaf(2.0) * 3.0).item(), 6.0);
    /// ```
    pub fn item(self) -> f64 {
        self.tape.note_read(self.index);
        self.tape.nodes.borrow()[self.index].value.item()
    }

    /// The op that produced this node.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let y = tape.leaf(1.0).tanh();
    /// assert_eq!(y.op().name(), "tanh");
    /// ```
    pub fn op(self) -> Op {
        self.tape.nodes.borrow()[self.index].op
    }

    /// True if the loss can have a gradient with respect to this node (a leaf reaches it).
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let (w, x) = (tape.leaf(1.0), tape.constant(2.0));
    /// assert!((w * x).requires_grad());
    /// assert!(!(x * x).requires_grad());                // no leaf reaches it
    /// ```
    pub fn requires_grad(self) -> bool {
        self.tape.nodes.borrow()[self.index].requires_grad
    }

    /// Records `op` (an op of `self`), its value computed by [`Op::eval`] from the recorded
    /// values: the one forward of each op, which a [`crate::replay::Replay`] runs too.
    pub(crate) fn record(self, op: Op) -> Var<'t> {
        let value = {
            let nodes = self.tape.nodes.borrow();
            op.eval(|k: NodeId| &*nodes[k].value)
        };
        self.tape.push(op, value)
    }

    /// Records the entrywise op `op` of `self`.
    pub(crate) fn apply_map(self, op: impl Into<Unary>) -> Var<'t> {
        self.record(Op::Map(op.into(), self.index))
    }

    /// Records the broadcasting op `op` of `self` and `rhs`.
    pub(crate) fn apply_zip(self, rhs: Var<'t>, op: impl Into<Binary>) -> Var<'t> {
        self.binary(rhs, Op::Zip(op.into(), self.index, rhs.index))
    }

    /// `f` of the value, without counting as a read of it (a rule's own use of a value).
    pub(crate) fn peek<R>(self, f: impl FnOnce(&Tensor) -> R) -> R {
        f(&self.tape.nodes.borrow()[self.index].value)
    }

    /// Records `op` (an op of `self` and `rhs`), as [`Var::record`] does.
    ///
    /// # Panics
    /// If `self` and `rhs` live on different tapes, naming the op and both tapes.
    pub(crate) fn binary(self, rhs: Var<'t>, op: Op) -> Var<'t> {
        assert!(
            std::ptr::eq(self.tape, rhs.tape),
            "{}: operands belong to different tapes (tape #{} and tape #{}); record a whole \
             computation on one tape",
            op.name(),
            self.tape.id,
            rhs.tape.id
        );
        self.record(op)
    }
}

impl fmt::Debug for Var<'_> {
    /// The node, its op, shape and a preview of its value:
    /// `Var { tape: 0, node: 3, op: relu, shape: [2x1], value: [0.5000, 0.0000] }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nodes = self.tape.nodes.borrow();
        let node = &nodes[self.index];
        f.debug_struct("Var")
            .field("tape", &self.tape.id)
            .field("node", &self.index)
            .field("op", &format_args!("{}", node.op.name()))
            .field("shape", &format_args!("{}", fmt_shape(node.value.shape())))
            .field("value", &format_args!("{}", preview(&node.value)))
            .finish()
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
    fn mul_scalar(&self, c: f64) -> Self {
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
    fn map_rule(op: Unary, dy: &Self, x: &Self, y: &Self) -> Self {
        op.backward_recorded(*dy, *x, *y)
    }
    fn zip_rule(
        op: Binary,
        dy: &Self,
        [a, b]: [&Self; 2],
        y: &Self,
        need: [bool; 2],
    ) -> [Option<Self>; 2] {
        op.backward_recorded(*dy, [*a, *b], *y, need)
    }
    fn custom_rule(f: Custom, dy: &Self, inputs: &[&Self], y: &Self) -> Vec<Self> {
        f.0.backward_recorded(dy, inputs, y)
    }
    fn exp(&self) -> Self {
        Var::exp(*self)
    }
    fn sin(&self) -> Self {
        Var::sin(*self)
    }
    fn cos(&self) -> Self {
        Var::cos(*self)
    }
    fn sigmoid(&self) -> Self {
        Var::sigmoid(*self)
    }
    fn slice(&self, rows: Range<usize>, cols: Range<usize>) -> Self {
        Var::window(*self, rows, cols)
    }
    fn pad(&self, r0: usize, c0: usize, rows: usize, cols: usize) -> Self {
        Var::pad(*self, r0, c0, rows, cols)
    }
    fn index_select(&self, idx: &Self) -> Self {
        Var::gather_by(*self, *idx)
    }
    fn scatter_rows(&self, idx: &Self, rows: usize) -> Self {
        Var::scatter_by(*self, *idx, rows)
    }
}
