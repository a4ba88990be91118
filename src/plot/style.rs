//! How each series is drawn: its colour (its name's, unless set), dash pattern and marker,
//! chosen so that the series of a panel can be told apart; reference and floor lines.

use super::axis::Axis;
use super::panel::Panel;
use super::svg::{hex, px};
use super::{Dash, Kind, Marker, Rgb, color_of};

/// How one series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Style {
    pub(crate) color: Rgb,
    pub(crate) dash: Dash,
    pub(crate) marker: Marker,
    pub(crate) width: f64,
}

/// The style of the floor line of a log axis.
pub(crate) const FLOOR_STYLE: Style = Style {
    color: (150, 150, 150),
    dash: Dash::Dashed,
    marker: Marker::None,
    width: 1.0,
};

/// A reference line: thin, dotted, in its label's colour.
pub(crate) fn ref_style(label: &str) -> Style {
    Style {
        color: if label.is_empty() {
            (90, 90, 90)
        } else {
            color_of(label)
        },
        dash: Dash::Dotted,
        marker: Marker::None,
        width: 1.5,
    }
}

/// The stroke attributes of a line in `style`, with a class.
pub(crate) fn stroke_attrs(st: &Style, class: &str) -> String {
    let dash = st.dash.dasharray(st.width);
    let dash = if dash.is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{dash}\"")
    };
    format!(
        "class=\"{class}\" stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\" stroke-linecap=\"round\"{dash}",
        hex(st.color),
        px(st.width)
    )
}

/// Each series' colour (its name's, unless set), dash (solid; dashed when it would hide or
/// be hidden by an earlier series, `same[k]`; a cycle of patterns beyond six lines) and marker
/// (beyond six lines; a circle for dots), then no two line series left with one (colour, dash).
pub(crate) fn styles(p: &Panel, same: &[Option<(usize, bool)>]) -> Vec<Style> {
    let lines = p.series.iter().filter(|s| s.kind == Kind::Line).count();
    let mut out: Vec<Style> = Vec::with_capacity(p.series.len());
    let mut position = 0;
    for (k, s) in p.series.iter().enumerate() {
        let auto_dash = if same[k].is_some() {
            // Several overlays take different patterns, so each shows through the others.
            let before = same[..k].iter().filter(|e| e.is_some()).count();
            Dash::ALL[1 + before % (Dash::ALL.len() - 1)]
        } else {
            p.auto_dash(position, lines)
        };
        let auto_marker = match s.kind {
            Kind::Dots => Marker::Circle,
            Kind::Line if lines > 6 => Marker::ALL[position % Marker::ALL.len()],
            _ => Marker::None,
        };
        let mut st = Style {
            color: s.color.unwrap_or_else(|| color_of(&s.name)),
            dash: s.dash.unwrap_or(auto_dash),
            marker: s.marker.unwrap_or(auto_marker),
            width: s.width,
        };
        if s.kind == Kind::Line {
            let taken = |d: Dash, out: &[Style]| {
                p.series[..k]
                    .iter()
                    .zip(out)
                    .any(|(e, o)| e.kind == Kind::Line && o.color == st.color && o.dash == d)
            };
            if s.dash.is_none() && taken(st.dash, &out) {
                if let Some(d) = Dash::ALL.into_iter().find(|&d| !taken(d, &out)) {
                    st.dash = d;
                }
            }
            position += 1;
        }
        out.push(st);
    }
    out
}

/// For each series, the earlier one it would hide or be hidden by: `(index, true)` when
/// their points are equal, `(index, false)` when every point is drawn within a pixel of the
/// other's (a fit and the closed form it converged to).
pub(crate) fn same_as(p: &Panel, x: &Axis, y: &Axis) -> Vec<Option<(usize, bool)>> {
    let (pw, ph) = p.size;
    let at = |q: &(f64, f64)| {
        (x.drawable(q.0) && y.drawable(q.1)).then(|| (x.frac(q.0) * pw, y.frac(q.1) * ph))
    };
    let close = |a: &[(f64, f64)], b: &[(f64, f64)]| {
        a.len() == b.len()
            && a.iter().zip(b).all(|(u, v)| match (at(u), at(v)) {
                (Some(u), Some(v)) => (u.0 - v.0).abs() <= 1.0 && (u.1 - v.1).abs() <= 1.0,
                (None, None) => true,
                _ => false,
            })
    };
    p.series
        .iter()
        .enumerate()
        .map(|(k, s)| {
            if s.points.is_empty() {
                return None;
            }
            let earlier = |exact: bool| {
                p.series[..k].iter().position(|e| {
                    e.kind == s.kind
                        && if exact {
                            e.points == s.points
                        } else {
                            close(&e.points, &s.points)
                        }
                })
            };
            earlier(true)
                .map(|e| (e, true))
                .or_else(|| earlier(false).map(|e| (e, false)))
        })
        .collect()
}
