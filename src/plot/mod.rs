//! Figures the course draws, each one call, as SVG (feature `plot`, on by default):
//! training [`histories`] on a log axis against steps, evaluations or seconds; any [`lines`];
//! data with fitted curves ([`fit`]); loss landscapes in 1-D ([`landscape_1d`]) and 2-D as a
//! heatmap with contour lines ([`landscape_2d`]); a [`histogram`].
//!
//! Readable by default: 800x600, a title and both axis labels always, tick labels at 16 px,
//! the legend in its own strip right of the plot (never over the data), and one colour per
//! series name for the whole run of a program (the first name drawn gets the first colour,
//! in every figure after it too). A failed write is a [`DataError`] naming the path.
//!
//! ```
//! use tapegrad::plot::{Series, lines};
//! let path = std::env::temp_dir().join(format!("tapegrad-doc-{}.svg", std::process::id()));
//! let squares = Series::new("x^2", (0..=10).map(|i| (i as f64, (i * i) as f64)).collect());
//! lines(&path, "Squares", ("x", "x^2"), &[squares], false).unwrap();
//! assert!(std::fs::read_to_string(&path).unwrap().contains("Squares"));
//! std::fs::remove_file(&path).unwrap();
//! ```

mod curves;
mod grid;

pub use curves::{MAX_DOTS, XAxis, fit, histories, lines};
pub use grid::{histogram, landscape_1d, landscape_2d};

use crate::io::DataError;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Mutex;

/// Figure size in pixels.
pub const SIZE: (u32, u32) = (800, 600);
/// Width of the legend strip right of the plot.
const LEGEND_WIDTH: u32 = 250;
/// Font sizes: title, axis descriptions, tick labels, legend.
const TITLE: u32 = 24;
const AXIS: u32 = 18;
const TICKS: u32 = 16;
const LEGEND: u32 = 15;

/// A named curve: `(x, y)` points in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The legend entry (and the key of its colour).
    pub name: String,
    /// The points.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A series called `name`.
    pub fn new(name: &str, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.to_string(),
            points,
        }
    }
}

/// Ten well-separated colours (Tableau 10).
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Names in the order they were first drawn in this program: the index is the colour.
static NAMES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The colour of series `name`: the same in every figure of this program.
///
/// ```
/// use tapegrad::plot::color_of;
/// assert_eq!(color_of("Adam"), color_of("Adam"));
/// assert_ne!(color_of("Adam"), color_of("GD"));
/// ```
pub fn color_of(name: &str) -> (u8, u8, u8) {
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    let k = match names.iter().position(|n| n == name) {
        Some(k) => k,
        None => {
            names.push(name.to_string());
            names.len() - 1
        }
    };
    let c = PALETTE[k % PALETTE.len()];
    (c.0, c.1, c.2)
}

fn rgb(name: &str) -> RGBColor {
    let (r, g, b) = color_of(name);
    RGBColor(r, g, b)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Drawn = Result<(), Box<dyn std::error::Error>>;

/// Draws a figure into an SVG string with `draw(plot area, legend strip)` and writes it.
fn render(path: &Path, draw: impl FnOnce(&Area<'_>, &Area<'_>) -> Drawn) -> Result<(), DataError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let drawn = root
            .fill(&WHITE)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                let (plot, legend) = root.split_horizontally(SIZE.0 - LEGEND_WIDTH);
                draw(&plot, &legend).map_err(|e| e.to_string())
            })
            .and_then(|()| root.present().map_err(|e| e.to_string()));
        if let Err(e) = drawn {
            return Err(DataError::new(
                path.display().to_string(),
                0,
                format!("drawing: {e}"),
            ));
        }
    }
    std::fs::write(path, svg).map_err(|e| DataError::io(path.display().to_string(), e))
}

/// One legend entry: what its mark looks like.
enum Mark {
    Line(RGBColor),
    Dot(RGBColor),
}

/// The legend in its strip: one entry per line, from the top.
fn legend(area: &Area<'_>, entries: &[(String, Mark)]) -> Drawn {
    let font = ("sans-serif", LEGEND).into_font().color(&BLACK);
    for (k, (name, mark)) in entries.iter().enumerate() {
        let y = 60 + 26 * k as i32;
        match mark {
            Mark::Line(c) => {
                area.draw(&PathElement::new(vec![(8, y), (36, y)], c.stroke_width(3)))?;
            }
            Mark::Dot(c) => area.draw(&Circle::new((22, y), 4, c.filled()))?,
        }
        area.draw(&Text::new(name.clone(), (44, y - 8), font.clone()))?;
    }
    Ok(())
}

/// Tick labels on a log axis: `1e-3`, `1e0`, `1e2` (decades print exactly).
fn log_label(v: &f64) -> String {
    format!("{v:.0e}")
}

/// Tick labels on a linear axis: short.
fn lin_label(v: &f64) -> String {
    // A tick at 0 may come out as rounding noise (-2.2e-16): print it as 0.
    let a = if v.abs() < 1e-12 { 0.0 } else { v.abs() };
    let v = &if a == 0.0 { 0.0 } else { *v };
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{v:.1e}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// `[lo, hi]` widened when degenerate, for an axis range.
fn span(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        (0.0, 1.0)
    } else if hi > lo {
        (lo, hi)
    } else {
        let pad = lo.abs().max(1.0) * 0.5;
        (lo - pad, hi + pad)
    }
}
