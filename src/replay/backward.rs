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
#[inline(always)]
pub(super) fn run(b: &Backward, adjoints: &mut [Tensor], values: &[Value]) {
    let (below, here) = adjoints.split_at_mut(b.node);
    let dy = here[0].as_slice();
    let v = |k: NodeId| &*values[k];
    let (y, ys) = (v(b.node), v(b.node).as_slice());
    // A product's adjoint products (`dA`, `dB`), each of its fixed shape and kernel.
    let product = |which: usize| b.products[which].expect("a product has its adjoints' products");
    for (which, into) in b.into.iter().enumerate() {
        let Some((k, write)) = *into else { continue };
        let x = v(k);
        let (xs, dx) = (x.as_slice(), below[k].as_mut_slice());
        let same = x.shape() == y.shape();
        match (b.op, which) {
            // y = a + b  =>  da = sum_to(dy, a), db = sum_to(dy, b)
            (Op::Add(..), _) => sum_to_dy(dx, x, y, write, dy, 1.0),
            // y = a - b  =>  da = sum_to(dy, a), db = -sum_to(dy, b)
            (Op::Sub(..), 0) => sum_to_dy(dx, x, y, write, dy, 1.0),
            (Op::Sub(..), _) => sum_to_dy(dx, x, y, write, dy, -1.0),
            // y = a ⊙ b  =>  da = sum_to(dy ⊙ b, a), db = sum_to(dy ⊙ a, b)
            (Op::Mul(_, o), 0) | (Op::Mul(o, _), _) => {
                let (os, s) = (v(o).as_slice(), Strides::of(v(o)));
                match same && v(o).shape() == y.shape() {
                    true => each(dx, write, [dy, os], |[d, o]| d * o),
                    false => sum_to(dx, x, y, write, |k, i, j| dy[k] * os[s.at(i, j)]),
                }
            }
            // y = a ⊘ b  =>  da = sum_to(dy ⊘ b, a), db = -sum_to(dy ⊙ y ⊘ b, b)
            (Op::Div(_, divisor), which) => {
                let (bs, s) = (v(divisor).as_slice(), Strides::of(v(divisor)));
                match which {
                    0 => sum_to(dx, x, y, write, |k, i, j| dy[k] / bs[s.at(i, j)]),
                    _ => sum_to(dx, x, y, write, |k, i, j| -(dy[k] * ys[k] / bs[s.at(i, j)])),
                }
            }
            // y = -x  =>  dx = -dy
            (Op::Neg(_), _) => each(dx, write, [dy], |[d]| -d),
            // y = x + c  =>  dx = dy
            (Op::AddScalar(..), _) => each(dx, write, [dy], |[d]| d),
            // y = c x  =>  dx = c dy
            (Op::MulScalar(_, c), _) => each(dx, write, [dy], |[d]| d * c),
            // y = x^n  =>  dx = dy ⊙ n x^(n-1)
            (Op::PowI(_, n), _) if n != 0 && n != i32::MIN => {
                each(dx, write, [dy, xs], |[d, x]| {
                    d * (unary::powi(x, n - 1) * n as f64)
                })
            }
            // y = relu(x)  =>  dx = dy ⊙ 1[x > 0]
            (Op::Relu(_), _) => each(dx, write, [dy, xs], |[d, x]| d * unary::step(x)),
            // y = σ(x)  =>  dx = dy ⊙ y ⊙ (1 - y)
            (Op::Sigmoid(_), _) => each(dx, write, [dy, ys], |[d, y]| d * (y * (-y + 1.0))),
            // y = tanh(x)  =>  dx = dy ⊙ (1 - y^2)
            (Op::Tanh(_), _) => each(dx, write, [dy, ys], |[d, y]| d * (-(y * y) + 1.0)),
            // y = exp(x)  =>  dx = dy ⊙ y
            (Op::Exp(_), _) => each(dx, write, [dy, ys], |[d, y]| d * y),
            // y = sum_ij x_ij  =>  dx_ij = dy
            (Op::Sum(_), _) => {
                let d = dy[0];
                match write {
                    Write::Overwrite => dx.fill(d),
                    Write::Add => dx.iter_mut().for_each(|dx| *dx += d),
                }
            }
            // Y = A B  =>  dA = dY B^T,  dB = A^T dY
            (Op::MatMul(_, bm), 0) => product(0).run(dy, v(bm).as_slice(), dx, write),
            (Op::MatMul(a, _), _) => product(1).run(v(a).as_slice(), dy, dx, write),
            // Y = A B^T  =>  dA = dY B,  dB = dY^T A
            (Op::MatMulT(_, bm), 0) => product(0).run(dy, v(bm).as_slice(), dx, write),
            (Op::MatMulT(a, _), _) => product(1).run(dy, v(a).as_slice(), dx, write),
            // Every other op (`in_place` is false exactly for these).
            _ => return by_rule(b, below, &here[0], values),
        }
    }
}

/// True if `op`'s rule runs in place here (false: its own rule, [`Op::vjp`], into tensors):
/// the ops with an arm of their own in [`run`] (a test holds the two together).
pub(super) fn in_place(op: Op) -> bool {
    match op {
        Op::PowI(_, n) => n != 0 && n != i32::MIN,
        _ => matches!(
            op,
            Op::Add(..)
                | Op::Sub(..)
                | Op::Mul(..)
                | Op::Div(..)
                | Op::Neg(_)
                | Op::AddScalar(..)
                | Op::MulScalar(..)
                | Op::Relu(_)
                | Op::Sigmoid(_)
                | Op::Tanh(_)
                | Op::Exp(_)
                | Op::Sum(_)
                | Op::MatMul(..)
                | Op::MatMulT(..)
        ),
    }
}

/// `dx_k = g(s_k)`, or `dx_k += g(s_k)`, `s_k` the `k`-th entries of the slices `src` (of
/// `dx`'s length): one loop for each mode, so that each vectorizes.
#[inline(always)]
fn each<const N: usize>(
    dx: &mut [f64],
    write: Write,
    src: [&[f64]; N],
    g: impl Fn([f64; N]) -> f64,
) {
    let n = dx.len();
    let src = src.map(|s| &s[..n]);
    match write {
        Write::Overwrite => (0..n).for_each(|k| dx[k] = g(src.map(|s| s[k]))),
        Write::Add => (0..n).for_each(|k| dx[k] += g(src.map(|s| s[k]))),
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
    let (rows, cols) = y.shape();
    let s = Strides::of(x);
    if x.shape() == y.shape() {
        match write {
            Write::Overwrite => for_each_entry(rows, cols, |k, i, j| dx[k] = g(k, i, j)),
            Write::Add => for_each_entry(rows, cols, |k, i, j| dx[k] += g(k, i, j)),
        }
        return;
    }
    if write == Write::Overwrite {
        dx.fill(0.0);
    }
    for_each_entry(rows, cols, |k, i, j| dx[s.at(i, j)] += g(k, i, j));
}

/// `dx = sign · sum_to(dy, shape(x))` (or `dx += ...`), `sign` ±1: an add's or a
/// subtraction's rule. A row `x` (a bias under every row of `y`) sums the rows of `dy`.
fn sum_to_dy(dx: &mut [f64], x: &Tensor, y: &Tensor, write: Write, dy: &[f64], sign: f64) {
    let cols = y.cols();
    if x.shape() == y.shape() {
        each(dx, write, [dy], |[d]| sign * d);
    } else if x.rows() == 1 && x.cols() == cols && cols > 0 {
        if write == Write::Overwrite {
            dx.fill(0.0);
        }
        for row in dy.chunks_exact(cols) {
            for (dx, &d) in dx.iter_mut().zip(row) {
                *dx += sign * d;
            }
        }
    } else {
        sum_to(dx, x, y, write, |k, _, _| sign * dy[k]);
    }
}

/// `f(k, i, j)` for every entry `(i, j)` of a `rows x cols` matrix, `k = i cols + j`, in
/// row order.
#[inline(always)]
fn for_each_entry(rows: usize, cols: usize, mut f: impl FnMut(usize, usize, usize)) {
    for i in 0..rows {
        for j in 0..cols {
            f(i * cols + j, i, j);
        }
    }
}

#[cfg(test)]
thread_local! {
    /// How many times [`by_rule`] ran on this thread (for the test that holds [`in_place`] to
    /// the arms of [`run`]).
    pub(super) static BY_RULE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Any other op: its rule's local gradients ([`Op::vjp`]), each put into its input's adjoint.
fn by_rule(b: &Backward, below: &mut [Tensor], dy: &Tensor, values: &[Value]) {
    #[cfg(test)]
    BY_RULE.with(|n| n.set(n.get() + 1));
    let needs = |k: NodeId| b.into.iter().flatten().any(|&(n, _)| n == k);
    let local = b.op.vjp(dy, &values[b.node], |k| &*values[k], needs);
    for (into, g) in b.into.iter().zip(local) {
        if let (Some((k, write)), Some(g)) = (*into, g) {
            each(below[k].as_mut_slice(), write, [g.as_slice()], |[g]| g);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Replay;
    use super::{BY_RULE, in_place};
    use crate::params::Params;
    use crate::{Tape, Tensor, Var};

    /// `in_place` names exactly the ops `run` has an arm for: over a graph
    /// with every op of the tape, the rules run by `Op::vjp` in one replayed step are as many
    /// as the backward nodes `in_place` rejects.
    #[test]
    fn in_place_matches_the_rules_run_in_place() {
        let mut p = Params::new();
        p.add(
            "w",
            &Tensor::from_fn(3, 4, |i, j| 0.3 * i as f64 - 0.2 * j as f64 + 0.1),
        );
        p.add("r", &Tensor::from_fn(1, 4, |_, j| 0.5 + j as f64));
        let tape = Tape::new();
        let t = tape.params(&p);
        let (w, r) = (t.vars()[0], t.vars()[1]);
        let pos = w.square() + 0.5;
        let parts: Vec<Var<'_>> = vec![
            (w + r) * (w - r) / (r.square() + 1.0),
            (-w).mul_scalar(2.0).add_scalar(1.0).powi(3) + w.powi(0),
            w.relu() + w.sigmoid() + w.tanh() + w.exp() + w.abs() + w.sin() + w.cos(),
            pos.sqrt() + pos.ln() + pos.powf(0.5) + w.softplus() + w.log_sigmoid(),
            w.matmul(w.t()).matmul_t(w.t()).expand(3, 4) + w.log_softmax(),
            w.sum_each_row().expand(3, 4) + w.sum_each_col().expand(3, 4) + w.mean(),
            Var::concat_rows(&[w.rows(0..1), w.rows(1..3)])
                .maximum(r)
                .minimum(w.gather_rows(&[0, 1, 2])),
            Var::concat_cols(&[w.cols(0..2), w.cols(2..4)]),
        ];
        let loss = parts.into_iter().sum::<Var<'_>>().sum();
        let mut replay = Replay::new(&tape, loss, &t);
        let by_rule = replay.backward.iter().filter(|b| !in_place(b.op)).count();
        assert!(by_rule > 0 && by_rule < replay.backward.len());
        let before = BY_RULE.with(|n| n.get());
        replay.run(p.as_slice(), &mut vec![0.0; p.len()]);
        assert_eq!(BY_RULE.with(|n| n.get()) - before, by_rule);
    }
}
