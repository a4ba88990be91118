//! A panel resolved for drawing (its axes fixed, each series' style chosen, its legend
//! listed) and drawn: frame, grid, heatmap, series clipped at the frame, reference lines,
//! notes (the axes themselves: `axes_draw.rs`).

use super::axis::{Axis, Scale};
use super::geometry::{clip_polyline, inside, marker, thin};
use super::heat::HeatScale;
use super::legend::{Entry, Legend, Sample};
use super::panel::Panel;
use super::style::{FLOOR_STYLE, Style, ref_style, same_as, stroke_attrs, styles};
use super::svg::{Anchor, Svg, escape, fit_text, hex, text_width};
use super::{Kind, Marker, font, range};

/// A panel ready to draw.
pub(crate) struct Resolved<'a> {
    pub(crate) panel: &'a Panel,
    pub(crate) x: Axis,
    pub(crate) y: Axis,
    styles: Vec<Style>,
    /// The floor of a log `y` axis, and whether any value was drawn at it.
    floor: Option<(f64, bool)>,
    heat: Option<HeatScale>,
    pub(crate) legend: Legend,
}

/// Pixels between the frame and its tick labels, and the tick length.
pub(super) const TICK_LEN: f64 = 5.0;
pub(super) const GAP: f64 = 6.0;
/// The most markers drawn along one line.
const MARKS_PER_LINE: usize = 12;

/// Where the frame sits and how much room its labels need around it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Margins {
    pub(crate) left: f64,
    pub(crate) right: f64,
    pub(crate) top: f64,
    pub(crate) bottom: f64,
    /// The height the legend strip needs from the frame's top.
    pub(crate) legend_height: f64,
}

impl<'a> Resolved<'a> {
    pub(crate) fn new(panel: &'a Panel) -> Resolved<'a> {
        let p = panel;
        let log_y = p.y_scale == Scale::Log;
        let ok_x = |v: f64| v.is_finite() && (p.x_scale == Scale::Linear || v > 0.0);
        // The floor of a log y axis: given, or a decade below the smallest positive value
        // when some value cannot be drawn (zero or negative).
        let ys = || {
            p.series
                .iter()
                .flat_map(|s| s.points.iter().filter(|q| ok_x(q.0)).map(|q| q.1))
                .filter(|v| v.is_finite())
        };
        let floor = if log_y {
            let min_pos = ys().filter(|&v| v > 0.0).fold(f64::INFINITY, f64::min);
            let f = p.floor.or_else(|| {
                ys().any(|v| v <= 0.0).then(|| {
                    if min_pos.is_finite() {
                        10f64.powf(min_pos.log10().floor() - 1.0)
                    } else {
                        1e-16
                    }
                })
            });
            f.map(|f| (f, ys().any(|v| v < f)))
        } else {
            None
        };
        let lift = |v: f64| match floor {
            Some((f, _)) => v.max(f),
            None => v,
        };
        let ok_y = |v: f64| v.is_finite() && (!log_y || v > 0.0);
        let mut xr = range(
            p.series
                .iter()
                .flat_map(|s| {
                    let w = match s.kind {
                        Kind::Bars { width } => width,
                        _ => 0.0,
                    };
                    s.points
                        .iter()
                        .filter(|q| q.1.is_finite())
                        .flat_map(move |q| [q.0, q.0 + w])
                })
                .chain(p.refs.iter().filter(|r| r.vertical).map(|r| r.at))
                .filter(|&v| ok_x(v)),
        );
        let mut yr = range(
            p.series
                .iter()
                .flat_map(|s| {
                    let base = matches!(s.kind, Kind::Bars { .. }).then_some(0.0);
                    s.points
                        .iter()
                        .filter(|q| ok_x(q.0))
                        .map(|q| lift(q.1))
                        .chain(base)
                })
                .chain(p.refs.iter().filter(|r| !r.vertical).map(|r| r.at))
                .filter(|&v| ok_y(v)),
        );
        if let Some(h) = &p.heat {
            let (x0, x1) = h.x_range();
            let (y0, y1) = h.y_range();
            xr = (xr.0.min(x0), xr.1.max(x1));
            yr = (yr.0.min(y0), yr.1.max(y1));
        }
        let heat_tight = p.heat.is_some();
        let x = match p.x_lim {
            Some(l) => Axis::new(p.x_scale, l, true),
            None => Axis::new(p.x_scale, xr, heat_tight),
        };
        let y = match p.y_lim {
            Some(l) => Axis::new(p.y_scale, l, true),
            None => Axis::new(p.y_scale, yr, heat_tight),
        };
        let same = same_as(p, &x, &y);
        let styles = styles(p, &same);
        let heat = p.heat.as_ref().map(|h| h.scale());
        let mut legend = Legend::default();
        for (k, s) in p.series.iter().enumerate() {
            let text = match same[k] {
                Some((e, true)) => format!("{} (same as {})", s.name, p.series[e].name),
                Some((e, false)) => {
                    format!("{} (within a pixel of {})", s.name, p.series[e].name)
                }
                None => s.name.clone(),
            };
            let sample = match s.kind {
                Kind::Line => Sample::Line(styles[k]),
                Kind::Dots => Sample::Dots(styles[k]),
                Kind::Bars { .. } => Sample::Bar(styles[k].color),
            };
            legend.entries.push(Entry { text, sample });
        }
        // One entry per label: two lines with one label (the edges of a band) share it.
        for (k, r) in p.refs.iter().enumerate() {
            if r.label.is_empty() || p.refs[..k].iter().any(|e| e.label == r.label) {
                continue;
            }
            legend.entries.push(Entry {
                text: r.label.clone(),
                sample: Sample::Line(ref_style(&r.label)),
            });
        }
        if let Some((f, true)) = floor {
            // The floor as given (1.5e-3, 1e-16), not rounded to a tick's digits.
            let f = if (1e-3..1e5).contains(&f) {
                format!("{f}")
            } else {
                format!("{f:e}")
            };
            legend.entries.push(Entry {
                text: format!("values below {f} drawn at {f}"),
                sample: Sample::Line(FLOOR_STYLE),
            });
        }
        legend.colorbar = heat.clone();
        Resolved {
            panel,
            x,
            y,
            styles,
            floor,
            heat,
            legend,
        }
    }

    /// The room the panel's labels and legend need around a frame of the panel's size.
    pub(crate) fn margins(&self) -> Margins {
        let widest = |a: &Axis| {
            a.major
                .iter()
                .map(|m| text_width(&m.1, font::TICK))
                .fold(0.0, f64::max)
        };
        let last_x = self
            .x
            .major
            .last()
            .map_or(0.0, |m| text_width(&m.1, font::TICK) / 2.0);
        let (lw, lh) = self.legend.extent(self.panel.size.1);
        Margins {
            left: 10.0 + font::LABEL + GAP + widest(&self.y) + GAP + TICK_LEN,
            right: if lw > 0.0 {
                legend_gap(last_x) + lw
            } else {
                last_x + 10.0
            },
            top: if self.panel.title.is_empty() {
                14.0
            } else {
                14.0 + font::TITLE + 12.0
            },
            bottom: TICK_LEN + GAP + font::TICK + 12.0 + font::LABEL + 10.0,
            legend_height: lh,
        }
    }

    /// Draws the panel with its frame's top-left corner at `(fx, fy)`; the cell it may use
    /// spans `[cx0, cx1]` horizontally (the title is kept inside it).
    pub(crate) fn draw(&self, svg: &mut Svg, (fx, fy): (f64, f64), (cx0, cx1): (f64, f64)) {
        let p = self.panel;
        let (pw, ph) = p.size;
        let sx = |v: f64| fx + self.x.frac(v) * pw;
        let sy = |v: f64| fy + (1.0 - self.y.frac(v)) * ph;
        svg.open(&format!(
            "class=\"panel\" data-title=\"{}\"",
            escape(&p.title)
        ));
        svg.rect(
            (fx, fy),
            (pw, ph),
            "class=\"frame\" fill=\"#ffffff\" stroke=\"none\"",
        );
        if !p.title.is_empty() {
            let w = text_width(&p.title, font::TITLE);
            let cx = (fx + pw / 2.0).clamp(cx0 + 4.0 + w / 2.0, (cx1 - 4.0 - w / 2.0).max(cx0));
            let y = fy - 14.0;
            svg.text((cx, y), &p.title, font::TITLE, Anchor::Middle, "title", "");
        }
        // Grid at the labelled ticks (none under a heatmap).
        if p.heat.is_none() {
            for (v, _) in &self.x.major {
                let x = sx(*v);
                svg.line((x, fy), (x, fy + ph), "class=\"grid\" stroke=\"#e4e4e4\"");
            }
            for (v, _) in &self.y.major {
                let y = sy(*v);
                svg.line((fx, y), (fx + pw, y), "class=\"grid\" stroke=\"#e4e4e4\"");
            }
        }
        if let (Some(h), Some(scale)) = (&p.heat, &self.heat) {
            h.draw(svg, scale, &sx, &sy, ((fx, fy), (fx + pw, fy + ph)));
        }
        let frame = ((fx, fy), (fx + pw, fy + ph));
        if let Some((f, true)) = self.floor {
            let y = sy(f);
            svg.line((fx, y), (fx + pw, y), &stroke_attrs(&FLOOR_STYLE, "floor"));
        }
        for (k, s) in p.series.iter().enumerate() {
            let st = &self.styles[k];
            let pts: Vec<Option<(f64, f64)>> = s
                .points
                .iter()
                .map(|&(a, b)| {
                    let b = match self.floor {
                        Some((f, _)) if b.is_finite() => b.max(f),
                        _ => b,
                    };
                    let ok = self.x.drawable(a) && self.y.drawable(b);
                    ok.then(|| (sx(a), sy(b)))
                })
                .collect();
            let tag = format!("data-series=\"{k}\"");
            match s.kind {
                Kind::Line => {
                    let attrs = format!("{} {tag}", stroke_attrs(st, "series"));
                    for run in clip_polyline(&thin(&pts), frame) {
                        svg.polyline(&run, &attrs);
                    }
                    if st.marker != Marker::None {
                        // A marker asked for marks every point (up to 100 of them); the
                        // panel's own (beyond six lines) marks a dozen along the line.
                        let most = if s.marker.is_some() {
                            100
                        } else {
                            MARKS_PER_LINE
                        };
                        let stride = pts.len().div_ceil(most).max(1);
                        let phase = (k * stride / p.series.len().max(1)) % stride;
                        for q in pts.iter().skip(phase).step_by(stride).flatten() {
                            if inside(*q, frame) {
                                marker(svg, *q, st, &tag);
                            }
                        }
                    }
                }
                Kind::Dots => {
                    for q in pts.iter().flatten() {
                        if inside(*q, frame) {
                            marker(svg, *q, st, &tag);
                        }
                    }
                }
                Kind::Bars { width } => {
                    let base = if self.y.scale == Scale::Log {
                        self.y.lo
                    } else {
                        0.0
                    };
                    for &(a, h) in &s.points {
                        if !(self.x.drawable(a) && self.x.drawable(a + width)) {
                            continue; // a bar from 0 or below has no place on a log x axis
                        }
                        let (x0, x1) = (sx(a).max(fx), sx(a + width).min(fx + pw));
                        let (y0, y1) = (sy(h.max(base)).max(fy), sy(base).min(fy + ph));
                        if x1 > x0 && y1 > y0 && h.is_finite() {
                            let fill = format!(
                                "class=\"bar\" {tag} fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"0.5\"",
                                hex(st.color)
                            );
                            svg.rect((x0, y0), (x1 - x0, y1 - y0), &fill);
                        }
                    }
                }
            }
        }
        for r in &p.refs {
            let st = ref_style(&r.label);
            let attrs = stroke_attrs(&st, "ref");
            let (a, b) = if r.vertical {
                ((r.at, self.y.lo), (r.at, self.y.hi))
            } else {
                ((self.x.lo, r.at), (self.x.hi, r.at))
            };
            let ok = self.x.drawable(a.0) && self.y.drawable(a.1) && self.y.drawable(b.1);
            if ok {
                for run in
                    clip_polyline(&[Some((sx(a.0), sy(a.1))), Some((sx(b.0), sy(b.1)))], frame)
                {
                    svg.polyline(&run, &attrs);
                }
            }
        }
        for (a, b, text) in &p.notes {
            if !(self.x.drawable(*a) && self.y.drawable(*b)) {
                continue;
            }
            let text = &fit_text(text, font::LEGEND, pw - 8.0);
            let w = text_width(text, font::LEGEND);
            let x = sx(*a).clamp(fx + 4.0, (fx + pw - 4.0 - w).max(fx + 4.0));
            let y = sy(*b).clamp(fy + font::LEGEND + 2.0, fy + ph - 4.0);
            svg.text((x, y), text, font::LEGEND, Anchor::Start, "note", "");
        }
        svg.rect(
            (fx, fy),
            (pw, ph),
            "class=\"border\" fill=\"none\" stroke=\"#444444\"",
        );
        self.ticks(svg, (fx, fy));
        let last_x = self
            .x
            .major
            .last()
            .map_or(0.0, |m| text_width(&m.1, font::TICK) / 2.0);
        self.legend
            .draw(svg, (fx + pw + legend_gap(last_x), fy), ph);
        svg.close();
    }
}

/// The room between the frame and the legend: 16 px, or more when the last x tick label
/// reaches further right (a tall legend sits beside the tick labels).
fn legend_gap(last_x_half_width: f64) -> f64 {
    16.0f64.max(last_x_half_width + 6.0)
}
