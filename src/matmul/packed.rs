//! The packed-panel driver for large products (the five loops of BLIS, in row-major terms).
//!
//! `C (m x n) += A (m x k) B (k x n)`, with `A` and `B` read through [`View`]s, so that one
//! driver serves `A B`, `A B^T` and `A^T B`: transposes are folded into the packing.
//!
//! ```text
//! for each block of MC rows of A                      (i0)
//!   for each block of KC of the inner dimension       (p0)  pack A[i0.., p0..] -> micro-panels
//!     for each block of NC columns of B               (j0)  pack B[p0.., j0..] -> micro-panels
//!       for each micro-panel of MR rows of A          (in L1: KC x MR)
//!         for each micro-panel of NR columns of B     (the KC x NC block stays in L2)
//!           tile = A_panel B_panel (MR x NR, in registers), then C[tile] += tile
//! ```
//!
//! A micro-panel of `A` holds, for `p = 0..kc`, the `MR` values `a[i..i+MR, p]` one after the
//! other; a micro-panel of `B` the `NR` values `b[p, j..j+NR]`. Both are zero-padded at the
//! ragged edges, so the micro-kernel always computes a full `MR x NR` tile in registers and
//! adds only its valid part (an [`Edge`]) to `C` (a small product such as the tape's 20 x 64
//! layers is mostly ragged tiles). Row-major blocks are turned into column micro-panels by
//! 8 x 8 transposes, in registers on the AVX-512 path. The panels live in the per-thread
//! scratch buffers (`scratch.rs`), so a product allocates only when it needs bigger panels
//! than any before it on that thread.

use super::kernels::Write;
use super::scratch::{self, Slot};

/// Rows of `C` in one register tile (eight broadcasts of `a_ip` per step `p`).
pub(super) const MR: usize = 8;
/// Columns of `C` in one register tile (three 512-bit registers of eight f64).
pub(super) const NR: usize = 24;
/// The inner dimension of one block: an `A` micro-panel is `KC MR 8` = 16 KiB (L1).
pub(super) const KC: usize = 256;
/// Columns of `B` in one block: the packed `KC x NC` block is 576 KiB (L2, 1 MiB here).
pub(super) const NC: usize = 12 * NR;
/// Rows of `A` in one block: its packed `MC x KC` panel is 1.9 MiB (L3).
pub(super) const MC: usize = 120 * MR;

/// The part of a register tile that lies in `C`: its first `rows <= MR` rows and `cols <= NR`
/// columns, rows `ldc` apart in `C`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Edge {
    pub ldc: usize,
    pub rows: usize,
    pub cols: usize,
}

/// A micro-kernel: `micro(a, b, (c, write), edge)` computes the `MR x NR` product of the
/// micro-panels `a` (`kc x MR`) and `b` (`kc x NR`) and adds its `edge.rows x edge.cols` corner
/// into `c` (`c[r ldc + l] += sum_p a[p][r] b[p][l]`), or stores it there for
/// [`Write::Overwrite`] (the sums start from `+0`: the bits `0 + sum` would have).
pub(super) type Micro = fn(&[f64], &[f64], (&mut [f64], Write), Edge);

/// An 8 x 8 transpose: `transpose8(src, ss, dst, ds)` sets `dst[c ds + r] = src[r ss + c]` for
/// `r, c < 8`. Packing turns row-major blocks into column micro-panels with it.
pub(super) type Transpose8 = fn(&[f64], usize, &mut [f64], usize);

/// One compilation of the driver's inner pieces: the micro-kernel and the packing transpose,
/// and the tile of the direct path for small products where this compilation has one
/// (`direct.rs`).
#[derive(Clone, Copy)]
pub(super) struct Kernels {
    pub micro: Micro,
    pub transpose8: Transpose8,
    pub direct: Option<super::direct::Direct>,
}

/// The plain-Rust pieces: the reference for the SIMD ones.
pub(super) const PORTABLE: Kernels = Kernels {
    micro: micro_portable,
    transpose8: transpose8_portable,
    direct: None,
};

/// [`Transpose8`] in plain Rust.
pub(super) fn transpose8_portable(src: &[f64], ss: usize, dst: &mut [f64], ds: usize) {
    for r in 0..8 {
        for c in 0..8 {
            dst[c * ds + r] = src[r * ss + c];
        }
    }
}

/// A matrix read in place: element `(i, j)` is `data[i rs + j cs]` (row-major: `rs` = the
/// number of columns, `cs = 1`; a transpose swaps them).
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub data: &'a [f64],
    pub rs: usize,
    pub cs: usize,
}

impl View<'_> {
    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.rs + j * self.cs]
    }

    /// The transpose, read in place (the strides swapped).
    pub(super) fn t(self) -> Self {
        View {
            rs: self.cs,
            cs: self.rs,
            ..self
        }
    }
}

/// `C += A B` for `A` `m x k`, `B` `k x n` (views), `C` row-major `m x n` with rows `ldc`
/// apart (`ldc = n` for a whole matrix, more for a block of a wider one), with `kernels`
/// packing the operands and computing one tile from a micro-panel of each.
pub(super) fn gemm_packed(
    (m, k, n): (usize, usize, usize),
    a: View<'_>,
    b: View<'_>,
    (c, ldc, write): (&mut [f64], usize, Write),
    kernels: Kernels,
) {
    let Kernels {
        micro, transpose8, ..
    } = kernels;
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    let (mut a_buf, mut b_buf) = (scratch::take(Slot::PanelsA), scratch::take(Slot::PanelsB));
    for i0 in (0..m).step_by(MC) {
        let mc = MC.min(m - i0);
        for p0 in (0..k).step_by(KC) {
            let kc = KC.min(k - p0);
            // The first block of the inner dimension writes (no zeroing first), later ones add.
            let write = if p0 == 0 { write } else { Write::Add };
            let a_pack = aligned(&mut a_buf, mc.div_ceil(MR) * MR * kc);
            pack::<MR>(a, (i0, mc), (p0, kc), a_pack, transpose8);
            for j0 in (0..n).step_by(NC) {
                let nc = NC.min(n - j0);
                let b_pack = aligned(&mut b_buf, nc.div_ceil(NR) * NR * kc);
                pack::<NR>(b.t(), (j0, nc), (p0, kc), b_pack, transpose8);
                for (ti, a_panel) in a_pack.chunks_exact(kc * MR).enumerate() {
                    let (i, rows) = (i0 + ti * MR, MR.min(mc - ti * MR));
                    for (tj, b_panel) in b_pack.chunks_exact(kc * NR).enumerate() {
                        let (j, cols) = (j0 + tj * NR, NR.min(nc - tj * NR));
                        let edge = Edge { ldc, rows, cols };
                        micro(a_panel, b_panel, (&mut c[i * ldc + j..], write), edge);
                    }
                }
            }
        }
    }
    scratch::give(Slot::PanelsA, a_buf);
    scratch::give(Slot::PanelsB, b_buf);
}

/// The first `len` entries of `buf` starting on a 64-byte boundary (a cache line, and the
/// alignment of a 512-bit load), growing `buf` only if it is too short.
pub(super) fn aligned(buf: &mut Vec<f64>, len: usize) -> &mut [f64] {
    const LANES: usize = 8;
    if buf.len() < len + LANES {
        buf.resize(len + LANES, 0.0);
    }
    let misalign = (buf.as_ptr() as usize % 64) / 8;
    let start = (LANES - misalign) % LANES;
    &mut buf[start..start + len]
}

/// `M[i0..i0+mi, p0..p0+kc]` as `ceil(mi / W)` micro-panels of `kc x W`: row `p` of a panel
/// holds the `W` values `m[i.., p]`, lanes past `mi` zero. `A`'s panels are `pack::<MR>` of
/// `A`, `B`'s are `pack::<NR>` of `B^T` (its lanes are columns of `B`).
///
/// Lanes stored contiguously (a transposed `A`, a row-major `B`) go in as runs; lanes that are
/// each a contiguous run along `p` (a row-major `A`, a transposed `B`) go in by 8 x 8 transposes,
/// eight lanes and eight steps at a time, the ragged rest entry by entry.
pub(super) fn pack<const W: usize>(
    m: View<'_>,
    (i0, mi): (usize, usize),
    (p0, kc): (usize, usize),
    out: &mut [f64],
    transpose8: Transpose8,
) {
    for (t, panel) in out.chunks_exact_mut(kc * W).enumerate() {
        let (i, lanes) = (i0 + t * W, W.min(mi - t * W));
        if lanes < W {
            panel.fill(0.0);
        }
        if m.rs == 1 {
            for (p, dst) in panel.chunks_exact_mut(W).enumerate() {
                let at = (p0 + p) * m.cs + i;
                copy_short(&mut dst[..lanes], &m.data[at..at + lanes]);
            }
        } else if m.cs == 1 {
            let (groups, blocks) = (lanes / 8, kc / 8 * 8);
            for g in 0..groups {
                for pb in (0..blocks).step_by(8) {
                    let src = &m.data[(i + 8 * g) * m.rs + p0 + pb..];
                    transpose8(src, m.rs, &mut panel[pb * W + 8 * g..], W);
                }
            }
            for l in 0..lanes {
                let from = if l < 8 * groups { blocks } else { 0 };
                let run = &m.data[(i + l) * m.rs + p0 + from..(i + l) * m.rs + p0 + kc];
                for (dst, &v) in panel[from * W..].chunks_exact_mut(W).zip(run) {
                    dst[l] = v;
                }
            }
        } else {
            for (p, dst) in panel.chunks_exact_mut(W).enumerate() {
                for (l, d) in dst[..lanes].iter_mut().enumerate() {
                    *d = m.at(i + l, p0 + p);
                }
            }
        }
    }
}

/// `dst.copy_from_slice(src)` for the short runs of packing (up to a panel's width), as
/// fixed-size copies of 8 the compiler inlines: a `memcpy` call per run cost more than the
/// copy (W3's products spent 7% of their time in them).
#[inline(always)]
pub(super) fn copy_short(dst: &mut [f64], src: &[f64]) {
    let (d8, s8) = (dst.chunks_exact_mut(8), src.chunks_exact(8));
    for (d, s) in d8.zip(s8) {
        let d: &mut [f64; 8] = d.try_into().expect("8 values");
        *d = s.try_into().expect("8 values");
    }
    let tail = dst.len() / 8 * 8;
    for (d, &s) in dst[tail..].iter_mut().zip(&src[tail..]) {
        *d = s;
    }
}

/// The micro-kernel ([`Micro`]) in plain Rust: `sum_p a_p b_p^T` over the `kc` steps of the
/// two micro-panels, its `edge` added into `c`. The reference for the AVX-512 micro-kernel, and
/// (compiled for AVX2+FMA where the CPU has them) what the packed driver runs on CPUs without
/// AVX-512.
pub(super) fn micro_portable(a: &[f64], b: &[f64], c: (&mut [f64], Write), edge: Edge) {
    micro_body::<false>(a, b, c, edge)
}

/// [`micro_portable`]'s loops, generic over fusing `acc + a b` into one rounding.
#[inline(always)]
pub(super) fn micro_body<const FMA: bool>(
    a: &[f64],
    b: &[f64],
    (c, write): (&mut [f64], Write),
    edge: Edge,
) {
    let Edge { ldc, rows, cols } = edge;
    let mut acc = [[0.0f64; NR]; MR];
    for (a_p, b_p) in a.chunks_exact(MR).zip(b.chunks_exact(NR)) {
        for (acc_r, &a_rp) in acc.iter_mut().zip(a_p) {
            for (acc_rl, &b_pl) in acc_r.iter_mut().zip(b_p) {
                *acc_rl = super::kernels::madd::<FMA>(*acc_rl, a_rp, b_pl);
            }
        }
    }
    for (r, acc_r) in acc.iter().enumerate().take(rows) {
        for (c_rl, &v) in c[r * ldc..r * ldc + cols].iter_mut().zip(acc_r) {
            write.put(c_rl, v);
        }
    }
}

/// The three layouts of an `m x k` by `k x n` product as views, for the drivers' tests:
/// `A B`, `A B^T` and `A^T B`, from `A`, `A^T`, `B` and `B^T` stored row-major.
#[cfg(test)]
pub(super) fn layouts<'a>(
    (m, k, n): (usize, usize, usize),
    (a, at): (&'a crate::Tensor, &'a crate::Tensor),
    (b, bt): (&'a crate::Tensor, &'a crate::Tensor),
) -> [(View<'a>, View<'a>); 3] {
    let view = |t: &'a crate::Tensor, rs, cs| View {
        data: t.as_slice(),
        rs,
        cs,
    };
    [
        (view(a, k, 1), view(b, n, 1)),
        (view(a, k, 1), view(bt, 1, k)),
        (view(at, 1, m), view(b, n, 1)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The driver with the portable micro-kernel against the naive loop, at sizes that leave
    /// ragged micro-panels and span several blocks in every dimension, in all three layouts,
    /// adding to `C` and writing over it (its old entries NaN, never read).
    #[test]
    fn driver_matches_naive_in_every_layout() {
        let mut rng = crate::Rng::new(11);
        for &(m, k, n) in &[
            (1, 1, 1),
            (9, 3, 25),
            (MC + 3, KC + 5, NC + 7),
            (17, 600, 50),
        ] {
            let a = crate::Tensor::rand_normal(m, k, 0.0, 1.0, &mut rng);
            let b = crate::Tensor::rand_normal(k, n, 0.0, 1.0, &mut rng);
            let (at, bt) = (a.t(), b.t());
            for (write, start) in [(Write::Add, 1.0), (Write::Overwrite, f64::NAN)] {
                let mut want = vec![if write == Write::Add { 1.0 } else { 0.0 }; m * n];
                super::super::gemm_naive(m, k, n, a.as_slice(), b.as_slice(), &mut want);
                let layouts = layouts((m, k, n), (&a, &at), (&b, &bt));
                for (layout, (va, vb)) in layouts.into_iter().enumerate() {
                    let mut got = vec![start; m * n];
                    gemm_packed((m, k, n), va, vb, (&mut got, n, write), PORTABLE);
                    for (g, w) in got.iter().zip(&want) {
                        assert!(
                            (g - w).abs() <= 1e-12 * (1.0 + w.abs()),
                            "{m}x{k}x{n} layout {layout} {write:?}: {g} vs {w}"
                        );
                    }
                }
            }
        }
    }
}
