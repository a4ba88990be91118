//! `speed_grid --plot FILE`: the results of both sides (JSON lines, one round of one side
//! each, as `benches/grid.sh` collects them) as a table and a heatmap of the ratios: the
//! replayed step against the best peer in each cell, the best of every round on each side.

use super::common::Args;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// The crate's figures a cell is judged by (the better of the two replayed forms), and the
/// tape's.
const REPLAY: &str = "tapegrad replay";
const FUSED: &str = "tapegrad fused";
const TAPE: &str = "tapegrad tape";

/// Best and median microseconds per step of one implementation in one cell, over rounds.
#[derive(Clone, Copy)]
struct Figure {
    best: f64,
    median: f64,
}

/// `impl -> (H, B) -> figure`: the best of the rounds' bests, the median of their medians.
type Figures = BTreeMap<String, BTreeMap<(usize, usize), Figure>>;

/// What the file holds: every implementation's figures and the CPUs the rounds name.
fn read(args: &Args, file: &Path) -> (Figures, BTreeSet<String>) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| {
        eprintln!("speed_grid: cannot read {}: {e}", file.display());
        std::process::exit(1)
    });
    // (impl, H, B) -> every round's (best, median).
    let mut seen: BTreeMap<(String, usize, usize), Vec<(f64, f64)>> = BTreeMap::new();
    let mut cpus = BTreeSet::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let bad = |what: &str| -> ! {
            eprintln!("speed_grid: {}:{}: {what}", file.display(), n + 1);
            std::process::exit(1)
        };
        let round: Value =
            serde_json::from_str(line).unwrap_or_else(|e| bad(&format!("not JSON: {e}")));
        if let Some(cpu) = round["cpu"].as_str() {
            cpus.insert(cpu.to_string());
        }
        let Some(results) = round["results"].as_array() else {
            bad("no \"results\" list")
        };
        for r in results {
            let (Some(name), Some(h), Some(b), Some(best), Some(median)) = (
                r["impl"].as_str(),
                r["H"].as_u64(),
                r["B"].as_u64(),
                r["best_us"].as_f64(),
                r["median_us"].as_f64(),
            ) else {
                bad(&format!(
                    "a result without impl, H, B, best_us and median_us: {r}"
                ))
            };
            let key = (name.to_string(), h as usize, b as usize);
            seen.entry(key).or_default().push((best, median));
        }
    }
    if seen.is_empty() {
        args.fail(&format!("--plot: {} holds no results", file.display()));
    }
    let mut figures = Figures::new();
    for ((name, h, b), rounds) in seen {
        let mut medians: Vec<f64> = rounds.iter().map(|r| r.1).collect();
        medians.sort_by(f64::total_cmp);
        let best = rounds.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
        let median = medians[medians.len() / 2];
        figures
            .entry(name)
            .or_default()
            .insert((h, b), Figure { best, median });
    }
    (figures, cpus)
}

/// One cell of the heatmap: the replayed step (its faster form, named), the tape and the
/// fastest peer there.
struct Cell {
    h: usize,
    b: usize,
    form: &'static str,
    replay: Figure,
    tape: Option<Figure>,
    peer: Option<(String, Figure)>,
}

impl Cell {
    /// Replayed step / best peer's step (best against best); below 1, the crate is ahead.
    fn ratio(&self) -> Option<f64> {
        self.peer.as_ref().map(|(_, p)| self.replay.best / p.best)
    }
}

fn cells(figures: &Figures) -> Vec<Cell> {
    let Some(replay) = figures.get(REPLAY) else {
        return Vec::new();
    };
    replay
        .iter()
        .map(|(&(h, b), &replayed)| {
            let fused = figures.get(FUSED).and_then(|f| f.get(&(h, b)).copied());
            let (form, fig) = match fused {
                Some(f) if f.best < replayed.best => ("fused", f),
                _ => ("replay", replayed),
            };
            let peer = figures
                .iter()
                .filter(|(name, _)| !name.starts_with("tapegrad"))
                .filter_map(|(name, by)| by.get(&(h, b)).map(|f| (name.clone(), *f)))
                .min_by(|x, y| x.1.best.total_cmp(&y.1.best));
            Cell {
                h,
                b,
                form,
                replay: fig,
                tape: figures.get(TAPE).and_then(|t| t.get(&(h, b)).copied()),
                peer,
            }
        })
        .collect()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A ratio with two decimals, or three where two would print 1.00 for a cell that is not
/// a tie to the last digit.
fn ratio(r: f64) -> String {
    match format!("{r:.2}").as_str() {
        "1.00" => format!("{r:.3}"),
        two => two.to_string(),
    }
}

/// A microsecond figure with three significant digits, as the table prints it.
fn us(v: f64) -> String {
    match v {
        v if v >= 100.0 => format!("{v:.0}"),
        v if v >= 10.0 => format!("{v:.1}"),
        v => format!("{v:.2}"),
    }
}

/// The heatmap: columns H, rows B, each cell coloured by log2 of its ratio (green: the replay
/// ahead, red: behind) and labelled with the ratio, the peer and both times.
fn svg(cells: &[Cell], cpus: &BTreeSet<String>) -> String {
    let hs: Vec<usize> = cells
        .iter()
        .map(|c| c.h)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let bs: Vec<usize> = cells
        .iter()
        .map(|c| c.b)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (cw, ch, left, top) = (190.0, 92.0, 90.0, 94.0);
    let width = left + cw * hs.len() as f64 + 20.0;
    let height = top + ch * bs.len() as f64 + 70.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r##"<text x="{}" y="26" font-size="17" text-anchor="middle">One SGD step of an MLP [64, H, H, 10]: tapegrad replayed / the fastest peer</text>"##,
        width / 2.0
    );
    let _ = writeln!(
        s,
        r##"<text x="{}" y="46" font-size="12" text-anchor="middle" fill="#444">best against best, one thread, f64; below 1 (green) tapegrad is faster</text>"##,
        width / 2.0
    );
    let _ = writeln!(
        s,
        r##"<text x="{}" y="63" font-size="12" text-anchor="middle" fill="#444">replayed: Replay::run then Sgd::step, or the fused Replay::step, whichever is faster</text>"##,
        width / 2.0
    );
    for (j, h) in hs.iter().enumerate() {
        let x = left + cw * (j as f64 + 0.5);
        let _ = writeln!(
            s,
            r##"<text x="{x}" y="{}" font-size="13" text-anchor="middle">H = {h}</text>"##,
            top - 8.0
        );
    }
    for (i, b) in bs.iter().enumerate() {
        let y = top + ch * (i as f64 + 0.5) + 4.0;
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{y}" font-size="13" text-anchor="end">B = {b}</text>"##,
            left - 10.0
        );
    }
    for c in cells {
        let (j, i) = (
            hs.iter().position(|&h| h == c.h).unwrap_or(0),
            bs.iter().position(|&b| b == c.b).unwrap_or(0),
        );
        let (x, y) = (left + cw * j as f64, top + ch * i as f64);
        let fill = c.ratio().map_or("#dddddd".to_string(), colour);
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="{y}" width="{cw}" height="{ch}" fill="{fill}" stroke="white" stroke-width="2"/>"#
        );
        let mid = x + cw / 2.0;
        let (big, peer) = match (&c.peer, c.ratio()) {
            (Some((name, p)), Some(r)) => (
                format!("{}x", ratio(r)),
                format!(
                    "{} {} µs vs {} {} µs",
                    c.form,
                    us(c.replay.best),
                    escape(name),
                    us(p.best)
                ),
            ),
            _ => ("—".into(), format!("{} µs, no peer", us(c.replay.best))),
        };
        let _ = writeln!(
            s,
            r##"<text x="{mid}" y="{}" font-size="22" font-weight="bold" text-anchor="middle">{big}</text>"##,
            y + 36.0
        );
        let _ = writeln!(
            s,
            r##"<text x="{mid}" y="{}" font-size="10" text-anchor="middle">{peer}</text>"##,
            y + 58.0
        );
        if let Some(t) = c.tape {
            let _ = writeln!(
                s,
                r##"<text x="{mid}" y="{}" font-size="10" text-anchor="middle" fill="#333">tape {} µs ({:.2}x the {})</text>"##,
                y + 74.0,
                us(t.best),
                t.best / c.replay.best,
                c.form
            );
        }
    }
    let foot = top + ch * bs.len() as f64 + 24.0;
    let machines: Vec<String> = cpus.iter().map(|c| escape(c)).collect();
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="{foot}" font-size="11" fill="#444">{}</text>"##,
        machines.join("; ")
    );
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="{}" font-size="11" fill="#444">peers: PyTorch (eager), JAX jitted step, JAX lax.scan (whole run compiled); cargo run --release --example speed_grid -- --plot FILE</text>"##,
        foot + 18.0
    );
    s.push_str("</svg>\n");
    s
}

/// Green below 1, red above, white at 1; full colour at a factor of 8 either way.
fn colour(ratio: f64) -> String {
    let t = (ratio.log2() / 3.0).clamp(-1.0, 1.0);
    let (to, t) = if t < 0.0 {
        ((26.0, 152.0, 80.0), -t)
    } else {
        ((215.0, 48.0, 39.0), t)
    };
    let t = 0.15 + 0.85 * t; // a faint tint even at 1, so the grid reads as cells
    let mix = |c: f64| (255.0 + (c - 255.0) * t * 0.8).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(to.0), mix(to.1), mix(to.2))
}

pub fn plot(args: &Args, file: &Path) {
    let (figures, cpus) = read(args, file);
    let cells = cells(&figures);
    if cells.is_empty() {
        args.fail(&format!(
            "--plot: {} has no \"{REPLAY}\" results",
            file.display()
        ));
    }
    let peers: Vec<&String> = figures
        .keys()
        .filter(|n| !n.starts_with("tapegrad"))
        .collect();
    let out = args.out_dir().join("speed_grid_ratios.svg");
    args.write_file(&out, &svg(&cells, &cpus));
    if args.json() {
        let rows: Vec<Value> = cells
            .iter()
            .map(|c| {
                json!({"H": c.h, "B": c.b, "form": c.form, "replay_us": c.replay.best, "tape_us": c.tape.map(|t| t.best),
                       "best_peer": c.peer.as_ref().map(|p| &p.0), "best_peer_us": c.peer.as_ref().map(|p| p.1.best),
                       "ratio": c.ratio()})
            })
            .collect();
        outln!(
            "{}",
            json!({"cpus": cpus, "cells": rows, "figure": out.display().to_string()})
        );
        return;
    }
    let mut head = "| H | B | tape | replay | fused |".to_string();
    for p in &peers {
        let _ = write!(head, " {p} |");
    }
    outln!("{head} replayed / best peer | tape / replayed |");
    outln!("|{}", "---|".repeat(7 + peers.len()));
    for c in &cells {
        let fig = |f: Figure| format!("{} / {}", us(f.best), us(f.median));
        let of = |name: &str| {
            figures
                .get(name)
                .and_then(|by| by.get(&(c.h, c.b)).copied())
        };
        let mut row = format!(
            "| {} | {} | {} | {} | {} |",
            c.h,
            c.b,
            c.tape.map_or("".into(), fig),
            of(REPLAY).map_or("".into(), fig),
            of(FUSED).map_or("".into(), fig),
        );
        for p in &peers {
            let _ = write!(
                row,
                " {} |",
                figures[*p].get(&(c.h, c.b)).map_or("".into(), |f| fig(*f))
            );
        }
        let ratio = c.ratio().map_or("".into(), |r| {
            let mark = if r < 1.0 { "ahead" } else { "behind" };
            format!("{} ({mark})", ratio(r))
        });
        let tape = c
            .tape
            .map_or("".into(), |t| format!("{:.2}", t.best / c.replay.best));
        outln!("{row} {ratio} | {tape} |");
    }
    let ahead = cells
        .iter()
        .filter(|c| c.ratio().is_some_and(|r| r < 1.0))
        .count();
    let judged = cells.iter().filter(|c| c.ratio().is_some()).count();
    outln!(
        "(µs per step, best / median; the replay ahead of every peer in {ahead} of {judged} cells; {})",
        out.display()
    );
}
