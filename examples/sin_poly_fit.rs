//! Fit a cubic to noisy samples of sin(x) on [2, 5], and see why plain gradient descent
//! crawls there, how far standardized features help it, and how the closed form and L-BFGS
//! get to the least-squares fit.
//!
//! ```text
//! cargo run --example sin_poly_fit                      # the story, as a table, and SVG plots
//! cargo run --example sin_poly_fit -- --json            # the same numbers as one JSON object
//! cargo run --example sin_poly_fit -- --degree 5 --n 40 --interval -3,3 --noise 0.05 --seed 7
//! cargo run --example sin_poly_fit -- --data points.csv # your own x,y points
//! ```
//!
//! The model is `Linear(degree, 1)` with bias on the features `x, x², ..., x^degree`, i.e.
//! `m(x; θ) = b + Σ_j w_j x^j`, trained on `f(θ) = (1/N) Σ_i (m(x_i; θ) − y_i)²`.

#[macro_use]
mod common;
#[path = "sin_poly_fit/config.rs"]
mod config;
#[path = "sin_poly_fit/output.rs"]
mod output;
use config::{Config, Points, load_points, parse_args};
use output::{plots, report, save_fit, to_json};

use common::{Args, Cli};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Instant;
use tapegrad::Rng;
use tapegrad::data::{Standardizer, poly_features};
use tapegrad::hessian::hessian;
use tapegrad::io::DataError;
use tapegrad::io::csv::read_points;
use tapegrad::linalg::{condition_number, lstsq, mse_equivalent, mse_smoothness, sym_eig};
use tapegrad::nn::{Init, Linear, Module, Params, Reduction, Theta, mse};
use tapegrad::optim::{Adam, Diverged, Lbfgs, Optimizer, Sgd, StrongWolfe};
use tapegrad::plot::{self, Figure, Series, XAxis};
use tapegrad::train::{History, Trainer};
use tapegrad::{Tape, Tensor};

/// One feature basis: `raw` (x, x², ...) or `standardized` ((x^j − μ_j) / σ_j).
struct Basis {
    name: &'static str,
    features: Tensor,
    standardizer: Option<Standardizer>,
    /// What the full-batch runs train on: the data itself, or above [`COMPRESS_ABOVE`] points
    /// the `2(d + 1)` rows of `linalg::mse_equivalent` with the same loss and gradient at every
    /// `(w, b)`.
    train: (Tensor, Tensor),
}

/// From this many points on, the mean-MSE runs train on `linalg::mse_equivalent`'s few rows:
/// a step then costs `O(d²)`, not `O(N d)`, and `--n 1000000` takes seconds.
const COMPRESS_ABOVE: usize = 10_000;

/// The training data of a basis: the features themselves, or their equivalent rows.
fn train_data(features: &Tensor, y: &Tensor) -> (Tensor, Tensor) {
    if features.rows() > COMPRESS_ABOVE {
        mse_equivalent(features, y)
    } else {
        (features.clone(), y.clone())
    }
}

impl Basis {
    /// `[features, 1]`: the design matrix of the model with its bias.
    fn with_ones(&self) -> Tensor {
        let (n, d) = self.features.shape();
        Tensor::from_fn(
            n,
            d + 1,
            |i, j| if j < d { self.features[(i, j)] } else { 1.0 },
        )
    }

    /// Coefficients `(w_1..w_d, b)` in this basis mapped to the raw basis.
    fn to_raw(&self, theta: &[f64]) -> Vec<f64> {
        let d = theta.len() - 1;
        match &self.standardizer {
            None => theta.to_vec(),
            Some(s) => {
                let (w, b) = s.to_original(&theta[..d], theta[d]);
                w.into_iter().chain([b]).collect()
            }
        }
    }
}

/// One optimizer's run.
struct Run {
    optimizer: &'static str,
    basis: &'static str,
    /// `(w_1..w_d, b)` in the raw basis.
    theta: Vec<f64>,
    loss: f64,
    distance: f64,
    steps: usize,
    seconds: f64,
    /// The loss at every step (every evaluation for L-BFGS), named for the plots.
    history: History,
}

/// Everything the example computes.
struct Results {
    config: Config,
    points: Points,
    /// Closed form `(w*, b*)` in the raw basis, and `f(θ*)`.
    theta_star: Vec<f64>,
    loss_star: f64,
    /// Per basis: `β`, `κ(X_1)` and the Hessian's spectrum.
    conditioning: Vec<Conditioning>,
    runs: Vec<Run>,
    /// GD above the bound on raw features: the step size and the error.
    divergence: (f64, Result<usize, Diverged>),
    /// Your run, if `--lr` was given.
    custom: Option<Custom>,
    /// Rows the full-batch runs train on: `N`, or `2(d + 1)` above [`COMPRESS_ABOVE`].
    training_rows: usize,
}

/// The user's own run: its settings, its bound, the Hessian of its loss, and the outcome.
struct Custom {
    lr: f64,
    momentum: f64,
    sum: bool,
    /// `β` of the run's loss (`N β_mean` for the sum).
    beta: f64,
    /// The largest stable step for this optimizer: `2(1 + μ)/β`.
    bound: f64,
    lambda_min: f64,
    lambda_max: f64,
    outcome: Result<f64, Diverged>,
}

const MOMENTUM: f64 = 0.9;

/// How well-conditioned the problem is in one basis.
struct Conditioning {
    basis: &'static str,
    /// `β = (2/N) ||X_1ᵀX_1||_2`.
    beta: f64,
    /// `κ(X_1)`, the exact 2-norm condition number (SVD).
    kappa: f64,
    /// The extreme eigenvalues of the Hessian `∇²f`, computed on the tape.
    lambda_min: f64,
    lambda_max: f64,
}

/// The Hessian of `f(θ) = (1/N) ||X_1 θ − y||²` by reverse over reverse mode on the tape (a
/// `Linear(d, 1)` layer with bias, so `θ = (w_1..w_d, b)`): for this quadratic it equals
/// `(2/N) X_1ᵀ X_1`, the matrix whose largest eigenvalue is `β`.
fn loss_hessian(features: &Tensor, y: &Tensor) -> Tensor {
    let mut params = Params::new();
    let d = features.cols();
    let layer = Linear::new(d, 1)
        .init(Init::Zeros)
        .build(&mut params, "0", &mut Rng::new(0));
    hessian(
        |tape, vars| {
            let theta = Theta::from_vars(&params, vars);
            mse(
                layer.forward(&theta, tape.constant(features)),
                tape.constant(y),
                Reduction::Mean,
            )
        },
        &params.tensors(),
    )
}

/// The model `Linear(d, 1)` with bias, its parameters registered in `params` (zeros).
fn linear(d: usize, params: &mut Params) -> Linear {
    Linear::new(d, 1)
        .init(Init::Zeros)
        .build(params, "0", &mut Rng::new(0))
}

/// `θ ↦ (f(θ), ∇f(θ))` for `Linear(d, 1)` + MSE on the tape; `θ = (w_1..w_d, b)`.
fn objective<'a>(
    features: &'a Tensor,
    y: &'a Tensor,
) -> (Params, impl Fn(&[f64]) -> (f64, Vec<f64>) + 'a) {
    let mut params = Params::new();
    let layer =
        Linear::new(features.cols(), 1)
            .init(Init::Zeros)
            .build(&mut params, "0", &mut Rng::new(0));
    let template = params.clone();
    let f = move |theta: &[f64]| {
        let mut p = template.clone();
        p.set_flat(theta);
        let tape = Tape::new();
        let th = tape.params(&p);
        let loss = mse(
            layer.forward(&th, tape.constant(features)),
            tape.constant(y),
            Reduction::Mean,
        );
        (loss.item(), tape.backward(loss).flat(&th))
    };
    (params, f)
}

fn distance(a: &[f64], b: &[f64]) -> f64 {
    let d: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let n: f64 = b.iter().map(|y| y * y).sum();
    (d / n).sqrt()
}

fn fit(config: Config) -> Result<Results, DataError> {
    let points = load_points(&config)?;
    let y = Tensor::column(&points.y);
    let raw = poly_features(&points.x, config.degree).slice(.., 1..);
    let standardizer = Standardizer::fit(&raw);
    let standardized = standardizer.transform(&raw);
    let bases = [
        Basis {
            name: "raw",
            train: train_data(&raw, &y),
            features: raw,
            standardizer: None,
        },
        Basis {
            name: "standardized",
            train: train_data(&standardized, &y),
            features: standardized,
            standardizer: Some(standardizer),
        },
    ];

    // The reference: least squares by QR on [X, 1].
    let x1 = bases[0].with_ones();
    let theta_star = lstsq(&x1, &y).map_err(|e| DataError::new("data", 0, e.to_string()))?;
    let theta_star = theta_star.into_vec();
    let (_, f_raw) = objective(&bases[0].features, &y);
    let loss_star = f_raw(&theta_star).0;

    let mut conditioning = Vec::new();
    let mut runs = Vec::new();
    for basis in &bases {
        let beta = mse_smoothness(&basis.with_ones());
        let spectrum = sym_eig(&loss_hessian(&basis.features, &y));
        conditioning.push(Conditioning {
            basis: basis.name,
            beta,
            kappa: condition_number(&basis.with_ones()),
            lambda_min: spectrum.min(),
            lambda_max: spectrum.max(),
        });
        let (params, f) = objective(&basis.features, &y);
        let layer = linear(basis.features.cols(), &mut Params::new());
        let mut optimizers: Vec<(&'static str, Box<dyn Optimizer>)> = vec![
            ("GD (1/beta)", Box::new(Sgd::new(1.0 / beta))),
            (
                "SGD+momentum (full batch)",
                Box::new(Sgd::new(1.0 / beta).momentum(MOMENTUM)),
            ),
            ("Adam (lr 0.01)", Box::new(Adam::new(0.01))),
        ];
        for (name, opt) in optimizers.iter_mut() {
            let mut p = params.clone();
            let mut history = History::new(&format!("{name}, {}", basis.name));
            let start = Instant::now();
            // The loop of tapegrad::train: full batch, a fixed number of steps.
            let _ = Trainer::new(&layer, &basis.train.0, &basis.train.1)
                .steps(config.steps)
                .observe(&mut history)
                .run(&mut p, opt.as_mut());
            let seconds = start.elapsed().as_secs_f64();
            let theta = p.as_slice().to_vec();
            let final_loss = f(&theta).0;
            let raw_theta = basis.to_raw(&theta);
            runs.push(Run {
                optimizer: name,
                basis: basis.name,
                distance: distance(&raw_theta, &theta_star),
                theta: raw_theta,
                loss: final_loss,
                steps: config.steps,
                seconds,
                history,
            });
        }
        // L-BFGS with the strong Wolfe search, polished with the gradient (see Lbfgs::polish).
        let mut p = params.clone();
        let mut history = History::new(&format!("L-BFGS, {}", basis.name));
        let start = Instant::now();
        let report = Trainer::new(&layer, &basis.train.0, &basis.train.1)
            .observe(&mut history)
            .run_lbfgs(
                &mut p,
                &mut Lbfgs::new()
                    .line_search(StrongWolfe::default())
                    .max_iter(500)
                    .tolerance_grad(1e-13)
                    .polish(true),
            );
        let seconds = start.elapsed().as_secs_f64();
        let theta = p.as_slice().to_vec();
        let raw_theta = basis.to_raw(&theta);
        runs.push(Run {
            optimizer: "L-BFGS (strong Wolfe)",
            basis: basis.name,
            distance: distance(&raw_theta, &theta_star),
            theta: raw_theta,
            loss: f(&theta).0,
            steps: report.steps,
            seconds,
            history,
        });
    }

    // Your run: SGD (with momentum) at --lr on raw features, with the chosen loss and start.
    let custom = config.lr.map(|lr| {
        let n = points.x.len() as f64;
        let scale = if config.reduction == Reduction::Sum {
            n
        } else {
            1.0
        };
        let beta = scale * conditioning[0].beta;
        let (lambda_min, lambda_max) = (
            scale * conditioning[0].lambda_min,
            scale * conditioning[0].lambda_max,
        );
        let mut p = Params::new();
        let init = if config.random_init {
            Init::PyTorch
        } else {
            Init::Zeros
        };
        let layer =
            Linear::new(config.degree, 1)
                .init(init)
                .build(&mut p, "0", &mut Rng::new(config.seed));
        let mut opt = Sgd::new(lr).momentum(config.momentum);
        // The equivalent rows keep the mean, not the sum: a sum-reduced run uses the data.
        let (x_run, y_run) = if config.reduction == Reduction::Mean {
            (&bases[0].train.0, &bases[0].train.1)
        } else {
            (&bases[0].features, &y)
        };
        let outcome = Trainer::new(&layer, x_run, y_run)
            .loss(tapegrad::train::Loss::Mse(config.reduction))
            .steps(config.steps)
            .run(&mut p, &mut opt)
            .map(|r| r.last_loss);
        Custom {
            lr,
            momentum: config.momentum,
            sum: config.reduction == Reduction::Sum,
            beta,
            bound: 2.0 * (1.0 + config.momentum) / beta,
            lambda_min,
            lambda_max,
            outcome,
        }
    });

    // Above the bound: GD on raw features with γ = 1.25 · (2/β).
    let beta_raw = conditioning[0].beta;
    let gamma = 2.5 / beta_raw;
    let mut p = objective(&bases[0].features, &y).0;
    let layer = linear(bases[0].features.cols(), &mut Params::new());
    let divergence = Trainer::new(&layer, &bases[0].train.0, &bases[0].train.1)
        .steps(100_000)
        .run(&mut p, &mut Sgd::new(gamma))
        .map(|r| r.steps);

    Ok(Results {
        config,
        points,
        theta_star,
        loss_star,
        conditioning,
        runs,
        divergence: (gamma, divergence),
        custom,
        training_rows: bases[0].train.0.rows(),
    })
}

fn main() {
    let (config, args) = parse_args();
    let results = match fit(config) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sin_poly_fit: {e}");
            std::process::exit(1);
        }
    };
    let paths = plots(&results, &args);
    let saved: Option<PathBuf> = args.opt("save");
    if let Some(path) = &saved {
        save_fit(&results, path).unwrap_or_else(|e| {
            eprintln!("sin_poly_fit: {e}");
            std::process::exit(1);
        });
    }
    if args.json() {
        let mut json = to_json(&results);
        json["plots"] = json!(paths);
        json["saved"] = json!(saved);
        outln!("{json}");
        return;
    }
    out!("{}", report(&results));
    if let Some(path) = &saved {
        outln!("\nSaved the closed-form fit: {}", path.display());
    }
    outln!("\nPlots:");
    for p in paths {
        outln!("  {}", p.display());
    }
}
