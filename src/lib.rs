//! # tapegrad
//!
//! Reverse-mode automatic differentiation on a tape (a Wengert list), in `f64`, written to
//! be read. A [`Tape`] records each operation in evaluation order; [`Tape::backward`] walks
//! it once in reverse, applying each op's backward rule (written beside its forward in
//! [`ops`], formula first) and summing the contributions that reach each value.
//!
//! ## A tour: tape → backward → step
//!
//! Fit a line `y ≈ b + w t` with a `Linear(1, 1)` layer, the MSE loss, and gradient descent
//! at the step size `1/β` that the smoothness constant of the loss prescribes:
//!
//! ```
//! use tapegrad::linalg::mse_smoothness;
//! use tapegrad::prelude::*;          // Tensor, Tape, Params, Linear, mse, Sgd, Module, ...
//!
//! let t = Tensor::column(&[0.0, 1.0, 2.0, 3.0]);
//! let y = Tensor::column(&[1.0, 3.0, 5.0, 7.0]);                  // y = 1 + 2 t
//! let mut params = Params::new();                                 // θ = (w, b), one flat vector
//! let layer = Linear::new(1, 1).init(Init::Zeros).build(&mut params, "0", &mut Rng::new(0));
//! let beta = mse_smoothness(&Tensor::from_fn(4, 2, |i, j| if j == 0 { t[(i, 0)] } else { 1.0 }));
//! let mut opt = Sgd::new(1.0 / beta);                             // θ ← θ − γ ∇f(θ), γ = 1/β
//!
//! for _ in 0..500 {
//!     let tape = Tape::new();                                     // a fresh Wengert list
//!     let theta = tape.params(&params);                           // leaves for 0.weight, 0.bias
//!     let loss = mse(layer.forward(&theta, tape.constant(&t)), tape.constant(&y), Reduction::Mean);
//!     let grad = tape.backward(loss).flat(&theta);                // one reverse sweep, flat ∇f(θ)
//!     opt.step(params.as_mut_slice(), &grad).unwrap();            // an error, not NaN, if it diverges
//! }
//! let (w, b) = (params.as_slice()[0], params.as_slice()[1]);
//! assert!((w - 2.0).abs() < 1e-9 && (b - 1.0).abs() < 1e-9);
//! ```
//!
//! ## In your own project
//! Add the crate and optimize it even in dev builds, or every step runs about 80x slower
//! (measured: 2000 GD steps of a `[15, 50, 50, 1]` MLP, 7.1 s at `opt-level = 0`, 0.09 s with
//! this override; your own code keeps `opt-level = 0`):
//!
//! ```toml
//! [dependencies]
//! tapegrad = { path = "../tapegrad" }
//!
//! [profile.dev.package.tapegrad]
//! opt-level = 3
//! ```
//!
//! Random draws take the crate's [`Rng`] (`Rng::new(seed)`), whose stream is fixed by
//! specification, so seeded results do not depend on the `rand` version you use. Models and
//! [`nn::Params`] are `Send + Sync`; a [`Tape`] belongs to one thread.
//!
//! ## Where things are
//! - [`tensor`]: [`Tensor`], a row-major `rows x cols` `f64` matrix (a scalar is `1x1`),
//!   with broadcasting in three written-out cases (scalar, row, column).
//! - [`tape`]: [`Tape`], [`Var`] (a `Copy` handle, with operators), the reverse sweep,
//!   [`Grads`], [`Tape::backward_graph`] (the gradient recorded, for second derivatives).
//! - [`replay`]: a recorded step run again for new parameters, with no recording and no
//!   allocation per step (a trace of the tape, the fastest training step).
//! - [`anomaly`]: opt-in detection of the first op that produced a NaN or an infinity.
//! - [`ops`]: the operations, one file per family, each method and formula beside its rule;
//!   every op's forward in [`ops::Op::eval`].
//! - [`gradcheck`](mod@gradcheck): reverse mode against finite differences, for your functions,
//!   and `gradgradcheck` (second derivatives against differences of the gradient).
//! - [`hessian`]: Hessian-vector products, Hessians, the optimal step along a direction.
//! - [`inspect`]: the tape as a table, a drawing, Graphviz DOT, and the step-through
//!   [`Tape::backward_steps`].
//! - [`nn`]: flat parameters with named views, `Linear`, activations, `mse`, `Sequential`, `mlp`.
//! - [`optim`]: SGD (momentum, Nesterov), Adam/AdamW, L-BFGS with strong Wolfe, schedules,
//!   iterate averaging, seeded sampling; PyTorch's update rules, step for step.
//! - [`linalg`]: the crate's own matmul kernels, QR, least squares and minimum-norm
//!   solutions, Cholesky, spectral norm and the smoothness constant `β`.
//! - [`data`]: polynomial features and standardization.
//! - [`rng`]: [`Rng`], the seeded generator behind every random draw.
//! - [`train`]: the training loop (batches, schedules, stop rules, L-BFGS) and its observers.
//! - `plot` (feature `plot`, on by default): SVG figures written by the crate: a `Figure` of
//!   `Panel`s (histories, fits, landscapes, histograms, any lines), as the course draws them.
//! - [`io`]: safetensors for [`nn::Params`], NumPy `.npy` and matrix CSV, every reader fuzzed.
//! - [`jacobian`]: Jacobians by reverse sweeps and the empirical neural tangent kernel.
//! - [`prelude`]: `use tapegrad::prelude::*` for the names above that a first project uses.
//!
//! ## From PyTorch
//! Matrices are 2-D (`rows x cols`, a scalar is `1x1`), values `f64`, and the tape is explicit:
//! a [`Var`] is recorded on a [`Tape`], a [`Tensor`] is a plain value. The names follow
//! PyTorch's where it has one.
//!
//! | PyTorch | tapegrad |
//! |---|---|
//! | `torch.tensor([[1., 2.], [3., 4.]])`, `zeros`, `ones`, `eye` | `Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]])`, `Tensor::zeros(m, n)`, `ones`, `eye` |
//! | `torch.randn(m, n, generator=g)` | `Tensor::rand_normal(m, n, 0.0, 1.0, &mut rng)` with `rng = Rng::new(seed)` |
//! | `a @ b`, `a @ b.T`, `a.T @ b`, `a.T` | `a.matmul(&b)`, `a.matmul_nt(&b)`, `a.matmul_tn(&b)`, `a.t()` |
//! | `a + b`, `a * b`, `c * a` (broadcasting) | `&a + &b`, `&a * &b`, `c * &a` (or `add`, `mul`, `mul_scalar`) |
//! | `a.sum()`, `a.sum(1, keepdim=True)`, `a.sum(0, keepdim=True)` | `a.sum()`, `a.sum_each_row()`, `a.sum_each_col()` (and `mean`) |
//! | `a[r0:r1, :]`, `a.index_select(0, idx)`, `torch.cat([a, b], 0)` | `a.slice(r0..r1, ..)`, `a.index_select(&idx)`, `Tensor::concat_rows(&[&a, &b])` |
//! | `x.requires_grad_()`; a model's parameters | `tape.leaf(&x)`; `tape.params(&params)` (a [`nn::Params`], one flat `θ`) |
//! | `loss.backward()`; `x.grad` | `let grads = tape.backward(loss)`; `grads[x]` (flat: `grads.flat(&theta)`) |
//! | `torch.autograd.grad(loss, x, create_graph=True)` | `tape.backward_graph(loss)` (the gradient recorded, differentiable again) |
//! | `torch.autograd.Function` | a type implementing [`ops::Function`] |
//! | `torch.autograd.gradcheck`, `gradgradcheck` | [`gradcheck::gradcheck`], [`gradcheck::gradgradcheck`] |
//! | `torch.autograd.set_detect_anomaly(True)` | [`set_anomaly_detection`] |
//! | `torch.func.hvp`, `torch.autograd.functional.hessian` | [`hessian::hvp`], [`hessian::hessian`] |
//! | `nn.Linear(i, o, bias=False)` | `Linear::new(i, o).bias(false).build(&mut params, "name", &mut rng)` |
//! | `nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1))` | `mlp(&[1, 8, 1], Activation::Relu).build(&mut params, &mut rng)`, or `Sequential::new().push(..)` |
//! | `model(x)` | `model.forward(&theta, tape.constant(&x))` on a tape, `model.predict(&params, &x)` off it |
//! | `nn.MSELoss()`, `nn.CrossEntropyLoss()` | `mse(pred, target, Reduction::Mean)`, [`nn::cross_entropy`] |
//! | `optim.SGD(p, lr, momentum=0.9)`, `Adam`, `LBFGS` | `Sgd::new(lr).momentum(0.9)`, `Adam::new(lr)`, `Lbfgs::new()` |
//! | `opt.step()` | `opt.step(params.as_mut_slice(), &grad)` (an error, not NaN, on divergence) |
//! | `lr_scheduler.StepLR`, `ExponentialLR`, `CosineAnnealingLR` | [`optim::Schedule`] (`StepDecay`, `Exponential`, `Cosine`, ...) |
//! | a training loop | [`train::Trainer`] (batches, schedules, stop rules, observers) |
//! | `torch.jit.trace` of a training step | [`replay::Replay`] |
//! | `torch.save(model.state_dict())`, `numpy.save` | [`io::safetensors::save`], [`io::npy::write`] |
#![warn(missing_docs)]
#![deny(unsafe_code)]

pub mod anomaly;
pub mod data;
pub mod gradcheck;
pub mod hessian;
pub mod inspect;
pub mod io;
pub mod jacobian;
pub mod linalg;
mod matmul;
pub mod nn;
pub mod ops;
pub mod optim;
mod params;
#[cfg(feature = "plot")]
pub mod plot;
pub mod prelude;
pub mod replay;
pub mod rng;
pub mod tape;
pub mod tensor;
mod text;
pub mod train;
#[allow(unsafe_code)]
mod wide;

pub use anomaly::{AnomalyMode, set_anomaly_detection};
/// The `approx` crate, re-exported so that `assert_relative_eq!` on [`Tensor`]s works
/// without a dependency of your own (`use tapegrad::approx::assert_relative_eq;`).
pub use approx;
pub use rng::Rng;
pub use tape::{GradVars, Grads, Tape, Var};
pub use tensor::Tensor;

// The README's code blocks run as doc tests of `tapegrad-proptest` (`proptest/src/lib.rs`),
// the crate that sees both tapegrad and the property tests the README shows.
