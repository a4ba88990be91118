//! Exact scaling by powers of two: the one tool behind every overflow- and underflow-free
//! computation in the crate (norms, moments, factorizations). Multiplying by `2^e` changes
//! only the exponent, so it rounds nothing while the result stays in the normal range.

/// The exponent `e` with `m · 2^-e ∈ [1/2, 1)` for a finite `m > 0`; 0 otherwise.
pub(crate) fn exponent_of(m: f64) -> i32 {
    if m > 0.0 && m.is_finite() {
        m.log2().floor() as i32 + 1
    } else {
        0
    }
}

/// `x · 2^e`, in two steps so that neither factor overflows (`|e|` up to about 2100).
pub(crate) fn times_pow2(x: f64, e: i32) -> f64 {
    let h = e / 2;
    x * 2f64.powi(h) * 2f64.powi(e - h)
}
