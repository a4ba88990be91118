//! How fast is it here? The figures a user can reproduce in seconds, one thread, f64:
//!
//! - W1: one training step of a 1-10-10-1 ReLU MLP on 7 points (full-batch SGD, MSE mean):
//!   per-op overhead; with one tape cleared per step and `backward_into` (no allocation after
//!   the first step), and with a new tape per step (the plain form);
//! - W2: one step of `Trainer` on a 10-5-1 ReLU MLP, 1000 points in consecutive batches of 32,
//!   Adam: the training loop's own overhead on top of a small step;
//! - W3: one step of a 15-64-64-1 ReLU MLP on 20 points (GD, MSE sum): small matmuls;
//! - W1, W2 and W3 again replayed (`tapegrad::replay::Replay`, recorded once; W2 with
//!   `Trainer::replay`): the step with no recording at all;
//! - W5: square matmul GFLOP/s at n = 256, 512, 1024, with the kernel the machine selected and
//!   every kernel it supports;
//! - W4: the 600 x 600 QR (blocked; pivoted only if the rank is in doubt) and the least-squares solve of the Gaussian-kernel problem.
//!
//! Each figure is the median of `--reps` timed runs, on one thread (`matmul::set_threads(1)`),
//! and the matmul and QR once more with all cores. Build with `--release`: the dev profile
//! measures the compiler's debug settings, not the machine.
//!
//! ```text
//! cargo run --release --example speed
//! cargo run --release --example speed -- --json
//! ```

#[macro_use]
mod common;

use common::Cli;
use serde_json::{Value, json};
use std::hint::black_box;
use std::rc::Rc;
use std::time::Instant;
use tapegrad::linalg::matmul::{self, MatmulKernel};
use tapegrad::linalg::{Qr, lstsq};
use tapegrad::nn::{Activation, Module, Params, Reduction, Sequential, mlp, mse};
use tapegrad::optim::{Adam, Optimizer, Sgd};
use tapegrad::replay::Replay;
use tapegrad::train::{Batches, Trainer};
use tapegrad::{Rng, Tape, Tensor};

const W4_POINTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/w4_points.npy");

const ABOUT: &str = "Measures, on this machine, one thread: the W1, W2 and W3 training steps (us per \
step), square matmul GFLOP/s at n = 256, 512, 1024 for the selected kernel and every kernel \
the CPU supports, and the 600x600 QR and least-squares solve of W4. Each figure is the median \
of --reps runs; the matmul and QR are measured once more on all cores. Run it with --release.";

/// The median wall time of `reps` calls of `f`, in seconds.
fn median_secs(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// How a step records and differentiates.
#[derive(Clone, Copy)]
enum Form {
    /// A new tape per step and `tape.backward(loss).flat(&theta)`: the plain form.
    FreshTape,
    /// One tape cleared per step and `tape.backward_into(loss, &theta, &mut grad)`: no
    /// allocation after the first step.
    ReusedTape,
    /// The step recorded once and run again with [`Replay::run`]: no recording at all.
    Replay,
}

/// `steps` full-batch steps of `model` on `(x, y)` with plain gradient descent (forward,
/// backward, flat gradient, update), in `form`.
fn train(
    params: &mut Params,
    model: &Sequential,
    (x, y): (&Rc<Tensor>, &Rc<Tensor>),
    (reduction, lr, steps): (Reduction, f64, usize),
    form: Form,
) -> f64 {
    let mut opt = Sgd::new(lr);
    let mut loss = f64::NAN;
    let mut tape = Tape::new();
    let mut grad = vec![0.0; params.len()];
    if let Form::Replay = form {
        let theta = tape.params(params);
        let l = mse(
            model.forward(&theta, tape.constant(x)),
            tape.constant(y),
            reduction,
        );
        let mut replay = Replay::new(&tape, l, &theta);
        for _ in 0..steps {
            loss = replay.run(params.as_slice(), &mut grad);
            opt.step(params.as_mut_slice(), &grad)
                .expect("the speed workloads do not diverge");
        }
        return loss;
    }
    for _ in 0..steps {
        match form {
            Form::Replay => unreachable!("replayed above"),
            Form::FreshTape => tape = Tape::new(),
            Form::ReusedTape => tape.clear(),
        }
        let theta = tape.params(params);
        let l = mse(
            model.forward(&theta, tape.constant(x)),
            tape.constant(y),
            reduction,
        );
        loss = l.item();
        match form {
            Form::FreshTape => grad = tape.backward(l).flat(&theta),
            Form::ReusedTape | Form::Replay => tape.backward_into(l, &theta, &mut grad),
        }
        opt.step(params.as_mut_slice(), &grad)
            .expect("the speed workloads do not diverge");
    }
    loss
}

fn model(sizes: &[usize], seed: u64) -> (Params, Sequential) {
    let mut params = Params::new();
    let model = mlp(sizes, Activation::Relu).build(&mut params, &mut Rng::new(seed));
    (params, model)
}

/// Microseconds per training step of a run of `steps` steps (each run from the same start).
fn us_per_step(
    reps: usize,
    sizes: &[usize],
    (x, y): (&Tensor, &Tensor),
    run: (Reduction, f64, usize),
    form: Form,
) -> f64 {
    let (start, net) = model(sizes, 0);
    let (x, y) = (Rc::new(x.clone()), Rc::new(y.clone()));
    let secs = median_secs(reps, || {
        let mut params = start.clone();
        black_box(train(&mut params, &net, (&x, &y), run, form));
    });
    secs / run.2 as f64 * 1e6
}

/// Microseconds per step of W2: `Trainer` running `steps` Adam steps (lr 1e-3) of a 10-5-1 ReLU
/// MLP over 1000 seeded random points in consecutive batches of 32 (the data are cut into
/// batches once per run, inside the timing, as a user's run does), recording every step or
/// (`replay`) replaying one recording per batch size.
fn w2_us_per_step(reps: usize, steps: usize, replay: bool) -> f64 {
    let mut rng = Rng::new(2);
    let x = Tensor::rand_normal(1000, 10, 0.0, 1.0, &mut rng);
    let y = Tensor::rand_normal(1000, 1, 0.0, 1.0, &mut rng);
    let (start, net) = model(&[10, 5, 1], 0);
    let secs = median_secs(reps, || {
        let mut params = start.clone();
        let report = Trainer::new(&net, &x, &y)
            .batches(Batches::Sequential(32))
            .steps(steps)
            .replay(replay)
            .run(&mut params, &mut Adam::new(1e-3))
            .expect("W2 does not diverge");
        black_box(report);
    });
    secs / steps as f64 * 1e6
}

/// GFLOP/s of `C += A B` for `n x n` matrices with `kernel`.
fn gflops(reps: usize, n: usize, kernel: MatmulKernel) -> f64 {
    let mut rng = Rng::new(n as u64);
    let a = Tensor::rand_normal(n, n, 0.0, 1.0, &mut rng);
    let b = Tensor::rand_normal(n, n, 0.0, 1.0, &mut rng);
    let mut c = vec![0.0; n * n];
    let secs = median_secs(reps, || {
        kernel.gemm(n, n, n, a.as_slice(), b.as_slice(), &mut c);
        black_box(&c);
    });
    2.0 * (n as f64).powi(3) / secs / 1e9
}

/// W4's 600 x 600 Gaussian kernel matrix `exp(−||p_i − p_j||² / (2 · 0.5²)) + 1e-6 δ_ij`.
fn w4_matrix(p: &Tensor) -> Tensor {
    Tensor::from_fn(p.rows(), p.rows(), |i, j| {
        let d2: f64 = (0..p.cols()).map(|c| (p[(i, c)] - p[(j, c)]).powi(2)).sum();
        (-d2 / (2.0 * 0.5 * 0.5)).exp() + if i == j { 1e-6 } else { 0.0 }
    })
}

/// The workloads one can run alone, for a profiler (`--FLAG STEPS`): the flag, the name
/// printed, and its help.
const ALONE: [(&str, &str, &str); 6] = [
    (
        "w1-only",
        "W1, reused tape",
        "run only W1 (the reused tape) for STEPS steps and print us/step: for a profiler, e.g. valgrind --tool=callgrind",
    ),
    (
        "w2-only",
        "W2, Trainer",
        "run only W2 (Trainer) for STEPS steps and print us/step: for a profiler",
    ),
    (
        "w3-only",
        "W3, reused tape",
        "run only W3 (the reused tape) for STEPS steps and print us/step: for a profiler",
    ),
    (
        "w1-replay-only",
        "W1, replay",
        "run only W1 as a replay (recorded once) for STEPS steps and print us/step",
    ),
    (
        "w2-replay-only",
        "W2, Trainer replaying",
        "run only W2 with Trainer::replay for STEPS steps and print us/step",
    ),
    (
        "w3-replay-only",
        "W3, replay",
        "run only W3 as a replay (recorded once) for STEPS steps and print us/step",
    ),
];

fn main() {
    let cli = Cli::new("speed", ABOUT)
        .flag(
            "reps",
            "R",
            5,
            "timed runs per figure, the median reported (1..=1000)",
        )
        .switch(
            "quick",
            "a smoke test, not a measurement: 100 W1 and 20 W3 steps, matmul at n = 64, QR of W4's leading 100x100 block",
        );
    let args = ALONE
        .iter()
        .fold(cli, |cli, &(flag, _, help)| {
            cli.optional(flag, "STEPS", help)
        })
        .example("cargo run --release --example speed")
        .example("cargo run --release --example speed -- --reps 11 --json")
        .example("valgrind --tool=callgrind target/release/examples/speed --w1-only 10000")
        .parse();
    let reps: usize = args.get("reps");
    if !(1..=1000).contains(&reps) {
        args.fail(&format!("--reps: need 1 <= R <= 1000, got {reps}"));
    }
    let quick = args.on("quick");
    let (w1_steps, w2_steps, w3_steps, sizes, qr_n) = if quick {
        (100, 100, 20, vec![64], 100)
    } else {
        (2000, 3200, 500, vec![256, 512, 1024], 600)
    };
    if cfg!(debug_assertions) {
        eprintln!("speed: built without --release: these are the dev profile's figures");
    }

    let x1 = Tensor::from_fn(7, 1, |i, _| -1.0 + i as f64 / 3.0);
    let y1 = x1.map(|x| (5.0 * x).sin() * (2.0 * x).abs().exp() / 10.0);
    let mut rng = Rng::new(3);
    let x3 = Tensor::rand_normal(20, 15, 0.0, 1.0, &mut rng);
    let y3 = Tensor::rand_normal(20, 1, 0.0, 1.0, &mut rng);
    // Each training workload once: (reps, steps, form) -> us/step.
    let w1 = |reps, steps, form| {
        let run = (Reduction::Mean, 0.05, steps);
        us_per_step(reps, &[1, 10, 10, 1], (&x1, &y1), run, form)
    };
    let w3 = |reps, steps, form| {
        let run = (Reduction::Sum, 1e-3, steps);
        us_per_step(reps, &[15, 64, 64, 1], (&x3, &y3), run, form)
    };
    type UsPerStep<'a> = &'a dyn Fn(usize) -> f64; // steps -> us/step, one run
    let runs: [UsPerStep; 6] = [
        &|steps| w1(1, steps, Form::ReusedTape),
        &|steps| w2_us_per_step(1, steps, false),
        &|steps| w3(1, steps, Form::ReusedTape),
        &|steps| w1(1, steps, Form::Replay),
        &|steps| w2_us_per_step(1, steps, true),
        &|steps| w3(1, steps, Form::Replay),
    ];
    for ((flag, name, _), run) in ALONE.iter().zip(runs) {
        if let Some(steps) = args.opt::<usize>(flag) {
            if steps == 0 {
                args.fail(&format!("--{flag}: need at least 1 step, got 0"));
            }
            let us = run(steps);
            outln!("{name}, {steps} steps: {us:.3} us/step");
            return;
        }
    }
    let (w1, w1_fresh, w1_replay) = (
        w1(reps, w1_steps, Form::ReusedTape),
        w1(reps, w1_steps, Form::FreshTape),
        w1(reps, w1_steps, Form::Replay),
    );
    let (w2, w2_replay) = (
        w2_us_per_step(reps, w2_steps, false),
        w2_us_per_step(reps, w2_steps, true),
    );
    let (w3, w3_fresh, w3_replay) = (
        w3(reps, w3_steps, Form::ReusedTape),
        w3(reps, w3_steps, Form::FreshTape),
        w3(reps, w3_steps, Form::Replay),
    );

    // One thread for the figures compared with the peers; all cores once more at the end.
    let cores = matmul::threads();
    matmul::set_threads(1);
    let supported: Vec<MatmulKernel> = MatmulKernel::ALL
        .into_iter()
        .filter(|k| k.is_supported())
        .collect();
    let mut w5 = Vec::new();
    for &n in &sizes {
        let selected = MatmulKernel::for_shape(n, n, n);
        let by_kernel: Vec<(MatmulKernel, f64)> =
            supported.iter().map(|&k| (k, gflops(reps, n, k))).collect();
        w5.push((n, selected, by_kernel));
    }

    let p = args.read_matrix(W4_POINTS);
    let x4 = w4_matrix(&p.index_select(&(0..qr_n).collect::<Vec<_>>()));
    let y4 = x4.matmul(&Tensor::ones(x4.cols(), 1));
    let qr_ms = median_secs(reps, || drop(black_box(Qr::new(&x4)))) * 1e3;
    let lstsq_ms = median_secs(reps, || drop(black_box(lstsq(&x4, &y4)))) * 1e3;
    matmul::set_threads(cores);
    let n_big = *sizes.last().expect("at least one size");
    let all_cores_gflops = gflops(reps, n_big, MatmulKernel::best());
    let all_cores_qr_ms = median_secs(reps, || drop(black_box(Qr::new(&x4)))) * 1e3;

    let result = json!({
        "kernel": MatmulKernel::best().name(),
        "release": !cfg!(debug_assertions),
        "quick": quick,
        "reps": reps,
        "w1_us_per_step": w1,
        "w2_us_per_step": w2,
        "w3_us_per_step": w3,
        "w1_us_per_step_fresh_tape": w1_fresh,
        "w3_us_per_step_fresh_tape": w3_fresh,
        "w1_us_per_step_replay": w1_replay,
        "w2_us_per_step_replay": w2_replay,
        "w3_us_per_step_replay": w3_replay,
        "w5": w5.iter().map(|(n, sel, by)| json!({
            "n": n,
            "selected": sel.name(),
            "gflops": by.iter().find(|(k, _)| k == sel).map(|(_, g)| *g),
            "by_kernel": by.iter().map(|(k, g)| (k.name().to_string(), json!(g))).collect::<serde_json::Map<String, Value>>(),
        })).collect::<Vec<_>>(),
        "w4_n": qr_n,
        "w4_qr_ms": qr_ms,
        "w4_lstsq_ms": lstsq_ms,
        "all_cores": { "threads": cores, "w5_n": n_big, "w5_gflops": all_cores_gflops, "w4_qr_ms": all_cores_qr_ms },
    });
    args.write_file(&args.out_dir().join("speed.json"), &format!("{result:#}\n"));
    if args.json() {
        outln!("{result}");
        return;
    }
    outln!(
        "matmul kernel selected for large products: {}",
        MatmulKernel::best()
    );
    outln!(
        "W1  1-10-10-1 MLP, 7 points, SGD      {w1:8.2} us/step  (a new tape per step: {w1_fresh:.2}; replayed: {w1_replay:.2})"
    );
    outln!(
        "W2  10-5-1 MLP, batches of 32, Adam   {w2:8.2} us/step  (Trainer; replaying: {w2_replay:.2})"
    );
    outln!(
        "W3  15-64-64-1 MLP, 20 points, GD     {w3:8.2} us/step  (a new tape per step: {w3_fresh:.2}; replayed: {w3_replay:.2})"
    );
    for (n, sel, by) in &w5 {
        let line: Vec<String> = by.iter().map(|(k, g)| format!("{k} {g:.1}")).collect();
        let chosen = by
            .iter()
            .find(|(k, _)| k == sel)
            .map_or(f64::NAN, |(_, g)| *g);
        outln!(
            "W5  matmul n = {n:4}                  {chosen:8.1} GFLOP/s  ({})",
            line.join(", ")
        );
    }
    outln!("W4  {qr_n}x{qr_n} QR (Qr::new)              {qr_ms:8.2} ms");
    outln!("W4  {qr_n}x{qr_n} least squares (QR solve)  {lstsq_ms:8.2} ms");
    outln!(
        "all {cores} cores: matmul n = {n_big} {all_cores_gflops:.1} GFLOP/s, QR {all_cores_qr_ms:.2} ms (the figures above: one thread)"
    );
    outln!(
        "(median of {reps} runs; written to {})",
        args.out_dir().join("speed.json").display()
    );
}
