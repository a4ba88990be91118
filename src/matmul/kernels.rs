//! The loop bodies, written once and generic over fused multiply-add; see the module docs of
//! [`super`] for the blocking and the register tiles.

use super::scratch::{self, Slot};
use super::small::Layout::{AsStored, Transposed};
use super::small::{SMALL_SIDE, is_small, small};

/// Columns of `C` (and `B`) in one cache block.
pub(super) const NC: usize = 256;
/// Rows of `B` (columns of `A`) in one cache block.
pub(super) const KC: usize = 128;
/// From this many rows of `A`, and this many multiply-adds `m n k`, on, `A B^T` transposes
/// `B` and runs the `A B` loops (below, the copy's allocation costs more than it saves).
pub(super) const NT_TRANSPOSE_MIN_ROWS: usize = 4;
pub(super) const NT_TRANSPOSE_MIN_WORK: usize = 4096;

/// How a kernel puts its product into `C`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Write {
    /// `C <- C + A B` (the public kernels, and a factorization's updates).
    Add,
    /// `C <- A B`, `C`'s old entries never read (a new product's result: no zeroing first).
    /// Each sum starts from `+0`, so an entry gets the bits `0 + sum` would have given.
    Overwrite,
}

impl Write {
    /// `c <- c + v`, or `c <- v`.
    #[inline(always)]
    pub(crate) fn put(self, c: &mut f64, v: f64) {
        match self {
            Write::Add => *c += v,
            Write::Overwrite => *c = v,
        }
    }

    /// Where a sum into `c` starts at its `first` step: from 0 for an overwrite (the bits
    /// zeroing `C` first would give, without that pass over `C`), else from `c`.
    #[inline(always)]
    pub(super) fn start(self, first: bool, c: f64) -> f64 {
        if first && self == Write::Overwrite {
            0.0
        } else {
            c
        }
    }

    /// For [`Write::Overwrite`], zeros the `m x n` block of `C` (rows `ldc` apart): what a loop
    /// that only adds needs before it writes a new product.
    pub(super) fn zero_if_overwrite(self, (c, ldc): (&mut [f64], usize), (m, n): (usize, usize)) {
        if self != Write::Overwrite {
            return;
        }
        if ldc == n {
            c[..m * n].fill(0.0); // one run: a whole matrix
        } else {
            for row in c.chunks_mut(ldc).take(m) {
                row[..n].fill(0.0);
            }
        }
    }
}

/// `c + a b`, fused into one rounding when `FMA` (the SIMD path), two roundings otherwise.
#[inline(always)]
pub(super) fn madd<const FMA: bool>(c: f64, a: f64, b: f64) -> f64 {
    if FMA { a.mul_add(b, c) } else { c + a * b }
}

/// `sum_p x_p y_p`, with four partial sums so that it vectorizes.
#[inline(always)]
pub(super) fn dot<const FMA: bool>(x: &[f64], y: &[f64]) -> f64 {
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
pub(super) fn gemm_body<const FMA: bool>(
    (m, k, n): (usize, usize, usize),
    a: &[f64],
    b: &[f64],
    (c, write): (&mut [f64], Write),
) {
    if is_small(n) {
        return small::<FMA>((m, k, n), (a, AsStored), (b, AsStored), c, write);
    }
    if n == 1 {
        return matvec::<FMA>(m, k, a, &b[..k], c, write);
    }
    for j0 in (0..n).step_by(NC) {
        let j1 = (j0 + NC).min(n);
        for p0 in (0..k).step_by(KC) {
            let p1 = (p0 + KC).min(k);
            // The first block of the inner dimension writes over C, later ones add.
            let write = if p0 == 0 { write } else { Write::Add };
            let block = Block { k, n, p0, p1 };
            // Pack the full NR-column strips of this panel of B contiguously, p by p, so a
            // tile reads it sequentially (no cache-set conflicts at power-of-two strides).
            let strips = (j1 - j0) / NR;
            let mut packed = scratch::take(Slot::Strips);
            packed.clear(); // empty: the strips are read from `B` in place
            if m >= PACK_MIN_ROWS && strips > 0 {
                pack_b(&block, b, j0, strips, &mut packed);
            }
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
                    tile::<FMA>(&block, a, &strip, (c, write), i, j);
                    j += NR;
                }
                for r in i..i + MR {
                    row::<FMA>(&block, a, b, (c, write), r, j, j1);
                }
                i += MR;
            }
            for r in i..m {
                row::<FMA>(&block, a, b, (c, write), r, j0, j1);
            }
            scratch::give(Slot::Strips, packed);
        }
    }
}

/// `NR` columns of `B`: row `p` starts at `(p − first) · stride` in `values` (unpacked: `B`
/// itself from column `j`, stride `n`, first 0; packed: stride `NR`, first `p0`).
pub(super) struct Strip<'b> {
    values: &'b [f64],
    stride: usize,
    first: usize,
}

/// The `strips` full `NR`-column strips of `B[p0..p1, j0..]`, each stored `p` by `p`:
/// strip `s`, row `p` holds `B[p0 + p, j0 + s NR .. j0 + (s+1) NR]`.
pub(super) fn pack_b(blk: &Block, b: &[f64], j0: usize, strips: usize, packed: &mut Vec<f64>) {
    packed.clear();
    for s in 0..strips {
        let j = j0 + s * NR;
        for p in blk.p0..blk.p1 {
            packed.extend_from_slice(&b[p * blk.n + j..p * blk.n + j + NR]);
        }
    }
}

/// Rows of `C` in one register tile.
pub(super) const MR: usize = 4;
/// Columns of `C` in one register tile (two AVX2 registers of four f64).
pub(super) const NR: usize = 8;
/// From this many rows of `A` on, a panel of `B` is packed before the tiles use it (below,
/// the copy costs more than the sequential reads save: W3's 20-row products got slower).
pub(super) const PACK_MIN_ROWS: usize = 32;

/// The shape of `A B` and the slice `p0..p1` of the inner dimension being summed.
pub(super) struct Block {
    k: usize,
    n: usize,
    p0: usize,
    p1: usize,
}

/// `C[i..i+MR, j..j+NR] += A[i..i+MR, p0..p1] B[p0..p1, j..j+NR]` (`=` for an overwrite),
/// accumulated in an `MR x NR` array that the compiler keeps in registers: each `b_pj` loaded
/// is used `MR` times and each `a_ip` `NR` times.
#[inline(always)]
pub(super) fn tile<const FMA: bool>(
    blk: &Block,
    a: &[f64],
    strip: &Strip<'_>,
    (c, write): (&mut [f64], Write),
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
        let c_r = &mut c[(i + r) * n + j..(i + r) * n + j + NR];
        match write {
            Write::Add => c_r.iter_mut().zip(acc_r).for_each(|(c_rl, &v)| *c_rl += v),
            // The sums start from +0: the bits of 0 + sum.
            Write::Overwrite => c_r.copy_from_slice(acc_r),
        }
    }
}

/// `C[r, j0..j1] += A[r, p0..p1] B[p0..p1, j0..j1]`, one row at a time: `c_rj += a_rp b_pj`
/// (for an overwrite, the first step starts from 0 instead of `c_rj`).
#[inline(always)]
pub(super) fn row<const FMA: bool>(
    blk: &Block,
    a: &[f64],
    b: &[f64],
    (c, write): (&mut [f64], Write),
    r: usize,
    j0: usize,
    j1: usize,
) {
    let (k, n) = (blk.k, blk.n);
    let c_row = &mut c[r * n + j0..r * n + j1];
    for p in blk.p0..blk.p1 {
        let a_rp = a[r * k + p];
        let first = p == blk.p0;
        for (c_rj, &b_pj) in c_row.iter_mut().zip(&b[p * n + j0..p * n + j1]) {
            *c_rj = madd::<FMA>(write.start(first, *c_rj), a_rp, b_pj);
        }
    }
}

#[inline(always)]
pub(super) fn gemm_nt_body<const FMA: bool>(
    (m, k, n): (usize, usize, usize),
    a: &[f64],
    b: &[f64],
    (c, write): (&mut [f64], Write),
) {
    if m == 1 {
        // One row times B^T: B's n rows dotted with it, read in place. (The narrow loop would
        // copy B^T entry by entry for its one row: at 1 x 64 x 16, 2,000 of 2,400 instructions.)
        return matvec::<FMA>(n, k, b, &a[..k], c, write);
    }
    if is_small(n) {
        return small::<FMA>((m, k, n), (a, AsStored), (b, Transposed), c, write);
    }
    if n == 1 {
        return matvec::<FMA>(m, k, a, &b[..k], c, write);
    }
    if m >= NT_TRANSPOSE_MIN_ROWS && m.saturating_mul(n).saturating_mul(k) >= NT_TRANSPOSE_MIN_WORK
    {
        // Transpose B once (n k copies) and stream its rows: cheaper than m n separate dot
        // products, each ending in a horizontal sum, once m is more than a few rows.
        let mut bt = scratch::take(Slot::Transposed);
        bt.resize(k * n, 0.0);
        for j in 0..n {
            for p in 0..k {
                bt[p * n + j] = b[j * k + p];
            }
        }
        gemm_body::<FMA>((m, k, n), a, &bt, (c, write));
        scratch::give(Slot::Transposed, bt);
        return;
    }
    for i in 0..m {
        let a_i = &a[i * k..i * k + k];
        for (j, c_ij) in c[i * n..i * n + n].iter_mut().enumerate() {
            write.put(c_ij, dot::<FMA>(a_i, &b[j * k..j * k + k]));
        }
    }
}

/// `c_i += a_i . x` for the `m` rows `a_i` of `A` (`m x k`): a matrix-vector product. Short
/// rows (a tape's last layer, `k <= 16`) take one running sum each, whose loop costs less than
/// setting up [`dot`]'s four partial sums.
#[inline(always)]
fn matvec<const FMA: bool>(m: usize, k: usize, a: &[f64], x: &[f64], c: &mut [f64], write: Write) {
    if k == 0 {
        return; // (an overwrite of k = 0 is zeros, written by `MatmulKernel::run`)
    }
    let rows = a[..m * k].chunks_exact(k);
    if k <= SMALL_SIDE {
        for (c_i, a_i) in c[..m].iter_mut().zip(rows) {
            let mut s = 0.0;
            for (&a_ip, &x_p) in a_i.iter().zip(x) {
                s = madd::<FMA>(s, a_ip, x_p);
            }
            write.put(c_i, s);
        }
    } else {
        for (c_i, a_i) in c[..m].iter_mut().zip(rows) {
            write.put(c_i, dot::<FMA>(a_i, x));
        }
    }
}

#[inline(always)]
pub(super) fn gemm_tn_body<const FMA: bool>(
    (m, k, n): (usize, usize, usize),
    a: &[f64],
    b: &[f64],
    (c, write): (&mut [f64], Write),
) {
    if is_small(n) {
        return small::<FMA>((m, k, n), (a, Transposed), (b, AsStored), c, write);
    }
    // An overwrite's sums start from 0 at p = 0 ([`Write::start`]): C is never zeroed.
    if n == 1 {
        // Aᵀ b: c gains b_p times row p of A, for each p (contiguous, so it vectorizes).
        for (p, &b_p) in b[..k].iter().enumerate() {
            for (c_i, &a_pi) in c[..m].iter_mut().zip(&a[p * m..p * m + m]) {
                *c_i = madd::<FMA>(write.start(p == 0, *c_i), a_pi, b_p);
            }
        }
        return;
    }
    for p in 0..k {
        let b_p = &b[p * n..p * n + n];
        for (i, &a_pi) in a[p * m..p * m + m].iter().enumerate() {
            for (c_ij, &b_pj) in c[i * n..i * n + n].iter_mut().zip(b_p) {
                *c_ij = madd::<FMA>(write.start(p == 0, *c_ij), a_pi, b_pj);
            }
        }
    }
}
