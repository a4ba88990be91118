//! A user's gradient-check suite for their own functions: a tape function checked for all
//! inputs in one line (feature `proptest`), and a hand-written gradient checked as a closure.

use tapegrad::gradcheck::check_gradient;
use tapegrad_proptest::{Domain, GradientProperty, check_gradients};

#[test]
fn my_smooth_sign_is_right_for_all_inputs() {
    // x / sqrt(1 + x²), written with tape ops.
    check_gradients("smooth sign", &[Domain::Real], |_, v| {
        v[0] / (v[0].square() + 1.0).sqrt()
    });
}

#[test]
fn my_layer_is_right_to_second_order() {
    GradientProperty::new("tanh layer", &[Domain::Real, Domain::Real])
        .shapes(|[m, n, k]| vec![(m, k), (k, n)])
        .second_order()
        .check(|_, v| v[0].matmul(v[1]).tanh());
}

#[test]
fn my_hand_written_gradient_passes() {
    // f(θ) = Σ log(1 + θ_i²), ∇f = 2θ / (1 + θ²).
    let f = |t: &[f64]| {
        let value = t.iter().map(|x| (1.0 + x * x).ln()).sum();
        (value, t.iter().map(|x| 2.0 * x / (1.0 + x * x)).collect())
    };
    let report = check_gradient(f, &[0.3, -1.2, 2.0]);
    assert!(report.passed(), "{report}");
}

/// My own op, `y = x |x|` with its hand-written rule `dx = 2 |x| dy`, on the tape: checked
/// for all inputs to second order, and replayed.
struct SignedSquare;

impl tapegrad::ops::Function for SignedSquare {
    fn name(&self) -> String {
        "signed_square".into()
    }
    fn formula(&self) -> &str {
        "y = a |a|;  da = 2 |a| ⊙ dy"
    }
    fn forward(&self, x: &[&tapegrad::Tensor]) -> tapegrad::Tensor {
        x[0].map(|v| v * v.abs())
    }
    fn backward<V: tapegrad::ops::Adjoint>(&self, dy: &V, x: &[&V], y: &V) -> Vec<V> {
        // 2 |x| = 2 y / x is not defined at 0; |x| = sqrt(x²) is, and differentiable again.
        let _ = y;
        vec![dy.mul(&x[0].powi(2).powf(0.5).mul_scalar(2.0))]
    }
}

#[test]
fn my_own_op_is_right_and_replays() {
    use tapegrad::ops::Function;
    GradientProperty::new("signed square", &[Domain::Real])
        .second_order()
        .check(|_, v| SignedSquare.apply(&[v[0]]).sum());
    let mut p = tapegrad::nn::Params::new();
    p.add("w", &tapegrad::Tensor::row(&[0.5, -2.0]));
    let tape = tapegrad::Tape::new();
    let theta = tape.params(&p);
    let loss = SignedSquare.apply(&[theta.vars()[0]]).sum();
    let mut replay = tapegrad::replay::Replay::new(&tape, loss, &theta);
    let mut grad = [0.0; 2];
    assert_eq!(replay.run(&[3.0, -1.0], &mut grad), 9.0 - 1.0);
    assert_eq!(grad, [6.0, 2.0]);
}
