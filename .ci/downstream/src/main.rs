//! What a user writes in their own `cargo new` project: seeded data from the current `rand`,
//! an MLP from tapegrad, gradient descent, a study fanned out over threads, `dbg!` on the
//! gradients and `assert_relative_eq!` on tensors. `.ci/downstream.sh` builds and runs it.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::time::Instant;
use tapegrad::approx::assert_relative_eq;
// A first project's one line: the values, the tape, the modules, the optimizers, the traits.
use tapegrad::prelude::*;

/// 20 points in R^15 with standard-normal-ish targets, from the user's own rand.
fn data(seed: u64) -> (Tensor, Tensor) {
    let mut r = StdRng::seed_from_u64(seed);
    let x = Tensor::from_fn(20, 15, |_, _| r.random::<f64>() * 2.0 - 1.0);
    let y = Tensor::from_fn(20, 1, |_, _| r.random::<f64>() - 0.5);
    (x, y)
}

fn loss_and_grad(model: &Sequential, params: &Params, x: &Tensor, y: &Tensor) -> (f64, Vec<f64>) {
    let tape = Tape::new();
    let theta = tape.params(params);
    let loss = mse(model.forward(&theta, tape.constant(x)), tape.constant(y), Reduction::Mean);
    (loss.item(), loss.backward().flat(&theta))
}

/// `steps` of gradient descent from a seeded init; the final loss.
fn train(model: &Sequential, init: &Params, x: &Tensor, y: &Tensor, steps: usize) -> f64 {
    let mut params = init.clone();
    let mut opt = Sgd::new(0.05);
    for _ in 0..steps {
        let (_, g) = loss_and_grad(model, &params, x, y);
        opt.step(params.as_mut_slice(), &g).expect("stable at lr 0.05");
    }
    loss_and_grad(model, &params, x, y).0
}

fn main() {
    let steps: usize = std::env::args().nth(1).map_or(2000, |s| s.parse().expect("steps"));
    let mut params = Params::new();
    let model = mlp(&[15, 50, 50, 1], Activation::Relu).build(&mut params, &mut Rng::new(0));

    // Habits: dbg! on a tape, grads and the model; Tensor arithmetic; approx on tensors.
    let (x, y) = data(0);
    let tape = Tape::new();
    let theta = tape.params(&params);
    let loss = mse(model.forward(&theta, tape.constant(&x)), tape.constant(&y), Reduction::Mean);
    let grads = loss.backward();
    dbg!(&tape, &grads, &model, &loss);
    let w = &grads[theta.vars()[0]];
    assert_relative_eq!(&(w + w) - w, w.clone(), max_relative = 1e-15);

    // The run the README times: 2000 GD steps of [15, 50, 50, 1] on 20 points.
    let start = Instant::now();
    let final_loss = train(&model, &params, &x, &y, steps);
    let secs = start.elapsed().as_secs_f64();
    println!("{steps} GD steps of [15, 50, 50, 1] on 20 points: {secs:.3} s, loss {final_loss:.3e}");
    assert!(final_loss.is_finite());

    // A study over data sets, one model shared by reference across threads.
    let losses: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..=4u64)
            .map(|seed| {
                let (model, params) = (&model, &params);
                s.spawn(move || {
                    let (x, y) = data(seed);
                    train(model, params, &x, &y, 50)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    assert!(losses.iter().all(|l| l.is_finite()));
    println!("study over 4 data sets on threads: final losses {losses:.3?}");

    // The fast form of the same loop: one tape cleared per step, the gradient into a buffer.
    let mut fast = params.clone();
    let (mut tape, mut grad, mut opt) = (Tape::new(), vec![0.0; fast.len()], Sgd::new(0.05));
    let start = Instant::now();
    for _ in 0..steps {
        tape.clear();
        let theta = tape.params(&fast);
        let loss = mse(model.forward(&theta, tape.constant(&x)), tape.constant(&y), Reduction::Mean);
        tape.backward_into(loss, &theta, &mut grad);
        opt.step(fast.as_mut_slice(), &grad).expect("stable at lr 0.05");
    }
    let fast_loss = loss_and_grad(&model, &fast, &x, &y).0;
    println!("the same {steps} steps, one tape cleared per step: {:.3} s, loss {fast_loss:.3e}", start.elapsed().as_secs_f64());
    assert_eq!(fast_loss, final_loss, "the same numbers either way");

    // The fastest form: the step recorded once and replayed (no recording per step).
    let mut replayed = params.clone();
    let tape = Tape::new();
    let theta = tape.params(&replayed);
    let loss = mse(model.forward(&theta, tape.constant(&x)), tape.constant(&y), Reduction::Mean);
    let mut step = tapegrad::replay::Replay::new(&tape, loss, &theta);
    let mut opt = Sgd::new(0.05);
    let start = Instant::now();
    for _ in 0..steps {
        step.run(replayed.as_slice(), &mut grad);
        opt.step(replayed.as_mut_slice(), &grad).expect("stable at lr 0.05");
    }
    let replayed_loss = loss_and_grad(&model, &replayed, &x, &y).0;
    println!("the same {steps} steps, replayed: {:.3} s, loss {replayed_loss:.3e}", start.elapsed().as_secs_f64());
    assert_relative_eq!(replayed_loss, final_loss, max_relative = 1e-9);

    // Which matmul kernel this machine runs, and a million points reduced to a few rows.
    println!("matmul kernel: {}", tapegrad::linalg::matmul::MatmulKernel::best());
    let big_x = Tensor::from_fn(1_000_000, 2, |i, j| ((i * (j + 3)) % 97) as f64 / 97.0);
    let big_y = Tensor::from_fn(1_000_000, 1, |i, _| (i % 13) as f64);
    let (small_x, small_y) = tapegrad::linalg::mse_equivalent(&big_x, &big_y);
    assert_eq!(small_x.shape(), (6, 2));
    let w = Tensor::column(&[0.5, -1.0]);
    let mse_of = |x: &Tensor, y: &Tensor| x.matmul(&w).sub(y).map(|r| r * r).mean();
    assert_relative_eq!(mse_of(&big_x, &big_y), mse_of(&small_x, &small_y), max_relative = 1e-9);

    // The figure a student hands in: the loss and the fit side by side, the course's limits.
    use tapegrad::plot::{Figure, Panel, Series};
    let grid: Vec<f64> = (0..=100).map(|i| -1.1 + 2.2 * i as f64 / 100.0).collect();
    // The net along the first input (the others at 0), over the data's first column.
    let along = Tensor::from_fn(grid.len(), x.cols(), |i, j| if j == 0 { grid[i] } else { 0.0 });
    let pred = model.predict(&params, &along);
    let fit = Series::new("trained net", grid.iter().copied().zip(pred.as_slice().iter().copied()).collect());
    let data = Series::dots("data", (0..x.rows()).map(|i| (x[(i, 0)], y[(i, 0)])).collect());
    let losses = Series::new("loss", (0..10).map(|k| (k as f64, 0.5f64.powi(k))).collect());
    let figure = Figure::new("My homework")
        .row([Panel::new("Loss").labels("step", "loss").log_y().series(losses),
              Panel::new("Fit").ylim(-1.5, 1.5).series(data).series(fit)]);
    let path = std::env::temp_dir().join("downstream-figure.svg");
    figure.save(&path).expect("the figure is written");
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.contains("My homework") && svg.contains(">1e0<"));
    println!("figure: {}", path.display());
}
