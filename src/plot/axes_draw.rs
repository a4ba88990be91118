//! A panel's axes drawn: ticks, their labels, and the axis labels (cut to the room they have).

use super::axis::{Axis, Scale};
use super::draw::{GAP, Resolved, TICK_LEN};
use super::font;
use super::svg::{Anchor, Svg, fit_text, px, text_width};

impl Resolved<'_> {
    /// Ticks, their labels and the axis labels.
    pub(super) fn ticks(&self, svg: &mut Svg, (fx, fy): (f64, f64)) {
        let p = self.panel;
        let (pw, ph) = p.size;
        let axis_attrs = |name: &str, a: &Axis| {
            let scale = if a.scale == Scale::Log {
                "log"
            } else {
                "linear"
            };
            format!(
                "class=\"axis\" data-axis=\"{name}\" data-scale=\"{scale}\" data-lo=\"{:e}\" data-hi=\"{:e}\"",
                a.lo, a.hi
            )
        };
        svg.open(&axis_attrs("x", &self.x));
        for v in &self.x.minor {
            let x = fx + self.x.frac(*v) * pw;
            svg.line(
                (x, fy + ph),
                (x, fy + ph + TICK_LEN / 2.0),
                "stroke=\"#444444\"",
            );
        }
        for (v, label) in &self.x.major {
            let x = fx + self.x.frac(*v) * pw;
            svg.line((x, fy + ph), (x, fy + ph + TICK_LEN), "stroke=\"#444444\"");
            let extra = format!("data-value=\"{v:e}\"");
            let y = fy + ph + TICK_LEN + GAP + font::TICK * 0.8;
            svg.text((x, y), label, font::TICK, Anchor::Middle, "tick", &extra);
        }
        let y = fy + ph + TICK_LEN + GAP + font::TICK + 12.0 + font::LABEL * 0.8;
        // Axis labels and notes are cut to the room they have (with an ellipsis): a long one
        // stays inside its panel.
        let x_label = fit_text(&p.x_label, font::LABEL, pw + 60.0);
        svg.text(
            (fx + pw / 2.0, y),
            &x_label,
            font::LABEL,
            Anchor::Middle,
            "label",
            "",
        );
        svg.close();
        svg.open(&axis_attrs("y", &self.y));
        for v in &self.y.minor {
            let y = fy + (1.0 - self.y.frac(*v)) * ph;
            svg.line((fx - TICK_LEN / 2.0, y), (fx, y), "stroke=\"#444444\"");
        }
        for (v, label) in &self.y.major {
            let y = fy + (1.0 - self.y.frac(*v)) * ph;
            svg.line((fx - TICK_LEN, y), (fx, y), "stroke=\"#444444\"");
            let extra = format!("data-value=\"{v:e}\"");
            let at = (fx - TICK_LEN - GAP, y + font::TICK * 0.35);
            svg.text(at, label, font::TICK, Anchor::End, "tick", &extra);
        }
        let widest = self
            .y
            .major
            .iter()
            .map(|m| text_width(&m.1, font::TICK))
            .fold(0.0, f64::max);
        let x = fx - TICK_LEN - GAP - widest - GAP - font::LABEL * 0.25;
        let (cx, cy) = (x, fy + ph / 2.0);
        let rot = format!("transform=\"rotate(-90 {} {})\"", px(cx), px(cy));
        let y_label = fit_text(&p.y_label, font::LABEL, ph + 40.0);
        svg.text(
            (cx, cy),
            &y_label,
            font::LABEL,
            Anchor::Middle,
            "label",
            &rot,
        );
        svg.close();
    }
}
