//! The ops added for the course's experiments (trig, the log-sum-exp family, maximum and
//! minimum, select, slicing, gathering, concatenation), checked as every other op is: first
//! order against central differences (`gradcheck`, 1e-6 relative) and second order by
//! `gradgradcheck` (reverse over reverse against differences of the gradient, 1e-6), on
//! random shapes and values.

mod common;

use proptest::prelude::*;
use tapegrad::gradcheck::gradcheck;
use tapegrad::hessian::gradgradcheck;
use tapegrad::{Rng, Tape, Tensor, Var};

fn gaussian(rows: usize, cols: usize, rng: &mut Rng) -> Tensor {
    Tensor::rand_normal(rows, cols, 0.0, 1.0, rng)
}

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
        8 => Var::concat_rows(&[a.rows(0..m.div_ceil(2)), b, a.rows(m / 2..m)]),
        9 => Var::concat_cols(&[b.cols(n / 2..n), a.at(m - 1, 0).expand(m, 1), a]),
        10 => a.gather_rows(&[m - 1, 0, m - 1]) * b.gather_rows(&[0, 0, m / 2]),
        _ => (a.rows(0..1).maximum(b.rows(m - 1..m)) + a.cols(n - 1..n).sum()).softplus(),
    }
}

const OPS: usize = 12;

/// Inputs with `|a − b| >= 0.1` entrywise (no ties for maximum/minimum) and `|a| >= 0.1` (no
/// entry at select's mask boundary).
fn inputs(m: usize, n: usize, rng: &mut Rng) -> (Tensor, Tensor) {
    let a = gaussian(m, n, rng).map(|x| {
        if x.abs() < 0.1 {
            x.signum() * 0.1 + x
        } else {
            x
        }
    });
    let gap = gaussian(m, n, rng).map(|x| x.signum() * (0.1 + x.abs()));
    (a.clone(), a.add(&gap))
}

/// `L = sum(R ⊙ y) + ½ sum(y²)`: every entry of the vector-Jacobian product, and a nonlinear
/// outer function so that second derivatives of linear ops are exercised too.
fn objective<'t>(tape: &'t Tape, y: Var<'t>, r: &Tensor) -> Var<'t> {
    let r = if r.shape() == y.shape() {
        r.clone()
    } else {
        Tensor::ones(y.shape().0, y.shape().1)
    };
    (y * tape.constant(r)).sum() + y.square().sum() * 0.5
}

proptest! {
    #![proptest_config(common::proptest_config(40))]

    #[test]
    fn first_order(k in 0usize..OPS, m in 1usize..=5, n in 1usize..=5, seed in 0u64..10_000) {
        let mut rng = Rng::new(seed);
        let (a, b) = inputs(m, n, &mut rng);
        let r = gaussian(m, n, &mut rng);
        let report = gradcheck(|tape, v| objective(tape, op(k, v[0], v[1]), &r), &[a, b]);
        prop_assert!(report.passed(), "op {k}, {m}x{n}: {report}");
    }

    #[test]
    fn second_order(k in 0usize..OPS, m in 1usize..=4, n in 1usize..=4, seed in 0u64..10_000) {
        let mut rng = Rng::new(seed);
        let (a, b) = inputs(m, n, &mut rng);
        let (r, va, vb) = (gaussian(m, n, &mut rng), gaussian(m, n, &mut rng), gaussian(m, n, &mut rng));
        let report = gradgradcheck(|tape, v| objective(tape, op(k, v[0], v[1]), &r), &[a, b], &[va, vb]);
        prop_assert!(report.passed(), "op {k}, {m}x{n}: {report}");
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
    let g = tape.backward(y.cols(1..2).sum());
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
    tape.leaf(Tensor::zeros(3, 1)).rows(1..4);
}

#[test]
#[should_panic(expected = "gather_rows: row 5 out of bounds for [3x2]")]
fn gathering_a_missing_row_names_it() {
    let tape = Tape::new();
    tape.leaf(Tensor::zeros(3, 2)).gather_rows(&[0, 5]);
}
