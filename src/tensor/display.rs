//! Printing: small tensors whole, large ones summarized; the one-line preview of a value.

use super::{Tensor, fmt_shape};
use std::fmt;

/// Rows and columns shown before a large tensor is summarized with `...`.
const SHOW_EDGE: usize = 3;
/// A tensor with at most this many rows and columns is printed whole.
const SHOW_FULL: usize = 8;

impl fmt::Display for Tensor {
    /// Prints the shape, then the entries in aligned columns. Small tensors (at most 8x8)
    /// print whole; larger ones show the first and last three rows and columns around `...`.
    /// Entries print with 4 significant decimals by default (`{:.6}` changes that), in fixed
    /// notation when all magnitudes lie in `[1e-3, 1e5)` and in scientific notation otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prec = f.precision().unwrap_or(4);
        let nonzero = self.data.iter().filter(|x| **x != 0.0 && x.is_finite());
        let fixed = nonzero.clone().all(|x| (1e-3..1e5).contains(&x.abs()));
        let cell = |x: f64| {
            if fixed || !x.is_finite() || x == 0.0 {
                format!("{x:.prec$}")
            } else {
                format!("{x:.prec$e}")
            }
        };
        let pick = |n: usize| -> Vec<Option<usize>> {
            if n <= SHOW_FULL {
                (0..n).map(Some).collect()
            } else {
                let mut v: Vec<Option<usize>> = (0..SHOW_EDGE).map(Some).collect();
                v.push(None);
                v.extend((n - SHOW_EDGE..n).map(Some));
                v
            }
        };
        let (rows, cols) = (pick(self.rows), pick(self.cols));
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                cols.iter()
                    .map(|c| match (r, c) {
                        (Some(i), Some(j)) => cell(self.data[i * self.cols + j]),
                        (None, _) | (_, None) => "...".to_string(),
                    })
                    .collect()
            })
            .collect();
        let width = cells.iter().flatten().map(|s| s.len()).max().unwrap_or(0);
        writeln!(f, "Tensor {}", fmt_shape(self.shape()))?;
        for (k, line) in cells.iter().enumerate() {
            write!(f, "[")?;
            for s in line {
                write!(f, " {s:>width$}")?;
            }
            write!(f, " ]")?;
            if k + 1 < cells.len() {
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A short preview of a value: a scalar as a number, up to four entries as a list, more as
/// the first three, `...` and the count.
///
/// ```
/// use tapegrad::{Tensor, tensor::preview};
/// assert_eq!(preview(&Tensor::scalar(0.5)), "0.5000");
/// assert_eq!(preview(&Tensor::row(&[1.0, 2.0])), "[1.0000, 2.0000]");
/// assert!(preview(&Tensor::zeros(10, 10)).ends_with("(100 values)]"));
/// ```
pub fn preview(t: &Tensor) -> String {
    let num = |x: f64| {
        if x == 0.0 || (1e-3..1e5).contains(&x.abs()) || !x.is_finite() {
            format!("{x:.4}")
        } else {
            format!("{x:.3e}")
        }
    };
    let v = t.as_slice();
    match v.len() {
        1 => num(v[0]),
        0..=4 => format!(
            "[{}]",
            v.iter().map(|&x| num(x)).collect::<Vec<_>>().join(", ")
        ),
        n => format!(
            "[{}, ... ({n} values)]",
            v[..3]
                .iter()
                .map(|&x| num(x))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
