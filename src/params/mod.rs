//! `Params`: every parameter of a model in one flat vector, `theta = (W1, b1, ..., WD, bD)`.
//!
//! As in the course notes, a model is `m(x; theta)` with one parameter vector. The values
//! live in one contiguous `Vec<f64>`; each named parameter (`0.weight`, `0.bias`, ...) is a
//! view: a name, a shape and an offset, in registration order. Optimizers see the flat
//! slice; models see the views; the gradient comes back flat, in the same layout.

mod theta;

pub use theta::Theta;

use crate::tensor::{Tensor, fmt_shape};
use std::fmt;

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
    /// Panics unless `shape` is this parameter's, naming `op`, the parameter and both shapes:
    /// `Params::set: 0.weight is [10x1], got [1x10]`.
    pub(crate) fn assert_shape(&self, op: &str, shape: (usize, usize)) {
        assert!(
            shape == (self.rows, self.cols),
            "{op}: {} is {}, got {}",
            self.name,
            fmt_shape((self.rows, self.cols)),
            fmt_shape(shape)
        );
    }

    /// Number of values, `rows * cols`.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// let id = p.add("w", &Tensor::zeros(3, 2));
    /// assert_eq!(p.view(id).len(), 6);
    /// ```
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    /// True for a parameter with no values.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// let id = p.add("w", &Tensor::zeros(0, 2));
    /// assert!(p.view(id).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The index range of this view in the flat vector.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::zeros(2, 2));
    /// let b = p.add("b", &Tensor::zeros(1, 2));
    /// assert_eq!(p.view(b).range(), 4..6);
    /// ```
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
    ///
    /// ```
    /// use tapegrad::nn::Params;
    /// let p = Params::new();
    /// assert!(p.is_empty());
    /// ```
    pub fn new() -> Params {
        Params::default()
    }

    /// Registers a parameter called `name` with initial value `value`, appended after the
    /// existing ones.
    ///
    /// # Panics
    /// If `name` is already registered.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// let w = p.add("0.weight", &Tensor::from_rows(&[[1.0, 2.0]]));
    /// let b = p.add("0.bias", &Tensor::scalar(3.0));
    /// assert_eq!(p.as_slice(), &[1.0, 2.0, 3.0]);          // theta = (W, b), one flat vector
    /// assert_eq!((p.view(w).name.as_str(), p.view(b).offset), ("0.weight", 2));
    /// ```
    pub fn add(&mut self, name: &str, value: &Tensor) -> ParamId {
        assert!(
            self.find(name).is_none(),
            "Params::add: a parameter named {name:?} is already registered"
        );
        self.add_unique(name, value)
    }

    /// The total number of scalar parameters, `dim(theta)`.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::zeros(10, 1));
    /// p.add("b", &Tensor::zeros(1, 10));
    /// assert_eq!(p.len(), 20);                              // dim(theta)
    /// ```
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True if nothing is registered.
    ///
    /// ```
    /// use tapegrad::nn::Params;
    /// assert!(Params::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The named views, in registration order.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::zeros(2, 3));
    /// p.add("b", &Tensor::zeros(1, 2));
    /// let names: Vec<&str> = p.views().iter().map(|v| v.name.as_str()).collect();
    /// assert_eq!(names, ["w", "b"]);
    /// ```
    pub fn views(&self) -> &[ParamView] {
        &self.views
    }

    /// The view of one parameter.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// let w = p.add("w", &Tensor::zeros(2, 3));
    /// assert_eq!((p.view(w).rows, p.view(w).cols), (2, 3));
    /// ```
    pub fn view(&self, id: ParamId) -> &ParamView {
        self.checked("Params::view", id)
    }

    /// The view of `id`, or a panic naming `op`, the id and how many parameters there are (an
    /// id from another `Params`).
    fn checked(&self, op: &str, id: ParamId) -> &ParamView {
        self.views.get(id.0).unwrap_or_else(|| {
            panic!(
                "{op}: no parameter {} here (these Params have {}: the id comes from another model?)",
                id.0,
                self.views.len()
            )
        })
    }

    /// [`add`](Params::add) for a caller that knows `name` is new (the safetensors reader,
    /// which checked every name of a file with a hash set): no scan of the names so far.
    pub(crate) fn add_unique(&mut self, name: &str, value: &Tensor) -> ParamId {
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

    /// The parameter called `name`, if any.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// let w = p.add("w", &Tensor::zeros(2, 3));
    /// assert_eq!(p.find("w"), Some(w));
    /// assert_eq!(p.find("nope"), None);
    /// ```
    pub fn find(&self, name: &str) -> Option<ParamId> {
        self.views.iter().position(|v| v.name == name).map(ParamId)
    }

    /// `theta` as one flat slice.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::row(&[1.0, 2.0]));
    /// assert_eq!(p.as_slice(), &[1.0, 2.0]);
    /// ```
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// `theta` as one flat mutable slice: what optimizers update.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// let w = p.add("w", &Tensor::row(&[1.0, 2.0]));
    /// for x in p.as_mut_slice() {
    ///     *x -= 0.5;                                        // what an optimizer step does
    /// }
    /// assert_eq!(p.get(w), Tensor::row(&[0.5, 1.5]));
    /// ```
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// A copy of one parameter as a matrix.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// let w = p.add("w", &Tensor::eye(2));
    /// assert_eq!(p.get(w), Tensor::eye(2));
    /// ```
    pub fn get(&self, id: ParamId) -> Tensor {
        let v = self.checked("Params::get", id);
        Tensor::from_slice(v.rows, v.cols, &self.data[v.range()])
    }

    /// Each parameter as its own matrix, in registration order.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::eye(2));
    /// p.add("b", &Tensor::row(&[1.0, 2.0]));
    /// assert_eq!(p.tensors(), vec![Tensor::eye(2), Tensor::row(&[1.0, 2.0])]);
    /// ```
    pub fn tensors(&self) -> Vec<Tensor> {
        (0..self.views.len())
            .map(|k| self.get(ParamId(k)))
            .collect()
    }

    /// Overwrites one parameter.
    ///
    /// # Panics
    /// If `value`'s shape differs from the parameter's, naming both.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// let b = p.add("b", &Tensor::zeros(1, 2));
    /// p.set(b, &Tensor::row(&[1.0, 2.0]));
    /// assert_eq!(p.as_slice(), &[1.0, 2.0]);
    /// ```
    pub fn set(&mut self, id: ParamId, value: &Tensor) {
        let v = self.checked("Params::set", id);
        v.assert_shape("Params::set", value.shape());
        let range = v.range();
        self.data[range].copy_from_slice(value.as_slice());
    }

    /// Overwrites all of `theta`.
    ///
    /// # Panics
    /// If `theta.len() != self.len()`.
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tensor};
    /// let mut p = Params::new();
    /// p.add("w", &Tensor::zeros(1, 3));
    /// p.set_flat(&[1.0, 2.0, 3.0]);
    /// assert_eq!(p.as_slice(), &[1.0, 2.0, 3.0]);
    /// ```
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
