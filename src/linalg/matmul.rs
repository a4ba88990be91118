//! Matrix multiplication kernels, all row-major and accumulating into `C`:
//! - [`gemm`]: `C <- C + A B` for `A (m x k)`, `B (k x n)`, `C (m x n)`;
//! - [`gemm_nt`]: `C <- C + A B^T` for `A (m x k)`, `B (n x k)` (the backward rule `dA = dY B^T`);
//! - [`gemm_tn`]: `C <- C + A^T B` for `A (k x m)`, `B (k x n)` (the backward rule `dB = A^T dY`).
//!
//! The transposed variants read their operands in place, so the backward pass of a matmul
//! never copies a transpose.
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
    if n == 1 {
        // A matrix-vector product: each c_i is a dot product of two contiguous slices.
        for (i, c_i) in c[..m].iter_mut().enumerate() {
            *c_i += dot(&a[i * k..i * k + k], &b[..k]);
        }
    } else {
        gemm_portable(m, k, n, a, b, c);
    }
}

/// `C <- C + A B^T` where `A` is `m x k`, `B` is `n x k`, `C` is `m x n`: `c_ij += a_i . b_j`,
/// a dot product of two contiguous rows.
///
/// # Panics
/// If a slice is shorter than its shape says.
pub fn gemm_nt(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    assert!(
        a.len() >= m * k && b.len() >= n * k && c.len() >= m * n,
        "gemm_nt: slices of length {}, {}, {} are too short for m={m}, k={k}, n={n}",
        a.len(),
        b.len(),
        c.len()
    );
    for i in 0..m {
        let a_i = &a[i * k..i * k + k];
        for (j, c_ij) in c[i * n..i * n + n].iter_mut().enumerate() {
            *c_ij += dot(a_i, &b[j * k..j * k + k]);
        }
    }
}

/// `C <- C + A^T B` where `A` is `k x m`, `B` is `k x n`, `C` is `m x n`:
/// for each `p`, row `i` of `C` gains `a_pi` times row `p` of `B`.
///
/// # Panics
/// If a slice is shorter than its shape says.
pub fn gemm_tn(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    assert!(
        a.len() >= k * m && b.len() >= k * n && c.len() >= m * n,
        "gemm_tn: slices of length {}, {}, {} are too short for m={m}, k={k}, n={n}",
        a.len(),
        b.len(),
        c.len()
    );
    for p in 0..k {
        let b_p = &b[p * n..p * n + n];
        for (i, &a_pi) in a[p * m..p * m + m].iter().enumerate() {
            for (c_ij, &b_pj) in c[i * n..i * n + n].iter_mut().zip(b_p) {
                *c_ij += a_pi * b_pj;
            }
        }
    }
}

/// `sum_p x_p y_p`, with four partial sums so the compiler can vectorize it.
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (xc, yc) = (x.chunks_exact(4), y.chunks_exact(4));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (xs, ys) in xc.zip(yc) {
        for l in 0..4 {
            acc[l] += xs[l] * ys[l];
        }
    }
    let tail: f64 = xr.iter().zip(yr).map(|(a, b)| a * b).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
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
