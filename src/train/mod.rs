//! The training loop, in the course's notation: at step `k`, on a batch `B_k`,
//!
//! ```text
//! f_k = L(m(X_B; θ_k), Y_B),   g_k = ∇f_k(θ_k),   (observers see k, f_k, g_k, γ_k, θ_k),   θ_{k+1} = update(θ_k, g_k; γ_k)
//! ```
//!
//! with the batches of [`Batches`] (full batch; consecutive, shuffled or sampled minibatches;
//! one sample at a time), a step-size [`Schedule`], stop rules (steps, epochs, a loss or
//! gradient-norm tolerance, wall time) and [`Observer`]s. [`Trainer::run`] takes any
//! first-order [`Optimizer`]; [`Trainer::run_lbfgs`] runs L-BFGS on the full batch, observers
//! seeing every evaluation with the iteration it belongs to.
//!
//! ```
//! use tapegrad::nn::{Activation, Init, Params, Reduction, mlp};
//! use tapegrad::optim::Sgd;
//! use tapegrad::train::{History, Loss, Trainer};
//! use tapegrad::{Rng, Tensor};
//! let x = Tensor::column(&[-1.0, -0.5, 0.0, 0.5, 1.0]);
//! let y = x.map(|v| v * v);
//! let mut params = Params::new();
//! let model = mlp(&[1, 16, 1], Activation::Tanh).build(&mut params, &mut Rng::new(1));
//! let mut history = History::new("SGD + momentum");
//! let report = Trainer::new(&model, &x, &y)
//!     .loss(Loss::Mse(Reduction::Mean))
//!     .steps(500)
//!     .observe(&mut history)
//!     .run(&mut params, &mut Sgd::new(0.1).momentum(0.9))
//!     .unwrap();
//! assert_eq!((report.steps, history.len()), (500, 500));
//! assert!(history.last_loss() < history.losses[0] / 20.0);
//! ```

mod batch;
mod evaluate;
mod landscape;
mod lbfgs;
mod loss;
mod observe;
mod report;
mod test_loss;

use batch::Batch;
pub use batch::Batches;
use evaluate::{Evaluator, Problem};
pub use landscape::Landscape;
pub use loss::Loss;
pub(crate) use loss::loss_at;
pub use observe::{Average, Flow, History, KeepBest, Observer, Progress, Step};
pub use report::Report;
pub use test_loss::TestLoss;

use crate::nn::{Module, Params, Reduction};
use crate::optim::{Diverged, NonFinite, Optimizer, Schedule, Stop};
use crate::rng::Rng;
use crate::tensor::{Tensor, fmt_shape};
use std::rc::Rc;
use std::time::Instant;

/// A training run's settings: model, data, loss, batches, schedule, stop rules, observers.
pub struct Trainer<'a> {
    model: &'a dyn Module,
    x: Rc<Tensor>,
    y: Rc<Tensor>,
    loss: Loss,
    batches: Batches,
    schedule: Option<Schedule>,
    seed: u64,
    max_steps: Option<usize>,
    max_epochs: Option<usize>,
    loss_below: Option<f64>,
    grad_norm_below: Option<f64>,
    max_seconds: Option<f64>,
    observers: Vec<&'a mut dyn Observer>,
    /// The batches of `Full` and `Sequential`, cut on first use.
    fixed: Option<Rc<[Batch]>>,
    /// Replay one recording per batch size instead of recording every step.
    replay: bool,
}

impl<'a> Trainer<'a> {
    /// Trains `model` on inputs `x` (`N x d`) and targets `y` (`N x k`): by default the mean
    /// squared error, full batch, seed 0, no stop rule (set at least one).
    ///
    /// # Panics
    /// If `x` and `y` have different numbers of rows, or no rows: the mean loss of an empty
    /// batch is `0/0 = NaN`, which would train on nothing without an error. If an entry of
    /// `x` or `y` is NaN or infinite (the message names its row and column).
    pub fn new(model: &'a dyn Module, x: &Tensor, y: &Tensor) -> Trainer<'a> {
        assert!(
            x.rows() == y.rows(),
            "Trainer: inputs {} and targets {} have different numbers of rows",
            fmt_shape(x.shape()),
            fmt_shape(y.shape())
        );
        assert!(
            x.rows() > 0,
            "Trainer: no data (inputs {}): every batch would be empty",
            fmt_shape(x.shape())
        );
        // A NaN or infinite entry in the data makes every loss NaN, which a run would report
        // as a divergence ("try a smaller step size"): name the entry instead.
        for (what, t) in [("inputs", x), ("targets", y)] {
            if let Some(k) = t.as_slice().iter().position(|v| !v.is_finite()) {
                panic!(
                    "Trainer: the {what} {} hold {} at row {}, column {}: the data must be finite",
                    fmt_shape(t.shape()),
                    t.as_slice()[k],
                    k / t.cols(),
                    k % t.cols()
                );
            }
        }
        Trainer {
            model,
            x: Rc::new(x.clone()),
            y: Rc::new(y.clone()),
            loss: Loss::Mse(Reduction::Mean),
            batches: Batches::Full,
            schedule: None,
            seed: 0,
            max_steps: None,
            max_epochs: None,
            loss_below: None,
            grad_norm_below: None,
            max_seconds: None,
            observers: Vec::new(),
            fixed: None,
            replay: false,
        }
    }

    /// The loss (default: mean squared error, mean reduction).
    pub fn loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }

    /// The batches (default: full batch).
    ///
    /// # Panics
    /// If a batch size is 0, or a sampled batch holds more than 16 times the samples there
    /// are (draws with replacement: `Sampled(1 << 40)` would allocate terabytes).
    pub fn batches(mut self, batches: Batches) -> Self {
        if let Batches::Sequential(b) | Batches::Shuffled(b) | Batches::Sampled(b) = batches {
            assert!(
                b > 0,
                "Trainer::batches: {batches:?}: batch size must be >= 1"
            );
        }
        if let Batches::Sampled(b) = batches {
            let n = self.x.rows();
            assert!(
                b <= n.saturating_mul(16).max(16),
                "Trainer::batches: {batches:?} draws more than 16 times the {n} samples per step"
            );
        }
        self.batches = batches;
        self
    }

    /// The step size `γ_k = schedule.at(k)`, set on the optimizer before each step.
    ///
    /// # Panics
    /// If the schedule's settings are invalid ([`Schedule::validate`]).
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        if let Err(e) = schedule.validate() {
            panic!("Trainer::schedule: {e}");
        }
        self.schedule = Some(schedule);
        self
    }

    /// The seed of shuffling and sampling (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Stop after `n` updates.
    ///
    /// # Panics
    /// If `n` is 0 (a run of no step has no loss to report).
    pub fn steps(mut self, n: usize) -> Self {
        assert!(n >= 1, "Trainer::steps: need at least 1 step, got 0");
        self.max_steps = Some(n);
        self
    }

    /// Stop after `n` epochs.
    ///
    /// # Panics
    /// If `n` is 0.
    pub fn epochs(mut self, n: usize) -> Self {
        assert!(n >= 1, "Trainer::epochs: need at least 1 epoch, got 0");
        self.max_epochs = Some(n);
        self
    }

    /// Stop (before updating) once the loss is below `tol`.
    ///
    /// # Panics
    /// If `tol` is NaN.
    pub fn loss_below(mut self, tol: f64) -> Self {
        assert!(!tol.is_nan(), "Trainer::loss_below: the tolerance is NaN");
        self.loss_below = Some(tol);
        self
    }

    /// Stop (before updating) once `||∇f||` is below `tol`.
    ///
    /// # Panics
    /// If `tol` is NaN.
    pub fn grad_norm_below(mut self, tol: f64) -> Self {
        assert!(
            !tol.is_nan(),
            "Trainer::grad_norm_below: the tolerance is NaN"
        );
        self.grad_norm_below = Some(tol);
        self
    }

    /// Stop after `seconds` of wall time.
    ///
    /// # Panics
    /// Unless `seconds` is positive and finite (a NaN budget never ends the run).
    pub fn seconds(mut self, seconds: f64) -> Self {
        assert!(
            seconds > 0.0 && seconds.is_finite(),
            "Trainer::seconds: need a positive, finite number of seconds, got {seconds}"
        );
        self.max_seconds = Some(seconds);
        self
    }

    /// Runs each step as a [`Replay`](crate::replay::Replay) of one recording per batch size
    /// (the model and the loss recorded at the first batch of each size, then run again for
    /// each step's parameters and batch) instead of recording every step: the same losses
    /// and, to rounding, the same gradients, in about half the time of a small model's step.
    ///
    /// The recording is a trace: the model's graph must be the same for every batch of a size
    /// (true of every module of [`crate::nn`]). A custom [`Module`] or [`Loss::Custom`] that
    /// reads values while it records (to branch on them, or to make a mask or a constant of
    /// them) is noticed ([`Replay::reads_values`](crate::replay::Replay::reads_values)) and
    /// such a run records every step instead of replaying. A
    /// [`Loss::CrossEntropy`] run records every step anyway: its one-hot targets are made
    /// from the numbers of each batch.
    ///
    /// ```
    /// use tapegrad::nn::{Activation, Init, Params, mlp};
    /// use tapegrad::optim::Adam;
    /// use tapegrad::train::{Batches, Trainer};
    /// use tapegrad::{Rng, Tensor};
    /// let mut rng = Rng::new(2);
    /// let (x, y) = (Tensor::rand_normal(100, 3, 0.0, 1.0, &mut rng), Tensor::rand_normal(100, 1, 0.0, 1.0, &mut rng));
    /// let mut params = Params::new();
    /// let model = mlp(&[3, 5, 1], Activation::Relu).build(&mut params, &mut Rng::new(0));
    /// let run = |replay: bool, params: &mut Params| {
    ///     Trainer::new(&model, &x, &y).batches(Batches::Sequential(32)).steps(40).replay(replay)
    ///         .run(params, &mut Adam::new(1e-2)).unwrap()
    /// };
    /// let (mut a, mut b) = (params.clone(), params.clone());
    /// let (recorded, replayed) = (run(false, &mut a), run(true, &mut b));
    /// assert!((recorded.last_loss - replayed.last_loss).abs() <= 1e-12 * recorded.last_loss);
    /// assert!(a.as_slice().iter().zip(b.as_slice()).all(|(p, q)| (p - q).abs() <= 1e-12));
    /// ```
    pub fn replay(mut self, on: bool) -> Self {
        self.replay = on;
        self
    }

    /// Adds an observer; each sees every step, in the order added.
    pub fn observe(mut self, observer: &'a mut dyn Observer) -> Self {
        self.observers.push(observer);
        self
    }

    /// Trains `params` with a first-order `opt` until a stop rule or an observer ends the run.
    ///
    /// # Errors
    /// [`Diverged`] when the loss, the gradient or the parameters become non-finite, quoting
    /// the method's stable step-size bound.
    ///
    /// # Panics
    /// If no stop rule is set (the run would never end).
    pub fn run(mut self, params: &mut Params, opt: &mut dyn Optimizer) -> Result<Report, Diverged> {
        assert!(
            self.max_steps.is_some() || self.max_epochs.is_some() || self.max_seconds.is_some(),
            "Trainer::run: set steps, epochs or seconds, or the run never ends"
        );
        let start = Instant::now();
        let mut rng = Rng::new(self.seed);
        let mut evaluator = Evaluator::new(self.replay, self.loss);
        let mut grad = vec![0.0; params.len()];
        let (mut step, mut epoch, mut last_loss) = (0, 0, f64::NAN);
        let stopped = 'run: loop {
            if self.max_epochs.is_some_and(|m| epoch >= m) {
                break Stop::Epochs;
            }
            let plan = batch::plan(self.batches, (&self.x, &self.y), &mut self.fixed, &mut rng);
            for batch in plan.iter() {
                if self.max_steps.is_some_and(|m| step >= m) {
                    break 'run Stop::Steps;
                }
                if self
                    .max_seconds
                    .is_some_and(|s| start.elapsed().as_secs_f64() >= s)
                {
                    break 'run Stop::Time;
                }
                if let Some(s) = &self.schedule {
                    let lr = s.at(step);
                    if !lr.is_finite() {
                        self.finish();
                        return Err(Diverged {
                            step: step + 1,
                            what: NonFinite::StepSize,
                            lr,
                            method: opt.method(),
                        });
                    }
                    opt.set_lr(lr);
                }
                let loss = evaluator.evaluate(&self.problem(), params, batch, &mut grad);
                last_loss = loss;
                if !loss.is_finite() {
                    self.finish();
                    return Err(Diverged {
                        step: step + 1,
                        what: NonFinite::Loss,
                        lr: opt.lr(),
                        method: opt.method(),
                    });
                }
                let info = Step {
                    step,
                    epoch,
                    evaluations: step + 1,
                    loss,
                    grad: &grad,
                    lr: opt.lr(),
                    theta: params.as_slice(),
                    seconds: start.elapsed().as_secs_f64(),
                };
                if self.notify(&info) == Flow::Stop {
                    break 'run Stop::Observer;
                }
                if self.loss_below.is_some_and(|t| loss < t) {
                    break 'run Stop::LossBelow;
                }
                if self.grad_norm_below.is_some_and(|t| info.grad_norm() < t) {
                    break 'run Stop::GradientBelow;
                }
                if let Err(e) = opt.step(params.as_mut_slice(), &grad) {
                    self.finish();
                    return Err(e);
                }
                step += 1;
            }
            epoch += 1;
        };
        self.finish();
        Ok(Report {
            steps: step,
            epochs: epoch,
            evaluations: step
                + usize::from(!matches!(stopped, Stop::Steps | Stop::Epochs | Stop::Time)),
            last_loss,
            stop: stopped,
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// What the loss is evaluated with.
    fn problem(&self) -> Problem<'_> {
        Problem {
            model: self.model,
            loss: self.loss,
            x: &self.x,
            y: &self.y,
        }
    }

    fn notify(&mut self, info: &Step<'_>) -> Flow {
        let mut flow = Flow::Continue;
        for o in &mut self.observers {
            if o.observe(info) == Flow::Stop {
                flow = Flow::Stop;
            }
        }
        flow
    }

    fn finish(&mut self) {
        for o in &mut self.observers {
            o.finish();
        }
    }
}
