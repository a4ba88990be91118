//! Losses: the mean squared error and the cross-entropy of logits, with PyTorch's two
//! reductions.

use crate::tape::{Tape, Var};
use crate::tensor::{Tensor, fmt_shape};
use std::rc::Rc;

/// How the per-entry losses `e_i` of a batch are combined (squared errors for [`mse`], the
/// per-sample `−log p(t_i)` for [`cross_entropy`](super::cross_entropy)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reduction {
    /// `L = (1/n) sum_i e_i` over all `n` entries (PyTorch's default).
    Mean,
    /// `L = sum_i e_i`. Its gradient, hence its smoothness constant, is `n` times that of
    /// `Mean`, so the largest stable gradient-descent step (`2/beta`) is `n` times smaller.
    Sum,
}

/// The mean squared error `L = reduce((pred - target)^2)`: `(1/n)||pred - target||^2` for
/// [`Reduction::Mean`], `||pred - target||^2` for [`Reduction::Sum`]. A composite of tape
/// ops, so its gradient `dL/dpred = (2/n)(pred - target)` (or without `1/n`) comes from
/// their rules.
///
/// An empty batch (`0 x k`) gives `Mean` a loss of `0/0 = NaN` (as PyTorch's `mse_loss`),
/// and `Sum` a loss of 0; the training loop refuses empty data up front.
///
/// # Panics
/// If `pred` and `target` have different shapes, naming both.
///
/// ```
/// use tapegrad::nn::{Reduction, mse};
/// use tapegrad::{Tape, Tensor};
/// let tape = Tape::new();
/// let pred = tape.leaf(Tensor::column(&[1.0, 2.0]));
/// let target = tape.constant(Tensor::column(&[0.0, 4.0]));
/// let mean = mse(pred, target, Reduction::Mean);        // (1 + 4) / 2
/// assert_eq!(mean.item(), 2.5);
/// assert_eq!(tape.backward(mean)[pred], Tensor::column(&[1.0, -2.0])); // (2/N)(pred - y)
/// assert_eq!(mse(pred, target, Reduction::Sum).item(), 5.0);
/// ```
pub fn mse<'t>(pred: Var<'t>, target: Var<'t>, reduction: Reduction) -> Var<'t> {
    assert!(
        pred.shape() == target.shape(),
        "mse: prediction {} and target {} have different shapes",
        fmt_shape(pred.shape()),
        fmt_shape(target.shape())
    );
    let squared = (pred - target).square();
    match reduction {
        Reduction::Mean => squared.mean(),
        Reduction::Sum => squared.sum(),
    }
}

/// `θ ↦ (f(θ), ∇f(θ))` for least squares, `f(θ) = (1/N) ||X θ − y||²` (the mean MSE of the
/// linear model `X θ`, `θ` a column of `X.cols()` entries), each call on a fresh tape: the
/// closure to hand to [`crate::optim::Lbfgs::minimize`] or [`crate::optim::descend`]. `X` and
/// `y` are shared with every tape through an `Rc`, not copied per evaluation.
///
/// ```
/// use tapegrad::nn::least_squares;
/// use tapegrad::Tensor;
/// let f = least_squares(Tensor::from_rows(&[[1.0, 0.0], [0.0, 2.0]]), Tensor::column(&[1.0, 2.0]));
/// let (loss, grad) = f(&[0.0, 0.0]);        // (1/2)(1 + 4), (2/N) Xᵀ(Xθ − y)
/// assert_eq!((loss, grad), (2.5, vec![-1.0, -4.0]));
/// ```
///
/// # Panics
/// If `X` and `y` have different numbers of rows, or `θ` has the wrong length (when called).
pub fn least_squares(
    x: impl Into<Rc<Tensor>>,
    y: impl Into<Rc<Tensor>>,
) -> impl Fn(&[f64]) -> (f64, Vec<f64>) {
    let (x, y) = (x.into(), y.into());
    assert!(
        x.rows() == y.rows(),
        "least_squares: X {} and y {} have different numbers of rows",
        fmt_shape(x.shape()),
        fmt_shape(y.shape())
    );
    move |theta: &[f64]| {
        let tape = Tape::new();
        let th = tape.leaf(Tensor::column(theta));
        let loss = mse(
            tape.constant(&x).matmul(th),
            tape.constant(&y),
            Reduction::Mean,
        );
        (loss.item(), tape.backward(loss)[th].as_slice().to_vec())
    }
}
