//! Elementwise loops at the CPU's vector width: a loop written once in plain Rust runs inside
//! a function compiled with AVX2 where the CPU has it (detected at run time), so the compiler
//! vectorizes it four lanes wide instead of the two of the x86-64 baseline.
//!
//! Nothing changes but the width: Rust never contracts `a * b + c` into a fused multiply-add
//! nor reorders a sum, so every path gives the same bits (the test below compares them).
//! Besides the matmul kernels, this is the crate's only `unsafe` code: the one call into the
//! AVX2 compilation, after the detection that makes it sound.

/// Runs `body`, compiled for AVX2 when this CPU has it (the closure is inlined into the AVX2
/// function, and its loops vectorized there); on other CPUs and targets, as it is.
#[inline(always)]
pub(crate) fn wide<R>(body: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: AVX2 was just detected, the feature `avx2` is compiled with; `body` is safe
        // Rust.
        return unsafe { avx2(body) };
    }
    body()
}

/// `body()`, compiled with AVX2 enabled.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
unsafe fn avx2<R>(body: impl FnOnce() -> R) -> R {
    body()
}

#[cfg(test)]
mod tests {
    use super::wide;

    /// The loops the crate runs through `wide`, on awkward lengths and values (subnormals,
    /// signed zeros, infinities, NaN), give the same bits as the baseline compilation.
    #[test]
    fn the_wide_compilation_gives_the_same_bits() {
        let mut rng = crate::Rng::new(5);
        for len in [0, 1, 3, 4, 7, 8, 9, 31, 64, 1000] {
            let mut x: Vec<f64> = (0..len).map(|_| rng.normal() * 1e3).collect();
            let y: Vec<f64> = (0..len).map(|_| rng.normal()).collect();
            for (i, special) in [5e-324, -0.0, f64::INFINITY, f64::NAN]
                .into_iter()
                .enumerate()
            {
                if i < len {
                    x[len - 1 - i] = special;
                }
            }
            let f = |a: f64, b: f64| (a * b + a / b - a.max(0.0)) * 0.1;
            let plain: Vec<f64> = x.iter().zip(&y).map(|(&a, &b)| f(a, b)).collect();
            let fast: Vec<f64> = wide(|| x.iter().zip(&y).map(|(&a, &b)| f(a, b)).collect());
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&plain), bits(&fast), "length {len}");
            let sum_plain: f64 = x.iter().map(|v| v * 0.5).sum();
            let sum_fast: f64 = wide(|| x.iter().map(|v| v * 0.5).sum());
            assert_eq!(sum_plain.to_bits(), sum_fast.to_bits(), "length {len}");
        }
    }
}
