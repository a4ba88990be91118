//! Landscapes and histograms, each a [`Panel`]: `L(θ* + tΔ)` against `t`,
//! `L(θ* + aΔ₁ + bΔ₂)` as a heatmap with labelled contours and θ* marked, and the
//! distribution of a sample.

use super::{Marker, Panel, Series};
use crate::tensor::Tensor;

/// The 1-D landscape `L(θ* + tΔ)` against `t` (the loss along a direction through a
/// point), θ* (t = 0) marked.
///
/// # Panics
/// If `t` and `loss` have different lengths.
///
/// ```
/// use tapegrad::plot::landscape_1d;
/// let t: Vec<f64> = (-20..=20).map(|i| i as f64 / 10.0).collect();
/// let loss: Vec<f64> = t.iter().map(|t| t * t).collect();
/// let svg = landscape_1d("Along a random direction", &t, &loss).to_svg();
/// assert!(svg.contains("L(theta* + t Delta)"));
/// ```
pub fn landscape_1d(title: &str, t: &[f64], loss: &[f64]) -> Panel {
    assert!(
        t.len() == loss.len(),
        "landscape_1d: {} values of t but {} losses",
        t.len(),
        loss.len()
    );
    let s = Series::new(
        "L(theta* + t Delta)",
        t.iter().copied().zip(loss.iter().copied()).collect(),
    );
    let mut p = Panel::new(title).labels("t", "loss").series(s);
    if let Some(k) = t.iter().position(|&v| v == 0.0) {
        p = p.series(
            Series::dots("theta* (t = 0)", vec![(0.0, loss[k])])
                .marker(Marker::Cross)
                .color((0, 0, 0)),
        );
    }
    p
}

/// The 2-D landscape `z[i][j] = L(θ* + x_j Δ₁ + y_i Δ₂)` as a heatmap (dark: low, bright:
/// high; a log colour scale when the values span more than 3 decades) with a labelled colour
/// bar, up to `levels` contour lines at round values (each labelled), and θ* (the origin)
/// marked.
///
/// # Panics
/// If `z` is not `ys.len() x xs.len()`, an axis has fewer than 2 points, or the axes do not
/// increase.
///
/// ```
/// use tapegrad::{Tensor, plot::landscape_2d};
/// let g: Vec<f64> = (-10..=10).map(|i| i as f64 / 5.0).collect();
/// let z = Tensor::from_fn(g.len(), g.len(), |i, j| g[j] * g[j] + 4.0 * g[i] * g[i]);
/// let svg = landscape_2d("A sharp and a flat direction", (&g, &g), &z, 6).to_svg();
/// assert!(svg.contains("class=\"contour\"") && svg.contains("theta*"));
/// ```
pub fn landscape_2d(title: &str, (xs, ys): (&[f64], &[f64]), z: &Tensor, levels: usize) -> Panel {
    let mut p = Panel::new(title)
        .labels("a (along Delta_1)", "b (along Delta_2)")
        .heatmap((xs, ys), z, "loss", levels)
        .size(420.0, 420.0);
    let contains =
        |v: &[f64]| v.first().is_some_and(|&a| a <= 0.0) && v.last().is_some_and(|&b| b >= 0.0);
    if contains(xs) && contains(ys) {
        p = p.series(
            Series::dots("theta* (a = b = 0)", vec![(0.0, 0.0)])
                .marker(Marker::Cross)
                .color((220, 30, 30)),
        );
    }
    p
}

/// The most bins [`histogram`] draws.
pub const MAX_BINS: usize = 10_000;

/// The histogram of `values` in `bins` equal bins over their range (non-finite values are
/// left out; the legend counts what is drawn).
///
/// # Panics
/// If `bins` is 0 or above [`MAX_BINS`].
///
/// ```
/// use tapegrad::{Rng, plot::histogram};
/// let mut rng = Rng::new(0);
/// let v: Vec<f64> = (0..1000).map(|_| rng.normal()).collect();
/// let svg = histogram("1000 normal draws", "z", &v, 30).to_svg();
/// assert!(svg.contains("1000 values"));
/// ```
pub fn histogram(title: &str, x_label: &str, values: &[f64], bins: usize) -> Panel {
    assert!(
        (1..=MAX_BINS).contains(&bins),
        "histogram: bins must be in 1..={MAX_BINS}, got {bins}"
    );
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let (mut lo, mut hi) = super::range(finite.iter().copied());
    if !(lo.is_finite() && hi.is_finite()) {
        (lo, hi) = (0.0, 1.0);
    } else if hi <= lo {
        // One value: a bin around it, wide enough to survive rounding at its magnitude.
        let pad = 0.5f64.max(lo.abs() * 1e-9);
        (lo, hi) = (lo - pad, hi + pad);
    }
    // Each end divided first, so a span past f64's range (-1e308 to 1e308) stays finite.
    let width = hi / bins as f64 - lo / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in &finite {
        counts[((v / width - lo / width) as usize).min(bins - 1)] += 1;
    }
    let bars: Vec<(f64, f64)> = counts
        .iter()
        .enumerate()
        .map(|(k, &c)| (lo + k as f64 * width, c as f64))
        .collect();
    Panel::new(title)
        .labels(x_label, "count")
        .series(Series::bars(
            &format!("{} values", finite.len()),
            width,
            bars,
        ))
}
