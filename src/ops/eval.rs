//! [`Op::eval`]: an op's forward value from the values of its inputs: the one forward of
//! each op, which recording it computes ([`crate::Var`]'s methods) and re-running a recorded
//! graph computes again ([`crate::replay::Replay`]), so a replayed value has the recorded
//! value's bits.

use super::{NodeId, Op, index, select, softmax, unary};
use crate::tensor::Tensor;

impl Op {
    /// The value of this op given the value of each node (`value(k)`). A leaf or a constant
    /// has no formula.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad::ops::Op;
    /// let values = [Tensor::row(&[1.0, -2.0]), Tensor::row(&[3.0, 4.0])];
    /// let y = Op::Mul(0, 1).eval(&|k| &values[k]);
    /// assert_eq!(y, Tensor::row(&[3.0, -8.0]));
    /// assert_eq!(Op::Relu(0).eval(&|k| &values[k]), Tensor::row(&[1.0, 0.0]));
    /// ```
    ///
    /// # Panics
    /// As the op's own method would, on shapes it does not accept; [`Op::Leaf`] and
    /// [`Op::Constant`] (their values are not computed from anything).
    #[inline]
    pub fn eval<'a>(&self, value: impl Fn(NodeId) -> &'a Tensor) -> Tensor {
        let v = value;
        match *self {
            Op::Leaf | Op::Constant => panic!("Op::eval: a {} has no formula", self.name()),
            Op::Add(a, b) => v(a).add(v(b)),
            Op::Sub(a, b) => v(a).sub(v(b)),
            Op::Mul(a, b) => v(a).mul(v(b)),
            Op::Div(a, b) => v(a).div(v(b)),
            Op::Neg(x) => v(x).neg(),
            Op::AddScalar(x, c) => v(x).add_scalar(c),
            Op::MulScalar(x, c) => v(x).scale(c),
            Op::PowI(x, n) => v(x).map(|t| unary::powi(t, n)),
            Op::PowF(x, p) => v(x).map(|t| t.powf(p)),
            Op::Sqrt(x) => v(x).map(f64::sqrt),
            Op::Exp(x) => v(x).map(f64::exp),
            Op::Ln(x) => v(x).map(f64::ln),
            Op::Abs(x) => v(x).map(f64::abs),
            Op::Relu(x) => v(x).map(unary::relu),
            Op::Sigmoid(x) => v(x).map(unary::sigmoid),
            Op::Tanh(x) => v(x).map(f64::tanh),
            Op::MatMul(a, b) => v(a).matmul(v(b)),
            Op::MatMulT(a, b) => v(a).matmul_nt(v(b)),
            Op::Transpose(x) => v(x).t(),
            Op::Sum(x) => Tensor::scalar(v(x).sum()),
            Op::SumEachRow(x) => v(x).sum_each_row(),
            Op::SumEachCol(x) => v(x).sum_each_col(),
            Op::Expand(x, rows, cols) => v(x).expand(rows, cols),
            Op::Sin(x) => v(x).map(f64::sin),
            Op::Cos(x) => v(x).map(f64::cos),
            Op::Softplus(x) => v(x).map(softmax::softplus),
            Op::LogSigmoid(x) => v(x).map(softmax::log_sigmoid),
            Op::LogSoftmax(x) => softmax::log_softmax_rows(v(x)),
            Op::Slice(x, r0, r1, c0, c1) => v(x).slice(r0..r1, c0..c1),
            Op::Pad(x, r0, c0, rows, cols) => v(x).pad(r0, c0, rows, cols),
            Op::GatherRows(x, idx) => v(x).select_rows(&index::idx_values(v(idx))),
            Op::ScatterRows(x, idx, rows) => v(x).scatter_rows(&index::idx_values(v(idx)), rows),
            Op::ConcatRows(a, b) => v(a).concat_rows(v(b)),
            Op::ConcatCols(a, b) => v(a).concat_cols(v(b)),
            Op::Maximum(a, b) => {
                v(a).broadcast_map(v(b), "maximum", |x, y| select::nan_or(x, y, f64::max))
            }
            Op::Minimum(a, b) => {
                v(a).broadcast_map(v(b), "minimum", |x, y| select::nan_or(x, y, f64::min))
            }
            Op::Select(m, a, b) => select::select_values(v(m), v(a), v(b)),
        }
    }
}
