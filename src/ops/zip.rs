//! Entrywise functions of two values, broadcasting: `y = f(a, b)`. The trait each one
//! implements ([`Zip`]), the list of them ([`Binary`]), and the executors that run one.
//!
//! One operand may be a `1x1` scalar, a `1 x n` row (over the rows of an `m x n` matrix) or an
//! `m x 1` column (over its columns). The forward repeats the small operand, so its gradient
//! is the rule's value *summed* back down to its shape: `da = sum_to(rule_a(dy, a, b, y),
//! shape(a))` (a value used `n` times gets `n` contributions). The rule is written per entry,
//! as for [`super::Map`]; the sum is the executors' (on numbers and in a replay one loop that
//! sums as it writes; on the tape, `sum_to`).

use super::Real;
use super::arith::{Add, Div, Mul, Sub};
use super::real::Uses;
use super::select::{Maximum, Minimum};
use crate::tape::Var;
use crate::tensor::Tensor;
use crate::tensor::loops::{Write, broadcast_into, sum_rule_into};

/// An entrywise function of two values `y = f(a, b)` (broadcasting), with its rules
/// `da = dy ⊙ ∂y/∂a` and `db = dy ⊙ ∂y/∂b` (each then summed over the broadcast axes): the
/// form of the built-in broadcasting ops ([`Binary`] lists them). To record an op of your
/// own, implement [`super::Function`].
///
/// ```
/// use tapegrad::ops::{Zip, arith::Div};
/// assert_eq!(Div.f(6.0, 2.0), 3.0);
/// assert_eq!(Div.da(1.0, 6.0, 2.0, 3.0), 0.5);          // dy / b
/// assert_eq!(Div.db(1.0, 6.0, 2.0, 3.0), -1.5);         // −dy y / b = −dy a / b²
/// ```
pub trait Zip: Copy {
    /// The name the tape prints: `mul`.
    fn name(&self) -> &'static str;
    /// The forward and the rules in one line, as the tape's pages show them.
    fn formula(&self) -> &'static str;
    /// `y = f(a, b)`.
    fn f(&self, a: f64, b: f64) -> f64;
    /// The rule for `a`: its gradient, per entry of the output, from `dy`, `a`, `b` and `y`.
    fn da<S: Real>(&self, dy: S, a: S, b: S, y: S) -> S;
    /// The rule for `b`.
    fn db<S: Real>(&self, dy: S, a: S, b: S, y: S) -> S;
}

/// Runs an executor compiled for one [`Zip`] type.
pub(crate) trait ZipVisitor {
    type Out;
    fn visit<Z: Zip>(self, z: Z) -> Self::Out;
}

// The registry: one name per broadcasting op of two values.
super::registry!(
    Binary: ZipVisitor,
    "The built-in broadcasting ops of two values: each variant holds its op ([`Zip`]), whose \
     file has its function, its rules and its formula.";
    Add, Sub, Mul, Div, Maximum, Minimum,
);

impl Binary {
    /// The op's name, as [`Zip::name`].
    ///
    /// ```
    /// use tapegrad::ops::{Binary, arith::Mul};
    /// assert_eq!(Binary::from(Mul).name(), "mul");
    /// ```
    pub fn name(self) -> &'static str {
        struct V;
        impl ZipVisitor for V {
            type Out = &'static str;
            fn visit<Z: Zip>(self, z: Z) -> &'static str {
                z.name()
            }
        }
        self.visit(V)
    }

    /// The op's line for the tape's pages, as [`Zip::formula`].
    ///
    /// ```
    /// use tapegrad::ops::{Binary, arith::Sub};
    /// assert_eq!(Binary::from(Sub).formula(), "y = a − b;  da = dy,  db = −dy (summed over broadcast axes)");
    /// ```
    pub fn formula(self) -> &'static str {
        struct V;
        impl ZipVisitor for V {
            type Out = &'static str;
            fn visit<Z: Zip>(self, z: Z) -> &'static str {
                z.formula()
            }
        }
        self.visit(V)
    }

    /// `f(a, b)` broadcasting: the forward of the tape.
    pub(crate) fn forward(self, a: &Tensor, b: &Tensor) -> Tensor {
        struct V<'a>(&'a Tensor, &'a Tensor);
        impl ZipVisitor for V<'_> {
            type Out = Tensor;
            fn visit<Z: Zip>(self, z: Z) -> Tensor {
                self.0.broadcast_map(self.1, z.name(), |a, b| z.f(a, b))
            }
        }
        self.visit(V(a, b))
    }

    /// `y = f(a, b)` into `y` (of the broadcast shape): the forward of a replay.
    #[inline(always)]
    pub(crate) fn forward_into(self, y: &mut [f64], a: &Tensor, b: &Tensor) {
        struct V<'a>(&'a mut [f64], &'a Tensor, &'a Tensor);
        impl ZipVisitor for V<'_> {
            type Out = ();
            fn visit<Z: Zip>(self, z: Z) {
                broadcast_into(self.0, self.1, self.2, |a, b| z.f(a, b));
            }
        }
        self.visit(V(y, a, b))
    }

    /// The gradient of input `which` (0: `a`, 1: `b`) written into `dx` (or added to it), the
    /// rule summed down to that input's shape: the backward on numbers, of the tape and of a
    /// replay.
    #[inline(always)]
    pub(crate) fn backward_into(
        self,
        which: usize,
        dx: &mut [f64],
        write: Write,
        [dy, a, b, y]: [&Tensor; 4],
    ) {
        struct V<'a>(usize, &'a mut [f64], Write, [&'a Tensor; 4]);
        impl ZipVisitor for V<'_> {
            type Out = ();
            fn visit<Z: Zip>(self, z: Z) {
                let V(which, dx, write, ins) = self;
                // What each rule reads, from the rule itself (bits: dy, a, b, y).
                let (dy, a, b, y) = (Uses(1), Uses(2), Uses(4), Uses(8));
                let reads =
                    [z.da(dy, a, b, y), z.db(dy, a, b, y)].map(|u| [u.0 & 2 != 0, u.0 & 4 != 0]);
                // Not through `wide` of its own: a broadcast rule's rows are short, and AVX2's
                // remainder loops cost more than they gain (W1: 16,415 against 17,394
                // instructions per step). The tape runs it at the baseline width; a replay
                // runs it inside its passes' own `wide`.
                match which {
                    0 => sum_rule_into(dx, write, ins[1], ins, reads[0], |d, a, b, y| {
                        z.da(d, a, b, y)
                    }),
                    _ => sum_rule_into(dx, write, ins[2], ins, reads[1], |d, a, b, y| {
                        z.db(d, a, b, y)
                    }),
                }
            }
        }
        self.visit(V(which, dx, write, [dy, a, b, y]))
    }

    /// `[da, db]` on new tensors, each only if needed.
    pub(crate) fn backward(
        self,
        dy: &Tensor,
        [a, b]: [&Tensor; 2],
        y: &Tensor,
        need: [bool; 2],
    ) -> [Option<Tensor>; 2] {
        let grad = |which: usize, x: &Tensor| {
            let mut dx = Tensor::to_overwrite_like(x, "backward");
            self.backward_into(which, dx.as_mut_slice(), Write::Overwrite, [dy, a, b, y]);
            dx
        };
        [need[0].then(|| grad(0, a)), need[1].then(|| grad(1, b))]
    }

    /// `[da, db]` recorded on the tape (second order), each only if needed.
    pub(crate) fn backward_recorded<'t>(
        self,
        dy: Var<'t>,
        [a, b]: [Var<'t>; 2],
        y: Var<'t>,
        need: [bool; 2],
    ) -> [Option<Var<'t>>; 2] {
        struct V<'t>(Var<'t>, [Var<'t>; 2], Var<'t>, [bool; 2]);
        impl<'t> ZipVisitor for V<'t> {
            type Out = [Option<Var<'t>>; 2];
            fn visit<Z: Zip>(self, z: Z) -> Self::Out {
                let V(dy, [a, b], y, need) = self;
                let to = |g: Var<'t>, x: Var<'t>| g.sum_to(x.shape().0, x.shape().1);
                [
                    need[0].then(|| to(z.da(dy, a, b, y), a)),
                    need[1].then(|| to(z.db(dy, a, b, y), b)),
                ]
            }
        }
        self.visit(V(dy, [a, b], y, need))
    }
}
