//! `Sequential`: modules applied in order, and the `mlp` builder.

use super::{Activation, Init, Linear, Module, ParamId, Params, Theta};
use crate::rng::Rng;
use crate::tape::Var;
use std::fmt::{self, Write};

/// Modules applied one after another: `m(x; theta) = f_L(... f_2(f_1(x)))`.
#[derive(Default)]
pub struct Sequential {
    layers: Vec<Box<dyn Module>>,
}

impl Sequential {
    /// No layers yet.
    ///
    /// ```
    /// use tapegrad::nn::{Activation, Init, Linear, Module, Params, Sequential};
    /// use tapegrad::{Rng, Tape, Tensor};
    /// let (mut params, mut rng) = (Params::new(), Rng::new(0));
    /// let model = Sequential::new()
    ///     .push(Linear::new(2, 4).build(&mut params, "0", &mut rng))
    ///     .push(Activation::Tanh)
    ///     .push(Linear::new(4, 1).build(&mut params, "2", &mut rng));
    /// let tape = Tape::new();
    /// let y = model.forward(&tape.params(&params), tape.constant(Tensor::zeros(3, 2)));
    /// assert_eq!(y.shape(), (3, 1));
    /// ```
    pub fn new() -> Sequential {
        Sequential::default()
    }

    /// Appends a module.
    ///
    /// ```
    /// use tapegrad::nn::{Activation, Module, Sequential};
    /// let model = Sequential::new().push(Activation::Relu);
    /// assert_eq!(model.describe(), "Sequential(ReLU)");
    /// ```
    pub fn push(mut self, module: impl Module + 'static) -> Sequential {
        self.layers.push(Box::new(module));
        self
    }

    /// The layers in order.
    ///
    /// ```
    /// use tapegrad::nn::{Activation, Init, Params, mlp};
    /// use tapegrad::Rng;
    /// let model = mlp(&[1, 10, 1], Activation::Relu).build(&mut Params::new(), &mut Rng::new(0));
    /// assert_eq!(model.layers().len(), 3);                  // Linear, ReLU, Linear
    /// ```
    pub fn layers(&self) -> &[Box<dyn Module>] {
        &self.layers
    }

    /// A table of the model like the course's: layer, parameter, shape, count, and total.
    ///
    /// ```
    /// use tapegrad::nn::{Activation, Init, Params, mlp};
    /// use tapegrad::Rng;
    /// let mut params = Params::new();
    /// let model = mlp(&[1, 10, 10, 1], Activation::Relu).build(&mut params, &mut Rng::new(0));
    /// assert!(model.summary(&params).ends_with("total parameters: 141"));
    /// ```
    pub fn summary(&self, params: &Params) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<6} {:<16} {:<14} {:>10} {:>8}",
            "layer", "module", "parameter", "shape", "count"
        );
        let mut total = 0;
        for (i, layer) in self.layers.iter().enumerate() {
            let ids = layer.param_ids();
            if ids.is_empty() {
                let _ = writeln!(
                    s,
                    "{:<6} {:<16} {:<14} {:>10} {:>8}",
                    i,
                    layer.describe(),
                    "-",
                    "-",
                    0
                );
            }
            for (k, id) in ids.iter().enumerate() {
                let v = params.view(*id);
                let module = if k == 0 {
                    layer.describe()
                } else {
                    String::new()
                };
                let shape = format!("{}x{}", v.rows, v.cols);
                let _ = writeln!(
                    s,
                    "{:<6} {:<16} {:<14} {:>10} {:>8}",
                    i,
                    module,
                    v.name,
                    shape,
                    v.len()
                );
                total += v.len();
            }
        }
        let _ = write!(s, "total parameters: {total}");
        s
    }
}

impl fmt::Debug for Sequential {
    /// The layers by their descriptions: `Sequential [Linear(1, 10), ReLU, Linear(10, 1)]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sequential ")?;
        f.debug_list()
            .entries(self.layers.iter().map(|l| DisplayAsDebug(l.describe())))
            .finish()
    }
}

/// Shows a string without quotes in a `Debug` list.
struct DisplayAsDebug(String);

impl fmt::Debug for DisplayAsDebug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Module for Sequential {
    fn forward<'t>(&self, theta: &Theta<'t>, x: Var<'t>) -> Var<'t> {
        self.layers
            .iter()
            .fold(x, |h, layer| layer.forward(theta, h))
    }

    fn describe(&self) -> String {
        let inner: Vec<String> = self.layers.iter().map(|l| l.describe()).collect();
        format!("Sequential({})", inner.join(", "))
    }

    fn param_ids(&self) -> Vec<ParamId> {
        self.layers.iter().flat_map(|l| l.param_ids()).collect()
    }
}

/// A multilayer perceptron with widths `sizes = [in, h_1, ..., out]`: `Linear` layers with
/// bias, `activation` after every layer but the last (settings: [`MlpBuilder`]). Layers are
/// numbered as PyTorch's `nn.Sequential` numbers them (`0.weight`, `0.bias`, `2.weight`, ...;
/// the activations take the odd indices), so parameter names match a PyTorch model.
///
/// # Panics
/// If `sizes` has fewer than two entries or contains a 0.
///
/// ```
/// use tapegrad::prelude::*;
/// // A 1-16-1 tanh network fits y = x^2 on 5 points.
/// let x = Tensor::column(&[-1.0, -0.5, 0.0, 0.5, 1.0]);
/// let y = x.map(|v| v * v);
/// let mut params = Params::new();
/// let model = mlp(&[1, 16, 1], Activation::Tanh).build(&mut params, &mut Rng::new(1));
/// assert_eq!(params.views()[2].name, "2.weight");       // PyTorch's nn.Sequential names
/// let mut opt = Sgd::new(0.1).momentum(0.9);
/// let loss_at = |params: &Params| {
///     let tape = Tape::new();
///     let theta = tape.params(params);
///     let loss = mse(model.forward(&theta, tape.constant(&x)), tape.constant(&y), Reduction::Mean);
///     (loss.item(), tape.backward(loss).flat(&theta))
/// };
/// let start = loss_at(&params).0;
/// for _ in 0..500 {
///     let (_, grad) = loss_at(&params);
///     opt.step(params.as_mut_slice(), &grad).unwrap();
/// }
/// assert!(loss_at(&params).0 < start / 20.0);
/// ```
pub fn mlp(sizes: &[usize], activation: Activation) -> MlpBuilder {
    MlpBuilder {
        sizes: sizes.to_vec(),
        activation,
        init: Init::PyTorch,
    }
}

/// An [`mlp`]'s settings: its sizes, its activation, and how its layers start (default
/// [`Init::PyTorch`]). [`build`](MlpBuilder::build) registers the parameters.
#[derive(Clone, Debug)]
#[must_use = "a network's settings do nothing until `build` registers its parameters"]
pub struct MlpBuilder {
    sizes: Vec<usize>,
    activation: Activation,
    init: Init,
}

impl MlpBuilder {
    /// How every layer's `W` and `b` start (default [`Init::PyTorch`]).
    ///
    /// ```
    /// use tapegrad::prelude::*;
    /// let mut params = Params::new();
    /// mlp(&[2, 3, 1], Activation::Relu).init(Init::Zeros).build(&mut params, &mut Rng::new(0));
    /// assert!(params.as_slice().iter().all(|&v| v == 0.0));
    /// ```
    pub fn init(mut self, init: Init) -> MlpBuilder {
        self.init = init;
        self
    }

    /// Registers the layers' parameters in `params` (`0.weight`, `0.bias`, `2.weight`, ...),
    /// drawn from `rng` where the initialization is random, and returns the network.
    ///
    /// # Panics
    /// If the sizes have fewer than two entries or contain a 0.
    ///
    /// ```
    /// use tapegrad::prelude::*;
    /// let mut params = Params::new();
    /// let model = mlp(&[1, 10, 10, 1], Activation::Relu).build(&mut params, &mut Rng::new(0));
    /// assert_eq!((params.len(), model.layers().len()), (141, 5));
    /// ```
    pub fn build(self, params: &mut Params, rng: &mut Rng) -> Sequential {
        let sizes = &self.sizes;
        assert!(
            sizes.len() >= 2,
            "mlp: need at least input and output sizes, got {sizes:?}"
        );
        let mut model = Sequential::new();
        let last = sizes.len() - 2;
        for (l, pair) in sizes.windows(2).enumerate() {
            let name = (2 * l).to_string();
            model = model.push(
                Linear::new(pair[0], pair[1])
                    .init(self.init.clone())
                    .build(params, &name, rng),
            );
            if l < last {
                model = model.push(self.activation.clone());
            }
        }
        model
    }
}
