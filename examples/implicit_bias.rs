//! Exercise 4: which interpolant does an optimizer pick? On the course's 7 points with degree-9
//! features (10 coefficients, constant first), every `θ* + z` with `X z = 0` fits the data.
//!
//! As the course sets it: (a) the projections of c·a onto the interpolants, c = 0, 10, 100,
//! 1000; (b) GD from 0 at 1/β for 30 000 iterations; (c) single-sample SGD from 0 at 0.1/β for
//! 700 000·N = 4 900 000; (d) single-sample Adam from 0 (γ = 0.001, β = (0.9, 0.999),
//! ε = 1e-8), and its model; (e) the scaled projection with H⁻¹ = diag(logspace(-10, 10));
//! (f) scaled GD with H⁻¹ = diag(logspace(-3, 0)) at 1/β_H for 500 000. Convergence means
//! ‖θ_k − θ*‖² < 1e-16.
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
use tapegrad::plot::{self, Figure, Panel, Series};
use tapegrad::{Rng, Tensor};

const ABOUT: &str = "Exercise 4, implicit regularization, with the course's settings: on 7 points \
with 10 polynomial coefficients, GD from a point a converges to the projection of a onto the \
interpolants, so from 0 it reaches the minimum-norm one; does single-sample SGD at 0.1/beta? does \
single-sample Adam (lr 0.001)? does scaled GD reach the scaled projection? Also how the \
projections of c a generalize for growing c, and GD's steps with the spectral and the Frobenius \
beta. Every run has the course's length by default (about 3 s in the dev profile).";

/// Below this, `‖θ_k − θ*‖²` counts as converged (the course's criterion).
const CONVERGED: f64 = 1e-16;

/// `‖a − b‖²`.
fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// `‖θ_k − target‖²` along a run: every step up to 1000, then steps about 1% apart (a figure
/// of 4.9 million steps needs no more), and the first step below [`CONVERGED`].
struct Trace {
    points: Vec<(f64, f64)>,
    next: usize,
    reached: Option<usize>,
}

impl Trace {
    fn new() -> Trace {
        Trace {
            points: Vec::new(),
            next: 0,
            reached: None,
        }
    }

    fn see(&mut self, k: usize, d2: f64) {
        if d2 < CONVERGED && self.reached.is_none() {
            self.reached = Some(k);
        }
        if k <= 1000 || k >= self.next {
            self.points.push((k as f64, d2));
            self.next = k + k / 100 + 1;
        }
    }

    fn last(&self) -> f64 {
        self.points.last().map_or(f64::NAN, |p| p.1)
    }
}

/// The function the course samples: sin(5x) e^{|2x|} / 10.
fn truth(t: f64) -> f64 {
    (5.0 * t).sin() * (2.0 * t).abs().exp() / 10.0
}

/// The course's exercise-4 data: 7 points, features 1, x, ..., x⁹ (constant first).
fn data() -> (Vec<f64>, Tensor, Tensor) {
    let x: Vec<f64> = (0..7).map(|i| -1.0 + 2.0 * i as f64 / 6.0).collect();
    let y = Tensor::column(&x.iter().map(|&t| truth(t)).collect::<Vec<_>>());
    let phi = poly_features(&x, 9);
    (x, phi, y)
}

fn main() {
    let args = Cli::new("implicit_bias", ABOUT)
        .flag("gd-steps", "K", 30_000, "GD iterations (the course: 30000)")
        .flag(
            "sgd-steps",
            "K",
            4_900_000,
            "SGD iterations, one sample each (the course: 700000 N = 4900000)",
        )
        .flag(
            "adam-steps",
            "K",
            4_900_000,
            "Adam iterations, one sample each (the course does not say; as SGD)",
        )
        .flag(
            "adam-lr",
            "LR",
            0.001,
            "Adam's step size (the course: 0.001)",
        )
        .flag(
            "scaled-steps",
            "K",
            500_000,
            "scaled GD iterations (the course: 500000)",
        )
        .flag(
            "seed",
            "S",
            0,
            "seed of the direction a and of the samples SGD and Adam draw",
        )
        .example("cargo run --example implicit_bias")
        .example("cargo run --example implicit_bias -- --sgd-steps 100000 --adam-lr 0.01 --json")
        .parse();
    let steps = |name: &str| -> usize {
        let k: usize = args.get(name);
        if !(1..=100_000_000).contains(&k) {
            args.fail(&format!("--{name}: need 1 <= K <= 100000000, got {k}"));
        }
        k
    };
    let (gd_steps, sgd_steps, adam_steps, scaled_steps) = (
        steps("gd-steps"),
        steps("sgd-steps"),
        steps("adam-steps"),
        steps("scaled-steps"),
    );
    let (seed, adam_lr): (u64, f64) = (args.get("seed"), args.get("adam-lr"));
    if !(adam_lr > 0.0 && adam_lr <= 10.0) {
        args.fail(&format!("--adam-lr: need 0 < LR <= 10, got {adam_lr}"));
    }
    let (x, phi, y) = data();
    let (n, p) = phi.shape();
    let f = least_squares(phi.clone(), y.clone());
    let star = min_norm(&phi, &y).expect("finite data").into_vec();
    let star_norm2 = dist2(&star, &vec![0.0; p]);
    let beta = mse_smoothness(&phi);
    let frob = 2.0 / n as f64 * phi.matmul_tn(&phi).norm();
    let a = Tensor::rand_normal(p, 1, 0.0, 1.0, &mut Rng::new(seed));

    // (a) Projections of c·a: every one interpolates; how far from the truth between the points?
    let grid: Vec<f64> = (0..=440).map(|i| -1.1 + 2.2 * i as f64 / 440.0).collect();
    let grid_phi = poly_features(&grid, 9);
    let model = |theta: &[f64], at: &[f64]| -> Vec<(f64, f64)> {
        let pred = poly_features(at, 9).matmul(&Tensor::column(theta));
        at.iter()
            .enumerate()
            .map(|(i, &t)| (t, pred[(i, 0)]))
            .collect()
    };
    let mut projections = Vec::new();
    for c in [0.0, 10.0, 100.0, 1000.0] {
        let pc = project(&phi, &y, &a.mul_scalar(c)).expect("finite data");
        let pred = grid_phi.matmul(&pc);
        let test = grid
            .iter()
            .enumerate()
            .map(|(i, &t)| (pred[(i, 0)] - truth(t)).powi(2))
            .sum::<f64>()
            / grid.len() as f64;
        projections.push((c, pc.into_vec(), test));
    }

    // (b) GD from 0 on the tape's gradient, at 1/β (spectral) and 1/β (Frobenius).
    let gd_run = |lr: f64| -> Trace {
        let (mut theta, mut opt, mut trace) = (vec![0.0; p], Sgd::new(lr), Trace::new());
        for k in 0..gd_steps {
            trace.see(k, dist2(&theta, &star));
            let (_, g) = f(&theta);
            opt.step(&mut theta, &g).expect("1/beta is stable");
        }
        trace.see(gd_steps, dist2(&theta, &star));
        trace
    };
    let (gd, gd_frob) = (gd_run(1.0 / beta), gd_run(1.0 / frob));

    // (c), (d): one sample i per step, f_i(θ) = (x_iᵀθ − y_i)², ∇f_i = 2 (x_iᵀθ − y_i) x_i.
    // Millions of steps of 10 coefficients: the formula, checked once against the tape.
    let rows: Vec<Vec<f64>> = (0..n).map(|i| phi.index_select(&[i]).into_vec()).collect();
    let grad_i = |i: usize, theta: &[f64], g: &mut [f64]| {
        let r = rows[i].iter().zip(theta).map(|(u, v)| u * v).sum::<f64>() - y[(i, 0)];
        for (gj, xj) in g.iter_mut().zip(&rows[i]) {
            *gj = 2.0 * r * xj;
        }
    };
    {
        let probe: Vec<f64> = a.as_slice().to_vec();
        let (_, tape) = least_squares(phi.index_select(&[3]), y.index_select(&[3]))(&probe);
        let mut g = vec![0.0; p];
        grad_i(3, &probe, &mut g);
        let err = dist2(&g, &tape).sqrt() / dist2(&tape, &vec![0.0; p]).sqrt();
        assert!(
            err < 1e-12,
            "the single-sample gradient differs from the tape's by {err:e}"
        );
    }
    let one_sample = |opt: &mut dyn Optimizer, steps: usize| -> (Trace, Vec<f64>) {
        let mut sampler = UniformSampler::new(n, seed);
        let (mut theta, mut g, mut trace) = (vec![0.0; p], vec![0.0; p], Trace::new());
        for k in 0..steps {
            trace.see(k, dist2(&theta, &star));
            grad_i(sampler.next_index(), &theta, &mut g);
            opt.step(&mut theta, &g).expect("stable steps");
        }
        trace.see(steps, dist2(&theta, &star));
        (trace, theta)
    };
    let (sgd, _) = one_sample(&mut Sgd::new(0.1 / beta), sgd_steps);
    let adam_opt = Adam::new(adam_lr).betas(0.9, 0.999).eps(1e-8);
    let (adam, adam_theta) = one_sample(&mut adam_opt.clone(), adam_steps);
    let adam_loss = f(&adam_theta).0;

    // (e), (f): scaled projections, and scaled GD θ ← θ − γ H⁻¹ ∇f(θ) at γ = 1/β_H from 0.
    let logspace = |lo: f64, hi: f64| -> Vec<f64> {
        (0..p)
            .map(|i| 10f64.powf(lo + (hi - lo) * i as f64 / (p - 1) as f64))
            .collect()
    };
    let h_of = |h_inv: &[f64]| h_inv.iter().map(|v| 1.0 / v).collect::<Vec<f64>>();
    let zero = Tensor::zeros(p, 1);
    let scaled_wide = scaled_project(&phi, &y, &zero, &h_of(&logspace(-10.0, 10.0)))
        .expect("finite data")
        .into_vec();
    let narrow = logspace(-3.0, 0.0);
    let target = scaled_project(&phi, &y, &zero, &h_of(&narrow))
        .expect("finite data")
        .into_vec();
    let root = Tensor::row(&narrow.iter().map(|v| v.sqrt()).collect::<Vec<_>>());
    let beta_h = 2.0 / n as f64 * spectral_norm(&phi.mul(&root)).powi(2);
    let (mut theta, mut scaled) = (vec![0.0; p], Trace::new());
    for k in 0..scaled_steps {
        scaled.see(k, dist2(&theta, &target));
        let (_, g) = f(&theta);
        for ((t, gi), hi) in theta.iter_mut().zip(&g).zip(&narrow) {
            *t -= hi * gi / beta_h;
        }
    }
    scaled.see(scaled_steps, dist2(&theta, &target));

    let dir = args.out_dir();
    let paths = [
        dir.join("distance.svg"),
        dir.join("projections.svg"),
        dir.join("models.svg"),
    ];
    let conv = |title: &str, t: &Trace, target: &str| {
        plot::lines(
            title,
            ("iteration k", &format!("||theta_k - {target}||^2")),
            &[Series::new("distance", t.points.clone())],
        )
        .log_y()
        .floor(1e-30)
        .hline(CONVERGED, "converged: 1e-16")
        .size(440.0, 300.0)
    };
    let distance = Figure::new("Convergence from 0, as the course runs it")
        .row([
            conv("GD at 1/beta", &gd, "theta*"),
            conv("SGD at 0.1/beta, one sample", &sgd, "theta*"),
        ])
        .row([
            conv(&format!("Adam, lr {adam_lr}, one sample"), &adam, "theta*"),
            conv("scaled GD at 1/beta_H", &scaled, "theta*_H"),
        ]);
    args.check(distance.save(&paths[0]));
    // (a) the course's four panels, y in [-1.5, 1.5] on [-1.1, 1.1].
    let panels: Vec<Panel> = projections
        .iter()
        .map(|(c, pc, _)| {
            let norm = dist2(pc, &vec![0.0; p]).sqrt();
            plot::fit(
                &format!("c = {c}: ||theta|| = {norm:.3e}"),
                (&x, y.as_slice()),
                &[Series::new("projection of c a", model(pc, &grid))],
            )
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
    // (d) Adam's model beside the minimum-norm one; (e) the scaled projection on [-1.5, 1.5].
    let wide_grid: Vec<f64> = (0..=600).map(|i| -1.5 + 3.0 * i as f64 / 600.0).collect();
    let adam_panel = plot::fit(
        "(d) the model Adam reaches",
        (&x, y.as_slice()),
        &[
            Series::new("minimum-norm interpolant", model(&star, &grid)),
            Series::new("Adam", model(&adam_theta, &grid)),
        ],
    )
    .xlim(-1.1, 1.1)
    .ylim(-1.5, 1.5);
    let scaled_panel = plot::fit(
        "(e) scaled projection, H^-1 = diag(logspace(-10, 10))",
        (&x, y.as_slice()),
        &[
            Series::new("minimum-norm interpolant", model(&star, &wide_grid)),
            Series::new("scaled projection", model(&scaled_wide, &wide_grid)),
        ],
    )
    .xlim(-1.5, 1.5)
    .ylim(-5.0, 5.0);
    args.check(
        Figure::new("Which interpolant: Adam, and a scaled projection")
            .row([adam_panel, scaled_panel])
            .save(&paths[2]),
    );

    let interpolates = adam_loss < 1e-8;
    let adam_reaches = adam.last() < CONVERGED;
    if args.json() {
        let run = |t: &Trace, k: usize| json!({ "steps": k, "final_distance2": t.last(), "steps_to_1e-16": t.reached });
        outln!(
            "{}",
            json!({
                "theta_layout": "constant first: b, x, x^2, ..., x^9",
                "beta_spectral": beta, "beta_frobenius": frob, "beta_h": beta_h,
                "min_norm_theta": star, "min_norm2": star_norm2,
                "projections": projections.iter().map(|(c, pc, test)| json!({ "c": c, "norm": dist2(pc, &vec![0.0; p]).sqrt(), "test_mse": test })).collect::<Vec<_>>(),
                "gd": run(&gd, gd_steps), "gd_frobenius": run(&gd_frob, gd_steps),
                "sgd": run(&sgd, sgd_steps),
                "adam": { "lr": adam_lr, "eps": 1e-8, "steps": adam_steps, "final_distance2": adam.last(),
                          "steps_to_1e-16": adam.reached, "loss": adam_loss, "interpolates": interpolates, "theta": adam_theta },
                "scaled_gd": run(&scaled, scaled_steps),
                "scaled_projection_wide": { "theta": scaled_wide, "norm": dist2(&scaled_wide, &vec![0.0; p]).sqrt() },
                "plots": paths,
            })
        );
        return;
    }
    outln!(
        "7 points, 10 coefficients: f(theta) = (1/7)||X theta - y||^2 has a 3-dimensional set of interpolants."
    );
    outln!(
        "beta = (2/N)||X^T X||_2 = {beta:.4e} (spectral norm); with the Frobenius norm, {frob:.4e} ({:.2}x larger).\n",
        frob / beta
    );
    outln!(
        "{:<28} {:>14} {:>22}",
        "interpolant",
        "||theta||",
        "MSE against the truth"
    );
    for (c, pc, test) in &projections {
        let norm = dist2(pc, &vec![0.0; p]).sqrt();
        outln!(
            "{:<28} {norm:>14.4e} {test:>22.4e}",
            format!("projection of {c} a")
        );
    }
    let said = |t: &Trace, k: usize| match t.reached {
        Some(r) => format!("converges (||theta_k - target||^2 < 1e-16) at step {r}"),
        None => format!(
            "does not converge within {k} steps: ||theta_k - target||^2 = {:.3e}",
            t.last()
        ),
    };
    outln!("\nFrom 0 (the minimum-norm interpolant theta* has ||theta*||^2 = {star_norm2:.4e}):");
    outln!("  GD at 1/beta {}", said(&gd, gd_steps));
    outln!("  GD at 1/beta_Frobenius {}", said(&gd_frob, gd_steps));
    outln!(
        "  SGD at 0.1/beta, one sample per step, {}",
        said(&sgd, sgd_steps)
    );
    outln!(
        "  Adam (lr {adam_lr}, eps 1e-8), one sample per step, {}",
        said(&adam, adam_steps)
    );
    outln!(
        "    its loss is {adam_loss:.3e}: {}",
        match (interpolates, adam_reaches) {
            (true, true) => "it interpolates, and it is the minimum-norm interpolant.",
            (true, false) => "it interpolates, but not with the minimum-norm interpolant.",
            (false, _) => "it does not interpolate the points (loss above 1e-8).",
        }
    );
    outln!(
        "  Scaled GD with H^-1 = diag(logspace(-3, 0)) at 1/beta_H, beta_H = {beta_h:.4e}, {}",
        said(&scaled, scaled_steps).replace("target", "theta*_H")
    );
    outln!(
        "The scaled projection with H^-1 = diag(logspace(-10, 10)) has norm {:.4e} (the minimum-norm one: {:.4e}).",
        dist2(&scaled_wide, &vec![0.0; p]).sqrt(),
        star_norm2.sqrt()
    );
    outln!("\nPlots: {}", dir.display());
}
