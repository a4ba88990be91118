//! The crate checks itself against closed forms: QR least squares, minimum-norm solutions,
//! projections, and the optimizers that must reach them (property tests, fixed seed).

mod common;

use common::close::rel_err;
use common::gaussian;
use proptest::prelude::*;
use tapegrad::Rng;
use tapegrad::linalg::{
    LstsqError, Qr, condition_estimate, lstsq, min_norm, mse_smoothness, power_iteration, project,
    scaled_project, solve_spd, spectral_norm,
};
use tapegrad::nn::{Init, Linear, Module, Params, Reduction, least_squares, mse};
use tapegrad::optim::sampling::UniformSampler;
use tapegrad::optim::{Adam, Lbfgs, Optimizer, Sgd, StrongWolfe, descend};
use tapegrad::{Tape, Tensor};

/// `θ ↦ (f, ∇f)` for `f(θ) = (1/N)||X θ − Y||²`, computed on the tape.
fn mse_value_and_grad(x: &Tensor, y: &Tensor) -> impl Fn(&[f64]) -> (f64, Vec<f64>) {
    least_squares(x.clone(), y.clone())
}

/// GD steps needed to shrink an error by `1e-10` at contraction `1 − 1/κ` per step.
fn gd_steps(kappa: f64) -> usize {
    ((10.0 * 10f64.ln()) * kappa).ceil() as usize + 10
}

/// A well-conditioned overdetermined problem: N >= 2p + 2 Gaussian rows.
fn overdetermined(seed: u64, p: usize, extra: usize) -> (Tensor, Tensor) {
    let mut rng = Rng::new(seed);
    let n = 2 * p + 2 + extra;
    (gaussian(n, p, &mut rng), gaussian(n, 1, &mut rng))
}

/// An underdetermined problem: N Gaussian rows, p >= N + 3 columns.
fn underdetermined(seed: u64, n: usize, extra: usize) -> (Tensor, Tensor) {
    let mut rng = Rng::new(seed);
    (
        gaussian(n, n + 3 + extra, &mut rng),
        gaussian(n, 1, &mut rng),
    )
}

proptest! {
    #![proptest_config(common::proptest_config(24))]

    /// The QR solution's residual is orthogonal to the columns of X:
    /// `||Xᵀ r||_∞ <= 1e-10 ||X||_F ||r||_2` (rounding in QR is a few eps times those norms);
    /// and it agrees with the normal equations `XᵀX θ = XᵀY` (Cholesky) to 1e-9 relative,
    /// which lose accuracy as `κ(X)² eps`, about 1e-13 for these well-conditioned X.
    #[test]
    fn qr_least_squares_residual_is_orthogonal(seed in 0u64..10_000, p in 1usize..=6, extra in 0usize..8, k in 1usize..=2) {
        let mut rng = Rng::new(seed);
        let n = 2 * p + 2 + extra;
        let (x, y) = (gaussian(n, p, &mut rng), gaussian(n, k, &mut rng));
        let theta = lstsq(&x, &y).unwrap();
        let r = y.sub(&x.matmul(&theta));
        prop_assert!(x.matmul_tn(&r).max_abs() <= 1e-10 * x.norm() * r.norm());
        let normal = solve_spd(&x.matmul_tn(&x), &x.matmul_tn(&y)).unwrap();
        prop_assert!(rel_err(&theta, &normal) < 1e-9, "{}", rel_err(&theta, &normal));
    }

    /// `Linear(p, 1)` with bias + MSE, trained with L-BFGS (strong Wolfe) on the tape, reaches
    /// the QR solution of `[X, 1] θ = Y` to 1e-8 relative in θ.
    ///
    /// With `polish(true)`: the tests on changes in f alone stop at ~1e-8 (rounding of f hides
    /// the last digits of θ; on seed 652 they stop at 2e-8), polishing with the gradient goes
    /// on to ~1e-13. The assertion keeps 1e-8 from the issue; the polished runs pass it by
    /// four orders of magnitude.
    #[test]
    fn lbfgs_on_linear_mse_reaches_the_qr_solution(seed in 0u64..10_000, p in 1usize..=6, extra in 0usize..8) {
        let (x, y) = overdetermined(seed, p, extra);
        let n = x.rows();
        let mut params = Params::new();
        let layer = Linear::new(p, 1).init(Init::Zeros).build(&mut params, "0", &mut Rng::new(0));
        let mut opt = Lbfgs::new().line_search(StrongWolfe::default()).max_iter(200).tolerance_grad(1e-13).polish(true);
        let mut theta = params.as_slice().to_vec();
        opt.minimize(&mut theta, |th| {
            let mut ps = params.clone();
            ps.set_flat(th);
            let tape = Tape::new();
            let t = tape.params(&ps);
            let loss = mse(layer.forward(&t, tape.constant(&x)), tape.constant(&y), Reduction::Mean);
            (loss.item(), tape.backward(loss).flat(&t))
        });
        let x1 = Tensor::from_fn(n, p + 1, |i, j| if j < p { x[(i, j)] } else { 1.0 });
        let star = lstsq(&x1, &y).unwrap();
        let got = Tensor::column(&theta);
        prop_assert!(rel_err(&got, &star) < 1e-8, "{}", rel_err(&got, &star));
    }

    /// GD with γ = 1/β from θ_0 = 0 converges to the QR solution; run for the steps the rate
    /// `1 − 1/κ(XᵀX)` needs to shrink the error by 1e-10, then compare at 1e-8 relative.
    #[test]
    fn gd_reaches_the_qr_solution(seed in 0u64..10_000, p in 1usize..=6, extra in 0usize..8) {
        let (x, y) = overdetermined(seed, p, extra);
        let beta = mse_smoothness(&x);
        let kappa = condition_estimate(&x).powi(2);
        let mut theta = vec![0.0; p];
        descend(&mut Sgd::new(1.0 / beta), &mut theta, gd_steps(kappa), None, mse_value_and_grad(&x, &y)).unwrap();
        let star = lstsq(&x, &y).unwrap();
        prop_assert!(rel_err(&Tensor::column(&theta), &star) < 1e-8);
    }

    /// Underdetermined: GD with γ = 1/β from 0 converges to the minimum-norm solution,
    /// ||θ_k − θ*||² < 1e-16 (implicit regularization: every step stays in the row space of X).
    #[test]
    fn gd_from_zero_reaches_the_minimum_norm_solution(seed in 0u64..10_000, n in 2usize..=5, extra in 0usize..6) {
        let (x, y) = underdetermined(seed, n, extra);
        let beta = mse_smoothness(&x);
        let kappa = condition_estimate(&x).powi(2);
        let mut theta = vec![0.0; x.cols()];
        descend(&mut Sgd::new(1.0 / beta), &mut theta, gd_steps(kappa * 1.6), None, mse_value_and_grad(&x, &y)).unwrap();
        let star = min_norm(&x, &y).unwrap();
        let d2 = Tensor::column(&theta).sub(&star).norm().powi(2);
        prop_assert!(d2 < 1e-16, "||θ − θ*||² = {d2:e}");
        // θ* solves X θ = Y and is orthogonal to the null space: it is Xᵀ w for some w.
        prop_assert!(x.matmul(&star).sub(&y).max_abs() < 1e-12);
    }

    /// Underdetermined: single-sample SGD (i uniform, seeded) with γ = 0.1/β from 0 also
    /// converges to the minimum-norm solution, ||θ_k − θ*||² < 1e-16: the problem interpolates,
    /// so the stochastic gradients vanish at θ* and no step-size decay is needed.
    #[test]
    fn sgd_from_zero_reaches_the_minimum_norm_solution(seed in 0u64..10_000, n in 2usize..=5, extra in 0usize..6) {
        let (x, y) = underdetermined(seed, n, extra);
        let p = x.cols();
        let gamma = 0.1 / mse_smoothness(&x);
        let star = min_norm(&x, &y).unwrap();
        let mut sampler = UniformSampler::new(n, seed);
        let mut opt = Sgd::new(gamma);
        let mut theta = vec![0.0; p];
        let mut d2 = f64::INFINITY;
        for _ in 0..400_000 {
            // ∇f_i(θ) = 2 x_i (x_iᵀ θ − y_i)
            let i = sampler.next_index();
            let xi = x.row_slice(i);
            let r: f64 = xi.iter().zip(&theta).map(|(a, b)| a * b).sum::<f64>() - y[(i, 0)];
            let g: Vec<f64> = xi.iter().map(|a| 2.0 * a * r).collect();
            opt.step(&mut theta, &g).unwrap();
            if opt.steps().is_multiple_of(1000) {
                d2 = Tensor::column(&theta).sub(&star).norm().powi(2);
                if d2 < 1e-17 {
                    break;
                }
            }
        }
        prop_assert!(d2 < 1e-16, "||θ − θ*||² = {d2:e} after {} steps", opt.steps());
    }

    /// Started at a, GD converges to the Euclidean projection of a onto {θ : Xθ = Y}; scaled GD
    /// θ ← θ − γ H⁻¹ ∇f (γ = 1/β_H, β_H the smoothness in u = H^½ θ) converges to the scaled
    /// projection. Both to ||θ − θ*||² < 1e-16.
    #[test]
    fn gd_from_a_reaches_the_projection_of_a(seed in 0u64..10_000, n in 2usize..=4, extra in 0usize..4) {
        let (x, y) = underdetermined(seed, n, extra);
        let p = x.cols();
        let mut rng = Rng::new(seed ^ 0xa);
        let a = gaussian(p, 1, &mut rng);
        let h: Vec<f64> = (0..p).map(|j| 0.5 + (j % 3) as f64).collect();

        let beta = mse_smoothness(&x);
        let kappa = condition_estimate(&x).powi(2);
        let mut theta = a.as_slice().to_vec();
        descend(&mut Sgd::new(1.0 / beta), &mut theta, gd_steps(kappa * 1.6), None, mse_value_and_grad(&x, &y)).unwrap();
        let d2 = Tensor::column(&theta).sub(&project(&x, &y, &a).unwrap()).norm().powi(2);
        prop_assert!(d2 < 1e-16, "projection: {d2:e}");

        let x_u = Tensor::from_fn(n, p, |i, j| x[(i, j)] / h[j].sqrt());
        let gamma = 1.0 / mse_smoothness(&x_u);
        let kappa_u = condition_estimate(&x_u).powi(2);
        let f = mse_value_and_grad(&x, &y);
        let mut theta = a.as_slice().to_vec();
        for _ in 0..gd_steps(kappa_u * 1.6) {
            let (_, g) = f(&theta);
            for j in 0..p {
                theta[j] -= gamma * g[j] / h[j]; // θ ← θ − γ H⁻¹ ∇f
            }
        }
        let want = scaled_project(&x, &y, &a, &h).unwrap();
        let d2 = Tensor::column(&theta).sub(&want).norm().powi(2);
        prop_assert!(d2 < 1e-16, "scaled projection: {d2:e}");
        // The scaled projection differs from the Euclidean one (H is not a multiple of I).
        prop_assert!(want.sub(&project(&x, &y, &a).unwrap()).norm() > 1e-6);
    }
}

/// Adam started at 0 on an underdetermined problem drives the loss to zero but does NOT
/// reach the minimum-norm solution: its per-coordinate scaling leaves the row space of X.
/// Fixed case (seed 3, 3 x 8, lr 1e-2, 20 000 steps): measured loss 0 and
/// ||θ_Adam − θ*|| = 0.43 against ||θ*|| = 0.97, so the margin asserted (0.1) is far from
/// both 0 and the measured value. Adam's last steps hover around the minimum, so the final
/// loss depends on rounding: 0 with the fused multiply-adds of the SIMD kernels, 2.6e-9 with
/// the portable ones (`TAPEGRAD_MATMUL_KERNEL=portable`); the bound asserted is 1e-8.
#[test]
fn adam_reaches_zero_loss_but_not_the_minimum_norm_solution() {
    let (x, y) = underdetermined(3, 3, 2);
    let f = mse_value_and_grad(&x, &y);
    let mut theta = vec![0.0; x.cols()];
    let mut opt = Adam::new(1e-2);
    descend(&mut opt, &mut theta, 20_000, None, &f).unwrap();
    let (loss, _) = f(&theta);
    assert!(loss < 1e-8, "loss {loss:e}");
    let star = min_norm(&x, &y).unwrap();
    let dist = Tensor::column(&theta).sub(&star).norm();
    assert!(dist > 0.1, "distance to the minimum-norm solution {dist}");
    eprintln!(
        "Adam: loss {loss:e}, ||θ − θ*|| = {dist:.4}, ||θ*|| = {:.4}",
        star.norm()
    );
}

#[test]
fn rank_deficiency_is_reported_with_the_case_and_rank() {
    let mut rng = Rng::new(1);
    let base = gaussian(10, 3, &mut rng);
    // Column 3 = column 0 + column 1: rank 3 of 4.
    let x = Tensor::from_fn(10, 4, |i, j| {
        if j < 3 {
            base[(i, j)]
        } else {
            base[(i, 0)] + base[(i, 1)]
        }
    });
    let y = gaussian(10, 1, &mut rng);
    let err = lstsq(&x, &y).unwrap_err();
    assert_eq!(
        err,
        LstsqError::RankDeficient {
            case: "overdetermined (N >= p): needs full column rank",
            shape: (10, 4),
            rank: 3,
            needed: 4
        }
    );
    assert_eq!(
        err.to_string(),
        "least squares, overdetermined (N >= p): needs full column rank: X [10x4] has rank 3, needs 4"
    );
    // Underdetermined with two equal rows: rank 2 of 3.
    let w = gaussian(2, 6, &mut rng);
    let x = Tensor::from_fn(3, 6, |i, j| w[(i.min(1), j)]);
    let err = lstsq(&x, &gaussian(3, 1, &mut rng)).unwrap_err();
    assert!(
        err.to_string()
            .contains("underdetermined (N < p): needs full row rank: X [3x6] has rank 2, needs 3"),
        "{err}"
    );
}

/// Power iteration against matrices with known spectra: M = Q diag(λ) Qᵀ, Q orthogonal.
/// The estimate is within 1e-9 relative (the stopping rule guarantees ~1e-10).
#[test]
fn power_iteration_finds_known_top_eigenvalues() {
    let mut rng = Rng::new(5);
    for (n, spectrum) in [
        (4, vec![10.0, 3.0, 1.0, 0.5]),
        (6, vec![2.0, 1.9, 1.0, 0.1, 0.0, 0.0]),
        (1, vec![7.5]),
    ] {
        let q = Qr::new(&gaussian(n, n, &mut rng)).apply_q(&Tensor::eye(n));
        let d = Tensor::from_fn(n, n, |i, j| if i == j { spectrum[i] } else { 0.0 });
        let m = q.matmul(&d).matmul(&q.t());
        let pi = power_iteration(n, |v| m.matmul(v));
        assert!(pi.converged, "{pi:?}");
        assert!(
            (pi.value - spectrum[0]).abs() <= 1e-9 * spectrum[0],
            "{pi:?} vs {}",
            spectrum[0]
        );
    }
}

/// β = (2/N)||XᵀX||_2 is the spectral norm, not the Frobenius norm: for X with singular
/// values (3, 2, 1), ||XᵀX||_2 = 9 while ||XᵀX||_F = sqrt(81 + 16 + 1) = 9.90.
#[test]
fn beta_uses_the_spectral_norm() {
    let mut rng = Rng::new(9);
    let u = Qr::new(&gaussian(5, 5, &mut rng)).apply_q(&Tensor::eye(5));
    let v = Qr::new(&gaussian(3, 3, &mut rng)).apply_q(&Tensor::eye(3));
    let s = Tensor::from_fn(5, 3, |i, j| if i == j { [3.0, 2.0, 1.0][i] } else { 0.0 });
    let x = u.matmul(&s).matmul(&v.t());
    assert!((spectral_norm(&x) - 3.0).abs() < 1e-9);
    let beta = mse_smoothness(&x);
    assert!((beta - 2.0 / 5.0 * 9.0).abs() < 1e-9 * beta, "{beta}");
    let frobenius = 2.0 / 5.0 * x.matmul_tn(&x).norm();
    assert!((frobenius - 2.0 / 5.0 * 98f64.sqrt()).abs() < 1e-9);
    assert!(frobenius > beta * 1.09);
    assert!((condition_estimate(&x) - 3.0).abs() < 1e-8);
    assert!((condition_estimate(&x.t()) - 3.0).abs() < 1e-8);
}

#[test]
fn cholesky_solves_and_refuses_indefinite_matrices() {
    let mut rng = Rng::new(2);
    let b = gaussian(6, 6, &mut rng);
    let a = b.matmul_tn(&b).add(&Tensor::eye(6));
    let rhs = gaussian(6, 2, &mut rng);
    let x = solve_spd(&a, &rhs).unwrap();
    assert!(a.matmul(&x).sub(&rhs).max_abs() < 1e-12);
    let indefinite = Tensor::from_rows(&[[1.0, 2.0], [2.0, 1.0]]);
    let err = solve_spd(&indefinite, &Tensor::ones(2, 1)).unwrap_err();
    assert_eq!(err.index, 1);
    assert!(
        err.to_string()
            .contains("not positive definite (pivot 1 is -3e0)"),
        "{err}"
    );
}

#[test]
fn qr_factors_and_q_is_orthogonal() {
    let mut rng = Rng::new(4);
    let a = gaussian(7, 4, &mut rng);
    let qr = Qr::new(&a);
    let q = qr.apply_q(&Tensor::eye(7));
    q.matmul_tn(&q).assert_close(&Tensor::eye(7), 0.0, 1e-14);
    // A P = Q [R; 0]
    let ap = Tensor::from_fn(7, 4, |i, j| a[(i, qr.perm()[j])]);
    let r = qr.r();
    let r_full = Tensor::from_fn(7, 4, |i, j| if i < 4 { r[(i, j)] } else { 0.0 });
    q.matmul(&r_full).assert_close(&ap, 0.0, 1e-13);
    // Pivoting orders the diagonal by magnitude.
    assert!((0..3).all(|k| r[(k, k)].abs() >= r[(k + 1, k + 1)].abs()));
}
