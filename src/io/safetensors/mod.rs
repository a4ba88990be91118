//! [`Params`] to and from safetensors, the format `safetensors.torch`, candle and burn read.
//!
//! A file is an 8-byte little-endian header length `N`, `N` bytes of JSON, then the data:
//!
//! ```text
//! {"__metadata__": {"sizes": "1,10,1"},
//!  "0.weight": {"dtype": "F64", "shape": [10, 1], "data_offsets": [0, 80]},
//!  "0.bias":   {"dtype": "F64", "shape": [10],    "data_offsets": [80, 160]}, ...}
//! ```
//!
//! **Writing**: one tensor per named view, in registration order, as `F64` little-endian,
//! with shape `[rows, cols]`, except a `1 x n` view whose name ends in `bias`, stored as `[n]`
//! as PyTorch's `nn.Linear` holds it. The header is padded with spaces to a multiple of 8.
//!
//! **Reading**: `F64`, `F32`, `F16` and `BF16` (the narrower ones converted to `f64`
//! exactly: every value they hold is an `f64`); shapes `[]` (as `1x1`), `[n]` and `[r, c]`.
//! Loading into an existing [`Params`] matches by name: a stored `[n]` fills a `1 x n` or an
//! `n x 1` view; every missing, extra or mis-shaped name is listed in one error. Loading into
//! a fresh `Params` takes the tensors in file order, `[n]` as `1 x n`.
//!
//! **Checked before anything is allocated**: the header length against the file, the JSON,
//! each dtype, shape (its product with overflow checks) and offsets, and that the tensors
//! tile the data exactly (no overlap, no gap, nothing past the end), as the reference
//! implementation requires.

mod dtype;
mod load;

pub use dtype::Dtype;
pub use load::{load, load_bytes_into, load_into};

use super::DataError;
use super::json::{self, Json};
use crate::params::Params;
use crate::tensor::Tensor;
use std::path::Path;

/// The header's largest accepted length (the reference implementation's limit).
const MAX_HEADER: u64 = 100_000_000;

/// The most tensors a file may hold (a model of this crate has a few dozen; a header of
/// 100 MB could otherwise describe millions of empty ones).
pub const MAX_TENSORS: usize = 100_000;

/// One tensor of a file: its name, stored dtype and shape, and its value as a matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    /// The tensor's name.
    pub name: String,
    /// The element type in the file.
    pub dtype: Dtype,
    /// The shape in the file (`[]`, `[n]` or `[r, c]`).
    pub shape: Vec<usize>,
    /// The values as an `f64` matrix (`[n]` as `1 x n`, `[]` as `1 x 1`).
    pub value: Tensor,
}

/// A parsed safetensors file: its tensors in file (data offset) order and its metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct SafeTensors {
    /// The tensors, in the order their data is laid out.
    pub tensors: Vec<Stored>,
    /// The `__metadata__` string pairs, in header order.
    pub metadata: Vec<(String, String)>,
}

/// The file's bytes for `params` (see the module docs for the layout), with `metadata` in
/// the header's `__metadata__`.
///
/// ```
/// use tapegrad::{Tensor, io::safetensors, nn::Params};
/// let mut p = Params::new();
/// p.add("0.weight", &Tensor::from_rows(&[[1.0, 2.0]]));
/// p.add("0.bias", &Tensor::scalar(0.5));
/// let bytes = safetensors::to_bytes(&p, &[("sizes", "2,1")]);
/// let back = safetensors::parse(&bytes, "p.safetensors").unwrap();
/// assert_eq!(back.tensors[1].shape, vec![1]);                  // a bias is stored as [n]
/// assert_eq!(back.metadata, vec![("sizes".to_string(), "2,1".to_string())]);
/// ```
pub fn to_bytes(params: &Params, metadata: &[(&str, &str)]) -> Vec<u8> {
    let mut header = String::from("{");
    if !metadata.is_empty() {
        header.push_str("\"__metadata__\":{");
        let pairs: Vec<String> = metadata
            .iter()
            .map(|(k, v)| format!("{}:{}", json::quote(k), json::quote(v)))
            .collect();
        header.push_str(&pairs.join(","));
        header.push('}');
    }
    let mut data = Vec::with_capacity(params.len() * 8);
    for (k, view) in params.views().iter().enumerate() {
        let shape = if view.rows == 1 && view.name.ends_with("bias") {
            format!("[{}]", view.cols)
        } else {
            format!("[{},{}]", view.rows, view.cols)
        };
        let begin = data.len();
        for x in &params.as_slice()[view.range()] {
            data.extend_from_slice(&x.to_le_bytes());
        }
        if k > 0 || !metadata.is_empty() {
            header.push(',');
        }
        header.push_str(&format!(
            "{}:{{\"dtype\":\"F64\",\"shape\":{shape},\"data_offsets\":[{begin},{}]}}",
            json::quote(&view.name),
            data.len()
        ));
    }
    header.push('}');
    while (8 + header.len()) % 8 != 0 {
        header.push(' ');
    }
    let mut out = Vec::with_capacity(8 + header.len() + data.len());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(&data);
    out
}

/// Writes `params` to `path` (see [`to_bytes`]).
///
/// # Errors
/// The I/O error, with the path.
///
/// ```
/// use tapegrad::{Tensor, io::safetensors, nn::Params};
/// let mut p = Params::new();
/// p.add("w", &Tensor::eye(2));
/// let path = std::env::temp_dir().join(format!("tapegrad-doc-{}.safetensors", std::process::id()));
/// safetensors::save(&p, &path, &[]).unwrap();
/// let (q, _) = safetensors::load(&path).unwrap();
/// assert_eq!(q, p);
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn save(
    params: &Params,
    path: impl AsRef<Path>,
    metadata: &[(&str, &str)],
) -> Result<(), DataError> {
    let path = path.as_ref();
    std::fs::write(path, to_bytes(params, metadata))
        .map_err(|e| DataError::io(path.display().to_string(), e))
}

/// Parses a safetensors file's bytes; `file` names it in errors.
///
/// # Errors
/// [`DataError`] naming the problem: a truncated file, a header length past the end, bad
/// JSON, an unsupported dtype, a shape of more than 2 dimensions or whose size overflows,
/// offsets that do not match the shape or do not tile the data.
///
/// ```
/// let err = tapegrad::io::safetensors::parse(&[1, 2, 3], "bad.safetensors").unwrap_err();
/// assert_eq!(err.to_string(), "bad.safetensors: 3 bytes: too short for the 8-byte header length");
/// ```
pub fn parse(bytes: &[u8], file: &str) -> Result<SafeTensors, DataError> {
    let err = |problem: String| DataError::new(file, 0, problem);
    let Some((len_bytes, rest)) = bytes.split_first_chunk::<8>() else {
        return Err(err(format!(
            "{} bytes: too short for the 8-byte header length",
            bytes.len()
        )));
    };
    let n = u64::from_le_bytes(*len_bytes);
    if n > MAX_HEADER || n > rest.len() as u64 {
        return Err(err(format!(
            "header length {n} exceeds the {} bytes after it (or the limit of {MAX_HEADER})",
            rest.len()
        )));
    }
    let (header, data) = rest.split_at(n as usize);
    let header = std::str::from_utf8(header).map_err(|_| err("the header is not UTF-8".into()))?;
    let Json::Object(members) =
        json::parse(header).map_err(|e| err(format!("header JSON: {e}")))?
    else {
        return Err(err("the header is not a JSON object".into()));
    };
    let count = members.iter().filter(|(k, _)| k != "__metadata__").count();
    if count > MAX_TENSORS {
        return Err(err(format!(
            "the header lists {count} tensors, more than the limit of {MAX_TENSORS} tensors"
        )));
    }
    let mut metadata = Vec::new();
    let mut entries: Vec<(String, Dtype, Vec<usize>, usize, usize)> = Vec::new();
    // Names seen so far: one hash look-up per tensor (a scan of the earlier ones made 80 000
    // tensors take seconds).
    let mut seen = std::collections::HashSet::new();
    for (name, v) in members {
        if name == "__metadata__" {
            metadata = parse_metadata(&v).map_err(err)?;
            continue;
        }
        if !seen.insert(name.clone()) {
            return Err(err(format!(
                "tensor {} appears twice",
                super::quote_short(&name)
            )));
        }
        let (dtype, shape, begin, end) = parse_entry(&v)
            .map_err(|p| err(format!("tensor {}: {p}", super::quote_short(&name))))?;
        let numel = shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .ok_or_else(|| {
                err(format!(
                    "tensor {}: shape {shape:?} overflows",
                    super::quote_short(&name)
                ))
            })?;
        let size = numel.checked_mul(dtype.size()).ok_or_else(|| {
            err(format!(
                "tensor {}: shape {shape:?} overflows",
                super::quote_short(&name)
            ))
        })?;
        if end < begin || end - begin != size {
            return Err(err(format!(
                "tensor {}: data_offsets [{begin}, {end}] do not hold {size} bytes for \
                 shape {shape:?} of {dtype:?}",
                super::quote_short(&name)
            )));
        }
        entries.push((name, dtype, shape, begin, end));
    }
    // The tensors must tile the data: sorted by offset, each starting where the last ended.
    entries.sort_by_key(|e| e.3);
    let mut at = 0;
    for e in &entries {
        if e.3 != at {
            return Err(err(format!(
                "tensor {} starts at byte {} of the data, expected {at} (overlap or gap)",
                super::quote_short(&e.0),
                e.3
            )));
        }
        at = e.4;
    }
    if at != data.len() {
        return Err(err(format!(
            "the tensors cover {at} bytes of data, the file holds {}",
            data.len()
        )));
    }
    let tensors = entries
        .into_iter()
        .map(|(name, dtype, shape, begin, end)| {
            let values: Vec<f64> = data[begin..end]
                .chunks_exact(dtype.size())
                .map(|b| dtype.decode(b))
                .collect();
            let (rows, cols) = match shape[..] {
                [] => (1, 1),
                [n] => (1, n),
                [r, c] => (r, c),
                _ => unreachable!("checked in parse_entry"),
            };
            Stored {
                name,
                dtype,
                shape,
                value: Tensor::from_vec(rows, cols, values),
            }
        })
        .collect();
    Ok(SafeTensors { tensors, metadata })
}

fn parse_metadata(v: &Json) -> Result<Vec<(String, String)>, String> {
    let Json::Object(m) = v else {
        return Err("__metadata__ is not an object".into());
    };
    m.iter()
        .map(|(k, v)| match v {
            Json::String(s) => Ok((k.clone(), s.clone())),
            _ => Err(format!("__metadata__ value of {k:?} is not a string")),
        })
        .collect()
}

/// `(dtype, shape, begin, end)` of one header entry.
fn parse_entry(v: &Json) -> Result<(Dtype, Vec<usize>, usize, usize), String> {
    let Json::Object(fields) = v else {
        return Err("not an object".into());
    };
    let field = |k: &str| {
        fields
            .iter()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v)
            .ok_or_else(|| format!("no {k:?}"))
    };
    let dtype = match field("dtype")? {
        Json::String(s) => Dtype::parse(s)
            .ok_or_else(|| format!("dtype {s:?} is not supported (F64, F32, F16 and BF16 are)"))?,
        _ => return Err("dtype is not a string".into()),
    };
    let shape = usizes(field("shape")?, "shape")?;
    if shape.len() > 2 {
        return Err(format!(
            "shape {shape:?} has {} dimensions; tapegrad values are matrices (at most 2)",
            shape.len()
        ));
    }
    let offsets = usizes(field("data_offsets")?, "data_offsets")?;
    let [begin, end] = offsets[..] else {
        return Err(format!("data_offsets {offsets:?} is not [begin, end]"));
    };
    Ok((dtype, shape, begin, end))
}

fn usizes(v: &Json, what: &str) -> Result<Vec<usize>, String> {
    let Json::Array(items) = v else {
        return Err(format!("{what} is not an array"));
    };
    items
        .iter()
        .map(|x| match x {
            Json::Number(t) => t
                .parse::<usize>()
                .map_err(|_| format!("{what} entry {t} is not a non-negative integer")),
            _ => Err(format!("{what} has a non-number entry")),
        })
        .collect()
}

/// Reads and parses the safetensors file at `path`.
///
/// # Errors
/// The I/O error, or any problem [`parse`] names, with the path.
pub fn read(path: impl AsRef<Path>) -> Result<SafeTensors, DataError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| DataError::io(name.clone(), e))?;
    parse(&bytes, &name)
}
