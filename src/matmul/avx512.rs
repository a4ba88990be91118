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

use super::kernels::Write;
use super::packed::{Edge, Kernels, MR, NR, View};
use std::arch::x86_64::{
    __m512d, __mmask8, _mm512_add_pd, _mm512_fmadd_pd, _mm512_loadu_pd, _mm512_mask_storeu_pd,
    _mm512_maskz_loadu_pd, _mm512_set1_pd, _mm512_setzero_pd, _mm512_shuffle_f64x2,
    _mm512_storeu_pd, _mm512_unpackhi_pd, _mm512_unpacklo_pd,
};

/// The packed driver's AVX-512 pieces, and the direct path's tile.
pub const KERNELS: Kernels = Kernels {
    micro,
    transpose8,
    direct: Some(direct),
};

/// AVX-512F, detected at run time (std caches the CPUID query).
pub fn detected() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
}

/// `c[r ldc + l] += sum_p a_p[r] b_p[l]` for the micro-panels `a` (`kc x MR`) and `b`
/// (`kc x NR`), `r < edge.rows`, `l < edge.cols`, on the smallest register tile that covers
/// the edge: 4 or 8 rows, 8, 16 or 24 columns. A ragged product (the tape's 20 x 64 layers:
/// tiles of 8, 8 and 4 rows, 24, 24 and 16 columns) then does no multiply-adds on padding
/// beyond the next multiple of 4 rows and 8 columns.
///
/// # Safety
/// The CPU must support AVX-512F ([`detected`]).
#[target_feature(enable = "avx512f")]
unsafe fn micro_avx512(a: &[f64], b: &[f64], c: (&mut [f64], Write), edge: Edge) {
    // SAFETY (each call): the caller's contract, AVX-512F, is the tile's.
    unsafe {
        match (edge.rows <= MR / 2, edge.cols.div_ceil(8)) {
            (true, 1) => tile::<4, 1>(a, b, c, edge),
            (true, 2) => tile::<4, 2>(a, b, c, edge),
            (true, _) => tile::<4, 3>(a, b, c, edge),
            (false, 1) => tile::<8, 1>(a, b, c, edge),
            (false, 2) => tile::<8, 2>(a, b, c, edge),
            (false, _) => tile::<8, 3>(a, b, c, edge),
        }
    }
}

/// One register tile of `R` rows and `V` vectors of 8 columns (`R <= MR`, `8 V <= NR`): the
/// first `R` entries of each step of `a`'s panel times the first `8 V` of `b`'s, accumulated in
/// `R V` zmm registers, then added to `c` row by row.
///
/// # Safety
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
unsafe fn tile<const R: usize, const V: usize>(
    a: &[f64],
    b: &[f64],
    (c, write): (&mut [f64], Write),
    edge: Edge,
) {
    let Edge { ldc, rows, cols } = edge;
    let mut acc: [[__m512d; V]; R] = [[_mm512_setzero_pd(); V]; R];
    for (a_p, b_p) in a.chunks_exact(MR).zip(b.chunks_exact(NR)) {
        let b_p: &[f64; NR] = b_p.try_into().expect("NR values");
        let mut bv = [_mm512_setzero_pd(); V];
        for (v, bv_v) in bv.iter_mut().enumerate() {
            // SAFETY: `b_p` is an array of NR = 24 f64 and 8 v + 8 <= 8 V <= 24, so the
            // unaligned 8-lane load reads inside it.
            *bv_v = unsafe { _mm512_loadu_pd(b_p.as_ptr().add(8 * v)) };
        }
        for (acc_r, &a_rp) in acc.iter_mut().zip(a_p) {
            let ar = _mm512_set1_pd(a_rp);
            for (acc_rv, &b_v) in acc_r.iter_mut().zip(&bv) {
                *acc_rv = _mm512_fmadd_pd(ar, b_v, *acc_rv);
            }
        }
    }
    if rows == R && cols == 8 * V {
        for (r, acc_r) in acc.iter().enumerate() {
            let c_r = &mut c[r * ldc..r * ldc + 8 * V]; // bounds-checked: the row is in `c`
            for (c_rv, &acc_rv) in c_r.chunks_exact_mut(8).zip(acc_r) {
                // SAFETY: `c_rv` is a chunk of exactly 8 f64, the width of one unaligned load
                // and one unaligned store.
                unsafe {
                    let sum = match write {
                        Write::Add => _mm512_add_pd(_mm512_loadu_pd(c_rv.as_ptr()), acc_rv),
                        Write::Overwrite => acc_rv, // from +0: the bits of 0 + sum
                    };
                    _mm512_storeu_pd(c_rv.as_mut_ptr(), sum)
                }
            }
        }
        return;
    }
    // A ragged edge: the tile through memory, its valid corner added to `c`. (Indexing the
    // accumulators by a run-time row count would keep them in memory for the whole loop.)
    let mut t = [0.0; MR * NR];
    for (t_r, acc_r) in t.chunks_exact_mut(NR).zip(&acc) {
        for (t_rv, &acc_rv) in t_r.chunks_exact_mut(8).zip(acc_r) {
            // SAFETY: `t_rv` is a chunk of exactly 8 f64, the width of one unaligned store.
            unsafe { _mm512_storeu_pd(t_rv.as_mut_ptr(), acc_rv) }
        }
    }
    for (r, t_r) in t.chunks_exact(NR).take(rows).enumerate() {
        for (c_rl, &t_rl) in c[r * ldc..r * ldc + cols].iter_mut().zip(t_r) {
            write.put(c_rl, t_rl);
        }
    }
}

/// [`micro_avx512`] for the driver.
///
/// # Panics
/// If this CPU lacks AVX-512F (the check is a cached load, against ~50k flops per call).
pub fn micro(a: &[f64], b: &[f64], c: (&mut [f64], Write), edge: Edge) {
    assert!(
        detected(),
        "matmul: the AVX-512 kernel needs a CPU with AVX-512F"
    );
    // SAFETY: `detected()` just confirmed AVX-512F, the feature `micro_avx512` is compiled
    // with; the function itself reads and writes only through the slices it is given.
    unsafe { micro_avx512(a, b, c, edge) }
}

/// The direct path's tile ([`super::direct::Direct`]): `c[r ldc + l] += sum_p a(r, p) b[p ldb + l]`
/// (or `=`, for [`Write::Overwrite`]) for `r < edge.rows <= MR`, `l < edge.cols <= NR`,
/// `p < kc`, with `a(r, p)` broadcast from `A` in place. The rows are covered by register tiles of 8, 4, 2 and 1 rows (as many as
/// `edge.rows` has in binary), each of 1, 2 or 3 vectors of 8 columns, the last one loaded and
/// stored through a mask when `edge.cols` is not a multiple of 8.
///
/// # Panics
/// If this CPU lacks AVX-512F, or a slice is too short for the entries the tile reads or
/// writes.
pub fn direct(a: View<'_>, b: (&[f64], usize), kc: usize, c: (&mut [f64], Write), edge: Edge) {
    let (c, write) = c;
    let Edge { ldc, rows, cols } = edge;
    assert!(
        detected(),
        "matmul: the AVX-512 kernel needs a CPU with AVX-512F"
    );
    assert!(
        (1..=MR).contains(&rows) && (1..=NR).contains(&cols),
        "direct: a {rows} x {cols} tile"
    );
    let (b, ldb) = b;
    let last_a = (rows - 1) * a.rs + kc.saturating_sub(1) * a.cs;
    assert!(
        kc == 0 || (last_a < a.data.len() && (kc - 1) * ldb + cols <= b.len()),
        "direct: {} values of A or {} of B are too few for a {rows} x {kc} by {kc} x {cols} tile",
        a.data.len(),
        b.len()
    );
    assert!(
        (rows - 1) * ldc + cols <= c.len(),
        "direct: {} values of C are too few for {rows} rows of {cols}, {ldc} apart",
        c.len()
    );
    let mut r0 = 0;
    for height in [8, 4, 2, 1] {
        if rows & height == 0 {
            continue;
        }
        let a_r0 = View {
            data: &a.data[r0 * a.rs..],
            ..a
        };
        let c_r0 = &mut c[r0 * ldc..];
        // SAFETY: AVX-512F was just detected; the asserts above put every entry the tile reads
        // (rows r0 .. r0 + height of A and C, kc rows of B, `cols` columns) inside the slices.
        unsafe {
            match (height, cols.div_ceil(8)) {
                (8, 1) => direct_tile::<8, 1>(a_r0, (b, ldb), kc, (c_r0, write), edge),
                (8, 2) => direct_tile::<8, 2>(a_r0, (b, ldb), kc, (c_r0, write), edge),
                (8, _) => direct_tile::<8, 3>(a_r0, (b, ldb), kc, (c_r0, write), edge),
                (4, 1) => direct_tile::<4, 1>(a_r0, (b, ldb), kc, (c_r0, write), edge),
                (4, 2) => direct_tile::<4, 2>(a_r0, (b, ldb), kc, (c_r0, write), edge),
                (4, _) => direct_tile::<4, 3>(a_r0, (b, ldb), kc, (c_r0, write), edge),
                (2, 1) => direct_tile::<2, 1>(a_r0, (b, ldb), kc, (c_r0, write), edge),
                (2, 2) => direct_tile::<2, 2>(a_r0, (b, ldb), kc, (c_r0, write), edge),
                (2, _) => direct_tile::<2, 3>(a_r0, (b, ldb), kc, (c_r0, write), edge),
                (_, 1) => direct_tile::<1, 1>(a_r0, (b, ldb), kc, (c_r0, write), edge),
                (_, 2) => direct_tile::<1, 2>(a_r0, (b, ldb), kc, (c_r0, write), edge),
                (_, _) => direct_tile::<1, 3>(a_r0, (b, ldb), kc, (c_r0, write), edge),
            }
        }
        r0 += height;
    }
}

/// `R` rows of the direct tile, `V` vectors wide: `acc[r][v] += a(r, p) b[p ldb + 8 v ..]` over
/// `p < kc`, in `R V` zmm registers, then added into `c`; lanes at or past `edge.cols` are
/// neither loaded nor stored.
///
/// # Safety
/// The CPU must support AVX-512F; `a(r, p)` for `r < R`, `p < kc` must lie in `a.data`,
/// `b[p ldb + l]` and `c[r ldc + l]` for `l < edge.cols` in `b` and `c`, and
/// `8 (V - 1) < edge.cols <= 8 V`.
#[target_feature(enable = "avx512f")]
unsafe fn direct_tile<const R: usize, const V: usize>(
    a: View<'_>,
    (b, ldb): (&[f64], usize),
    kc: usize,
    (c, write): (&mut [f64], Write),
    edge: Edge,
) {
    let Edge { ldc, cols, .. } = edge;
    // The lanes of the last vector that lie in C.
    let last: __mmask8 = 0xff >> (8 * V - cols);
    let (ap, bp) = (a.data.as_ptr(), b.as_ptr());
    let mut acc: [[__m512d; V]; R] = [[_mm512_setzero_pd(); V]; R];
    for p in 0..kc {
        let mut bv = [_mm512_setzero_pd(); V];
        for (v, bv_v) in bv.iter_mut().enumerate() {
            // SAFETY: row p of B from column 8 v is in `b` (the caller's contract); the last
            // vector reads only the lanes below `cols`, through the mask.
            *bv_v = unsafe {
                let at = bp.add(p * ldb + 8 * v);
                if v + 1 < V {
                    _mm512_loadu_pd(at)
                } else {
                    _mm512_maskz_loadu_pd(last, at)
                }
            };
        }
        for (r, acc_r) in acc.iter_mut().enumerate() {
            // SAFETY: a(r, p) lies in `a.data` for r < R, p < kc (the caller's contract).
            let ar = _mm512_set1_pd(unsafe { *ap.add(r * a.rs + p * a.cs) });
            for (acc_rv, &b_v) in acc_r.iter_mut().zip(&bv) {
                *acc_rv = _mm512_fmadd_pd(ar, b_v, *acc_rv);
            }
        }
    }
    for (r, acc_r) in acc.iter().enumerate() {
        for (v, &acc_rv) in acc_r.iter().enumerate() {
            // SAFETY: row r of C from column 8 v is in `c` (the caller's contract); the last
            // vector reads and writes only the lanes below `cols`, through the mask.
            unsafe {
                let at = c.as_mut_ptr().add(r * ldc + 8 * v);
                let lanes = if v + 1 < V { 0xff } else { last };
                let sum = match write {
                    Write::Add => _mm512_add_pd(_mm512_maskz_loadu_pd(lanes, at), acc_rv),
                    Write::Overwrite => acc_rv,
                };
                // (A whole vector by a plain store: masked stores cost more.)
                if v + 1 < V {
                    _mm512_storeu_pd(at, sum);
                } else {
                    _mm512_mask_storeu_pd(at, last, sum);
                }
            }
        }
    }
}

/// `dst[c ds + r] = src[r ss + c]` for `r, c < 8`: eight rows loaded, transposed in registers
/// (pairs interleaved within 128-bit lanes, then the lanes gathered across registers in two
/// rounds of `shuffle_f64x2`), eight rows stored.
///
/// # Safety
/// The CPU must support AVX-512F, `src` must hold `7 ss + 8` values and `dst` `7 ds + 8`.
#[target_feature(enable = "avx512f")]
unsafe fn transpose8_avx512(src: &[f64], ss: usize, dst: &mut [f64], ds: usize) {
    let mut r = [_mm512_setzero_pd(); 8];
    for (i, r_i) in r.iter_mut().enumerate() {
        // SAFETY: row i is src[i ss .. i ss + 8], inside `src` (the caller's contract, checked
        // by `transpose8`).
        *r_i = unsafe { _mm512_loadu_pd(src.as_ptr().add(i * ss)) };
    }
    // t[2q] = (r[2q][0] r[2q+1][0] | r[2q][2] r[2q+1][2] | ...), t[2q+1] the odd columns.
    let mut t = [_mm512_setzero_pd(); 8];
    for q in 0..4 {
        t[2 * q] = _mm512_unpacklo_pd(r[2 * q], r[2 * q + 1]);
        t[2 * q + 1] = _mm512_unpackhi_pd(r[2 * q], r[2 * q + 1]);
    }
    // For the even columns (t[0], t[2], t[4], t[6]) and the odd ones (t[1], t[3], t[5], t[7]):
    // lanes 0 and 2, then 1 and 3, of two registers side by side; once more to finish.
    const EVEN: i32 = 0b10_00_10_00;
    const ODD: i32 = 0b11_01_11_01;
    let mut col = [_mm512_setzero_pd(); 8];
    for h in 0..2 {
        let (a, b, c, d) = (t[h], t[h + 2], t[h + 4], t[h + 6]);
        let u0 = _mm512_shuffle_f64x2::<EVEN>(a, b);
        let u1 = _mm512_shuffle_f64x2::<ODD>(a, b);
        let u2 = _mm512_shuffle_f64x2::<EVEN>(c, d);
        let u3 = _mm512_shuffle_f64x2::<ODD>(c, d);
        col[h] = _mm512_shuffle_f64x2::<EVEN>(u0, u2);
        col[h + 4] = _mm512_shuffle_f64x2::<ODD>(u0, u2);
        col[h + 2] = _mm512_shuffle_f64x2::<EVEN>(u1, u3);
        col[h + 6] = _mm512_shuffle_f64x2::<ODD>(u1, u3);
    }
    for (c, col_c) in col.iter().enumerate() {
        // SAFETY: row c of `dst` is dst[c ds .. c ds + 8], inside `dst` (as above).
        unsafe { _mm512_storeu_pd(dst.as_mut_ptr().add(c * ds), *col_c) };
    }
}

/// [`transpose8_avx512`] for the packing.
///
/// # Panics
/// If this CPU lacks AVX-512F, or a slice is too short for eight rows of eight.
pub fn transpose8(src: &[f64], ss: usize, dst: &mut [f64], ds: usize) {
    assert!(
        detected(),
        "matmul: the AVX-512 packing needs a CPU with AVX-512F"
    );
    assert!(
        src.len() >= 7 * ss + 8 && dst.len() >= 7 * ds + 8,
        "transpose8: {} and {} values cannot hold 8 rows {ss} and {ds} apart",
        src.len(),
        dst.len()
    );
    // SAFETY: AVX-512F was just detected, and both slices were checked to hold the eight rows
    // of eight values the function reads and writes.
    unsafe { transpose8_avx512(src, ss, dst, ds) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose8_matches_the_portable_one() {
        if !detected() {
            eprintln!("skipped: this CPU has no AVX-512F");
            return;
        }
        let src: Vec<f64> = (0..8 * 11).map(|x| x as f64).collect();
        let (mut got, mut want) = (vec![-1.0; 7 * 9 + 8], vec![-1.0; 7 * 9 + 8]);
        transpose8(&src, 11, &mut got, 9);
        super::super::packed::transpose8_portable(&src, 11, &mut want, 9);
        assert_eq!(got, want);
    }

    /// The AVX-512 micro-kernel gives the portable one's bits (fused, compiled for FMA) at
    /// every edge, adding to `C` and writing over it.
    #[test]
    fn micro_matches_the_portable_one() {
        if !detected() {
            eprintln!("skipped: this CPU has no AVX-512F");
            return;
        }
        let kc = 7;
        let a: Vec<f64> = (0..kc * MR).map(|x| (x as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = (0..kc * NR).map(|x| (x as f64 * 0.11).cos()).collect();
        every_edge(29, |edge, write| {
            let (mut got, mut want) = (vec![0.25; MR * 29], vec![0.25; MR * 29]);
            micro(&a, &b, (&mut got, write), edge);
            super::super::packed::micro_body::<true>(&a, &b, (&mut want, write), edge);
            assert_eq!(got, want, "{edge:?}, {write:?}");
        });
    }

    /// `f` at every edge of a tile (1..=MR rows, 1..=NR columns, rows `ldc` apart) and both
    /// write modes.
    fn every_edge(ldc: usize, mut f: impl FnMut(Edge, Write)) {
        for rows in 1..=MR {
            for cols in 1..=NR {
                for write in [Write::Add, Write::Overwrite] {
                    f(Edge { ldc, rows, cols }, write);
                }
            }
        }
    }

    /// The AVX-512 direct tile gives the portable tile's bits (fused, as the AVX-512 one is) at
    /// every height 1..=8 and width 1..=24, with `A` read by rows and by columns.
    #[test]
    fn direct_tile_matches_the_portable_one() {
        if !detected() {
            eprintln!("skipped: this CPU has no AVX-512F");
            return;
        }
        let kc = 13;
        let a: Vec<f64> = (0..8 * kc).map(|x| (x as f64 * 0.7).sin()).collect();
        let b: Vec<f64> = (0..kc * 30).map(|x| (x as f64 * 0.3).cos()).collect();
        for (rs, cs) in [(kc, 1), (1, 8)] {
            let view = View { data: &a, rs, cs };
            every_edge(27, |edge, write| {
                let (mut got, mut want) = (vec![0.5; 8 * 27], vec![0.5; 8 * 27]);
                direct(view, (&b, 30), kc, (&mut got, write), edge);
                let body = super::super::direct::direct_body::<true>;
                body(view, (&b, 30), kc, (&mut want, write), edge);
                assert_eq!(got, want, "{edge:?}, A ({rs}, {cs}), {write:?}");
            });
        }
    }
}
