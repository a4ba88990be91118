//! Curves: training histories, any lines, and data with fitted curves.

use super::{
    AXIS, Drawn, Mark, Series, TICKS, TITLE, legend, lin_label, log_label, render, rgb, span,
};
use crate::io::DataError;
use crate::train::History;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::path::Path;

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
/// optimality gap `f(θ_k) − f*` (values below `1e-16` drawn at `1e-16`, since a log axis
/// cannot show 0). Each run is one curve with one point per record, named as its history.
///
/// # Errors
/// A [`DataError`] naming the path if the file cannot be written.
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
/// let path = std::env::temp_dir().join(format!("tapegrad-doc-h-{}.svg", std::process::id()));
/// histories(&path, "Loss", &[&h], XAxis::Steps, None).unwrap();
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn histories(
    path: impl AsRef<Path>,
    title: &str,
    runs: &[&History],
    x: XAxis,
    gap_from: Option<f64>,
) -> Result<(), DataError> {
    const FLOOR: f64 = 1e-16;
    let series: Vec<Series> = runs
        .iter()
        .map(|h| {
            let xs: Vec<f64> = match x {
                XAxis::Steps => h.steps.iter().map(|&k| k as f64).collect(),
                XAxis::Evaluations => h.evaluations.iter().map(|&k| k as f64).collect(),
                XAxis::Seconds => h.seconds.clone(),
            };
            let ys = h.losses.iter().map(|&l| match gap_from {
                Some(f) => (l - f).max(FLOOR),
                None => l.max(FLOOR),
            });
            Series::new(&h.name, xs.into_iter().zip(ys).collect())
        })
        .collect();
    let x_label = match x {
        XAxis::Steps => "step k",
        XAxis::Evaluations => "evaluations of f",
        XAxis::Seconds => "seconds",
    };
    let y_label = if gap_from.is_some() {
        "f(theta_k) - f*"
    } else {
        "f(theta_k)"
    };
    lines(path, title, (x_label, y_label), &series, true)
}

/// Named curves on linear or log-`y` axes, one colour per name.
///
/// # Errors
/// A [`DataError`] naming the path if the file cannot be written.
pub fn lines(
    path: impl AsRef<Path>,
    title: &str,
    (x_label, y_label): (&str, &str),
    series: &[Series],
    log_y: bool,
) -> Result<(), DataError> {
    let finite = |v: f64| v.is_finite() && (!log_y || v > 0.0);
    let pts = || {
        series
            .iter()
            .flat_map(|s| &s.points)
            .filter(|p| p.0.is_finite() && finite(p.1))
    };
    let (x0, x1) = span(
        pts().map(|p| p.0).fold(f64::INFINITY, f64::min),
        pts().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max),
    );
    let (y0, y1) = span(
        pts().map(|p| p.1).fold(f64::INFINITY, f64::min),
        pts().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max),
    );
    let keep = move |p: &(f64, f64)| p.0.is_finite() && finite(p.1);
    render(path.as_ref(), |plot, strip| {
        if log_y {
            let (lo, hi) = if y1 > y0 {
                (y0 / 2.0, y1 * 2.0)
            } else {
                (y0 / 10.0, y0 * 10.0)
            };
            let mut chart = frame(plot, title).build_cartesian_2d(x0..x1, (lo..hi).log_scale())?;
            axes_and_lines(&mut chart, (x_label, y_label), &log_label, series, &keep)?;
        } else {
            let pad = 0.05 * (y1 - y0);
            let mut chart =
                frame(plot, title).build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))?;
            axes_and_lines(&mut chart, (x_label, y_label), &lin_label, series, &keep)?;
        }
        let entries: Vec<(String, Mark)> = series
            .iter()
            .map(|s| (s.name.clone(), Mark::Line(rgb(&s.name))))
            .collect();
        legend(strip, &entries)
    })
}

/// The most data points [`fit`] draws as dots.
pub const MAX_DOTS: usize = 2000;

/// Data points `(x_i, y_i)` (black dots, legend "data") with fitted curves over them.
/// Above [`MAX_DOTS`] points an evenly strided subset is drawn (the legend says how many of
/// how many), so a million-point data set gives a figure of a few hundred kilobytes, not
/// a hundred megabytes; the axes still span every point.
///
/// # Errors
/// A [`DataError`] naming the path if the file cannot be written.
///
/// ```
/// use tapegrad::plot::{Series, fit};
/// let (x, y) = (vec![0.0, 1.0, 2.0], vec![1.0, 2.9, 5.1]);
/// let line = Series::new("least squares", vec![(0.0, 1.0), (2.0, 5.0)]);
/// let path = std::env::temp_dir().join(format!("tapegrad-doc-fit-{}.svg", std::process::id()));
/// fit(&path, "A line through three points", (&x, &y), &[line]).unwrap();
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn fit(
    path: impl AsRef<Path>,
    title: &str,
    (x, y): (&[f64], &[f64]),
    curves: &[Series],
) -> Result<(), DataError> {
    let xs = x
        .iter()
        .copied()
        .chain(curves.iter().flat_map(|c| c.points.iter().map(|p| p.0)));
    let ys = y
        .iter()
        .copied()
        .chain(curves.iter().flat_map(|c| c.points.iter().map(|p| p.1)));
    let finite = |v: &f64| v.is_finite();
    let (x0, x1) = span(
        xs.clone().filter(finite).fold(f64::INFINITY, f64::min),
        xs.filter(finite).fold(f64::NEG_INFINITY, f64::max),
    );
    let (y0, y1) = span(
        ys.clone().filter(finite).fold(f64::INFINITY, f64::min),
        ys.filter(finite).fold(f64::NEG_INFINITY, f64::max),
    );
    let pad = 0.08 * (y1 - y0);
    render(path.as_ref(), |plot, strip| {
        let mut chart = frame(plot, title).build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))?;
        chart
            .configure_mesh()
            .x_desc("x")
            .y_desc("y")
            .axis_desc_style(("sans-serif", AXIS))
            .label_style(("sans-serif", TICKS))
            .x_label_formatter(&lin_label)
            .y_label_formatter(&lin_label)
            .draw()?;
        for c in curves {
            let color = rgb(&c.name);
            chart.draw_series(LineSeries::new(
                c.points.iter().copied(),
                color.stroke_width(2),
            ))?;
        }
        let stride = x.len().div_ceil(MAX_DOTS).max(1);
        chart.draw_series(
            x.iter()
                .zip(y)
                .step_by(stride)
                .map(|(&a, &b)| Circle::new((a, b), 4, BLACK.filled())),
        )?;
        let data = if stride > 1 {
            format!("data ({} of {} shown)", x.len().div_ceil(stride), x.len())
        } else {
            "data".to_string()
        };
        let mut entries = vec![(data, Mark::Dot(BLACK))];
        entries.extend(
            curves
                .iter()
                .map(|c| (c.name.clone(), Mark::Line(rgb(&c.name)))),
        );
        legend(strip, &entries)
    })
}

/// The mesh with both axis labels, and one line per series in its colour, on a chart whose
/// vertical axis `Y` is linear or logarithmic.
fn axes_and_lines<Y>(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<RangedCoordf64, Y>>,
    (x_label, y_label): (&str, &str),
    y_format: &dyn Fn(&f64) -> String,
    series: &[Series],
    keep: &dyn Fn(&(f64, f64)) -> bool,
) -> Drawn
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .axis_desc_style(("sans-serif", AXIS))
        .label_style(("sans-serif", TICKS))
        .x_label_formatter(&lin_label)
        .y_label_formatter(y_format)
        .draw()?;
    for s in series {
        let points = s.points.iter().copied().filter(|p| keep(p));
        chart.draw_series(LineSeries::new(points, rgb(&s.name).stroke_width(2)))?;
    }
    Ok(())
}

/// A chart builder with the figure's title and margins.
pub(super) fn frame<'a, 'b>(
    plot: &'a super::Area<'b>,
    title: &str,
) -> ChartBuilder<'a, 'b, plotters::prelude::SVGBackend<'b>> {
    let mut b = ChartBuilder::on(plot);
    b.caption(title, ("sans-serif", TITLE))
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(80);
    b
}
