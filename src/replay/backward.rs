//! The reverse pass of a replay: each node's adjoint `dy` sent to its inputs, written
//! straight into their adjoint buffers, `dx = g` for the first contribution the plan found
//! and `dx += g` for later ones. The rules are the ops' own: an entrywise op's
//! ([`crate::ops::Map::dx`], [`crate::ops::Zip::da`]/`db`) is evaluated entry by entry into
//! `dx`; a product's adjoints are the products its rule names, run by the kernels the plan
//! chose; a sum's or an `expand`'s is the other map ([`crate::ops::reduce`]), run by its
//! loop; every other op runs its rule ([`Op::vjp`]) into tensors, which are then put into
//! the buffers. No rule is written here.

use super::homes::Homes;
use super::plan::Backward;
use crate::ops::matmul::Of;
use crate::ops::{NodeId, Op};
use crate::tape::Value;
use crate::tensor::Tensor;
use crate::tensor::loops::each;

/// Sends node `b.node`'s adjoint to the adjoints of its inputs (a parameter read in place:
/// into its range of `grad`; only products have one as an input).
#[inline(always)]
pub(super) fn run<const IN_PLACE: bool>(
    b: &Backward,
    adjoints: &mut [Tensor],
    values: &[Value],
    (homes, theta, grad): (&Homes, &[f64], &mut [f64]),
) {
    let (below, here) = adjoints.split_at_mut(b.node);
    let dy = &here[0];
    let v = |k: NodeId| &*values[k];
    let y = v(b.node);
    for (which, into) in b.into.iter().enumerate() {
        let Some((k, write)) = *into else { continue };
        let dx = match homes[k] {
            Some((offset, len)) if IN_PLACE => &mut grad[offset..offset + len],
            _ => below[k].as_mut_slice(),
        };
        match b.op {
            Op::Map(op, x) => op.backward_into(dx, write, [dy, v(x), y].map(Tensor::as_slice)),
            Op::Zip(op, a, c) => op.backward_into(which, dx, write, [dy, v(a), v(c), y]),
            Op::MatMul(a, c) | Op::MatMulNt(a, c) => {
                let p = b.products[which].expect("a product has its adjoints' products");
                let operand = |of: Of| match of {
                    Of::Dy => dy.as_slice(),
                    Of::A => super::homes::read::<IN_PLACE>(a, values, (homes, theta)),
                    Of::B => super::homes::read::<IN_PLACE>(c, values, (homes, theta)),
                };
                p.run(operand, dx, write);
            }
            Op::Sum(x) | Op::SumEachRow(x) | Op::SumEachCol(x) | Op::Expand(x, ..) => {
                let (map, _) = b.op.broadcasting().expect("a sum or an expand");
                let shape = v(x).shape();
                crate::wide::wide(
                    #[inline(always)]
                    || map.adjoint().apply_into(dx, shape, dy, write),
                );
            }
            _ => return by_rule(b, below, dy, values),
        }
    }
}

/// True if `op`'s rule runs in place, into the adjoint buffers (false: its rule makes
/// tensors first, [`by_rule`]): the entrywise ops, the products, the sums and `expand`.
pub(super) fn in_place(op: Op) -> bool {
    matches!(
        op,
        Op::Map(..)
            | Op::Zip(..)
            | Op::MatMul(..)
            | Op::MatMulNt(..)
            | Op::Sum(_)
            | Op::SumEachRow(_)
            | Op::SumEachCol(_)
            | Op::Expand(..)
    )
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
            w.matmul(w.t()).matmul_nt(w.t()).expand(3, 4) + w.log_softmax(),
            w.sum_each_row().expand(3, 4) + w.sum_each_col().expand(3, 4) + w.mean(),
            Var::concat_rows(&[w.slice(0..1, ..), w.slice(1..3, ..)])
                .maximum(r)
                .minimum(w.index_select(&[0, 1, 2])),
            Var::concat_cols(&[w.slice(.., 0..2), w.slice(.., 2..4)]),
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
