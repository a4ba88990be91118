//! Fit a cubic to noisy samples of sin(x) on [2, 5], and see why plain gradient descent
//! struggles there while the closed form, L-BFGS and standardized features do not.
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

use common::{Args, Cli};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Instant;
use tapegrad::Rng;
use tapegrad::data::{DataError, Standardizer, poly_features, read_points_csv};
use tapegrad::hessian::hessian;
use tapegrad::linalg::{condition_number, lstsq, mse_equivalent, mse_smoothness, sym_eig};
use tapegrad::nn::{Init, Linear, Module, Params, Reduction, Theta, mse};
use tapegrad::optim::{Adam, Diverged, Lbfgs, Optimizer, Sgd, StrongWolfe};
use tapegrad::plot::{self, Series, XAxis};
use tapegrad::train::{History, Trainer};
use tapegrad::{Tape, Tensor};

/// Command-line settings.
#[derive(Clone, Debug)]
struct Config {
    degree: usize,
    n: usize,
    lo: f64,
    hi: f64,
    noise: f64,
    seed: u64,
    data: Option<PathBuf>,
    steps: usize,
    /// Your own run (seed 000's PyTorch program): SGD at this step size, if given.
    lr: Option<f64>,
    momentum: f64,
    reduction: Reduction,
    random_init: bool,
}

const ABOUT: &str = "Fit a polynomial to noisy samples of sin(x) (or your own x,y points) and see why \
plain gradient descent struggles on raw polynomial features while the closed form (QR), L-BFGS \
and standardized features do not: the smoothness constant beta, the stable step sizes, and \
each optimizer's distance to the least-squares solution.";

fn parse_args() -> (Config, Args) {
    let args = Cli::new("sin_poly_fit", ABOUT)
        .flag("degree", "D", 3, "polynomial degree (>= 1)")
        .flag("n", "N", 20, "number of sample points (>= 2)")
        .flag("interval", "LO,HI", "2,5", "x range of the samples")
        .flag("noise", "S", 0.1, "standard deviation of the Gaussian noise on sin(x)")
        .flag("seed", "K", 0, "seed of the noise")
        .flag("steps", "K", 2000, "steps of each first-order optimizer")
        .optional("data", "FILE.csv", "fit your own points: one x,y pair per line")
        .optional("lr", "LR", "also run SGD at this step size on raw features (your own run)")
        .flag("momentum", "MU", 0.0, "momentum of your run (0.9 in seed 000's program)")
        .flag("reduction", "NAME", "mean", "mean or sum: the loss of your run")
        .flag("init", "NAME", "zeros", "zeros, or random (PyTorch's Linear init, seeded) for your run")
        .optional(
            "save",
            "FILE.safetensors",
            "save the closed-form fit (0.weight: w_1..w_d, 0.bias: b) for PyTorch or a later run",
        )
        .example("cargo run --example sin_poly_fit")
        .example("cargo run --example sin_poly_fit -- --degree 5 --n 40 --interval -3,3 --noise 0.05 --seed 7")
        .example("cargo run --example sin_poly_fit -- --data points.csv --json")
        .example("cargo run --example sin_poly_fit -- --degree 2 --n 5 --reduction sum --lr 0.01 --momentum 0.9 --init random")
        .parse();
    let interval: String = args.get("interval");
    let (lo, hi) = interval
        .split_once(',')
        .and_then(|(lo, hi)| {
            Some((
                lo.trim().parse::<f64>().ok()?,
                hi.trim().parse::<f64>().ok()?,
            ))
        })
        .filter(|(lo, hi)| lo.is_finite() && hi.is_finite() && lo < hi)
        .unwrap_or_else(|| {
            args.fail(&format!(
                "--interval: {interval:?} is not LO,HI with LO < HI"
            ))
        });
    let c = Config {
        degree: args.get("degree"),
        n: args.get("n"),
        lo,
        hi,
        noise: args.get("noise"),
        seed: args.get("seed"),
        data: args.opt("data"),
        steps: args.get("steps"),
        lr: args.opt("lr"),
        momentum: args.get("momentum"),
        reduction: match args.get::<String>("reduction").as_str() {
            "mean" => Reduction::Mean,
            "sum" => Reduction::Sum,
            other => args.fail(&format!("--reduction: {other:?} is not mean or sum")),
        },
        random_init: match args.get::<String>("init").as_str() {
            "zeros" => false,
            "random" => true,
            other => args.fail(&format!("--init: {other:?} is not zeros or random")),
        },
    };
    if c.lr.is_some_and(|lr| lr <= 0.0) || c.momentum < 0.0 || c.momentum >= 1.0 {
        args.fail("--lr must be > 0 and --momentum in [0, 1)");
    }
    if c.degree == 0 {
        args.fail("--degree: need a degree >= 1, got 0");
    }
    // Monomials past degree ~30 are numerically dependent in f64 on any interval (the
    // Vandermonde matrix's condition number grows like e^(3.5 D)); 100 leaves room to see it.
    if c.degree > 100 {
        args.fail(&format!("--degree: need a degree <= 100, got {}", c.degree));
    }
    if c.n < 2 {
        args.fail(&format!("--n: need at least 2 points, got {}", c.n));
    }
    // Peak memory is about BYTES_PER_POINT per point (measured: 277 MB at --n 1000000).
    let need = (c.n as f64) * BYTES_PER_POINT;
    if let Some(available) = available_memory() {
        if need > available {
            args.fail(&format!(
                "--n: {} points need about {:.1} GB of memory; this machine has {:.1} GB available",
                c.n,
                need / 1e9,
                available / 1e9
            ));
        }
    }
    if c.noise < 0.0 {
        args.fail(&format!(
            "--noise: need a standard deviation >= 0, got {}",
            c.noise
        ));
    }
    (c, args)
}

/// The points to fit, and whether they are samples of sin.
struct Points {
    x: Vec<f64>,
    y: Vec<f64>,
    from_sin: bool,
}

/// sin(x) at N evenly spaced points with seeded Gaussian noise, or the user's CSV.
fn load_points(c: &Config) -> Result<Points, DataError> {
    if let Some(path) = &c.data {
        let (x, y) = read_points_csv(path)?;
        return Ok(Points {
            x,
            y,
            from_sin: false,
        });
    }
    let mut rng = Rng::new(c.seed);
    let x: Vec<f64> = (0..c.n)
        .map(|i| c.lo + (c.hi - c.lo) * i as f64 / (c.n - 1) as f64)
        .collect();
    let noise = Tensor::rand_normal(c.n, 1, 0.0, c.noise.max(f64::MIN_POSITIVE), &mut rng);
    let y = x
        .iter()
        .zip(noise.as_slice())
        .map(|(xi, e)| xi.sin() + if c.noise > 0.0 { *e } else { 0.0 })
        .collect();
    Ok(Points {
        x,
        y,
        from_sin: true,
    })
}

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

/// Peak memory per sample point (features in both bases, their copies with a ones column, the
/// equivalent rows' centered copy), rounded up from 277 MB measured at `--n 1000000`.
const BYTES_PER_POINT: f64 = 300.0;

/// The memory the system says is available (Linux's `MemAvailable`), if it says.
fn available_memory() -> Option<f64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0)
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
    let layer = Linear::new(&mut params, "0", d, 1, true, &Init::Zeros, &mut Rng::new(0));
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
    Linear::new(params, "0", d, 1, true, &Init::Zeros, &mut Rng::new(0))
}

/// `θ ↦ (f(θ), ∇f(θ))` for `Linear(d, 1)` + MSE on the tape; `θ = (w_1..w_d, b)`.
fn objective<'a>(
    features: &'a Tensor,
    y: &'a Tensor,
) -> (Params, impl Fn(&[f64]) -> (f64, Vec<f64>) + 'a) {
    let mut params = Params::new();
    let layer = Linear::new(
        &mut params,
        "0",
        features.cols(),
        1,
        true,
        &Init::Zeros,
        &mut Rng::new(0),
    );
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
    let raw = poly_features(&points.x, config.degree, false);
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
        let layer = Linear::new(
            &mut p,
            "0",
            config.degree,
            1,
            true,
            &init,
            &mut Rng::new(config.seed),
        );
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
            .map(|r| r.loss);
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

fn fmt_theta(theta: &[f64]) -> String {
    let d = theta.len() - 1;
    let mut s = format!("b = {:+.6}", theta[d]);
    for (j, w) in theta[..d].iter().enumerate() {
        s += &format!(", w{} = {w:+.6}", j + 1);
    }
    s
}

/// The human-readable report.
fn report(r: &Results) -> String {
    let c = &r.config;
    let n = r.points.x.len();
    let mut s = String::new();
    let source = match &c.data {
        Some(p) => format!("{} points from {}", n, p.display()),
        None => format!(
            "sin(x) + N(0, {}^2) noise at {n} points on [{}, {}], seed {}",
            c.noise, c.lo, c.hi, c.seed
        ),
    };
    s += &format!("Fitting a degree-{} polynomial to {source}.\n\n", c.degree);
    s += &format!(
        "Closed form (QR least squares on [X, 1]): {}\n",
        fmt_theta(&r.theta_star)
    );
    s += &format!("  loss f(theta*) = {:.6e}\n\n", r.loss_star);
    if n > COMPRESS_ABOVE {
        s += &format!(
            "N = {n} > {COMPRESS_ABOVE}: the full-batch runs train on {} rows with the same loss and \
             gradient at every (w, b)\n(linalg::mse_equivalent: the data read once, then O(d^2) per step).\n\n",
            2 * (c.degree + 1)
        );
    }

    s += "Step sizes. f(theta) = (1/N)||X1 theta - y||^2 is beta-smooth, beta = (2/N)||X1^T X1||_2:\n";
    s += &format!(
        "  {:<13} {:>12} {:>12} {:>22} {:>12}\n",
        "features", "beta", "GD: 2/beta", "momentum: 2(1+mu)/beta", "cond(X1)"
    );
    for c in &r.conditioning {
        s += &format!(
            "  {:<13} {:>12.4e} {:>12.4e} {:>22.4e} {:>12.4e}\n",
            c.basis,
            c.beta,
            2.0 / c.beta,
            2.0 * (1.0 + MOMENTUM) / c.beta,
            c.kappa
        );
    }
    s += "The Hessian of f (on the tape, reverse over reverse): its extreme eigenvalues and their ratio.\n";
    s += &format!(
        "  {:<13} {:>14} {:>14} {:>22}\n",
        "features", "lambda_min(H)", "lambda_max(H)", "cond(H) = max/min"
    );
    for c in &r.conditioning {
        s += &format!(
            "  {:<13} {:>14.4e} {:>14.4e} {:>22.4e}\n",
            c.basis,
            c.lambda_min,
            c.lambda_max,
            c.lambda_max / c.lambda_min
        );
    }
    s += "  lambda_max(H) is beta; cond(H) = cond(X1)^2 is why GD crawls on raw features.\n";
    let (raw_beta, raw_kappa) = (r.conditioning[0].beta, r.conditioning[0].kappa);
    s += &format!(
        "  GD at 1/beta shrinks the error along the weakest direction by only 1 - 1/cond(X1)^2 = 1 - {:.1e} per step.\n",
        1.0 / (raw_kappa * raw_kappa)
    );
    s += &format!(
        "  With reduction=sum, f is N = {n} times larger, so beta is {:.4e} and the bound 2/beta shrinks to {:.4e}.\n\n",
        raw_beta * n as f64,
        2.0 / (raw_beta * n as f64)
    );

    s += &format!(
        "{:<27} {:<13} {:>13} {:>13} {:>7} {:>10}\n",
        "optimizer", "features", "final loss", "dist to QR", "steps", "time"
    );
    for run in &r.runs {
        s += &format!(
            "{:<27} {:<13} {:>13.6e} {:>13.3e} {:>7} {:>8.2} ms\n",
            run.optimizer,
            run.basis,
            run.loss,
            run.distance,
            run.steps,
            run.seconds * 1e3
        );
    }
    s +=
        "(dist to QR: ||theta - theta*|| / ||theta*||, coefficients compared in the raw basis)\n\n";

    let (gamma, outcome) = &r.divergence;
    s += &format!(
        "Above the bound: GD on raw features with step {gamma:.4e} = 1.25 * (2/beta):\n  "
    );
    s += &match outcome {
        Err(e) => format!("{e}\n"),
        Ok(steps) => format!("did not diverge in {steps} steps\n"),
    };
    if let Some(u) = &r.custom {
        let loss = if u.sum { "sum" } else { "mean" };
        s += &format!(
            "\nYour run: SGD lr {} momentum {} on raw features, reduction={loss}, {} steps.\n",
            u.lr, u.momentum, c.steps
        );
        s += &format!(
            "  Its loss has beta = {:.4e} (Hessian eigenvalues {:.4e} .. {:.4e}), so this optimizer is stable\n  below 2(1+mu)/beta = {:.4e}; the run's step is {:.2}x that bound.\n",
            u.beta,
            u.lambda_min,
            u.lambda_max,
            u.bound,
            u.lr / u.bound
        );
        s += &match &u.outcome {
            Ok(loss) => format!("  It stayed finite: loss {loss:.6e} at the last step.\n"),
            Err(e) => format!("  {e}\n"),
        };
    }
    s
}

/// The results as one JSON object.
fn to_json(r: &Results) -> Value {
    let cond: Vec<Value> = r
        .conditioning
        .iter()
        .map(|c| {
            json!({ "features": c.basis, "beta": c.beta, "stable_gd_step": 2.0 / c.beta,
                    "stable_momentum_step": 2.0 * (1.0 + MOMENTUM) / c.beta,
                    "condition_number": c.kappa, "hessian_lambda_min": c.lambda_min,
                    "hessian_lambda_max": c.lambda_max,
                    "hessian_condition_number": c.lambda_max / c.lambda_min })
        })
        .collect();
    let runs: Vec<Value> = r
        .runs
        .iter()
        .map(|run| {
            json!({ "optimizer": run.optimizer, "features": run.basis, "theta": run.theta, "loss": run.loss,
                    "distance": run.distance, "steps": run.steps, "seconds": run.seconds,
                    "monotone": run.history.losses.windows(2).all(|w| w[1] <= w[0]) })
        })
        .collect();
    let (gamma, outcome) = &r.divergence;
    let divergence = match outcome {
        Err(e) => {
            json!({ "step_size": gamma, "diverged_at_step": e.step, "message": e.to_string() })
        }
        Ok(steps) => json!({ "step_size": gamma, "diverged_at_step": null, "steps": steps }),
    };
    json!({
        "closed_form": { "theta": r.theta_star, "loss": r.loss_star, "layout": "w_1..w_degree, b" },
        "beta": { "raw": r.conditioning[0].beta, "standardized": r.conditioning[1].beta },
        "conditioning": cond,
        "runs": runs,
        "training_rows": r.training_rows,
        "divergence": divergence,
        "your_run": r.custom.as_ref().map(|u| json!({
            "lr": u.lr, "momentum": u.momentum, "reduction": if u.sum { "sum" } else { "mean" },
            "beta": u.beta, "stable_below": u.bound,
            "hessian_lambda_min": u.lambda_min, "hessian_lambda_max": u.lambda_max,
            "diverged_at_step": u.outcome.as_ref().err().map(|e| e.step),
            "message": u.outcome.as_ref().err().map(|e| e.to_string()),
            "final_loss": u.outcome.as_ref().ok(),
        })),
    })
}

/// `b + Σ_j w_j x^j` for `theta = (w_1..w_d, b)`.
fn poly(theta: &[f64], x: f64) -> f64 {
    let d = theta.len() - 1;
    theta[d] + (0..d).map(|j| theta[j] * x.powi(j as i32 + 1)).sum::<f64>()
}

/// Writes the four figures into the output directory and returns their paths: the fits over
/// the data, the loss gap of the first-order methods against steps per basis, and L-BFGS's
/// against evaluations (so each method's curve is drawn on the axis its work is counted in).
fn plots(r: &Results, args: &Args) -> Vec<PathBuf> {
    let dir = args.out_dir();
    let (lo, hi) = r
        .points
        .x
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let grid: Vec<f64> = (0..=200)
        .map(|i| lo + (hi - lo) * i as f64 / 200.0)
        .collect();
    let curve = |name: &str, theta: &[f64]| {
        Series::new(name, grid.iter().map(|&x| (x, poly(theta, x))).collect())
    };
    let mut curves = vec![curve("closed form (QR)", &r.theta_star)];
    if r.points.from_sin {
        curves.push(Series::new(
            "sin(x)",
            grid.iter().map(|&x| (x, x.sin())).collect(),
        ));
    }
    curves.extend(
        r.runs
            .iter()
            .map(|run| curve(&run.history.name, &run.theta)),
    );
    let paths = [
        dir.join("fits.svg"),
        dir.join("loss_gap_raw.svg"),
        dir.join("loss_gap_standardized.svg"),
        dir.join("loss_gap_lbfgs.svg"),
    ];
    let first_order = |basis: &str| -> Vec<&History> {
        r.runs
            .iter()
            .filter(|run| run.basis == basis && !run.optimizer.starts_with("L-BFGS"))
            .map(|run| &run.history)
            .collect()
    };
    let lbfgs: Vec<&History> = r
        .runs
        .iter()
        .filter(|run| run.optimizer.starts_with("L-BFGS"))
        .map(|run| &run.history)
        .collect();
    let f_star = Some(r.loss_star);
    args.check(plot::fit(
        &paths[0],
        "Polynomial fits to the points",
        (&r.points.x, &r.points.y),
        &curves,
    ));
    args.check(plot::histories(
        &paths[1],
        "Loss gap, raw features",
        &first_order("raw"),
        XAxis::Steps,
        f_star,
    ));
    args.check(plot::histories(
        &paths[2],
        "Loss gap, standardized features",
        &first_order("standardized"),
        XAxis::Steps,
        f_star,
    ));
    args.check(plot::histories(
        &paths[3],
        "Loss gap of L-BFGS",
        &lbfgs,
        XAxis::Evaluations,
        f_star,
    ));
    paths.to_vec()
}

/// The closed-form fit as the parameters of `Linear(degree, 1)` on raw features, in
/// safetensors (`0.weight` `[1, d]`, `0.bias` `[1]`), with the model described in the metadata.
fn save_fit(r: &Results, path: &std::path::Path) -> Result<(), tapegrad::io::DataError> {
    let d = r.theta_star.len() - 1;
    let mut params = Params::new();
    params.add("0.weight", &Tensor::row(&r.theta_star[..d]));
    params.add("0.bias", &Tensor::scalar(r.theta_star[d]));
    let degree = d.to_string();
    let meta = [
        (
            "model",
            "Linear(degree, 1) on features x, x^2, ..., x^degree",
        ),
        ("degree", degree.as_str()),
        ("loss", "mean squared error"),
    ];
    tapegrad::io::safetensors::save(&params, path, &meta)
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
