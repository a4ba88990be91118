//! The crate's modules depend downward only, in the layers ARCHITECTURE.md lists.
//!
//! The test reads the `src/` tree and collects, for each top-level module (`tensor`, `tape`,
//! `nn`, ...: every `mod` declared in `src/lib.rs`), the other top-level modules it names with
//! a `crate::<module>` path: in `use` lines (`use crate::{a::X, b::Y}` groups too) and inline
//! paths, through the crate root's re-exports (`crate::Tape` is `tape`), and with `super::`
//! chains that climb to the root (`super::super::x` in `src/a/b.rs`). Comments (doc
//! comments and the doc tests in them too), string literals and `#[cfg(test)]` items are left
//! out: they are not part of the library's build graph.
//!
//! `ops` and `tape` depend on each other by design: the files of `ops` define the `impl Var`
//! methods that record each op, and the tape records `Op`s and runs their rules. They are one
//! layer: the cycle search treats `ops` and `tape` as a single node (`ops+tape`), so that pair
//! is the one cycle allowed, and a cycle through either of them and some third module is
//! still found.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The two modules that are one layer, by design.
const ONE_LAYER: [&str; 2] = ["ops", "tape"];

/// The top-level modules declared in `src/lib.rs` (`mod x;`, `pub mod x;`, with attributes).
fn top_level_modules(lib: &str) -> BTreeSet<String> {
    let code = strip(lib);
    let mut modules = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim();
        let line = line.strip_prefix("pub ").unwrap_or(line);
        if let Some(rest) = line.strip_prefix("mod ")
            && let Some(name) = rest.strip_suffix(';')
        {
            modules.insert(name.trim().to_string());
        }
    }
    modules
}

/// The crate root's re-exports of single items, `pub use module::...::{A, B};`: `A` -> module.
fn root_items(lib: &str) -> BTreeMap<String, String> {
    let code = strip(lib);
    let mut items = BTreeMap::new();
    for stmt in code.split(';') {
        let stmt = stmt.trim();
        let Some(path) = stmt.strip_prefix("pub use ") else {
            continue;
        };
        let path = path.strip_prefix("crate::").unwrap_or(path);
        let Some((module, rest)) = path.split_once("::") else {
            continue;
        };
        let names = rest.rsplit("::").next().unwrap_or(rest);
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = name.trim();
            if !name.is_empty() {
                items.insert(name.to_string(), module.to_string());
            }
        }
    }
    items
}

/// `src` with comments and the contents of string and char literals blanked (newlines kept),
/// so that what is left is code.
fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let blank = |out: &mut Vec<u8>, c: u8| out.push(if c == b'\n' { b'\n' } else { b' ' });
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
        } else if c == b'r'
            && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
            && (i == 0
                || b[i - 1] == b'b'
                || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            // A raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.extend(std::iter::repeat_n(b' ', j + 1 - i));
            i = j + 1;
            while i < b.len() {
                if b[i] == b'"'
                    && b[i + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&h| h == b'#')
                        .count()
                        == hashes
                {
                    out.extend(std::iter::repeat_n(b' ', hashes + 1));
                    i += hashes + 1;
                    break;
                }
                blank(&mut out, b[i]);
                i += 1;
            }
        } else if c == b'"' {
            out.push(b' ');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    out.push(b' ');
                    i += 1;
                }
                if i < b.len() {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
            out.push(b' ');
            i += 1;
        } else if c == b'\'' {
            // A char literal ('x', '\n', '\u{..}', '"'), or a lifetime ('a), left as it is.
            let end = if b.get(i + 1) == Some(&b'\\') {
                // The escaped char itself may be a quote: '\''.
                b.get(i + 3..)
                    .and_then(|r| r.iter().position(|&x| x == b'\''))
                    .map(|p| i + 3 + p)
            } else if b.get(i + 2) == Some(&b'\'') {
                Some(i + 2)
            } else {
                // A multi-byte UTF-8 char: up to 4 bytes, then the closing quote.
                (i + 2..(i + 6).min(b.len())).find(|&j| {
                    b[j] == b'\''
                        && std::str::from_utf8(&b[i + 1..j]).is_ok_and(|s| s.chars().count() == 1)
                })
            };
            match end {
                Some(end) => {
                    out.extend(std::iter::repeat_n(b' ', end + 1 - i));
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8(out).expect("only ASCII was written over")
}

/// `code` (stripped) without the items under `#[cfg(test)]`: a `mod tests { ... }`, a
/// `use ...;`, a `fn ... { ... }`: up to the first `;` outside all brackets or the end of the
/// first `{ ... }` block, whichever comes first.
fn without_test_items(code: &str) -> String {
    const ATTR: &str = "#[cfg(test)]";
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find(ATTR) {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let (mut braces, mut others) = (0usize, 0usize);
        let mut end = after.len();
        for (k, ch) in after.char_indices().skip(ATTR.len()) {
            match ch {
                '{' => braces += 1,
                '(' | '[' => others += 1,
                ')' | ']' => others -= 1,
                '}' => {
                    braces -= 1;
                    if braces == 0 && others == 0 {
                        end = k + 1;
                        break;
                    }
                }
                ';' if braces == 0 && others == 0 => {
                    end = k + 1;
                    break;
                }
                _ => {}
            }
        }
        // Keep the line count, for nothing but readable offsets when debugging.
        out.extend(after[..end].chars().filter(|&c| c == '\n'));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first segments of the paths that start at `rest` (just after `crate::`): one name,
/// or each path's first name in a group `{a::X, b::{Y, Z}, C}`.
fn first_segments(rest: &str, found: &mut BTreeSet<String>) {
    let rest = rest.trim_start();
    let Some(group) = rest.strip_prefix('{') else {
        let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
        if !name.is_empty() {
            found.insert(name);
        }
        return;
    };
    let mut depth = 1usize;
    let mut at_start = true;
    let mut word = String::new();
    for ch in group.chars() {
        match ch {
            '{' => {
                if depth == 1 && !word.is_empty() {
                    found.insert(std::mem::take(&mut word));
                }
                depth += 1;
                at_start = false;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => {
                if !word.is_empty() {
                    found.insert(std::mem::take(&mut word));
                }
                at_start = true;
            }
            c if depth == 1 && at_start && is_ident(c) => word.push(c),
            c if depth == 1 && at_start && !word.is_empty() && !c.is_whitespace() => {
                found.insert(std::mem::take(&mut word));
                at_start = false;
            }
            _ => {}
        }
    }
    if !word.is_empty() {
        found.insert(word);
    }
}

/// How many inline `mod name { ... }` blocks enclose byte `at` of `code`.
fn inline_mod_depth(code: &str, at: usize) -> usize {
    let mut stack = Vec::new();
    for (k, ch) in code[..at].char_indices() {
        match ch {
            '{' => {
                let before = code[..k].trim_end();
                let name_start = before.trim_end_matches(is_ident);
                let is_mod = name_start.len() < before.len()
                    && name_start
                        .trim_end()
                        .strip_suffix("mod")
                        .is_some_and(|b| !b.chars().next_back().is_some_and(is_ident));
                stack.push(is_mod);
            }
            '}' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.into_iter().filter(|&m| m).count()
}

/// The first segments of the paths in `code` that start at the crate root: after `crate::`
/// (`crate::tape::Var` gives `tape`, `crate::{tape::Var, tensor::Tensor}` gives `tape` and
/// `tensor`, `crate::Tape` gives `Tape`), and after a chain of `super::` that climbs to the
/// root from a file `depth` modules down (`super::super::x` in `src/a/b.rs` is `crate::x`).
fn root_paths(code: &str, depth: usize) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        if !code[..at].chars().next_back().is_some_and(is_ident) {
            first_segments(&code[at + "crate::".len()..], &mut found);
        }
    }
    for (at, _) in code.match_indices("super::") {
        let before = &code[..at];
        if before.chars().next_back().is_some_and(is_ident) || before.ends_with("::") {
            continue; // not the start of a chain
        }
        let mut rest = &code[at..];
        let mut climbs = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
            climbs += 1;
        }
        if climbs == depth + inline_mod_depth(code, at) {
            first_segments(rest, &mut found);
        }
    }
    found
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// `module -> the other top-level modules it uses`, with one example of a file for each edge.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn module_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src");
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
    let modules = top_level_modules(&lib);
    let items = root_items(&lib);
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeMap::new()))
        .collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap();
        let module = first.strip_suffix(".rs").unwrap_or(first);
        if module == "lib" {
            continue;
        }
        assert!(
            modules.contains(module),
            "{} is in no module of lib.rs",
            rel.display()
        );
        let code = without_test_items(&strip(&fs::read_to_string(&file).unwrap()));
        // `a.rs` and `a/mod.rs` are one module below the root, `a/b.rs` two.
        let depth = rel.components().count() - usize::from(rel.ends_with("mod.rs"));
        for name in root_paths(&code, depth) {
            let target = if modules.contains(&name) {
                name
            } else if let Some(m) = items.get(&name) {
                m.clone()
            } else {
                continue; // a macro or an item defined in lib.rs itself
            };
            if target != module {
                graph
                    .get_mut(module)
                    .unwrap()
                    .entry(target)
                    .or_insert_with(|| rel.display().to_string());
            }
        }
    }
    graph
}

/// The strongly connected components of `graph` with more than one module (Tarjan): each is
/// a set of modules that all reach each other, so each holds at least one cycle.
fn tangles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        found: Vec<BTreeSet<String>>,
    }
    fn connect<'g>(v: &'g str, s: &mut State<'g>) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        for w in &s.graph[v] {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                connect(w, s);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.stack.contains(&w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                component.insert(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            connect(v, &mut s);
        }
    }
    s.found
}

/// One cycle through the modules of `component`, `[a, b, ..., a]`: from its first module,
/// a shortest path back to it (breadth-first search inside the component).
fn cycle_in(
    graph: &BTreeMap<String, BTreeSet<String>>,
    component: &BTreeSet<String>,
) -> Vec<String> {
    let start = component.first().unwrap();
    let mut parent: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start.as_str()]);
    while let Some(v) = queue.pop_front() {
        for w in graph[v].iter().filter(|w| component.contains(*w)) {
            if w == start {
                let mut path = vec![start.clone(), v.to_string()];
                let mut at = v;
                while at != start {
                    at = parent[at];
                    path.push(at.to_string());
                }
                path.reverse();
                return path;
            }
            if !parent.contains_key(w.as_str()) {
                parent.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    unreachable!("a strongly connected component has a cycle through each of its modules")
}

/// The graph with `ops` and `tape` merged into the one node `ops+tape`.
fn layered(graph: &Graph) -> BTreeMap<String, BTreeSet<String>> {
    let node = |m: &str| {
        if ONE_LAYER.contains(&m) {
            ONE_LAYER.join("+")
        } else {
            m.to_string()
        }
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in graph {
        let set = out.entry(node(from)).or_default();
        for to in tos.keys() {
            if node(to) != node(from) {
                set.insert(node(to));
            }
        }
    }
    out
}

fn describe(graph: &Graph) -> String {
    graph
        .iter()
        .map(|(m, deps)| {
            let deps: Vec<String> = deps.iter().map(|(d, f)| format!("{d} ({f})")).collect();
            format!("  {m} -> {}", deps.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module graph has no cycle, except `ops` <-> `tape` (one layer, see the module doc).
/// A failure prints every tangle (modules that all reach each other), one cycle in each, and
/// the whole graph with a file for each edge.
#[test]
fn module_graph_has_no_cycle() {
    let graph = module_graph();
    let layered = layered(&graph);
    let found = tangles(&layered);
    if !found.is_empty() {
        let cycles: Vec<String> = found
            .iter()
            .map(|c| {
                let modules: Vec<&str> = c.iter().map(String::as_str).collect();
                format!(
                    "  {{{}}}: for one, {}",
                    modules.join(", "),
                    cycle_in(&layered, c).join(" -> ")
                )
            })
            .collect();
        panic!(
            "the modules form cycles:\n{}\nthe whole graph (each edge with one file that makes it):\n{}",
            cycles.join("\n"),
            describe(&graph)
        );
    }
}

/// The upward dependencies that were removed stay removed: the optimizers work on flat
/// slices (no tape), the tensor is below the tape and the kernels' users, the tape does not
/// know its viewers, the second-order check sits with the checks, and replay, the checks and
/// the file formats take `Params` from `params`, not from the layers in `nn`.
#[test]
fn named_modules_do_not_depend_upward() {
    let graph = module_graph();
    let forbidden = [
        ("optim", "tape"),
        // The optimizer updates are plain loops: no SIMD trampoline in what a student reads.
        ("optim", "wide"),
        ("tensor", "tape"),
        ("tensor", "linalg"),
        ("tape", "inspect"),
        ("hessian", "gradcheck"),
        ("replay", "nn"),
        ("gradcheck", "nn"),
        ("io", "nn"),
    ];
    let mut broken: Vec<String> = forbidden
        .iter()
        .filter_map(|&(from, to)| {
            let file = graph.get(from)?.get(to)?;
            Some(format!("{from} uses {to} (in src/{file})"))
        })
        .collect();
    // `params` sits just above the tape: it may use `tensor` and `tape`, nothing else.
    for (to, file) in &graph["params"] {
        if to != "tensor" && to != "tape" {
            broken.push(format!("params uses {to} (in src/{file})"));
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// The scanner itself: comments, strings, test modules and groups.
#[test]
fn scanner_reads_paths_as_the_compiler_does() {
    let code = r##"
        //! [`crate::inspect`] in a doc comment
        use crate::{tape::{Tape, Var}, tensor::Tensor};
        use crate::Rng;
        /* crate::plot in a block comment */
        fn f() { let s = "crate::io"; let r = r#"crate::nn"#; let c = '"'; crate::linalg::qr(); }
        fn g<'a>(x: &'a str) -> char { '\'' }
        #[cfg(test)]
        mod tests { use crate::optim::Sgd; }
        #[cfg(test)]
        fn layouts(t: &crate::plot::Figure) -> [(u8, u8); 3] { [(0, 0); 3] }
        fn h() { crate::data::points(); }
        fn i() { super::super::io::read(); super::sibling(); }
        mod inner { fn j() { super::super::super::train::fit(); } }
    "##;
    // As in `src/a/b.rs`: two `super::` climb to the root, three from inside `mod inner`.
    let code = without_test_items(&strip(code));
    let got: Vec<String> = root_paths(&code, 2).into_iter().collect();
    assert_eq!(
        got,
        ["Rng", "data", "io", "linalg", "tape", "tensor", "train"]
    );
}

/// The layers of ARCHITECTURE.md: `module -> layer` from its `**N. Title**` headings and the
/// `` - `module` `` (or `` - `a` + `b` ``) items under each.
fn documented_layers() -> BTreeMap<String, usize> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ARCHITECTURE.md");
    let text = fs::read_to_string(path).unwrap();
    let mut layers = BTreeMap::new();
    let mut layer = None;
    for line in text.lines() {
        if line.starts_with("## ") {
            layer = None;
        } else if let Some(title) = line.strip_prefix("**") {
            layer = title
                .split('.')
                .next()
                .and_then(|n| n.parse::<usize>().ok());
        } else if let (Some(n), Some(item)) = (layer, line.strip_prefix("- ")) {
            let head = item.split([':', '(', ',']).next().unwrap();
            for name in head.split('+') {
                let name = name.trim().trim_matches('`');
                if !name.is_empty() && name.chars().all(is_ident) {
                    layers.insert(name.to_string(), n);
                }
            }
        }
    }
    layers
}

/// ARCHITECTURE.md lists every module, each in a layer above every module it uses (`ops` and
/// `tape` share one): the page stays what the code is.
#[test]
fn architecture_md_matches_the_module_graph() {
    let graph = module_graph();
    let layers = documented_layers();
    let mut wrong = Vec::new();
    for module in graph.keys() {
        if !layers.contains_key(module) {
            wrong.push(format!("{module} is in no layer of ARCHITECTURE.md"));
        }
    }
    for module in layers.keys() {
        if !graph.contains_key(module) {
            wrong.push(format!(
                "ARCHITECTURE.md lists {module}, which src/lib.rs does not declare"
            ));
        }
    }
    for (from, tos) in &graph {
        for (to, file) in tos {
            let (Some(&a), Some(&b)) = (layers.get(from), layers.get(to)) else {
                continue;
            };
            let one_layer = ONE_LAYER.contains(&from.as_str()) && ONE_LAYER.contains(&to.as_str());
            if a <= b && !one_layer {
                wrong.push(format!(
                    "{from} (layer {a}) uses {to} (layer {b}) in src/{file}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
