//! Exercise 3 e: the loss around a trained network, `L(θ* + tΔ)` along random directions, in
//! 1-D on `t ∈ [−1, 1]` and `[−10, 10]` and in 2-D as a heatmap with contours, for ReLU and
//! 4·sigmoid networks trained by SGD and by Adam; with the curvature along each direction
//! from an exact Hessian-vector product.
//!
//! ```text
//! cargo run --example loss_landscape
//! ```

#[macro_use]
mod common;

use common::Cli;
use serde_json::json;
use tapegrad::hessian::optimal_step;
use tapegrad::nn::{Activation, Init, Module, Params, Reduction, Sequential, Theta, mlp, mse};
use tapegrad::optim::{Adam, Optimizer, Sgd};
use tapegrad::plot::{self, Series};
use tapegrad::train::{Batches, Trainer};
use tapegrad::{Rng, Tensor};

const ABOUT: &str = "Exercise 3 e: the loss landscape around trained 1-10-10-1 networks (ReLU and \
4 sigmoid, trained by single-sample SGD and by Adam on the course's 7 points): L(theta* + t Delta) \
along a random direction Delta scaled to ||theta*||, for t in [-1, 1] and [-10, 10], the 2-D \
landscape over two directions as a heatmap with contours, and the curvature along Delta \
(Delta' H Delta / ||Delta||^2, an exact Hessian-vector product) as a measure of sharpness.";

struct Net {
    name: String,
    model: Sequential,
    params: Params,
}

fn loss(model: &Sequential, params: &Params, theta: &[f64], x: &Tensor, y: &Tensor) -> f64 {
    let mut p = params.clone();
    p.set_flat(theta);
    let pred = model.predict(&p, x);
    pred.sub(y).as_slice().iter().map(|e| e * e).sum::<f64>() / y.rows() as f64
}

fn main() {
    let args = Cli::new("loss_landscape", ABOUT)
        .flag("steps", "K", 20_000, "training steps of each network")
        .flag("grid", "G", 41, "points per axis of the 2-D landscape")
        .flag(
            "seed",
            "S",
            0,
            "seed of the initial weights, the samples and the directions",
        )
        .example("cargo run --example loss_landscape -- --steps 50000 --grid 61")
        .parse();
    let (steps, grid, seed): (usize, usize, u64) =
        (args.get("steps"), args.get("grid"), args.get("seed"));
    if grid < 2 {
        args.fail(&format!(
            "--grid: need at least 2 points per axis, got {grid}"
        ));
    }
    let xs: Vec<f64> = (0..7).map(|i| -1.0 + 2.0 * i as f64 / 6.0).collect();
    let x = Tensor::column(&xs);
    let y = x.map(|t| (5.0 * t).sin() * (2.0 * t).abs().exp() / 10.0);
    let mut nets = Vec::new();
    for (act_name, act) in [
        ("ReLU", Activation::Relu),
        ("4 sigmoid", Activation::Sigmoid.scaled(4.0)),
    ] {
        for opt_name in ["SGD", "Adam"] {
            let mut params = Params::new();
            let model = mlp(
                &mut params,
                &[1, 10, 10, 1],
                act.clone(),
                &Init::PyTorch,
                &mut Rng::new(seed),
            );
            let (mut opt, batches): (Box<dyn Optimizer>, Batches) = match opt_name {
                "SGD" => (Box::new(Sgd::new(0.01)), Batches::Sampled(1)),
                _ => (Box::new(Adam::new(1e-3)), Batches::Full),
            };
            let trained = Trainer::new(&model, &x, &y)
                .batches(batches)
                .seed(seed)
                .steps(steps)
                .run(&mut params, opt.as_mut());
            if let Err(e) = trained {
                eprintln!("loss_landscape: {act_name}, {opt_name}: {e}");
                std::process::exit(1);
            }
            nets.push(Net {
                name: format!("{act_name}, {opt_name}"),
                model,
                params,
            });
        }
    }
    // Random directions, each scaled to the norm of the point it starts from.
    let mut rng = Rng::new(seed + 1);
    let mut rows = Vec::new();
    let (mut small, mut large) = (Vec::new(), Vec::new());
    let dir = args.out_dir();
    let mut paths = vec![
        dir.join("landscape_1d.svg"),
        dir.join("landscape_1d_wide.svg"),
    ];
    for net in &nets {
        let star = net.params.as_slice().to_vec();
        let norm = star.iter().map(|v| v * v).sum::<f64>().sqrt();
        let mut direction = || {
            let d: Vec<f64> = (0..star.len()).map(|_| rng.normal()).collect();
            let n = d.iter().map(|v| v * v).sum::<f64>().sqrt();
            d.into_iter().map(|v| v * norm / n).collect::<Vec<f64>>()
        };
        let (d1, d2) = (direction(), direction());
        let at = |t: f64, s: f64| {
            let theta: Vec<f64> = star
                .iter()
                .zip(&d1)
                .zip(&d2)
                .map(|((a, b), c)| a + t * b + s * c)
                .collect();
            loss(&net.model, &net.params, &theta, &x, &y)
        };
        let line = |lim: f64| -> Vec<(f64, f64)> {
            (0..=200)
                .map(|i| {
                    let t = -lim + 2.0 * lim * i as f64 / 200.0;
                    (t, at(t, 0.0))
                })
                .collect()
        };
        small.push(Series::new(&net.name, line(1.0)));
        large.push(Series::new(&net.name, line(10.0)));
        // Curvature along Δ: Δ'HΔ / ||Δ||², from one Hessian-vector product.
        let tensors = net.params.tensors();
        let mut dir_params = net.params.clone();
        dir_params.set_flat(&d1);
        let step = optimal_step(
            |tape, vars| {
                mse(
                    net.model
                        .forward(&Theta::from_vars(&net.params, vars), tape.constant(&x)),
                    tape.constant(&y),
                    Reduction::Mean,
                )
            },
            &tensors,
            &dir_params.tensors(),
        );
        let curvature = step.curvature / (norm * norm);
        let axis: Vec<f64> = (0..grid)
            .map(|i| -1.0 + 2.0 * i as f64 / (grid - 1) as f64)
            .collect();
        let z = Tensor::from_fn(grid, grid, |i, j| at(axis[j], axis[i]));
        let path = dir.join(format!(
            "landscape_2d_{}.svg",
            net.name
                .replace([' ', ','], "_")
                .replace("__", "_")
                .to_lowercase()
        ));
        args.check(
            plot::landscape_2d(
                &format!("{}: L(theta* + a Delta_1 + b Delta_2)", net.name),
                (&axis, &axis),
                &z,
                8,
            )
            .save(&path),
        );
        paths.push(path);
        rows.push(json!({
            "network": net.name, "loss": at(0.0, 0.0), "curvature_along_delta": curvature,
            "loss_at_t_1": at(1.0, 0.0), "loss_at_t_10": at(10.0, 0.0),
        }));
    }
    args.check(
        plot::lines("L(theta* + t Delta), t in [-1, 1]", ("t", "loss"), &small)
            .log_y()
            .save(&paths[0]),
    );
    args.check(
        plot::lines("L(theta* + t Delta), t in [-10, 10]", ("t", "loss"), &large)
            .log_y()
            .save(&paths[1]),
    );
    if args.json() {
        outln!("{}", json!({ "networks": rows, "plots": paths }));
        return;
    }
    outln!(
        "1-10-10-1 networks on the course's 7 points, {steps} steps each; Delta random with ||Delta|| = ||theta*||.\n"
    );
    outln!(
        "{:<18} {:>12} {:>22} {:>14} {:>14}",
        "network",
        "L(theta*)",
        "curvature along Delta",
        "L(t = 1)",
        "L(t = 10)"
    );
    for r in &rows {
        let f = |k: &str| r[k].as_f64().unwrap();
        outln!(
            "{:<18} {:>12.3e} {:>22.3e} {:>14.3e} {:>14.3e}",
            r["network"].as_str().unwrap(),
            f("loss"),
            f("curvature_along_delta"),
            f("loss_at_t_1"),
            f("loss_at_t_10")
        );
    }
    for line in [
        "",
        "The curvature along a random direction (the second derivative of t -> L(theta* + t Delta) at 0,",
        "per unit of ||Delta||^2) measures how sharp the minimum each optimizer found is; the 1-D curves",
        "show the same at a distance, and the 2-D maps show the shape of the basin around theta*.",
    ] {
        outln!("{line}");
    }
    outln!("\nPlots:");
    for p in &paths {
        outln!("  {}", p.display());
    }
}
