//! How far is SGD's step size from the locally optimal one?
//!
//! A 10-5-1 ReLU MLP on 1000 standard-normal samples (inputs and targets, as the peer
//! workload W2) is trained with SGD (batch 32, lr 1e-3, seeded). Every few steps, on the
//! current minibatch loss L with gradient g, the quadratic model along d = −g,
//!
//! ```text
//! L(θ + α d) ≈ L(θ) + α dᵀg + (α²/2) dᵀHd,   minimized at   α* = −dᵀg / dᵀHd = gᵀg / gᵀHg,
//! ```
//!
//! needs the curvature `gᵀHg`: an exact Hessian-vector product by reverse mode over the
//! reverse pass (`tapegrad::hessian::optimal_step`). The table puts α* beside the lr.
//!
//! ```text
//! cargo run --example optimal_step
//! cargo run --example optimal_step -- --epochs 10 --every 4 --lr 1e-2 --json
//! ```

#[macro_use]
mod common;

use common::{Args, Cli};
use serde_json::{Value, json};
use tapegrad::Rng;
use tapegrad::hessian::optimal_step;
use tapegrad::nn::{Activation, Module, Params, Reduction, Sequential, Theta, mlp, mse};
use tapegrad::optim::sampling::Minibatches;
use tapegrad::optim::{Diverged, Optimizer, Sgd};
use tapegrad::plot::{self, Marker, Panel, Series};
use tapegrad::{Tape, Tensor};

#[derive(Clone, Debug)]
struct Config {
    epochs: usize,
    every: usize,
    lr: f64,
    batch: usize,
    seed: u64,
}

const ABOUT: &str = "How far is SGD's step size from the locally optimal one? A 10-5-1 ReLU MLP on \
1000 standard-normal samples is trained with SGD; every few steps, the step alpha* = g'g / g'Hg \
that minimizes the quadratic model of the minibatch loss along -g is measured with an exact \
Hessian-vector product (reverse mode over the reverse pass) and set beside the learning rate.";

fn parse_args() -> (Config, Args) {
    let args = Cli::new("optimal_step", ABOUT)
        .flag("epochs", "E", 5, "epochs of SGD")
        .flag("every", "K", 5, "measure alpha* every K steps (>= 1)")
        .flag("lr", "LR", 1e-3, "SGD learning rate (> 0)")
        .flag("batch", "B", 32, "minibatch size (1..=1000)")
        .flag(
            "seed",
            "S",
            0,
            "seed of the data, the initial weights and the batches",
        )
        .example("cargo run --example optimal_step")
        .example("cargo run --example optimal_step -- --epochs 10 --every 4 --lr 1e-2 --json")
        .parse();
    let c = Config {
        epochs: args.get("epochs"),
        every: args.get("every"),
        lr: args.get("lr"),
        batch: args.get("batch"),
        seed: args.get("seed"),
    };
    if c.every == 0 {
        args.fail("--every: need K >= 1, got 0");
    }
    if !(1..=1000).contains(&c.batch) {
        args.fail(&format!("--batch: need 1 <= B <= 1000, got {}", c.batch));
    }
    if c.lr <= 0.0 {
        args.fail(&format!("--lr: need a learning rate > 0, got {}", c.lr));
    }
    (c, args)
}

/// One measurement: at `step`, on that step's minibatch.
#[derive(Clone, Debug)]
struct Row {
    step: usize,
    epoch: usize,
    loss: f64,
    grad_norm: f64,
    /// `gᵀHg / gᵀg`: the curvature along the gradient direction.
    curvature: f64,
    /// `α* = gᵀg / gᵀHg`, if the curvature is positive.
    alpha: Option<f64>,
}

/// The minibatch loss on the tape, with the parameters given as separate inputs.
fn batch_loss<'t>(
    tape: &'t Tape,
    vars: &[tapegrad::Var<'t>],
    params: &Params,
    model: &Sequential,
    x: &Tensor,
    y: &Tensor,
) -> tapegrad::Var<'t> {
    let theta = Theta::from_vars(params, vars);
    mse(
        model.forward(&theta, tape.constant(x)),
        tape.constant(y),
        Reduction::Mean,
    )
}

fn run(c: &Config) -> Result<Vec<Row>, Diverged> {
    let mut rng = Rng::new(c.seed);
    let x = Tensor::rand_normal(1000, 10, 0.0, 1.0, &mut rng);
    let y = Tensor::rand_normal(1000, 1, 0.0, 1.0, &mut rng);
    let mut params = Params::new();
    let model = mlp(&[10, 5, 1], Activation::Relu).build(&mut params, &mut rng);
    let mut opt = Sgd::new(c.lr);
    let mut batches = Minibatches::new(1000, c.batch, c.seed + 1);
    let mut rows = Vec::new();
    for epoch in 0..c.epochs {
        for idx in batches.epoch() {
            let (xb, yb) = (x.index_select(&idx), y.index_select(&idx));
            let step = opt.steps();
            // g on this minibatch, in the layout of θ (one tensor per parameter, and flat).
            let tape = Tape::new();
            let vars: Vec<_> = params.tensors().iter().map(|t| tape.leaf(t)).collect();
            let loss = batch_loss(&tape, &vars, &params, &model, &xb, &yb);
            let grads = tape.backward(loss);
            if step % c.every == 0 {
                // d = −g, then α* from one Hessian-vector product.
                let d: Vec<Tensor> = vars.iter().map(|&v| grads[v].neg()).collect();
                let s = optimal_step(
                    |t, v| batch_loss(t, v, &params, &model, &xb, &yb),
                    &params.tensors(),
                    &d,
                );
                let gtg = -s.slope;
                rows.push(Row {
                    step,
                    epoch,
                    loss: s.value,
                    grad_norm: gtg.sqrt(),
                    curvature: s.curvature / gtg,
                    alpha: s.alpha,
                });
            }
            let grad: Vec<f64> = vars
                .iter()
                .flat_map(|&v| grads[v].as_slice().to_vec())
                .collect();
            opt.step(params.as_mut_slice(), &grad)?;
        }
    }
    Ok(rows)
}

fn table(c: &Config, rows: &[Row]) -> String {
    let mut s = format!(
        "10-5-1 ReLU MLP, 1000 standard-normal samples, SGD lr {} batch {}, seed {}.\n\
         alpha* = g'g / g'Hg minimizes the quadratic model of the minibatch loss along -g.\n\n",
        c.lr, c.batch, c.seed
    );
    s += &format!(
        "{:>6} {:>6} {:>12} {:>11} {:>12} {:>12} {:>10}\n",
        "step", "epoch", "batch loss", "||g||", "g'Hg/g'g", "alpha*", "alpha*/lr"
    );
    for r in rows {
        let (alpha, ratio) = match r.alpha {
            Some(a) => (format!("{a:.4e}"), format!("{:.1}", a / c.lr)),
            None => ("n/a".into(), "(g'Hg<=0)".into()),
        };
        s += &format!(
            "{:>6} {:>6} {:>12.6} {:>11.4e} {:>12.4e} {:>12} {:>10}\n",
            r.step, r.epoch, r.loss, r.grad_norm, r.curvature, alpha, ratio
        );
    }
    let alphas: Vec<f64> = rows.iter().filter_map(|r| r.alpha).collect();
    if !alphas.is_empty() {
        let mut sorted = alphas.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        let ratio = median / c.lr;
        // Said from the ratio: within a factor 1.5 the lr is close to alpha*.
        let verdict = if ratio > 10.0 {
            "the lr is far below the locally optimal step"
        } else if ratio > 1.5 {
            "the lr is below the locally optimal step"
        } else if ratio >= 1.0 / 1.5 {
            "the lr is close to the locally optimal step"
        } else {
            "the lr is above the locally optimal step"
        };
        s += &format!("\nmedian alpha* = {median:.4e}: {ratio:.3}x the lr; {verdict}.\n");
    }
    s
}

fn to_json(c: &Config, rows: &[Row]) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({ "step": r.step, "epoch": r.epoch, "loss": r.loss, "grad_norm": r.grad_norm,
                    "curvature": r.curvature, "alpha_star": r.alpha })
        })
        .collect();
    json!({ "lr": c.lr, "batch": c.batch, "seed": c.seed, "rows": rows })
}

/// alpha* at each measured step (dots joined), beside the learning rate (a reference line).
fn plot(c: &Config, rows: &[Row]) -> Panel {
    let points: Vec<(f64, f64)> = rows
        .iter()
        .filter_map(|r| r.alpha.map(|a| (r.step as f64, a)))
        .collect();
    plot::lines(
        "Locally optimal step alpha* along -g vs the SGD learning rate",
        ("SGD step", "step size"),
        &[Series::new("alpha* = g'g / g'Hg (minibatch)", points).marker(Marker::Circle)],
    )
    .log_y()
    .hline(c.lr, &format!("learning rate {}", c.lr))
}

fn main() {
    let (c, args) = parse_args();
    let rows = run(&c).unwrap_or_else(|e| {
        eprintln!("optimal_step: SGD with lr {}: {e}", c.lr);
        std::process::exit(1);
    });
    let path = args.out_dir().join("alpha_star.svg");
    args.check(plot(&c, &rows).save(&path));
    if args.json() {
        let mut json = to_json(&c, &rows);
        json["plots"] = json!([path]);
        outln!("{json}");
        return;
    }
    out!("{}", table(&c, &rows));
    outln!("\nPlot: {}", path.display());
}
