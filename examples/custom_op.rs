//! Your own op on the tape: write its forward and its backward rule yourself (PyTorch's
//! `torch.autograd.Function`), then check the rule as the crate checks its own.
//!
//! Two ops, each a `Function`: a numerically stable `softplus(x) = ln(1 + eˣ)` (computed as
//! `max(x, 0) + ln(1 + e^−|x|)`, rule `dx = dy ⊙ σ(x)`), and a hand-written linear map
//! `y = x Wᵀ` (rules `dx = dy W`, `dW = dyᵀ x`). A two-layer network built from them is then:
//! checked by `gradcheck` and `gradgradcheck` (the rule is written with the tape's own
//! operations, so it is differentiated again), compared with the built-in ops, replayed, and
//! drawn: the tape's table, SVG and HTML step-through show the ops under their names and
//! formulas.
//!
//! ```text
//! cargo run --example custom_op
//! cargo run --example custom_op -- --json --out target/custom_op
//! ```

#[macro_use]
mod common;

use common::Cli;
use serde_json::json;
use tapegrad::gradcheck::{gradcheck, gradgradcheck};
use tapegrad::nn::Params;
use tapegrad::ops::{Adjoint, Function};
use tapegrad::replay::Replay;
use tapegrad::{Rng, Tape, Tensor, Var};

const ABOUT: &str = "Two ops written by hand as tapegrad Functions (a stable softplus and a \
linear map x Wᵀ), each a forward and a backward rule. The rules are checked by gradcheck and \
gradgradcheck, compared with the built-in softplus and matmul_nt, replayed for new weights, and \
the tape is drawn (table, SVG, HTML step-through) with the ops under their own names. Exits 1 if \
a check fails.";

/// `y = ln(1 + eˣ)`, computed without overflow; `dx = dy ⊙ σ(x)`.
struct StableSoftplus;

impl Function for StableSoftplus {
    fn name(&self) -> String {
        "my_softplus".into()
    }
    fn formula(&self) -> &str {
        "y = max(a, 0) + ln(1 + e^−|a|);  da = dy ⊙ σ(a)"
    }
    fn forward(&self, x: &[&Tensor]) -> Tensor {
        x[0].map(|v| v.max(0.0) + (-v.abs()).exp().ln_1p())
    }
    fn backward<V: Adjoint>(&self, dy: &V, x: &[&V], _y: &V) -> Vec<V> {
        vec![dy.mul(&x[0].sigmoid())]
    }
}

/// `Y = X Wᵀ`; `dX = dY W`, `dW = dYᵀ X`.
struct MyLinear;

impl Function for MyLinear {
    fn name(&self) -> String {
        "my_linear".into()
    }
    fn formula(&self) -> &str {
        "Y = X Wᵀ;  dX = dY W,  dW = dYᵀ X"
    }
    fn forward(&self, x: &[&Tensor]) -> Tensor {
        x[0].matmul_nt(x[1])
    }
    fn backward<V: Adjoint>(&self, dy: &V, x: &[&V], _y: &V) -> Vec<V> {
        vec![dy.matmul(x[1]), dy.matmul_tn(x[0])]
    }
}

/// The network `softplus(X W1ᵀ) W2ᵀ`, summed squared error against `y`, with our ops or the
/// built-in ones.
fn loss<'t>(x: Var<'t>, w1: Var<'t>, w2: Var<'t>, y: Var<'t>, ours: bool) -> Var<'t> {
    let out = if ours {
        let h = StableSoftplus.apply(&[MyLinear.apply(&[x, w1])]);
        MyLinear.apply(&[h, w2])
    } else {
        x.matmul_nt(w1).softplus().matmul_nt(w2)
    };
    (out - y).square().sum()
}

/// [`loss`] with our ops for weights `v = [W1, W2]` on `tape`, as the checks call it.
fn net<'t>(tape: &'t Tape, v: &[Var<'t>], x: &Tensor, y: &Tensor) -> Var<'t> {
    loss(tape.constant(x), v[0], v[1], tape.constant(y), true)
}

fn main() {
    let args = Cli::new("custom_op", ABOUT)
        .flag("seed", "S", 0, "seed of the data and the weights")
        .example("cargo run --example custom_op -- --json")
        .parse();
    let mut rng = Rng::new(args.get("seed"));
    let x = Tensor::rand_normal(5, 3, 0.0, 1.0, &mut rng);
    let y = Tensor::rand_normal(5, 1, 0.0, 1.0, &mut rng);
    let w1 = Tensor::rand_normal(4, 3, 0.0, 1.0, &mut rng);
    let w2 = Tensor::rand_normal(1, 4, 0.0, 1.0, &mut rng);

    // 1. The rules against finite differences, to first and second order.
    let first = gradcheck(|t, v| net(t, v, &x, &y), &[w1.clone(), w2.clone()]);
    let dirs = [
        Tensor::rand_normal(4, 3, 0.0, 1.0, &mut rng),
        Tensor::rand_normal(1, 4, 0.0, 1.0, &mut rng),
    ];
    let second = gradgradcheck(|t, v| net(t, v, &x, &y), &[w1.clone(), w2.clone()], &dirs);

    // 2. Against the built-in softplus and matmul_nt: the same loss and gradient.
    let grads = |ours: bool| {
        let tape = Tape::new();
        let (a, b) = (tape.leaf(&w1), tape.leaf(&w2));
        let l = loss(tape.constant(&x), a, b, tape.constant(&y), ours);
        let g = tape.backward(l);
        (l.item(), [g[a].clone(), g[b].clone()])
    };
    let ((l_ours, g_ours), (l_builtin, g_builtin)) = (grads(true), grads(false));
    let vs_builtin = g_ours
        .iter()
        .zip(&g_builtin)
        .flat_map(|(a, b)| a.as_slice().iter().zip(b.as_slice()))
        .map(|(a, b)| (a - b).abs())
        .fold((l_ours - l_builtin).abs(), f64::max);

    // 3. Replayed for new weights: the recorded step run again matches a fresh recording.
    let mut params = Params::new();
    params.add("w1", &w1);
    params.add("w2", &w2);
    let tape = Tape::new();
    let theta = tape.params(&params);
    let (v1, v2) = (theta.vars()[0], theta.vars()[1]);
    let l = loss(tape.constant(&x), v1, v2, tape.constant(&y), true);
    let mut replay = Replay::new(&tape, l, &theta);
    let moved: Vec<f64> = params.as_slice().iter().map(|t| t * 0.9 + 0.01).collect();
    let mut grad = vec![0.0; moved.len()];
    let replayed = replay.run(&moved, &mut grad);
    let mut fresh_params = params.clone();
    fresh_params.as_mut_slice().copy_from_slice(&moved);
    let fresh = Tape::new();
    let ft = fresh.params(&fresh_params);
    let fl = loss(
        fresh.constant(&x),
        ft.vars()[0],
        ft.vars()[1],
        fresh.constant(&y),
        true,
    );
    let fresh_grad = fresh.backward(fl).flat(&ft);
    let vs_replay = grad
        .iter()
        .zip(&fresh_grad)
        .map(|(a, b)| (a - b).abs())
        .fold((replayed - fl.item()).abs(), f64::max);

    // 4. Drawn: the table, the SVG and the page name the ops and show their formulas.
    let g = tape.backward(l);
    let dir = args.out_dir();
    let (svg, html) = (dir.join("tape.svg"), dir.join("tape.html"));
    args.write_file(&svg, &tape.to_svg(Some(&g)));
    args.write_file(&html, &tape.to_html(l));
    let table = tape.table(Some(&g)).to_string();

    let passed = first.passed() && second.passed() && vs_builtin < 1e-12 && vs_replay < 1e-12;
    if args.json() {
        outln!(
            "{}",
            json!({
                "gradcheck": { "passed": first.passed(), "max_rel_error": first.max_rel_error() },
                "gradgradcheck": { "passed": second.passed(), "max_rel_error": second.max_rel_error() },
                "max_difference_from_builtin": vs_builtin,
                "max_difference_replay_vs_recording": vs_replay,
                "svg": svg,
                "html": html,
                "passed": passed,
            })
        );
    } else {
        outln!("{table}");
        outln!("{first}");
        outln!("{second}");
        outln!("largest difference from the built-in softplus and matmul_nt: {vs_builtin:.1e}");
        outln!("largest difference, replay against a fresh recording: {vs_replay:.1e}");
        outln!("the tape drawn to {} and {}", svg.display(), html.display());
        outln!(
            "{}",
            if passed {
                "both ops pass every check"
            } else {
                "a check FAILED: see above"
            }
        );
    }
    if !passed {
        std::process::exit(1);
    }
}
