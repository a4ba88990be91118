//! [`Rng`]: the crate's seeded random generator, whose stream is fixed by specification.
//!
//! Every seeded result of the crate (initial weights, random data, sampled minibatches) comes
//! from this one generator, so a seed means the same numbers on every machine and in every
//! release, whatever version of `rand` a project uses:
//!
//! - **Bits**: ChaCha with 8 rounds (Bernstein 2008; RFC 8439's quarter round and state
//!   layout, with a 64-bit block counter in words 12–13 and a 64-bit stream id, 0, in 14–15),
//!   the words of each 64-byte block in order, as `rand_chacha`'s `ChaCha8Rng` gives them.
//!   Written here in about 70 lines (the stream is defined by the cipher, not by a library
//!   version), which keeps `rand_chacha` and its SIMD dependencies out of every build.
//! - **Seeding**: the `u64` seed is expanded to ChaCha's 32-byte key by four outputs of
//!   SplitMix64 (Steele, Lea and Flood 2014), each written little-endian; stream 0, counter 0.
//! - **64 bits**: two consecutive 32-bit words, the first the low half.
//! - **Uniform**: `u = (x >> 11) · 2^-53` for the next 64-bit word `x`: a multiple of `2^-53`
//!   in `[0, 1)`.
//! - **Normal**: Box–Muller, `z = sqrt(-2 ln(1 - u1)) · cos(2π u2)` from two uniforms (the
//!   sine half is not used, so each normal costs exactly two words).
//! - **Index in `0..n`**: Lemire's multiply-and-reject method (unbiased).
//! - **Shuffle**: Fisher–Yates from the last position down.
//!
//! The golden test `testsuite/tests/rng_golden.rs` pins the first values of each of these.
//!
//! An `Rng` is `Send + Sync` and cheap to clone; give each thread its own (for example
//! `Rng::new(seed + k)` for the `k`-th data set of a study).

use std::fmt;

/// A seeded random generator: ChaCha8 seeded by SplitMix64, with uniform, normal, index and
/// shuffle draws defined in the [module docs](self).
///
/// ```
/// use tapegrad::Rng;
/// let mut a = Rng::new(42);
/// let mut b = Rng::new(42);
/// let u = a.uniform();
/// assert!((0.0..1.0).contains(&u));
/// assert_eq!(u, b.uniform());            // the same seed gives the same stream
/// assert_ne!(Rng::new(43).uniform(), u);
/// ```
#[derive(Clone)]
pub struct Rng {
    core: ChaCha8,
    seed: u64,
}

/// The ChaCha8 keystream as 32-bit words: the key, the next block's counter, and the
/// current block with the index of its next unread word.
#[derive(Clone)]
struct ChaCha8 {
    key: [u32; 8],
    counter: u64,
    block: [u32; 16],
    next: usize,
}

impl ChaCha8 {
    fn new(key: [u8; 32]) -> ChaCha8 {
        let mut words = [0u32; 8];
        for (w, bytes) in words.iter_mut().zip(key.chunks_exact(4)) {
            *w = u32::from_le_bytes(bytes.try_into().expect("4 bytes"));
        }
        ChaCha8 {
            key: words,
            counter: 0,
            block: [0; 16],
            next: 16,
        }
    }

    /// The next word of the stream: a new block after every 16.
    fn next_u32(&mut self) -> u32 {
        if self.next == 16 {
            self.block = chacha8_block(&self.key, self.counter);
            self.counter += 1;
            self.next = 0;
        }
        self.next += 1;
        self.block[self.next - 1]
    }

    /// Words consumed so far.
    fn words_used(&self) -> u128 {
        u128::from(self.counter) * 16 - (16 - self.next as u128)
    }
}

/// One block: the state `constants | key | counter | stream 0`, four double rounds
/// (columns, then diagonals), plus the initial state.
fn chacha8_block(key: &[u32; 8], counter: u64) -> [u32; 16] {
    let mut init = [0u32; 16];
    init[..4].copy_from_slice(&[0x6170_7865, 0x3320_646E, 0x7962_2D32, 0x6B20_6574]);
    init[4..12].copy_from_slice(key);
    init[12] = counter as u32;
    init[13] = (counter >> 32) as u32;
    let mut s = init;
    for _ in 0..4 {
        quarter_round(&mut s, 0, 4, 8, 12);
        quarter_round(&mut s, 1, 5, 9, 13);
        quarter_round(&mut s, 2, 6, 10, 14);
        quarter_round(&mut s, 3, 7, 11, 15);
        quarter_round(&mut s, 0, 5, 10, 15);
        quarter_round(&mut s, 1, 6, 11, 12);
        quarter_round(&mut s, 2, 7, 8, 13);
        quarter_round(&mut s, 3, 4, 9, 14);
    }
    for (x, i) in s.iter_mut().zip(init) {
        *x = x.wrapping_add(i);
    }
    s
}

/// `a += b; d ^= a; d <<<= 16; c += d; b ^= c; b <<<= 12; a += b; d ^= a; d <<<= 8;
/// c += d; b ^= c; b <<<= 7`.
fn quarter_round(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(12);
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(7);
}

/// One step of SplitMix64: advances `state` and returns the next output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator seeded with `seed` (see the module docs for how the key is derived).
    ///
    /// ```
    /// let mut rng = tapegrad::Rng::new(0);
    /// assert_eq!(rng.seed(), 0);
    /// ```
    pub fn new(seed: u64) -> Rng {
        let mut state = seed;
        let mut key = [0u8; 32];
        for chunk in key.chunks_exact_mut(8) {
            chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
        }
        Rng {
            core: ChaCha8::new(key),
            seed,
        }
    }

    /// The seed this generator was made with.
    ///
    /// ```
    /// assert_eq!(tapegrad::Rng::new(42).seed(), 42);
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The next 64 random bits.
    ///
    /// ```
    /// let mut rng = tapegrad::Rng::new(7);
    /// assert_ne!(rng.next_u64(), rng.next_u64());
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        let low = u64::from(self.core.next_u32());
        low | u64::from(self.core.next_u32()) << 32
    }

    /// A uniform draw `u = (x >> 11) · 2^-53` in `[0, 1)`.
    ///
    /// ```
    /// let mut rng = tapegrad::Rng::new(1);
    /// let mean = (0..10_000).map(|_| rng.uniform()).sum::<f64>() / 10_000.0;
    /// assert!((mean - 0.5).abs() < 0.02);
    /// ```
    pub fn uniform(&mut self) -> f64 {
        const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
        (self.next_u64() >> 11) as f64 * SCALE
    }

    /// A uniform draw in `[low, high)`: `low + (high - low) u`, drawn again in the rare case
    /// that rounding lands on `high`.
    ///
    /// # Panics
    /// If the bounds are not finite or `low >= high`.
    ///
    /// ```
    /// let mut rng = tapegrad::Rng::new(2);
    /// let x = rng.uniform_in(-1.0, 1.0);
    /// assert!((-1.0..1.0).contains(&x));
    /// ```
    pub fn uniform_in(&mut self, low: f64, high: f64) -> f64 {
        assert!(
            low.is_finite() && high.is_finite() && low < high,
            "Rng::uniform_in: need finite low < high, got low = {low}, high = {high}"
        );
        loop {
            let x = low + (high - low) * self.uniform();
            if x < high {
                return x;
            }
        }
    }

    /// A standard normal draw by Box–Muller: `z = sqrt(-2 ln(1 - u1)) · cos(2π u2)`.
    /// (`1 - u1` lies in `(0, 1]`, so the logarithm is finite.)
    ///
    /// ```
    /// let mut rng = tapegrad::Rng::new(3);
    /// let z: Vec<f64> = (0..20_000).map(|_| rng.normal()).collect();
    /// let mean = z.iter().sum::<f64>() / z.len() as f64;
    /// let var = z.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / z.len() as f64;
    /// assert!(mean.abs() < 0.03 && (var - 1.0).abs() < 0.03);
    /// ```
    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// An index uniform on `0..n`, without bias (Lemire 2019: the high word of `x · n`,
    /// rejecting the few `x` whose low word falls below `2^64 mod n`).
    ///
    /// # Panics
    /// If `n == 0`.
    ///
    /// ```
    /// let mut rng = tapegrad::Rng::new(4);
    /// assert!((0..100).all(|_| rng.index(7) < 7));
    /// ```
    pub fn index(&mut self, n: usize) -> usize {
        assert!(n > 0, "Rng::index: need n > 0, got 0");
        let n = n as u64;
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n; // 2^64 mod n
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as usize
    }

    /// Shuffles `items` in place by Fisher–Yates: for `i = len-1, ..., 1`, swap `items[i]`
    /// with `items[j]`, `j` uniform on `0..=i`. Every permutation is equally likely.
    ///
    /// ```
    /// let mut v: Vec<usize> = (0..10).collect();
    /// tapegrad::Rng::new(5).shuffle(&mut v);
    /// let mut sorted = v.clone();
    /// sorted.sort();
    /// assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    /// ```
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

impl fmt::Debug for Rng {
    /// `Rng { seed: 42, words_used: 6 }` (32-bit words of the ChaCha stream consumed).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rng")
            .field("seed", &self.seed)
            .field("words_used", &self.core.words_used())
            .finish()
    }
}
