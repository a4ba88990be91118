//! `Theta`: the parameters recorded on one tape as leaves, and the gradient back in the
//! layout of `theta` (`Grads::flat`).

use super::{ParamId, Params};
use crate::tape::{Grads, Tape, Var};
use std::fmt;
use std::ops::Index;

/// The parameters recorded on one tape as leaves, one per view: `theta[id]` is the `Var`
/// of parameter `id`. Made by [`Tape::params`].
pub struct Theta<'t> {
    vars: Vec<Var<'t>>,
    /// Where each parameter starts in the flat vector.
    offsets: Vec<usize>,
    len: usize,
}

impl<'t> Theta<'t> {
    /// Uses `vars` (one per parameter, in registration order, each of its parameter's shape)
    /// as the parameters of a model laid out as `params`: for functions that receive their
    /// parameters as separate inputs, such as [`crate::gradcheck::gradcheck`]'s.
    ///
    /// # Panics
    /// If the number of vars or any shape differs from the layout, naming the parameter.
    ///
    /// ```
    /// use tapegrad::nn::{Params, Theta};
    /// use tapegrad::{Tape, Tensor};
    /// let mut p = Params::new();
    /// let w = p.add("w", &Tensor::row(&[1.0, 2.0]));
    /// let tape = Tape::new();
    /// let leaves = [tape.leaf(Tensor::row(&[3.0, 4.0]))];   // any values of the same shapes
    /// let theta = Theta::from_vars(&p, &leaves);
    /// assert_eq!(theta[w].value(), Tensor::row(&[3.0, 4.0]));
    /// ```
    pub fn from_vars(params: &Params, vars: &[Var<'t>]) -> Theta<'t> {
        assert!(
            vars.len() == params.views.len(),
            "Theta::from_vars: the layout has {} parameters, got {} vars",
            params.views.len(),
            vars.len()
        );
        for (v, view) in vars.iter().zip(&params.views) {
            view.assert_shape("Theta::from_vars", v.shape());
        }
        Theta::with_layout(params, vars.to_vec())
    }

    /// `vars` in the layout of `params` (shapes already known to match).
    fn with_layout(params: &Params, vars: Vec<Var<'t>>) -> Theta<'t> {
        let offsets = params.views.iter().map(|v| v.offset).collect();
        Theta {
            vars,
            offsets,
            len: params.len(),
        }
    }

    /// The leaves, in registration order.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tape, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::zeros(2, 2));
    /// p.add("b", &Tensor::zeros(1, 2));
    /// let tape = Tape::new();
    /// assert_eq!(tape.params(&p).vars().len(), 2);
    /// ```
    pub fn vars(&self) -> &[Var<'t>] {
        &self.vars
    }
}

impl<'t> Index<ParamId> for Theta<'t> {
    type Output = Var<'t>;
    fn index(&self, id: ParamId) -> &Var<'t> {
        &self.vars[id.0]
    }
}

impl Tape {
    /// Records every parameter of `params` as a leaf, in one call.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tape, Tensor};
    /// let mut p = Params::new();
    /// let w = p.add("w", &Tensor::row(&[1.0, 2.0]));
    /// let tape = Tape::new();
    /// let theta = tape.params(&p);                          // one leaf per named view
    /// assert_eq!(theta[w].value(), Tensor::row(&[1.0, 2.0]));
    /// ```
    pub fn params(&self, params: &Params) -> Theta<'_> {
        let vars = (0..params.views.len())
            .map(|k| self.leaf(params.get(ParamId(k))))
            .collect();
        Theta::with_layout(params, vars)
    }
}

impl Grads {
    /// The gradient with respect to every parameter, as one flat vector in the layout of
    /// `theta` (`dL/dtheta`). A parameter the loss does not use gets zeros.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tape, Tensor};
    /// let mut p = Params::new();
    /// let w = p.add("w", &Tensor::row(&[1.0, 2.0]));
    /// let _unused = p.add("c", &Tensor::scalar(5.0));
    /// let tape = Tape::new();
    /// let theta = tape.params(&p);
    /// let loss = theta[w].square().sum();                   // ||w||^2
    /// let grad = tape.backward(loss).flat(&theta);
    /// assert_eq!(grad, vec![2.0, 4.0, 0.0]);                // same layout as theta; unused -> 0
    /// ```
    pub fn flat(&self, theta: &Theta<'_>) -> Vec<f64> {
        let mut g = vec![0.0; theta.len];
        for (var, &offset) in theta.vars.iter().zip(&theta.offsets) {
            let grad = self[*var].as_slice();
            g[offset..offset + grad.len()].copy_from_slice(grad);
        }
        g
    }
}

impl fmt::Debug for Theta<'_> {
    /// A summary: how many parameter leaves and values, and the tape they are on.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Theta");
        if let Some(v) = self.vars.first() {
            d.field("tape", &v.tape().id());
        }
        d.field("params", &self.vars.len())
            .field("len", &self.len)
            .finish()
    }
}
