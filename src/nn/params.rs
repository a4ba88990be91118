//! `Params`: every parameter of a model in one flat vector, `theta = (W1, b1, ..., WD, bD)`.
//!
//! As in the course notes, a model is `m(x; theta)` with one parameter vector. The values
//! live in one contiguous `Vec<f64>`; each named parameter (`0.weight`, `0.bias`, ...) is a
//! view: a name, a shape and an offset, in registration order. Optimizers see the flat
//! slice; models see the views; the gradient comes back flat, in the same layout.

use crate::tape::{Grads, Tape, Var};
use crate::tensor::{Tensor, fmt_shape};
use std::fmt;
use std::ops::Index;

/// One named parameter: `rows x cols` values stored row-major at `offset..offset + rows*cols`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamView {
    /// The parameter's name, e.g. `0.weight`.
    pub name: String,
    /// Rows of the parameter matrix.
    pub rows: usize,
    /// Columns of the parameter matrix.
    pub cols: usize,
    /// Where its first value sits in the flat vector.
    pub offset: usize,
}

impl ParamView {
    /// Number of values, `rows * cols`.
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    /// True for a parameter with no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The index range of this view in the flat vector.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset + self.len()
    }
}

/// The handle of one registered parameter (its position in registration order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParamId(pub usize);

/// All parameters of a model in one flat `Vec<f64>` with named views.
#[derive(Clone, Default, PartialEq)]
pub struct Params {
    data: Vec<f64>,
    views: Vec<ParamView>,
}

impl Params {
    /// No parameters yet.
    pub fn new() -> Params {
        Params::default()
    }

    /// Registers a parameter called `name` with initial value `value`, appended after the
    /// existing ones.
    ///
    /// # Panics
    /// If `name` is already registered.
    pub fn add(&mut self, name: &str, value: &Tensor) -> ParamId {
        assert!(
            self.find(name).is_none(),
            "Params::add: a parameter named {name:?} is already registered"
        );
        let offset = self.data.len();
        self.data.extend_from_slice(value.as_slice());
        self.views.push(ParamView {
            name: name.to_string(),
            rows: value.rows(),
            cols: value.cols(),
            offset,
        });
        ParamId(self.views.len() - 1)
    }

    /// The total number of scalar parameters, `dim(theta)`.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True if nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The named views, in registration order.
    pub fn views(&self) -> &[ParamView] {
        &self.views
    }

    /// The view of one parameter.
    pub fn view(&self, id: ParamId) -> &ParamView {
        &self.views[id.0]
    }

    /// The parameter called `name`, if any.
    pub fn find(&self, name: &str) -> Option<ParamId> {
        self.views.iter().position(|v| v.name == name).map(ParamId)
    }

    /// `theta` as one flat slice.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// `theta` as one flat mutable slice: what optimizers update.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// A copy of one parameter as a matrix.
    pub fn get(&self, id: ParamId) -> Tensor {
        let v = &self.views[id.0];
        Tensor::from_vec(v.rows, v.cols, self.data[v.range()].to_vec())
    }

    /// Each parameter as its own matrix, in registration order.
    pub fn tensors(&self) -> Vec<Tensor> {
        (0..self.views.len())
            .map(|k| self.get(ParamId(k)))
            .collect()
    }

    /// Overwrites one parameter.
    ///
    /// # Panics
    /// If `value`'s shape differs from the parameter's, naming both.
    pub fn set(&mut self, id: ParamId, value: &Tensor) {
        let v = &self.views[id.0];
        assert!(
            value.shape() == (v.rows, v.cols),
            "Params::set: {} is [{}x{}], got {}",
            v.name,
            v.rows,
            v.cols,
            fmt_shape(value.shape())
        );
        let range = v.range();
        self.data[range].copy_from_slice(value.as_slice());
    }

    /// Overwrites all of `theta`.
    ///
    /// # Panics
    /// If `theta.len() != self.len()`.
    pub fn set_flat(&mut self, theta: &[f64]) {
        assert!(
            theta.len() == self.data.len(),
            "Params::set_flat: expected {} values, got {}",
            self.data.len(),
            theta.len()
        );
        self.data.copy_from_slice(theta);
    }
}

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
    pub fn from_vars(params: &Params, vars: &[Var<'t>]) -> Theta<'t> {
        assert!(
            vars.len() == params.views.len(),
            "Theta::from_vars: the layout has {} parameters, got {} vars",
            params.views.len(),
            vars.len()
        );
        for (v, view) in vars.iter().zip(&params.views) {
            assert!(
                v.shape() == (view.rows, view.cols),
                "Theta::from_vars: {} is [{}x{}], got {}",
                view.name,
                view.rows,
                view.cols,
                fmt_shape(v.shape())
            );
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
    pub fn flat(&self, theta: &Theta<'_>) -> Vec<f64> {
        let mut g = vec![0.0; theta.len];
        for (var, &offset) in theta.vars.iter().zip(&theta.offsets) {
            let grad = self[*var].as_slice();
            g[offset..offset + grad.len()].copy_from_slice(grad);
        }
        g
    }
}

impl fmt::Debug for Params {
    /// A summary: the count and each view's name and shape, not the values
    /// (`Params { len: 31, views: [0.weight [10x1], 0.bias [1x10], ...] }`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let views: Vec<String> = self
            .views
            .iter()
            .map(|v| format!("{} {}", v.name, fmt_shape((v.rows, v.cols))))
            .collect();
        f.debug_struct("Params")
            .field("len", &self.data.len())
            .field("views", &format_args!("[{}]", views.join(", ")))
            .finish()
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
