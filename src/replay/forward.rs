//! The forward pass of a replay: each node's value written over its buffer from the
//! buffers of its inputs, by the op's own function (so the same bits as recording). An
//! entrywise op runs its [`crate::ops::Map`] or [`crate::ops::Zip`] function into the buffer,
//! a product its planned kernel, a sum or an `expand` its loop; every other op is computed by [`Op::eval`] into a tensor
//! from the pool that replaces the buffer (the old one goes back to the pool, so after the
//! first step that too allocates nothing).

use super::homes::Homes;
use super::plan::Forward;
use crate::ops::Op;
use crate::ops::matmul::Of;
use crate::tape::Value;
use crate::tensor::loops::Write;

/// The value of node `f.node`, from the values below it (a parameter read in place, from its
/// range of `theta`: only products read one).
#[inline(always)]
pub(super) fn run<const IN_PLACE: bool>(
    f: &Forward,
    values: &mut [Value],
    (homes, theta): (&Homes, &[f64]),
) {
    let (below, here) = values.split_at_mut(f.node);
    let v = |k: usize| &*below[k];
    let Value::Owned(out) = &mut here[0] else {
        unreachable!("a computed node owns its value")
    };
    match f.op {
        Op::Map(op, x) => op.forward_into(out.as_mut_slice(), v(x).as_slice()),
        Op::Zip(op, a, b) => op.forward_into(out.as_mut_slice(), v(a), v(b)),
        Op::MatMul(a, b) | Op::MatMulNt(a, b) => {
            let p = f.product.expect("a product has its kernel");
            let operand = |of: Of| {
                super::homes::read::<IN_PLACE>(
                    if of == Of::A { a } else { b },
                    below,
                    (homes, theta),
                )
            };
            p.run(operand, out.as_mut_slice(), Write::Overwrite);
        }
        Op::Sum(_) | Op::SumEachRow(_) | Op::SumEachCol(_) | Op::Expand(..) => {
            let (map, x) = f.op.broadcasting().expect("a sum or an expand");
            let shape = out.shape();
            crate::wide::wide(
                #[inline(always)]
                || map.apply_into(out.as_mut_slice(), shape, v(x), Write::Overwrite),
            );
        }
        op => *out = op.eval(v),
    }
}
