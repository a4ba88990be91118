//! Each op's forward formula and backward rule in one line, as the drawing's side panel
//! shows them (`dy` is the adjoint `dL/dy` of the op's output, `⊙` the entrywise product).

use crate::ops::Op;

/// `y = ...` and the local gradients it sends, `da = ...` (and `db = ...`).
///
/// ```
/// use tapegrad::{Tape, inspect::rule};
/// let tape = Tape::new();
/// let y = tape.leaf(2.0).tanh();
/// assert_eq!(rule(&y.op()), "y = tanh(a);  da = dy ⊙ (1 − y²)");
/// ```
pub fn rule(op: &Op) -> &'static str {
    match op {
        Op::Leaf => "a parameter: its adjoint is the gradient dL/dθ",
        Op::Constant => "a constant: no gradient flows into it",
        Op::Add(..) => "y = a + b;  da = dy,  db = dy (summed over broadcast axes)",
        Op::Sub(..) => "y = a − b;  da = dy,  db = −dy (summed over broadcast axes)",
        Op::Mul(..) => "y = a ⊙ b;  da = dy ⊙ b,  db = dy ⊙ a (summed over broadcast axes)",
        Op::Div(..) => "y = a ⊘ b;  da = dy ⊘ b,  db = −dy ⊙ a ⊘ b² (summed over broadcast axes)",
        Op::Neg(_) => "y = −a;  da = −dy",
        Op::AddScalar(..) => "y = a + c;  da = dy",
        Op::MulScalar(..) => "y = c a;  da = c dy",
        Op::PowI(..) => "y = aⁿ;  da = dy ⊙ n aⁿ⁻¹",
        Op::PowF(..) => "y = aᵖ;  da = dy ⊙ p aᵖ⁻¹",
        Op::Sqrt(_) => "y = √a;  da = dy ⊘ (2y)",
        Op::Exp(_) => "y = exp(a);  da = dy ⊙ y",
        Op::Ln(_) => "y = ln(a);  da = dy ⊘ a",
        Op::Abs(_) => "y = |a|;  da = dy ⊙ sign(a)",
        Op::Relu(_) => "y = max(a, 0);  da = dy ⊙ [a > 0]",
        Op::Sigmoid(_) => "y = σ(a);  da = dy ⊙ y (1 − y)",
        Op::Tanh(_) => "y = tanh(a);  da = dy ⊙ (1 − y²)",
        Op::MatMul(..) => "y = A B;  dA = dy Bᵀ,  dB = Aᵀ dy",
        Op::MatMulT(..) => "y = A Bᵀ;  dA = dy B,  dB = dyᵀ A",
        Op::Transpose(_) => "y = aᵀ;  da = dyᵀ",
        Op::Sum(_) => "y = Σᵢⱼ aᵢⱼ;  da = dy 1 (dy copied to every entry)",
        Op::SumEachRow(_) => "yᵢ = Σⱼ aᵢⱼ;  daᵢⱼ = dyᵢ",
        Op::SumEachCol(_) => "yⱼ = Σᵢ aᵢⱼ;  daᵢⱼ = dyⱼ",
        Op::Expand(..) => "y = a broadcast;  da = dy summed over the broadcast axes",
        Op::Sin(_) => "y = sin(a);  da = dy ⊙ cos(a)",
        Op::Cos(_) => "y = cos(a);  da = −dy ⊙ sin(a)",
        Op::Softplus(_) => "y = ln(1 + eᵃ);  da = dy ⊙ σ(a)",
        Op::LogSigmoid(_) => "y = ln σ(a);  da = dy ⊙ σ(−a)",
        Op::LogSoftmax(_) => "yᵢⱼ = aᵢⱼ − ln Σₖ exp aᵢₖ;  daᵢⱼ = dyᵢⱼ − softmax(a)ᵢⱼ Σₖ dyᵢₖ",
        Op::Slice(..) => "y = a[r0..r1, c0..c1];  da = dy placed back, zeros elsewhere",
        Op::Pad(..) => "y = a placed in zeros;  da = dy's window",
        Op::GatherRows(..) => "yₖ = a_{idx k};  da_{idx k} += dyₖ (repeats add up)",
        Op::ScatterRows(..) => "y_{idx k} += aₖ;  daₖ = dy_{idx k}",
        Op::ConcatRows(..) => "y = [a; b];  da, db = dy's top and bottom rows",
        Op::ConcatCols(..) => "y = [a, b];  da, db = dy's left and right columns",
        Op::Maximum(..) => {
            "y = max(a, b);  da = dy ⊙ [a > b],  db = dy ⊙ [b > a] (ties: half each)"
        }
        Op::Minimum(..) => {
            "y = min(a, b);  da = dy ⊙ [a < b],  db = dy ⊙ [b < a] (ties: half each)"
        }
        Op::Select(..) => "y = mask ? a : b;  da = dy ⊙ mask,  db = dy ⊙ (1 − mask)",
    }
}
