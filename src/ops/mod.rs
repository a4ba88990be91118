//! The operations a tape records: each op's forward, its backward rule and the line the
//! tape's pages show, written once, side by side, in its family's file; every executor (the
//! tape on numbers, the recorded tape for second order, [`crate::replay::Replay`]) runs that
//! one definition.
//!
//! One file per family: [`arith`] (add sub mul div neg, scalar add/mul, broadcasting),
//! [`matmul`] (matmul, matmul_nt, transpose), [`unary`] (powi powf sqrt exp ln abs relu sigmoid tanh),
//! [`trig`] (sin cos), [`softmax`] (softplus, log_sigmoid, log_softmax),
//! [`select`] (maximum, minimum, select), [`index`] (row and column windows, single entries,
//! gathered rows, concatenation), [`reduce`] (sum, mean, per row and per column, and expand),
//! [`custom`] (your own ops, [`Function`]).
//!
//! # How a backward rule is written
//! A rule is a vector-Jacobian product: given the adjoint `dy = dL/dy` of an op's output
//! and its inputs (and output), it returns the *local* gradient sent to each input,
//! `dx = (dy/dx)^T dy`. Rules never add into anything; the executors sum the contributions of
//! every use of a value (fan-out): the reverse sweep in [`crate::tape`], and a replay, which
//! writes the first contribution to an adjoint and adds the later ones.
//!
//! Three kinds of rule, each written once:
//! - **Entrywise** ops ([`Map`]: `relu`, `sigmoid`, `exp`, ...; [`Zip`]: `+ − ⊙ ⊘`, `maximum`,
//!   `minimum`) give `f` on one number and the rule on one entry, over [`Real`]: on `f64` it is
//!   the ordinary backward pass (and the replay's loops), on [`crate::Var`] the rule's own
//!   arithmetic is recorded, so the gradient is itself differentiable. Sigmoid is
//!   `dx = dy * (y * (-y + 1.0))`, and that line is all there is of its rule.
//! - **Products** state their adjoints as products ([`matmul`]: `dA = dY Bᵀ`, `dB = Aᵀ dY`),
//!   which the tape evaluates and the replay plans kernels from; **sums and `expand`** are
//!   each other's rule ([`reduce`]).
//! - **Every other op** (windows, gathers, `log_softmax`, `select`, a user's [`Function`]) writes
//!   its rule with [`Adjoint`]'s tensor arithmetic, generic over the type it runs on:
//!   [`Tensor`] (numbers) or [`crate::Var`] (recorded, PyTorch's `create_graph=True`).
//!   Differentiating `g(theta) . v` again gives the Hessian-vector product `H v` from the
//!   *same* rules ([`crate::Tape::backward_graph`]).

/// A registry of built-in ops of one form: the enum `$name` whose variants hold the op types
/// listed (one name per op), `From` each op type, and `visit`, which runs a visitor compiled
/// for the variant's own type (so each executor's loop is that op's own loop).
macro_rules! registry {
    ($name:ident: $visitor:ident, $doc:literal; $($op:ident),* $(,)?) => {
        #[doc = $doc]
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum $name {
            $(#[doc = concat!("[`", stringify!($op), "`]")] $op($op)),*
        }

        impl $name {
            /// `v` run with this op's own type.
            #[inline(always)]
            pub(crate) fn visit<V: $visitor>(self, v: V) -> V::Out {
                match self {
                    $($name::$op(op) => v.visit(op)),*
                }
            }
        }

        $(impl From<$op> for $name {
            fn from(op: $op) -> $name {
                $name::$op(op)
            }
        })*
    };
}
use registry;

pub mod arith;
pub mod custom;
pub mod index;
pub mod matmul;
pub mod reduce;
pub mod select;
pub mod softmax;
pub mod trig;
pub mod unary;

mod adjoint;
mod eval;
mod map;
mod real;
mod zip;

pub use adjoint::Adjoint;
pub use custom::{Custom, Function};
pub use map::{Map, Unary};
pub use real::Real;
pub use zip::{Binary, Zip};

#[cfg(doc)]
use crate::tensor::Tensor;

/// Index of a node on its tape.
pub type NodeId = usize;

/// One recorded operation: what produced a node, with the indices of its inputs.
///
/// The `match` in [`Op::vjp`] is exhaustive, so an op without a backward rule does not
/// compile. The entrywise ops are two variants, each holding its op's own type:
/// [`Op::Map`] ([`Unary`]: `relu`, `sigmoid`, ...) and [`Op::Zip`] ([`Binary`]: `+`, `⊙`, ...).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Op {
    /// A value we differentiate with respect to (a parameter).
    Leaf,
    /// A value held fixed (data, targets); it gets no gradient.
    Constant,
    /// `y = f(x)` entrywise: `Map(op, x)` ([`Map`]).
    Map(Unary, NodeId),
    /// `y = f(a, b)` entrywise, broadcasting: `Zip(op, a, b)` ([`Zip`]).
    Zip(Binary, NodeId, NodeId),
    /// `Y = A B`.
    MatMul(NodeId, NodeId),
    /// `Y = A B^T` (a linear layer's `x W^T`).
    MatMulNt(NodeId, NodeId),
    /// `Y = X^T`.
    Transpose(NodeId),
    /// `y = sum_ij x_ij` (`1x1`).
    Sum(NodeId),
    /// `y_i = sum_j x_ij` (`m x 1`).
    SumEachRow(NodeId),
    /// `y_j = sum_i x_ij` (`1 x n`).
    SumEachCol(NodeId),
    /// `Y = x` broadcast to `rows x cols`.
    Expand(NodeId, usize, usize),
    /// `y = log_softmax(x)` over each row.
    LogSoftmax(NodeId),
    /// `Y = X[r0..r1, c0..c1]`: `Slice(x, r0, r1, c0, c1)`.
    Slice(NodeId, usize, usize, usize, usize),
    /// `Y` = `x` placed at `(r0, c0)` in zeros of `rows x cols`: `Pad(x, r0, c0, rows, cols)`.
    Pad(NodeId, usize, usize, usize, usize),
    /// `Y = X[idx, :]`: `IndexSelect(x, idx)`, `idx` a constant node holding the indices.
    IndexSelect(NodeId, NodeId),
    /// The rows of `x` added into rows `idx` of zeros: `ScatterRows(x, idx, rows)`.
    ScatterRows(NodeId, NodeId, usize),
    /// `Y = [A; B]`.
    ConcatRows(NodeId, NodeId),
    /// `Y = [A, B]`.
    ConcatCols(NodeId, NodeId),
    /// `y = m ? a : b`: `Select(mask, a, b)`, `mask` a constant node.
    Select(NodeId, NodeId, NodeId),
    /// A user's op ([`Function`]) of one or two inputs: `Custom(op, a, b)`.
    Custom(Custom, NodeId, Option<NodeId>),
}

impl Op {
    /// The op's name as the tape prints it.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let y = tape.leaf(1.0).powi(3);
    /// assert_eq!(y.op().name(), "powi(3)");
    /// ```
    pub fn name(&self) -> String {
        match *self {
            Op::Leaf => "leaf".into(),
            Op::Constant => "constant".into(),
            Op::Map(op, _) => op.name(),
            Op::Zip(op, ..) => op.name().into(),
            Op::MatMul(..) => "matmul".into(),
            Op::MatMulNt(..) => "matmul_nt".into(),
            Op::Transpose(_) => "transpose".into(),
            Op::Sum(_) => "sum".into(),
            Op::SumEachRow(_) => "sum_each_row".into(),
            Op::SumEachCol(_) => "sum_each_col".into(),
            Op::Expand(_, r, c) => format!("expand({r}x{c})"),
            Op::LogSoftmax(_) => "log_softmax".into(),
            Op::Slice(_, r0, r1, c0, c1) => format!("slice[{r0}..{r1}, {c0}..{c1}]"),
            Op::Pad(_, r0, c0, r, c) => format!("pad({r0}, {c0} in {r}x{c})"),
            Op::IndexSelect(_, idx) => format!("index_select(#{idx})"),
            Op::ScatterRows(_, idx, r) => format!("scatter_rows(#{idx}, {r})"),
            Op::ConcatRows(..) => "concat_rows".into(),
            Op::ConcatCols(..) => "concat_cols".into(),
            Op::Select(m, _, _) => format!("select(#{m})"),
            Op::Custom(f, ..) => f.name(),
        }
    }

    /// The op's forward and rule in one line, as the tape's pages show them, written beside
    /// the rule itself (in the op's file).
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let y = tape.leaf(2.0).tanh();
    /// assert_eq!(y.op().formula(), "y = tanh(a);  da = dy ⊙ (1 − y²)");
    /// ```
    pub fn formula(&self) -> &'static str {
        match *self {
            Op::Leaf => "a parameter: its adjoint is the gradient dL/dθ",
            Op::Constant => "a constant: no gradient flows into it",
            Op::Map(op, _) => op.formula(),
            Op::Zip(op, ..) => op.formula(),
            Op::MatMul(..) => matmul::MATMUL_TEXT,
            Op::MatMulNt(..) => matmul::MATMUL_T_TEXT,
            Op::Transpose(_) => matmul::TRANSPOSE_TEXT,
            Op::Sum(_) => reduce::SUM_TEXT,
            Op::SumEachRow(_) => reduce::SUM_EACH_ROW_TEXT,
            Op::SumEachCol(_) => reduce::SUM_EACH_COL_TEXT,
            Op::Expand(..) => reduce::EXPAND_TEXT,
            Op::LogSoftmax(_) => softmax::LOG_SOFTMAX,
            Op::Slice(..) => index::SLICE_TEXT,
            Op::Pad(..) => index::PAD_TEXT,
            Op::IndexSelect(..) => index::GATHER_TEXT,
            Op::ScatterRows(..) => index::SCATTER_TEXT,
            Op::ConcatRows(..) => index::CONCAT_ROWS_TEXT,
            Op::ConcatCols(..) => index::CONCAT_COLS_TEXT,
            Op::Select(..) => select::SELECT,
            Op::Custom(f, ..) => f.formula(),
        }
    }

    /// The input nodes, in the order [`Op::vjp`] returns their gradients.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// use tapegrad::ops::Inputs;
    /// let tape = Tape::new();
    /// let (a, b) = (tape.leaf(1.0), tape.leaf(2.0));
    /// assert_eq!((a * b).op().inputs(), Inputs::Two(0, 1));
    /// assert_eq!(a.op().inputs(), Inputs::None);
    /// ```
    pub fn inputs(&self) -> Inputs {
        match *self {
            Op::Leaf | Op::Constant => Inputs::None,
            Op::Zip(_, a, b)
            | Op::MatMul(a, b)
            | Op::MatMulNt(a, b)
            | Op::ConcatRows(a, b)
            | Op::ConcatCols(a, b)
            | Op::Select(_, a, b)
            | Op::Custom(_, a, Some(b)) => Inputs::Two(a, b),
            Op::Map(_, x)
            | Op::Transpose(x)
            | Op::Sum(x)
            | Op::SumEachRow(x)
            | Op::SumEachCol(x)
            | Op::Expand(x, _, _)
            | Op::LogSoftmax(x)
            | Op::Slice(x, ..)
            | Op::Pad(x, ..)
            | Op::IndexSelect(x, _)
            | Op::ScatterRows(x, _, _)
            | Op::Custom(_, x, None) => Inputs::One(x),
        }
    }

    /// The rule of a product: its two adjoints as products ([`matmul`]).
    pub(crate) fn product_rule(&self) -> Option<&'static matmul::ProductRule> {
        match self {
            Op::MatMul(..) => Some(&matmul::MATMUL),
            Op::MatMulNt(..) => Some(&matmul::MATMUL_T),
            _ => None,
        }
    }

    /// The backward rule: the local gradients `dx_k = (dy/dx_k)^T dy` for each input `x_k`
    /// (in [`Op::inputs`] order), given the output adjoint `dy`, the output `y`, the value
    /// of any node (`value(k)`), and whether input `k` needs a gradient (`need(k)`; an input
    /// that does not gets `None` and costs nothing).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad::ops::{Op, arith::Mul};
    /// // The rule of node 2 = mul(node 0, node 1), given the values of the tape.
    /// let values = [Tensor::scalar(3.0), Tensor::scalar(4.0), Tensor::scalar(12.0)];
    /// let [da, db] = Op::Zip(Mul.into(), 0, 1).vjp(&Tensor::scalar(1.0), &values[2], &|i| &values[i], &|_| true);
    /// assert_eq!((da.unwrap().item(), db.unwrap().item()), (4.0, 3.0));
    /// ```
    pub fn vjp<'a, V: Adjoint + 'a>(
        &self,
        dy: &V,
        y: &V,
        value: impl Fn(NodeId) -> &'a V,
        need: impl Fn(NodeId) -> bool,
    ) -> [Option<V>; 2] {
        let one = |g: V| [Some(g), None];
        match *self {
            Op::Leaf | Op::Constant => [None, None],
            Op::Map(op, x) => one(V::map_rule(op, dy, value(x), y)),
            Op::Zip(op, a, b) => V::zip_rule(op, dy, [value(a), value(b)], y, [need(a), need(b)]),
            Op::MatMul(a, b) | Op::MatMulNt(a, b) => {
                let rule = self.product_rule().expect("a product");
                matmul::product_vjp(rule, [dy, value(a), value(b)], [need(a), need(b)])
            }
            Op::Transpose(_) => one(matmul::transpose_vjp(dy)),
            Op::Sum(x) | Op::SumEachRow(x) | Op::SumEachCol(x) | Op::Expand(x, ..) => {
                let (map, _) = self.broadcasting().expect("a sum or an expand");
                one(map.adjoint().apply(dy, value(x).shape()))
            }
            Op::LogSoftmax(_) => one(softmax::log_softmax_vjp(dy, y)),
            Op::Slice(x, r0, _, c0, _) => one(index::slice_vjp(dy, value(x), r0, c0)),
            Op::Pad(x, r0, c0, _, _) => one(index::pad_vjp(dy, value(x), r0, c0)),
            Op::IndexSelect(x, idx) => one(index::index_select_vjp(dy, value(x), value(idx))),
            Op::ScatterRows(_, idx, _) => one(index::scatter_rows_vjp(dy, value(idx))),
            Op::ConcatRows(a, b) => {
                index::concat_rows_vjp(dy, value(a), value(b), need(a), need(b))
            }
            Op::ConcatCols(a, b) => {
                index::concat_cols_vjp(dy, value(a), value(b), need(a), need(b))
            }
            Op::Select(m, a, b) => select::select_vjp(dy, value(m), need(a), need(b)),
            Op::Custom(f, a, b) => {
                let inputs: Vec<&V> = std::iter::once(a).chain(b).map(&value).collect();
                let grads = V::custom_rule(f, dy, &inputs, y);
                custom::check_grads(f, &grads, &inputs);
                // An input that needs no gradient gets none, as from a built-in op.
                let mut grads = grads.into_iter();
                let [ga, gb] = [grads.next(), grads.next()];
                [ga.filter(|_| need(a)), gb.filter(|_| b.is_some_and(&need))]
            }
        }
    }
}

/// The inputs of an op: none (leaf, constant), one, or two node indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inputs {
    /// A leaf or a constant.
    None,
    /// A unary op's input.
    One(NodeId),
    /// A binary op's inputs, left then right.
    Two(NodeId, NodeId),
}

impl Inputs {
    /// The inputs as `[Option<NodeId>; 2]`, matching the gradients of [`Op::vjp`].
    ///
    /// ```
    /// use tapegrad::ops::Inputs;
    /// assert_eq!(Inputs::One(4).as_array(), [Some(4), None]);
    /// ```
    pub fn as_array(self) -> [Option<NodeId>; 2] {
        match self {
            Inputs::None => [None, None],
            Inputs::One(x) => [Some(x), None],
            Inputs::Two(a, b) => [Some(a), Some(b)],
        }
    }
}
