//! Matrices to and from NumPy's `.npy` format.
//!
//! A file is the magic `\x93NUMPY`, a version (1.0: 2-byte header length; 2.0 and 3.0:
//! 4-byte), and a Python dict literal describing the array, then the raw data:
//!
//! ```text
//! {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
//! ```
//!
//! **Reading**: `f8`, `f4`, `i8`, `i4`, little (`<`) or big (`>`) endian, C or Fortran order;
//! shapes `()` (as `1x1`), `(n,)` (as an `n x 1` column, the crate's vector) and `(r, c)`.
//! Anything else (object arrays, strings, complex, 3-D) is an error naming it. Integers are
//! converted to `f64` (exactly below 2^53).
//!
//! **Writing**: version 1.0, `<f8`, C order, shape `(rows, cols)`, the header padded to 64
//! bytes as NumPy pads it. `.npz` archives are not supported: a zip reader is a dependency
//! larger than this whole module; save several `.npy` files instead.

use super::DataError;
use crate::tensor::Tensor;
use std::path::Path;

const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// The `.npy` bytes of `t` (version 1.0, `<f8`, C order, shape `(rows, cols)`).
///
/// ```
/// use tapegrad::{Tensor, io::npy};
/// let t = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
/// let bytes = npy::to_bytes(&t);
/// assert_eq!((bytes.len() - 4 * 8) % 64, 0);           // the header is padded to 64 bytes
/// assert_eq!(npy::parse(&bytes, "t.npy").unwrap(), t);
/// ```
pub fn to_bytes(t: &Tensor) -> Vec<u8> {
    let mut header = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {}), }}",
        t.rows(),
        t.cols()
    );
    // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + 8 * t.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for x in t.as_slice() {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

/// Writes `t` to `path` as `.npy` (see [`to_bytes`]).
///
/// # Errors
/// The I/O error, with the path.
///
/// ```
/// use tapegrad::{Tensor, io::npy};
/// let path = std::env::temp_dir().join(format!("tapegrad-doc-{}.npy", std::process::id()));
/// npy::write(&path, &Tensor::column(&[1.0, 2.0])).unwrap();
/// assert_eq!(npy::read(&path).unwrap(), Tensor::column(&[1.0, 2.0]));
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn write(path: impl AsRef<Path>, t: &Tensor) -> Result<(), DataError> {
    let path = path.as_ref();
    std::fs::write(path, to_bytes(t)).map_err(|e| DataError::io(path.display().to_string(), e))
}

/// Reads the `.npy` file at `path` as a matrix.
///
/// # Errors
/// The I/O error, or any problem [`parse`] names, with the path.
pub fn read(path: impl AsRef<Path>) -> Result<Tensor, DataError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| DataError::io(name.clone(), e))?;
    parse(&bytes, &name)
}

/// Parses `.npy` bytes as a matrix; `file` names them in errors.
///
/// # Errors
/// [`DataError`] naming the problem: not an `.npy` file, a truncated header, an unsupported
/// dtype or shape, a shape whose size overflows, or a data size that does not match it.
///
/// ```
/// use tapegrad::io::npy;
/// let header = "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }\n";
/// let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
/// bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
/// bytes.extend_from_slice(header.as_bytes());
/// let err = npy::parse(&bytes, "a.npy").unwrap_err();
/// assert!(err.to_string().contains("dtype '|O' is not supported"), "{err}");
/// ```
pub fn parse(bytes: &[u8], file: &str) -> Result<Tensor, DataError> {
    let err = |problem: String| DataError::new(file, 0, problem);
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(err(
            "is a zip archive, as an .npz is: load it with np.load and save one array with \
             np.save (or unzip it), then read that .npy"
                .into(),
        ));
    }
    // The start of a .npy cut short: a prefix of the magic, or the magic and less than the
    // version and header length.
    if !bytes.is_empty() && bytes.len() < 10 && MAGIC.starts_with(&bytes[..bytes.len().min(6)]) {
        return Err(err(format!(
            "truncated: {} bytes, shorter than the 10-byte .npy preamble",
            bytes.len()
        )));
    }
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err(err("not a .npy file (no \\x93NUMPY magic)".into()));
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let (len, start) = match major {
        1 => (
            usize::from(u16::from_le_bytes([bytes[8], bytes[9]])),
            10usize,
        ),
        2 | 3 => {
            let b = bytes
                .get(8..12)
                .ok_or_else(|| err("truncated header length".into()))?;
            (
                u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize,
                12,
            )
        }
        _ => {
            return Err(err(format!(
                "format version {major}.{minor} is not supported"
            )));
        }
    };
    let header = bytes.get(start..start.saturating_add(len)).ok_or_else(|| {
        err(format!(
            "header length {len} exceeds the file's {} bytes",
            bytes.len()
        ))
    })?;
    let data = &bytes[start + len..];
    let header = std::str::from_utf8(header).map_err(|_| err("the header is not UTF-8".into()))?;
    let dict = parse_dict(header).map_err(|p| err(format!("header {}: {p}", header.trim_end())))?;
    let descr = dict
        .descr
        .ok_or_else(|| err("the header has no 'descr'".into()))?;
    let shape = dict
        .shape
        .ok_or_else(|| err("the header has no 'shape'".into()))?;
    let fortran = dict.fortran_order.unwrap_or(false);
    let (little, kind, size) = parse_descr(&descr).ok_or_else(|| {
        err(format!(
            "dtype '{descr}' is not supported (f8, f4, i8 and i4, either byte order, are)"
        ))
    })?;
    let (rows, cols) = match shape[..] {
        [] => (1, 1),
        [n] => (n, 1),
        [r, c] => (r, c),
        _ => {
            return Err(err(format!(
                "shape {shape:?} has {} dimensions; tapegrad values are matrices (at most 2)",
                shape.len()
            )));
        }
    };
    let numel = rows
        .checked_mul(cols)
        .filter(|n| n.checked_mul(size).is_some())
        .ok_or_else(|| err(format!("shape {shape:?} overflows")))?;
    if data.len() != numel * size {
        return Err(err(format!(
            "shape {shape:?} of '{descr}' needs {} bytes of data, the file has {}",
            numel * size,
            data.len()
        )));
    }
    let values: Vec<f64> = data
        .chunks_exact(size)
        .map(|b| decode(b, little, kind))
        .collect();
    let t = if fortran {
        // Column-major: entry (i, j) is at j * rows + i.
        Tensor::from_fn(rows, cols, |i, j| values[j * rows + i])
    } else {
        Tensor::from_vec(rows, cols, values)
    };
    Ok(t)
}

/// `(little_endian, kind, size)` of a supported descr such as `<f8`.
fn parse_descr(d: &str) -> Option<(bool, u8, usize)> {
    let b = d.as_bytes();
    let [order, kind, size] = b[..] else {
        return None;
    };
    let little = match order {
        b'<' => true,
        b'>' => false,
        b'=' => cfg!(target_endian = "little"),
        _ => return None,
    };
    let size = match (kind, size) {
        (b'f' | b'i', b'8') => 8,
        (b'f' | b'i', b'4') => 4,
        _ => return None,
    };
    Some((little, kind, size))
}

fn decode(b: &[u8], little: bool, kind: u8) -> f64 {
    match (kind, b.len()) {
        (b'f', 8) => {
            let a: [u8; 8] = b.try_into().expect("8 bytes");
            if little {
                f64::from_le_bytes(a)
            } else {
                f64::from_be_bytes(a)
            }
        }
        (b'f', _) => {
            let a: [u8; 4] = b.try_into().expect("4 bytes");
            f64::from(if little {
                f32::from_le_bytes(a)
            } else {
                f32::from_be_bytes(a)
            })
        }
        (_, 8) => {
            let a: [u8; 8] = b.try_into().expect("8 bytes");
            (if little {
                i64::from_le_bytes(a)
            } else {
                i64::from_be_bytes(a)
            }) as f64
        }
        _ => {
            let a: [u8; 4] = b.try_into().expect("4 bytes");
            f64::from(if little {
                i32::from_le_bytes(a)
            } else {
                i32::from_be_bytes(a)
            })
        }
    }
}

/// The three keys of the header dict.
#[derive(Default)]
struct Dict {
    descr: Option<String>,
    fortran_order: Option<bool>,
    shape: Option<Vec<usize>>,
}

/// Parses the header's Python dict literal: string keys; values a string, `True`/`False`, or
/// a tuple of non-negative integers.
fn parse_dict(h: &str) -> Result<Dict, String> {
    let s = h.trim();
    let inner = s
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .ok_or("not a {...} dict")?;
    let mut dict = Dict::default();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let (key, after) = quoted(rest).ok_or("expected a quoted key")?;
        let after = after
            .trim_start()
            .strip_prefix(':')
            .ok_or("expected ':'")?
            .trim_start();
        let after = match key {
            "descr" => {
                let (v, a) = quoted(after).ok_or("descr is not a quoted string")?;
                dict.descr = Some(v.to_string());
                a
            }
            "fortran_order" => {
                if let Some(a) = after.strip_prefix("True") {
                    dict.fortran_order = Some(true);
                    a
                } else if let Some(a) = after.strip_prefix("False") {
                    dict.fortran_order = Some(false);
                    a
                } else {
                    return Err("fortran_order is not True or False".into());
                }
            }
            "shape" => {
                let close = after.find(')').ok_or("shape is not a (...) tuple")?;
                let tuple = after
                    .strip_prefix('(')
                    .ok_or("shape is not a (...) tuple")?;
                let body = &tuple[..close - 1];
                let dims: Result<Vec<usize>, String> = body
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| {
                        t.trim_end_matches('L')
                            .parse::<usize>()
                            .map_err(|_| format!("shape entry {t:?} is not a size"))
                    })
                    .collect();
                dict.shape = Some(dims?);
                &after[close + 1..]
            }
            other => return Err(format!("unknown key {other:?}")),
        };
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(a) => a.trim_start(),
            None if after.is_empty() => after,
            None => return Err("expected ',' between entries".into()),
        };
    }
    Ok(dict)
}

/// A `'...'` or `"..."` string at the start of `s` (no escapes, as NumPy writes), and the rest.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let q = s.chars().next().filter(|&c| c == '\'' || c == '"')?;
    let body = &s[1..];
    let end = body.find(q)?;
    Some((&body[..end], &body[end + 1..]))
}
