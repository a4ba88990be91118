//! The cross-entropy of logits against class indices, PyTorch's `F.cross_entropy`.

use super::Reduction;
use crate::tape::Var;
use crate::tensor::{Tensor, fmt_shape};

/// The cross-entropy of `logits` (`n x C`: one row of class scores per sample) against the
/// class indices `targets` (`n` of them, each in `0..C`):
///
/// ```text
/// ℓ_i = −log softmax(z_i)_{t_i} = −log_softmax(z)_{i, t_i},    L = (1/n) Σ_i ℓ_i  (Mean)  or  Σ_i ℓ_i  (Sum)
/// dL/dz_i = softmax(z_i) − e_{t_i}    (times 1/n for Mean)
/// ```
///
/// A composite: [`Var::log_softmax`] (stable at logits of ±1000) times a constant one-hot
/// matrix, summed. Equals PyTorch's float64 `F.cross_entropy` to 1e-12
/// (`testsuite/tests/fixtures/cross_entropy.py`).
///
/// # Panics
/// If `targets` does not have one entry per row of `logits`, or a target is not a class
/// index, naming it.
///
/// ```
/// use tapegrad::nn::{Reduction, cross_entropy};
/// use tapegrad::{Tape, Tensor};
/// let tape = Tape::new();
/// let z = tape.leaf(Tensor::from_rows(&[[0.0, 0.0], [2.0, 0.0]]));
/// let loss = cross_entropy(z, &[1, 0], Reduction::Mean);
/// let p = 1.0 / (1.0 + (-2f64).exp());                  // softmax of [2, 0], class 0
/// assert!((loss.item() - (2f64.ln() - p.ln()) / 2.0).abs() < 1e-15);
/// let g = tape.backward(loss)[z].clone();               // (softmax − one-hot) / n
/// g.assert_close(&Tensor::from_rows(&[[0.25, -0.25], [(p - 1.0) / 2.0, (1.0 - p) / 2.0]]), 1e-15, 1e-15);
/// ```
pub fn cross_entropy<'t>(logits: Var<'t>, targets: &[usize], reduction: Reduction) -> Var<'t> {
    let (n, classes) = logits.shape();
    assert!(
        targets.len() == n,
        "cross_entropy: {} targets for logits {} ({n} samples)",
        targets.len(),
        fmt_shape((n, classes))
    );
    if let Some((i, &t)) = targets.iter().enumerate().find(|(_, t)| **t >= classes) {
        panic!("cross_entropy: target {i} is class {t}, but the logits have {classes} classes");
    }
    let one_hot = Tensor::from_fn(n, classes, |i, c| if targets[i] == c { 1.0 } else { 0.0 });
    let total = -(logits.log_softmax() * logits.tape().constant(one_hot)).sum();
    match reduction {
        Reduction::Mean => total / n as f64,
        Reduction::Sum => total,
    }
}
