//! The L-BFGS direction: the two-loop recursion, on its own so it can be read (and called)
//! beside its pseudocode.

use super::line_search::dot;
use std::collections::VecDeque;

/// The two-loop recursion (Nocedal & Wright, *Numerical Optimization*, 2nd ed., Alg. 7.4):
/// `d = −H g` for the L-BFGS inverse-Hessian approximation `H` built from the pairs
/// `(s_i, y_i, ρ_i)`, oldest first, with `H_0 = h_diag I`.
///
/// ```text
/// q = −g
/// for i = m−1 .. 0:  α_i = ρ_i s_iᵀ q,   q = q − α_i y_i
/// r = h_diag q
/// for i = 0 .. m−1:  β = ρ_i y_iᵀ r,     r = r + (α_i − β) s_i
/// d = r
/// ```
///
/// ```
/// use std::collections::VecDeque;
/// use tapegrad::optim::two_loop;
/// // With one pair (s, y), H satisfies the secant equation H y = s, so g = y gives d = −s.
/// let (s, y) = (vec![1.0, 2.0], vec![3.0, 1.0]);
/// let rho = 1.0 / (3.0 + 2.0); // 1 / yᵀs
/// let pairs = (VecDeque::from([s]), VecDeque::from([y.clone()]), VecDeque::from([rho]));
/// let d = two_loop(&y, &pairs.0, &pairs.1, &pairs.2, 0.5);
/// assert!((d[0] + 1.0).abs() < 1e-15 && (d[1] + 2.0).abs() < 1e-15);
/// ```
pub fn two_loop(
    g: &[f64],
    s: &VecDeque<Vec<f64>>,
    y: &VecDeque<Vec<f64>>,
    rho: &VecDeque<f64>,
    h_diag: f64,
) -> Vec<f64> {
    let m = s.len();
    let mut alpha = vec![0.0; m];
    let mut q: Vec<f64> = g.iter().map(|x| -x).collect();
    for i in (0..m).rev() {
        alpha[i] = dot(&s[i], &q) * rho[i];
        for (qj, yj) in q.iter_mut().zip(&y[i]) {
            *qj += -alpha[i] * yj;
        }
    }
    let mut r: Vec<f64> = q.iter().map(|x| x * h_diag).collect();
    for i in 0..m {
        let beta = dot(&y[i], &r) * rho[i];
        for (rj, sj) in r.iter_mut().zip(&s[i]) {
            *rj += (alpha[i] - beta) * sj;
        }
    }
    r
}
