//! A layered (Sugiyama) drawing of a DAG, with no external tool:
//!
//! 1. **Layers**: a node with inputs is one below its lowest input (`layer(v) = 1 + max
//!    layer(u)` over inputs `u`, counting from layer 0 at the top); a node with no inputs (a
//!    leaf, a constant) sits one layer above its first use (`min layer(v) − 1` over the ops
//!    `v` using it; layer 0 if unused), so a parameter enters beside the op that reads it
//!    instead of at the top with a long arrow down. Every edge points down.
//! 2. **Dummy nodes**: an edge spanning `k > 1` layers is split by `k − 1` dummies, one per
//!    layer in between, so edges bend around boxes rather than through them.
//! 3. **Crossing reduction**: the barycenter heuristic (Sugiyama, Tagawa and Toda 1981):
//!    alternate down and up sweeps, each sorting a layer by the mean position of its
//!    neighbours in the layer before; the ordering with the fewest crossings seen is kept.
//! 4. **Coordinates**: boxes packed in order, then pulled toward the mean `x` of their
//!    neighbours while keeping order and a minimum gap (a few relaxation passes). An op is
//!    pulled toward its inputs that are ops, not toward the leaves and constants beside it,
//!    so a chain of ops runs straight down with its parameters hanging at its side.

/// A box: top-left corner, size, and layer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Placed {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// Layer (0 at the top).
    pub layer: usize,
}

/// An edge drawn: `(from, to, points)`, from the bottom of `from`'s box through the dummies
/// to the top of `to`'s.
pub(crate) type Path = (usize, usize, Vec<(f64, f64)>);

/// The drawing of a DAG: one box per node and one polyline per edge.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Layout {
    /// The boxes, by node index.
    pub nodes: Vec<Placed>,
    /// The edges, in the order given.
    pub edges: Vec<Path>,
    /// Edge crossings between adjacent layers in the chosen ordering.
    pub crossings: usize,
    /// The drawing's size.
    pub width: f64,
    /// The drawing's size.
    pub height: f64,
}

/// Gap between boxes in a layer, and between layers.
const GAP_X: f64 = 24.0;
const GAP_Y: f64 = 56.0;
/// Width of a dummy node (where a long edge passes a layer).
const DUMMY_W: f64 = 8.0;

/// Lays out `n` nodes of sizes `sizes` with `edges` (`from < to` not required, but the graph
/// must be acyclic: a tape's is, as every input precedes its op).
pub(crate) fn layout(sizes: &[(f64, f64)], edges: &[(usize, usize)]) -> Layout {
    let n = sizes.len();
    for &(u, v) in edges {
        assert!(
            u < n && v < n,
            "layout: edge {u} -> {v} outside the {n} nodes"
        );
    }
    // 1. Layers, in an order where inputs come first (Kahn's algorithm).
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(u, v) in edges {
        preds[v].push(u);
        succs[u].push(v);
    }
    let mut indeg: Vec<usize> = preds.iter().map(Vec::len).collect();
    let mut queue: Vec<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut layer = vec![0usize; n];
    let mut seen = 0;
    while let Some(u) = queue.pop() {
        seen += 1;
        for &v in &succs[u] {
            layer[v] = layer[v].max(layer[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                queue.push(v);
            }
        }
    }
    assert!(seen == n, "layout: the graph has a cycle");
    // Inputs just above their first use (every user of a source is in layer 1 or below).
    for u in 0..n {
        if preds[u].is_empty() {
            if let Some(first_use) = succs[u].iter().map(|&v| layer[v]).min() {
                layer[u] = first_use - 1;
            }
        }
    }
    let depth = layer.iter().max().map_or(0, |&l| l + 1);

    // 2. Dummies: vertex ids n.. ; each real edge becomes a chain.
    let mut width_of: Vec<f64> = sizes.iter().map(|s| s.0).collect();
    let mut layer_of = layer.clone();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges.len());
    let mut up: Vec<Vec<usize>> = preds.iter().map(|_| Vec::new()).collect();
    let mut down: Vec<Vec<usize>> = up.clone();
    for &(u, v) in edges {
        let mut chain = vec![u];
        for l in layer[u] + 1..layer[v] {
            let d = width_of.len();
            width_of.push(DUMMY_W);
            layer_of.push(l);
            up.push(Vec::new());
            down.push(Vec::new());
            chain.push(d);
        }
        chain.push(v);
        for w in chain.windows(2) {
            down[w[0]].push(w[1]);
            up[w[1]].push(w[0]);
        }
        chains.push(chain);
    }
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (v, &l) in layer_of.iter().enumerate() {
        order[l].push(v);
    }

    // 3. Crossing reduction by barycenters, keeping the best ordering seen.
    let mut pos = vec![0usize; width_of.len()];
    let index = |order: &[Vec<usize>], pos: &mut [usize]| {
        for layer in order {
            for (i, &v) in layer.iter().enumerate() {
                pos[v] = i;
            }
        }
    };
    index(&order, &mut pos);
    let mut best = (count_crossings(&order, &down, &pos), order.clone());
    for sweep in 0..24 {
        let downward = sweep % 2 == 0;
        let layers: Vec<usize> = if downward {
            (1..depth).collect()
        } else {
            (0..depth.saturating_sub(1)).rev().collect()
        };
        for l in layers {
            let adj = if downward { &up } else { &down };
            let mut keyed: Vec<(f64, usize)> = order[l]
                .iter()
                .map(|&v| {
                    let nb = &adj[v];
                    let key = if nb.is_empty() {
                        pos[v] as f64
                    } else {
                        nb.iter().map(|&u| pos[u] as f64).sum::<f64>() / nb.len() as f64
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(pos[a.1].cmp(&pos[b.1])));
            order[l] = keyed.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in order[l].iter().enumerate() {
                pos[v] = i;
            }
        }
        let c = count_crossings(&order, &down, &pos);
        if c < best.0 {
            best = (c, order.clone());
        }
    }
    let (crossings, order) = best;
    index(&order, &mut pos);

    // 4. Coordinates: rows of boxes; x relaxed toward the neighbours' centres.
    let row_h: Vec<f64> = (0..depth)
        .map(|l| {
            order[l]
                .iter()
                .filter(|&&v| v < n)
                .map(|&v| sizes[v].1)
                .fold(0.0, f64::max)
        })
        .collect();
    // Whom each box follows in a downward pass: its inputs, but for an op with some input
    // that is an op, those inputs only (sources follow their users in the upward passes).
    let is_source: Vec<bool> = (0..width_of.len())
        .map(|u| u < n && preds[u].is_empty())
        .collect();
    let follow: Vec<Vec<usize>> = up
        .iter()
        .map(|nb| {
            let ops: Vec<usize> = nb.iter().copied().filter(|&u| !is_source[u]).collect();
            if ops.is_empty() { nb.clone() } else { ops }
        })
        .collect();
    let mut cx = vec![0.0; width_of.len()];
    for layer in &order {
        let mut x = 0.0;
        for &v in layer {
            cx[v] = x + width_of[v] / 2.0;
            x += width_of[v] + GAP_X;
        }
    }
    for pass in 0..8 {
        let layers: Vec<usize> = if pass % 2 == 0 {
            (1..depth).collect()
        } else {
            (0..depth.saturating_sub(1)).rev().collect()
        };
        for l in layers {
            let adj = if pass % 2 == 0 { &follow } else { &down };
            let want: Vec<f64> = order[l]
                .iter()
                .map(|&v| {
                    let nb = &adj[v];
                    if nb.is_empty() {
                        cx[v]
                    } else {
                        nb.iter().map(|&u| cx[u]).sum::<f64>() / nb.len() as f64
                    }
                })
                .collect();
            place_in_order(&order[l], &want, &width_of, &is_source, &mut cx);
        }
    }
    let left = cx
        .iter()
        .zip(&width_of)
        .map(|(c, w)| c - w / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = if left.is_finite() { GAP_X - left } else { 0.0 };
    let mut top = vec![GAP_Y / 2.0; depth];
    for l in 1..depth {
        top[l] = top[l - 1] + row_h[l - 1] + GAP_Y;
    }
    let nodes: Vec<Placed> = (0..n)
        .map(|v| Placed {
            x: cx[v] + shift - sizes[v].0 / 2.0,
            y: top[layer[v]],
            w: sizes[v].0,
            h: sizes[v].1,
            layer: layer[v],
        })
        .collect();
    let edges = chains
        .iter()
        .map(|chain| {
            let (u, v) = (chain[0], chain[chain.len() - 1]);
            let mut pts = vec![(cx[u] + shift, nodes[u].y + nodes[u].h)];
            for &d in &chain[1..chain.len() - 1] {
                let l = layer_of[d];
                pts.push((cx[d] + shift, top[l]));
                pts.push((cx[d] + shift, top[l] + row_h[l]));
            }
            pts.push((cx[v] + shift, nodes[v].y));
            (u, v, pts)
        })
        .collect();
    let width = cx
        .iter()
        .zip(&width_of)
        .map(|(c, w)| c + shift + w / 2.0)
        .fold(0.0, f64::max)
        + GAP_X;
    let height = top.last().map_or(0.0, |t| t + row_h[depth - 1]) + GAP_Y / 2.0;
    Layout {
        nodes,
        edges,
        crossings,
        width,
        height,
    }
}

/// Places a layer's boxes as close to `want` (their wished centres) as the order and the
/// gap allow, ops (and dummies) first: they are placed as if the sources between them were
/// packed in the room kept for them, then each run of sources is placed in the room left
/// between its neighbours. So a leaf beside an op never pushes the op aside (which, layer
/// after layer, would draw a chain of ops as a staircase).
fn place_in_order(
    layer: &[usize],
    want: &[f64],
    width: &[f64],
    is_source: &[bool],
    cx: &mut [f64],
) {
    // Centre-to-centre distance of `layer[i]` and `layer[i + 1]` when packed.
    let sep = |i: usize| (width[layer[i]] + width[layer[i + 1]]) / 2.0 + GAP_X;
    let ops: Vec<usize> = (0..layer.len()).filter(|&i| !is_source[layer[i]]).collect();
    let op_want: Vec<f64> = ops.iter().map(|&i| want[i]).collect();
    let placed = spread(
        &op_want,
        |k| (ops[k]..ops[k + 1]).map(sep).sum(),
        None,
        None,
    );
    for (&i, x) in ops.iter().zip(placed) {
        cx[layer[i]] = x;
    }
    // The runs of sources: before the first op, between two ops, after the last.
    let mut start = 0;
    for end in ops.iter().copied().chain([layer.len()]) {
        if start < end {
            let lo = (start > 0).then(|| cx[layer[start - 1]] + sep(start - 1));
            let hi = (end < layer.len()).then(|| cx[layer[end]] - sep(end - 1));
            let x = spread(&want[start..end], |k| sep(start + k), lo, hi);
            for (k, x) in x.into_iter().enumerate() {
                cx[layer[start + k]] = x;
            }
        }
        start = end + 1;
    }
}

/// Centres as close to `want` as keeping `gap(i)` between centres `i` and `i + 1` allows,
/// the first at `lo` or more and the last at `hi` or less: pushed right from `lo`, pushed
/// left from `hi`, or with neither bound the mean of a push each way (the mean of two
/// placements that keep order and gaps keeps them too). The caller leaves room for the
/// gaps between `lo` and `hi`.
fn spread(want: &[f64], gap: impl Fn(usize) -> f64, lo: Option<f64>, hi: Option<f64>) -> Vec<f64> {
    let k = want.len();
    let push_right = |from: Option<f64>| {
        let mut x = want.to_vec();
        for i in 0..k {
            let min = if i == 0 {
                from
            } else {
                Some(x[i - 1] + gap(i - 1))
            };
            x[i] = min.map_or(x[i], |m| x[i].max(m));
        }
        x
    };
    let push_left = |mut x: Vec<f64>, from: Option<f64>| {
        for i in (0..k).rev() {
            let max = if i + 1 == k {
                from
            } else {
                Some(x[i + 1] - gap(i))
            };
            x[i] = max.map_or(x[i], |m| x[i].min(m));
        }
        x
    };
    match (lo, hi) {
        (None, None) => {
            let (r, l) = (push_right(None), push_left(want.to_vec(), None));
            r.iter().zip(&l).map(|(a, b)| (a + b) / 2.0).collect()
        }
        (lo, hi) => push_left(push_right(lo), hi),
    }
}

/// Crossings between each pair of adjacent layers: edges `(a, b)` and `(c, d)` cross when
/// their ends are in opposite orders.
fn count_crossings(order: &[Vec<usize>], down: &[Vec<usize>], pos: &[usize]) -> usize {
    let mut total = 0;
    for layer in order {
        let mut e: Vec<(usize, usize)> = layer
            .iter()
            .flat_map(|&u| down[u].iter().map(move |&v| (pos[u], pos[v])))
            .collect();
        e.sort_unstable();
        for i in 0..e.len() {
            for j in i + 1..e.len() {
                if e[i].0 < e[j].0 && e[i].1 > e[j].1 {
                    total += 1;
                }
            }
        }
    }
    total
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
