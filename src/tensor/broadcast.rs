//! Broadcasting and the elementwise operations built on it.

use super::loops::{Write, broadcast_into, each};
use super::{Tensor, fmt_shape};

/// How the operands of an elementwise binary op line up. The three broadcast cases are the
/// only ones the crate supports; anything else is a shape error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Broadcast {
    /// Both operands have the same shape.
    Same,
    /// One operand is `1x1` and is applied to every entry of the other.
    Scalar,
    /// One operand is a `1xn` row, applied to each of the `m` rows of an `m x n` matrix.
    Row,
    /// One operand is an `m x 1` column, applied to each of the `n` columns of an `m x n` matrix.
    Col,
}

impl Broadcast {
    /// Classifies `small` against `big` (the operand that sets the output shape), or `None`
    /// when `small` cannot be broadcast to `big`.
    pub fn classify(big: (usize, usize), small: (usize, usize)) -> Option<Broadcast> {
        if big == small {
            Some(Broadcast::Same)
        } else if small == (1, 1) {
            Some(Broadcast::Scalar)
        } else if small.0 == 1 && small.1 == big.1 {
            Some(Broadcast::Row)
        } else if small.1 == 1 && small.0 == big.0 {
            Some(Broadcast::Col)
        } else {
            None
        }
    }
}

/// The output shape of a broadcasting binary op on shapes `a` and `b`.
///
/// # Panics
/// If neither shape broadcasts to the other, naming `op` and both shapes.
pub(crate) fn broadcast_shape(op: &str, a: (usize, usize), b: (usize, usize)) -> (usize, usize) {
    if Broadcast::classify(a, b).is_some() {
        a
    } else if Broadcast::classify(b, a).is_some() {
        b
    } else {
        panic!(
            "{op}: {} and {}: shapes do not broadcast (supported: equal shapes, a 1x1 scalar, \
             a 1xn row over rows, an mx1 column over columns)",
            fmt_shape(a),
            fmt_shape(b)
        )
    }
}

impl Tensor {
    // ----- elementwise ----------------------------------------------------------------------

    /// `f` applied to every entry.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let x = Tensor::row(&[1.0, 4.0, 9.0]);
    /// assert_eq!(x.map(f64::sqrt), Tensor::row(&[1.0, 2.0, 3.0]));
    /// ```
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Tensor {
        let mut data = super::to_overwrite("map", self.rows, self.cols);
        crate::wide::wide(
            #[inline(always)]
            || each(&mut data, Write::Overwrite, [&self.data], |[x]| f(x)),
        );
        Tensor {
            rows: self.rows,
            cols: self.cols,
            data,
        }
    }

    /// `f(a_ij, b_ij)` for two tensors of the same shape.
    ///
    /// # Panics
    /// If the shapes differ, naming `op` and both shapes.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::row(&[1.0, 5.0]);
    /// let b = Tensor::row(&[3.0, 2.0]);
    /// assert_eq!(a.zip_map(&b, "max", f64::max), Tensor::row(&[3.0, 5.0]));
    /// ```
    pub fn zip_map(&self, other: &Tensor, op: &str, f: impl Fn(f64, f64) -> f64) -> Tensor {
        assert!(
            self.shape() == other.shape(),
            "{op}: {} and {}: shapes differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape())
        );
        let mut data = super::buffer(self.data.len());
        crate::wide::wide(
            #[inline(always)]
            || data.extend(self.data.iter().zip(&other.data).map(|(&a, &b)| f(a, b))),
        );
        Tensor {
            rows: self.rows,
            cols: self.cols,
            data,
        }
    }

    /// `f(a, b)` entrywise with broadcasting (a scalar, a row or a column repeated, on either side).
    ///
    /// # Panics
    /// If the shapes do not broadcast, naming `op` and both shapes.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let x = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
    /// let mu = Tensor::row(&[2.0, 3.0]);                   // one mean per column
    /// assert_eq!(x.broadcast_map(&mu, "center", |a, m| a - m), Tensor::from_rows(&[[-1.0, -1.0], [1.0, 1.0]]));
    /// ```
    pub fn broadcast_map(&self, other: &Tensor, op: &str, f: impl Fn(f64, f64) -> f64) -> Tensor {
        let (rows, cols) = broadcast_shape(op, self.shape(), other.shape());
        // Every entry is written: no zeros first.
        let mut data = super::to_overwrite(op, rows, cols);
        crate::wide::wide(
            #[inline(always)]
            || broadcast_into(&mut data, self, other, f),
        );
        Tensor { rows, cols, data }
    }

    /// `self + other`, broadcasting.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let x = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
    /// let b = Tensor::row(&[10.0, 20.0]);
    /// assert_eq!(x.add(&b), Tensor::from_rows(&[[11.0, 22.0], [13.0, 24.0]]));  // or &x + &b
    /// ```
    pub fn add(&self, other: &Tensor) -> Tensor {
        self.broadcast_map(other, "add", |a, b| a + b)
    }

    /// `self - other`, broadcasting.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let x = Tensor::column(&[1.0, 2.0]);
    /// assert_eq!(x.sub(&Tensor::scalar(1.0)), Tensor::column(&[0.0, 1.0]));
    /// ```
    pub fn sub(&self, other: &Tensor) -> Tensor {
        self.broadcast_map(other, "sub", |a, b| a - b)
    }

    /// `self ⊙ other` (entrywise product), broadcasting.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let x = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
    /// let s = Tensor::column(&[2.0, -1.0]);                // scales each row
    /// assert_eq!(x.mul(&s), Tensor::from_rows(&[[2.0, 4.0], [-3.0, -4.0]]));
    /// ```
    pub fn mul(&self, other: &Tensor) -> Tensor {
        self.broadcast_map(other, "mul", |a, b| a * b)
    }

    /// `self ⊘ other` (entrywise quotient), broadcasting.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let x = Tensor::row(&[2.0, 9.0]);
    /// assert_eq!(x.div(&Tensor::row(&[2.0, 3.0])), Tensor::row(&[1.0, 3.0]));
    /// ```
    pub fn div(&self, other: &Tensor) -> Tensor {
        self.broadcast_map(other, "div", |a, b| a / b)
    }

    /// `-self`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::row(&[1.0, -2.0]).neg(), Tensor::row(&[-1.0, 2.0]));
    /// ```
    pub fn neg(&self) -> Tensor {
        self.map(|x| -x)
    }

    /// `c * self`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::row(&[1.0, -2.0]).mul_scalar(3.0), Tensor::row(&[3.0, -6.0]));
    /// ```
    pub fn mul_scalar(&self, c: f64) -> Tensor {
        self.map(|x| c * x)
    }

    /// `self + c` entrywise.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::row(&[1.0, -2.0]).add_scalar(1.0), Tensor::row(&[2.0, -1.0]));
    /// ```
    pub fn add_scalar(&self, c: f64) -> Tensor {
        self.map(|x| x + c)
    }

    /// In place `self += other` for equal shapes: the accumulation of the reverse sweep.
    ///
    /// # Panics
    /// If the shapes differ.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let mut acc = Tensor::zeros(1, 2);
    /// acc.add_assign(&Tensor::row(&[1.0, 2.0]));
    /// acc.add_assign(&Tensor::row(&[1.0, 2.0]));
    /// assert_eq!(acc, Tensor::row(&[2.0, 4.0]));
    /// ```
    pub fn add_assign(&mut self, other: &Tensor) {
        assert!(
            self.shape() == other.shape(),
            "add_assign: {} += {}: shapes differ",
            fmt_shape(self.shape()),
            fmt_shape(other.shape())
        );
        crate::wide::wide(
            #[inline(always)]
            || {
                for (a, &b) in self.data.iter_mut().zip(&other.data) {
                    *a += b;
                }
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{Broadcast, broadcast_shape};

    #[test]
    fn shapes_classify_and_broadcast() {
        assert_eq!(Broadcast::classify((3, 2), (1, 2)), Some(Broadcast::Row));
        assert_eq!(Broadcast::classify((3, 2), (3, 1)), Some(Broadcast::Col));
        assert_eq!(Broadcast::classify((3, 2), (2, 3)), None);
        assert_eq!(broadcast_shape("add", (1, 4), (3, 4)), (3, 4));
        assert_eq!(broadcast_shape("mul", (5, 1), (1, 1)), (5, 1));
    }
}
