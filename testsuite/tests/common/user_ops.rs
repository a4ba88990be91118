//! A user's op, as a test writes one: `y = x³` with its hand-written rule `dx = 3 x² dy`.

use tapegrad::Tensor;
use tapegrad::ops::{Adjoint, Function};

/// `y = x³`, `dx = 3 x² dy`.
pub struct Cube;

impl Function for Cube {
    fn name(&self) -> String {
        "cube".into()
    }
    fn formula(&self) -> &str {
        "y = a³;  da = 3 a² ⊙ dy"
    }
    fn forward(&self, x: &[&Tensor]) -> Tensor {
        x[0].map(|v| v * v * v)
    }
    fn backward<V: Adjoint>(&self, dy: &V, x: &[&V], _y: &V) -> Vec<V> {
        vec![dy.mul(&x[0].powi(2).mul_scalar(3.0))]
    }
}
