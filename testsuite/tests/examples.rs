#![cfg(feature = "plot")]
//! The examples as a user runs them: command-line programs with `--help`, usage errors,
//! `--json`, `--out`, a quiet end on a closed pipe and exit 1 on a failed write; and what
//! each one claims, checked from its `--json` output.
//!
//! `cargo test` builds the examples (as binaries in `target/<profile>/examples/`) before it
//! runs this file; `cargo test --test examples` alone does not, and these tests then say so.

mod common;

use common::cli::{EXAMPLES, binary, quick, run, says, temp_dir, text};
use common::close::assert_all_close;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// `--json` output (with `--out` in a temp dir and the quick arguments), parsed.
fn json(name: &str, extra: &[&str]) -> Value {
    let dir = temp_dir(name);
    let mut args = vec!["--json", "--out", dir.to_str().unwrap()];
    args.extend_from_slice(quick(name));
    args.extend_from_slice(extra);
    let out = run(name, &args);
    assert!(
        out.status.success(),
        "{name} {args:?}: {:?}\n{}",
        out.status,
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name} --json is not JSON ({e}): {}", text(&out.stdout)))
}

#[test]
fn help_goes_to_stdout_and_lists_every_flag() {
    for name in EXAMPLES {
        for flag in ["--help", "-h"] {
            let out = run(name, &[flag]);
            let stdout = text(&out.stdout);
            assert_eq!(out.status.code(), Some(0), "{name} {flag}");
            assert!(
                out.stderr.is_empty(),
                "{name} {flag}: {}",
                text(&out.stderr)
            );
            for needle in [
                "Usage: cargo run --example",
                "--json",
                "--out DIR",
                "--quiet",
                "--help",
                "Examples:",
            ] {
                assert!(
                    stdout.contains(needle),
                    "{name} {flag}: no {needle:?} in\n{stdout}"
                );
            }
            assert!(stdout.contains("(default: "), "{name}: defaults are shown");
        }
    }
    let help = text(&run("sin_poly_fit", &["--help"]).stdout);
    for flag in [
        "--degree D",
        "--n N",
        "--interval LO,HI",
        "--noise S",
        "--seed K",
        "--steps K",
        "--data FILE.csv",
    ] {
        assert!(help.contains(flag), "sin_poly_fit --help lists {flag}");
    }
}

#[test]
fn usage_errors_exit_2_naming_the_flag() {
    for name in EXAMPLES {
        let out = run(name, &["--bogus"]);
        assert_eq!(out.status.code(), Some(2), "{name} --bogus");
        assert!(out.stdout.is_empty());
        let err = text(&out.stderr);
        assert!(err.contains("unknown flag --bogus"), "{name}: {err}");

        let out = run(name, &["stray"]);
        assert_eq!(out.status.code(), Some(2), "{name} stray");
        assert!(text(&out.stderr).contains("unexpected argument \"stray\""));

        let out = run(name, &["--out"]);
        assert_eq!(out.status.code(), Some(2), "{name} --out without a value");
        assert!(text(&out.stderr).contains("--out needs a value (DIR)"));
    }
    // A bad value names the flag and the value.
    for (name, flag, value, expected) in [
        (
            "sin_poly_fit",
            "--degree",
            "x",
            "--degree: \"x\" is not a whole number",
        ),
        ("sin_poly_fit", "--interval", "3,1", "--interval: \"3,1\""),
        (
            "sin_poly_fit",
            "--degree",
            "18446744073709551615",
            "--degree: need a degree <= 100, got 18446744073709551615",
        ),
        (
            "sin_poly_fit",
            "--noise",
            "inf",
            "--noise: \"inf\" is not a finite number",
        ),
        (
            "sin_poly_fit",
            "--n",
            "1",
            "--n: need at least 2 points, got 1",
        ),
        (
            "optimal_step",
            "--lr",
            "abc",
            "--lr: \"abc\" is not a finite number",
        ),
        (
            "optimal_step",
            "--lr",
            "-1",
            "--lr: need a learning rate > 0",
        ),
        (
            "kernel_lstsq",
            "--iters",
            "-3",
            "--iters: \"-3\" is not a whole number",
        ),
        ("backprop_by_hand", "--out", "", "--out: \"\" is not a path"),
        (
            "save_and_load",
            "--check",
            "predictions.npy",
            "--check needs --load",
        ),
        (
            "implicit_bias",
            "--adam-lr",
            "-1",
            "--adam-lr: need 0 < LR <= 10, got -1",
        ),
        (
            "loss_landscape",
            "--grid",
            "100000",
            "--grid: need 2 <= G <= 201 points per axis, got 100000",
        ),
    ] {
        let out = run(name, &[flag, value]);
        assert_eq!(out.status.code(), Some(2), "{name} {flag} {value}");
        let err = text(&out.stderr);
        assert!(err.contains(expected), "{name} {flag} {value}: {err}");
    }
}

#[test]
fn a_closed_stdout_ends_quietly() {
    for name in EXAMPLES {
        let dir = temp_dir(name);
        let mut child = Command::new(binary(name))
            .args(["--out", dir.to_str().unwrap()])
            .args(quick(name))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader goes away before the first line
        let out = child.wait_with_output().unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn a_failed_write_exits_1_naming_the_path() {
    for name in EXAMPLES {
        let dir = temp_dir(name);
        // A regular file where the output directory should be: it cannot be created.
        let blocker = dir.join("not-a-dir");
        std::fs::File::create(&blocker)
            .unwrap()
            .write_all(b"x")
            .unwrap();
        let target = blocker.join("plots");
        let mut args = vec!["--out", target.to_str().unwrap()];
        args.extend_from_slice(quick(name));
        let out = run(name, &args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(target.to_str().unwrap()),
            "{name} names the path: {err}"
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

#[test]
fn the_default_output_goes_under_the_crate_not_the_current_directory() {
    let cwd = temp_dir("cwd");
    let out = Command::new(binary("backprop_by_hand"))
        .current_dir(&cwd)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !cwd.join("target").exists(),
        "no stray target/ in the current directory"
    );
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dot = repository.join("target/tapegrad-plots/backprop_by_hand/graph.dot");
    assert!(
        text(&out.stdout).contains(dot.to_str().unwrap()),
        "prints where the graph went"
    );
    assert!(dot.exists());
}

/// sin_poly_fit's story: L-BFGS (polished) agrees with the closed form, GD at 1/beta
/// decreases monotonically, GD above 2/beta reports its divergence step; the plots exist.
#[test]
fn sin_poly_fit_agrees_with_the_closed_form() {
    let v = json("sin_poly_fit", &["--steps", "2000"]);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 8, "4 optimizers x 2 bases");
    for run in runs {
        let name = run["optimizer"].as_str().unwrap();
        if name.starts_with("L-BFGS") {
            let d = run["distance"].as_f64().unwrap();
            assert!(d < 1e-8, "{name} {}: distance to QR {d:e}", run["features"]);
        }
        if name.starts_with("GD") {
            assert_eq!(
                run["monotone"],
                Value::Bool(true),
                "GD at 1/beta decreases monotonically"
            );
        }
    }
    let div = &v["divergence"];
    assert!(div["diverged_at_step"].as_u64().is_some(), "{div}");
    assert!(
        div["message"]
            .as_str()
            .unwrap()
            .contains("diverged at step")
    );
    assert!(v["beta"]["raw"].as_f64().unwrap() > v["beta"]["standardized"].as_f64().unwrap());
    // The Hessian's spectrum from the tape: λ_max = β and cond(H) = cond(X1)².
    for c in v["conditioning"].as_array().unwrap() {
        let f = |k: &str| c[k].as_f64().unwrap();
        assert!(
            (f("hessian_lambda_max") - f("beta")).abs() <= 1e-9 * f("beta"),
            "{c}"
        );
        let want = f("condition_number").powi(2);
        assert!(
            (f("hessian_condition_number") - want).abs() <= 1e-6 * want,
            "{c}"
        );
    }
    let plots = v["plots"].as_array().unwrap();
    assert_eq!(plots.len(), 4);
    for p in plots {
        let svg = std::fs::read_to_string(p.as_str().unwrap()).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("polyline"), "{p}");
    }
}

#[test]
fn sin_poly_fit_names_the_bad_line_of_a_csv() {
    let dir = temp_dir("csv");
    let csv = dir.join("bad.csv");
    std::fs::write(&csv, "x,y\n1,2\n3,abc\n").unwrap();
    let out = run(
        "sin_poly_fit",
        &[
            "--data",
            csv.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:3:2: column \"y\": \"abc\" is not a number",
            csv.display()
        )),
        "{err}"
    );
    let out = run("sin_poly_fit", &["--data", "/nonexistent/points.csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("/nonexistent/points.csv: No such file"));
}

/// optimal_step: alpha* = 1 / (g'Hg / g'g) is positive and far above the learning rate.
#[test]
fn optimal_step_finds_steps_far_above_the_lr() {
    let v = json("optimal_step", &[]);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "32 steps in one epoch, measured every 8");
    for r in rows {
        let a = r["alpha_star"]
            .as_f64()
            .expect("positive curvature along g");
        let curvature = r["curvature"].as_f64().unwrap();
        assert!(a > 10.0 * 1e-3, "{r}");
        assert!(
            (curvature * a - 1.0).abs() < 1e-12,
            "alpha* = 1 / (g'Hg / g'g)"
        );
    }
}

/// backprop_by_hand: the tape's gradients against the chain rule written out by hand:
/// `dL/db2 = 2(o - y) o(1 - o)`, `dL/dW2 = dL/db2 h`, `dL/db1 = dL/db2 W2 ⊙ h ⊙ (1 - h)`.
#[test]
fn backprop_by_hand_matches_the_chain_rule() {
    let v = json("backprop_by_hand", &[]);
    let sig = |z: f64| 1.0 / (1.0 + (-z).exp());
    let w1 = [[0.15, 0.20], [0.25, 0.30]];
    let h: Vec<f64> = (0..2)
        .map(|j| sig(0.05 * w1[j][0] + 0.10 * w1[j][1] + 0.35))
        .collect();
    let o = sig(0.40 * h[0] + 0.45 * h[1] + 0.60);
    let db2 = 2.0 * (o - 0.01) * o * (1.0 - o);
    let g = |name: &str| -> Vec<f64> {
        v["gradients"][name]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    assert_all_close("b2", &g("b2"), &[db2], 1e-14, 1e-3);
    assert_all_close("W2", &g("W2"), &[db2 * h[0], db2 * h[1]], 1e-14, 1e-3);
    let db1 = [
        db2 * 0.40 * h[0] * (1.0 - h[0]),
        db2 * 0.45 * h[1] * (1.0 - h[1]),
    ];
    assert_all_close("b1", &g("b1"), &db1, 1e-14, 1e-3);
    assert_eq!(v["gradcheck"]["passed"], Value::Bool(true));
    assert_eq!(
        v["backward_steps"][0]["adjoint"][0].as_f64(),
        Some(1.0),
        "seeded with dL/dL = 1"
    );
    // The graph drawn by the crate and the page, next to the DOT file.
    for (key, start) in [
        ("svg", "<svg"),
        ("html", "<!DOCTYPE html>"),
        ("dot", "digraph"),
    ] {
        let path = v[key].as_str().unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.starts_with(start), "{key}: {path}");
    }
    // --mlp: the micrograd-sized network's page.
    let v = json("backprop_by_hand", &["--mlp"]);
    assert_eq!(v["nodes"].as_u64(), Some(21));
    // One step per node on a path from a parameter to the loss: all but the 3 constant ones.
    assert_eq!(v["backward_steps"].as_u64(), Some(18));
    assert!(
        std::fs::read_to_string(v["html"].as_str().unwrap())
            .unwrap()
            .contains("id=\"node-20\"")
    );
}

/// kernel_lstsq: QR recovers w_true; L-BFGS reports per setting.
#[test]
fn kernel_lstsq_reports_qr_and_lbfgs() {
    let v = json("kernel_lstsq", &[]);
    assert!(
        v["qr"]["distance_to_w_true"].as_f64().unwrap() < 1e-6,
        "{}",
        v["qr"]
    );
    let runs = v["lbfgs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    for r in runs {
        assert!(r["iterations"].as_u64().unwrap() <= 5);
        assert!(
            r["distance_to_w_star"].as_f64().unwrap() > 0.5,
            "far from w* after 5 iterations"
        );
    }
}

/// save_and_load: a model trained, saved, and loaded in a fresh process (which rebuilds it
/// from the file's metadata alone) predicts the same values, bit for bit.
#[test]
fn save_and_load_reproduces_predictions_in_a_fresh_process() {
    let v = json("save_and_load", &[]);
    assert_eq!(v["fresh_process"]["identical"], Value::Bool(true), "{v}");
    assert_eq!(v["fresh_process"]["max_abs_diff"].as_f64(), Some(0.0));
    // A model that does not match the predictions is refused with exit 1.
    let dir = temp_dir("mismatch");
    let model = v["model"].as_str().unwrap();
    let other = dir.join("other.npy");
    tapegrad::io::npy::write(&other, &tapegrad::Tensor::zeros(101, 1)).unwrap();
    let out = run(
        "save_and_load",
        &["--load", model, "--check", other.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("differ by up to"),
        "{}",
        text(&out.stdout)
    );
}

/// kernel_lstsq on the user's files (.npy and CSV): the closed form's test error is the
/// smallest, and bad files are named.
#[test]
fn kernel_lstsq_fits_your_own_files() {
    use tapegrad::io::{csv, npy};
    use tapegrad::{Rng, Tensor};
    let dir = temp_dir("files");
    let mut rng = Rng::new(4);
    let w = Tensor::rand_normal(6, 1, 0.0, 1.0, &mut rng);
    let x = Tensor::rand_normal(60, 6, 0.0, 1.0, &mut rng);
    let xt = Tensor::rand_normal(20, 6, 0.0, 1.0, &mut rng);
    let y = x
        .matmul(&w)
        .add(&Tensor::rand_normal(60, 1, 0.0, 0.01, &mut rng));
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    npy::write(p("X.npy"), &x).unwrap();
    npy::write(p("y.npy"), &y).unwrap();
    csv::write(p("Xt.csv"), &xt, Some(&["a", "b", "c", "d", "e", "f"])).unwrap();
    npy::write(p("yt.npy"), &xt.matmul(&w)).unwrap();
    let v = json(
        "kernel_lstsq",
        &[
            "--train",
            &p("X.npy"),
            &p("y.npy"),
            "--test",
            &p("Xt.csv"),
            &p("yt.npy"),
            "--iters",
            "100",
            "--save",
            &p("saved"),
        ],
    );
    let methods = v["methods"].as_array().unwrap();
    assert_eq!(methods.len(), 3);
    // The L1 test error (the forum question's measure) beside the MSE, each recomputed from
    // the saved predictions; --save wrote w and the test predictions of every method.
    let yt = xt.matmul(&w);
    for m in methods {
        let files: Vec<&str> = m["saved"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        assert_eq!(files.len(), 2, "{m}");
        let w_saved = npy::read(files[0]).unwrap();
        let pred = npy::read(files[1]).unwrap();
        assert_eq!(w_saved.shape(), (6, 1));
        assert_eq!(pred, xt.matmul(&w_saved));
        let l1 = pred
            .sub(&yt)
            .as_slice()
            .iter()
            .map(|v| v.abs())
            .sum::<f64>()
            / 20.0;
        let l2 = pred.sub(&yt).as_slice().iter().map(|v| v * v).sum::<f64>() / 20.0;
        assert!(
            (m["test_l1"].as_f64().unwrap() - l1).abs() <= 1e-12 * (1.0 + l1),
            "{m}"
        );
        assert!(
            (m["test_mse"].as_f64().unwrap() - l2).abs() <= 1e-12 * (1.0 + l2),
            "{m}"
        );
    }
    // A forgotten Y file is a usage error naming --test, not a file called "--out".
    let out = run(
        "kernel_lstsq",
        &[
            "--train",
            &p("X.npy"),
            &p("y.npy"),
            "--test",
            &p("Xt.csv"),
            "--out",
            &p("o"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--test needs two values (X Y)"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        methods[0]["method"]
            .as_str()
            .unwrap()
            .starts_with("closed form (QR)")
    );
    let test = |k: usize| methods[k]["test_mse"].as_f64().unwrap();
    assert!(test(0) < 1e-3 && test(1) <= 1.01 * test(0) + 1e-12, "{v}");
    let out = run("kernel_lstsq", &["--train", &p("X.npy"), &p("missing.npy")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("missing.npy: No such file"),
        "{}",
        text(&out.stderr)
    );
    // Data scaled by 1e200: Adam overflows and says so; the closed form and L-BFGS still
    // report (issue 31, U2: the run exited on Adam's overflow and printed nothing).
    npy::write(p("Xbig.npy"), &x.mul_scalar(1e200)).unwrap();
    let out = run(
        "kernel_lstsq",
        &[
            "--train",
            &p("Xbig.npy"),
            &p("y.npy"),
            "--out",
            &p("big"),
            "--iters",
            "20",
        ],
    );
    let t = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        t.contains("closed form (QR)") && t.contains("stopped: diverged"),
        "{t}"
    );
    // Files with no rows are named, not trained on (the losses were NaN).
    npy::write(p("empty.npy"), &Tensor::zeros(0, 6)).unwrap();
    npy::write(p("empty_y.npy"), &Tensor::zeros(0, 1)).unwrap();
    let out = run(
        "kernel_lstsq",
        &["--train", &p("empty.npy"), &p("empty_y.npy")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("empty.npy: no data (0 rows, 6 columns)"),
        "{}",
        text(&out.stderr)
    );
    let out = run("kernel_lstsq", &["--train", &p("X.npy"), &p("yt.npy")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("must be one column with a row per row of X"));
}

/// sin_poly_fit --save writes the closed-form fit as safetensors: 0.weight holds w_1..w_d and
/// 0.bias b, as the JSON reports them.
#[test]
fn sin_poly_fit_saves_the_fit() {
    let dir = temp_dir("save");
    let file = dir.join("fit.safetensors");
    let v = json("sin_poly_fit", &["--save", file.to_str().unwrap()]);
    let theta: Vec<f64> = v["closed_form"]["theta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let (params, meta) = tapegrad::io::safetensors::load(&file).unwrap();
    assert_eq!(params.as_slice(), &theta[..]);
    assert!(meta.contains(&("degree".to_string(), "3".to_string())));
}

/// train_loop: three optimizers through the library's loop, each history in the JSON.
#[test]
fn train_loop_records_every_step() {
    let v = json("train_loop", &["--steps", "40"]);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    for r in runs {
        // The history is a JSON object, not a string holding JSON.
        let h = &r["history"];
        assert!(h.is_object(), "{r}");
        assert_eq!(h["losses"].as_array().unwrap().len(), 40, "{r}");
    }
    let svg = std::fs::read_to_string(v["plots"][0].as_str().unwrap()).unwrap();
    assert!(svg.contains("Adam, lr 0.01"));
    // Replayed (--replay): the same runs to rounding.
    let replayed = json("train_loop", &["--steps", "40", "--replay"]);
    for (r, q) in runs.iter().zip(replayed["runs"].as_array().unwrap()) {
        let (a, b) = (
            r["final_loss"].as_f64().unwrap(),
            q["final_loss"].as_f64().unwrap(),
        );
        assert!((a - b).abs() <= 1e-12 * a, "{}: {a} vs {b}", r["name"]);
    }
}

/// gd_sgd_schedules: the degree-3 closed form and beta equal the crate's own linear algebra;
/// GD from 0 reaches the minimum-norm solution of the degree-9 problem; constant-step SGD is
/// left at a noise floor that its averaged iterates are below.
#[test]
fn gd_sgd_schedules_reaches_the_closed_forms() {
    use tapegrad::data::poly_features;
    use tapegrad::linalg::{lstsq, min_norm, mse_smoothness};
    let v = json(
        "gd_sgd_schedules",
        &["--gd-steps", "20000", "--sgd-steps", "20000"],
    );
    let x: Vec<f64> = (0..7).map(|i| -1.0 + 2.0 * i as f64 / 6.0).collect();
    let y = tapegrad::Tensor::column(
        &x.iter()
            .map(|&v| (5.0 * v).sin() * (2.0 * v).abs().exp() / 10.0)
            .collect::<Vec<_>>(),
    );
    for (k, degree) in [3usize, 9].into_iter().enumerate() {
        let d = &v["degrees"][k];
        let design = poly_features(&x, degree);
        let beta = mse_smoothness(&design);
        assert!((d["beta"].as_f64().unwrap() - beta).abs() <= 1e-12 * beta);
        let star = if degree == 3 {
            lstsq(&design, &y).unwrap()
        } else {
            min_norm(&design, &y).unwrap()
        };
        let theta: Vec<f64> = d["theta_star"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_f64().unwrap())
            .collect();
        for j in 0..=degree {
            // The layer's layout: w_1..w_d, then b (the constant column's coefficient).
            let want = if j == degree {
                star[(0, 0)]
            } else {
                star[(j + 1, 0)]
            };
            assert!(
                (theta[j] - want).abs() <= 1e-10 * want.abs().max(1.0),
                "degree {degree}, {j}"
            );
        }
        let runs = d["runs"].as_array().unwrap();
        let gd = runs[0]["relative_distance"].as_f64().unwrap();
        assert!(
            gd < 1e-6,
            "degree {degree}: GD from 0 reaches theta*: {gd:e}"
        );
        let (last, avg) = (
            runs[1]["final_gap"].as_f64().unwrap(),
            runs[1]["final_averaged_gap"].as_f64().unwrap(),
        );
        if degree == 3 {
            assert!(
                avg < last,
                "averaging lowers constant-step SGD's noise floor: {avg:e} vs {last:e}"
            );
        }
    }
}

/// implicit_bias, as the course runs it: GD from 0 converges to the minimum-norm interpolant
/// (the crate's min_norm) in 20181 steps at the spectral 1/beta and 26800 at the Frobenius one;
/// single-sample SGD at 0.1/beta converges too; single-sample Adam (lr 0.001) interpolates
/// but another interpolant; scaled GD reaches its scaled projection; the projections of c a
/// grow with c and generalize worse. What the text says of Adam flips with its numbers.
#[test]
fn implicit_bias_picks_the_minimum_norm_interpolant() {
    use tapegrad::data::poly_features;
    use tapegrad::linalg::min_norm;
    // The course's lengths (the defaults), not the quick ones.
    let dir = temp_dir("ib");
    let out = run("implicit_bias", &["--json", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let x: Vec<f64> = (0..7).map(|i| -1.0 + 2.0 * i as f64 / 6.0).collect();
    let y = tapegrad::Tensor::column(
        &x.iter()
            .map(|&t| (5.0 * t).sin() * (2.0 * t).abs().exp() / 10.0)
            .collect::<Vec<_>>(),
    );
    let star = min_norm(&poly_features(&x, 9), &y).unwrap();
    let reported: Vec<f64> = v["min_norm_theta"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_f64().unwrap())
        .collect();
    assert_eq!(reported, star.as_slice());
    assert_eq!(v["theta_layout"], "constant first: b, x, x^2, ..., x^9");
    let reached = |run: &str| v[run]["steps_to_1e-16"].as_u64();
    // The course's own count for these settings (the NumPy recomputation): 20181 and
    // 26800 steps.
    assert_eq!(
        (reached("gd"), reached("gd_frobenius")),
        (Some(20181), Some(26800))
    );
    assert_eq!(v["gd"]["steps"], 30000);
    assert_eq!(v["sgd"]["steps"], 4_900_000);
    assert!(reached("sgd").is_some(), "{}", v["sgd"]);
    assert!(reached("scaled_gd").is_some(), "{}", v["scaled_gd"]);
    let adam = &v["adam"];
    assert_eq!(
        (adam["lr"].as_f64(), adam["eps"].as_f64()),
        (Some(0.001), Some(1e-8))
    );
    assert!(adam["interpolates"].as_bool().unwrap(), "{adam}");
    assert!(adam["final_distance2"].as_f64().unwrap() > 1e-4, "{adam}");
    let tests: Vec<f64> = v["projections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["test_mse"].as_f64().unwrap())
        .collect();
    assert!(tests.windows(2).all(|w| w[0] < w[1]), "{tests:?}");
    assert_eq!(v["plots"].as_array().unwrap().len(), 3);
    // The sentences follow the numbers: a short Adam run does not interpolate; a short SGD
    // run does not converge.
    let says = |args: &[&str]| says("implicit_bias", &dir, args);
    let t = says(&[]);
    assert!(
        t.contains("it interpolates, but not with the minimum-norm interpolant."),
        "{t}"
    );
    assert!(
        t.contains("SGD at 0.1/beta, one sample per step, converges"),
        "{t}"
    );
    let t = says(&["--adam-steps", "100", "--sgd-steps", "1000"]);
    assert!(t.contains("it does not interpolate the points"), "{t}");
    assert!(
        t.contains("SGD at 0.1/beta, one sample per step, does not converge within 1000 steps"),
        "{t}"
    );
}

/// interpolation: with the default architecture, at least 80% of the data sets in R^15 are
/// interpolated to loss < 1e-8, and the NTK's smallest eigenvalue at initialization is
/// smaller in R^2 than in R^15.
#[test]
fn interpolation_succeeds_at_d_15_and_explains_small_d() {
    let v = json(
        "interpolation",
        &["--sets", "20", "--dims", "15,2", "--compare", "lbfgs"],
    );
    let studies = v["studies"].as_array().unwrap();
    assert!(
        studies[0]["fraction"].as_f64().unwrap() >= 0.8,
        "{}",
        studies[0]
    );
    let lam = |k: usize| studies[k]["ntk_lambda_min_median"].as_f64().unwrap();
    assert!(
        lam(1) < lam(0) / 10.0,
        "lambda_min: d = 2 {} vs d = 15 {}",
        lam(1),
        lam(0)
    );
    let out = run("interpolation", &["--activation", "swish"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--activation: \"swish\" is not one of tanh, relu, sigmoid")
    );
    // The default is the homework's gradient descent, with L-BFGS beside it.
    assert_eq!(v["optimizer"], "gd");
    assert_eq!(v["comparison"]["optimizer"], "lbfgs");
    // What the text says follows the numbers; no success prints "-" for the steps, not 0.
    let dir = temp_dir("interp");
    let says = |args: &[&str]| {
        let mut a = vec!["--sets", "4", "--compare", "none"];
        a.extend_from_slice(args);
        says("interpolation", &dir, &a)
    };
    let t = says(&["--dims", "15,2"]);
    assert!(
        t.contains("d = 15: gd interpolates 100% of the data sets: meets the homework's bar"),
        "{t}"
    );
    assert!(t.contains("Small d is harder"), "{t}");
    let t = says(&["--dims", "2", "--steps", "10"]);
    assert!(t.contains("-, -, -"), "{t}");
    assert!(t.contains("misses the homework's bar"), "{t}");
    let t = says(&["--dims", "15,14"]);
    assert!(t.contains("Small d is not harder here"), "{t}");
    let out = run("interpolation", &["--width", "100000000"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

/// loss_landscape as the course sets exercise 3e: a ReLU and a 4 sigmoid network trained by
/// full-batch SGD at 0.05 from one initial point, one N(0, I) direction for both; the study
/// over 10 seeds; the verdict follows the numbers (seed 0: both measures say ReLU; seed 1:
/// they disagree).
#[test]
fn loss_landscape_runs_exercise_3e_and_studies_seeds() {
    let v = json("loss_landscape", &[]);
    let nets = v["networks"].as_array().unwrap();
    assert_eq!(nets.len(), 2);
    assert_eq!(v["settings"]["lr"], 0.05);
    for n in nets {
        assert!(
            n["curvature_along_delta"].as_f64().unwrap().is_finite(),
            "{n}"
        );
        assert!(n["rise_at_t_1"].as_f64().unwrap() > 0.0, "{n}");
    }
    assert_eq!(v["plots"].as_array().unwrap().len(), 2);
    let dir = temp_dir("ll");
    let said = |seed: &str| {
        says(
            "loss_landscape",
            &dir,
            &["--seed", seed, "--seeds", "1", "--grid", "5"],
        )
    };
    assert!(said("0").contains("mostly ReLU, as the course found"));
    assert!(said("1").contains("the two measures disagree"));
    // The study's default is at least 10 seeds.
    let out = run(
        "loss_landscape",
        &["--json", "--grid", "3", "--out", dir.to_str().unwrap()],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["study"]["seeds"].as_u64().unwrap() >= 10);
    assert_eq!(v["study"]["runs"].as_array().unwrap().len(), 10);
}

/// mlp_choices as the course sets exercise 3: full-batch SGD for 2000 epochs, the course's
/// parameter counts (4 and 141), four step sizes per activation, six distinct initial points,
/// Adam (lr 0.1) below 1e-13 from each; what the text says of (a) and (c) flips with the
/// numbers (the initial points of seed 0 and seed 1).
#[test]
fn mlp_choices_runs_exercise_3_as_the_course_sets_it() {
    let dir = temp_dir("mlp");
    let go = |seed: &str| -> (Value, String) {
        let out = run(
            "mlp_choices",
            &["--json", "--seed", seed, "--out", dir.to_str().unwrap()],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let said = v["conclusions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        (v, said)
    };
    let (v, said) = go("0");
    assert_eq!(v["settings"]["epochs"], 2000);
    let a = v["a"].as_array().unwrap();
    assert_eq!(
        (a[0]["parameters"].as_u64(), a[1]["parameters"].as_u64()),
        (Some(4), Some(141))
    );
    let lrs: Vec<f64> = v["b"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["lr"].as_f64().unwrap())
        .collect();
    assert_eq!(lrs, [0.02, 0.05, 0.1, 0.3, 0.02, 0.05, 0.1, 0.3]);
    // Six initial points, six different runs (no two losses bitwise equal).
    let c: Vec<f64> = v["c"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["train_loss"].as_f64().unwrap())
        .collect();
    assert_eq!(c.len(), 6);
    for i in 0..6 {
        for j in 0..i {
            assert_ne!(c[i].to_bits(), c[j].to_bits(), "{c:?}");
        }
    }
    for r in v["d"]["adam"].as_array().unwrap() {
        assert_eq!(r["reached_1e-13"], true, "{r}");
        assert!(r["epochs"].as_u64().unwrap() <= 2000);
    }
    assert_eq!(v["plots"].as_array().unwrap().len(), 6);
    assert!(
        said.contains("(a) More parameters do not fit the points much more closely"),
        "{said}"
    );
    assert!(said.contains("(c) The initial point matters"), "{said}");
    let (_, said) = go("1");
    assert!(
        said.contains("(a) The 141-parameter network fits the 7 points far more closely"),
        "{said}"
    );
    assert!(
        said.contains("(c) The initial point hardly matters here"),
        "{said}"
    );
}

/// sin_poly_fit with seed 000's settings (features x and x^2 on 5 points in [2, 5], sum
/// reduction, SGD lr 0.01 with momentum 0.9 from a random start): the run diverges, and the
/// example quotes the bound 2(1+mu)/beta of the sum loss, beta from the crate's own algebra.
#[test]
fn sin_poly_fit_reproduces_seed_000s_divergence() {
    use tapegrad::data::poly_features;
    use tapegrad::linalg::mse_smoothness;
    // Seed 000's setup at step size `lr`, from its random start or from zeros.
    let seed_000 = |lr: &str, random_start: bool| {
        let mut args = vec![
            "--degree",
            "2",
            "--n",
            "5",
            "--reduction",
            "sum",
            "--lr",
            lr,
            "--momentum",
            "0.9",
        ];
        if random_start {
            args.extend(["--init", "random"]);
        }
        json("sin_poly_fit", &args)
    };
    let v = seed_000("0.01", true);
    let u = &v["your_run"];
    assert!(u["diverged_at_step"].as_u64().is_some(), "{u}");
    let x: Vec<f64> = (0..5).map(|i| 2.0 + 3.0 * i as f64 / 4.0).collect();
    let beta_sum = 5.0 * mse_smoothness(&poly_features(&x, 2));
    assert!((u["beta"].as_f64().unwrap() - beta_sum).abs() <= 1e-9 * beta_sum);
    let bound = 2.0 * 1.9 / beta_sum;
    assert!((u["stable_below"].as_f64().unwrap() - bound).abs() <= 1e-9 * bound);
    assert!(
        u["message"]
            .as_str()
            .unwrap()
            .contains("heavy-ball momentum mu = 0.9")
    );
    assert!((u["hessian_lambda_max"].as_f64().unwrap() - beta_sum).abs() <= 1e-8 * beta_sum);
    // Below the bound the same run stays finite.
    let v = seed_000(&format!("{}", 0.5 * bound), false);
    assert!(v["your_run"]["final_loss"].as_f64().unwrap().is_finite());
}

/// check_my_backprop: the hand-written backward pass passes as written, and each injected
/// bug is named in the block it breaks (and only there).
/// sin_poly_fit at a million points: the full-batch runs train on the 8 rows of
/// `linalg::mse_equivalent` (same loss and gradient), so it takes seconds even in the dev
/// profile, and L-BFGS still lands on the closed form.
#[test]
fn sin_poly_fit_scales_to_a_million_points() {
    let start = std::time::Instant::now();
    let v = json("sin_poly_fit", &["--n", "1000000"]);
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(v["training_rows"], 8);
    let lbfgs = v["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["optimizer"] == "L-BFGS (strong Wolfe)" && r["features"] == "standardized")
        .unwrap();
    assert!(lbfgs["distance"].as_f64().unwrap() < 1e-8, "{lbfgs}");
    assert!(secs < 60.0, "--n 1000000 took {secs:.1} s");
    // A size the machine cannot hold is refused up front, naming the memory it would need.
    if std::path::Path::new("/proc/meminfo").exists() {
        let out = run("sin_poly_fit", &["--n", "1000000000000"]);
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(
            err.contains("--n: 1000000000000 points need about 300000.0 GB"),
            "{err}"
        );
    }
}

/// speed: every figure is there, measured (positive, finite), with the kernel the CPU
/// selected; a bad --reps is refused.
#[test]
fn speed_reports_every_figure() {
    let v = json("speed", &[]);
    let kernel = v["kernel"].as_str().unwrap();
    assert!(["portable", "avx2+fma", "avx512"].contains(&kernel), "{v}");
    for key in [
        "w1_us_per_step",
        "w2_us_per_step",
        "w3_us_per_step",
        "w1_us_per_step_replay",
        "w2_us_per_step_replay",
        "w3_us_per_step_replay",
        "w4_qr_ms",
        "w4_lstsq_ms",
    ] {
        let t = v[key].as_f64().unwrap();
        assert!(t.is_finite() && t > 0.0, "{key}: {v}");
    }
    let w5 = v["w5"].as_array().unwrap();
    assert_eq!(w5[0]["n"], 64);
    assert!(w5[0]["gflops"].as_f64().unwrap() > 0.0, "{v}");
    assert!(
        w5[0]["by_kernel"]["portable"].as_f64().unwrap() > 0.0,
        "{v}"
    );
    let out = run("speed", &["--reps", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--reps: need 1 <= R <= 1000, got 0"));
    // One workload alone, for a profiler: measured and named, or refused at 0 steps.
    for (flag, name) in [
        ("--w1-only", "W1, reused tape"),
        ("--w2-only", "W2, Trainer"),
        ("--w3-only", "W3, reused tape"),
        ("--w1-replay-only", "W1, replay"),
        ("--w2-replay-only", "W2, Trainer replaying"),
        ("--w3-replay-only", "W3, replay"),
    ] {
        let out = run("speed", &[flag, "3"]);
        assert_eq!(out.status.code(), Some(0), "{flag}");
        let said = text(&out.stdout);
        assert!(
            said.starts_with(&format!("{name}, 3 steps")),
            "{flag}: {said}"
        );
        let out = run("speed", &[flag, "0"]);
        assert_eq!(out.status.code(), Some(2), "{flag} 0");
        assert!(
            text(&out.stderr).contains("need at least 1 step, got 0"),
            "{flag} 0"
        );
    }
}

#[test]
fn check_my_backprop_names_each_bug() {
    let diagnoses = |bug: &str| -> Vec<(String, String, Option<f64>)> {
        // A failed check exits 1 (it is a test), with its report on stdout all the same.
        let dir = temp_dir("check");
        let out = run(
            "check_my_backprop",
            &["--json", "--bug", bug, "--out", dir.to_str().unwrap()],
        );
        let want = if bug == "none" { 0 } else { 1 };
        assert_eq!(
            out.status.code(),
            Some(want),
            "{bug}: {}",
            text(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["passed"].as_bool(), Some(bug == "none"), "{bug}: {v}");
        let tape = v["max_difference_from_tape"].as_f64().unwrap();
        assert_eq!(tape < 1e-12, bug == "none", "{bug}: {tape}");
        assert!(Path::new(v["report"].as_str().unwrap()).exists());
        v["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["name"].as_str().unwrap().to_string(),
                    b["diagnosis"].as_str().unwrap().to_string(),
                    b["factor"].as_f64(),
                )
            })
            .collect()
    };
    let expect = |bug: &str, want: [(&str, &str); 4]| {
        let got = diagnoses(bug);
        let got: Vec<(&str, &str)> = got
            .iter()
            .map(|(n, d, _)| (n.as_str(), d.as_str()))
            .collect();
        assert_eq!(got, want, "--bug {bug}");
    };
    expect(
        "none",
        [
            ("0.weight", "correct"),
            ("0.bias", "correct"),
            ("2.weight", "correct"),
            ("2.bias", "correct"),
        ],
    );
    expect(
        "transpose",
        [
            ("0.weight", "transposed"),
            ("0.bias", "correct"),
            ("2.weight", "correct"),
            ("2.bias", "correct"),
        ],
    );
    expect(
        "activation",
        [
            ("0.weight", "wrong"),
            ("0.bias", "wrong"),
            ("2.weight", "correct"),
            ("2.bias", "correct"),
        ],
    );
    expect(
        "bias",
        [
            ("0.weight", "correct"),
            ("0.bias", "wrong"),
            ("2.weight", "correct"),
            ("2.bias", "wrong"),
        ],
    );
    for (name, diagnosis, factor) in diagnoses("factor2") {
        assert_eq!(diagnosis, "factor", "{name}");
        assert!((factor.unwrap() - 2.0).abs() < 1e-9, "{name}: {factor:?}");
    }
    let out = run("check_my_backprop", &["--bug", "sign"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--bug: \"sign\" is not none, activation"));
}

/// flat_vs_sharp (exercise 5): GD from 5 with the course's phases ends where plain Python's
/// GD ends (tests/fixtures/flat_vs_sharp/gd.py), inside the sharp basin; SGD leaves it in
/// most runs; each conclusion the text states flips when the numbers do.
#[test]
fn flat_vs_sharp_runs_the_course_exercise_and_says_what_it_found() {
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/flat_vs_sharp/gd.json").unwrap(),
    )
    .unwrap();
    let dir = temp_dir("fvs");
    let out = run("flat_vs_sharp", &["--json", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (got, py) = (
        v["gd"]["final_x"].as_f64().unwrap(),
        want["final_x"].as_f64().unwrap(),
    );
    assert!(
        (got - py).abs() <= 1e-12,
        "GD ends at {got}, Python at {py}"
    );
    assert_eq!(v["gd"]["in_sharp_basin"], true);
    assert_eq!(v["settings"]["steps"], 2000);
    assert_eq!(v["settings"]["lr"], 0.001);
    assert!(v["study"]["seeds"].as_u64().unwrap() >= 100);
    assert!(v["study"]["fraction_left"].as_f64().unwrap() > 0.5, "{v}");
    // The flat minimum is near 0 and lower than the sharp one near 5.
    let (flat, sharp) = (&v["minima"]["flat"], &v["minima"]["sharp"]);
    assert!(
        flat["x"].as_f64().unwrap().abs() < 0.5 && (sharp["x"].as_f64().unwrap() - 5.0).abs() < 0.1
    );
    assert!(flat["f"].as_f64().unwrap() < sharp["f"].as_f64().unwrap());
    assert_eq!(v["plots"].as_array().unwrap().len(), 3);
    // The verdict follows the numbers: the course's picture, a step too small to escape, a
    // start outside the basin.
    for (args, verdict) in [
        (
            &[][..],
            "As the course says: SGD escapes the sharp minimum most of the time, GD does not.",
        ),
        (
            &["--lr", "0.0001"][..],
            "Unlike the course's claim, SGD escapes in at most half",
        ),
        (&["--x0", "4.4"][..], "Here GD leaves the sharp basin too"),
    ] {
        let mut a = vec!["--out", dir.to_str().unwrap(), "--seeds", "40"];
        a.extend_from_slice(args);
        let out = run("flat_vs_sharp", &a);
        let t = text(&out.stdout);
        assert!(t.contains(verdict), "{args:?}: {t}");
    }
}

/// sin_poly_fit says what its numbers say about crawling: by default standardizing helps GD
/// but leaves a gap (cond(H) = 6e4); with a line (degree 1) standardized GD reaches the
/// closed form. Its help reproduces seed 000's question.
#[test]
fn sin_poly_fit_says_what_the_numbers_say() {
    let dir = temp_dir("crawl");
    let says = |args: &[&str]| says("sin_poly_fit", &dir, args);
    let t = says(&[]);
    assert!(
        t.contains("Standardizing brings GD") && t.contains("but it still crawls"),
        "{t}"
    );
    let t = says(&["--degree", "1"]);
    assert!(
        t.contains("Standardized, GD reaches the closed form; on raw features it crawls."),
        "{t}"
    );
    let help = text(&run("sin_poly_fit", &["--help"]).stdout);
    assert!(help.contains("--degree 2 --n 3 --noise 0.2 --reduction sum --lr 0.01 --momentum 0.9 --init random --steps 1000"), "{help}");
}

/// gd_sgd_schedules says what its runs show, from their numbers: with 100 GD steps GD has not
/// reached the least-squares solution, with the default it has; the lengths run are named.
#[test]
fn gd_sgd_schedules_says_what_its_runs_show() {
    let dir = temp_dir("gds");
    let says = |args: &[&str]| {
        let mut a = vec!["--sgd-steps", "3000"];
        a.extend_from_slice(args);
        says("gd_sgd_schedules", &dir, &a)
    };
    let t = says(&[]);
    assert!(
        t.contains("GD from 0 reaches the least-squares solution"),
        "{t}"
    );
    assert!(
        t.contains("shorter or longer than the course's 100000 and 700000"),
        "{t}"
    );
    let t = says(&["--gd-steps", "100"]);
    assert!(t.contains("GD from 0 is still"), "{t}");
    assert!(
        !t.contains("GD from 0 reaches the least-squares solution"),
        "{t}"
    );
}

/// save_and_load --load reads the architecture from the file's metadata: crafted sizes are an
/// error naming the file (issue 31, C7: they panicked four ways, one allocating without bound).
#[test]
fn save_and_load_refuses_crafted_metadata() {
    use tapegrad::io::safetensors;
    use tapegrad::nn::Params;
    let dir = temp_dir("crafted");
    let mut params = Params::new();
    params.add("0.weight", &tapegrad::Tensor::zeros(1, 1));
    for sizes in ["0,1", "1", "2,1", "1,100000000,100000000,1", "1,x"] {
        let path = dir.join("m.safetensors");
        safetensors::save(&params, &path, &[("sizes", sizes), ("activation", "tanh")]).unwrap();
        let out = run("save_and_load", &["--load", path.to_str().unwrap()]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{sizes}: {err}");
        assert!(
            err.contains("m.safetensors: ") && !err.contains("panicked"),
            "{sizes}: {err}"
        );
    }
}

/// optimal_step and kernel_lstsq say what their numbers say: at lr 1e-3 alpha* is hundreds of
/// times the lr, at lr 1 it is below it; 500 L-BFGS iterations drop W4's loss by orders of
/// magnitude with w still far from w*, one iteration does not.
#[test]
fn optimal_step_and_kernel_lstsq_say_what_the_numbers_say() {
    let dir = temp_dir("said");
    let t = says("optimal_step", &dir, &["--epochs", "1"]);
    assert!(
        t.contains("the lr is far below the locally optimal step"),
        "{t}"
    );
    let t = says("optimal_step", &dir, &["--epochs", "1", "--lr", "1"]);
    assert!(
        t.contains("the lr is above the locally optimal step"),
        "{t}"
    );
    let t = says("kernel_lstsq", &dir, &["--iters", "100"]);
    assert!(t.contains("while w stays"), "{t}");
    let t = says("kernel_lstsq", &dir, &["--iters", "1"]);
    assert!(
        t.contains("In this run the loss fell only by a factor"),
        "{t}"
    );
}

/// custom_op: the two hand-written ops pass gradcheck and gradgradcheck, agree with the
/// built-in softplus and matmul_nt, replay as recorded, and the drawings name them with their
/// formulas.
#[test]
fn custom_op_passes_every_check_and_is_drawn() {
    let dir = temp_dir("custom_op");
    let out = run("custom_op", &["--json", "--out", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passed"].as_bool(), Some(true), "{v}");
    for check in ["gradcheck", "gradgradcheck"] {
        assert!(v[check]["max_rel_error"].as_f64().unwrap() < 1e-6, "{v}");
    }
    assert!(
        v["max_difference_from_builtin"].as_f64().unwrap() < 1e-12,
        "{v}"
    );
    assert!(
        v["max_difference_replay_vs_recording"].as_f64().unwrap() < 1e-12,
        "{v}"
    );
    for file in ["svg", "html"] {
        let page = std::fs::read_to_string(v[file].as_str().unwrap()).unwrap();
        assert!(
            page.contains("my_softplus") && page.contains("my_linear"),
            "{file}"
        );
    }
    let html = std::fs::read_to_string(v["html"].as_str().unwrap()).unwrap();
    assert!(
        html.contains("dY W,  dW = dYᵀ X"),
        "the page shows the op's formula"
    );
}

/// `speed_grid` times the three forms of every cell, and all compute the same step: the loss
/// of the 10th step from the initial weights agrees (the check the peers' script makes too).
#[test]
fn speed_grid_times_every_form_of_every_cell_on_the_same_step() {
    let round = json("speed_grid", &[]);
    assert_eq!(round["side"], "tapegrad");
    let results = round["results"].as_array().unwrap();
    assert_eq!(results.len(), 2 * 2 * 3, "{round}");
    for h in [4, 8] {
        for b in [1, 3] {
            let of = |name: &str| {
                results
                    .iter()
                    .find(|r| r["impl"] == name && r["H"] == h && r["B"] == b)
                    .unwrap_or_else(|| panic!("no {name} at H {h}, B {b}: {round}"))
            };
            let forms = [
                of("tapegrad tape"),
                of("tapegrad replay"),
                of("tapegrad fused"),
            ];
            let losses = forms.map(|r| r["loss_at_10"].as_f64().unwrap());
            for l in losses {
                let lt = losses[0];
                assert!(
                    (lt - l).abs() <= 1e-12 * lt.abs(),
                    "H {h}, B {b}: {losses:?}"
                );
            }
            // The fused step is the replay and the update, bit for bit.
            assert_eq!(losses[1].to_bits(), losses[2].to_bits(), "H {h}, B {b}");
            for r in forms {
                let (best, median) = (
                    r["best_us"].as_f64().unwrap(),
                    r["median_us"].as_f64().unwrap(),
                );
                assert!(best > 0.0 && best <= median, "{r}");
            }
        }
    }
}

/// `speed_grid --plot` judges each cell best against best over the rounds: the replay's best
/// over the fastest peer's, and says "ahead" or "behind" from that number.
#[test]
fn speed_grid_plot_computes_each_ratio_from_the_best_runs() {
    let dir = temp_dir("grid-plot");
    let line = |side: &str, rows: &[(&str, u32, u32, f64)]| {
        let results: Vec<Value> = rows
            .iter()
            .map(|&(name, h, b, us)| {
                serde_json::json!({"impl": name, "H": h, "B": b, "best_us": us, "median_us": us * 1.1})
            })
            .collect();
        serde_json::json!({"side": side, "cpu": "test CPU", "results": results}).to_string()
    };
    let file = dir.join("grid.jsonl");
    let text_in = [
        line(
            "tapegrad",
            &[
                ("tapegrad replay", 16, 1, 3.0),
                ("tapegrad tape", 16, 1, 4.0),
                ("tapegrad replay", 16, 32, 10.0),
            ],
        ),
        line(
            "peers",
            &[
                ("JAX scan", 16, 1, 2.0),
                ("PyTorch", 16, 1, 100.0),
                ("JAX scan", 16, 32, 20.0),
            ],
        ),
        // A second round: the replay's best of the two rounds is 2.5 at (16, 1); the fused
        // step is slower there, faster at (16, 32), where the cell is judged by it.
        line(
            "tapegrad",
            &[
                ("tapegrad replay", 16, 1, 2.5),
                ("tapegrad fused", 16, 1, 2.7),
                ("tapegrad tape", 16, 1, 5.0),
                ("tapegrad replay", 16, 32, 11.0),
                ("tapegrad fused", 16, 32, 8.0),
            ],
        ),
    ]
    .join("\n");
    std::fs::write(&file, text_in).unwrap();
    let out = run(
        "speed_grid",
        &[
            "--plot",
            file.to_str().unwrap(),
            "--json",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cells = v["cells"].as_array().unwrap();
    let at = |b: u32| cells.iter().find(|c| c["B"] == b).unwrap();
    assert_eq!(at(1)["ratio"].as_f64().unwrap(), 2.5 / 2.0);
    assert_eq!(at(1)["best_peer"], "JAX scan");
    assert_eq!(at(1)["tape_us"].as_f64().unwrap(), 4.0);
    assert_eq!(at(1)["form"], "replay");
    assert_eq!(at(32)["ratio"].as_f64().unwrap(), 8.0 / 20.0);
    assert_eq!(at(32)["form"], "fused");
    assert!(dir.join("speed_grid_ratios.svg").exists());
    let table = says("speed_grid", &dir, &["--plot", file.to_str().unwrap()]);
    assert!(
        table.contains("| 16 | 1 |") && table.contains("1.25 (behind)"),
        "{table}"
    );
    assert!(
        table.contains("0.40 (ahead)") && table.contains("in 1 of 2 cells"),
        "{table}"
    );

    // A line that is not JSON: exit 1 with the file and the line.
    std::fs::write(&file, "{\"results\": []}\nnot json\n").unwrap();
    let out = run(
        "speed_grid",
        &[
            "--plot",
            file.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(&format!("{}:2: not JSON", file.display())),
        "{}",
        text(&out.stderr)
    );
    // A bad list of sizes: exit 2 naming the flag.
    let out = run("speed_grid", &["--h", "16,x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--h: need a comma-separated list of sizes"));
}
