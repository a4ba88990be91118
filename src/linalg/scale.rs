//! Exact scaling by powers of two, as LAPACK's `dlascl` does: a matrix is brought to
//! `max|a_ij| ∈ [1/2, 1)` before a factorization, so that squares and sums of squares
//! (Householder norms, Jacobi rotations, power iterations) neither overflow for entries
//! near 1e300 nor underflow for entries near 1e-300; results are scaled back. Multiplying
//! by `2^e` only changes the exponent, so for inputs in the ordinary range the answers are
//! bit-for-bit those of the unscaled computation.

use crate::tensor::Tensor;

pub(crate) use crate::tensor::pow2::times_pow2;

/// The exponent `e` with `max|t_ij| · 2^-e ∈ [1/2, 1)` (0 for an all-zero, empty or
/// non-finite `t`).
pub(crate) fn exponent(t: &Tensor) -> i32 {
    crate::tensor::pow2::exponent_of(t.max_abs())
}

/// `t · 2^e` entrywise.
pub(crate) fn scaled(t: &Tensor, e: i32) -> Tensor {
    if e == 0 {
        return t.clone();
    }
    t.map(|x| times_pow2(x, e))
}
