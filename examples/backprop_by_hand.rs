//! Backprop by hand: a 2-2-1 sigmoid network on one sample, every number shown.
//!
//! ```text
//! cargo run --example backprop_by_hand
//! ```
//!
//! The network: `h = σ(x W1ᵀ + b1)`, `o = σ(h W2ᵀ + b2)`, loss `L = (o − y)²`. The example
//! prints the forward pass as the tape records it (the Wengert list), then the reverse sweep
//! step by step (each node's adjoint `dL/dv` and what its rule sends to its inputs), then
//! checks the gradients against finite differences, and writes the graph three ways: drawn by
//! the crate (`graph.svg`), as a page stepping through the backward sweep (`backprop.html`,
//! open it in any browser; `#step=K` opens step K, counted from 0 as the page counts: step 0
//! is the loss), and as Graphviz DOT. `--mlp` does the same for a micrograd-sized network:
//! 2-4-4-1 tanh on four points, its parameter leaves named by `Params` (`0.weight`, ...).

#[macro_use]
mod common;

use common::Cli;
use serde_json::{Value, json};
use tapegrad::gradcheck::gradcheck;
use tapegrad::{Tape, Tensor, Var};

/// The sample, the target and the weights (`W` is `out x in`, as PyTorch's `Linear`).
fn inputs() -> (Tensor, Tensor, [Tensor; 4]) {
    let x = Tensor::row(&[0.05, 0.10]);
    let y = Tensor::scalar(0.01);
    let w1 = Tensor::from_rows(&[[0.15, 0.20], [0.25, 0.30]]);
    let b1 = Tensor::row(&[0.35, 0.35]);
    let w2 = Tensor::from_rows(&[[0.40, 0.45]]);
    let b2 = Tensor::scalar(0.60);
    (x, y, [w1, b1, w2, b2])
}

/// `L = (σ(σ(x W1ᵀ + b1) W2ᵀ + b2) − y)²`, with every intermediate named.
fn network<'t>(tape: &'t Tape, x: &Tensor, y: &Tensor, p: &[Var<'t>]) -> Var<'t> {
    let x = tape.constant(x).named("x");
    let z1 = (x.matmul_nt(p[0]) + p[1]).named("z1");
    let h = z1.sigmoid().named("h");
    let z2 = (h.matmul_nt(p[2]) + p[3]).named("z2");
    let o = z2.sigmoid().named("o");
    (o - tape.constant(y).named("y")).square().named("L")
}

/// `--mlp`: a 2-4-4-1 tanh network on four points, mean squared error; weights seeded.
fn mlp_tape(tape: &Tape) -> Var<'_> {
    use tapegrad::nn::{Activation, Module, Params, Reduction, mlp, mse};
    let mut rng = tapegrad::Rng::new(7);
    let mut params = Params::new();
    let model = mlp(&[2, 4, 4, 1], Activation::Tanh).build(&mut params, &mut rng);
    let x = Tensor::from_rows(&[[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]);
    let y = Tensor::column(&[-1.0, 1.0, 1.0, -1.0]);
    let vars = tape.params(&params);
    let out = model.forward(&vars, tape.constant(&x).named("x"));
    mse(out, tape.constant(&y).named("y"), Reduction::Mean).named("L")
}

const ABOUT: &str = "Backprop by hand: a 2-2-1 sigmoid network on one sample, every number shown. \
The forward pass as the tape records it (the Wengert list), the reverse sweep step by step (each \
node's adjoint dL/dv and what its rule sends to its inputs), a check against finite differences, \
and the graph drawn by the crate (graph.svg), as a page that steps through the backward sweep \
(backprop.html: open it in a browser, arrow keys step) and as Graphviz DOT.";

fn main() {
    let args = Cli::new("backprop_by_hand", ABOUT)
        .example("cargo run --example backprop_by_hand")
        .switch(
            "mlp",
            "a 2-4-4-1 tanh MLP on four points instead (the page only)",
        )
        .example("cargo run --example backprop_by_hand -- --json --out /tmp/backprop")
        .example("cargo run --example backprop_by_hand -- --mlp")
        .parse();
    if args.on("mlp") {
        let tape = Tape::new();
        let loss = mlp_tape(&tape);
        let grads = tape.backward(loss);
        let dir = args.out_dir();
        let (svg, html) = (dir.join("mlp.svg"), dir.join("mlp.html"));
        args.write_file(&svg, &tape.to_svg(Some(&grads)));
        args.write_file(&html, &tape.to_html(loss));
        if args.json() {
            outln!(
                "{}",
                json!({ "loss": loss.item(), "nodes": tape.len(),
                        "backward_steps": tape.backward_steps(loss).len(), "svg": svg, "html": html })
            );
        } else {
            outln!(
                "2-4-4-1 tanh MLP on four points: {} nodes, loss {:.6}",
                tape.len(),
                loss.item()
            );
            outln!(
                "Drawn: {}\nStep through the backward sweep: {}",
                svg.display(),
                html.display()
            );
        }
        return;
    }
    let (x, y, params) = inputs();
    let tape = Tape::new();
    let names = ["W1", "b1", "W2", "b2"];
    let p: Vec<Var<'_>> = params
        .iter()
        .zip(names)
        .map(|(t, n)| tape.leaf(t).named(n))
        .collect();
    let loss = network(&tape, &x, &y, &p);
    let grads = tape.backward(loss);
    let report = gradcheck(|t, v| network(t, &x, &y, v), &params);

    let dir = args.out_dir();
    let dot_path = dir.join("graph.dot");
    args.write_file(&dot_path, &tape.to_dot(Some(&grads)));
    let svg_path = dir.join("graph.svg");
    args.write_file(&svg_path, &tape.to_svg(Some(&grads)));
    let html_path = dir.join("backprop.html");
    args.write_file(&html_path, &tape.to_html(loss));

    if args.json() {
        let steps: Vec<Value> = tape
            .backward_steps(loss)
            .iter()
            .map(|s| {
                json!({ "node": s.node, "name": tape.name_of(s.node), "op": s.op.name(),
                        "adjoint": s.adjoint.as_slice(),
                        "sends": s.sends.iter().map(|(k, g)| json!({ "to": k, "value": g.as_slice() })).collect::<Vec<_>>() })
            })
            .collect();
        let gradients: serde_json::Map<String, Value> = names
            .iter()
            .zip(&p)
            .map(|(n, &v)| (n.to_string(), json!(grads[v].as_slice())))
            .collect();
        outln!(
            "{}",
            json!({ "loss": loss.item(), "gradients": gradients, "backward_steps": steps,
                    "gradcheck": { "passed": report.passed(), "max_rel_error": report.max_rel_error() },
                    "dot": dot_path, "svg": svg_path, "html": html_path })
        );
        return;
    }

    outln!("Forward: the tape (Wengert list), one line per value, in evaluation order\n");
    outln!("{tape}\n");

    outln!(
        "Backward: one reverse sweep from L, seeded with dL/dL = 1 (steps counted from 0, as the page counts)\n"
    );
    for (n, step) in tape.backward_steps(loss).iter().enumerate() {
        let label = tape
            .name_of(step.node)
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        outln!(
            "step {n:>2}: node {:>2}{label:<4} {:<16} dL/dv = {}",
            step.node,
            step.op.name(),
            tapegrad::tensor::preview(&step.adjoint)
        );
        for (k, g) in &step.sends {
            let to = tape
                .name_of(*k)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            outln!(
                "{:>38} -> node {k}{to}: {}",
                "sends",
                tapegrad::tensor::preview(g)
            );
        }
    }
    outln!(
        "\nThe tape with each value's adjoint\n\n{}\n",
        tape.table(Some(&grads))
    );
    outln!("Check against finite differences: {report}");
    outln!("\nDrawn: {}", svg_path.display());
    outln!("Step through the backward sweep: {}", html_path.display());
    outln!("Graphviz DOT: {}", dot_path.display());
}
