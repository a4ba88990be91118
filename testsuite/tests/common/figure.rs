//! The standard every figure meets, checked on the SVG as written: it parses; no text is
//! under 14 px; every text lies inside the canvas (its extent estimated from its font size
//! and length, rotation included); legends sit beside the frame, not on it; every log axis
//! has a labelled tick within one decade of each end of the data drawn on it; the line series
//! of a panel differ pairwise in (colour, dash); nothing is drawn outside its frame.

use roxmltree::{Document, Node};

/// The estimated advance of a character, in em: a little above DejaVu Sans' average.
const EM: f64 = 0.6;

fn num(n: &Node, attr: &str) -> f64 {
    n.attribute(attr)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("<{}> has no numeric {attr}", n.tag_name().name()))
}

fn class<'a>(n: &Node<'a, '_>) -> &'a str {
    n.attribute("class").unwrap_or("")
}

/// `(x0, y0, x1, y1)` of a text element, estimated.
fn text_box(t: &Node) -> (f64, f64, f64, f64) {
    let size = num(t, "font-size");
    let s: String = t.text().unwrap_or("").to_string();
    let w = s.chars().count() as f64 * size * EM;
    let (x, y) = (num(t, "x"), num(t, "y"));
    let (a, b) = match t.attribute("text-anchor").unwrap_or("start") {
        "middle" => (x - w / 2.0, x + w / 2.0),
        "end" => (x - w, x),
        _ => (x, x + w),
    };
    match t.attribute("transform") {
        Some(tr) if tr.starts_with("rotate(-90") => {
            // Turned a quarter left about its anchor: the width runs up the page.
            let (dx0, dx1) = (a - x, b - x);
            (x - 0.8 * size, y - dx1, x + 0.25 * size, y - dx0)
        }
        Some(tr) => panic!("unexpected transform {tr}"),
        None => (a, y - 0.8 * size, b, y + 0.25 * size),
    }
}

/// The frame of a panel: `(x, y, w, h)`.
fn frame(panel: &Node) -> (f64, f64, f64, f64) {
    let f = panel
        .descendants()
        .find(|n| n.has_tag_name("rect") && class(n) == "frame")
        .expect("a panel has a frame");
    (
        num(&f, "x"),
        num(&f, "y"),
        num(&f, "width"),
        num(&f, "height"),
    )
}

fn points(n: &Node) -> Vec<(f64, f64)> {
    let raw = if n.has_tag_name("polyline") {
        n.attribute("points").unwrap_or("")
    } else {
        n.attribute("data-at").unwrap_or("")
    };
    raw.split_whitespace()
        .map(|p| {
            let (a, b) = p.split_once(',').expect("x,y");
            (a.parse().unwrap(), b.parse().unwrap())
        })
        .collect()
}

/// Everything wrong with the figure `svg` (empty when it meets the standard).
pub fn problems(svg: &str) -> Vec<String> {
    let doc = match Document::parse(svg) {
        Ok(d) => d,
        Err(e) => return vec![format!("not XML: {e}")],
    };
    let mut out = Vec::new();
    let root = doc.root_element();
    let (w, h) = (num(&root, "width"), num(&root, "height"));
    for t in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let s = t.text().unwrap_or("");
        let size = num(&t, "font-size");
        if size < 14.0 {
            out.push(format!("{s:?}: {size} px text"));
        }
        let (x0, y0, x1, y1) = text_box(&t);
        if x0 < -0.5 || y0 < -0.5 || x1 > w + 0.5 || y1 > h + 0.5 {
            out.push(format!(
                "{s:?} spans ({x0:.0}, {y0:.0})-({x1:.0}, {y1:.0}), outside the {w} x {h} canvas"
            ));
        }
    }
    for panel in doc.descendants().filter(|n| class(n) == "panel") {
        let title = panel.attribute("data-title").unwrap_or("").to_string();
        let (fx, fy, fw, fh) = frame(&panel);
        let inside = |(x, y): (f64, f64)| {
            x >= fx - 0.5 && x <= fx + fw + 0.5 && y >= fy - 0.5 && y <= fy + fh + 0.5
        };
        let drawn: Vec<Node> = panel
            .descendants()
            .filter(|n| {
                (n.attribute("data-series").is_some() || class(n) == "ref")
                    && n.attribute("data-legend").is_none()
            })
            .collect();
        let mut all = Vec::new();
        for n in &drawn {
            for p in points(n) {
                if !inside(p) {
                    out.push(format!(
                        "{title}: a point of series {} at {p:?} lies outside the frame",
                        n.attribute("data-series").unwrap_or("(a reference line)")
                    ));
                }
                all.push(p);
            }
        }
        // Legends beside the frame.
        for t in panel
            .descendants()
            .filter(|n| n.has_tag_name("text") && class(n) == "legend")
        {
            let (x0, _, _, _) = text_box(&t);
            if x0 < fx + fw {
                out.push(format!(
                    "{title}: legend text {:?} starts over the frame",
                    t.text().unwrap_or("")
                ));
            }
        }
        // Distinct (colour, dash) among line series.
        let mut styles: Vec<(String, String, String)> = Vec::new();
        for n in drawn
            .iter()
            .filter(|n| n.has_tag_name("polyline") && class(n) == "series")
        {
            let id = n.attribute("data-series").unwrap().to_string();
            let st = (
                id,
                n.attribute("stroke").unwrap_or("").to_string(),
                n.attribute("stroke-dasharray").unwrap_or("").to_string(),
            );
            if !styles.iter().any(|s| s.0 == st.0) {
                if let Some(s) = styles.iter().find(|s| s.1 == st.1 && s.2 == st.2) {
                    out.push(format!(
                        "{title}: series {} and {} share colour {} and dash {:?}",
                        s.0, st.0, st.1, st.2
                    ));
                }
                styles.push(st);
            }
        }
        // Log axes: a labelled tick within one decade of each end of the data drawn.
        for axis in panel.descendants().filter(|n| class(n) == "axis") {
            if axis.attribute("data-scale") != Some("log") || all.is_empty() {
                continue;
            }
            let vertical = axis.attribute("data-axis") == Some("y");
            let (lo, hi) = (num(&axis, "data-lo"), num(&axis, "data-hi"));
            let span = if vertical { fh } else { fw };
            let decades = hi.log10() - lo.log10();
            let decade = span / decades;
            let at = |v: f64| {
                let f = (v.log10() - lo.log10()) / decades;
                if vertical {
                    fy + (1.0 - f) * fh
                } else {
                    fx + f * fw
                }
            };
            let ticks: Vec<f64> = axis
                .descendants()
                .filter(|n| n.has_tag_name("text") && class(n) == "tick")
                .map(|n| at(num(&n, "data-value")))
                .collect();
            let coord = |p: &(f64, f64)| if vertical { p.1 } else { p.0 };
            let (dmin, dmax) = all
                .iter()
                .map(coord)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                });
            for end in [dmin, dmax] {
                if !ticks.iter().any(|t| (t - end).abs() <= decade + 0.5) {
                    out.push(format!("{title}: no labelled tick within a decade of the data's end at {end:.0} px (ticks at {ticks:?})"));
                }
            }
        }
    }
    out
}
