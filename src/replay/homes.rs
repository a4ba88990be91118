//! The parameters of a replay, and which of them it reads where they live: a large parameter
//! that only products read is read from the caller's `θ`, and its gradient written into the
//! caller's `grad`, with no copy in or out of [`Replay::run`](super::Replay::run).

use crate::ops::{NodeId, Op};
use crate::tape::{Node, Value, Var};

/// A parameter of the recording: its leaf, its range in `θ`, whether the loss uses it, and
/// whether it is read where it lives (see [`IN_PLACE_MIN`]).
#[derive(Clone, Copy, Debug)]
pub(super) struct Param {
    pub node: NodeId,
    pub offset: usize,
    pub len: usize,
    pub reached: bool,
    pub in_place: bool,
}

/// From this many entries on, a parameter that only products read (a layer's weight) is read
/// from the caller's `θ` and its gradient written into the caller's `grad`, where they live:
/// no copy in or out of [`Replay::run`](super::Replay::run). (A 1024 x 1024 weight: two passes over 8 MB a step.
/// W1's 10 x 10 weights stay copied: there a call of `memcpy` costs less than the look-ups
/// through the node's home; an MLP [64, 16, 16, 10]'s 16 x 64 weight gains: 24,039 against
/// 26,133 instructions a replayed step with 4096 here.)
pub(super) const IN_PLACE_MIN: usize = 256;

/// Where node `k`'s numbers are read from, and its adjoint written to: its own buffers, or
/// (a parameter read in place) its range `offset..offset + len` of `θ` and of `grad`.
pub(super) type Homes = [Option<(usize, usize)>];

/// Node `k`'s numbers: its value, or its range of `theta` if it is read in place. (`IN_PLACE`
/// false: no parameter of the recording is, and the passes compile without the look-up.)
#[inline(always)]
pub(super) fn read<'a, const IN_PLACE: bool>(
    k: NodeId,
    values: &'a [Value],
    (homes, theta): (&Homes, &'a [f64]),
) -> &'a [f64] {
    match homes[k] {
        Some((offset, len)) if IN_PLACE => &theta[offset..offset + len],
        _ => values[k].as_slice(),
    }
}

/// The recording's parameters (`layout`: each leaf and its offset in `θ`; `reached`: which nodes
/// an adjoint reaches) and each node's home: `Some(range of θ)` for a parameter read in place,
/// one of at least [`IN_PLACE_MIN`] entries whose every user among `nodes` is a product.
pub(super) fn params(
    nodes: &[Node],
    layout: &[(Var<'_>, usize)],
    reached: &[bool],
) -> (Vec<Param>, Vec<Option<(usize, usize)>>) {
    let n = nodes.len();
    // only_products[k]: every user of node k is a product (a layer's weight).
    let mut only_products = vec![true; n];
    for node in nodes {
        if !matches!(node.op, Op::MatMul(..) | Op::MatMulNt(..)) {
            for k in node.op.inputs().as_array().into_iter().flatten() {
                only_products[k] = false;
            }
        }
    }
    let params: Vec<Param> = layout
        .iter()
        .map(|&(v, offset)| {
            // The shape, not the value: reading it would count as a read of the recording.
            let len = v.shape().0 * v.shape().1;
            let inside = v.index() < n;
            Param {
                node: v.index(),
                offset,
                len,
                reached: inside && reached[v.index()],
                in_place: inside && len >= IN_PLACE_MIN && only_products[v.index()],
            }
        })
        .collect();
    let mut homes = vec![None; n];
    for p in params.iter().filter(|p| p.in_place) {
        homes[p.node] = Some((p.offset, p.len));
    }
    (params, homes)
}
