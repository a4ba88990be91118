//! The scaling grid: how the cost of one training step grows with the model. An MLP
//! `[64, H, H, 10]` (ReLU, MSE mean, SGD lr 1e-3, full batch) for `H` in 16, 64, 256, 1024
//! and batch `B` in 1, 32, 256, one thread, timed two ways:
//!
//! - `tape`: recorded every step on one cleared tape, `backward_into`, `Sgd::step` (what
//!   `Trainer` does without `.replay(true)`);
//! - `replay`: recorded once, then `Replay::run` and `Sgd::step` (what `.replay(true)` does);
//! - `fused`: recorded once, then `Replay::step` (the same arithmetic, the update compiled
//!   with the passes).
//!
//! Each figure is the best (and the median) of `--reps` timed runs of enough steps to last
//! `--target-ms`, after one untimed run. The peers' side is `benches/peer_grid.py` (PyTorch,
//! JAX's jitted step and `lax.scan`), on the same data and initial weights, which this program
//! writes with `--write-data DIR`; `benches/grid.sh` alternates the two sides and `--plot`
//! draws the ratios from what they printed.
//!
//! ```text
//! cargo run --release --example speed_grid -- --json
//! cargo run --release --example speed_grid -- --write-data /tmp/grid
//! cargo run --release --example speed_grid -- --plot benches/peer_results/grid.jsonl
//! ```

#[macro_use]
mod common;
#[path = "speed_grid/plot.rs"]
mod plot;

use common::{Args, Cli};
use serde_json::{Value, json};
use std::path::Path;
use std::rc::Rc;
use std::time::Instant;
use tapegrad::linalg::matmul;
use tapegrad::nn::{Activation, Module, Params, Reduction, Sequential, mlp, mse};
use tapegrad::optim::{Optimizer, Sgd};
use tapegrad::replay::Replay;
use tapegrad::{Rng, Tape, Tensor};

const ABOUT: &str = "Times one SGD step of an MLP [64, H, H, 10] (ReLU, MSE mean, full batch B) \
for each H and B, recorded on the tape every step and replayed, one thread: the best and the \
median of --reps runs. --write-data writes the seeded data and weights for the peers \
(benches/peer_grid.py); --plot draws the ratios of a results file (benches/grid.sh).";

/// The step size of every cell: small enough that no cell diverges over any run.
const LR: f64 = 1e-3;
const INPUTS: usize = 64;
const OUTPUTS: usize = 10;

/// A cell's seeded data `(x: B x 64, y: B x 10)` and initial weights.
fn cell(h: usize, b: usize) -> (Tensor, Tensor, Params, Sequential) {
    let mut rng = Rng::new(1000 * h as u64 + b as u64);
    let x = Tensor::rand_normal(b, INPUTS, 0.0, 1.0, &mut rng);
    let y = Tensor::rand_normal(b, OUTPUTS, 0.0, 1.0, &mut rng);
    let mut params = Params::new();
    let model =
        mlp(&[INPUTS, h, h, OUTPUTS], Activation::Relu).build(&mut params, &mut Rng::new(0));
    (x, y, params, model)
}

/// A timed form of the step: `steps` steps from the current parameters, the last loss.
type Runner<'a> = Box<dyn FnMut(&mut Params, usize) -> f64 + 'a>;

/// The tape's step: record on one cleared tape, `backward_into`, update.
fn taped<'a>(model: &'a Sequential, x: &Rc<Tensor>, y: &Rc<Tensor>) -> Runner<'a> {
    let (x, y) = (Rc::clone(x), Rc::clone(y));
    let (mut tape, mut opt) = (Tape::new(), Sgd::new(LR));
    let mut grad = Vec::new();
    Box::new(move |params, steps| {
        grad.resize(params.len(), 0.0);
        let mut loss = f64::NAN;
        for _ in 0..steps {
            tape.clear();
            let theta = tape.params(params);
            let l = mse(
                model.forward(&theta, tape.constant(&x)),
                tape.constant(&y),
                Reduction::Mean,
            );
            loss = l.item();
            tape.backward_into(l, &theta, &mut grad);
            opt.step(params.as_mut_slice(), &grad)
                .expect("lr 1e-3 does not diverge");
        }
        loss
    })
}

/// The step recorded once (here, untimed) on a tape of its own, for a replay.
fn record(model: &Sequential, params: &Params, (x, y): (&Rc<Tensor>, &Rc<Tensor>)) -> Replay {
    let tape = Tape::new();
    let theta = tape.params(params);
    let l = mse(
        model.forward(&theta, tape.constant(x)),
        tape.constant(y),
        Reduction::Mean,
    );
    Replay::new(&tape, l, &theta)
}

/// The replay's step: recorded once, then `Replay::run` and update.
fn replayed<'a>(model: &Sequential, params: &Params, x: &Rc<Tensor>, y: &Rc<Tensor>) -> Runner<'a> {
    let mut replay = record(model, params, (x, y));
    let (mut opt, mut grad) = (Sgd::new(LR), vec![0.0; params.len()]);
    Box::new(move |params, steps| {
        let mut loss = f64::NAN;
        for _ in 0..steps {
            loss = replay.run(params.as_slice(), &mut grad);
            opt.step(params.as_mut_slice(), &grad)
                .expect("lr 1e-3 does not diverge");
        }
        loss
    })
}

/// The fused step: recorded once, then `Replay::step` (the passes and the update in one
/// call, the update compiled with the passes).
fn fused<'a>(model: &Sequential, params: &Params, x: &Rc<Tensor>, y: &Rc<Tensor>) -> Runner<'a> {
    let mut replay = record(model, params, (x, y));
    let (mut opt, mut grad) = (Sgd::new(LR), vec![0.0; params.len()]);
    Box::new(move |params, steps| {
        let mut loss = f64::NAN;
        for _ in 0..steps {
            loss = replay
                .step(params.as_mut_slice(), &mut grad, &mut opt)
                .expect("lr 1e-3 does not diverge");
        }
        loss
    })
}

/// Best and median microseconds per step of `reps` runs, each of enough steps for `target`
/// seconds (sized on untimed runs first: 3 steps, then 4 times more until a quarter of
/// `target`), the steps per run, the last loss, and the loss of the 10th step.
fn time(run: &mut Runner<'_>, params: &mut Params, reps: usize, target: f64) -> Value {
    // 10 steps from the initial weights: their last loss is the same on every side (a check
    // that all compute one thing).
    let check = run(params, 10);
    let mut steps = 3;
    let elapsed = loop {
        let t = Instant::now();
        run(params, steps);
        let elapsed = t.elapsed().as_secs_f64();
        if elapsed >= target / 4.0 || steps >= 100_000 {
            break elapsed;
        }
        steps *= 4;
    };
    let steps = ((steps as f64 * target / elapsed.max(1e-9)).ceil() as usize).clamp(3, 100_000);
    let mut loss = f64::NAN;
    let mut us: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            loss = run(params, steps);
            t.elapsed().as_secs_f64() / steps as f64 * 1e6
        })
        .collect();
    us.sort_by(f64::total_cmp);
    json!({"best_us": us[0], "median_us": us[us.len() / 2], "steps": steps, "runs": reps, "last_loss": loss, "loss_at_10": check})
}

/// This CPU as `/proc/cpuinfo` names it, with its family and model and whether it has
/// AVX-512F ("unknown" where there is no such file).
fn cpu() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        info.lines()
            .find(|l| l.split(':').next().is_some_and(|k| k.trim() == name))
            .and_then(|l| l.split_once(':'))
            .map_or("?".to_string(), |(_, v)| v.trim().to_string())
    };
    if info.is_empty() {
        return "unknown".into();
    }
    let avx512 = field("flags").split(' ').any(|f| f == "avx512f");
    format!(
        "{} (family {}, model {}){}",
        field("model name"),
        field("cpu family"),
        field("model"),
        if avx512 { ", AVX-512F" } else { "" }
    )
}

/// A comma-separated list of sizes from `--flag`, each in `1..=4096`.
fn sizes(args: &Args, flag: &str) -> Vec<usize> {
    let raw: String = args.get(flag);
    let parsed: Option<Vec<usize>> = raw.split(',').map(|s| s.trim().parse().ok()).collect();
    match parsed {
        Some(v) if !v.is_empty() && v.iter().all(|n| (1..=4096).contains(n)) => v,
        _ => args.fail(&format!(
            "--{flag}: need a comma-separated list of sizes in 1..=4096, got {raw:?}"
        )),
    }
}

/// `DIR/H{h}_B{b}/`: `x.npy`, `y.npy` and the parameters in order, `p0.npy`, `p1.npy`, ...
/// (each weight `out x in`, each bias `1 x out`).
fn write_data(args: &Args, dir: &Path, hs: &[usize], bs: &[usize]) {
    for &h in hs {
        for &b in bs {
            let (x, y, params, _) = cell(h, b);
            let at = dir.join(format!("H{h}_B{b}"));
            if let Err(e) = std::fs::create_dir_all(&at) {
                eprintln!("speed_grid: cannot create directory {}: {e}", at.display());
                std::process::exit(1);
            }
            args.check(tapegrad::io::npy::write(at.join("x.npy"), &x));
            args.check(tapegrad::io::npy::write(at.join("y.npy"), &y));
            for (i, p) in params.tensors().iter().enumerate() {
                args.check(tapegrad::io::npy::write(at.join(format!("p{i}.npy")), p));
            }
        }
    }
}

fn main() {
    let args = Cli::new("speed_grid", ABOUT)
        .flag("h", "LIST", "16,64,256,1024", "hidden widths H")
        .flag("b", "LIST", "1,32,256", "batch sizes B")
        .flag(
            "forms",
            "LIST",
            "tape,replay,fused",
            "which forms of the step to time: tape, replay, fused (any of them)",
        )
        .flag(
            "reps",
            "R",
            25,
            "timed runs per figure, the best and the median reported (1..=1000)",
        )
        .flag(
            "target-ms",
            "MS",
            20.0,
            "length of one timed run, in milliseconds (0.1..=10000)",
        )
        .optional(
            "steps",
            "N",
            "run N steps of each form from the initial weights and time nothing (for a profiler: valgrind --tool=callgrind)",
        )
        .optional(
            "write-data",
            "DIR",
            "write each cell's data and initial weights as .npy into DIR, time nothing",
        )
        .optional(
            "plot",
            "FILE",
            "draw the ratios of a results file (JSON lines of both sides), time nothing",
        )
        .example("cargo run --release --example speed_grid -- --json")
        .example("cargo run --release --example speed_grid -- --h 16,64 --b 1 --reps 5")
        .example(
            "cargo run --release --example speed_grid -- --plot benches/peer_results/grid.jsonl",
        )
        .parse();
    let (hs, bs) = (sizes(&args, "h"), sizes(&args, "b"));
    let forms: String = args.get("forms");
    let forms: Vec<&str> = forms.split(',').map(str::trim).collect();
    if forms.is_empty()
        || !forms
            .iter()
            .all(|f| ["tape", "replay", "fused"].contains(f))
    {
        args.fail(&format!(
            "--forms: need a list of tape, replay and fused, got {:?}",
            forms.join(",")
        ));
    }
    let reps: usize = args.get("reps");
    if !(1..=1000).contains(&reps) {
        args.fail(&format!("--reps: need 1 <= R <= 1000, got {reps}"));
    }
    let target_ms: f64 = args.get("target-ms");
    if !(0.1..=10_000.0).contains(&target_ms) {
        args.fail(&format!(
            "--target-ms: need 0.1 <= MS <= 10000, got {target_ms}"
        ));
    }
    if let Some(dir) = args.opt::<std::path::PathBuf>("write-data") {
        write_data(&args, &dir, &hs, &bs);
        outln!("wrote {} cells to {}", hs.len() * bs.len(), dir.display());
        return;
    }
    if let Some(file) = args.opt::<std::path::PathBuf>("plot") {
        return plot::plot(&args, &file);
    }
    if cfg!(debug_assertions) {
        eprintln!("speed_grid: built without --release: these are the dev profile's figures");
    }
    matmul::set_threads(1);
    let mut results = Vec::new();
    for &h in &hs {
        for &b in &bs {
            let (x, y, start, model) = cell(h, b);
            let (x, y) = (Rc::new(x), Rc::new(y));
            let runners: [(&str, Runner<'_>); 3] = [
                ("tapegrad tape", taped(&model, &x, &y)),
                ("tapegrad replay", replayed(&model, &start, &x, &y)),
                ("tapegrad fused", fused(&model, &start, &x, &y)),
            ];
            for (name, mut run) in runners {
                if !forms.contains(&name.trim_start_matches("tapegrad ")) {
                    continue;
                }
                let mut params = start.clone();
                if let Some(steps) = args.opt::<usize>("steps") {
                    let loss = run(&mut params, steps);
                    outln!("H {h:5}  B {b:4}  {name:16} {steps} steps, last loss {loss:.6}");
                    continue;
                }
                let mut r = time(&mut run, &mut params, reps, target_ms / 1e3);
                r["impl"] = json!(name);
                r["H"] = json!(h);
                r["B"] = json!(b);
                if !args.json() {
                    outln!(
                        "H {h:5}  B {b:4}  {name:16} {:10.2} us/step best, {:10.2} median ({} steps a run)",
                        r["best_us"].as_f64().unwrap_or(f64::NAN),
                        r["median_us"].as_f64().unwrap_or(f64::NAN),
                        r["steps"]
                    );
                }
                results.push(r);
            }
        }
    }
    let round = json!({
        "side": "tapegrad",
        "cpu": cpu(),
        "kernel": matmul::MatmulKernel::best().name(),
        "release": !cfg!(debug_assertions),
        "lr": LR,
        "results": results,
    });
    args.write_file(
        &args.out_dir().join("speed_grid.json"),
        &format!("{round:#}\n"),
    );
    if args.json() {
        outln!("{round}");
    }
}
