//! Tells the library whether this compiler has stable AVX-512 (Rust 1.89 and later).
//!
//! The crate builds on Rust 1.85 (its `rust-version`); the AVX-512 matmul kernel uses
//! `target_feature(enable = "avx512f")` and its intrinsics, stable from 1.89. With an older
//! compiler the kernel is left out and the AVX2+FMA and portable paths remain.

use std::process::Command;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(tapegrad_avx512)");
    println!("cargo::rerun-if-env-changed=RUSTC");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let minor = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|v| minor_version(&v));
    if minor.is_some_and(|m| m >= 89) {
        println!("cargo::rustc-cfg=tapegrad_avx512");
    }
}

/// `Some(89)` for "rustc 1.89.0 (...)" (and for nightlies and betas of 1.89).
fn minor_version(version: &str) -> Option<u32> {
    let rest = version.strip_prefix("rustc 1.")?;
    rest.split('.').next()?.parse().ok()
}
