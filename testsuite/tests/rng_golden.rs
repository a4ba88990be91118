//! Seeded streams are part of the crate's contract: the same seed gives the same numbers on
//! every machine and in every release. These values were computed from the specifications
//! alone by `tests/fixtures/rng_golden.py` (SplitMix64 + ChaCha8 written out in Python, no
//! Rust and no `rand`), so they pin both our definitions and the ChaCha implementation.

use tapegrad::nn::{Activation, Params, mlp};
use tapegrad::{Rng, Tensor};

#[test]
fn raw_words() {
    let mut r = Rng::new(0);
    let words: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
    assert_eq!(
        words,
        [0xbf94d1332d8ee5e8, 0x3a738775a6da5a01, 0x3d46ff10c143ee06]
    );
}

/// Far into the stream: the block counter (words 12 and 13 of the state) advances, and the
/// words of a block are read in order across the 64-bit draws.
#[test]
fn raw_words_after_many_blocks() {
    let mut r = Rng::new(0);
    let words: Vec<u64> = (0..1002).map(|_| r.next_u64()).collect();
    assert_eq!(
        words[999..],
        [0xef75b7b4b8b86349, 0xa1c09406e0cef6e0, 0xe9162abef40b8507]
    );
    assert_eq!(format!("{r:?}"), "Rng { seed: 0, words_used: 2004 }");
    let mut r = Rng::new(u64::MAX);
    let last = (0..100).map(|_| r.next_u64()).last();
    assert_eq!(last, Some(0xa08e96fe2972c7af));
}

#[test]
fn uniform_and_normal() {
    let mut r = Rng::new(42);
    let u: Vec<f64> = (0..3).map(|_| r.uniform()).collect();
    assert_eq!(
        u,
        [0.1917361602025135, 0.09114982297259133, 0.968028053549324]
    );
    // Box-Muller uses `ln` and `cos`, whose last bit may differ between math libraries:
    // compare to a few ulps.
    let mut r = Rng::new(42);
    let z: Vec<f64> = (0..3).map(|_| r.normal()).collect();
    let want = [
        0.5483690528577094,
        -0.4405644244884835,
        -0.0018689472498325777,
    ];
    for (a, b) in z.iter().zip(want) {
        approx::assert_relative_eq!(*a, b, max_relative = 1e-14);
    }
}

#[test]
fn index_and_shuffle() {
    let mut r = Rng::new(7);
    let idx: Vec<usize> = (0..8).map(|_| r.index(10)).collect();
    assert_eq!(idx, [4, 7, 5, 0, 5, 2, 6, 7]);
    let mut v: Vec<usize> = (0..8).collect();
    Rng::new(7).shuffle(&mut v);
    assert_eq!(v, [6, 1, 4, 2, 0, 7, 5, 3]);
}

/// The first entries of a seeded PyTorch-style init: `Linear(1, 10)` draws `W` uniform in
/// `[-1, 1)` as `-1 + 2u`, row-major, from the stream above.
#[test]
fn seeded_init() {
    let mut params = Params::new();
    let _model = mlp(&[1, 10, 10, 1], Activation::Relu).build(&mut params, &mut Rng::new(0));
    let first = &params.as_slice()[..3];
    assert_eq!(
        first,
        [0.4967290401356115, -0.5433493304756614, -0.5212708633602865]
    );
    let t = Tensor::rand_uniform(1, 3, -1.0, 1.0, &mut Rng::new(0));
    assert_eq!(t.as_slice(), first);
}
