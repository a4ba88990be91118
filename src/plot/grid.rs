//! Landscapes and histograms: `L(θ* + tΔ)` against `t`, `L(θ* + aΔ₁ + bΔ₂)` as a heatmap
//! with contour lines, and the distribution of a sample.

use super::curves::frame;
use super::{AXIS, Mark, Series, TICKS, legend, lin_label, lines, render, span};
use crate::io::DataError;
use crate::tensor::{Tensor, fmt_shape};
use plotters::prelude::*;
use std::path::Path;

/// The 1-D landscape `L(θ* + tΔ)` against `t` (the loss along a direction through a point).
///
/// # Errors
/// A [`DataError`] naming the path if the file cannot be written.
///
/// # Panics
/// If `t` and `loss` have different lengths.
///
/// ```
/// use tapegrad::plot::landscape_1d;
/// let t: Vec<f64> = (-20..=20).map(|i| i as f64 / 10.0).collect();
/// let loss: Vec<f64> = t.iter().map(|t| t * t).collect();
/// let path = std::env::temp_dir().join(format!("tapegrad-doc-l1-{}.svg", std::process::id()));
/// landscape_1d(&path, "Along a random direction", &t, &loss).unwrap();
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn landscape_1d(
    path: impl AsRef<Path>,
    title: &str,
    t: &[f64],
    loss: &[f64],
) -> Result<(), DataError> {
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
    lines(path, title, ("t", "loss"), &[s], false)
}

/// The 2-D landscape `z[i][j] = L(θ* + x_j Δ₁ + y_i Δ₂)` as a heatmap (dark: low, bright:
/// high) with `levels` contour lines at quantiles of the values (so they show the structure
/// near the minimum as well as far from it), and a colour bar.
///
/// # Errors
/// A [`DataError`] naming the path if the file cannot be written.
///
/// # Panics
/// If `z` is not `ys.len() x xs.len()` or either axis has fewer than 2 points.
///
/// ```
/// use tapegrad::{Tensor, plot::landscape_2d};
/// let g: Vec<f64> = (-10..=10).map(|i| i as f64 / 5.0).collect();
/// let z = Tensor::from_fn(g.len(), g.len(), |i, j| g[j] * g[j] + 4.0 * g[i] * g[i]);
/// let path = std::env::temp_dir().join(format!("tapegrad-doc-l2-{}.svg", std::process::id()));
/// landscape_2d(&path, "A sharp and a flat direction", (&g, &g), &z, 6).unwrap();
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn landscape_2d(
    path: impl AsRef<Path>,
    title: &str,
    (xs, ys): (&[f64], &[f64]),
    z: &Tensor,
    levels: usize,
) -> Result<(), DataError> {
    assert!(
        z.shape() == (ys.len(), xs.len()) && xs.len() >= 2 && ys.len() >= 2,
        "landscape_2d: z is {} but the axes have {} (y) x {} (x) points (need >= 2 each)",
        fmt_shape(z.shape()),
        ys.len(),
        xs.len()
    );
    let finite: Vec<f64> = z
        .as_slice()
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi) = span(
        finite.iter().copied().fold(f64::INFINITY, f64::min),
        finite.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let mut sorted = finite.clone();
    sorted.sort_by(f64::total_cmp);
    let marks: Vec<f64> = (1..=levels)
        .map(|k| sorted[(k * sorted.len() / (levels + 1)).min(sorted.len().saturating_sub(1))])
        .collect();
    let (x0, x1) = (xs[0], xs[xs.len() - 1]);
    let (y0, y1) = (ys[0], ys[ys.len() - 1]);
    render(path.as_ref(), |plot, strip| {
        let mut chart = frame(plot, title)
            .build_cartesian_2d(x0.min(x1)..x0.max(x1), y0.min(y1)..y0.max(y1))?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("a (along Delta_1)")
            .y_desc("b (along Delta_2)")
            .axis_desc_style(("sans-serif", AXIS))
            .label_style(("sans-serif", TICKS))
            .x_label_formatter(&lin_label)
            .y_label_formatter(&lin_label)
            .draw()?;
        let shade = |v: f64| colormap(((v - lo) / (hi - lo)).clamp(0.0, 1.0));
        let mut cells = Vec::new();
        for i in 0..ys.len() - 1 {
            for j in 0..xs.len() - 1 {
                let v = (z[(i, j)] + z[(i, j + 1)] + z[(i + 1, j)] + z[(i + 1, j + 1)]) / 4.0;
                let color = if v.is_finite() {
                    shade(v)
                } else {
                    RGBColor(255, 255, 255)
                };
                cells.push(Rectangle::new(
                    [(xs[j], ys[i]), (xs[j + 1], ys[i + 1])],
                    color.filled(),
                ));
            }
        }
        chart.draw_series(cells)?;
        for &level in &marks {
            let segments = contour(xs, ys, z, level);
            chart.draw_series(
                segments
                    .into_iter()
                    .map(|(p, q)| PathElement::new(vec![p, q], WHITE.mix(0.9).stroke_width(1))),
            )?;
        }
        // The colour bar, with the extreme values.
        let font = ("sans-serif", 15).into_font().color(&BLACK);
        strip.draw(&Text::new("loss", (20, 40), font.clone()))?;
        for k in 0..100 {
            let top = 70 + 4 * (99 - k);
            strip.draw(&Rectangle::new(
                [(20, top), (50, top + 4)],
                colormap(k as f64 / 99.0).filled(),
            ))?;
        }
        strip.draw(&Text::new(lin_label(&hi), (58, 64), font.clone()))?;
        strip.draw(&Text::new(lin_label(&lo), (58, 462), font.clone()))?;
        let entries = vec![(
            format!("contours: {levels} quantiles"),
            Mark::Line(RGBColor(120, 120, 120)),
        )];
        let below = strip.margin(430, 0, 0, 0);
        legend(&below, &entries)
    })
}

/// The segments where the piecewise-linear interpolant of `z` crosses `level` (marching
/// squares: per cell, the edge crossings, paired).
fn contour(xs: &[f64], ys: &[f64], z: &Tensor, level: f64) -> Vec<((f64, f64), (f64, f64))> {
    let mut out = Vec::new();
    for i in 0..ys.len() - 1 {
        for j in 0..xs.len() - 1 {
            let corners = [
                (xs[j], ys[i], z[(i, j)]),
                (xs[j + 1], ys[i], z[(i, j + 1)]),
                (xs[j + 1], ys[i + 1], z[(i + 1, j + 1)]),
                (xs[j], ys[i + 1], z[(i + 1, j)]),
            ];
            let mut hits = Vec::new();
            for e in 0..4 {
                let (a, b) = (corners[e], corners[(e + 1) % 4]);
                if (a.2 - level) * (b.2 - level) < 0.0 {
                    let s = (level - a.2) / (b.2 - a.2);
                    hits.push((a.0 + s * (b.0 - a.0), a.1 + s * (b.1 - a.1)));
                }
            }
            for pair in hits.chunks_exact(2) {
                out.push((pair[0], pair[1]));
            }
        }
    }
    out
}

/// A perceptual dark-to-bright map (anchors of viridis), `t` in `[0, 1]`.
fn colormap(t: f64) -> RGBColor {
    const ANCHORS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let x = t * 4.0;
    let k = (x.floor() as usize).min(3);
    let f = x - k as f64;
    let (a, b) = (ANCHORS[k], ANCHORS[k + 1]);
    let mix = |p: f64, q: f64| (p + f * (q - p)).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The histogram of `values` in `bins` equal bins over their range.
///
/// # Errors
/// A [`DataError`] naming the path if the file cannot be written.
///
/// # Panics
/// If `bins` is 0.
///
/// ```
/// use tapegrad::{Rng, plot::histogram};
/// let mut rng = Rng::new(0);
/// let v: Vec<f64> = (0..1000).map(|_| rng.normal()).collect();
/// let path = std::env::temp_dir().join(format!("tapegrad-doc-hist-{}.svg", std::process::id()));
/// histogram(&path, "1000 normal draws", "z", &v, 30).unwrap();
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn histogram(
    path: impl AsRef<Path>,
    title: &str,
    x_label: &str,
    values: &[f64],
    bins: usize,
) -> Result<(), DataError> {
    assert!(bins > 0, "histogram: need at least one bin");
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let (lo, hi) = span(
        finite.iter().copied().fold(f64::INFINITY, f64::min),
        finite.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in &finite {
        counts[(((v - lo) / width) as usize).min(bins - 1)] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    render(path.as_ref(), |plot, strip| {
        let mut chart = frame(plot, title).build_cartesian_2d(lo..hi, 0.0..top * 1.05)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc("count")
            .axis_desc_style(("sans-serif", AXIS))
            .label_style(("sans-serif", TICKS))
            .x_label_formatter(&lin_label)
            .y_label_formatter(&lin_label)
            .draw()?;
        let color = super::rgb("count");
        chart.draw_series(counts.iter().enumerate().map(|(k, &c)| {
            let x = lo + k as f64 * width;
            Rectangle::new([(x, 0.0), (x + width, c as f64)], color.filled())
        }))?;
        legend(
            strip,
            &[(format!("{} values", finite.len()), Mark::Line(color))],
        )
    })
}
