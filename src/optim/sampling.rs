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
    ///
    /// ```
    /// use tapegrad::optim::sampling::UniformSampler;
    /// let mut a = UniformSampler::new(7, 42);
    /// let mut b = UniformSampler::new(7, 42);
    /// let draws: Vec<usize> = (0..20).map(|_| a.next_index()).collect();
    /// assert!(draws.iter().all(|&i| i < 7));
    /// assert_eq!(draws, (0..20).map(|_| b.next_index()).collect::<Vec<_>>()); // seeded
    /// ```
    pub fn new(n: usize, seed: u64) -> UniformSampler {
        assert!(n > 0, "UniformSampler: need at least one sample, got n = 0");
        UniformSampler {
            n,
            rng: Rng::new(seed),
        }
    }

    /// The next index, uniform on `0..n`.
    ///
    /// ```
    /// use tapegrad::optim::sampling::UniformSampler;
    /// let mut s = UniformSampler::new(3, 0);
    /// let mut seen = [false; 3];
    /// for _ in 0..100 {
    ///     seen[s.next_index()] = true;
    /// }
    /// assert!(seen.iter().all(|&x| x));
    /// ```
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
    ///
    /// ```
    /// use tapegrad::optim::sampling::Minibatches;
    /// let mut batches = Minibatches::new(10, 4, 7);
    /// let epoch = batches.epoch();
    /// assert_eq!(epoch.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
    /// ```
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
    ///
    /// ```
    /// use tapegrad::optim::sampling::Minibatches;
    /// let mut batches = Minibatches::new(10, 3, 7);
    /// let mut all: Vec<usize> = batches.epoch().concat();
    /// all.sort();
    /// assert_eq!(all, (0..10).collect::<Vec<_>>());     // every index exactly once
    /// ```
    pub fn epoch(&mut self) -> Vec<Vec<usize>> {
        let mut order: Vec<usize> = (0..self.n).collect();
        self.rng.shuffle(&mut order);
        order.chunks(self.batch).map(|c| c.to_vec()).collect()
    }
}
