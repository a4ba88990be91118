//! The n-D Rosenbrock function, shared by the L-BFGS tests and the W6 bench.

use tapegrad::{Tape, Tensor};

/// `sum_i 100 (x_{i+1} − x_i²)² + (1 − x_i)²` and its gradient, on the tape: `x_{i+1}` and
/// `x_i` are picked out by two constant selection matrices.
pub fn rosenbrock(x: &[f64]) -> (f64, Vec<f64>) {
    let n = x.len();
    let next = Tensor::from_fn(n - 1, n, |i, j| if j == i + 1 { 1.0 } else { 0.0 });
    let this = Tensor::from_fn(n - 1, n, |i, j| if j == i { 1.0 } else { 0.0 });
    let tape = Tape::new();
    let xv = tape.leaf(Tensor::column(x));
    let (xn, xi) = (
        tape.constant(next).matmul(xv),
        tape.constant(this).matmul(xv),
    );
    let f = ((xn - xi.square()).square() * 100.0 + (1.0 - xi).square()).sum();
    (f.item(), tape.backward(f)[xv].as_slice().to_vec())
}
