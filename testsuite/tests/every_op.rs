//! Every op the tape can record, checked to first order (`gradcheck`) and second order
//! (`gradgradcheck`) from one table. The table is held to the crate's own lists: the variants
//! of `ops::Op` and the registries of entrywise ops (`registry!` in map.rs and zip.rs) are read from
//! the source, and an op without an entry here fails the test by name. Each entry is also
//! seen on its tape, so an entry cannot check some other op by mistake.

mod common;

use common::user_ops::Cube;
use tapegrad::gradcheck::{gradcheck, gradgradcheck};
use tapegrad::ops::Function;
use tapegrad::{Rng, Tape, Tensor, Var};

/// How an entry builds its value from its inputs.
type Build = for<'t> fn(&'t Tape, &[Var<'t>]) -> Var<'t>;

/// What the inputs are: shapes, and whether they must stay away from 0 (kinks, poles) or be
/// positive (square roots, logarithms, real powers).
#[derive(Clone, Copy)]
enum Values {
    Any,
    OffZero,
    Positive,
    /// Input `k` on the grid `0.2 Z + 0.1 k`: no value of one input within 0.1 of a value of
    /// the other, so finite differences never cross the kink of `maximum`/`minimum`.
    Apart,
}

struct Entry {
    /// The `Op` variant, or the `Unary`/`Binary` op, this entry records.
    kind: &'static str,
    inputs: &'static [(usize, usize)],
    values: Values,
    build: Build,
}

const fn entry(
    kind: &'static str,
    inputs: &'static [(usize, usize)],
    values: Values,
    build: Build,
) -> Entry {
    Entry {
        kind,
        inputs,
        values,
        build,
    }
}

const M: (usize, usize) = (3, 4);

const TABLE: &[Entry] = &[
    // Entrywise, one value.
    entry("Neg", &[M], Values::Any, |_, v| -v[0]),
    entry("AddScalar", &[M], Values::Any, |_, v| v[0] + 0.5),
    entry("MulScalar", &[M], Values::Any, |_, v| v[0] * 1.5),
    entry("PowI", &[M], Values::OffZero, |_, v| {
        v[0].powi(3) + v[0].powi(-2)
    }),
    entry("PowF", &[M], Values::Positive, |_, v| v[0].powf(1.7)),
    entry("Sqrt", &[M], Values::Positive, |_, v| v[0].sqrt()),
    entry("Exp", &[M], Values::Any, |_, v| v[0].exp()),
    entry("Ln", &[M], Values::Positive, |_, v| v[0].ln()),
    entry("Abs", &[M], Values::OffZero, |_, v| v[0].abs()),
    entry("Relu", &[M], Values::OffZero, |_, v| v[0].relu()),
    entry("Sigmoid", &[M], Values::Any, |_, v| v[0].sigmoid()),
    entry("Tanh", &[M], Values::Any, |_, v| v[0].tanh()),
    entry("Sin", &[M], Values::Any, |_, v| v[0].sin()),
    entry("Cos", &[M], Values::Any, |_, v| v[0].cos()),
    entry("Softplus", &[M], Values::Any, |_, v| v[0].softplus()),
    entry("LogSigmoid", &[M], Values::Any, |_, v| v[0].log_sigmoid()),
    // Entrywise, two values: each broadcast case on each side (the table's `Zip` rows below
    // are run over every pair of `ALL`'s shapes that broadcast).
    entry("Add", &[M, M], Values::Any, |_, v| v[0] + v[1]),
    entry("Sub", &[M, M], Values::Any, |_, v| v[0] - v[1]),
    entry("Mul", &[M, M], Values::Any, |_, v| v[0] * v[1]),
    entry("Div", &[M, M], Values::OffZero, |_, v| v[0] / v[1]),
    entry("Maximum", &[M, M], Values::Apart, |_, v| v[0].maximum(v[1])),
    entry("Minimum", &[M, M], Values::Apart, |_, v| v[0].minimum(v[1])),
    // Products, sums, windows, gathers.
    entry("MatMul", &[(3, 4), (4, 2)], Values::Any, |_, v| {
        v[0].matmul(v[1])
    }),
    entry("MatMulNt", &[(3, 4), (2, 4)], Values::Any, |_, v| {
        v[0].matmul_nt(v[1])
    }),
    entry("Transpose", &[M], Values::Any, |_, v| v[0].t()),
    entry("Sum", &[M], Values::Any, |_, v| v[0].sum()),
    entry("SumEachRow", &[M], Values::Any, |_, v| v[0].sum_each_row()),
    entry("SumEachCol", &[M], Values::Any, |_, v| v[0].sum_each_col()),
    entry("Expand", &[(1, 4), (3, 1)], Values::Any, |_, v| {
        v[0].expand(3, 4) * v[1].expand(3, 4)
    }),
    entry("LogSoftmax", &[M], Values::Any, |_, v| v[0].log_softmax()),
    entry("Slice", &[M], Values::Any, |_, v| {
        v[0].slice(1..3, ..).slice(.., 0..2)
    }),
    entry("IndexSelect", &[M], Values::Any, |_, v| {
        v[0].index_select(&[2, 0, 2])
    }),
    entry("ConcatRows", &[(2, 4), (1, 4)], Values::Any, |_, v| {
        Var::concat_rows(&[v[0], v[1]])
    }),
    entry("ConcatCols", &[(3, 2), (3, 1)], Values::Any, |_, v| {
        Var::concat_cols(&[v[0], v[1]])
    }),
    entry("Select", &[M, M], Values::Any, |_, v| {
        let mask = Tensor::from_fn(3, 4, |i, j| ((i + j) % 2) as f64);
        Var::select(&mask, v[0], v[1])
    }),
    // Pad and ScatterRows are recorded by the rules of Slice and IndexSelect: a recorded
    // gradient holds them.
    entry("Pad", &[M], Values::Any, |tape, v| {
        let f = (v[0].slice(1..3, ..).slice(.., 0..2).sigmoid()).sum();
        tape.backward_graph(f).of(v[0])
    }),
    entry("ScatterRows", &[M], Values::Any, |tape, v| {
        let f = (v[0].index_select(&[2, 0, 2]).sigmoid()).sum();
        tape.backward_graph(f).of(v[0])
    }),
    entry("Custom", &[M], Values::Any, |_, v| Cube.apply(&[v[0]])),
];

/// The kinds the crate has: the variants of `ops::Op` (but the two that hold the entrywise
/// registries, and the leaves), and every name in the two registries, read from the source.
fn kinds_in_the_crate() -> Vec<String> {
    let src = |path: &str| {
        std::fs::read_to_string(format!("{}/../src/ops/{path}", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_else(|e| panic!("src/ops/{path}: {e}"))
    };
    let ops = src("mod.rs");
    let body = ops
        .split("pub enum Op {")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .expect("src/ops/mod.rs declares `pub enum Op { ... }`");
    let mut kinds: Vec<String> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//") && !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let name: String = l.chars().take_while(|c| c.is_alphanumeric()).collect();
            (!name.is_empty()).then_some(name)
        })
        .filter(|k| !matches!(k.as_str(), "Leaf" | "Constant" | "Map" | "Zip"))
        .collect();
    for file in ["map.rs", "zip.rs"] {
        let text = src(file);
        // `registry!(Name: Visitor, "doc"; Op, Op, ...);`: the names after the `;`.
        let list = text
            .split("registry!(")
            .nth(1)
            .and_then(|rest| rest.split(");").next())
            .and_then(|call| call.rsplit(';').next())
            .unwrap_or_else(|| panic!("src/ops/{file} has its `registry!(...)` list"));
        kinds.extend(
            list.split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| !k.is_empty()),
        );
    }
    kinds
}

/// Random inputs of `shapes` for `values`.
fn inputs(shapes: &[(usize, usize)], values: Values, rng: &mut Rng) -> Vec<Tensor> {
    shapes
        .iter()
        .enumerate()
        .map(|(k, &(r, c))| {
            Tensor::from_fn(r, c, |_, _| {
                let x = rng.normal();
                match values {
                    Values::Any => x,
                    Values::OffZero => x.signum() * (0.5 + x.abs()),
                    Values::Positive => 0.5 + x.abs(),
                    Values::Apart => (5.0 * x).round() * 0.2 + 0.1 * k as f64,
                }
            })
        })
        .collect()
}

/// A scalar whose second derivative sees the op's: `Σ r ⊙ y + ½ Σ y²`, `r` fixed.
fn objective<'t>(tape: &'t Tape, y: Var<'t>) -> Var<'t> {
    let (m, n) = y.shape();
    let r = Tensor::from_fn(m, n, |i, j| 0.3 + 0.1 * i as f64 - 0.2 * j as f64);
    (y * tape.constant(r)).sum() + y.square().sum() * 0.5
}

/// True if `kind` is recorded on `tape`: an `Op` variant `kind(..)`, or an entrywise op
/// `Map(kind(..` / `Zip(kind(..`.
fn recorded(tape: &Tape, kind: &str) -> bool {
    let ops: Vec<String> = (0..tape.len())
        .map(|i| format!("{:?}", tape.var(i).op()))
        .collect();
    ops.iter().any(|op| {
        op.starts_with(&format!("{kind}("))
            || op.starts_with(&format!("Map({kind}("))
            || op.starts_with(&format!("Zip({kind}("))
    })
}

/// Checks one entry at `shapes`: recorded, right to first and second order.
fn check(e: &Entry, shapes: &[(usize, usize)], rng: &mut Rng) {
    let theta = inputs(shapes, e.values, rng);
    let tape = Tape::new();
    let vars: Vec<Var<'_>> = theta.iter().map(|t| tape.leaf(t)).collect();
    let _ = objective(&tape, (e.build)(&tape, &vars));
    assert!(
        recorded(&tape, e.kind),
        "{}: the entry does not record it",
        e.kind
    );
    let first = gradcheck(|tape, v| objective(tape, (e.build)(tape, v)), &theta);
    assert!(first.passed(), "{} at {shapes:?}: {first}", e.kind);
    let dirs = inputs(shapes, Values::Any, rng);
    let second = gradgradcheck(|tape, v| objective(tape, (e.build)(tape, v)), &theta, &dirs);
    assert!(second.passed(), "{} at {shapes:?}: {second}", e.kind);
}

#[test]
fn every_op_of_the_crate_has_an_entry() {
    let kinds = kinds_in_the_crate();
    assert!(kinds.len() > 30, "read {} kinds: {kinds:?}", kinds.len());
    let missing: Vec<&String> = kinds
        .iter()
        .filter(|k| !TABLE.iter().any(|e| e.kind == k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "ops with no entry in tests/every_op.rs: {missing:?}"
    );
    let unknown: Vec<&str> = TABLE
        .iter()
        .map(|e| e.kind)
        .filter(|k| !kinds.iter().any(|c| c == k))
        .collect();
    assert!(
        unknown.is_empty(),
        "entries for ops the crate does not have: {unknown:?}"
    );
}

/// Entries whose op takes any shape: checked at `M` and at random shapes too.
const ANY_SHAPE: &[&str] = &[
    "Transpose",
    "Sum",
    "SumEachRow",
    "SumEachCol",
    "LogSoftmax",
    "Custom",
];

#[test]
fn every_op_is_right_to_first_and_second_order() {
    let mut rng = Rng::new(29);
    for e in TABLE {
        let entrywise = e.inputs.len() == 2 && e.inputs == [M, M] && e.kind != "Select";
        let free = entrywise
            || ANY_SHAPE.contains(&e.kind)
            || e.inputs == [M] && {
                // The one-value entrywise ops: every name before the first two-value entry.
                let first_zip = TABLE.iter().position(|t| t.kind == "Add").unwrap();
                TABLE[..first_zip].iter().any(|t| t.kind == e.kind)
            };
        // The table's own shape, then random ones (1 to 4 rows and columns) where the op
        // takes any shape.
        let mut shapes = vec![M];
        if free {
            shapes.extend((0..3).map(|_| (1 + rng.index(4), 1 + rng.index(4))));
        }
        for (m, n) in shapes {
            if entrywise {
                // An entrywise op of two values: every broadcast case, on each side.
                for small in [(m, n), (1, 1), (1, n), (m, 1)] {
                    check(e, &[(m, n), small], &mut rng);
                    check(e, &[small, (m, n)], &mut rng);
                }
            } else if free {
                check(e, &vec![(m, n); e.inputs.len()], &mut rng);
            } else {
                check(e, e.inputs, &mut rng);
            }
        }
    }
}
