//! Seeing the tape: the Wengert list as a table ([`Tape::table`](crate::Tape::table)), the
//! graph drawn by the crate as SVG ([`Tape::to_svg`](crate::Tape::to_svg), a layered layout
//! of its own, in `src/inspect/layout.rs`), the backward sweep step by step
//! ([`Tape::backward_steps`](crate::Tape::backward_steps)) and as a page to step through
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
pub(crate) mod layout;
mod rules;
mod steps;
mod svg;
mod table;

pub use rules::rule;
pub use steps::BackwardStep;
pub use table::TapeTable;
// The short preview of a value that the table, the drawings and the page show (it lives in
// `tensor`, below the tape, whose `Var` prints it too).
