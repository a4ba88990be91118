//! Float comparisons: each test states its tolerance (and why) at the call; the definitions
//! live here, once.

use tapegrad::Tensor;

/// `||a − b|| / ||b||` (Frobenius norms): how far `a` is from `b`, relative to `b`.
pub fn rel_err(a: &Tensor, b: &Tensor) -> f64 {
    a.sub(b).norm() / b.norm()
}

/// `max_k |a_k − b_k| / max_k |b_k|`: [`rel_err`] in the max norm, on slices of one length.
pub fn rel_err_inf(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "rel_err_inf: lengths differ");
    let diff = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    diff / b.iter().fold(0.0f64, |m, y| m.max(y.abs()))
}

/// `|got − want| <= tol · max(|want|, floor)`: relative to `want`, and absolute
/// (`tol · floor`) where `want` is smaller than `floor`. A NaN is close to nothing.
pub fn close(got: f64, want: f64, tol: f64, floor: f64) -> bool {
    (got - want).abs() <= tol * want.abs().max(floor)
}

/// Panics naming `what` unless `got` is [`close`] to `want`.
#[track_caller]
pub fn assert_close(what: &str, got: f64, want: f64, tol: f64, floor: f64) {
    assert!(close(got, want, tol, floor), "{what}: {got:e} vs {want:e}");
}

/// Panics unless `got` and `want` have one length and each entry of `got` is [`close`] to
/// the one of `want`, naming `what` and the first entry that is not.
#[track_caller]
pub fn assert_all_close(what: &str, got: &[f64], want: &[f64], tol: f64, floor: f64) {
    check_all(what, got, want, tol, floor, false);
}

/// [`assert_all_close`] where an entry that is NaN on both sides also agrees: for two
/// executors that must compute the same thing, NaN included.
#[track_caller]
pub fn assert_all_close_or_both_nan(what: &str, got: &[f64], want: &[f64], tol: f64, floor: f64) {
    check_all(what, got, want, tol, floor, true);
}

/// [`assert_all_close`] on two tensors of one shape.
#[track_caller]
pub fn assert_tensor_close(what: &str, got: &Tensor, want: &Tensor, tol: f64, floor: f64) {
    assert_eq!(got.shape(), want.shape(), "{what}");
    check_all(what, got.as_slice(), want.as_slice(), tol, floor, false);
}

#[track_caller]
fn check_all(what: &str, got: &[f64], want: &[f64], tol: f64, floor: f64, nan_agrees: bool) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (k, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            close(g, w, tol, floor) || (nan_agrees && g.is_nan() && w.is_nan()),
            "{what}: entry {k}: {g:e} vs {w:e}"
        );
    }
}

/// `|got − want| <= tol · scale` entrywise, where `scale` bounds the magnitudes summed into
/// each entry (for `A B`, `|A| |B|`): the standard bound on the rounding of a sum, which
/// stays meaningful where the sum itself cancels to near zero.
pub fn close_to_scale(got: &Tensor, want: &Tensor, scale: &Tensor, tol: f64) -> bool {
    got.shape() == want.shape()
        && got
            .as_slice()
            .iter()
            .zip(want.as_slice())
            .zip(scale.as_slice())
            .all(|((g, w), s)| (g - w).abs() <= tol * s)
}

/// Panics naming `what` and the first entry that is not [`close_to_scale`].
#[track_caller]
pub fn assert_close_to_scale(what: &str, got: &Tensor, want: &Tensor, scale: &Tensor, tol: f64) {
    assert_eq!(got.shape(), want.shape(), "{what}");
    assert_eq!(scale.shape(), want.shape(), "{what}: the scale's shape");
    let entries = got.as_slice().iter().zip(want.as_slice());
    for (k, ((g, w), s)) in entries.zip(scale.as_slice()).enumerate() {
        assert!((g - w).abs() <= tol * s, "{what} entry {k}: {g} vs {w}");
    }
}

/// `|t|` entrywise (the scale of a sum of products, for [`close_to_scale`]).
pub fn abs(t: &Tensor) -> Tensor {
    t.map(f64::abs)
}
