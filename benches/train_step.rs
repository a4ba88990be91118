//! One full training step of the 1-10-10-1 ReLU MLP on 7 points (workload W1 of
//! `../shared/peers`): forward, backward and SGD update, as a user writes it with
//! `Params`, `mlp` and `mse`. Compare with PyTorch's `us_per_step` for `w1_tiny_mlp`.
//!
//! Run: `cargo bench --bench train_step`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::nn::{mlp, mse, Activation, Init, Module, Params, Reduction, Sequential};
use tapegrad::optim::{Optimizer, Sgd};
use tapegrad::{Tape, Tensor};

#[path = "../tests/common/peer.rs"]
mod peer;

/// The W1 model with the peer's initial weights.
fn w1_model() -> (Params, Sequential, Tensor, Tensor) {
    let data = peer::PeerData::load("w1");
    let mut params = Params::new();
    let model = mlp(
        &mut params,
        &[1, 10, 10, 1],
        Activation::Relu,
        &Init::Zeros,
        &mut StdRng::seed_from_u64(0),
    );
    for (l, (w, b)) in data.layers().iter().enumerate() {
        params.set(params.find(&format!("{}.weight", 2 * l)).unwrap(), w);
        params.set(params.find(&format!("{}.bias", 2 * l)).unwrap(), b);
    }
    (params, model, data.get("x").clone(), data.get("y").clone())
}

/// One step, as PyTorch's loop: forward, MSE, backward, `opt.step()`.
fn step(params: &mut Params, model: &Sequential, x: &Tensor, y: &Tensor, opt: &mut Sgd) -> f64 {
    let tape = Tape::new();
    let theta = tape.params(params);
    let loss = mse(
        model.forward(&theta, tape.constant(x)),
        tape.constant(y),
        Reduction::Mean,
    );
    let grad = tape.backward(loss).flat(&theta);
    opt.step(params.as_mut_slice(), &grad)
        .expect("W1 does not diverge");
    loss.item()
}

fn bench(c: &mut Criterion) {
    let (mut params, model, x, y) = w1_model();
    let mut opt = Sgd::new(0.05);
    c.bench_function("nn/w1_train_step", |b| {
        b.iter(|| {
            step(
                black_box(&mut params),
                &model,
                black_box(&x),
                black_box(&y),
                &mut opt,
            )
        })
    });
    // The whole W1 run, 2000 steps from the peer's initial weights, as torch_workloads.py
    // times it (us_per_step = total / 2000).
    c.bench_function("nn/w1_train_2000_steps", |b| {
        b.iter(|| {
            let (mut params, model, x, y) = w1_model();
            let mut opt = Sgd::new(0.05);
            (0..2000)
                .map(|_| step(&mut params, &model, &x, &y, &mut opt))
                .last()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
