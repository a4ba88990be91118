//! No SIMD path on other architectures: everything runs the portable loops.

use super::kernels::Write;

pub fn detected() -> bool {
    false
}
pub fn gemm(mkn: (usize, usize, usize), a: &[f64], b: &[f64], c: (&mut [f64], Write)) {
    super::kernels::gemm_body::<false>(mkn, a, b, c)
}
pub fn gemm_nt(mkn: (usize, usize, usize), a: &[f64], b: &[f64], c: (&mut [f64], Write)) {
    super::kernels::gemm_nt_body::<false>(mkn, a, b, c)
}
pub fn gemm_tn(mkn: (usize, usize, usize), a: &[f64], b: &[f64], c: (&mut [f64], Write)) {
    super::kernels::gemm_tn_body::<false>(mkn, a, b, c)
}
pub const KERNELS: super::packed::Kernels = super::packed::PORTABLE;
