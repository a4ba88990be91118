//! The trigonometric, log-sum-exp, piecewise and indexing ops (`src/ops/`: `trig.rs`,
//! `softmax.rs`, `select.rs`, `index.rs`: sin and cos; softplus, log_sigmoid, log_softmax;
//! maximum, minimum, select; slicing, gathering, concatenation), checked as every other op is:
//! first order against central differences (`gradcheck`, 1e-6 relative) and second order by
//! `gradgradcheck` (reverse over reverse against differences of the gradient, 1e-6), on
//! random shapes and values.

use tapegrad::{Tape, Tensor, Var};
use tapegrad_proptest::{Domain::OffZero, GradientProperty};

/// The ops under test, each a function of two inputs of the same shape `m x n` (some use only
/// the first). Kinks (maximum, minimum at ties; select at its mask) are kept away from by the
/// inputs: `b` is offset from `a` by at least 0.1 in `maximum`/`minimum`.
fn op<'t>(k: usize, a: Var<'t>, b: Var<'t>) -> Var<'t> {
    let (m, n) = a.shape();
    match k {
        0 => a.sin(),
        1 => a.cos() * b,
        2 => a.softplus(),
        3 => a.log_sigmoid(),
        4 => (a * 3.0).log_softmax(),
        5 => a.maximum(b),
        6 => a.minimum(b) * a,
        7 => Var::select(&a.value().mask(|v| v > 0.0), a.square(), b.exp()),
        8 => Var::concat_rows(&[a.slice(0..m.div_ceil(2), ..), b, a.slice(m / 2..m, ..)]),
        9 => Var::concat_cols(&[b.slice(.., n / 2..n), a.at(m - 1, 0).expand(m, 1), a]),
        10 => a.index_select(&[m - 1, 0, m - 1]) * b.index_select(&[0, 0, m / 2]),
        _ => (a.slice(0..1, ..).maximum(b.slice(m - 1..m, ..)) + a.slice(.., n - 1..n).sum())
            .softplus(),
    }
}

const OPS: usize = 12;

/// Each op as a gradient property of `a` and `b = a + gap`, with `|a| >= 0.1` (no entry at
/// select's mask boundary) and `|gap| >= 0.1` entrywise (no ties for maximum/minimum).
fn property(k: usize) -> GradientProperty {
    GradientProperty::new(&format!("op {k}"), &[OffZero, OffZero])
}

#[test]
fn first_order() {
    for k in 0..OPS {
        property(k)
            .max_dim(5)
            .cases(16)
            .check(|_, v| op(k, v[0], v[0] + v[1]));
    }
}

#[test]
fn second_order() {
    for k in 0..OPS {
        property(k)
            .max_dim(4)
            .cases(8)
            .second_order()
            .check(|_, v| op(k, v[0], v[0] + v[1]));
    }
}

#[test]
fn log_sum_exp_family_is_stable_at_extreme_logits() {
    let tape = Tape::new();
    let x = tape.leaf(Tensor::row(&[1000.0, -1000.0, 0.0]));
    let ls = x.log_softmax();
    assert!(ls.value().all_finite());
    assert_eq!(ls.value()[(0, 0)], 0.0);
    assert_eq!(ls.value()[(0, 1)], -2000.0);
    let g = tape.backward(ls.sum());
    assert!(g[x].all_finite());
    let sp = x.softplus().value();
    assert_eq!(sp.as_slice(), &[1000.0, 0.0, 2f64.ln()]);
    let lsig = x.log_sigmoid().value();
    assert_eq!(lsig.as_slice(), &[0.0, -1000.0, -(2f64.ln())]);
}

#[test]
fn maximum_propagates_nan_and_splits_ties() {
    let tape = Tape::new();
    let a = tape.leaf(Tensor::row(&[f64::NAN, 1.0]));
    let b = tape.leaf(Tensor::row(&[0.0, 1.0]));
    let y = a.maximum(b);
    assert!(y.value()[(0, 0)].is_nan());
    let g = tape.backward(y.slice(.., 1..2).sum());
    assert_eq!((g[a][(0, 1)], g[b][(0, 1)]), (0.5, 0.5));
}

#[test]
fn select_keeps_the_unchosen_branch_out_of_the_value() {
    let tape = Tape::new();
    let x = tape.leaf(Tensor::row(&[-1.0, 4.0]));
    // ln(x) is NaN at -1, but that entry takes the other branch.
    let y = Var::select(&x.value().mask(|v| v > 0.0), x.ln(), x * 0.0);
    assert_eq!(y.value(), Tensor::row(&[0.0, 4f64.ln()]));
    assert_eq!(tape.backward(y.sum())[x], Tensor::row(&[0.0, 0.25]));
}

#[test]
#[should_panic(expected = "slice: rows 1..4 out of bounds for [3x1]")]
fn slicing_past_the_end_names_the_shape() {
    let tape = Tape::new();
    tape.leaf(Tensor::zeros(3, 1)).slice(1..4, ..);
}

#[test]
#[should_panic(expected = "index_select: row 5 out of bounds for [3x2]")]
fn gathering_a_missing_row_names_it() {
    let tape = Tape::new();
    tape.leaf(Tensor::zeros(3, 2)).index_select(&[0, 5]);
}
