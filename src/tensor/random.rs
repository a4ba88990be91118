//! Seeded random tensors.

use super::Tensor;
use rand::Rng;
use rand_distr::{Distribution, Normal, Uniform};

impl Tensor {
    /// Entries drawn independently from the uniform distribution on `[low, high)`.
    ///
    /// # Panics
    /// If `low >= high` or either bound is not finite.
    pub fn rand_uniform(
        rows: usize,
        cols: usize,
        low: f64,
        high: f64,
        rng: &mut impl Rng,
    ) -> Tensor {
        assert!(
            low.is_finite() && high.is_finite() && low < high,
            "Tensor::rand_uniform: need finite low < high, got low = {low}, high = {high}"
        );
        let dist = Uniform::new(low, high);
        Tensor::from_fn(rows, cols, |_, _| dist.sample(rng))
    }

    /// Entries drawn independently from the normal distribution `N(mean, std^2)`.
    ///
    /// # Panics
    /// If `std` is negative or not finite.
    pub fn rand_normal(
        rows: usize,
        cols: usize,
        mean: f64,
        std: f64,
        rng: &mut impl Rng,
    ) -> Tensor {
        let dist = Normal::new(mean, std).unwrap_or_else(|_| {
            panic!("Tensor::rand_normal: std must be finite and >= 0, got {std}")
        });
        Tensor::from_fn(rows, cols, |_, _| dist.sample(rng))
    }
}
