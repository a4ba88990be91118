//! A node's value: owned, or shared with the caller.

use crate::tensor::Tensor;
use std::ops::Deref;
use std::rc::Rc;

/// A node's value: owned by the tape, or shared with the caller through an `Rc`, so that a
/// large constant used by many tapes (a data matrix evaluated at every step) is recorded
/// without a copy: `tape.constant(Rc::clone(&x))`. Either way it reads as a [`Tensor`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Computed on this tape, or handed over by value.
    Owned(Tensor),
    /// Shared with the caller.
    Shared(Rc<Tensor>),
}

impl Deref for Value {
    type Target = Tensor;
    fn deref(&self) -> &Tensor {
        match self {
            Value::Owned(t) => t,
            Value::Shared(t) => t,
        }
    }
}

impl From<Tensor> for Value {
    fn from(t: Tensor) -> Value {
        Value::Owned(t)
    }
}

impl From<&Tensor> for Value {
    /// A copy of the tensor.
    fn from(t: &Tensor) -> Value {
        Value::Owned(t.clone())
    }
}

impl From<f64> for Value {
    /// A `1x1` tensor.
    fn from(x: f64) -> Value {
        Value::Owned(Tensor::from(x))
    }
}

impl From<Rc<Tensor>> for Value {
    /// Shared, not copied.
    fn from(t: Rc<Tensor>) -> Value {
        Value::Shared(t)
    }
}

impl From<&Rc<Tensor>> for Value {
    /// Shared, not copied.
    fn from(t: &Rc<Tensor>) -> Value {
        Value::Shared(Rc::clone(t))
    }
}
