//! What every example shares as a command-line program: flags with `--help`, `--json` and
//! `--out`, usage errors with exit code 2, output that ends quietly on a closed pipe, and
//! files whose failed write exits 1 naming the path and the OS error.
//!
//! Each example declares its flags once; the help text, the parsing and the messages come
//! from that declaration:
//!
//! ```text
//! let args = Cli::new("name", "What it shows, in one paragraph.")
//!     .flag("seed", "K", 0, "seed of the random data")
//!     .example("cargo run --example name -- --seed 3")
//!     .parse();
//! let seed: u64 = args.get("seed");
//! outln!("seed {seed}");
//! ```
#![allow(dead_code)]

use std::collections::HashMap;
use std::fmt::{self, Display};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::exit;

/// `println!` for the examples: a closed stdout (`| head`) ends the program quietly with
/// exit code 0; any other write error exits 1.
#[macro_export]
macro_rules! outln {
    () => { $crate::common::emit(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::common::emit(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` for the examples, as [`outln!`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::common::emit(format_args!($($arg)*)) };
}

/// Writes to stdout: on a broken pipe, exit 0 without a word (the reader has what it
/// wanted); on any other error, say so and exit 1.
pub fn emit(text: fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        if e.kind() == ErrorKind::BrokenPipe {
            exit(0);
        }
        eprintln!("{}: cannot write to stdout: {e}", program());
        exit(1);
    }
}

/// The example's name, from its executable.
fn program() -> String {
    std::env::args_os()
        .next()
        .map(PathBuf::from)
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "example".into())
}

/// One flag: `--long METAVAR` with a default, or a switch (`metavar` empty).
struct Flag {
    long: &'static str,
    metavar: &'static str,
    default: Option<String>,
    help: &'static str,
}

/// An example's command line: its name, what it shows, its flags and example lines.
pub struct Cli {
    name: &'static str,
    about: &'static str,
    flags: Vec<Flag>,
    examples: Vec<&'static str>,
}

impl Cli {
    /// A command line with the flags every example has: `--out DIR` (default
    /// `target/tapegrad-plots/NAME` of this crate, wherever it is run from), `--json`, `--help`.
    pub fn new(name: &'static str, about: &'static str) -> Cli {
        let out = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join("tapegrad-plots")
            .join(name);
        Cli {
            name,
            about,
            flags: Vec::new(),
            examples: Vec::new(),
        }
        .flag(
            "out",
            "DIR",
            out.display(),
            "directory for the figures and files",
        )
        .switch(
            "json",
            "print the results as one JSON object instead of the report",
        )
        .switch(
            "quiet",
            "no progress line on stderr (there is none unless stderr is a terminal)",
        )
    }

    /// A flag `--long METAVAR` taking a value, with its default.
    pub fn flag(
        self,
        long: &'static str,
        metavar: &'static str,
        default: impl Display,
        help: &'static str,
    ) -> Cli {
        self.push(long, metavar, Some(default.to_string()), help)
    }

    /// A flag `--long METAVAR` taking a value, with no default (absent unless given).
    pub fn optional(self, long: &'static str, metavar: &'static str, help: &'static str) -> Cli {
        self.push(long, metavar, None, help)
    }

    /// A flag `--long A B` taking two values (no default; absent unless given), such as
    /// `--train X.npy y.npy`. `metavar` names both, separated by a space.
    pub fn pair(self, long: &'static str, metavar: &'static str, help: &'static str) -> Cli {
        debug_assert!(metavar.contains(' '), "a pair's metavar names two values");
        self.push(long, metavar, None, help)
    }

    /// A switch `--long` (on if given).
    pub fn switch(self, long: &'static str, help: &'static str) -> Cli {
        self.push(long, "", None, help)
    }

    /// Declares a flag: `metavar` empty for a switch, two words for a pair.
    fn push(
        mut self,
        long: &'static str,
        metavar: &'static str,
        default: Option<String>,
        help: &'static str,
    ) -> Cli {
        self.flags.push(Flag {
            long,
            metavar,
            default,
            help,
        });
        self
    }

    /// An example command line for the help text.
    pub fn example(mut self, line: &'static str) -> Cli {
        self.examples.push(line);
        self
    }

    /// The help text: what the example shows, every flag with its default, example lines.
    pub fn help(&self) -> String {
        let mut s = format!(
            "{}: {}\n\nUsage: cargo run --example {} -- [FLAGS]\n\nFlags:\n",
            self.name, self.about, self.name
        );
        // The example's own flags first, then the three every example has (declared first).
        let (common, own) = self.flags.split_at(3);
        let mut rows: Vec<(String, String)> = own
            .iter()
            .chain(common)
            .map(|f| {
                let left = if f.metavar.is_empty() {
                    format!("--{}", f.long)
                } else {
                    format!("--{} {}", f.long, f.metavar)
                };
                let right = match &f.default {
                    Some(d) => format!("{} (default: {d})", f.help),
                    None => f.help.to_string(),
                };
                (left, right)
            })
            .collect();
        rows.push(("-h, --help".into(), "print this help and exit".into()));
        let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
        for (l, r) in rows {
            s += &format!("  {l:<width$}  {r}\n");
        }
        if !self.examples.is_empty() {
            s += "\nExamples:\n";
            for e in &self.examples {
                s += &format!("  {e}\n");
            }
        }
        s
    }

    /// Parses the process's arguments: `--help` prints the help to stdout and exits 0; an
    /// unknown flag, a missing value or a stray argument exits 2 with a message naming it.
    pub fn parse(self) -> Args {
        match self.try_parse(lexopt::Parser::from_env()) {
            Ok(Some(args)) => args,
            Ok(None) => {
                out!("{}", self.help());
                exit(0);
            }
            Err(msg) => usage_error(self.name, &msg),
        }
    }

    fn try_parse(&self, mut parser: lexopt::Parser) -> Result<Option<Args>, String> {
        use lexopt::Arg;
        let mut values = HashMap::new();
        while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
            match arg {
                Arg::Short('h') | Arg::Long("help") => return Ok(None),
                Arg::Long(name) => {
                    let flag = self
                        .flags
                        .iter()
                        .find(|f| f.long == name)
                        .ok_or_else(|| format!("unknown flag --{name}"))?;
                    let count = match flag.metavar {
                        "" => 0,
                        m if m.contains(' ') => 2,
                        _ => 1,
                    };
                    let mut parts = Vec::with_capacity(count);
                    for _ in 0..count {
                        let v = parser.value().map_err(|_| {
                            let what = if count == 2 { "two values" } else { "a value" };
                            format!("--{} needs {what} ({})", flag.long, flag.metavar)
                        })?;
                        let v = v
                            .into_string()
                            .map_err(|v| format!("--{}: {v:?} is not valid UTF-8", flag.long))?;
                        // A flag where a pair's second value belongs (`--test Xt.npy --out
                        // DIR`): the value was forgotten, not a file called "--out".
                        if count == 2 && v.starts_with("--") {
                            return Err(format!(
                                "--{} needs two values ({}), got {:?} then the flag {v}",
                                flag.long,
                                flag.metavar,
                                parts.first().map_or("", String::as_str)
                            ));
                        }
                        parts.push(v);
                    }
                    let value = parts.join(PAIR_SEPARATOR);
                    values.insert(flag.long, value);
                }
                Arg::Short(c) => return Err(format!("unknown flag -{c}")),
                Arg::Value(v) => return Err(format!("unexpected argument {v:?}")),
            }
        }
        Ok(Some(Args {
            name: self.name,
            defaults: self
                .flags
                .iter()
                .filter_map(|f| Some((f.long, f.default.clone()?)))
                .collect(),
            values,
        }))
    }
}

/// Joins the two values of a pair flag internally (a character no path or number holds).
const PAIR_SEPARATOR: &str = "\u{1f}";

/// A usage error: the message and a pointer to `--help` on stderr, exit code 2.
fn usage_error(name: &str, msg: &str) -> ! {
    eprintln!("{name}: {msg}\n(run with --help for the flags)");
    exit(2);
}

/// A value a flag can take, and how to say what was expected.
pub trait FlagValue: Sized {
    /// What a valid value is, for the message: "a whole number".
    const WHAT: &'static str;
    /// The value, or `None` if `s` is not one.
    fn parse_flag(s: &str) -> Option<Self>;
}

impl FlagValue for usize {
    const WHAT: &'static str = "a whole number >= 0";
    fn parse_flag(s: &str) -> Option<usize> {
        s.trim().parse().ok()
    }
}

impl FlagValue for u64 {
    const WHAT: &'static str = "a whole number >= 0";
    fn parse_flag(s: &str) -> Option<u64> {
        s.trim().parse().ok()
    }
}

impl FlagValue for f64 {
    const WHAT: &'static str = "a finite number";
    fn parse_flag(s: &str) -> Option<f64> {
        s.trim().parse().ok().filter(|x: &f64| x.is_finite())
    }
}

impl FlagValue for String {
    const WHAT: &'static str = "text";
    fn parse_flag(s: &str) -> Option<String> {
        Some(s.to_string())
    }
}

impl FlagValue for PathBuf {
    const WHAT: &'static str = "a path";
    fn parse_flag(s: &str) -> Option<PathBuf> {
        (!s.is_empty()).then(|| PathBuf::from(s))
    }
}

/// The parsed command line.
pub struct Args {
    name: &'static str,
    defaults: HashMap<&'static str, String>,
    values: HashMap<&'static str, String>,
}

impl Args {
    /// The value of `--long` (given, or its default), parsed; a bad value exits 2 naming
    /// the flag and the value.
    pub fn get<T: FlagValue>(&self, long: &str) -> T {
        match self.opt(long) {
            Some(v) => v,
            None => panic!("{}: flag --{long} has no default; use Args::opt", self.name),
        }
    }

    /// The value of `--long` if given (or defaulted), parsed; a bad value exits 2.
    pub fn opt<T: FlagValue>(&self, long: &str) -> Option<T> {
        let raw = self.values.get(long).or_else(|| self.defaults.get(long))?;
        match T::parse_flag(raw) {
            Some(v) => Some(v),
            None => self.fail(&format!("--{long}: {raw:?} is not {}", T::WHAT)),
        }
    }

    /// The two values of the pair flag `--long`, if given.
    pub fn pair(&self, long: &str) -> Option<(String, String)> {
        let raw = self.values.get(long)?;
        let (a, b) = raw.split_once(PAIR_SEPARATOR)?;
        Some((a.to_string(), b.to_string()))
    }

    /// True if the switch `--long` was given.
    pub fn on(&self, long: &str) -> bool {
        self.values.contains_key(long)
    }

    /// `--json`.
    pub fn json(&self) -> bool {
        self.on("json")
    }

    /// The output directory (`--out`), created if missing; a failure exits 1 naming it.
    pub fn out_dir(&self) -> PathBuf {
        let dir: PathBuf = self.get("out");
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!(
                "{}: cannot create directory {}: {e}",
                self.name,
                dir.display()
            );
            exit(1);
        }
        dir
    }

    /// The matrix in the file `path`: `.npy` as NumPy wrote it, anything else as CSV (header
    /// detected). A file that cannot be read exits 1 with the reader's `file:line: problem`.
    pub fn read_matrix(&self, path: &str) -> tapegrad::Tensor {
        let result = if path.ends_with(".npy") {
            tapegrad::io::npy::read(path)
        } else {
            tapegrad::io::csv::Csv::new().read(path).map(|d| d.x)
        };
        result.unwrap_or_else(|e| {
            eprintln!("{}: {e}", self.name);
            exit(1)
        })
    }

    /// A usage error about the flags' values (exit 2).
    pub fn fail(&self, msg: &str) -> ! {
        usage_error(self.name, msg)
    }

    /// Exits 1 with the error (which names the file) if writing a file or figure failed.
    pub fn check(&self, written: Result<(), tapegrad::io::DataError>) {
        if let Err(e) = written {
            eprintln!("{}: cannot write {e}", self.name);
            exit(1);
        }
    }

    /// Writes `contents` to `path`; a failure exits 1 naming the path and the OS error.
    pub fn write_file(&self, path: &Path, contents: &str) {
        if let Err(e) = std::fs::write(path, contents) {
            fail_io(self.name, path, &e);
        }
    }
}

/// A failed file operation: the path and the OS error on stderr, exit code 1.
fn fail_io(name: &str, path: &Path, e: &std::io::Error) -> ! {
    eprintln!("{name}: cannot write {}: {e}", path.display());
    exit(1);
}
