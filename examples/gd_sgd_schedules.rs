//! Exercise 2: gradient descent and single-sample SGD with three step-size rules, with and
//! without iterate averaging, on polynomial least squares: degree 3 (overdetermined, 4
//! coefficients for 7 points) and degree 9 (underdetermined, 10 coefficients).
//!
//! ```text
//! cargo run --example gd_sgd_schedules                      # about 2 s
//! cargo run --example gd_sgd_schedules -- --course-length    # the course's runs, about 10 s
//! ```

#[macro_use]
mod common;

use common::{Args, Cli};
use serde_json::json;
use tapegrad::data::poly_features;
use tapegrad::linalg::{min_norm, mse_smoothness};
use tapegrad::nn::{Init, Linear, Params, Reduction};
use tapegrad::optim::{Schedule, Sgd};
use tapegrad::plot::{self, Figure, Panel, Series};
use tapegrad::train::{Batches, Flow, Loss, Observer, Step, Trainer};
use tapegrad::{Rng, Tensor};

const ABOUT: &str = "Exercise 2: on the course's 7 points (x evenly spaced on [-1, 1], y = sin(5x) \
e^|2x| / 10), GD at 1/beta and SGD with one sample per step at 0.1/beta, 0.1/(beta (k+1)) and \
0.1/(beta (floor(k/1000)+1)), each with iterate averaging, for degree 3 (overdetermined) and \
degree 9 (underdetermined): f(theta_k) - f* and f(theta_bar_k) - f* on a log axis, and the fits. \
What the runs show is said from their numbers: whether averaging lowers constant-step SGD's \
noise floor, how far each rule ends from theta*, whether GD reaches it.";

/// The full loss `f(θ) = (1/N) ||Φθ − y||²` and of the running mean `θ̄_k`, recorded at
/// log-spaced steps (so a long run makes a light figure).
struct Gaps<'a> {
    phi: &'a Tensor,
    y: &'a Tensor,
    f_star: f64,
    sum: Vec<f64>,
    count: usize,
    next: usize,
    points: Vec<(f64, f64)>,
    averaged: Vec<(f64, f64)>,
}

impl<'a> Gaps<'a> {
    fn new(phi: &'a Tensor, y: &'a Tensor, f_star: f64) -> Gaps<'a> {
        Gaps {
            phi,
            y,
            f_star,
            sum: vec![0.0; phi.cols() + 1],
            count: 0,
            next: 0,
            points: Vec::new(),
            averaged: Vec::new(),
        }
    }

    fn loss(&self, theta: &[f64]) -> f64 {
        // θ = (w_1..w_d, b): the layer's weight then its bias; Φ holds x, x², ..., x^d.
        let d = theta.len() - 1;
        let pred = self
            .phi
            .matmul(&Tensor::column(&theta[..d]))
            .add_scalar(theta[d]);
        pred.sub(self.y)
            .as_slice()
            .iter()
            .map(|e| e * e)
            .sum::<f64>()
            / self.y.rows() as f64
    }
}

impl Observer for Gaps<'_> {
    fn observe(&mut self, s: &Step<'_>) -> Flow {
        self.count += 1;
        for (a, t) in self.sum.iter_mut().zip(s.theta) {
            *a += t;
        }
        if s.step >= self.next {
            let mean: Vec<f64> = self.sum.iter().map(|a| a / self.count as f64).collect();
            let k = s.step as f64;
            self.points.push((k, self.loss(s.theta) - self.f_star));
            self.averaged.push((k, self.loss(&mean) - self.f_star));
            self.next = (s.step + 1).max((s.step as f64 * 1.02) as usize);
        }
        Flow::Continue
    }
}

/// One run's record.
struct Run {
    name: String,
    gaps: Vec<(f64, f64)>,
    averaged: Vec<(f64, f64)>,
    theta: Vec<f64>,
    average: Vec<f64>,
}

fn run_degree(
    args: &Args,
    degree: usize,
    gd_steps: usize,
    sgd_steps: usize,
    seed: u64,
) -> serde_json::Value {
    let x: Vec<f64> = (0..7).map(|i| -1.0 + 2.0 * i as f64 / 6.0).collect();
    let y = Tensor::column(
        &x.iter()
            .map(|&v| (5.0 * v).sin() * (2.0 * v).abs().exp() / 10.0)
            .collect::<Vec<_>>(),
    );
    let phi = poly_features(&x, degree).slice(.., 1..); // x, ..., x^d; the bias is the layer's own
    let design = poly_features(&x, degree);
    let beta = mse_smoothness(&design);
    // The minimum-norm least-squares solution in the layer's layout (w_1..w_d, b).
    let star = min_norm(&design, &y).expect("finite data");
    let theta_star: Vec<f64> = (1..=degree)
        .map(|j| star[(j, 0)])
        .chain([star[(0, 0)]])
        .collect();
    let mut params = Params::new();
    let layer = Linear::new(degree, 1)
        .init(Init::Zeros)
        .build(&mut params, "0", &mut Rng::new(0));
    let f_star = Gaps::new(&phi, &y, 0.0).loss(&theta_star);
    let rules: [(&str, Option<Schedule>); 4] = [
        ("GD, 1/beta", None),
        ("SGD, 0.1/beta", Some(Schedule::Constant(0.1 / beta))),
        (
            "SGD, 0.1/(beta(k+1))",
            Some(Schedule::InverseTime(0.1 / beta)),
        ),
        (
            "SGD, 0.1/(beta(k//1000+1))",
            Some(Schedule::StepDecay {
                gamma: 0.1 / beta,
                every: 1000,
            }),
        ),
    ];
    let mut runs = Vec::new();
    for (name, schedule) in rules {
        let mut p = params.clone();
        let mut gaps = Gaps::new(&phi, &y, f_star);
        let mut trainer = Trainer::new(&layer, &phi, &y)
            .loss(Loss::Mse(Reduction::Mean))
            .seed(seed)
            .observe(&mut gaps);
        let lr = if schedule.is_none() {
            1.0 / beta
        } else {
            0.1 / beta
        };
        trainer = match schedule {
            None => trainer.steps(gd_steps),
            Some(s) => trainer
                .batches(Batches::Sampled(1))
                .schedule(s)
                .steps(sgd_steps),
        };
        if let Err(e) = trainer.run(&mut p, &mut Sgd::new(lr)) {
            eprintln!("gd_sgd_schedules: degree {degree}, {name}: {e}");
            std::process::exit(1);
        }
        let average: Vec<f64> = gaps.sum.iter().map(|a| a / gaps.count as f64).collect();
        runs.push(Run {
            name: name.to_string(),
            gaps: gaps.points,
            averaged: gaps.averaged,
            theta: p.as_slice().to_vec(),
            average,
        });
    }
    let dir = args.out_dir();
    let gap_path = dir.join(format!("gaps_degree_{degree}.svg"));
    let kind = if degree + 1 > 7 {
        "underdetermined"
    } else {
        "overdetermined"
    };
    // One panel per run (the course draws GD and each SGD schedule apart), each with the
    // gap of the iterate and of the running average of the iterates.
    let panels: Vec<Panel> = runs
        .iter()
        .map(|r| {
            plot::lines(
                &r.name,
                ("step k", "f(theta) - f*"),
                &[
                    Series::new("iterate theta_k", r.gaps.clone()),
                    Series::new("average of theta_0..theta_k", r.averaged.clone()),
                ],
            )
            .log_y()
            .floor(1e-16)
            .size(440.0, 300.0)
        })
        .collect();
    let mut gaps = Figure::new(&format!(
        "Degree {degree} ({kind}): optimality gap f(theta) - f*"
    ));
    for pair in panels.chunks(2) {
        gaps = gaps.row(pair.to_vec());
    }
    args.check(gaps.save(&gap_path));
    let fit_path = dir.join(format!("fits_degree_{degree}.svg"));
    // The course draws fits on [-1.1, 1.1]: a little beyond the data, where degree 9 turns.
    let grid: Vec<f64> = (0..=220).map(|i| -1.1 + 2.2 * i as f64 / 220.0).collect();
    let curve = |name: &str, theta: &[f64]| {
        let d = theta.len() - 1;
        Series::new(
            name,
            grid.iter()
                .map(|&t| {
                    (
                        t,
                        theta[d] + (0..d).map(|j| theta[j] * t.powi(j as i32 + 1)).sum::<f64>(),
                    )
                })
                .collect(),
        )
    };
    // The last iterates and the averaged iterates side by side, each under its own title.
    let fits = |averaged: bool| {
        let mut curves = vec![curve("minimum-norm least squares", &theta_star)];
        curves.extend(
            runs.iter()
                .map(|r| curve(&r.name, if averaged { &r.average } else { &r.theta })),
        );
        let title = if averaged {
            "averaged iterates"
        } else {
            "last iterates"
        };
        plot::fit(title, (&x, y.as_slice()), &curves)
            .ylim(-1.5, 1.5)
            .size(440.0, 330.0)
    };
    let figure = Figure::new(&format!("Degree {degree}: fits over the 7 points"))
        .row([fits(false), fits(true)]);
    args.check(figure.save(&fit_path));
    let dist = |t: &[f64]| {
        t.iter()
            .zip(&theta_star)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt()
            / theta_star.iter().map(|b| b * b).sum::<f64>().sqrt()
    };
    json!({
        "degree": degree, "parameters": degree + 1, "beta": beta, "f_star": f_star,
        "theta_star": theta_star, "theta_layout": "w_1..w_d, b (the layer's weight, then its bias)",
        "runs": runs.iter().map(|r| json!({
            "name": r.name, "final_gap": r.gaps.last().map(|p| p.1),
            "final_averaged_gap": r.averaged.last().map(|p| p.1),
            "relative_distance": dist(&r.theta), "averaged_relative_distance": dist(&r.average),
        })).collect::<Vec<_>>(),
        "plots": [gap_path, fit_path],
    })
}

fn main() {
    let args = Cli::new("gd_sgd_schedules", ABOUT)
        .flag("gd-steps", "K", 20_000, "GD steps (shorter than the course's 100000; see --course-length)")
        .flag("sgd-steps", "K", 70_000, "SGD steps, one sample each (shorter than the course's 700000)")
        .switch(
            "course-length",
            "the course's lengths: 100000 GD steps and 700000 SGD steps (about 10 s in the dev profile)",
        )
        .flag("seed", "S", 0, "seed of the sampled indices")
        .example("cargo run --example gd_sgd_schedules")
        .example("cargo run --example gd_sgd_schedules -- --course-length")
        .parse();
    let course = args.on("course-length");
    let (gd, sgd, seed): (usize, usize, u64) = if course {
        (100_000, 700_000, args.get("seed"))
    } else {
        (
            args.get("gd-steps"),
            args.get("sgd-steps"),
            args.get("seed"),
        )
    };
    for (flag, k) in [("gd-steps", gd), ("sgd-steps", sgd)] {
        if !(1..=100_000_000).contains(&k) {
            args.fail(&format!("--{flag}: need 1 <= K <= 100000000, got {k}"));
        }
    }
    let lengths = if (gd, sgd) == (100_000, 700_000) {
        "the course's lengths".to_string()
    } else {
        "shorter or longer than the course's 100000 and 700000 (--course-length runs those)"
            .to_string()
    };
    let results: Vec<_> = [3, 9]
        .iter()
        .map(|&d| run_degree(&args, d, gd, sgd, seed))
        .collect();
    let said = conclusions(&results);
    if args.json() {
        outln!(
            "{}",
            json!({ "gd_steps": gd, "sgd_steps": sgd, "course_length": (gd, sgd) == (100_000, 700_000),
                    "degrees": results, "conclusions": said })
        );
        return;
    }
    outln!("GD {gd} steps, SGD {sgd} steps: {lengths}.\n");
    for r in &results {
        outln!(
            "Degree {} ({} coefficients, 7 points): beta = {:.4e}, f* = {:.4e}",
            r["degree"],
            r["parameters"],
            r["beta"].as_f64().unwrap(),
            r["f_star"].as_f64().unwrap()
        );
        outln!(
            "  {:<36} {:>13} {:>13} {:>15} {:>15}",
            "method",
            "f - f*",
            "avg: f - f*",
            "dist",
            "avg: dist"
        );
        for run in r["runs"].as_array().unwrap() {
            let num = |k: &str| {
                run[k]
                    .as_f64()
                    .map_or("-".to_string(), |v| format!("{v:.3e}"))
            };
            outln!(
                "  {:<36} {:>13} {:>13} {:>15} {:>15}",
                run["name"].as_str().unwrap(),
                num("final_gap"),
                num("final_averaged_gap"),
                num("relative_distance"),
                num("averaged_relative_distance")
            );
        }
        outln!(
            "  plots: {}, {}\n",
            r["plots"][0].as_str().unwrap(),
            r["plots"][1].as_str().unwrap()
        );
    }
    outln!(
        "(dist: ||theta - theta*|| / ||theta*||, relative; avg: the running mean of the iterates)\n"
    );
    for line in &said {
        outln!("{line}");
    }
}

/// What the runs show, each sentence from the numbers: does averaging lower constant-step
/// SGD's gap, how far the 1/(k+1) rule ends from theta*, whether the stepwise rule ends
/// closer, and whether GD reaches theta* (the minimum-norm interpolant at degree 9).
fn conclusions(results: &[serde_json::Value]) -> Vec<String> {
    let mut out = Vec::new();
    for r in results {
        let d = &r["degree"];
        let runs = r["runs"].as_array().expect("runs");
        let num = |k: usize, key: &str| runs[k][key].as_f64().unwrap_or(f64::NAN);
        let (last, avg) = (num(1, "final_gap"), num(1, "final_averaged_gap"));
        out.push(if avg < last {
            format!("Degree {d}: averaging lowers constant-step SGD's final gap from {last:.1e} to {avg:.1e}.")
        } else {
            format!("Degree {d}: averaging does not lower constant-step SGD's final gap here ({last:.1e}, averaged {avg:.1e}).")
        });
        let (inv, step) = (num(2, "relative_distance"), num(3, "relative_distance"));
        out.push(if inv > 0.1 {
            format!("  0.1/(beta(k+1)) ends far from theta* (relative distance {inv:.2}): its steps sum only like log k.")
        } else {
            format!("  0.1/(beta(k+1)) ends within {inv:.1e} of theta* (relative).")
        });
        out.push(if step < inv {
            format!("  The stepwise rule ends closer: {step:.1e}.")
        } else {
            format!("  The stepwise rule does not end closer ({step:.1e}).")
        });
        let gd = num(0, "relative_distance");
        let what = if r["parameters"].as_u64() > Some(7) {
            "the minimum-norm interpolant"
        } else {
            "the least-squares solution"
        };
        out.push(if gd < 1e-8 {
            format!("  GD from 0 reaches {what} (relative distance {gd:.1e}).")
        } else {
            format!("  GD from 0 is still {gd:.1e} (relative) from {what}.")
        });
    }
    out
}
