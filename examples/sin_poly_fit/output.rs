//! What sin_poly_fit prints and writes: the report, the JSON, the figures, the saved fit.

use super::*;

fn fmt_theta(theta: &[f64]) -> String {
    let d = theta.len() - 1;
    let mut s = format!("b = {:+.6}", theta[d]);
    for (j, w) in theta[..d].iter().enumerate() {
        s += &format!(", w{} = {w:+.6}", j + 1);
    }
    s
}

/// The human-readable report.
pub(crate) fn report(r: &Results) -> String {
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
    s += "(dist to QR: ||theta - theta*|| / ||theta*||, coefficients compared in the raw basis)\n";
    s += &crawl_summary(r);
    s += "\n";

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
pub(crate) fn to_json(r: &Results) -> Value {
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

/// What GD's runs say about crawling, from their numbers: the gap to the closed form after
/// the run on each basis, how much standardizing helped, and whether either got there.
fn crawl_summary(r: &Results) -> String {
    let gd = |basis: &str| {
        r.runs
            .iter()
            .find(|run| run.basis == basis && run.optimizer.starts_with("GD"))
    };
    let (Some(raw), Some(std)) = (gd("raw"), gd("standardized")) else {
        return String::new();
    };
    let gap = |run: &Run| (run.loss - r.loss_star).max(0.0);
    let (g_raw, g_std) = (gap(raw), gap(std));
    let cond = |k: usize| r.conditioning[k].lambda_max / r.conditioning[k].lambda_min;
    // "At the closed form": the gap within rounding of the loss itself.
    let there = |g: f64| g <= 1e-10 * r.loss_star.abs().max(1e-300);
    let mut s = format!(
        "After {} steps, GD's gap f - f* is {g_raw:.1e} on raw features (cond(H) = {:.1e}) and {g_std:.1e} on standardized ones (cond(H) = {:.1e}).\n",
        raw.steps,
        cond(0),
        cond(1)
    );
    s += &if there(g_std) && !there(g_raw) {
        "Standardized, GD reaches the closed form; on raw features it crawls.\n".to_string()
    } else if there(g_std) {
        "GD reaches the closed form on both.\n".to_string()
    } else if g_std < g_raw {
        format!(
            "Standardizing brings GD {:.0}x closer, but it still crawls: cond(H) = {:.1e} leaves the gap at {g_std:.1e}, where L-BFGS reaches the closed form.\n",
            g_raw / g_std.max(f64::MIN_POSITIVE),
            cond(1)
        )
    } else {
        "Standardizing does not bring GD closer here.\n".to_string()
    };
    s
}

/// `b + Σ_j w_j x^j` for `theta = (w_1..w_d, b)`.
fn poly(theta: &[f64], x: f64) -> f64 {
    let d = theta.len() - 1;
    theta[d] + (0..d).map(|j| theta[j] * x.powi(j as i32 + 1)).sum::<f64>()
}

/// Writes the four figures into the output directory and returns their paths: the fits over
/// the data, the loss gap of the first-order methods against steps per basis, and L-BFGS's
/// against evaluations (so each method's curve is drawn on the axis its work is counted in).
pub(crate) fn plots(r: &Results, args: &Args) -> Vec<PathBuf> {
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
    // One panel per feature basis, each method in the same colour in both.
    let fits_of = |basis: &str| {
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
                .filter(|run| run.basis == basis)
                .map(|run| curve(run.optimizer, &run.theta)),
        );
        plot::fit(
            &format!("{basis} features"),
            (&r.points.x, &r.points.y),
            &curves,
        )
    };
    let paths = [
        dir.join("fits.svg"),
        dir.join("loss_gap_raw.svg"),
        dir.join("loss_gap_standardized.svg"),
        dir.join("loss_gap_lbfgs.svg"),
    ];
    // Each history under its method's name (the panel's title names the basis), so a
    // method has one colour in every figure.
    let named = |run: &Run| {
        let mut h = run.history.clone();
        h.name = run.optimizer.to_string();
        h
    };
    let first_order = |basis: &str| -> Vec<History> {
        r.runs
            .iter()
            .filter(|run| run.basis == basis && !run.optimizer.starts_with("L-BFGS"))
            .map(named)
            .collect()
    };
    let lbfgs: Vec<History> = r
        .runs
        .iter()
        .filter(|run| run.optimizer.starts_with("L-BFGS"))
        .map(|run| {
            let mut h = run.history.clone();
            h.name = format!("{}, {}", run.optimizer, run.basis);
            h
        })
        .collect();
    let f_star = Some(r.loss_star);
    let fits = Figure::new("Polynomial fits to the points, after each method's steps")
        .row([fits_of("raw"), fits_of("standardized")]);
    args.check(fits.save(&paths[0]));
    args.check(
        plot::histories(
            "Loss gap, raw features",
            &first_order("raw").iter().collect::<Vec<_>>(),
            XAxis::Steps,
            f_star,
        )
        .save(&paths[1]),
    );
    args.check(
        plot::histories(
            "Loss gap, standardized features",
            &first_order("standardized").iter().collect::<Vec<_>>(),
            XAxis::Steps,
            f_star,
        )
        .save(&paths[2]),
    );
    args.check(
        plot::histories(
            "Loss gap of L-BFGS",
            &lbfgs.iter().collect::<Vec<_>>(),
            XAxis::Evaluations,
            f_star,
        )
        .save(&paths[3]),
    );
    paths.to_vec()
}

/// The closed-form fit as the parameters of `Linear(degree, 1)` on raw features, in
/// safetensors (`0.weight` `[1, d]`, `0.bias` `[1]`), with the model described in the metadata.
pub(crate) fn save_fit(r: &Results, path: &std::path::Path) -> Result<(), tapegrad::io::DataError> {
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
