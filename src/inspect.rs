//! Seeing the tape: the Wengert list as a table, and the graph as Graphviz DOT.
//!
//! ```
//! use tapegrad::{Tape, Tensor};
//! let tape = Tape::new();
//! let x = tape.constant(Tensor::row(&[1.0, 2.0])).named("x");
//! let w = tape.leaf(Tensor::column(&[0.5, -0.25])).named("w");
//! let loss = (x.matmul(w) - 3.0).square();
//! let grads = tape.backward(loss);
//! println!("{}", tape.table(Some(&grads)));   // one line per node, adjoints beside values
//! let dot = tape.to_dot(true, Some(&grads));  // `dot -Tsvg` draws it
//! assert!(dot.starts_with("digraph tape {"));
//! ```

use crate::ops::{NodeId, Op};
use crate::tape::{Grads, Tape};
use crate::tensor::{Tensor, fmt_shape};
use std::fmt;

/// A short preview of a value: a scalar as a number, up to four entries as a list, more as
/// the first three, `...` and the count.
///
/// ```
/// use tapegrad::{Tensor, inspect::preview};
/// assert_eq!(preview(&Tensor::scalar(0.5)), "0.5000");
/// assert_eq!(preview(&Tensor::row(&[1.0, 2.0])), "[1.0000, 2.0000]");
/// assert!(preview(&Tensor::zeros(10, 10)).ends_with("(100 values)]"));
/// ```
pub fn preview(t: &Tensor) -> String {
    let num = |x: f64| {
        if x == 0.0 || (1e-3..1e5).contains(&x.abs()) || !x.is_finite() {
            format!("{x:.4}")
        } else {
            format!("{x:.3e}")
        }
    };
    let v = t.as_slice();
    match v.len() {
        1 => num(v[0]),
        0..=4 => format!(
            "[{}]",
            v.iter().map(|&x| num(x)).collect::<Vec<_>>().join(", ")
        ),
        n => format!(
            "[{}, ... ({n} values)]",
            v[..3]
                .iter()
                .map(|&x| num(x))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The tape as a table; made by [`Tape::table`], or `Display` for a tape without gradients.
pub struct TapeTable<'a> {
    tape: &'a Tape,
    grads: Option<&'a Grads>,
}

impl fmt::Debug for TapeTable<'_> {
    /// A summary; print with `Display` (`{}`) for the table itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TapeTable")
            .field("tape", &self.tape.id())
            .field("nodes", &self.tape.len())
            .field("with_adjoints", &self.grads.is_some())
            .finish()
    }
}

impl Tape {
    /// The Wengert list as a table, one line per node: index, name, op, inputs, shape, a value
    /// preview, and with `grads` (from a backward sweep) the adjoint `dL/dv` of each node.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let w = tape.leaf(3.0).named("w");
    /// let loss = w.square().named("L");
    /// let grads = tape.backward(loss);
    /// let table = tape.table(Some(&grads)).to_string();
    /// assert!(table.contains("powi(2)") && table.contains("6.0000")); // dL/dw = 2w = 6
    /// ```
    pub fn table<'a>(&'a self, grads: Option<&'a Grads>) -> TapeTable<'a> {
        TapeTable { tape: self, grads }
    }

    /// The graph in Graphviz DOT: one node per tape entry labelled with index, name, op and
    /// shape (and the value and adjoint previews if asked), one edge per input. Leaves are
    /// bold boxes, constants dashed. Render with `dot -Tsvg graph.dot -o graph.svg`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(1.0).named("x");
    /// let dot = tape.to_dot(true, None);
    /// assert!(dot.starts_with("digraph tape {") && dot.contains("x"));
    /// # let _ = x;
    /// ```
    pub fn to_dot(&self, values: bool, grads: Option<&Grads>) -> String {
        let nodes = self.nodes();
        let mut s = String::from(
            "digraph tape {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n",
        );
        for (i, node) in nodes.iter().enumerate() {
            let name = self.name_of(i).map(|n| format!(" {n}")).unwrap_or_default();
            let mut label = format!(
                "{i}{name}: {}\\n{}",
                node.op.name(),
                fmt_shape(node.value.shape())
            );
            if values {
                label += &format!("\\nvalue {}", preview(&node.value));
            }
            if let Some(g) = grads.and_then(|g| g.by_index(i)) {
                label += &format!("\\ngrad {}", preview(g));
            }
            let style = match node.op {
                crate::ops::Op::Leaf => ", style=bold",
                crate::ops::Op::Constant => ", style=dashed",
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

impl fmt::Display for TapeTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nodes = self.tape.nodes();
        let rows: Vec<[String; 7]> = nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let inputs: Vec<String> = node
                    .op
                    .inputs()
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|k| k.to_string())
                    .collect();
                let grad = match self.grads.and_then(|g| g.by_index(i)) {
                    Some(g) => preview(g),
                    None if self.grads.is_some() => "-".into(),
                    None => String::new(),
                };
                [
                    i.to_string(),
                    self.tape.name_of(i).unwrap_or_default(),
                    node.op.name(),
                    if inputs.is_empty() {
                        "-".into()
                    } else {
                        inputs.join(", ")
                    },
                    fmt_shape(node.value.shape()),
                    preview(&node.value),
                    grad,
                ]
            })
            .collect();
        let mut header = ["node", "name", "op", "inputs", "shape", "value", "grad"]
            .map(String::from)
            .to_vec();
        if self.grads.is_none() {
            header.pop();
        }
        let cols = header.len();
        let widths: Vec<usize> = (0..cols)
            .map(|c| {
                rows.iter()
                    .map(|r| r[c].len())
                    .chain([header[c].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| -> String {
            let mut out = format!("{:>w$}", cells[0], w = widths[0]);
            for c in 1..cols {
                out += &format!("  {:<w$}", cells[c], w = widths[c]);
            }
            out.trim_end().to_string()
        };
        writeln!(f, "{}", line(&header))?;
        for (k, r) in rows.iter().enumerate() {
            write!(f, "{}", line(r))?;
            if k + 1 < rows.len() {
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Tape {
    /// The table of [`Tape::table`] without gradients.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.table(None).fmt(f)
    }
}

/// One step of the reverse sweep, as [`Tape::backward_steps`] yields it.
#[derive(Clone, Debug, PartialEq)]
pub struct BackwardStep {
    /// The node whose rule ran.
    pub node: NodeId,
    /// Its op.
    pub op: Op,
    /// The incoming adjoint `dL/dy` of the node (all uses summed).
    pub adjoint: Tensor,
    /// `(input node, local gradient)` for each input that needs one.
    pub sends: Vec<(NodeId, Tensor)>,
}
