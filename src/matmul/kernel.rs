//! Which compilation of the kernels runs: chosen per product from what the CPU supports and
//! the product's size, or named by the caller (the tests run every path the CPU has).

use super::kernels::{Write, gemm_body, gemm_nt_body, gemm_tn_body};
use super::packed::{self, View};
use super::parallel::gemm_split;
use super::simd;
use super::small::SMALL_SIDE;
use std::sync::OnceLock;

/// One compilation of the matmul kernels.
///
/// [`gemm`](super::gemm), [`gemm_nt`](super::gemm_nt) and [`gemm_tn`](super::gemm_tn) pick one
/// per product with [`MatmulKernel::for_shape`]; every variant computes the same product, up
/// to the rounding of a different summation order.
///
/// ```
/// use tapegrad::linalg::matmul::MatmulKernel;
/// // Every CPU runs the portable loops; the best kernel is one this CPU supports.
/// assert!(MatmulKernel::Portable.is_supported());
/// assert!(MatmulKernel::best().is_supported());
/// let mut c = [0.0; 4];
/// MatmulKernel::best().gemm(2, 1, 2, &[1.0, 2.0], &[3.0, 4.0], &mut c);
/// assert_eq!(c, [3.0, 4.0, 6.0, 8.0]);
/// ```
///
/// # Choosing the kernel: `TAPEGRAD_MATMUL_KERNEL`
/// The kernels round differently (fused multiply-adds, summation order), so the same program
/// gives results that differ in the last bits from one CPU to another. Set the environment
/// variable `TAPEGRAD_MATMUL_KERNEL` to `portable`, `avx2+fma` or `avx512` to cap the kernels
/// the automatic choice may use (read once, at the first product): `portable` gives the same
/// bits on every machine. A value that is none of these is reported on stderr and ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MatmulKernel {
    /// Plain Rust loops (4 x 8 register tiles, packed panels of `B`): every CPU.
    Portable,
    /// The same loops compiled for AVX2 and FMA, fused multiply-adds four lanes wide
    /// (x86_64 CPUs that have both, detected at run time).
    Avx2Fma,
    /// Packed micro-panels of `A` and `B` (cache-blocked, transposes folded into the packing)
    /// and an 8 x 24 micro-kernel in AVX-512 registers (x86_64 CPUs with AVX-512F, when the
    /// crate is built with Rust 1.89 or later); products of up to 2^18 multiply-adds use the
    /// same tiles on `A`, and on `B` unless it is transposed, read in place. Products of 128³ multiply-adds or more are
    /// split over [`threads`](super::threads) threads by bands of rows, bit-identical to one
    /// thread ([`set_threads`](super::set_threads) caps them).
    Avx512,
}

/// From this many multiply-adds `m k n` on (with `m >= MR` rows and [`PACKED_MIN_COLS`]
/// columns), the AVX-512 kernel runs. Measured (`BENCHMARKS.md`, "Which kernel a shape
/// gets"): the packed kernel is faster from one 8-row tile and a few thousand multiply-adds
/// (20x64x16: 1.7 against 2.1 us), the AVX2 loops for fewer rows (4x64x64: 26 against 13
/// GFLOP/s) and for the smallest products (7x10x10), where packing is most of the work.
const PACKED_MIN_WORK: usize = 2048;
/// Fewer columns than this leave most of a 24-column tile empty.
const PACKED_MIN_COLS: usize = 8;
/// Products at most 16 deep and 16 wide stay on the AVX2 register-row loop below this many
/// multiply-adds: its one copy of `B` costs less than packing both operands (32x10x10: 0.58
/// against 0.86 us, 256x10x10: 3.9 against 5.2 us; 1000x16x16 is 6% faster packed).
const NARROW_MAX_WORK: usize = 1 << 16;

impl MatmulKernel {
    /// Every kernel the crate carries, slowest first.
    pub const ALL: [MatmulKernel; 3] = [Self::Portable, Self::Avx2Fma, Self::Avx512];

    /// True if this CPU (and this build) runs the kernel and `TAPEGRAD_MATMUL_KERNEL` does not
    /// cap it out.
    ///
    /// ```
    /// use tapegrad::linalg::matmul::MatmulKernel;
    /// assert!(MatmulKernel::Portable.is_supported());
    /// if !cfg!(target_arch = "x86_64") {
    ///     assert!(!MatmulKernel::Avx2Fma.is_supported());
    /// }
    /// ```
    pub fn is_supported(self) -> bool {
        let here = match self {
            Self::Portable => true,
            Self::Avx2Fma => simd::detected(),
            Self::Avx512 => simd::detected() && avx512_detected(),
        };
        // A kernel above the cap of `TAPEGRAD_MATMUL_KERNEL` is not used, asked for by name
        // either: `portable` then means the same bits everywhere, whatever the caller picks.
        here && self <= cap()
    }

    /// The fastest kernel this CPU supports for large products, within the cap set by
    /// `TAPEGRAD_MATMUL_KERNEL` if any (see the type's docs).
    ///
    /// ```
    /// use tapegrad::linalg::matmul::MatmulKernel;
    /// let best = MatmulKernel::best();
    /// assert!(best.is_supported());
    /// println!("matmul kernel: {best}");
    /// ```
    pub fn best() -> Self {
        // Asked once: the CPU's features and the environment do not change while it runs.
        static BEST: OnceLock<MatmulKernel> = OnceLock::new();
        *BEST.get_or_init(|| {
            let cap = cap();
            Self::ALL
                .into_iter()
                .rev()
                .find(|k| k.is_supported() && *k <= cap)
                .unwrap_or(Self::Portable)
        })
    }

    /// The kernel named `name` (`"portable"`, `"avx2+fma"` or `"avx512"`), if it is one.
    ///
    /// ```
    /// use tapegrad::linalg::matmul::MatmulKernel;
    /// assert_eq!(MatmulKernel::from_name("avx512"), Some(MatmulKernel::Avx512));
    /// assert_eq!(MatmulKernel::from_name("sse"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kernel [`gemm`](super::gemm) and its transposed forms run for an `m x k` by
    /// `k x n` product: the packed AVX-512 kernel from 8 rows, 8 columns and 2048
    /// multiply-adds on, the AVX2 loops below that (the smallest layers of the tape, and
    /// matrix-vector products), for products at most 16 deep and 16 wide of fewer than
    /// 65536 multiply-adds, and for outer products (`k = 1`); the portable loops on CPUs with
    /// neither.
    ///
    /// ```
    /// use tapegrad::linalg::matmul::MatmulKernel;
    /// // A 7 x 10 layer never pays for packing, nor a 32 x 10 x 10 one.
    /// assert_ne!(MatmulKernel::for_shape(7, 10, 10), MatmulKernel::Avx512);
    /// assert_ne!(MatmulKernel::for_shape(32, 10, 10), MatmulKernel::Avx512);
    /// assert!(MatmulKernel::for_shape(512, 512, 512).is_supported());
    /// ```
    pub fn for_shape(m: usize, k: usize, n: usize) -> Self {
        let work = m.saturating_mul(k).saturating_mul(n);
        let narrow = k <= SMALL_SIDE && n <= SMALL_SIDE && work < NARROW_MAX_WORK;
        // An outer product (k = 1) is one pass writing C: the AVX2 loop streams it, where
        // packing and a micro-kernel call per tile cost more than its multiplies (the
        // gradient of a 1024 x 1024 weight at batch 1: 30% of a replayed step).
        let outer = k == 1;
        let big =
            m >= packed::MR && n >= PACKED_MIN_COLS && work >= PACKED_MIN_WORK && !narrow && !outer;
        match Self::best() {
            Self::Avx512 if !big => Self::Avx2Fma,
            best => best,
        }
    }

    /// A short name: `"portable"`, `"avx2+fma"` or `"avx512"`.
    ///
    /// ```
    /// assert_eq!(tapegrad::linalg::matmul::MatmulKernel::Avx512.name(), "avx512");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::Portable => "portable",
            Self::Avx2Fma => "avx2+fma",
            Self::Avx512 => "avx512",
        }
    }

    /// `C <- C + A B` with this kernel (shapes as [`gemm`](super::gemm)).
    ///
    /// # Panics
    /// If the CPU does not support the kernel, or a slice is shorter than its shape says.
    ///
    /// ```
    /// use tapegrad::linalg::matmul::MatmulKernel;
    /// for kernel in MatmulKernel::ALL.into_iter().filter(|k| k.is_supported()) {
    ///     let mut c = [10.0, 20.0];
    ///     kernel.gemm(2, 2, 1, &[1.0, 2.0, 3.0, 4.0], &[1.0, 1.0], &mut c);
    ///     assert_eq!(c, [13.0, 27.0], "{kernel}");
    /// }
    /// ```
    pub fn gemm(self, m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        self.run(Form::AB, (m, k, n), a, b, (c, Write::Add))
    }

    /// `C <- C + A B^T` with this kernel (shapes as [`gemm_nt`](super::gemm_nt)).
    ///
    /// # Panics
    /// If the CPU does not support the kernel, or a slice is shorter than its shape says.
    ///
    /// ```
    /// use tapegrad::linalg::matmul::MatmulKernel;
    /// let mut c = [0.0; 2];
    /// MatmulKernel::Portable.gemm_nt(1, 2, 2, &[1.0, 2.0], &[3.0, 4.0, 5.0, 6.0], &mut c);
    /// assert_eq!(c, [11.0, 17.0]);
    /// ```
    pub fn gemm_nt(self, m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        self.run(Form::ABt, (m, k, n), a, b, (c, Write::Add))
    }

    /// `C <- C + A^T B` with this kernel (shapes as [`gemm_tn`](super::gemm_tn)).
    ///
    /// # Panics
    /// If the CPU does not support the kernel, or a slice is shorter than its shape says.
    ///
    /// ```
    /// use tapegrad::linalg::matmul::MatmulKernel;
    /// let mut c = [0.0];
    /// MatmulKernel::best().gemm_tn(1, 2, 1, &[1.0, 2.0], &[3.0, 4.0], &mut c);
    /// assert_eq!(c, [11.0]);
    /// ```
    pub fn gemm_tn(self, m: usize, k: usize, n: usize, a: &[f64], b: &[f64], c: &mut [f64]) {
        self.run(Form::AtB, (m, k, n), a, b, (c, Write::Add))
    }

    /// The product `form` of `a` and `b`, put into `c` as `write` says.
    pub(crate) fn run(
        self,
        form: Form,
        mkn: (usize, usize, usize),
        a: &[f64],
        b: &[f64],
        (c, write): (&mut [f64], Write),
    ) {
        super::check(form.name(), a, b, c, mkn);
        assert!(
            self.is_supported(),
            "{}: the {self} kernel is not supported on this CPU, or is above the cap of \
             TAPEGRAD_MATMUL_KERNEL (best: {})",
            form.name(),
            Self::best()
        );
        let (m, k, n) = mkn;
        if k == 0 {
            // C + 0 = C; an overwrite is zeros (every loop below may assume k > 0 for it).
            write.zero_if_overwrite((c, n), (m, n));
            return;
        }
        match (self, form) {
            (Self::Portable, Form::AB) => gemm_body::<false>(mkn, a, b, (c, write)),
            (Self::Portable, Form::ABt) => gemm_nt_body::<false>(mkn, a, b, (c, write)),
            (Self::Portable, Form::AtB) => gemm_tn_body::<false>(mkn, a, b, (c, write)),
            (Self::Avx2Fma, Form::AB) => simd::gemm(mkn, a, b, (c, write)),
            (Self::Avx2Fma, Form::ABt) => simd::gemm_nt(mkn, a, b, (c, write)),
            (Self::Avx2Fma, Form::AtB) => simd::gemm_tn(mkn, a, b, (c, write)),
            (Self::Avx512, form) => {
                let (va, vb) = form.views(mkn, a, b);
                gemm_split(mkn, va, vb, (c, n, write), AVX512)
            }
        }
    }
}

/// `C += A B` for `A` (`m x k`) and `B` (`k x n`) read through views (any strides), `C` a
/// row-major block with rows `ldc` apart: the packed driver with the best micro-kernel this
/// CPU has (AVX-512; else the portable one, compiled for AVX2+FMA where present). For the
/// blocked factorizations, whose operands are blocks and transposes of a bigger matrix.
///
/// # Panics
/// If a view or `C` is too short for its shape (an index out of bounds inside the driver).
pub(crate) fn gemm_views(
    mkn: (usize, usize, usize),
    a: View<'_>,
    b: View<'_>,
    (c, ldc): (&mut [f64], usize),
) {
    match MatmulKernel::best() {
        MatmulKernel::Avx512 => gemm_split(mkn, a, b, (c, ldc, Write::Add), AVX512),
        MatmulKernel::Avx2Fma => gemm_split(mkn, a, b, (c, ldc, Write::Add), simd::KERNELS),
        MatmulKernel::Portable => gemm_split(mkn, a, b, (c, ldc, Write::Add), packed::PORTABLE),
    }
}

/// The fastest kernel the automatic choice may use: `TAPEGRAD_MATMUL_KERNEL`, read once.
fn cap() -> MatmulKernel {
    static CAP: OnceLock<MatmulKernel> = OnceLock::new();
    *CAP.get_or_init(|| match std::env::var("TAPEGRAD_MATMUL_KERNEL") {
        Err(_) => MatmulKernel::Avx512,
        Ok(name) => MatmulKernel::from_name(&name).unwrap_or_else(|| {
            eprintln!(
                "tapegrad: TAPEGRAD_MATMUL_KERNEL={name:?} is not portable, avx2+fma or avx512; ignored"
            );
            MatmulKernel::Avx512
        }),
    })
}

impl std::fmt::Display for MatmulKernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A product's form: which operand is read transposed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Form {
    /// `A B`.
    AB,
    /// `A B^T`.
    ABt,
    /// `A^T B`.
    AtB,
}

impl Form {
    fn name(self) -> &'static str {
        match self {
            Self::AB => "gemm",
            Self::ABt => "gemm_nt",
            Self::AtB => "gemm_tn",
        }
    }

    /// `A` (`m x k`) and `B` (`k x n`) as views of the slices as stored.
    fn views<'a>(
        self,
        (m, k, n): (usize, usize, usize),
        a: &'a [f64],
        b: &'a [f64],
    ) -> (View<'a>, View<'a>) {
        let row_major = |data, cols| View {
            data,
            rs: cols,
            cs: 1,
        };
        let transposed = |data, rows| View {
            data,
            rs: 1,
            cs: rows,
        };
        match self {
            Self::AB => (row_major(a, k), row_major(b, n)),
            Self::ABt => (row_major(a, k), transposed(b, k)),
            Self::AtB => (transposed(a, m), row_major(b, n)),
        }
    }
}

#[cfg(all(target_arch = "x86_64", tapegrad_avx512))]
fn avx512_detected() -> bool {
    super::avx512::detected()
}

#[cfg(not(all(target_arch = "x86_64", tapegrad_avx512)))]
fn avx512_detected() -> bool {
    false
}

/// The packed driver's AVX-512 pieces.
#[cfg(all(target_arch = "x86_64", tapegrad_avx512))]
const AVX512: packed::Kernels = super::avx512::KERNELS;

/// Not built here: never run, since [`MatmulKernel::is_supported`] says no and `run` checks it.
#[cfg(not(all(target_arch = "x86_64", tapegrad_avx512)))]
const AVX512: packed::Kernels = packed::PORTABLE;

#[cfg(test)]
mod tests {
    use super::*;

    /// Overwriting gives the bits of adding into zeros, and never reads `C` (it starts as
    /// NaNs), on every kernel the CPU has and every form, at shapes that reach each loop: the
    /// narrow one (with one and two blocks of 16 deep), the matrix-vector product, the register
    /// tiles (one and several blocks deep), the transposed copy of `A B^T`, the direct and
    /// packed AVX-512 paths (one and two blocks deep), outer products (`k = 1`), one row
    /// (`m = 1`), and `k = 0`.
    #[test]
    fn overwriting_is_adding_into_zeros() {
        let mut rng = crate::Rng::new(5);
        let shapes = [
            (7, 10, 10),
            (5, 40, 9),
            (33, 7, 1),
            (9, 30, 40),
            (20, 64, 64),
            (70, 300, 90),
            (64, 1, 40),
            (300, 1, 1000),
            (1, 64, 16),
            (1, 5, 300),
            (4, 0, 6),
        ];
        for kernel in MatmulKernel::ALL.into_iter().filter(|k| k.is_supported()) {
            for &(m, k, n) in &shapes {
                let a = crate::Tensor::rand_normal(m.max(k), m.max(k), 0.0, 1.0, &mut rng);
                let b = crate::Tensor::rand_normal(k.max(n), k.max(n), 0.0, 1.0, &mut rng);
                for form in [Form::AB, Form::ABt, Form::AtB] {
                    let (a, b) = (a.as_slice(), b.as_slice());
                    let mut added = vec![0.0; m * n];
                    kernel.run(form, (m, k, n), a, b, (&mut added, Write::Add));
                    let mut written = vec![f64::NAN; m * n];
                    kernel.run(form, (m, k, n), a, b, (&mut written, Write::Overwrite));
                    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(
                        bits(&written),
                        bits(&added),
                        "{kernel} {} {m}x{k}x{n}",
                        form.name()
                    );
                }
            }
        }
    }
}
