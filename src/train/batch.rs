//! Which samples each step sees: the [`Batches`] setting, and each epoch's batches cut from it.

use crate::rng::Rng;
use crate::tensor::Tensor;
use std::rc::Rc;

/// Which samples each step sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Batches {
    /// All samples every step (gradient descent); an epoch is one step.
    Full,
    /// Consecutive minibatches `[0, b), [b, 2b), ...` in order every epoch (the last may be
    /// smaller), as PyTorch's `DataLoader(shuffle=False)`.
    Sequential(usize),
    /// A fresh random permutation each epoch, cut into batches of `b` (`shuffle=True`).
    Shuffled(usize),
    /// `b` indices drawn uniformly with replacement per step; `ceil(N / b)` steps an epoch.
    /// `Sampled(1)` is the course's SGD: one uniformly random sample per step.
    Sampled(usize),
}

/// One step's samples.
pub(super) enum Batch {
    /// Every row.
    All,
    /// A fixed batch, cut once.
    Cut(Rc<Tensor>, Rc<Tensor>),
    /// These rows, gathered for this step.
    Rows(Vec<usize>),
}

/// The batches of one epoch. The full batch and consecutive batches are the same every
/// epoch, so they are cut once and shared with every tape, never copied per step.
pub(super) fn plan(
    batches: Batches,
    (x, y): (&Rc<Tensor>, &Rc<Tensor>),
    fixed: &mut Option<Rc<[Batch]>>,
    rng: &mut Rng,
) -> Rc<[Batch]> {
    let n = x.rows();
    match batches {
        Batches::Full | Batches::Sequential(_) => {
            if let Some(cut) = fixed {
                return Rc::clone(cut);
            }
            let cut: Rc<[Batch]> = match batches {
                Batches::Sequential(b) if b < n => (0..n)
                    .step_by(b)
                    .map(|i| {
                        let idx: Vec<usize> = (i..(i + b).min(n)).collect();
                        Batch::Cut(Rc::new(x.index_select(&idx)), Rc::new(y.index_select(&idx)))
                    })
                    .collect(),
                _ => Rc::new([Batch::All]),
            };
            *fixed = Some(Rc::clone(&cut));
            cut
        }
        Batches::Shuffled(b) => {
            let mut order: Vec<usize> = (0..n).collect();
            rng.shuffle(&mut order);
            order.chunks(b).map(|c| Batch::Rows(c.to_vec())).collect()
        }
        Batches::Sampled(b) => (0..n.div_ceil(b))
            .map(|_| Batch::Rows((0..b).map(|_| rng.index(n)).collect()))
            .collect(),
    }
}
