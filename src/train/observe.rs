//! Observers: what a training run shows after each step, and the ready-made ones that record
//! it ([`History`]), average the iterates ([`Average`]), keep the best point ([`KeepBest`]),
//! evaluate a test loss ([`TestLoss`](super::TestLoss)) or print progress ([`Progress`]).

use crate::optim::IterateAverage;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

/// One step of a run as observers see it: the loss and gradient at `θ_k`, before the update
/// that makes `θ_{k+1}` (for L-BFGS, one evaluation of `f`).
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Step<'a> {
    /// `k`: updates made before this one (for L-BFGS, iterations completed).
    pub step: usize,
    /// Epochs completed (passes over the data).
    pub epoch: usize,
    /// Evaluations of the loss so far, this one included.
    pub evaluations: usize,
    /// The (minibatch) loss at `θ_k`.
    pub loss: f64,
    /// The gradient at `θ_k`, in the layout of `θ`.
    pub grad: &'a [f64],
    /// The step size about to be used.
    pub lr: f64,
    /// `θ_k`.
    pub theta: &'a [f64],
    /// Seconds since the run started.
    pub seconds: f64,
}

impl Step<'_> {
    /// `||∇f(θ_k)||₂` (computed on demand).
    pub fn grad_norm(&self) -> f64 {
        self.grad.iter().map(|g| g * g).sum::<f64>().sqrt()
    }
}

/// Whether the run goes on after an observer has seen a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// Stop the run here (before this step's update).
    Stop,
}

/// Sees every step of a run; may stop it.
pub trait Observer {
    /// Called once per step (per evaluation for L-BFGS).
    fn observe(&mut self, step: &Step<'_>) -> Flow;
    /// Called once when the run ends.
    fn finish(&mut self) {}
}

/// The record of a run: per step, the step index, evaluations, seconds, step size and loss;
/// optionally the gradient norm and snapshots of `θ` every `k` steps. Named, so plots give
/// each run its legend entry and colour.
///
/// ```
/// use tapegrad::train::History;
/// let h = History::new("GD");
/// assert_eq!((h.name.as_str(), h.len()), ("GD", 0));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// The run's name (legend entry).
    pub name: String,
    /// `k` per record.
    pub steps: Vec<usize>,
    /// Evaluations so far per record.
    pub evaluations: Vec<usize>,
    /// Seconds since the start per record.
    pub seconds: Vec<f64>,
    /// The step size per record.
    pub lrs: Vec<f64>,
    /// The loss per record.
    pub losses: Vec<f64>,
    /// `||∇f||` per record, if asked for ([`History::with_grad_norms`]).
    pub grad_norms: Option<Vec<f64>>,
    /// `(k, θ_k)` every `snapshot_every` steps, if asked for.
    pub snapshots: Vec<(usize, Vec<f64>)>,
    snapshot_every: usize,
}

impl History {
    /// An empty history called `name`.
    pub fn new(name: &str) -> History {
        History {
            name: name.to_string(),
            ..History::default()
        }
    }

    /// Also record the gradient norm at every step (an `O(dim θ)` pass per step).
    pub fn with_grad_norms(mut self) -> History {
        self.grad_norms = Some(Vec::new());
        self
    }

    /// Also keep a copy of `θ_k` every `k` steps.
    ///
    /// # Panics
    /// If `every` is 0.
    pub fn with_snapshots(mut self, every: usize) -> History {
        assert!(every > 0, "History::with_snapshots: need every >= 1");
        self.snapshot_every = every;
        self
    }

    /// Records made.
    pub fn len(&self) -> usize {
        self.losses.len()
    }

    /// True if nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.losses.is_empty()
    }

    /// The last loss recorded (NaN if none).
    pub fn last_loss(&self) -> f64 {
        self.losses.last().copied().unwrap_or(f64::NAN)
    }

    /// The history as CSV: `step,evaluations,seconds,lr,loss[,grad_norm]`, one line a record.
    ///
    /// ```
    /// use tapegrad::train::History;
    /// let mut h = History::new("run");
    /// h.steps = vec![0, 1];
    /// h.evaluations = vec![1, 2];
    /// h.seconds = vec![0.0, 0.5];
    /// h.lrs = vec![0.1, 0.1];
    /// h.losses = vec![2.0, 1.0];
    /// assert_eq!(h.to_csv(), "step,evaluations,seconds,lr,loss\n0,1,0.0,0.1,2.0\n1,2,0.5,0.1,1.0\n");
    /// ```
    pub fn to_csv(&self) -> String {
        let mut s = String::from("step,evaluations,seconds,lr,loss");
        if self.grad_norms.is_some() {
            s.push_str(",grad_norm");
        }
        s.push('\n');
        for i in 0..self.len() {
            let _ = write!(
                s,
                "{},{},{:?},{:?},{:?}",
                self.steps[i], self.evaluations[i], self.seconds[i], self.lrs[i], self.losses[i]
            );
            if let Some(g) = &self.grad_norms {
                let _ = write!(s, ",{:?}", g[i]);
            }
            s.push('\n');
        }
        s
    }

    /// The history as one JSON object of arrays (`name`, `steps`, `evaluations`, `seconds`,
    /// `lrs`, `losses`, and `grad_norms` if recorded). Non-finite numbers are written `null`.
    ///
    /// ```
    /// use tapegrad::train::History;
    /// let mut h = History::new("GD");
    /// h.steps = vec![0];
    /// h.evaluations = vec![1];
    /// h.seconds = vec![0.0];
    /// h.lrs = vec![0.1];
    /// h.losses = vec![f64::NAN];
    /// assert_eq!(h.to_json(), r#"{"name":"GD","steps":[0],"evaluations":[1],"seconds":[0.0],"lrs":[0.1],"losses":[null]}"#);
    /// ```
    pub fn to_json(&self) -> String {
        let floats = |v: &[f64]| {
            let items: Vec<String> = v
                .iter()
                .map(|x| {
                    if x.is_finite() {
                        format!("{x:?}")
                    } else {
                        "null".into()
                    }
                })
                .collect();
            format!("[{}]", items.join(","))
        };
        let ints = |v: &[usize]| {
            let items: Vec<String> = v.iter().map(usize::to_string).collect();
            format!("[{}]", items.join(","))
        };
        let mut s = format!(
            "{{\"name\":{},\"steps\":{},\"evaluations\":{},\"seconds\":{},\"lrs\":{},\"losses\":{}",
            crate::io::json::quote(&self.name),
            ints(&self.steps),
            ints(&self.evaluations),
            floats(&self.seconds),
            floats(&self.lrs),
            floats(&self.losses)
        );
        if let Some(g) = &self.grad_norms {
            let _ = write!(s, ",\"grad_norms\":{}", floats(g));
        }
        s.push('}');
        s
    }
}

impl Observer for History {
    fn observe(&mut self, s: &Step<'_>) -> Flow {
        self.steps.push(s.step);
        self.evaluations.push(s.evaluations);
        self.seconds.push(s.seconds);
        self.lrs.push(s.lr);
        self.losses.push(s.loss);
        if let Some(g) = &mut self.grad_norms {
            g.push(s.grad_norm());
        }
        if self.snapshot_every > 0 && s.step % self.snapshot_every == 0 {
            self.snapshots.push((s.step, s.theta.to_vec()));
        }
        Flow::Continue
    }
}

/// The running mean of the iterates `θ_k` from step `start` on (the course's iterate
/// averaging): `mean()` is `(1/m) Σ θ_k` over the `m` steps seen.
#[derive(Clone, Debug, Default)]
pub struct Average {
    start: usize,
    avg: IterateAverage,
}

impl Average {
    /// Averages the iterates of steps `start, start + 1, ...`.
    pub fn from_step(start: usize) -> Average {
        Average {
            start,
            avg: IterateAverage::new(),
        }
    }

    /// The mean so far (empty before the first averaged step).
    pub fn mean(&self) -> &[f64] {
        self.avg.mean()
    }

    /// How many iterates were averaged.
    pub fn count(&self) -> usize {
        self.avg.count()
    }
}

impl Observer for Average {
    fn observe(&mut self, s: &Step<'_>) -> Flow {
        if s.step >= self.start {
            self.avg.update(s.theta);
        }
        Flow::Continue
    }
}

/// The point with the lowest loss seen, and that loss.
#[derive(Clone, Debug, Default)]
pub struct KeepBest {
    best: Option<(f64, usize, Vec<f64>)>,
}

impl KeepBest {
    /// Nothing seen yet.
    pub fn new() -> KeepBest {
        KeepBest::default()
    }

    /// `(loss, step, θ)` of the best point seen.
    pub fn best(&self) -> Option<(f64, usize, &[f64])> {
        self.best.as_ref().map(|(l, k, t)| (*l, *k, t.as_slice()))
    }
}

impl Observer for KeepBest {
    fn observe(&mut self, s: &Step<'_>) -> Flow {
        let better = self.best.as_ref().is_none_or(|(l, _, _)| s.loss < *l);
        if better && s.loss.is_finite() {
            self.best = Some((s.loss, s.step, s.theta.to_vec()));
        }
        Flow::Continue
    }
}

/// A progress line on stderr (`step k / n, loss, elapsed`), redrawn at most 5 times a second,
/// for runs longer than a second, and only when stderr is a terminal.
#[derive(Debug)]
pub struct Progress {
    total: Option<usize>,
    last: f64,
    drawn: bool,
    enabled: bool,
}

impl Progress {
    /// A progress line for a run of `total` steps, if known.
    pub fn new(total: Option<usize>) -> Progress {
        Progress {
            total,
            last: 0.0,
            drawn: false,
            enabled: std::io::stderr().is_terminal(),
        }
    }

    /// No output at all (for `--quiet`).
    pub fn quiet() -> Progress {
        Progress {
            enabled: false,
            ..Progress::new(None)
        }
    }
}

impl Observer for Progress {
    fn observe(&mut self, s: &Step<'_>) -> Flow {
        if self.enabled && s.seconds > 1.0 && s.seconds - self.last >= 0.2 {
            self.last = s.seconds;
            self.drawn = true;
            let of = self.total.map(|t| format!(" / {t}")).unwrap_or_default();
            let _ = write!(
                std::io::stderr(),
                "\rstep {}{of}  loss {:.4e}  {:.1} s   ",
                s.step,
                s.loss,
                s.seconds
            );
        }
        Flow::Continue
    }

    fn finish(&mut self) {
        if self.drawn {
            let _ = writeln!(std::io::stderr());
        }
    }
}
