//! Random expression DAGs: values reused several times (fan-out), full matrices mixed with
//! broadcast rows, columns and scalars, checked against finite differences (proptest).
//!
//! Tolerance 1e-6 relative (gradcheck's default); values stay bounded (tanh and sigmoid
//! squash, denominators are 1 + sigmoid(.) in [1, 2]), so the four-point stencil's error
//! stays near 1e-12.

mod common;

use proptest::prelude::*;
use tapegrad::gradcheck::gradcheck;
use tapegrad::{Tape, Tensor, Var};

/// One instruction: an op code, two operand picks, and a constant.
type Instr = (u8, usize, usize, f64);

fn tensor(rows: usize, cols: usize) -> impl Strategy<Value = Tensor> {
    prop::collection::vec(-1.5f64..=1.5, rows * cols)
        .prop_map(move |v| Tensor::from_vec(rows, cols, v))
}

/// Leaves: two full `m x n` matrices, a `1 x n` row, an `m x 1` column and a `1x1` scalar;
/// then 4..=14 instructions; then the loss weight.
fn program() -> impl Strategy<Value = (Vec<Tensor>, Vec<Instr>, Tensor)> {
    (1usize..=5, 1usize..=5).prop_flat_map(|(m, n)| {
        (
            (
                tensor(m, n),
                tensor(m, n),
                tensor(1, n),
                tensor(m, 1),
                tensor(1, 1),
            )
                .prop_map(|(a, b, r, c, s)| vec![a, b, r, c, s]),
            prop::collection::vec((0u8..10, 0usize..64, 0usize..64, -2.0f64..2.0), 4..=14),
            tensor(m, n),
        )
    })
}

fn broadcastable(a: (usize, usize), b: (usize, usize)) -> bool {
    let fits = |big: (usize, usize), s: (usize, usize)| {
        big == s || s == (1, 1) || (s.0 == 1 && s.1 == big.1) || (s.1 == 1 && s.0 == big.0)
    };
    fits(a, b) || fits(b, a)
}

/// Runs the program; every value it makes stays in `pool`, so later instructions reuse them.
fn run<'t>(tape: &'t Tape, leaves: &[Var<'t>], prog: &[Instr], weight: &Tensor) -> Var<'t> {
    let mut pool: Vec<Var<'t>> = leaves.to_vec();
    for &(op, i, j, c) in prog {
        let x = pool[i % pool.len()];
        let mut y = pool[j % pool.len()];
        if !broadcastable(x.shape(), y.shape()) {
            y = pool[0]; // a full m x n leaf broadcasts with everything
        }
        let full = pool[0].shape();
        let v = match op {
            0 => x + y,
            1 => x - y,
            2 => (x * y).tanh(),
            3 => x / (y.sigmoid() + 1.0),
            4 => x.tanh(),
            5 => x.sigmoid() * c,
            6 => (x * c).tanh() + x, // fan-out inside one instruction
            7 => x.tanh() * x,       // the same value on both sides
            8 => x.sum_each_col() * 0.3 + x.sum_each_row().mean(),
            _ => {
                // (m x n) (n x m) (m x n): a matmul chain on full-shaped values
                let a = x.expand(full.0, full.1);
                let b = y.expand(full.0, full.1);
                a.matmul(b.t()).matmul(a).tanh()
            }
        };
        pool.push(v);
    }
    // The loss touches the last value through the weight and every value through a sum.
    let last = pool[pool.len() - 1].expand(weight.rows(), weight.cols());
    let mut loss = (last * tape.constant(weight)).sum();
    for v in &pool[leaves.len()..] {
        loss = loss + v.mean() * 0.1;
    }
    loss
}

proptest! {
    #![proptest_config(common::proptest_config(64))]

    #[test]
    fn random_dags_match_finite_differences((leaves, prog, weight) in program()) {
        let report = gradcheck(|tape, v| run(tape, v, &prog, &weight), &leaves);
        prop_assert!(report.passed(), "{report}\nprogram: {prog:?}");
    }
}
