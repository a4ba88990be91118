//! Exercise 3 a-d: what the choices of an MLP change, on the course's 7 points: under- vs
//! over-parameterized, ReLU vs 4·sigmoid at several step sizes (with a test set), several
//! initial points, and SGD vs Adam with a stop at loss < 1e-13.
//!
//! ```text
//! cargo run --example mlp_choices
//! ```

#[macro_use]
mod common;

use common::Cli;
use serde_json::{Value, json};
use tapegrad::nn::{Activation, Init, Module, Params, Sequential, mlp};
use tapegrad::optim::{Adam, Optimizer, Sgd};
use tapegrad::plot::{self, Series};
use tapegrad::train::{Batches, Stopped, Trainer};
use tapegrad::{Rng, Tensor};

const ABOUT: &str = "Exercise 3 a-d on the course's 7 points (y = sin(5x) e^|2x| / 10): an \
under-parameterized 1-1-1 network against an over-parameterized 1-10-10-1 one; ReLU against \
4 sigmoid at several step sizes, with the error on a test set between the points; several \
initial points; single-sample SGD against Adam, stopped at loss < 1e-13. The fits are drawn \
on [-1.1, 1.1] and on [-11, 11], where they extrapolate.";

fn truth(t: f64) -> f64 {
    (5.0 * t).sin() * (2.0 * t).abs().exp() / 10.0
}

struct Fit {
    name: String,
    model: Sequential,
    params: Params,
    loss: f64,
    steps: usize,
    stopped: Stopped,
}

fn train(
    name: &str,
    (sizes, act, seed): (&[usize], Activation, u64),
    (opt, batches): (&mut dyn Optimizer, Batches),
    steps: usize,
    data: (&Tensor, &Tensor),
) -> Fit {
    let mut params = Params::new();
    let model = mlp(&mut params, sizes, act, &Init::PyTorch, &mut Rng::new(seed));
    let report = Trainer::new(&model, data.0, data.1)
        .batches(batches)
        .seed(seed)
        .steps(steps)
        .loss_below(1e-13)
        .run(&mut params, opt)
        .unwrap_or_else(|e| {
            eprintln!("mlp_choices: {name}: {e}");
            std::process::exit(1)
        });
    let loss = mse_of(&model, &params, data.0, data.1);
    Fit {
        name: name.to_string(),
        model,
        params,
        loss,
        steps: report.steps,
        stopped: report.stopped,
    }
}

fn mse_of(model: &Sequential, params: &Params, x: &Tensor, y: &Tensor) -> f64 {
    model
        .predict(params, x)
        .sub(y)
        .as_slice()
        .iter()
        .map(|e| e * e)
        .sum::<f64>()
        / x.rows() as f64
}

fn main() {
    let args = Cli::new("mlp_choices", ABOUT)
        .flag("steps", "K", 20_000, "steps of each training run")
        .example("cargo run --release --example mlp_choices -- --steps 200000")
        .parse();
    let steps: usize = args.get("steps");
    let xs: Vec<f64> = (0..7).map(|i| -1.0 + 2.0 * i as f64 / 6.0).collect();
    let x = Tensor::column(&xs);
    let y = x.map(truth);
    let xt = Tensor::from_fn(50, 1, |i, _| -1.0 + 2.0 * (i as f64 + 0.5) / 50.0);
    let yt = xt.map(truth);
    let data = (&x, &y);
    let relu = Activation::Relu;
    let sig4 = Activation::Sigmoid.scaled(4.0);
    let mut report = serde_json::Map::new();

    // (a) Under- vs over-parameterized.
    let small = train(
        "1-1-1, 4 sigmoid",
        (&[1, 1, 1], sig4.clone(), 0),
        (&mut Adam::new(1e-2), Batches::Full),
        steps,
        data,
    );
    let big = train(
        "1-10-10-1, 4 sigmoid",
        (&[1, 10, 10, 1], sig4.clone(), 0),
        (&mut Adam::new(1e-2), Batches::Full),
        steps,
        data,
    );
    report.insert(
        "a".into(),
        json!([
            { "network": small.name, "parameters": small.params.len(), "loss": small.loss },
            { "network": big.name, "parameters": big.params.len(), "loss": big.loss },
        ]),
    );
    // (b) ReLU vs 4 sigmoid at several step sizes, with the test error.
    let mut b = Vec::new();
    for (act_name, act) in [("ReLU", relu.clone()), ("4 sigmoid", sig4.clone())] {
        for lr in [1e-3, 1e-2, 1e-1] {
            let fit = train(
                &format!("{act_name}, GD lr {lr}"),
                (&[1, 10, 10, 1], act.clone(), 0),
                (&mut Sgd::new(lr), Batches::Full),
                steps,
                data,
            );
            b.push(json!({ "activation": act_name, "lr": lr, "loss": fit.loss, "test_mse": mse_of(&fit.model, &fit.params, &xt, &yt) }));
        }
    }
    report.insert("b".into(), Value::Array(b));
    // (c) Several initial points.
    let c: Vec<Value> = (0..5)
        .map(|seed| {
            let fit = train("seed", (&[1, 10, 10, 1], sig4.clone(), seed), (&mut Adam::new(1e-2), Batches::Full), steps, data);
            json!({ "seed": seed, "loss": fit.loss, "test_mse": mse_of(&fit.model, &fit.params, &xt, &yt) })
        })
        .collect();
    report.insert("c".into(), Value::Array(c));
    // (d) SGD vs Adam, stopped at loss < 1e-13.
    let sgd = train(
        "SGD (one sample, lr 0.01)",
        (&[1, 10, 10, 1], sig4.clone(), 0),
        (&mut Sgd::new(1e-2), Batches::Sampled(1)),
        steps,
        data,
    );
    let adam = train(
        "Adam (lr 0.01)",
        (&[1, 10, 10, 1], sig4.clone(), 0),
        (&mut Adam::new(1e-2), Batches::Full),
        steps,
        data,
    );
    let stop = |f: &Fit| json!({ "optimizer": f.name, "loss": f.loss, "steps": f.steps, "reached_1e-13": f.stopped == Stopped::LossBelow });
    report.insert("d".into(), json!([stop(&sgd), stop(&adam)]));

    let dir = args.out_dir();
    let paths = [dir.join("fits.svg"), dir.join("fits_wide.svg")];
    for (path, lim) in [(&paths[0], 1.1), (&paths[1], 11.0)] {
        let grid: Vec<f64> = (0..=400)
            .map(|i| -lim + 2.0 * lim * i as f64 / 400.0)
            .collect();
        let g = Tensor::column(&grid);
        let curve = |f: &Fit| {
            let p = f.model.predict(&f.params, &g);
            Series::new(
                &f.name,
                grid.iter()
                    .zip(p.as_slice())
                    .map(|(&a, &b)| (a, b))
                    .collect(),
            )
        };
        // The course's limits: y in [-1.5, 1.5] on [-1.1, 1.1], y in [-11, 11] on [-11, 11].
        // The truth, sin(5x) e^{|2x|} / 10, is drawn on the narrow range only: on the wide
        // one it swings to +-3.6e8 (the course does not draw it there either).
        let wide = lim > 2.0;
        let y_lim = if wide { 11.0 } else { 1.5 };
        let mut curves = Vec::new();
        if !wide {
            curves.push(Series::new(
                "the truth",
                grid.iter().map(|&t| (t, truth(t))).collect(),
            ));
        }
        curves.extend([&small, &big, &sgd, &adam].iter().map(|f| curve(f)));
        let panel = plot::fit(
            &format!("Fits on [-{lim}, {lim}]"),
            (&xs, y.as_slice()),
            &curves,
        )
        .xlim(-lim, lim)
        .ylim(-y_lim, y_lim);
        args.check(panel.save(path));
    }
    report.insert("plots".into(), json!(paths));
    if args.json() {
        outln!("{}", Value::Object(report));
        return;
    }
    let num = |v: &Value| v.as_f64().map_or("-".into(), |f| format!("{f:.3e}"));
    outln!("(a) Under- vs over-parameterized (Adam, {steps} steps):");
    for r in report["a"].as_array().unwrap() {
        outln!(
            "    {:<24} {:>4} parameters   loss {}",
            r["network"].as_str().unwrap(),
            r["parameters"],
            num(&r["loss"])
        );
    }
    outln!(
        "(b) Activation and step size (GD, 1-10-10-1): train loss, test MSE on 50 points between"
    );
    for r in report["b"].as_array().unwrap() {
        outln!(
            "    {:<10} lr {:<6} loss {:>10}   test {:>10}",
            r["activation"].as_str().unwrap(),
            r["lr"].as_f64().unwrap(),
            num(&r["loss"]),
            num(&r["test_mse"])
        );
    }
    outln!("(c) Initial points (4 sigmoid, Adam):");
    for r in report["c"].as_array().unwrap() {
        outln!(
            "    seed {}   loss {:>10}   test {:>10}",
            r["seed"],
            num(&r["loss"]),
            num(&r["test_mse"])
        );
    }
    outln!("(d) SGD vs Adam, stopped at loss < 1e-13:");
    for r in report["d"].as_array().unwrap() {
        let reached = if r["reached_1e-13"].as_bool() == Some(true) {
            format!("reached in {} steps", r["steps"])
        } else {
            format!("not reached in {steps} steps",)
        };
        outln!(
            "    {:<26} loss {:>10}   {reached}",
            r["optimizer"].as_str().unwrap(),
            num(&r["loss"])
        );
    }
    outln!(
        "\nThe 1-1-1 network cannot bend enough to pass through 7 points; 141 parameters can. Between"
    );
    outln!(
        "the points the fits differ with the activation, the step size and the start: the data do not"
    );
    outln!(
        "pin them down, and far outside [-1, 1] (the wide plot) every network extrapolates on its own."
    );
    outln!("\nPlots: {}, {}", paths[0].display(), paths[1].display());
}
