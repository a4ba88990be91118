//! Jacobians of vector-valued functions by reverse sweeps, and the empirical neural tangent
//! kernel built on them.
//!
//! For `y = f(θ)` with `m` outputs (any shape, taken row-major) and `θ = (θ_1, ..., θ_k)` with
//! `n` entries in all, row `i` of the `m x n` Jacobian `J = ∂y/∂θ` is the vector-Jacobian
//! product `e_iᵀ J`: one reverse sweep from `y` seeded with `e_i`
//! ([`Tape::backward_with_seed`]). The forward pass is recorded once and swept `m` times.
//! The functions take the same kind of closure as [`crate::hessian`]'s: `|tape, vars| ...`
//! over a slice of tensors (for a model, `params.tensors()` and
//! [`Theta::from_vars`](crate::nn::Theta::from_vars) inside).

use crate::tape::{Tape, Var};
use crate::tensor::Tensor;

/// The `m x n` Jacobian `J_ij = ∂y_i / ∂θ_j` of `y = f(θ)` (outputs and inputs flattened
/// row-major, inputs in order).
///
/// ```
/// use tapegrad::{Tensor, jacobian::jacobian};
/// // y = (x0 x1, sin x0) at (2, 3): J = [[x1, x0], [cos x0, 0]].
/// let j = jacobian(|_, v| {
///     let (a, b) = (v[0].at(0, 0), v[0].at(0, 1));
///     tapegrad::Var::concat_rows(&[a * b, a.sin()])
/// }, &[Tensor::row(&[2.0, 3.0])]);
/// j.assert_close(&Tensor::from_rows(&[[3.0, 2.0], [2f64.cos(), 0.0]]), 1e-15, 1e-15);
/// ```
pub fn jacobian<F>(f: F, theta: &[Tensor]) -> Tensor
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    let tape = Tape::new();
    let xs: Vec<Var<'_>> = theta.iter().map(|t| tape.leaf(t)).collect();
    let y = f(&tape, &xs);
    let rows = rows_of(&tape, &[y], &xs);
    let n: usize = theta.iter().map(Tensor::len).sum();
    Tensor::from_fn(rows.len(), n, |i, j| rows[i][j])
}

/// The empirical neural tangent kernel `K = J Jᵀ` (`m x m`) of the outputs `y = f(θ)`: for a
/// network's outputs on `N` inputs, `K_ab = ∇_θ y_a · ∇_θ y_b`. Gradient descent on the
/// squared error moves the outputs by `−γ K (y − t)` (to first order), so the smallest
/// eigenvalue of `K / N` bounds how fast the slowest direction of the residual can fall.
///
/// ```
/// use tapegrad::nn::{Activation, Init, Module, Params, Theta, mlp};
/// use tapegrad::{Rng, Tensor, jacobian::ntk, linalg::sym_eig};
/// let mut params = Params::new();
/// let model = mlp(&[2, 8, 1], Activation::Tanh).build(&mut params, &mut Rng::new(0));
/// let x = Tensor::from_rows(&[[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]);
/// let k = ntk(
///     |tape, vars| model.forward(&Theta::from_vars(&params, vars), tape.constant(&x)),
///     &params.tensors(),
/// );
/// assert_eq!(k.shape(), (3, 3));
/// assert!(sym_eig(&k).min() > 0.0);          // positive definite here: 3 points, 33 parameters
/// ```
pub fn ntk<F>(f: F, theta: &[Tensor]) -> Tensor
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    let j = jacobian(f, theta);
    let k = j.matmul_nt(&j);
    // Exactly symmetric (the kernel may round (a, b) and (b, a) differently).
    Tensor::from_fn(k.rows(), k.cols(), |a, b| 0.5 * (k[(a, b)] + k[(b, a)]))
}

/// For each entry of each output (in order, row-major), the gradient of that entry with
/// respect to `xs` flattened: one reverse sweep per entry, seeded with a unit adjoint.
pub(crate) fn rows_of<'t>(tape: &'t Tape, outputs: &[Var<'t>], xs: &[Var<'t>]) -> Vec<Vec<f64>> {
    let mut rows = Vec::new();
    for &y in outputs {
        let (r, c) = y.shape();
        for i in 0..r * c {
            let mut seed = Tensor::zeros(r, c);
            seed.as_mut_slice()[i] = 1.0;
            let g = tape.backward_with_seed(y, seed);
            let mut row = Vec::new();
            for &x in xs {
                match g.get(x) {
                    Some(t) => row.extend_from_slice(t.as_slice()),
                    None => row.extend(std::iter::repeat_n(0.0, x.shape().0 * x.shape().1)),
                }
            }
            rows.push(row);
        }
    }
    rows
}
