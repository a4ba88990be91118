//! Matmul kernels against the naive triple loop and identities, at awkward sizes
//! (1x1, 1xn, nx1, zero-size, sizes that straddle the cache blocks and the packed panels) and
//! at seeded random shapes 1..=300, for every kernel this CPU supports
//! ([`MatmulKernel::ALL`]: portable, AVX2+FMA, AVX-512) and the dispatching functions, in all
//! three forms (`A B`, `A B^T`, `A^T B`).
//!
//! Tolerance: 1e-13 relative to the sum of |a_ip b_pj| for each entry, the bound on the
//! rounding difference between two summation orders of k <= 300 terms (k eps ~ 7e-14); the
//! one shape with k > 300 gets k eps.

mod common;

use common::close::assert_close_to_scale;
use tapegrad::Rng;
use tapegrad::Tensor;
use tapegrad::linalg::matmul::{MatmulKernel, gemm, gemm_naive, gemm_nt, gemm_tn};

type Kernel = fn(usize, usize, usize, &[f64], &[f64], &mut [f64]);

/// A kernel's method for one form: `MatmulKernel::gemm`, `gemm_nt` or `gemm_tn`.
type Method = fn(MatmulKernel, usize, usize, usize, &[f64], &[f64], &mut [f64]);

/// Every kernel this CPU supports.
fn supported() -> Vec<MatmulKernel> {
    MatmulKernel::ALL
        .into_iter()
        .filter(|k| k.is_supported())
        .collect()
}

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
    let tol = 1e-13f64.max(k as f64 * f64::EPSILON);
    // Each form with the operands as it stores them: `B^T` (n x k) and `A^T` (k x m) are read
    // in place. Each runs through its dispatching function, its portable function, and every
    // kernel this CPU supports by name.
    let (at, bt) = (a.t(), b.t());
    let forms: [(&str, Kernel, Kernel, Method, &Tensor, &Tensor); 3] = [
        (
            "gemm",
            gemm,
            |m, k, n, a, b, c| MatmulKernel::Portable.gemm(m, k, n, a, b, c),
            MatmulKernel::gemm,
            &a,
            &b,
        ),
        (
            "gemm_nt",
            gemm_nt,
            |m, k, n, a, b, c| MatmulKernel::Portable.gemm_nt(m, k, n, a, b, c),
            MatmulKernel::gemm_nt,
            &a,
            &bt,
        ),
        (
            "gemm_tn",
            gemm_tn,
            |m, k, n, a, b, c| MatmulKernel::Portable.gemm_tn(m, k, n, a, b, c),
            MatmulKernel::gemm_tn,
            &at,
            &b,
        ),
    ];
    for (name, dispatch, portable, method, x, y) in forms {
        let (x, y) = (x.as_slice(), y.as_slice());
        let check_one = |label: String, run: &dyn Fn(&mut [f64])| {
            let mut got = c0.clone();
            run(got.as_mut_slice());
            assert_close_to_scale(&format!("{label} {m}x{k}x{n}"), &got, &want, &scale, tol);
        };
        check_one(name.to_string(), &|c| dispatch(m, k, n, x, y, c));
        check_one(format!("{name}_portable"), &|c| portable(m, k, n, x, y, c));
        for kernel in supported() {
            check_one(format!("{kernel} {name}"), &|c| {
                method(kernel, m, k, n, x, y, c)
            });
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
        // The AVX-512 path's blocks: MR = 8, NR = 24, KC = 256, NC = 288, MC = 960, one past
        // each, and exact multiples.
        (8, 256, 24),
        (9, 257, 25),
        (961, 257, 289),
        (64, 512, 576),
        // The small path (n <= 16, n > 1; the inner dimension in blocks of 16): W1's and W2's
        // layers, each width class (8, 12, 16) and the edges of the rule.
        (7, 1, 10),
        (7, 10, 10),
        (10, 7, 10),
        (1, 7, 10),
        (5, 3, 2),
        (3, 16, 16),
        (40, 16, 8),
        (9, 16, 17),
        (9, 17, 16),
        (5, 32, 10),
        (32, 10, 5),
        (11, 33, 12),
        (37, 300, 13),
        (3, 1000, 2),
    ];
    for (s, &(m, k, n)) in sizes.iter().enumerate() {
        check(m, k, n, s as u64);
    }
}

/// Seeded random shapes with each dimension in 1..=300, every kernel and form.
#[test]
fn kernels_match_naive_at_random_shapes() {
    let mut rng = Rng::new(2026);
    for case in 0..40 {
        let mut dim = || 1 + rng.index(300);
        let (m, k, n) = (dim(), dim(), dim());
        check(m, k, n, 1000 + case);
    }
}

#[test]
fn an_unsupported_kernel_is_refused_by_name() {
    let refused: Vec<MatmulKernel> = MatmulKernel::ALL
        .into_iter()
        .filter(|k| !k.is_supported())
        .collect();
    for &kernel in &refused {
        let err = std::panic::catch_unwind(|| kernel.gemm(1, 1, 1, &[1.0], &[1.0], &mut [0.0]))
            .expect_err("an unsupported kernel must panic");
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(
            msg.contains(kernel.name()) && msg.contains("not supported"),
            "{msg}"
        );
    }
    println!("refused: {}", refused.len());
    // Where every kernel runs (this machine has AVX-512), run this test again with the kernels
    // capped to the portable one, so the refusal is checked here too.
    if refused.is_empty() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "an_unsupported_kernel_is_refused_by_name",
                "--nocapture",
            ])
            .env("TAPEGRAD_MATMUL_KERNEL", "portable")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("refused: 2"),
            "the capped run refused no kernel: {text}"
        );
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
    MatmulKernel::Portable.gemm(
        19,
        20,
        16,
        a.as_slice(),
        b.as_slice(),
        portable.as_mut_slice(),
    );
    simd.assert_close(&portable, 1e-13, 1e-13);
    eprintln!("the best kernel here: {}", MatmulKernel::best());
    // A zero inner dimension gives zeros.
    assert_eq!(
        Tensor::zeros(3, 0).matmul(&Tensor::zeros(0, 2)),
        Tensor::zeros(3, 2)
    );
}

/// Large products are split over threads by bands of rows; every entry is computed exactly as
/// one thread computes it, so the results are bit-identical for any thread count (and so is
/// the blocked QR, whose trailing updates are such products).
#[test]
fn threads_do_not_change_a_single_bit() {
    let mut rng = Rng::new(12);
    let shapes = [(300, 200, 260), (513, 129, 97), (130, 300, 150)];
    for &(m, k, n) in &shapes {
        let a = Tensor::rand_normal(m, k, 0.0, 1.0, &mut rng);
        let b = Tensor::rand_normal(k, n, 0.0, 1.0, &mut rng);
        let bt = b.t();
        let at = a.t();
        let mut results = Vec::new();
        for threads in [1, 2, 3] {
            tapegrad::linalg::matmul::set_threads(threads);
            let (mut c1, mut c2, mut c3) = (vec![0.5; m * n], vec![0.5; m * n], vec![0.5; m * n]);
            gemm(m, k, n, a.as_slice(), b.as_slice(), &mut c1);
            gemm_nt(m, k, n, a.as_slice(), bt.as_slice(), &mut c2);
            gemm_tn(m, k, n, at.as_slice(), b.as_slice(), &mut c3);
            let x = Tensor::rand_normal(400, 300, 0.0, 1.0, &mut Rng::new(5));
            let r = tapegrad::linalg::Qr::new(&x).r();
            results.push((c1, c2, c3, r));
        }
        tapegrad::linalg::matmul::set_threads(0);
        for other in &results[1..] {
            assert!(other.0 == results[0].0, "gemm {m}x{k}x{n}");
            assert!(other.1 == results[0].1, "gemm_nt {m}x{k}x{n}");
            assert!(other.2 == results[0].2, "gemm_tn {m}x{k}x{n}");
            assert!(other.3 == results[0].3, "QR");
        }
    }
}
