//! A few rows that stand for many: the mean squared error of an affine model depends on the
//! data only through its means and the QR of the centered data, so `N` rows can be replaced by
//! `2(p + 1)` rows on which every `(w, b)` has the same loss and the same gradient.
//!
//! With `x̄`, `ȳ` the column means, `X_c = X − 1 x̄ᵀ`, `y_c = y − ȳ 1`, and `1ᵀ X_c = 0`,
//!
//! ```text
//! (1/N) ||X w + b 1 − y||² = (1/N) ||[X_c, y_c] [w; −1]||² + (x̄ᵀ w + b − ȳ)²,
//! [X_c, y_c] P = Q R   ⇒   ||[X_c, y_c] v|| = ||M v||,   M = R Pᵀ ((p + 1) x (p + 1)).
//! ```
//!
//! The rows `x̄ᵀ ± s M_x[r]`, targets `ȳ ± s M_y[r]` (`r = 0..p`, both signs, `m = 2(p + 1)`
//! rows, `s² = m / 2N`) have the same means `x̄`, `ȳ` and centered part `±s M`, so their mean
//! squared error is `(1/m) 2 s² ||M v||² + (x̄ᵀ w + b − ȳ)²`: the same function of `(w, b)`.

use super::Qr;
use crate::tensor::{Tensor, fmt_shape};

/// An equivalent dataset for the mean squared error of affine models: `2(p + 1)` rows
/// `(X̃, ỹ)` such that for every `w` and `b`,
/// `mean((X̃ w + b − ỹ)²) = mean((X w + b − y)²)` and so the gradients agree too (exactly in
/// real arithmetic, to rounding in floating point). Full-batch training on `(X̃, ỹ)` then
/// costs `O(p²)` per step instead of `O(N p)`, the whole dataset being read once here (a QR of
/// `N x (p + 1)`). Data with no more rows than that is returned as it is.
///
/// # Panics
/// If `y` is not one column with as many rows as `x`.
///
/// ```
/// use tapegrad::{Rng, Tensor, linalg::mse_equivalent};
/// let mut rng = Rng::new(0);
/// let x = Tensor::rand_normal(1000, 3, 0.0, 1.0, &mut rng);
/// let y = Tensor::rand_normal(1000, 1, 0.0, 1.0, &mut rng);
/// let (xs, ys) = mse_equivalent(&x, &y);
/// assert_eq!(xs.shape(), (8, 3));
/// let mse = |x: &Tensor, y: &Tensor, w: &Tensor, b: f64| x.matmul(w).add_scalar(b).sub(y).map(|r| r * r).mean();
/// let (w, b) = (Tensor::column(&[0.3, -1.0, 2.0]), 0.7);
/// assert!((mse(&x, &y, &w, b) - mse(&xs, &ys, &w, b)).abs() < 1e-12);
/// ```
pub fn mse_equivalent(x: &Tensor, y: &Tensor) -> (Tensor, Tensor) {
    let (n, p) = x.shape();
    assert!(
        y.shape() == (n, 1),
        "mse_equivalent: targets {} do not match the features {} (need one column of {n} rows)",
        fmt_shape(y.shape()),
        fmt_shape(x.shape())
    );
    let m = 2 * (p + 1);
    if n <= m {
        return (x.clone(), y.clone());
    }
    let x_mean = x.sum_each_col().mul_scalar(1.0 / n as f64);
    let y_mean = y.mean();
    // [X_c, y_c], N x (p + 1).
    let centered = Tensor::from_fn(n, p + 1, |i, j| {
        if j < p {
            x[(i, j)] - x_mean[(0, j)]
        } else {
            y[(i, 0)] - y_mean
        }
    });
    let qr = Qr::new(&centered);
    let r = qr.r();
    // M = R Pᵀ: column perm[j] of M is column j of R.
    let mut big_m = Tensor::zeros(p + 1, p + 1);
    for (j, &pj) in qr.perm().iter().enumerate() {
        for i in 0..p + 1 {
            big_m[(i, pj)] = r[(i, j)];
        }
    }
    let s = (m as f64 / (2.0 * n as f64)).sqrt();
    let sign = |row: usize| if row <= p { s } else { -s };
    let xs = Tensor::from_fn(m, p, |row, j| {
        x_mean[(0, j)] + sign(row) * big_m[(row % (p + 1), j)]
    });
    let ys = Tensor::from_fn(m, 1, |row, _| {
        y_mean + sign(row) * big_m[(row % (p + 1), p)]
    });
    (xs, ys)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loss and gradient agree at random points, for raw polynomial features (badly scaled,
    /// as sin_poly_fit's).
    #[test]
    fn loss_and_gradient_agree_with_the_full_data() {
        let mut rng = crate::Rng::new(4);
        let n = 5000;
        let t = Tensor::rand_uniform(n, 1, 2.0, 5.0, &mut rng);
        let x = Tensor::from_fn(n, 3, |i, j| t[(i, 0)].powi(j as i32 + 1));
        let y = t.map(f64::sin);
        let (xs, ys) = mse_equivalent(&x, &y);
        assert_eq!(xs.shape(), (8, 3));
        for _ in 0..5 {
            let w = Tensor::rand_normal(3, 1, 0.0, 0.1, &mut rng);
            let b = rng.normal();
            let residual = |x: &Tensor, y: &Tensor| x.matmul(&w).add_scalar(b).sub(y);
            let (r_full, r_small) = (residual(&x, &y), residual(&xs, &ys));
            let loss = |r: &Tensor| r.map(|v| v * v).mean();
            let (l_full, l_small) = (loss(&r_full), loss(&r_small));
            assert!(
                (l_full - l_small).abs() <= 1e-12 * l_full,
                "{l_full} vs {l_small}"
            );
            // ∇_w = (2/N) Xᵀ r, ∇_b = (2/N) Σ r.
            let g_full = x.t().matmul(&r_full).mul_scalar(2.0 / n as f64);
            let g_small = xs.t().matmul(&r_small).mul_scalar(2.0 / 8.0);
            g_small.assert_close(&g_full, 1e-9, 1e-9 * g_full.max_abs());
            let (b_full, b_small) = (2.0 * r_full.mean(), 2.0 * r_small.mean());
            assert!((b_full - b_small).abs() <= 1e-9 * (1.0 + b_full.abs()));
        }
    }
}
