//! No SIMD path on other architectures: everything runs the portable loops.

use super::kernels::Write;

pub fn detected() -> bool {
    false
}
pub fn gemm(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64], w: Write) {
    super::kernels::gemm_body::<false>(m, k, n, a, b, c, w)
}
pub fn gemm_nt(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64], w: Write) {
    super::kernels::gemm_nt_body::<false>(m, k, n, a, b, c, w)
}
pub fn gemm_tn(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64], w: Write) {
    super::kernels::gemm_tn_body::<false>(m, k, n, a, b, c, w)
}
pub const KERNELS: super::packed::Kernels = super::packed::PORTABLE;
