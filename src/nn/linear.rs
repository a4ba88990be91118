//! `Linear`: the affine layer `y = x W^T + b`, in PyTorch's convention.

use super::{Module, ParamId, Params, Theta};
use crate::rng::Rng;
use crate::tape::Var;
use crate::tensor::Tensor;

/// How a layer's parameters are initialized.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Init {
    /// PyTorch's default for `nn.Linear`: `W` and `b` uniform in `[-1/sqrt(in), 1/sqrt(in)]`.
    PyTorch,
    /// All zeros.
    Zeros,
    /// `W` entries from `N(0, std^2)`; `b = 0`.
    Normal(f64),
    /// Xavier/Glorot uniform: `W` uniform in `[-a, a]`, `a = sqrt(6 / (in + out))`; `b = 0`.
    XavierUniform,
    /// He/Kaiming normal (fan-in, for ReLU): `W` from `N(0, 2 / in)`; `b = 0`.
    KaimingNormal,
    /// Explicit values: `W` (`out x in`) and `b` (`1 x out`, ignored without a bias).
    Values(Tensor, Tensor),
}

/// `y = x W^T + b` for a batch `x` of shape `n x in`: `W` is `out x in` (PyTorch's layout, so
/// weights written as `out x in` compare directly) and `b` is a `1 x out` row broadcast over
/// the `n` rows.
#[derive(Clone, Debug)]
pub struct Linear {
    name: String,
    in_features: usize,
    out_features: usize,
    weight: ParamId,
    bias: Option<ParamId>,
}

/// A [`Linear`] layer's settings, from [`Linear::new`]: whether it has a bias and how its
/// parameters start. [`build`](LinearBuilder::build) registers them.
#[derive(Clone, Debug)]
#[must_use = "a layer's settings do nothing until `build` registers its parameters"]
pub struct LinearBuilder {
    in_features: usize,
    out_features: usize,
    bias: bool,
    init: Init,
}

impl LinearBuilder {
    /// With a bias `b` (the default) or without (PyTorch's `bias=False`): `y = x W^T`.
    ///
    /// ```
    /// use tapegrad::prelude::*;
    /// let mut p = Params::new();
    /// let layer = Linear::new(3, 2).bias(false).build(&mut p, "fc", &mut Rng::new(0));
    /// assert!(layer.bias().is_none() && p.len() == 6);
    /// ```
    pub fn bias(mut self, on: bool) -> LinearBuilder {
        self.bias = on;
        self
    }

    /// How `W` and `b` start (default [`Init::PyTorch`]).
    ///
    /// ```
    /// use tapegrad::prelude::*;
    /// let mut p = Params::new();
    /// Linear::new(3, 2).init(Init::Zeros).build(&mut p, "fc", &mut Rng::new(0));
    /// assert!(p.as_slice().iter().all(|&v| v == 0.0));
    /// ```
    pub fn init(mut self, init: Init) -> LinearBuilder {
        self.init = init;
        self
    }

    /// Registers `{name}.weight` (`out x in`) and, with a bias, `{name}.bias` (`1 x out`) in
    /// `params`, drawn from `rng` where the initialization is random.
    ///
    /// # Panics
    /// If `in_features` or `out_features` is 0, or explicit [`Init::Values`] have the wrong
    /// shapes.
    ///
    /// ```
    /// use tapegrad::prelude::*;
    /// let mut p = Params::new();
    /// let layer = Linear::new(3, 2).build(&mut p, "fc", &mut Rng::new(0));
    /// assert_eq!(p.view(layer.weight()).name, "fc.weight");
    /// ```
    pub fn build(self, params: &mut Params, name: &str, rng: &mut Rng) -> Linear {
        let (in_features, out_features) = (self.in_features, self.out_features);
        assert!(
            in_features > 0 && out_features > 0,
            "Linear {name}: in and out features must be positive, got in = {in_features}, \
             out = {out_features}"
        );
        let (n_in, n_out, bias) = (self.in_features, self.out_features, self.bias);
        let (w, b) = match &self.init {
            Init::PyTorch => {
                let bound = 1.0 / (n_in as f64).sqrt();
                let w = Tensor::rand_uniform(n_out, n_in, -bound, bound, rng);
                let b = Tensor::rand_uniform(1, n_out, -bound, bound, rng);
                (w, b)
            }
            Init::Zeros => (Tensor::zeros(n_out, n_in), Tensor::zeros(1, n_out)),
            Init::Normal(std) => (
                Tensor::rand_normal(n_out, n_in, 0.0, *std, rng),
                Tensor::zeros(1, n_out),
            ),
            Init::XavierUniform => {
                let a = (6.0 / (n_in + n_out) as f64).sqrt();
                (
                    Tensor::rand_uniform(n_out, n_in, -a, a, rng),
                    Tensor::zeros(1, n_out),
                )
            }
            Init::KaimingNormal => {
                let std = (2.0 / n_in as f64).sqrt();
                (
                    Tensor::rand_normal(n_out, n_in, 0.0, std, rng),
                    Tensor::zeros(1, n_out),
                )
            }
            Init::Values(w, b) => {
                assert!(
                    w.shape() == (n_out, n_in),
                    "Linear {name}: weight must be [{n_out}x{n_in}] (out x in), got [{}x{}]",
                    w.rows(),
                    w.cols()
                );
                assert!(
                    !bias || b.shape() == (1, n_out),
                    "Linear {name}: bias must be [1x{n_out}], got [{}x{}]",
                    b.rows(),
                    b.cols()
                );
                (w.clone(), b.clone())
            }
        };
        let weight = params.add(&format!("{name}.weight"), &w);
        let bias = bias.then(|| params.add(&format!("{name}.bias"), &b));
        Linear {
            name: name.to_string(),
            in_features,
            out_features,
            weight,
            bias,
        }
    }
}

impl Linear {
    /// A layer from `in_features` to `out_features`, to [`build`](LinearBuilder::build) into
    /// a [`Params`]: with a bias and PyTorch's initialization ([`Init::PyTorch`]) unless told
    /// otherwise, as PyTorch's `nn.Linear(in_features, out_features)`.
    ///
    /// # Panics
    /// At [`build`](LinearBuilder::build), if `in_features` or `out_features` is 0, or
    /// explicit [`Init::Values`] have the wrong shapes.
    ///
    /// ```
    /// use tapegrad::prelude::*;
    /// let mut params = Params::new();
    /// let layer = Linear::new(3, 2).build(&mut params, "0", &mut Rng::new(0));
    /// assert_eq!(params.len(), 3 * 2 + 2);                  // 0.weight (2x3) and 0.bias (1x2)
    /// let tape = Tape::new();
    /// let y = layer.forward(&tape.params(&params), tape.constant(Tensor::zeros(5, 3)));
    /// assert_eq!(y.shape(), (5, 2));
    /// ```
    #[allow(
        clippy::new_ret_no_self,
        reason = "PyTorch's nn.Linear(in, out): the settings first, registered by build"
    )]
    pub fn new(in_features: usize, out_features: usize) -> LinearBuilder {
        LinearBuilder {
            in_features,
            out_features,
            bias: true,
            init: Init::PyTorch,
        }
    }

    /// The weight's handle in `Params` (`out x in`).
    ///
    /// ```
    /// use tapegrad::nn::{Init, Linear, Params};
    /// use tapegrad::Rng;
    /// let mut p = Params::new();
    /// let layer = Linear::new(3, 2).init(Init::Zeros).build(&mut p, "fc", &mut Rng::new(0));
    /// assert_eq!(p.view(layer.weight()).name, "fc.weight");
    /// ```
    pub fn weight(&self) -> ParamId {
        self.weight
    }

    /// The bias's handle in `Params` (`1 x out`), if the layer has one.
    ///
    /// ```
    /// use tapegrad::nn::{Init, Linear, Params};
    /// use tapegrad::Rng;
    /// let mut p = Params::new();
    /// let layer = Linear::new(3, 2).bias(false).init(Init::Zeros).build(&mut p, "fc", &mut Rng::new(0));
    /// assert!(layer.bias().is_none());
    /// ```
    pub fn bias(&self) -> Option<ParamId> {
        self.bias
    }

    /// Input width.
    ///
    /// ```
    /// use tapegrad::nn::{Init, Linear, Params};
    /// use tapegrad::Rng;
    /// let layer = Linear::new(3, 2).init(Init::Zeros).build(&mut Params::new(), "0", &mut Rng::new(0));
    /// assert_eq!((layer.in_features(), layer.out_features()), (3, 2));
    /// ```
    pub fn in_features(&self) -> usize {
        self.in_features
    }

    /// Output width.
    ///
    /// ```
    /// use tapegrad::nn::{Init, Linear, Params};
    /// use tapegrad::Rng;
    /// let layer = Linear::new(3, 2).init(Init::Zeros).build(&mut Params::new(), "0", &mut Rng::new(0));
    /// assert_eq!(layer.out_features(), 2);
    /// ```
    pub fn out_features(&self) -> usize {
        self.out_features
    }
}

impl Module for Linear {
    /// `y = x W^T + b`.
    ///
    /// # Panics
    /// If `x` does not have `in_features` columns, naming the layer and both widths.
    fn forward<'t>(&self, theta: &Theta<'t>, x: Var<'t>) -> Var<'t> {
        let (n, width) = x.shape();
        assert!(
            width == self.in_features,
            "Linear {}: input [{n}x{width}] has {width} columns, expected {} (in_features)",
            self.name,
            self.in_features
        );
        let y = x.matmul_nt(theta[self.weight]);
        match self.bias {
            Some(b) => y + theta[b],
            None => y,
        }
    }

    fn describe(&self) -> String {
        format!(
            "Linear({}, {}{})",
            self.in_features,
            self.out_features,
            if self.bias.is_some() {
                ""
            } else {
                ", bias=false"
            }
        )
    }

    fn param_ids(&self) -> Vec<ParamId> {
        std::iter::once(self.weight).chain(self.bias).collect()
    }
}
