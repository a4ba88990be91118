//! [`Op::eval`]: an op's forward value from the values of its inputs, as recording computes
//! it ([`crate::Var`]'s methods). The entrywise ops' functions are their [`super::Map`] and
//! [`super::Zip`] types' `f`, which a replay runs into its buffers too (the same function on
//! the same numbers, so a replayed value has the recorded value's bits).

use super::matmul::Of;
use super::{NodeId, Op, index, select, softmax};
use crate::tensor::Tensor;

impl Op {
    /// The value of this op given the value of each node (`value(k)`). A leaf or a constant
    /// has no formula.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad::ops::{Op, arith::Mul, unary::Relu};
    /// let values = [Tensor::row(&[1.0, -2.0]), Tensor::row(&[3.0, 4.0])];
    /// let y = Op::Zip(Mul.into(), 0, 1).eval(&|k| &values[k]);
    /// assert_eq!(y, Tensor::row(&[3.0, -8.0]));
    /// assert_eq!(Op::Map(Relu.into(), 0).eval(&|k| &values[k]), Tensor::row(&[1.0, 0.0]));
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
            Op::Map(op, x) => op.forward(v(x)),
            Op::Zip(op, a, b) => op.forward(v(a), v(b)),
            Op::MatMul(a, b) | Op::MatMulNt(a, b) => {
                let rule = self.product_rule().expect("a product");
                rule.y.eval(|of| if of == Of::A { v(a) } else { v(b) })
            }
            Op::Transpose(x) => v(x).t(),
            Op::Sum(x) => Tensor::scalar(v(x).sum()),
            Op::SumEachRow(x) => v(x).sum_each_row(),
            Op::SumEachCol(x) => v(x).sum_each_col(),
            Op::Expand(x, rows, cols) => v(x).expand(rows, cols),
            Op::LogSoftmax(x) => softmax::log_softmax_rows(v(x)),
            Op::Slice(x, r0, r1, c0, c1) => v(x).slice(r0..r1, c0..c1),
            Op::Pad(x, r0, c0, rows, cols) => v(x).pad(r0, c0, rows, cols),
            Op::IndexSelect(x, idx) => v(x).index_select(&index::idx_values(v(idx))),
            Op::ScatterRows(x, idx, rows) => v(x).scatter_rows(&index::idx_values(v(idx)), rows),
            Op::ConcatRows(a, b) => Tensor::concat_rows(&[v(a), v(b)]),
            Op::ConcatCols(a, b) => Tensor::concat_cols(&[v(a), v(b)]),
            Op::Select(m, a, b) => select::select_values(v(m), v(a), v(b)),
            Op::Custom(f, a, b) => {
                let inputs: Vec<&Tensor> = std::iter::once(a).chain(b).map(v).collect();
                f.forward(&inputs)
            }
        }
    }
}
