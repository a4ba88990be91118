//! Backprop by hand: a 2-2-1 sigmoid network on one sample, every number shown.
//!
//! ```text
//! cargo run --example backprop_by_hand
//! ```
//!
//! The network: `h = σ(x W1ᵀ + b1)`, `o = σ(h W2ᵀ + b2)`, loss `L = (o − y)²`. The example
//! prints the forward pass as the tape records it (the Wengert list), then the reverse sweep
//! step by step (each node's adjoint `dL/dv` and what its rule sends to its inputs), then
//! checks the gradients against finite differences, and writes the graph as Graphviz DOT.

use std::path::PathBuf;
use std::process::Command;
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
    let z1 = (x.matmul_t(p[0]) + p[1]).named("z1");
    let h = z1.sigmoid().named("h");
    let z2 = (h.matmul_t(p[2]) + p[3]).named("z2");
    let o = z2.sigmoid().named("o");
    (o - tape.constant(y).named("y")).square().named("L")
}

fn main() {
    let (x, y, params) = inputs();
    let tape = Tape::new();
    let names = ["W1", "b1", "W2", "b2"];
    let p: Vec<Var<'_>> = params
        .iter()
        .zip(names)
        .map(|(t, n)| tape.leaf(t).named(n))
        .collect();
    let loss = network(&tape, &x, &y, &p);

    println!("Forward: the tape (Wengert list), one line per value, in evaluation order\n");
    println!("{tape}\n");

    println!("Backward: one reverse sweep from L, seeded with dL/dL = 1\n");
    for step in tape.backward_steps(loss) {
        let label = tape
            .name_of(step.node)
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        println!(
            "node {:>2}{label:<4} {:<16} dL/dv = {}",
            step.node,
            step.op.name(),
            tapegrad::inspect::preview(&step.adjoint)
        );
        for (k, g) in &step.sends {
            let to = tape
                .name_of(*k)
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            println!(
                "{:>30} -> node {k}{to}: {}",
                "sends",
                tapegrad::inspect::preview(g)
            );
        }
    }

    let grads = tape.backward(loss);
    println!(
        "\nThe tape with each value's adjoint\n\n{}\n",
        tape.table(Some(&grads))
    );

    let report = gradcheck(|t, v| network(t, &x, &y, v), &params);
    println!("Check against finite differences: {report}");

    let dir = PathBuf::from("target/tapegrad-plots/backprop_by_hand");
    let dot_path = dir.join("graph.dot");
    let svg_path = dir.join("graph.svg");
    if let Err(e) = std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(&dot_path, tape.to_dot(true, Some(&grads))))
    {
        eprintln!(
            "backprop_by_hand: could not write {}: {e}",
            dot_path.display()
        );
        std::process::exit(1);
    }
    println!("\nGraph: {}", dot_path.display());
    match Command::new("dot")
        .arg("-Tsvg")
        .arg(&dot_path)
        .arg("-o")
        .arg(&svg_path)
        .status()
    {
        Ok(s) if s.success() => println!("Drawn: {}", svg_path.display()),
        _ => println!(
            "Draw it with Graphviz: dot -Tsvg {} -o {}",
            dot_path.display(),
            svg_path.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tape's gradients against the chain rule written out by hand for this network:
    /// `dL/db2 = 2(o − y) · o(1 − o)`, `dL/dW2 = dL/db2 · h`, `dL/db1 = dL/db2 · W2 ⊙ h ⊙ (1 − h)`.
    #[test]
    fn gradients_match_the_chain_rule_by_hand() {
        let (x, y, params) = inputs();
        let tape = Tape::new();
        let p: Vec<Var<'_>> = params.iter().map(|t| tape.leaf(t)).collect();
        let loss = network(&tape, &x, &y, &p);
        let g = tape.backward(loss);
        let sig = |z: f64| 1.0 / (1.0 + (-z).exp());
        let h: Vec<f64> = (0..2)
            .map(|j| sig(0.05 * params[0][(j, 0)] + 0.10 * params[0][(j, 1)] + 0.35))
            .collect();
        let o = sig(0.40 * h[0] + 0.45 * h[1] + 0.60);
        let db2 = 2.0 * (o - 0.01) * o * (1.0 - o);
        assert!((g[p[3]].item() - db2).abs() < 1e-15);
        let dw2 = Tensor::row(&[db2 * h[0], db2 * h[1]]);
        g[p[2]].assert_close(&dw2, 1e-14, 0.0);
        let db1 = Tensor::row(&[
            db2 * 0.40 * h[0] * (1.0 - h[0]),
            db2 * 0.45 * h[1] * (1.0 - h[1]),
        ]);
        g[p[1]].assert_close(&db1, 1e-14, 0.0);
        assert!(gradcheck(|t, v| network(t, &x, &y, v), &params).passed());
    }
}
