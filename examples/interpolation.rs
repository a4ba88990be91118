//! The homework: can an MLP with two hidden layers interpolate N = 20 random points (inputs in
//! R^d, standard normal targets) to a training loss below 1e-8, in at least 80% of data sets?
//! The study runs for several d over seeded data sets, spread over all cores.
//!
//! ```text
//! cargo run --example interpolation                         # d = 15, 5, 2; 50 data sets each
//! cargo run --example interpolation -- --dims 2 --width 64 --depth 3 --sets 100
//! ```

#[macro_use]
mod common;

use common::Cli;
use serde_json::json;
use std::time::Instant;
use tapegrad::jacobian::ntk;
use tapegrad::linalg::sym_eig;
use tapegrad::nn::{Activation, Init, Module, Params, Reduction, Sequential, Theta, mlp};
use tapegrad::optim::{Adam, Lbfgs, Sgd, StrongWolfe};
use tapegrad::plot::{self, Dash, Marker, Series};
use tapegrad::train::{History, Loss, Trainer};
use tapegrad::{Rng, Tensor};

const ABOUT: &str = "The homework: can an MLP with two hidden layers interpolate N = 20 random \
points (inputs in R^d, standard normal targets) to training loss < 1e-8 in at least 80% of data \
sets? Runs the study for each d over seeded data sets on all cores, and measures why small d is \
harder: the smallest eigenvalue of the empirical neural tangent kernel J J^T / N at \
initialization, the rate at which gradient flow can shrink the slowest direction of the residual.";

/// One data set's outcome.
struct Outcome {
    success: bool,
    steps: usize,
    loss: f64,
    seconds: f64,
    ntk_min: f64,
    history: History,
}

struct Settings {
    n: usize,
    width: usize,
    depth: usize,
    activation: Activation,
    init: Init,
    optimizer: String,
    lr: f64,
    steps: usize,
    reduction: Reduction,
}

/// Trains one network on data set `seed` in dimension `d`.
fn one_set(s: &Settings, d: usize, seed: u64) -> Outcome {
    let mut rng = Rng::new(seed * 1000 + d as u64);
    let x = Tensor::rand_normal(s.n, d, 0.0, 1.0, &mut rng);
    let y = Tensor::rand_normal(s.n, 1, 0.0, 1.0, &mut rng);
    let mut sizes = vec![d];
    sizes.extend(std::iter::repeat_n(s.width, s.depth));
    sizes.push(1);
    let mut params = Params::new();
    let model: Sequential = mlp(&mut params, &sizes, s.activation.clone(), &s.init, &mut rng);
    let k = ntk(
        |tape, vars| model.forward(&Theta::from_vars(&params, vars), tape.constant(&x)),
        &params.tensors(),
    );
    let ntk_min = sym_eig(&k.scale(1.0 / s.n as f64)).min();
    let mut history = History::new(&format!("d = {d}, set {seed}"));
    let start = Instant::now();
    let trainer = Trainer::new(&model, &x, &y)
        .loss(Loss::Mse(s.reduction))
        .observe(&mut history);
    let report = match s.optimizer.as_str() {
        "lbfgs" => trainer.run_lbfgs(
            &mut params,
            &mut Lbfgs::new()
                .line_search(StrongWolfe::default())
                .max_iter(s.steps)
                .max_eval(2 * s.steps)
                .tolerance_grad(0.0)
                .tolerance_change(0.0)
                .history_size(20),
        ),
        "adam" => trainer
            .steps(s.steps)
            .loss_below(1e-8)
            .run(&mut params, &mut Adam::new(s.lr))
            .unwrap_or_else(|e| fail(&e.to_string())),
        _ => trainer
            .steps(s.steps)
            .loss_below(1e-8)
            .run(&mut params, &mut Sgd::new(s.lr))
            .unwrap_or_else(|e| fail(&e.to_string())),
    };
    let loss = history.losses.iter().copied().fold(f64::INFINITY, f64::min);
    let steps = history
        .losses
        .iter()
        .position(|&l| l < 1e-8)
        .map_or(report.steps, |k| history.steps[k]);
    Outcome {
        success: loss < 1e-8,
        steps,
        loss,
        seconds: start.elapsed().as_secs_f64(),
        ntk_min,
        history,
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("interpolation: {msg}");
    std::process::exit(1)
}

/// The `q`-quantile of sorted values.
fn quantile(sorted: &[usize], q: f64) -> usize {
    sorted
        .get(((sorted.len() as f64 - 1.0) * q).round() as usize)
        .copied()
        .unwrap_or(0)
}

fn main() {
    let args = Cli::new("interpolation", ABOUT)
        .flag("dims", "D,D,...", "15,5,2", "input dimensions to study")
        .flag("sets", "K", 50, "random data sets per dimension")
        .flag("n", "N", 20, "points per data set")
        .flag("width", "W", 32, "width of each hidden layer")
        .flag("depth", "L", 2, "hidden layers (>= 2 for the homework)")
        .flag("activation", "NAME", "tanh", "tanh, relu or sigmoid")
        .flag("init", "NAME", "pytorch", "pytorch, xavier or kaiming")
        .flag("optimizer", "NAME", "lbfgs", "lbfgs (strong Wolfe), adam or gd")
        .flag("lr", "LR", 1e-3, "step size for adam or gd")
        .flag("steps", "K", 3000, "iterations (L-BFGS) or steps (adam, gd) per data set")
        .flag("reduction", "NAME", "mean", "mean or sum")
        .example("cargo run --example interpolation")
        .example("cargo run --release --example interpolation -- --dims 2 --width 64 --depth 3 --sets 100")
        .parse();
    let dims: Vec<usize> = args
        .get::<String>("dims")
        .split(',')
        .map(|t| {
            t.trim()
                .parse()
                .unwrap_or_else(|_| args.fail(&format!("--dims: {t:?} is not a dimension")))
        })
        .collect();
    let pick = |flag: &str, options: &[&str]| -> String {
        let v: String = args.get(flag);
        if !options.contains(&v.as_str()) {
            args.fail(&format!(
                "--{flag}: {v:?} is not one of {}",
                options.join(", ")
            ));
        }
        v
    };
    let s = Settings {
        n: args.get("n"),
        width: args.get("width"),
        depth: args.get("depth"),
        activation: match pick("activation", &["tanh", "relu", "sigmoid"]).as_str() {
            "relu" => Activation::Relu,
            "sigmoid" => Activation::Sigmoid,
            _ => Activation::Tanh,
        },
        init: match pick("init", &["pytorch", "xavier", "kaiming"]).as_str() {
            "xavier" => Init::XavierUniform,
            "kaiming" => Init::KaimingNormal,
            _ => Init::PyTorch,
        },
        optimizer: pick("optimizer", &["lbfgs", "adam", "gd"]),
        lr: args.get("lr"),
        steps: args.get("steps"),
        reduction: if pick("reduction", &["mean", "sum"]) == "sum" {
            Reduction::Sum
        } else {
            Reduction::Mean
        },
    };
    let sets: u64 = args.get("sets");
    if s.n == 0 || s.width == 0 || s.depth == 0 || sets == 0 || dims.contains(&0) {
        args.fail("--n, --width, --depth, --sets and every dimension must be >= 1");
    }
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut rows = Vec::new();
    let mut curves = Vec::new();
    for &d in &dims {
        let start = Instant::now();
        // Data sets split over the cores; each thread builds and trains its own models.
        let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads as u64)
                .map(|t| {
                    let s = &s;
                    scope.spawn(move || {
                        (t..sets)
                            .step_by(threads)
                            .map(|seed| (seed, one_set(s, d, seed)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let mut all: Vec<(u64, Outcome)> = handles
                .into_iter()
                .flat_map(|h| h.join().expect("a study thread"))
                .collect();
            all.sort_by_key(|(seed, _)| *seed);
            all.into_iter().map(|(_, o)| o).collect()
        });
        let wall = start.elapsed().as_secs_f64();
        let successes = outcomes.iter().filter(|o| o.success).count();
        let mut steps: Vec<usize> = outcomes
            .iter()
            .filter(|o| o.success)
            .map(|o| o.steps)
            .collect();
        steps.sort_unstable();
        let mut ntk_mins: Vec<f64> = outcomes.iter().map(|o| o.ntk_min).collect();
        ntk_mins.sort_by(f64::total_cmp);
        let median_ntk = ntk_mins[ntk_mins.len() / 2];
        let per_set = outcomes.iter().map(|o| o.seconds).sum::<f64>() / outcomes.len() as f64;
        // One colour per d, one dash pattern per data set; losses of exactly 0 are drawn at
        // the panel's floor, which the legend names.
        for (set, o) in outcomes.iter().take(3).enumerate() {
            curves.push(
                Series::new(
                    &o.history.name,
                    o.history
                        .steps
                        .iter()
                        .zip(&o.history.losses)
                        .map(|(&k, &l)| (k as f64, l))
                        .collect(),
                )
                .color(plot::color_of(&format!("d = {d}")))
                .dash(Dash::ALL[set % 3])
                .marker(Marker::None),
            );
        }
        rows.push(json!({
            "d": d, "sets": sets, "successes": successes, "fraction": successes as f64 / sets as f64,
            "steps_quartiles": [quantile(&steps, 0.25), quantile(&steps, 0.5), quantile(&steps, 0.75)],
            "seconds_per_set": per_set, "wall_seconds": wall,
            "ntk_lambda_min_median": median_ntk,
            "best_losses": outcomes.iter().map(|o| o.loss).collect::<Vec<_>>(),
        }));
    }
    let dir = args.out_dir();
    let paths = [dir.join("success.svg"), dir.join("loss_curves.svg")];
    let success: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (r["d"].as_f64().unwrap(), r["fraction"].as_f64().unwrap()))
        .collect();
    let success = plot::lines(
        "Fraction of data sets interpolated (loss < 1e-8)",
        ("input dimension d", "fraction"),
        &[Series::new("success fraction", success).marker(Marker::Circle)],
    )
    // Fractions live in [0, 1]; a little room above 1 keeps a full success off the frame.
    .ylim(-0.03, 1.05)
    .hline(0.8, "the homework's bar: 80% of sets");
    args.check(success.save(&paths[0]));
    let x_label = if s.optimizer == "lbfgs" {
        "L-BFGS iteration"
    } else {
        "step"
    };
    let losses = plot::lines(
        "Training loss, three data sets per d",
        (x_label, "loss"),
        &curves,
    )
    .log_y()
    .hline(1e-8, "interpolated: loss < 1e-8");
    args.check(losses.save(&paths[1]));
    if args.json() {
        outln!(
            "{}",
            json!({ "sizes": { "n": s.n, "width": s.width, "depth": s.depth }, "optimizer": s.optimizer, "studies": rows, "plots": paths })
        );
        return;
    }
    outln!(
        "{} points, MLP with {} hidden layers of {} ({}), trained by {}; loss < 1e-8 counts as interpolated; {} threads.\n",
        s.n,
        s.depth,
        s.width,
        args.get::<String>("activation"),
        s.optimizer,
        threads
    );
    outln!(
        "{:>4} {:>12} {:>26} {:>14} {:>22}",
        "d",
        "interpolated",
        "steps (25%, median, 75%)",
        "s per set",
        "lambda_min(J J^T / N)"
    );
    for r in &rows {
        let q = r["steps_quartiles"].as_array().unwrap();
        outln!(
            "{:>4} {:>8}/{:<3} {:>26} {:>14.3} {:>22.3e}",
            r["d"].as_u64().unwrap(),
            r["successes"].as_u64().unwrap(),
            r["sets"].as_u64().unwrap(),
            format!("{}, {}, {}", q[0], q[1], q[2]),
            r["seconds_per_set"].as_f64().unwrap(),
            r["ntk_lambda_min_median"].as_f64().unwrap()
        );
    }
    for line in [
        "",
        "Why small d is harder: at initialization the outputs move, under gradient flow on the squared",
        "error, as dy/dt = -(2/N) K (y - t) with K = J J^T the empirical neural tangent kernel. The",
        "slowest direction of the residual shrinks at rate lambda_min(K / N). With inputs in R^2, twenty",
        "random points are close together and the network's features of them are nearly collinear,",
        "so lambda_min is orders of magnitude smaller than in R^15 (median over the data sets above):",
        "interpolation needs more steps, or stalls.",
    ] {
        outln!("{line}");
    }
    outln!("\nPlots: {}, {}", paths[0].display(), paths[1].display());
}
