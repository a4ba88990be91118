//! Shared test settings and helpers.
#![allow(dead_code)]

pub mod cli;
pub mod close;
pub mod figure;
pub mod user_ops;
pub mod w1;

use proptest::test_runner::{Config, RngSeed};

/// Proptest settings for this crate: `cases` random cases from a fixed seed, so every run
/// of `cargo test` checks the same inputs (set `PROPTEST_RNG_SEED` to explore others), and
/// no regression files written into the source tree.
pub fn proptest_config(cases: u32) -> Config {
    let explore = std::env::var_os("PROPTEST_RNG_SEED").is_some();
    Config {
        cases,
        rng_seed: if explore {
            Config::default().rng_seed
        } else {
            RngSeed::Fixed(0x7a9e_97ad)
        },
        failure_persistence: None,
        ..Config::default()
    }
}

use tapegrad::{Rng, Tensor};

/// A `rows x cols` matrix of independent standard normal draws from `rng`.
pub fn gaussian(rows: usize, cols: usize, rng: &mut Rng) -> Tensor {
    Tensor::rand_normal(rows, cols, 0.0, 1.0, rng)
}

/// A JSON array of rows (`[[1, 2], [3, 4]]`) as a matrix, as the fixtures store them.
pub fn json_matrix(v: &serde_json::Value) -> Tensor {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .expect("an array of rows")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("a row")
                .iter()
                .map(|x| x.as_f64().expect("a number"))
                .collect()
        })
        .collect();
    let cols = rows.first().map_or(0, Vec::len);
    Tensor::from_fn(rows.len(), cols, |i, j| rows[i][j])
}
