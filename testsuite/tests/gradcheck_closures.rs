//! The checks of hand-written derivatives (`gradcheck::check_gradient` and kin) as a law: a correct hand-written gradient of
//! any smooth composition passes; one entry off by a relative 1e-3 fails, and the report's
//! worst entry names exactly that entry (and its block); a transposed block, a constant
//! factor and a sign flip are told apart.

mod common;

use proptest::prelude::*;
use tapegrad::Tensor;
use tapegrad::gradcheck::{
    Diagnosis, Options, check_gradient, check_jacobian, check_jvp, check_vjp,
};
use tapegrad::nn::Params;

/// f(θ) = Σ_i a_i tanh(b_i · θ) + ½ Σ_j c_j θ_j² and its gradient
/// ∇f = Σ_i a_i (1 − tanh²(b_i · θ)) b_i + c ⊙ θ.
fn smooth(a: &[f64], b: &[Vec<f64>], c: &[f64], theta: &[f64]) -> (f64, Vec<f64>) {
    let mut value = 0.5 * c.iter().zip(theta).map(|(c, t)| c * t * t).sum::<f64>();
    let mut grad: Vec<f64> = c.iter().zip(theta).map(|(c, t)| c * t).collect();
    for (a, b) in a.iter().zip(b) {
        let z: f64 = b.iter().zip(theta).map(|(b, t)| b * t).sum();
        let t = z.tanh();
        value += a * t;
        for (g, b) in grad.iter_mut().zip(b) {
            *g += a * (1.0 - t * t) * b;
        }
    }
    (value, grad)
}

/// A random smooth problem in `n` unknowns with `k` tanh terms, and a point.
fn problem() -> impl Strategy<Value = (Vec<f64>, Vec<Vec<f64>>, Vec<f64>, Vec<f64>)> {
    (1usize..7, 1usize..4).prop_flat_map(|(n, k)| {
        (
            prop::collection::vec(-2.0..2.0f64, k),
            prop::collection::vec(prop::collection::vec(-1.0..1.0f64, n), k),
            prop::collection::vec(-1.0..1.0f64, n),
            prop::collection::vec(-1.5..1.5f64, n),
        )
    })
}

/// A layout of `n` values in two named blocks (`n ≥ 2`), or `None`.
fn layout(n: usize) -> Option<Params> {
    (n >= 2).then(|| {
        let mut p = Params::new();
        p.add("first", &Tensor::zeros(1, n / 2));
        p.add("second", &Tensor::zeros(1, n - n / 2));
        p
    })
}

/// The default options, with `layout` if there is one.
fn with_layout(layout: Option<&Params>) -> Options<'_> {
    match layout {
        Some(p) => Options::new().layout(p),
        None => Options::new(),
    }
}

proptest! {
    #![proptest_config(common::proptest_config(64))]

    #[test]
    fn a_correct_gradient_passes((a, b, c, theta) in problem()) {
        let layout = layout(theta.len());
        let r = with_layout(layout.as_ref()).check_gradient(|t| smooth(&a, &b, &c, t), &theta);
        prop_assert!(r.passed(), "{r}");
        prop_assert_eq!(r.entries, theta.len());
        for block in &r.blocks {
            prop_assert_eq!(block.diagnosis, Diagnosis::Correct);
        }
    }

    #[test]
    fn one_wrong_entry_is_found_and_named(
        (a, b, c, theta) in problem(),
        pick in any::<prop::sample::Index>(),
        sign in prop::bool::ANY,
    ) {
        let n = theta.len();
        let k = pick.index(n);
        let wrong = |t: &[f64]| {
            let (v, mut g) = smooth(&a, &b, &c, t);
            let delta = 1e-3 * g[k].abs().max(1.0);
            g[k] += if sign { delta } else { -delta };
            (v, g)
        };
        let layout = layout(n);
        let r = with_layout(layout.as_ref()).check_gradient(wrong, &theta);
        prop_assert!(!r.passed(), "{r}");
        let worst = r.worst.as_ref().unwrap();
        prop_assert_eq!(worst.index, k, "{}", r);
        prop_assert!(worst.rel_error > 1e-4, "{r}");
        let block = match &layout {
            Some(_) if k < n / 2 => "first",
            Some(_) => "second",
            None => "theta",
        };
        prop_assert_eq!(&worst.block, block);
        // Only the block holding entry k fails.
        let failing: Vec<&str> = r.failing().map(|b| b.name.as_str()).collect();
        prop_assert_eq!(failing, vec![block]);
    }

    #[test]
    fn a_constant_factor_and_a_sign_flip_are_named(
        (a, b, c, theta) in problem(),
        factor in prop::sample::select(vec![0.5, 2.0, 3.0, -1.0]),
    ) {
        let (_, g) = smooth(&a, &b, &c, &theta);
        // A block of zeros has no ratio to speak of; the law is about gradients that are not.
        prop_assume!(g.iter().all(|g| g.abs() > 1e-3));
        let scaled = |t: &[f64]| {
            let (v, g) = smooth(&a, &b, &c, t);
            (v, g.iter().map(|g| g * factor).collect())
        };
        let r = check_gradient(scaled, &theta);
        prop_assert!(!r.passed());
        let want = if factor == -1.0 { Diagnosis::SignFlip } else { Diagnosis::Factor(1.0 / factor).clamp_ratio() };
        prop_assert_eq!(r.blocks[0].diagnosis.clamp_ratio(), want, "{}", r);
    }

    /// y = W tanh(θ): J = W diag(1 − tanh² θ); Jᵀv and J u from the same J, all checked.
    #[test]
    fn jacobians_and_their_products_pass(
        (m, n) in (1usize..5, 1usize..5),
        seed in any::<u64>(),
    ) {
        let mut rng = tapegrad::Rng::new(seed);
        let w = Tensor::rand_normal(m, n, 0.0, 1.0, &mut rng);
        let theta: Vec<f64> = Tensor::rand_normal(1, n, 0.0, 1.0, &mut rng).as_slice().to_vec();
        let v: Vec<f64> = Tensor::rand_normal(1, m, 0.0, 1.0, &mut rng).as_slice().to_vec();
        let u: Vec<f64> = Tensor::rand_normal(1, n, 0.0, 1.0, &mut rng).as_slice().to_vec();
        let y = |t: &[f64]| w.matmul(&Tensor::column(&t.iter().map(|x| x.tanh()).collect::<Vec<_>>())).as_slice().to_vec();
        let jac = |t: &[f64]| Tensor::from_fn(m, n, |i, j| w[(i, j)] * (1.0 - t[j].tanh().powi(2)));
        let r = check_jacobian(|t| (y(t), jac(t)), &theta);
        prop_assert!(r.passed(), "{r}");
        let vjp = |t: &[f64], v: &[f64]| Tensor::row(v).matmul(&jac(t)).as_slice().to_vec();
        let r = check_vjp(y, vjp, &theta, &v);
        prop_assert!(r.passed(), "{r}");
        let jvp = |t: &[f64], u: &[f64]| jac(t).matmul(&Tensor::column(u)).as_slice().to_vec();
        let r = check_jvp(y, jvp, &theta, &u);
        prop_assert!(r.passed(), "{r}");
    }
}

/// A weight gradient laid out as its transpose (the classic `x dzᵀ` for `dz xᵀ`) is named
/// as such, in its block, while the other block stays correct.
#[test]
fn a_transposed_block_is_named() {
    // f(W, b) = Σ_i tanh(W x + b)_i for a 3x2 W: ∂f/∂W = s xᵀ with s = 1 − tanh²(Wx + b).
    let x = [0.7, -1.3];
    let f = |t: &[f64], transpose: bool| {
        let (w, b) = t.split_at(6);
        let s: Vec<f64> = (0..3)
            .map(|i| w[2 * i] * x[0] + w[2 * i + 1] * x[1] + b[i])
            .collect();
        let value = s.iter().map(|z| z.tanh()).sum();
        let d: Vec<f64> = s.iter().map(|z| 1.0 - z.tanh().powi(2)).collect();
        let gw = Tensor::from_fn(3, 2, |i, j| d[i] * x[j]);
        let gw = if transpose {
            Tensor::from_vec(3, 2, gw.t().as_slice().to_vec())
        } else {
            gw
        };
        (value, [gw.as_slice(), &d].concat())
    };
    let mut layout = Params::new();
    layout.add("weight", &Tensor::zeros(3, 2));
    layout.add("bias", &Tensor::zeros(1, 3));
    let theta = [0.3, -0.2, 0.5, 0.1, -0.4, 0.8, 0.05, -0.1, 0.2];
    assert!(
        Options::new()
            .layout(&layout)
            .check_gradient(|t| f(t, false), &theta)
            .passed()
    );
    let r = Options::new()
        .layout(&layout)
        .check_gradient(|t| f(t, true), &theta);
    assert_eq!(r.blocks[0].diagnosis, Diagnosis::Transposed, "{r}");
    assert_eq!(r.blocks[1].diagnosis, Diagnosis::Correct, "{r}");
    assert_eq!(r.worst.unwrap().block, "weight");
}
