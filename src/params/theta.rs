//! `Theta`: the parameters recorded on one tape as leaves, and the gradient back in the
//! layout of `theta` (`Grads::flat`).

use super::{ParamId, Params};
use crate::tape::{Grads, Tape, Var};
use std::fmt;
use std::ops::Index;

/// The parameters recorded on one tape as leaves, one per view: `theta[id]` is the `Var`
/// of parameter `id`. Made by [`Tape::params`].
///
/// Models of up to 16 parameters (an MLP of 8 layers) keep their leaves and offsets
/// in the struct itself, so recording the parameters allocates nothing.
pub struct Theta<'t> {
    vars: Small<Var<'t>>,
    /// Where each parameter starts in the flat vector.
    offsets: Small<usize>,
    len: usize,
}

/// Parameters held inline by a [`Theta`] (more go to the heap).
const INLINE: usize = 16;

/// Up to [`INLINE`] values in place (the first `len` of the array), more in a `Vec`.
enum Small<T: Copy> {
    Inline([T; INLINE], usize),
    Heap(Vec<T>),
}

impl<T: Copy> Small<T> {
    fn new(mut items: impl ExactSizeIterator<Item = T>) -> Small<T> {
        let len = items.len();
        match items.next() {
            Some(first) if len <= INLINE => {
                let mut inline = [first; INLINE];
                for (slot, item) in inline[1..].iter_mut().zip(items) {
                    *slot = item;
                }
                Small::Inline(inline, len)
            }
            first => Small::Heap(first.into_iter().chain(items).collect()),
        }
    }
}

impl<T: Copy> std::ops::Deref for Small<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            Small::Inline(inline, len) => &inline[..*len],
            Small::Heap(heap) => heap,
        }
    }
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
        Theta::with_layout(params, vars.iter().copied())
    }

    /// `vars` in the layout of `params` (shapes already known to match).
    fn with_layout(params: &Params, vars: impl ExactSizeIterator<Item = Var<'t>>) -> Theta<'t> {
        Theta {
            vars: Small::new(vars),
            offsets: Small::new(params.views.iter().map(|v| v.offset)),
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

    /// Each leaf with the offset of its parameter in the flat vector, and the flat length.
    pub(crate) fn layout(&self) -> (impl Iterator<Item = (Var<'t>, usize)> + '_, usize) {
        (
            self.vars.iter().copied().zip(self.offsets.iter().copied()),
            self.len,
        )
    }
}

impl<'t> Index<ParamId> for Theta<'t> {
    type Output = Var<'t>;
    /// # Panics
    /// If `id` is not a parameter of this layout (an id from another `Params`), naming both.
    fn index(&self, id: ParamId) -> &Var<'t> {
        self.vars.get(id.0).unwrap_or_else(|| {
            panic!(
                "Theta: parameter id {} is not in this layout of {} parameters",
                id.0,
                self.vars.len()
            )
        })
    }
}

impl Tape {
    /// Records every parameter of `params` as a leaf, in one call, each leaf named as its
    /// parameter (`0.weight`, `0.bias`, ...: the names the table, the drawing and the page show).
    ///
    /// ```
    /// use tapegrad::{nn::Params, Tape, Tensor};
    /// let mut p = Params::new();
    /// let w = p.add("w", &Tensor::row(&[1.0, 2.0]));
    /// let tape = Tape::new();
    /// let theta = tape.params(&p);                          // one leaf per named view
    /// assert_eq!(theta[w].value(), Tensor::row(&[1.0, 2.0]));
    /// assert_eq!(tape.name_of(theta[w].index()).as_deref(), Some("w"));
    /// ```
    pub fn params(&self, params: &Params) -> Theta<'_> {
        // The leaves are consecutive nodes: recorded first, then handed to the layout.
        let first = self.len();
        for (k, view) in params.views.iter().enumerate() {
            self.leaf(params.get(ParamId(k))).named(&view.name);
        }
        Theta::with_layout(params, (first..self.len()).map(|i| self.var(i)))
    }
}

impl Tape {
    /// The gradient `dL/dθ` of the scalar `loss` written into `grad` (the layout of `theta`,
    /// as [`Grads::flat`] returns it): the same sweep as `backward(loss).flat(&theta)`, with
    /// no `Grads` built. With [`Tape::clear`] and a `grad` buffer kept across steps, a
    /// training step makes one allocation after the first (the sweep's list of adjoints; every
    /// tensor comes from the pool), as `testsuite/tests/alloc_free.rs` counts; a
    /// [`crate::replay::Replay`] makes none.
    ///
    /// # Panics
    /// If `grad.len()` is not the length of `theta`, `loss` is not `1x1`, or `loss` and
    /// `theta` are on another tape.
    ///
    /// ```
    /// use tapegrad::nn::{Activation, Init, Module, Params, Reduction, mlp, mse};
    /// use tapegrad::optim::{Optimizer, Sgd};
    /// use tapegrad::{Rng, Tape, Tensor};
    /// let mut params = Params::new();
    /// let model = mlp(&[1, 4, 1], Activation::Relu).build(&mut params, &mut Rng::new(0));
    /// let (x, y) = (Tensor::column(&[0.0, 0.5, 1.0]), Tensor::column(&[0.0, 0.25, 1.0]));
    /// let (mut tape, mut grad, mut opt) = (Tape::new(), vec![0.0; params.len()], Sgd::new(0.1));
    /// for _ in 0..3 {
    ///     tape.clear();                                     // keeps its buffers
    ///     let theta = tape.params(&params);
    ///     let loss = mse(model.forward(&theta, tape.constant(&x)), tape.constant(&y), Reduction::Mean);
    ///     tape.backward_into(loss, &theta, &mut grad);
    ///     assert_eq!(grad, tape.backward(loss).flat(&theta)); // the same numbers
    ///     opt.step(params.as_mut_slice(), &grad).unwrap();
    /// }
    /// ```
    pub fn backward_into(&self, loss: Var<'_>, theta: &Theta<'_>, grad: &mut [f64]) {
        assert!(
            grad.len() == theta.len,
            "backward_into: theta has {} values, the gradient buffer {}",
            theta.len,
            grad.len()
        );
        if let Some(v) = theta.vars.first() {
            self.check_owns(*v, "backward_into");
        }
        self.backward_in_place(loss, |adjoints| {
            for (var, &offset) in theta.vars.iter().zip(theta.offsets.iter()) {
                let (rows, cols) = var.shape();
                let out = &mut grad[offset..offset + rows * cols];
                match adjoints.get(var.index()).and_then(Option::as_ref) {
                    Some(g) => out.copy_from_slice(g.as_slice()),
                    None => out.fill(0.0), // the loss does not use this parameter
                }
            }
        });
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
        for (var, &offset) in theta.vars.iter().zip(theta.offsets.iter()) {
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

#[cfg(test)]
mod tests {
    use super::{INLINE, Small};

    /// Held in place up to `INLINE` items, on the heap beyond: the same slice either way.
    #[test]
    fn small_holds_every_length() {
        for n in [0, 1, INLINE - 1, INLINE, INLINE + 1, 3 * INLINE] {
            let items: Vec<usize> = (0..n).map(|i| 7 * i + 1).collect();
            let small = Small::new(items.iter().copied());
            assert_eq!(&*small, &items[..], "{n} items");
            assert_eq!(
                matches!(small, Small::Inline(..)),
                (1..=INLINE).contains(&n)
            );
        }
    }
}
