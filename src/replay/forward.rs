//! The forward pass of a replay: each node's value written over its buffer from the
//! buffers of its inputs, with the recorded op's arithmetic (so the same bits as recording).
//! Products, broadcasting arithmetic, the common entrywise functions and sums are written in
//! place; every other op is computed by [`Op::eval`] into a tensor from the pool that
//! replaces the buffer (the old one goes back to the pool, so after the first step that too
//! allocates nothing).

use super::plan::Forward;
use crate::linalg::matmul::Write;
use crate::ops::{Op, unary};
use crate::tape::Value;
use crate::tensor::Tensor;

/// The value of node `f.node`, from the values below it.
#[inline(always)]
pub(super) fn run(f: &Forward, values: &mut [Value]) {
    let (below, here) = values.split_at_mut(f.node);
    let v = |k: usize| &*below[k];
    let Value::Owned(out) = &mut here[0] else {
        unreachable!("a computed node owns its value")
    };
    let y = out.as_mut_slice();
    match f.op {
        Op::MatMul(a, b) | Op::MatMulT(a, b) => {
            let p = f.product.expect("a product has its kernel");
            p.run(v(a).as_slice(), v(b).as_slice(), y, Write::Overwrite);
        }
        Op::Add(a, b) => broadcast(y, v(a), v(b), |a, b| a + b),
        Op::Sub(a, b) => broadcast(y, v(a), v(b), |a, b| a - b),
        Op::Mul(a, b) => broadcast(y, v(a), v(b), |a, b| a * b),
        Op::Div(a, b) => broadcast(y, v(a), v(b), |a, b| a / b),
        Op::Neg(x) => map(y, v(x), |x| -x),
        Op::AddScalar(x, c) => map(y, v(x), |x| x + c),
        Op::MulScalar(x, c) => map(y, v(x), |x| x * c),
        Op::PowI(x, n) => map(y, v(x), |x| unary::powi(x, n)),
        Op::Relu(x) => map(y, v(x), unary::relu),
        Op::Sigmoid(x) => map(y, v(x), unary::sigmoid),
        Op::Tanh(x) => map(y, v(x), f64::tanh),
        Op::Exp(x) => map(y, v(x), f64::exp),
        Op::Sum(x) => y[0] = v(x).sum(),
        op => *out = op.eval(v),
    }
}

/// `y_k = f(x_k)`.
fn map(y: &mut [f64], x: &Tensor, f: impl Fn(f64) -> f64) {
    for (y, &x) in y.iter_mut().zip(x.as_slice()) {
        *y = f(x);
    }
}

/// `y_ij = f(a_ij, b_ij)`, an operand of one row or one column repeated across the other.
fn broadcast(y: &mut [f64], a: &Tensor, b: &Tensor, f: impl Fn(f64, f64) -> f64) {
    if a.shape() == b.shape() {
        for ((y, &a), &b) in y.iter_mut().zip(a.as_slice()).zip(b.as_slice()) {
            *y = f(a, b);
        }
        return;
    }
    let cols = a.cols().max(b.cols());
    if b.rows() == 1 && b.cols() == cols && a.cols() == cols {
        // A row (a bias) under every row of `a`.
        for (y, a) in y
            .chunks_exact_mut(cols)
            .zip(a.as_slice().chunks_exact(cols))
        {
            for ((y, &a), &b) in y.iter_mut().zip(a).zip(b.as_slice()) {
                *y = f(a, b);
            }
        }
        return;
    }
    let (sa, sb) = (Strides::of(a), Strides::of(b));
    for (i, row) in y.chunks_exact_mut(cols).enumerate() {
        for (j, y) in row.iter_mut().enumerate() {
            *y = f(a.as_slice()[sa.at(i, j)], b.as_slice()[sb.at(i, j)]);
        }
    }
}

/// Where entry `(i, j)` of a broadcast result reads an operand: a `1 x n` operand repeats its
/// row (row stride 0), an `m x 1` its column (column stride 0).
#[derive(Clone, Copy)]
pub(super) struct Strides {
    row: usize,
    col: usize,
}

impl Strides {
    pub(super) fn of(x: &Tensor) -> Strides {
        let (r, c) = x.shape();
        Strides {
            row: if r == 1 { 0 } else { c },
            col: usize::from(c != 1),
        }
    }

    #[inline(always)]
    pub(super) fn at(self, i: usize, j: usize) -> usize {
        i * self.row + j * self.col
    }
}
