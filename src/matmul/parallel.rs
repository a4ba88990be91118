//! Large products split over the machine's cores: the rows of `C` in contiguous bands, one per
//! thread (`std::thread::scope`), each band computed by the packed driver exactly as one
//! thread would compute it. Every entry of `C` sees the same operations in the same order
//! whatever the number of threads (the bands start on multiples of the register tile's `MR`
//! rows, and a row's tiles never depend on other rows), so the result is bit-identical to one
//! thread's.

use super::direct::{fits, gemm_direct};
use super::kernels::Write;
use super::packed::{Kernels, MR, View, gemm_packed};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// From this many multiply-adds on, a product is split (below, starting threads costs more
/// than it saves: ~20 us against ~40 us of work at 128³).
const PARALLEL_MIN_WORK: usize = 128 * 128 * 128;

/// The thread cap set by [`set_threads`]; 0: not set (all the machine's cores).
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Caps the threads a large product may use (1: always one thread, the caller's). The default
/// is every core `std::thread::available_parallelism` reports. Results do not depend on it.
///
/// ```
/// use tapegrad::linalg::matmul::{set_threads, threads};
/// set_threads(1);
/// assert_eq!(threads(), 1);
/// set_threads(0);                                  // back to the default: all cores
/// assert!(threads() >= 1);
/// ```
pub fn set_threads(n: usize) {
    THREADS.store(n, Ordering::Relaxed);
}

/// The number of threads a large product uses: [`set_threads`]'s cap, or all cores.
///
/// ```
/// assert!(tapegrad::linalg::matmul::threads() >= 1);
/// ```
pub fn threads() -> usize {
    // The machine's count is asked once: `available_parallelism` reads the affinity mask and
    // cgroup limits, a system call or more, too slow to ask per product.
    static CORES: OnceLock<usize> = OnceLock::new();
    match THREADS.load(Ordering::Relaxed) {
        0 => *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        n => n,
    }
}

/// [`gemm_packed`] with the rows of `C` split over up to [`threads`] threads when the product
/// is large enough.
pub(super) fn gemm_split(
    (m, k, n): (usize, usize, usize),
    a: View<'_>,
    b: View<'_>,
    (c, ldc, write): (&mut [f64], usize, Write),
    kernels: Kernels,
) {
    let work = m.saturating_mul(k).saturating_mul(n);
    let bands = threads().min(m / MR).max(1);
    let split = bands > 1 && work >= PARALLEL_MIN_WORK;
    if let (false, Some(direct)) = (split, kernels.direct) {
        if fits((m, k, n)) {
            let tiles = (direct, kernels.transpose8);
            return gemm_direct((m, k, n), a, b, (c, ldc, write), tiles);
        }
    }
    if !split {
        return gemm_packed((m, k, n), a, b, (c, ldc, write), kernels);
    }
    // Band height: a multiple of MR, so every band's tiles are the one-thread tiles.
    let rows = m.div_ceil(bands).div_ceil(MR) * MR;
    std::thread::scope(|scope| {
        let mut rest = c;
        let mut r0 = 0;
        while r0 < m {
            let h = rows.min(m - r0);
            // The band's rows of C: h rows `ldc` apart (the last one may end at its n-th entry).
            let take = if r0 + h < m { h * ldc } else { rest.len() };
            let (band, tail) = rest.split_at_mut(take);
            rest = tail;
            let a_band = View {
                data: &a.data[r0 * a.rs..],
                rs: a.rs,
                cs: a.cs,
            };
            let mut job = move || gemm_packed((h, k, n), a_band, b, (band, ldc, write), kernels);
            if r0 + h < m {
                scope.spawn(job);
            } else {
                job(); // the last band on the calling thread
            }
            r0 += h;
        }
    });
}
