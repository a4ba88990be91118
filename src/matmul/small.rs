//! Narrow products (`n <= 16`: a tape's small layers, the Gram matrix of a few features): one
//! loop for the three forms `A B`, `A B^T` and `A^T B`, with a row of `C` held in registers.

use super::kernels::{Write, madd};
use super::packed::copy_short;

/// Products at most this wide (a tape's small layers, a Gram matrix of a few features): [`small`],
/// with a row of `C` held in registers.
pub(super) const SMALL_SIDE: usize = 16;

/// True if `small` takes an `m x k` by `k x n` product.
#[inline(always)]
pub(super) fn is_small(n: usize) -> bool {
    n > 1 && n <= SMALL_SIDE
}

/// How [`small`] reads an operand in memory: as stored (`A`: `a_ip = a[i k + p]`; `B`:
/// `b_pj = b[p n + j]`) or as the transpose of what is stored (`A^T B`'s `a_ip = a[p m + i]`;
/// `A B^T`'s `b_pj = b[j k + p]`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    AsStored,
    Transposed,
}

/// `C += A B` for `n <= 16`, `A` and `B` read as their [`Layout`]s say (so one loop serves the
/// three forms). `B` is copied 16 rows at a time into a block of 8, 12 or 16 columns, zero
/// past `n`; then each row of `C` is accumulated in a fixed-width array the compiler keeps in
/// registers, `acc += a_ip B[p, ..]` over the block's `p`, and added to `C`.
#[inline(always)]
pub(super) fn small<const FMA: bool>(
    (m, k, n): (usize, usize, usize),
    (a, a_layout): (&[f64], Layout),
    (b, b_layout): (&[f64], Layout),
    c: &mut [f64],
    write: Write,
) {
    let (a, b) = ((a, a_layout), (b, b_layout));
    match n {
        0..=8 => small_deep::<FMA, 8>((m, k, n), a, b, c, write),
        9..=12 => small_deep::<FMA, 12>((m, k, n), a, b, c, write),
        _ => small_deep::<FMA, SMALL_SIDE>((m, k, n), a, b, c, write),
    }
}

/// [`small`] at width `W`, `B` copied 8 rows at a time where the product is at most 8 deep,
/// else 16: the block is a fixed-size array zeroed at each call, and a 16-row block was 110
/// of a 7 x 1 x 10 product's instructions.
#[inline(always)]
fn small_deep<const FMA: bool, const W: usize>(
    (m, k, n): (usize, usize, usize),
    a: (&[f64], Layout),
    b: (&[f64], Layout),
    c: &mut [f64],
    write: Write,
) {
    match k <= 8 {
        true => small_rows::<FMA, W, 8>((m, k, n), a, b, c, write),
        false => small_rows::<FMA, W, SMALL_SIDE>((m, k, n), a, b, c, write),
    }
}

/// [`small`] with `B` copied `KB` rows at a time into blocks `W` wide.
#[inline(always)]
fn small_rows<const FMA: bool, const W: usize, const KB: usize>(
    (m, k, n): (usize, usize, usize),
    (a, a_layout): (&[f64], Layout),
    (b, b_layout): (&[f64], Layout),
    c: &mut [f64],
    write: Write,
) {
    assert!(n <= W, "small: {n} columns in a block of {W}");
    let mut bp = [[0.0f64; W]; KB]; // columns n.. stay zero
    let mut p0 = 0;
    while p0 < k {
        let kb = KB.min(k - p0);
        let block = &mut bp[..kb];
        match b_layout {
            Layout::AsStored => {
                for (bp_p, b_p) in block.iter_mut().zip(b[p0 * n..].chunks_exact(n)) {
                    copy_short(&mut bp_p[..n], b_p);
                }
            }
            // Row j of the stored matrix is column j of B.
            Layout::Transposed => {
                for (j, b_j) in b.chunks_exact(k).take(n).enumerate() {
                    for (bp_p, &b_pj) in block.iter_mut().zip(&b_j[p0..p0 + kb]) {
                        bp_p[j] = b_pj;
                    }
                }
            }
        }
        let block = &bp[..kb];
        for (i, c_i) in c[..m * n].chunks_exact_mut(n).enumerate() {
            let mut acc = [0.0f64; W];
            match a_layout {
                Layout::AsStored => {
                    for (&a_ip, b_p) in a[i * k + p0..i * k + kb + p0].iter().zip(block) {
                        add_scaled::<FMA, W>(&mut acc, a_ip, b_p);
                    }
                }
                // Row p of the stored matrix is column p of A.
                Layout::Transposed => {
                    for (a_p, b_p) in a[p0 * m..].chunks_exact(m).zip(block) {
                        add_scaled::<FMA, W>(&mut acc, a_p[i], b_p);
                    }
                }
            }
            // Later blocks add to what the first one wrote.
            let write = if p0 == 0 { write } else { Write::Add };
            write_row(c_i, &acc, write);
        }
        p0 += kb; // (a `while`: `step_by` cost more than a 7 x 1 x 10 product's arithmetic)
    }
}

/// `acc += a_ip b_p`, lane by lane.
#[inline(always)]
fn add_scaled<const FMA: bool, const W: usize>(acc: &mut [f64; W], a_ip: f64, b_p: &[f64; W]) {
    for (acc_l, &b_pl) in acc.iter_mut().zip(b_p) {
        *acc_l = madd::<FMA>(*acc_l, a_ip, b_pl);
    }
}

/// `c += acc[..c.len()]` (`c.len() <= W`), or `c = acc[..c.len()]` for
/// [`Write::Overwrite`]: whole groups of four, then the rest one by one, every index into `acc`
/// a constant once the loop over groups is unrolled, so that `acc` stays in registers. (Left to
/// itself the compiler adds a ragged row with masked stores, `vmaskmovpd`, which AMD CPUs
/// microcode: they were 17% of W2's `A B^T`; and a slice of `acc` kept it on the stack.)
#[inline(always)]
fn write_row<const W: usize>(c: &mut [f64], acc: &[f64; W], write: Write) {
    // The write mode chosen once per row, not per entry.
    match write {
        Write::Add => put_row(c, acc, |c_l, a_l| *c_l += a_l),
        Write::Overwrite => put_row(c, acc, |c_l, a_l| *c_l = a_l),
    }
}

/// [`write_row`] with the write mode `put`.
#[inline(always)]
fn put_row<const W: usize>(c: &mut [f64], acc: &[f64; W], put: impl Fn(&mut f64, f64)) {
    let n = c.len();
    for q in 0..W / 4 {
        let lo = 4 * q;
        if lo + 4 <= n {
            let c4: &mut [f64; 4] = (&mut c[lo..lo + 4]).try_into().expect("four values");
            for (c_l, &a_l) in c4.iter_mut().zip(&acc[lo..lo + 4]) {
                put(c_l, a_l);
            }
            continue;
        }
        // Spelled out: a loop here is vectorized with masks again.
        match &mut c[lo..] {
            [c0] => put(c0, acc[lo]),
            [c0, c1] => {
                put(c0, acc[lo]);
                put(c1, acc[lo + 1]);
            }
            [c0, c1, c2] => {
                put(c0, acc[lo]);
                put(c1, acc[lo + 1]);
                put(c2, acc[lo + 2]);
            }
            _ => {}
        }
        return;
    }
}
