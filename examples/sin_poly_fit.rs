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
use plotters::coord::Shift;
use plotters::prelude::*;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Instant;
use tapegrad::Rng;
use tapegrad::data::{DataError, Standardizer, poly_features, read_points_csv};
use tapegrad::hessian::hessian;
use tapegrad::linalg::{condition_number, lstsq, mse_smoothness, sym_eig};
use tapegrad::nn::{Init, Linear, Module, Params, Reduction, Theta, mse};
use tapegrad::optim::{Adam, Diverged, Lbfgs, Optimizer, Sgd, StrongWolfe, descend};
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
        .optional(
            "save",
            "FILE.safetensors",
            "save the closed-form fit (0.weight: w_1..w_d, 0.bias: b) for PyTorch or a later run",
        )
        .example("cargo run --example sin_poly_fit")
        .example("cargo run --example sin_poly_fit -- --degree 5 --n 40 --interval -3,3 --noise 0.05 --seed 7")
        .example("cargo run --example sin_poly_fit -- --data points.csv --json")
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
    };
    if c.degree == 0 {
        args.fail("--degree: need a degree >= 1, got 0");
    }
    if c.n < 2 {
        args.fail(&format!("--n: need at least 2 points, got {}", c.n));
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
    /// `f(θ_k) − f(θ*)` for k = 0, 1, ...
    gaps: Vec<f64>,
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
    let bases = [
        Basis {
            name: "raw",
            features: raw.clone(),
            standardizer: None,
        },
        Basis {
            name: "standardized",
            features: standardizer.transform(&raw),
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
        let mut optimizers: Vec<(&'static str, Box<dyn Optimizer>)> = vec![
            ("GD (1/beta)", Box::new(Sgd::new(1.0 / beta))),
            (
                "SGD+momentum (full batch)",
                Box::new(Sgd::new(1.0 / beta).momentum(MOMENTUM)),
            ),
            ("Adam (lr 0.01)", Box::new(Adam::new(0.01))),
        ];
        let gap_in_raw = |theta: &[f64]| f_raw(&basis.to_raw(theta)).0 - loss_star;
        for (name, opt) in optimizers.iter_mut() {
            let mut theta = params.as_slice().to_vec();
            let start = Instant::now();
            let outcome = descend(opt.as_mut(), &mut theta, config.steps, None, &f);
            let seconds = start.elapsed().as_secs_f64();
            let losses = outcome.unwrap_or_default();
            let final_loss = f(&theta).0;
            let mut gaps: Vec<f64> = losses.iter().map(|l| l - loss_star).collect();
            gaps.push(gap_in_raw(&theta));
            let raw_theta = basis.to_raw(&theta);
            runs.push(Run {
                optimizer: name,
                basis: basis.name,
                distance: distance(&raw_theta, &theta_star),
                theta: raw_theta,
                loss: final_loss,
                steps: config.steps,
                seconds,
                gaps,
            });
        }
        // L-BFGS with the strong Wolfe search, polished with the gradient (see Lbfgs::polish).
        let mut theta = params.as_slice().to_vec();
        let mut gaps = Vec::new();
        let start = Instant::now();
        let report = Lbfgs::new()
            .line_search(StrongWolfe::default())
            .max_iter(500)
            .tolerance_grad(1e-13)
            .polish(true)
            .minimize(&mut theta, |th| {
                let (l, g) = f(th);
                gaps.push(l - loss_star);
                (l, g)
            });
        let seconds = start.elapsed().as_secs_f64();
        let raw_theta = basis.to_raw(&theta);
        runs.push(Run {
            optimizer: "L-BFGS (strong Wolfe)",
            basis: basis.name,
            distance: distance(&raw_theta, &theta_star),
            theta: raw_theta,
            loss: f(&theta).0,
            steps: report.iterations,
            seconds,
            gaps,
        });
    }

    // Above the bound: GD on raw features with γ = 1.25 · (2/β).
    let beta_raw = conditioning[0].beta;
    let gamma = 2.5 / beta_raw;
    let (params, f) = objective(&bases[0].features, &y);
    let mut theta = params.as_slice().to_vec();
    let divergence = descend(&mut Sgd::new(gamma), &mut theta, 100_000, None, &f).map(|l| l.len());

    Ok(Results {
        config,
        points,
        theta_star,
        loss_star,
        conditioning,
        runs,
        divergence: (gamma, divergence),
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
                    "monotone": run.gaps.windows(2).all(|w| w[1] <= w[0]) })
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
        "divergence": divergence,
    })
}

/// `b + Σ_j w_j x^j` for `theta = (w_1..w_d, b)`.
fn poly(theta: &[f64], x: f64) -> f64 {
    let d = theta.len() - 1;
    theta[d] + (0..d).map(|j| theta[j] * x.powi(j as i32 + 1)).sum::<f64>()
}

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

type PlotResult = Result<(), Box<dyn std::error::Error>>;
/// The drawing area of one SVG figure.
type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// Figure size in pixels.
const SIZE: (u32, u32) = (900, 600);

fn plot_fits(r: &Results, root: Root<'_>) -> PlotResult {
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
    let (ymin, ymax) = r
        .points
        .y
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| {
            (a.min(y), b.max(y))
        });
    let pad = 0.25 * (ymax - ymin).max(1e-3);
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Polynomial fits to the points", ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(35)
        .y_label_area_size(50)
        .build_cartesian_2d(lo..hi, (ymin - pad)..(ymax + pad))?;
    chart.configure_mesh().x_desc("x").y_desc("y").draw()?;
    chart
        .draw_series(
            r.points
                .x
                .iter()
                .zip(&r.points.y)
                .map(|(&x, &y)| Circle::new((x, y), 4, BLACK.filled())),
        )?
        .label("data")
        .legend(|(x, y)| Circle::new((x + 10, y), 4, BLACK.filled()));
    if r.points.from_sin {
        chart
            .draw_series(LineSeries::new(
                grid.iter().map(|&x| (x, x.sin())),
                BLACK.stroke_width(1),
            ))?
            .label("sin(x)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
    }
    chart
        .draw_series(LineSeries::new(
            grid.iter().map(|&x| (x, poly(&r.theta_star, x))),
            BLACK.stroke_width(3),
        ))?
        .label("closed form (QR)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(3)));
    for (k, run) in r.runs.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        chart
            .draw_series(LineSeries::new(
                grid.iter().map(|&x| (x, poly(&run.theta, x))),
                color.stroke_width(2),
            ))?
            .label(format!("{}, {}", run.optimizer, run.basis))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Gaps below this are drawn at it (a log axis cannot show 0 or rounding-level negatives).
const GAP_FLOOR: f64 = 1e-16;

fn plot_gaps(r: &Results, basis: &str, root: Root<'_>) -> PlotResult {
    let runs: Vec<&Run> = r.runs.iter().filter(|run| run.basis == basis).collect();
    let kmax = runs
        .iter()
        .map(|run| run.gaps.len())
        .max()
        .unwrap_or(1)
        .max(2);
    let gmax = runs
        .iter()
        .flat_map(|run| run.gaps.iter())
        .fold(GAP_FLOOR * 10.0, |m, &g| m.max(g));
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Loss gap f(theta_k) - f(theta*), {basis} features"),
            ("sans-serif", 22),
        )
        .margin(15)
        .x_label_area_size(35)
        .y_label_area_size(70)
        .build_cartesian_2d(0..kmax, (GAP_FLOOR..gmax * 2.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("k (step; evaluations for L-BFGS)")
        .y_desc("f(theta_k) - f(theta*)")
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()?;
    for (k, run) in runs.iter().enumerate() {
        let color = COLORS[(k + if basis == "raw" { 0 } else { 4 }) % COLORS.len()];
        chart
            .draw_series(LineSeries::new(
                run.gaps
                    .iter()
                    .enumerate()
                    .map(|(i, &g)| (i, g.max(GAP_FLOOR))),
                color.stroke_width(2),
            ))?
            .label(run.optimizer)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
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

/// Writes the three SVGs into `dir` and returns their paths.
fn plots(r: &Results, args: &Args) -> Vec<PathBuf> {
    let dir = args.out_dir();
    let paths = [
        dir.join("fits.svg"),
        dir.join("loss_gap_raw.svg"),
        dir.join("loss_gap_standardized.svg"),
    ];
    args.write_svg(&paths[0], SIZE, |root| plot_fits(r, root));
    args.write_svg(&paths[1], SIZE, |root| plot_gaps(r, "raw", root));
    args.write_svg(&paths[2], SIZE, |root| plot_gaps(r, "standardized", root));
    paths.to_vec()
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
