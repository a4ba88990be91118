//! The Wengert list as a table.

use crate::tape::{Grads, Tape};
use crate::tensor::fmt_shape;
use crate::tensor::preview;
use std::fmt;

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
                    clip(&self.tape.name_of(i).unwrap_or_default()),
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
                    .map(|r| r[c].chars().count())
                    .chain([header[c].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        // Padding by hand: `format!`'s width argument is limited to u16 (a 65 536-byte cell
        // made it panic), and widths here count characters, not bytes.
        let pad = |s: &str, w: usize, right: bool| -> String {
            let fill = " ".repeat(w.saturating_sub(s.chars().count()));
            if right {
                fill + s
            } else {
                s.to_string() + &fill
            }
        };
        let line = |cells: &[String]| -> String {
            let mut out = pad(&cells[0], widths[0], true);
            for c in 1..cols {
                out += "  ";
                out += &pad(&cells[c], widths[c], false);
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

/// The most characters of a name the table shows; longer names end in an ellipsis.
const NAME_CHARS: usize = 60;

/// `name` cut to [`NAME_CHARS`] characters with an ellipsis when longer.
fn clip(name: &str) -> String {
    crate::text::clip(name, NAME_CHARS)
}
