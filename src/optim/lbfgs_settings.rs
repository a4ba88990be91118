//! L-BFGS's settings: PyTorch's defaults, each validated where it is set, and the memory reset.

use super::Lbfgs;
#[cfg(doc)]
#[cfg(doc)]
use super::Stop;
use super::check_hyper;
use super::lbfgs::Memory;
use super::lbfgs_report::LineSearch;
use super::line_search::StrongWolfe;
use std::fmt;

impl Lbfgs {
    /// PyTorch's defaults (see the type's documentation).
    ///
    /// ```
    /// use tapegrad::optim::{Lbfgs, Stop};
    /// // f(θ) = (θ0 − 1)² + 10 (θ1 + 2)²: L-BFGS reaches the minimizer in a few iterations.
    /// let f = |t: &[f64]| {
    ///     let v = (t[0] - 1.0).powi(2) + 10.0 * (t[1] + 2.0).powi(2);
    ///     (v, vec![2.0 * (t[0] - 1.0), 20.0 * (t[1] + 2.0)])
    /// };
    /// let mut theta = [0.0, 0.0];
    /// let report = Lbfgs::new().minimize(&mut theta, f);    // PyTorch's defaults
    /// assert!((theta[0] - 1.0).abs() < 1e-6 && (theta[1] + 2.0).abs() < 1e-6);
    /// // PyTorch's tolerance_change = 1e-9 ends the run once g'd > -1e-9:
    /// assert_eq!(report.stop, Stop::DirectionalDerivative);
    /// ```
    pub fn new() -> Lbfgs {
        Lbfgs {
            lr: 1.0,
            max_iter: 20,
            max_eval: None,
            tolerance_grad: 1e-7,
            tolerance_change: 1e-9,
            history_size: 100,
            line_search: LineSearch::None,
            polish: false,
            memory: Memory::default(),
        }
    }

    /// The step size `lr` (default 1).
    ///
    /// # Panics
    /// If negative or not finite.
    ///
    /// ```
    /// use tapegrad::optim::Lbfgs;
    /// // The step of the first iteration is min(1, 1/||g||_1) · lr along −g.
    /// let mut theta = [1.0];
    /// Lbfgs::new().lr(0.5).max_iter(1).minimize(&mut theta, |t| (t[0] * t[0], vec![2.0 * t[0]]));
    /// assert_eq!(theta, [0.5]);                          // 1 − (0.5 · 1/2) · 2
    /// ```
    pub fn lr(mut self, lr: f64) -> Lbfgs {
        check_hyper("Lbfgs", "lr", lr, lr >= 0.0, "[0, inf)");
        self.lr = lr;
        self
    }

    /// Iterations per call (default 20).
    ///
    /// ```
    /// use tapegrad::optim::{Lbfgs, Stop};
    /// let mut theta = [3.0, -1.0];
    /// // max_eval defaults to max_iter · 5/4 (PyTorch), so raise it to see max_iter bind.
    /// let r = Lbfgs::new().max_iter(2).max_eval(10).minimize(&mut theta, |t| {
    ///     (t[0].powi(4) + t[1].powi(2), vec![4.0 * t[0].powi(3), 2.0 * t[1]])
    /// });
    /// assert_eq!((r.iterations, r.stop), (2, Stop::Steps));
    /// ```
    pub fn max_iter(mut self, n: usize) -> Lbfgs {
        self.max_iter = n;
        self
    }

    /// Evaluations per call (default `max_iter * 5 / 4`, rounded down).
    ///
    /// ```
    /// use tapegrad::optim::{Lbfgs, StrongWolfe};
    /// let mut theta = [3.0, -1.0];
    /// let r = Lbfgs::new().line_search(StrongWolfe::default()).max_eval(4).minimize(&mut theta, |t| {
    ///     (t[0].powi(4) + t[1].powi(2), vec![4.0 * t[0].powi(3), 2.0 * t[1]])
    /// });
    /// assert!(r.evaluations <= 4 + 1);
    /// ```
    pub fn max_eval(mut self, n: usize) -> Lbfgs {
        self.max_eval = Some(n);
        self
    }

    /// Stop when `max|∇f| <= tol` (default 1e-7).
    ///
    /// # Panics
    /// If negative or not finite.
    ///
    /// ```
    /// use tapegrad::optim::{Lbfgs, Stop};
    /// let mut theta = [1.0, 1.0];
    /// let r = Lbfgs::new().tolerance_grad(1e-3).max_iter(100).minimize(&mut theta, |t| {
    ///     (t[0] * t[0] + 4.0 * t[1] * t[1], vec![2.0 * t[0], 8.0 * t[1]])
    /// });
    /// assert_eq!(r.stop, Stop::GradientBelow);
    /// assert!(r.grad_inf <= 1e-3);
    /// ```
    pub fn tolerance_grad(mut self, tol: f64) -> Lbfgs {
        check_hyper("Lbfgs", "tolerance_grad", tol, tol >= 0.0, "[0, inf)");
        self.tolerance_grad = tol;
        self
    }

    /// Stop when the step, the loss change or the directional derivative is below `tol`
    /// (default 1e-9).
    ///
    /// # Panics
    /// If negative or not finite.
    ///
    /// ```
    /// use tapegrad::optim::Lbfgs;
    /// let mut theta = [1.0];
    /// let r = Lbfgs::new().tolerance_change(1e-3).max_iter(100).minimize(&mut theta, |t| {
    ///     (t[0].powi(4), vec![4.0 * t[0].powi(3)])
    /// });
    /// assert!(r.iterations < 100);                       // stopped on a small change, not max_iter
    /// ```
    pub fn tolerance_change(mut self, tol: f64) -> Lbfgs {
        check_hyper("Lbfgs", "tolerance_change", tol, tol >= 0.0, "[0, inf)");
        self.tolerance_change = tol;
        self
    }

    /// Curvature pairs kept (default 100).
    ///
    /// # Panics
    /// If 0.
    ///
    /// ```
    /// use tapegrad::optim::Lbfgs;
    /// let opt = Lbfgs::new().history_size(5);
    /// assert!(format!("{opt:?}").contains("history_size: 5"));
    /// ```
    pub fn history_size(mut self, m: usize) -> Lbfgs {
        assert!(m >= 1, "Lbfgs: history_size must be in [1, inf), got 0");
        self.history_size = m;
        self
    }

    /// The line search (default none: fixed steps).
    ///
    /// ```
    /// use tapegrad::optim::{Lbfgs, StrongWolfe};
    /// // Rosenbrock from (-1.2, 1): the strong Wolfe search keeps the steps safe.
    /// let rosen = |t: &[f64]| {
    ///     let (a, b) = (1.0 - t[0], t[1] - t[0] * t[0]);
    ///     (a * a + 100.0 * b * b, vec![-2.0 * a - 400.0 * t[0] * b, 200.0 * b])
    /// };
    /// let mut theta = [-1.2, 1.0];
    /// Lbfgs::new().line_search(StrongWolfe::default()).max_iter(200).minimize(&mut theta, rosen);
    /// assert!((theta[0] - 1.0).abs() < 1e-4 && (theta[1] - 1.0).abs() < 1e-4);
    /// ```
    pub fn line_search(mut self, ls: StrongWolfe) -> Lbfgs {
        self.line_search = LineSearch::StrongWolfe(ls);
        self
    }

    /// Polish (default false, as PyTorch): where the tests on changes in `f` would stop the
    /// run (line search without decrease, `max|t d|`, `|f − f_prev|` or `gᵀd` below
    /// `tolerance_change`) while `max|∇f| > tolerance_grad`, go on with the quasi-Newton step
    /// `t = lr`, kept only while it reduces `||∇f||`; stop with
    /// [`Stop::GradientStalled`] when it does not.
    ///
    /// Why: near a minimizer `f(θ* + δ) − f(θ*) ≈ δᵀHδ/2` drops below the rounding of `f`
    /// once `||δ||` is about `sqrt(eps |f| / λ_min(H))`, so any test that compares values of
    /// `f` cannot locate `θ*` more precisely than about `1e-8` relative. The gradient
    /// `∇f(θ* + δ) ≈ H δ` keeps resolving `δ` down to about `eps κ(H)`: on a least-squares
    /// problem, polishing takes L-BFGS from ~1e-8 to ~1e-13 of the closed-form solution.
    ///
    /// ```
    /// use tapegrad::optim::{Lbfgs, StrongWolfe};
    /// let f = |t: &[f64]| {
    ///     let v = (t[0] - 1.0).powi(2) + 100.0 * (t[1] - 1.0).powi(2);
    ///     (v, vec![2.0 * (t[0] - 1.0), 200.0 * (t[1] - 1.0)])
    /// };
    /// let mut theta = [0.0, 0.0];
    /// Lbfgs::new().line_search(StrongWolfe::default()).polish(true).max_iter(100)
    ///     .tolerance_grad(1e-14).minimize(&mut theta, f);
    /// assert!((theta[0] - 1.0).abs() < 1e-12 && (theta[1] - 1.0).abs() < 1e-12);
    /// ```
    pub fn polish(mut self, on: bool) -> Lbfgs {
        self.polish = on;
        self
    }

    /// Forgets the memory: the next call starts as the first.
    ///
    /// ```
    /// use tapegrad::optim::Lbfgs;
    /// let mut opt = Lbfgs::new().max_iter(3);
    /// let mut theta = [1.0, 2.0];
    /// opt.minimize(&mut theta, |t| (t[0] * t[0] + t[1] * t[1], vec![2.0 * t[0], 2.0 * t[1]]));
    /// opt.reset();
    /// assert!(format!("{opt:?}").contains("iterations: 0"));
    /// ```
    pub fn reset(&mut self) {
        self.memory = Memory::default();
    }
}

impl fmt::Debug for Lbfgs {
    /// The settings and the size of the memory (iterations so far, curvature pairs kept),
    /// not the stored vectors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lbfgs")
            .field("lr", &self.lr)
            .field("max_iter", &self.max_iter)
            .field("max_eval", &self.max_eval)
            .field("tolerance_grad", &self.tolerance_grad)
            .field("tolerance_change", &self.tolerance_change)
            .field("history_size", &self.history_size)
            .field("line_search", &self.line_search)
            .field("polish", &self.polish)
            .field("iterations", &self.memory.n_iter)
            .field("pairs", &self.memory.s.len())
            .finish()
    }
}
