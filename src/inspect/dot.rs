//! The graph in Graphviz DOT.

use crate::ops::Op;
use crate::tape::{Grads, Tape};
use crate::tensor::fmt_shape;
use crate::tensor::preview;

impl Tape {
    /// The graph in Graphviz DOT: one node per tape entry labelled with index, name, op,
    /// shape and value (and with `grads` its adjoint), as [`Tape::to_svg`] draws them (above
    /// 200 nodes, the values and adjoints are left out), one edge per input. Leaves are bold
    /// boxes, constants dashed. Render with `dot -Tsvg graph.dot -o graph.svg`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(1.0).named("x");
    /// let dot = tape.to_dot(None);
    /// assert!(dot.starts_with("digraph tape {") && dot.contains("0 x: leaf\\n[1x1]\\nvalue 1.0000"));
    /// # let _ = x;
    /// ```
    pub fn to_dot(&self, grads: Option<&Grads>) -> String {
        let nodes = self.nodes();
        let values = nodes.len() <= super::svg::COMPACT_ABOVE;
        let mut s = String::from(
            "digraph tape {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n",
        );
        for (i, node) in nodes.iter().enumerate() {
            // A name inside DOT's quoted label: backslashes and quotes escaped, line breaks as
            // DOT's \n, other control characters dropped (a name can come from a file).
            let name = self
                .name_of(i)
                .map(|n| {
                    let mut e = String::from(" ");
                    for c in n.chars() {
                        match c {
                            '\\' => e.push_str("\\\\"),
                            '"' => e.push_str("\\\""),
                            '\n' => e.push_str("\\n"),
                            c if c.is_control() => {}
                            c => e.push(c),
                        }
                    }
                    e
                })
                .unwrap_or_default();
            let mut label = format!(
                "{i}{name}: {}\\n{}",
                node.op.name(),
                fmt_shape(node.value.shape())
            );
            if values {
                label += &format!("\\nvalue {}", preview(&node.value));
            }
            if let Some(g) = grads.and_then(|g| g.by_index(i)).filter(|_| values) {
                label += &format!("\\ngrad {}", preview(g));
            }
            let style = match node.op {
                Op::Leaf => ", style=bold",
                Op::Constant => ", style=dashed",
                _ => "",
            };
            s += &format!("  n{i} [label=\"{label}\"{style}];\n");
        }
        for (i, node) in nodes.iter().enumerate() {
            for k in node.op.inputs().as_array().into_iter().flatten() {
                s += &format!("  n{k} -> n{i};\n");
            }
        }
        s += "}\n";
        s
    }
}
