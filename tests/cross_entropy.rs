//! `log_softmax` and `cross_entropy` against PyTorch float64 autograd
//! (`tests/fixtures/cross_entropy.{py,json}`): values and gradients to 1e-12 relative, on
//! small random cases, two classes, one sample, logits of ±1000 and through a linear layer.
//! 1e-12: both sides compute the same few sums of exponentials in float64; the differences
//! are summation order, a few ulps.

mod common;

use serde_json::Value;
use tapegrad::nn::{Reduction, cross_entropy};
use tapegrad::{Tape, Tensor};

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1e-3),
        "{what}: {got:e} vs torch {want:e}"
    );
}

fn close_t(got: &Tensor, want: &Tensor, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}");
    for (g, w) in got.as_slice().iter().zip(want.as_slice()) {
        close(*g, *w, what);
    }
}

#[test]
fn matches_pytorch_float64() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cross_entropy.json"
    ))
    .unwrap();
    let fixture: Value = serde_json::from_str(&text).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 7);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let targets: Vec<usize> = case["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_u64().unwrap() as usize)
            .collect();
        let reduction = match case["reduction"].as_str().unwrap() {
            "mean" => Reduction::Mean,
            _ => Reduction::Sum,
        };
        let tape = Tape::new();
        if case["kind"] == "logits" {
            let z = tape.leaf(common::json_matrix(&case["z"]));
            let loss = cross_entropy(z, &targets, reduction);
            close(loss.item(), case["loss"].as_f64().unwrap(), name);
            close_t(
                &tape.backward(loss)[z],
                &common::json_matrix(&case["grad_z"]),
                name,
            );
            let ls = (z.log_softmax() * tape.constant(common::json_matrix(&case["r"]))).sum();
            close(ls.item(), case["log_softmax_sum"].as_f64().unwrap(), name);
            close_t(
                &tape.backward(ls)[z],
                &common::json_matrix(&case["grad_log_softmax_sum"]),
                name,
            );
        } else {
            let x = tape.constant(common::json_matrix(&case["x"]));
            let (w, b) = (
                tape.leaf(common::json_matrix(&case["w"])),
                tape.leaf(common::json_matrix(&case["b"])),
            );
            let loss = cross_entropy(x.matmul_t(w) + b, &targets, reduction);
            close(loss.item(), case["loss"].as_f64().unwrap(), name);
            let g = tape.backward(loss);
            close_t(&g[w], &common::json_matrix(&case["grad_w"]), name);
            close_t(&g[b], &common::json_matrix(&case["grad_b"]), name);
        }
    }
}

#[test]
#[should_panic(expected = "cross_entropy: target 1 is class 3, but the logits have 3 classes")]
fn a_target_outside_the_classes_is_named() {
    let tape = Tape::new();
    cross_entropy(tape.leaf(Tensor::zeros(2, 3)), &[0, 3], Reduction::Mean);
}
