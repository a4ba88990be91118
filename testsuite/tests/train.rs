//! The training loop: it reproduces the peer runs W1 and W2 (PyTorch's final losses, as the
//! hand-written loops in `tests/peer_workloads.rs` do), its observers compute what they claim,
//! its stop rules stop where they should, and seeded sampling repeats itself.

#[path = "common/peer.rs"]
mod peer;

use tapegrad::nn::{Activation, Module, Params, Reduction, mlp};
use tapegrad::optim::{Adam, Lbfgs, Sgd, Stop, StrongWolfe};
use tapegrad::train::{
    Average, Batches, Flow, History, KeepBest, Loss, Observer, Step, TestLoss, Trainer,
};
use tapegrad::{Rng, Tensor};

/// W1 through the loop: full-batch SGD lr 0.05, 2000 steps; PyTorch's final loss to 1e-9,
/// recording every step and replaying.
#[test]
fn the_loop_reproduces_w1() {
    const TORCH: f64 = 1.5709799679659842e-07;
    let data = peer::PeerData::load("w1");
    for replay in [false, true] {
        let (mut params, model) = peer::model(&data);
        let (x, y) = (data.get("x"), data.get("y"));
        let report = Trainer::new(&model, x, y)
            .steps(2000)
            .replay(replay)
            .run(&mut params, &mut Sgd::new(0.05))
            .unwrap();
        assert_eq!((report.steps, report.stop), (2000, Stop::Steps));
        let loss = peer::loss_and_grad(&params, &model, x, y, Reduction::Mean).0;
        assert!(
            (loss - TORCH).abs() / TORCH < 1e-9,
            "replay {replay}: {loss:e} vs {TORCH:e}"
        );
    }
}

/// W2 through the loop: Adam lr 1e-3, consecutive batches of 32, 100 epochs, recording
/// every step and replaying (a recording for the batches of 32, one for the last of 8).
#[test]
fn the_loop_reproduces_w2() {
    const TORCH: f64 = 0.9877532679826229;
    let data = peer::PeerData::load("w2");
    for replay in [false, true] {
        let (mut params, model) = peer::model(&data);
        let (x, y) = (data.get("x"), data.get("y"));
        let report = Trainer::new(&model, x, y)
            .batches(Batches::Sequential(32))
            .epochs(100)
            .replay(replay)
            .run(&mut params, &mut Adam::new(1e-3))
            .unwrap();
        assert_eq!(
            (report.steps, report.epochs, report.stop),
            (3200, 100, Stop::Epochs)
        );
        let loss = peer::loss_and_grad(&params, &model, x, y, Reduction::Mean).0;
        assert!(
            (loss - TORCH).abs() / TORCH < 1e-9,
            "replay {replay}: {loss:e} vs {TORCH:e}"
        );
    }
}

fn small_problem() -> (Params, tapegrad::nn::Sequential, Tensor, Tensor) {
    let mut rng = Rng::new(3);
    let mut params = Params::new();
    let model = mlp(&[2, 6, 1], Activation::Tanh).build(&mut params, &mut rng);
    let x = Tensor::rand_normal(12, 2, 0.0, 1.0, &mut rng);
    let y = Tensor::rand_normal(12, 1, 0.0, 1.0, &mut rng);
    (params, model, x, y)
}

/// Records every θ_k, to compare observers with the explicit computation.
#[derive(Default)]
struct Thetas(Vec<Vec<f64>>, Vec<f64>);

impl Observer for Thetas {
    fn observe(&mut self, s: &Step<'_>) -> Flow {
        self.0.push(s.theta.to_vec());
        self.1.push(s.loss);
        Flow::Continue
    }
}

#[test]
fn averaging_equals_the_explicit_mean_and_keep_best_the_minimum() {
    let (mut params, model, x, y) = small_problem();
    let (mut avg, mut best, mut all) = (Average::from_step(10), KeepBest::new(), Thetas::default());
    Trainer::new(&model, &x, &y)
        .batches(Batches::Sampled(1))
        .steps(60)
        .observe(&mut avg)
        .observe(&mut best)
        .observe(&mut all)
        .run(&mut params, &mut Sgd::new(0.05))
        .unwrap();
    assert_eq!(avg.count(), 50);
    for (j, m) in avg.mean().iter().enumerate() {
        let explicit = all.0[10..].iter().map(|t| t[j]).sum::<f64>() / 50.0;
        assert!((m - explicit).abs() <= 1e-14 * explicit.abs().max(1.0));
    }
    let (loss, step, theta) = best.best().unwrap();
    let k = all
        .1
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .unwrap()
        .0;
    assert_eq!((loss, step, theta), (all.1[k], k, &all.0[k][..]));
}

#[test]
fn stop_rules_stop_at_the_right_step() {
    let (params, model, x, y) = small_problem();
    let run = |t: Trainer<'_>| {
        let mut p = params.clone();
        t.run(&mut p, &mut Sgd::new(0.1)).unwrap()
    };
    let r = run(Trainer::new(&model, &x, &y).steps(7));
    assert_eq!((r.steps, r.stop), (7, Stop::Steps));
    let r = run(Trainer::new(&model, &x, &y)
        .batches(Batches::Shuffled(5))
        .epochs(3));
    assert_eq!((r.steps, r.epochs, r.stop), (9, 3, Stop::Epochs)); // 12 rows: 5 + 5 + 2
    // The loss tolerance stops before the update at the first step whose loss is below it.
    let mut h = History::new("gd");
    let mut p = params.clone();
    Trainer::new(&model, &x, &y)
        .steps(400)
        .observe(&mut h)
        .run(&mut p, &mut Sgd::new(0.1))
        .unwrap();
    let tol = h.losses[100];
    let first = h.losses.iter().position(|&l| l < tol).unwrap();
    let r = run(Trainer::new(&model, &x, &y).steps(400).loss_below(tol));
    assert_eq!((r.steps, r.stop), (first, Stop::LossBelow));
    let r = run(Trainer::new(&model, &x, &y)
        .steps(100_000)
        .grad_norm_below(1e-1));
    assert_eq!(r.stop, Stop::GradientBelow);
    let r = run(Trainer::new(&model, &x, &y).seconds(0.05));
    assert_eq!(r.stop, Stop::Time);
    // An observer can stop the run.
    struct StopAt(usize);
    impl Observer for StopAt {
        fn observe(&mut self, s: &Step<'_>) -> Flow {
            if s.step == self.0 {
                Flow::Stop
            } else {
                Flow::Continue
            }
        }
    }
    let mut stop = StopAt(5);
    let mut p = params.clone();
    let r = Trainer::new(&model, &x, &y)
        .steps(100)
        .observe(&mut stop)
        .run(&mut p, &mut Sgd::new(0.1))
        .unwrap();
    assert_eq!((r.steps, r.stop), (5, Stop::Observer));
}

#[test]
fn per_sample_sgd_repeats_for_a_seed_and_differs_across_seeds() {
    let (params, model, x, y) = small_problem();
    let losses = |seed: u64| {
        let mut h = History::new("sgd");
        let mut p = params.clone();
        Trainer::new(&model, &x, &y)
            .batches(Batches::Sampled(1))
            .seed(seed)
            .steps(50)
            .observe(&mut h)
            .run(&mut p, &mut Sgd::new(0.05))
            .unwrap();
        (h.losses, p)
    };
    assert_eq!(losses(4), losses(4));
    assert_ne!(losses(4).0, losses(5).0);
}

#[test]
fn lbfgs_through_the_loop_equals_lbfgs_alone() {
    let (params, model, x, y) = small_problem();
    let mut p = params.clone();
    let mut h = History::new("L-BFGS");
    let report = Trainer::new(&model, &x, &y).observe(&mut h).run_lbfgs(
        &mut p,
        &mut Lbfgs::new()
            .line_search(StrongWolfe::default())
            .max_iter(30),
    );
    // The same run by hand.
    let mut theta = params.as_slice().to_vec();
    let direct = Lbfgs::new()
        .line_search(StrongWolfe::default())
        .max_iter(30)
        .minimize(&mut theta, |th| {
            let mut q = params.clone();
            q.set_flat(th);
            peer_free_loss(&model, &q, &x, &y)
        });
    assert_eq!(p.as_slice(), &theta[..]);
    assert_eq!(
        (report.steps, report.evaluations),
        (direct.iterations, direct.evaluations)
    );
    assert_eq!(h.len(), direct.evaluations, "one record per evaluation");
    assert_eq!(
        *h.steps.last().unwrap(),
        direct.iterations - 1,
        "each tagged with its iteration"
    );
}

fn peer_free_loss(model: &dyn Module, p: &Params, x: &Tensor, y: &Tensor) -> (f64, Vec<f64>) {
    let tape = tapegrad::Tape::new();
    let theta = tape.params(p);
    let loss = tapegrad::nn::mse(
        model.forward(&theta, tape.constant(x)),
        tape.constant(y),
        Reduction::Mean,
    );
    (loss.item(), tape.backward(loss).flat(&theta))
}

#[test]
fn test_loss_and_history_files() {
    let (mut params, model, x, y) = small_problem();
    let (xt, yt) = (x.index_select(&[0, 1, 2]), y.index_select(&[0, 1, 2]));
    let mut test = TestLoss::new(
        "test",
        &model,
        &params,
        (&xt, &yt),
        Loss::Mse(Reduction::Mean),
        10,
    );
    let mut h = History::new("train").with_grad_norms().with_snapshots(25);
    Trainer::new(&model, &x, &y)
        .steps(50)
        .observe(&mut h)
        .observe(&mut test)
        .run(&mut params, &mut Sgd::new(0.1))
        .unwrap();
    assert_eq!(test.history.steps, vec![0, 10, 20, 30, 40]);
    assert_eq!(
        h.snapshots.iter().map(|s| s.0).collect::<Vec<_>>(),
        vec![0, 25]
    );
    let csv = h.to_csv();
    assert_eq!(csv.lines().count(), 51);
    assert!(csv.starts_with("step,evaluations,seconds,lr,loss,grad_norm\n0,1,"));
    let json: serde_json::Value = serde_json::from_str(&h.to_json()).unwrap();
    assert_eq!(json["losses"].as_array().unwrap().len(), 50);
    assert_eq!(json["grad_norms"].as_array().unwrap().len(), 50);
    // predict: the model's output on plain tensors, as the loss saw it.
    let pred = model.predict(&params, &xt);
    let mse = pred.sub(&yt).as_slice().iter().map(|e| e * e).sum::<f64>() / 3.0;
    let (final_test, _) = peer_free_loss(&model, &params, &xt, &yt);
    assert!((mse - final_test).abs() < 1e-15);
}

/// `Trainer::replay` against recording every step: the same losses and parameters (to 1e-12)
/// for the full batch, consecutive batches with a smaller last one (two recordings), shuffled
/// and sampled batches (new rows each step), and a cross-entropy loss (recorded every step).
#[test]
fn replaying_trains_as_recording_does() {
    let mut rng = Rng::new(8);
    let x = Tensor::rand_normal(70, 4, 0.0, 1.0, &mut rng);
    let y = Tensor::rand_normal(70, 2, 0.0, 1.0, &mut rng);
    let classes = Tensor::from_fn(70, 1, |i, _| (i % 2) as f64);
    let mut start = Params::new();
    let model = mlp(&[4, 6, 2], Activation::Tanh).build(&mut start, &mut Rng::new(3));
    for (batches, loss, targets) in [
        (Batches::Full, Loss::Mse(Reduction::Mean), &y),
        (Batches::Sequential(32), Loss::Mse(Reduction::Sum), &y),
        (Batches::Shuffled(16), Loss::Mse(Reduction::Mean), &y),
        (Batches::Sampled(5), Loss::Mse(Reduction::Mean), &y),
        (
            Batches::Sequential(32),
            Loss::CrossEntropy(Reduction::Mean),
            &classes,
        ),
    ] {
        let run = |replay: bool| {
            let mut params = start.clone();
            let mut history = History::new("run");
            Trainer::new(&model, &x, targets)
                .batches(batches)
                .loss(loss)
                .seed(5)
                .steps(25)
                .replay(replay)
                .observe(&mut history)
                .run(&mut params, &mut Adam::new(1e-2))
                .unwrap();
            (params, history.losses)
        };
        let ((p1, l1), (p2, l2)) = (run(false), run(true));
        assert_eq!(l1.len(), 25);
        for (k, (a, b)) in l1.iter().zip(&l2).enumerate() {
            assert!(
                (a - b).abs() <= 1e-12 * a.abs(),
                "{batches:?}: step {k}: {a} vs {b}"
            );
        }
        for (a, b) in p1.as_slice().iter().zip(p2.as_slice()) {
            assert!((a - b).abs() <= 1e-12, "{batches:?}: parameters {a} vs {b}");
        }
    }
}

/// The message `f` panics with (and a failure if it does not panic).
fn panics(f: &dyn Fn()) -> String {
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_err();
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// A tiny problem for the checks of the loop's settings.
fn tiny() -> (Params, tapegrad::nn::Sequential, Tensor, Tensor) {
    let mut params = Params::new();
    let model = mlp(&[1, 3, 1], Activation::Tanh).build(&mut params, &mut Rng::new(0));
    let x = Tensor::column(&[-1.0, 0.0, 1.0]);
    let y = x.map(|v| v * v);
    (params, model, x, y)
}

/// A schedule that passes `validate` but overflows (issue 31, C5) ends the run with an error
/// naming the schedule's step size and the step, instead of a panic inside `Sgd`: gamma 0 and
/// rate 10 give 0 until 10^k overflows at k = 309, where 0 * inf is NaN (the loss never moves
/// before, so nothing else diverges first).
#[test]
fn a_schedule_that_overflows_is_a_divergence_naming_it() {
    use tapegrad::optim::{NonFinite, Schedule};
    let (mut params, model, x, y) = tiny();
    let err = Trainer::new(&model, &x, &y)
        .schedule(Schedule::Exponential {
            gamma: 0.0,
            rate: 10.0,
        })
        .steps(1000)
        .run(&mut params, &mut Sgd::new(0.1))
        .unwrap_err();
    assert_eq!(err.what, NonFinite::StepSize, "{err}");
    assert_eq!(err.step, 310, "{err}");
    assert!(
        err.to_string()
            .contains("the step size the schedule gives is not finite"),
        "{err}"
    );
}

/// Stop rules and sizes that could never end or would exhaust memory are refused with the
/// setting named (issue 31, C4, C9, U10).
#[test]
fn settings_that_cannot_end_are_refused() {
    let (_, model, x, y) = tiny();
    let msg = panics(&|| {
        let _ = Trainer::new(&model, &x, &y).seconds(f64::NAN);
    });
    assert!(
        msg.contains("Trainer::seconds: need a positive, finite number of seconds, got NaN"),
        "{msg}"
    );
    let msg = panics(&|| {
        let _ = Trainer::new(&model, &x, &y).steps(0);
    });
    assert!(
        msg.contains("Trainer::steps: need at least 1 step, got 0"),
        "{msg}"
    );
    let msg = panics(&|| {
        let _ = Trainer::new(&model, &x, &y).batches(Batches::Sampled(1 << 40));
    });
    assert!(
        msg.contains("draws more than 16 times the 3 samples per step"),
        "{msg}"
    );
}

/// Data the loop cannot use is named where it is (issue 31, U1, S5, U8): a NaN in the inputs
/// (it was reported as a divergence, "try a smaller step size"); a class target that is not a
/// whole number from 0 (NaN and -1 trained as class 0, 1.7 as class 1); a test set of the
/// wrong width or another model's Params (they failed at the first observation, unnamed).
#[test]
fn data_the_loop_cannot_use_is_named() {
    let (params, model, x, y) = tiny();
    let mut bad = x.clone();
    bad[(1, 0)] = f64::NAN;
    let msg = panics(&|| {
        let _ = Trainer::new(&model, &bad, &y);
    });
    assert!(
        msg.contains("the inputs [3x1] hold NaN at row 1, column 0"),
        "{msg}"
    );
    // Two classes, a target of 1.7.
    let mut p2 = Params::new();
    let classifier = mlp(&[1, 3, 2], Activation::Tanh).build(&mut p2, &mut Rng::new(0));
    let labels = Tensor::column(&[0.0, 1.7, 1.0]);
    let msg = panics(&|| {
        let mut p = p2.clone();
        let _ = Trainer::new(&classifier, &x, &labels)
            .loss(Loss::CrossEntropy(Reduction::Mean))
            .steps(1)
            .run(&mut p, &mut Sgd::new(0.1));
    });
    assert!(
        msg.contains("the target of row 1 is 1.7, not a class index"),
        "{msg}"
    );
    let wide = Tensor::zeros(3, 2);
    let msg = panics(&|| {
        let _ = TestLoss::new(
            "held-out",
            &model,
            &params,
            (&wide, &y),
            Loss::Mse(Reduction::Mean),
            1,
        );
    });
    assert!(
        msg.contains(
            "TestLoss held-out: the model cannot be evaluated on the test set (inputs [3x2]"
        ),
        "{msg}"
    );
    let msg = panics(&|| {
        let _ = TestLoss::new(
            "held-out",
            &classifier,
            &Params::new(),
            (&x, &y),
            Loss::Mse(Reduction::Mean),
            1,
        );
    });
    assert!(msg.contains("another model's Params?"), "{msg}");
    // A test set that fits is accepted.
    let _ = TestLoss::new(
        "ok",
        &model,
        &params,
        (&x, &y),
        Loss::Mse(Reduction::Mean),
        1,
    );
}
