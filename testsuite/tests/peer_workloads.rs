//! The peer workloads of `../shared/peers` (data and initial weights in `benches/data/`)
//! reach the final losses PyTorch reported for the same runs (`benches/peer_results/`,
//! PyTorch 2.15.0, float64): the benchmarks compute the same thing as the peer they are
//! compared with.
//!
//! The two sides differ only by rounding in the order of sums (1e-16 per step), which the
//! runs amplify; the tolerances below state what was measured and leave room above it.

#[path = "common/peer.rs"]
mod peer;

use tapegrad::nn::Reduction;
use tapegrad::optim::{Adam, Sgd};

/// W1: 1-10-10-1 ReLU on 7 points, full-batch SGD lr 0.05, MSE mean, 2000 steps.
/// Measured relative difference 2.3e-13; asserted 1e-9.
#[test]
fn w1_final_loss_matches_pytorch() {
    const TORCH: f64 = 1.5709799679659842e-07;
    let data = peer::PeerData::load("w1");
    let (mut params, model) = peer::model(&data);
    let (x, y) = (data.get("x"), data.get("y"));
    let full = [(x.clone(), y.clone())];
    peer::train(
        &mut params,
        &model,
        &full,
        2000,
        Reduction::Mean,
        &mut Sgd::new(0.05),
    );
    let loss = peer::loss_and_grad(&params, &model, x, y, Reduction::Mean).0;
    let rel = (loss - TORCH).abs() / TORCH;
    assert!(
        rel < 1e-9,
        "W1 final loss {loss:e} vs PyTorch {TORCH:e}: relative difference {rel:e}"
    );
}

/// W2: 10-5-1 ReLU on 1000 x 10, Adam lr 1e-3, batch 32 (in order), 100 epochs (3200
/// steps), MSE mean. Measured relative difference 3.4e-16; asserted 1e-9.
#[test]
fn w2_final_loss_matches_pytorch() {
    const TORCH: f64 = 0.9877532679826229;
    let data = peer::PeerData::load("w2");
    let (mut params, model) = peer::model(&data);
    let (x, y) = (data.get("x"), data.get("y"));
    let batches = peer::batches(x, y, 32);
    peer::train(
        &mut params,
        &model,
        &batches,
        3200,
        Reduction::Mean,
        &mut Adam::new(1e-3),
    );
    let loss = peer::loss_and_grad(&params, &model, x, y, Reduction::Mean).0;
    let rel = (loss - TORCH).abs() / TORCH;
    assert!(
        rel < 1e-9,
        "W2 final loss {loss:e} vs PyTorch {TORCH:e}: relative difference {rel:e}"
    );
}

/// The W4 data the `kernel_lstsq` example reads (`examples/data/*.npy`) is the peer data.
#[test]
fn w4_npy_files_hold_the_peer_data() {
    let data = peer::PeerData::load("w4");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/");
    let p = tapegrad::io::npy::read(format!("{dir}w4_points.npy")).unwrap();
    let w = tapegrad::io::npy::read(format!("{dir}w4_w_true.npy")).unwrap();
    assert_eq!(&p, data.get("p"));
    assert_eq!(&w, data.get("w_true"));
}
