//! `log_softmax` and `cross_entropy` against PyTorch float64 autograd
//! (`tests/fixtures/cross_entropy.{py,json}`): values and gradients to 1e-12 relative, on
//! small random cases, two classes, one sample, logits of ±1000 and through a linear layer.
//! 1e-12: both sides compute the same few sums of exponentials in float64; the differences
//! are summation order, a few ulps.

mod common;

use common::close::{assert_close, assert_tensor_close};
use serde_json::Value;
use tapegrad::nn::{Reduction, cross_entropy};
use tapegrad::{Tape, Tensor};

/// Every value and gradient entry within 1e-12 of torch's, relative (absolute below 1e-3).
const TOL: f64 = 1e-12;
const FLOOR: f64 = 1e-3;

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
            assert_close(
                name,
                loss.item(),
                case["loss"].as_f64().unwrap(),
                TOL,
                FLOOR,
            );
            assert_tensor_close(
                name,
                &tape.backward(loss)[z],
                &common::json_matrix(&case["grad_z"]),
                TOL,
                FLOOR,
            );
            let ls = (z.log_softmax() * tape.constant(common::json_matrix(&case["r"]))).sum();
            assert_close(
                name,
                ls.item(),
                case["log_softmax_sum"].as_f64().unwrap(),
                TOL,
                FLOOR,
            );
            assert_tensor_close(
                name,
                &tape.backward(ls)[z],
                &common::json_matrix(&case["grad_log_softmax_sum"]),
                TOL,
                FLOOR,
            );
        } else {
            let x = tape.constant(common::json_matrix(&case["x"]));
            let (w, b) = (
                tape.leaf(common::json_matrix(&case["w"])),
                tape.leaf(common::json_matrix(&case["b"])),
            );
            let loss = cross_entropy(x.matmul_nt(w) + b, &targets, reduction);
            assert_close(
                name,
                loss.item(),
                case["loss"].as_f64().unwrap(),
                TOL,
                FLOOR,
            );
            let g = tape.backward(loss);
            assert_tensor_close(
                name,
                &g[w],
                &common::json_matrix(&case["grad_w"]),
                TOL,
                FLOOR,
            );
            assert_tensor_close(
                name,
                &g[b],
                &common::json_matrix(&case["grad_b"]),
                TOL,
                FLOOR,
            );
        }
    }
}

#[test]
#[should_panic(expected = "cross_entropy: target 1 is class 3, but the logits have 3 classes")]
fn a_target_outside_the_classes_is_named() {
    let tape = Tape::new();
    cross_entropy(tape.leaf(Tensor::zeros(2, 3)), &[0, 3], Reduction::Mean);
}
