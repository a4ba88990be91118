//! Exercise 5 of the course: implicit regularization via flatness. Does SGD leave a sharp
//! minimum that GD stays in?
//!
//! ```text
//! f(x) = (1/N) Σ_i f_i(x),   f_i(x) = q(x) + 20 sin(10x + p_i) cos(2(x − 5)),
//! q(x) = x² (x < 50/11),  100 (x − 5)² (50/11 ≤ x < 50/9),  x² (x ≥ 50/9),
//! ```
//!
//! with the course's N = 2000 phases p_i (`np.random.seed(0); 2π·rand(2000)`, shipped in
//! `examples/data/course_ex5_phases.csv`). GD and SGD (one f_i per step, drawn uniformly)
//! start at x₀ = 5, in the sharp basin [50/11, 50/9), with the step 0.001 for 2000
//! iterations, as the course sets them. The figures: x_k against k for both (the course:
//! "not f(x_k)"), f and two of the f_i on [-6, 7], and where SGD ends over many seeds.
//!
//! ```text
//! cargo run --example flat_vs_sharp
//! cargo run --example flat_vs_sharp -- --seeds 1000 --json
//! ```

#[macro_use]
mod common;

use common::Cli;
use serde_json::json;
use tapegrad::Rng;
use tapegrad::io::csv::Csv;
use tapegrad::plot::{self, Figure, Panel, Series};

const ABOUT: &str = "Exercise 5 of the course: f(x) = (1/N) sum_i f_i(x) with f_i(x) = q(x) + \
20 sin(10x + p_i) cos(2(x - 5)), where q is x^2 outside [50/11, 50/9) and 100 (x - 5)^2 inside \
(a sharp basin around 5 beside the flat one around 0), and the course's 2000 phases p_i. GD and \
SGD (one f_i per step) start at x0 = 5 with the step 0.001 for 2000 iterations; the example \
says where each ends, and over many SGD seeds how often SGD leaves the sharp basin.";

/// The sharp basin `[50/11, 50/9)`.
const SHARP: (f64, f64) = (50.0 / 11.0, 50.0 / 9.0);

/// The course's phases, shipped with the example.
const PHASES: &str = include_str!("data/course_ex5_phases.csv");

/// `q(x)` and `q'(x)`: the parabola x² with the sharp parabola 100 (x − 5)² inside the basin.
fn q(x: f64) -> (f64, f64) {
    if (SHARP.0..SHARP.1).contains(&x) {
        (100.0 * (x - 5.0) * (x - 5.0), 200.0 * (x - 5.0))
    } else {
        (x * x, 2.0 * x)
    }
}

/// `f_i(x)` for phase `p`.
fn f_i(p: f64, x: f64) -> f64 {
    q(x).0 + 20.0 * (10.0 * x + p).sin() * (2.0 * (x - 5.0)).cos()
}

/// `f_i'(x)` for phase `p`, as the course gives it.
fn df_i(p: f64, x: f64) -> f64 {
    let (s, c) = (10.0 * x + p).sin_cos();
    let (s2, c2) = (2.0 * (x - 5.0)).sin_cos();
    q(x).1 + 20.0 * (10.0 * c * c2 - 2.0 * s2 * s)
}

/// `f(x)`: the mean of the f_i.
fn f(phases: &[f64], x: f64) -> f64 {
    phases.iter().map(|&p| f_i(p, x)).sum::<f64>() / phases.len() as f64
}

fn in_sharp(x: f64) -> bool {
    (SHARP.0..SHARP.1).contains(&x)
}

/// GD on f: `x_{k+1} = x_k − γ f'(x_k)`, the iterates x_0..x_steps.
fn gd(phases: &[f64], x0: f64, lr: f64, steps: usize) -> Vec<f64> {
    let mut xs = vec![x0];
    for _ in 0..steps {
        let x = xs[xs.len() - 1];
        let g = phases.iter().map(|&p| df_i(p, x)).sum::<f64>() / phases.len() as f64;
        xs.push(x - lr * g);
    }
    xs
}

/// SGD: `x_{k+1} = x_k − γ f_i'(x_k)` with `i` uniform over the N terms.
fn sgd(phases: &[f64], x0: f64, lr: f64, steps: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    let mut xs = vec![x0];
    for _ in 0..steps {
        let x = xs[xs.len() - 1];
        let i = rng.index(phases.len());
        xs.push(x - lr * df_i(phases[i], x));
    }
    xs
}

/// The minimizer of f on `[lo, hi]`: a grid of 0.001, then golden-section on the best cell.
fn minimize(phases: &[f64], lo: f64, hi: f64) -> (f64, f64) {
    let n = ((hi - lo) / 1e-3).round() as usize;
    let grid = |k: usize| lo + (hi - lo) * k as f64 / n as f64;
    let k = (0..=n)
        .min_by(|&a, &b| f(phases, grid(a)).total_cmp(&f(phases, grid(b))))
        .unwrap_or(0);
    let (mut a, mut b) = (grid(k.saturating_sub(1)), grid((k + 1).min(n)));
    let r = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..60 {
        let (c, d) = (b - r * (b - a), a + r * (b - a));
        if f(phases, c) < f(phases, d) {
            b = d;
        } else {
            a = c;
        }
    }
    let x = (a + b) / 2.0;
    (x, f(phases, x))
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let args = Cli::new("flat_vs_sharp", ABOUT)
        .flag(
            "steps",
            "K",
            2000,
            "iterations of GD and of SGD (the course: 2000)",
        )
        .flag(
            "lr",
            "GAMMA",
            0.001,
            "the constant step size of both (the course: 0.001)",
        )
        .flag(
            "x0",
            "X",
            5.0,
            "the starting point (the course: 5, in the sharp basin)",
        )
        .flag("seed", "S", 0, "seed of the SGD run drawn against GD")
        .flag(
            "seeds",
            "M",
            200,
            "SGD runs (seeds S, S+1, ...) in the study of where SGD ends",
        )
        .example("cargo run --example flat_vs_sharp")
        .example("cargo run --example flat_vs_sharp -- --seeds 1000 --json")
        .parse();
    let (steps, lr, x0): (usize, f64, f64) = (args.get("steps"), args.get("lr"), args.get("x0"));
    let (seed, seeds): (u64, usize) = (args.get("seed"), args.get("seeds"));
    if !(1..=1_000_000).contains(&steps) {
        args.fail(&format!("--steps: need 1 <= K <= 1000000, got {steps}"));
    }
    if !(lr > 0.0 && lr <= 1.0) {
        args.fail(&format!("--lr: need 0 < GAMMA <= 1, got {lr}"));
    }
    if !(-100.0..=100.0).contains(&x0) {
        args.fail(&format!("--x0: need -100 <= X <= 100, got {x0}"));
    }
    if !(1..=100_000).contains(&seeds) || seeds.saturating_mul(steps) > 200_000_000 {
        args.fail(&format!(
            "--seeds: need 1 <= M <= 100000 and M x steps <= 2e8, got {seeds} x {steps}"
        ));
    }
    let phases = match Csv::new().parse(PHASES, "examples/data/course_ex5_phases.csv") {
        Ok(d) => d.x.as_slice().to_vec(),
        Err(e) => {
            eprintln!("flat_vs_sharp: {e}");
            std::process::exit(1);
        }
    };
    // The mean of the wiggles is 20 cos(2(x-5)) (C sin 10x + S cos 10x), C and S the mean
    // cosine and sine of the phases: how much of the f_i's roughness survives in f.
    let n = phases.len() as f64;
    let (c, s) = (
        phases.iter().map(|p| p.cos()).sum::<f64>() / n,
        phases.iter().map(|p| p.sin()).sum::<f64>() / n,
    );
    let wiggle = 20.0 * c.hypot(s);
    let flat = minimize(&phases, -2.0, 2.0);
    let sharp = minimize(&phases, SHARP.0, SHARP.1 - 1e-9);
    let xs_gd = gd(&phases, x0, lr, steps);
    let xs_sgd = sgd(&phases, x0, lr, steps, seed);
    // The step after which x stays out of the sharp basin to the end (None: it ends inside).
    let left_at = |xs: &[f64]| match xs.iter().rposition(|&x| in_sharp(x)) {
        Some(k) if k + 1 < xs.len() => Some(k + 1),
        Some(_) => None,
        None => Some(0),
    };
    let mut finals: Vec<f64> = (0..seeds as u64)
        .map(|k| *sgd(&phases, x0, lr, steps, seed + k).last().unwrap())
        .collect();
    let left = finals.iter().filter(|&&x| !in_sharp(x)).count();
    let near_flat = finals.iter().filter(|&&x| x < SHARP.0).count();
    let fraction = left as f64 / seeds as f64;
    let (gd_end, sgd_end) = (xs_gd[steps], xs_sgd[steps]);

    let dir = args.out_dir();
    let paths = [
        dir.join("iterates.svg"),
        dir.join("functions.svg"),
        dir.join("sgd_ends.svg"),
    ];
    let path_of = |xs: &[f64]| -> Vec<(f64, f64)> {
        xs.iter().enumerate().map(|(k, &x)| (k as f64, x)).collect()
    };
    let iterates = plot::lines(
        "x_k against k, from x_0 = 5 (the course's figure)",
        ("iteration k", "x_k"),
        &[
            Series::new("GD", path_of(&xs_gd)),
            Series::new(&format!("SGD (seed {seed})"), path_of(&xs_sgd)),
        ],
    )
    .hline(SHARP.1, "sharp basin [50/11, 50/9)")
    .hline(SHARP.0, "sharp basin [50/11, 50/9)")
    .hline(flat.0, "flat minimum");
    args.check(iterates.save(&paths[0]));
    let grid: Vec<f64> = (0..=1300)
        .map(|i| -6.0 + 13.0 * i as f64 / 1300.0)
        .collect();
    let curve = |name: &str, g: &dyn Fn(f64) -> f64| {
        Series::new(name, grid.iter().map(|&x| (x, g(x))).collect())
    };
    let left_panel = Panel::new("f(x), the mean of the 2000 f_i")
        .series(curve("f(x)", &|x| f(&phases, x)))
        .vline(SHARP.0, "sharp basin [50/11, 50/9)")
        .vline(SHARP.1, "sharp basin [50/11, 50/9)")
        .labels("x", "f(x)");
    let right_panel = Panel::new("two of the f_i")
        .labels("x", "f_i(x)")
        .series(curve("f_1(x)", &|x| f_i(phases[0], x)))
        .series(curve("f_2(x)", &|x| f_i(phases[1], x)));
    args.check(
        Figure::new("Exercise 5: a flat minimum near 0, a sharp one near 5")
            .row([left_panel, right_panel])
            .save(&paths[1]),
    );
    args.check(
        plot::histogram(
            &format!("Where SGD ends after {steps} steps, {seeds} seeds"),
            "x_K",
            &finals,
            40,
        )
        .vline(SHARP.0, "sharp basin [50/11, 50/9)")
        .vline(SHARP.1, "sharp basin [50/11, 50/9)")
        .save(&paths[2]),
    );
    finals.sort_by(f64::total_cmp);
    let (q10, q50, q90) = (
        quantile(&finals, 0.1),
        quantile(&finals, 0.5),
        quantile(&finals, 0.9),
    );

    if args.json() {
        outln!(
            "{}",
            json!({
                "settings": { "steps": steps, "lr": lr, "x0": x0, "seed": seed, "seeds": seeds, "n_terms": phases.len() },
                "sharp_basin": [SHARP.0, SHARP.1],
                "phases": { "mean_cos": c, "mean_sin": s, "wiggle_amplitude_in_f": wiggle },
                "minima": { "flat": { "x": flat.0, "f": flat.1 }, "sharp": { "x": sharp.0, "f": sharp.1 } },
                "gd": { "final_x": gd_end, "final_f": f(&phases, gd_end), "in_sharp_basin": in_sharp(gd_end), "left_at_step": left_at(&xs_gd) },
                "sgd": { "seed": seed, "final_x": sgd_end, "final_f": f(&phases, sgd_end), "in_sharp_basin": in_sharp(sgd_end), "left_at_step": left_at(&xs_sgd) },
                "study": { "seeds": seeds, "left_sharp_basin": left, "fraction_left": fraction,
                           "ended_below_the_basin": near_flat, "final_x_quantiles": { "q10": q10, "median": q50, "q90": q90 } },
                "plots": paths,
            })
        );
        return;
    }
    outln!(
        "f = mean of {} terms; the sharp basin is [50/11, 50/9) = [{:.4}, {:.4}).",
        phases.len(),
        SHARP.0,
        SHARP.1
    );
    outln!(
        "The phases' mean cosine and sine are {c:.4} and {s:.4}: the f_i's wiggles of amplitude 20 \
         average to {wiggle:.3} in f."
    );
    outln!(
        "Minima of f: flat x = {:.4} (f = {:.4}), sharp x = {:.4} (f = {:.4}).\n",
        flat.0,
        flat.1,
        sharp.0,
        sharp.1
    );
    let fate = |name: &str, xs: &[f64]| {
        let end = xs[steps];
        let ever_in = xs.iter().any(|&x| in_sharp(x));
        let ever_out = xs.iter().any(|&x| !in_sharp(x));
        match left_at(xs) {
            None if !ever_out => format!(
                "{name} stays in the sharp basin for all {steps} steps: x_{steps} = {end:.4}"
            ),
            None => format!(
                "{name} ends in the sharp basin, though not in it at every step: x_{steps} = {end:.4}"
            ),
            Some(_) if !ever_in => format!(
                "{name} is never in the sharp basin and ends at x_{steps} = {end:.4} (f = {:.4})",
                f(&phases, end)
            ),
            Some(k) => format!(
                "{name} leaves the sharp basin for good at step {k} and ends at x_{steps} = {end:.4} (f = {:.4})",
                f(&phases, end)
            ),
        }
    };
    outln!("{}", fate("GD", &xs_gd));
    outln!("{}", fate(&format!("SGD (seed {seed})"), &xs_sgd));
    outln!(
        "\nOver {seeds} SGD seeds, {left} ({:.0}%) end outside the sharp basin, {near_flat} of them on \
         the flat side; final x: 10% {q10:.3}, median {q50:.3}, 90% {q90:.3}.",
        100.0 * fraction
    );
    let gd_stays = in_sharp(gd_end);
    let verdict = match (gd_stays, fraction > 0.5) {
        (true, true) => {
            "As the course says: SGD escapes the sharp minimum most of the time, GD does not."
        }
        (true, false) => {
            "Unlike the course's claim, SGD escapes in at most half of the runs at these settings; GD stays."
        }
        (false, true) => {
            "Here GD leaves the sharp basin too: it is not the noise of SGD alone that escapes."
        }
        (false, false) => {
            "Here GD leaves the sharp basin while most SGD runs stay: the course's picture does not hold at these settings."
        }
    };
    outln!("{verdict}");
    outln!("\nPlots: {}", dir.display());
}
