//! Matrix multiplication kernels, all row-major and accumulating into `C`:
//! - [`gemm`]: `C <- C + A B` for `A (m x k)`, `B (k x n)`, `C (m x n)`;
//! - [`gemm_nt`]: `C <- C + A B^T` for `A (m x k)`, `B (n x k)` (the rule `dA = dY B^T`, and a
//!   linear layer's `x W^T`);
//! - [`gemm_tn`]: `C <- C + A^T B` for `A (k x m)`, `B (k x n)` (the rule `dB = A^T dY`).
//!
//! The transposed variants read their operands in place, so the backward pass of a matmul
//! never copies a transpose.
//!
//! # Loops
//! `gemm` is blocked over `p` and `j` so that a panel of `B` stays in cache while every row of
//! `A` uses it. Inside a block, `C` is computed in register tiles of 4 rows x 8 columns
//! (`acc_rl += a_rp b_pl`, summed over `p`, then added to `C`), so each value loaded is used
//! several times; the ragged edges stream a row of `B` into a row of `C`. A matrix-vector
//! product (`n = 1`) is a dot product per row.
//! `gemm_nt` is a dot product of two contiguous rows per entry for a few rows of `A`, and for
//! more it transposes `B` once and runs the `gemm` loops; `gemm_tn` adds `a_pi` times row `p`
//! of `B` to row `i` of `C`.
//!
//! # Two compilations of the same loops
//! Each kernel is written once, generic over whether it fuses `c + a b` into one rounding
//! (`mul_add`). The portable path (`*_portable`, plain `c + a b`) is what every target runs
//! and what the tests compare against. On x86_64 CPUs with AVX2 and FMA, detected at run
//! time, the same loops are compiled with those features enabled and fused multiply-adds,
//! which the compiler vectorizes four lanes wide. The only `unsafe` in the crate is the call
//! into those functions, after the detection that makes it sound.

/// Columns of `C` (and `B`) in one cache block.
const NC: usize = 256;
/// Rows of `B` (columns of `A`) in one cache block.
const KC: usize = 128;
/// From this many rows of `A`, and this many multiply-adds `m n k`, on, `A B^T` transposes
/// `B` and runs the `A B` loops (below, the copy's allocation costs more than it saves).
const NT_TRANSPOSE_MIN_ROWS: usize = 4;
const NT_TRANSPOSE_MIN_WORK: usize = 4096;

/// `c + a b`, fused into one rounding when `FMA` (the SIMD path), two roundings otherwise.
#[inline(always)]
fn madd<const FMA: bool>(c: f64, a: f64, b: f64) -> f64 {
    if FMA { a.mul_add(b, c) } else { c + a * b }
}

/// `sum_p x_p y_p`, with four partial sums so that it vectorizes.
#[inline(always)]
fn dot<const FMA: bool>(x: &[f64], y: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let (xc, yc) = (x.chunks_exact(4), y.chunks_exact(4));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (xs, ys) in xc.zip(yc) {
        for l in 0..4 {
            acc[l] = madd::<FMA>(acc[l], xs[l], ys[l]);
        }
    }
    let mut tail = 0.0;
    for (a, b) in xr.iter().zip(yr) {
        tail = madd::<FMA>(tail, *a, *b);
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[inline(always)]
fn gemm_body<const FMA: bool>(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    if n == 1 {
        for (i, c_i) in c[..m].iter_mut().enumerate() {
            *c_i += dot::<FMA>(&a[i * k..i * k + k], &b[..k]);
        }
        return;
    }
    for j0 in (0..n).step_by(NC) {
        let j1 = (j0 + NC).min(n);
        for p0 in (0..k).step_by(KC) {
            let p1 = (p0 + KC).min(k);
            let block = Block { k, n, p0, p1 };
            // Pack the full NR-column strips of this panel of B contiguously, p by p, so a
            // tile reads it sequentially (no cache-set conflicts at power-of-two strides).
            let strips = (j1 - j0) / NR;
            let packed = if m >= PACK_MIN_ROWS && strips > 0 {
                pack_b(&block, b, j0, strips)
            } else {
                Vec::new()
            };
            // Tiles of MR rows x NR columns held in registers; the ragged edges row by row.
            let mut i = 0;
            while i + MR <= m {
                let mut j = j0;
                for s in 0..strips {
                    let strip = if packed.is_empty() {
                        Strip {
                            values: &b[j..],
                            stride: n,
                            first: 0,
                        }
                    } else {
                        let len = (p1 - p0) * NR;
                        Strip {
                            values: &packed[s * len..(s + 1) * len],
                            stride: NR,
                            first: p0,
                        }
                    };
                    tile::<FMA>(&block, a, &strip, c, i, j);
                    j += NR;
                }
                for r in i..i + MR {
                    row::<FMA>(&block, a, b, c, r, j, j1);
                }
                i += MR;
            }
            for r in i..m {
                row::<FMA>(&block, a, b, c, r, j0, j1);
            }
        }
    }
}

/// `NR` columns of `B`: row `p` starts at `(p − first) · stride` in `values` (unpacked: `B`
/// itself from column `j`, stride `n`, first 0; packed: stride `NR`, first `p0`).
struct Strip<'b> {
    values: &'b [f64],
    stride: usize,
    first: usize,
}

/// The `strips` full `NR`-column strips of `B[p0..p1, j0..]`, each stored `p` by `p`:
/// strip `s`, row `p` holds `B[p0 + p, j0 + s NR .. j0 + (s+1) NR]`.
fn pack_b(blk: &Block, b: &[f64], j0: usize, strips: usize) -> Vec<f64> {
    let mut packed = Vec::with_capacity(strips * (blk.p1 - blk.p0) * NR);
    for s in 0..strips {
        let j = j0 + s * NR;
        for p in blk.p0..blk.p1 {
            packed.extend_from_slice(&b[p * blk.n + j..p * blk.n + j + NR]);
        }
    }
    packed
}

/// Rows of `C` in one register tile.
const MR: usize = 4;
/// Columns of `C` in one register tile (two AVX2 registers of four f64).
const NR: usize = 8;
/// From this many rows of `A` on, a panel of `B` is packed before the tiles use it (below,
/// the copy costs more than the sequential reads save: W3's 20-row products got slower).
const PACK_MIN_ROWS: usize = 32;

/// The shape of `A B` and the slice `p0..p1` of the inner dimension being summed.
struct Block {
    k: usize,
    n: usize,
    p0: usize,
    p1: usize,
}

/// `C[i..i+MR, j..j+NR] += A[i..i+MR, p0..p1] B[p0..p1, j..j+NR]`, accumulated in an
/// `MR x NR` array that the compiler keeps in registers: each `b_pj` loaded is used `MR`
/// times and each `a_ip` `NR` times.
#[inline(always)]
fn tile<const FMA: bool>(
    blk: &Block,
    a: &[f64],
    strip: &Strip<'_>,
    c: &mut [f64],
    i: usize,
    j: usize,
) {
    let (k, n) = (blk.k, blk.n);
    let mut acc = [[0.0f64; NR]; MR];
    for p in blk.p0..blk.p1 {
        let at = (p - strip.first) * strip.stride;
        let b_p: &[f64; NR] = strip.values[at..at + NR].try_into().expect("NR values");
        for (r, acc_r) in acc.iter_mut().enumerate() {
            let a_rp = a[(i + r) * k + p];
            for (acc_rl, &b_pl) in acc_r.iter_mut().zip(b_p) {
                *acc_rl = madd::<FMA>(*acc_rl, a_rp, b_pl);
            }
        }
    }
    for (r, acc_r) in acc.iter().enumerate() {
        for (c_rl, &v) in c[(i + r) * n + j..(i + r) * n + j + NR]
            .iter_mut()
            .zip(acc_r)
        {
            *c_rl += v;
        }
    }
}

/// `C[r, j0..j1] += A[r, p0..p1] B[p0..p1, j0..j1]`, one row at a time: `c_rj += a_rp b_pj`.
#[inline(always)]
fn row<const FMA: bool>(
    blk: &Block,
    a: &[f64],
    b: &[f64],
    c: &mut [f64],
    r: usize,
    j0: usize,
    j1: usize,
) {
    let (k, n) = (blk.k, blk.n);
    let c_row = &mut c[r * n + j0..r * n + j1];
    for p in blk.p0..blk.p1 {
        let a_rp = a[r * k + p];
        for (c_rj, &b_pj) in c_row.iter_mut().zip(&b[p * n + j0..p * n + j1]) {
            *c_rj = madd::<FMA>(*c_rj, a_rp, b_pj);
        }
    }
}

#[inline(always)]
fn gemm_nt_body<const FMA: bool>(
    m: usize,
    k: usize,
    n: usize,
    a: &[f64],
    b: &[f64],
    c: &mut [f64],
) {
    if m >= NT_TRANSPOSE_MIN_ROWS && n > 1 && m * n * k >= NT_TRANSPOSE_MIN_WORK {
        // Transpose B once (n k copies) and stream its rows: cheaper than m n separate dot
        // products, each ending in a horizontal sum, once m is more than a few rows.
        let mut bt = vec![0.0; k * n];
        for j in 0..n {
            for p in 0..k {
                bt[p * n + j] = b[j * k + p];
            }
        }
        gemm_body::<FMA>(m, k, n, a, &bt, c);
        return;
    }
    for i in 0..m {
        let a_i = &a[i * k..i * k + k];
        for (j, c_ij) in c[i * n..i * n + n].iter_mut().enumerate() {
            *c_ij += dot::<FMA>(a_i, &b[j * k..j * k + k]);
        }
    }
}

#[inline(always)]
fn gemm_tn_body<const FMA: bool>(
    m: usize,
    k: usize,
    n: usize,
    a: &[f64],
    b: &[f64],
    c: &mut [f64],
) {
    if n == 1 {
        // Aᵀ b: c gains b_p times row p of A, for each p (contiguous, so it vectorizes).
        for (p, &b_p) in b[..k].iter().enumerate() {
            for (c_i, &a_pi) in c[..m].iter_mut().zip(&a[p * m..p * m + m]) {
                *c_i = madd::<FMA>(*c_i, a_pi, b_p);
            }
        }
        return;
    }
    for p in 0..k {
        let b_p = &b[p * n..p * n + n];
        for (i, &a_pi) in a[p * m..p * m + m].iter().enumerate() {
            for (c_ij, &b_pj) in c[i * n..i * n + n].iter_mut().zip(b_p) {
                *c_ij = madd::<FMA>(*c_ij, a_pi, b_pj);
            }
        }
    }
}

fn check(
    name: &str,
    (la, lb, lc): (usize, usize, usize),
    a: &[f64],
    b: &[f64],
    c: &[f64],
    mkn: (usize, usize, usize),
) {
    let (m, k, n) = mkn;
    assert!(
        a.len() >= la && b.len() >= lb && c.len() >= lc,
        "{name}: slices of length {}, {}, {} are too short for m={m}, k={k}, n={n}",
        a.len(),
        b.len(),
        c.len()
    );
}

/// A kernel's signature: `(m, k, n, a, b, c)`.
type Kernel = fn(usize, usize, usize, &[f64], &[f64], &mut [f64]);

/// The SIMD compilation of a kernel if this CPU has it, the portable one otherwise.
fn pick(simd: Kernel, portable: Kernel) -> Kernel {
    if simd::detected() { simd } else { portable }
}

/// `C <- C + A B` where `A` is `m x k`, `B` is `k x n`, `C` is `m x n`, all row-major.
///
/// # Panics
/// If a slice is shorter than its shape says.
pub fn gemm(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    check("gemm", (m * k, k * n, m * n), a, b, c, (m, k, n));
    pick(simd::gemm, gemm_body::<false>)(m, k, n, a, b, c)
}

/// `C <- C + A B^T` where `A` is `m x k`, `B` is `n x k`, `C` is `m x n`: `c_ij += a_i . b_j`.
///
/// # Panics
/// If a slice is shorter than its shape says.
pub fn gemm_nt(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    check("gemm_nt", (m * k, n * k, m * n), a, b, c, (m, k, n));
    pick(simd::gemm_nt, gemm_nt_body::<false>)(m, k, n, a, b, c)
}

/// `C <- C + A^T B` where `A` is `k x m`, `B` is `k x n`, `C` is `m x n`.
///
/// # Panics
/// If a slice is shorter than its shape says.
pub fn gemm_tn(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    check("gemm_tn", (k * m, k * n, m * n), a, b, c, (m, k, n));
    pick(simd::gemm_tn, gemm_tn_body::<false>)(m, k, n, a, b, c)
}

/// [`gemm`] on the portable path, whatever the CPU: the reference for the SIMD path.
///
/// # Panics
/// If a slice is shorter than its shape says.
pub fn gemm_portable(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    check("gemm_portable", (m * k, k * n, m * n), a, b, c, (m, k, n));
    gemm_body::<false>(m, k, n, a, b, c)
}

/// [`gemm_nt`] on the portable path.
///
/// # Panics
/// If a slice is shorter than its shape says.
pub fn gemm_nt_portable(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    check(
        "gemm_nt_portable",
        (m * k, n * k, m * n),
        a,
        b,
        c,
        (m, k, n),
    );
    gemm_nt_body::<false>(m, k, n, a, b, c)
}

/// [`gemm_tn`] on the portable path.
///
/// # Panics
/// If a slice is shorter than its shape says.
pub fn gemm_tn_portable(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
    check(
        "gemm_tn_portable",
        (k * m, k * n, m * n),
        a,
        b,
        c,
        (m, k, n),
    );
    gemm_tn_body::<false>(m, k, n, a, b, c)
}

/// True if this CPU runs the SIMD path (x86_64 with AVX2 and FMA).
pub fn simd_available() -> bool {
    simd::detected()
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

/// The SIMD path: the same loop bodies compiled with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod simd {
    use super::{gemm_body, gemm_nt_body, gemm_tn_body};

    /// AVX2 and FMA, detected once per call (std caches the CPUID query).
    pub fn detected() -> bool {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }

    #[target_feature(enable = "avx2,fma")]
    fn gemm_avx2(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        gemm_body::<true>(m, k, n, a, b, c)
    }

    #[target_feature(enable = "avx2,fma")]
    fn gemm_nt_avx2(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        gemm_nt_body::<true>(m, k, n, a, b, c)
    }

    #[target_feature(enable = "avx2,fma")]
    fn gemm_tn_avx2(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        gemm_tn_body::<true>(m, k, n, a, b, c)
    }

    pub fn gemm(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        debug_assert!(detected());
        // SAFETY: the callers in `super` reach this only after `detected()` returned true, so
        // the CPU supports AVX2 and FMA, the features `gemm_avx2` is compiled with. The
        // function itself is safe Rust (bounds-checked slices).
        unsafe { gemm_avx2(m, k, n, a, b, c) }
    }

    pub fn gemm_nt(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        debug_assert!(detected());
        // SAFETY: as in `gemm`: reached only after `detected()` confirmed AVX2 and FMA.
        unsafe { gemm_nt_avx2(m, k, n, a, b, c) }
    }

    pub fn gemm_tn(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        debug_assert!(detected());
        // SAFETY: as in `gemm`: reached only after `detected()` confirmed AVX2 and FMA.
        unsafe { gemm_tn_avx2(m, k, n, a, b, c) }
    }
}

/// No SIMD path on other architectures: everything runs the portable loops.
#[cfg(not(target_arch = "x86_64"))]
mod simd {
    pub fn detected() -> bool {
        false
    }
    pub fn gemm(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        super::gemm_body::<false>(m, k, n, a, b, c)
    }
    pub fn gemm_nt(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        super::gemm_nt_body::<false>(m, k, n, a, b, c)
    }
    pub fn gemm_tn(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        super::gemm_tn_body::<false>(m, k, n, a, b, c)
    }
}
