//! The loops every executor of a rule runs, written once: an entrywise function into a
//! buffer, a broadcasting binary function into a buffer, and a gradient summed down to a
//! broadcast operand's shape as it is written. Each writes in one of two modes
//! ([`Write::Overwrite`], the first contribution to a buffer; [`Write::Add`], a later one),
//! with one loop per mode so that each vectorizes.
//!
//! [`Tensor`]'s own methods (`map`, `broadcast_map`, `sum_to`, `expand`), the tape's backward
//! pass and the replay all call these: no executor has an entrywise or broadcast loop of its
//! own.

use super::{Broadcast, Tensor, fmt_shape};
pub(crate) use crate::matmul::Write;

/// Where entry `(i, j)` of a broadcast result reads an operand: a `1 x n` operand repeats its
/// row (row stride 0), an `m x 1` its column (column stride 0).
#[derive(Clone, Copy)]
pub(crate) struct Strides {
    row: usize,
    col: usize,
}

impl Strides {
    /// The strides of `x` read at the output's shape.
    #[inline]
    pub(crate) fn of(x: &Tensor) -> Strides {
        let (r, c) = x.shape();
        Strides {
            row: if r == 1 { 0 } else { c },
            col: usize::from(c != 1),
        }
    }

    /// The index of entry `(i, j)` of the output in the operand's data.
    #[inline(always)]
    pub(crate) fn at(self, i: usize, j: usize) -> usize {
        i * self.row + j * self.col
    }
}

/// `out_k = g(s_k)` (or `out_k += g(s_k)`), `s_k` the `k`-th entries of the slices `src`, each
/// at least as long as `out`.
#[inline(always)]
pub(crate) fn each<const N: usize>(
    out: &mut [f64],
    write: Write,
    src: [&[f64]; N],
    g: impl Fn([f64; N]) -> f64,
) {
    let n = out.len();
    let src = src.map(|s| &s[..n]);
    match write {
        Write::Overwrite => {
            for k in 0..n {
                out[k] = g(src.map(|s| s[k]));
            }
        }
        Write::Add => {
            for k in 0..n {
                out[k] += g(src.map(|s| s[k]));
            }
        }
    }
}

/// `out_ij = f(a_ij, b_ij)`, `out` of the broadcast shape of `a` and `b` (one of which has
/// it), the other operand a `1x1`, `1 x n` or `m x 1` repeated across it.
#[inline(always)]
pub(crate) fn broadcast_into(out: &mut [f64], a: &Tensor, b: &Tensor, f: impl Fn(f64, f64) -> f64) {
    let (x, y) = (a.as_slice(), b.as_slice());
    if a.shape() == b.shape() {
        for ((o, &a), &b) in out.iter_mut().zip(x).zip(y) {
            *o = f(a, b);
        }
        return;
    }
    let cols = a.cols().max(b.cols());
    if cols == 0 {
        return;
    }
    match (b.shape(), a.shape()) {
        ((1, 1), _) => out.iter_mut().zip(x).for_each(|(o, &a)| *o = f(a, y[0])),
        (_, (1, 1)) => out.iter_mut().zip(y).for_each(|(o, &b)| *o = f(x[0], b)),
        // A row (a bias) under every row of `a`, written row by row.
        ((1, _), _) => {
            for (out, a) in out.chunks_exact_mut(cols).zip(x.chunks_exact(cols)) {
                for ((o, &a), &b) in out.iter_mut().zip(a).zip(y) {
                    *o = f(a, b);
                }
            }
        }
        (_, (1, _)) => {
            for (out, b) in out.chunks_exact_mut(cols).zip(y.chunks_exact(cols)) {
                for ((o, &a), &b) in out.iter_mut().zip(x).zip(b) {
                    *o = f(a, b);
                }
            }
        }
        _ => {
            let (sa, sb) = (Strides::of(a), Strides::of(b));
            for (i, row) in out.chunks_exact_mut(cols).enumerate() {
                for (j, o) in row.iter_mut().enumerate() {
                    *o = f(x[sa.at(i, j)], y[sb.at(i, j)]);
                }
            }
        }
    }
}

/// `dx = sum_to(G, shape(x))` (or `dx += ...`), `G = rule(dy, a, b, y)` entry by entry at the
/// output's shape (`dy` and `y` of that shape, `a` and `b` broadcast to it), `x` one of `a`
/// and `b`. Entries of `G` over a broadcast row or column of `x` are summed into it, in row
/// order. `reads` says which of `a` and `b` the rule reads (an operand it does not read is
/// passed as 0). One loop per row, compiled for each way the two operands read (a row of
/// their own or one repeated value), so that each vectorizes.
#[inline(always)]
pub(crate) fn sum_rule_into(
    dx: &mut [f64],
    write: Write,
    x: &Tensor,
    [dy, a, b, y]: [&Tensor; 4],
    [reads_a, reads_b]: [bool; 2],
    rule: impl Fn(f64, f64, f64, f64) -> f64,
) {
    let (rows, cols) = y.shape();
    if rows * cols == 0 {
        // No entry of G: the gradient of a broadcast operand over an empty output is 0.
        if write == Write::Overwrite {
            dx.fill(0.0);
        }
        return;
    }
    let same = x.shape() == (rows, cols);
    let (ds, ys) = (dy.as_slice(), y.as_slice());
    let (full_a, full_b) = (a.shape() == (rows, cols), b.shape() == (rows, cols));
    // The whole tensor in one loop: both operands of the output's shape, or one of them a
    // scalar (a constant factor, a mean's count).
    match (full_a, full_b, a.as_slice(), b.as_slice()) {
        (true, true, a, b) => {
            return each(dx, write, [ds, a, b, ys], |[d, a, b, y]| rule(d, a, b, y));
        }
        (true, false, a, &[b]) if same => {
            return each(dx, write, [ds, a, ys], |[d, a, y]| rule(d, a, b, y));
        }
        (false, true, &[a], b) if same => {
            return each(dx, write, [ds, b, ys], |[d, b, y]| rule(d, a, b, y));
        }
        (true, false, a, &[b]) => {
            let total = (0..ds.len()).fold(0.0, |acc, k| acc + rule(ds[k], a[k], b, ys[k]));
            return dx[0] = if write == Write::Add {
                dx[0] + total
            } else {
                total
            };
        }
        (false, true, &[a], b) => {
            let total = (0..ds.len()).fold(0.0, |acc, k| acc + rule(ds[k], a, b[k], ys[k]));
            return dx[0] = if write == Write::Add {
                dx[0] + total
            } else {
                total
            };
        }
        _ => {}
    }
    // The gradient of the full operand by a rule that does not read the small one (a sum's
    // `da = dy`): one loop over the whole tensor, not one per row.
    if same && !(if full_a { reads_b } else { reads_a }) {
        let f = if full_a { a.as_slice() } else { b.as_slice() };
        return match full_a {
            true => each(dx, write, [ds, f, ys], |[d, a, y]| rule(d, a, 0.0, y)),
            false => each(dx, write, [ds, f, ys], |[d, b, y]| rule(d, 0.0, b, y)),
        };
    }
    // One operand of the output's shape, the other a row or a column repeated across it.
    let (fs, ss) = if full_a {
        (a.as_slice(), b.as_slice())
    } else {
        (b.as_slice(), a.as_slice())
    };
    let small_is_row = rows != 1 && if full_a { b.rows() == 1 } else { a.rows() == 1 };
    let rows_of = RowsOf {
        cols,
        ds,
        fs,
        ss,
        ys,
        small_is_row,
        x_is_full: same,
    };
    match full_a {
        true => rows_of.run(dx, write, &rule),
        false => rows_of.run(dx, write, |d, f, s, y| rule(d, s, f, y)),
    }
}

/// A broadcast rule's operands row by row: `dy`, `y` and the full operand `f` of the output's
/// shape, the small one `s` a row (the same slice for every row) or a column (one value per
/// row); the gradient goes to the full operand (`x_is_full`) or to the small one (summed).
struct RowsOf<'a> {
    cols: usize,
    ds: &'a [f64],
    fs: &'a [f64],
    ss: &'a [f64],
    ys: &'a [f64],
    small_is_row: bool,
    x_is_full: bool,
}

impl RowsOf<'_> {
    /// `dx = sum_to(g(dy, f, s, y), shape(x))` (or `+=`), one vectorized loop per row.
    #[inline(always)]
    fn run(&self, dx: &mut [f64], write: Write, g: impl Fn(f64, f64, f64, f64) -> f64) {
        let c = self.cols;
        let rows = self
            .ds
            .chunks_exact(c)
            .zip(self.fs.chunks_exact(c))
            .zip(self.ys.chunks_exact(c));
        match (self.x_is_full, self.small_is_row) {
            (true, true) => {
                let s = &self.ss[..c];
                for (out, ((d, f), y)) in dx.chunks_exact_mut(c).zip(rows) {
                    each(out, write, [d, f, s, y], |[d, f, s, y]| g(d, f, s, y));
                }
            }
            (true, false) => {
                for ((out, ((d, f), y)), &s) in dx.chunks_exact_mut(c).zip(rows).zip(self.ss) {
                    each(out, write, [d, f, y], |[d, f, y]| g(d, f, s, y));
                }
            }
            // The gradient of a row (a bias): each row of G added into it, in row order.
            (false, true) => {
                let s = &self.ss[..c];
                if write == Write::Overwrite {
                    dx.fill(0.0);
                }
                for ((d, f), y) in rows {
                    each(&mut dx[..c], Write::Add, [d, f, s, y], |[d, f, s, y]| {
                        g(d, f, s, y)
                    });
                }
            }
            // The gradient of a column: each row of G summed into its entry.
            (false, false) => {
                for ((dx, ((d, f), y)), &s) in dx.iter_mut().zip(rows).zip(self.ss) {
                    let start = if write == Write::Add { *dx } else { 0.0 };
                    *dx = (0..c).fold(start, |acc, j| acc + g(d[j], f[j], s, y[j]));
                }
            }
        }
    }
}

/// `out = sum_to(g, shape)` (or `out += ...`): `g` summed down to `shape`, a shape it could
/// have been broadcast from (`1x1`, `1 x n`, `m x 1`, or its own). Every sum runs in row
/// order, one running sum per entry of `out`.
///
/// # Panics
/// If `g` cannot have been broadcast from `shape`.
#[inline(always)]
pub(crate) fn sum_to_into(out: &mut [f64], shape: (usize, usize), g: &Tensor, write: Write) {
    let (gs, cols) = (g.as_slice(), g.cols());
    let put = |o: &mut f64, v: f64| match write {
        Write::Overwrite => *o = v,
        Write::Add => *o += v,
    };
    match Broadcast::classify(g.shape(), shape) {
        Some(Broadcast::Same) => each(out, write, [gs], |[g]| g),
        Some(Broadcast::Scalar) => put(&mut out[0], sum(gs)),
        // No columns: every sum is of nothing.
        Some(_) if cols == 0 => out.iter_mut().for_each(|o| put(o, 0.0)),
        Some(Broadcast::Col) => {
            for (o, row) in out.iter_mut().zip(gs.chunks_exact(cols)) {
                put(o, sum(row));
            }
        }
        Some(Broadcast::Row) => {
            if write == Write::Overwrite {
                out.fill(0.0);
            }
            for row in gs.chunks_exact(cols) {
                each(out, Write::Add, [row], |[g]| g);
            }
        }
        None => panic!(
            "sum_to: {} cannot be summed to {}",
            fmt_shape(g.shape()),
            fmt_shape(shape)
        ),
    }
}

/// `out = expand(x, shape)` (or `out += ...`): `x` (`1x1`, `1 x n`, `m x 1`, or of `shape`)
/// repeated to `shape`.
///
/// # Panics
/// If `x` cannot be broadcast to `shape`.
#[inline(always)]
pub(crate) fn expand_into(out: &mut [f64], shape: (usize, usize), x: &Tensor, write: Write) {
    let (xs, cols) = (x.as_slice(), shape.1);
    if out.is_empty() {
        return;
    }
    match Broadcast::classify(shape, x.shape()) {
        Some(Broadcast::Same) => each(out, write, [xs], |[x]| x),
        Some(Broadcast::Scalar) => each(out, write, [], |[]| xs[0]),
        Some(Broadcast::Row) => {
            for row in out.chunks_exact_mut(cols) {
                each(row, write, [xs], |[x]| x);
            }
        }
        Some(Broadcast::Col) => {
            for (row, &x) in out.chunks_exact_mut(cols).zip(xs) {
                each(row, write, [], |[]| x);
            }
        }
        None => panic!(
            "expand: {} cannot be broadcast to {}",
            fmt_shape(x.shape()),
            fmt_shape(shape)
        ),
    }
}

/// `x_1 + x_2 + ... + x_n` in order, from `+0` (so an empty sum is `+0`): every sum of the
/// crate, so that a sum's bits do not depend on which executor ran it.
#[inline(always)]
pub(crate) fn sum(xs: &[f64]) -> f64 {
    xs.iter().fold(0.0, |acc, &x| acc + x)
}
