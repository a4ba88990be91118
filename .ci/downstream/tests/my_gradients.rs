//! A user's gradient-check suite for their own functions: a tape function checked for all
//! inputs in one line (feature `proptest`), and a hand-written gradient checked as a closure.

use tapegrad::gradcheck::closures::check_gradient;
use tapegrad::gradcheck::property::{Domain, GradientProperty, check_gradients};

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
    let report = check_gradient(f, &[0.3, -1.2, 2.0], None);
    assert!(report.passed(), "{report}");
}
