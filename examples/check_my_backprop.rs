//! The homework's classic: an MLP's forward and backward pass written by hand, with plain
//! loops and matrices and no tape, checked entry by entry against finite differences and
//! against the tape. `--bug` injects the classic mistakes; the report points at each.
//!
//! ```text
//! cargo run --example check_my_backprop                       # the correct backward pass
//! cargo run --example check_my_backprop -- --bug transpose    # and see the report name it
//! ```

#[macro_use]
mod common;

use common::Cli;
use serde_json::json;
use tapegrad::gradcheck::{Diagnosis, Options};
use tapegrad::nn::{Activation, Module, Params, Reduction, mlp, mse};
use tapegrad::{Rng, Tape, Tensor};

const ABOUT: &str = "An MLP (3 inputs, 4 tanh hidden units, 1 output) with its forward and \
backward pass written by hand, the way the homework asks, checked against finite differences \
per parameter block and against the tape. --bug injects a classic mistake (a missing activation \
derivative, a transposed weight gradient, a factor 2 missing from the MSE, a bias gradient not \
summed over the batch) and the report names the block and the pattern. A failed check exits 1, as \
a test does, so scripts and CI can read the status.";

/// Which mistake to make.
#[derive(Clone, Copy, PartialEq)]
enum Bug {
    None,
    Activation,
    Transpose,
    Factor2,
    Bias,
}

/// `(loss, ∇loss)` for θ = (W1 [4x3], b1 [1x4], W2 [1x4], b2 [1x1]), by hand:
/// `z = X W1ᵀ + b1, h = tanh z, o = h W2ᵀ + b2, L = (1/N) Σ (o − y)²`.
fn by_hand(theta: &[f64], x: &Tensor, y: &Tensor, bug: Bug) -> (f64, Vec<f64>) {
    let (n, d, hdim) = (x.rows(), x.cols(), 4);
    let w1 = Tensor::from_vec(hdim, d, theta[..hdim * d].to_vec());
    let b1 = Tensor::row(&theta[hdim * d..hdim * d + hdim]);
    let w2 = Tensor::from_vec(
        1,
        hdim,
        theta[hdim * d + hdim..hdim * d + 2 * hdim].to_vec(),
    );
    let b2 = theta[hdim * d + 2 * hdim];
    // Forward.
    let z = x.matmul_nt(&w1).add(&b1);
    let h = z.map(f64::tanh);
    let o = h.matmul_nt(&w2).add_scalar(b2);
    let r = o.sub(y);
    let loss = r.as_slice().iter().map(|e| e * e).sum::<f64>() / n as f64;
    // Backward.
    let two = if bug == Bug::Factor2 { 1.0 } else { 2.0 };
    let d_o = r.mul_scalar(two / n as f64); // dL/do = (2/N)(o − y)
    let d_w2 = d_o.matmul_tn(&h); // 1 x hdim
    let sum_rows = |t: &Tensor| {
        if bug == Bug::Bias {
            Tensor::row(t.row_slice(0))
        } else {
            t.sum_each_col()
        }
    };
    let d_b2 = sum_rows(&d_o);
    let d_h = d_o.matmul(&w2); // n x hdim
    let d_z = if bug == Bug::Activation {
        d_h.clone()
    } else {
        d_h.mul(&h.map(|v| 1.0 - v * v))
    };
    let d_w1 = if bug == Bug::Transpose {
        x.matmul_tn(&d_z) // d x hdim, laid out as if it were hdim x d
    } else {
        d_z.matmul_tn(x) // hdim x d
    };
    let d_b1 = sum_rows(&d_z);
    let grad = [
        d_w1.as_slice(),
        d_b1.as_slice(),
        d_w2.as_slice(),
        d_b2.as_slice(),
    ]
    .concat();
    (loss, grad)
}

fn main() {
    let args = Cli::new("check_my_backprop", ABOUT)
        .flag(
            "bug",
            "NAME",
            "none",
            "none, activation, transpose, factor2 or bias",
        )
        .flag("seed", "S", 0, "seed of the data and the weights")
        .example("cargo run --example check_my_backprop -- --bug activation")
        .parse();
    let bug = match args.get::<String>("bug").as_str() {
        "none" => Bug::None,
        "activation" => Bug::Activation,
        "transpose" => Bug::Transpose,
        "factor2" => Bug::Factor2,
        "bias" => Bug::Bias,
        other => args.fail(&format!(
            "--bug: {other:?} is not none, activation, transpose, factor2 or bias"
        )),
    };
    let mut rng = Rng::new(args.get("seed"));
    let x = Tensor::rand_normal(8, 3, 0.0, 1.0, &mut rng);
    let y = Tensor::rand_normal(8, 1, 0.0, 1.0, &mut rng);
    // The same network on the tape, for its layout (PyTorch's names) and the reference.
    let mut params = Params::new();
    let model = mlp(&[3, 4, 1], Activation::Tanh).build(&mut params, &mut rng);
    let theta = params.as_slice().to_vec();
    let report = Options::new()
        .layout(&params)
        .check_gradient(|t| by_hand(t, &x, &y, bug), &theta);
    let tape = Tape::new();
    let vars = tape.params(&params);
    let loss = mse(
        model.forward(&vars, tape.constant(&x)),
        tape.constant(&y),
        Reduction::Mean,
    );
    let tape_grad = loss.backward().flat(&vars);
    let (_, hand) = by_hand(&theta, &x, &y, bug);
    let vs_tape = hand
        .iter()
        .zip(&tape_grad)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    // The full report (every block, the worst entry) is kept as a file to hand in.
    let report_path = args.out_dir().join("report.txt");
    args.write_file(
        &report_path,
        &format!("{report}largest difference from the tape's gradient: {vs_tape:.3e}\n"),
    );
    if args.json() {
        let blocks: Vec<_> = report
            .blocks
            .iter()
            .map(|b| {
                let (kind, factor) = match b.diagnosis.clamp_ratio() {
                    Diagnosis::Correct => ("correct", None),
                    Diagnosis::Factor(r) => ("factor", Some(r)),
                    Diagnosis::SignFlip => ("sign flip", None),
                    Diagnosis::Transposed => ("transposed", None),
                    _ => ("wrong", None),
                };
                json!({ "name": b.name, "max_rel_error": b.max_rel_error, "diagnosis": kind, "factor": factor })
            })
            .collect();
        outln!(
            "{}",
            json!({
                "passed": report.passed(),
                "blocks": blocks,
                "max_difference_from_tape": vs_tape,
                "report": report_path,
            })
        );
    } else {
        out!("{report}");
        outln!("largest difference from the tape's gradient: {vs_tape:.3e}");
        outln!("report written to {}", report_path.display());
    }
    // A check is a test: scripts and CI read the exit status.
    if !report.passed() {
        std::process::exit(1);
    }
}
