//! Fuzz-style property tests: every reader of untrusted bytes (safetensors, `.npy`, matrix
//! CSV, loading into parameters; the JSON header parser has its own, a unit test in
//! `src/io/json.rs`) is fed random bytes and mutations of
//! valid files, 120,000 cases in all, and must return `Ok` or `Err`: never panic, never
//! allocate beyond what the input justifies (a header that claims 2^64 bytes would abort the
//! process if it were believed). Seeds are fixed, so every run checks the same inputs; set
//! `PROPTEST_RNG_SEED` to explore others.

mod common;

use proptest::prelude::*;
use tapegrad::io::csv::Csv;
use tapegrad::io::{npy, safetensors};
use tapegrad::nn::Params;
use tapegrad::{Rng, Tensor};

/// Runs every reader on `bytes`; only panics (which fail the test) matter.
fn feed(bytes: &[u8]) {
    let _ = safetensors::parse(bytes, "fuzz.safetensors");
    let _ = npy::parse(bytes, "fuzz.npy");
    let text = String::from_utf8_lossy(bytes);
    let _ = Csv::new().parse(&text, "fuzz.csv");
    let _ = Csv::new()
        .delimiter('\t')
        .target(0)
        .parse(&text, "fuzz.csv");
    let mut p = Params::new();
    p.add("0.weight", &Tensor::zeros(2, 1));
    p.add("0.bias", &Tensor::zeros(1, 2));
    let _ = safetensors::load_bytes_into(&mut p, bytes, "fuzz.safetensors");
}

/// Valid files of each format, the seeds that mutations start from.
fn valid_files(seed: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    let mut p = Params::new();
    p.add("0.weight", &Tensor::rand_normal(2, 1, 0.0, 1.0, &mut rng));
    p.add("0.bias", &Tensor::rand_normal(1, 2, 0.0, 1.0, &mut rng));
    vec![
        safetensors::to_bytes(&p, &[("sizes", "1,2")]),
        npy::to_bytes(&Tensor::rand_normal(3, 2, 0.0, 1.0, &mut rng)),
        b"a,b,\"c\"\n1,2,3\n# x\n4,5,6\r\n".to_vec(),
    ]
}

/// One mutation: overwrite a byte, truncate, insert a byte, or overwrite 8 bytes with a
/// random little-endian integer (a length or an offset).
fn mutate(mut bytes: Vec<u8>, ops: &[(u8, usize, u64)]) -> Vec<u8> {
    for &(kind, at, v) in ops {
        let n = bytes.len().max(1);
        let at = at % n;
        match kind % 4 {
            0 if !bytes.is_empty() => bytes[at] = v as u8,
            1 => bytes.truncate(at),
            2 => bytes.insert(at.min(bytes.len()), v as u8),
            _ => {
                for (k, b) in v.to_le_bytes().iter().enumerate() {
                    if let Some(x) = bytes.get_mut(at + k) {
                        *x = *b;
                    }
                }
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(common::proptest_config(60_000))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        feed(&bytes);
    }

    #[test]
    fn mutated_files_never_panic(
        which in 0usize..3,
        seed in 0u64..100,
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<u64>()), 1..6),
    ) {
        let file = valid_files(seed).swap_remove(which);
        feed(&mutate(file, &ops));
    }
}

/// The mutations reach the interesting checks (not only the magic or the length): a sample of
/// mutated safetensors files is rejected for at least these different reasons.
#[test]
fn mutations_reach_deep_checks() {
    let mut reasons = std::collections::BTreeSet::new();
    let mut rng = Rng::new(7);
    for _ in 0..5000 {
        let ops: Vec<(u8, usize, u64)> = (0..2)
            .map(|_| (rng.index(4) as u8, rng.index(400), rng.next_u64() % 300))
            .collect();
        let file = mutate(valid_files(1).swap_remove(0), &ops);
        if let Err(e) = safetensors::parse(&file, "f") {
            let msg = e.to_string();
            let key = [
                "header length",
                "header JSON",
                "data_offsets",
                "overlap or gap",
                "cover",
                "dtype",
                "UTF-8",
                "shape",
            ]
            .into_iter()
            .find(|k| msg.contains(k))
            .unwrap_or("other");
            reasons.insert(key);
        }
    }
    assert!(reasons.len() >= 5, "{reasons:?}");
}
