//! A panel: one set of axes with its title, labels, scales, limits, series, reference
//! lines, notes and (for landscapes) a heatmap. Built by chaining; drawn by `draw.rs`.

use super::axis::Scale;
use super::figure::Figure;
use super::heat::Heat;
use super::{Dash, Series};
use crate::io::DataError;
use crate::tensor::{Tensor, fmt_shape};
use std::path::Path;

/// A horizontal or vertical reference line.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RefLine {
    /// `true`: `x = at`; `false`: `y = at`.
    pub(crate) vertical: bool,
    pub(crate) at: f64,
    pub(crate) label: String,
}

/// One set of axes. Every setter takes and returns the panel, so a panel reads as one
/// expression:
///
/// ```
/// use tapegrad::plot::{Panel, Series};
/// let p = Panel::new("Fits on [-1.1, 1.1]")
///     .labels("x", "y")
///     .ylim(-1.5, 1.5)
///     .series(Series::dots("data", vec![(0.0, 0.0), (0.5, 0.6)]))
///     .series(Series::new("fit", vec![(-1.1, -1.0), (1.1, 1.0)]))
///     .hline(0.0, "y = 0");
/// assert!(p.to_svg().contains("Fits on"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    pub(crate) title: String,
    pub(crate) x_label: String,
    pub(crate) y_label: String,
    pub(crate) x_scale: Scale,
    pub(crate) y_scale: Scale,
    pub(crate) x_lim: Option<(f64, f64)>,
    pub(crate) y_lim: Option<(f64, f64)>,
    pub(crate) floor: Option<f64>,
    pub(crate) series: Vec<Series>,
    pub(crate) refs: Vec<RefLine>,
    pub(crate) notes: Vec<(f64, f64, String)>,
    pub(crate) heat: Option<Heat>,
    pub(crate) size: (f64, f64),
}

/// The plot area of a panel, in pixels, unless [`Panel::size`] says otherwise.
pub(crate) const PLOT_SIZE: (f64, f64) = (520.0, 360.0);

fn checked_range(what: &str, lo: f64, hi: f64) -> (f64, f64) {
    assert!(
        lo.is_finite() && hi.is_finite() && lo < hi,
        "Panel::{what}: need finite lo < hi, got [{lo}, {hi}]"
    );
    (lo, hi)
}

impl Panel {
    /// An empty panel called `title`, linear axes labelled `x` and `y`.
    pub fn new(title: &str) -> Panel {
        Panel {
            title: title.to_string(),
            x_label: "x".to_string(),
            y_label: "y".to_string(),
            x_scale: Scale::Linear,
            y_scale: Scale::Linear,
            x_lim: None,
            y_lim: None,
            floor: None,
            series: Vec::new(),
            refs: Vec::new(),
            notes: Vec::new(),
            heat: None,
            size: PLOT_SIZE,
        }
    }

    /// The axis labels.
    pub fn labels(mut self, x: &str, y: &str) -> Panel {
        self.x_label = x.to_string();
        self.y_label = y.to_string();
        self
    }

    /// A log-scaled vertical axis: a labelled tick at every decade (every s-th beyond 12).
    pub fn log_y(mut self) -> Panel {
        self.y_scale = Scale::Log;
        self
    }

    /// A log-scaled horizontal axis.
    pub fn log_x(mut self) -> Panel {
        self.x_scale = Scale::Log;
        self
    }

    /// The horizontal axis runs over exactly `[lo, hi]`; what lies outside is clipped at
    /// the frame.
    ///
    /// # Panics
    /// Unless `lo < hi`, both finite. On a log axis the limits must be positive too; limits
    /// that are not are replaced by `[0.1, 1]` when drawn.
    pub fn xlim(mut self, lo: f64, hi: f64) -> Panel {
        self.x_lim = Some(checked_range("xlim", lo, hi));
        self
    }

    /// The vertical axis runs over exactly `[lo, hi]`; what lies outside is clipped at the
    /// frame (a curve leaving it stops at the edge and comes back where it re-enters).
    ///
    /// # Panics
    /// Unless `lo < hi`, both finite.
    pub fn ylim(mut self, lo: f64, hi: f64) -> Panel {
        self.y_lim = Some(checked_range("ylim", lo, hi));
        self
    }

    /// On a log `y` axis, values below `floor` (zero among them) are drawn at `floor`, and
    /// the legend says so. Without it a log axis puts such values one decade below the
    /// smallest positive one, also named in the legend.
    ///
    /// # Panics
    /// Unless `floor` is positive and finite.
    pub fn floor(mut self, floor: f64) -> Panel {
        assert!(
            floor > 0.0 && floor.is_finite(),
            "Panel::floor: must be positive and finite, got {floor}"
        );
        self.floor = Some(floor);
        self
    }

    /// Adds a series (drawn in the order added; the legend lists them in that order).
    pub fn series(mut self, s: Series) -> Panel {
        self.series.push(s);
        self
    }

    /// Adds every series of `all`.
    pub fn all_series(mut self, all: &[Series]) -> Panel {
        self.series.extend_from_slice(all);
        self
    }

    /// A horizontal reference line `y = y`, named in the legend (a threshold such as 1e-16).
    /// Lines with the same label share its colour and one legend entry (the two edges of a
    /// band); an empty label draws the line with no entry.
    pub fn hline(mut self, y: f64, label: &str) -> Panel {
        self.refs.push(RefLine {
            vertical: false,
            at: y,
            label: label.to_string(),
        });
        self
    }

    /// A vertical reference line `x = x`, named in the legend.
    pub fn vline(mut self, x: f64, label: &str) -> Panel {
        self.refs.push(RefLine {
            vertical: true,
            at: x,
            label: label.to_string(),
        });
        self
    }

    /// A text whose start is at the data point `(x, y)` (kept inside the frame).
    pub fn note(mut self, x: f64, y: f64, text: &str) -> Panel {
        self.notes.push((x, y, text.to_string()));
        self
    }

    /// A heatmap of `z[i][j]` at `(xs[j], ys[i])` with a colour bar titled `label`
    /// (log-scaled when the positive values span more than 3 decades) and up to `levels`
    /// contour lines at round values of that scale, each labelled with its value.
    ///
    /// # Panics
    /// If `z` is not `ys.len() x xs.len()`, an axis has fewer than 2 points, or the axes
    /// are not increasing.
    pub fn heatmap(
        mut self,
        (xs, ys): (&[f64], &[f64]),
        z: &Tensor,
        label: &str,
        levels: usize,
    ) -> Panel {
        assert!(
            z.shape() == (ys.len(), xs.len()) && xs.len() >= 2 && ys.len() >= 2,
            "Panel::heatmap: z is {} but the axes have {} (y) x {} (x) points (need >= 2 each)",
            fmt_shape(z.shape()),
            ys.len(),
            xs.len()
        );
        let increasing = |v: &[f64]| v.windows(2).all(|w| w[0] < w[1]);
        assert!(
            increasing(xs) && increasing(ys),
            "Panel::heatmap: the grid's x and y values must increase"
        );
        self.heat = Some(Heat::new(xs, ys, z.as_slice(), label, levels));
        self
    }

    /// The plot area's size in pixels (default 520 x 360); the panel adds its margins and
    /// legend around it.
    ///
    /// # Panics
    /// If either side is under 100 or over 4000 pixels.
    pub fn size(mut self, width: f64, height: f64) -> Panel {
        assert!(
            (100.0..=4000.0).contains(&width) && (100.0..=4000.0).contains(&height),
            "Panel::size: each side in [100, 4000] pixels, got {width} x {height}"
        );
        self.size = (width, height);
        self
    }

    /// The panel alone as an SVG document.
    pub fn to_svg(&self) -> String {
        Figure::new("").row([self.clone()]).to_svg()
    }

    /// Writes the panel alone as an SVG file.
    ///
    /// # Errors
    /// A [`DataError`] naming the path if the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), DataError> {
        Figure::new("").row([self.clone()]).save(path)
    }

    /// The series with their dash patterns as the panel draws them when not set: solid,
    /// and beyond six line series a cycle of patterns. Used by `draw.rs`.
    pub(crate) fn auto_dash(&self, position: usize, lines: usize) -> Dash {
        if lines > 6 {
            Dash::ALL[position % Dash::ALL.len()]
        } else {
            Dash::Solid
        }
    }
}
