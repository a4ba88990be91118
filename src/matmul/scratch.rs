//! Buffers the matmul loops reuse, one set per thread: a product takes the buffer it needs,
//! sizes it, and puts it back, so it allocates only when it needs more room than any product
//! before it on that thread (each thread of a split product has its own set).

use std::cell::RefCell;

/// What a scratch buffer holds.
#[derive(Clone, Copy)]
pub(super) enum Slot {
    /// `B^T` of an `A B^T` on the AVX2 loops.
    Transposed,
    /// Packed strips of `B` on the AVX2 loops.
    Strips,
    /// The packed driver's micro-panels of `A`.
    PanelsA,
    /// The packed driver's micro-panels of `B`.
    PanelsB,
}

thread_local! {
    static SCRATCH: RefCell<[Vec<f64>; 4]> = const { RefCell::new([const { Vec::new() }; 4]) };
}

/// Buffer `slot` as the last product left it (its length and contents included: the caller
/// sizes and overwrites it).
pub(super) fn take(slot: Slot) -> Vec<f64> {
    SCRATCH.with(|s| std::mem::take(&mut s.borrow_mut()[slot as usize]))
}

/// Puts buffer `slot` back for the next product on this thread.
pub(super) fn give(slot: Slot, v: Vec<f64>) {
    SCRATCH.with(|s| s.borrow_mut()[slot as usize] = v);
}
