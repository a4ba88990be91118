//! One step of a replay: the forward pass and the reverse pass for new parameters
//! ([`Replay::run`]), and the fused step that runs an optimizer's update with them
//! ([`Replay::step`]).

use super::{Replay, backward, forward};
use crate::optim::{Diverged, Optimizer};
use crate::tape::Value;

impl Replay {
    /// One step: the loss at `theta` (the flat parameter vector, in the layout of the
    /// recording's [`Theta`](crate::params::Theta)), with its gradient `dL/dθ` written into `grad`. A parameter the
    /// loss does not use gets zeros.
    ///
    /// # Panics
    /// If `theta` or `grad` does not have the recorded parameters' length.
    ///
    /// ```
    /// use tapegrad::nn::Params;
    /// use tapegrad::replay::Replay;
    /// use tapegrad::{Tape, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::scalar(0.0));
    /// let tape = Tape::new();
    /// let theta = tape.params(&p);
    /// let x = tape.constant(Tensor::column(&[1.0, 2.0]));
    /// let loss = (x * theta.vars()[0] - 2.0).square().sum(); // sum (x w - 2)^2
    /// let mut replay = Replay::new(&tape, loss, &theta);
    /// let mut grad = [0.0];
    /// assert_eq!(replay.run(&[1.0], &mut grad), 1.0);         // (1 - 2)^2 + (2 - 2)^2
    /// assert_eq!(grad, [-2.0]);                               // sum 2 (x w - 2) x
    /// ```
    pub fn run(&mut self, theta: &[f64], grad: &mut [f64]) -> f64 {
        assert!(
            theta.len() == self.theta_len && grad.len() == self.theta_len,
            "Replay::run: the recording has {} parameter values, got theta of {} and grad of {}",
            self.theta_len,
            theta.len(),
            grad.len()
        );
        for p in self.params.iter().filter(|p| !p.in_place) {
            if let Some(Value::Owned(t)) = self.values.get_mut(p.node) {
                t.as_mut_slice()
                    .copy_from_slice(&theta[p.offset..p.offset + p.len]);
            }
        }
        match self.in_place {
            true => self.passes::<true>(theta, grad),
            false => self.passes::<false>(theta, grad),
        }
        for p in &self.params {
            let out = &mut grad[p.offset..p.offset + p.len];
            match (p.reached, p.in_place) {
                (true, true) => {} // written in place by the reverse pass
                (true, false) => out.copy_from_slice(self.adjoints[p.node].as_slice()),
                (false, _) => out.fill(0.0), // the loss does not use this parameter
            }
        }
        self.values[self.loss].item()
    }

    /// One training step in one call: [`Replay::run`] at `theta`, then `opt.step(theta, grad)`;
    /// returns the loss at `theta` before the update. The same bits as the two calls one after
    /// the other, with the update's loop compiled for AVX2 where the CPU has it, as the passes
    /// are (for a concrete optimizer type; through `&mut dyn Optimizer` the update is an
    /// ordinary call). An optimizer knows nothing of the replay: it gets the two slices.
    ///
    /// # Errors
    /// [`Diverged`] from the update, as `opt.step` returns it.
    ///
    /// # Panics
    /// As [`Replay::run`].
    ///
    /// ```
    /// use tapegrad::nn::Params;
    /// use tapegrad::optim::Sgd;
    /// use tapegrad::replay::Replay;
    /// use tapegrad::{Tape, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::scalar(1.0));
    /// let tape = Tape::new();
    /// let theta = tape.params(&p);
    /// let loss = theta.vars()[0].square().sum();         // w², gradient 2w
    /// let mut replay = Replay::new(&tape, loss, &theta);
    /// let (mut grad, mut opt) = ([0.0], Sgd::new(0.25));
    /// assert_eq!(replay.step(p.as_mut_slice(), &mut grad, &mut opt), Ok(1.0));
    /// assert_eq!((grad, p.as_slice()), ([2.0], &[0.5][..]));  // w = 1 - 0.25 * 2
    /// ```
    pub fn step<O: Optimizer + ?Sized>(
        &mut self,
        theta: &mut [f64],
        grad: &mut [f64],
        opt: &mut O,
    ) -> Result<f64, Diverged> {
        let loss = self.run(theta, grad);
        crate::wide::wide(
            #[inline(always)]
            || opt.step(theta, grad),
        )?;
        Ok(loss)
    }

    /// The forward pass and the reverse pass; `IN_PLACE`: some parameter is read in place.
    #[inline(always)]
    fn passes<const IN_PLACE: bool>(&mut self, theta: &[f64], grad: &mut [f64]) {
        // Both passes compiled for AVX2 where the CPU has it: their loops run 4 lanes wide.
        let (values, adjoints, homes) = (&mut self.values, &mut self.adjoints, &self.homes);
        crate::wide::wide(|| {
            for f in &self.forward {
                forward::run::<IN_PLACE>(f, values, (homes, theta));
            }
        });
        if let Some(seed) = adjoints[self.loss].as_mut_slice().first_mut() {
            *seed = 1.0; // dL/dL = 1
        }
        crate::wide::wide(|| {
            for b in &self.backward {
                backward::run::<IN_PLACE>(b, adjoints, values, (homes, theta, &mut *grad));
            }
        });
    }
}
