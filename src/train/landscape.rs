//! Loss landscapes around a point: `L(θ* + tΔ)` along a direction and `L(θ* + aΔ₁ + bΔ₂)`
//! over a plane (exercise 3e), so that a study is two calls instead of a hand-written loop.

use super::Loss;
use super::loss::loss_at;
use crate::nn::{Module, Params};
use crate::tensor::Tensor;

/// The loss of `model` on `(x, y)` around the parameters of `params` (θ*), along directions
/// in θ's flat layout.
///
/// ```
/// use tapegrad::nn::{Activation, Init, Params, Reduction, mlp};
/// use tapegrad::train::{Landscape, Loss};
/// use tapegrad::{Rng, Tensor};
/// let mut params = Params::new();
/// let model = mlp(&[1, 4, 1], Activation::Tanh).build(&mut params, &mut Rng::new(0));
/// let x = Tensor::column(&[-1.0, 0.0, 1.0]);
/// let y = x.map(|v| v * v);
/// let land = Landscape::new(&model, &params, (&x, &y), Loss::Mse(Reduction::Mean));
/// let delta: Vec<f64> = (0..params.len()).map(|i| (i as f64).sin()).collect();
/// let line = land.along(&delta, &[-1.0, 0.0, 1.0]);
/// assert_eq!(line[1], land.at(params.as_slice()));          // t = 0 is theta* itself
/// let plane = land.plane((&delta, &delta), (&[0.0, 1.0], &[0.0, 1.0, 2.0]));
/// assert_eq!(plane.shape(), (3, 2));                         // rows b, columns a
/// assert_eq!(plane[(0, 1)], line[2]);                        // a = 1, b = 0 is t = 1
/// ```
pub struct Landscape<'a> {
    model: &'a dyn Module,
    params: Params,
    x: &'a Tensor,
    y: &'a Tensor,
    loss: Loss,
}

impl<'a> Landscape<'a> {
    /// The landscape of `model` with loss `loss` on `(x, y)` around `params`.
    pub fn new(
        model: &'a dyn Module,
        params: &Params,
        (x, y): (&'a Tensor, &'a Tensor),
        loss: Loss,
    ) -> Landscape<'a> {
        Landscape {
            model,
            params: params.clone(),
            x,
            y,
            loss,
        }
    }

    /// `L(θ)` at any `θ` in the flat layout.
    ///
    /// # Panics
    /// If `theta` does not have one entry per parameter.
    pub fn at(&self, theta: &[f64]) -> f64 {
        let mut p = self.params.clone();
        p.set_flat(theta);
        loss_at(self.model, &p, self.x, self.y, self.loss)
    }

    /// `L(θ* + t Δ)` for each `t` of `ts`.
    ///
    /// # Panics
    /// If `delta` does not have one entry per parameter.
    pub fn along(&self, delta: &[f64], ts: &[f64]) -> Vec<f64> {
        self.check("along", delta);
        let star = self.params.as_slice();
        ts.iter()
            .map(|&t| {
                let theta: Vec<f64> = star.iter().zip(delta).map(|(s, d)| s + t * d).collect();
                self.at(&theta)
            })
            .collect()
    }

    /// `z[i][j] = L(θ* + a_j Δ₁ + b_i Δ₂)`: rows follow `b`, columns follow `a` (as
    /// [`plot::landscape_2d`](crate::plot::landscape_2d) draws it).
    ///
    /// # Panics
    /// If a direction does not have one entry per parameter.
    pub fn plane(&self, (d1, d2): (&[f64], &[f64]), (a, b): (&[f64], &[f64])) -> Tensor {
        self.check("plane", d1);
        self.check("plane", d2);
        let star = self.params.as_slice();
        Tensor::from_fn(b.len(), a.len(), |i, j| {
            let theta: Vec<f64> = (0..star.len())
                .map(|k| star[k] + a[j] * d1[k] + b[i] * d2[k])
                .collect();
            self.at(&theta)
        })
    }

    fn check(&self, what: &str, delta: &[f64]) {
        assert!(
            delta.len() == self.params.len(),
            "Landscape::{what}: a direction needs {} entries (one per parameter), got {}",
            self.params.len(),
            delta.len()
        );
    }
}
