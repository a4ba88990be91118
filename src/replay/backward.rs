//! The reverse pass of a replay: each node's adjoint `dy` sent to its inputs, written
//! straight into their adjoint buffers, `dx = g` for the first contribution the plan found
//! and `dx += g` for later ones. No local gradient is made as a tensor of its own on the
//! common ops: the rule's formula is evaluated entry by entry into `dx` (or, for a product,
//! by the matmul kernel adding into it). Every other op runs its own rule ([`Op::vjp`]) and
//! its local gradients are then put into the buffers.

use super::forward::Strides;
use super::plan::Backward;
use crate::linalg::matmul::Write;
use crate::ops::{NodeId, Op, unary};
use crate::tape::Value;
use crate::tensor::Tensor;

/// Sends node `b.node`'s adjoint to the adjoints of its inputs.
pub(super) fn run(b: &Backward, adjoints: &mut [Tensor], values: &[Value]) {
    let (below, here) = adjoints.split_at_mut(b.node);
    let dy = here[0].as_slice();
    let v = |k: NodeId| &*values[k];
    let y = v(b.node);
    for (which, into) in b.into.iter().enumerate() {
        let Some((k, write)) = *into else { continue };
        let x = v(k);
        let dx = below[k].as_mut_slice();
        let d = |k: usize| dy[k];
        match (b.op, which) {
            // y = a + b  =>  da = sum_to(dy, a), db = sum_to(dy, b)
            (Op::Add(..), _) => sum_to(dx, x, y, write, |k, _, _| d(k)),
            // y = a - b  =>  da = sum_to(dy, a), db = -sum_to(dy, b)
            (Op::Sub(..), 0) => sum_to(dx, x, y, write, |k, _, _| d(k)),
            (Op::Sub(..), _) => sum_to(dx, x, y, write, |k, _, _| -d(k)),
            // y = a ⊙ b  =>  da = sum_to(dy ⊙ b, a), db = sum_to(dy ⊙ a, b)
            (Op::Mul(_, o), 0) | (Op::Mul(o, _), _) => {
                let (o, s) = (v(o).as_slice(), Strides::of(v(o)));
                sum_to(dx, x, y, write, |k, i, j| d(k) * o[s.at(i, j)])
            }
            // y = a ⊘ b  =>  da = sum_to(dy ⊘ b, a), db = -sum_to(dy ⊙ y ⊘ b, b)
            (Op::Div(_, divisor), which) => {
                let (b, s) = (v(divisor).as_slice(), Strides::of(v(divisor)));
                match which {
                    0 => sum_to(dx, x, y, write, |k, i, j| d(k) / b[s.at(i, j)]),
                    _ => sum_to(dx, x, y, write, |k, i, j| {
                        -(d(k) * y.as_slice()[k] / b[s.at(i, j)])
                    }),
                }
            }
            // y = -x  =>  dx = -dy
            (Op::Neg(_), _) => each(dx, write, |k| -d(k)),
            // y = x + c  =>  dx = dy
            (Op::AddScalar(..), _) => each(dx, write, d),
            // y = c x  =>  dx = c dy
            (Op::MulScalar(_, c), _) => each(dx, write, |k| d(k) * c),
            // y = x^n  =>  dx = dy ⊙ n x^(n-1)
            (Op::PowI(_, n), _) if n != 0 && n != i32::MIN => {
                let x = x.as_slice();
                each(dx, write, |k| d(k) * (unary::powi(x[k], n - 1) * n as f64))
            }
            // y = relu(x)  =>  dx = dy ⊙ 1[x > 0]
            (Op::Relu(_), _) => {
                let x = x.as_slice();
                each(dx, write, |k| d(k) * unary::step(x[k]))
            }
            // y = σ(x)  =>  dx = dy ⊙ y ⊙ (1 - y)
            (Op::Sigmoid(_), _) => {
                let y = y.as_slice();
                each(dx, write, |k| d(k) * (y[k] * (-y[k] + 1.0)))
            }
            // y = tanh(x)  =>  dx = dy ⊙ (1 - y^2)
            (Op::Tanh(_), _) => {
                let y = y.as_slice();
                each(dx, write, |k| d(k) * (-(y[k] * y[k]) + 1.0))
            }
            // y = exp(x)  =>  dx = dy ⊙ y
            (Op::Exp(_), _) => {
                let y = y.as_slice();
                each(dx, write, |k| d(k) * y[k])
            }
            // y = sum_ij x_ij  =>  dx_ij = dy
            (Op::Sum(_), _) => each(dx, write, |_| d(0)),
            // Y = A B    =>  dA = dY B^T, dB = A^T dY
            // Y = A B^T  =>  dA = dY B,   dB = dY^T A
            (Op::MatMul(a, bm) | Op::MatMulT(a, bm), which) => {
                let p = b.products[which].expect("a product has its adjoints' products");
                match (b.op, which) {
                    (_, 0) => p.run(dy, v(bm).as_slice(), dx, write),
                    (Op::MatMul(..), _) => p.run(v(a).as_slice(), dy, dx, write),
                    _ => p.run(dy, v(a).as_slice(), dx, write),
                }
            }
            _ => return by_rule(b, below, &here[0], values),
        }
    }
}

/// `dx_k = g(k)`, or `dx_k += g(k)`.
#[inline(always)]
fn each(dx: &mut [f64], write: Write, g: impl Fn(usize) -> f64) {
    for (k, dx) in dx.iter_mut().enumerate() {
        write.put(dx, g(k));
    }
}

/// `dx = sum_to(G, shape(x))` (or `dx += ...`), `G` the local gradient at the output's shape
/// given entry by entry as `g(k, i, j)` (`k = i cols + j`): entries of `G` over a broadcast
/// row or column of `x` are summed into it, in row order.
fn sum_to(
    dx: &mut [f64],
    x: &Tensor,
    y: &Tensor,
    write: Write,
    g: impl Fn(usize, usize, usize) -> f64,
) {
    let cols = y.cols();
    if x.shape() == y.shape() {
        for (k, dx) in dx.iter_mut().enumerate() {
            write.put(dx, g(k, k / cols.max(1), k % cols.max(1)));
        }
        return;
    }
    if write == Write::Overwrite {
        dx.fill(0.0);
    }
    let s = Strides::of(x);
    for i in 0..y.rows() {
        for j in 0..cols {
            dx[s.at(i, j)] += g(i * cols + j, i, j);
        }
    }
}

/// Any other op: its rule's local gradients ([`Op::vjp`]), each put into its input's adjoint.
fn by_rule(b: &Backward, below: &mut [Tensor], dy: &Tensor, values: &[Value]) {
    let needs = |k: NodeId| b.into.iter().flatten().any(|&(n, _)| n == k);
    let local = b.op.vjp(dy, &values[b.node], |k| &*values[k], needs);
    for (into, g) in b.into.iter().zip(local) {
        if let (Some((k, write)), Some(g)) = (*into, g) {
            each(below[k].as_mut_slice(), write, |i| g.as_slice()[i]);
        }
    }
}
