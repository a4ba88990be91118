//! Reads the peer-benchmark data files written by `../shared/peers/common.py` (committed in
//! `benches/data/`): one array per line, `name rows cols v0 v1 ...`, row-major, weights in
//! PyTorch's `out x in` layout, biases as `1 x out` rows.
#![allow(dead_code)]

use std::collections::HashMap;
use tapegrad::Rng;
use tapegrad::nn::{Activation, Init, Module, Params, Reduction, Sequential, mlp, mse};
use tapegrad::optim::Optimizer;
use tapegrad::{Tape, Tensor};

/// The arrays of one workload file, by name (`x`, `y`, `W0`, `b0`, `W1`, ...).
pub struct PeerData {
    /// The arrays by name.
    pub arrays: HashMap<String, Tensor>,
}

impl PeerData {
    /// Loads `benches/data/{name}.txt` relative to the crate root.
    pub fn load(name: &str) -> PeerData {
        let path = data_path(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut arrays = HashMap::new();
        for (k, line) in text.lines().enumerate() {
            let mut it = line.split_whitespace();
            let name = it
                .next()
                .unwrap_or_else(|| panic!("{path}:{}: empty line", k + 1));
            let mut num = |what: &str| -> usize {
                it.next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| panic!("{path}:{}: bad {what}", k + 1))
            };
            let (rows, cols) = (num("rows"), num("cols"));
            let values: Vec<f64> = it
                .map(|s| {
                    s.parse()
                        .unwrap_or_else(|_| panic!("{path}:{}: bad number {s}", k + 1))
                })
                .collect();
            arrays.insert(name.to_string(), Tensor::from_vec(rows, cols, values));
        }
        PeerData { arrays }
    }

    /// The array called `name`.
    pub fn get(&self, name: &str) -> &Tensor {
        self.arrays
            .get(name)
            .unwrap_or_else(|| panic!("peer data has no array {name}"))
    }

    /// The layers `(W_l, b_l)` in order.
    pub fn layers(&self) -> Vec<(Tensor, Tensor)> {
        (0..)
            .map_while(|l| {
                Some((
                    self.arrays.get(&format!("W{l}"))?.clone(),
                    self.get(&format!("b{l}")).clone(),
                ))
            })
            .collect()
    }
}

/// The ReLU MLP of a peer workload with the peer's initial weights (PyTorch's layout and
/// names: `0.weight`, `0.bias`, `2.weight`, ...).
pub fn model(data: &PeerData) -> (Params, Sequential) {
    let layers = data.layers();
    let mut sizes = vec![layers[0].0.cols()];
    sizes.extend(layers.iter().map(|(w, _)| w.rows()));
    let mut params = Params::new();
    let model = mlp(&sizes, Activation::Relu)
        .init(Init::Zeros)
        .build(&mut params, &mut Rng::new(0));
    for (l, (w, b)) in layers.iter().enumerate() {
        params.set(params.find(&format!("{}.weight", 2 * l)).unwrap(), w);
        params.set(params.find(&format!("{}.bias", 2 * l)).unwrap(), b);
    }
    (params, model)
}

/// The MSE loss of `model` on `(x, y)` and its flat gradient.
pub fn loss_and_grad(
    params: &Params,
    model: &Sequential,
    x: &Tensor,
    y: &Tensor,
    reduction: Reduction,
) -> (f64, Vec<f64>) {
    let tape = Tape::new();
    let theta = tape.params(params);
    let loss = mse(
        model.forward(&theta, tape.constant(x)),
        tape.constant(y),
        reduction,
    );
    (loss.item(), tape.backward(loss).flat(&theta))
}

/// `steps` steps of `opt` on the MSE of `model`, cycling over `batches` in order (a new tape
/// per step, as PyTorch's loop); returns the last step's loss (before its update).
pub fn train(
    params: &mut Params,
    model: &Sequential,
    batches: &[(Tensor, Tensor)],
    steps: usize,
    reduction: Reduction,
    opt: &mut dyn Optimizer,
) -> f64 {
    let mut last = f64::NAN;
    for s in 0..steps {
        let (x, y) = &batches[s % batches.len()];
        let (loss, grad) = loss_and_grad(params, model, x, y, reduction);
        opt.step(params.as_mut_slice(), &grad)
            .expect("the peer workloads do not diverge");
        last = loss;
    }
    last
}

/// The minibatches of `torch_workloads.py`: consecutive rows `[i, i + batch)`, in order.
pub fn batches(x: &Tensor, y: &Tensor, batch: usize) -> Vec<(Tensor, Tensor)> {
    (0..x.rows())
        .step_by(batch)
        .map(|i| {
            let idx: Vec<usize> = (i..(i + batch).min(x.rows())).collect();
            (x.index_select(&idx), y.index_select(&idx))
        })
        .collect()
}

/// Peer workload W4 from `benches/data/w4.txt`: the Gaussian kernel matrix
/// `X_ij = exp(−||p_i − p_j||² / (2 · 0.5²)) + 1e-6 δ_ij` of the stored points, the stored
/// `w_true`, and `y = X w_true`. Returns `(X, y, w_true)`.
pub fn w4_problem() -> (Tensor, Tensor, Tensor) {
    let data = PeerData::load("w4");
    let (p, w_true) = (data.get("p"), data.get("w_true").clone());
    let n = p.rows();
    let x = Tensor::from_fn(n, n, |i, j| {
        let d2: f64 = (0..3).map(|c| (p[(i, c)] - p[(j, c)]).powi(2)).sum();
        (-d2 / (2.0 * 0.5 * 0.5)).exp() + if i == j { 1e-6 } else { 0.0 }
    });
    let y = x.matmul(&w_true);
    (x, y, w_true)
}

/// `benches/data/{name}.txt` of the repository, from the root crate's tests and examples or
/// from the benchmark crate in `benches/`.
fn data_path(name: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let here = format!("{root}/data/{name}.txt");
    if std::path::Path::new(&here).exists() {
        here
    } else {
        format!("{root}/../benches/data/{name}.txt")
    }
}
