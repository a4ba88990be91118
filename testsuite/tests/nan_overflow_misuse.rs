//! Hostile inputs: NaN through every op, sizes that overflow, optimizer states that
//! stop being finite, schedules that make no sense, a `Var` of the wrong tape. Each gets the
//! right answer or a clear error, never a silent wrong answer.

mod common;

use proptest::prelude::*;
use tapegrad::optim::{Adam, Lbfgs, NonFinite, Optimizer, Schedule, Sgd, descend};
use tapegrad::{Tape, Tensor, Var};

/// The elementwise ops whose derivative does not depend on the input: the gradient at a NaN
/// entry is that constant (the math says so), while the value is NaN.
#[allow(clippy::type_complexity)]
fn linear() -> Vec<(&'static str, for<'t> fn(Var<'t>) -> Var<'t>, f64)> {
    vec![
        ("neg", |v| -v, -1.0),
        ("add_scalar", |v| v + 1.0, 1.0),
        ("mul_scalar", |v| v * 3.0, 3.0),
    ]
}

/// The other elementwise ops: `(name, op)`; their derivative at NaN is NaN.
#[allow(clippy::type_complexity)]
fn elementwise() -> Vec<(&'static str, for<'t> fn(Var<'t>) -> Var<'t>)> {
    vec![
        ("square", |v| v.square()),
        ("powi(3)", |v| v.powi(3)),
        ("powi(-2)", |v| v.powi(-2)),
        ("powf(1.5)", |v| v.abs().powf(1.5)),
        ("sqrt", |v| v.abs().sqrt()),
        ("exp", |v| v.exp()),
        ("ln", |v| v.abs().ln()),
        ("abs", |v| v.abs()),
        ("relu", |v| v.relu()),
        ("sigmoid", |v| v.sigmoid()),
        ("tanh", |v| v.tanh()),
        ("sin", |v| v.sin()),
        ("cos", |v| v.cos()),
        ("softplus", |v| v.softplus()),
        ("log_sigmoid", |v| v.log_sigmoid()),
        ("maximum", |v| v.maximum(v * 0.5)),
        ("minimum", |v| v.minimum(v * 0.5)),
    ]
}

proptest! {
    #![proptest_config(common::proptest_config(64))]

    /// A NaN entry gives a NaN output entry and a NaN gradient entry, for every elementwise op:
    /// never a finite number made out of a NaN.
    #[test]
    fn nan_propagates_through_every_elementwise_op(
        (rows, cols) in (1usize..4, 1usize..4),
        at in any::<prop::sample::Index>(),
        values in prop::collection::vec(-2.0..2.0f64, 16),
    ) {
        let k = at.index(rows * cols);
        let mut x = Tensor::from_vec(rows, cols, values[..rows * cols].to_vec());
        x.as_mut_slice()[k] = f64::NAN;
        for (name, op) in elementwise() {
            let tape = Tape::new();
            let v = tape.leaf(&x);
            let y = op(v);
            prop_assert!(y.value().as_slice()[k].is_nan(), "{name}: forward {}", y.value());
            let g = tape.backward(y.sum());
            prop_assert!(g[v].as_slice()[k].is_nan(), "{name}: gradient {}", g[v]);
        }
        for (name, op, slope) in linear() {
            let tape = Tape::new();
            let v = tape.leaf(&x);
            let y = op(v);
            prop_assert!(y.value().as_slice()[k].is_nan(), "{name}: forward {}", y.value());
            prop_assert_eq!(tape.backward(y.sum())[v].as_slice()[k], slope, "{}", name);
        }
        // Products: the NaN row of A makes that row of A B NaN.
        let tape = Tape::new();
        let a = tape.leaf(&x);
        let b = tape.leaf(Tensor::ones(cols, 2));
        let y = a.matmul(b).value();
        prop_assert!((0..2).all(|j| y[(k / cols, j)].is_nan()));
    }
}

#[test]
fn relu_of_nan_is_nan_and_a_nan_weight_gives_a_nan_loss() {
    let tape = Tape::new();
    let w = tape.leaf(Tensor::row(&[f64::NAN, -1.0, 2.0]));
    let loss = w.relu().sum();
    assert!(
        loss.item().is_nan(),
        "a NaN behind a ReLU must not give a finite loss"
    );
    let g = tape.backward(loss);
    assert!(g[w][(0, 0)].is_nan());
    assert_eq!((g[w][(0, 1)], g[w][(0, 2)]), (0.0, 1.0));
}

#[test]
fn max_abs_lets_nan_win() {
    assert!(Tensor::row(&[f64::NAN]).max_abs().is_nan());
    assert!(Tensor::row(&[f64::NAN, 1.0]).max_abs().is_nan());
    assert!(Tensor::row(&[1.0, f64::NAN]).max_abs().is_nan());
    assert_eq!(Tensor::row(&[1.0, -4.0]).max_abs(), 4.0);
}

#[test]
#[should_panic(expected = "GradVars: the Var belongs to tape #")]
fn gradvars_refuse_a_var_of_another_tape() {
    let (t1, t2) = (Tape::new(), Tape::new());
    let x = t1.leaf(2.0);
    let other = t2.leaf(5.0);
    let gv = t1.backward_graph(x.square());
    let _ = gv.of(other);
}

#[test]
fn powi_of_i32_min_differentiates_without_overflow() {
    // d/dx x^n = n x^(n−1): at x = 1 that is n; at x = −1, n (−1)^(n−1) = −n (n − 1 is odd).
    for (x, want) in [(1.0, i32::MIN as f64), (-1.0, -(i32::MIN as f64))] {
        let tape = Tape::new();
        let v = tape.leaf(x);
        let g = tape.backward(v.powi(i32::MIN));
        assert_eq!(g[v].item(), want, "x = {x}");
    }
}

#[test]
fn adam_after_an_overflowing_gradient_is_an_error_naming_the_step() {
    let mut adam = Adam::new(0.1);
    let mut theta = [1.0, 1.0];
    adam.step(&mut theta, &[0.5, 0.5]).unwrap();
    let err = adam.step(&mut theta, &[1e200, 0.5]).unwrap_err();
    assert_eq!((err.step, err.what), (2, NonFinite::State(0)));
    assert!(
        err.to_string()
            .contains("the optimizer's state for parameter 0"),
        "{err}"
    );
}

#[test]
fn sizes_that_overflow_are_refused_naming_the_shape() {
    type Case = Box<dyn Fn() + std::panic::RefUnwindSafe>;
    let cases: Vec<(&str, Case)> = vec![
        (
            "Tensor::zeros: shape [4294967296x4294967296] has more entries than memory can address",
            Box::new(|| {
                Tensor::zeros(1 << 32, 1 << 32);
            }),
        ),
        (
            "Tensor::from_vec: shape [4294967296x4294967296] has more entries",
            Box::new(|| {
                Tensor::from_vec(1 << 32, 1 << 32, vec![]);
            }),
        ),
        (
            "Tensor::from_vec: shape [3x6148914691236517206] has more entries",
            Box::new(|| {
                Tensor::from_vec(3, usize::MAX / 3 + 1, vec![0.0; 3]);
            }),
        ),
        (
            "Tensor::eye: shape [4294967296x4294967296]",
            Box::new(|| {
                Tensor::eye(1 << 32);
            }),
        ),
        (
            "Tensor::reshape: cannot view [1x4] (4 values) as [4611686018427387905x4]",
            Box::new(|| {
                Tensor::zeros(1, 4).reshape((1 << 62) + 1, 4);
            }),
        ),
        (
            // 8 TB: a valid product the allocator refuses; a panic, not an abort.
            "Tensor::zeros: cannot allocate [1099511627776x1] (1099511627776 values, 8796093022208 bytes)",
            Box::new(|| {
                Tensor::zeros(1 << 40, 1);
            }),
        ),
    ];
    for (want, f) in cases {
        let err = std::panic::catch_unwind(&f).expect_err(want);
        let msg = err
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        assert!(msg.contains(want), "want {want:?}, got {msg:?}");
    }
}

#[test]
fn schedules_are_validated_before_the_first_step() {
    assert!(Schedule::Constant(f64::NAN).validate().is_err());
    assert_eq!(
        Schedule::InverseTime(-1.0).validate().unwrap_err(),
        "Schedule::InverseTime: the step size must be finite and >= 0, got -1"
    );
    let cosine = Schedule::Cosine {
        gamma: 0.1,
        min: -0.05,
        total: 10,
    };
    let err = std::panic::catch_unwind(|| {
        let mut theta = [1.0];
        let _ = descend(&mut Sgd::new(0.1), &mut theta, 20, Some(&cosine), |t| {
            (t[0] * t[0], vec![2.0 * t[0]])
        });
    })
    .unwrap_err();
    let msg = err.downcast_ref::<String>().unwrap();
    assert_eq!(
        msg,
        "descend: Schedule::Cosine: min must be finite and >= 0, got -0.05"
    );
}

#[test]
fn a_huge_step_count_allocates_as_it_goes() {
    // 10^10 steps would be 80 GB of losses up front; the run diverges at step 3 instead.
    let mut theta = [1.0];
    let mut calls = 0;
    let err = descend(&mut Sgd::new(0.1), &mut theta, 10_000_000_000, None, |t| {
        calls += 1;
        let f = if calls >= 3 { f64::NAN } else { t[0] * t[0] };
        (f, vec![2.0 * t[0]])
    })
    .unwrap_err();
    assert_eq!((err.step, err.what), (3, NonFinite::Loss));
}

#[test]
fn lbfgs_with_an_unbounded_iteration_count_does_not_overflow() {
    let mut theta = [3.0, -2.0];
    let r = Lbfgs::new().max_iter(usize::MAX).minimize(&mut theta, |t| {
        (t[0] * t[0] + t[1] * t[1], vec![2.0 * t[0], 2.0 * t[1]])
    });
    assert!(theta.iter().all(|x| x.abs() < 1e-6), "{r:?}");
}

mod extreme_magnitudes {
    use super::common;
    use super::common::close::rel_err;
    use proptest::prelude::*;
    use tapegrad::linalg::{
        condition_estimate, condition_number, lstsq, min_norm, mse_smoothness, rank, spectral_norm,
    };
    use tapegrad::{Rng, Tensor};

    const SCALES: [f64; 8] = [1e-300, 1e-200, 1e-170, 1e-150, 1.0, 1e150, 1e200, 1e300];

    #[test]
    fn least_squares_at_1e_170_and_1e_160() {
        for s in [1e-170, 1e-160] {
            let x = Tensor::from_rows(&[[1.0, 1.0], [1.0, -1.0]]).mul_scalar(s);
            let y = x.matmul(&Tensor::column(&[1.0, 1.0]));
            let theta = lstsq(&x, &y).unwrap();
            assert!(
                rel_err(&theta, &Tensor::column(&[1.0, 1.0])) < 1e-14,
                "{s}: {theta}"
            );
        }
        let mut rng = Rng::new(3);
        let x = Tensor::rand_normal(50, 5, 0.0, 1.0, &mut rng);
        let truth = Tensor::rand_normal(5, 1, 0.0, 1.0, &mut rng);
        let small = x.mul_scalar(1e-170);
        let theta = lstsq(&small, &small.matmul(&truth)).unwrap();
        assert!(
            rel_err(&theta, &truth) < 1e-12,
            "relative error {}",
            rel_err(&theta, &truth)
        );
        // Underdetermined: the residual of the minimum-norm solution is ~0, not NaN.
        let x = Tensor::rand_normal(3, 8, 0.0, 1.0, &mut rng).mul_scalar(1e-170);
        let y = Tensor::rand_normal(3, 1, 0.0, 1.0, &mut rng).mul_scalar(1e-170);
        let theta = min_norm(&x, &y).unwrap();
        let residual = x.matmul(&theta).sub(&y).norm() / y.norm();
        assert!(residual < 1e-12, "residual {residual}");
    }

    #[test]
    fn norms_and_condition_numbers_at_extreme_magnitudes() {
        for s in [1e160, 1e300, 1e-300] {
            let n = spectral_norm(&Tensor::eye(3).mul_scalar(s));
            assert!((n / s - 1.0).abs() < 1e-12, "||{s} I|| = {n}");
        }
        let mut rng = Rng::new(5);
        let a = Tensor::rand_normal(5, 3, 0.0, 1.0, &mut rng);
        let n = spectral_norm(&a.mul_scalar(1e154));
        assert!((n / (1e154 * spectral_norm(&a)) - 1.0).abs() < 1e-12);
        // β = (2/N) σ² of 1e154 X overflows f64: infinity, the honest answer, never 0.
        assert_eq!(mse_smoothness(&a.mul_scalar(1e160)), f64::INFINITY);
        let mut nan = a.clone();
        nan[(1, 2)] = f64::NAN;
        assert!(spectral_norm(&nan).is_nan());
        nan[(1, 2)] = f64::INFINITY;
        assert_eq!(spectral_norm(&nan), f64::INFINITY);
        assert!((condition_number(&Tensor::eye(4).mul_scalar(1e-160)) - 1.0).abs() < 1e-12);
        let kappa = condition_number(&a);
        for s in [1e-200, 1e200] {
            assert!(
                (condition_number(&a.mul_scalar(s)) / kappa - 1.0).abs() < 1e-10,
                "{s}"
            );
            assert!(
                (condition_estimate(&a.mul_scalar(s)) / kappa - 1.0).abs() < 1e-6,
                "{s}"
            );
            assert_eq!(rank(&a.mul_scalar(s)), 3);
        }
    }

    #[test]
    fn a_nan_in_the_data_is_named_not_called_rank_0() {
        let mut x = Tensor::eye(3);
        x[(2, 1)] = f64::NAN;
        let err = lstsq(&x, &Tensor::ones(3, 1)).unwrap_err();
        assert_eq!(err.to_string(), "least squares: X has a NaN at (2, 1)");
    }

    proptest! {
        #![proptest_config(common::proptest_config(32))]

        /// Scaling X and y by s changes neither the solution nor the norm's relative value.
        #[test]
        fn least_squares_and_norms_are_scale_invariant(
            seed in any::<u64>(),
            k in 0usize..SCALES.len(),
            (n, p) in (6usize..12, 1usize..5),
        ) {
            let s = SCALES[k];
            let mut rng = Rng::new(seed);
            // Well conditioned: a random Gaussian matrix with more rows than columns, plus I.
            let x = Tensor::rand_normal(n, p, 0.0, 1.0, &mut rng)
                .add(&Tensor::from_fn(n, p, |i, j| if i == j { 2.0 } else { 0.0 }));
            let y = Tensor::rand_normal(n, 1, 0.0, 1.0, &mut rng);
            let want = lstsq(&x, &y).unwrap();
            let got = lstsq(&x.mul_scalar(s), &y.mul_scalar(s)).unwrap();
            prop_assert!(rel_err(&got, &want) <= 1e-10, "s = {s}: {}", rel_err(&got, &want));
            let (ns, n1) = (spectral_norm(&x.mul_scalar(s)), spectral_norm(&x));
            prop_assert!((ns / (s * n1) - 1.0).abs() <= 1e-10, "s = {s}: {ns} vs {}", s * n1);
        }
    }
}

#[test]
fn standardizing_huge_and_tiny_columns() {
    use tapegrad::data::Standardizer;
    let x = Tensor::column(&[1e200, -1e200, 0.0]);
    let s = Standardizer::fit(&x);
    assert_eq!(s.mean, vec![0.0]);
    assert!((s.std[0] / (1e200 * (2.0f64 / 3.0).sqrt()) - 1.0).abs() < 1e-15);
    let z = s.transform(&x);
    assert!((z[(0, 0)] - (1.5f64).sqrt()).abs() < 1e-15, "{z}");
    let tiny = Tensor::column(&[1e-200, 2e-200, 3e-200]);
    let s = Standardizer::fit(&tiny);
    assert!(
        (s.std[0] / (1e-200 * (2.0f64 / 3.0).sqrt()) - 1.0).abs() < 1e-14,
        "{:?}",
        s.std
    );
    let z = s.transform(&tiny);
    assert!((z[(2, 0)] - (1.5f64).sqrt()).abs() < 1e-13, "{z}");
}

#[test]
#[should_panic(expected = "Standardizer::inverse_transform: fitted on 1 columns, got 2")]
fn inverse_transform_names_the_width() {
    tapegrad::data::Standardizer::fit(&Tensor::column(&[1.0, 2.0]))
        .inverse_transform(&Tensor::zeros(1, 2));
}

#[test]
fn empty_matrices_have_defined_answers() {
    use tapegrad::linalg::{lstsq, min_norm, rank, spectral_norm};
    // No equations: the minimum-norm solution is 0. No unknowns: the solution is empty.
    for (r, c) in [(0, 3), (3, 0), (0, 0)] {
        let (x, y) = (Tensor::zeros(r, c), Tensor::zeros(r, 1));
        assert_eq!(lstsq(&x, &y).unwrap(), Tensor::zeros(c, 1), "{r}x{c}");
        assert_eq!(min_norm(&x, &y).unwrap(), Tensor::zeros(c, 1), "{r}x{c}");
        assert_eq!(rank(&x), 0);
        assert_eq!(spectral_norm(&x), 0.0);
    }
}

#[test]
fn misuse_panics_name_the_function_and_the_shapes() {
    use tapegrad::linalg::Qr;
    use tapegrad::nn::Params;
    let message = |f: Box<dyn FnOnce() + std::panic::UnwindSafe>| -> String {
        let e = std::panic::catch_unwind(f).unwrap_err();
        e.downcast_ref::<String>().cloned().unwrap_or_default()
    };
    assert_eq!(
        message(Box::new(|| {
            Tensor::zeros(2, 3).row_slice(5);
        })),
        "Tensor::row_slice: row 5 out of bounds for [2x3]"
    );
    // A parameter id from a bigger layout, used on a smaller one's Theta.
    assert_eq!(
        message(Box::new(|| {
            let mut big = Params::new();
            big.add("a", &Tensor::zeros(1, 1));
            let id = big.add("b", &Tensor::zeros(1, 1));
            let mut small = Params::new();
            small.add("a", &Tensor::zeros(1, 1));
            let tape = tapegrad::Tape::new();
            let _ = tape.params(&small)[id];
        })),
        "Theta: parameter id 1 is not in this layout of 1 parameters"
    );
    assert_eq!(
        message(Box::new(|| {
            let mut a = Params::new();
            a.add("w", &Tensor::zeros(1, 1));
            let id = a.add("b", &Tensor::zeros(1, 1));
            Params::new().get(id);
        })),
        "Params::get: no parameter 1 here (these Params have 0: the id comes from another model?)"
    );
    assert_eq!(
        message(Box::new(|| {
            Qr::new(&Tensor::eye(3)).solve_r(&Tensor::zeros(2, 1));
        })),
        "Qr::solve_r: R is 3x3, the right-hand side [2x1] has fewer than 3 rows"
    );
}

#[test]
#[should_panic(
    expected = "gemm: slices of length 1, 1, 1 are too short for m=4294967296, k=4294967296, n=1"
)]
fn gemm_sizes_whose_products_overflow_are_refused() {
    // m·k wraps to 0 in release arithmetic: the check must not let the kernel run.
    let mut c = [0.0];
    tapegrad::linalg::matmul::gemm(1 << 32, 1 << 32, 1, &[1.0], &[1.0], &mut c);
}

#[test]
fn anomaly_detection_names_nan_data_where_it_enters() {
    use tapegrad::AnomalyMode;
    use tapegrad::anomaly::Phase;
    let tape = Tape::with_anomaly_mode(AnomalyMode::Record);
    let x = tape.leaf(Tensor::row(&[f64::NAN, 1.0]));
    let loss = x.exp().sum();
    let _ = tape.backward(loss);
    let a = tape.anomaly().expect("the NaN leaf is reported");
    assert_eq!((a.phase, a.node), (Phase::Data, 0));
    assert_eq!(
        a.to_string(),
        "anomaly in the data: node 0 (leaf) was recorded with non-finite entries; \
         value node 0 [1x2] min 1e0 max 1e0 (1 NaN, 0 infinite)"
    );
    // A NaN input matrix behind an MLP: the constant is blamed, not matmul_nt.
    let tape = Tape::with_anomaly_mode(AnomalyMode::Record);
    let w = tape.leaf(Tensor::from_rows(&[[0.5, -0.5]]));
    let data = tape.constant(Tensor::from_rows(&[[1.0, f64::INFINITY]]));
    let _ = data.matmul_nt(w).relu().sum();
    let a = tape.anomaly().unwrap();
    assert_eq!(
        (a.phase, a.node, a.op.as_str()),
        (Phase::Data, 1, "constant")
    );
    assert!(a.to_string().contains("(0 NaN, 1 infinite)"), "{a}");
}

#[test]
fn an_empty_batch_is_nan_for_mean_and_refused_by_the_trainer() {
    use tapegrad::nn::{Activation, Params, Reduction, mlp, mse};
    let tape = Tape::new();
    let pred = tape.leaf(Tensor::zeros(0, 1));
    let target = tape.constant(Tensor::zeros(0, 1));
    assert!(mse(pred, target, Reduction::Mean).item().is_nan());
    assert_eq!(mse(pred, target, Reduction::Sum).item(), 0.0);
    let mut params = Params::new();
    let model = mlp(&[1, 1], Activation::Tanh).build(&mut params, &mut tapegrad::Rng::new(0));
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        tapegrad::train::Trainer::new(&model, &Tensor::zeros(0, 1), &Tensor::zeros(0, 1));
    }))
    .unwrap_err();
    assert_eq!(
        err.downcast_ref::<String>().unwrap(),
        "Trainer: no data (inputs [0x1]): every batch would be empty"
    );
}

/// An entry for the divergence property: finite, huge (its square or its update overflows),
/// or not finite.
fn hostile_entry() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => -3.0..3.0f64,
        1 => Just(1e200),
        1 => Just(-1.7e308),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
    ]
}

/// The first non-finite entry of `v`.
fn first_bad(v: &[f64]) -> Option<usize> {
    v.iter().position(|x| !x.is_finite())
}

proptest! {
    #![proptest_config(common::proptest_config(256))]

    /// The update's one pass with its finiteness flag names what three passes named (the
    /// gradient checked before the update, then the state, then θ): the first non-finite
    /// gradient entry if there is one; else, for Adam, a moment that overflowed; else the
    /// first non-finite θ. A step that returns `Ok` leaves every entry finite.
    #[test]
    fn a_diverged_step_names_the_gradient_then_the_state_then_theta(
        theta in prop::collection::vec(-3.0..3.0f64, 1..40),
        grad_seed in prop::collection::vec(hostile_entry(), 40),
        lr in prop_oneof![Just(0.0), Just(0.1), Just(1e300)],
        momentum in prop_oneof![Just(0.0), Just(0.9)],
        adam in any::<bool>(),
    ) {
        let grad = &grad_seed[..theta.len()];
        let mut t = theta.clone();
        let result = if adam {
            Adam::new(lr).step(&mut t, grad)
        } else {
            Sgd::new(lr).momentum(momentum).step(&mut t, grad)
        };
        match (first_bad(grad), result) {
            (Some(i), Err(e)) => prop_assert_eq!((e.step, e.what), (1, NonFinite::Gradient(i))),
            (None, Err(e)) => match e.what {
                NonFinite::Parameter(i) => prop_assert_eq!(first_bad(&t), Some(i)),
                // m = (1 − β1) g and v = (1 − β2) g² at step 1: v overflows for |g| > 1e154.
                NonFinite::State(i) => {
                    prop_assert!(adam);
                    let overflows = |g: f64| !((1.0 - 0.999) * g * g).is_finite();
                    prop_assert_eq!(grad.iter().position(|&g| overflows(g)), Some(i));
                }
                other => prop_assert!(false, "{other:?}"),
            },
            (Some(i), Ok(())) => prop_assert!(false, "gradient entry {i} is {}", grad[i]),
            (None, Ok(())) => prop_assert_eq!(first_bad(&t), None),
        }
    }
}
