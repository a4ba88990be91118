//! The tape's graph drawn by the crate itself as SVG: the [`layout`](super::layout) of its
//! DAG, one box per node (index, name, op, shape, value, adjoint), one arrow per input.

use super::layout::{Layout, layout};
use crate::ops::Op;
use crate::tape::{Grads, Tape};
use crate::tensor::fmt_shape;
use crate::tensor::preview;

/// Above this many nodes a box shows only its index and op (the full values stay in
/// [`Tape::table`]), so that tapes of a few hundred nodes stay readable.
pub(crate) const COMPACT_ABOVE: usize = 200;

/// The boxes' text size in pixels (14 px: readable on a screen and in a screenshot).
pub(super) const FONT_PX: f64 = 14.0;
/// A monospace character's advance at [`FONT_PX`] (0.6 em, DejaVu Sans Mono and Liberation
/// Mono alike), rounded up.
const CHAR_W: f64 = 8.5;
const LINE_H: f64 = 18.0;

/// The text lines of each node's box: `index name: op [shape]`, the value, and the adjoint
/// (possibly empty); above [`COMPACT_ABOVE`] nodes `index name: op` alone.
pub(super) fn labels(tape: &Tape, grads: Option<&Grads>) -> Vec<Vec<String>> {
    let nodes = tape.nodes();
    let compact = nodes.len() > COMPACT_ABOVE;
    nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let name = tape.name_of(i).map(|n| format!(" {n}")).unwrap_or_default();
            let head = format!("{i}{name}: {}", node.op.name());
            if compact {
                return vec![head];
            }
            let grad = match grads.and_then(|g| g.by_index(i)) {
                Some(g) => format!("grad {}", preview(g)),
                None => String::new(),
            };
            vec![
                format!("{head} {}", fmt_shape(node.value.shape())),
                format!("value {}", preview(&node.value)),
                grad,
            ]
        })
        .collect()
}

/// The layout of the tape's graph for boxes holding `labels`.
pub(super) fn graph_layout(tape: &Tape, labels: &[Vec<String>]) -> Layout {
    let nodes = tape.nodes();
    let sizes: Vec<(f64, f64)> = labels
        .iter()
        .map(|lines| {
            let chars = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1);
            // Room for an adjoint line as wide as the value line.
            let chars = chars.max(lines.get(1).map_or(0, |l| l.chars().count()));
            (
                chars as f64 * CHAR_W + 16.0,
                lines.len() as f64 * LINE_H + 12.0,
            )
        })
        .collect();
    let edges: Vec<(usize, usize)> = nodes
        .iter()
        .enumerate()
        .flat_map(|(i, node)| {
            let inputs = node.op.inputs().as_array();
            inputs.into_iter().flatten().map(move |k| (k, i))
        })
        .collect();
    layout(&sizes, &edges)
}

/// The SVG body (no `<svg>` element): arrows, then boxes, then the arrows' labels (over
/// both, with a white halo). Ids: `node-I` (a `<g>`), `grad-I` (the adjoint line's
/// `<text>`), `edge-K` with `data-from`/`data-to`, and `edge-label-K` (an empty `<text>`
/// centred just below the arrow's input box, where the local gradient it carries arrives).
pub(super) fn body(tape: &Tape, labels: &[Vec<String>], l: &Layout) -> String {
    let nodes = tape.nodes();
    let mut s = String::from(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" orient=\"auto\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n",
    );
    let mut edge_labels = String::new();
    for (k, (from, to, pts)) in l.edges.iter().enumerate() {
        let d: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        s += &format!(
            "<polyline id=\"edge-{k}\" class=\"edge\" data-from=\"{from}\" data-to=\"{to}\" \
             points=\"{}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\" \
             marker-end=\"url(#arrow)\"/>\n",
            d.join(" ")
        );
        let (x0, y0) = pts[0];
        edge_labels += &format!(
            "<text id=\"edge-label-{k}\" class=\"edge-label\" x=\"{x0:.1}\" y=\"{:.1}\" \
             text-anchor=\"middle\" font-family=\"monospace\" font-size=\"{FONT_PX}\" \
             font-weight=\"bold\" fill=\"#b03000\" stroke=\"white\" stroke-width=\"4\" \
             paint-order=\"stroke\"></text>\n",
            y0 + FONT_PX + 4.0
        );
    }
    for (i, (node, lines)) in nodes.iter().zip(labels).enumerate() {
        let p = l.nodes[i];
        let (kind, fill, dash) = match node.op {
            Op::Leaf => ("leaf", "#e8f0ff", ""),
            Op::Constant => ("constant", "#f4f4f4", " stroke-dasharray=\"4 3\""),
            _ => ("op", "#ffffff", ""),
        };
        s += &format!(
            "<g id=\"node-{i}\" class=\"node {kind}\" data-node=\"{i}\">\
             <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"5\" \
             fill=\"{fill}\" stroke=\"#333\"{dash}/>",
            p.x, p.y, p.w, p.h
        );
        for (j, line) in lines.iter().enumerate() {
            let id = if j == 2 {
                format!(" id=\"grad-{i}\" class=\"grad\" fill=\"#b03000\"")
            } else if j == 1 {
                format!(" id=\"value-{i}\" class=\"value\"")
            } else {
                String::new()
            };
            s += &format!(
                "<text{id} x=\"{:.1}\" y=\"{:.1}\" font-family=\"monospace\" font-size=\"{FONT_PX}\">{}</text>",
                p.x + 8.0,
                p.y + 20.0 + j as f64 * LINE_H,
                crate::text::escape(line)
            );
        }
        s += "</g>\n";
    }
    s + &edge_labels
}

impl Tape {
    /// The graph drawn as a standalone SVG document, no external tool: a layered layout
    /// (each leaf or constant just above its first use, every arrow pointing from an input
    /// down to its op, crossings reduced by barycenter sweeps, as in `src/inspect/layout.rs`),
    /// each box with its index, name, op, shape and value, and with `grads` its adjoint, in
    /// 14 px text. Above 200 nodes the boxes show the index and op only.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let w = tape.leaf(3.0).named("w");
    /// let loss = w.square().named("L");
    /// let grads = tape.backward(loss);
    /// let svg = tape.to_svg(Some(&grads));
    /// assert!(svg.starts_with("<svg") && svg.contains("1 L: powi(2)") && svg.contains("grad 6.0000"));
    /// ```
    pub fn to_svg(&self, grads: Option<&Grads>) -> String {
        let labels = labels(self, grads);
        let l = graph_layout(self, &labels);
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" \
             viewBox=\"0 0 {w:.0} {h:.0}\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{}</svg>\n",
            body(self, &labels, &l),
            w = l.width.max(1.0),
            h = l.height.max(1.0)
        )
    }
}
