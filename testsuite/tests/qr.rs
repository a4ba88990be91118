//! The two-stage QR: large full-rank matrices factored blocked without pivoting, the rest (and
//! anything whose rank is in doubt) with column pivoting. Either way `A P = Q R` with `Q`
//! orthogonal and `R` upper triangular, to rounding, and the rank and least-squares answers
//! are those of the pivoted factorization.

use tapegrad::linalg::{LstsqError, Qr, lstsq, min_norm};
use tapegrad::{Rng, Tensor};

/// `||Q R − A P|| / ||A||`, `||Qᵀ Q − I||`, and whether `R` is upper triangular.
fn residuals(a: &Tensor, qr: &Qr) -> (f64, f64) {
    let (m, n) = a.shape();
    let r = qr.r();
    let k = m.min(n);
    // Q R with R padded to m rows.
    let mut r_full = Tensor::zeros(m, n);
    for i in 0..k {
        for j in 0..n {
            r_full[(i, j)] = r[(i, j)];
            if j < i {
                assert_eq!(r[(i, j)], 0.0, "R is not upper triangular at ({i}, {j})");
            }
        }
    }
    let qr_a = qr.apply_q(&r_full);
    let ap = Tensor::from_fn(m, n, |i, j| a[(i, qr.perm()[j])]);
    let factor = qr_a.sub(&ap).norm() / a.norm().max(f64::MIN_POSITIVE);
    let q = qr.apply_q(&Tensor::eye(m));
    let orth = q.t().matmul(&q).sub(&Tensor::eye(m)).norm();
    (factor, orth)
}

fn is_identity(perm: &[usize]) -> bool {
    perm.iter().enumerate().all(|(j, &p)| j == p)
}

#[test]
fn every_shape_factors_to_rounding() {
    let mut rng = Rng::new(7);
    // Below and above the blocked path's 64 columns, square, tall, wide, ragged panels.
    for &(m, n) in &[
        (1, 1),
        (5, 3),
        (3, 5),
        (63, 63),
        (64, 64),
        (65, 64),
        (200, 97),
        (150, 150),
        (97, 200),
        (300, 130),
    ] {
        let a = Tensor::rand_normal(m, n, 0.0, 1.0, &mut rng);
        let qr = Qr::new(&a);
        let (factor, orth) = residuals(&a, &qr);
        let tol = 1e-14 * (m.max(n) as f64);
        assert!(factor < tol, "{m}x{n}: ||QR - AP|| / ||A|| = {factor:e}");
        assert!(orth < tol, "{m}x{n}: ||QᵀQ - I|| = {orth:e}");
        assert_eq!(qr.rank(), m.min(n), "{m}x{n}");
        // Large tall full-rank matrices take the blocked path: no pivoting.
        if m >= n && n >= 64 {
            assert!(is_identity(qr.perm()), "{m}x{n} was pivoted");
        }
    }
}

/// W4-like: a Gaussian kernel matrix with a 1e-6 jitter, κ ~ 1e8, is full rank by a wide
/// margin: factored blocked, and the solve is as accurate as the pivoted one.
#[test]
fn an_ill_conditioned_full_rank_matrix_is_solved_blocked() {
    let mut rng = Rng::new(3);
    let n = 200;
    let p = Tensor::rand_uniform(n, 3, 0.0, 1.0, &mut rng);
    let x = Tensor::from_fn(n, n, |i, j| {
        let d2: f64 = (0..3).map(|c| (p[(i, c)] - p[(j, c)]).powi(2)).sum();
        (-d2 / 0.5).exp() + if i == j { 1e-6 } else { 0.0 }
    });
    let w_true = Tensor::rand_normal(n, 1, 0.0, 1.0, &mut rng);
    let y = x.matmul(&w_true);
    let qr = Qr::new(&x);
    assert!(
        is_identity(qr.perm()),
        "the blocked path should have been kept"
    );
    let w = lstsq(&x, &y).unwrap();
    let err = w.sub(&w_true).norm() / w_true.norm();
    // cond(X) eps ~ 1e8 * 1e-16: the forward error bound of a backward-stable solve.
    assert!(err < 1e-6, "relative error {err:e}");
    let residual = x.matmul(&w).sub(&y).norm() / y.norm();
    assert!(residual < 1e-13, "relative residual {residual:e}");
}

/// A 120 x 100 matrix of rank 60 is refused by the blocked path's condition test and factored
/// with pivoting: its rank is found, `lstsq` says so, `min_norm` answers.
#[test]
fn a_rank_deficient_matrix_falls_back_to_pivoting() {
    let mut rng = Rng::new(5);
    let a = Tensor::rand_normal(120, 60, 0.0, 1.0, &mut rng)
        .matmul(&Tensor::rand_normal(60, 100, 0.0, 1.0, &mut rng));
    let qr = Qr::new(&a);
    assert!(
        !is_identity(qr.perm()),
        "a rank-deficient matrix must be pivoted"
    );
    assert_eq!(qr.rank(), 60);
    let (factor, _) = residuals(&a, &qr);
    assert!(factor < 1e-13, "{factor:e}");
    let y = Tensor::rand_normal(120, 1, 0.0, 1.0, &mut rng);
    match lstsq(&a, &y) {
        Err(LstsqError::RankDeficient { rank, needed, .. }) => {
            assert_eq!((rank, needed), (60, 100))
        }
        other => panic!("expected RankDeficient, got {other:?}"),
    }
    let theta = min_norm(&a, &y).unwrap();
    // The normal equations hold at the minimum-norm solution: Aᵀ (A θ − y) = 0.
    let g = a.t().matmul(&a.matmul(&theta).sub(&y));
    assert!(g.norm() < 1e-9 * a.norm() * y.norm(), "{}", g.norm());
}

/// One exactly repeated column among 80: singular, so pivoted, rank 79.
#[test]
fn a_repeated_column_is_found() {
    let mut rng = Rng::new(9);
    let mut a = Tensor::rand_normal(90, 80, 0.0, 1.0, &mut rng);
    for i in 0..90 {
        a[(i, 79)] = a[(i, 3)];
    }
    let qr = Qr::new(&a);
    assert_eq!(qr.rank(), 79);
}
