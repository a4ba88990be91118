//! Step-size schedules `γ_k` and iterate averaging.

/// A step-size schedule: `γ_k` for step `k = 0, 1, 2, ...` (the step that computes
/// `θ_{k+1}`). Use with any [`super::Optimizer`] via [`super::descend`] or
/// `opt.set_lr(schedule.at(k))`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Schedule {
    /// `γ_k = γ`.
    Constant(f64),
    /// `γ_k = γ / (k + 1)`.
    InverseTime(f64),
    /// `γ_k = γ / (floor(k / K) + 1)`: drops every `K` steps.
    StepDecay {
        /// `γ`.
        gamma: f64,
        /// `K`, steps per stage.
        every: usize,
    },
    /// `γ_k = γ r^k`.
    Exponential {
        /// `γ`.
        gamma: f64,
        /// `r`, the factor per step.
        rate: f64,
    },
    /// `γ_k = γ_min + (γ − γ_min)(1 + cos(π k / T)) / 2` for `k <= T`, then `γ_min`.
    Cosine {
        /// `γ`, the initial step size.
        gamma: f64,
        /// `γ_min`, the final step size.
        min: f64,
        /// `T`, the number of steps of the decay.
        total: usize,
    },
}

impl Schedule {
    /// Checks the settings: every step size finite and `>= 0` for all `k` (so `γ >= 0`, `γ_min
    /// >= 0`, `0 <= r`), `every >= 1`, `total >= 1`. The loops ([`descend`](super::descend),
    /// the trainer) call it before the first step; `Err` names the setting and its value.
    ///
    /// ```
    /// use tapegrad::optim::Schedule;
    /// assert!(Schedule::InverseTime(0.5).validate().is_ok());
    /// let err = Schedule::Cosine { gamma: 0.1, min: -0.01, total: 100 }.validate().unwrap_err();
    /// assert_eq!(err, "Schedule::Cosine: min must be finite and >= 0, got -0.01");
    /// assert!(Schedule::Constant(f64::NAN).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        let rate = |name: &str, field: &str, x: f64| {
            if x.is_finite() && x >= 0.0 {
                Ok(())
            } else {
                Err(format!(
                    "Schedule::{name}: {field} must be finite and >= 0, got {x}"
                ))
            }
        };
        match *self {
            Schedule::Constant(g) => rate("Constant", "the step size", g),
            Schedule::InverseTime(g) => rate("InverseTime", "the step size", g),
            Schedule::StepDecay { gamma, every } => {
                rate("StepDecay", "gamma", gamma)?;
                if every == 0 {
                    return Err("Schedule::StepDecay: every must be >= 1, got 0".into());
                }
                Ok(())
            }
            Schedule::Exponential { gamma, rate: r } => {
                rate("Exponential", "gamma", gamma)?;
                rate("Exponential", "rate", r)
            }
            Schedule::Cosine { gamma, min, total } => {
                rate("Cosine", "gamma", gamma)?;
                rate("Cosine", "min", min)?;
                if total == 0 {
                    return Err("Schedule::Cosine: total must be >= 1, got 0".into());
                }
                Ok(())
            }
        }
    }

    /// `γ_k`.
    ///
    /// # Panics
    /// For `StepDecay` with `every = 0` or `Cosine` with `total = 0`.
    ///
    /// ```
    /// use tapegrad::optim::Schedule;
    /// assert_eq!(Schedule::InverseTime(1.0).at(3), 0.25);                            // γ / (k + 1)
    /// assert_eq!(Schedule::StepDecay { gamma: 1.0, every: 1000 }.at(2500), 1.0 / 3.0); // γ / (⌊k/K⌋ + 1)
    /// assert_eq!(Schedule::Exponential { gamma: 1.0, rate: 0.5 }.at(2), 0.25);
    /// ```
    pub fn at(&self, k: usize) -> f64 {
        let kf = k as f64;
        match *self {
            Schedule::Constant(gamma) => gamma,
            Schedule::InverseTime(gamma) => gamma / (kf + 1.0),
            Schedule::StepDecay { gamma, every } => {
                assert!(every > 0, "Schedule::StepDecay: every must be >= 1, got 0");
                gamma / ((k / every) as f64 + 1.0)
            }
            Schedule::Exponential { gamma, rate } => gamma * rate.powf(kf),
            Schedule::Cosine { gamma, min, total } => {
                assert!(total > 0, "Schedule::Cosine: total must be >= 1, got 0");
                let t = (kf / total as f64).min(1.0);
                min + (gamma - min) * (1.0 + (std::f64::consts::PI * t).cos()) / 2.0
            }
        }
    }
}

/// The running mean of the iterates, `θ̄_k = (1/(k+1)) Σ_{l=0..k} θ_l`, computed
/// sequentially: `θ̄_k = θ̄_{k-1} + (θ_k − θ̄_{k-1}) / (k + 1)`, without storing the iterates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IterateAverage {
    mean: Vec<f64>,
    count: usize,
}

impl IterateAverage {
    /// No iterates yet.
    ///
    /// ```
    /// use tapegrad::optim::IterateAverage;
    /// assert_eq!(IterateAverage::new().count(), 0);
    /// ```
    pub fn new() -> IterateAverage {
        IterateAverage::default()
    }

    /// Adds `θ_k` to the average.
    ///
    /// # Panics
    /// If `theta`'s length differs from earlier iterates'.
    ///
    /// ```
    /// use tapegrad::optim::IterateAverage;
    /// let mut avg = IterateAverage::new();
    /// avg.update(&[1.0, 0.0]);
    /// avg.update(&[3.0, 2.0]);
    /// assert_eq!(avg.mean(), &[2.0, 1.0]);
    /// ```
    pub fn update(&mut self, theta: &[f64]) {
        if self.count == 0 {
            self.mean = theta.to_vec();
        } else {
            assert!(
                theta.len() == self.mean.len(),
                "IterateAverage::update: expected {} entries, got {}",
                self.mean.len(),
                theta.len()
            );
            let w = 1.0 / (self.count as f64 + 1.0);
            for (m, &t) in self.mean.iter_mut().zip(theta) {
                *m += (t - *m) * w;
            }
        }
        self.count += 1;
    }

    /// `θ̄`, the mean of the iterates so far (empty before the first update).
    ///
    /// ```
    /// use tapegrad::optim::IterateAverage;
    /// let mut avg = IterateAverage::new();
    /// for k in 1..=4 {
    ///     avg.update(&[k as f64]);
    /// }
    /// assert_eq!(avg.mean(), &[2.5]);                    // (1 + 2 + 3 + 4) / 4
    /// ```
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// How many iterates have been averaged.
    ///
    /// ```
    /// use tapegrad::optim::IterateAverage;
    /// let mut avg = IterateAverage::new();
    /// avg.update(&[1.0]);
    /// assert_eq!(avg.count(), 1);
    /// ```
    pub fn count(&self) -> usize {
        self.count
    }
}
