//! Stochastic gradient descent with momentum, Nesterov momentum, dampening and weight decay:
//! PyTorch's `torch.optim.SGD`, rule for rule.
//!
//! With step size `γ`, momentum `μ`, dampening `τ`, weight decay `λ`, at step `k` (from 1):
//!
//! ```text
//! g  = ∇f(θ)                      (−∇f(θ) if maximize)
//! g  = g + λ θ                    (if λ ≠ 0: L2 weight decay)
//! b  = g                          (k = 1: the buffer starts as the first gradient, undamped)
//! b  = μ b + (1 − τ) g            (k > 1)
//! g  = g + μ b  if nesterov,  else  g = b        (if μ ≠ 0)
//! θ  = θ − γ g
//! ```
//!
//! With `μ = 0` this is plain gradient descent `θ ← θ − γ ∇f(θ)`.
//!
//! Note that PyTorch's momentum puts `γ` outside the buffer (`θ ← θ − γ b`); some textbooks
//! write `v ← μ v − γ g, θ ← θ + v`, which differs when `γ` changes between steps.

use super::{
    Diverged, Method, Optimizer, check_hyper, check_lengths, finite_or_diverged, non_finite_bits,
};
use std::fmt;

/// SGD with optional momentum, Nesterov, dampening, weight decay and maximize.
/// See the module documentation for the update.
#[derive(Clone)]
pub struct Sgd {
    lr: f64,
    momentum: f64,
    dampening: f64,
    nesterov: bool,
    weight_decay: f64,
    maximize: bool,
    /// The momentum buffer `b` (None before the first step or without momentum).
    buf: Option<Vec<f64>>,
    k: usize,
}

impl Sgd {
    /// Plain gradient descent with step size `lr` (`γ`); momentum, dampening, weight decay
    /// default to 0, nesterov and maximize to false (PyTorch's defaults).
    ///
    /// # Panics
    /// If `lr` is negative or not finite.
    ///
    /// ```
    /// use tapegrad::optim::{Optimizer, Sgd};
    /// // f(θ) = θ² / 2 has ∇f = θ: one step θ ← θ − γ θ.
    /// let mut theta = [2.0];
    /// let mut opt = Sgd::new(0.25);
    /// let grad = [theta[0]];
    /// opt.step(&mut theta, &grad).unwrap();
    /// assert_eq!(theta, [1.5]);
    /// ```
    pub fn new(lr: f64) -> Sgd {
        check_hyper("Sgd", "lr", lr, lr >= 0.0, "[0, inf)");
        Sgd {
            lr,
            momentum: 0.0,
            dampening: 0.0,
            nesterov: false,
            weight_decay: 0.0,
            maximize: false,
            buf: None,
            k: 0,
        }
    }

    /// Momentum `μ` (default 0).
    ///
    /// # Panics
    /// If `μ` is negative or not finite, or Nesterov is on and `μ = 0`.
    ///
    /// ```
    /// use tapegrad::optim::{Optimizer, Sgd};
    /// // b_1 = g_1, b_2 = μ b_1 + g_2: the second step is γ (μ g + g) for a constant gradient g.
    /// let mut theta = [0.0];
    /// let mut opt = Sgd::new(0.1).momentum(0.9);
    /// opt.step(&mut theta, &[1.0]).unwrap();
    /// opt.step(&mut theta, &[1.0]).unwrap();
    /// assert!((theta[0] - -(0.1 + 0.1 * 1.9)).abs() < 1e-15);
    /// ```
    pub fn momentum(mut self, mu: f64) -> Sgd {
        check_hyper("Sgd", "momentum", mu, mu >= 0.0, "[0, inf)");
        self.momentum = mu;
        self.check_nesterov();
        self
    }

    /// Dampening `τ` of the momentum buffer (default 0).
    ///
    /// # Panics
    /// If `τ` is not finite, or Nesterov is on and `τ ≠ 0`.
    ///
    /// ```
    /// use tapegrad::optim::{Optimizer, Sgd};
    /// // b_2 = μ b_1 + (1 − τ) g_2 (the first buffer is g_1, undamped, as in PyTorch).
    /// let mut theta = [0.0];
    /// let mut opt = Sgd::new(1.0).momentum(0.5).dampening(0.5);
    /// opt.step(&mut theta, &[1.0]).unwrap();
    /// opt.step(&mut theta, &[1.0]).unwrap();
    /// assert_eq!(theta, [-(1.0 + 0.5 * 1.0 + 0.5 * 1.0)]);
    /// ```
    pub fn dampening(mut self, tau: f64) -> Sgd {
        check_hyper("Sgd", "dampening", tau, true, "(-inf, inf)");
        self.dampening = tau;
        self.check_nesterov();
        self
    }

    /// Nesterov momentum (default false). Requires momentum > 0 and dampening = 0, so set
    /// momentum first: `Sgd::new(0.1).momentum(0.9).nesterov(true)`.
    ///
    /// # Panics
    /// If turned on without momentum or with dampening.
    ///
    /// ```
    /// use tapegrad::optim::{Optimizer, Sgd};
    /// // Nesterov steps along g + μ b: the first step is γ (1 + μ) g.
    /// let mut theta = [0.0];
    /// let mut opt = Sgd::new(0.1).momentum(0.9).nesterov(true);
    /// opt.step(&mut theta, &[1.0]).unwrap();
    /// assert!((theta[0] - -0.19).abs() < 1e-15);
    /// ```
    pub fn nesterov(mut self, on: bool) -> Sgd {
        self.nesterov = on;
        self.check_nesterov();
        self
    }

    /// L2 weight decay `λ`, added to the gradient as `λ θ` (default 0).
    ///
    /// # Panics
    /// If `λ` is negative or not finite.
    ///
    /// ```
    /// use tapegrad::optim::{Optimizer, Sgd};
    /// // g ← g + λ θ: with a zero loss gradient, θ shrinks by (1 − γ λ).
    /// let mut theta = [1.0];
    /// Sgd::new(0.1).weight_decay(0.5).step(&mut theta, &[0.0]).unwrap();
    /// assert_eq!(theta, [0.95]);
    /// ```
    pub fn weight_decay(mut self, lambda: f64) -> Sgd {
        check_hyper("Sgd", "weight_decay", lambda, lambda >= 0.0, "[0, inf)");
        self.weight_decay = lambda;
        self
    }

    /// Ascend instead of descend (default false).
    ///
    /// ```
    /// use tapegrad::optim::{Optimizer, Sgd};
    /// let mut theta = [0.0];
    /// Sgd::new(0.5).maximize(true).step(&mut theta, &[2.0]).unwrap();
    /// assert_eq!(theta, [1.0]);                          // θ ← θ + γ g
    /// ```
    pub fn maximize(mut self, on: bool) -> Sgd {
        self.maximize = on;
        self
    }

    fn check_nesterov(&self) {
        assert!(
            !self.nesterov || (self.momentum > 0.0 && self.dampening == 0.0),
            "Sgd: nesterov requires momentum > 0 and dampening = 0 (set momentum before \
             nesterov), got momentum {} and dampening {}",
            self.momentum,
            self.dampening
        );
    }
}

impl Optimizer for Sgd {
    #[inline] // so that a caller compiled for wider SIMD (`Replay::step`) compiles the loop too
    fn step(&mut self, theta: &mut [f64], grad: &[f64]) -> Result<(), Diverged> {
        self.k += 1;
        check_lengths("Sgd", theta, grad);
        let (mu, tau, lambda, lr) = (self.momentum, self.dampening, self.weight_decay, self.lr);
        let sign = if self.maximize { -1.0 } else { 1.0 };
        let first = self.buf.is_none();
        // The momentum buffer b (made at the first step; none without momentum).
        let b = match &mut self.buf {
            _ if mu == 0.0 => &mut [][..],
            Some(b) => &mut b[..],
            none => none.insert(vec![0.0; theta.len()]),
        };
        assert!(
            mu == 0.0 || b.len() == theta.len(),
            "Sgd::step: theta changed length"
        );
        let mut non_finite = 0; // a NaN or ±inf gradient makes θ so too
        for (i, (ti, &gi)) in theta.iter_mut().zip(grad).enumerate() {
            // g = ±∇f(θ) + λ θ
            let mut g = sign * gi;
            if lambda != 0.0 {
                g += lambda * *ti;
            }
            if mu != 0.0 {
                // b = g at k = 1, then b = μ b + (1 − τ) g
                b[i] = if first {
                    g
                } else {
                    b[i] * mu + (1.0 - tau) * g
                };
                // g = g + μ b (Nesterov) or g = b
                g = if self.nesterov { g + mu * b[i] } else { b[i] };
            }
            // θ = θ − γ g
            *ti += -lr * g;
            non_finite |= non_finite_bits(*ti);
        }
        finite_or_diverged(non_finite, (theta, grad, &[]), (self.k, lr, self.method()))
    }

    fn reset(&mut self) {
        self.buf = None;
        self.k = 0;
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) {
        check_hyper("Sgd", "lr", lr, lr >= 0.0, "[0, inf)");
        self.lr = lr;
    }

    fn steps(&self) -> usize {
        self.k
    }

    fn method(&self) -> Method {
        let weight_decay = self.weight_decay;
        match (self.momentum, self.nesterov) {
            (0.0, _) => Method::GradientDescent { weight_decay },
            (momentum, true) => Method::Nesterov {
                momentum,
                weight_decay,
            },
            (momentum, false) => Method::HeavyBall {
                momentum,
                dampening: self.dampening,
                weight_decay,
            },
        }
    }
}

impl fmt::Debug for Sgd {
    /// The hyperparameters and the size of the momentum buffer, not its values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sgd")
            .field("lr", &self.lr)
            .field("momentum", &self.momentum)
            .field("dampening", &self.dampening)
            .field("nesterov", &self.nesterov)
            .field("weight_decay", &self.weight_decay)
            .field("maximize", &self.maximize)
            .field("steps", &self.k)
            .field("buffer_len", &self.buf.as_ref().map_or(0, Vec::len))
            .finish()
    }
}
