//! What the CSV reader holds while it reads (issue 31, C3): a 20 MB one-column file peaked at
//! ~95 bytes of RAM per byte of input (a table of strings); read record by record into its
//! numbers, the peak above the input text stays within 3 times the matrix it returns. A
//! global allocator keeps the bytes live and their peak.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use tapegrad::io::csv::Csv;

struct Peak;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters are atomics,
// which need no allocation.
unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: as the caller's contract for `GlobalAlloc::alloc`.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as the caller's contract for `GlobalAlloc::dealloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as the new block before the old one goes, as the system may copy.
        grew(new_size);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as the caller's contract for `GlobalAlloc::realloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Peak = Peak;

#[test]
fn a_large_csv_costs_about_its_matrix() {
    // 20 MB: a header and 3.3 million short numbers, one per line.
    let mut text = String::from("x\n");
    let mut k = 0u64;
    while text.len() < 20_000_000 {
        text.push_str(&format!("{}.{}\n", k % 97, k % 13));
        k += 1;
    }
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = std::time::Instant::now();
    let data = Csv::new().parse(&text, "big.csv").unwrap();
    let seconds = start.elapsed().as_secs_f64();
    let peak = PEAK.load(Ordering::Relaxed) - base;
    let matrix = data.x.rows() * data.x.cols() * 8;
    assert_eq!(data.x.rows() as u64, k);
    println!("peak {peak} bytes for a {matrix}-byte matrix, {seconds:.2} s");
    assert!(
        peak <= 3 * matrix,
        "peak {peak} bytes above the input for a {matrix}-byte matrix ({:.1}x)",
        peak as f64 / matrix as f64
    );
    assert!(seconds < 20.0, "{seconds} s");
}
