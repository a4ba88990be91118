//! Data helpers for the course's experiments: polynomial features and standardization
//! (`(x, y)` points from CSV: [`crate::io::csv::read_points`]).

use crate::tensor::Tensor;
use crate::tensor::pow2::{exponent_of, times_pow2};

/// Polynomial features `φ(x) = [1, x, x², ..., x^n]`, one row per sample: an `N x (n + 1)`
/// matrix (scikit-learn's `PolynomialFeatures(n)` on one feature). Without the constant
/// column (a model with a bias of its own): `poly_features(x, n).slice(.., 1..)`.
///
/// # Panics
/// If `degree` does not fit an `i32` (the power `x^j` is `powi`), naming it.
///
/// ```
/// use tapegrad::data::poly_features;
/// let phi = poly_features(&[2.0, 3.0], 3);             // [1, x, x^2, x^3]
/// assert_eq!(phi.row_slice(1), &[1.0, 3.0, 9.0, 27.0]);
/// assert_eq!(poly_features(&[2.0], 2).slice(.., 1..).row_slice(0), &[2.0, 4.0]);
/// ```
pub fn poly_features(x: &[f64], degree: usize) -> Tensor {
    assert!(
        i32::try_from(degree).is_ok(),
        "poly_features: degree {degree} is too large (at most {})",
        i32::MAX
    );
    Tensor::from_fn(x.len(), degree + 1, |i, j| x[i].powi(j as i32))
}

/// Per-column standardization `z_j = (x_j − μ_j) / σ_j`, with the population standard
/// deviation `σ_j` (dividing by `N`). A constant column (`σ_j = 0`) is centered but not
/// scaled (`σ_j` is taken as 1); standardize the features without the constant column and
/// keep the bias as its own parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer {
    /// `μ_j`.
    pub mean: Vec<f64>,
    /// `σ_j` (1 for constant columns).
    pub std: Vec<f64>,
}

impl Standardizer {
    /// Fits `μ` and `σ` to the columns of `x`.
    ///
    /// # Panics
    /// If `x` has no rows.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad::data::Standardizer;
    /// let x = Tensor::column(&[1.0, 2.0, 3.0]);
    /// let s = Standardizer::fit(&x);
    /// assert_eq!(s.mean, vec![2.0]);
    /// assert!((s.std[0] - (2.0f64 / 3.0).sqrt()).abs() < 1e-15);    // population std
    /// ```
    pub fn fit(x: &Tensor) -> Standardizer {
        let n = x.rows();
        assert!(n > 0, "Standardizer::fit: no rows");
        // Both moments are computed scaled, so that columns of size 1e200 (whose sum or
        // squares overflow) or 1e-200 (whose squares underflow) are standardized correctly.
        let mut mean = Vec::with_capacity(x.cols());
        let mut std = Vec::with_capacity(x.cols());
        for j in 0..x.cols() {
            let col: Vec<f64> = (0..n).map(|i| x[(i, j)]).collect();
            let m = col.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let mu = if m > 0.0 && m.is_finite() {
                // Scaled by a power of two (exact): the sum cannot overflow.
                let e = exponent_of(m);
                let sum: f64 = col.iter().map(|&v| times_pow2(v, -e)).sum();
                times_pow2(sum / n as f64, e)
            } else {
                col.iter().sum::<f64>() / n as f64
            };
            // σ = ||x − μ|| / √N, with the overflow- and underflow-free norm.
            let sigma = Tensor::column(&col.iter().map(|v| v - mu).collect::<Vec<_>>()).norm()
                / (n as f64).sqrt();
            mean.push(mu);
            std.push(if sigma > 0.0 { sigma } else { 1.0 });
        }
        Standardizer { mean, std }
    }

    /// `z = (x − μ) / σ`, column by column.
    ///
    /// # Panics
    /// If `x` has a different number of columns than the fitted data.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad::data::Standardizer;
    /// let x = Tensor::from_rows(&[[1.0, 10.0], [3.0, 30.0]]);
    /// let z = Standardizer::fit(&x).transform(&x);
    /// assert_eq!(z, Tensor::from_rows(&[[-1.0, -1.0], [1.0, 1.0]]));
    /// ```
    pub fn transform(&self, x: &Tensor) -> Tensor {
        assert!(
            x.cols() == self.mean.len(),
            "Standardizer::transform: fitted on {} columns, got {}",
            self.mean.len(),
            x.cols()
        );
        Tensor::from_fn(x.rows(), x.cols(), |i, j| {
            (x[(i, j)] - self.mean[j]) / self.std[j]
        })
    }

    /// `x = μ + σ z`, column by column.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad::data::Standardizer;
    /// let x = Tensor::from_rows(&[[1.0, 10.0], [3.0, 50.0], [2.0, 0.0]]);
    /// let s = Standardizer::fit(&x);
    /// s.inverse_transform(&s.transform(&x)).assert_close(&x, 1e-15, 1e-15);
    /// ```
    ///
    /// # Panics
    /// If `z` has a different number of columns than the fitted data.
    pub fn inverse_transform(&self, z: &Tensor) -> Tensor {
        assert!(
            z.cols() == self.mean.len(),
            "Standardizer::inverse_transform: fitted on {} columns, got {}",
            self.mean.len(),
            z.cols()
        );
        Tensor::from_fn(z.rows(), z.cols(), |i, j| {
            self.mean[j] + self.std[j] * z[(i, j)]
        })
    }

    /// Maps the coefficients of `y = b + Σ_j w_j z_j` (standardized features) to those of
    /// the same function in the original features, `y = b' + Σ_j w'_j x_j`:
    /// `w'_j = w_j / σ_j`, `b' = b − Σ_j w_j μ_j / σ_j`.
    ///
    /// # Panics
    /// If `w` has a different length than the number of features.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// use tapegrad::data::Standardizer;
    /// // A model fitted on z = (x - 2) / std: m = w z + b, the same function as w' x + b'.
    /// let x = Tensor::column(&[1.0, 2.0, 3.0]);
    /// let s = Standardizer::fit(&x);
    /// let (w, b) = s.to_original(&[s.std[0] * 3.0], 1.0);          // m = 3 (x - 2) + 1
    /// assert!((w[0] - 3.0).abs() < 1e-15 && (b - -5.0).abs() < 1e-14);
    /// ```
    pub fn to_original(&self, w: &[f64], b: f64) -> (Vec<f64>, f64) {
        assert!(
            w.len() == self.mean.len(),
            "Standardizer::to_original: {} features, {} weights",
            self.mean.len(),
            w.len()
        );
        let w_orig: Vec<f64> = w.iter().zip(&self.std).map(|(wj, sj)| wj / sj).collect();
        let b_orig = b - w_orig
            .iter()
            .zip(&self.mean)
            .map(|(wj, mj)| wj * mj)
            .sum::<f64>();
        (w_orig, b_orig)
    }
}
