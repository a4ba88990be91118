//! The figure model as a reader gets it: each SVG parses as XML and holds its title, axis
//! labels and legend entries; log axes carry a label at every decade (every s-th past 12,
//! both ends labelled); fixed limits clip at the frame instead of rescaling; values a log axis
//! cannot show are drawn at a floor the legend names; many series get dashes and markers,
//! identical ones are told apart; landscapes get a log colour scale, continuous labelled
//! contours and θ* marked; every figure meets the standard of `common/figure.rs`. (That each
//! renders to a picture is checked on the examples' figures in `tests/figures.rs`.)
#![cfg(feature = "plot")]

mod common;

use tapegrad::plot::{
    Figure, Panel, Series, XAxis, fit, histogram, histories, landscape_1d, landscape_2d, lines,
};
use tapegrad::train::History;
use tapegrad::{Rng, Tensor};

/// Every `<text>` of the SVG, in order.
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// The points of each series' polylines, by series index.
fn series_points(svg: &str) -> Vec<(usize, usize)> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("class") == Some("series"))
        .map(|n| {
            let k = n.attribute("data-series").unwrap().parse().unwrap();
            (k, n.attribute("points").unwrap().split_whitespace().count())
        })
        .collect()
}

fn standard(svg: &str) {
    let p = common::figure::problems(svg);
    assert!(p.is_empty(), "{p:#?}");
}

fn history(name: &str, n: usize, rate: f64) -> History {
    let mut h = History::new(name);
    for k in 0..n {
        h.steps.push(k);
        h.evaluations.push(k + 1);
        h.seconds.push(k as f64 * 1e-3);
        h.lrs.push(0.1);
        h.losses.push(rate.powi(k as i32));
    }
    h
}

#[test]
fn histories_have_titles_labels_legends_decades_and_every_point() {
    let (a, b) = (history("GD", 120, 0.9), history("Adam", 80, 0.95));
    let svg = histories("Loss, two runs", &[&a, &b], XAxis::Steps, None).to_svg();
    standard(&svg);
    let t = texts(&svg);
    for want in ["Loss, two runs", "step k", "loss", "GD", "Adam"] {
        assert!(t.iter().any(|s| s == want), "no text {want:?} in {t:?}");
    }
    // 0.9^119 = 3.5e-6: every decade from 1e-6 to 1e0 labelled.
    for d in -6..=0 {
        assert!(t.contains(&format!("1e{d}")), "1e{d} in {t:?}");
    }
    let counts = series_points(&svg);
    assert!(
        counts.contains(&(0, 120)) && counts.contains(&(1, 80)),
        "{counts:?}"
    );
    let svg = histories("Gap", &[&a], XAxis::Evaluations, Some(0.0)).to_svg();
    let t = texts(&svg);
    assert!(t.iter().any(|s| s == "evaluations of f") && t.iter().any(|s| s == "loss - f*"));
    let svg = histories("Runs", &[&a], XAxis::Seconds, None).to_svg();
    assert!(texts(&svg).iter().any(|s| s == "seconds"));
}

#[test]
fn a_long_log_range_is_labelled_to_both_ends() {
    // 3e-29 (a closed form's loss) to 1e2 (on a decade, so the axis has a decade of room
    // above it): 32 decades, every third labelled and the top one.
    let s = Series::new(
        "run",
        (0..100)
            .map(|k| (k as f64, 10f64.powf(2.0 - 0.3 * k as f64)))
            .collect(),
    );
    let svg = lines("Long", ("k", "f"), &[s])
        .log_y()
        .hline(3e-29, "closed form")
        .to_svg();
    standard(&svg);
    let t = texts(&svg);
    assert!(
        t.contains(&"1e-29".to_string()) && t.contains(&"1e3".to_string()),
        "{t:?}"
    );
    let decades = t.iter().filter(|s| s.starts_with("1e")).count();
    assert!((10..=13).contains(&decades), "{decades} labels: {t:?}");
}

#[test]
fn zeros_on_a_log_axis_are_drawn_at_a_floor_the_legend_names() {
    let s = Series::new(
        "to zero",
        vec![(0.0, 1.0), (1.0, 1e-3), (2.0, 0.0), (3.0, 0.0)],
    );
    let svg = lines("Zero", ("k", "f"), std::slice::from_ref(&s))
        .log_y()
        .to_svg();
    standard(&svg);
    assert!(
        texts(&svg)
            .iter()
            .any(|t| t == "values below 1e-4 drawn at 1e-4"),
        "{:?}",
        texts(&svg)
    );
    assert_eq!(series_points(&svg), vec![(0, 4)], "every point drawn");
    let svg = lines("Zero", ("k", "f"), &[s])
        .log_y()
        .floor(1e-16)
        .to_svg();
    assert!(texts(&svg).iter().any(|t| t.contains("drawn at 1e-16")));
}

#[test]
fn fixed_limits_clip_at_the_frame_instead_of_rescaling() {
    // sin(5x) e^{|2x|} / 10 reaches 3.6e8 at |x| = 11; with y in [-11, 11] the network's
    // flat line stays readable and the truth is cut at the frame.
    let grid: Vec<f64> = (0..=400).map(|i| -11.0 + 22.0 * i as f64 / 400.0).collect();
    let truth = Series::new(
        "truth",
        grid.iter()
            .map(|&x| (x, (5.0 * x).sin() * (2.0 * x).abs().exp() / 10.0))
            .collect(),
    );
    let net = Series::new("net", grid.iter().map(|&x| (x, 0.1 * x)).collect());
    let svg = fit("Wide", (&[0.0], &[0.0]), &[truth, net])
        .xlim(-11.0, 11.0)
        .ylim(-11.0, 11.0)
        .to_svg();
    standard(&svg); // no drawn point outside the frame
    let t = texts(&svg);
    assert!(
        t.contains(&"10".to_string()) && !t.iter().any(|s| s.contains("e8")),
        "{t:?}"
    );
    // The truth leaves and re-enters the frame: it is drawn as many pieces.
    let pieces = series_points(&svg).iter().filter(|(k, _)| *k == 0).count();
    assert!(pieces > 5, "{pieces}");
}

#[test]
fn many_series_get_dashes_and_markers_and_identical_ones_are_told_apart() {
    let s = |k: usize| {
        Series::new(
            &format!("curve {k}"),
            (0..50).map(|i| (i as f64, (i * k) as f64)).collect(),
        )
    };
    let many: Vec<Series> = (0..10).map(s).collect();
    let svg = lines("Ten curves", ("x", "y"), &many).to_svg();
    standard(&svg); // distinct (colour, dash) pairs
    assert!(svg.contains("stroke-dasharray") && svg.contains("class=\"marker\""));
    let a = Series::new("strong Wolfe", vec![(0.0, 1.0), (1.0, 0.5)]);
    let b = Series::new("polish", a.points.clone());
    let svg = lines("Two identical", ("x", "y"), &[a, b]).to_svg();
    standard(&svg);
    assert!(
        texts(&svg)
            .iter()
            .any(|t| t == "polish (same as strong Wolfe)"),
        "{:?}",
        texts(&svg)
    );
    assert!(svg.contains("stroke-dasharray"), "the later one is dashed");
}

#[test]
fn a_series_keeps_its_colour_across_figures() {
    let colour = |svg: &str, k: usize| -> String {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .find(|n| n.attribute("data-series") == Some(&k.to_string()))
            .and_then(|n| n.attribute("stroke"))
            .unwrap()
            .to_string()
    };
    let s = |n: &str| Series::new(n, vec![(0.0, 1.0), (1.0, 2.0)]);
    let a = lines("first", ("x", "y"), &[s("alpha"), s("beta")]).to_svg();
    let b = lines("second", ("x", "y"), &[s("beta"), s("alpha")]).to_svg();
    assert_eq!(colour(&a, 0), colour(&b, 1));
    assert_eq!(colour(&a, 1), colour(&b, 0));
    assert_ne!(colour(&a, 0), colour(&a, 1));
}

#[test]
fn landscapes_use_a_log_scale_mark_theta_star_and_label_continuous_contours() {
    let g: Vec<f64> = (-20..=20).map(|i| i as f64 / 20.0).collect();
    // 3e-6 at the minimum to ~30 at the corners: 7 decades.
    let z = Tensor::from_fn(g.len(), g.len(), |i, j| {
        3e-6 + 10.0 * g[j] * g[j] + 20.0 * g[i] * g[i]
    });
    let svg = landscape_2d("Bowl", (&g, &g), &z, 6).to_svg();
    standard(&svg);
    let t = texts(&svg);
    assert!(t.iter().any(|s| s == "loss (log scale)"), "{t:?}");
    assert!(t.iter().any(|s| s == "theta* (a = b = 0)"));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let contours: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("contour"))
        .collect();
    let labels = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("contour-label"))
        .count();
    // Ellipses inside the grid are one closed path each.
    assert!(!contours.is_empty() && labels > 0);
    for c in contours
        .iter()
        .filter(|c| c.attribute("data-level") == Some("1e-1"))
    {
        let pts: Vec<&str> = c.attribute("points").unwrap().split_whitespace().collect();
        assert_eq!(pts.first(), pts.last(), "the 0.1 level is one closed path");
    }
    // The colour bar is labelled with values.
    let bar_ticks = doc
        .descendants()
        .filter(|n| n.attribute("data-axis") == Some("c"))
        .flat_map(|a| {
            a.descendants()
                .filter(|n| n.has_tag_name("text"))
                .collect::<Vec<_>>()
        })
        .count();
    assert!(bar_ticks >= 4, "{bar_ticks}");
}

/// One figure of each kind and a 2x2 grid, each meeting the standard.
#[test]
fn every_kind_and_a_grid_meet_the_standard() {
    let mut rng = Rng::new(1);
    let x: Vec<f64> = (0..15).map(|i| i as f64 / 14.0).collect();
    let y: Vec<f64> = x.iter().map(|v| (6.0 * v).sin()).collect();
    let f = fit(
        "Fits",
        (&x, &y),
        &[Series::new("cubic", x.iter().map(|&v| (v, v)).collect())],
    );
    let t: Vec<f64> = (-10..=10).map(|i| i as f64 / 10.0).collect();
    let l1 = landscape_1d(
        "Along Delta",
        &t,
        &t.iter().map(|v| v * v).collect::<Vec<_>>(),
    );
    let v: Vec<f64> = (0..500).map(|_| rng.normal()).collect();
    let h = histogram("Draws", "z", &v, 20);
    let r = histories("Runs", &[&history("SGD", 50, 0.9)], XAxis::Seconds, None);
    for (p, want) in [
        (&f, vec!["Fits", "x", "y", "data", "cubic"]),
        (&l1, vec!["Along Delta", "t", "loss", "theta* (t = 0)"]),
        (&h, vec!["Draws", "z", "count", "500 values"]),
    ] {
        let svg = p.to_svg();
        standard(&svg);
        let got = texts(&svg);
        for w in want {
            assert!(got.iter().any(|s| s == w), "no text {w:?} in {got:?}");
        }
    }
    let grid = Figure::new("Four panels").row([f, l1]).row([h, r]);
    let svg = grid.to_svg();
    standard(&svg);
    assert_eq!(svg.matches("class=\"panel\"").count(), 4);
    assert!(texts(&svg).iter().any(|s| s == "Four panels"));
}

#[test]
fn text_from_anywhere_stays_xml() {
    let name = "layer \"a\" <b> & \u{1}\u{1b}\u{ffff}";
    let svg = Panel::new(name)
        .series(Series::new(name, vec![(0.0, 1.0), (1.0, 2.0)]))
        .to_svg();
    roxmltree::Document::parse(&svg).expect("well-formed");
    assert!(!svg.contains('\u{1}') && !svg.contains('\u{ffff}'));
}

#[test]
fn a_failed_write_names_the_path() {
    let err = lines("t", ("x", "y"), &[])
        .save("/proc/no/such/dir/x.svg")
        .unwrap_err();
    assert!(
        err.to_string().starts_with("/proc/no/such/dir/x.svg: "),
        "{err}"
    );
}

#[test]
#[should_panic(expected = "histogram: bins must be in 1..=10000, got 1099511627776")]
fn a_huge_bin_count_is_refused_not_allocated() {
    let _ = histogram("h", "x", &[1.0], 1 << 40);
}

#[test]
#[should_panic(expected = "Panel::ylim: need finite lo < hi, got [1, -1]")]
fn reversed_limits_are_refused() {
    let _ = Panel::new("p").ylim(1.0, -1.0);
}

/// A run of a million steps draws its envelope in a figure of a few hundred kilobytes.
#[test]
fn a_long_run_is_thinned_to_what_the_pixels_show() {
    let s = Series::new(
        "SGD",
        (0..1_000_000)
            .map(|k| (k as f64, 1.0 + (k % 7) as f64 / 7.0))
            .collect(),
    );
    let svg = lines("A million steps", ("k", "f"), &[s]).log_y().to_svg();
    standard(&svg);
    assert!(svg.len() < 300_000, "{} bytes", svg.len());
}

/// A million-point data set: the figure draws an evenly strided 2000 and the extremes not
/// among them, and says how many.
#[test]
fn a_large_data_set_is_drawn_as_a_subset() {
    let n = 1_000_000;
    let x: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    let y: Vec<f64> = x.iter().map(|v| v.sin()).collect();
    let svg = fit("a million points", (&x, &y), &[]).to_svg();
    assert!(svg.len() < 1_000_000, "{} bytes", svg.len());
    assert!(
        texts(&svg)
            .iter()
            .any(|t| t == "data (2001 of 1000000 shown)"),
        "{:?}",
        texts(&svg)
    );
    let marks = svg.matches("class=\"marker\"").count() - 1; // and the legend's
    assert!((2000..=2004).contains(&marks), "{marks}");
}

proptest::proptest! {
    #![proptest_config(common::proptest_config(64))]

    /// Any title, label and series name (any Unicode, controls, markup) gives a well-formed
    /// SVG (issue 31, S2: control characters were written raw).
    #[test]
    fn any_text_gives_well_formed_svg(title in proptest::prelude::any::<String>(), name in proptest::prelude::any::<String>()) {
        let svg = Figure::new(&title)
            .row([Panel::new(&name).labels(&name, &title).series(Series::new(&name, vec![(0.0, 1.0), (1.0, 2.0)]))])
            .to_svg();
        proptest::prop_assert!(roxmltree::Document::parse(&svg).is_ok());
    }
}

/// Extreme but legal input draws without a panic and within the standard (found in review):
/// a histogram of one value of 1e16 or of values spanning ±1e308, limits of ±1e308, a heatmap
/// in a 100 px panel, labels and notes longer than their panel, a lone point between gaps.
#[test]
fn extreme_input_draws_within_the_standard() {
    for v in [vec![1e16], vec![-1e308, 1e308]] {
        standard(&histogram("h", "x", &v, 10).to_svg());
    }
    let s = Series::new("s", vec![(0.0, -1e300), (1.0, 1e300)]);
    let svg = lines("wide", ("x", "y"), &[s]).ylim(-1e308, 1e308).to_svg();
    assert!(!svg.contains("NaN"), "NaN in the SVG");
    standard(&svg);
    let g: Vec<f64> = (-5..=5).map(|i| i as f64 / 5.0).collect();
    let z = Tensor::from_fn(g.len(), g.len(), |i, j| 1e-5 + g[j] * g[j] + g[i] * g[i]);
    standard(
        &landscape_2d("small", (&g, &g), &z, 6)
            .size(100.0, 100.0)
            .to_svg(),
    );
    let long = "a very long axis label that a student might write out in full ".repeat(3);
    let gaps = Series::new(
        "gaps",
        vec![(0.0, f64::NAN), (1.0, 2.0), (2.0, f64::NAN), (3.0, 1.0)],
    );
    let svg = lines("labels", (&long, &long), &[gaps])
        .note(0.5, 1.5, &long)
        .size(120.0, 120.0)
        .to_svg();
    standard(&svg);
    assert!(svg.contains("…"), "long texts are cut with an ellipsis");
    assert_eq!(series_points(&svg).len(), 2, "each lone point drawn");
}
