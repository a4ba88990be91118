//! Recycled tensor buffers: a per-thread free list, so that a training loop that builds the
//! same tensors at every step stops calling the allocator after its first step.
//!
//! A dropped [`Tensor`](super::Tensor) hands its buffer back here; the next tensor of a
//! similar size takes it. Buffers are kept by size class, class `c` holding capacities in
//! `[2^c, 2^(c+1))`, and a request for `len` values is served from class `ceil(log2(len))`
//! (or allocated with capacity exactly `2^c`, so it comes back to that class). Buffers of up
//! to 2^21 values (16 MiB) are pooled; each class keeps at most 2 MiB of them, or two buffers
//! where one is bigger than that (a step of a 1024-wide layer has its weight and the weight's
//! gradient alive at once), so the pool never holds more than about 64 MiB whatever the
//! program does; larger tensors go straight to the allocator. (The large classes pay: left to
//! the allocator, a taped step of an MLP [64, 1024, 1024, 10] on one sample spent 40% of its
//! time in the kernel's page faults, mapping fresh pages for its 8 MiB buffers every step.)
//!
//! The pool is invisible to the numbers: a recycled buffer keeps the values it held, but
//! [`take`] hands it out empty, and [`take_to_overwrite`] hands it out full only to writers
//! that set every entry without reading it (a matrix product's result), which saves them
//! zeroing it first.

use std::cell::RefCell;

/// Size classes `2^0 ..= 2^(CLASSES − 1)` values.
const CLASSES: usize = 22;
/// At most this many bytes of free buffers per class (or two buffers, where that is more)...
const KEEP_BYTES: usize = 2 << 20;
/// ...and at most this many buffers (each class's list is reserved to this size when first
/// used, so that handing buffers back never allocates).
const KEEP_COUNT: usize = 1024;

thread_local! {
    static FREE: RefCell<[Vec<Vec<f64>>; CLASSES]> =
        const { RefCell::new([const { Vec::new() }; CLASSES]) };
}

/// The size class that serves `len` values: `ceil(log2(len))`.
fn class_for(len: usize) -> usize {
    len.next_power_of_two().trailing_zeros() as usize
}

/// An empty buffer with room for `len` values (`len` at most 2^21: callers check).
#[inline]
pub(super) fn take(len: usize) -> Vec<f64> {
    let mut buf = recycled(len);
    buf.clear();
    buf
}

/// A buffer of exactly `len` values, whatever they are (left by the tensor that used it last,
/// or zeros where it grew): for a writer that sets every entry before anything reads it.
#[inline]
pub(super) fn take_to_overwrite(len: usize) -> Vec<f64> {
    let mut buf = recycled(len);
    if buf.len() >= len {
        buf.truncate(len);
    } else {
        buf.resize(len, 0.0);
    }
    buf
}

/// A buffer with room for `len` values, recycled if the pool has one (its old values kept).
#[inline]
fn recycled(len: usize) -> Vec<f64> {
    if len == 0 {
        return Vec::new();
    }
    let c = class_for(len);
    debug_assert!(
        c < CLASSES,
        "pool::take: {len} values is above the pooled sizes"
    );
    let recycled = FREE
        .try_with(|free| free.try_borrow_mut().ok().and_then(|mut f| f[c].pop()))
        .ok()
        .flatten();
    recycled.unwrap_or_else(|| Vec::with_capacity(1 << c))
}

/// True if a buffer of `len` values is served by the pool.
pub(super) fn pooled(len: usize) -> bool {
    len <= 1 << (CLASSES - 1)
}

/// Takes back a buffer no longer used (kept if its class has room, freed otherwise).
#[inline]
pub(super) fn give(buf: Vec<f64>) {
    let cap = buf.capacity();
    if cap == 0 {
        return;
    }
    let c = (usize::BITS - 1 - cap.leading_zeros()) as usize; // floor(log2(cap))
    if c >= CLASSES {
        return;
    }
    let _ = FREE.try_with(|free| {
        if let Ok(mut free) = free.try_borrow_mut() {
            let keep = (KEEP_BYTES >> 3 >> c).clamp(2, KEEP_COUNT);
            let list = &mut free[c];
            if list.capacity() == 0 {
                list.reserve_exact(keep);
            }
            if list.len() < keep {
                list.push(buf);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_returned_buffer_is_reused_for_the_same_class() {
        let a = take(10);
        assert!(a.capacity() >= 10 && a.is_empty());
        let ptr = a.as_ptr();
        give(a);
        let b = take(9); // class 4 (16), as 10
        assert_eq!(b.as_ptr(), ptr);
        assert!(b.is_empty());
        give(b);
        // Handed out to be overwritten: exactly the length asked for, recycled, and its
        // entries initialized (the last user's, or zeros past them).
        let mut c = take_to_overwrite(12);
        assert_eq!((c.len(), c.as_ptr()), (12, ptr));
        c.fill(3.0);
        give(c);
        let d = take_to_overwrite(14);
        assert_eq!(d.len(), 14);
        assert_eq!(&d[12..], &[0.0, 0.0]);
        give(d);
        assert_eq!(class_for(1), 0);
        assert_eq!(class_for(16), 4);
        assert_eq!(class_for(17), 5);
        assert!(pooled(1 << 21) && !pooled((1 << 21) + 1));
    }
}
