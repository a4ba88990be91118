//! `kernel_lstsq --train X y [--test Xt yt]`: the closed form, L-BFGS and Adam on the user's
//! own least-squares problem, with training loss and test error for each.

use super::Args;
use serde_json::json;
use std::time::Instant;
use tapegrad::Tensor;
use tapegrad::linalg::{LstsqError, lstsq, min_norm};
use tapegrad::nn::least_squares;
use tapegrad::optim::{Adam, Lbfgs, Optimizer, StrongWolfe};
use tapegrad::plot::{self, Series};

/// One method's answer: its weights, time, and the training loss per step or evaluation.
struct Fit {
    name: String,
    w: Vec<f64>,
    seconds: f64,
    losses: Vec<f64>,
    /// Why the method stopped short (an overflow), if it did: the others still report.
    failed: Option<String>,
}

/// `(1/N) ||X w − y||²`.
fn mse(x: &Tensor, y: &Tensor, w: &[f64]) -> f64 {
    let r = x.matmul(&Tensor::column(w)).sub(y);
    r.as_slice().iter().map(|v| v * v).sum::<f64>() / x.rows() as f64
}

/// `(1/N) Σ |x_nᵀ w − y_n|`: the mean absolute (L1) error, the one seed 004 compares.
fn mae(x: &Tensor, y: &Tensor, w: &[f64]) -> f64 {
    let r = x.matmul(&Tensor::column(w)).sub(y);
    r.as_slice().iter().map(|v| v.abs()).sum::<f64>() / x.rows() as f64
}

/// A method's name as a file name: `closed_form_qr`, `l_bfgs_500_iterations`.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    s.split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// Reads `(X, y)`, checking that they fit together; a mismatch is a usage error naming both.
fn load(args: &Args, flag: &str, (xp, yp): (String, String)) -> (Tensor, Tensor) {
    let (x, y) = (args.read_matrix(&xp), args.read_matrix(&yp));
    // An empty file is data, not a problem with no rows: say so instead of losses of NaN.
    for (path, m) in [(&xp, &x), (&yp, &y)] {
        if m.rows() == 0 || m.cols() == 0 {
            eprintln!(
                "kernel_lstsq: {path}: no data ({} rows, {} columns): --{flag} needs at least one row",
                m.rows(),
                m.cols()
            );
            std::process::exit(1);
        }
    }
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
        failed: None,
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
    // Values that overflowed (data near 1e200) are said as such, not trained on silently.
    let failed = losses.iter().position(|l| !l.is_finite()).map(|k| {
        format!(
            "the loss overflowed to {} at evaluation {}",
            losses[k],
            k + 1
        )
    });
    fits.push(Fit {
        name: format!("L-BFGS ({iters} iterations)"),
        w,
        seconds: start.elapsed().as_secs_f64(),
        losses,
        failed,
    });

    let mut w = vec![0.0; p];
    let mut losses = Vec::new();
    let mut adam = Adam::new(adam_lr);
    let start = Instant::now();
    let mut failed = None;
    for _ in 0..adam_steps {
        let (l, g) = f(&w);
        losses.push(l);
        if let Err(e) = adam.step(&mut w, &g) {
            failed = Some(e.to_string());
            break;
        }
    }
    fits.push(Fit {
        name: format!("Adam (lr {adam_lr}, {adam_steps} steps)"),
        w,
        seconds: start.elapsed().as_secs_f64(),
        losses,
        failed,
    });

    let path = args.out_dir().join("train_loss.svg");
    let closed = mse(&x, &y, &fits[0].w);
    let series: Vec<Series> = fits[1..]
        .iter()
        .map(|f| {
            Series::new(
                &f.name,
                f.losses
                    .iter()
                    .enumerate()
                    .map(|(k, &l)| (k as f64, l))
                    .collect(),
            )
        })
        .collect();
    let panel = plot::lines(
        "Training loss: iterative methods against the closed form",
        ("step / evaluation", "(1/N) ||X w - y||^2"),
        &series,
    )
    .log_y()
    .hline(closed, &format!("{}: {closed:.3e}", fits[0].name));
    args.check(panel.save(&path));
    let test_mse = |w: &[f64]| test.as_ref().map(|(xt, yt)| mse(xt, yt, w));
    let test_mae = |w: &[f64]| test.as_ref().map(|(xt, yt)| mae(xt, yt, w));
    // --save DIR: each method's w, and its predictions on the test rows, as .npy; per method
    // the paths written (w, then the predictions).
    let mut saved: Vec<Vec<std::path::PathBuf>> = vec![Vec::new(); fits.len()];
    if let Some(dir) = args.opt::<std::path::PathBuf>("save") {
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!(
                "kernel_lstsq: cannot create directory {}: {e}",
                dir.display()
            );
            std::process::exit(1);
        }
        for (fit, paths) in fits.iter().zip(&mut saved) {
            let w = Tensor::column(&fit.w);
            let path = dir.join(format!("{}_w.npy", slug(&fit.name)));
            args.check(tapegrad::io::npy::write(&path, &w));
            paths.push(path);
            if let Some((xt, _)) = &test {
                let path = dir.join(format!("{}_test_pred.npy", slug(&fit.name)));
                args.check(tapegrad::io::npy::write(&path, &xt.matmul(&w)));
                paths.push(path);
            }
        }
    }
    if args.json() {
        let methods: Vec<_> = fits
            .iter()
            .zip(&saved)
            .map(|(fit, files)| {
                json!({ "method": fit.name, "train_loss": mse(&x, &y, &fit.w),
                        "test_mse": test_mse(&fit.w), "test_l1": test_mae(&fit.w),
                        "seconds": fit.seconds, "saved": files, "failed": fit.failed })
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
        "{:<40} {:>14} {:>14} {:>14} {:>10}",
        "method",
        "train loss",
        "test L1",
        "test MSE",
        "time"
    );
    let num = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.6e}"));
    for fit in &fits {
        if let Some(why) = &fit.failed {
            outln!("{:<40} stopped: {why}", fit.name);
            continue;
        }
        outln!(
            "{:<40} {:>14.6e} {:>14} {:>14} {:>7.1} ms",
            fit.name,
            mse(&x, &y, &fit.w),
            num(test_mae(&fit.w)),
            num(test_mse(&fit.w)),
            fit.seconds * 1e3
        );
    }
    if test.is_some() {
        // Which method generalizes best, by the L1 error the forum compares.
        let best = fits
            .iter()
            .filter(|f| f.failed.is_none())
            .min_by(|a, b| {
                test_mae(&a.w)
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&test_mae(&b.w).unwrap_or(f64::INFINITY))
            })
            .map(|f| f.name.as_str())
            .unwrap_or("-");
        outln!("\nThe smallest test L1 error: {best}.");
    }
    if saved.iter().any(|f| !f.is_empty()) {
        outln!(
            "Saved {} .npy files (w, test predictions) to {}",
            saved.iter().map(Vec::len).sum::<usize>(),
            args.opt::<std::path::PathBuf>("save")
                .unwrap_or_default()
                .display()
        );
    }
    outln!("\nPlot: {}", path.display());
}
