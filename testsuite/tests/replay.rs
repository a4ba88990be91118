//! `Replay` against the tape: for every op (each broadcast, fan-out, unused parameters, a
//! gradient recorded by `backward_graph` and replayed), the replayed loss has the recorded
//! loss's bits and the replayed gradient is the tape's to 1e-13, at the recorded parameters
//! and at new ones (against a fresh tape there); a replayed training run follows the tape's.

mod common;

use common::close::assert_all_close_or_both_nan;
use common::user_ops::Cube;
use common::w1;
use proptest::prelude::*;
use tapegrad::nn::{Activation, Module, Params, Reduction, Sequential, Theta, mlp, mse};
use tapegrad::ops::{Adjoint, Function};
use tapegrad::optim::{Optimizer, Sgd};
use tapegrad::replay::Replay;
use tapegrad::{Rng, Tape, Tensor, Var};

/// A loss built from the parameters `w` (3x4), `r` (1x4), `c` (3x1), `s` (1x1), `u` (2x2),
/// in this order.
type Build = for<'t> fn(&Theta<'t>) -> Var<'t>;

fn layout() -> Params {
    let mut p = Params::new();
    p.add("w", &Tensor::zeros(3, 4));
    p.add("r", &Tensor::zeros(1, 4));
    p.add("c", &Tensor::zeros(3, 1));
    p.add("s", &Tensor::zeros(1, 1));
    p.add("u", &Tensor::zeros(2, 2));
    p
}

fn vars<'t>(t: &Theta<'t>) -> (Var<'t>, Var<'t>, Var<'t>, Var<'t>) {
    let v = t.vars();
    (v[0], v[1], v[2], v[3])
}

/// A positive 3x4 value from `w`: `w^2 + 1/2`.
fn pos<'t>(t: &Theta<'t>) -> Var<'t> {
    t.vars()[0].square() + 0.5
}

fn data<'t>(t: &Theta<'t>, rows: usize, cols: usize) -> Var<'t> {
    let tape = t.vars()[0].tape();
    tape.constant(Tensor::from_fn(rows, cols, |i, j| {
        (i as f64 - 1.0) * 0.7 + j as f64 * 0.3
    }))
}

const CASES: &[(&str, Build)] = &[
    ("add, same and each broadcast", |t| {
        let (w, r, c, s) = vars(t);
        ((w + r) * (w + c) + (w + s) + (r + w) + (c + w)).sum()
    }),
    ("sub, broadcast both ways", |t| {
        let (w, r, c, s) = vars(t);
        ((w - r).square() + (c - w) + (s - w) + (w - w.square())).sum()
    }),
    ("mul and div, broadcast", |t| {
        let (w, r, c, s) = vars(t);
        ((w * r) + (c * w) + w / (r.square() + 1.0) + (c.square() + 2.0) / (w.square() + 1.0)
            - s * w)
            .sum()
            / (s.square() + 1.0)
    }),
    ("fan-out: x x, and a value used by many", |t| {
        let (w, ..) = vars(t);
        let h = w.tanh();
        (h * h + h.exp() - h).sum() + (w * w).sum()
    }),
    ("scalars and powers", |t| {
        let (w, ..) = vars(t);
        ((-w).mul_scalar(1.5).add_scalar(0.25).powi(3)
            + w.powi(1)
            + w.powi(0)
            + pos(t).powi(-1)
            + pos(t).powi(-3)
            + pos(t).powf(1.7)
            + pos(t).sqrt()
            + pos(t).ln())
        .sum()
    }),
    ("entrywise functions", |t| {
        let (w, ..) = vars(t);
        (w.relu() + w.sigmoid() + w.tanh() + w.exp() + w.abs() + w.sin() + w.cos()).sum()
            + (w.softplus() + w.log_sigmoid()).mean()
    }),
    ("products and transposes", |t| {
        let (w, r, c, _) = vars(t);
        let u = t.vars()[4];
        let h = w.t().matmul(c).matmul_nt(r.t()); // (4x3 3x1) (1x4)^T.. = 4x1 . (4x1)^T
        let g = w
            .matmul_nt(w)
            .matmul(u.t().matmul(u).expand(2, 2).sum().expand(3, 3));
        h.sum() + g.mean() + data(t, 5, 3).matmul(w).relu().sum()
    }),
    ("reductions and expand", |t| {
        let (w, r, c, s) = vars(t);
        (w.sum_each_row().square().sum_each_col()
            + w.sum_each_col().matmul_nt(r)
            + c.expand(3, 4).mean_each_row().sum_to(1, 1)
            + s.expand(2, 5).sum())
        .sum()
    }),
    ("log_softmax over rows", |t| {
        let (w, ..) = vars(t);
        (w.log_softmax() * data(t, 3, 4)).sum()
    }),
    ("windows, gathers, concatenation", |t| {
        let (w, r, c, _) = vars(t);
        let g = w.index_select(&[2, 0, 2]);
        (w.at(1, 2) + w.slice(1..3, ..).slice(.., 0..2).sum() + g.square().sum())
            + Var::concat_cols(&[
                Var::concat_rows(&[w, r]),
                Var::concat_rows(&[c, r.slice(.., 0..1)]),
            ])
            .square()
            .sum()
    }),
    ("maximum, minimum, select", |t| {
        let (w, r, c, _) = vars(t);
        // A mask from data, not from w: a mask made from values would be recorded (a trace).
        let mask = Tensor::from_fn(3, 4, |i, j| ((i + j) % 2) as f64);
        (w.maximum(r) + w.minimum(c) + Var::select(&mask, w.square(), w * 3.0)).sum()
    }),
    (
        "a parameter the loss does not use, and a constant branch",
        |t| {
            let (w, r, ..) = vars(t);
            (w.sum() * 2.0 + data(t, 2, 2).exp().sum()) * (r.sum() * 0.0 + 1.0)
        },
    ),
    ("a user's ops (Function), of one and of two inputs", |t| {
        let (w, r, ..) = vars(t);
        let scaled = Gate.apply(&[w, r]); // w ⊙ tanh(r), r broadcast over the rows
        (Cube.apply(&[scaled]) + Cube.apply(&[w.sigmoid()])).sum()
    }),
    (
        "a recorded gradient: ||grad f||^2 (pad, scatter, expand on the tape)",
        |t| {
            let (w, r, ..) = vars(t);
            let f = (w.index_select(&[1, 1, 0]).slice(0..2, ..).sigmoid() * r).sum();
            let g = w.tape().backward_graph(f).of(w);
            g.square().sum() + f
        },
    ),
];

/// A user's op of two inputs, broadcasting: `y = a ⊙ tanh(b)`, `da = dy ⊙ tanh(b)` (summed
/// to `a`'s shape), `db = sum_to(dy ⊙ a ⊙ (1 − tanh²(b)), b)`.
struct Gate;

impl Function for Gate {
    fn name(&self) -> String {
        "gate".into()
    }
    fn formula(&self) -> &str {
        "y = a ⊙ tanh(b);  da = dy ⊙ tanh(b),  db = dy ⊙ a ⊙ (1 − tanh² b)"
    }
    fn forward(&self, x: &[&Tensor]) -> Tensor {
        x[0].mul(&x[1].map(f64::tanh))
    }
    fn backward<V: Adjoint>(&self, dy: &V, x: &[&V], _y: &V) -> Vec<V> {
        let (a, b) = (x[0], x[1]);
        let tb = b
            .exp()
            .sub(&b.neg().exp())
            .div(&b.exp().add(&b.neg().exp())); // tanh b
        let (ra, ca) = a.shape();
        let (rb, cb) = b.shape();
        let da = dy.mul(&tb).sum_to(ra, ca);
        let db = dy
            .mul(a)
            .mul(&tb.mul(&tb).neg().add_scalar(1.0))
            .sum_to(rb, cb);
        vec![da, db]
    }
}

/// The tape's loss and flat gradient at `theta` for `build`.
fn by_tape(build: Build, p: &Params) -> (f64, Vec<f64>) {
    let tape = Tape::new();
    let t = tape.params(p);
    let loss = build(&t);
    (loss.item(), tape.backward(loss).flat(&t))
}

fn theta_of(values: &[f64]) -> Params {
    let mut p = layout();
    p.as_mut_slice().copy_from_slice(values);
    p
}

proptest! {
    #![proptest_config(common::proptest_config(48))]

    /// Recorded at one theta and run at it and at another: the replay is the tape.
    #[test]
    fn every_op_replays_the_tape(
        at in prop::collection::vec(-2.0f64..2.0, 24),
        next in prop::collection::vec(-2.0f64..2.0, 24),
    ) {
        for &(case, build) in CASES {
            let (p0, p1) = (theta_of(&at), theta_of(&next));
            let tape = Tape::new();
            let t = tape.params(&p0);
            let loss = build(&t);
            let mut replay = Replay::new(&tape, loss, &t);
            let mut grad = vec![f64::NAN; p0.len()];
            for p in [&p0, &p1, &p0] {
                let got = replay.run(p.as_slice(), &mut grad);
                let (want, want_grad) = by_tape(build, p);
                prop_assert!(
                    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                    "{}: loss replay {} tape {}", case, got, want
                );
                assert_all_close_or_both_nan(case, &grad, &want_grad, 1e-13, 1.0);
            }
        }
    }
}

/// `params` recorded on `tape` and the mean MSE of `model` on `(x, y)`.
fn mse_step<'t>(
    tape: &'t Tape,
    params: &Params,
    model: &Sequential,
    (x, y): (&Tensor, &Tensor),
) -> (Theta<'t>, Var<'t>) {
    let t = tape.params(params);
    let loss = mse(
        model.forward(&t, tape.constant(x)),
        tape.constant(y),
        Reduction::Mean,
    );
    (t, loss)
}

/// W1 (1-10-10-1 ReLU MLP on 7 points, SGD): 300 replayed steps follow 300 taped ones.
#[test]
fn a_replayed_training_run_follows_the_tape() {
    let (params, model) = w1::model();
    let (x, y) = w1::data();
    let tape = Tape::new();
    let (t, loss) = mse_step(&tape, &params, &model, (&x, &y));
    let mut replay = Replay::new(&tape, loss, &t);
    let (mut by_replay, mut by_tape) = (params.clone(), params.clone());
    let (mut g1, mut g2) = (vec![0.0; params.len()], vec![0.0; params.len()]);
    let (mut o1, mut o2) = (Sgd::new(0.05), Sgd::new(0.05));
    let mut tape = Tape::new();
    for step in 0..300 {
        let l1 = replay.run(by_replay.as_slice(), &mut g1);
        tape.clear();
        let (t, l) = mse_step(&tape, &by_tape, &model, (&x, &y));
        tape.backward_into(l, &t, &mut g2);
        assert!(
            (l1 - l.item()).abs() <= 1e-12 * l.item(),
            "step {step}: {l1} vs {}",
            l.item()
        );
        o1.step(by_replay.as_mut_slice(), &g1).unwrap();
        o2.step(by_tape.as_mut_slice(), &g2).unwrap();
    }
    assert_all_close_or_both_nan(
        "W1 after 300 steps",
        by_replay.as_slice(),
        by_tape.as_slice(),
        1e-13,
        1.0,
    );
    assert!(
        replay.run(by_replay.as_slice(), &mut g1) < 0.2,
        "the run trains"
    );
}

/// A parameter recorded after the loss (so no adjoint reaches it) gets zeros, as from
/// `Tape::backward_into`.
#[test]
fn a_parameter_recorded_after_the_loss_gets_zeros() {
    let mut p = layout();
    for (k, v) in p.as_mut_slice().iter_mut().enumerate() {
        *v = k as f64 / 10.0;
    }
    let tape = Tape::new();
    let values = p.tensors();
    let w = tape.leaf(&values[0]);
    let loss = w.square().sum();
    let leaves: Vec<Var> = std::iter::once(w)
        .chain(values[1..].iter().map(|v| tape.leaf(v)))
        .collect();
    let t = Theta::from_vars(&p, &leaves);
    let mut replay = Replay::new(&tape, loss, &t);
    let mut grad = vec![f64::NAN; p.len()];
    replay.run(p.as_slice(), &mut grad);
    let mut want = vec![f64::NAN; p.len()];
    tape.backward_into(loss, &t, &mut want);
    assert_eq!(grad, want);
    assert!(grad[12..].iter().all(|&g| g == 0.0), "{grad:?}");
}

/// A new minibatch of the recorded size goes in with `set_input`.
#[test]
fn set_input_feeds_the_next_batch() {
    let mut params = Params::new();
    let model = mlp(&[2, 3, 1], Activation::Tanh).build(&mut params, &mut Rng::new(4));
    let mut rng = Rng::new(5);
    let batches: Vec<(Tensor, Tensor)> = (0..3)
        .map(|_| {
            (
                Tensor::rand_normal(4, 2, 0.0, 1.0, &mut rng),
                Tensor::rand_normal(4, 1, 0.0, 1.0, &mut rng),
            )
        })
        .collect();
    let tape = Tape::new();
    let t = tape.params(&params);
    let (x, y) = (tape.constant(&batches[0].0), tape.constant(&batches[0].1));
    let loss = mse(model.forward(&t, x), y, Reduction::Mean);
    let mut replay = Replay::new(&tape, loss, &t);
    let mut grad = vec![0.0; params.len()];
    for (bx, by) in &batches {
        replay.set_input(x, bx);
        replay.set_input(y, by);
        let got = replay.run(params.as_slice(), &mut grad);
        let fresh = Tape::new();
        let (t2, l) = mse_step(&fresh, &params, &model, (bx, by));
        assert_eq!(got.to_bits(), l.item().to_bits());
        assert_all_close_or_both_nan("set_input", &grad, &fresh.backward(l).flat(&t2), 1e-13, 1.0);
    }
}

/// `dbg!(&replay)` is a summary: W1's step runs every rule in place; a log-softmax runs its
/// own.
#[test]
fn debug_says_what_runs_in_place() {
    let (params, model) = w1::model();
    let x = Tensor::column(&[0.0, 0.5, 1.0]);
    let tape = Tape::new();
    let (t, loss) = mse_step(&tape, &params, &model, (&x, &x));
    let replay = Replay::new(&tape, loss, &t);
    let shown = format!("{replay:?}");
    assert!(
        shown.contains("nodes: 21, forward: 12, backward: 12, by_rule: 0, params: 6, read_in_place: 0, theta: 141"),
        "{shown}"
    );
    let p = layout();
    let tape = Tape::new();
    let t = tape.params(&p);
    let replay = Replay::new(&tape, t.vars()[0].log_softmax().sum(), &t);
    assert!(format!("{replay:?}").contains("by_rule: 1"), "{replay:?}");
}

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let e = std::panic::catch_unwind(f).expect_err("it panics");
    e.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn misuse_is_named() {
    let p = layout();
    let msg = panic_message(|| {
        let tape = Tape::new();
        let t = tape.params(&p);
        let _ = Replay::new(&tape, t.vars()[0] * 2.0, &t);
    });
    assert!(
        msg.contains("Replay::new: the loss must be a [1x1] scalar, got [3x4]"),
        "{msg}"
    );
    let msg = panic_message(|| {
        let tape = Tape::new();
        let t = tape.params(&p);
        let mut r = Replay::new(&tape, t.vars()[0].sum(), &t);
        r.run(&[0.0; 3], &mut [0.0; 24]);
    });
    assert!(
        msg.contains(
            "Replay::run: the recording has 24 parameter values, got theta of 3 and grad of 24"
        ),
        "{msg}"
    );
    let msg = panic_message(|| {
        let tape = Tape::new();
        let t = tape.params(&p);
        let x = tape.constant(Tensor::zeros(2, 2));
        let mut r = Replay::new(&tape, (t.vars()[4] * x).sum(), &t);
        r.set_input(x, &Tensor::zeros(3, 2));
    });
    assert!(
        msg.contains("Replay::set_input: node 5 was recorded as [2x2], got [3x2]"),
        "{msg}"
    );
    let msg = panic_message(|| {
        let tape = Tape::new();
        let t = tape.params(&p);
        let mut r = Replay::new(&tape, t.vars()[0].sum(), &t);
        r.set_input(t.vars()[1], &Tensor::zeros(1, 4));
    });
    assert!(
        msg.contains("Replay::set_input: node 1 is a parameter"),
        "{msg}"
    );
    let msg = panic_message(|| {
        let (a, b) = (Tape::new(), Tape::new());
        let t = a.params(&p);
        let _ = Replay::new(&b, b.leaf(1.0), &t);
    });
    assert!(msg.contains("is on tape #"), "{msg}");
}

/// A step that reads values while it is recorded may branch on them (issue 31, S6): the
/// replay says so, and `Trainer::replay(true)` records such a run instead, ending where the
/// recorded run ends (a branching custom loss ended at 4.65e-2 replayed, 1.24e-3 recorded).
#[test]
fn a_recording_that_reads_values_is_not_replayed_blindly() {
    use tapegrad::train::{Loss, Trainer};
    // The mean squared error while it is above 0.05, the mean absolute error below.
    fn branching<'t>(pred: Var<'t>, target: Var<'t>) -> Var<'t> {
        let e = pred - target;
        if e.square().mean().item() > 0.05 {
            e.square().mean()
        } else {
            e.abs().mean()
        }
    }
    let mut rng = Rng::new(3);
    let x = Tensor::rand_uniform(16, 1, -1.0, 1.0, &mut rng);
    let y = x.map(|v| (3.0 * v).sin());
    let mut init = Params::new();
    let model = mlp(&[1, 8, 1], Activation::Tanh).build(&mut init, &mut rng);
    let run = |replay: bool| {
        let mut p = init.clone();
        Trainer::new(&model, &x, &y)
            .loss(Loss::Custom(branching))
            .steps(400)
            .replay(replay)
            .run(&mut p, &mut Sgd::new(0.2))
            .unwrap();
        p
    };
    let (replayed, recorded) = (run(true), run(false));
    assert_eq!(replayed, recorded);
    // The run crossed the branch (its error fell below 0.05): a replay of the first branch
    // would have gone on with the squared error.
    let e = model.predict(&recorded, &x).sub(&y);
    assert!(
        e.map(|v| v * v).mean() < 0.05,
        "{}",
        e.map(|v| v * v).mean()
    );
    // Replay::new flags the recording; a recording that reads nothing is not flagged.
    let tape = Tape::new();
    let theta = tape.params(&init);
    let loss = branching(model.forward(&theta, tape.constant(&x)), tape.constant(&y));
    assert!(Replay::new(&tape, loss, &theta).reads_values().is_some());
    let tape = Tape::new();
    let theta = tape.params(&init);
    let loss = mse(
        model.forward(&theta, tape.constant(&x)),
        tape.constant(&y),
        Reduction::Mean,
    );
    assert!(Replay::new(&tape, loss, &theta).reads_values().is_none());
    // A second replay of the same tape, for a loss recorded later, is not flagged by the
    // first one's own look at the parameters.
    let loss2 = loss * 2.0;
    assert!(Replay::new(&tape, loss2, &theta).reads_values().is_none());
}

/// An empty batch under a bias: the bias's gradient through the empty sum is zero, on the tape
/// (whose buffers come recycled from the pool) and in a replay at every step (whose first
/// contribution to an adjoint overwrites it).
#[test]
fn a_bias_over_an_empty_batch_gets_a_zero_gradient() {
    let mut p = Params::new();
    p.add("b", &Tensor::row(&[1.0, 2.0, 3.0]));
    // Leave used buffers in the pool, so that an unwritten gradient would show their values.
    drop((0..8).map(|_| Tensor::full(1, 3, 7.0)).collect::<Vec<_>>());
    let tape = Tape::new();
    let t = tape.params(&p);
    let b = t.vars()[0];
    let empty = tape.constant(Tensor::zeros(0, 3));
    let loss = (empty + b).sum() + (empty * b).sum() + b.sum();
    let want = vec![1.0; 3]; // only b.sum() reaches b
    assert_eq!(tape.backward(loss).flat(&t), want);
    let mut replay = Replay::new(&tape, loss, &t);
    let mut grad = vec![f64::NAN; 3];
    for _ in 0..3 {
        replay.run(p.as_slice(), &mut grad);
        assert_eq!(grad, want);
    }
}

/// Two user ops are equal only if they are the same op, even when both are unit structs
/// (which may share an address).
#[test]
fn different_user_ops_are_different_ops() {
    let tape = Tape::new();
    let x = tape.leaf(2.0);
    let (a, b) = (Cube.apply(&[x]).op(), Gate.apply(&[x, x]).op());
    let a2 = Cube.apply(&[x]).op();
    let (tapegrad::ops::Op::Custom(fa, ..), tapegrad::ops::Op::Custom(fb, ..)) = (a, b) else {
        unreachable!()
    };
    let tapegrad::ops::Op::Custom(fa2, ..) = a2 else {
        unreachable!()
    };
    assert_ne!(fa, fb);
    assert_eq!(fa, fa2);
}

/// Large weights that only products read are read from `θ` and their gradients written into
/// `grad` where they live (no copy): the replay still is the tape, for a weight used by two
/// products (its second contribution adds to the first, in `grad`), one read both by a
/// product and entrywise (copied as before), one no adjoint reaches (zeros), and a small one.
#[test]
fn large_weights_read_in_place_replay_the_tape() {
    let mut p = Params::new();
    let mut rng = Rng::new(5);
    p.add("shared", &Tensor::rand_normal(64, 64, 0.0, 0.1, &mut rng)); // 4096 entries: in place
    p.add("mixed", &Tensor::rand_normal(64, 80, 0.0, 0.1, &mut rng)); // also squared
    p.add("unused", &Tensor::rand_normal(80, 64, 0.0, 0.1, &mut rng)); // after the loss
    p.add("small", &Tensor::rand_normal(1, 64, 0.0, 0.1, &mut rng));
    let x = Tensor::rand_normal(5, 64, 0.0, 1.0, &mut rng);
    fn build<'t>(t: &Theta<'t>, x: Var<'t>) -> Var<'t> {
        let v = t.vars();
        let h = (x.matmul(v[0]) + v[3]).relu(); // 5x64
        let h = h.matmul_nt(v[0]).tanh(); // the shared weight again, transposed
        h.matmul(v[1]).square().mean() + v[1].square().sum() * 1e-3
    }
    let run = |p: &Params| {
        let tape = Tape::new();
        let t = tape.params(p);
        let loss = build(&t, tape.constant(&x));
        (loss.item(), tape.backward(loss).flat(&t))
    };
    let tape = Tape::new();
    let t = tape.params(&p);
    let loss = build(&t, tape.constant(&x));
    let _after = t.vars()[2].matmul(t.vars()[0]); // `unused` is used, but not by the loss
    let mut replay = Replay::new(&tape, loss, &t);
    let mut grad = vec![f64::NAN; p.len()];
    let mut q = p.clone();
    for round in 0..3 {
        let got = replay.run(q.as_slice(), &mut grad);
        let (want, want_grad) = run(&q);
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "round {round}: {got} vs {want}"
        );
        assert_all_close_or_both_nan("in place", &grad, &want_grad, 1e-13, 1.0);
        let unused = p.view(p.find("unused").unwrap()).range();
        assert!(grad[unused].iter().all(|&g| g == 0.0));
        Sgd::new(0.5).step(q.as_mut_slice(), &grad).unwrap();
    }
    let message = panic_message(std::panic::AssertUnwindSafe(|| {
        let _ = replay.value(t.vars()[0]);
    }));
    assert!(
        message.contains("node 0 is a parameter read in place: its value is theta[0..4096]"),
        "{message}"
    );
    assert_eq!(replay.value(t.vars()[3]).shape(), (1, 64)); // a small one has its own copy
    assert!(
        format!("{replay:?}").contains("params: 4, read_in_place: 2"),
        "{replay:?}"
    );
}

/// `Replay::step` (the passes and the update in one call, the update compiled with the
/// passes) gives the bits of `run` followed by `opt.step`: for SGD with momentum and weight
/// decay and for Adam through `dyn Optimizer`, for SGD through its own type; and passes the
/// update's error on.
#[test]
fn a_fused_step_is_run_then_step_bit_for_bit() {
    use tapegrad::optim::{Adam, NonFinite};
    let (params, model) = w1::model();
    let (x, y) = w1::data();
    let tape = Tape::new();
    let (t, loss) = mse_step(&tape, &params, &model, (&x, &y));
    let bits = |p: &Params| p.as_slice().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let make: [fn() -> Box<dyn Optimizer>; 2] = [
        || Box::new(Sgd::new(0.05).momentum(0.9).weight_decay(1e-3)),
        || Box::new(Adam::new(0.01)),
    ];
    for (which, make) in make.iter().enumerate() {
        let (mut a, mut b) = (params.clone(), params.clone());
        let (mut ga, mut gb) = (vec![0.0; a.len()], vec![0.0; a.len()]);
        let (mut oa, mut ob) = (make(), make());
        let (mut ra, mut rb) = (Replay::new(&tape, loss, &t), Replay::new(&tape, loss, &t));
        for step in 0..50 {
            let la = ra.run(a.as_slice(), &mut ga);
            oa.step(a.as_mut_slice(), &ga).unwrap();
            let lb = rb.step(b.as_mut_slice(), &mut gb, &mut *ob).unwrap();
            assert_eq!(la.to_bits(), lb.to_bits(), "optimizer {which}, step {step}");
            assert_eq!(bits(&a), bits(&b), "optimizer {which}, step {step}");
            assert_eq!(ga, gb);
        }
    }
    let (mut a, mut b) = (params.clone(), params.clone());
    let mut g = vec![0.0; a.len()];
    let (mut ra, mut rb) = (Replay::new(&tape, loss, &t), Replay::new(&tape, loss, &t));
    let (mut oa, mut ob) = (Sgd::new(0.05).momentum(0.5), Sgd::new(0.05).momentum(0.5));
    for _ in 0..50 {
        ra.run(a.as_slice(), &mut g);
        oa.step(a.as_mut_slice(), &g).unwrap();
        rb.step(b.as_mut_slice(), &mut g, &mut ob).unwrap();
    }
    assert_eq!(bits(&a), bits(&b));
    // The update's error comes out of the step: a NaN weight makes a NaN gradient.
    b.as_mut_slice()[0] = f64::NAN;
    let err = rb.step(b.as_mut_slice(), &mut g, &mut ob).unwrap_err();
    assert!(matches!(err.what, NonFinite::Gradient(_)), "{err}");
}
