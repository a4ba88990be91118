//! The tape's behaviour: analytic gradients, a hand-worked example, fan-out, edges, and
//! the error messages.

mod common;

use common::close::{abs, close_to_scale};
use proptest::prelude::*;
use tapegrad::Rng;
use tapegrad::{Tape, Tensor};

/// A hand-worked example a student can follow line by line.
///
/// `L = (a b + a)^2` at `a = 2, b = -3`. Forward values, then adjoints `v̄ = dL/dv` from
/// the last node back (`a` is used twice, so it collects two contributions):
///
/// | node | op        | value          | adjoint                                        |
/// |------|-----------|----------------|------------------------------------------------|
/// | v0   | a (leaf)  |  2             | v̄2·v1 + v̄3 = (-8)(-3) + (-8) = 16              |
/// | v1   | b (leaf)  | -3             | v̄2·v0 = (-8)(2) = -16                          |
/// | v2   | v0 * v1   | -6             | v̄3 = -8                                        |
/// | v3   | v2 + v0   | -4             | 2·v3·v̄4 = 2(-4)(1) = -8                        |
/// | v4   | v3^2      | 16             | 1 (seed)                                       |
///
/// Check against calculus: `L = a^2 (b+1)^2`, `dL/da = 2a(b+1)^2 = 16`,
/// `dL/db = 2a^2(b+1) = -16`.
#[test]
fn hand_worked_scalar_example() {
    let tape = Tape::new();
    let a = tape.leaf(2.0);
    let b = tape.leaf(-3.0);
    let v2 = a * b;
    let v3 = v2 + a;
    let v4 = v3.square();
    let values = [a, b, v2, v3, v4].map(|v| v.item());
    assert_eq!(values, [2.0, -3.0, -6.0, -4.0, 16.0]);
    let g = tape.backward(v4);
    let adjoints = [a, b, v2, v3, v4].map(|v| g[v].item());
    assert_eq!(adjoints, [16.0, -16.0, -8.0, -8.0, 1.0]);
}

/// `f(theta) = (1/N)||X theta - Y||^2` has gradient `(2/N) X^T (X theta - Y)`.
/// Tolerance: each entry within 1e-12 of the magnitudes it sums,
/// `(2/N)|X|^T (|X||theta| + |Y|)`: both sides do the same sums in different orders.
#[test]
fn least_squares_gradient_is_2_over_n_xt_residual() {
    proptest!(common::proptest_config(64), |(n in 1usize..=12, p in 1usize..=6, seed in 0u64..10_000)| {
        let mut rng = Rng::new(seed);
        let x = Tensor::rand_normal(n, p, 0.0, 1.0, &mut rng);
        let y = Tensor::rand_normal(n, 1, 0.0, 1.0, &mut rng);
        let theta = Tensor::rand_normal(p, 1, 0.0, 1.0, &mut rng);

        let tape = Tape::new();
        let th = tape.leaf(&theta);
        let loss = (tape.constant(&x).matmul(th) - tape.constant(&y)).square().mean();
        let g = tape.backward(loss);

        let expected = x.t().matmul(&x.matmul(&theta).sub(&y)).mul_scalar(2.0 / n as f64);
        let (ax, at, ay) = (abs(&x), abs(&theta), abs(&y));
        let scale = ax.matmul_tn(&ax.matmul(&at).add(&ay)).mul_scalar(2.0 / n as f64);
        prop_assert!(close_to_scale(&g[th], &expected, &scale, 1e-12), "{} vs {}", g[th], expected);
    });
}

/// `f_i(theta) = (theta^T phi(x_i) - y_i)^2` with `phi(x) = [1, x, x^2, x^3]` has gradient
/// `2 phi(x_i) (theta^T phi(x_i) - y_i)`. Tolerance: each entry within 1e-12 of the
/// magnitudes it sums, `2 |phi| (|theta|^T |phi| + |y|)`.
#[test]
fn single_sample_gradient_is_2_phi_residual() {
    proptest!(common::proptest_config(64), |(x in -2.0f64..2.0, y in -2.0f64..2.0, theta in prop::collection::vec(-1.0f64..1.0, 4))| {
        let phi = Tensor::column(&[1.0, x, x * x, x * x * x]);
        let th = Tensor::column(&theta);
        let tape = Tape::new();
        let t = tape.leaf(&th);
        let loss = (t.t().matmul(tape.constant(&phi)) - y).square();
        let g = tape.backward(loss);
        let residual = th.t().matmul(&phi).item() - y;
        let expected = phi.mul_scalar(2.0 * residual);
        let scale = abs(&phi).mul_scalar(2.0 * (abs(&th).t().matmul(&abs(&phi)).item() + y.abs()));
        prop_assert!(close_to_scale(&g[t], &expected, &scale, 1e-12));
    });
}

#[test]
fn fan_out_accumulates() {
    // x * x: both operands are x, so dL/dx = x + x = 2x.
    let tape = Tape::new();
    let x = tape.leaf(Tensor::row(&[3.0, -1.5]));
    let g = tape.backward((x * x).sum());
    assert_eq!(g[x], Tensor::row(&[6.0, -3.0]));
    // a + a: dL/da = 2.
    let tape = Tape::new();
    let a = tape.leaf(Tensor::column(&[0.5, 4.0]));
    let g = tape.backward((a + a).sum());
    assert_eq!(g[a], Tensor::column(&[2.0, 2.0]));
    // A value used by three later ops.
    let tape = Tape::new();
    let x = tape.leaf(2.0);
    let y = x * 3.0 + x.square() + x.exp();
    let g = tape.backward(y);
    assert!((g[x].item() - (3.0 + 4.0 + 2f64.exp())).abs() < 1e-14);
}

#[test]
fn backward_twice_gives_the_same_gradients() {
    let tape = Tape::new();
    let w = tape.leaf(Tensor::from_rows(&[[0.5], [-0.25]]));
    let x = tape.constant(Tensor::from_rows(&[[1.0, 2.0], [3.0, -1.0]]));
    let loss = (x.matmul(w) - 3.0).square().mean();
    let g1 = tape.backward(loss);
    let g2 = tape.backward(loss);
    assert_eq!(g1[w], g2[w]);
}

#[test]
fn unused_leaf_gets_a_zero_gradient() {
    let tape = Tape::new();
    let used = tape.leaf(Tensor::row(&[1.0, 2.0]));
    let unused = tape.leaf(Tensor::zeros(3, 2));
    let g = tape.backward(used.sum());
    assert_eq!(g[unused], Tensor::zeros(3, 2));
}

#[test]
#[should_panic(expected = "is a constant, or was recorded after the output")]
fn constants_have_no_gradient() {
    let tape = Tape::new();
    let c = tape.constant(2.0);
    let w = tape.leaf(1.0);
    let g = tape.backward(c * w);
    let _ = &g[c];
}

#[test]
fn relu_and_abs_derivative_at_zero_is_zero() {
    let tape = Tape::new();
    let x = tape.leaf(Tensor::row(&[0.0, -0.0, 1.0, -1.0]));
    let g = tape.backward(x.relu().sum() + x.abs().sum());
    assert_eq!(g[x], Tensor::row(&[0.0, 0.0, 2.0, -1.0]));
}

#[test]
fn sigmoid_is_finite_at_extremes() {
    let tape = Tape::new();
    let x = tape.leaf(Tensor::row(&[-1000.0, -700.0, 0.0, 700.0, 1000.0]));
    let y = x.sigmoid();
    let v = y.value();
    assert!(v.all_finite(), "{v}");
    assert_eq!(v.as_slice()[0], 0.0);
    assert_eq!(v.as_slice()[2], 0.5);
    assert_eq!(v.as_slice()[4], 1.0);
    let g = tape.backward(y.sum());
    assert!(g[x].all_finite(), "{}", g[x]);
    assert_eq!(g[x].as_slice()[2], 0.25);
}

#[test]
fn vector_output_takes_an_explicit_seed() {
    // y = W x, seed s: the vector-Jacobian product is dx = W^T s.
    let tape = Tape::new();
    let w = tape.constant(Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]));
    let x = tape.leaf(Tensor::column(&[1.0, -1.0]));
    let y = w.matmul(x);
    let g = tape.backward_with_seed(y, Tensor::column(&[1.0, 0.0, -1.0]));
    assert_eq!(g[x], Tensor::column(&[-4.0, -4.0]));
}

#[test]
#[should_panic(expected = "backward: the loss must be a [1x1] scalar, got [3x1]")]
fn non_scalar_loss_is_refused() {
    let tape = Tape::new();
    let x = tape.leaf(Tensor::zeros(3, 1));
    tape.backward(x * 2.0);
}

#[test]
#[should_panic(expected = "matmul: [3x2] . [3x1]: inner dimensions 2 and 3 differ")]
fn matmul_shape_error_names_both_shapes() {
    let tape = Tape::new();
    let a = tape.leaf(Tensor::zeros(3, 2));
    let b = tape.leaf(Tensor::zeros(3, 1));
    a.matmul(b);
}

#[test]
#[should_panic(expected = "matmul: [3x2] . [3x1]: inner dimensions 2 and 3 differ")]
fn tensor_matmul_shape_error_names_both_shapes() {
    Tensor::zeros(3, 2).matmul(&Tensor::zeros(3, 1));
}

#[test]
#[should_panic(expected = "add: [2x3] and [3x2]: shapes do not broadcast")]
fn add_shape_error_names_both_shapes() {
    let tape = Tape::new();
    let a = tape.leaf(Tensor::zeros(2, 3));
    let b = tape.leaf(Tensor::zeros(3, 2));
    let _ = a + b;
}

#[test]
#[should_panic(expected = "mul: [1x3] and [2x1]: shapes do not broadcast")]
fn outer_broadcast_is_refused() {
    let tape = Tape::new();
    let _ = tape.leaf(Tensor::zeros(1, 3)) * tape.leaf(Tensor::zeros(2, 1));
}

#[test]
#[should_panic(expected = "operands belong to different tapes (tape #")]
fn mixing_tapes_panics_naming_both() {
    let t1 = Tape::new();
    let t2 = Tape::new();
    let _ = t1.leaf(1.0) + t2.leaf(1.0);
}

#[test]
#[should_panic(expected = "Tensor::from_vec: shape [2x3] needs 6 values, got 5")]
fn from_vec_names_expected_and_actual_length() {
    Tensor::from_vec(2, 3, vec![0.0; 5]);
}

#[test]
fn broadcasting_cases_forward() {
    let m = Tensor::from_rows(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    assert_eq!(
        m.add(&Tensor::scalar(1.0)),
        Tensor::from_rows(&[[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]])
    );
    assert_eq!(
        m.sub(&Tensor::row(&[1.0, 2.0, 3.0])),
        Tensor::from_rows(&[[0.0, 0.0, 0.0], [3.0, 3.0, 3.0]])
    );
    assert_eq!(
        Tensor::column(&[10.0, 100.0]).mul(&m),
        Tensor::from_rows(&[[10.0, 20.0, 30.0], [400.0, 500.0, 600.0]])
    );
}

/// `broadcast_map` is the entrywise definition on every broadcast case, on either side and at
/// every small shape (empty ones included), to the bit: each case's loop computes `f(a_ij, b_ij)`
/// with the entries its case pairs, nothing else.
#[test]
fn broadcast_map_is_the_entrywise_definition() {
    let f = |a: f64, b: f64| a * 3.0 - b;
    proptest!(common::proptest_config(64), |(rows in 0usize..=6, cols in 0usize..=6, seed in 0u64..1000)| {
        let mut rng = Rng::new(seed);
        let full = Tensor::rand_normal(rows, cols, 0.0, 1.0, &mut rng);
        let smalls = [
            Tensor::rand_normal(rows, cols, 0.0, 1.0, &mut rng),
            Tensor::rand_normal(1, 1, 0.0, 1.0, &mut rng),
            Tensor::rand_normal(1, cols, 0.0, 1.0, &mut rng),
            Tensor::rand_normal(rows, 1, 0.0, 1.0, &mut rng),
        ];
        // Entry (i, j) of a small operand seen at the full shape.
        let at = |t: &Tensor, i: usize, j: usize| t[(i.min(t.rows() - 1), j.min(t.cols() - 1))];
        for small in &smalls {
            if small.rows() * small.cols() == 0 {
                continue; // 1 x 0 and 0 x 1: empty, no entry to broadcast
            }
            let left = full.broadcast_map(small, "f", f);
            let right = small.broadcast_map(&full, "f", f);
            prop_assert_eq!(left.shape(), (rows, cols));
            prop_assert_eq!(right.shape(), (rows, cols));
            for i in 0..rows {
                for j in 0..cols {
                    let (a, b) = (full[(i, j)], at(small, i, j));
                    prop_assert_eq!(left[(i, j)].to_bits(), f(a, b).to_bits());
                    prop_assert_eq!(right[(i, j)].to_bits(), f(b, a).to_bits());
                }
            }
        }
        // Column sums add each column top to bottom, as the loop a reader would write.
        let sums = full.sum_each_col();
        for j in 0..cols {
            let mut s = 0.0;
            for i in 0..rows {
                s += full[(i, j)];
            }
            prop_assert_eq!(sums[(0, j)].to_bits(), s.to_bits());
        }
    });
}

#[test]
fn display_small_and_large() {
    let small = Tensor::from_rows(&[[1.0, -2.5], [0.125, 4.0]]);
    assert_eq!(
        small.to_string(),
        "Tensor [2x2]\n[  1.0000 -2.5000 ]\n[  0.1250  4.0000 ]"
    );
    let big = Tensor::from_fn(20, 30, |i, j| (i * 30 + j) as f64);
    let s = big.to_string();
    assert!(s.starts_with("Tensor [20x30]\n"));
    assert_eq!(s.lines().count(), 1 + 7, "3 rows, ..., 3 rows:\n{s}");
    assert!(s.contains("...") && s.contains("599.0000") && !s.contains("300.0000"));
    let wide_range = Tensor::row(&[1e-9, 3.0e7]);
    assert_eq!(
        wide_range.to_string(),
        "Tensor [1x2]\n[ 1.0000e-9  3.0000e7 ]"
    );
}

#[test]
fn seeded_random_tensors_repeat() {
    let a = Tensor::rand_uniform(3, 4, -1.0, 1.0, &mut Rng::new(7));
    let b = Tensor::rand_uniform(3, 4, -1.0, 1.0, &mut Rng::new(7));
    let c = Tensor::rand_normal(3, 4, 0.0, 1.0, &mut Rng::new(8));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!(a.as_slice().iter().all(|x| (-1.0..1.0).contains(x)));
}

#[test]
fn gradcheck_reports_a_wrong_gradient() {
    // A function whose tape gradient is deliberately wrong: `x * c` with c a constant copied
    // from x, so the tape sees d/dx = c while the true derivative of x^2 is 2x.
    let report = tapegrad::gradcheck::gradcheck(
        |tape, v| (v[0] * tape.constant(v[0].value())).sum(),
        &[Tensor::row(&[1.0, 2.0, 3.0])],
    );
    assert!(!report.passed());
    let w = report.worst.as_ref().unwrap();
    assert_eq!(w.block, "input 0");
    assert!((w.analytic * 2.0 - w.numeric).abs() < 1e-8, "{report}");
    assert!(report.to_string().contains("FAILED"));
}

/// A constant passed as `Rc<Tensor>` is shared with the tape, not copied, and gives the same
/// gradients as a copied one.
#[test]
fn shared_constants_are_not_copied() {
    use std::rc::Rc;
    let x = Rc::new(Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));
    let w0 = Tensor::column(&[0.5, -1.0]);
    let grad_with = |shared: bool| {
        let tape = Tape::new();
        let xv = if shared {
            tape.constant(&x)
        } else {
            tape.constant(x.as_ref())
        };
        if shared {
            assert_eq!(
                Rc::strong_count(&x),
                2,
                "the tape holds the same allocation"
            );
        }
        let w = tape.leaf(&w0);
        let g = tape.backward(xv.matmul(w).square().sum());
        g[w].clone()
    };
    assert_eq!(grad_with(true), grad_with(false));
    assert_eq!(Rc::strong_count(&x), 1, "released with the tape");
}
