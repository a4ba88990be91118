//! The legend strip beside a panel's frame: a colour bar (for a heatmap) and one entry per
//! series and reference line, each with a sample of how it is drawn. Its size is computed
//! from its texts, so the panel makes room for it: it is never clipped and never drawn over
//! the data.

use super::font;
use super::geometry::marker;
use super::heat::{HeatScale, colormap};
use super::style::{Style, stroke_attrs};
use super::svg::{Anchor, Svg, hex, text_width};

/// What an entry's sample shows.
#[derive(Clone, Debug)]
pub(crate) enum Sample {
    Line(Style),
    Dots(Style),
    Bar((u8, u8, u8)),
}

/// One legend line.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) text: String,
    pub(crate) sample: Sample,
}

/// The legend of a panel.
#[derive(Clone, Debug, Default)]
pub(crate) struct Legend {
    pub(crate) entries: Vec<Entry>,
    pub(crate) colorbar: Option<HeatScale>,
}

const ROW: f64 = 22.0;
/// The height of each further line of a wrapped entry.
const LINE: f64 = 17.0;
/// Entries longer than this many characters wrap at spaces.
const WRAP: usize = 34;

/// `text` in lines of at most [`WRAP`] characters, broken at spaces (a longer word stands
/// alone on its line).
fn wrap(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > WRAP {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    lines.push(cur);
    lines
}

/// The height of an entry of `lines` lines.
fn entry_height(lines: usize) -> f64 {
    ROW + LINE * lines.saturating_sub(1) as f64
}
const SAMPLE: f64 = 36.0;
const BAR_W: f64 = 18.0;

/// The colour bar's height for a frame `ph` high.
fn bar_height(ph: f64) -> f64 {
    (ph * 0.6).clamp(120.0, 300.0)
}

impl Legend {
    /// `(width, height)` of the strip for a frame `ph` pixels high (0 x 0 when empty).
    pub(crate) fn extent(&self, ph: f64) -> (f64, f64) {
        let entries_w = self
            .entries
            .iter()
            .flat_map(|e| wrap(&e.text))
            .map(|line| SAMPLE + 8.0 + text_width(&line, font::LEGEND))
            .fold(0.0, f64::max);
        let (bar_w, bar_h) = match &self.colorbar {
            Some(c) => {
                let ticks = c
                    .axis
                    .major
                    .iter()
                    .map(|m| text_width(&m.1, font::TICK))
                    .fold(0.0, f64::max);
                let title = text_width(&c.label, font::LEGEND);
                (
                    (BAR_W + 10.0 + ticks).max(title),
                    24.0 + bar_height(ph) + 18.0,
                )
            }
            None => (0.0, 0.0),
        };
        let w = entries_w.max(bar_w);
        let h = bar_h
            + self
                .entries
                .iter()
                .map(|e| entry_height(wrap(&e.text).len()))
                .sum::<f64>();
        if w == 0.0 { (0.0, 0.0) } else { (w + 4.0, h) }
    }

    /// Draws the strip with its top-left corner at `(x, y)`, beside a frame `ph` high.
    pub(crate) fn draw(&self, svg: &mut Svg, (x, y): (f64, f64), ph: f64) {
        if self.entries.is_empty() && self.colorbar.is_none() {
            return;
        }
        svg.open("class=\"legend\"");
        let mut top = y;
        if let Some(c) = &self.colorbar {
            let h = bar_height(ph);
            svg.text(
                (x, top + 14.0),
                &c.label,
                font::LEGEND,
                Anchor::Start,
                "legend",
                "",
            );
            let y0 = top + 24.0;
            let steps = 60;
            for k in 0..steps {
                let t = k as f64 / steps as f64;
                let y1 = y0 + h * (1.0 - (k + 1) as f64 / steps as f64);
                let fill = format!(
                    "class=\"colorbar\" fill=\"{}\" stroke=\"none\"",
                    hex(colormap(t + 0.5 / steps as f64))
                );
                svg.rect((x, y1), (BAR_W, h / steps as f64 + 0.5), &fill);
            }
            svg.rect(
                (x, y0),
                (BAR_W, h),
                "fill=\"none\" stroke=\"#444444\" stroke-width=\"0.8\"",
            );
            svg.open("class=\"axis\" data-axis=\"c\"");
            for (v, label) in &c.axis.major {
                let yy = y0 + h * (1.0 - c.axis.frac(*v));
                svg.line((x + BAR_W, yy), (x + BAR_W + 4.0, yy), "stroke=\"#444444\"");
                let extra = format!("data-value=\"{v:e}\"");
                let at = (x + BAR_W + 7.0, yy + font::TICK * 0.35);
                svg.text(at, label, font::TICK, Anchor::Start, "tick", &extra);
            }
            svg.close();
            top = y0 + h + 18.0;
        }
        for e in &self.entries {
            let lines = wrap(&e.text);
            let yy = top + ROW / 2.0;
            top += entry_height(lines.len());
            let tag = "data-legend=\"1\"";
            match &e.sample {
                Sample::Line(st) => {
                    svg.polyline(
                        &[(x, yy), (x + SAMPLE, yy)],
                        &format!("{} {tag}", stroke_attrs(st, "legend-line")),
                    );
                    marker(svg, (x + SAMPLE / 2.0, yy), st, tag);
                }
                Sample::Dots(st) => marker(svg, (x + SAMPLE / 2.0, yy), st, tag),
                Sample::Bar(c) => svg.rect(
                    (x + 6.0, yy - 7.0),
                    (SAMPLE - 12.0, 14.0),
                    &format!("class=\"legend-bar\" fill=\"{}\"", hex(*c)),
                ),
            }
            for (k, line) in lines.iter().enumerate() {
                let at = (x + SAMPLE + 8.0, yy + font::LEGEND * 0.35 + LINE * k as f64);
                svg.text(at, line, font::LEGEND, Anchor::Start, "legend", "");
            }
        }
        svg.close();
    }
}
