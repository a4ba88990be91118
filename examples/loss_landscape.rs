//! Exercise 3e as the course sets it: a ReLU and a 4·sigmoid 1-10-10-1 network, each trained
//! from the same initial point by full-batch SGD (lr 0.05, 2000 epochs, stopped below 1e-13),
//! and the loss around each minimum along one random direction Δ ~ N(0, I), the same Δ for
//! both: `L(θ* + tΔ)` for t in [-1, 1] and [-10, 10] (the course's 2x2), and over a plane of
//! two directions on [-1, 1]² and [-10, 10]² (capped at 200, as the course caps it). Which
//! minimum is sharper is measured two ways (the rise of the loss at |t| = 1 and the exact
//! curvature ΔᵀHΔ/‖Δ‖² from a Hessian-vector product), and since one direction and one
//! initial point are one draw, a study over seeds reports how often ReLU is the sharper.
//!
//! ```text
//! cargo run --example loss_landscape
//! cargo run --example loss_landscape -- --seeds 50 --json
//! ```

#[macro_use]
mod common;

use common::Cli;
use serde_json::{Value, json};
use tapegrad::hessian::optimal_step;
use tapegrad::nn::{Activation, Module, Params, Reduction, Sequential, Theta, mlp, mse};
use tapegrad::optim::Sgd;
use tapegrad::optim::Stop;
use tapegrad::plot::{self, Figure, Panel};
use tapegrad::train::{Landscape, Loss, Trainer};
use tapegrad::{Rng, Tensor};

const ABOUT: &str = "Exercise 3e with the course's settings: ReLU and 4 sigmoid 1-10-10-1 networks \
trained from one initial point by full-batch SGD (lr 0.05, 2000 epochs, stop below 1e-13), and the \
loss along one standard-normal direction Delta (the same for both) on t in [-1, 1] and [-10, 10], \
and over a plane of two directions (the wide one capped at 200). Which minimum is sharper, by the \
rise at |t| = 1 and by the exact curvature along Delta, and over many seeds how often ReLU is.";

/// The course caps the wide 2-D landscape here.
const CAP: f64 = 200.0;

/// One trained network and its landscape numbers along Δ.
struct Net {
    name: &'static str,
    model: Sequential,
    params: Params,
    stopped: Stop,
    epochs: usize,
    loss: f64,
    /// `(L(θ*+Δ) + L(θ*−Δ))/2 − L(θ*)`.
    rise: f64,
    /// `ΔᵀHΔ / ‖Δ‖²`.
    curvature: f64,
}

fn normal(n: usize, rng: &mut Rng) -> Vec<f64> {
    (0..n).map(|_| rng.normal()).collect()
}

/// Trains both networks from initial point `seed` and measures them along Δ (drawn from
/// `seed` too); returns the networks and Δ.
fn study(
    seed: u64,
    epochs: usize,
    data: (&Tensor, &Tensor),
) -> Result<(Vec<Net>, Vec<f64>), String> {
    let (x, y) = data;
    let mut nets = Vec::new();
    let mut delta = Vec::new();
    for (name, act) in [
        ("ReLU", Activation::Relu),
        ("4 sigmoid", Activation::Sigmoid.scaled(4.0)),
    ] {
        let mut params = Params::new();
        let model = mlp(&[1, 10, 10, 1], act).build(&mut params, &mut Rng::new(seed));
        let report = Trainer::new(&model, x, y)
            .steps(epochs)
            .loss_below(1e-13)
            .run(&mut params, &mut Sgd::new(0.05))
            .map_err(|e| format!("{name}, seed {seed}: {e}"))?;
        if delta.is_empty() {
            delta = normal(params.len(), &mut Rng::new(seed + 1_000_000));
        }
        let land = Landscape::new(&model, &params, (x, y), Loss::Mse(Reduction::Mean));
        let l = land.along(&delta, &[-1.0, 0.0, 1.0]);
        let mut dir = params.clone();
        dir.set_flat(&delta);
        let step = optimal_step(
            |tape, vars| {
                let theta = Theta::from_vars(&params, vars);
                mse(
                    model.forward(&theta, tape.constant(x)),
                    tape.constant(y),
                    Reduction::Mean,
                )
            },
            &params.tensors(),
            &dir.tensors(),
        );
        let norm2: f64 = delta.iter().map(|v| v * v).sum();
        nets.push(Net {
            name,
            loss: l[1],
            rise: (l[0] + l[2]) / 2.0 - l[1],
            curvature: step.curvature / norm2,
            stopped: report.stop,
            epochs: report.steps,
            model,
            params,
        });
    }
    Ok((nets, delta))
}

fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

fn main() {
    let args = Cli::new("loss_landscape", ABOUT)
        .flag(
            "epochs",
            "K",
            2000,
            "epochs of full-batch SGD (the course: 2000)",
        )
        .flag(
            "grid",
            "G",
            41,
            "points per axis of the 2-D landscapes (2..=201)",
        )
        .flag(
            "seed",
            "S",
            0,
            "the initial point and Delta of the drawn landscapes",
        )
        .flag(
            "seeds",
            "M",
            10,
            "seeds S, S+1, ... in the study of which minimum is sharper (>= 1)",
        )
        .example("cargo run --example loss_landscape")
        .example("cargo run --example loss_landscape -- --seeds 50 --json")
        .parse();
    let (epochs, grid, seed, seeds): (usize, usize, u64, usize) = (
        args.get("epochs"),
        args.get("grid"),
        args.get("seed"),
        args.get("seeds"),
    );
    if !(1..=1_000_000).contains(&epochs) {
        args.fail(&format!("--epochs: need 1 <= K <= 1000000, got {epochs}"));
    }
    if !(2..=201).contains(&grid) {
        args.fail(&format!(
            "--grid: need 2 <= G <= 201 points per axis, got {grid}"
        ));
    }
    if !(1..=1000).contains(&seeds) {
        args.fail(&format!("--seeds: need 1 <= M <= 1000, got {seeds}"));
    }
    let xs: Vec<f64> = (0..7).map(|i| -1.0 + 2.0 * i as f64 / 6.0).collect();
    let x = Tensor::column(&xs);
    let y = x.map(|t| (5.0 * t).sin() * (2.0 * t).abs().exp() / 10.0);
    let fail = |e: String| -> ! {
        eprintln!("loss_landscape: {e}");
        std::process::exit(1)
    };
    let (nets, delta) = study(seed, epochs, (&x, &y)).unwrap_or_else(|e| fail(e));
    let delta2 = normal(delta.len(), &mut Rng::new(seed + 2_000_000));

    // The course's 2x2 of 1-D landscapes, and the 2-D maps (the wide ones capped at 200).
    let dir = args.out_dir();
    let mut plots = Vec::new();
    let one_d = |net: &Net, lim: f64| -> Panel {
        let land = Landscape::new(
            &net.model,
            &net.params,
            (&x, &y),
            Loss::Mse(Reduction::Mean),
        );
        let ts = linspace(-lim, lim, 201);
        let l = land.along(&delta, &ts);
        plot::landscape_1d(&format!("{}, t in [-{lim}, {lim}]", net.name), &ts, &l)
            .log_y()
            .size(440.0, 280.0)
    };
    let path = dir.join("landscape_1d.svg");
    args.check(
        Figure::new("L(theta* + t Delta), Delta ~ N(0, I), the same for both networks")
            .row([one_d(&nets[0], 1.0), one_d(&nets[1], 1.0)])
            .row([one_d(&nets[0], 10.0), one_d(&nets[1], 10.0)])
            .save(&path),
    );
    plots.push(path);
    let two_d = |net: &Net, lim: f64| -> Panel {
        let land = Landscape::new(
            &net.model,
            &net.params,
            (&x, &y),
            Loss::Mse(Reduction::Mean),
        );
        let axis = linspace(-lim, lim, grid);
        let mut z = land.plane((&delta, &delta2), (&axis, &axis));
        let title = if lim > 1.0 {
            z = z.map(|v| v.min(CAP));
            format!("{}, [-{lim}, {lim}]^2, capped at {CAP}", net.name)
        } else {
            format!("{}, [-{lim}, {lim}]^2", net.name)
        };
        plot::landscape_2d(&title, (&axis, &axis), &z, 8).size(340.0, 340.0)
    };
    let path = dir.join("landscape_2d.svg");
    args.check(
        Figure::new("L(theta* + a Delta_1 + b Delta_2)")
            .row([two_d(&nets[0], 1.0), two_d(&nets[1], 1.0)])
            .row([two_d(&nets[0], 10.0), two_d(&nets[1], 10.0)])
            .save(&path),
    );
    plots.push(path);

    // The study: over seeds, how often is ReLU the sharper by each measure?
    let mut rows = Vec::new();
    let (mut by_rise, mut by_curv) = (0, 0);
    for s in seed..seed + seeds as u64 {
        let (n, _) = study(s, epochs, (&x, &y)).unwrap_or_else(|e| fail(e));
        by_rise += usize::from(n[0].rise > n[1].rise);
        by_curv += usize::from(n[0].curvature > n[1].curvature);
        rows.push(json!({ "seed": s,
            "relu": { "loss": n[0].loss, "rise": n[0].rise, "curvature": n[0].curvature },
            "sigmoid": { "loss": n[1].loss, "rise": n[1].rise, "curvature": n[1].curvature } }));
    }
    let net_json = |n: &Net| -> Value {
        json!({ "network": n.name, "loss": n.loss, "epochs": n.epochs,
                "reached_1e-13": n.stopped == Stop::LossBelow,
                "rise_at_t_1": n.rise, "curvature_along_delta": n.curvature })
    };
    let mut said = Vec::new();
    for n in &nets {
        said.push(if n.stopped == Stop::LossBelow {
            format!("{}: reached loss {:.1e} (below 1e-13) at epoch {}: theta* is a minimum.", n.name, n.loss, n.epochs)
        } else {
            format!("{}: loss {:.2e} after {} epochs, not below 1e-13: theta* is where training stopped, not a converged minimum.", n.name, n.loss, n.epochs)
        });
    }
    let sharper = |a: f64, b: f64| if a > b { "ReLU" } else { "4 sigmoid" };
    said.push(format!(
        "Along this Delta (seed {seed}), the {} network's theta* is the sharper by the rise at |t| = 1 ({:.2e} against {:.2e}), the {} network's by the curvature ({:.2e} against {:.2e}).",
        sharper(nets[0].rise, nets[1].rise), nets[0].rise, nets[1].rise,
        sharper(nets[0].curvature, nets[1].curvature), nets[0].curvature, nets[1].curvature
    ));
    let frac = |k: usize| 100.0 * k as f64 / seeds as f64;
    said.push(format!(
        "Over {seeds} seeds (initial point and Delta), ReLU is the sharper in {by_rise} ({:.0}%) by the rise and in {by_curv} ({:.0}%) by the curvature: {}.",
        frac(by_rise),
        frac(by_curv),
        match (2 * by_rise > seeds, 2 * by_curv > seeds) {
            (true, true) => "mostly ReLU, as the course found",
            (false, false) => "mostly 4 sigmoid, unlike the course's finding",
            _ => "the two measures disagree, so the answer depends on how sharpness is measured",
        }
    ));

    if args.json() {
        outln!(
            "{}",
            json!({
                "settings": { "epochs": epochs, "lr": 0.05, "batch": "full (7 points)", "seed": seed, "delta": "N(0, I), the same for both networks", "cap": CAP },
                "networks": nets.iter().map(net_json).collect::<Vec<_>>(),
                "study": { "seeds": seeds, "relu_sharper_by_rise": by_rise, "relu_sharper_by_curvature": by_curv, "runs": rows },
                "conclusions": said, "plots": plots,
            })
        );
        return;
    }
    outln!(
        "1-10-10-1 networks on the course's 7 points: full-batch SGD, lr 0.05, up to {epochs} epochs; Delta ~ N(0, I).\n"
    );
    outln!(
        "{:<12} {:>12} {:>8} {:>22} {:>24}",
        "network",
        "L(theta*)",
        "epochs",
        "rise at |t| = 1",
        "curvature along Delta"
    );
    for n in &nets {
        outln!(
            "{:<12} {:>12.3e} {:>8} {:>22.3e} {:>24.3e}",
            n.name,
            n.loss,
            n.epochs,
            n.rise,
            n.curvature
        );
    }
    outln!(
        "(rise: (L(theta*+Delta) + L(theta*-Delta))/2 - L(theta*); curvature: Delta'H Delta / ||Delta||^2, exact)\n"
    );
    for s in &said {
        outln!("{s}");
    }
    outln!("\nPlots:");
    for p in &plots {
        outln!("  {}", p.display());
    }
}
