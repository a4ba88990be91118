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
//! Beside it, the same step as the exact tensor operations and backward rules the tape runs (the
//! same temporaries from the pool, the rule functions of `tapegrad::ops` called directly), with
//! no recording and no reverse sweep: what re-running a recorded graph without the tape's
//! bookkeeping could at best reach. It is checked to follow the tape's run bit for bit.
//!
//! And the same step as a [`Replay`] of one recording (`tapegrad::replay`): the tape's
//! values and rules, written into buffers kept across steps, with no recording: what the
//! crate now runs for a user who asks for it (`Trainer::replay`).
//!
//! Run: `cargo bench --bench floor`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tapegrad::Tensor;
use tapegrad::linalg::matmul::{gemm, gemm_nt, gemm_tn};
use tapegrad::nn::{Module, Reduction, mse};
use tapegrad::ops::Op;
use tapegrad::ops::arith::{Add, Div, Sub};
use tapegrad::ops::unary::{self, PowI, Relu};
use tapegrad::optim::{Optimizer, Sgd};
use tapegrad::replay::Replay;

#[path = "../../testsuite/tests/common/peer.rs"]
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

/// One W1 step as the tape computes it, op by op and rule by rule, without the tape: the
/// forward tensors, then each node's backward rule from the loss back (the adjoint of `mean`,
/// of the square, of the residual, then per layer the bias add, `x W^T` and the ReLU), then
/// `theta <- theta - lr g`. Returns the loss.
fn ops_step(
    w: &mut [Tensor; 3],
    b: &mut [Tensor; 3],
    (x, y, n): (&Tensor, &Tensor, &Tensor),
) -> f64 {
    let m1 = x.matmul_nt(&w[0]);
    let z1 = m1.add(&b[0]);
    let h1 = z1.map(unary::relu);
    let m2 = h1.matmul_nt(&w[1]);
    let z2 = m2.add(&b[1]);
    let h2 = z2.map(unary::relu);
    let m3 = h2.matmul_nt(&w[2]);
    let z3 = m3.add(&b[2]);
    let r = z3.sub(y);
    let sq = r.map(|v| unary::powi(v, 2));
    let s = Tensor::scalar(sq.sum());
    let loss = s.div(n);
    // Each node's rule, by its op (`Op::vjp`) over the values above, numbered as a tape would.
    let vals = [
        x, &w[0], &b[0], &w[1], &b[1], &w[2], &b[2], y, n, &m1, &z1, &h1, &m2, &z2, &h2, &m3, &z3,
        &r, &sq, &s, &loss,
    ];
    let rule = |op: Op, node: usize, dy: &Tensor| {
        op.vjp(dy, vals[node], |k| vals[k], |k| !matches!(k, 0 | 7 | 8))
    };
    let [ds, _] = rule(Op::Zip(Div.into(), 19, 8), 20, &Tensor::scalar(1.0));
    let [dsq, _] = rule(Op::Sum(18), 19, &ds.expect("needed"));
    let [dr, _] = rule(Op::Map(PowI(2).into(), 17), 18, &dsq.expect("needed"));
    let [dz3, _] = rule(Op::Zip(Sub.into(), 16, 7), 17, &dr.expect("needed"));
    let [dm3, db3] = rule(Op::Zip(Add.into(), 15, 6), 16, &dz3.expect("needed"));
    let [dh2, dw3] = rule(Op::MatMulNt(14, 5), 15, &dm3.expect("needed"));
    let [dz2, _] = rule(Op::Map(Relu.into(), 13), 14, &dh2.expect("needed"));
    let [dm2, db2] = rule(Op::Zip(Add.into(), 12, 4), 13, &dz2.expect("needed"));
    let [dh1, dw2] = rule(Op::MatMulNt(11, 3), 12, &dm2.expect("needed"));
    let [dz1, _] = rule(Op::Map(Relu.into(), 10), 11, &dh1.expect("needed"));
    let [dm1, db1] = rule(Op::Zip(Add.into(), 9, 2), 10, &dz1.expect("needed"));
    let [_, dw1] = rule(Op::MatMulNt(0, 1), 9, &dm1.expect("needed"));
    let grads = [dw1, dw2, dw3, db1, db2, db3].map(|g| g.expect("needed"));
    for (p, g) in w.iter_mut().chain(b.iter_mut()).zip(&grads) {
        for (p, &g) in p.as_mut_slice().iter_mut().zip(g.as_slice()) {
            *p += -0.05 * g;
        }
    }
    loss.item()
}

/// 2000 [`ops_step`]s from the initial weights; returns the last loss and the final
/// parameters in `Params`' order (each layer's weight, then its bias).
fn run_ops(data: &peer::PeerData, x: &Tensor, y: &Tensor) -> (f64, Vec<f64>) {
    let layers = data.layers();
    let mut w = [0, 1, 2].map(|l| layers[l].0.clone());
    let mut b = [0, 1, 2].map(|l| layers[l].1.clone());
    let n = Tensor::scalar(x.rows() as f64);
    let mut loss = f64::NAN;
    for _ in 0..2000 {
        loss = ops_step(&mut w, &mut b, (x, y, &n));
    }
    let theta = (0..3)
        .flat_map(|l| w[l].as_slice().iter().chain(b[l].as_slice()).copied())
        .collect();
    (loss, theta)
}

/// 2000 SGD steps (lr 0.05) of a [`Replay`] of W1's recorded step; returns the last loss.
fn run_replay(data: &peer::PeerData, x: &Tensor, y: &Tensor) -> f64 {
    let (mut params, model) = peer::model(data);
    let tape = tapegrad::Tape::new();
    let theta = tape.params(&params);
    let loss = mse(
        model.forward(&theta, tape.constant(x)),
        tape.constant(y),
        Reduction::Mean,
    );
    let mut replay = Replay::new(&tape, loss, &theta);
    let (mut grad, mut sgd) = (vec![0.0; params.len()], Sgd::new(0.05));
    let mut last = f64::NAN;
    for _ in 0..2000 {
        last = replay.run(params.as_slice(), &mut grad);
        sgd.step(params.as_mut_slice(), &grad)
            .expect("W1 does not diverge");
    }
    last
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

    let (ops_loss, ops_theta) = run_ops(&w1, w1.get("x"), w1.get("y"));
    assert_eq!(
        ops_loss.to_bits(),
        tape_loss.to_bits(),
        "the ops' loss must be the tape's"
    );
    assert!(
        ops_theta
            .iter()
            .zip(params.as_slice())
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "the ops' parameters must be the tape's, bit for bit"
    );

    let replay_loss = run_replay(&w1, w1.get("x"), w1.get("y"));
    assert!(
        (replay_loss - tape_loss).abs() <= 1e-12 * tape_loss.abs(),
        "the replay must be the tape's: {replay_loss:e} vs {tape_loss:e}"
    );

    let mut group = c.benchmark_group("floor");
    group.sample_size(20);
    group.bench_function("w1_by_hand_2000_steps", |b| {
        b.iter(|| run(black_box(&w1), black_box(x), black_box(y)))
    });
    group.bench_function("w1_tape_ops_without_tape_2000_steps", |b| {
        b.iter(|| run_ops(black_box(&w1), w1.get("x"), w1.get("y")))
    });
    group.bench_function("w1_replay_2000_steps", |b| {
        b.iter(|| run_replay(black_box(&w1), w1.get("x"), w1.get("y")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
