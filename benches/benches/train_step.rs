//! Training steps of the peer workloads of `../shared/peers`, as a user writes them with
//! `Params`, `mlp`, `mse` and an optimizer, from the peer's seeded data and initial weights
//! (`benches/data/`). Compare with PyTorch's `us_per_step` (`benches/peer_results/`).
//!
//! - `nn/w1_train_step`: one step (forward, backward, SGD update) of the 1-10-10-1 ReLU MLP
//!   on 7 points;
//! - `nn/w1_train_2000_steps`, `nn/w2_train_3200_steps`, `nn/w3_train_5000_steps`: whole
//!   runs, timed as `torch_workloads.py` times them (us_per_step = total / steps);
//! - `nn/w1_trainer_2000_steps`, `nn/w2_trainer_3200_steps`: the same through `Trainer`,
//!   recording every step, and `..._replayed`: with `Trainer::replay` (one recording per batch
//!   size, replayed).
//!
//! Run: `cargo bench --bench train_step`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tapegrad::Tensor;
use tapegrad::nn::Reduction;
use tapegrad::optim::{Adam, Optimizer, Sgd};
use tapegrad::train::{Batches, Trainer};

#[path = "../../testsuite/tests/common/peer.rs"]
mod peer;

/// A whole run of `steps` steps cycling over `batches`, from the initial weights; each step
/// as PyTorch's loop: forward, MSE, backward, `opt.step()` (`peer::train`).
fn run(
    data: &peer::PeerData,
    batches: &[(Tensor, Tensor)],
    steps: usize,
    reduction: Reduction,
    opt: &mut dyn Optimizer,
) -> f64 {
    let (mut params, model) = peer::model(data);
    peer::train(&mut params, &model, batches, steps, reduction, opt)
}

fn bench(c: &mut Criterion) {
    let w1 = peer::PeerData::load("w1");
    let (mut params, model) = peer::model(&w1);
    let full = vec![(w1.get("x").clone(), w1.get("y").clone())];
    let mut opt = Sgd::new(0.05);
    c.bench_function("nn/w1_train_step", |b| {
        b.iter(|| {
            let batches = black_box(&full);
            peer::train(
                black_box(&mut params),
                &model,
                batches,
                1,
                Reduction::Mean,
                &mut opt,
            )
        })
    });

    let mut group = c.benchmark_group("nn");
    group.sample_size(10);
    group.bench_function("w1_train_2000_steps", |b| {
        b.iter(|| run(&w1, &full, 2000, Reduction::Mean, &mut Sgd::new(0.05)))
    });
    let w2 = peer::PeerData::load("w2");
    let w2_batches = peer::batches(w2.get("x"), w2.get("y"), 32);
    group.bench_function("w2_train_3200_steps", |b| {
        b.iter(|| {
            run(
                &w2,
                &w2_batches,
                3200,
                Reduction::Mean,
                &mut Adam::new(1e-3),
            )
        })
    });
    // The same W1 and W2 runs through the library's training loop (`tapegrad::train`),
    // recording every step and replaying (`Trainer::replay`).
    for (replay, suffix) in [(false, ""), (true, "_replayed")] {
        group.bench_function(format!("w1_trainer_2000_steps{suffix}"), |b| {
            b.iter(|| {
                let (mut params, model) = peer::model(&w1);
                Trainer::new(&model, w1.get("x"), w1.get("y"))
                    .steps(2000)
                    .replay(replay)
                    .run(&mut params, &mut Sgd::new(0.05))
                    .unwrap()
            })
        });
        group.bench_function(format!("w2_trainer_3200_steps{suffix}"), |b| {
            b.iter(|| {
                let (mut params, model) = peer::model(&w2);
                Trainer::new(&model, w2.get("x"), w2.get("y"))
                    .batches(Batches::Sequential(32))
                    .steps(3200)
                    .replay(replay)
                    .run(&mut params, &mut Adam::new(1e-3))
                    .unwrap()
            })
        });
    }
    let w3 = peer::PeerData::load("w3");
    let w3_full = vec![(w3.get("x").clone(), w3.get("y").clone())];
    group.bench_function("w3_train_5000_steps", |b| {
        b.iter(|| run(&w3, &w3_full, 5000, Reduction::Sum, &mut Sgd::new(1e-3)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
