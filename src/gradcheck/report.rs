//! The report of every check: per named block (a parameter, an input) the largest relative
//! error and a [`Diagnosis`] of its pattern, and the worst entry.

use super::{Options, Stencil};
use crate::params::Params;
use crate::tensor::{Tensor, rel_diff};
use std::fmt;

/// What the errors of one block look like.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Diagnosis {
    /// Every entry within the tolerance.
    Correct,
    /// `numeric ≈ factor · analytic` for every entry (a missing or extra constant, such as the
    /// 2 of a squared error); `-1` is reported as [`Diagnosis::SignFlip`].
    Factor(f64),
    /// `numeric ≈ −analytic`.
    SignFlip,
    /// The block matches its transpose: the gradient of `W` was laid out as `Wᵀ`'s.
    Transposed,
    /// No simple pattern.
    Wrong,
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Diagnosis::Correct => write!(f, "correct"),
            Diagnosis::Factor(r) => write!(
                f,
                "off by a constant factor: numeric = {r:.4} x analytic (a missing factor {r:.4}?)"
            ),
            Diagnosis::SignFlip => write!(f, "sign flipped: numeric = -analytic"),
            Diagnosis::Transposed => write!(
                f,
                "transposed: the analytic block matches the transpose of the numeric one"
            ),
            Diagnosis::Wrong => write!(f, "wrong, with no simple pattern"),
        }
    }
}

/// One block of `θ` (a named parameter, or all of `θ` without a layout).
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The parameter's name (`theta` without a layout).
    pub name: String,
    /// Its shape.
    pub shape: (usize, usize),
    /// The largest relative error in it.
    pub max_rel_error: f64,
    /// The pattern of its errors.
    pub diagnosis: Diagnosis,
}

/// The entry whose analytic and numeric values disagree most.
#[derive(Clone, Debug, PartialEq)]
pub struct Worst {
    /// Output row (0 for a scalar function).
    pub output: usize,
    /// Position in the flat `θ` (over a tape check's inputs: all their entries in order).
    pub index: usize,
    /// The block: a parameter's name, `input i`, or `theta`.
    pub block: String,
    /// The entry's (row, col) in its block.
    pub at: (usize, usize),
    /// The value under test (reverse mode, or the hand-written code).
    pub analytic: f64,
    /// The reference (finite differences; for a Hessian, the tape's exact one).
    pub numeric: f64,
    /// Their relative error.
    pub rel_error: f64,
}

/// The result of a check: which one, its settings, what was compared, the worst entry, and
/// per block (a named parameter, an input `input i`, or all of `θ`) the largest error and its
/// pattern. `Display` prints all of it.
///
/// ```
/// use tapegrad::{Tensor, gradcheck::gradcheck};
/// let r = gradcheck(|_, x| (x[0] * x[1]).sum(), &[Tensor::row(&[1.0, 2.0]), Tensor::row(&[3.0, 4.0])]);
/// assert!(r.passed(), "{r}");
/// assert_eq!((r.check, r.entries, r.value), ("gradcheck", 4, Some(11.0)));
/// assert_eq!(r.blocks[1].name, "input 1");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Which check: `"gradcheck"`, `"gradgradcheck"`, `"gradient"`, `"jacobian"`, `"vjp"`,
    /// `"jvp"` or `"hessian"`.
    pub check: &'static str,
    /// The finite-difference formula used.
    pub stencil: Stencil,
    /// The relative step used.
    pub step: f64,
    /// The magnitude below which errors were measured absolutely.
    pub floor: f64,
    /// The largest relative error that passes.
    pub tolerance: f64,
    /// The function's value at the point, where the check has one scalar function.
    pub value: Option<f64>,
    /// Entries compared.
    pub entries: usize,
    /// The worst entry, if any.
    pub worst: Option<Worst>,
    /// Per block: the largest error and the pattern.
    pub blocks: Vec<Block>,
}

impl Report {
    /// True if every entry is within the tolerance (NaN never passes).
    ///
    /// ```
    /// use tapegrad::gradcheck::check_gradient;
    /// let wrong = |t: &[f64]| (t[0] * t[0], vec![t[0]]);        // forgot the 2
    /// assert!(!check_gradient(wrong, &[1.5]).passed());
    /// ```
    pub fn passed(&self) -> bool {
        self.worst
            .as_ref()
            .is_none_or(|w| w.rel_error <= self.tolerance)
    }

    /// The largest relative error over all entries (0 if none).
    ///
    /// ```
    /// use tapegrad::{Tensor, gradcheck::gradcheck};
    /// let r = gradcheck(|_, x| x[0].exp().sum(), &[Tensor::row(&[0.1, 0.2])]);
    /// assert!(r.max_rel_error() < 1e-9);
    /// ```
    pub fn max_rel_error(&self) -> f64 {
        self.worst.as_ref().map_or(0.0, |w| w.rel_error)
    }

    /// The blocks that fail.
    pub fn failing(&self) -> impl Iterator<Item = &Block> {
        self.blocks
            .iter()
            .filter(|b| b.diagnosis != Diagnosis::Correct)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed() { "passed" } else { "FAILED" };
        let stencil = match (self.check, self.stencil) {
            ("hessian", _) => "the tape's exact Hessian (reverse over reverse)",
            (_, Stencil::FourPoint) => "four-point central differences (error ~h^4)",
            (_, Stencil::TwoPoint) => "two-point central differences (error ~h^2)",
        };
        writeln!(
            f,
            "{} check {verdict}: {} entries against {stencil}, step {:e}, tolerance {:e}",
            self.check, self.entries, self.step, self.tolerance
        )?;
        if let Some(value) = self.value {
            writeln!(f, "  f = {value:e}")?;
        }
        if let Some(w) = &self.worst {
            writeln!(
                f,
                "  worst: {}[{}, {}] (output {}, theta[{}]): analytic {:e}, numeric {:e}, relative error {:.3e}",
                w.block, w.at.0, w.at.1, w.output, w.index, w.analytic, w.numeric, w.rel_error
            )?;
        }
        for b in &self.blocks {
            writeln!(
                f,
                "  {:<14} [{}x{}] max relative error {:.3e}: {}",
                b.name, b.shape.0, b.shape.1, b.max_rel_error, b.diagnosis
            )?;
        }
        Ok(())
    }
}

impl Diagnosis {
    /// The same diagnosis with a factor rounded to 4 significant digits (so tests can name
    /// "a factor 2" without the last bits of the finite differences).
    pub fn clamp_ratio(self) -> Diagnosis {
        match self {
            Diagnosis::Factor(r) => {
                let scale = 10f64.powi(3 - r.abs().log10().floor() as i32);
                Diagnosis::Factor((r * scale).round() / scale)
            }
            d => d,
        }
    }
}

/// The named blocks of `θ`: the views of `layout`, or one block `theta` (`1 x n`).
fn blocks_of(layout: Option<&Params>, n: usize) -> Vec<(String, usize, (usize, usize))> {
    match layout {
        Some(p) => {
            assert!(
                p.len() == n,
                "gradcheck: the layout has {} values, theta has {n}",
                p.len()
            );
            p.views()
                .iter()
                .map(|v| (v.name.clone(), v.offset, (v.rows, v.cols)))
                .collect()
        }
        None => vec![("theta".to_string(), 0, (1, n))],
    }
}

/// Compares `analytic` with `numeric` (both `m x n`, columns in the layout of `θ`).
pub(super) fn compare(
    check: &'static str,
    config: &Options<'_>,
    value: Option<f64>,
    analytic: &Tensor,
    numeric: &Tensor,
) -> Report {
    let layout = config.layout;
    assert!(
        analytic.shape() == numeric.shape(),
        "gradcheck ({check}): the hand-written derivative is {}x{}, expected {}x{}",
        analytic.rows(),
        analytic.cols(),
        numeric.rows(),
        numeric.cols()
    );
    let (m, n) = analytic.shape();
    let mut worst: Option<Worst> = None;
    let mut blocks = Vec::new();
    for (name, offset, (r, c)) in blocks_of(layout, n) {
        let mut max_err = 0.0f64;
        let (mut a_all, mut n_all) = (Vec::new(), Vec::new());
        for i in 0..m {
            for k in 0..r * c {
                let j = offset + k;
                let (a, nu) = (analytic[(i, j)], numeric[(i, j)]);
                let e = rel_diff(a, nu, config.floor);
                let e = if e.is_nan() { f64::INFINITY } else { e };
                max_err = max_err.max(e);
                a_all.push(a);
                n_all.push(nu);
                if worst.as_ref().is_none_or(|w| e > w.rel_error) {
                    worst = Some(Worst {
                        output: i,
                        index: j,
                        block: name.clone(),
                        at: (k / c.max(1), k % c.max(1)),
                        analytic: a,
                        numeric: nu,
                        rel_error: e,
                    });
                }
            }
        }
        let diagnosis = diagnose(config, &a_all, &n_all, (m, r, c), max_err);
        blocks.push(Block {
            name,
            shape: (r, c),
            max_rel_error: max_err,
            diagnosis,
        });
    }
    Report {
        check,
        stencil: config.stencil,
        step: config.step,
        floor: config.floor,
        tolerance: config.tolerance,
        value,
        entries: m * n,
        worst,
        blocks,
    }
}

/// The pattern of a failing block: a constant ratio, a sign flip, or a transposed layout.
fn diagnose(
    config: &Options<'_>,
    a: &[f64],
    nu: &[f64],
    (m, r, c): (usize, usize, usize),
    max_err: f64,
) -> Diagnosis {
    if max_err <= config.tolerance {
        return Diagnosis::Correct;
    }
    let close = |x: f64, y: f64| rel_diff(x, y, config.floor) <= config.tolerance.max(1e-4);
    // A constant ratio over the entries that are not negligible.
    let big: Vec<(f64, f64)> = a
        .iter()
        .zip(nu)
        .filter(|(x, y)| x.abs().max(y.abs()) > config.floor)
        .map(|(&x, &y)| (x, y))
        .collect();
    if let Some(&(a0, n0)) = big.first() {
        if a0 != 0.0 {
            let ratio = n0 / a0;
            // One entry always has "a constant ratio": believe it only if it is a plain
            // number (an integer or its reciprocal, as a forgotten 2 or N would be).
            let plain = |r: f64| {
                let near =
                    |v: f64| (v - v.round()).abs() < 1e-4 * v.abs().max(1.0) && v.round() != 0.0;
                near(r) || near(1.0 / r)
            };
            let consistent = big.iter().all(|&(x, y)| close(ratio * x, y));
            if ratio.is_finite() && consistent && (big.len() > 1 || plain(ratio)) {
                return if (ratio + 1.0).abs() < 1e-6 {
                    Diagnosis::SignFlip
                } else {
                    Diagnosis::Factor(ratio)
                };
            }
        }
    }
    // Transposed: the analytic values of an r x c block, read as c x r, match the numeric ones.
    if r > 1 && c > 1 {
        let transposed = (0..m).all(|i| {
            (0..r).all(|p| {
                (0..c).all(|q| {
                    let k = i * r * c;
                    // analytic stored as the c x r transpose: entry (p, q) sits at q * r + p
                    close(a[k + q * r + p], nu[k + p * c + q])
                })
            })
        });
        if transposed {
            return Diagnosis::Transposed;
        }
    }
    Diagnosis::Wrong
}
