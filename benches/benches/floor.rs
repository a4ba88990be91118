//! What W1's arithmetic costs without a tape: the same training step (1-10-10-1 ReLU MLP on 7
//! points, MSE mean, SGD lr 0.05) written out by hand over buffers allocated once, with the
//! crate's own matmul kernels and plain loops. No recording, no adjoint store, no pool; the
//! bias is written into a product's output before the product is added to it, and the ReLU
//! mask is applied while the adjoint is written. It is the floor a replayed, fused tape could
//! approach, measured beside the tape's own step (`nn/w1_train_2000_steps` in
//! `train_step.rs`).
//!
//! Before timing, the run is checked against the tape's: the same 2000 steps end at the same
//! loss to 1e-12 (PyTorch's 1.5709799679660e-7).
//!
//! Run: `cargo bench --bench floor`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tapegrad::linalg::matmul::{gemm, gemm_nt, gemm_tn};
use tapegrad::nn::Reduction;

#[path = "../../tests/common/peer.rs"]
mod peer;

/// The W1 MLP's weights, PyTorch's layout (`W` is out x in), and every buffer of one step.
struct Fused {
    w: [Vec<f64>; 3],
    b: [Vec<f64>; 3],
    /// Pre-activations and activations: `z1, z2` (7 x 10), `z3` (7 x 1); `h1, h2` (7 x 10).
    z: [Vec<f64>; 3],
    h: [Vec<f64>; 2],
    /// Adjoints of `z1, z2, z3` and of `h1, h2`.
    dz: [Vec<f64>; 3],
    dh: [Vec<f64>; 2],
    /// Gradients of the weights and biases.
    dw: [Vec<f64>; 3],
    db: [Vec<f64>; 3],
}

const N: usize = 7;
const SIZES: [usize; 4] = [1, 10, 10, 1];

impl Fused {
    fn new(data: &peer::PeerData) -> Fused {
        let layers = data.layers();
        let w = [0, 1, 2].map(|l| layers[l].0.as_slice().to_vec());
        let b = [0, 1, 2].map(|l| layers[l].1.as_slice().to_vec());
        let out = |l: usize| SIZES[l + 1];
        Fused {
            dw: w.clone(),
            db: b.clone(),
            w,
            b,
            z: [0, 1, 2].map(|l| vec![0.0; N * out(l)]),
            h: [0, 1].map(|l| vec![0.0; N * out(l)]),
            dz: [0, 1, 2].map(|l| vec![0.0; N * out(l)]),
            dh: [0, 1].map(|l| vec![0.0; N * out(l)]),
        }
    }

    /// One step: forward, MSE mean, backward, `w <- w - lr dL/dw`; returns the loss.
    fn step(&mut self, x: &[f64], y: &[f64], lr: f64) -> f64 {
        // Forward: z_l = a_l W_l^T + b_l (the bias written first, the product added), h = relu(z).
        for l in 0..3 {
            let (k, n) = (SIZES[l], SIZES[l + 1]);
            for row in self.z[l].chunks_exact_mut(n) {
                row.copy_from_slice(&self.b[l]);
            }
            let a: &[f64] = if l == 0 { x } else { &self.h[l - 1] };
            gemm_nt(N, k, n, a, &self.w[l], &mut self.z[l]);
            if l < 2 {
                for (h, &z) in self.h[l].iter_mut().zip(&self.z[l]) {
                    *h = z.max(0.0);
                }
            }
        }
        // Loss and its adjoint: L = sum(r^2) / N, dL/dz3 = 2 r / N.
        let mut loss = 0.0;
        for ((dz, &z), &y) in self.dz[2].iter_mut().zip(&self.z[2]).zip(y) {
            let r = z - y;
            loss += r * r;
            *dz = 2.0 * r / N as f64;
        }
        // Backward, layer by layer: dW = dz^T a, db = column sums of dz, da = dz W, then
        // dz_{l-1} = da * 1[z_{l-1} > 0].
        for l in (0..3).rev() {
            let (k, n) = (SIZES[l], SIZES[l + 1]);
            let a: &[f64] = if l == 0 { x } else { &self.h[l - 1] };
            self.dw[l].fill(0.0);
            gemm_tn(n, N, k, &self.dz[l], a, &mut self.dw[l]);
            self.db[l].fill(0.0);
            for row in self.dz[l].chunks_exact(n) {
                for (db, &d) in self.db[l].iter_mut().zip(row) {
                    *db += d;
                }
            }
            if l > 0 {
                let dh = &mut self.dh[l - 1];
                dh.fill(0.0);
                gemm(N, n, k, &self.dz[l], &self.w[l], dh);
                let dz_prev = self.dz[l - 1].iter_mut();
                for ((dz, &d), &z) in dz_prev.zip(dh.iter()).zip(&self.z[l - 1]) {
                    *dz = if z > 0.0 { d } else { 0.0 };
                }
            }
        }
        for l in 0..3 {
            for (w, &g) in self.w[l].iter_mut().zip(&self.dw[l]) {
                *w += -lr * g;
            }
            for (b, &g) in self.b[l].iter_mut().zip(&self.db[l]) {
                *b += -lr * g;
            }
        }
        loss / N as f64
    }
}

/// 2000 steps from the initial weights; returns the last step's loss.
fn run(data: &peer::PeerData, x: &[f64], y: &[f64]) -> f64 {
    let mut net = Fused::new(data);
    let mut loss = f64::NAN;
    for _ in 0..2000 {
        loss = net.step(x, y, 0.05);
    }
    loss
}

fn bench(c: &mut Criterion) {
    let w1 = peer::PeerData::load("w1");
    let (x, y) = (w1.get("x").as_slice(), w1.get("y").as_slice());

    // The same run through the tape, for the check.
    let (mut params, model) = peer::model(&w1);
    let full = [(w1.get("x").clone(), w1.get("y").clone())];
    let mut sgd = tapegrad::optim::Sgd::new(0.05);
    let tape_loss = peer::train(&mut params, &model, &full, 2000, Reduction::Mean, &mut sgd);
    let fused_loss = run(&w1, x, y);
    assert!(
        (fused_loss - tape_loss).abs() <= 1e-12 * tape_loss.abs(),
        "the hand-written step must be the tape's: {fused_loss:e} vs {tape_loss:e}"
    );

    let mut group = c.benchmark_group("floor");
    group.sample_size(20);
    group.bench_function("w1_by_hand_2000_steps", |b| {
        b.iter(|| run(black_box(&w1), black_box(x), black_box(y)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
