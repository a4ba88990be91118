//! The backward rules of the arithmetic, entrywise, product and reduction ops (`src/ops/`:
//! `arith.rs`, `unary.rs`, `matmul.rs`, `reduce.rs`) against central finite differences, on
//! random shapes (1..=6 by 1..=6) and values, each in the one-line form of `tapegrad_proptest`.
//!
//! Tolerance: relative error <= 1e-6 per entry (the `gradcheck` default, with its floor of
//! 1e-3 for near-zero entries). The four-point stencil's own error is ~1e-13 relative to f
//! for these value ranges, so 1e-6 leaves a wide margin for rounding yet catches any wrong
//! rule (a wrong rule is off by O(1)). An op with a matrix output is checked through
//! `L = sum(op(x) ⊙ R)` with a random constant `R`, so every entry of the vector-Jacobian
//! product is exercised, not just its sum.

use tapegrad::Var;
use tapegrad_proptest::Domain::{OffZero, Positive, Range, Real};
use tapegrad_proptest::{Domain, GradientProperty, check_gradients};

/// Cases per property, as the proptest blocks before this form used.
const CASES: u32 = 48;

fn property(name: &str, domains: &[Domain]) -> GradientProperty {
    GradientProperty::new(name, domains).cases(CASES)
}

/// A binary op with `b` in each of the broadcast shapes (equal, scalar, row, column, picked
/// by the third random dimension), on either side of `a`.
fn binary(name: &str, b: Domain, op: for<'t> fn(Var<'t>, Var<'t>) -> Var<'t>) {
    for swap in [false, true] {
        let domains = if swap { [b, Real] } else { [Real, b] };
        property(name, &domains)
            .shapes(move |[m, n, k]| {
                let small = [(m, n), (1, 1), (1, n), (m, 1)][k % 4];
                if swap {
                    vec![small, (m, n)]
                } else {
                    vec![(m, n), small]
                }
            })
            .check(|_, v| op(v[0], v[1]));
    }
}

#[test]
fn add() {
    binary("add", Real, |a, b| a + b);
}

#[test]
fn sub() {
    binary("sub", Real, |a, b| a - b);
}

#[test]
fn mul() {
    binary("mul", Real, |a, b| a * b);
}

#[test]
fn div() {
    // Denominators in 0.5 <= |b| <= 2, broadcast or full-size, on either side.
    let denominator = Range(0.5, 2.0);
    property("div by a broadcast operand", &[Real, denominator])
        .shapes(|[m, n, k]| vec![(m, n), [(m, n), (1, 1), (1, n), (m, 1)][k % 4]])
        .check(|_, v| v[0] / v[1]);
    property("div of a broadcast operand", &[Real, denominator])
        .shapes(|[m, n, k]| vec![[(m, n), (1, 1), (1, n), (m, 1)][k % 4], (m, n)])
        .check(|_, v| v[0] / v[1]);
}

#[test]
fn neg() {
    check_gradients("neg", &[Real], |_, v| -v[0]);
}

#[test]
fn scalar_ops() {
    for c in [-2.5, -0.3, 0.0, 1.7] {
        check_gradients("var with scalar", &[Real], |_, v| {
            (v[0] + c) * c - c + (c - v[0]) * 2.0 + v[0] / 1.5
        });
        check_gradients("scalar over var", &[Range(0.5, 2.0)], |_, v| {
            c / v[0] + c * v[0]
        });
    }
}

#[test]
fn powi() {
    for n in -3..=4 {
        // Negative powers need |x| away from 0.
        let domain = if n < 0 { OffZero } else { Real };
        check_gradients("powi", &[domain], |_, v| v[0].powi(n));
    }
}

#[test]
fn powf() {
    for p in [-2.5, -1.0, -0.5, 0.3, 1.0, 2.5] {
        check_gradients("powf", &[Range(0.5, 2.0)], |_, v| v[0].powf(p));
    }
}

#[test]
fn square() {
    check_gradients("square", &[Real], |_, v| v[0].square());
}

#[test]
fn sqrt() {
    check_gradients("sqrt", &[Positive], |_, v| v[0].sqrt());
}

#[test]
fn exp() {
    check_gradients("exp", &[Real], |_, v| v[0].exp());
}

#[test]
fn ln() {
    check_gradients("ln", &[Positive], |_, v| v[0].ln());
}

#[test]
fn abs() {
    check_gradients("abs", &[OffZero], |_, v| v[0].abs());
}

#[test]
fn relu() {
    check_gradients("relu", &[OffZero], |_, v| v[0].relu());
}

#[test]
fn sigmoid() {
    check_gradients("sigmoid", &[Range(-4.0, 4.0)], |_, v| v[0].sigmoid());
}

#[test]
fn tanh() {
    check_gradients("tanh", &[Range(-3.0, 3.0)], |_, v| v[0].tanh());
}

#[test]
fn transpose() {
    check_gradients("t", &[Real], |_, v| v[0].t());
}

#[test]
fn matmul() {
    property("matmul", &[Real, Real])
        .shapes(|[m, n, k]| vec![(m, k), (k, n)])
        .check(|_, v| v[0].matmul(v[1]));
    property("matmul_nt", &[Real, Real])
        .shapes(|[m, n, k]| vec![(m, k), (n, k)])
        .check(|_, v| v[0].matmul_nt(v[1]));
}

#[test]
fn sums_and_means() {
    check_gradients("sum", &[Real], |_, v| v[0].sum() * 1.5);
    check_gradients("mean", &[Real], |_, v| v[0].mean() * 1.5);
    check_gradients("sum_each_row", &[Real], |_, v| v[0].sum_each_row());
    check_gradients("mean_each_row", &[Real], |_, v| v[0].mean_each_row());
    check_gradients("sum_each_col", &[Real], |_, v| v[0].sum_each_col());
    check_gradients("mean_each_col", &[Real], |_, v| v[0].mean_each_col());
}

#[test]
fn expand_from_each_broadcast_shape() {
    for which in 0..3 {
        // The second input only carries the target shape m x n (its gradient is 0).
        property("expand", &[Real, Real])
            .shapes(move |[m, n, _]| vec![[(1, 1), (1, n), (m, 1)][which], (m, n)])
            .check(|_, v| {
                let (m, n) = v[1].shape();
                v[0].expand(m, n)
            });
    }
}

/// The failure path: abs with its kink inside the stencil's reach fails, and the report
/// shows the smallest failing input proptest shrank to.
#[test]
#[should_panic(expected = "gradient property \"abs at its kink\" fails; smallest failing input")]
fn a_wrong_gradient_fails_with_the_smallest_input() {
    check_gradients("abs at its kink", &[Range(-1e-4, 1e-4)], |_, v| v[0].abs());
}
