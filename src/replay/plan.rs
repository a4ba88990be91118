//! The plan of a replay, made once from the recorded nodes: the nodes the loss depends on,
//! each product's kernel and shape, the nodes an adjoint flows into, and for every
//! contribution to an adjoint whether it is the first (written over the buffer) or a later
//! one (added to it). The reverse sweep visits nodes in a fixed order, so which contribution
//! comes first is known before any number is computed: no adjoint is zeroed per step.

use crate::linalg::matmul::{Form, MatmulKernel, Write};
use crate::ops::{NodeId, Op};
use crate::tape::Node;

/// A product `C = op(A) op(B)` of fixed shape, with the kernel chosen for that shape once.
#[derive(Clone, Copy, Debug)]
pub(super) struct Product {
    pub form: Form,
    pub mkn: (usize, usize, usize),
    pub kernel: MatmulKernel,
}

impl Product {
    fn new(form: Form, mkn: (usize, usize, usize)) -> Product {
        let (m, k, n) = mkn;
        Product {
            form,
            mkn,
            kernel: MatmulKernel::for_shape(m, k, n),
        }
    }

    /// `C <- op(A) op(B)` or `C <- C + op(A) op(B)`, as `write` says.
    pub fn run(&self, a: &[f64], b: &[f64], c: &mut [f64], write: Write) {
        self.kernel.run(self.form, self.mkn, a, b, (c, write));
    }
}

/// One node to compute in the forward pass.
#[derive(Clone, Copy, Debug)]
pub(super) struct Forward {
    pub node: NodeId,
    pub op: Op,
    /// `Y = A B` or `Y = A B^T`: the product.
    pub product: Option<Product>,
}

/// One node whose adjoint flows back in the reverse pass.
#[derive(Clone, Copy, Debug)]
pub(super) struct Backward {
    pub node: NodeId,
    pub op: Op,
    /// For each input (in [`Op::inputs`] order) that receives a gradient: the input and
    /// whether this is the first contribution to its adjoint.
    pub into: [Option<(NodeId, Write)>; 2],
    /// For a product, the products of its two input adjoints (`dA`, `dB`).
    pub products: [Option<Product>; 2],
}

/// The forward list (nodes `0..=loss` that have an op) and the backward list (in reverse
/// order, only nodes an adjoint reaches, only inputs that need one: `needs[k]`, some
/// parameter reaches node `k`), and which nodes get an adjoint at all.
pub(super) fn plan(
    nodes: &[Node],
    needs: &[bool],
    loss: NodeId,
) -> (Vec<Forward>, Vec<Backward>, Vec<bool>) {
    let shape = |k: NodeId| nodes[k].value.shape();
    let forward = nodes[..=loss]
        .iter()
        .enumerate()
        .filter(|(_, n)| !matches!(n.op, Op::Leaf | Op::Constant))
        .map(|(node, n)| Forward {
            node,
            op: n.op,
            product: match n.op {
                Op::MatMul(a, b) => {
                    Some(Product::new(Form::AB, (shape(a).0, shape(a).1, shape(b).1)))
                }
                Op::MatMulT(a, b) => Some(Product::new(
                    Form::ABt,
                    (shape(a).0, shape(a).1, shape(b).0),
                )),
                _ => None,
            },
        })
        .collect();

    let mut reached = vec![false; loss + 1];
    reached[loss] = needs[loss];
    let mut backward = Vec::new();
    for (i, n) in nodes[..=loss].iter().enumerate().rev() {
        if !reached[i] {
            continue;
        }
        let mut into = [None, None];
        for (slot, k) in into.iter_mut().zip(n.op.inputs().as_array()) {
            if let Some(k) = k.filter(|&k| needs[k]) {
                // The sweep reaches i before every other user of k below it: the first to
                // arrive writes, the later ones add.
                let write = if reached[k] {
                    Write::Add
                } else {
                    Write::Overwrite
                };
                reached[k] = true;
                *slot = Some((k, write));
            }
        }
        if into.iter().any(Option::is_some) {
            backward.push(Backward {
                node: i,
                op: n.op,
                into,
                products: adjoint_products(n.op, &shape),
            });
        }
    }
    (forward, backward, reached)
}

/// The products of a product's input adjoints.
/// `Y = A B` (`m x k` times `k x n`):  `dA = dY B^T` (`m x n` by `(k x n)^T`), `dB = A^T dY`.
/// `Y = A B^T` (`m x k` times `(n x k)^T`):  `dA = dY B`, `dB = dY^T A`.
fn adjoint_products(op: Op, shape: &dyn Fn(NodeId) -> (usize, usize)) -> [Option<Product>; 2] {
    match op {
        Op::MatMul(a, b) => {
            let ((m, k), n) = (shape(a), shape(b).1);
            [
                Some(Product::new(Form::ABt, (m, n, k))),
                Some(Product::new(Form::AtB, (k, m, n))),
            ]
        }
        Op::MatMulT(a, b) => {
            let ((m, k), n) = (shape(a), shape(b).0);
            [
                Some(Product::new(Form::AB, (m, n, k))),
                Some(Product::new(Form::AtB, (n, m, k))),
            ]
        }
        _ => [None, None],
    }
}
