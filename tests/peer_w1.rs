//! Workload W1 of `../shared/peers` (1-10-10-1 ReLU MLP on 7 points, full-batch SGD lr 0.05,
//! MSE mean, 2000 steps, the peer's seeded initial weights in `benches/data/w1.txt`) reaches
//! the final loss PyTorch reported for the same run (`benches/peer_results/`), which shows
//! the benchmark computes the same thing as the peer it is compared with.
//!
//! Tolerance 1e-9 relative: the two runs differ by rounding in the order of sums (1e-16 per
//! step), which 2000 steps of a ReLU network amplify; measured here: 2.3e-13.

#[path = "common/peer.rs"]
mod peer;

use rand::rngs::StdRng;
use rand::SeedableRng;
use tapegrad::nn::{mlp, mse, Activation, Init, Module, Params, Reduction};
use tapegrad::optim::{Optimizer, Sgd};
use tapegrad::Tape;

/// `final_loss` of `w1_tiny_mlp` in `benches/peer_results/torch_w1_w2_w3_w6.jsonl`
/// (PyTorch 2.15.0, float64).
const TORCH_FINAL_LOSS: f64 = 1.5709799679659842e-07;

#[test]
fn w1_final_loss_matches_pytorch() {
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
    let (x, y) = (data.get("x"), data.get("y"));
    let loss_at = |params: &Params| {
        let tape = Tape::new();
        let theta = tape.params(params);
        let loss = mse(
            model.forward(&theta, tape.constant(x)),
            tape.constant(y),
            Reduction::Mean,
        );
        (loss.item(), tape.backward(loss).flat(&theta))
    };
    let mut opt = Sgd::new(0.05);
    for _ in 0..2000 {
        let (_, grad) = loss_at(&params);
        opt.step(params.as_mut_slice(), &grad).unwrap();
    }
    let final_loss = loss_at(&params).0;
    let rel = (final_loss - TORCH_FINAL_LOSS).abs() / TORCH_FINAL_LOSS;
    assert!(
        rel < 1e-9,
        "final loss {final_loss:e} vs PyTorch {TORCH_FINAL_LOSS:e}: relative difference {rel:e}"
    );
    eprintln!(
        "W1 final loss {final_loss:e}, PyTorch {TORCH_FINAL_LOSS:e}, relative difference {rel:e}"
    );
}
