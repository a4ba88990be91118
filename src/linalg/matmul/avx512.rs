//! The AVX-512 micro-kernel: one `MR x NR` = 8 x 24 tile of `C` in 24 of the 32 zmm
//! registers, fed by the packed micro-panels of [`super::packed`].
//!
//! Per step `p` it loads the three vectors `b[p, 0..8]`, `b[p, 8..16]`, `b[p, 16..24]` and, for
//! each of the eight rows, broadcasts `a[r, p]` and issues three fused multiply-adds
//! `acc[r][v] += a_rp b_pv`: 24 FMAs (192 flops) per 3 loads and 8 broadcasts, with 24
//! independent accumulators to cover the FMA latency.
//!
//! Compiled only with Rust 1.89 or later (`cfg(tapegrad_avx512)`, set by `build.rs`), where
//! AVX-512 intrinsics and `target_feature(enable = "avx512f")` are stable; entered only after
//! run-time detection.

use super::packed::{MR, NR};
use std::arch::x86_64::{
    __m512d, _mm512_add_pd, _mm512_fmadd_pd, _mm512_loadu_pd, _mm512_set1_pd, _mm512_setzero_pd,
    _mm512_storeu_pd,
};

/// AVX-512F, detected at run time (std caches the CPUID query).
pub fn detected() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
}

/// `c[r ldc + l] += sum_p a_p[r] b_p[l]` for the micro-panels `a` (`kc x MR`) and `b`
/// (`kc x NR`): the tile accumulated in registers, then added to `c` row by row.
///
/// # Safety
/// The CPU must support AVX-512F ([`detected`]).
#[target_feature(enable = "avx512f")]
unsafe fn micro_avx512(a: &[f64], b: &[f64], c: &mut [f64], ldc: usize) {
    const V: usize = NR / 8;
    let mut acc: [[__m512d; V]; MR] = [[_mm512_setzero_pd(); V]; MR];
    for (a_p, b_p) in a.chunks_exact(MR).zip(b.chunks_exact(NR)) {
        let b_p: &[f64; NR] = b_p.try_into().expect("NR values");
        // SAFETY: `b_p` is an array of NR = 24 f64, so each of the three unaligned 8-lane loads
        // at offsets 0, 8 and 16 reads inside it.
        let bv: [__m512d; V] = unsafe {
            [
                _mm512_loadu_pd(b_p.as_ptr()),
                _mm512_loadu_pd(b_p.as_ptr().add(8)),
                _mm512_loadu_pd(b_p.as_ptr().add(16)),
            ]
        };
        for (acc_r, &a_rp) in acc.iter_mut().zip(a_p) {
            let ar = _mm512_set1_pd(a_rp);
            for (acc_rv, &b_v) in acc_r.iter_mut().zip(&bv) {
                *acc_rv = _mm512_fmadd_pd(ar, b_v, *acc_rv);
            }
        }
    }
    for (r, acc_r) in acc.iter().enumerate() {
        let c_r = &mut c[r * ldc..r * ldc + NR]; // bounds-checked: the tile's row is in `c`
        for (c_rv, &acc_rv) in c_r.chunks_exact_mut(8).zip(acc_r) {
            // SAFETY: `c_rv` is a chunk of exactly 8 f64, the width of one unaligned load and
            // one unaligned store.
            unsafe {
                let sum = _mm512_add_pd(_mm512_loadu_pd(c_rv.as_ptr()), acc_rv);
                _mm512_storeu_pd(c_rv.as_mut_ptr(), sum)
            }
        }
    }
}

/// [`micro_avx512`] for the driver.
///
/// # Panics
/// If this CPU lacks AVX-512F (the check is a cached load, against ~50k flops per call).
pub fn micro(a: &[f64], b: &[f64], c: &mut [f64], ldc: usize) {
    assert!(
        detected(),
        "matmul: the AVX-512 kernel needs a CPU with AVX-512F"
    );
    // SAFETY: `detected()` just confirmed AVX-512F, the feature `micro_avx512` is compiled
    // with; the function itself reads and writes only through the slices it is given.
    unsafe { micro_avx512(a, b, c, ldc) }
}
