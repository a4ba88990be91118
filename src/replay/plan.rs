//! The plan of a replay, made once from the recorded nodes: the nodes the loss depends on,
//! each product's kernel and shape, the nodes an adjoint flows into, and for every
//! contribution to an adjoint whether it is the first (written over the buffer) or a later
//! one (added to it). The reverse sweep visits nodes in a fixed order, so which contribution
//! comes first is known before any number is computed: no adjoint is zeroed per step.

use crate::matmul::{MatmulKernel, Write};
use crate::ops::matmul::{Of, Term};
use crate::ops::{NodeId, Op};
use crate::tape::Node;

/// A product `C = op(L) op(R)` of fixed shape (a term of a product's rule, [`Term`]), with
/// the kernel chosen for that shape once.
#[derive(Clone, Copy, Debug)]
pub(super) struct Product {
    pub term: Term,
    pub mkn: (usize, usize, usize),
    pub kernel: MatmulKernel,
}

impl Product {
    fn new(term: Term, shape: impl Fn(Of) -> (usize, usize)) -> Product {
        let mkn = term.mkn(shape);
        let (m, k, n) = mkn;
        Product {
            term,
            mkn,
            kernel: MatmulKernel::for_shape(m, k, n),
        }
    }

    /// `C <- op(L) op(R)` or `C <- C + op(L) op(R)`, as `write` says, the operands read by
    /// `operand`.
    #[inline(always)]
    pub fn run<'a>(&self, operand: impl Fn(Of) -> &'a [f64], c: &mut [f64], write: Write) {
        let (l, r) = (operand(self.term.left), operand(self.term.right));
        self.kernel.run(self.term.form, self.mkn, l, r, (c, write));
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
            product: n.op.product_rule().map(|rule| {
                let [a, b] = n.op.inputs().as_array().map(Option::unwrap);
                Product::new(rule.y, |of| if of == Of::A { shape(a) } else { shape(b) })
            }),
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
                products: adjoint_products(i, n.op, &shape),
            });
        }
    }
    (forward, backward, reached)
}

/// The products of a product's input adjoints, from its rule ([`Op::product_rule`]).
fn adjoint_products(
    node: NodeId,
    op: Op,
    shape: &dyn Fn(NodeId) -> (usize, usize),
) -> [Option<Product>; 2] {
    let Some(rule) = op.product_rule() else {
        return [None, None];
    };
    let [a, b] = op.inputs().as_array().map(Option::unwrap);
    let operand = |of: Of| match of {
        Of::Dy => shape(node),
        Of::A => shape(a),
        Of::B => shape(b),
    };
    rule.grads.map(|term| Some(Product::new(term, operand)))
}
