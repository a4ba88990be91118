//! A figure: panels in rows (the course's 1x2 and 2x2 subplots) under an optional title,
//! laid out so that frames line up and every label and legend has its room.

use super::draw::{Margins, Resolved};
use super::font;
use super::panel::Panel;
use super::svg::{Anchor, Svg, text_width};
use crate::io::DataError;
use std::path::Path;

/// Panels in a grid, written as one SVG.
///
/// ```
/// use tapegrad::plot::{Figure, Panel, Series};
/// let fit = |c: f64| Panel::new(&format!("c = {c}"))
///     .ylim(-1.5, 1.5)
///     .series(Series::new("fit", vec![(-1.0, -c), (1.0, c)]));
/// let fig = Figure::new("Four fits").row([fit(0.0), fit(1.0)]).row([fit(10.0), fit(100.0)]);
/// let svg = fig.to_svg();
/// assert_eq!(svg.matches("class=\"panel\"").count(), 4);
/// ```
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Figure {
    title: String,
    rows: Vec<Vec<Panel>>,
}

/// Space around the grid.
const PAD: f64 = 8.0;

impl Figure {
    /// An empty figure with `title` above its panels (none when empty).
    pub fn new(title: &str) -> Figure {
        Figure {
            title: title.to_string(),
            rows: Vec::new(),
        }
    }

    /// Adds a row of panels below the others.
    pub fn row(mut self, panels: impl IntoIterator<Item = Panel>) -> Figure {
        let row: Vec<Panel> = panels.into_iter().collect();
        if !row.is_empty() {
            self.rows.push(row);
        }
        self
    }

    /// The figure as an SVG document.
    pub fn to_svg(&self) -> String {
        let resolved: Vec<Vec<Resolved<'_>>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(Resolved::new).collect())
            .collect();
        let all = || resolved.iter().flatten();
        let mut m = Margins::default();
        for r in all() {
            let k = r.margins();
            m.left = m.left.max(k.left);
            m.right = m.right.max(k.right);
            m.top = m.top.max(k.top);
            m.bottom = m.bottom.max(k.bottom);
        }
        let cols = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        // Column widths and row heights: the largest frame, its margins, and room for the
        // panel titles and legends.
        let mut col_w = vec![0.0f64; cols];
        let mut col_pw = vec![0.0f64; cols];
        for row in &resolved {
            for (c, r) in row.iter().enumerate() {
                col_pw[c] = col_pw[c].max(r.panel.size.0);
            }
        }
        for row in &resolved {
            for (c, r) in row.iter().enumerate() {
                let title = text_width(&r.panel.title, font::TITLE) + 12.0;
                col_w[c] = col_w[c].max(m.left + col_pw[c] + m.right).max(title);
            }
        }
        let row_h: Vec<f64> = resolved
            .iter()
            .map(|row| {
                row.iter()
                    .map(|r| {
                        let ph = r.panel.size.1;
                        m.top + (ph + m.bottom).max(r.margins().legend_height + 8.0)
                    })
                    .fold(0.0, f64::max)
            })
            .collect();
        let title_h = if self.title.is_empty() {
            0.0
        } else {
            12.0 + font::FIGURE_TITLE + 6.0
        };
        let width = (2.0 * PAD + col_w.iter().sum::<f64>())
            .max(text_width(&self.title, font::FIGURE_TITLE) + 2.0 * PAD + 8.0)
            .ceil();
        let height = (2.0 * PAD + title_h + row_h.iter().sum::<f64>()).ceil();
        let mut svg = Svg::new(width, height);
        if !self.title.is_empty() {
            svg.text(
                (width / 2.0, PAD + 6.0 + font::FIGURE_TITLE * 0.8),
                &self.title,
                font::FIGURE_TITLE,
                Anchor::Middle,
                "figure-title",
                "font-weight=\"bold\"",
            );
        }
        let mut y = PAD + title_h;
        for (row, h) in resolved.iter().zip(&row_h) {
            let mut x = PAD;
            for (c, r) in row.iter().enumerate() {
                r.draw(&mut svg, (x + m.left, y + m.top), (x, x + col_w[c]));
                x += col_w[c];
            }
            y += h;
        }
        svg.finish()
    }

    /// Writes the figure as an SVG file.
    ///
    /// # Errors
    /// A [`DataError`] naming the path if the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), DataError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_svg())
            .map_err(|e| DataError::io(path.display().to_string(), e))
    }
}
