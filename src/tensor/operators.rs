//! `+ - * /` on tensors, entrywise and broadcasting as [`Tensor::add`] and friends, for every
//! mix of owned and borrowed operands and with `f64` on either side; unary `-`; and
//! `+= -=` (same shape, or a broadcast right-hand side) and `*= /=` by a scalar.
//!
//! ```
//! use tapegrad::Tensor;
//! let a = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
//! let b = Tensor::row(&[10.0, 20.0]);                // broadcast over the rows of a
//! assert_eq!(&a + &b, Tensor::from_rows(&[[11.0, 22.0], [13.0, 24.0]]));
//! assert_eq!(&a - &a, Tensor::zeros(2, 2));
//! assert_eq!(2.0 * &a - 1.0, Tensor::from_rows(&[[1.0, 3.0], [5.0, 7.0]]));
//! assert_eq!(&a * &a, a.map(|x| x * x));             // entrywise, not the matrix product
//! let mut c = a.clone();
//! c -= &b;
//! c *= 0.5;
//! assert_eq!(c, Tensor::from_rows(&[[-4.5, -9.0], [-3.5, -8.0]]));
//! ```

use super::{Broadcast, Tensor, fmt_shape};
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// Implements `$Trait` for the four owned/borrowed pairs of tensors by `Tensor::$method`
/// (which broadcasts and panics with both shapes on a mismatch), and with `f64` on either
/// side by `$scalar`.
macro_rules! entrywise {
    ($Trait:ident, $method:ident, $op:tt) => {
        impl $Trait<&Tensor> for &Tensor {
            type Output = Tensor;
            #[doc = concat!("`a ", stringify!($op), " b` entrywise, broadcasting.")]
            fn $method(self, rhs: &Tensor) -> Tensor {
                Tensor::$method(self, rhs)
            }
        }
        impl $Trait<Tensor> for &Tensor {
            type Output = Tensor;
            #[doc = concat!("`a ", stringify!($op), " b` entrywise, broadcasting.")]
            fn $method(self, rhs: Tensor) -> Tensor {
                Tensor::$method(self, &rhs)
            }
        }
        impl $Trait<&Tensor> for Tensor {
            type Output = Tensor;
            #[doc = concat!("`a ", stringify!($op), " b` entrywise, broadcasting.")]
            fn $method(self, rhs: &Tensor) -> Tensor {
                Tensor::$method(&self, rhs)
            }
        }
        impl $Trait<Tensor> for Tensor {
            type Output = Tensor;
            #[doc = concat!("`a ", stringify!($op), " b` entrywise, broadcasting.")]
            fn $method(self, rhs: Tensor) -> Tensor {
                Tensor::$method(&self, &rhs)
            }
        }
        impl $Trait<f64> for &Tensor {
            type Output = Tensor;
            #[doc = concat!("`a ", stringify!($op), " c` for every entry `a`.")]
            fn $method(self, c: f64) -> Tensor {
                self.map(|a| a $op c)
            }
        }
        impl $Trait<f64> for Tensor {
            type Output = Tensor;
            #[doc = concat!("`a ", stringify!($op), " c` for every entry `a`.")]
            fn $method(self, c: f64) -> Tensor {
                self.map(|a| a $op c)
            }
        }
        impl $Trait<&Tensor> for f64 {
            type Output = Tensor;
            #[doc = concat!("`c ", stringify!($op), " a` for every entry `a`.")]
            fn $method(self, rhs: &Tensor) -> Tensor {
                rhs.map(|a| self $op a)
            }
        }
        impl $Trait<Tensor> for f64 {
            type Output = Tensor;
            #[doc = concat!("`c ", stringify!($op), " a` for every entry `a`.")]
            fn $method(self, rhs: Tensor) -> Tensor {
                rhs.map(|a| self $op a)
            }
        }
    };
}

entrywise!(Add, add, +);
entrywise!(Sub, sub, -);
entrywise!(Mul, mul, *);
entrywise!(Div, div, /);

impl Neg for &Tensor {
    type Output = Tensor;
    /// `-a` for every entry.
    fn neg(self) -> Tensor {
        Tensor::neg(self)
    }
}

impl Neg for Tensor {
    type Output = Tensor;
    /// `-a` for every entry.
    fn neg(self) -> Tensor {
        Tensor::neg(&self)
    }
}

impl AddAssign<&Tensor> for Tensor {
    /// `a += b`: `b` of the same shape, or broadcast to it (a scalar, a row or a column).
    ///
    /// # Panics
    /// If `b` does not broadcast to the shape of `a`, naming both shapes.
    fn add_assign(&mut self, rhs: &Tensor) {
        if self.shape() == rhs.shape() {
            Tensor::add_assign(self, rhs);
        } else {
            Tensor::add_assign(self, &broadcast_to(rhs, self.shape(), "+="));
        }
    }
}

impl SubAssign<&Tensor> for Tensor {
    /// `a -= b`: `b` of the same shape, or broadcast to it.
    ///
    /// # Panics
    /// If `b` does not broadcast to the shape of `a`, naming both shapes.
    fn sub_assign(&mut self, rhs: &Tensor) {
        let minus = broadcast_to(rhs, self.shape(), "-=").neg();
        Tensor::add_assign(self, &minus);
    }
}

impl MulAssign<f64> for Tensor {
    /// `a *= c` for every entry.
    fn mul_assign(&mut self, c: f64) {
        self.data.iter_mut().for_each(|a| *a *= c);
    }
}

impl DivAssign<f64> for Tensor {
    /// `a /= c` for every entry.
    fn div_assign(&mut self, c: f64) {
        self.data.iter_mut().for_each(|a| *a /= c);
    }
}

/// `rhs` repeated to `shape` (one of the three broadcast cases).
///
/// # Panics
/// If it does not broadcast, naming `op` and both shapes.
fn broadcast_to(rhs: &Tensor, shape: (usize, usize), op: &str) -> Tensor {
    assert!(
        Broadcast::classify(shape, rhs.shape()).is_some(),
        "{op}: {} {op} {}: the right-hand side does not broadcast to the left",
        fmt_shape(shape),
        fmt_shape(rhs.shape())
    );
    rhs.expand(shape.0, shape.1)
}
