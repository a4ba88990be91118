//! Figures the course draws, as SVG written by the crate itself (feature `plot`, on by
//! default).
//!
//! A [`Figure`] is a grid of [`Panel`]s (the course's 1x2 and 2x2 subplots), each with its
//! title, axis labels, [linear or log](Scale) axes, fixed limits where you set them (data
//! outside is clipped at the frame, never rescaled), [`Series`] drawn as lines, dots or bars
//! with a colour, a [`Dash`] pattern and [`Marker`]s, reference lines ([`Panel::hline`],
//! [`Panel::vline`]), text notes, a heatmap with labelled contours, and a legend in its own
//! strip beside the frame, sized to its entries (never clipped, never over the data).
//! The one-call helpers are short ways to build a panel: [`histories`], [`lines`], [`fit`],
//! [`landscape_1d`], [`landscape_2d`] and [`histogram`] each return a [`Panel`] to adjust
//! and [`save`](Panel::save), or to place in a [`Figure`].
//!
//! The standard every figure meets (the crate's tests check it on every figure the examples
//! write): text at 14 px or more (ticks and legends 14, axis labels 16, panel titles 17,
//! figure titles 20); every text inside the canvas; a labelled tick at every decade of a log
//! axis (every s-th past 12 decades, from the bottom; the top decade too unless the last label
//! is a decade below it, so both ends of the data are within a decade of a label) and round
//! numbers in one format on a linear one; values a log axis cannot show drawn at a floor the legend names; beyond six
//! series, dashes and markers as well as colours; a series identical to an earlier one drawn
//! dashed over it and named "same as" it in the legend. A series keeps its colour across
//! every figure of a program (the first name drawn gets the first colour).
//!
//! ```
//! use tapegrad::plot::{Figure, Series, lines};
//! let dir = std::env::temp_dir();
//! let squares = Series::new("x^2", (0..=10).map(|i| (i as f64, (i * i) as f64)).collect());
//! let cubes = Series::new("x^3", (0..=10).map(|i| (i as f64, (i * i * i) as f64)).collect());
//! // One panel, log y, saved:
//! let path = dir.join(format!("tapegrad-doc-{}.svg", std::process::id()));
//! lines("Powers", ("x", "value"), &[squares.clone(), cubes.clone()]).log_y().save(&path).unwrap();
//! assert!(std::fs::read_to_string(&path).unwrap().contains("Powers"));
//! // Two panels side by side, the right one with fixed limits:
//! let right = lines("Zoomed", ("x", "value"), &[squares, cubes]).xlim(0.0, 2.0).ylim(0.0, 4.0);
//! let left = lines("All", ("x", "value"), &[]);
//! let svg = Figure::new("Side by side").row([left, right]).to_svg();
//! assert!(svg.starts_with("<svg") && svg.contains("Zoomed"));
//! std::fs::remove_file(&path).unwrap();
//! ```

mod axes_draw;
mod axis;
mod curves;
mod draw;
mod figure;
mod geometry;
mod heat;
mod landscape;
mod legend;
mod panel;
mod style;
pub(crate) mod svg;

pub use axis::Scale;
pub use curves::{MAX_DOTS, XAxis, fit, histories, lines};
pub use figure::Figure;
pub use landscape::{MAX_BINS, histogram, landscape_1d, landscape_2d};
pub use panel::Panel;

use std::sync::Mutex;

/// An RGB colour.
pub type Rgb = (u8, u8, u8);

/// How a series' line is stroked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dash {
    /// An unbroken line.
    Solid,
    /// Long dashes.
    Dashed,
    /// Dots.
    Dotted,
    /// Dash, dot.
    DashDot,
}

impl Dash {
    /// The patterns the figures cycle through, in order.
    pub const ALL: [Dash; 4] = [Dash::Solid, Dash::Dashed, Dash::Dotted, Dash::DashDot];

    /// The SVG `stroke-dasharray` for a line `width` px wide (empty for solid).
    pub(crate) fn dasharray(self, width: f64) -> String {
        let w = width.max(1.0);
        match self {
            Dash::Solid => String::new(),
            Dash::Dashed => format!("{} {}", 6.0 * w, 3.5 * w),
            Dash::Dotted => format!("{} {}", 1.0 * w, 2.5 * w),
            Dash::DashDot => format!("{} {} {} {}", 6.0 * w, 2.5 * w, 1.0 * w, 2.5 * w),
        }
    }
}

/// A mark drawn at points of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Marker {
    /// No mark.
    None,
    /// A filled circle.
    Circle,
    /// A filled square.
    Square,
    /// A filled triangle, point up.
    Triangle,
    /// A filled diamond.
    Diamond,
    /// An x.
    Cross,
}

impl Marker {
    /// The marks the figures cycle through, in order.
    pub const ALL: [Marker; 5] = [
        Marker::Circle,
        Marker::Square,
        Marker::Triangle,
        Marker::Diamond,
        Marker::Cross,
    ];
}

/// What a series draws.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kind {
    /// A line through the points, in order.
    Line,
    /// A mark at each point.
    Dots,
    /// A bar per point `(left edge, height)`, `width` wide, from 0.
    Bars { width: f64 },
}

/// A named set of points, drawn as a line (in order), as dots, or as bars; its colour,
/// dash pattern and marker are chosen by the panel unless set here.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The legend entry (and the key of its colour).
    pub name: String,
    /// The points `(x, y)`.
    pub points: Vec<(f64, f64)>,
    pub(crate) kind: Kind,
    pub(crate) color: Option<Rgb>,
    pub(crate) dash: Option<Dash>,
    pub(crate) marker: Option<Marker>,
    pub(crate) width: f64,
}

impl Series {
    /// A line through `points`, in order, called `name`.
    ///
    /// ```
    /// use tapegrad::plot::{Dash, Series};
    /// let s = Series::new("GD", vec![(0.0, 1.0), (1.0, 0.5)]).dash(Dash::Dashed);
    /// assert_eq!(s.points.len(), 2);
    /// ```
    pub fn new(name: &str, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.to_string(),
            points,
            kind: Kind::Line,
            color: None,
            dash: None,
            marker: None,
            width: 2.0,
        }
    }

    /// A mark at each of `points` (a circle unless [`marker`](Series::marker) says
    /// otherwise), no line: data points.
    pub fn dots(name: &str, points: Vec<(f64, f64)>) -> Series {
        Series {
            kind: Kind::Dots,
            ..Series::new(name, points)
        }
    }

    /// A bar from 0 to `height` over `[left, left + width]` for each `(left, height)`.
    ///
    /// # Panics
    /// If `width` is not positive and finite.
    pub fn bars(name: &str, width: f64, bars: Vec<(f64, f64)>) -> Series {
        assert!(
            width > 0.0 && width.is_finite(),
            "Series::bars: width must be positive and finite, got {width}"
        );
        Series {
            kind: Kind::Bars { width },
            ..Series::new(name, bars)
        }
    }

    /// This colour instead of the one the name gets.
    pub fn color(mut self, rgb: Rgb) -> Series {
        self.color = Some(rgb);
        self
    }

    /// This dash pattern instead of the panel's choice.
    pub fn dash(mut self, dash: Dash) -> Series {
        self.dash = Some(dash);
        self
    }

    /// This marker instead of the panel's choice.
    pub fn marker(mut self, marker: Marker) -> Series {
        self.marker = Some(marker);
        self
    }

    /// The line width in pixels (default 2).
    ///
    /// # Panics
    /// If `px` is not positive and finite.
    pub fn line_width(mut self, px: f64) -> Series {
        assert!(
            px > 0.0 && px.is_finite(),
            "Series::line_width: must be positive and finite, got {px}"
        );
        self.width = px;
        self
    }
}

/// Ten well-separated colours (Tableau 10).
pub(crate) const PALETTE: [Rgb; 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
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
pub fn color_of(name: &str) -> Rgb {
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    let k = match names.iter().position(|n| n == name) {
        Some(k) => k,
        None => {
            names.push(name.to_string());
            names.len() - 1
        }
    };
    PALETTE[k % PALETTE.len()]
}

/// `(min, max)` of `values` (`(inf, -inf)` when there are none).
pub(crate) fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

/// Font sizes in pixels: figure title, panel title, axis labels, ticks, legend and notes.
pub(crate) mod font {
    pub(crate) const FIGURE_TITLE: f64 = 20.0;
    pub(crate) const TITLE: f64 = 17.0;
    pub(crate) const LABEL: f64 = 16.0;
    pub(crate) const TICK: f64 = 14.0;
    pub(crate) const LEGEND: f64 = 14.0;
}
