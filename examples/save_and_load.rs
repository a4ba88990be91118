//! Train a network, save it, and load it in a fresh process: the same predictions, bit for bit.
//!
//! ```text
//! cargo run --example save_and_load                 # train, save, reload in a new process, compare
//! cargo run --example save_and_load -- --load model.safetensors --check predictions.npy
//! ```
//!
//! The model is saved as safetensors with PyTorch's names (`0.weight`, `0.bias`, `2.weight`,
//! ...; biases as `[n]`), so `nn.Sequential(...).load_state_dict(load_file(path))` loads it in
//! PyTorch too; the architecture goes in the header's metadata, which the loading process
//! reads to rebuild the model before filling it.

#[macro_use]
mod common;

use common::{Args, Cli};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use tapegrad::io::{npy, safetensors};
use tapegrad::nn::{Activation, Init, Module, Params, mlp};
use tapegrad::optim::Adam;
use tapegrad::train::Trainer;
use tapegrad::{Rng, Tensor};

const ABOUT: &str = "Train a 1-16-16-1 tanh network on sin(3x), save it as safetensors (PyTorch's \
names and layout, the architecture in the metadata), load it in a fresh process that rebuilds \
the model from the file alone, and compare the predictions bit for bit.";

/// The evaluation grid: 101 points on [-1, 1].
fn grid() -> Tensor {
    Tensor::from_fn(101, 1, |i, _| -1.0 + 2.0 * i as f64 / 100.0)
}

fn parse_sizes(text: &str) -> Option<Vec<usize>> {
    text.split(',').map(|s| s.trim().parse().ok()).collect()
}

/// Trains, saves the model and the grid predictions into `dir`; returns the final loss.
fn train_and_save(dir: &Path, steps: usize, seed: u64) -> f64 {
    let sizes = [1, 16, 16, 1];
    let mut rng = Rng::new(seed);
    let mut params = Params::new();
    let model = mlp(&sizes, Activation::Tanh).build(&mut params, &mut rng);
    let x = Tensor::rand_uniform(40, 1, -1.0, 1.0, &mut rng);
    let y = x.map(|v| (3.0 * v).sin());
    let trained = Trainer::new(&model, &x, &y)
        .steps(steps)
        .run(&mut params, &mut Adam::new(1e-2));
    let loss = match trained {
        Ok(report) => report.last_loss,
        Err(e) => {
            eprintln!("save_and_load: {e}");
            std::process::exit(1);
        }
    };
    let meta = [("sizes", "1,16,16,1"), ("activation", "tanh")];
    let saved = safetensors::save(&params, dir.join("model.safetensors"), &meta).and_then(|()| {
        npy::write(
            dir.join("predictions.npy"),
            &model.predict(&params, &grid()),
        )
    });
    if let Err(e) = saved {
        eprintln!("save_and_load: {e}");
        std::process::exit(1);
    }
    loss
}

/// Loads the model from `path` alone (its metadata says the architecture) and predicts on the
/// grid; with `check`, compares with the saved predictions. Returns the largest difference.
fn load_and_check(args: &Args, path: &Path, check: Option<&Path>) -> Option<f64> {
    let fail = |msg: String| -> ! {
        eprintln!("save_and_load: {msg}");
        std::process::exit(1)
    };
    let stored = safetensors::read(path).unwrap_or_else(|e| fail(e.to_string()));
    let meta = |k: &str| {
        stored
            .metadata
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let sizes = meta("sizes")
        .and_then(|s| parse_sizes(&s))
        .unwrap_or_else(|| {
            fail(format!(
                "{}: no usable \"sizes\" in the metadata",
                path.display()
            ))
        });
    // The metadata is data from a file: a model this example can build (one input and one
    // output, for the grid), of a size a machine holds, or an error naming the file.
    let params_needed = sizes.windows(2).try_fold(0usize, |n, w| {
        w[0].checked_mul(w[1])?.checked_add(w[1])?.checked_add(n)
    });
    if sizes.len() < 2
        || sizes.first() != Some(&1)
        || sizes.last() != Some(&1)
        || sizes.contains(&0)
        || params_needed.is_none_or(|n| n > 10_000_000)
    {
        fail(format!(
            "{}: metadata sizes {sizes:?} is not a network of this example (at least two layer \
             sizes, one input, one output, none zero, at most 10000000 parameters)",
            path.display()
        ));
    }
    let activation = match meta("activation").as_deref() {
        Some("tanh") => Activation::Tanh,
        Some("relu") => Activation::Relu,
        Some("sigmoid") => Activation::Sigmoid,
        other => fail(format!(
            "{}: activation {other:?} is not one this example builds",
            path.display()
        )),
    };
    // A fresh model of that shape (its initial values are overwritten by the file).
    let mut params = Params::new();
    let model = mlp(&sizes, activation)
        .init(Init::Zeros)
        .build(&mut params, &mut Rng::new(0));
    safetensors::load_into(&mut params, path).unwrap_or_else(|e| fail(e.to_string()));
    let pred = model.predict(&params, &grid());
    let check = check?;
    let want = npy::read(check).unwrap_or_else(|e| fail(e.to_string()));
    if want.shape() != pred.shape() {
        fail(format!(
            "{}: {}x{} predictions, expected 101x1",
            check.display(),
            want.rows(),
            want.cols()
        ));
    }
    let diff = pred.sub(&want).max_abs();
    let identical = pred
        .as_slice()
        .iter()
        .zip(want.as_slice())
        .all(|(a, b)| a.to_bits() == b.to_bits());
    if args.json() {
        outln!(
            "{}",
            json!({ "max_abs_diff": diff, "identical": identical })
        );
    } else {
        outln!(
            "loaded {} ({} parameters, sizes {sizes:?}) in a fresh process: predictions {}",
            path.display(),
            params.len(),
            if identical {
                "identical, bit for bit".to_string()
            } else {
                format!("differ by up to {diff:e}")
            }
        );
    }
    if !identical {
        std::process::exit(1);
    }
    Some(diff)
}

fn main() {
    let args = Cli::new("save_and_load", ABOUT)
        .flag("steps", "K", 3000, "Adam steps of training")
        .flag("seed", "S", 0, "seed of the data and the initial weights")
        .optional(
            "load",
            "FILE.safetensors",
            "only load this model (and check it with --check)",
        )
        .optional(
            "check",
            "PRED.npy",
            "with --load: predictions to compare with, bit for bit",
        )
        .example("cargo run --example save_and_load")
        .example(
            "cargo run --example save_and_load -- --load model.safetensors --check predictions.npy",
        )
        .parse();
    if args.opt::<PathBuf>("check").is_some() && args.opt::<PathBuf>("load").is_none() {
        args.fail("--check needs --load (it compares a loaded model's predictions)");
    }
    if let Some(path) = args.opt::<PathBuf>("load") {
        let check: Option<PathBuf> = args.opt("check");
        load_and_check(&args, &path, check.as_deref());
        return;
    }
    let dir = args.out_dir();
    let loss = train_and_save(&dir, args.get("steps"), args.get("seed"));
    let (model, preds) = (dir.join("model.safetensors"), dir.join("predictions.npy"));
    // A fresh process: nothing in memory is shared with this one.
    let exe = std::env::current_exe().unwrap_or_else(|e| {
        eprintln!("save_and_load: cannot find this program to rerun it: {e}");
        std::process::exit(1)
    });
    let mut child = Command::new(exe);
    child.arg("--load").arg(&model).arg("--check").arg(&preds);
    if args.json() {
        child.arg("--json");
    }
    let out = child.output().unwrap_or_else(|e| {
        eprintln!("save_and_load: cannot start the loading process: {e}");
        std::process::exit(1)
    });
    let reply = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() {
        eprintln!(
            "save_and_load: the loading process failed: {}{}",
            reply,
            String::from_utf8_lossy(&out.stderr)
        );
        std::process::exit(1);
    }
    if args.json() {
        let child_json: serde_json::Value =
            serde_json::from_str(&reply).unwrap_or(serde_json::Value::Null);
        outln!(
            "{}",
            json!({ "final_loss": loss, "model": model, "predictions": preds,
                    "fresh_process": child_json })
        );
        return;
    }
    outln!("trained 1-16-16-1 tanh on sin(3x): final loss {loss:.3e}");
    outln!("saved {} and {}", model.display(), preds.display());
    outln!("{reply}");
    outln!("\nIn PyTorch:");
    outln!("  from safetensors.torch import load_file; from torch import nn");
    outln!(
        "  m = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1)).double()"
    );
    outln!(
        "  m.load_state_dict(load_file({:?}))",
        model.display().to_string()
    );
}
