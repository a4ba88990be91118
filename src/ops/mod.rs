//! The operations a tape records: each op's recording method, with its formula, next to its
//! backward rule. The forward arithmetic of every op is one `match`, [`Op::eval`], which
//! recording and [`crate::replay::Replay`] both run.
//!
//! One file per family: [`arith`] (add sub mul div neg, scalar add/mul, broadcasting),
//! [`matmul`] (matmul, matmul_t, transpose), [`unary`] (powi powf sqrt exp ln abs relu sigmoid tanh),
//! [`trig`] (sin cos), [`softmax`] (softplus, log_sigmoid, log_softmax),
//! [`select`] (maximum, minimum, select), [`index`] (row and column windows, single entries,
//! gathered rows, concatenation), [`reduce`] (sum, mean, per row and per column, and expand).
//!
//! # How a backward rule is written
//! A rule is a vector-Jacobian product: given the adjoint `dy = dL/dy` of an op's output
//! and its inputs (and output), it returns the *local* gradient sent to each input,
//! `dx = (dy/dx)^T dy`. Rules never add into anything; only the reverse sweep in
//! [`crate::tape`] sums the contributions of every use of a value (fan-out).
//!
//! Each rule is written once, generic over [`Adjoint`]: the arithmetic a rule needs. Two
//! types implement it:
//! - [`Tensor`]: the rule runs on numbers. This is the ordinary, fast backward pass.
//! - [`crate::Var`]: the rule's own arithmetic is recorded on the tape, so the gradient is
//!   itself a differentiable expression (PyTorch's `create_graph=True`). Differentiating
//!   `g(theta) . v` again gives the Hessian-vector product `H v` from the *same* rules
//!   ([`crate::Tape::backward_graph`]).

pub mod arith;
pub mod index;
pub mod matmul;
pub mod reduce;
pub mod select;
pub mod softmax;
pub mod trig;
pub mod unary;

mod adjoint;
mod eval;

pub use adjoint::Adjoint;

#[cfg(doc)]
use crate::tensor::Tensor;

/// Index of a node on its tape.
pub type NodeId = usize;

/// One recorded operation: what produced a node, with the indices of its inputs.
///
/// The `match` in [`Op::vjp`] is exhaustive, so an op without a backward rule does not
/// compile.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Op {
    /// A value we differentiate with respect to (a parameter).
    Leaf,
    /// A value held fixed (data, targets); it gets no gradient.
    Constant,
    /// `y = a + b`, broadcasting.
    Add(NodeId, NodeId),
    /// `y = a - b`, broadcasting.
    Sub(NodeId, NodeId),
    /// `y = a ⊙ b`, broadcasting.
    Mul(NodeId, NodeId),
    /// `y = a ⊘ b`, broadcasting.
    Div(NodeId, NodeId),
    /// `y = -x`.
    Neg(NodeId),
    /// `y = x + c`.
    AddScalar(NodeId, f64),
    /// `y = c x`.
    MulScalar(NodeId, f64),
    /// `y = x^n`, integer `n`.
    PowI(NodeId, i32),
    /// `y = x^p`, real `p`.
    PowF(NodeId, f64),
    /// `y = sqrt(x)`.
    Sqrt(NodeId),
    /// `y = exp(x)`.
    Exp(NodeId),
    /// `y = ln(x)`.
    Ln(NodeId),
    /// `y = |x|`.
    Abs(NodeId),
    /// `y = max(x, 0)`.
    Relu(NodeId),
    /// `y = 1 / (1 + exp(-x))`.
    Sigmoid(NodeId),
    /// `y = tanh(x)`.
    Tanh(NodeId),
    /// `Y = A B`.
    MatMul(NodeId, NodeId),
    /// `Y = A B^T` (a linear layer's `x W^T`).
    MatMulT(NodeId, NodeId),
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
    /// `y = sin(x)`.
    Sin(NodeId),
    /// `y = cos(x)`.
    Cos(NodeId),
    /// `y = ln(1 + e^x)`.
    Softplus(NodeId),
    /// `y = ln σ(x)`.
    LogSigmoid(NodeId),
    /// `y = log_softmax(x)` over each row.
    LogSoftmax(NodeId),
    /// `Y = X[r0..r1, c0..c1]`: `Slice(x, r0, r1, c0, c1)`.
    Slice(NodeId, usize, usize, usize, usize),
    /// `Y` = `x` placed at `(r0, c0)` in zeros of `rows x cols`: `Pad(x, r0, c0, rows, cols)`.
    Pad(NodeId, usize, usize, usize, usize),
    /// `Y = X[idx, :]`: `GatherRows(x, idx)`, `idx` a constant node holding the indices.
    GatherRows(NodeId, NodeId),
    /// The rows of `x` added into rows `idx` of zeros: `ScatterRows(x, idx, rows)`.
    ScatterRows(NodeId, NodeId, usize),
    /// `Y = [A; B]`.
    ConcatRows(NodeId, NodeId),
    /// `Y = [A, B]`.
    ConcatCols(NodeId, NodeId),
    /// `y = max(a, b)` entrywise.
    Maximum(NodeId, NodeId),
    /// `y = min(a, b)` entrywise.
    Minimum(NodeId, NodeId),
    /// `y = m ? a : b`: `Select(mask, a, b)`, `mask` a constant node.
    Select(NodeId, NodeId, NodeId),
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
            Op::Add(..) => "add".into(),
            Op::Sub(..) => "sub".into(),
            Op::Mul(..) => "mul".into(),
            Op::Div(..) => "div".into(),
            Op::Neg(_) => "neg".into(),
            Op::AddScalar(_, c) => format!("add_scalar({c})"),
            Op::MulScalar(_, c) => format!("mul_scalar({c})"),
            Op::PowI(_, n) => format!("powi({n})"),
            Op::PowF(_, p) => format!("powf({p})"),
            Op::Sqrt(_) => "sqrt".into(),
            Op::Exp(_) => "exp".into(),
            Op::Ln(_) => "ln".into(),
            Op::Abs(_) => "abs".into(),
            Op::Relu(_) => "relu".into(),
            Op::Sigmoid(_) => "sigmoid".into(),
            Op::Tanh(_) => "tanh".into(),
            Op::MatMul(..) => "matmul".into(),
            Op::MatMulT(..) => "matmul_t".into(),
            Op::Transpose(_) => "transpose".into(),
            Op::Sum(_) => "sum".into(),
            Op::SumEachRow(_) => "sum_each_row".into(),
            Op::SumEachCol(_) => "sum_each_col".into(),
            Op::Expand(_, r, c) => format!("expand({r}x{c})"),
            Op::Sin(_) => "sin".into(),
            Op::Cos(_) => "cos".into(),
            Op::Softplus(_) => "softplus".into(),
            Op::LogSigmoid(_) => "log_sigmoid".into(),
            Op::LogSoftmax(_) => "log_softmax".into(),
            Op::Slice(_, r0, r1, c0, c1) => format!("slice[{r0}..{r1}, {c0}..{c1}]"),
            Op::Pad(_, r0, c0, r, c) => format!("pad({r0}, {c0} in {r}x{c})"),
            Op::GatherRows(_, idx) => format!("gather_rows(#{idx})"),
            Op::ScatterRows(_, idx, r) => format!("scatter_rows(#{idx}, {r})"),
            Op::ConcatRows(..) => "concat_rows".into(),
            Op::ConcatCols(..) => "concat_cols".into(),
            Op::Maximum(..) => "maximum".into(),
            Op::Minimum(..) => "minimum".into(),
            Op::Select(m, _, _) => format!("select(#{m})"),
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
            Op::Add(a, b)
            | Op::Sub(a, b)
            | Op::Mul(a, b)
            | Op::Div(a, b)
            | Op::MatMul(a, b)
            | Op::MatMulT(a, b) => Inputs::Two(a, b),
            Op::Neg(x)
            | Op::AddScalar(x, _)
            | Op::MulScalar(x, _)
            | Op::PowI(x, _)
            | Op::PowF(x, _)
            | Op::Sqrt(x)
            | Op::Exp(x)
            | Op::Ln(x)
            | Op::Abs(x)
            | Op::Relu(x)
            | Op::Sigmoid(x)
            | Op::Tanh(x)
            | Op::Transpose(x)
            | Op::Sum(x)
            | Op::SumEachRow(x)
            | Op::SumEachCol(x)
            | Op::Expand(x, _, _)
            | Op::Sin(x)
            | Op::Cos(x)
            | Op::Softplus(x)
            | Op::LogSigmoid(x)
            | Op::LogSoftmax(x)
            | Op::Slice(x, ..)
            | Op::Pad(x, ..)
            | Op::GatherRows(x, _)
            | Op::ScatterRows(x, _, _) => Inputs::One(x),
            Op::ConcatRows(a, b)
            | Op::ConcatCols(a, b)
            | Op::Maximum(a, b)
            | Op::Minimum(a, b)
            | Op::Select(_, a, b) => Inputs::Two(a, b),
        }
    }

    /// The backward rule: the local gradients `dx_k = (dy/dx_k)^T dy` for each input `x_k`
    /// (in [`Op::inputs`] order), given the output adjoint `dy`, the output `y`, the value
    /// of any node (`value(k)`), and whether input `k` needs a gradient (`need(k)`; an input
    /// that does not gets `None` and costs nothing).
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad::ops::Op;
    /// // The rule of node 2 = mul(node 0, node 1), given the values of the tape.
    /// let values = [Tensor::scalar(3.0), Tensor::scalar(4.0), Tensor::scalar(12.0)];
    /// let [da, db] = Op::Mul(0, 1).vjp(&Tensor::scalar(1.0), &values[2], &|i| &values[i], &|_| true);
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
            Op::Add(a, b) => arith::add_vjp(dy, value(a), value(b), need(a), need(b)),
            Op::Sub(a, b) => arith::sub_vjp(dy, value(a), value(b), need(a), need(b)),
            Op::Mul(a, b) => arith::mul_vjp(dy, value(a), value(b), need(a), need(b)),
            Op::Div(a, b) => arith::div_vjp(dy, y, value(a), value(b), need(a), need(b)),
            Op::Neg(_) => one(arith::neg_vjp(dy)),
            Op::AddScalar(_, _) => one(arith::add_scalar_vjp(dy)),
            Op::MulScalar(_, c) => one(arith::mul_scalar_vjp(dy, c)),
            Op::PowI(x, n) => one(unary::powi_vjp(dy, value(x), n)),
            Op::PowF(x, p) => one(unary::powf_vjp(dy, value(x), p)),
            Op::Sqrt(_) => one(unary::sqrt_vjp(dy, y)),
            Op::Exp(_) => one(unary::exp_vjp(dy, y)),
            Op::Ln(x) => one(unary::ln_vjp(dy, value(x))),
            Op::Abs(x) => one(unary::abs_vjp(dy, value(x))),
            Op::Relu(x) => one(unary::relu_vjp(dy, value(x))),
            Op::Sigmoid(_) => one(unary::sigmoid_vjp(dy, y)),
            Op::Tanh(_) => one(unary::tanh_vjp(dy, y)),
            Op::MatMul(a, b) => matmul::matmul_vjp(dy, value(a), value(b), need(a), need(b)),
            Op::MatMulT(a, b) => matmul::matmul_t_vjp(dy, value(a), value(b), need(a), need(b)),
            Op::Transpose(_) => one(matmul::transpose_vjp(dy)),
            Op::Sum(x) | Op::SumEachRow(x) | Op::SumEachCol(x) => {
                one(reduce::sum_vjp(dy, value(x)))
            }
            Op::Expand(x, _, _) => one(reduce::expand_vjp(dy, value(x))),
            Op::Sin(x) => one(trig::sin_vjp(dy, value(x))),
            Op::Cos(x) => one(trig::cos_vjp(dy, value(x))),
            Op::Softplus(x) => one(softmax::softplus_vjp(dy, value(x))),
            Op::LogSigmoid(x) => one(softmax::log_sigmoid_vjp(dy, value(x))),
            Op::LogSoftmax(_) => one(softmax::log_softmax_vjp(dy, y)),
            Op::Slice(x, r0, _, c0, _) => one(index::slice_vjp(dy, value(x), r0, c0)),
            Op::Pad(x, r0, c0, _, _) => one(index::pad_vjp(dy, value(x), r0, c0)),
            Op::GatherRows(x, idx) => one(index::gather_rows_vjp(dy, value(x), value(idx))),
            Op::ScatterRows(_, idx, _) => one(index::scatter_rows_vjp(dy, value(idx))),
            Op::ConcatRows(a, b) => {
                index::concat_rows_vjp(dy, value(a), value(b), need(a), need(b))
            }
            Op::ConcatCols(a, b) => {
                index::concat_cols_vjp(dy, value(a), value(b), need(a), need(b))
            }
            Op::Maximum(a, b) => select::maximum_vjp(dy, value(a), value(b), need(a), need(b)),
            Op::Minimum(a, b) => select::minimum_vjp(dy, value(a), value(b), need(a), need(b)),
            Op::Select(m, a, b) => select::select_vjp(dy, value(m), need(a), need(b)),
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
