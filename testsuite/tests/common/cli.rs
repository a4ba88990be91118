//! Running the examples as a user does: their binaries beside the test's, short settings
//! for each, a fresh directory per run, stdout as text.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Every example, as `cargo run --example NAME` runs it.
pub const EXAMPLES: [&str; 17] = [
    "sin_poly_fit",
    "optimal_step",
    "backprop_by_hand",
    "kernel_lstsq",
    "save_and_load",
    "train_loop",
    "gd_sgd_schedules",
    "implicit_bias",
    "interpolation",
    "loss_landscape",
    "mlp_choices",
    "check_my_backprop",
    "speed",
    "gallery",
    "flat_vs_sharp",
    "custom_op",
    "speed_grid",
];

/// The examples that draw figures through `tapegrad::plot`.
pub const PLOTTING: [&str; 10] = [
    "sin_poly_fit",
    "optimal_step",
    "kernel_lstsq",
    "train_loop",
    "gd_sgd_schedules",
    "implicit_bias",
    "interpolation",
    "loss_landscape",
    "mlp_choices",
    "flat_vs_sharp",
];

/// Arguments that make each example quick (a few seconds at most in the dev profile).
pub fn quick(name: &str) -> &'static [&'static str] {
    match name {
        "sin_poly_fit" => &["--steps", "200"],
        "optimal_step" => &["--epochs", "1", "--every", "8"],
        "kernel_lstsq" => &["--iters", "5"],
        "save_and_load" => &["--steps", "200"],
        "train_loop" => &["--steps", "50"],
        "gd_sgd_schedules" => &["--gd-steps", "2000", "--sgd-steps", "2000"],
        "implicit_bias" => &[
            "--sgd-steps",
            "20000",
            "--adam-steps",
            "20000",
            "--scaled-steps",
            "20000",
        ],
        "interpolation" => &["--sets", "4", "--dims", "15,2", "--compare", "none"],
        "loss_landscape" => &["--epochs", "500", "--grid", "5", "--seeds", "2"],
        "mlp_choices" => &["--epochs", "300"],
        "speed" => &["--quick", "--reps", "1"],
        "speed_grid" => &[
            "--h",
            "4,8",
            "--b",
            "1,3",
            "--reps",
            "2",
            "--target-ms",
            "0.2",
        ],
        "gallery" => &["--only", "optimal_step,train_loop"],
        "flat_vs_sharp" => &["--seeds", "20"],
        _ => &[],
    }
}

/// The example's binary, next to this test's in the target directory.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run the whole `cargo test` (it builds the examples) or `cargo build --examples`",
        path.display()
    );
    path
}

/// A fresh, empty directory under the system's temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "tapegrad-examples-{}-{tag}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn run(name: &str, args: &[&str]) -> Output {
    Command::new(binary(name))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {name}: {e}"))
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The stdout of `name` run with `--out dir` and `args`, as text (what a reader sees).
pub fn says(name: &str, dir: &Path, args: &[&str]) -> String {
    let mut a = vec!["--out", dir.to_str().expect("a UTF-8 path")];
    a.extend_from_slice(args);
    text(&run(name, &a).stdout)
}
