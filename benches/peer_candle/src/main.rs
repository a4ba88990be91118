//! W1 and W3 in candle, the Rust peer of BENCHMARKS.md: the same seeded data and initial weights
//! as the crate's bench (`benches/data/`), f64 on the CPU, plain gradient descent written out
//! (`w <- w - lr dL/dw` through `Var::set`), one JSON line per workload: us/step (median of 7
//! runs after a warm-up run, divided by the steps) and the final loss, which matches PyTorch's.
//!
//! ```text
//! cd benches/peer_candle && cargo build --release
//! RAYON_NUM_THREADS=1 taskset -c 0 target/release/peer-candle
//! ```

use candle_core::{Device, Result, Tensor, Var};
use std::collections::HashMap;
use std::time::Instant;

/// `name rows cols v0 v1 ...` per line (row-major), as `../shared/peers/common.py` writes them.
fn load(name: &str) -> HashMap<String, (usize, usize, Vec<f64>)> {
    let path = format!("{}/../data/{name}.txt", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .map(|line| {
            let mut it = line.split_whitespace();
            let key = it.next().expect("a name").to_string();
            let rows: usize = it.next().expect("rows").parse().expect("rows");
            let cols: usize = it.next().expect("cols").parse().expect("cols");
            let vals: Vec<f64> = it.map(|v| v.parse().expect("a number")).collect();
            assert_eq!(vals.len(), rows * cols, "{path}: {key}");
            (key, (rows, cols, vals))
        })
        .collect()
}

fn tensor(
    d: &HashMap<String, (usize, usize, Vec<f64>)>,
    key: &str,
    dev: &Device,
) -> Result<Tensor> {
    let (r, c, v) = &d[key];
    Tensor::from_vec(v.clone(), (*r, *c), dev)
}

/// `steps` full-batch GD steps from the file's weights; returns (seconds, final loss).
fn run(name: &str, lr: f64, steps: usize, mean: bool) -> Result<(f64, f64)> {
    let dev = Device::Cpu;
    let d = load(name);
    let (x, y) = (tensor(&d, "x", &dev)?, tensor(&d, "y", &dev)?);
    let mut layers = Vec::new();
    for k in 0.. {
        if !d.contains_key(&format!("W{k}")) {
            break;
        }
        let w = Var::from_tensor(&tensor(&d, &format!("W{k}"), &dev)?)?;
        let b = Var::from_tensor(&tensor(&d, &format!("b{k}"), &dev)?)?;
        layers.push((w, b));
    }
    let loss = |layers: &[(Var, Var)]| -> Result<Tensor> {
        let mut h = x.clone();
        for (k, (w, b)) in layers.iter().enumerate() {
            h = h
                .matmul(&w.as_tensor().t()?)?
                .broadcast_add(b.as_tensor())?;
            if k + 1 < layers.len() {
                h = h.relu()?;
            }
        }
        let r2 = (h - &y)?.sqr()?;
        if mean { r2.mean_all() } else { r2.sum_all() }
    };
    let start = Instant::now();
    for _ in 0..steps {
        let l = loss(&layers)?;
        let grads = l.backward()?;
        for (w, b) in &layers {
            for v in [w, b] {
                let g = grads
                    .get(v.as_tensor())
                    .expect("a gradient for every weight");
                v.set(&(v.as_tensor() - (g * lr)?)?)?;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let final_loss = loss(&layers)?.to_scalar::<f64>()?;
    Ok((secs, final_loss))
}

/// candle-core's version, from this package's `Cargo.lock`.
fn candle_version() -> String {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
        .unwrap_or_default();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"candle-core\"" {
            let version = lines.next().unwrap_or_default();
            return version
                .trim_start_matches("version = ")
                .trim_matches('"')
                .to_string();
        }
    }
    "unknown".into()
}

fn main() -> Result<()> {
    for (name, lr, steps, mean) in [("w1", 0.05, 2000, true), ("w3", 1e-3, 5000, false)] {
        run(name, lr, steps / 10, mean)?; // warm-up
        let mut runs: Vec<(f64, f64)> = (0..7)
            .map(|_| run(name, lr, steps, mean))
            .collect::<Result<_>>()?;
        runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (secs, final_loss) = runs[runs.len() / 2];
        println!(
            "{{\"workload\": \"{name}\", \"impl\": \"candle {}\", \"steps\": {steps}, \"us_per_step\": {:.3}, \"final_loss\": {final_loss:e}, \"RAYON_NUM_THREADS\": {}}}",
            candle_version(),
            secs / steps as f64 * 1e6,
            std::env::var("RAYON_NUM_THREADS").map_or("null".into(), |t| format!("\"{t}\""))
        );
    }
    Ok(())
}
