//! Seeing the tape: the Wengert list as a table ([`Tape::table`](crate::Tape::table)), the
//! graph drawn by the crate as SVG ([`Tape::to_svg`](crate::Tape::to_svg), laid out by
//! [`layout`]), the backward sweep as a page to step through
//! ([`Tape::to_html`](crate::Tape::to_html)), each op's rule as a formula ([`rule`]), and
//! Graphviz DOT ([`Tape::to_dot`](crate::Tape::to_dot)).
//!
//! ```
//! use tapegrad::{Tape, Tensor};
//! let tape = Tape::new();
//! let x = tape.constant(Tensor::row(&[1.0, 2.0])).named("x");
//! let w = tape.leaf(Tensor::column(&[0.5, -0.25])).named("w");
//! let loss = (x.matmul(w) - 3.0).square();
//! let grads = tape.backward(loss);
//! println!("{}", tape.table(Some(&grads)));   // one line per node, adjoints beside values
//! let svg = tape.to_svg(Some(&grads));       // the graph, drawn
//! let html = tape.to_html(loss);              // open in a browser; arrow keys step
//! assert!(svg.starts_with("<svg") && html.contains("id=\"node-0\""));
//! ```

mod dot;
mod html;
pub mod layout;
mod rules;
mod svg;
mod table;

pub use rules::rule;
pub use svg::COMPACT_ABOVE;
pub use table::TapeTable;

use crate::ops::{NodeId, Op};
use crate::tensor::Tensor;

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

/// One step of the reverse sweep, as [`Tape::backward_steps`](crate::Tape::backward_steps) yields it.
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
