//! Each op's forward formula and backward rule in one line, as the drawing's side panel
//! shows them (`dy` is the adjoint `dL/dy` of the op's output, `⊙` the entrywise product).
//! The line is written beside the rule itself, in the op's file ([`Op::formula`]).

use crate::ops::Op;

/// `y = ...` and the local gradients it sends, `da = ...` (and `db = ...`): [`Op::formula`].
///
/// ```
/// use tapegrad::{Tape, inspect::rule};
/// let tape = Tape::new();
/// let y = tape.leaf(2.0).tanh();
/// assert_eq!(rule(&y.op()), "y = tanh(a);  da = dy ⊙ (1 − y²)");
/// ```
pub fn rule(op: &Op) -> &'static str {
    op.formula()
}
