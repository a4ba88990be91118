//! The SIMD path: the same loop bodies compiled with AVX2 and FMA, entered only after
//! run-time detection. With the AVX-512 kernels and `crate::wide` (elementwise loops), the
//! crate's only `unsafe` code.

use super::kernels::{Write, gemm_body, gemm_nt_body, gemm_tn_body};
use super::packed::{Edge, Kernels, micro_body, transpose8_portable};

/// AVX2 and FMA, detected once per call (std caches the CPUID query).
pub fn detected() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// # Safety
/// The CPU must support AVX2 and FMA ([`detected`]). (An `unsafe fn` rather than a safe
/// `#[target_feature]` fn, which needs Rust 1.86, so the crate builds on 1.85.)
#[target_feature(enable = "avx2,fma")]
unsafe fn gemm_avx2(mkn: (usize, usize, usize), a: &[f64], b: &[f64], c: (&mut [f64], Write)) {
    gemm_body::<true>(mkn, a, b, c)
}

/// # Safety
/// As [`gemm_avx2`].
#[target_feature(enable = "avx2,fma")]
unsafe fn gemm_nt_avx2(mkn: (usize, usize, usize), a: &[f64], b: &[f64], c: (&mut [f64], Write)) {
    gemm_nt_body::<true>(mkn, a, b, c)
}

/// # Safety
/// As [`gemm_avx2`].
#[target_feature(enable = "avx2,fma")]
unsafe fn gemm_tn_avx2(mkn: (usize, usize, usize), a: &[f64], b: &[f64], c: (&mut [f64], Write)) {
    gemm_tn_body::<true>(mkn, a, b, c)
}

pub fn gemm(mkn: (usize, usize, usize), a: &[f64], b: &[f64], c: (&mut [f64], Write)) {
    debug_assert!(detected());
    // SAFETY: the callers in `super` reach this only after `detected()` returned true, so
    // the CPU supports AVX2 and FMA, the features `gemm_avx2` is compiled with. The
    // function itself is safe Rust (bounds-checked slices).
    unsafe { gemm_avx2(mkn, a, b, c) }
}

pub fn gemm_nt(mkn: (usize, usize, usize), a: &[f64], b: &[f64], c: (&mut [f64], Write)) {
    debug_assert!(detected());
    // SAFETY: as in `gemm`: reached only after `detected()` confirmed AVX2 and FMA.
    unsafe { gemm_nt_avx2(mkn, a, b, c) }
}

pub fn gemm_tn(mkn: (usize, usize, usize), a: &[f64], b: &[f64], c: (&mut [f64], Write)) {
    debug_assert!(detected());
    // SAFETY: as in `gemm`: reached only after `detected()` confirmed AVX2 and FMA.
    unsafe { gemm_tn_avx2(mkn, a, b, c) }
}

/// # Safety
/// As [`gemm_avx2`].
#[target_feature(enable = "avx2,fma")]
unsafe fn micro_avx2(a: &[f64], b: &[f64], c: (&mut [f64], Write), edge: Edge) {
    micro_body::<true>(a, b, c, edge)
}

/// The packed driver's micro-kernel compiled for AVX2+FMA.
///
/// # Panics
/// If this CPU lacks AVX2 or FMA (a cached check, against thousands of flops per call).
pub fn micro(a: &[f64], b: &[f64], c: (&mut [f64], Write), edge: Edge) {
    assert!(
        detected(),
        "matmul: the AVX2 micro-kernel needs AVX2 and FMA"
    );
    // SAFETY: `detected()` just confirmed AVX2 and FMA, the features `micro_avx2` is compiled
    // with; the function itself is safe Rust (bounds-checked slices).
    unsafe { micro_avx2(a, b, c, edge) }
}

/// The packed driver's pieces on CPUs with AVX2 and FMA but not AVX-512.
pub const KERNELS: Kernels = Kernels {
    micro,
    transpose8: transpose8_portable,
    direct: None,
};
