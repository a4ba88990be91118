//! The loops every executor of a rule runs, written once: an entrywise function into a
//! buffer, a broadcasting binary function into a buffer, and a gradient summed down to a
//! broadcast operand's shape as it is written. Each writes in one of two modes
//! ([`Write::Overwrite`], the first contribution to a buffer; [`Write::Add`], a later one),
//! with one loop per mode so that each vectorizes.
//!
//! [`Tensor`]'s own methods (`map`, `broadcast_map`), the tape's backward pass and the replay
//! all call these: no executor has a loop of its own.

use super::Tensor;
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
        Write::Overwrite => (0..n).for_each(|k| out[k] = g(src.map(|s| s[k]))),
        Write::Add => (0..n).for_each(|k| out[k] += g(src.map(|s| s[k]))),
    }
}

/// `out_ij = f(a_ij, b_ij)`, `out` of the broadcast shape of `a` and `b` (one of which has
/// it), the other operand a `1x1`, `1 x n` or `m x 1` repeated across it.
#[inline(always)]
pub(crate) fn broadcast_into(out: &mut [f64], a: &Tensor, b: &Tensor, f: impl Fn(f64, f64) -> f64) {
    let (x, y) = (a.as_slice(), b.as_slice());
    if a.shape() == b.shape() {
        return each(out, Write::Overwrite, [x, y], |[a, b]| f(a, b));
    }
    let cols = a.cols().max(b.cols());
    if cols == 0 {
        return;
    }
    match (b.shape(), a.shape()) {
        ((1, 1), _) => each(out, Write::Overwrite, [x], |[a]| f(a, y[0])),
        (_, (1, 1)) => each(out, Write::Overwrite, [y], |[b]| f(x[0], b)),
        // A row (a bias) under every row of `a`, written row by row.
        ((1, _), _) => {
            for (out, a) in out.chunks_exact_mut(cols).zip(x.chunks_exact(cols)) {
                each(out, Write::Overwrite, [a, y], |[a, b]| f(a, b));
            }
        }
        (_, (1, _)) => {
            for (out, b) in out.chunks_exact_mut(cols).zip(y.chunks_exact(cols)) {
                each(out, Write::Overwrite, [x, b], |[a, b]| f(a, b));
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

/// Row `i` of an operand read at the output's shape: its own row (an operand of the output's
/// shape, or a `1 x n` row repeated), or one value (a `1x1` scalar, or an `m x 1` column's entry
/// `i`, repeated along the row).
#[derive(Clone, Copy)]
enum RowOf<'a> {
    Slice(&'a [f64]),
    Value(f64),
}

#[inline(always)]
fn row_of(x: &Tensor, i: usize, cols: usize) -> RowOf<'_> {
    let s = x.as_slice();
    match x.shape() {
        (1, 1) => RowOf::Value(s[0]),
        (1, c) if c == cols => RowOf::Slice(&s[..cols]),
        (_, 1) if cols != 1 => RowOf::Value(s[i]),
        _ => RowOf::Slice(&s[i * cols..(i + 1) * cols]),
    }
}

/// `dx = sum_to(G, shape(x))` (or `dx += ...`), `G = rule(dy, a, b, y)` entry by entry at the
/// output's shape (`dy` and `y` of that shape, `a` and `b` broadcast to it), `x` one of `a`
/// and `b`. Entries of `G` over a broadcast row or column of `x` are summed into it, in row
/// order. One loop per row, compiled for each way the two operands read (a row of their own
/// or one repeated value), so that each vectorizes.
#[inline(always)]
pub(crate) fn sum_rule_into(
    dx: &mut [f64],
    write: Write,
    x: &Tensor,
    [dy, a, b, y]: [&Tensor; 4],
    rule: impl Fn(f64, f64, f64, f64) -> f64,
) {
    let (rows, cols) = y.shape();
    if cols == 0 {
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
    if !same && write == Write::Overwrite {
        dx.fill(0.0);
    }
    for i in 0..rows {
        let (d, yr) = (&ds[i * cols..(i + 1) * cols], &ys[i * cols..(i + 1) * cols]);
        // Where row i of G goes: its own row of dx, the row x is, or one entry of dx.
        let (out, mode): (&mut [f64], Write) = match row_of(x, i, cols) {
            _ if same => (&mut dx[i * cols..(i + 1) * cols], write),
            RowOf::Slice(_) => (&mut dx[..cols], Write::Add),
            RowOf::Value(_) => {
                let k = if x.shape() == (1, 1) { 0 } else { i };
                let g = |j: usize, av: f64, bv: f64| rule(d[j], av, bv, yr[j]);
                let total = (0..cols).fold(dx[k], |acc, j| {
                    let (av, bv) = (at(row_of(a, i, cols), j), at(row_of(b, i, cols), j));
                    acc + g(j, av, bv)
                });
                dx[k] = total;
                continue;
            }
        };
        match (row_of(a, i, cols), row_of(b, i, cols)) {
            (RowOf::Slice(ar), RowOf::Slice(br)) => {
                each(out, mode, [d, ar, br, yr], |[d, a, b, y]| rule(d, a, b, y))
            }
            (RowOf::Slice(ar), RowOf::Value(bv)) => {
                each(out, mode, [d, ar, yr], |[d, a, y]| rule(d, a, bv, y))
            }
            (RowOf::Value(av), RowOf::Slice(br)) => {
                each(out, mode, [d, br, yr], |[d, b, y]| rule(d, av, b, y))
            }
            (RowOf::Value(av), RowOf::Value(bv)) => {
                each(out, mode, [d, yr], |[d, y]| rule(d, av, bv, y))
            }
        }
    }
}

/// Entry `j` of an operand's row.
#[inline(always)]
fn at(row: RowOf<'_>, j: usize) -> f64 {
    match row {
        RowOf::Slice(s) => s[j],
        RowOf::Value(v) => v,
    }
}
