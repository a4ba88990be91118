//! Exercise 4: which interpolant does an optimizer pick? On the course's 7 points with degree-9
//! features (10 coefficients), every `θ* + z` with `X z = 0` fits the data exactly.
//!
//! ```text
//! cargo run --example implicit_bias
//! ```

#[macro_use]
mod common;

use common::Cli;
use serde_json::json;
use tapegrad::data::poly_features;
use tapegrad::linalg::{min_norm, mse_smoothness, project, scaled_project, spectral_norm};
use tapegrad::nn::least_squares;
use tapegrad::optim::{Adam, Optimizer, Sgd, sampling::UniformSampler};
use tapegrad::plot::{self, Figure, Series};
use tapegrad::{Rng, Tensor};

const ABOUT: &str = "Exercise 4, implicit regularization: on 7 points with 10 polynomial \
coefficients, GD from a point a converges to the projection of a onto the solutions, so from 0 \
it reaches the minimum-norm solution (and SGD at 0.1/beta does too); Adam does not; scaled GD \
reaches the scaled projection. Also: how the projections of c a generalize for growing c, and \
how many steps GD needs with beta from the spectral norm versus the Frobenius norm.";

/// `||a − b||²`.
fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

fn main() {
    let args = Cli::new("implicit_bias", ABOUT)
        .flag("steps", "K", 200_000, "iterations of each optimizer")
        .flag("adam-lr", "LR", 0.1, "Adam's learning rate")
        .flag(
            "seed",
            "S",
            0,
            "seed of the direction a and of SGD's samples",
        )
        .example("cargo run --example implicit_bias -- --steps 50000 --adam-lr 0.01")
        .parse();
    let (steps, seed, adam_lr): (usize, u64, f64) =
        (args.get("steps"), args.get("seed"), args.get("adam-lr"));
    let x: Vec<f64> = (0..7).map(|i| -1.0 + 2.0 * i as f64 / 6.0).collect();
    let truth = |t: f64| (5.0 * t).sin() * (2.0 * t).abs().exp() / 10.0;
    let y = Tensor::column(&x.iter().map(|&t| truth(t)).collect::<Vec<_>>());
    let phi = poly_features(&x, 9, true); // 7 x 10, constant first
    let (n, p) = phi.shape();
    let f = least_squares(phi.clone(), y.clone());
    let star = min_norm(&phi, &y).expect("finite data").into_vec();
    let beta = mse_smoothness(&phi);
    let frob = 2.0 / n as f64 * phi.matmul_tn(&phi).norm();
    let mut rng = Rng::new(seed);
    let a = Tensor::rand_normal(p, 1, 0.0, 1.0, &mut rng);

    // Projections of c·a: every one interpolates; how far from the truth between the points?
    let grid: Vec<f64> = (0..=440).map(|i| -1.1 + 2.2 * i as f64 / 440.0).collect();
    let grid_phi = poly_features(&grid, 9, true);
    let mut projections = Vec::new();
    for c in [0.0, 10.0, 100.0, 1000.0] {
        let pc = project(&phi, &y, &a.scale(c)).expect("finite data");
        let pred = grid_phi.matmul(&pc);
        let test = grid
            .iter()
            .enumerate()
            .map(|(i, &t)| (pred[(i, 0)] - truth(t)).powi(2))
            .sum::<f64>()
            / grid.len() as f64;
        projections.push((c, pc, test));
    }

    // GD from 0 at 1/β (spectral) and 1/β (Frobenius): steps to ||θ − θ*||² < 1e-16.
    let gd_run = |lr: f64| -> (Vec<(f64, f64)>, Option<usize>) {
        let mut theta = vec![0.0; p];
        let mut opt = Sgd::new(lr);
        let mut curve = Vec::new();
        let mut reached = None;
        for k in 0..steps {
            let d2 = dist2(&theta, &star);
            curve.push((k as f64, d2));
            if d2 < 1e-16 && reached.is_none() {
                reached = Some(k);
            }
            let (_, g) = f(&theta);
            opt.step(&mut theta, &g).expect("1/beta is stable");
        }
        (curve, reached)
    };
    let (gd_curve, gd_steps) = gd_run(1.0 / beta);
    let gd_final = gd_curve.last().map_or(f64::NAN, |p| p.1);
    let (_, frob_steps) = gd_run(1.0 / frob);
    // SGD from 0 at 0.1/β, one sample per step; Adam from 0.
    let sampler_f =
        |i: usize, theta: &[f64]| least_squares(phi.select_rows(&[i]), y.select_rows(&[i]))(theta);
    let mut sampler = UniformSampler::new(n, seed);
    let (mut theta, mut opt) = (vec![0.0; p], Sgd::new(0.1 / beta));
    let mut sgd_curve = Vec::new();
    for k in 0..steps {
        sgd_curve.push((k as f64, dist2(&theta, &star)));
        let (_, g) = sampler_f(sampler.next_index(), &theta);
        opt.step(&mut theta, &g).expect("0.1/beta is stable");
    }
    let sgd_final = dist2(&theta, &star);
    let (mut theta, mut opt) = (vec![0.0; p], Adam::new(adam_lr));
    let mut adam_curve = Vec::new();
    for k in 0..steps {
        adam_curve.push((k as f64, dist2(&theta, &star)));
        let (_, g) = f(&theta);
        opt.step(&mut theta, &g).expect("Adam stays finite here");
    }
    let adam_loss = f(&theta).0;
    let adam_final = dist2(&theta, &star);
    let star_norm2 = dist2(&star, &vec![0.0; p]);

    // Scaled projections, and scaled GD θ ← θ − γ H⁻¹ ∇f(θ) at γ = 1/β_H from 0.
    let logspace = |lo: f64, hi: f64| -> Vec<f64> {
        (0..p)
            .map(|i| 10f64.powf(lo + (hi - lo) * i as f64 / (p - 1) as f64))
            .collect()
    };
    let h_of = |h_inv: &[f64]| h_inv.iter().map(|v| 1.0 / v).collect::<Vec<f64>>();
    let wide = logspace(-10.0, 10.0);
    let zero = Tensor::zeros(p, 1);
    let scaled_wide = scaled_project(&phi, &y, &zero, &h_of(&wide)).expect("finite data");
    let narrow = logspace(-3.0, 0.0);
    let target = scaled_project(&phi, &y, &zero, &h_of(&narrow))
        .expect("finite data")
        .into_vec();
    let root = Tensor::row(&narrow.iter().map(|v| v.sqrt()).collect::<Vec<_>>());
    let beta_h = 2.0 / n as f64 * spectral_norm(&phi.mul(&root)).powi(2);
    let mut theta = vec![0.0; p];
    let mut scaled_curve = Vec::new();
    for k in 0..steps {
        scaled_curve.push((k as f64, dist2(&theta, &target)));
        let (_, g) = f(&theta);
        for ((t, gi), hi) in theta.iter_mut().zip(&g).zip(&narrow) {
            *t -= hi * gi / beta_h;
        }
    }
    let scaled_final = dist2(&theta, &target);

    let dir = args.out_dir();
    let paths = [dir.join("distance.svg"), dir.join("projections.svg")];
    let distance = plot::lines(
        "Distance to the interpolant each method heads for",
        ("step k", "||theta_k - target||^2"),
        &[
            Series::new("GD from 0, 1/beta", gd_curve),
            Series::new("SGD from 0, 0.1/beta", sgd_curve),
            Series::new("Adam from 0", adam_curve),
            Series::new("scaled GD, 1/beta_H", scaled_curve),
        ],
    )
    .log_y()
    .floor(1e-20);
    args.check(distance.save(&paths[0]));
    // The course's four panels: one projection each, y in [-1.5, 1.5] on [-1.1, 1.1].
    let panels: Vec<_> = projections
        .iter()
        .map(|(c, pc, _)| {
            let pred = grid_phi.matmul(pc);
            let fit = Series::new(
                "projection of c a",
                grid.iter()
                    .enumerate()
                    .map(|(i, &t)| (t, pred[(i, 0)]))
                    .collect(),
            );
            let truth = Series::new("the truth", grid.iter().map(|&t| (t, truth(t))).collect());
            plot::fit(&format!("c = {c}"), (&x, y.as_slice()), &[truth, fit])
                .xlim(-1.1, 1.1)
                .ylim(-1.5, 1.5)
                .size(420.0, 280.0)
        })
        .collect();
    let mut figure = Figure::new("Interpolants: projections of c a onto the solutions");
    for pair in panels.chunks(2) {
        figure = figure.row(pair.to_vec());
    }
    args.check(figure.save(&paths[1]));

    if args.json() {
        outln!(
            "{}",
            json!({
                "beta_spectral": beta, "beta_frobenius": frob,
                "gd_steps_to_1e-16": { "spectral": gd_steps, "frobenius": frob_steps },
                "min_norm_theta": star,
                "projections": projections.iter().map(|(c, pc, test)| json!({ "c": c, "norm": pc.norm(), "test_mse": test })).collect::<Vec<_>>(),
                "distance2": { "gd": gd_final, "sgd": sgd_final, "adam": adam_final, "star_norm2": star_norm2 },
                "adam_loss": adam_loss,
                "scaled_gd_distance2": scaled_final,
                "scaled_projection_wide_norm": scaled_wide.norm(),
                "plots": paths,
            })
        );
        return;
    }
    outln!(
        "7 points, 10 coefficients: f(theta) = (1/7)||X theta - y||^2 has a 3-dimensional set of interpolants.\n"
    );
    outln!(
        "beta = (2/N)||X^T X||_2 = {beta:.4e} (spectral norm); with the Frobenius norm, {frob:.4e} ({:.2}x larger).",
        frob / beta
    );
    let show = |s: Option<usize>| {
        s.map_or(format!("not within {steps} steps"), |k| {
            format!("{k} steps")
        })
    };
    outln!(
        "GD from 0 reaches ||theta - theta*||^2 < 1e-16 in {} at 1/beta, in {} at 1/beta_Frobenius.\n",
        show(gd_steps),
        show(frob_steps)
    );
    outln!(
        "{:<28} {:>14} {:>22}",
        "interpolant",
        "||theta||",
        "MSE against the truth"
    );
    for (c, pc, test) in &projections {
        outln!(
            "{:<28} {:>14.4e} {:>22.4e}",
            format!("projection of {c} a"),
            pc.norm(),
            test
        );
    }
    outln!(
        "\nFrom 0, after {steps} steps: ||theta - theta*||^2 (theta* the minimum-norm interpolant, ||theta*||^2 = {star_norm2:.3e}):"
    );
    outln!("  SGD at 0.1/beta: {sgd_final:.3e}");
    outln!(
        "  Adam at lr {adam_lr}: {adam_final:.3e} (loss {adam_loss:.3e}: it interpolates, but another interpolant)"
    );
    outln!(
        "Scaled GD with H^-1 = diag(logspace(-3, 0)) at 1/beta_H: distance^2 to its scaled projection {scaled_final:.3e}."
    );
    outln!(
        "The scaled projection with H^-1 = diag(logspace(-10, 10)) has norm {:.4e} (the minimum-norm one: {:.4e}).",
        scaled_wide.norm(),
        star_norm2.sqrt()
    );
    outln!("\nPlots: {}, {}", paths[0].display(), paths[1].display());
}
