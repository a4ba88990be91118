//! Every figure the examples draw, in one place: runs each plotting example with its
//! default settings (the course's, where it sets them), each into its own folder, and writes
//! `index.html` showing every figure beside the command that made it.
//!
//! ```text
//! cargo run --example gallery                  # target/tapegrad-plots/gallery/index.html
//! cargo run --example gallery -- --only mlp_choices,implicit_bias
//! ```

#[macro_use]
mod common;

use common::Cli;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio, exit};

const ABOUT: &str = "Every figure the examples draw, in one place: runs each plotting example with \
its default settings into its own folder under --out, and writes index.html there, showing each \
figure beside the command that made it. The examples are built first if they are not.";

/// The examples that draw figures, with what their figures show.
const EXAMPLES: [(&str, &str); 11] = [
    (
        "sin_poly_fit",
        "Polynomial least squares on [2, 5]: fits and loss gaps per feature basis",
    ),
    (
        "gd_sgd_schedules",
        "Exercise 2: GD and SGD with step-size schedules, iterates and averages",
    ),
    (
        "mlp_choices",
        "Exercise 3: MLP fits on [-1.1, 1.1] and [-11, 11]",
    ),
    (
        "loss_landscape",
        "Exercise 3e: loss landscapes in 1-D and 2-D",
    ),
    (
        "implicit_bias",
        "Exercise 4: implicit regularization, projections of c a",
    ),
    (
        "flat_vs_sharp",
        "Exercise 5: does SGD leave a sharp minimum that GD stays in?",
    ),
    (
        "interpolation",
        "Homework: interpolating 20 points with an MLP",
    ),
    (
        "kernel_lstsq",
        "Linear(600, 1) against the closed form: L-BFGS",
    ),
    (
        "optimal_step",
        "The locally optimal step against SGD's learning rate",
    ),
    (
        "train_loop",
        "The training loop: three optimizers on one MLP",
    ),
    (
        "backprop_by_hand",
        "The tape drawn as a graph (and the backward sweep as a page)",
    ),
];

/// HTML text escaping.
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The example binaries' folder (beside this one), built first when one is missing.
fn binaries(only: &[&str]) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| {
        eprintln!("gallery: cannot find this program's path: {e}");
        exit(1)
    });
    let dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if only.iter().all(|n| dir.join(n).exists()) {
        return dir;
    }
    let release = dir
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|p| p == "release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    eprintln!("gallery: building the examples first ({cargo} build --examples)");
    let mut build = Command::new(&cargo);
    build
        .args(["build", "--examples", "--manifest-path"])
        .arg(&manifest);
    if release {
        build.arg("--release");
    }
    match build.status() {
        Ok(s) if s.success() => dir,
        Ok(s) => {
            eprintln!("gallery: building the examples failed ({s})");
            exit(1)
        }
        Err(e) => {
            eprintln!("gallery: cannot run {cargo}: {e}");
            exit(1)
        }
    }
}

fn main() {
    let args = Cli::new("gallery", ABOUT)
        .optional(
            "only",
            "A,B",
            "run only these examples (comma-separated names)",
        )
        .example("cargo run --example gallery")
        .example("cargo run --example gallery -- --only mlp_choices,implicit_bias --out figures")
        .parse();
    let only: Vec<&str> = match args.opt::<String>("only") {
        Some(list) => {
            let names: Vec<&str> = list.split(',').map(str::trim).collect();
            for n in &names {
                if !EXAMPLES.iter().any(|(e, _)| e == n) {
                    let known: Vec<&str> = EXAMPLES.iter().map(|e| e.0).collect();
                    args.fail(&format!(
                        "--only: no plotting example {n:?} (the examples: {})",
                        known.join(", ")
                    ));
                }
            }
            EXAMPLES
                .iter()
                .map(|e| e.0)
                .filter(|e| names.contains(e))
                .collect()
        }
        None => EXAMPLES.iter().map(|e| e.0).collect(),
    };
    let out = args.out_dir();
    let bin = binaries(&only);
    let mut sections = Vec::new();
    let mut listing = Vec::new();
    for (name, what) in EXAMPLES.iter().filter(|e| only.contains(&e.0)) {
        let dir = out.join(name);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("gallery: cannot create directory {}: {e}", dir.display());
            exit(1);
        }
        let start = std::time::Instant::now();
        let status = Command::new(bin.join(name))
            .arg("--out")
            .arg(&dir)
            .stdout(Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                eprintln!(
                    "gallery: {name} failed ({s}); run `cargo run --example {name}` to see why"
                );
                exit(1);
            }
            Err(e) => {
                eprintln!("gallery: cannot run {name}: {e}");
                exit(1);
            }
        }
        let seconds = start.elapsed().as_secs_f64();
        let mut figures: Vec<String> = std::fs::read_dir(&dir)
            .map(|r| {
                r.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|f| f.ends_with(".svg"))
                    .collect()
            })
            .unwrap_or_default();
        figures.sort();
        if !args.json() {
            let noun = if figures.len() == 1 {
                "figure "
            } else {
                "figures"
            };
            outln!("{name:<18} {:>2} {noun}  {seconds:>5.1} s", figures.len());
        }
        let command = format!("cargo run --example {name}");
        let mut cards = String::new();
        for f in &figures {
            cards.push_str(&format!(
                "<figure><a href=\"{n}/{f}\"><img src=\"{n}/{f}\" alt=\"{f}\" loading=\"lazy\"></a><figcaption>{f}</figcaption></figure>\n",
                n = html(name),
                f = html(f)
            ));
        }
        let page = if dir.join("backprop.html").exists() {
            format!(
                " &middot; <a href=\"{}/backprop.html\">the backward sweep, step by step</a>",
                html(name)
            )
        } else {
            String::new()
        };
        sections.push(format!(
            "<section><h2>{}</h2><p>{}. Made by <code>{}</code> in {seconds:.1} s{page}.</p>\n<div class=\"grid\">\n{cards}</div></section>\n",
            html(name),
            html(what),
            html(&command)
        ));
        listing.push(
            json!({ "example": name, "command": command, "seconds": seconds,
                             "figures": figures.iter().map(|f| dir.join(f)).collect::<Vec<_>>() }),
        );
    }
    let index = out.join("index.html");
    let doc = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tapegrad: every figure</title>\n<style>\n\
         body {{ font-family: DejaVu Sans, Verdana, sans-serif; margin: 24px; color: #222; }}\n\
         h2 {{ margin-bottom: 4px; }} code {{ background: #f2f2f2; padding: 1px 4px; }}\n\
         .grid {{ display: flex; flex-wrap: wrap; gap: 16px; }}\n\
         figure {{ margin: 0; border: 1px solid #ddd; padding: 6px; max-width: 100%; overflow-x: auto; }}\n\
         figure img {{ display: block; }}\n\
         figcaption {{ font-size: 14px; color: #555; }}\n</style></head><body>\n\
         <h1>tapegrad: every figure the examples draw</h1>\n\
         <p>Each example ran with its default settings. Click a figure for its SVG.</p>\n{}</body></html>\n",
        sections.join("\n")
    );
    args.write_file(&index, &doc);
    if args.json() {
        outln!("{}", json!({ "index": index, "examples": listing }));
    } else {
        outln!("\nGallery: {}", index.display());
    }
}
