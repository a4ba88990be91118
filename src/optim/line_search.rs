//! The strong Wolfe line search (bracketing, then zoom with cubic interpolation), as
//! PyTorch's `torch/optim/lbfgs.py` implements it (a port of Torch7's `lswolfe.lua`).
//!
//! Along a descent direction `d` from `x`, with `φ(t) = f(x + t d)` and `φ'(t) = ∇f(x + t d)·d`,
//! a step `t` satisfies the strong Wolfe conditions when
//!
//! ```text
//! φ(t) <= φ(0) + c1 t φ'(0)        (sufficient decrease, Armijo)      [armijo]
//! |φ'(t)| <= −c2 φ'(0)             (strong curvature)                 [strong_curvature]
//! ```
//!
//! with `0 < c1 < c2 < 1` (defaults `c1 = 1e-4`, `c2 = 0.9`).

use super::check_hyper;

/// Settings of the strong Wolfe line search.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StrongWolfe {
    /// `c1`, the sufficient-decrease constant (default `1e-4`).
    pub c1: f64,
    /// `c2`, the curvature constant (default `0.9`).
    pub c2: f64,
    /// The zoom stops when the bracket is shorter than this, measured as
    /// `|t_hi − t_lo| · max|d|` (default `1e-9`, PyTorch's; note that PyTorch's L-BFGS does
    /// not pass its own `tolerance_change` here).
    pub tolerance_change: f64,
}

impl Default for StrongWolfe {
    fn default() -> Self {
        StrongWolfe {
            c1: 1e-4,
            c2: 0.9,
            tolerance_change: 1e-9,
        }
    }
}

/// `φ(t) <= φ(0) + c1 t φ'(0)`: the sufficient-decrease (Armijo) condition.
///
/// ```
/// use tapegrad::optim::line_search::armijo;
/// // φ(t) = (1 − t)² on the line: φ(0) = 1, φ'(0) = −2.
/// let phi = |t: f64| (1.0 - t) * (1.0 - t);
/// assert!(armijo(1.0, -2.0, 0.5, phi(0.5), 1e-4));   // enough decrease
/// assert!(!armijo(1.0, -2.0, 2.0, phi(2.0), 1e-4));  // φ(2) = 1: no decrease
/// ```
pub fn armijo(phi0: f64, dphi0: f64, t: f64, phi_t: f64, c1: f64) -> bool {
    phi_t <= phi0 + c1 * t * dphi0
}

/// `|φ'(t)| <= −c2 φ'(0)`: the strong curvature condition.
///
/// ```
/// use tapegrad::optim::line_search::strong_curvature;
/// // φ'(t) = −2 (1 − t): |φ'(t)| <= c2 |φ'(0)| near the minimizer t = 1 only.
/// assert!(strong_curvature(-2.0, -2.0 * (1.0 - 0.95), 0.9));
/// assert!(!strong_curvature(-2.0, -2.0 * (1.0 - 0.01), 0.9));
/// ```
pub fn strong_curvature(dphi0: f64, dphi_t: f64, c2: f64) -> bool {
    dphi_t.abs() <= -c2 * dphi0
}

/// The minimizer of the cubic through `(x1, f1)` and `(x2, f2)` with slopes `g1`, `g2`,
/// clamped to `bounds` (default: the interval between `x1` and `x2`); the midpoint of the
/// bounds when the cubic has no minimizer (negative discriminant).
///
/// ```text
/// d1 = g1 + g2 − 3 (f1 − f2) / (x1 − x2)
/// d2 = sqrt(d1² − g1 g2)
/// t  = x2 − (x2 − x1) (g2 + d2 − d1) / (g2 − g1 + 2 d2)      (for x1 <= x2)
/// ```
///
/// ```
/// use tapegrad::optim::line_search::cubic_interpolate;
/// // The cubic through (0, 1, -2) and (2, 1, 2), values and slopes of (t - 1)^2, has its
/// // minimizer at t = 1.
/// let t = cubic_interpolate((0.0, 1.0, -2.0), (2.0, 1.0, 2.0), None);
/// assert!((t - 1.0).abs() < 1e-15);
/// ```
pub fn cubic_interpolate(
    (x1, f1, g1): (f64, f64, f64),
    (x2, f2, g2): (f64, f64, f64),
    bounds: Option<(f64, f64)>,
) -> f64 {
    let (lo, hi) = bounds.unwrap_or(if x1 <= x2 { (x1, x2) } else { (x2, x1) });
    let d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2);
    let d2_square = d1 * d1 - g1 * g2;
    if d2_square >= 0.0 {
        let d2 = d2_square.sqrt();
        let min_pos = if x1 <= x2 {
            x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
        } else {
            x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2))
        };
        min_pos.max(lo).min(hi)
    } else {
        (lo + hi) / 2.0
    }
}

/// One trial point of the search: `t`, `φ(t)`, `∇f(x + t d)` and `φ'(t)`.
#[derive(Clone, Debug)]
struct Point {
    t: f64,
    f: f64,
    g: Vec<f64>,
    gtd: f64,
}

/// What a line search found.
#[derive(Clone, Debug, PartialEq)]
pub struct LineSearchOutcome {
    /// The step `t`.
    pub t: f64,
    /// `f(x + t d)`.
    pub f: f64,
    /// `∇f(x + t d)`.
    pub g: Vec<f64>,
    /// Evaluations of `f` made.
    pub evals: usize,
    /// True if `t` satisfies the strong Wolfe conditions; false if the search ran out of
    /// evaluations or the bracket shrank below the tolerance (then `t` is the best point
    /// found, possibly `0`).
    pub wolfe: bool,
}

/// The search met a non-finite `f` or gradient at step `t`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NonFiniteStep {
    /// The step at which it happened.
    pub t: f64,
}

impl StrongWolfe {
    /// Validated settings.
    ///
    /// # Panics
    /// Unless `0 < c1 < c2 < 1` and `tolerance_change >= 0`, naming the parameter.
    ///
    /// ```
    /// use tapegrad::optim::StrongWolfe;
    /// let ls = StrongWolfe::new(1e-4, 0.9, 1e-9);       // PyTorch's defaults, as StrongWolfe::default()
    /// assert_eq!(ls, StrongWolfe::default());
    /// assert!(std::panic::catch_unwind(|| StrongWolfe::new(0.9, 0.1, 1e-9)).is_err()); // c1 < c2
    /// ```
    pub fn new(c1: f64, c2: f64, tolerance_change: f64) -> StrongWolfe {
        check_hyper("StrongWolfe", "c1", c1, c1 > 0.0 && c1 < 1.0, "(0, 1)");
        check_hyper("StrongWolfe", "c2", c2, c2 > c1 && c2 < 1.0, "(c1, 1)");
        check_hyper(
            "StrongWolfe",
            "tolerance_change",
            tolerance_change,
            tolerance_change >= 0.0,
            "[0, inf)",
        );
        StrongWolfe {
            c1,
            c2,
            tolerance_change,
        }
    }

    /// Searches along `d` from the point where `f = f0`, gradient `g0` and `φ'(0) = gtd0 < 0`,
    /// starting with step `t`, with at most `max_ls` evaluations beyond the first.
    /// `phi(t)` returns `(f(x + t d), ∇f(x + t d))`.
    ///
    /// # Errors
    /// [`NonFiniteStep`] if `f` or its gradient is not finite at a trial step.
    ///
    /// ```
    /// use tapegrad::optim::StrongWolfe;
    /// // f(x) = (x − 3)² from x = 0 along d = 1: φ(t) = (t − 3)², φ'(0) = −6.
    /// let mut phi = |t: f64| ((t - 3.0).powi(2), vec![2.0 * (t - 3.0)]);
    /// let out = StrongWolfe::default().search(&mut phi, &[1.0], 9.0, &[-6.0], -6.0, 1.0, 25).unwrap();
    /// assert!(out.wolfe && out.f < 9.0);
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn search(
        &self,
        phi: &mut dyn FnMut(f64) -> (f64, Vec<f64>),
        d: &[f64],
        f0: f64,
        g0: &[f64],
        gtd0: f64,
        mut t: f64,
        max_ls: usize,
    ) -> Result<LineSearchOutcome, NonFiniteStep> {
        let (c1, c2) = (self.c1, self.c2);
        let d_norm = d.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let mut evals = 0;
        let mut eval = |t: f64| -> Result<Point, NonFiniteStep> {
            let (f, g) = phi(t);
            evals += 1;
            if !f.is_finite() || g.iter().any(|x| !x.is_finite()) {
                return Err(NonFiniteStep { t });
            }
            let gtd = dot(&g, d);
            Ok(Point { t, f, g, gtd })
        };

        // Bracketing: grow t until [t_prev, t] contains a Wolfe point, or t is one.
        let start = Point {
            t: 0.0,
            f: f0,
            g: g0.to_vec(),
            gtd: gtd0,
        };
        let mut new = eval(t)?;
        let mut prev = start.clone();
        let mut done = false;
        let mut ls_iter = 0;
        let mut bracket: Vec<Point> = Vec::new();
        while ls_iter < max_ls {
            if !armijo(f0, gtd0, new.t, new.f, c1) || (ls_iter > 1 && new.f >= prev.f) {
                bracket = vec![prev.clone(), new.clone()];
                break;
            }
            if strong_curvature(gtd0, new.gtd, c2) {
                bracket = vec![new.clone()];
                done = true;
                break;
            }
            if new.gtd >= 0.0 {
                bracket = vec![prev.clone(), new.clone()];
                break;
            }
            // Extrapolate: a cubic step within [t + 0.01 (t − t_prev), 10 t].
            let bounds = (new.t + 0.01 * (new.t - prev.t), new.t * 10.0);
            t = cubic_interpolate(
                (prev.t, prev.f, prev.gtd),
                (new.t, new.f, new.gtd),
                Some(bounds),
            );
            prev = new;
            new = eval(t)?;
            ls_iter += 1;
        }
        if ls_iter == max_ls {
            bracket = vec![start, new];
        }

        // Zoom: shrink the bracket [lo, hi] (f(lo) <= f(hi)) around a Wolfe point.
        let mut insufficient_progress = false;
        let order = |b: &[Point]| {
            if b[0].f <= b[b.len() - 1].f {
                (0, 1)
            } else {
                (1, 0)
            }
        };
        let (mut lo, mut hi) = order(&bracket);
        while !done && ls_iter < max_ls {
            let (b0, b1) = (&bracket[0], &bracket[1]);
            if (b1.t - b0.t).abs() * d_norm < self.tolerance_change {
                break;
            }
            t = cubic_interpolate((b0.t, b0.f, b0.gtd), (b1.t, b1.f, b1.gtd), None);
            // Keep t at least 10% of the bracket away from its ends when progress stalls.
            let (b_min, b_max) = (b0.t.min(b1.t), b0.t.max(b1.t));
            let eps = 0.1 * (b_max - b_min);
            if (b_max - t).min(t - b_min) < eps {
                if insufficient_progress || t >= b_max || t <= b_min {
                    t = if (t - b_max).abs() < (t - b_min).abs() {
                        b_max - eps
                    } else {
                        b_min + eps
                    };
                    insufficient_progress = false;
                } else {
                    insufficient_progress = true;
                }
            } else {
                insufficient_progress = false;
            }
            let p = eval(t)?;
            ls_iter += 1;
            if !armijo(f0, gtd0, p.t, p.f, c1) || p.f >= bracket[lo].f {
                // Not low enough: p becomes the new high end.
                bracket[hi] = p;
                (lo, hi) = order(&bracket);
            } else {
                if strong_curvature(gtd0, p.gtd, c2) {
                    done = true;
                } else if p.gtd * (bracket[hi].t - bracket[lo].t) >= 0.0 {
                    // The slope at p points back past lo: the old low end becomes the high end.
                    bracket[hi] = bracket[lo].clone();
                }
                bracket[lo] = p;
            }
        }
        let best = bracket.swap_remove(lo);
        Ok(LineSearchOutcome {
            t: best.t,
            f: best.f,
            g: best.g,
            evals,
            wolfe: done,
        })
    }
}

/// `sum_i x_i y_i`.
pub(crate) fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}
