//! Your own ops: a forward on tensors and a backward rule, recorded on the tape like a
//! built-in op (PyTorch's `torch.autograd.Function`).
//!
//! The rule is written with [`Adjoint`]'s operations, generic over the type it runs on, so
//! the one rule serves every executor: on [`Tensor`]s for the ordinary backward pass and a
//! replay, on [`Var`]s for the recorded backward, where it is differentiated again (second
//! order, `gradgradcheck`) as long as the operations it uses are.
//!
//! ```
//! use tapegrad::ops::{Adjoint, Function};
//! use tapegrad::{Tape, Tensor};
//!
//! /// y = x³ with a hand-written rule dx = 3 x² dy.
//! struct Cube;
//! impl Function for Cube {
//!     fn name(&self) -> String { "cube".into() }
//!     fn formula(&self) -> &str { "y = a³;  da = 3 a² ⊙ dy" }
//!     fn forward(&self, x: &[&Tensor]) -> Tensor { x[0].map(|v| v * v * v) }
//!     fn backward<V: Adjoint>(&self, dy: &V, x: &[&V], _y: &V) -> Vec<V> {
//!         vec![dy.mul(&x[0].mul(x[0]).mul_scalar(3.0))]
//!     }
//! }
//!
//! let tape = Tape::new();
//! let x = tape.leaf(2.0);
//! let y = Cube.apply(&[x]);
//! assert_eq!(y.item(), 8.0);
//! assert_eq!(tape.backward(y)[x].item(), 12.0);              // 3 x²
//! let dy_dx = tape.backward_graph(y).of(x);                   // recorded: differentiable
//! assert_eq!(tape.backward(dy_dx)[x].item(), 12.0);           // 6 x
//! ```

use super::{Adjoint, Op};
use crate::tape::Var;
use crate::tensor::{Tensor, fmt_shape};
use std::fmt;

/// An op of your own: a name, a forward on one or two tensors, a backward rule and its
/// formula. See the [module documentation](self).
pub trait Function: 'static {
    /// The name the tape prints.
    fn name(&self) -> String;
    /// The forward and the rule in one line, as the tape's pages show them.
    fn formula(&self) -> &str;
    /// `y = f(x)`, from the values of the op's one or two inputs.
    fn forward(&self, inputs: &[&Tensor]) -> Tensor;
    /// The rule: the gradient sent to each input (one per input, of its shape), from the
    /// adjoint `dy = dL/dy`, the inputs and the output `y`.
    fn backward<V: Adjoint>(&self, dy: &V, inputs: &[&V], y: &V) -> Vec<V>;

    /// Records this op on the tape of `inputs` (one or two Vars of one tape).
    ///
    /// The op is kept by reference for as long as the tape and any replay of it live, hence
    /// `&'static self`: a unit struct or a constant (`Cube.apply(&[x])`) is promoted to a
    /// static by the compiler; an op built at run time can be leaked once
    /// (`Box::leak(Box::new(op))`).
    ///
    /// # Panics
    /// If `inputs` does not hold one or two Vars, if they live on different tapes, or if the
    /// forward panics.
    ///
    /// ```
    /// use tapegrad::ops::{Adjoint, Function};
    /// use tapegrad::{Tape, Tensor};
    /// /// y = a ⊙ b, by hand.
    /// struct Times;
    /// impl Function for Times {
    ///     fn name(&self) -> String { "times".into() }
    ///     fn formula(&self) -> &str { "y = a ⊙ b;  da = dy ⊙ b,  db = dy ⊙ a" }
    ///     fn forward(&self, x: &[&Tensor]) -> Tensor { x[0].mul(x[1]) }
    ///     fn backward<V: Adjoint>(&self, dy: &V, x: &[&V], _y: &V) -> Vec<V> {
    ///         vec![dy.mul(x[1]), dy.mul(x[0])]
    ///     }
    /// }
    /// let tape = Tape::new();
    /// let (a, b) = (tape.leaf(3.0), tape.leaf(4.0));
    /// let y = Times.apply(&[a, b]);
    /// assert_eq!((y.item(), y.op().name()), (12.0, "times".to_string()));
    /// let g = tape.backward(y);
    /// assert_eq!((g[a].item(), g[b].item()), (4.0, 3.0));
    /// ```
    fn apply<'t>(&'static self, inputs: &[Var<'t>]) -> Var<'t>
    where
        Self: Sized,
    {
        let f = Custom(self);
        match *inputs {
            [x] => x.record(Op::Custom(f, x.index(), None)),
            [a, b] => a.binary(b, Op::Custom(f, a.index(), Some(b.index()))),
            _ => panic!(
                "{}: a custom op takes 1 or 2 inputs, got {}",
                self.name(),
                inputs.len()
            ),
        }
    }
}

/// The object-safe face of a [`Function`]: its rule instantiated for numbers and for the tape.
pub(crate) trait DynFunction {
    fn type_id(&self) -> std::any::TypeId;
    fn name(&self) -> String;
    fn formula(&self) -> &str;
    fn forward(&self, inputs: &[&Tensor]) -> Tensor;
    fn backward_numbers(&self, dy: &Tensor, inputs: &[&Tensor], y: &Tensor) -> Vec<Tensor>;
    fn backward_recorded<'t>(&self, dy: &Var<'t>, x: &[&Var<'t>], y: &Var<'t>) -> Vec<Var<'t>>;
}

impl<F: Function> DynFunction for F {
    fn type_id(&self) -> std::any::TypeId {
        std::any::TypeId::of::<F>()
    }
    fn name(&self) -> String {
        Function::name(self)
    }
    fn formula(&self) -> &str {
        Function::formula(self)
    }
    fn forward(&self, inputs: &[&Tensor]) -> Tensor {
        Function::forward(self, inputs)
    }
    fn backward_numbers(&self, dy: &Tensor, inputs: &[&Tensor], y: &Tensor) -> Vec<Tensor> {
        self.backward(dy, inputs, y)
    }
    fn backward_recorded<'t>(&self, dy: &Var<'t>, x: &[&Var<'t>], y: &Var<'t>) -> Vec<Var<'t>> {
        self.backward(dy, x, y)
    }
}

/// A user's op as the tape holds it: a reference to its [`Function`].
#[derive(Clone, Copy)]
pub struct Custom(pub(crate) &'static dyn DynFunction);

impl Custom {
    /// The op's name ([`Function::name`]).
    ///
    /// ```
    /// # use tapegrad::ops::{Adjoint, Function, Op};
    /// # use tapegrad::{Tape, Tensor};
    /// # struct Twice;
    /// # impl Function for Twice {
    /// #     fn name(&self) -> String { "twice".into() }
    /// #     fn formula(&self) -> &str { "y = 2a;  da = 2 dy" }
    /// #     fn forward(&self, x: &[&Tensor]) -> Tensor { x[0].mul_scalar(2.0) }
    /// #     fn backward<V: Adjoint>(&self, dy: &V, _x: &[&V], _y: &V) -> Vec<V> { vec![dy.mul_scalar(2.0)] }
    /// # }
    /// let tape = Tape::new();
    /// let y = Twice.apply(&[tape.leaf(1.0)]);
    /// let Op::Custom(f, ..) = y.op() else { unreachable!() };
    /// assert_eq!((f.name(), f.formula()), ("twice".to_string(), "y = 2a;  da = 2 dy"));
    /// ```
    pub fn name(self) -> String {
        self.0.name()
    }

    /// The op's line for the tape's pages ([`Function::formula`]); see [`Custom::name`] for
    /// an example.
    pub fn formula(self) -> &'static str {
        self.0.formula()
    }

    /// The forward on the inputs' values.
    pub(crate) fn forward(self, inputs: &[&Tensor]) -> Tensor {
        self.0.forward(inputs)
    }
}

impl PartialEq for Custom {
    /// The same op: the same `Function` value.
    fn eq(&self, other: &Custom) -> bool {
        // Unit structs share addresses, so the type decides first.
        self.0.type_id() == other.0.type_id() && std::ptr::addr_eq(self.0, other.0)
    }
}

impl fmt::Debug for Custom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Custom({})", self.0.name())
    }
}

/// Checks a user's rule's gradients against its inputs: one per input, each of its shape.
pub(crate) fn check_grads<V: Adjoint>(f: Custom, grads: &[V], inputs: &[&V]) {
    assert!(
        grads.len() == inputs.len(),
        "{}: backward returned {} gradients for {} inputs",
        f.name(),
        grads.len(),
        inputs.len()
    );
    for (k, (g, x)) in grads.iter().zip(inputs).enumerate() {
        assert!(
            g.shape() == x.shape(),
            "{}: backward returned {} for input {k} of shape {}",
            f.name(),
            fmt_shape(g.shape()),
            fmt_shape(x.shape())
        );
    }
}
