//! `kernel_lstsq --train X y [--test Xt yt]`: the closed form, L-BFGS and Adam on the user's
//! own least-squares problem, with training loss and test error for each.

use super::Args;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde_json::json;
use std::time::Instant;
use tapegrad::Tensor;
use tapegrad::linalg::{LstsqError, lstsq, min_norm};
use tapegrad::nn::least_squares;
use tapegrad::optim::{Adam, Lbfgs, Optimizer, StrongWolfe};

/// One method's answer: its weights, time, and the training loss per step or evaluation.
struct Fit {
    name: String,
    w: Vec<f64>,
    seconds: f64,
    losses: Vec<f64>,
}

/// `(1/N) ||X w − y||²`.
fn mse(x: &Tensor, y: &Tensor, w: &[f64]) -> f64 {
    let r = x.matmul(&Tensor::column(w)).sub(y);
    r.as_slice().iter().map(|v| v * v).sum::<f64>() / x.rows() as f64
}

/// Reads `(X, y)`, checking that they fit together; a mismatch is a usage error naming both.
fn load(args: &Args, flag: &str, (xp, yp): (String, String)) -> (Tensor, Tensor) {
    let (x, y) = (args.read_matrix(&xp), args.read_matrix(&yp));
    if y.cols() != 1 || y.rows() != x.rows() {
        args.fail(&format!(
            "--{flag}: y ({yp}) must be one column with a row per row of X ({xp}); X is {}x{}, y is {}x{}",
            x.rows(),
            x.cols(),
            y.rows(),
            y.cols()
        ));
    }
    (x, y)
}

pub fn run(args: &Args, train: (String, String), iters: usize, history: usize) {
    let (x, y) = load(args, "train", train);
    let test = args.pair("test").map(|t| load(args, "test", t));
    if let Some((xt, _)) = &test {
        if xt.cols() != x.cols() {
            args.fail(&format!(
                "--test: X has {} columns, the training X has {}",
                xt.cols(),
                x.cols()
            ));
        }
    }
    let (adam_steps, adam_lr): (usize, f64) = (args.get("adam-steps"), args.get("adam-lr"));
    if adam_lr <= 0.0 {
        args.fail(&format!(
            "--adam-lr: need a learning rate > 0, got {adam_lr}"
        ));
    }
    let p = x.cols();
    let f = least_squares(x.clone(), y.clone());
    let mut fits = Vec::new();

    // The closed form: QR least squares, or the minimum-norm solution when X is rank deficient.
    let start = Instant::now();
    let (name, w) = match lstsq(&x, &y) {
        Ok(w) => ("closed form (QR)".to_string(), w),
        Err(LstsqError::RankDeficient { rank, .. }) => (
            format!("closed form (min-norm, rank {rank})"),
            min_norm(&x, &y).expect("finite data"),
        ),
        Err(e) => {
            eprintln!("kernel_lstsq: {e}");
            std::process::exit(1);
        }
    };
    fits.push(Fit {
        name,
        w: w.into_vec(),
        seconds: start.elapsed().as_secs_f64(),
        losses: Vec::new(),
    });

    let mut w = vec![0.0; p];
    let mut losses = Vec::new();
    let start = Instant::now();
    super::run_long(
        Lbfgs::new().line_search(StrongWolfe::default()),
        history,
        iters,
    )
    .minimize(&mut w, |theta| {
        let (l, g) = f(theta);
        losses.push(l);
        (l, g)
    });
    fits.push(Fit {
        name: format!("L-BFGS ({iters} iterations)"),
        w,
        seconds: start.elapsed().as_secs_f64(),
        losses,
    });

    let mut w = vec![0.0; p];
    let mut losses = Vec::new();
    let mut adam = Adam::new(adam_lr);
    let start = Instant::now();
    for _ in 0..adam_steps {
        let (l, g) = f(&w);
        losses.push(l);
        if let Err(e) = adam.step(&mut w, &g) {
            eprintln!("kernel_lstsq: Adam: {e}");
            std::process::exit(1);
        }
    }
    fits.push(Fit {
        name: format!("Adam (lr {adam_lr}, {adam_steps} steps)"),
        w,
        seconds: start.elapsed().as_secs_f64(),
        losses,
    });

    let path = args.out_dir().join("train_loss.svg");
    args.write_svg(&path, (900, 500), |root| {
        plot(&fits, mse(&x, &y, &fits[0].w), root)
    });
    let test_mse = |w: &[f64]| test.as_ref().map(|(xt, yt)| mse(xt, yt, w));
    if args.json() {
        let methods: Vec<_> = fits
            .iter()
            .map(|fit| {
                json!({ "method": fit.name, "train_loss": mse(&x, &y, &fit.w),
                        "test_mse": test_mse(&fit.w), "seconds": fit.seconds })
            })
            .collect();
        outln!(
            "{}",
            json!({ "train": { "rows": x.rows(), "cols": p },
                    "test": test.as_ref().map(|(xt, _)| json!({ "rows": xt.rows() })),
                    "methods": methods, "plots": [path] })
        );
        return;
    }
    outln!(
        "Least squares on your data: X {}x{p}{}.\n",
        x.rows(),
        match &test {
            Some((xt, _)) => format!(", tested on {} held-out rows", xt.rows()),
            None => String::new(),
        }
    );
    outln!(
        "{:<40} {:>14} {:>14} {:>10}",
        "method",
        "train loss",
        "test MSE",
        "time"
    );
    for fit in &fits {
        let t = test_mse(&fit.w).map_or("-".to_string(), |v| format!("{v:.6e}"));
        outln!(
            "{:<40} {:>14.6e} {:>14} {:>7.1} ms",
            fit.name,
            mse(&x, &y, &fit.w),
            t,
            fit.seconds * 1e3
        );
    }
    outln!("\nPlot: {}", path.display());
}

/// The training loss of the iterative methods per evaluation, the closed form's as a line.
fn plot(
    fits: &[Fit],
    closed: f64,
    root: DrawingArea<SVGBackend<'_>, Shift>,
) -> Result<(), Box<dyn std::error::Error>> {
    root.fill(&WHITE)?;
    let floor = 1e-300_f64;
    let kmax = fits
        .iter()
        .map(|f| f.losses.len())
        .max()
        .unwrap_or(1)
        .max(2);
    let all = fits.iter().flat_map(|f| &f.losses).copied().chain([closed]);
    let (lo, hi) = all.fold((f64::INFINITY, 0.0f64), |(a, b), v| {
        (a.min(v.max(floor)), b.max(v))
    });
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Training loss: iterative methods against the closed form",
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d(0..kmax, (lo / 2.0..hi.max(lo) * 2.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("step / evaluation")
        .y_desc("(1/N) ||X w - y||^2")
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()?;
    let colors = [RGBColor(31, 119, 180), RGBColor(255, 127, 14)];
    for (fit, &color) in fits[1..].iter().zip(&colors) {
        chart
            .draw_series(LineSeries::new(
                fit.losses
                    .iter()
                    .enumerate()
                    .map(|(k, &l)| (k, l.max(floor))),
                color.stroke_width(2),
            ))?
            .label(fit.name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .draw_series(LineSeries::new(
            vec![(0, closed.max(floor)), (kmax, closed.max(floor))],
            BLACK,
        ))?
        .label(fits[0].name.clone())
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}
