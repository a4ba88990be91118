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
//! ragged edges, so the micro-kernel always computes a full `MR x NR` tile and the driver adds
//! only its valid part to `C`. The buffers are kept per thread and reused, so a product
//! allocates only when it needs bigger panels than any before it on that thread.

use std::cell::RefCell;

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

/// One register tile, row-major `MR x NR`.
pub(super) type Tile = [f64; MR * NR];

/// A micro-kernel: `micro(a, b, c, ldc)` adds the product of the micro-panels `a` (`kc x MR`)
/// and `b` (`kc x NR`) into the `MR x NR` block of `c` whose rows start `ldc` apart (`c[r ldc +
/// l] += sum_p a[p][r] b[p][l]`): straight into `C` for a full tile, into a [`Tile`] for a
/// ragged edge.
pub(super) type Micro = fn(&[f64], &[f64], &mut [f64], usize);

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
}

thread_local! {
    /// The packed panels of `A` and `B`, reused by every product on this thread.
    static PANELS: RefCell<(Vec<f64>, Vec<f64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// `C += A B` for `A` `m x k`, `B` `k x n` (views), `C` row-major `m x n` with rows `ldc`
/// apart (`ldc = n` for a whole matrix, more for a block of a wider one), with `micro`
/// computing one tile from a micro-panel of each.
pub(super) fn gemm_packed(
    (m, k, n): (usize, usize, usize),
    a: View<'_>,
    b: View<'_>,
    (c, ldc): (&mut [f64], usize),
    micro: Micro,
) {
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    PANELS.with(|panels| {
        let mut panels = panels.borrow_mut();
        let (a_buf, b_buf) = &mut *panels;
        let mut tile: Tile = [0.0; MR * NR];
        for i0 in (0..m).step_by(MC) {
            let mc = MC.min(m - i0);
            for p0 in (0..k).step_by(KC) {
                let kc = KC.min(k - p0);
                let a_pack = aligned(a_buf, mc.div_ceil(MR) * MR * kc);
                pack_a(a, (i0, mc), (p0, kc), a_pack);
                for j0 in (0..n).step_by(NC) {
                    let nc = NC.min(n - j0);
                    let b_pack = aligned(b_buf, nc.div_ceil(NR) * NR * kc);
                    pack_b(b, (p0, kc), (j0, nc), b_pack);
                    for (ti, a_panel) in a_pack.chunks_exact(kc * MR).enumerate() {
                        let (i, rows) = (i0 + ti * MR, MR.min(mc - ti * MR));
                        for (tj, b_panel) in b_pack.chunks_exact(kc * NR).enumerate() {
                            let (j, cols) = (j0 + tj * NR, NR.min(nc - tj * NR));
                            if rows == MR && cols == NR {
                                micro(a_panel, b_panel, &mut c[i * ldc + j..], ldc);
                                continue;
                            }
                            tile.fill(0.0);
                            micro(a_panel, b_panel, &mut tile, NR);
                            for (r, t_r) in tile.chunks_exact(NR).take(rows).enumerate() {
                                let c_r = &mut c[(i + r) * ldc + j..(i + r) * ldc + j + cols];
                                for (c_rl, &t) in c_r.iter_mut().zip(t_r) {
                                    *c_rl += t;
                                }
                            }
                        }
                    }
                }
            }
        }
    });
}

/// The first `len` entries of `buf` starting on a 64-byte boundary (a cache line, and the
/// alignment of a 512-bit load), growing `buf` only if it is too short.
fn aligned(buf: &mut Vec<f64>, len: usize) -> &mut [f64] {
    const LANES: usize = 8;
    if buf.len() < len + LANES {
        buf.resize(len + LANES, 0.0);
    }
    let misalign = (buf.as_ptr() as usize % 64) / 8;
    let start = (LANES - misalign) % LANES;
    &mut buf[start..start + len]
}

/// `A[i0..i0+mc, p0..p0+kc]` as `ceil(mc / MR)` micro-panels of `kc x MR`, rows past `mc`
/// zero. Each row of `A` (row-major) or column (a transposed `A`) is read as one slice.
fn pack_a(a: View<'_>, (i0, mc): (usize, usize), (p0, kc): (usize, usize), out: &mut [f64]) {
    for (t, panel) in out.chunks_exact_mut(kc * MR).enumerate() {
        let rows = MR.min(mc - t * MR);
        if rows < MR {
            panel.fill(0.0);
        }
        for r in 0..rows {
            let i = i0 + t * MR + r;
            if a.cs == 1 {
                let row = &a.data[i * a.rs + p0..i * a.rs + p0 + kc];
                for (dst, &v) in panel.chunks_exact_mut(MR).zip(row) {
                    dst[r] = v;
                }
            } else {
                for (p, dst) in panel.chunks_exact_mut(MR).enumerate() {
                    dst[r] = a.at(i, p0 + p);
                }
            }
        }
    }
}

/// `B[p0..p0+kc, j0..j0+nc]` as `ceil(nc / NR)` micro-panels of `kc x NR`, columns past `nc`
/// zero. Rows of a row-major `B`, and columns of a transposed one, are read as slices.
fn pack_b(b: View<'_>, (p0, kc): (usize, usize), (j0, nc): (usize, usize), out: &mut [f64]) {
    for (t, panel) in out.chunks_exact_mut(kc * NR).enumerate() {
        let (j, cols) = (j0 + t * NR, NR.min(nc - t * NR));
        for (p, dst) in panel.chunks_exact_mut(NR).enumerate() {
            let (head, pad) = dst.split_at_mut(cols);
            if b.cs == 1 && cols == NR {
                // A full strip: a fixed-size copy the compiler inlines (no memcpy call per row).
                let at = (p0 + p) * b.rs + j;
                let src: &[f64; NR] = b.data[at..at + NR].try_into().expect("NR values");
                let dst: &mut [f64; NR] = head.try_into().expect("NR values");
                *dst = *src;
            } else if b.cs == 1 {
                let at = (p0 + p) * b.rs + j;
                head.copy_from_slice(&b.data[at..at + cols]);
            } else if b.rs != 1 {
                for (l, d) in head.iter_mut().enumerate() {
                    *d = b.at(p0 + p, j + l);
                }
            }
            pad.fill(0.0);
        }
        if b.rs == 1 && b.cs != 1 {
            // A transposed B: column j + l of B is contiguous; scatter it down the panel.
            for l in 0..cols {
                let col = &b.data[(j + l) * b.cs + p0..(j + l) * b.cs + p0 + kc];
                for (dst, &v) in panel.chunks_exact_mut(NR).zip(col) {
                    dst[l] = v;
                }
            }
        }
    }
}

/// The micro-kernel ([`Micro`]) in plain Rust: `sum_p a_p b_p^T` over the `kc` steps of the
/// two micro-panels, added into `c`. The reference for the AVX-512 micro-kernel, and (compiled
/// for AVX2+FMA where the CPU has them) what the packed driver runs on CPUs without AVX-512.
pub(super) fn micro_portable(a: &[f64], b: &[f64], c: &mut [f64], ldc: usize) {
    micro_body::<false>(a, b, c, ldc)
}

/// [`micro_portable`]'s loops, generic over fusing `acc + a b` into one rounding.
#[inline(always)]
pub(super) fn micro_body<const FMA: bool>(a: &[f64], b: &[f64], c: &mut [f64], ldc: usize) {
    let mut acc = [[0.0f64; NR]; MR];
    for (a_p, b_p) in a.chunks_exact(MR).zip(b.chunks_exact(NR)) {
        for (acc_r, &a_rp) in acc.iter_mut().zip(a_p) {
            for (acc_rl, &b_pl) in acc_r.iter_mut().zip(b_p) {
                *acc_rl = super::kernels::madd::<FMA>(*acc_rl, a_rp, b_pl);
            }
        }
    }
    for (r, acc_r) in acc.iter().enumerate() {
        for (c_rl, &v) in c[r * ldc..r * ldc + NR].iter_mut().zip(acc_r) {
            *c_rl += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The driver with the portable micro-kernel against the naive loop, at sizes that leave
    /// ragged micro-panels and span several blocks in every dimension, in all three layouts.
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
            let mut want = vec![1.0; m * n];
            super::super::gemm_naive(m, k, n, a.as_slice(), b.as_slice(), &mut want);
            let (at, bt) = (a.t(), b.t());
            let layouts = [
                (
                    View {
                        data: a.as_slice(),
                        rs: k,
                        cs: 1,
                    },
                    View {
                        data: b.as_slice(),
                        rs: n,
                        cs: 1,
                    },
                ),
                (
                    View {
                        data: a.as_slice(),
                        rs: k,
                        cs: 1,
                    },
                    View {
                        data: bt.as_slice(),
                        rs: 1,
                        cs: k,
                    },
                ),
                (
                    View {
                        data: at.as_slice(),
                        rs: 1,
                        cs: m,
                    },
                    View {
                        data: b.as_slice(),
                        rs: n,
                        cs: 1,
                    },
                ),
            ];
            for (layout, (va, vb)) in layouts.into_iter().enumerate() {
                let mut got = vec![1.0; m * n];
                gemm_packed((m, k, n), va, vb, (&mut got, n), micro_portable);
                for (g, w) in got.iter().zip(&want) {
                    assert!(
                        (g - w).abs() <= 1e-12 * (1.0 + w.abs()),
                        "{m}x{k}x{n} layout {layout}: {g} vs {w}"
                    );
                }
            }
        }
    }
}
