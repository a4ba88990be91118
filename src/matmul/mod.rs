//! The matrix multiplication kernels, on row-major slices: below [`Tensor`](crate::Tensor),
//! whose products call them, and public as [`crate::linalg::matmul`], whose documentation
//! describes the loops, the packed panels and the three compilations.

// Compiled only by Rust 1.89 or later (`build.rs`), whatever the crate's MSRV says.
#[cfg(all(target_arch = "x86_64", tapegrad_avx512))]
#[allow(unsafe_code)]
#[clippy::msrv = "1.89"]
mod avx512;
mod direct;
mod kernel;
mod kernels;
mod packed;
mod parallel;
mod scratch;
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod simd;
#[cfg(not(target_arch = "x86_64"))]
#[path = "no_simd.rs"]
mod simd;
mod small;

pub(crate) use kernel::Form;
pub use kernel::MatmulKernel;
pub(crate) use kernel::gemm_views;
pub(crate) use kernels::Write;
pub(crate) use packed::View;
pub use parallel::{set_threads, threads};

/// `sum_p x_p y_p` with four partial sums (the kernels' dot product, portable): for the
/// factorizations' level-2 steps.
pub(crate) fn dot(x: &[f64], y: &[f64]) -> f64 {
    kernels::dot::<false>(x, y)
}

fn check(name: &str, a: &[f64], b: &[f64], c: &[f64], mkn: (usize, usize, usize)) {
    let (m, k, n) = mkn;
    // Every orientation needs m·k, k·n and m·n entries; a product that overflows needs more
    // than any slice holds (never a wrapped length that lets the kernels read past the end).
    let need = |x: usize, y: usize| x.saturating_mul(y);
    let (la, lb, lc) = (need(m, k), need(k, n), need(m, n));
    assert!(
        a.len() >= la && b.len() >= lb && c.len() >= lc,
        "{name}: slices of length {}, {}, {} are too short for m={m}, k={k}, n={n}",
        a.len(),
        b.len(),
        c.len()
    );
}

/// `C <- C + A B` where `A` is `m x k`, `B` is `k x n`, `C` is `m x n`, all row-major.
///
/// # Panics
/// If a slice is shorter than its shape says.
///
/// ```
/// use tapegrad::linalg::matmul::gemm;
/// // [1 2; 3 4] [1; 1] added to c = [10; 20].
/// let mut c = [10.0, 20.0];
/// gemm(2, 2, 1, &[1.0, 2.0, 3.0, 4.0], &[1.0, 1.0], &mut c);
/// assert_eq!(c, [13.0, 27.0]);
/// ```
pub fn gemm(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    MatmulKernel::for_shape(m, k, n).gemm(m, k, n, a, b, c)
}

/// `C <- C + A B^T` where `A` is `m x k`, `B` is `n x k`, `C` is `m x n`: `c_ij += a_i . b_j`.
///
/// # Panics
/// If a slice is shorter than its shape says.
///
/// ```
/// use tapegrad::linalg::matmul::gemm_nt;
/// // A = [1 2] (1x2), B = [3 4; 5 6] (2x2): A Bᵀ = [11, 17].
/// let mut c = [0.0; 2];
/// gemm_nt(1, 2, 2, &[1.0, 2.0], &[3.0, 4.0, 5.0, 6.0], &mut c);
/// assert_eq!(c, [11.0, 17.0]);
/// ```
pub fn gemm_nt(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    MatmulKernel::for_shape(m, k, n).gemm_nt(m, k, n, a, b, c)
}

/// `C <- C + A^T B` where `A` is `k x m`, `B` is `k x n`, `C` is `m x n`.
///
/// # Panics
/// If a slice is shorter than its shape says.
///
/// ```
/// use tapegrad::linalg::matmul::gemm_tn;
/// // A = [1; 2] (2x1), B = [3; 4] (2x1): Aᵀ B = [11].
/// let mut c = [0.0];
/// gemm_tn(1, 2, 1, &[1.0, 2.0], &[3.0, 4.0], &mut c);
/// assert_eq!(c, [11.0]);
/// ```
pub fn gemm_tn(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    MatmulKernel::for_shape(m, k, n).gemm_tn(m, k, n, a, b, c)
}

/// `C <- op(A) op(B)` for the product `form` (shapes as [`gemm`], [`gemm_nt`], [`gemm_tn`]),
/// `C`'s old entries overwritten and never read: a new product's result, in a buffer that
/// need not be zeroed first. The same bits as the accumulating kernel into zeros.
pub(crate) fn product(
    form: Form,
    (m, k, n): (usize, usize, usize),
    a: &[f64],
    b: &[f64],
    c: &mut [f64],
) {
    let kernel = MatmulKernel::for_shape(m, k, n);
    kernel.run(form, (m, k, n), a, b, (c, Write::Overwrite))
}

/// The naive triple loop `c_ij = sum_p a_ip b_pj`, kept as the oracle for kernel tests.
///
/// ```
/// use tapegrad::linalg::matmul::gemm_naive;
/// let mut c = [0.0; 4];
/// gemm_naive(2, 1, 2, &[1.0, 2.0], &[3.0, 4.0], &mut c);          // outer product
/// assert_eq!(c, [3.0, 4.0, 6.0, 8.0]);
/// ```
pub fn gemm_naive(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0;
            for p in 0..k {
                s += a[i * k + p] * b[p * n + j];
            }
            c[i * n + j] += s;
        }
    }
}
