//! Matmul kernels against the naive triple loop and identities, at awkward sizes
//! (1x1, 1xn, nx1, zero-size, sizes that straddle the cache blocks).
//!
//! Tolerance: 1e-13 relative to the sum of |a_ip b_pj| for each entry, the bound on the
//! rounding difference between two summation orders of k <= 300 terms (k eps ~ 7e-14).

use tapegrad::Rng;
use tapegrad::Tensor;
use tapegrad::linalg::matmul::{
    gemm, gemm_naive, gemm_nt, gemm_nt_portable, gemm_portable, gemm_tn, gemm_tn_portable,
};

fn check(m: usize, k: usize, n: usize, seed: u64) {
    let mut rng = Rng::new(seed);
    let a = Tensor::rand_normal(m, k, 0.0, 1.0, &mut rng);
    let b = Tensor::rand_normal(k, n, 0.0, 1.0, &mut rng);
    let c0 = Tensor::rand_normal(m, n, 0.0, 1.0, &mut rng);
    let mut want = c0.clone();
    gemm_naive(m, k, n, a.as_slice(), b.as_slice(), want.as_mut_slice());
    let scale = a
        .map(f64::abs)
        .matmul(&b.map(f64::abs))
        .add(&c0.map(f64::abs));
    for (name, kernel) in [
        (
            "gemm",
            gemm as fn(usize, usize, usize, &[f64], &[f64], &mut [f64]),
        ),
        ("gemm_portable", gemm_portable),
    ] {
        let mut got = c0.clone();
        kernel(m, k, n, a.as_slice(), b.as_slice(), got.as_mut_slice());
        assert_close(name, (m, k, n), &got, &want, &scale);
    }
    // The transposed variants read A^T (k x m) and B^T (n x k) in place; the dispatching
    // kernels (SIMD where the CPU has AVX2 + FMA) and the portable ones.
    type Kernel = fn(usize, usize, usize, &[f64], &[f64], &mut [f64]);
    let bt = b.t();
    for (name, kernel) in [
        ("gemm_nt", gemm_nt as Kernel),
        ("gemm_nt_portable", gemm_nt_portable),
    ] {
        let mut got = c0.clone();
        kernel(m, k, n, a.as_slice(), bt.as_slice(), got.as_mut_slice());
        assert_close(name, (m, k, n), &got, &want, &scale);
    }
    let at = a.t();
    for (name, kernel) in [
        ("gemm_tn", gemm_tn as Kernel),
        ("gemm_tn_portable", gemm_tn_portable),
    ] {
        let mut got = c0.clone();
        kernel(m, k, n, at.as_slice(), b.as_slice(), got.as_mut_slice());
        assert_close(name, (m, k, n), &got, &want, &scale);
    }
}

fn assert_close(
    name: &str,
    (m, k, n): (usize, usize, usize),
    got: &Tensor,
    want: &Tensor,
    scale: &Tensor,
) {
    {
        for idx in 0..m * n {
            let (g, w, s) = (
                got.as_slice()[idx],
                want.as_slice()[idx],
                scale.as_slice()[idx],
            );
            assert!(
                (g - w).abs() <= 1e-13 * s.max(1e-300),
                "{name} {m}x{k}x{n} entry {idx}: {g} vs {w}"
            );
        }
    }
}

#[test]
fn kernels_match_naive_at_awkward_sizes() {
    let sizes = [
        (1, 1, 1),
        (1, 7, 1),
        (1, 1, 9),
        (9, 1, 1),
        (1, 13, 17),
        (19, 20, 16),
        (0, 3, 4),
        (3, 0, 4),
        (3, 4, 0),
        (33, 129, 257),
        (130, 300, 5),
        (7, 5, 300),
        (5, 300, 8),
        (9, 300, 8),
        (16, 260, 24),
    ];
    for (s, &(m, k, n)) in sizes.iter().enumerate() {
        check(m, k, n, s as u64);
    }
}

#[test]
fn identities() {
    let mut rng = Rng::new(3);
    let a = Tensor::rand_normal(19, 20, 0.0, 1.0, &mut rng);
    let b = Tensor::rand_normal(20, 16, 0.0, 1.0, &mut rng);
    assert_eq!(Tensor::eye(19).matmul(&a), a);
    assert_eq!(a.matmul(&Tensor::eye(20)), a);
    // (A B)^T = B^T A^T: the same products, summed in the same order up to the lanes of the
    // SIMD path (which may round the last column block differently), so to 1e-14.
    a.matmul(&b)
        .t()
        .assert_close(&b.t().matmul(&a.t()), 1e-14, 1e-14);
    // The SIMD path, where present, agrees with the portable one to rounding.
    let mut simd = Tensor::zeros(19, 16);
    let mut portable = Tensor::zeros(19, 16);
    gemm(19, 20, 16, a.as_slice(), b.as_slice(), simd.as_mut_slice());
    gemm_portable(
        19,
        20,
        16,
        a.as_slice(),
        b.as_slice(),
        portable.as_mut_slice(),
    );
    simd.assert_close(&portable, 1e-13, 1e-13);
    eprintln!(
        "SIMD path available: {}",
        tapegrad::linalg::matmul::simd_available()
    );
    // A zero inner dimension gives zeros.
    assert_eq!(
        Tensor::zeros(3, 0).matmul(&Tensor::zeros(0, 2)),
        Tensor::zeros(3, 2)
    );
}
