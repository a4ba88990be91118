//! The model layer: flat parameters, Linear, activations, MSE, Sequential and mlp.

mod common;

use common::close::{abs, close_to_scale};
use common::w1;
use proptest::prelude::*;
use serde_json::Value;
use tapegrad::Rng;
use tapegrad::gradcheck::Options;
use tapegrad::nn::{Activation, Init, Linear, Module, Params, Reduction, Theta, mlp, mse};
use tapegrad::ops::{Op, Unary};
use tapegrad::{Tape, Tensor};

fn rng(seed: u64) -> Rng {
    Rng::new(seed)
}

/// The smallest |z| over the inputs of every relu on the tape: how close the network is to
/// a kink.
fn min_relu_input(tape: &Tape) -> f64 {
    (0..tape.len())
        .filter_map(|i| match tape.var(i).op() {
            Op::Map(Unary::Relu(_), z) => Some(
                tape.var(z)
                    .value()
                    .as_slice()
                    .iter()
                    .fold(f64::INFINITY, |m, v| m.min(v.abs())),
            ),
            _ => None,
        })
        .fold(f64::INFINITY, f64::min)
}

fn activation(k: usize) -> Activation {
    [Activation::Relu, Activation::Sigmoid, Activation::Tanh][k].clone()
}

/// The full MLP + MSE gradient against finite differences, for ReLU, Sigmoid and Tanh
/// networks of random sizes, both reductions.
///
/// Tolerance 1e-6 relative (gradcheck's default). ReLU networks are piecewise smooth: the
/// stencil step is lowered to 1e-4 and cases with a pre-activation within 2e-3 of a kink are
/// skipped, farther than any perturbation of the stencil can move it (|dz| <= 2h |input|).
#[test]
fn mlp_mse_gradient_matches_finite_differences() {
    let sizes = prop::collection::vec(1usize..=5, 2..=4);
    proptest!(common::proptest_config(48), |(sizes in sizes, act in 0usize..3, sum in any::<bool>(), n in 1usize..=6, seed in 0u64..1000)| {
        let mut r = rng(seed);
        let mut params = Params::new();
        let model = mlp(&sizes, activation(act)).build(&mut params, &mut r);
        let x = Tensor::rand_normal(n, sizes[0], 0.0, 1.0, &mut r);
        let y = Tensor::rand_normal(n, *sizes.last().unwrap(), 0.0, 1.0, &mut r);
        let reduction = if sum { Reduction::Sum } else { Reduction::Mean };
        let mut options = Options::new();
        if act == 0 {
            let tape = Tape::new();
            let theta = tape.params(&params);
            model.forward(&theta, tape.constant(&x));
            prop_assume!(min_relu_input(&tape) > 2e-3);
            options = options.step(1e-4);
        }
        let report = options.gradcheck(
            |tape, vars| {
                let theta = Theta::from_vars(&params, vars);
                mse(model.forward(&theta, tape.constant(&x)), tape.constant(&y), reduction)
            },
            &params.tensors(),
        );
        prop_assert!(report.passed(), "{sizes:?} act {act}: {report}");
    });
}

/// With no hidden layer, `Linear(p, 1)` + mean MSE is least squares: in the flat layout
/// `theta = (w_1..w_p, b)` the gradient is `(2/N) X_1^T (X_1 theta - Y)` with
/// `X_1 = [X, 1]`. Tolerance: each entry within 1e-12 of the magnitudes it sums,
/// `(2/N)|X_1|^T (|X_1||theta| + |Y|)` (same sums, different order).
#[test]
fn linear_mse_gradient_is_least_squares_gradient() {
    proptest!(common::proptest_config(64), |(n in 1usize..=10, p in 1usize..=5, bias in any::<bool>(), seed in 0u64..10_000)| {
        let mut r = rng(seed);
        let mut params = Params::new();
        let layer = Linear::new(p, 1).bias(bias).init(Init::Normal(1.0)).build(&mut params, "0", &mut r);
        let x = Tensor::rand_normal(n, p, 0.0, 1.0, &mut r);
        let y = Tensor::rand_normal(n, 1, 0.0, 1.0, &mut r);

        let tape = Tape::new();
        let theta = tape.params(&params);
        let loss = mse(layer.forward(&theta, tape.constant(&x)), tape.constant(&y), Reduction::Mean);
        let grad = tape.backward(loss).flat(&theta);

        let x1 = if bias { Tensor::from_fn(n, p + 1, |i, j| if j < p { x.get(i, j) } else { 1.0 }) } else { x.clone() };
        let th = Tensor::column(params.as_slice());
        let expected = x1.t().matmul(&x1.matmul(&th).sub(&y)).mul_scalar(2.0 / n as f64);
        let got = Tensor::column(&grad);
        let (ax, at, ay) = (abs(&x1), abs(&th), abs(&y));
        let scale = ax.matmul_tn(&ax.matmul(&at).add(&ay)).mul_scalar(2.0 / n as f64);
        prop_assert!(close_to_scale(&got, &expected, &scale, 1e-12), "{got} vs {expected}");
    });
}

#[test]
fn parameter_names_shapes_and_counts() {
    let (params, model) = w1::model();
    assert_eq!(params.len(), 141, "the course's 1-10-10-1 network");
    let names: Vec<_> = params
        .views()
        .iter()
        .map(|v| (v.name.as_str(), v.rows, v.cols))
        .collect();
    assert_eq!(
        names,
        [
            ("0.weight", 10, 1),
            ("0.bias", 1, 10),
            ("2.weight", 10, 10),
            ("2.bias", 1, 10),
            ("4.weight", 1, 10),
            ("4.bias", 1, 1)
        ]
    );
    assert_eq!(model.layers().len(), 5);
    assert_eq!(
        model.describe(),
        "Sequential(Linear(1, 10), ReLU, Linear(10, 10), ReLU, Linear(10, 1))"
    );

    for (sizes, count) in [
        (&[10, 5, 1][..], 61),
        (&[15, 64, 64, 1], 5249),
        (&[3, 2], 8),
    ] {
        let mut p = Params::new();
        mlp(sizes, Activation::Tanh).build(&mut p, &mut rng(1));
        assert_eq!(p.len(), count, "{sizes:?}");
    }
    let mut p = Params::new();
    Linear::new(4, 3)
        .bias(false)
        .init(Init::Zeros)
        .build(&mut p, "head", &mut rng(0));
    assert_eq!(p.len(), 12);
    assert!(p.find("head.bias").is_none());
}

#[test]
fn summary_is_a_course_table() {
    let (params, model) = w1::model();
    let s = model.summary(&params);
    assert!(s.ends_with("total parameters: 141"), "{s}");
    assert!(
        s.contains("Linear(10, 10)")
            && s.contains("2.weight")
            && s.contains("10x10")
            && s.contains("100"),
        "{s}"
    );
    assert_eq!(
        s.lines().count(),
        1 + 6 + 2 + 1,
        "header, 6 parameters, 2 activations, total:\n{s}"
    );
}

#[test]
fn init_bounds_hold_for_every_entry() {
    let (n_in, n_out) = (7, 5);
    let bound = 1.0 / (n_in as f64).sqrt();
    let mut p = Params::new();
    Linear::new(n_in, n_out).build(&mut p, "0", &mut rng(3));
    assert!(p.as_slice().iter().all(|v| v.abs() <= bound));
    let mut p = Params::new();
    let l = Linear::new(n_in, n_out)
        .init(Init::XavierUniform)
        .build(&mut p, "0", &mut rng(3));
    let a = (6.0 / (n_in + n_out) as f64).sqrt();
    assert!(p.get(l.weight()).as_slice().iter().all(|v| v.abs() <= a));
    assert_eq!(p.get(l.bias().unwrap()), Tensor::zeros(1, n_out));
    // Kaiming normal: the sample variance of 64x256 draws is within 5% of 2/in.
    let mut p = Params::new();
    let l = Linear::new(256, 64)
        .bias(false)
        .init(Init::KaimingNormal)
        .build(&mut p, "0", &mut rng(4));
    let w = p.get(l.weight());
    let var = w.as_slice().iter().map(|v| v * v).sum::<f64>() / w.len() as f64;
    assert!((var / (2.0 / 256.0) - 1.0).abs() < 0.05, "variance {var}");
    let mut p = Params::new();
    Linear::new(3, 2)
        .init(Init::Zeros)
        .build(&mut p, "0", &mut rng(0));
    assert!(p.as_slice().iter().all(|&v| v == 0.0));
    let mut p = Params::new();
    let w = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    let l = Linear::new(2, 3)
        .init(Init::Values(w.clone(), Tensor::row(&[7.0, 8.0, 9.0])))
        .build(&mut p, "0", &mut rng(0));
    assert_eq!(p.get(l.weight()), w);
    assert_eq!(p.as_slice(), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
}

#[test]
fn same_seed_same_model_different_seed_different_model() {
    let build = |seed| {
        let mut p = Params::new();
        mlp(&[2, 8, 3], Activation::Sigmoid).build(&mut p, &mut rng(seed));
        p
    };
    assert_eq!(build(11).as_slice(), build(11).as_slice());
    assert_ne!(build(11).as_slice(), build(12).as_slice());
}

#[test]
fn unused_parameter_gets_zero_gradient() {
    let mut params = Params::new();
    let used = Linear::new(2, 1).build(&mut params, "used", &mut rng(0));
    Linear::new(2, 1).build(&mut params, "unused", &mut rng(1));
    let tape = Tape::new();
    let theta = tape.params(&params);
    let x = tape.constant(Tensor::from_rows(&[[1.0, 2.0]]));
    let loss = used.forward(&theta, x).square().sum();
    let g = tape.backward(loss).flat(&theta);
    assert!(g[..3].iter().any(|&v| v != 0.0));
    assert_eq!(&g[3..], &[0.0, 0.0, 0.0]);
}

#[test]
fn scaled_and_custom_activations() {
    let tape = Tape::new();
    let x = tape.leaf(Tensor::row(&[-1.0, 0.0, 2.0]));
    let four_sigmoid = Activation::Sigmoid.scaled(4.0).apply(x).value();
    let expected = Tensor::row(&[-1.0, 0.0, 2.0]).map(|v| 4.0 / (1.0 + (-v).exp()));
    four_sigmoid.assert_close(&expected, 1e-15, 0.0);
    let softplus = Activation::Custom("softplus", |x| (x.exp() + 1.0).ln());
    assert_eq!(softplus.describe(), "softplus");
    assert_eq!(Activation::Sigmoid.scaled(4.0).describe(), "4 * Sigmoid");
    assert!((softplus.apply(tape.leaf(0.0)).item() - 2f64.ln()).abs() < 1e-15);
}

/// `Reduction::Sum` multiplies the gradient by the number of entries.
#[test]
fn sum_reduction_scales_the_gradient_by_n() {
    let tape = Tape::new();
    let p = tape.leaf(Tensor::column(&[1.0, 2.0, 3.0, 4.0]));
    let t = tape.constant(Tensor::column(&[0.0, 1.0, 1.0, 0.0]));
    let g_mean = tape.backward(mse(p, t, Reduction::Mean));
    let g_sum = tape.backward(mse(p, t, Reduction::Sum));
    g_sum[p].assert_close(&g_mean[p].mul_scalar(4.0), 1e-15, 0.0);
}

#[test]
#[should_panic(expected = "Linear 2: input [7x3] has 3 columns, expected 10 (in_features)")]
fn wrong_input_width_names_the_layer() {
    let (params, model) = w1::model();
    let tape = Tape::new();
    let theta = tape.params(&params);
    // Skip layer 0 and feed layer 2 directly with the wrong width.
    model.layers()[2].forward(&theta, tape.constant(Tensor::zeros(7, 3)));
}

#[test]
#[should_panic(expected = "Linear 0: in and out features must be positive, got in = 0, out = 3")]
fn zero_width_linear_is_refused() {
    Linear::new(0, 3).build(&mut Params::new(), "0", &mut rng(0));
}

#[test]
#[should_panic(expected = "mse: prediction [7x1] and target [7x2] have different shapes")]
fn mse_shape_mismatch_names_both() {
    let tape = Tape::new();
    mse(
        tape.leaf(Tensor::zeros(7, 1)),
        tape.constant(Tensor::zeros(7, 2)),
        Reduction::Mean,
    );
}

fn tensor_of(v: &Value) -> Tensor {
    let rows = v["rows"].as_u64().unwrap() as usize;
    let cols = v["cols"].as_u64().unwrap() as usize;
    let vals = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_f64().unwrap())
        .collect();
    Tensor::from_vec(rows, cols, vals)
}

/// Loss and every parameter gradient equal PyTorch's float64 autograd to 1e-12 relative
/// (`tests/fixtures/nn_grads.json`, made by `tests/fixtures/nn_grads.py`). The two sides sum
/// the same products in possibly different orders, so agreement is to a few ulps scaled by
/// the conditioning of the sums; 1e-12 leaves room for that and nothing else.
#[test]
fn loss_and_gradients_match_pytorch() {
    let text = include_str!("fixtures/nn_grads.json");
    let fixture: Value = serde_json::from_str(text).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let sizes: Vec<usize> = case["sizes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let act = match case["activation"].as_str().unwrap() {
            "relu" => Activation::Relu,
            "sigmoid" => Activation::Sigmoid,
            "tanh" => Activation::Tanh,
            "4sigmoid" => Activation::Sigmoid.scaled(4.0),
            other => panic!("unknown activation {other}"),
        };
        let reduction = if case["reduction"] == "sum" {
            Reduction::Sum
        } else {
            Reduction::Mean
        };
        let mut params = Params::new();
        let model = mlp(&sizes, act)
            .init(Init::Zeros)
            .build(&mut params, &mut rng(0));
        for p in case["params"].as_array().unwrap() {
            let id = params
                .find(p["name"].as_str().unwrap())
                .expect("same names as PyTorch");
            params.set(id, &tensor_of(p));
        }
        let tape = Tape::new();
        let theta = tape.params(&params);
        let loss = mse(
            model.forward(&theta, tape.constant(tensor_of(&case["x"]))),
            tape.constant(tensor_of(&case["y"])),
            reduction,
        );
        let want_loss = case["loss"].as_f64().unwrap();
        assert!(
            ((loss.item() - want_loss) / want_loss).abs() < 1e-12,
            "{name}: loss {} vs {want_loss}",
            loss.item()
        );
        let grads = tape.backward(loss);
        for p in case["params"].as_array().unwrap() {
            let pname = p["name"].as_str().unwrap();
            let id = params.find(pname).unwrap();
            let want = Tensor::from_vec(
                p["rows"].as_u64().unwrap() as usize,
                p["cols"].as_u64().unwrap() as usize,
                p["grad"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_f64().unwrap())
                    .collect(),
            );
            let scale = want.max_abs().max(1e-300);
            let got = &grads[theta[id]];
            let err = got.sub(&want).max_abs() / scale;
            assert!(
                err < 1e-12,
                "{name} {pname}: relative error {err:e}\n{got}\nvs\n{want}"
            );
        }
    }
}
