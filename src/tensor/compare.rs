//! Comparison with tolerances, for tests and checks.

use super::{Tensor, fmt_shape};

impl Tensor {
    // ----- comparison for tests -------------------------------------------------------------

    /// The largest entrywise error `|a - b| / max(|a|, |b|, floor)`: relative for entries
    /// above `floor` in magnitude, absolute (scaled by `1/floor`) below it.
    ///
    /// # Panics
    /// If the shapes differ.
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
pub fn rel_diff(a: f64, b: f64, floor: f64) -> f64 {
    if a == b {
        return 0.0;
    }
    let d = (a - b).abs();
    if !d.is_finite() {
        return f64::INFINITY;
    }
    d / a.abs().max(b.abs()).max(floor)
}
