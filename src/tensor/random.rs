//! Seeded random tensors, drawn from the crate's [`Rng`] in row-major order.

use super::Tensor;
use crate::rng::Rng;

impl Tensor {
    /// Entries drawn independently from the uniform distribution on `[low, high)`, in
    /// row-major order ([`Rng::uniform_in`]).
    ///
    /// # Panics
    /// If `low >= high` or either bound is not finite.
    ///
    /// ```
    /// use tapegrad::{Rng, Tensor};
    /// let w = Tensor::rand_uniform(3, 2, -0.5, 0.5, &mut Rng::new(0));
    /// assert_eq!(w.shape(), (3, 2));
    /// assert!(w.as_slice().iter().all(|x| (-0.5..0.5).contains(x)));
    /// assert_eq!(w, Tensor::rand_uniform(3, 2, -0.5, 0.5, &mut Rng::new(0)));
    /// ```
    pub fn rand_uniform(rows: usize, cols: usize, low: f64, high: f64, rng: &mut Rng) -> Tensor {
        assert!(
            low.is_finite() && high.is_finite() && low < high,
            "Tensor::rand_uniform: need finite low < high, got low = {low}, high = {high}"
        );
        Tensor::from_fn(rows, cols, |_, _| rng.uniform_in(low, high))
    }

    /// Entries drawn independently from the normal distribution `N(mean, std^2)`:
    /// `mean + std z` with `z` from [`Rng::normal`], in row-major order.
    ///
    /// # Panics
    /// If `mean` is not finite, or `std` is negative or not finite.
    ///
    /// ```
    /// use tapegrad::{Rng, Tensor};
    /// let x = Tensor::rand_normal(1000, 1, 2.0, 0.5, &mut Rng::new(1));
    /// assert!((x.mean() - 2.0).abs() < 0.05);
    /// ```
    pub fn rand_normal(rows: usize, cols: usize, mean: f64, std: f64, rng: &mut Rng) -> Tensor {
        assert!(
            mean.is_finite() && std.is_finite() && std >= 0.0,
            "Tensor::rand_normal: need a finite mean and a finite std >= 0, got mean = {mean}, \
             std = {std}"
        );
        Tensor::from_fn(rows, cols, |_, _| mean + std * rng.normal())
    }
}
