//! Every op's backward rule against central finite differences, on random shapes
//! (1..=6 by 1..=6) and values (proptest).
//!
//! Tolerance: relative error <= 1e-6 per entry (the `gradcheck` default, with its floor of
//! 1e-3 for near-zero entries). The four-point stencil's own error is ~1e-13 relative to f
//! for these value ranges, so 1e-6 leaves a wide margin for rounding yet catches any wrong
//! rule (a wrong rule is off by O(1)).
//!
//! An op with a matrix output is checked through `L = sum(op(x) ⊙ R)` with a random constant
//! `R`, so every entry of the vector-Jacobian product is exercised, not just its sum.

mod common;

use proptest::prelude::*;
use tapegrad::gradcheck::{GradcheckReport, gradcheck};
use tapegrad::{Tape, Tensor, Var};

/// A `rows x cols` tensor with entries uniform in `[lo, hi]`.
fn tensor(rows: usize, cols: usize, lo: f64, hi: f64) -> impl Strategy<Value = Tensor> {
    prop::collection::vec(lo..=hi, rows * cols).prop_map(move |v| Tensor::from_vec(rows, cols, v))
}

/// Entries in `[-2, -0.1] ∪ [0.1, 2]`: away from the kinks of relu and abs at 0, farther than
/// the stencil's reach (2h = 1.4e-3).
fn tensor_off_zero(rows: usize, cols: usize) -> impl Strategy<Value = Tensor> {
    prop::collection::vec((0.1f64..=2.0, any::<bool>()), rows * cols).prop_map(move |v| {
        Tensor::from_vec(
            rows,
            cols,
            v.into_iter().map(|(m, s)| if s { m } else { -m }).collect(),
        )
    })
}

fn shape() -> impl Strategy<Value = (usize, usize)> {
    (1usize..=6, 1usize..=6)
}

/// `(x, R)`: an input of a random shape with entries from `entries`, and a weight of its shape.
fn input_and_weight(lo: f64, hi: f64) -> impl Strategy<Value = (Tensor, Tensor)> {
    shape().prop_flat_map(move |(r, c)| (tensor(r, c, lo, hi), tensor(r, c, -1.0, 1.0)))
}

fn input_off_zero_and_weight() -> impl Strategy<Value = (Tensor, Tensor)> {
    shape().prop_flat_map(|(r, c)| (tensor_off_zero(r, c), tensor(r, c, -1.0, 1.0)))
}

/// `sum(y ⊙ R)`, the scalar through which a matrix-valued op is checked.
fn weighted_sum<'t>(tape: &'t Tape, y: Var<'t>, r: &Tensor) -> Var<'t> {
    (y * tape.constant(r)).sum()
}

fn check_unary(op: fn(Var<'_>) -> Var<'_>, x: Tensor, r: Tensor) -> GradcheckReport {
    gradcheck(|tape, v| weighted_sum(tape, op(v[0]), &r), &[x])
}

/// The shape of `b` relative to an `m x n` `a`: one of the three broadcast cases or equal.
#[derive(Clone, Copy, Debug)]
enum Case {
    Same,
    Scalar,
    Row,
    Col,
}

fn case_shape(case: Case, (m, n): (usize, usize)) -> (usize, usize) {
    match case {
        Case::Same => (m, n),
        Case::Scalar => (1, 1),
        Case::Row => (1, n),
        Case::Col => (m, 1),
    }
}

/// `(a, b, R, swap)`: `a` is `m x n`, `b` broadcasts to it, and `swap` puts `b` on the left.
/// Denominators are kept in `[0.5, 2]` in magnitude by the `b_lo` bound for div.
fn binary_inputs(b_off_zero: bool) -> impl Strategy<Value = (Tensor, Tensor, Tensor, bool)> {
    (
        shape(),
        prop_oneof![
            Just(Case::Same),
            Just(Case::Scalar),
            Just(Case::Row),
            Just(Case::Col)
        ],
    )
        .prop_flat_map(move |((m, n), case)| {
            let (bm, bn) = case_shape(case, (m, n));
            let b = if b_off_zero {
                prop::collection::vec((0.5f64..=2.0, any::<bool>()), bm * bn)
                    .prop_map(move |v| {
                        Tensor::from_vec(
                            bm,
                            bn,
                            v.into_iter().map(|(x, s)| if s { x } else { -x }).collect(),
                        )
                    })
                    .boxed()
            } else {
                tensor(bm, bn, -2.0, 2.0).boxed()
            };
            (
                tensor(m, n, -2.0, 2.0),
                b,
                tensor(m, n, -1.0, 1.0),
                any::<bool>(),
            )
        })
}

fn check_binary(
    op: for<'t> fn(Var<'t>, Var<'t>) -> Var<'t>,
    (a, b, r, swap): (Tensor, Tensor, Tensor, bool),
) -> GradcheckReport {
    gradcheck(
        |tape, v| {
            let y = if swap { op(v[1], v[0]) } else { op(v[0], v[1]) };
            weighted_sum(tape, y, &r)
        },
        &[a, b],
    )
}

proptest! {
    #![proptest_config(common::proptest_config(48))]

    #[test]
    fn add((a, b, r, s) in binary_inputs(false)) {
        let rep = check_binary(|x, y| x + y, (a, b, r, s));
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn sub((a, b, r, s) in binary_inputs(false)) {
        let rep = check_binary(|x, y| x - y, (a, b, r, s));
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn mul((a, b, r, s) in binary_inputs(false)) {
        let rep = check_binary(|x, y| x * y, (a, b, r, s));
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn div_by_broadcast_operand((a, b, r, _) in binary_inputs(true)) {
        // b is the denominator, kept in 0.5 <= |b| <= 2.
        let rep = check_binary(|x, y| x / y, (a, b, r, false));
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn div_of_broadcast_operand((a, b, r, _) in binary_inputs(true)) {
        // The broadcast b is the numerator; the full-size a is the denominator, kept off 0.
        let a = a.map(|x| if x >= 0.0 { x + 0.5 } else { x - 0.5 });
        let rep = check_binary(|x, y| x / y, (a, b, r, true));
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn neg((x, r) in input_and_weight(-2.0, 2.0)) {
        let rep = check_unary(|v| -v, x, r);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn scalar_ops((x, r) in input_and_weight(-2.0, 2.0), c in -3.0f64..3.0) {
        let rep = gradcheck(
            |tape, v| weighted_sum(tape, (v[0] + c) * c - c + (c - v[0]) * 2.0 + v[0] / 1.5, &r),
            &[x],
        );
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn scalar_over_var((x, r) in input_and_weight(0.5, 2.0), c in -3.0f64..3.0) {
        let rep = gradcheck(|tape, v| weighted_sum(tape, c / v[0] + c * v[0], &r), &[x]);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn powi((x, r) in input_and_weight(-2.0, 2.0), n in -3i32..=4) {
        // Negative powers need |x| away from 0.
        let x = if n < 0 { x.map(|v| if v >= 0.0 { v + 0.5 } else { v - 0.5 }) } else { x };
        let rep = gradcheck(|tape, v| weighted_sum(tape, v[0].powi(n), &r), &[x]);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn powf((x, r) in input_and_weight(0.5, 2.0), p in -2.5f64..2.5) {
        let rep = gradcheck(|tape, v| weighted_sum(tape, v[0].powf(p), &r), &[x]);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn square((x, r) in input_and_weight(-2.0, 2.0)) {
        let rep = check_unary(|v| v.square(), x, r);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn sqrt((x, r) in input_and_weight(0.1, 3.0)) {
        let rep = check_unary(|v| v.sqrt(), x, r);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn exp((x, r) in input_and_weight(-2.0, 2.0)) {
        let rep = check_unary(|v| v.exp(), x, r);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn ln((x, r) in input_and_weight(0.1, 3.0)) {
        let rep = check_unary(|v| v.ln(), x, r);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn abs((x, r) in input_off_zero_and_weight()) {
        let rep = check_unary(|v| v.abs(), x, r);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn relu((x, r) in input_off_zero_and_weight()) {
        let rep = check_unary(|v| v.relu(), x, r);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn sigmoid((x, r) in input_and_weight(-4.0, 4.0)) {
        let rep = check_unary(|v| v.sigmoid(), x, r);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn tanh((x, r) in input_and_weight(-3.0, 3.0)) {
        let rep = check_unary(|v| v.tanh(), x, r);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn transpose(x in shape().prop_flat_map(|(m, n)| tensor(m, n, -2.0, 2.0)), seed in 0u64..1000) {
        let (m, n) = x.shape();
        let r = Tensor::from_fn(n, m, |i, j| ((seed + 7 * i as u64 + 13 * j as u64) % 17) as f64 / 8.0 - 1.0);
        let rep = gradcheck(|tape, v| weighted_sum(tape, v[0].t(), &r), &[x]);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn matmul(
        (a, b, r) in (1usize..=6, 1usize..=6, 1usize..=6).prop_flat_map(|(m, k, n)| {
            (tensor(m, k, -2.0, 2.0), tensor(k, n, -2.0, 2.0), tensor(m, n, -1.0, 1.0))
        })
    ) {
        let rep = gradcheck(|tape, v| weighted_sum(tape, v[0].matmul(v[1]), &r), &[a, b]);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn matmul_t(
        (a, b, r) in (1usize..=6, 1usize..=6, 1usize..=6).prop_flat_map(|(m, k, n)| {
            (tensor(m, k, -2.0, 2.0), tensor(n, k, -2.0, 2.0), tensor(m, n, -1.0, 1.0))
        })
    ) {
        let rep = gradcheck(|tape, v| weighted_sum(tape, v[0].matmul_t(v[1]), &r), &[a, b]);
        prop_assert!(rep.passed(), "{rep}");
    }

    #[test]
    fn sums_and_means((x, r) in input_and_weight(-2.0, 2.0)) {
        let (m, n) = x.shape();
        let r_row = Tensor::from_fn(m, 1, |i, _| r.get(i, 0));
        let r_col = Tensor::from_fn(1, n, |_, j| r.get(0, j));
        for which in 0..6 {
            let rep = gradcheck(
                |tape, v| match which {
                    0 => v[0].sum() * 1.5,
                    1 => v[0].mean() * 1.5,
                    2 => weighted_sum(tape, v[0].sum_each_row(), &r_row),
                    3 => weighted_sum(tape, v[0].mean_each_row(), &r_row),
                    4 => weighted_sum(tape, v[0].sum_each_col(), &r_col),
                    _ => weighted_sum(tape, v[0].mean_each_col(), &r_col),
                },
                std::slice::from_ref(&x),
            );
            prop_assert!(rep.passed(), "reduction {which}: {rep}");
        }
    }

    #[test]
    fn expand_from_each_broadcast_shape((m, n) in shape(), seed in 0u64..1000) {
        let r = Tensor::from_fn(m, n, |i, j| ((seed + 3 * i as u64 + 5 * j as u64) % 11) as f64 / 5.0 - 1.0);
        for (bm, bn) in [(1, 1), (1, n), (m, 1)] {
            let x = Tensor::from_fn(bm, bn, |i, j| 0.3 * i as f64 - 0.7 * j as f64 + 0.1);
            let rep = gradcheck(|tape, v| weighted_sum(tape, v[0].expand(m, n), &r), &[x]);
            prop_assert!(rep.passed(), "expand from [{bm}x{bn}]: {rep}");
        }
    }
}
