//! Seeded sampling for stochastic gradient methods: one index uniformly at random
//! (single-sample SGD) and shuffled minibatches per epoch.

use crate::rng::Rng;

/// Draws `i` uniformly from `0..n` at each call, from a seeded generator: the same seed
/// gives the same sequence.
#[derive(Clone, Debug)]
pub struct UniformSampler {
    n: usize,
    rng: Rng,
}

impl UniformSampler {
    /// A sampler over `0..n`.
    ///
    /// # Panics
    /// If `n == 0`.
    pub fn new(n: usize, seed: u64) -> UniformSampler {
        assert!(n > 0, "UniformSampler: need at least one sample, got n = 0");
        UniformSampler {
            n,
            rng: Rng::new(seed),
        }
    }

    /// The next index, uniform on `0..n`.
    pub fn next_index(&mut self) -> usize {
        self.rng.index(self.n)
    }
}

/// Shuffled minibatches: each epoch is a fresh random permutation of `0..n` cut into batches
/// of `batch` indices (the last one smaller if `batch` does not divide `n`), as PyTorch's
/// `DataLoader(shuffle=True)`.
#[derive(Clone, Debug)]
pub struct Minibatches {
    n: usize,
    batch: usize,
    rng: Rng,
}

impl Minibatches {
    /// Batches of `batch` indices from `0..n`.
    ///
    /// # Panics
    /// If `n == 0` or `batch == 0`.
    pub fn new(n: usize, batch: usize, seed: u64) -> Minibatches {
        assert!(
            n > 0 && batch > 0,
            "Minibatches: need n > 0 and batch > 0, got n = {n}, batch = {batch}"
        );
        Minibatches {
            n,
            batch,
            rng: Rng::new(seed),
        }
    }

    /// The batches of one epoch: every index exactly once, in a new random order.
    pub fn epoch(&mut self) -> Vec<Vec<usize>> {
        let mut order: Vec<usize> = (0..self.n).collect();
        self.rng.shuffle(&mut order);
        order.chunks(self.batch).map(|c| c.to_vec()).collect()
    }
}
