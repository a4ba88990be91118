//! The figures as a reader gets them: each SVG parses as XML and holds its title, axis labels
//! and legend entries; log axes carry decade ticks; curves have one point per record; and
//! each kind renders (with `rsvg-convert`, installed by `.ci/run`) to a picture that is not
//! blank. Without `rsvg-convert` the rendered check says it skipped.
#![cfg(feature = "plot")]

use std::path::PathBuf;
use std::process::Command;
use tapegrad::plot::{Series, XAxis, fit, histogram, histories, landscape_1d, landscape_2d, lines};
use tapegrad::train::History;
use tapegrad::{Rng, Tensor};

fn out(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tapegrad-plot-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Every `<text>` of the SVG, in order.
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// The number of points of each polyline (curves are drawn as polylines).
fn polylines(svg: &str) -> Vec<usize> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .map(|n| {
            n.attribute("points")
                .unwrap_or("")
                .split_whitespace()
                .count()
        })
        .collect()
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
    let path = out("h.svg");
    histories(&path, "Loss, two runs", &[&a, &b], XAxis::Steps, None).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    let t = texts(&svg);
    for want in ["Loss, two runs", "step k", "f(theta_k)", "GD", "Adam"] {
        assert!(t.iter().any(|s| s == want), "no text {want:?} in {t:?}");
    }
    let decades = t.iter().filter(|s| s.starts_with("1e")).count();
    assert!(decades >= 3, "decade ticks on the log axis: {t:?}");
    let mut counts = polylines(&svg);
    counts.sort();
    assert!(counts.contains(&120) && counts.contains(&80), "{counts:?}");
    // Against evaluations and seconds too; the gap axis names f*.
    histories(&path, "Gap", &[&a], XAxis::Evaluations, Some(0.0)).unwrap();
    let t = texts(&std::fs::read_to_string(&path).unwrap());
    assert!(t.iter().any(|s| s == "evaluations of f") && t.iter().any(|s| s == "f(theta_k) - f*"));
}

#[test]
fn a_series_keeps_its_colour_across_figures() {
    let colour = |svg: &str, name: &str| -> Option<String> {
        // The legend mark drawn just before the name's text has the series' stroke colour.
        let i = svg.find(&format!("\n{name}\n"))?;
        let before = &svg[..i];
        let j = before.rfind("stroke=\"")?;
        Some(before[j + 8..j + 15].to_string())
    };
    let (p, q) = (out("c1.svg"), out("c2.svg"));
    let s = |n: &str| Series::new(n, vec![(0.0, 1.0), (1.0, 2.0)]);
    lines(&p, "first", ("x", "y"), &[s("alpha"), s("beta")], false).unwrap();
    lines(&q, "second", ("x", "y"), &[s("beta"), s("alpha")], false).unwrap();
    let (a, b) = (
        std::fs::read_to_string(&p).unwrap(),
        std::fs::read_to_string(&q).unwrap(),
    );
    assert_eq!(colour(&a, "alpha"), colour(&b, "alpha"));
    assert_eq!(colour(&a, "beta"), colour(&b, "beta"));
    assert_ne!(colour(&a, "alpha"), colour(&a, "beta"));
}

/// One figure of each kind, checked for its texts and rendered.
fn every_kind() -> Vec<(PathBuf, Vec<&'static str>)> {
    let mut rng = Rng::new(1);
    let mut kinds = Vec::new();
    let p = out("fit.svg");
    let x: Vec<f64> = (0..15).map(|i| i as f64 / 14.0).collect();
    let y: Vec<f64> = x.iter().map(|v| (6.0 * v).sin()).collect();
    fit(
        &p,
        "Fits",
        (&x, &y),
        &[Series::new("cubic", x.iter().map(|&v| (v, v)).collect())],
    )
    .unwrap();
    kinds.push((p, vec!["Fits", "x", "y", "data", "cubic"]));
    let p = out("l1.svg");
    let t: Vec<f64> = (-10..=10).map(|i| i as f64 / 10.0).collect();
    landscape_1d(
        &p,
        "Along Delta",
        &t,
        &t.iter().map(|v| v * v).collect::<Vec<_>>(),
    )
    .unwrap();
    kinds.push((p, vec!["Along Delta", "t", "loss"]));
    let p = out("l2.svg");
    let g: Vec<f64> = (-8..=8).map(|i| i as f64 / 4.0).collect();
    let z = Tensor::from_fn(g.len(), g.len(), |i, j| g[j] * g[j] + 3.0 * g[i] * g[i]);
    landscape_2d(&p, "Plane", (&g, &g), &z, 5).unwrap();
    kinds.push((
        p,
        vec!["Plane", "a (along Delta_1)", "b (along Delta_2)", "loss"],
    ));
    let p = out("hist.svg");
    let v: Vec<f64> = (0..500).map(|_| rng.normal()).collect();
    histogram(&p, "Draws", "z", &v, 20).unwrap();
    kinds.push((p, vec!["Draws", "z", "count"]));
    let p = out("hist_runs.svg");
    histories(
        &p,
        "Runs",
        &[&history("SGD", 50, 0.9)],
        XAxis::Seconds,
        None,
    )
    .unwrap();
    kinds.push((p, vec!["Runs", "seconds", "SGD"]));
    kinds
}

#[test]
fn every_kind_has_its_texts() {
    for (path, want) in every_kind() {
        let t = texts(&std::fs::read_to_string(&path).unwrap());
        for w in want {
            assert!(
                t.iter().any(|s| s == w),
                "{}: no text {w:?} in {t:?}",
                path.display()
            );
        }
    }
}

#[test]
fn every_kind_renders_to_a_picture_that_is_not_blank() {
    if Command::new("rsvg-convert")
        .arg("--version")
        .output()
        .is_err()
    {
        println!("skipped: rsvg-convert is not installed (Debian package librsvg2-bin)");
        return;
    }
    let render = |svg: &PathBuf| -> usize {
        let png = svg.with_extension("png");
        let ok = Command::new("rsvg-convert")
            .args(["-b", "white", "-o"])
            .arg(&png)
            .arg(svg)
            .status()
            .unwrap();
        assert!(ok.success(), "rsvg-convert failed on {}", svg.display());
        std::fs::metadata(&png).unwrap().len() as usize
    };
    // A blank white page of the same size compresses to almost nothing; a figure does not.
    let blank = out("blank.svg");
    std::fs::write(
        &blank,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"></svg>"#,
    )
    .unwrap();
    let blank_size = render(&blank);
    for (path, _) in every_kind() {
        let size = render(&path);
        assert!(
            size > 5 * blank_size,
            "{}: {size} bytes of PNG vs {blank_size} for a blank page",
            path.display()
        );
    }
}

#[test]
fn a_failed_write_names_the_path() {
    let err = lines("/proc/no/such/dir/x.svg", "t", ("x", "y"), &[], false).unwrap_err();
    assert!(
        err.to_string().starts_with("/proc/no/such/dir/x.svg: "),
        "{err}"
    );
}

/// A million-point data set: the figure draws an evenly strided 2000 and says so.
#[test]
fn a_large_data_set_is_drawn_as_a_subset() {
    let n = 1_000_000;
    let x: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    let y: Vec<f64> = x.iter().map(|v| v.sin()).collect();
    let path = out("large_fit.svg");
    fit(&path, "a million points", (&x, &y), &[]).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.len() < 1_000_000, "{} bytes", svg.len());
    assert!(
        texts(&svg)
            .iter()
            .any(|t| t == "data (2000 of 1000000 shown)"),
        "{:?}",
        texts(&svg)
    );
    assert_eq!(svg.matches("<circle").count(), tapegrad::plot::MAX_DOTS + 1); // and the legend dot
}
