//! L-BFGS: the limited-memory quasi-Newton method, as PyTorch's `torch.optim.LBFGS`.
//!
//! One call of [`Lbfgs::minimize`] is one call of PyTorch's `opt.step(closure)`: up to
//! `max_iter` iterations of
//!
//! ```text
//! k = 1:   d = −g,   t = min(1, 1/||g||_1) · lr
//! k > 1:   s = t d_prev,  y = g − g_prev
//!          if yᵀs > 1e-10: remember (s, y, ρ = 1/yᵀs), drop the oldest beyond history_size,
//!                          H_diag = yᵀs / yᵀy
//!          d = −H g  by the two-loop recursion with H_0 = H_diag I,   t = lr
//! stop if gᵀd > −tolerance_change
//! θ = θ + t d   with t from the strong Wolfe line search, or fixed (no line search)
//! ```
//!
//! then the stopping tests, in PyTorch's order: `max_iter` iterations, `max_eval`
//! evaluations, `max|g| <= tolerance_grad`, `max|t d| <= tolerance_change`,
//! `|f − f_prev| < tolerance_change`. The memory (pairs, direction, step, iteration count)
//! persists between calls, as PyTorch's optimizer state does; [`Lbfgs::reset`] clears it.
//!
//! Departures from PyTorch, both only where PyTorch would compute with NaN or stop anyway:
//! a non-finite `f` or gradient stops the run with [`Stop::NonFinite`] (keeping the
//! last finite `θ`); a line search that ends without any decrease stops with
//! [`Stop::LineSearchFailed`] (where PyTorch stops one test later, on `max|t d|`).

use super::line_search::dot;
use super::{first_non_finite, two_loop};
use std::cell::Cell;
use std::collections::VecDeque;

use super::Stop;
pub use super::lbfgs_report::{LbfgsReport, LineSearch};

/// The state carried between calls (PyTorch's `optimizer.state`).
#[derive(Clone, Debug, Default)]
pub(super) struct Memory {
    /// Iterations over all calls.
    pub(super) n_iter: usize,
    /// The last direction `d` and step `t`.
    pub(super) d: Vec<f64>,
    pub(super) t: f64,
    /// The curvature pairs `s_i`, `y_i` and `ρ_i = 1 / y_iᵀ s_i`, oldest first.
    pub(super) s: VecDeque<Vec<f64>>,
    pub(super) y: VecDeque<Vec<f64>>,
    pub(super) rho: VecDeque<f64>,
    /// `H_diag = yᵀs / yᵀy` of the newest pair: the initial inverse Hessian is `H_diag I`.
    pub(super) h_diag: f64,
    /// The gradient of the previous iteration.
    pub(super) prev_g: Vec<f64>,
}

/// L-BFGS with PyTorch's defaults: lr 1, max_iter 20, max_eval = max_iter · 5/4,
/// tolerance_grad 1e-7, tolerance_change 1e-9, history_size 100, no line search.
#[derive(Clone)]
pub struct Lbfgs {
    pub(super) lr: f64,
    pub(super) max_iter: usize,
    pub(super) max_eval: Option<usize>,
    pub(super) tolerance_grad: f64,
    pub(super) tolerance_change: f64,
    pub(super) history_size: usize,
    pub(super) line_search: LineSearch,
    pub(super) polish: bool,
    pub(super) memory: Memory,
}

impl Default for Lbfgs {
    fn default() -> Self {
        Lbfgs::new()
    }
}

impl Lbfgs {
    /// Minimizes `f` from `theta` (updated in place): one PyTorch `step(closure)` call.
    /// `value_and_grad(θ)` returns `(f(θ), ∇f(θ))`.
    ///
    /// ```
    /// use tapegrad::nn::least_squares;
    /// use tapegrad::optim::{Lbfgs, StrongWolfe};
    /// use tapegrad::Tensor;
    /// // Least squares (1/N)||X θ − y||² with θ* = (1, 2): the closure is built on the tape.
    /// let x = Tensor::from_rows(&[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]);
    /// let y = Tensor::column(&[1.0, 2.0, 3.0]);
    /// let mut theta = [0.0, 0.0];
    /// let report = Lbfgs::new()
    ///     .line_search(StrongWolfe::default())
    ///     .tolerance_grad(1e-12)
    ///     .tolerance_change(1e-16)
    ///     .minimize(&mut theta, least_squares(x, y));
    /// assert!((theta[0] - 1.0).abs() < 1e-8 && (theta[1] - 2.0).abs() < 1e-8);
    /// assert!(report.last_loss < 1e-16);
    /// ```
    pub fn minimize(
        &mut self,
        theta: &mut [f64],
        value_and_grad: impl FnMut(&[f64]) -> (f64, Vec<f64>),
    ) -> LbfgsReport {
        self.minimize_observed(theta, value_and_grad, |_| true)
    }

    /// [`Lbfgs::minimize`], calling `on_iteration` after each iteration's update with the
    /// iteration number, the evaluations so far, the loss, `max|∇f|` and `θ`; returning
    /// `false` stops the run with [`Stop::Observer`].
    ///
    /// ```
    /// use tapegrad::optim::{Lbfgs, Stop};
    /// let mut theta = [3.0, -1.0];
    /// let mut seen = Vec::new();
    /// let r = Lbfgs::new().minimize_observed(
    ///     &mut theta,
    ///     |t| (t[0] * t[0] + 10.0 * t[1] * t[1], vec![2.0 * t[0], 20.0 * t[1]]),
    ///     |it| { seen.push((it.iteration, it.loss)); it.iteration < 2 },
    /// );
    /// assert_eq!((r.iterations, r.stop), (2, Stop::Observer));
    /// assert_eq!(seen.len(), 2);
    /// ```
    pub fn minimize_observed(
        &mut self,
        theta: &mut [f64],
        mut value_and_grad: impl FnMut(&[f64]) -> (f64, Vec<f64>),
        mut on_iteration: impl FnMut(&Iteration<'_>) -> bool,
    ) -> LbfgsReport {
        // PyTorch's `max_iter * 5 // 4`, exact, saturating at usize::MAX for huge max_iter.
        let max_eval = self
            .max_eval
            .unwrap_or(((self.max_iter as u128 * 5 / 4).min(usize::MAX as u128)) as usize);
        let (tol_grad, tol_change) = (self.tolerance_grad, self.tolerance_change);
        let evals = Cell::new(0); // evaluations in this call, including a failed one
        let mut evaluate = |x: &[f64]| -> Option<(f64, Vec<f64>)> {
            evals.set(evals.get() + 1);
            let (f, g) = value_and_grad(x);
            assert!(
                g.len() == x.len(),
                "Lbfgs::minimize: theta has {} entries but the gradient has {}",
                x.len(),
                g.len()
            );
            (f.is_finite() && first_non_finite(&g).is_none()).then_some((f, g))
        };
        let report = |iterations, evaluations, last_loss: f64, g: &[f64], stop| LbfgsReport {
            iterations,
            evaluations,
            last_loss,
            grad_inf: max_abs(g),
            grad_norm: dot(g, g).sqrt(),
            stop,
        };

        // Stop at a non-finite evaluation, reporting its number and the last finite point.
        let non_finite = |n_iter, loss, g: &[f64]| {
            let evaluation = evals.get();
            report(n_iter, evaluation, loss, g, Stop::NonFinite { evaluation })
        };

        let Some((mut loss, mut g)) = evaluate(theta) else {
            return non_finite(0, f64::NAN, &[]);
        };
        let mut current_evals = 1;
        if max_abs(&g) <= tol_grad {
            return report(0, current_evals, loss, &g, Stop::GradientBelow);
        }

        let mem = &mut self.memory;
        let mut n_iter = 0;
        let mut polishing = false;
        let reason = loop {
            if n_iter >= self.max_iter {
                break Stop::Steps;
            }
            n_iter += 1;
            mem.n_iter += 1;

            // The direction d = −H g.
            if mem.n_iter == 1 {
                mem.d = g.iter().map(|x| -x).collect();
                mem.s.clear();
                mem.y.clear();
                mem.rho.clear();
                mem.h_diag = 1.0;
            } else {
                let y: Vec<f64> = g.iter().zip(&mem.prev_g).map(|(a, b)| a - b).collect();
                let s: Vec<f64> = mem.d.iter().map(|x| x * mem.t).collect();
                let ys = dot(&y, &s);
                if ys > 1e-10 {
                    if mem.s.len() == self.history_size {
                        mem.s.pop_front();
                        mem.y.pop_front();
                        mem.rho.pop_front();
                    }
                    mem.h_diag = ys / dot(&y, &y);
                    mem.s.push_back(s);
                    mem.y.push_back(y);
                    mem.rho.push_back(1.0 / ys);
                }
                mem.d = two_loop(&g, &mem.s, &mem.y, &mem.rho, mem.h_diag);
            }
            mem.prev_g.clone_from(&g);
            let prev_loss = loss;

            // The step length.
            mem.t = if mem.n_iter == 1 {
                (1.0 / g.iter().map(|x| x.abs()).sum::<f64>()).min(1.0) * self.lr
            } else {
                self.lr
            };
            let gtd = dot(&g, &mem.d);
            if gtd > -tol_change && !(polishing && gtd < 0.0) {
                if self.polish && !polishing && gtd < 0.0 && max_abs(&g) > tol_grad {
                    polishing = true;
                } else {
                    break Stop::DirectionalDerivative;
                }
            }

            let mut opt_cond = false;
            let mut wolfe = true;
            let line_search = if polishing {
                LineSearch::None
            } else {
                self.line_search
            };
            match line_search {
                LineSearch::None if polishing => {
                    // Polish: the step t = lr along d, kept only if it reduces ||∇f||.
                    let x: Vec<f64> = theta
                        .iter()
                        .zip(&mem.d)
                        .map(|(xi, di)| xi + mem.t * di)
                        .collect();
                    current_evals += 1;
                    match evaluate(&x) {
                        Some((f, grad)) if dot(&grad, &grad) < dot(&g, &g) => {
                            theta.copy_from_slice(&x);
                            loss = f;
                            g = grad;
                            opt_cond = max_abs(&g) <= tol_grad;
                        }
                        Some(_) => break Stop::GradientStalled,
                        None => return non_finite(n_iter, loss, &g),
                    }
                }
                LineSearch::StrongWolfe(ls) => {
                    let x0 = theta.to_vec();
                    let d = mem.d.clone();
                    // φ(t) = f(θ + t d); a non-finite value is passed on as NaN, which the search
                    // reports as an error.
                    let mut phi = |t: f64| {
                        let x: Vec<f64> = x0.iter().zip(&d).map(|(xi, di)| xi + t * di).collect();
                        evaluate(&x).unwrap_or((f64::NAN, Vec::new()))
                    };
                    let budget = max_eval.saturating_sub(current_evals);
                    match ls.search(&mut phi, &d, loss, &g, gtd, mem.t, budget) {
                        Ok(out) => {
                            current_evals += out.evals;
                            loss = out.f;
                            g = out.g;
                            mem.t = out.t;
                            wolfe = out.wolfe;
                            for (xi, di) in theta.iter_mut().zip(&d) {
                                *xi += mem.t * di;
                            }
                            opt_cond = max_abs(&g) <= tol_grad;
                        }
                        Err(_) => return non_finite(n_iter, loss, &g),
                    }
                }
                LineSearch::None => {
                    for (xi, di) in theta.iter_mut().zip(&mem.d) {
                        *xi += mem.t * di;
                    }
                    if n_iter != self.max_iter {
                        current_evals += 1;
                        match evaluate(theta) {
                            Some((f, grad)) => {
                                loss = f;
                                g = grad;
                                opt_cond = max_abs(&g) <= tol_grad;
                            }
                            None => {
                                for (xi, di) in theta.iter_mut().zip(&mem.d) {
                                    *xi -= mem.t * di;
                                }
                                return non_finite(n_iter, loss, &g);
                            }
                        }
                    }
                }
            }

            let carry_on = on_iteration(&Iteration {
                iteration: n_iter,
                evaluations: current_evals,
                loss,
                grad_inf: max_abs(&g),
                theta,
            });
            if !carry_on {
                break Stop::Observer;
            }

            // The stopping tests, in PyTorch's order.
            if n_iter == self.max_iter {
                break Stop::Steps;
            }
            if current_evals >= max_eval {
                break Stop::Evaluations;
            }
            if opt_cond {
                break Stop::GradientBelow;
            }
            if polishing {
                continue; // only the gradient decides now
            }
            let stop = if !wolfe && loss >= prev_loss {
                Some(Stop::LineSearchFailed)
            } else if max_abs(&mem.d) * mem.t.abs() <= tol_change {
                Some(Stop::StepBelow)
            } else if (loss - prev_loss).abs() < tol_change {
                Some(Stop::LossChangeBelow)
            } else {
                None
            };
            match stop {
                // These tests watch changes in f, which rounding limits to about sqrt(eps)
                // relative accuracy in θ; polishing goes on with the gradient alone.
                Some(_) if self.polish && max_abs(&g) > tol_grad => polishing = true,
                Some(reason) => break reason,
                None => {}
            }
        };
        report(n_iter, current_evals, loss, &g, reason)
    }
}

/// What [`Lbfgs::minimize_observed`] shows after each iteration.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Iteration<'a> {
    /// The iteration just made (1-based, in this call).
    pub iteration: usize,
    /// Evaluations of `f` so far in this call.
    pub evaluations: usize,
    /// `f(θ)` after the iteration.
    pub loss: f64,
    /// `max|∇f(θ)|` after the iteration.
    pub grad_inf: f64,
    /// `θ` after the iteration.
    pub theta: &'a [f64],
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}
