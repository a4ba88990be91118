//! Shared test settings.
#![allow(dead_code)]

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
