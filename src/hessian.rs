//! Second-order reverse mode: Hessian-vector products, Hessians, the optimal step along a
//! direction. (Their check against finite differences of the gradient,
//! [`gradgradcheck`](crate::gradcheck::gradgradcheck), is in [`crate::gradcheck`].)
//!
//! # How: reverse mode over the reverse pass
//! [`Tape::backward_graph`] runs the same backward rules as [`Tape::backward`], but on
//! [`Var`]s, so the gradient `g(θ) = ∇f(θ)` is itself recorded on the tape as a function of
//! the leaves. Then `g(θ)·v` is one more scalar on the tape, and an ordinary backward pass
//! gives its gradient:
//!
//! ```text
//! ∇_θ (∇f(θ)·v) = ∇²f(θ) v = H v          (v held constant)
//! ```
//!
//! exactly, to rounding, at the cost of about two extra sweeps. No derivative is written a
//! second time: the second derivative of each op comes from differentiating its first-order
//! rule, which is made of ops with rules. Where an op has a kink (`relu`, `abs` at 0), its
//! rule multiplies by a piecewise-constant factor (`1[x > 0]`, `sign x`) held constant, so
//! its second derivative is taken as 0 (it is 0 wherever it exists).

//!
//! # One shape for every entry point
//! [`hvp`], [`hessian`], [`optimal_step`] (and [`crate::gradcheck::gradgradcheck`], and
//! [`crate::jacobian`]'s
//! `jacobian` and `ntk`) all take `f` as a closure `|tape, vars| ...` that records the function
//! of the inputs `vars` (one `Var` per tensor of `theta: &[Tensor]`) on `tape`. For a model,
//! pass `&params.tensors()` and build the named views inside with
//! [`Theta::from_vars`](crate::nn::Theta::from_vars); results then come in the layout of the
//! flat `theta`. Write the closure inline, without type annotations on its arguments, and
//! Rust infers the lifetimes.

use crate::tape::{Tape, Var};
use crate::tensor::{Tensor, fmt_shape};

/// `f(θ)`, `∇f(θ)` and `∇²f(θ) v` at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct Hvp {
    /// `f(θ)`.
    pub value: f64,
    /// `∇f(θ)`, one tensor per input.
    pub grad: Vec<Tensor>,
    /// `H v`, one tensor per input.
    pub hv: Vec<Tensor>,
}

fn check_shapes(op: &str, theta: &[Tensor], v: &[Tensor]) {
    assert!(
        theta.len() == v.len(),
        "{op}: {} inputs but {} direction tensors",
        theta.len(),
        v.len()
    );
    for (k, (t, d)) in theta.iter().zip(v).enumerate() {
        assert!(
            t.shape() == d.shape(),
            "{op}: input {k} is {} but its direction is {}",
            fmt_shape(t.shape()),
            fmt_shape(d.shape())
        );
    }
}

/// The Hessian-vector product `H v = ∇²f(θ) v` of a scalar function of one or more
/// tensors (`θ = (θ_1, ..., θ_m)`, `v` of the same shapes), with `f(θ)` and `∇f(θ)`.
///
/// ```
/// use tapegrad::{hessian::hvp, Tensor};
/// // f(x) = sum(x^3): H = diag(6x), so H v = 6 x ⊙ v.
/// let x = Tensor::row(&[1.0, -2.0]);
/// let v = Tensor::row(&[0.5, 1.0]);
/// let r = hvp(|_tape, t| t[0].powi(3).sum(), &[x], &[v]);
/// assert_eq!(r.hv[0], Tensor::row(&[3.0, -12.0]));
/// ```
///
/// # Panics
/// If `f` does not return a `1x1` value, or `v` does not match `θ` in count and shapes.
pub fn hvp<F>(f: F, theta: &[Tensor], v: &[Tensor]) -> Hvp
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    check_shapes("hvp", theta, v);
    let tape = Tape::new();
    let xs: Vec<Var<'_>> = theta.iter().map(|t| tape.leaf(t)).collect();
    let y = f(&tape, &xs);
    let g = tape.backward_graph(y);
    let gs: Vec<Var<'_>> = xs.iter().map(|&x| g.of(x)).collect();
    // g·v = Σ_k sum(g_k ⊙ v_k), with v constant.
    let gv = gs
        .iter()
        .zip(v)
        .map(|(&gk, vk)| (gk * tape.constant(vk)).sum())
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| tape.constant(0.0));
    let second = tape.backward(gv);
    Hvp {
        value: y.item(),
        grad: gs.iter().map(|gk| gk.value()).collect(),
        hv: xs.iter().map(|&x| second[x].clone()).collect(),
    }
}

/// The Hessian of a scalar function of tensors `θ = (θ_1, ..., θ_m)`, the same kind of
/// function every entry point here takes: `H_ij = ∂²f / ∂θ_i ∂θ_j` over all `n` entries,
/// taken input by input, each in row-major order (the layout of [`crate::nn::Params`]'s flat
/// `theta` when the inputs are `params.tensors()`). The gradient is recorded once; each row
/// `e_iᵀ ∇²f` is one more backward sweep through it.
///
/// # Panics
/// If `f` does not return a `1x1` value.
///
/// ```
/// use tapegrad::{Tensor, hessian::hessian};
/// // f(x, y) = x^2 y + y^3 at (1, 2): H = [[2y, 2x], [2x, 6y]].
/// let h = hessian(|_, v| v[0].square() * v[1] + v[1].powi(3), &[Tensor::scalar(1.0), Tensor::scalar(2.0)]);
/// h.assert_close(&Tensor::from_rows(&[[4.0, 2.0], [2.0, 12.0]]), 1e-12, 1e-12);
/// ```
///
/// The Hessian of a model's loss with respect to its [`Params`](crate::nn::Params), in one call:
///
/// ```
/// use tapegrad::nn::{Activation, Init, Module, Params, Reduction, Theta, mlp, mse};
/// use tapegrad::{Rng, Tensor, hessian::hessian};
/// let mut params = Params::new();
/// let model = mlp(&[1, 3, 1], Activation::Tanh).build(&mut params, &mut Rng::new(0));
/// let (x, y) = (Tensor::column(&[-1.0, 0.5, 2.0]), Tensor::column(&[1.0, 0.0, -1.0]));
/// let h = hessian(
///     |tape, vars| {
///         let theta = Theta::from_vars(&params, vars);
///         mse(model.forward(&theta, tape.constant(&x)), tape.constant(&y), Reduction::Mean)
///     },
///     &params.tensors(),
/// );
/// assert_eq!(h.shape(), (params.len(), params.len()));   // 10 x 10
/// h.assert_close(&h.t(), 1e-12, 1e-12);                  // symmetric
/// ```
pub fn hessian<F>(f: F, theta: &[Tensor]) -> Tensor
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    let tape = Tape::new();
    let xs: Vec<Var<'_>> = theta.iter().map(|t| tape.leaf(t)).collect();
    let y = f(&tape, &xs);
    let graph = tape.backward_graph(y);
    let gs: Vec<Var<'_>> = xs.iter().map(|&x| graph.of(x)).collect();
    // Row i of H is the vector-Jacobian product e_iᵀ ∂g/∂θ: one sweep per entry of g.
    let rows = crate::jacobian::rows_of(&tape, &gs, &xs);
    let n = rows.len();
    Tensor::from_fn(n, n, |i, j| rows[i][j])
}

/// The step that minimizes the quadratic model of `f` along a direction `d`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OptimalStep {
    /// `f(θ)`.
    pub value: f64,
    /// `dᵀ g`, the directional derivative.
    pub slope: f64,
    /// `dᵀ H d`, the curvature along `d`.
    pub curvature: f64,
    /// `α* = −(dᵀg) / (dᵀHd)`: `None` when the curvature is not positive (the model has no
    /// minimum along `d`).
    pub alpha: Option<f64>,
}

/// `α* = −(dᵀg)/(dᵀHd)`, the minimizer of `q(α) = f(θ) + α dᵀg + (α²/2) dᵀHd`, the
/// second-order model of `f(θ + α d)`; for `d = −g` it is `gᵀg / gᵀHg`. Exact for
/// quadratic `f`.
///
/// # Panics
/// As [`hvp`].
///
/// ```
/// use tapegrad::{Tensor, hessian::optimal_step};
/// // f(θ) = θ0^2 + 10 θ1^2 along d = -g at θ = (1, 1): α* = gᵀg / gᵀHg, exact for a quadratic.
/// let theta = [Tensor::row(&[1.0, 1.0])];
/// let g = Tensor::row(&[2.0, 20.0]);
/// let s = optimal_step(|tape, t| {
///     let w = tape.constant(Tensor::row(&[1.0, 10.0]));
///     (t[0].square() * w).sum()
/// }, &theta, &[g.neg()]);
/// let alpha = (4.0 + 400.0) / (2.0 * 4.0 + 20.0 * 400.0);
/// assert!((s.alpha.unwrap() - alpha).abs() < 1e-15);
/// ```
pub fn optimal_step<F>(f: F, theta: &[Tensor], d: &[Tensor]) -> OptimalStep
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    let r = hvp(f, theta, d);
    let dot = |a: &[Tensor], b: &[Tensor]| -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| {
                x.as_slice()
                    .iter()
                    .zip(y.as_slice())
                    .map(|(p, q)| p * q)
                    .sum::<f64>()
            })
            .sum()
    };
    let slope = dot(d, &r.grad);
    let curvature = dot(d, &r.hv);
    let alpha = (curvature > 0.0).then(|| -slope / curvature);
    OptimalStep {
        value: r.value,
        slope,
        curvature,
        alpha,
    }
}
