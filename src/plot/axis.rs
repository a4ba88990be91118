//! Axes a reader can trust: linear ticks at round numbers (1, 2, 2.5 or 5 times a power of
//! ten) printed in one format along the axis, and log ticks at decades, every decade of the
//! range labelled, or every s-th from the bottom when there are more than [`MAX_LABELS`], the
//! top decade too when the last of those is two or more below it (so both ends of the data
//! are within a decade of a label, and labels are never cramped).

/// How an axis maps values to positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scale {
    /// Equal steps for equal differences.
    #[default]
    Linear,
    /// Equal steps for equal ratios (decades); only positive values can be drawn.
    Log,
}

/// The most labelled ticks a log axis carries before it labels every s-th decade.
pub(crate) const MAX_LABELS: i32 = 12;

/// An axis fixed to a range, with its ticks.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Axis {
    pub(crate) scale: Scale,
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    /// Labelled ticks: value and label.
    pub(crate) major: Vec<(f64, String)>,
    /// Unlabelled ticks.
    pub(crate) minor: Vec<f64>,
}

impl Axis {
    /// The axis over the data range `[a, b]`: padded by 4% (linear) or widened to whole
    /// decades (log) unless `fixed`, when `[a, b]` is the axis exactly.
    pub(crate) fn new(scale: Scale, (a, b): (f64, f64), fixed: bool) -> Axis {
        match scale {
            Scale::Linear => linear(a, b, fixed),
            Scale::Log => log(a, b, fixed),
        }
    }

    /// Where `v` lies along the axis: 0 at `lo`, 1 at `hi` (outside for values outside).
    pub(crate) fn frac(&self, v: f64) -> f64 {
        match self.scale {
            Scale::Linear => (v - self.lo) / (self.hi - self.lo),
            Scale::Log => (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln()),
        }
    }

    /// Whether `v` can be placed on this axis at all (finite; positive on a log axis).
    pub(crate) fn drawable(&self, v: f64) -> bool {
        v.is_finite() && (self.scale == Scale::Linear || v > 0.0)
    }
}

/// A degenerate or non-finite range made usable.
fn widen(a: f64, b: f64, scale: Scale) -> (f64, f64) {
    match scale {
        Scale::Linear if !(a.is_finite() && b.is_finite()) => (0.0, 1.0),
        Scale::Linear if b > a => (a, b),
        Scale::Linear => {
            let pad = a.abs().max(1.0) * 0.5;
            (a - pad, a + pad)
        }
        Scale::Log if !(a.is_finite() && b.is_finite() && a > 0.0 && b > 0.0) => (0.1, 1.0),
        Scale::Log if b > a => (a, b),
        Scale::Log => (a / 10.0, a * 10.0),
    }
}

/// The round step nearest to `raw`: 1, 2, 2.5 or 5 times a power of ten.
pub(crate) fn nice_step(raw: f64) -> f64 {
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let n = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 2.5 {
        2.5
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    n * p
}

fn linear(a: f64, b: f64, fixed: bool) -> Axis {
    let (a, b) = widen(a, b, Scale::Linear);
    // A span that overflows (data from -1e308 to 1e308) is halved until it is finite.
    let (a, b) = if (b - a).is_finite() {
        (a, b)
    } else {
        (a / 4.0, b / 4.0)
    };
    let (lo, hi) = if fixed {
        (a, b)
    } else {
        let pad = 0.04 * (b - a);
        (a - pad, b + pad)
    };
    let step = nice_step((hi - lo) / 6.0);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let values: Vec<f64> = (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            if v.abs() < step * 1e-9 { 0.0 } else { v }
        })
        .collect();
    let labels = linear_labels(&values, step);
    Axis {
        scale: Scale::Linear,
        lo,
        hi,
        major: values.into_iter().zip(labels).collect(),
        minor: Vec::new(),
    }
}

/// Labels for ticks `step` apart, all in one format: fixed decimals, or (when the values
/// reach 1e5 or the step is under 1e-3) scientific notation with one mantissa precision.
pub(crate) fn linear_labels(values: &[f64], step: f64) -> Vec<String> {
    let top = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let step_exp = step.log10().floor() as i32;
    let half = (step / 10f64.powi(step_exp) - 2.5).abs() < 1e-9;
    if top >= 1e5 || step < 1e-3 {
        let top_exp = top.log10().floor() as i32;
        let digits = (top_exp - step_exp + i32::from(half)).clamp(0, 6) as usize;
        values
            .iter()
            .map(|&v| {
                if v == 0.0 {
                    "0".to_string()
                } else {
                    format!("{v:.digits$e}")
                }
            })
            .collect()
    } else {
        let digits = (-step_exp + i32::from(half)).max(0) as usize;
        values
            .iter()
            .map(|&v| {
                let s = format!("{v:.digits$}");
                // "-0" and "-0.0" read as 0.
                if s.trim_start_matches('-')
                    .chars()
                    .all(|c| c == '0' || c == '.')
                {
                    s.trim_start_matches('-').to_string()
                } else {
                    s
                }
            })
            .collect()
    }
}

fn log(a: f64, b: f64, fixed: bool) -> Axis {
    let (a, b) = widen(a, b, Scale::Log);
    // The decades labelled at the ends: the axis's own ends (auto), or the outermost
    // decades inside fixed limits.
    let (lo_dec, hi_dec, lo, hi) = if fixed {
        let lo_dec = (a.log10() - 1e-9).ceil() as i32;
        let hi_dec = (b.log10() + 1e-9).floor() as i32;
        (lo_dec, hi_dec, a, b)
    } else {
        // A value on a decade (a learning rate of 1e-3) gets a decade of room beyond it,
        // so that it is not drawn on the frame.
        // Within the decades f64 holds as normal numbers, whatever the data.
        let lo_dec = ((a.log10() - 0.02).floor() as i32).clamp(-307, 307);
        let hi_dec = ((b.log10() + 0.02).ceil() as i32).clamp(lo_dec + 1, 308);
        // Above 1e308 no decade is finite: the top is the data itself.
        (
            lo_dec,
            hi_dec,
            10f64.powi(lo_dec),
            10f64.powi(hi_dec).max(b),
        )
    };
    let n = hi_dec - lo_dec;
    // Every s-th decade from the bottom, evenly; the top decade too when the last of those is
    // two or more decades below it (then what is drawn near the top is within a decade of a
    // label either way, and no two labels are closer than s decades, or 2).
    let s = if n > MAX_LABELS {
        (n + MAX_LABELS - 1) / MAX_LABELS
    } else {
        1
    };
    let mut labelled: Vec<i32> = (0..)
        .map(|k| lo_dec + k * s)
        .take_while(|&d| d <= hi_dec)
        .collect();
    if labelled.last().is_some_and(|&d| hi_dec - d >= 2) {
        labelled.push(hi_dec);
    }
    let mut major = Vec::new();
    let mut minor = Vec::new();
    let inside = |v: f64| v >= lo * (1.0 - 1e-12) && v <= hi * (1.0 + 1e-12);
    for d in lo_dec - 1..=hi_dec {
        let v = 10f64.powi(d);
        if inside(v) {
            if labelled.contains(&d) {
                major.push((v, format!("1e{d}")));
            } else {
                minor.push(v);
            }
        }
        if n <= 6 {
            for m in 2..=9 {
                let w = m as f64 * v;
                if !inside(w) {
                    continue;
                }
                // Within two decades, 2 and 5 are labelled too.
                if n <= 2 && (m == 2 || m == 5) {
                    major.push((w, format!("{m}e{d}")));
                } else {
                    minor.push(w);
                }
            }
        }
    }
    major.sort_by(|p, q| p.0.total_cmp(&q.0));
    // Fixed limits inside one decade (0.3 to 0.45) hold no decade, 2 or 5: round values
    // between them are labelled instead.
    if major.len() < 2 {
        let lin = linear(lo, hi, true);
        major = lin.major.into_iter().filter(|m| m.0 > 0.0).collect();
    }
    Axis {
        scale: Scale::Log,
        lo,
        hi,
        major,
        minor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(a: &Axis) -> Vec<&str> {
        a.major.iter().map(|m| m.1.as_str()).collect()
    }

    #[test]
    fn linear_ticks_are_round_and_in_one_format() {
        let a = Axis::new(Scale::Linear, (0.0, 2000.0), true);
        assert_eq!(labels(&a), ["0", "500", "1000", "1500", "2000"]);
        let a = Axis::new(Scale::Linear, (-1.5, 1.5), true);
        assert_eq!(
            labels(&a),
            ["-1.5", "-1.0", "-0.5", "0.0", "0.5", "1.0", "1.5"]
        );
        let a = Axis::new(Scale::Linear, (0.0, 2.0e5), true);
        assert_eq!(labels(&a), ["0", "5.0e4", "1.0e5", "1.5e5", "2.0e5"]);
        let a = Axis::new(Scale::Linear, (0.0, 1.0), true);
        assert_eq!(labels(&a), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        // A constant gets a range around it.
        let a = Axis::new(Scale::Linear, (3.0, 3.0), false);
        assert!(a.lo < 3.0 && a.hi > 3.0);
    }

    #[test]
    fn log_ticks_label_every_decade_or_every_sth_with_both_ends() {
        let a = Axis::new(Scale::Log, (2e-12, 0.3), false);
        assert_eq!((a.lo, a.hi), (1e-12, 1.0));
        // A value on a decade is not put on the frame.
        let b = Axis::new(Scale::Log, (1e-3, 0.5), false);
        assert_eq!((b.lo, b.hi), (1e-4, 1.0));
        assert_eq!(labels(&a).len(), 13, "{:?}", labels(&a));
        // 1e-29 .. 1e1: 30 decades, every third labelled, both ends included.
        let a = Axis::new(Scale::Log, (3e-29, 5.0), false);
        let l = labels(&a);
        assert_eq!(l.first(), Some(&"1e-29"));
        assert_eq!(l.last(), Some(&"1e1"));
        assert_eq!(a.major.last().unwrap().0, a.hi);
        assert!(l.len() <= MAX_LABELS as usize + 1, "{l:?}");
        // 1e-29 .. 1e2: 31 decades; every third from the bottom ends at 1e1, a decade below
        // the top, which is then not labelled (no cramped pair).
        let a = Axis::new(Scale::Log, (3e-29, 50.0), false);
        let l = labels(&a);
        assert_eq!((l[0], l[l.len() - 1]), ("1e-29", "1e1"), "{l:?}");
        // 1e-29 .. 1e3: every third ends at 1e1, two below the top: 1e3 is labelled too.
        let a = Axis::new(Scale::Log, (3e-29, 500.0), false);
        let l = labels(&a);
        assert_eq!((l[l.len() - 2], l[l.len() - 1]), ("1e1", "1e3"), "{l:?}");
        // Within a decade, 2 and 5 are labelled.
        let a = Axis::new(Scale::Log, (0.3, 0.9), false);
        assert_eq!(labels(&a), ["1e-1", "2e-1", "5e-1", "1e0"]);
    }

    #[test]
    fn the_whole_f64_range_stays_finite() {
        let a = Axis::new(Scale::Log, (1e-320, 1.7e308), false);
        assert!(a.lo > 0.0 && a.hi.is_finite() && a.major.len() <= MAX_LABELS as usize + 2);
        assert!(a.major.iter().all(|m| m.0.is_finite()));
    }

    #[test]
    fn extreme_limits_still_get_ticks() {
        let a = Axis::new(Scale::Linear, (-1e308, 1e308), true);
        assert!(
            a.major.iter().all(|m| m.0.is_finite()) && a.major.len() >= 2,
            "{a:?}"
        );
        let b = Axis::new(Scale::Log, (0.3, 0.45), true);
        assert!(b.major.len() >= 2, "{b:?}");
        let c = Axis::new(Scale::Log, (1e300, 1.5e308), false);
        assert!(c.hi.is_finite() && c.hi >= 1.5e308, "{c:?}");
    }

    #[test]
    fn frac_maps_the_ends() {
        let a = Axis::new(Scale::Log, (1e-3, 1e3), true);
        assert!((a.frac(1.0) - 0.5).abs() < 1e-12);
        assert!(!a.drawable(0.0) && a.drawable(1e-300));
    }
}
