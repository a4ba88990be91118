//! Geometry in pixels: clipping polylines at a panel's frame, and the markers.

use super::Marker;
use super::style::Style;
use super::svg::{Svg, hex, px};

/// Whether a pixel point lies in the frame.
pub(crate) fn inside((x, y): (f64, f64), ((x0, y0), (x1, y1)): ((f64, f64), (f64, f64))) -> bool {
    x >= x0 - 1e-6 && x <= x1 + 1e-6 && y >= y0 - 1e-6 && y <= y1 + 1e-6
}

/// A long line thinned to what a pixel can show: consecutive points in one pixel column keep
/// only the first, the lowest, the highest and the last (in their order), so a run of 10^6
/// steps draws the same envelope as the full line in a few thousand points. Missing points
/// (`None`) are kept, so breaks stay breaks.
pub(crate) fn thin(pts: &[Option<(f64, f64)>]) -> Vec<Option<(f64, f64)>> {
    if pts.len() < 2000 {
        return pts.to_vec();
    }
    let mut out = Vec::new();
    let mut group: Vec<(f64, f64)> = Vec::new();
    let flush = |group: &mut Vec<(f64, f64)>, out: &mut Vec<Option<(f64, f64)>>| {
        if group.len() <= 4 {
            out.extend(group.iter().copied().map(Some));
        } else {
            let (mut lo, mut hi) = (0, 0);
            for (k, q) in group.iter().enumerate() {
                if q.1 < group[lo].1 {
                    lo = k;
                }
                if q.1 > group[hi].1 {
                    hi = k;
                }
            }
            let mut keep = [0, lo, hi, group.len() - 1];
            keep.sort_unstable();
            let mut last = usize::MAX;
            for k in keep {
                if k != last {
                    out.push(Some(group[k]));
                    last = k;
                }
            }
        }
        group.clear();
    };
    for p in pts {
        match p {
            Some(q) => {
                if group.first().is_some_and(|g| g.0.floor() != q.0.floor()) {
                    flush(&mut group, &mut out);
                }
                group.push(*q);
            }
            None => {
                flush(&mut group, &mut out);
                out.push(None);
            }
        }
    }
    flush(&mut group, &mut out);
    out
}

/// The runs of a polyline inside the frame: each segment clipped (Liang-Barsky), a run
/// broken where the line leaves the frame or a point is missing.
pub(crate) fn clip_polyline(
    pts: &[Option<(f64, f64)>],
    frame: ((f64, f64), (f64, f64)),
) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let flush = |current: &mut Vec<(f64, f64)>, runs: &mut Vec<Vec<(f64, f64)>>| {
        if current.len() >= 2 {
            runs.push(std::mem::take(current));
        } else {
            current.clear();
        }
    };
    if pts.len() == 1 {
        if let Some(q) = pts[0] {
            if inside(q, frame) {
                runs.push(vec![q, q]);
            }
        }
    }
    for (k, w) in pts.windows(2).enumerate() {
        let (Some(a), Some(b)) = (w[0], w[1]) else {
            flush(&mut current, &mut runs);
            // A point between two gaps (or a gap and an end) is drawn as a dot of a run.
            let alone = |i: usize| {
                pts[i].is_some()
                    && (i == 0 || pts[i - 1].is_none())
                    && pts.get(i + 1).is_none_or(|q| q.is_none())
            };
            if w[0].is_none() && k + 1 < pts.len() && alone(k + 1) {
                if let Some(q) = pts[k + 1].filter(|&q| inside(q, frame)) {
                    runs.push(vec![q, q]);
                }
            }
            if k == 0 && alone(0) {
                if let Some(q) = pts[0].filter(|&q| inside(q, frame)) {
                    runs.push(vec![q, q]);
                }
            }
            continue;
        };
        match clip_segment(a, b, frame) {
            Some((p, q)) => {
                if current.last() != Some(&p) {
                    flush(&mut current, &mut runs);
                    current.push(p);
                }
                current.push(q);
                if q != b {
                    flush(&mut current, &mut runs);
                }
            }
            None => flush(&mut current, &mut runs),
        }
    }
    flush(&mut current, &mut runs);
    runs
}

/// The part of segment `a b` inside the frame, if any.
fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    ((x0, y0), (x1, y1)): ((f64, f64), (f64, f64)),
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - x0),
        (dx, x1 - a.0),
        (-dy, a.1 - y0),
        (dy, y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 || !(t0.is_finite() && t1.is_finite()) {
        return None;
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            (a.0 + t * dx, a.1 + t * dy)
        }
    };
    Some((at(t0), at(t1)))
}

/// One marker centred at `(x, y)`.
pub(crate) fn marker(svg: &mut Svg, (x, y): (f64, f64), st: &Style, tag: &str) {
    let c = hex(st.color);
    let r = 4.0;
    let at = format!("class=\"marker\" {tag} data-at=\"{},{}\"", px(x), px(y));
    let d = match st.marker {
        Marker::None => return,
        Marker::Circle => format!(
            "M{} {}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 {} 0z",
            px(x - r),
            px(y),
            2.0 * r,
            -2.0 * r
        ),
        Marker::Square => format!(
            "M{} {}h{}v{}h{}z",
            px(x - r),
            px(y - r),
            2.0 * r,
            2.0 * r,
            -2.0 * r
        ),
        Marker::Triangle => format!(
            "M{} {}L{} {}L{} {}z",
            px(x),
            px(y - r * 1.2),
            px(x + r * 1.1),
            px(y + r * 0.8),
            px(x - r * 1.1),
            px(y + r * 0.8)
        ),
        Marker::Diamond => format!(
            "M{} {}L{} {}L{} {}L{} {}z",
            px(x),
            px(y - r * 1.3),
            px(x + r),
            px(y),
            px(x),
            px(y + r * 1.3),
            px(x - r),
            px(y)
        ),
        Marker::Cross => {
            let s = format!(
                "<path {at} d=\"M{} {}L{} {}M{} {}L{} {}\" stroke=\"{c}\" stroke-width=\"2.5\" fill=\"none\"/>\n",
                px(x - r),
                px(y - r),
                px(x + r),
                px(y + r),
                px(x - r),
                px(y + r),
                px(x + r),
                px(y - r)
            );
            svg.raw(&s);
            return;
        }
    };
    svg.raw(&format!(
        "<path {at} d=\"{d}\" fill=\"{c}\" stroke=\"#ffffff\" stroke-width=\"0.8\"/>\n"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_the_envelope_of_each_pixel_column() {
        // 100 000 points over 500 pixel columns, oscillating between -1 and 1.
        let pts: Vec<Option<(f64, f64)>> = (0..100_000)
            .map(|i| Some((i as f64 / 200.0, if i % 2 == 0 { -1.0 } else { 1.0 })))
            .collect();
        let t = thin(&pts);
        assert!(t.len() <= 4 * 500, "{}", t.len());
        let ys: Vec<f64> = t.iter().flatten().map(|q| q.1).collect();
        assert!(ys.contains(&-1.0) && ys.contains(&1.0));
        assert_eq!(t.first(), pts.first());
        assert_eq!(t.last(), pts.last());
    }

    #[test]
    fn clipping_keeps_what_is_inside_and_breaks_at_the_edges() {
        let frame = ((0.0, 0.0), (10.0, 10.0));
        let pts = [
            Some((1.0, 1.0)),
            Some((5.0, 5.0)),
            Some((5.0, 20.0)),
            Some((6.0, 5.0)),
        ];
        let runs = clip_polyline(&pts, frame);
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert_eq!(runs[0], vec![(1.0, 1.0), (5.0, 5.0), (5.0, 10.0)]);
        for r in &runs {
            assert!(r.iter().all(|&q| inside(q, frame)));
        }
        // A missing point breaks the line; a segment wholly outside draws nothing.
        // A point alone between gaps is kept as a dot (a run of one point twice).
        let pts = [Some((1.0, 1.0)), None, Some((2.0, 2.0)), Some((3.0, 3.0))];
        assert_eq!(
            clip_polyline(&pts, frame),
            vec![vec![(1.0, 1.0), (1.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]
        );
        let pts = [None, Some((4.0, 4.0)), None];
        assert_eq!(
            clip_polyline(&pts, frame),
            vec![vec![(4.0, 4.0), (4.0, 4.0)]]
        );
        assert!(clip_polyline(&[Some((20.0, 1.0)), Some((30.0, 1.0))], frame).is_empty());
    }
}
