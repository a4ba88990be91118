//! The public API, listed: every path a user can name (modules, types, functions, methods,
//! fields, variants, constants), read from rustdoc's JSON output and compared with
//! `API.txt` at the repository's root, so that a change to the surface shows in review.
//!
//! After a deliberate change, write the listing again:
//! `TAPEGRAD_BLESS_API=1 cargo test --test public_api -- --ignored`.
//! (rustdoc's JSON is a nightly feature: the test needs the nightly toolchain, which
//! `.ci/run` installs.)

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::process::Command;

/// The listing: one line per public name, `kind path`, sorted. An item reachable by several
/// paths is listed in full (its methods, fields, variants) at one of them, its own module's
/// if that is public, else the shortest outside the prelude; every other path is a `use` line naming it.
fn listing() -> Vec<String> {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("public-api");
    let out = Command::new("cargo")
        .args(["+nightly", "rustdoc", "--quiet", "-p", "tapegrad", "--lib"])
        .args(["--all-features", "--target-dir"])
        .arg(&target)
        .args(["--", "-Z", "unstable-options", "--output-format", "json"])
        .env_remove("RUSTDOCFLAGS")
        .output()
        .expect("cargo +nightly rustdoc runs (is the nightly toolchain installed?)");
    assert!(
        out.status.success(),
        "cargo +nightly rustdoc failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(target.join("doc/tapegrad.json")).expect("tapegrad.json");
    let doc: Value = serde_json::from_str(&text).expect("rustdoc's JSON");
    let mut walk = Walk {
        index: &doc["index"],
        at: BTreeMap::new(),
        lines: BTreeSet::new(),
    };
    walk.module(&id(&doc["root"]), "tapegrad", &mut HashSet::new());
    // Each item's one full listing, at its own path if public, else its shortest.
    let at = std::mem::take(&mut walk.at);
    for (item, paths) in &at {
        let own = doc["paths"].get(item.as_str()).and_then(|p| {
            let parts: Vec<&str> = p["path"]
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            Some(parts.join("::"))
        });
        let home = match own.filter(|own| paths.contains(own)) {
            Some(own) => own,
            None => paths
                .iter()
                .min_by_key(|p| {
                    (
                        p.contains("::prelude::"),
                        p.matches("::").count(),
                        p.to_string(),
                    )
                })
                .expect("a path")
                .clone(),
        };
        for p in paths.iter().filter(|&p| *p != home) {
            walk.lines.insert(format!("use {p} = {home}"));
        }
        walk.emit(&walk.index[item.as_str()], &home);
    }
    walk.lines.into_iter().collect()
}

fn id(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => panic!("an id, got {other}"),
    }
}

struct Walk<'a> {
    index: &'a Value,
    /// Every path of every public item that is not a module.
    at: BTreeMap<String, BTreeSet<String>>,
    lines: BTreeSet<String>,
}

impl<'a> Walk<'a> {
    fn item(&self, id: &str) -> Option<&'a Value> {
        self.index.get(id)
    }

    /// Records the paths of module `module`'s public items (under `path`), and its modules'.
    fn module(&mut self, module: &str, path: &str, seen: &mut HashSet<(String, String)>) {
        if !seen.insert((module.to_string(), path.to_string())) {
            return;
        }
        let Some(items) = self
            .item(module)
            .and_then(|m| m["inner"]["module"]["items"].as_array())
        else {
            return;
        };
        for child in items {
            let Some(item) = self.item(&id(child)) else {
                continue;
            };
            let (target, name) = match item["inner"].get("use") {
                Some(u) => {
                    let name = u["name"].as_str().unwrap_or("?");
                    let target = (!u["id"].is_null()).then(|| id(&u["id"]));
                    match target.filter(|t| self.item(t).is_some()) {
                        Some(t) if u["is_glob"].as_bool() == Some(true) => {
                            self.module(&t, path, seen);
                            continue;
                        }
                        Some(t) => (t, name),
                        // A re-export of another crate's item (`approx`).
                        None => {
                            self.lines.insert(format!("use {path}::{name}"));
                            continue;
                        }
                    }
                }
                None => match item["name"].as_str() {
                    Some(name) => (id(child), name),
                    None => continue,
                },
            };
            let full = format!("{path}::{name}");
            if self.index[target.as_str()]["inner"].get("module").is_some() {
                self.lines.insert(format!("mod {full}"));
                self.module(&target, &full, seen);
            } else {
                self.at.entry(target).or_default().insert(full);
            }
        }
    }

    /// The full listing of `item` at `full`.
    fn emit(&mut self, item: &'a Value, full: &str) {
        let inner = item["inner"].as_object().expect("an item's inner");
        let (kind, body) = inner.iter().next().expect("one kind");
        match kind.as_str() {
            "struct" => {
                self.lines.insert(format!("struct {full}"));
                if let Some(fields) = body["kind"]["plain"]["fields"].as_array() {
                    for f in fields {
                        if let Some(f) = self.item(&id(f)) {
                            let f = f["name"].as_str().unwrap_or("?");
                            self.lines.insert(format!("field {full}::{f}"));
                        }
                    }
                }
                self.inherent(body, full);
            }
            "enum" => {
                self.lines.insert(format!("enum {full}"));
                for v in body["variants"].as_array().into_iter().flatten() {
                    if let Some(v) = self.item(&id(v)) {
                        let v = v["name"].as_str().unwrap_or("?");
                        self.lines.insert(format!("variant {full}::{v}"));
                    }
                }
                self.inherent(body, full);
            }
            "trait" => {
                self.lines.insert(format!("trait {full}"));
                for m in body["items"].as_array().into_iter().flatten() {
                    if let Some(m) = self.item(&id(m)) {
                        let k = m["inner"].as_object().and_then(|o| o.keys().next());
                        let m = m["name"].as_str().unwrap_or("?");
                        self.lines
                            .insert(format!("{} {full}::{m}", short(k.map_or("?", |k| k))));
                    }
                }
            }
            other => {
                self.lines.insert(format!("{} {full}", short(other)));
            }
        }
    }

    /// The public items of a type's own `impl` blocks (not its trait impls).
    fn inherent(&mut self, body: &'a Value, full: &str) {
        for i in body["impls"].as_array().into_iter().flatten() {
            let Some(imp) = self.item(&id(i)) else {
                continue;
            };
            let imp = &imp["inner"]["impl"];
            if !imp["trait"].is_null() || imp["is_synthetic"].as_bool() == Some(true) {
                continue;
            }
            for m in imp["items"].as_array().into_iter().flatten() {
                let Some(m) = self.item(&id(m)) else { continue };
                if m["visibility"].as_str() != Some("public") {
                    continue;
                }
                let k = m["inner"].as_object().and_then(|o| o.keys().next());
                let name = m["name"].as_str().unwrap_or("?");
                self.lines
                    .insert(format!("{} {full}::{name}", short(k.map_or("?", |k| k))));
            }
        }
    }
}

fn short(kind: &str) -> &str {
    match kind {
        "function" => "fn",
        "constant" | "assoc_const" => "const",
        "type_alias" | "assoc_type" => "type",
        "module" => "mod",
        other => other,
    }
}

#[test]
#[ignore = "needs the nightly toolchain (rustdoc's JSON output)"]
fn the_public_api_is_the_listed_one() {
    let lines = listing();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../API.txt");
    let now = lines.join("\n") + "\n";
    if std::env::var_os("TAPEGRAD_BLESS_API").is_some() {
        std::fs::write(&file, &now).expect("write API.txt");
    }
    let held = std::fs::read_to_string(&file).unwrap_or_default();
    if held != now {
        let held: BTreeSet<&str> = held.lines().collect();
        let now: BTreeSet<&str> = now.lines().collect();
        let gone: Vec<_> = held.difference(&now).collect();
        let new: Vec<_> = now.difference(&held).collect();
        panic!(
            "the public API differs from API.txt ({} lines now):\n  no longer public: {gone:?}\n  newly public: {new:?}\n\
             if deliberate: TAPEGRAD_BLESS_API=1 cargo test --test public_api -- --ignored",
            now.len()
        );
    }
}
