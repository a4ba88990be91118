//! The log-sum-exp family, each in its overflow-free form: `softplus`, `log_sigmoid` and
//! `log_softmax` (over each row, the classes of one sample).
//!
//! ```text
//! softplus(x)     = ln(1 + e^x)              = max(x, 0) + ln(1 + e^−|x|)
//! log_sigmoid(x)  = ln σ(x) = −softplus(−x)  = min(x, 0) − ln(1 + e^−|x|)
//! log_softmax(x)_ij = x_ij − ln Σ_k e^{x_ik} = x_ij − m_i − ln Σ_k e^{x_ik − m_i},  m_i = max_k x_ik
//! ```
//!
//! The rules: `softplus' = σ`, `log_sigmoid' = σ(−x)`, and for `y = log_softmax(x)` with
//! `p = e^y` (the softmax), `dx = dy − p ⊙ (Σ_j dy_ij)` per row. Softmax itself is `exp` of
//! `log_softmax`; cross-entropy is built from `log_softmax` in [`crate::nn::cross_entropy`].

use super::{Adjoint, Map, Real};
use crate::ops::Op;
use crate::tape::Var;
use crate::tensor::Tensor;

impl<'t> Var<'t> {
    /// `y = softplus(x) = ln(1 + e^x)`  =>  `dx = dy ⊙ σ(x)`. No overflow for any `x`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(0.0);
    /// let y = x.softplus();
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (2f64.ln(), 0.5));
    /// assert_eq!(tape.leaf(1000.0).softplus().item(), 1000.0);
    /// ```
    pub fn softplus(self) -> Var<'t> {
        self.apply_map(Softplus)
    }

    /// `y = ln σ(x) = −softplus(−x)`  =>  `dx = dy ⊙ σ(−x)`. No overflow for any `x`.
    ///
    /// ```
    /// use tapegrad::Tape;
    /// let tape = Tape::new();
    /// let x = tape.leaf(-1000.0);
    /// let y = x.log_sigmoid();
    /// assert_eq!((y.item(), tape.backward(y)[x].item()), (-1000.0, 1.0));
    /// ```
    pub fn log_sigmoid(self) -> Var<'t> {
        self.apply_map(LogSigmoid)
    }

    /// `y_ij = x_ij − ln Σ_k e^{x_ik}` over each row (the log-probabilities of the classes of
    /// sample `i`)  =>  `dx = dy − softmax(x) ⊙ rowsum(dy)`. Stable at logits of ±1000.
    ///
    /// ```
    /// use tapegrad::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.leaf(Tensor::row(&[1000.0, 1000.0]));
    /// let y = x.log_softmax();
    /// y.value().assert_close(&Tensor::row(&[-(2f64.ln()), -(2f64.ln())]), 1e-15, 0.0);
    /// // d/dx of y_0: e_0 − softmax = [0.5, −0.5]
    /// let g = tape.backward(y.at(0, 0));
    /// g[x].assert_close(&Tensor::row(&[0.5, -0.5]), 1e-15, 1e-15);
    /// ```
    pub fn log_softmax(self) -> Var<'t> {
        self.record(Op::LogSoftmax(self.index()))
    }
}

/// `ln(1 + e^x)` as `max(x, 0) + ln(1 + e^−|x|)`.
///
/// ```
/// use tapegrad::ops::softmax::softplus;
/// assert_eq!((softplus(-1000.0), softplus(1000.0)), (0.0, 1000.0));
/// ```
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// `ln σ(x)` as `min(x, 0) − ln(1 + e^−|x|)`.
///
/// ```
/// use tapegrad::ops::softmax::log_sigmoid;
/// assert_eq!((log_sigmoid(-1000.0), log_sigmoid(1000.0)), (-1000.0, 0.0));
/// ```
pub fn log_sigmoid(x: f64) -> f64 {
    x.min(0.0) - (-x.abs()).exp().ln_1p()
}

/// `log_softmax` of each row of `x`, shifting by the row maximum first.
pub(crate) fn log_softmax_rows(x: &Tensor) -> Tensor {
    let mut out = x.clone();
    let cols = x.cols();
    if cols == 0 {
        return out;
    }
    for row in out.as_mut_slice().chunks_exact_mut(cols) {
        let m = row.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let shift = if m.is_finite() { m } else { 0.0 };
        // (x − m) − ln Σ e^{x − m}: subtracting m first keeps the result exact where x = m.
        let log_sum = row.iter().map(|v| (v - shift).exp()).sum::<f64>().ln();
        for v in row.iter_mut() {
            *v = (*v - shift) - log_sum;
        }
    }
    out
}

/// `y = softplus(x) = ln(1 + e^x)`  =>  `dx = dy ⊙ σ(x)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Softplus;

impl Map for Softplus {
    fn name(&self) -> String {
        "softplus".into()
    }
    fn formula(&self) -> &'static str {
        "y = ln(1 + eᵃ);  da = dy ⊙ σ(a)"
    }
    fn f(&self, x: f64) -> f64 {
        softplus(x)
    }
    fn dx<S: Real>(&self, dy: S, x: S, _y: S) -> S {
        dy * x.sigmoid()
    }
}

/// `y = ln σ(x)`  =>  `dx = dy ⊙ σ(−x)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogSigmoid;

impl Map for LogSigmoid {
    fn name(&self) -> String {
        "log_sigmoid".into()
    }
    fn formula(&self) -> &'static str {
        "y = ln σ(a);  da = dy ⊙ σ(−a)"
    }
    fn f(&self, x: f64) -> f64 {
        log_sigmoid(x)
    }
    fn dx<S: Real>(&self, dy: S, x: S, _y: S) -> S {
        dy * (-x).sigmoid()
    }
}

/// The line of `log_softmax` for the tape's pages.
pub(crate) const LOG_SOFTMAX: &str = "yᵢⱼ = aᵢⱼ − ln Σₖ exp aᵢₖ;  daᵢⱼ = dyᵢⱼ − exp(y)ᵢⱼ Σₖ dyᵢₖ";

/// `y = log_softmax(x)` per row  =>  `dx = dy − e^y ⊙ (Σ_j dy_ij)` (the row sums broadcast
/// over the columns).
///
/// ```
/// use tapegrad::Tensor;
/// let y = Tensor::row(&[-(2f64.ln()), -(2f64.ln())]);       // log_softmax of [0, 0]
/// let dx = tapegrad::ops::softmax::log_softmax_vjp(&Tensor::row(&[1.0, 0.0]), &y);
/// dx.assert_close(&Tensor::row(&[0.5, -0.5]), 1e-15, 1e-15);
/// ```
pub fn log_softmax_vjp<V: Adjoint>(dy: &V, y: &V) -> V {
    let (rows, _) = dy.shape();
    dy.sub(&y.exp().mul(&dy.sum_to(rows, 1)))
}
