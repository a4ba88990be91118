#![cfg(feature = "plot")]
//! Every figure the examples write, held to the standard of `tapegrad::plot` (see
//! `common/figure.rs`): each plotting example runs with short settings into a temporary
//! directory and each SVG it writes is checked; with `rsvg-convert` (and Python's zlib to
//! read the PNG), each renders to a picture with more than one colour inside every frame.

mod common;

use common::cli::{PLOTTING, binary, quick};

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs every plotting example into its own directory (with the short settings, or with
/// its defaults as a student runs it); returns the SVGs written.
fn figures(tag: &str, defaults: bool) -> Vec<PathBuf> {
    let root = std::env::temp_dir().join(format!("tapegrad-figures-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let mut svgs = Vec::new();
    for name in PLOTTING {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let args: &[&str] = if defaults { &[] } else { quick(name) };
        let out = Command::new(binary(name))
            .args(args)
            .arg("--out")
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "svg"))
            .collect();
        assert!(!found.is_empty(), "{name} wrote no figure");
        found.sort();
        svgs.extend(found);
    }
    svgs
}

#[test]
fn every_figure_of_every_example_meets_the_standard() {
    let mut report = Vec::new();
    let svgs = figures("check", false);
    for path in &svgs {
        for p in common::figure::problems(&std::fs::read_to_string(path).unwrap()) {
            report.push(format!("{}: {p}", path.display()));
        }
    }
    assert!(
        report.is_empty(),
        "{} problems:\n{}",
        report.len(),
        report.join("\n")
    );
    assert!(svgs.len() >= 20, "{} figures", svgs.len());
}

/// The number of distinct colours of the PNG inside each frame of `svg` (one per panel),
/// read with Python's zlib (the PNG is 8-bit RGB or RGBA, as rsvg-convert writes it).
fn colours_in_frames(png: &Path, frames: &[(f64, f64, f64, f64)]) -> Vec<usize> {
    const READ: &str = r#"
import sys, zlib, struct
data = open(sys.argv[1], 'rb').read()
pos, idat, w, h = 8, b'', 0, 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 4 if ctype == 6 else 3
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw, stride = zlib.decompress(idat), bpp * w
rows, prev = [], bytearray(stride)
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
for fr in sys.argv[2:]:
    x0, y0, x1, y1 = [int(float(v)) for v in fr.split(',')]
    seen = {rows[y][bpp * x:bpp * x + bpp] for y in range(y0 + 2, y1 - 1) for x in range(x0 + 2, x1 - 1)}
    print(len(seen))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(READ)
        .arg(png)
        .args(
            frames
                .iter()
                .map(|f| format!("{},{},{},{}", f.0, f.1, f.0 + f.2, f.1 + f.3)),
        )
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect()
}

#[test]
#[ignore = "needs rsvg-convert (Debian: librsvg2-bin) and python3; .ci/run installs and runs it"]
fn every_figure_of_the_default_runs_renders_with_something_in_every_frame() {
    let svgs = figures("render", true);
    for svg in &svgs {
        let png = svg.with_extension("png");
        // At half size: the frames' contents stay visible and Python reads a quarter of the
        // pixels.
        let status = Command::new("rsvg-convert")
            .args(["-z", "0.5", "-o"])
            .arg(&png)
            .arg(svg)
            .status()
            .expect("rsvg-convert is installed (Debian: librsvg2-bin)");
        assert!(status.success(), "rsvg-convert failed on {}", svg.display());
        let text = std::fs::read_to_string(svg).unwrap();
        // A long run is thinned to what the pixels show: no figure weighs megabytes.
        assert!(
            text.len() < 2_000_000,
            "{}: {} bytes",
            svg.display(),
            text.len()
        );
        let doc = roxmltree::Document::parse(&text).unwrap();
        let frames: Vec<(f64, f64, f64, f64)> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("frame"))
            .map(|n| {
                let v = |a: &str| n.attribute(a).unwrap().parse::<f64>().unwrap();
                (
                    v("x") / 2.0,
                    v("y") / 2.0,
                    v("width") / 2.0,
                    v("height") / 2.0,
                )
            })
            .collect();
        for (k, colours) in colours_in_frames(&png, &frames).into_iter().enumerate() {
            assert!(colours > 1, "{}: panel {k} is blank", svg.display());
        }
    }
}

#[test]
fn the_gallery_shows_each_figure_beside_the_command_that_made_it() {
    let dir = std::env::temp_dir().join(format!("tapegrad-gallery-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(binary("gallery"))
        .args(["--only", "optimal_step,train_loop", "--json", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["examples"].as_array().unwrap().len(), 2);
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    for want in [
        "<code>cargo run --example optimal_step</code>",
        "<code>cargo run --example train_loop</code>",
        "src=\"optimal_step/alpha_star.svg\"",
        "src=\"train_loop/loss.svg\"",
    ] {
        assert!(index.contains(want), "no {want} in index.html");
    }
    for f in v["examples"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["figures"].as_array().unwrap())
    {
        assert!(Path::new(f.as_str().unwrap()).exists(), "{f}");
    }
    let bad = Command::new(binary("gallery"))
        .args(["--only", "nope"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--only: no plotting example \"nope\""));
}
