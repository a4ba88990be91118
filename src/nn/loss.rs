//! The mean squared error, with PyTorch's two reductions.

use crate::tape::Var;
use crate::tensor::fmt_shape;

/// How the squared errors `e_i = (p_i - t_i)^2` of a batch are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
/// # Panics
/// If `pred` and `target` have different shapes, naming both.
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
