//! W1, W2 and W3 in candle, the Rust peer of BENCHMARKS.md: the same seeded data and initial
//! weights as the crate's bench (`benches/data/`), f64 on the CPU, the update written out with
//! tensor ops through `Var::set` (gradient descent for W1 and W3, PyTorch's Adam for W2 over
//! consecutive batches of 32), one JSON line per workload: us/step (median of 7 runs after a
//! warm-up run, divided by the steps) and the final loss, which matches PyTorch's.
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

/// The MLP's weights from the file, as `Var`s.
fn layers(d: &HashMap<String, (usize, usize, Vec<f64>)>, dev: &Device) -> Result<Vec<Var>> {
    let mut vars = Vec::new();
    for k in 0.. {
        if !d.contains_key(&format!("W{k}")) {
            break;
        }
        vars.push(Var::from_tensor(&tensor(d, &format!("W{k}"), dev)?)?);
        vars.push(Var::from_tensor(&tensor(d, &format!("b{k}"), dev)?)?);
    }
    Ok(vars)
}

/// The MSE (mean, or sum) of the ReLU MLP `vars` (W0, b0, W1, b1, ...) on `(x, y)`.
fn loss(vars: &[Var], x: &Tensor, y: &Tensor, mean: bool) -> Result<Tensor> {
    let mut h = x.clone();
    let n = vars.len() / 2;
    for (k, wb) in vars.chunks_exact(2).enumerate() {
        h = h
            .matmul(&wb[0].as_tensor().t()?)?
            .broadcast_add(wb[1].as_tensor())?;
        if k + 1 < n {
            h = h.relu()?;
        }
    }
    let r2 = (h - y)?.sqr()?;
    if mean { r2.mean_all() } else { r2.sum_all() }
}

/// `steps` full-batch GD steps from the file's weights; returns (seconds, final loss).
fn run_gd(name: &str, lr: f64, steps: usize, mean: bool) -> Result<(f64, f64)> {
    let dev = Device::Cpu;
    let d = load(name);
    let (x, y) = (tensor(&d, "x", &dev)?, tensor(&d, "y", &dev)?);
    let vars = layers(&d, &dev)?;
    let start = Instant::now();
    for _ in 0..steps {
        let grads = loss(&vars, &x, &y, mean)?.backward()?;
        for v in &vars {
            let g = grads
                .get(v.as_tensor())
                .expect("a gradient for every weight");
            v.set(&(v.as_tensor() - (g * lr)?)?)?;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    Ok((secs, loss(&vars, &x, &y, mean)?.to_scalar::<f64>()?))
}

/// W2: `steps` Adam steps (lr 1e-3, PyTorch's update: `m += (1 - b1)(g - m)`,
/// `v = b2 v + (1 - b2) g^2`, `w -= lr / (1 - b1^k) m / (sqrt(v) / sqrt(1 - b2^k) + eps)`) over
/// consecutive batches of 32 (the last of each pass 8 rows); returns (seconds, final loss).
fn run_adam(steps: usize) -> Result<(f64, f64)> {
    let (lr, b1, b2, eps, batch) = (1e-3, 0.9, 0.999, 1e-8, 32);
    let dev = Device::Cpu;
    let d = load("w2");
    let (x, y) = (tensor(&d, "x", &dev)?, tensor(&d, "y", &dev)?);
    let n = x.dim(0)?;
    let batches: Vec<(Tensor, Tensor)> = (0..n)
        .step_by(batch)
        .map(|i| {
            Ok((
                x.narrow(0, i, batch.min(n - i))?,
                y.narrow(0, i, batch.min(n - i))?,
            ))
        })
        .collect::<Result<_>>()?;
    let vars = layers(&d, &dev)?;
    let mut m: Vec<Tensor> = vars
        .iter()
        .map(|v| v.as_tensor().zeros_like())
        .collect::<Result<_>>()?;
    let mut s: Vec<Tensor> = m.clone();
    let start = Instant::now();
    for k in 1..=steps {
        let (xb, yb) = &batches[(k - 1) % batches.len()];
        let grads = loss(&vars, xb, yb, true)?.backward()?;
        let step_size = lr / (1.0 - f64::powi(b1, k as i32));
        let bc2_sqrt = (1.0 - f64::powi(b2, k as i32)).sqrt();
        for ((v, m), s) in vars.iter().zip(&mut m).zip(&mut s) {
            let g = grads
                .get(v.as_tensor())
                .expect("a gradient for every weight");
            *m = (&*m + ((g - &*m)? * (1.0 - b1))?)?;
            *s = ((&*s * b2)? + (g.sqr()? * (1.0 - b2))?)?;
            let denom = ((s.sqrt()? / bc2_sqrt)? + eps)?;
            v.set(&(v.as_tensor() - ((&*m / denom)? * step_size)?)?)?;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    Ok((secs, loss(&vars, &x, &y, true)?.to_scalar::<f64>()?))
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
    type Run = Box<dyn Fn(usize) -> Result<(f64, f64)>>;
    let workloads: [(&str, usize, Run); 3] = [
        (
            "w1",
            2000,
            Box::new(|steps| run_gd("w1", 0.05, steps, true)),
        ),
        ("w2", 3200, Box::new(run_adam)),
        (
            "w3",
            5000,
            Box::new(|steps| run_gd("w3", 1e-3, steps, false)),
        ),
    ];
    for (name, steps, run) in workloads {
        run(steps / 10)?; // warm-up
        let mut runs: Vec<(f64, f64)> = (0..7).map(|_| run(steps)).collect::<Result<_>>()?;
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
