//! Matrix multiplication kernels: `C <- C + A B` for row-major `A (m x k)`, `B (k x n)`,
//! `C (m x n)`.
//!
//! The portable kernel walks `i, p, j` so the innermost loop streams a row of `B` and a row
//! of `C` contiguously (`c_ij += a_ip b_pj`), which the compiler vectorizes, and it blocks
//! over `p` and `j` so that a panel of `B` stays in cache while every row of `A` uses it.

/// Columns of `C` (and `B`) in one cache block.
const NC: usize = 256;
/// Rows of `B` (columns of `A`) in one cache block.
const KC: usize = 128;

/// `C <- C + A B` where `A` is `m x k`, `B` is `k x n`, `C` is `m x n`, all row-major.
///
/// # Panics
/// If a slice is shorter than its shape says.
pub fn gemm(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n,
        "gemm: slices of length {}, {}, {} are too short for m={m}, k={k}, n={n}",
        a.len(),
        b.len(),
        c.len()
    );
    gemm_portable(m, k, n, a, b, c);
}

/// The safe portable kernel, blocked over `k` and `n`; the reference the tests use.
pub fn gemm_portable(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    for j0 in (0..n).step_by(NC) {
        let j1 = (j0 + NC).min(n);
        for p0 in (0..k).step_by(KC) {
            let p1 = (p0 + KC).min(k);
            for i in 0..m {
                let c_row = &mut c[i * n + j0..i * n + j1];
                let a_row = &a[i * k..i * k + k];
                for p in p0..p1 {
                    let a_ip = a_row[p];
                    let b_row = &b[p * n + j0..p * n + j1];
                    for (c_ij, &b_pj) in c_row.iter_mut().zip(b_row) {
                        *c_ij += a_ip * b_pj;
                    }
                }
            }
        }
    }
}

/// The naive triple loop `c_ij = sum_p a_ip b_pj`, kept as the oracle for kernel tests.
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
