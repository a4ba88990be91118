//! Peer workload W1 built in code: the course's 1-10-10-1 ReLU MLP with PyTorch's
//! initialization from seed 0, on 7 points of `sin(5x) exp(|2x|) / 10`. (`common/peer.rs`
//! reads the peer's own initial weights from `benches/data/` instead.)

use tapegrad::nn::{Activation, Params, Sequential, mlp};
use tapegrad::{Rng, Tensor};

/// A ReLU MLP of `sizes` with PyTorch's init from seed 0, as W1 builds its network (W3's
/// `[15, 64, 64, 1]` too).
pub fn relu_mlp(sizes: &[usize]) -> (Params, Sequential) {
    let mut params = Params::new();
    let model = mlp(sizes, Activation::Relu).build(&mut params, &mut Rng::new(0));
    (params, model)
}

/// W1's network: `relu_mlp(&[1, 10, 10, 1])`.
pub fn model() -> (Params, Sequential) {
    relu_mlp(&[1, 10, 10, 1])
}

/// W1's data: x = linspace(-1, 1, 7), y = sin(5x) exp(|2x|) / 10.
pub fn data() -> (Tensor, Tensor) {
    let x = Tensor::from_fn(7, 1, |i, _| -1.0 + i as f64 / 3.0);
    let y = x.map(|x| (5.0 * x).sin() * (2.0 * x).abs().exp() / 10.0);
    (x, y)
}
