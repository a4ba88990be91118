//! Forward + backward of the 1-10-10-1 ReLU MLP on 7 points (workload W1 of
//! `../shared/peers`), written with raw tape ops: the cost of the tape itself.
//!
//! Run: `cargo bench --bench tape`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tapegrad::{Tape, Tensor};

#[path = "../../testsuite/tests/common/peer.rs"]
mod peer;

fn forward_backward(x: &Tensor, y: &Tensor, layers: &[(Tensor, Tensor)]) -> f64 {
    let tape = Tape::new();
    let params: Vec<_> = layers
        .iter()
        .map(|(w, b)| (tape.leaf(w), tape.leaf(b)))
        .collect();
    let mut h = tape.constant(x);
    for (l, &(w, b)) in params.iter().enumerate() {
        h = h.matmul_nt(w) + b; // x W^T + b
        if l + 1 < params.len() {
            h = h.relu();
        }
    }
    let loss = (h - tape.constant(y)).square().mean();
    let grads = tape.backward(loss);
    grads[params[0].0].as_slice()[0] + loss.item()
}

fn bench(c: &mut Criterion) {
    let data = peer::PeerData::load("w1");
    let (x, y, layers) = (data.get("x").clone(), data.get("y").clone(), data.layers());
    c.bench_function("tape/w1_mlp_forward_backward", |b| {
        b.iter(|| forward_backward(black_box(&x), black_box(&y), black_box(&layers)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
