//! Small products without packing `A`: the tape's layers (20 x 64 by 64 x 64 and the like),
//! where the whole product sits in the L1 and L2 caches and copying the operands into
//! micro-panels (`packed.rs`) cost a third of the time.
//!
//! `C (m x n) += A (m x k) B (k x n)`, `A` and `B` read through [`View`]s as in the packed
//! driver. Each register tile (`MR x NR` = 8 x 24 at most) broadcasts its `a_ip` straight from
//! `A`, in whatever layout `A` has (a row-major `A`, or the transposed one of `A^T B`). `B` is
//! read in place when its rows are contiguous (`A B`, `A^T B`); `B^T`'s rows are not, so
//! `A B^T` packs `B` once into 24-column panels. No blocking: a product takes this path only
//! when its inner dimension fits one packed block (`k <= KC`) and it is small.
//!
//! Each tile sums `p = 0..k` in order, then adds into `C`: the same operations, in the same
//! order, as the packed driver's single `KC` block, so both give the same bits.

use super::kernels::Write;
use super::packed::{Edge, KC, MR, NR, Transpose8, View, aligned, pack};
use super::scratch::{self, Slot};

/// A direct tile: `direct(a, (b, ldb), kc, (c, write), edge)` adds to `c[r ldc + l]` (or
/// stores in it, for [`Write::Overwrite`]), for `r < edge.rows <= MR` and
/// `l < edge.cols <= NR`, the sum over `p < kc` of `a(r, p)` (the view, from the tile's first
/// row) times `b[p ldb + l]` (from the tile's first column).
pub(super) type Direct = fn(View<'_>, (&[f64], usize), usize, (&mut [f64], Write), Edge);

/// Products of at most this many multiply-adds `m k n` take the direct path: W3's largest
/// (20 x 64 x 64 and 64 x 20 x 64) are 81,920.
pub(super) const DIRECT_MAX_WORK: usize = 1 << 18;

/// True if the direct path takes an `m x k` by `k x n` product.
pub(super) fn fits((m, k, n): (usize, usize, usize)) -> bool {
    k <= KC && m.saturating_mul(k).saturating_mul(n) <= DIRECT_MAX_WORK
}

/// `C += A B` by direct tiles (see the module docs), `C` row-major with rows `ldc` apart.
pub(super) fn gemm_direct(
    (m, k, n): (usize, usize, usize),
    a: View<'_>,
    b: View<'_>,
    (c, ldc, write): (&mut [f64], usize, Write),
    (direct, transpose8): (Direct, Transpose8),
) {
    if m == 0 || n == 0 || k == 0 {
        return; // (an overwrite of k = 0 is zeros, written by `MatmulKernel::run`)
    }
    let mut buf = scratch::take(Slot::PanelsB);
    // `B` in place, its columns j.. at offset j; or packed, panel t (columns 24 t..) at
    // offset t k NR, each row NR wide.
    let in_place = b.cs == 1;
    let (panels, ldb): (&[f64], usize) = if in_place {
        (b.data, b.rs)
    } else {
        let packed = aligned(&mut buf, n.div_ceil(NR) * NR * k);
        pack::<NR>(b.t(), (0, n), (0, k), packed, transpose8);
        (packed, NR)
    };
    for i in (0..m).step_by(MR) {
        let rows = MR.min(m - i);
        let a_i = View {
            data: &a.data[i * a.rs..],
            ..a
        };
        for (t, j) in (0..n).step_by(NR).enumerate() {
            let cols = NR.min(n - j);
            let b_j = if in_place {
                &panels[j..]
            } else {
                &panels[t * k * NR..]
            };
            let edge = Edge { ldc, rows, cols };
            direct(a_i, (b_j, ldb), k, (&mut c[i * ldc + j..], write), edge);
        }
    }
    scratch::give(Slot::PanelsB, buf);
}

/// [`Direct`] in plain Rust: the reference the tests hold the AVX-512 tile to (the only
/// compilation that runs the direct path).
#[cfg(test)]
pub(super) fn direct_portable(
    a: View<'_>,
    b: (&[f64], usize),
    kc: usize,
    c: (&mut [f64], Write),
    edge: Edge,
) {
    direct_body::<false>(a, b, kc, c, edge)
}

/// [`direct_portable`]'s loops, generic over fusing `acc + a b` into one rounding: row by row,
/// `acc_l = sum_p a(r, p) b[p ldb + l]` in order of `p`, then `c += acc`.
#[cfg(test)]
pub(super) fn direct_body<const FMA: bool>(
    a: View<'_>,
    (b, ldb): (&[f64], usize),
    kc: usize,
    (c, write): (&mut [f64], Write),
    edge: Edge,
) {
    let Edge { ldc, rows, cols } = edge;
    for r in 0..rows {
        let mut acc = [0.0f64; NR];
        for p in 0..kc {
            let a_rp = a.data[r * a.rs + p * a.cs];
            for (acc_l, &b_pl) in acc.iter_mut().zip(&b[p * ldb..p * ldb + cols]) {
                *acc_l = super::kernels::madd::<FMA>(*acc_l, a_rp, b_pl);
            }
        }
        for (c_rl, &v) in c[r * ldc..r * ldc + cols].iter_mut().zip(&acc) {
            write.put(c_rl, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::packed::layouts;
    use super::*;
    use crate::Tensor;

    /// The driver with the portable tile against the naive loop, in all three layouts, at
    /// shapes with ragged row tiles (1..7 rows left) and column tiles (1..23 columns left).
    #[test]
    fn driver_matches_naive_in_every_layout() {
        let mut rng = crate::Rng::new(12);
        for &(m, k, n) in &[
            (1, 1, 1),
            (20, 64, 64),
            (64, 20, 15),
            (7, 3, 25),
            (13, 256, 47),
        ] {
            assert!(fits((m, k, n)));
            let a = Tensor::rand_normal(m, k, 0.0, 1.0, &mut rng);
            let b = Tensor::rand_normal(k, n, 0.0, 1.0, &mut rng);
            // Added into ones, or written over NaNs (which must never be read).
            let mut added = vec![1.0; m * n];
            super::super::gemm_naive(m, k, n, a.as_slice(), b.as_slice(), &mut added);
            let mut written = vec![0.0; m * n];
            super::super::gemm_naive(m, k, n, a.as_slice(), b.as_slice(), &mut written);
            let (at, bt) = (a.t(), b.t());
            let portable: (Direct, Transpose8) =
                (direct_portable, super::super::packed::transpose8_portable);
            for (layout, (va, vb)) in layouts((m, k, n), (&a, &at), (&b, &bt))
                .into_iter()
                .enumerate()
            {
                for (write, start, want) in [
                    (Write::Add, 1.0, &added),
                    (Write::Overwrite, f64::NAN, &written),
                ] {
                    let mut got = vec![start; m * n];
                    gemm_direct((m, k, n), va, vb, (&mut got, n, write), portable);
                    for (g, w) in got.iter().zip(want) {
                        assert!(
                            (g - w).abs() <= 1e-12 * (1.0 + w.abs()),
                            "{m}x{k}x{n} layout {layout}, {write:?}: {g} vs {w}"
                        );
                    }
                }
            }
        }
    }
}
