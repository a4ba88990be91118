//! The SVG text itself: a small writer of the few elements a figure uses, every string
//! escaped once, every number printed short, and the estimate of how wide a text is that
//! the layout (and the tests) use to keep every label inside the canvas.

use std::fmt::Write as _;

/// The font stack: DejaVu Sans first (what `rsvg-convert` finds on Debian), then the usual
/// sans-serif fonts of a browser.
pub(crate) const FONT: &str = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif";

/// Estimated advance of one character, in units of the font size. DejaVu Sans averages
/// ~0.55 em over lower-case text and reaches 0.7 em on capitals; 0.62 keeps an estimated
/// extent at or above the drawn one for the labels figures carry.
pub(crate) const CHAR_EM: f64 = 0.62;

/// The estimated width in pixels of `text` at `size` px.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * CHAR_EM
}

pub(crate) use crate::text::escape;

/// A coordinate in pixels, printed with at most two decimals.
pub(crate) fn px(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    let r = if r == 0.0 { 0.0 } else { r };
    format!("{r}")
}

/// `text` cut so its estimated width is at most `max_px` at `size` px, ending in an ellipsis
/// when cut.
pub(crate) fn fit_text(text: &str, size: f64, max_px: f64) -> String {
    if text_width(text, size) <= max_px {
        return text.to_string();
    }
    let keep = ((max_px / (size * CHAR_EM)).floor() as usize).saturating_sub(1);
    text.chars().take(keep).chain(['…']).collect()
}

/// An RGB colour as `#rrggbb`.
pub(crate) fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Where a text is anchored horizontally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

/// An SVG document being written.
pub(crate) struct Svg {
    out: String,
}

impl Svg {
    /// A `width x height` canvas on white.
    pub(crate) fn new(width: f64, height: f64) -> Svg {
        let mut out = String::new();
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\">\n\
             <rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
            w = px(width),
            h = px(height)
        );
        Svg { out }
    }

    /// Raw markup (already escaped by the caller).
    pub(crate) fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Opens a group with `attrs` (already escaped).
    pub(crate) fn open(&mut self, attrs: &str) {
        let _ = writeln!(self.out, "<g {attrs}>");
    }

    /// Closes the group.
    pub(crate) fn close(&mut self) {
        self.out.push_str("</g>\n");
    }

    /// A text at `(x, y)` (its baseline), `size` px, with a class and extra attributes.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text(
        &mut self,
        (x, y): (f64, f64),
        text: &str,
        size: f64,
        anchor: Anchor,
        class: &str,
        extra: &str,
    ) {
        let anchor = match anchor {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        };
        let _ = writeln!(
            self.out,
            "<text class=\"{class}\" x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\"{}{extra}>{}</text>",
            px(x),
            px(y),
            px(size),
            if extra.is_empty() { "" } else { " " },
            escape(text)
        );
    }

    /// A straight line.
    pub(crate) fn line(&mut self, (x0, y0): (f64, f64), (x1, y1): (f64, f64), style: &str) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" {style}/>",
            px(x0),
            px(y0),
            px(x1),
            px(y1)
        );
    }

    /// A polyline through `points` with extra attributes.
    pub(crate) fn polyline(&mut self, points: &[(f64, f64)], attrs: &str) {
        self.out.push_str("<polyline points=\"");
        for (k, &(x, y)) in points.iter().enumerate() {
            if k > 0 {
                self.out.push(' ');
            }
            let _ = write!(self.out, "{},{}", px(x), px(y));
        }
        let _ = writeln!(self.out, "\" fill=\"none\" {attrs}/>");
    }

    /// A rectangle.
    pub(crate) fn rect(&mut self, (x, y): (f64, f64), (w, h): (f64, f64), attrs: &str) {
        let _ = writeln!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {attrs}/>",
            px(x),
            px(y),
            px(w),
            px(h)
        );
    }

    /// The finished document.
    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_short() {
        assert_eq!(px(1.0), "1");
        assert_eq!(px(1.23456), "1.23");
        assert_eq!(px(-0.001), "0");
        assert_eq!(hex((255, 0, 16)), "#ff0010");
    }
}
