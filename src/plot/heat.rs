//! A heatmap with its colour scale (log when the values span more than 3 decades) and
//! contour lines: marching squares over the grid, the crossings joined into continuous
//! paths, each level written on its longest path.

use super::axis::{Axis, Scale};
use super::font;
use super::geometry::clip_polyline;
use super::svg::{Anchor, Svg, hex};
use std::collections::HashMap;

/// Values on a grid: `z[i * xs.len() + j]` at `(xs[j], ys[i])`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Heat {
    xs: Vec<f64>,
    ys: Vec<f64>,
    z: Vec<f64>,
    label: String,
    levels: usize,
}

/// The colour scale of a heatmap: an axis over the values (its ticks label the colour bar).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct HeatScale {
    pub(crate) axis: Axis,
    pub(crate) label: String,
}

impl HeatScale {
    /// Where `v` falls on the colour scale, in `[0, 1]`.
    fn t(&self, v: f64) -> f64 {
        if self.axis.scale == Scale::Log && v <= 0.0 {
            return 0.0;
        }
        self.axis.frac(v).clamp(0.0, 1.0)
    }
}

impl Heat {
    pub(crate) fn new(xs: &[f64], ys: &[f64], z: &[f64], label: &str, levels: usize) -> Heat {
        Heat {
            xs: xs.to_vec(),
            ys: ys.to_vec(),
            z: z.to_vec(),
            label: label.to_string(),
            levels,
        }
    }

    pub(crate) fn x_range(&self) -> (f64, f64) {
        (self.xs[0], self.xs[self.xs.len() - 1])
    }

    pub(crate) fn y_range(&self) -> (f64, f64) {
        (self.ys[0], self.ys[self.ys.len() - 1])
    }

    fn at(&self, i: usize, j: usize) -> f64 {
        self.z[i * self.xs.len() + j]
    }

    /// The colour scale: log when the positive values span more than 3 decades.
    pub(crate) fn scale(&self) -> HeatScale {
        let finite = self.z.iter().copied().filter(|v| v.is_finite());
        let (lo, hi) = super::range(finite);
        let log = lo > 0.0 && hi / lo > 1e3;
        let (label, scale) = if log {
            (format!("{} (log scale)", self.label), Scale::Log)
        } else {
            (self.label.clone(), Scale::Linear)
        };
        HeatScale {
            axis: Axis::new(scale, (lo, hi), true),
            label,
        }
    }

    /// Draws the cells (each node's value over the cell around it), the contour lines and
    /// their labels, clipped to `frame`.
    pub(crate) fn draw(
        &self,
        svg: &mut Svg,
        scale: &HeatScale,
        sx: &dyn Fn(f64) -> f64,
        sy: &dyn Fn(f64) -> f64,
        frame: ((f64, f64), (f64, f64)),
    ) {
        let ((fx0, fy0), (fx1, fy1)) = frame;
        let edges = |v: &[f64]| -> Vec<f64> {
            let mut b = vec![v[0]];
            b.extend(v.windows(2).map(|w| (w[0] + w[1]) / 2.0));
            b.push(v[v.len() - 1]);
            b
        };
        let (bx, by) = (edges(&self.xs), edges(&self.ys));
        svg.open("class=\"heat\" shape-rendering=\"crispEdges\"");
        for i in 0..self.ys.len() {
            for j in 0..self.xs.len() {
                let (x0, x1) = (sx(bx[j]).max(fx0), sx(bx[j + 1]).min(fx1));
                let (y0, y1) = (sy(by[i + 1]).max(fy0), sy(by[i]).min(fy1));
                if x1 <= x0 || y1 <= y0 {
                    continue;
                }
                let v = self.at(i, j);
                let c = if v.is_finite() {
                    colormap(scale.t(v))
                } else {
                    (220, 220, 220)
                };
                // A quarter pixel of overlap hides the seams anti-aliasing draws.
                let attrs = format!("fill=\"{}\"", hex(c));
                svg.rect((x0, y0), (x1 - x0 + 0.25, y1 - y0 + 0.25), &attrs);
            }
        }
        svg.close();
        let candidates: Vec<f64> = scale
            .axis
            .major
            .iter()
            .map(|m| m.0)
            .filter(|&v| v > scale.axis.lo && v < scale.axis.hi)
            .collect();
        let levels: Vec<f64> = if candidates.len() <= self.levels {
            candidates
        } else if self.levels == 0 {
            Vec::new()
        } else {
            let n = candidates.len();
            (0..self.levels)
                .map(|k| candidates[(k * n + n / 2) / self.levels])
                .collect()
        };
        svg.open("class=\"contours\"");
        let mut placed: Vec<((f64, f64), f64)> = Vec::new();
        for level in levels {
            let t = scale.t(level);
            let color = if t < 0.6 { "#ffffff" } else { "#202020" };
            let mut longest: Option<(f64, Vec<(f64, f64)>)> = None;
            for path in self.contour(level) {
                let pts: Vec<Option<(f64, f64)>> =
                    path.iter().map(|&(x, y)| Some((sx(x), sy(y)))).collect();
                for run in clip_polyline(&pts, frame) {
                    let attrs = format!(
                        "class=\"contour\" data-level=\"{level:e}\" stroke=\"{color}\" stroke-opacity=\"0.85\" stroke-width=\"1.2\""
                    );
                    svg.polyline(&run, &attrs);
                    let len: f64 = run
                        .windows(2)
                        .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
                        .sum();
                    if longest.as_ref().is_none_or(|(l, _)| len > *l) {
                        longest = Some((len, run));
                    }
                }
            }
            if let Some((len, run)) = longest.filter(|(len, _)| *len > 80.0) {
                let text = scale
                    .axis
                    .major
                    .iter()
                    .find(|m| m.0 == level)
                    .map_or_else(|| format!("{level}"), |m| m.1.clone());
                let w = super::svg::text_width(&text, font::TICK);
                // The point a fraction of the way along the longest path, placed inside the
                // frame; the first of a few fractions whose label clears the labels placed
                // before it and the centre of the map (where theta* is marked).
                let point = |frac: f64| {
                    let (mut walked, mut at) = (0.0, run[0]);
                    for seg in run.windows(2) {
                        walked += (seg[1].0 - seg[0].0).hypot(seg[1].1 - seg[0].1);
                        at = seg[1];
                        if walked >= frac * len {
                            break;
                        }
                    }
                    let (x_lo, x_hi) = (fx0 + w / 2.0 + 2.0, fx1 - w / 2.0 - 2.0);
                    let x = at.0.clamp(x_lo, x_hi.max(x_lo));
                    let y = (at.1 + font::TICK * 0.35)
                        .clamp(fy0 + font::TICK, (fy1 - 3.0).max(fy0 + font::TICK));
                    (x, y)
                };
                let centre = ((fx0 + fx1) / 2.0, (fy0 + fy1) / 2.0);
                let clear = |(x, y): (f64, f64)| {
                    let boxed = |(a, b): (f64, f64), bw: f64| {
                        (x - a).abs() < (w + bw) / 2.0 + 4.0 && (y - b).abs() < font::TICK + 4.0
                    };
                    !placed.iter().any(|&(p, pw)| boxed(p, pw)) && !boxed(centre, 12.0)
                };
                let spot = [0.5, 0.3, 0.7, 0.15, 0.85]
                    .into_iter()
                    .map(point)
                    .find(|&p| clear(p));
                let Some((x, y)) = spot else { continue };
                placed.push(((x, y), w));
                let halo =
                    "fill=\"#111111\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"";
                svg.text(
                    (x, y),
                    &text,
                    font::TICK,
                    Anchor::Middle,
                    "contour-label",
                    halo,
                );
            }
        }
        svg.close();
    }

    /// The contour at `level` as continuous paths in data coordinates.
    pub(crate) fn contour(&self, level: f64) -> Vec<Vec<(f64, f64)>> {
        let (nx, ny) = (self.xs.len(), self.ys.len());
        let horizontal = ny * (nx - 1);
        // Edge ids: horizontal (i, j)-(i, j+1) is i (nx - 1) + j; vertical (i, j)-(i+1, j) is
        // horizontal + i nx + j. Each crossing is computed once per edge, so the two cells
        // sharing an edge meet at the same point.
        let ends = |e: usize| -> ((usize, usize), (usize, usize)) {
            if e < horizontal {
                let (i, j) = (e / (nx - 1), e % (nx - 1));
                ((i, j), (i, j + 1))
            } else {
                let k = e - horizontal;
                let (i, j) = (k / nx, k % nx);
                ((i, j), (i + 1, j))
            }
        };
        let crossing = |e: usize| -> (f64, f64) {
            let (a, b) = ends(e);
            let (za, zb) = (self.at(a.0, a.1), self.at(b.0, b.1));
            let s = (level - za) / (zb - za);
            let (xa, ya) = (self.xs[a.1], self.ys[a.0]);
            let (xb, yb) = (self.xs[b.1], self.ys[b.0]);
            (xa + s * (xb - xa), ya + s * (yb - ya))
        };
        let crosses = |e: usize| {
            let (a, b) = ends(e);
            let (za, zb) = (self.at(a.0, a.1), self.at(b.0, b.1));
            za.is_finite() && zb.is_finite() && ((za < level) != (zb < level))
        };
        let mut next: HashMap<usize, Vec<usize>> = HashMap::new();
        for i in 0..ny - 1 {
            for j in 0..nx - 1 {
                let cell = [
                    i * (nx - 1) + j,
                    horizontal + i * nx + j + 1,
                    (i + 1) * (nx - 1) + j,
                    horizontal + i * nx + j,
                ];
                let hits: Vec<usize> = cell.into_iter().filter(|&e| crosses(e)).collect();
                for pair in hits.chunks_exact(2) {
                    next.entry(pair[0]).or_default().push(pair[1]);
                    next.entry(pair[1]).or_default().push(pair[0]);
                }
            }
        }
        // Walk the chains: open ones from their ends first, then the closed loops.
        let mut starts: Vec<usize> = next
            .iter()
            .filter(|(_, v)| v.len() == 1)
            .map(|(&k, _)| k)
            .collect();
        starts.sort_unstable();
        let mut rest: Vec<usize> = next.keys().copied().collect();
        rest.sort_unstable();
        starts.extend(rest);
        let mut seen = std::collections::HashSet::new();
        let mut paths = Vec::new();
        for s in starts {
            if seen.contains(&s) {
                continue;
            }
            let mut path = vec![crossing(s)];
            seen.insert(s);
            let mut cur = s;
            while let Some(&n) = next[&cur].iter().find(|n| !seen.contains(*n)) {
                seen.insert(n);
                path.push(crossing(n));
                cur = n;
            }
            // A loop closes on its start.
            if next[&cur].contains(&s) && path.len() > 2 {
                path.push(path[0]);
            }
            paths.push(path);
        }
        paths
    }
}

/// A perceptual dark-to-bright map (anchors of viridis), `t` in `[0, 1]`.
pub(crate) fn colormap(t: f64) -> (u8, u8, u8) {
    const ANCHORS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let x = t.clamp(0.0, 1.0) * 4.0;
    let k = (x.floor() as usize).min(3);
    let f = x - k as f64;
    let (a, b) = (ANCHORS[k], ANCHORS[k + 1]);
    let mix = |p: f64, q: f64| (p + f * (q - p)).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_circle_contour_is_one_closed_path() {
        let g: Vec<f64> = (-10..=10).map(|i| i as f64 / 5.0).collect();
        let z: Vec<f64> = g
            .iter()
            .flat_map(|y| g.iter().map(move |x| x * x + y * y))
            .collect();
        let h = Heat::new(&g, &g, &z, "r^2", 5);
        let paths = h.contour(1.0);
        assert_eq!(paths.len(), 1, "one continuous path");
        let p = &paths[0];
        assert_eq!(p.first(), p.last(), "closed");
        for &(x, y) in p {
            let r = (x * x + y * y).sqrt();
            assert!((r - 1.0).abs() < 0.05, "{r}");
        }
        // A level that cuts the grid's edge gives open paths ending on the boundary.
        let open = h.contour(5.0);
        assert!(open.iter().all(|p| p.first() != p.last()));
    }

    #[test]
    fn the_scale_is_log_beyond_three_decades() {
        let g = [0.0, 1.0];
        assert_eq!(
            Heat::new(&g, &g, &[1e-6, 1.0, 2.0, 29.0], "L", 5)
                .scale()
                .axis
                .scale,
            Scale::Log
        );
        assert_eq!(
            Heat::new(&g, &g, &[1.0, 2.0, 3.0, 29.0], "L", 5)
                .scale()
                .axis
                .scale,
            Scale::Linear
        );
    }
}
