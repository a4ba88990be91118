//! Curves: training histories, any lines, and data with fitted curves, each a [`Panel`].

use super::{Panel, Series};
use crate::train::History;

/// The horizontal axis of a history plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum XAxis {
    /// Updates `k` (iterations for L-BFGS).
    Steps,
    /// Evaluations of the loss.
    Evaluations,
    /// Wall time.
    Seconds,
}

/// The losses of several runs on a log axis against `x`; with `gap_from = Some(f*)`, the
/// optimality gap `f(θ_k) − f*`, where gaps below `1e-16` (zero among them) are drawn at
/// `1e-16` and the legend says so. Each run is one curve, one point per record, named as its
/// history.
///
/// ```
/// use tapegrad::plot::{XAxis, histories};
/// use tapegrad::train::History;
/// let mut h = History::new("GD");
/// for k in 0..50 {
///     h.steps.push(k);
///     h.evaluations.push(k + 1);
///     h.seconds.push(k as f64 * 1e-3);
///     h.lrs.push(0.1);
///     h.losses.push(0.9f64.powi(k as i32));
/// }
/// let svg = histories("Loss", &[&h], XAxis::Steps, None).to_svg();
/// assert!(svg.contains(">loss<") && svg.contains(">1e-2<"));
/// ```
pub fn histories(title: &str, runs: &[&History], x: XAxis, gap_from: Option<f64>) -> Panel {
    let series: Vec<Series> = runs
        .iter()
        .map(|h| {
            let xs: Vec<f64> = match x {
                XAxis::Steps => h.steps.iter().map(|&k| k as f64).collect(),
                XAxis::Evaluations => h.evaluations.iter().map(|&k| k as f64).collect(),
                XAxis::Seconds => h.seconds.clone(),
            };
            let ys = h.losses.iter().map(|&l| match gap_from {
                Some(f) => l - f,
                None => l,
            });
            Series::new(&h.name, xs.into_iter().zip(ys).collect())
        })
        .collect();
    let x_label = match x {
        XAxis::Steps => "step k",
        XAxis::Evaluations => "evaluations of f",
        XAxis::Seconds => "seconds",
    };
    // "loss", not f(theta_k): a history of minibatch steps records each batch's loss.
    let p = lines(title, (x_label, "loss"), &series).log_y();
    match gap_from {
        Some(_) => p.labels(x_label, "loss - f*").floor(1e-16),
        None => p,
    }
}

/// Named curves, one colour per name, on linear axes (make them log with
/// [`Panel::log_y`]).
///
/// ```
/// use tapegrad::plot::{Series, lines};
/// let s = Series::new("x^2", (0..=10).map(|i| (i as f64, (i * i) as f64)).collect());
/// let svg = lines("Squares", ("x", "x^2"), &[s]).to_svg();
/// assert!(svg.contains("Squares"));
/// ```
pub fn lines(title: &str, (x_label, y_label): (&str, &str), series: &[Series]) -> Panel {
    Panel::new(title)
        .labels(x_label, y_label)
        .all_series(series)
}

/// The most data points [`fit`] draws as dots.
pub const MAX_DOTS: usize = 2000;

/// Data points `(x_i, y_i)` (black dots, legend "data") with fitted curves over them.
/// Above [`MAX_DOTS`] points an evenly strided subset is drawn (the legend says how many of
/// how many), so a million-point data set gives a figure of a few hundred kilobytes, not
/// a hundred megabytes; the axes still span every point.
///
/// # Panics
/// If `x` and `y` have different lengths.
///
/// ```
/// use tapegrad::plot::{Series, fit};
/// let (x, y) = (vec![0.0, 1.0, 2.0], vec![1.0, 2.9, 5.1]);
/// let line = Series::new("least squares", vec![(0.0, 1.0), (2.0, 5.0)]);
/// let svg = fit("A line through three points", (&x, &y), &[line]).ylim(0.0, 6.0).to_svg();
/// assert!(svg.contains("least squares") && svg.contains(">data<"));
/// ```
pub fn fit(title: &str, (x, y): (&[f64], &[f64]), curves: &[Series]) -> Panel {
    assert!(
        x.len() == y.len(),
        "plot::fit: {} x values but {} y values",
        x.len(),
        y.len()
    );
    let stride = x.len().div_ceil(MAX_DOTS).max(1);
    let dots: Vec<(f64, f64)> = x
        .iter()
        .copied()
        .zip(y.iter().copied())
        .step_by(stride)
        .collect();
    let mut p = Panel::new(title).labels("x", "y").all_series(curves);
    if stride > 1 {
        // The axes span every point: the extremes join the drawn subset.
        let mut extremes = Vec::new();
        for key in [|q: &(f64, f64)| q.0, |q: &(f64, f64)| q.1] {
            let pts = x
                .iter()
                .copied()
                .zip(y.iter().copied())
                .filter(|q| key(q).is_finite());
            if let Some(lo) = pts.clone().min_by(|a, b| key(a).total_cmp(&key(b))) {
                extremes.push(lo);
            }
            if let Some(hi) = pts.max_by(|a, b| key(a).total_cmp(&key(b))) {
                extremes.push(hi);
            }
        }
        let mut all = dots;
        for e in extremes {
            if !all.contains(&e) {
                all.push(e);
            }
        }
        // The count is of what is drawn: the strided subset and the extremes added to it.
        let name = format!("data ({} of {} shown)", all.len(), x.len());
        p = p.series(Series::dots(&name, all).color((0, 0, 0)));
    } else {
        p = p.series(Series::dots("data", dots).color((0, 0, 0)));
    }
    p
}
