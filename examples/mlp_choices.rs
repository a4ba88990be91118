//! Exercise 3 a-d as the course sets it, on its 7 points (x evenly spaced on [-1, 1],
//! y = sin(5x) e^|2x| / 10) with test points `x + N(0, 0.3²)`: every network trained by
//! full-batch SGD (the course's DataLoader holds all 7 points) for 2000 epochs from PyTorch's
//! initialization.
//!
//! - (a) an under-parameterized 1-1-1 ReLU network (4 parameters) against the 1-10-10-1 one (141);
//! - (b) ReLU against 4·sigmoid on the 1-10-10-1 network at lr 0.02, 0.05, 0.1 and 0.3;
//! - (c) six initial points, ReLU, lr 0.05;
//! - (d) SGD (0.05) against Adam (0.1) from the same six initial points, stopped below 1e-13.
//!
//! Each part draws the training and the test loss against epochs, and the fits on
//! [-1.1, 1.1] (y in [-1.5, 1.5]) and [-11, 11] (y in [-11, 11]).
//!
//! ```text
//! cargo run --example mlp_choices
//! ```

#[macro_use]
mod common;

use common::Cli;
use serde_json::{Value, json};
use tapegrad::nn::{Activation, Module, Params, Reduction, Sequential, mlp};
use tapegrad::optim::Stop;
use tapegrad::optim::{Adam, Optimizer, Sgd};
use tapegrad::plot::{self, Figure, Panel, Series};
use tapegrad::train::{History, Loss, TestLoss, Trainer};
use tapegrad::{Rng, Tensor};

const ABOUT: &str = "Exercise 3 a-d with the course's settings, on its 7 points with test points \
x + N(0, 0.3^2): (a) a 1-1-1 ReLU network against the 1-10-10-1 one; (b) ReLU against 4 sigmoid \
at lr 0.02, 0.05, 0.1, 0.3; (c) six initial points; (d) SGD (lr 0.05) against Adam (lr 0.1) from \
the same initial points, stopped below 1e-13. Full-batch SGD, 2000 epochs, PyTorch's init. Each \
part draws the training and test loss against epochs and the fits on [-1.1, 1.1] and [-11, 11]; \
what the runs show is said from their numbers.";

fn truth(t: f64) -> f64 {
    (5.0 * t).sin() * (2.0 * t).abs().exp() / 10.0
}

/// One training run and what it left.
struct Run {
    name: String,
    model: Sequential,
    params: Params,
    train: History,
    test: History,
    stopped: Option<Stop>,
    diverged_at: Option<usize>,
}

impl Run {
    fn train_loss(&self) -> f64 {
        self.train.last_loss()
    }
    fn test_loss(&self) -> f64 {
        self.test.last_loss()
    }
    fn epochs(&self) -> usize {
        self.train.len()
    }
    fn json(&self) -> Value {
        json!({ "name": self.name, "parameters": self.params.len(), "epochs": self.epochs(),
                "train_loss": self.train_loss(), "test_loss": self.test_loss(),
                "reached_1e-13": self.stopped == Some(Stop::LossBelow), "diverged_at": self.diverged_at })
    }
}

/// The data: the course's 7 points and 7 test points `x + N(0, 0.3²)`.
struct Data {
    x: Tensor,
    y: Tensor,
    xt: Tensor,
    yt: Tensor,
}

/// Trains `sizes` with `act` from the initial point `seed` (PyTorch's init) by `opt`, full
/// batch, one step per epoch, for `epochs` (or until the loss is below `stop`).
#[allow(clippy::too_many_arguments)]
fn train(
    name: &str,
    sizes: &[usize],
    act: &Activation,
    seed: u64,
    opt: &mut dyn Optimizer,
    epochs: usize,
    stop: Option<f64>,
    d: &Data,
) -> Run {
    let mut params = Params::new();
    let model = mlp(sizes, act.clone()).build(&mut params, &mut Rng::new(seed));
    let mut train = History::new(name);
    let mut test = TestLoss::new(
        name,
        &model,
        &params,
        (&d.xt, &d.yt),
        Loss::Mse(Reduction::Mean),
        1,
    );
    let mut trainer = Trainer::new(&model, &d.x, &d.y)
        .steps(epochs)
        .observe(&mut train)
        .observe(&mut test);
    if let Some(tol) = stop {
        trainer = trainer.loss_below(tol);
    }
    let (stopped, diverged_at) = match trainer.run(&mut params, opt) {
        Ok(r) => (Some(r.stop), None),
        Err(e) => (None, Some(e.step)),
    };
    let test = test.history;
    Run {
        name: name.to_string(),
        model,
        params,
        train,
        test,
        stopped,
        diverged_at,
    }
}

/// A log-y panel of one loss (train or test) of each run against epochs.
fn losses(title: &str, runs: &[&Run], test: bool) -> Panel {
    // A diverged run is drawn up to a loss of 1e3 and named so: its last losses (1e306) would
    // spread the axis over three hundred decades.
    let series: Vec<Series> = runs
        .iter()
        .map(|r| {
            let h = if test { &r.test } else { &r.train };
            let name = match r.diverged_at {
                Some(k) => format!("{}, diverged at epoch {k}", r.name),
                None => r.name.clone(),
            };
            let pts = h.steps.iter().zip(&h.losses).map(|(&k, &l)| (k as f64, l));
            let pts: Vec<(f64, f64)> = match r.diverged_at {
                Some(_) => pts.take_while(|p| p.1 <= 1e3).collect(),
                None => pts.collect(),
            };
            Series::new(&name, pts)
        })
        .collect();
    let what = if test { "test loss" } else { "training loss" };
    plot::lines(title, ("epoch", what), &series)
        .log_y()
        .size(440.0, 280.0)
}

/// The fits of `runs` over the data (black) and the test points (blue) on [-lim, lim], with the
/// course's y limits.
fn fits(title: &str, runs: &[&Run], d: &Data, lim: f64) -> Panel {
    let grid: Vec<f64> = (0..=400)
        .map(|i| -lim + 2.0 * lim * i as f64 / 400.0)
        .collect();
    let g = Tensor::column(&grid);
    let mut curves: Vec<Series> = runs
        .iter()
        .map(|r| {
            let p = r.model.predict(&r.params, &g);
            Series::new(
                &r.name,
                grid.iter()
                    .copied()
                    .zip(p.as_slice().iter().copied())
                    .collect(),
            )
        })
        .collect();
    let test: Vec<(f64, f64)> =
        d.xt.as_slice()
            .iter()
            .copied()
            .zip(d.yt.as_slice().iter().copied())
            .collect();
    // Blue dots, as the course draws its test points ('bo').
    curves.push(Series::dots("test points", test).color((0, 0, 230)));
    let y_lim = if lim > 2.0 { 11.0 } else { 1.5 };
    plot::fit(title, (d.x.as_slice(), d.y.as_slice()), &curves)
        .xlim(-lim, lim)
        .ylim(-y_lim, y_lim)
        .size(440.0, 280.0)
}

/// The course's 2x2 for a set of runs: training and test loss, fits near and far.
fn figure(title: &str, runs: &[&Run], d: &Data) -> Figure {
    Figure::new(title)
        .row([
            losses("training loss", runs, false),
            losses("test loss", runs, true),
        ])
        .row([
            fits("fits on [-1.1, 1.1]", runs, d, 1.1),
            fits("fits on [-11, 11]", runs, d, 11.0),
        ])
}

fn spread(runs: &[Run], f: impl Fn(&Run) -> f64) -> (f64, f64) {
    runs.iter()
        .map(f)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        })
}

fn main() {
    let args = Cli::new("mlp_choices", ABOUT)
        .flag(
            "epochs",
            "K",
            2000,
            "epochs of each run, one full-batch step each (the course: 2000)",
        )
        .flag(
            "inits",
            "M",
            6,
            "initial points in (c) and (d) (the course: 6)",
        )
        .flag(
            "seed",
            "S",
            0,
            "seed of the test points' noise; initial point k is seeded S + k",
        )
        .example("cargo run --example mlp_choices")
        .example("cargo run --example mlp_choices -- --epochs 5000 --inits 10 --json")
        .parse();
    let (epochs, inits, seed): (usize, usize, u64) =
        (args.get("epochs"), args.get("inits"), args.get("seed"));
    if !(1..=1_000_000).contains(&epochs) {
        args.fail(&format!("--epochs: need 1 <= K <= 1000000, got {epochs}"));
    }
    if !(1..=50).contains(&inits) {
        args.fail(&format!("--inits: need 1 <= M <= 50, got {inits}"));
    }
    let xs: Vec<f64> = (0..7).map(|i| -1.0 + 2.0 * i as f64 / 6.0).collect();
    let x = Tensor::column(&xs);
    let mut rng = Rng::new(seed);
    let xt = Tensor::column(
        &xs.iter()
            .map(|v| v + 0.3 * rng.normal())
            .collect::<Vec<_>>(),
    );
    let d = Data {
        y: x.map(truth),
        yt: xt.map(truth),
        x,
        xt,
    };
    let (relu, sig4) = (Activation::Relu, Activation::Sigmoid.scaled(4.0));
    let big = [1, 10, 10, 1];
    let dir = args.out_dir();
    let mut plots = Vec::new();
    let mut save = |name: &str, fig: Figure| {
        let path = dir.join(name);
        args.check(fig.save(&path));
        plots.push(path);
    };

    // (a) Under- vs over-parameterized, ReLU, SGD 0.05.
    let a = [
        train(
            "1-1-1 (4 parameters)",
            &[1, 1, 1],
            &relu,
            seed,
            &mut Sgd::new(0.05),
            epochs,
            None,
            &d,
        ),
        train(
            "1-10-10-1 (141 parameters)",
            &big,
            &relu,
            seed,
            &mut Sgd::new(0.05),
            epochs,
            None,
            &d,
        ),
    ];
    save(
        "a_capacity.svg",
        figure(
            "(a) under- vs over-parameterized, ReLU, SGD lr 0.05",
            &a.iter().collect::<Vec<_>>(),
            &d,
        ),
    );
    // (b) ReLU vs 4 sigmoid at four step sizes, each from the same initial point.
    let lrs = [0.02, 0.05, 0.1, 0.3];
    let mut b: Vec<(String, f64, Run)> = Vec::new();
    for (act_name, act) in [("ReLU", &relu), ("4 sigmoid", &sig4)] {
        for lr in lrs {
            let run = train(
                &format!("lr {lr}"),
                &big,
                act,
                seed,
                &mut Sgd::new(lr),
                epochs,
                None,
                &d,
            );
            b.push((act_name.to_string(), lr, run));
        }
    }
    let of = |act: &str| {
        b.iter()
            .filter(|r| r.0 == act)
            .map(|r| &r.2)
            .collect::<Vec<_>>()
    };
    let (b_relu, b_sig) = (of("ReLU"), of("4 sigmoid"));
    save(
        "b_losses.svg",
        Figure::new("(b) ReLU against 4 sigmoid: training and test loss per lr")
            .row([
                losses("ReLU: training loss", &b_relu, false),
                losses("4 sigmoid: training loss", &b_sig, false),
            ])
            .row([
                losses("ReLU: test loss", &b_relu, true),
                losses("4 sigmoid: test loss", &b_sig, true),
            ]),
    );
    save(
        "b_fits.svg",
        Figure::new("(b) ReLU against 4 sigmoid: fits per lr")
            .row([
                fits("ReLU on [-1.1, 1.1]", &b_relu, &d, 1.1),
                fits("4 sigmoid on [-1.1, 1.1]", &b_sig, &d, 1.1),
            ])
            .row([
                fits("ReLU on [-11, 11]", &b_relu, &d, 11.0),
                fits("4 sigmoid on [-11, 11]", &b_sig, &d, 11.0),
            ]),
    );
    // (c) Six initial points, ReLU, SGD 0.05.
    let c: Vec<Run> = (0..inits as u64)
        .map(|k| {
            train(
                &format!("init {k}"),
                &big,
                &relu,
                seed + k,
                &mut Sgd::new(0.05),
                epochs,
                None,
                &d,
            )
        })
        .collect();
    save(
        "c_inits.svg",
        figure(
            "(c) six initial points, ReLU, SGD lr 0.05",
            &c.iter().collect::<Vec<_>>(),
            &d,
        ),
    );
    // (d) SGD 0.05 against Adam 0.1 from the same initial points, stopped below 1e-13.
    let d_run = |adam: bool| -> Vec<Run> {
        (0..inits as u64)
            .map(|k| {
                let name = format!("init {k}");
                if adam {
                    train(
                        &name,
                        &big,
                        &relu,
                        seed + k,
                        &mut Adam::new(0.1),
                        epochs,
                        Some(1e-13),
                        &d,
                    )
                } else {
                    train(
                        &name,
                        &big,
                        &relu,
                        seed + k,
                        &mut Sgd::new(0.05),
                        epochs,
                        Some(1e-13),
                        &d,
                    )
                }
            })
            .collect()
    };
    let (d_sgd, d_adam) = (d_run(false), d_run(true));
    save(
        "d_sgd.svg",
        figure(
            "(d) SGD lr 0.05, stopped below 1e-13",
            &d_sgd.iter().collect::<Vec<_>>(),
            &d,
        ),
    );
    save(
        "d_adam.svg",
        figure(
            "(d) Adam lr 0.1, stopped below 1e-13",
            &d_adam.iter().collect::<Vec<_>>(),
            &d,
        ),
    );

    // What the runs show, each sentence from the numbers.
    let mut said = Vec::new();
    let (small_l, big_l) = (a[0].train_loss(), a[1].train_loss());
    said.push(if big_l < small_l / 10.0 {
        format!("(a) The 141-parameter network fits the 7 points far more closely than the 4-parameter one: training loss {big_l:.2e} against {small_l:.2e}.")
    } else {
        format!("(a) More parameters do not fit the points much more closely here: training loss {big_l:.2e} against {small_l:.2e}.")
    });
    let best = b
        .iter()
        .filter(|r| r.2.test_loss().is_finite())
        .min_by(|p, q| p.2.test_loss().total_cmp(&q.2.test_loss()));
    if let Some((act, lr, run)) = best {
        said.push(format!(
            "(b) The lowest test loss: {act} at lr {lr}, {:.2e} (training loss {:.2e}).",
            run.test_loss(),
            run.train_loss()
        ));
    }
    for (act, lr, run) in &b {
        if let Some(k) = run.diverged_at {
            said.push(format!("    {act} at lr {lr} diverged at epoch {k}."));
        }
    }
    let relu_faster = lrs
        .iter()
        .filter(|&&lr| {
            let at = |act: &str| {
                b.iter()
                    .find(|r| r.0 == act && r.1 == lr)
                    .map_or(f64::NAN, |r| r.2.train_loss())
            };
            at("ReLU") < at("4 sigmoid")
        })
        .count();
    said.push(format!(
        "    ReLU ends with the lower training loss at {relu_faster} of the {} step sizes.",
        lrs.len()
    ));
    let (lo, hi) = spread(&c, Run::test_loss);
    let (tlo, thi) = spread(&c, Run::train_loss);
    said.push(if hi > 2.0 * lo {
        format!("(c) The initial point matters: over {inits} initial points the test loss ranges from {lo:.2e} to {hi:.2e} (training loss {tlo:.2e} to {thi:.2e}).")
    } else {
        format!("(c) The initial point hardly matters here: over {inits} initial points the test loss stays within {lo:.2e} to {hi:.2e}.")
    });
    let reached = |runs: &[Run]| {
        let mut e: Vec<usize> = runs
            .iter()
            .filter(|r| r.stopped == Some(Stop::LossBelow))
            .map(Run::epochs)
            .collect();
        e.sort_unstable();
        (e.len(), e.get(e.len() / 2).copied())
    };
    let ((ns, ms), (na, ma)) = (reached(&d_sgd), reached(&d_adam));
    let median = |m: Option<usize>| m.map_or("-".to_string(), |e| e.to_string());
    said.push(format!(
        "(d) Below 1e-13 within {epochs} epochs: SGD in {ns} of {inits} runs (median epochs {}), Adam in {na} of {inits} (median {}).",
        median(ms),
        median(ma)
    ));
    said.push(match (ma, ms) {
        (Some(a), Some(s)) if a < s => "    Adam gets there in fewer epochs.".to_string(),
        (Some(_), Some(_)) => "    Adam does not get there in fewer epochs.".to_string(),
        (Some(_), None) => "    Only Adam gets there.".to_string(),
        (None, Some(_)) => "    Only SGD gets there.".to_string(),
        (None, None) => "    Neither gets there.".to_string(),
    });

    if args.json() {
        let runs = |v: &[Run]| v.iter().map(Run::json).collect::<Vec<_>>();
        outln!(
            "{}",
            json!({
                "settings": { "epochs": epochs, "inits": inits, "seed": seed, "batch": "full (7 points)", "init": "PyTorch" },
                "test_x": d.xt.as_slice(),
                "a": runs(&a),
                "b": b.iter().map(|(act, lr, r)| { let mut v = r.json(); v["activation"] = json!(act); v["lr"] = json!(lr); v }).collect::<Vec<_>>(),
                "c": runs(&c), "d": { "sgd": runs(&d_sgd), "adam": runs(&d_adam) },
                "conclusions": said, "plots": plots,
            })
        );
        return;
    }
    outln!(
        "The course's 7 points; test points x + N(0, 0.3^2); full-batch training, {epochs} epochs, PyTorch's init.\n"
    );
    outln!(
        "{:<40} {:>10} {:>14} {:>14}",
        "run",
        "epochs",
        "training loss",
        "test loss"
    );
    let row = |part: &str, r: &Run| {
        outln!(
            "{:<40} {:>10} {:>14.4e} {:>14.4e}",
            format!("{part} {}", r.name),
            r.epochs(),
            r.train_loss(),
            r.test_loss()
        );
    };
    a.iter().for_each(|r| row("(a)", r));
    b.iter()
        .for_each(|(act, _, r)| row(&format!("(b) {act},"), r));
    c.iter().for_each(|r| row("(c) ReLU, SGD 0.05,", r));
    d_sgd.iter().for_each(|r| row("(d) SGD 0.05,", r));
    d_adam.iter().for_each(|r| row("(d) Adam 0.1,", r));
    outln!();
    for s in &said {
        outln!("{s}");
    }
    outln!("\nPlots: {}", dir.display());
}
