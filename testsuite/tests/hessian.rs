//! Second-order reverse mode: Hessians and Hessian-vector products against closed forms and
//! finite differences of the gradient, and the optimal step along a direction.

mod common;

use common::close::{abs, close_to_scale};
use common::gaussian;
use proptest::prelude::*;
use tapegrad::Rng;
use tapegrad::gradcheck::gradgradcheck;
use tapegrad::hessian::{hessian, hvp, optimal_step};
use tapegrad::nn::{Activation, Module, Params, Reduction, Theta, mlp, mse};
use tapegrad::{Tape, Tensor, Var};

/// Entries in `[0.3, 2]` with a random sign: away from the kinks of relu and abs and from 0.
fn off_zero(rows: usize, cols: usize, rng: &mut Rng) -> Tensor {
    Tensor::rand_uniform(rows, cols, 0.3, 2.0, rng).zip_map(
        &Tensor::rand_uniform(rows, cols, -1.0, 1.0, rng),
        "sign",
        |m, s| if s >= 0.0 { m } else { -m },
    )
}

/// For `f(θ) = (1/N)||X θ − Y||²`: `H = (2/N) XᵀX` and `H v = (2/N) XᵀX v`, each entry within
/// 1e-12 of the magnitudes it sums (`(2/N)|X|ᵀ|X|`, times `|v|` for `H v`): both sides are the
/// same sums in different orders (and with or without fused multiply-adds).
#[test]
fn least_squares_hessian_is_2_over_n_xtx() {
    proptest!(common::proptest_config(48), |(n in 1usize..=10, p in 1usize..=6, seed in 0u64..10_000)| {
        let mut rng = Rng::new(seed);
        let (x, y, theta, v) = (gaussian(n, p, &mut rng), gaussian(n, 1, &mut rng), gaussian(p, 1, &mut rng), gaussian(p, 1, &mut rng));
        let want = x.matmul_tn(&x).mul_scalar(2.0 / n as f64);
        let h = hessian(|tape, th| mse(tape.constant(&x).matmul(th[0]), tape.constant(&y), Reduction::Mean), std::slice::from_ref(&theta));
        let c = 2.0 / n as f64;
        let scale_h = abs(&x).matmul_tn(&abs(&x)).mul_scalar(c);
        prop_assert!(close_to_scale(&h, &want, &scale_h, 1e-12), "{h}\nvs\n{want}");
        let r = hvp(|tape, th| mse(tape.constant(&x).matmul(th[0]), tape.constant(&y), Reduction::Mean), std::slice::from_ref(&theta), std::slice::from_ref(&v));
        prop_assert!(close_to_scale(&r.hv[0], &want.matmul(&v), &scale_h.matmul(&abs(&v)), 1e-12));
        let g = x.matmul_tn(&x.matmul(&theta).sub(&y)).mul_scalar(c);
        let scale_g = abs(&x).matmul_tn(&abs(&x).matmul(&abs(&theta)).add(&abs(&y))).mul_scalar(c);
        prop_assert!(close_to_scale(&r.grad[0], &g, &scale_g, 1e-12));
    });
}

/// `f(x) = sum(R ⊙ op(x)) + ½ sum(op(x)²)`: the first term exercises the op's own second
/// derivative, the second its Jacobian twice.
fn unary_objective<'t>(tape: &'t Tape, op: usize, x: Var<'t>, r: &Tensor) -> Var<'t> {
    let y = match op {
        0 => -x,
        1 => (x * 1.5 + 0.25) - x / 3.0 + (2.0 - x) * 0.5,
        2 => x.powi(3),
        3 => x.abs().powf(1.7),
        4 => x.abs().sqrt(),
        5 => x.exp(),
        6 => x.abs().ln(),
        7 => x.abs() * x,
        8 => x.relu() * x,
        9 => x.sigmoid(),
        10 => x.tanh(),
        11 => x.t().t(),
        12 => x.sum_each_row().expand(x.shape().0, x.shape().1),
        13 => x.mean_each_col().expand(x.shape().0, x.shape().1) + x.mean(),
        14 => x.square(),
        _ => 2.0 / x,
    };
    (y * tape.constant(r)).sum() + y.square().sum() * 0.5
}

proptest! {
    #![proptest_config(common::proptest_config(32))]

    /// `gradgradcheck` passes for every unary op, each one checked in every case on random
    /// shapes and values (1e-6 relative): the ops are enumerated, not drawn.
    #[test]
    fn gradgradcheck_every_unary_op(m in 1usize..=4, n in 1usize..=4, seed in 0u64..10_000) {
        let mut rng = Rng::new(seed);
        for op in 0..16 {
            let (x, r, v) = (off_zero(m, n, &mut rng), gaussian(m, n, &mut rng), gaussian(m, n, &mut rng));
            let report = gradgradcheck(|tape, t| unary_objective(tape, op, t[0], &r), &[x], &[v]);
            prop_assert!(report.passed(), "op {op}: {report}");
        }
    }

    /// `gradgradcheck` passes for the binary ops with every broadcast case on either side, all
    /// combinations enumerated in every case (48 per case).
    #[test]
    fn gradgradcheck_every_binary_op(m in 1usize..=4, n in 1usize..=4, seed in 0u64..10_000) {
        let mut rng = Rng::new(seed);
        for op in 0..6 {
            for case in 0..4 {
                for swap in [false, true] {
                    let (bm, bn) = [(m, n), (1, 1), (1, n), (m, 1)][case];
                    let (a, b) = (off_zero(m, n, &mut rng), off_zero(bm, bn, &mut rng));
                    let (va, vb) = (gaussian(m, n, &mut rng), gaussian(bm, bn, &mut rng));
                    let w = gaussian(n, 3, &mut rng);
                    let report = gradgradcheck(
                        |tape, t| {
                            let (p, q) = if swap { (t[1], t[0]) } else { (t[0], t[1]) };
                            let y = match op {
                                0 => p + q,
                                1 => p - q,
                                2 => p * q,
                                3 => p / (q.square() + 1.0),
                                // Matrix products of the full operand with a constant, times
                                // the other (summed: a [m x 1] column cannot broadcast against
                                // every operand shape).
                                4 => t[0].matmul(tape.constant(&w)).sum_each_row().sum() * t[1],
                                _ => t[0].matmul_nt(t[0]).sum_each_row() * t[1].sum(),
                            };
                            (y.square() * 0.5 + y).sum()
                        },
                        &[a, b],
                        &[va, vb],
                    );
                    prop_assert!(report.passed(), "op {op} case {case} swap {swap}: {report}");
                }
            }
        }
    }

    /// `gradgradcheck` passes for MLPs with smooth activations, random sizes, both reductions.
    #[test]
    fn gradgradcheck_smooth_mlps(sizes in prop::collection::vec(1usize..=4, 2..=4), tanh in any::<bool>(), sum in any::<bool>(), seed in 0u64..10_000) {
        let mut rng = Rng::new(seed);
        let act = if tanh { Activation::Tanh } else { Activation::Sigmoid };
        let mut params = Params::new();
        let model = mlp(&sizes, act).build(&mut params, &mut rng);
        let x = gaussian(5, sizes[0], &mut rng);
        let y = gaussian(5, *sizes.last().unwrap(), &mut rng);
        let v: Vec<Tensor> = params.tensors().iter().map(|t| gaussian(t.rows(), t.cols(), &mut rng)).collect();
        let reduction = if sum { Reduction::Sum } else { Reduction::Mean };
        let report = gradgradcheck(
            |tape, vars| {
                let theta = Theta::from_vars(&params, vars);
                mse(model.forward(&theta, tape.constant(&x)), tape.constant(&y), reduction)
            },
            &params.tensors(),
            &v,
        );
        prop_assert!(report.passed(), "{sizes:?}: {report}");
    }
}

/// Second derivatives at kinks are 0 by convention: for `f(x) = Σ relu(x) x`,
/// `H = diag(2 · 1[x > 0])` (from `relu'(x) · 1 + 1 · relu'(x)`, with `relu'' = 0`).
#[test]
fn relu_second_derivative_convention() {
    let x = Tensor::row(&[1.5, -0.5, 0.0, 2.0]);
    let h = hessian(|_, t| (t[0].relu() * t[0]).sum(), std::slice::from_ref(&x));
    let want = Tensor::from_fn(4, 4, |i, j| {
        if i == j && x.as_slice()[i] > 0.0 {
            2.0
        } else {
            0.0
        }
    });
    assert_eq!(h, want);
    // |x|: H = 0 everywhere (including at 0, by convention).
    assert_eq!(hessian(|_, t| t[0].abs().sum(), &[x]), Tensor::zeros(4, 4));
}

#[test]
fn hessian_of_a_known_function() {
    // f(x, y) = x² y + exp(x y): H = [[2y + y² e, 2x + e + xy e], [., x² e]], e = exp(xy).
    let (x, y): (f64, f64) = (0.7, -1.3);
    let e = (x * y).exp();
    let want = Tensor::from_rows(&[
        [2.0 * y + y * y * e, 2.0 * x + e + x * y * e],
        [2.0 * x + e + x * y * e, x * x * e],
    ]);
    let h = hessian(
        |_, t| {
            let (a, b) = (t[0].at(0, 0), t[0].at(0, 1));
            a.square() * b + (a * b).exp()
        },
        &[Tensor::row(&[x, y])],
    );
    assert!(h.max_rel_diff(&want, 1e-12) < 1e-14, "{h}\nvs\n{want}");
}

/// On a quadratic `f(θ) = ½ θᵀAθ − bᵀθ`, α* = gᵀg / gᵀAg (d = −g) is the exact line
/// minimizer: the derivative along the line vanishes at θ − α* g (to 1e-12 relative), and
/// f there is below f at α*(1 ± 1e-3).
#[test]
fn optimal_step_is_the_exact_line_minimizer_on_a_quadratic() {
    let mut rng = Rng::new(11);
    let m = gaussian(5, 5, &mut rng);
    let a = m.matmul_tn(&m).add(&Tensor::eye(5).mul_scalar(0.5));
    let b = gaussian(5, 1, &mut rng);
    let theta = gaussian(5, 1, &mut rng);
    let f_of = |t: &Tensor| 0.5 * t.matmul_tn(&a.matmul(t)).item() - b.matmul_tn(t).item();
    let grad_of = |t: &Tensor| a.matmul(t).sub(&b);
    let g = grad_of(&theta);
    let step = optimal_step(
        |tape, t| {
            (t[0].t().matmul(tape.constant(&a)).matmul(t[0]) * 0.5
                - tape.constant(&b).t().matmul(t[0]))
            .sum()
        },
        std::slice::from_ref(&theta),
        &[g.neg()],
    );
    let alpha = step.alpha.expect("A is positive definite");
    let gtg = g.norm().powi(2);
    let exact = gtg / g.matmul_tn(&a.matmul(&g)).item();
    assert!((alpha - exact).abs() <= 1e-12 * exact, "{alpha} vs {exact}");
    assert!((step.slope + gtg).abs() <= 1e-12 * gtg);
    let at = |s: f64| theta.sub(&g.mul_scalar(s));
    let slope_there = g.neg().matmul_tn(&grad_of(&at(alpha))).item();
    assert!(
        slope_there.abs() <= 1e-12 * gtg,
        "derivative along the line at α*: {slope_there:e}"
    );
    assert!(
        f_of(&at(alpha)) < f_of(&at(alpha * 1.001)) && f_of(&at(alpha)) < f_of(&at(alpha * 0.999))
    );
    // And independently of its formula: a golden-section search of f along the line finds the
    // same step.
    let (mut lo, mut hi) = (0.0, 4.0 * alpha);
    let r = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..200 {
        let (c, d) = (hi - r * (hi - lo), lo + r * (hi - lo));
        if f_of(&at(c)) < f_of(&at(d)) {
            hi = d;
        } else {
            lo = c;
        }
    }
    let searched = (lo + hi) / 2.0;
    assert!(
        (searched - alpha).abs() <= 1e-6 * alpha,
        "line search {searched} vs alpha* {alpha}"
    );
}

#[test]
fn negative_curvature_has_no_optimal_step() {
    let step = optimal_step(
        |_, t| -(t[0].square().sum()),
        &[Tensor::row(&[1.0])],
        &[Tensor::row(&[1.0])],
    );
    assert_eq!(step.alpha, None);
    assert_eq!(step.curvature, -2.0);
}

#[test]
#[should_panic(expected = "hvp: input 0 is [2x1] but its direction is [1x2]")]
fn hvp_checks_direction_shapes() {
    hvp(
        |_, t| t[0].sum(),
        &[Tensor::zeros(2, 1)],
        &[Tensor::zeros(1, 2)],
    );
}

/// The Hessian over several inputs is laid out input by input, row-major: for
/// `f(a, b) = (a ⊙ a) · b` with `a`, `b` rows of length 2, `∂²f/∂a_i∂b_i = 2 a_i`.
#[test]
fn hessian_over_several_inputs() {
    let (a, b) = (Tensor::row(&[1.0, 2.0]), Tensor::row(&[3.0, -1.0]));
    let h = hessian(|_, v| (v[0].square() * v[1]).sum(), &[a, b]);
    let want = Tensor::from_rows(&[
        [6.0, 0.0, 2.0, 0.0],
        [0.0, -2.0, 0.0, 4.0],
        [2.0, 0.0, 0.0, 0.0],
        [0.0, 4.0, 0.0, 0.0],
    ]);
    assert_eq!(h, want);
}

/// `jacobian` of an MLP's outputs with respect to its parameters against central
/// differences (1e-6 relative, the gradcheck tolerance), and the NTK `J Jᵀ` symmetric
/// positive semidefinite.
#[test]
fn jacobian_of_an_mlp_and_its_ntk() {
    use tapegrad::jacobian::{jacobian, ntk};
    use tapegrad::linalg::sym_eig;
    let mut rng = Rng::new(3);
    let mut params = Params::new();
    let model = mlp(&[3, 5, 2], Activation::Tanh).build(&mut params, &mut rng);
    let x = gaussian(4, 3, &mut rng);
    let outputs = |p: &Params| -> Tensor {
        let tape = Tape::new();
        model.forward(&tape.params(p), tape.constant(&x)).value()
    };
    let j = jacobian(
        |tape, vars| model.forward(&Theta::from_vars(&params, vars), tape.constant(&x)),
        &params.tensors(),
    );
    assert_eq!(j.shape(), (8, params.len()));
    let h = 1e-5;
    // The Jacobian by central differences, column by column: the check of J, and the
    // independent J the NTK is compared with (not the crate's own J J^T).
    let mut j_fd = Tensor::zeros(8, params.len());
    for col in 0..params.len() {
        let mut plus = params.clone();
        plus.as_mut_slice()[col] += h;
        let mut minus = params.clone();
        minus.as_mut_slice()[col] -= h;
        let fd = outputs(&plus)
            .sub(&outputs(&minus))
            .mul_scalar(1.0 / (2.0 * h));
        for row in 0..8 {
            j_fd[(row, col)] = fd.as_slice()[row];
        }
        for row in 0..8 {
            let (a, n) = (j[(row, col)], fd.as_slice()[row]);
            assert!(
                (a - n).abs() <= 1e-6 * a.abs().max(n.abs()).max(1e-3),
                "J[{row}, {col}]: {a} vs {n}"
            );
        }
    }
    let k = ntk(
        |tape, vars| model.forward(&Theta::from_vars(&params, vars), tape.constant(&x)),
        &params.tensors(),
    );
    // K_ij = <dy_i/dtheta, dy_j/dtheta>, from the finite-difference Jacobian (an independent
    // computation: central differences are accurate to ~1e-9 here).
    let k_fd = Tensor::from_fn(8, 8, |a, b| {
        (0..params.len())
            .map(|c| j_fd[(a, c)] * j_fd[(b, c)])
            .sum::<f64>()
    });
    k.assert_close(&k_fd, 1e-6, 1e-8);
    assert_eq!(k, k.t());
    assert!(sym_eig(&k).min() >= -1e-12 * sym_eig(&k).max());
}
