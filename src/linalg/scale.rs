//! Exact scaling by powers of two, as LAPACK's `dlascl` does: a matrix is brought to
//! `max|a_ij| ∈ [1/2, 1)` before a factorization, so that squares and sums of squares
//! (Householder norms, Jacobi rotations, power iterations) neither overflow for entries
//! near 1e300 nor underflow for entries near 1e-300; results are scaled back. Multiplying
//! by `2^e` only changes the exponent, so for inputs in the ordinary range the answers are
//! bit-for-bit those of the unscaled computation.

use crate::tensor::Tensor;

/// The exponent `e` with `max|t_ij| · 2^-e ∈ [1/2, 1)` (0 for an all-zero or empty `t`).
/// `t` must be finite.
pub(crate) fn exponent(t: &Tensor) -> i32 {
    let m = t.max_abs();
    if m == 0.0 || !m.is_finite() {
        return 0;
    }
    m.log2().floor() as i32 + 1
}

/// `x · 2^e`, in two steps so that neither factor overflows (`|e|` up to about 2100).
pub(crate) fn times_pow2(x: f64, e: i32) -> f64 {
    let h = e / 2;
    x * 2f64.powi(h) * 2f64.powi(e - h)
}

/// `t · 2^e` entrywise.
pub(crate) fn scaled(t: &Tensor, e: i32) -> Tensor {
    if e == 0 {
        return t.clone();
    }
    t.map(|x| times_pow2(x, e))
}
