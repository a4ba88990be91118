//! Comparison with tolerances, for tests and checks.

use super::{Tensor, fmt_shape};
use approx::{AbsDiffEq, RelativeEq, UlpsEq};

impl Tensor {
    // ----- comparison for tests -------------------------------------------------------------

    /// The largest entrywise error `|a - b| / max(|a|, |b|, floor)`: relative for entries
    /// above `floor` in magnitude, absolute (scaled by `1/floor`) below it.
    ///
    /// # Panics
    /// If the shapes differ.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::row(&[100.0, 1e-6]);
    /// let b = Tensor::row(&[101.0, 2e-6]);
    /// // 1/101 relative on the first entry; the second is below the floor 1e-3: 1e-6 / 1e-3.
    /// assert!((a.max_rel_diff(&b, 1e-3) - 1.0 / 101.0).abs() < 1e-15);
    /// ```
    pub fn max_rel_diff(&self, other: &Tensor, floor: f64) -> f64 {
        assert!(
            self.shape() == other.shape(),
            "max_rel_diff: {} vs {}: shapes differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape())
        );
        self.data
            .iter()
            .zip(&other.data)
            .map(|(&a, &b)| rel_diff(a, b, floor))
            .fold(0.0, f64::max)
    }

    /// True if the shapes agree and every entry satisfies `|a - b| <= atol + rtol * max(|a|, |b|)`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::row(&[1.0, 2.0]);
    /// assert!(a.approx_eq(&Tensor::row(&[1.0 + 1e-12, 2.0]), 1e-10, 0.0));
    /// assert!(!a.approx_eq(&Tensor::row(&[1.1, 2.0]), 1e-10, 0.0));
    /// ```
    pub fn approx_eq(&self, other: &Tensor, rtol: f64, atol: f64) -> bool {
        self.shape() == other.shape()
            && self
                .data
                .iter()
                .zip(&other.data)
                .all(|(&a, &b)| (a - b).abs() <= atol + rtol * a.abs().max(b.abs()))
    }

    /// Asserts [`Tensor::approx_eq`], printing both tensors and the worst entry if it fails.
    ///
    /// # Panics
    /// If the tensors are not close.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::column(&[0.1 + 0.2, 1.0]);
    /// a.assert_close(&Tensor::column(&[0.3, 1.0]), 1e-15, 0.0);
    /// ```
    #[track_caller]
    pub fn assert_close(&self, other: &Tensor, rtol: f64, atol: f64) {
        if self.approx_eq(other, rtol, atol) {
            return;
        }
        if self.shape() != other.shape() {
            panic!(
                "assert_close: shapes differ: {} vs {}",
                fmt_shape(self.shape()),
                fmt_shape(other.shape())
            );
        }
        let (k, _) = self
            .data
            .iter()
            .zip(&other.data)
            .map(|(&a, &b)| (a - b).abs() - rtol * a.abs().max(b.abs()))
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |best, (k, e)| {
                if e > best.1 { (k, e) } else { best }
            });
        panic!(
            "assert_close (rtol {rtol:e}, atol {atol:e}): worst entry ({}, {}): {} vs {}\nleft:\n{self}\nright:\n{other}",
            k / self.cols.max(1),
            k % self.cols.max(1),
            self.data[k],
            other.data[k]
        );
    }
}

/// `|a - b| / max(|a|, |b|, floor)`; 0 when both are equal (including both infinite), and
/// infinity when exactly one is NaN or they differ in a non-finite way.
pub(crate) fn rel_diff(a: f64, b: f64, floor: f64) -> f64 {
    if a == b {
        return 0.0;
    }
    let d = (a - b).abs();
    if !d.is_finite() {
        return f64::INFINITY;
    }
    d / a.abs().max(b.abs()).max(floor)
}

/// `approx::abs_diff_eq!(a, b, epsilon = e)`: same shape, and every entry within `e`.
///
/// ```
/// use tapegrad::Tensor;
/// use tapegrad::approx::{assert_abs_diff_eq, assert_relative_eq};
/// let a = Tensor::row(&[1.0, 2.0]);
/// assert_relative_eq!(a, Tensor::row(&[1.0 + 1e-15, 2.0]), max_relative = 1e-12);
/// assert_abs_diff_eq!(a, Tensor::row(&[1.0, 2.0 + 1e-9]), epsilon = 1e-8);
/// assert!(tapegrad::approx::relative_ne!(a, Tensor::row(&[1.0, 2.0]).t()));  // shapes differ
/// ```
impl AbsDiffEq for Tensor {
    type Epsilon = f64;
    fn default_epsilon() -> f64 {
        f64::EPSILON
    }
    fn abs_diff_eq(&self, other: &Tensor, epsilon: f64) -> bool {
        self.shape() == other.shape()
            && self
                .data
                .iter()
                .zip(&other.data)
                .all(|(a, b)| a.abs_diff_eq(b, epsilon))
    }
}

/// `approx::relative_eq!(a, b, max_relative = r)`: same shape, and every entry passes
/// `f64`'s test (`|a - b| <= epsilon`, or `|a - b| <= r max(|a|, |b|)`).
impl RelativeEq for Tensor {
    fn default_max_relative() -> f64 {
        f64::EPSILON
    }
    fn relative_eq(&self, other: &Tensor, epsilon: f64, max_relative: f64) -> bool {
        self.shape() == other.shape()
            && self
                .data
                .iter()
                .zip(&other.data)
                .all(|(a, b)| a.relative_eq(b, epsilon, max_relative))
    }
}

/// `approx::ulps_eq!(a, b, max_ulps = n)`: same shape, and every entry within `n` units in
/// the last place (or `epsilon`).
impl UlpsEq for Tensor {
    fn default_max_ulps() -> u32 {
        4
    }
    fn ulps_eq(&self, other: &Tensor, epsilon: f64, max_ulps: u32) -> bool {
        self.shape() == other.shape()
            && self
                .data
                .iter()
                .zip(&other.data)
                .all(|(a, b)| a.ulps_eq(b, epsilon, max_ulps))
    }
}

#[cfg(test)]
mod tests {
    use super::rel_diff;

    #[test]
    fn rel_diff_is_relative_and_flags_nan() {
        assert_eq!(rel_diff(2.0, 2.0, 1e-3), 0.0);
        assert_eq!(rel_diff(1.0, 1.5, 1e-3), 0.5 / 1.5);
        assert_eq!(rel_diff(f64::NAN, 1.0, 1e-3), f64::INFINITY);
    }
}
