//! Narrow products (`n <= 16`: a tape's small layers, the Gram matrix of a few features): one
//! loop for the three forms `A B`, `A B^T` and `A^T B`, with a row of `C` held in registers.

use super::kernels::madd;

/// Products at most this wide (a tape's small layers, a Gram matrix of a few features): [`small`],
/// with a row of `C` held in registers.
pub(super) const SMALL_SIDE: usize = 16;

/// True if `small` takes an `m x k` by `k x n` product.
#[inline(always)]
pub(super) fn is_small(n: usize) -> bool {
    n > 1 && n <= SMALL_SIDE
}

/// `C += A B` for `n <= 16`, with `A` and `B` read through `a_at(i, p)` and `b_at(p, j)` (so one
/// loop serves the three forms). `B` is copied 16 rows at a time into a zero-padded block of
/// 8, 12 or 16 columns; then each row of `C` is accumulated in a fixed-width array the
/// compiler keeps in registers, `acc += a_ip B[p, ..]` over the block's `p`, and added to `C`.
#[inline(always)]
pub(super) fn small<const FMA: bool>(
    (m, k, n): (usize, usize, usize),
    a_at: impl Fn(usize, usize) -> f64,
    b_at: impl Fn(usize, usize) -> f64,
    c: &mut [f64],
) {
    match n {
        0..=8 => small_rows::<FMA, 8>((m, k, n), a_at, b_at, c),
        9..=12 => small_rows::<FMA, 12>((m, k, n), a_at, b_at, c),
        _ => small_rows::<FMA, SMALL_SIDE>((m, k, n), a_at, b_at, c),
    }
}

#[inline(always)]
fn small_rows<const FMA: bool, const W: usize>(
    (m, k, n): (usize, usize, usize),
    a_at: impl Fn(usize, usize) -> f64,
    b_at: impl Fn(usize, usize) -> f64,
    c: &mut [f64],
) {
    let mut bp = [[0.0f64; W]; SMALL_SIDE];
    let mut p0 = 0;
    while p0 < k {
        let kb = SMALL_SIDE.min(k - p0);
        for (p, bp_p) in bp.iter_mut().enumerate().take(kb) {
            for (j, v) in bp_p.iter_mut().enumerate().take(n) {
                *v = b_at(p0 + p, j);
            }
        }
        for (i, c_i) in c.chunks_exact_mut(n).enumerate().take(m) {
            let mut acc = [0.0f64; W];
            for (p, bp_p) in bp.iter().enumerate().take(kb) {
                let a_ip = a_at(i, p0 + p);
                for (acc_l, &b_pl) in acc.iter_mut().zip(bp_p) {
                    *acc_l = madd::<FMA>(*acc_l, a_ip, b_pl);
                }
            }
            add_row(c_i, &acc);
        }
        p0 += kb; // (a `while`: `step_by` cost more than a 7 x 1 x 10 product's arithmetic)
    }
}

/// `c += acc[..c.len()]`: whole groups of four, then the rest one by one. (Left to itself the
/// compiler adds a ragged row with masked stores, `vmaskmovpd`, which AMD CPUs microcode:
/// they were 17% of W2's `A B^T`.)
#[inline(always)]
fn add_row(c: &mut [f64], acc: &[f64]) {
    let whole = c.len() / 4 * 4;
    let (c4, c_rest) = c.split_at_mut(whole);
    for (c, a) in c4.chunks_exact_mut(4).zip(acc.chunks_exact(4)) {
        for (c_l, &a_l) in c.iter_mut().zip(a) {
            *c_l += a_l;
        }
    }
    // Spelled out: a loop here is vectorized with masks again.
    match (c_rest, &acc[whole..]) {
        ([c0], [a0, ..]) => *c0 += a0,
        ([c0, c1], [a0, a1, ..]) => {
            *c0 += a0;
            *c1 += a1;
        }
        ([c0, c1, c2], [a0, a1, a2, ..]) => {
            *c0 += a0;
            *c1 += a1;
            *c2 += a2;
        }
        _ => {}
    }
}
