//! The Householder factorizations behind [`Qr`](super::Qr), on a column-major copy of `A`
//! (column `j` is `cols[j m .. (j + 1) m]`, so every reflector step reads contiguous memory).
//!
//! Step `k` maps `x = A[k.., k]` to `β e_1` with the reflector (LAPACK's `dlarfg`)
//!
//! ```text
//! β = −sign(x_0) ||x||,  τ = (β − x_0) / β,  v = [1; x[1..] / (x_0 − β)],  H_k = I − τ v vᵀ
//! ```
//!
//! and stores `β` as `R_kk`, `v[1..]` below it, `τ` aside.
//!
//! - [`factor_blocked`] (no pivoting): panels of [`NB`] columns are factored one reflector at a
//!   time; their product is put in compact WY form `H_j0 ... H_j0+nb−1 = I − V T Vᵀ` (LAPACK's
//!   `dlarft`: `T_ii = τ_i`, `T[..i, i] = −τ_i T[..i, ..i] V[:, ..i]ᵀ v_i`), and the trailing
//!   matrix is updated by matrix products, `C ← C − V Tᵀ (Vᵀ C)`, in the packed matmul kernel.
//! - [`factor_pivoted`] (column pivoting, one reflector at a time): step `k` first swaps in the
//!   remaining column of largest norm, with the partial norms downdated after each step and
//!   recomputed when cancellation makes the downdate inaccurate (LAPACK's `dlaqp2`).

use super::matmul::{View, dot, gemm_views};

/// Columns in one panel of the blocked factorization.
pub(super) const NB: usize = 32;

/// `v[1..]` and `τ` of the reflector that maps `x` to `β e_1`; `x[0]` becomes `β` and `x[1..]`
/// becomes `v[1..]`. `τ = 0` (`H = I`) when `x[1..]` is zero.
fn reflector(x: &mut [f64]) -> f64 {
    let (x0, tail) = x.split_first_mut().expect("a reflector of an empty column");
    let tail_norm2: f64 = tail.iter().map(|t| t * t).sum();
    if tail_norm2 == 0.0 {
        return 0.0;
    }
    let norm = (*x0 * *x0 + tail_norm2).sqrt();
    let beta = if *x0 > 0.0 { -norm } else { norm };
    let tau = (beta - *x0) / beta;
    let scale = 1.0 / (*x0 - beta);
    for t in tail.iter_mut() {
        *t *= scale;
    }
    *x0 = beta;
    tau
}

/// `y ← (I − τ v vᵀ) y` for `v = [1; v_tail]`.
#[inline]
pub(super) fn reflect(v_tail: &[f64], tau: f64, y: &mut [f64]) {
    if tau == 0.0 {
        return;
    }
    let (y0, y_tail) = y
        .split_first_mut()
        .expect("a reflection of an empty column");
    let s = tau * (*y0 + dot(v_tail, y_tail));
    *y0 -= s;
    for (yi, vi) in y_tail.iter_mut().zip(v_tail) {
        *yi -= s * vi;
    }
}

/// Factors columns `k` of the `m`-row column-major `cols` with one reflector, applied to the
/// columns `k + 1 .. end`. Returns `τ_k`.
fn step(cols: &mut [f64], m: usize, k: usize, end: usize) -> f64 {
    let (head, rest) = cols.split_at_mut((k + 1) * m);
    let col_k = &mut head[k * m + k..];
    let tau = reflector(col_k);
    for col_j in rest[..(end - k - 1) * m].chunks_exact_mut(m) {
        reflect(&col_k[1..], tau, &mut col_j[k..]);
    }
    tau
}

/// Unpivoted QR of the `m x n` (`m >= n`) column-major `cols`, in panels of [`NB`] columns with
/// compact-WY trailing updates. Returns the `τ`s.
pub(super) fn factor_blocked(cols: &mut [f64], m: usize, n: usize) -> Vec<f64> {
    debug_assert!(m >= n && cols.len() == m * n);
    let mut tau = Vec::with_capacity(n);
    for j0 in (0..n).step_by(NB) {
        let nb = NB.min(n - j0);
        for k in j0..j0 + nb {
            tau.push(step(cols, m, k, j0 + nb));
        }
        if j0 + nb < n {
            update_trailing(cols, (m, n), (j0, nb), &tau[j0..]);
        }
    }
    tau
}

/// `C ← (I − V T Vᵀ)ᵀ C = C − V Tᵀ (Vᵀ C)` for the reflectors of panel `j0 .. j0 + nb` and
/// `C = A[j0.., j0 + nb..]`, by matrix products on transposes: with `Cᵀ` the rows of the
/// column-major storage, `Cᵀ ← Cᵀ − ((Cᵀ V) T) Vᵀ`.
fn update_trailing(
    cols: &mut [f64],
    (m, n): (usize, usize),
    (j0, nb): (usize, usize),
    tau: &[f64],
) {
    let mr = m - j0; // rows of V and C
    let nt = n - j0 - nb; // columns of C
    // Vᵀ (nb x mr), row t = reflector j0 + t: zeros above its diagonal, 1 on it, v below.
    let mut vt = vec![0.0; nb * mr];
    for (t, row) in vt.chunks_exact_mut(mr).enumerate() {
        row[t] = 1.0;
        let col = &cols[(j0 + t) * m + j0..(j0 + t + 1) * m];
        row[t + 1..].copy_from_slice(&col[t + 1..]);
    }
    // T (nb x nb, upper): T_ii = τ_i, T[..i, i] = −τ_i T[..i, ..i] (Vᵀ v_i)[..i].
    let mut t_mat = vec![0.0; nb * nb];
    for i in 0..nb {
        let v_i = &vt[i * mr..(i + 1) * mr];
        let w: Vec<f64> = (0..i)
            .map(|r| dot(&vt[r * mr + i..(r + 1) * mr], &v_i[i..]))
            .collect();
        for r in 0..i {
            let s: f64 = (r..i).map(|c| t_mat[r * nb + c] * w[c]).sum();
            t_mat[r * nb + i] = -tau[i] * s;
        }
        t_mat[i * nb + i] = tau[i];
    }
    let vt_view = View {
        data: &vt,
        rs: mr,
        cs: 1,
    };
    let v_view = View {
        data: &vt,
        rs: 1,
        cs: mr,
    };
    // W = Cᵀ V (nt x nb).
    let c_start = (j0 + nb) * m + j0;
    let mut w = vec![0.0; nt * nb];
    {
        let ct = View {
            data: &cols[c_start..],
            rs: m,
            cs: 1,
        };
        gemm_views((nt, mr, nb), ct, v_view, (&mut w, nb));
    }
    // W2 = −W T (nt x nb).
    let mut w2 = vec![0.0; nt * nb];
    gemm_views(
        (nt, nb, nb),
        View {
            data: &w,
            rs: nb,
            cs: 1,
        },
        View {
            data: &t_mat,
            rs: nb,
            cs: 1,
        },
        (&mut w2, nb),
    );
    for x in &mut w2 {
        *x = -*x;
    }
    // Cᵀ += W2 Vᵀ.
    gemm_views(
        (nt, nb, mr),
        View {
            data: &w2,
            rs: nb,
            cs: 1,
        },
        vt_view,
        (&mut cols[c_start..], m),
    );
}

/// QR with column pivoting of the `m x n` column-major `cols` (any shape): `min(m, n)` steps,
/// each swapping in the remaining column of largest (downdated) norm. Returns the `τ`s and
/// the permutation (`perm[j]` = the original column now in position `j`).
pub(super) fn factor_pivoted(cols: &mut [f64], m: usize, n: usize) -> (Vec<f64>, Vec<usize>) {
    let mut perm: Vec<usize> = (0..n).collect();
    let mut tau = Vec::with_capacity(m.min(n));
    let col_norm = |c: &[f64]| c.iter().map(|x| x * x).sum::<f64>().sqrt();
    // vn1: the norm of column j below row k (downdated); vn2: its value when last computed.
    let mut vn1: Vec<f64> = cols.chunks_exact(m.max(1)).take(n).map(col_norm).collect();
    let mut vn2 = vn1.clone();
    let tol3z = f64::EPSILON.sqrt();
    for k in 0..m.min(n) {
        // The first of the largest remaining norms (as LAPACK's idamax).
        let p = (k..n).fold(k, |best, j| if vn1[j] > vn1[best] { j } else { best });
        if p != k {
            let (left, right) = cols.split_at_mut(p * m);
            left[k * m..(k + 1) * m].swap_with_slice(&mut right[..m]);
            perm.swap(k, p);
            vn1[p] = vn1[k];
            vn2[p] = vn2[k];
        }
        tau.push(step(cols, m, k, n));
        // Downdate the norms of the columns right of k: ||x[k+1..]||² = ||x[k..]||² − r_kj².
        for j in k + 1..n {
            if vn1[j] == 0.0 {
                continue;
            }
            let r = cols[j * m + k].abs() / vn1[j];
            let t = (1.0 - r * r).max(0.0);
            let t2 = t * (vn1[j] / vn2[j]).powi(2);
            if t2 <= tol3z {
                vn1[j] = col_norm(&cols[j * m + k + 1..(j + 1) * m]);
                vn2[j] = vn1[j];
            } else {
                vn1[j] *= t.sqrt();
            }
        }
    }
    (tau, perm)
}
