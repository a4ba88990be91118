//! Adam, AMSGrad and AdamW: PyTorch's `torch.optim.Adam` / `AdamW`, rule for rule.
//!
//! With step size `γ`, betas `β1, β2`, `ε`, weight decay `λ`, at step `k` (from 1):
//!
//! ```text
//! g  = ∇f(θ)                          (−∇f(θ) if maximize)
//! θ  = θ (1 − γ λ)                    (AdamW: decoupled weight decay)
//! g  = g + λ θ                        (Adam: L2 weight decay, if λ ≠ 0)
//! m  = m + (1 − β1)(g − m)            (= β1 m + (1 − β1) g, as torch's lerp)
//! v  = β2 v + (1 − β2) g ⊙ g
//! v̂  = max(v̂, v)                      (AMSGrad; then v̂ replaces v below)
//! θ  = θ − (γ / (1 − β1^k)) · m ⊘ (sqrt(v) / sqrt(1 − β2^k) + ε)
//! ```
//!
//! `ε` is added after the bias correction of `v`, as in PyTorch (not to `sqrt(v)` before it,
//! as the paper's Algorithm 1 writes it: the two differ by the factor `sqrt(1 − β2^k)` on `ε`).

use super::{
    Diverged, Method, Optimizer, check_hyper, check_lengths, finite_or_diverged, non_finite_bits,
};
use std::fmt;

/// Adam with optional AMSGrad, L2 weight decay or AdamW's decoupled decay, and maximize.
/// See the module documentation for the update.
#[derive(Clone)]
pub struct Adam {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
    amsgrad: bool,
    maximize: bool,
    m: Vec<f64>,
    v: Vec<f64>,
    v_max: Vec<f64>,
    k: usize,
}

impl Adam {
    /// Adam with step size `lr` and PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no
    /// weight decay, no AMSGrad.
    ///
    /// # Panics
    /// If `lr` is negative or not finite.
    ///
    /// ```
    /// use tapegrad::optim::{Adam, Optimizer};
    /// // The first bias-corrected step is γ g / (|g| + ε): about γ along −sign(g).
    /// let mut theta = [1.0];
    /// let mut opt = Adam::new(0.1);
    /// let grad = [2.0 * theta[0]];                        // ∇(θ²) = 2θ
    /// opt.step(&mut theta, &grad).unwrap();
    /// assert!((theta[0] - 0.9).abs() < 1e-8);
    /// ```
    pub fn new(lr: f64) -> Adam {
        check_hyper("Adam", "lr", lr, lr >= 0.0, "[0, inf)");
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
            amsgrad: false,
            maximize: false,
            m: Vec::new(),
            v: Vec::new(),
            v_max: Vec::new(),
            k: 0,
        }
    }

    /// AdamW (Loshchilov & Hutter): Adam with decoupled weight decay
    /// `θ ← θ (1 − γ λ)` before the Adam step, with PyTorch's default `λ = 0.01`.
    ///
    /// # Panics
    /// If `lr` is negative or not finite.
    ///
    /// ```
    /// use tapegrad::optim::{Adam, Optimizer};
    /// // Decoupled decay: θ ← θ (1 − γ λ) first, then the Adam step.
    /// let mut theta = [1.0];
    /// Adam::adamw(0.1).weight_decay(0.5).step(&mut theta, &[1.0]).unwrap();
    /// assert!((theta[0] - (1.0 * (1.0 - 0.05) - 0.1)).abs() < 1e-8);
    /// ```
    #[doc(alias = "AdamW")]
    pub fn adamw(lr: f64) -> Adam {
        let mut a = Adam::new(lr);
        a.decoupled = true;
        a.weight_decay = 0.01;
        a
    }

    /// The betas `(β1, β2)`, each in `[0, 1)`.
    ///
    /// # Panics
    /// If either is outside `[0, 1)`: `Adam: beta1 must be in [0, 1), got 1.2`.
    ///
    /// ```
    /// use tapegrad::optim::Adam;
    /// let opt = Adam::new(1e-3).betas(0.8, 0.99);
    /// assert!(format!("{opt:?}").contains("betas: (0.8, 0.99)"));
    /// let bad = std::panic::catch_unwind(|| Adam::new(1e-3).betas(1.2, 0.99));
    /// assert!(bad.is_err());                             // "Adam: beta1 must be in [0, 1), got 1.2"
    /// ```
    pub fn betas(mut self, beta1: f64, beta2: f64) -> Adam {
        check_hyper(
            "Adam",
            "beta1",
            beta1,
            (0.0..1.0).contains(&beta1),
            "[0, 1)",
        );
        check_hyper(
            "Adam",
            "beta2",
            beta2,
            (0.0..1.0).contains(&beta2),
            "[0, 1)",
        );
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// `ε`, added to the denominator (default 1e-8).
    ///
    /// # Panics
    /// If `ε` is negative or not finite.
    ///
    /// ```
    /// use tapegrad::optim::{Adam, Optimizer};
    /// // With a large ε the first step is γ g / (|g| + ε), visibly smaller than γ.
    /// let mut theta = [0.0];
    /// Adam::new(0.1).eps(1.0).step(&mut theta, &[1.0]).unwrap();
    /// assert!((theta[0] - -0.05).abs() < 1e-12);
    /// ```
    pub fn eps(mut self, eps: f64) -> Adam {
        check_hyper("Adam", "eps", eps, eps >= 0.0, "[0, inf)");
        self.eps = eps;
        self
    }

    /// Weight decay `λ`: L2 (added to the gradient) for Adam, decoupled for AdamW.
    ///
    /// # Panics
    /// If `λ` is negative or not finite.
    ///
    /// ```
    /// use tapegrad::optim::{Adam, Optimizer};
    /// // L2 decay: g ← g + λ θ, so a zero loss gradient still moves θ toward 0.
    /// let mut theta = [1.0];
    /// Adam::new(0.1).weight_decay(0.1).step(&mut theta, &[0.0]).unwrap();
    /// assert!(theta[0] < 1.0);
    /// ```
    pub fn weight_decay(mut self, lambda: f64) -> Adam {
        check_hyper("Adam", "weight_decay", lambda, lambda >= 0.0, "[0, inf)");
        self.weight_decay = lambda;
        self
    }

    /// AMSGrad: divide by the running maximum of `v` (default false).
    ///
    /// ```
    /// use tapegrad::optim::{Adam, Optimizer};
    /// let mut theta = [1.0, 1.0];
    /// let mut opt = Adam::new(0.01).amsgrad(true);
    /// for _ in 0..10 {
    ///     let g = [2.0 * theta[0], 2.0 * theta[1]];
    ///     opt.step(&mut theta, &g).unwrap();
    /// }
    /// assert!(theta[0] < 1.0 && theta[1] < 1.0);
    /// ```
    pub fn amsgrad(mut self, on: bool) -> Adam {
        self.amsgrad = on;
        self
    }

    /// Ascend instead of descend (default false).
    ///
    /// ```
    /// use tapegrad::optim::{Adam, Optimizer};
    /// let mut theta = [0.0];
    /// Adam::new(0.1).maximize(true).step(&mut theta, &[1.0]).unwrap();
    /// assert!((theta[0] - 0.1).abs() < 1e-8);
    /// ```
    pub fn maximize(mut self, on: bool) -> Adam {
        self.maximize = on;
        self
    }
}

impl Optimizer for Adam {
    #[inline] // so that a caller compiled for wider SIMD (`Replay::step`) compiles the loop too
    fn step(&mut self, theta: &mut [f64], grad: &[f64]) -> Result<(), Diverged> {
        self.k += 1;
        check_lengths("Adam", theta, grad);
        if self.m.is_empty() {
            self.m = vec![0.0; theta.len()];
            self.v = vec![0.0; theta.len()];
            self.v_max = if self.amsgrad {
                vec![0.0; theta.len()]
            } else {
                Vec::new()
            };
        }
        assert!(
            self.m.len() == theta.len(),
            "Adam::step: theta changed length"
        );
        let (lr, b1, b2, eps, lambda) =
            (self.lr, self.beta1, self.beta2, self.eps, self.weight_decay);
        let k = self.k as f64;
        let bias_correction1 = 1.0 - b1.powf(k);
        let bias_correction2_sqrt = (1.0 - b2.powf(k)).powf(0.5);
        let step_size = lr / bias_correction1;
        let sign = if self.maximize { -1.0 } else { 1.0 };
        let (amsgrad, decoupled, v_max) = (self.amsgrad, self.decoupled, &mut self.v_max);

        // One pass over zipped slices (no bounds checks, the loop-invariant choices hoisted by
        // the compiler), so it vectorizes; each entry's arithmetic is the formulas' own.
        let moments = self.m.iter_mut().zip(self.v.iter_mut());
        for (i, ((theta_i, &grad_i), (m, v))) in theta.iter_mut().zip(grad).zip(moments).enumerate()
        {
            let mut g = sign * grad_i;
            if lambda != 0.0 {
                if decoupled {
                    *theta_i *= 1.0 - lr * lambda; // θ = θ (1 − γ λ)
                } else {
                    g += lambda * *theta_i; // g = g + λ θ
                }
            }
            *m = lerp(*m, g, 1.0 - b1); // m = m + (1 − β1)(g − m)
            *v = *v * b2 + (1.0 - b2) * g * g; // v = β2 v + (1 − β2) g²
            let v_hat = if amsgrad {
                v_max[i] = v_max[i].max(*v); // v̂ = max(v̂, v)
                v_max[i]
            } else {
                *v
            };
            let denom = v_hat.sqrt() / bias_correction2_sqrt + eps;
            *theta_i += -step_size * (*m / denom); // θ = θ − γ/(1 − β1^k) · m / denom
        }
        // A NaN or ±inf gradient makes m so too; g² can overflow where g did not
        // (|g| > 1.3e154): v = inf, which freezes θ_i for good. One pass checks all three
        // (in the update's loop, the check kept LLVM from vectorizing it: 3.3x its instructions).
        let entries = self.m.iter().zip(&self.v).zip(theta.iter());
        let non_finite = entries.fold(0, |seen, ((m, v), t)| {
            seen | non_finite_bits(*m) | non_finite_bits(*v) | non_finite_bits(*t)
        });
        let state: [&[f64]; 2] = [&self.m, &self.v];
        finite_or_diverged(
            non_finite,
            (theta, grad, &state),
            (self.k, lr, Method::Adam),
        )
    }

    fn reset(&mut self) {
        self.m.clear();
        self.v.clear();
        self.v_max.clear();
        self.k = 0;
    }

    fn lr(&self) -> f64 {
        self.lr
    }

    fn set_lr(&mut self, lr: f64) {
        check_hyper("Adam", "lr", lr, lr >= 0.0, "[0, inf)");
        self.lr = lr;
    }

    fn steps(&self) -> usize {
        self.k
    }

    fn method(&self) -> Method {
        Method::Adam
    }
}

/// `a + w (b − a)`, evaluated as PyTorch's `lerp` does: from the nearer end, so that
/// `w = 1` gives exactly `b`.
fn lerp(a: f64, b: f64, w: f64) -> f64 {
    if w.abs() < 0.5 {
        a + w * (b - a)
    } else {
        b - (b - a) * (1.0 - w)
    }
}

impl fmt::Debug for Adam {
    /// The hyperparameters and the size of the state, not the moments themselves.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Adam")
            .field("lr", &self.lr)
            .field("betas", &(self.beta1, self.beta2))
            .field("eps", &self.eps)
            .field("weight_decay", &self.weight_decay)
            .field("decoupled", &self.decoupled)
            .field("amsgrad", &self.amsgrad)
            .field("maximize", &self.maximize)
            .field("steps", &self.k)
            .field("state_len", &self.m.len())
            .finish()
    }
}
