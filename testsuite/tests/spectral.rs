//! The symmetric eigendecomposition and the SVD: the defining identities on random matrices
//! (up to 200x200), known spectra, tall, wide and rank-deficient shapes, and what is built on
//! them (rank, null space, pseudo-inverse, condition number). Tolerances are relative to the
//! matrix norm: Jacobi methods are backward stable, so residuals are a small multiple of
//! `n eps ||A||`; 1e-12 leaves a margin of 10-100 at n = 200.

mod common;

use common::gaussian;
use proptest::prelude::*;
use tapegrad::data::poly_features;
use tapegrad::linalg::{
    condition_estimate, condition_number, min_norm, null_space, pinv, rank,
    singular_values_via_gram, svd, sym_eig,
};
use tapegrad::{Rng, Tensor};

fn symmetric(n: usize, seed: u64) -> Tensor {
    let g = gaussian(n, n, &mut Rng::new(seed));
    Tensor::from_fn(n, n, |i, j| g[(i, j)] + g[(j, i)])
}

/// `||A V − V diag(λ)|| / ||A||` and `||VᵀV − I||`.
fn eig_residuals(a: &Tensor) -> (f64, f64) {
    let e = sym_eig(a);
    let n = a.rows();
    let r = a
        .matmul(&e.vectors)
        .sub(&e.vectors.mul(&Tensor::row(&e.values)));
    let o = e.vectors.matmul_tn(&e.vectors).sub(&Tensor::eye(n));
    assert!(e.values.windows(2).all(|w| w[0] <= w[1]), "ascending");
    (r.norm() / a.norm().max(f64::MIN_POSITIVE), o.max_abs())
}

/// `||U diag(σ) Vᵀ − A|| / ||A||`, `||UᵀU − I||`, `||VᵀV − I||`.
fn svd_residuals(a: &Tensor) -> (f64, f64, f64) {
    let d = svd(a);
    let k = a.rows().min(a.cols());
    assert_eq!(
        (d.u.shape(), d.s.len(), d.v.shape()),
        ((a.rows(), k), k, (a.cols(), k))
    );
    assert!(d.s.windows(2).all(|w| w[0] >= w[1]) && d.s.iter().all(|&s| s >= 0.0));
    let back = d.u.mul(&Tensor::row(&d.s)).matmul_nt(&d.v);
    let eye = Tensor::eye(k);
    (
        back.sub(a).norm() / a.norm().max(f64::MIN_POSITIVE),
        d.u.matmul_tn(&d.u).sub(&eye).max_abs(),
        d.v.matmul_tn(&d.v).sub(&eye).max_abs(),
    )
}

#[test]
fn eig_of_random_symmetric_matrices_up_to_200() {
    for (n, seed) in [(1, 1), (2, 2), (7, 3), (30, 4), (100, 5), (200, 6)] {
        let (r, o) = eig_residuals(&symmetric(n, seed));
        assert!(
            r < 1e-12 && o < 1e-12,
            "n = {n}: residual {r:e}, orthogonality {o:e}"
        );
    }
}

#[test]
fn eig_known_spectra() {
    // Diagonal: the eigenvalues are the entries, sorted.
    let d = Tensor::from_fn(4, 4, |i, j| {
        if i == j {
            [3.0, -1.0, 2.0, 0.5][i]
        } else {
            0.0
        }
    });
    assert_eq!(sym_eig(&d).values, vec![-1.0, 0.5, 2.0, 3.0]);
    // Repeated eigenvalues: 2 I + 3 u uᵀ has eigenvalues 2, 2, 2 and 2 + 3||u||².
    let u = Tensor::column(&[1.0, 2.0, 2.0, 0.0]);
    let a = Tensor::eye(4)
        .mul_scalar(2.0)
        .add(&u.matmul_nt(&u).mul_scalar(3.0));
    let e = sym_eig(&a);
    for (got, want) in e.values.iter().zip([2.0, 2.0, 2.0, 29.0]) {
        assert!((got - want).abs() < 1e-13, "{:?}", e.values);
    }
    let (r, o) = eig_residuals(&a);
    assert!(r < 1e-14 && o < 1e-14);
    // Rank 1: u uᵀ has one eigenvalue ||u||² = 9, the rest 0.
    let e = sym_eig(&u.matmul_nt(&u));
    assert!((e.max() - 9.0).abs() < 1e-14 && e.values[..3].iter().all(|l| l.abs() < 1e-14));
}

#[test]
#[should_panic(expected = "sym_eig: the matrix is not symmetric: entry (0, 1)")]
fn eig_refuses_a_nonsymmetric_matrix() {
    sym_eig(&Tensor::from_rows(&[[1.0, 2.0], [0.0, 1.0]]));
}

#[test]
#[should_panic(expected = "svd: entry (1, 0) is NaN")]
fn svd_names_a_nan_entry() {
    svd(&Tensor::from_rows(&[[1.0, 2.0], [f64::NAN, 1.0]]));
}

#[test]
fn svd_of_tall_wide_and_rank_deficient_matrices() {
    // Rank 3.
    let low_rank = gaussian(40, 3, &mut Rng::new(9)).matmul(&gaussian(3, 25, &mut Rng::new(10)));
    for (name, a) in [
        ("tall 60x20", gaussian(60, 20, &mut Rng::new(7))),
        ("wide 15x70", gaussian(15, 70, &mut Rng::new(8))),
        ("square 200x200", gaussian(200, 200, &mut Rng::new(11))),
        ("rank 3, 40x25", low_rank.clone()),
        ("rank 3, 25x40", low_rank.t()),
        ("zero 3x2", Tensor::zeros(3, 2)),
        ("1x1", Tensor::scalar(-4.0)),
    ] {
        let (r, ou, ov) = svd_residuals(&a);
        assert!(
            r < 1e-12 && ou < 1e-12 && ov < 1e-12,
            "{name}: {r:e} {ou:e} {ov:e}"
        );
    }
    assert_eq!(rank(&low_rank), 3);
    assert_eq!(rank(&low_rank.t()), 3);
    assert_eq!(rank(&Tensor::zeros(3, 2)), 0);
}

#[test]
fn singular_values_are_the_square_roots_of_the_gram_eigenvalues() {
    let a = gaussian(30, 12, &mut Rng::new(12));
    let s = svd(&a).s;
    for (x, y) in s.iter().zip(singular_values_via_gram(&a)) {
        assert!((x - y).abs() < 1e-10 * s[0], "{x} vs {y}");
    }
}

/// Seed 003: 7 points on [-1, 1], polynomial features of degree 9 with the constant: a 7x10
/// matrix of rank 7; its null space has dimension 3, and the pseudo-inverse gives the
/// minimum-norm interpolant.
#[test]
fn seed_003_rank_null_space_and_pinv() {
    let x: Vec<f64> = (0..7).map(|i| -1.0 + 2.0 * i as f64 / 6.0).collect();
    let phi = poly_features(&x, 9);
    assert_eq!(phi.shape(), (7, 10));
    assert_eq!(rank(&phi), 7);
    assert_eq!(rank(&phi.matmul_tn(&phi)), 7, "rank of XᵀX");
    let z = null_space(&phi);
    assert_eq!(z.shape(), (10, 3));
    let norm_x = svd(&phi).s[0];
    for j in 0..3 {
        let v = Tensor::from_fn(10, 1, |i, _| z[(i, j)]);
        assert!(phi.matmul(&v).norm() <= 1e-12 * norm_x);
    }
    z.matmul_tn(&z).assert_close(&Tensor::eye(3), 0.0, 1e-13);
    let y = Tensor::column(
        &x.iter()
            .map(|x| (5.0 * x).sin() * (2.0 * x).abs().exp() / 10.0)
            .collect::<Vec<_>>(),
    );
    let via_pinv = pinv(&phi).matmul(&y);
    via_pinv.assert_close(&min_norm(&phi, &y).unwrap(), 1e-9, 1e-12);
}

#[test]
fn condition_number_is_the_singular_value_ratio() {
    let x = Tensor::from_rows(&[[3.0, 0.0], [0.0, 0.5], [0.0, 0.0]]);
    assert!((condition_number(&x) - 6.0).abs() < 1e-14);
    assert_eq!(
        condition_number(&Tensor::from_rows(&[[1.0, 2.0], [2.0, 4.0]])),
        f64::INFINITY
    );
}

proptest! {
    #![proptest_config(common::proptest_config(24))]

    #[test]
    fn eig_identities_hold_for_random_symmetric(n in 1usize..=24, seed in 0u64..1000) {
        let (r, o) = eig_residuals(&symmetric(n, seed));
        prop_assert!(r < 1e-12 && o < 1e-12, "n = {}: {:e} {:e}", n, r, o);
    }

    #[test]
    fn svd_identities_hold_for_random_shapes(m in 1usize..=20, n in 1usize..=20, seed in 0u64..1000) {
        let (r, ou, ov) = svd_residuals(&gaussian(m, n, &mut Rng::new(seed)));
        prop_assert!(r < 1e-12 && ou < 1e-12 && ov < 1e-12, "{}x{}: {:e} {:e} {:e}", m, n, r, ou, ov);
    }

    #[test]
    fn pinv_satisfies_the_penrose_conditions(m in 1usize..=8, n in 1usize..=8, r in 1usize..=4, seed in 0u64..1000) {
        let a = gaussian(m, r, &mut Rng::new(seed)).matmul(&gaussian(r, n, &mut Rng::new(seed + 1)));
        let p = pinv(&a);
        let scale = a.norm() * p.norm();
        // All four: A A⁺ A = A, A⁺ A A⁺ = A⁺, and A A⁺ and A⁺ A symmetric.
        prop_assert!(a.matmul(&p).matmul(&a).sub(&a).norm() <= 1e-10 * a.norm() * scale.max(1.0));
        prop_assert!(p.matmul(&a).matmul(&p).sub(&p).norm() <= 1e-10 * p.norm() * scale.max(1.0));
        let (ap, pa) = (a.matmul(&p), p.matmul(&a));
        prop_assert!(ap.sub(&ap.t()).norm() <= 1e-10 * scale.max(1.0), "A A+ is not symmetric");
        prop_assert!(pa.sub(&pa.t()).norm() <= 1e-10 * scale.max(1.0), "A+ A is not symmetric");
    }
}

/// QR and the least-squares solvers take any shape; errors only where the problem is
/// undefined (a unique solution of a rank-deficient system) or the data is not finite.
#[test]
fn qr_and_min_norm_accept_any_shape() {
    use tapegrad::linalg::{LstsqError, Qr, lstsq};
    let wide = gaussian(3, 7, &mut Rng::new(21));
    let qr = Qr::new(&wide);
    assert_eq!((qr.rank(), qr.r().shape()), (3, (3, 7)));
    // Q R = A P for the wide matrix too.
    let qa = qr.apply_q(&qr.r());
    for (j, &p) in qr.perm().iter().enumerate() {
        for i in 0..3 {
            assert!((qa[(i, j)] - wide[(i, p)]).abs() < 1e-13);
        }
    }
    // min_norm on a rank-deficient tall matrix: the minimum-norm least-squares solution.
    let base = gaussian(8, 2, &mut Rng::new(22));
    let x = Tensor::from_fn(8, 3, |i, j| if j < 2 { base[(i, j)] } else { base[(i, 0)] });
    let y = gaussian(8, 1, &mut Rng::new(23));
    assert!(matches!(
        lstsq(&x, &y),
        Err(LstsqError::RankDeficient { rank: 2, .. })
    ));
    let theta = min_norm(&x, &y).unwrap();
    theta.assert_close(&pinv(&x).matmul(&y), 1e-12, 1e-12);
    // The normal equations hold: Xᵀ (X θ − y) = 0.
    assert!(x.matmul_tn(&x.matmul(&theta).sub(&y)).max_abs() < 1e-12);
    // A NaN is named, never reported as a rank.
    let mut bad = x.clone();
    bad[(4, 1)] = f64::NAN;
    let err = lstsq(&bad, &y).unwrap_err();
    assert_eq!(err.to_string(), "least squares: X has a NaN at (4, 1)");
    assert!(min_norm(&bad, &y).is_err());
}

#[test]
#[should_panic(expected = "Qr::solve_r: R is [2x3], not square")]
fn qr_of_a_wide_matrix_cannot_solve_r() {
    let qr = tapegrad::linalg::Qr::new(&gaussian(2, 3, &mut Rng::new(1)));
    qr.solve_r(&Tensor::zeros(2, 1));
}

/// Extreme scales (issue 31, S3 and C10): `sym_eig` of `1e-200 [[2, 1], [1, 2]]` is
/// `1e-200 {1, 3}` (it was `{2e-200, 2e-200}` after 0 sweeps), a random 6x6 at 1e-165 and at
/// 1e150 has the eigenvalues of its unit-scale copy scaled, and the Gram route to singular
/// values works for entries of 1e200 (it panicked on an overflowed Gram matrix).
#[test]
fn eigenvalues_and_gram_singular_values_at_extreme_scales() {
    let a = Tensor::from_rows(&[[2.0, 1.0], [1.0, 2.0]]).mul_scalar(1e-200);
    let v = sym_eig(&a).values;
    assert!(
        (v[0] / 1e-200 - 1.0).abs() < 1e-14 && (v[1] / 3e-200 - 1.0).abs() < 1e-14,
        "{v:?}"
    );
    let unit = symmetric(6, 3);
    let want = sym_eig(&unit).values;
    for scale in [1e-165, 1e-300, 1e150, 1e300] {
        let got = sym_eig(&unit.mul_scalar(scale)).values;
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g / scale - w).abs() <= 1e-12 * w.abs().max(1.0),
                "{scale:e}: {got:?} vs {want:?}"
            );
        }
    }
    let b = gaussian(5, 3, &mut Rng::new(9));
    let s = singular_values_via_gram(&b.mul_scalar(1e200));
    let t = svd(&b).s;
    for (g, w) in s.iter().zip(&t) {
        assert!((g / 1e200 - w).abs() <= 1e-10 * w, "{s:?} vs {t:?}");
    }
}

/// A singular matrix has an infinite condition number (issue 31, S4), decided with `rank`'s
/// tolerance: `[[1,2,3],[4,5,6],[7,8,9]]` (it gave 5.95e16) and a rank-25 50x50 (1.3e18); a
/// NaN entry gives NaN from both the exact number and the estimate (S8: the estimate said
/// infinite, "singular").
#[test]
fn singular_matrices_have_infinite_condition_numbers_and_nan_has_none() {
    let a = Tensor::from_rows(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]);
    assert_eq!(rank(&a), 2);
    assert_eq!(condition_number(&a), f64::INFINITY);
    let low = gaussian(50, 25, &mut Rng::new(1)).matmul(&gaussian(25, 50, &mut Rng::new(2)));
    assert_eq!(rank(&low), 25);
    assert_eq!(condition_number(&low), f64::INFINITY);
    let mut nan = Tensor::eye(3);
    nan[(1, 2)] = f64::NAN;
    assert!(condition_number(&nan).is_nan());
    assert!(condition_estimate(&nan).is_nan());
    // A well-conditioned matrix keeps its number.
    let x = Tensor::from_rows(&[[10.0, 0.0], [0.0, 0.1], [0.0, 0.0]]);
    assert!((condition_number(&x) - 100.0).abs() < 1e-12);
}
