//! Matrices from and to CSV: any number of columns, an optional header (detected or stated),
//! target and feature columns chosen by name or index.
//!
//! The reader accepts what spreadsheets and pandas write: a UTF-8 byte-order mark, CRLF line
//! ends, blank lines and `#` comment lines (skipped), fields quoted with `"` (a `""` inside is
//! one quote), spaces around fields. Every value must be a finite number; every record must
//! have as many fields as the first. Each error names `file:line:column` (1-based; the column
//! is the field's position) and what was found there.

use super::DataError;
use super::csv_records::{Records, split_fields};
use crate::tensor::Tensor;
use std::path::Path;

/// Whether the first record is a header of column names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Header {
    /// A header if any field of the first record is not a number (the default).
    #[default]
    Auto,
    /// The first record is a header.
    Present,
    /// There is no header: every record is data.
    Absent,
}

/// A column chosen by its 0-based index or by its header name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    /// The 0-based position.
    Index(usize),
    /// The name in the header.
    Name(String),
}

impl From<usize> for Column {
    fn from(i: usize) -> Column {
        Column::Index(i)
    }
}

impl From<&str> for Column {
    fn from(name: &str) -> Column {
        Column::Name(name.to_string())
    }
}

/// Features `x` and targets `y` read from a table, with their column names.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// The feature columns (`n x p`).
    pub x: Tensor,
    /// The target columns (`n x k`; `n x 0` when no target was chosen).
    pub y: Tensor,
    /// The features' names (the header's, or `column 1`, `column 2`, ... without one).
    pub x_names: Vec<String>,
    /// The targets' names.
    pub y_names: Vec<String>,
}

/// How to read a CSV table: header, delimiter, and which columns are targets and features.
///
/// ```
/// use tapegrad::{Tensor, io::csv::Csv};
/// let text = "\u{feff}# measured\r\nx1,x2,\"y\"\r\n1,2,\"3.5\"\r\n\r\n4, 5 ,6\r\n";
/// let d = Csv::new().target("y").parse(text, "data.csv").unwrap();
/// assert_eq!(d.x, Tensor::from_rows(&[[1.0, 2.0], [4.0, 5.0]]));
/// assert_eq!(d.y, Tensor::column(&[3.5, 6.0]));
/// assert_eq!(d.x_names, ["x1", "x2"]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Csv {
    header: Header,
    delimiter: char,
    targets: Vec<Column>,
    features: Option<Vec<Column>>,
}

impl Csv {
    /// Comma-separated, header detected, no targets (every column a feature).
    pub fn new() -> Csv {
        Csv {
            delimiter: ',',
            ..Csv::default()
        }
    }

    /// Says whether the first record is a header.
    pub fn header(mut self, header: Header) -> Csv {
        self.header = header;
        self
    }

    /// The field delimiter (default `,`; `;` and `\t` are common).
    pub fn delimiter(mut self, d: char) -> Csv {
        self.delimiter = d;
        self
    }

    /// Adds a target column (by name or 0-based index); targets are read in the order added.
    pub fn target(mut self, column: impl Into<Column>) -> Csv {
        self.targets.push(column.into());
        self
    }

    /// The feature columns, in this order (default: every column that is not a target).
    ///
    /// ```
    /// use tapegrad::{Tensor, io::csv::Csv};
    /// let d = Csv::new().features([2, 0]).target(1).parse("1,2,3\n4,5,6\n", "t.csv").unwrap();
    /// assert_eq!(d.x, Tensor::from_rows(&[[3.0, 1.0], [6.0, 4.0]]));
    /// assert_eq!(d.y, Tensor::column(&[2.0, 5.0]));
    /// ```
    pub fn features<C: Into<Column>>(mut self, columns: impl IntoIterator<Item = C>) -> Csv {
        self.features = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Reads the file at `path`.
    ///
    /// # Errors
    /// The I/O error, or any problem [`Csv::parse`] names, with the path.
    pub fn read(&self, path: impl AsRef<Path>) -> Result<Dataset, DataError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| DataError::io(name.clone(), e))?;
        // Binary formats a user may hand over by mistake, named for what they are.
        if bytes.starts_with(b"PK\x03\x04") {
            return Err(DataError::new(
                name,
                0,
                "is a zip archive (an .npz?), not CSV text: save one array with np.save and \
                 read that .npy",
            ));
        }
        if bytes.starts_with(b"\x93NUMPY") {
            return Err(DataError::new(
                name,
                0,
                "is a NumPy .npy file, not CSV text: read it with io::npy::read (or name it .npy)",
            ));
        }
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            DataError::new(name.clone(), line, "the file is not UTF-8 text")
        })?;
        self.parse(text, &name)
    }

    /// Parses CSV `text`; `file` names it in errors.
    ///
    /// # Errors
    /// `file:line:column: problem` for a field that is not a finite number, a record with the
    /// wrong number of fields or an unterminated quote; `file: problem` for a column that
    /// does not exist or a table with no data.
    ///
    /// ```
    /// use tapegrad::io::csv::Csv;
    /// let err = Csv::new().parse("a,b\n1,2\n3,x7\n", "t.csv").unwrap_err();
    /// assert_eq!(err.to_string(), "t.csv:3:2: column \"b\": \"x7\" is not a number");
    /// ```
    pub fn parse(&self, text: &str, file: &str) -> Result<Dataset, DataError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // Records one at a time, straight into the numbers (no table of strings is kept: a
        // one-column file costs its matrix, not ~95 bytes of RAM per byte of input).
        let mut records = Records::new(text, self.delimiter).filter(|(_, r)| {
            let t = r.trim();
            !t.is_empty() && !t.starts_with('#')
        });
        let fields_of = |(line, record): (usize, &str)| {
            split_fields(record, self.delimiter)
                .map(|f| (line, f))
                .map_err(|(col, p)| DataError::at(file, line, col, p))
        };
        let Some((first_line, first)) = records.next().map(fields_of).transpose()? else {
            return Err(DataError::new(file, 0, "no data rows"));
        };
        let width = first.len();
        let is_header = match self.header {
            Header::Present => true,
            Header::Absent => false,
            Header::Auto => first.iter().any(|f| number(f).is_none()),
        };
        let names: Vec<String> = if is_header {
            first.clone()
        } else {
            (1..=width).map(|c| format!("column {c}")).collect()
        };
        let mut data: Vec<f64> = Vec::new();
        let mut rows = 0usize;
        let mut take = |line: usize, fields: &[String]| -> Result<(), DataError> {
            if fields.len() != width {
                return Err(DataError::at(
                    file,
                    line,
                    fields.len().min(width) + 1,
                    format!(
                        "expected {width} fields (as on line {first_line}), found {}",
                        fields.len()
                    ),
                ));
            }
            for (c, f) in fields.iter().enumerate() {
                let v = number(f).ok_or_else(|| {
                    let what = if f.is_empty() {
                        "an empty field".to_string()
                    } else {
                        format!("{} is not a number", super::quote_short(f))
                    };
                    let col_name = if is_header {
                        format!("column {}: ", super::quote_short(&names[c]))
                    } else {
                        String::new()
                    };
                    DataError::at(file, line, c + 1, format!("{col_name}{what}"))
                })?;
                if !v.is_finite() {
                    return Err(DataError::at(
                        file,
                        line,
                        c + 1,
                        format!("{} is not finite", super::quote_short(f)),
                    ));
                }
                data.push(v);
            }
            rows += 1;
            Ok(())
        };
        if !is_header {
            take(first_line, &first)?;
        }
        for record in records {
            let (line, fields) = fields_of(record)?;
            take(line, &fields)?;
        }
        if rows == 0 {
            let after = if is_header { " after the header" } else { "" };
            return Err(DataError::new(file, 0, format!("no data rows{after}")));
        }
        let table = Tensor::from_vec(rows, width, data);
        let resolve = |c: &Column| -> Result<usize, DataError> {
            match c {
                Column::Index(i) if *i < width => Ok(*i),
                Column::Index(i) => Err(DataError::new(
                    file,
                    0,
                    format!("column index {i} is out of range: the table has {width} columns"),
                )),
                Column::Name(n) => names.iter().position(|m| m == n).ok_or_else(|| {
                    // The first 20 names (a header of a million is not one message).
                    let mut shown: Vec<String> =
                        names.iter().take(20).map(|m| super::clip(m)).collect();
                    if names.len() > 20 {
                        shown.push(format!("... {} columns in all", names.len()));
                    }
                    DataError::new(
                        file,
                        0,
                        format!(
                            "no column named {} (columns: {})",
                            super::quote_short(n),
                            shown.join(", ")
                        ),
                    )
                }),
            }
        };
        let targets = self
            .targets
            .iter()
            .map(resolve)
            .collect::<Result<Vec<_>, _>>()?;
        let features = match &self.features {
            Some(cols) => cols.iter().map(resolve).collect::<Result<Vec<_>, _>>()?,
            None => (0..width).filter(|c| !targets.contains(c)).collect(),
        };
        let pick =
            |cols: &[usize]| Tensor::from_fn(table.rows(), cols.len(), |i, j| table[(i, cols[j])]);
        let y = pick(&targets);
        // Every column, in order, as the features: the table itself, not a copy.
        let x = if features.iter().copied().eq(0..width) {
            table
        } else {
            pick(&features)
        };
        Ok(Dataset {
            x,
            y,
            x_names: features.iter().map(|&c| names[c].clone()).collect(),
            y_names: targets.iter().map(|&c| names[c].clone()).collect(),
        })
    }
}

/// `(x, y)` points: a table of exactly two columns, `x` then `y`, read by [`Csv`] (a header
/// detected, `#` comment lines and blank lines skipped): the course's data files.
///
/// # Errors
/// Any problem [`Csv::parse`] names (`file:line:column: problem`), or a table that does not
/// have exactly two columns.
///
/// ```
/// use tapegrad::io::csv::parse_points;
/// let (x, y) = parse_points("# noisy sine\nx,y\n1, 2\n3,-4e-1\n", "pts.csv").unwrap();
/// assert_eq!((x, y), (vec![1.0, 3.0], vec![2.0, -0.4]));
/// let err = parse_points("x,y\n1,2\n3,oops\n", "pts.csv").unwrap_err();
/// assert_eq!(err.to_string(), "pts.csv:3:2: column \"y\": \"oops\" is not a number");
/// ```
pub fn parse_points(text: &str, file: &str) -> Result<(Vec<f64>, Vec<f64>), DataError> {
    points(Csv::new().target(1).parse(text, file)?, file)
}

/// [`parse_points`] of the file at `path`.
///
/// # Errors
/// The I/O error, or any problem [`parse_points`] names, with the path.
///
/// ```
/// use tapegrad::io::csv::read_points;
/// let path = std::env::temp_dir().join(format!("tapegrad-doc-{}.csv", std::process::id()));
/// std::fs::write(&path, "x,y\n0,1\n1,3\n").unwrap();
/// let (x, y) = read_points(&path).unwrap();
/// assert_eq!((x, y), (vec![0.0, 1.0], vec![1.0, 3.0]));
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn read_points(path: impl AsRef<Path>) -> Result<(Vec<f64>, Vec<f64>), DataError> {
    let path = path.as_ref();
    points(
        Csv::new().target(1).read(path)?,
        &path.display().to_string(),
    )
}

/// The two columns of a points table, or the error that it has more.
fn points(d: Dataset, file: &str) -> Result<(Vec<f64>, Vec<f64>), DataError> {
    if d.x.cols() != 1 {
        return Err(DataError::new(
            file,
            0,
            format!(
                "points are 2 columns (x, y); the table has {} columns",
                d.x.cols() + 1
            ),
        ));
    }
    Ok((d.x.into_vec(), d.y.into_vec()))
}

/// A field's number: `f64` syntax after trimming spaces.
fn number(field: &str) -> Option<f64> {
    field.trim().parse::<f64>().ok()
}

/// The CSV text of `t`: an optional header line of `names`, then one line per row, each
/// value written in the shortest form that reads back to the same `f64`.
///
/// # Panics
/// If `names` is given and its length differs from the number of columns.
///
/// ```
/// use tapegrad::{Tensor, io::csv::{Csv, to_string}};
/// let t = Tensor::from_rows(&[[0.1, 2.0], [-3.5e-12, 4.0]]);
/// let text = to_string(&t, Some(&["a", "b"]));
/// assert_eq!(text, "a,b\n0.1,2.0\n-3.5e-12,4.0\n");
/// assert_eq!(Csv::new().parse(&text, "t.csv").unwrap().x, t);
/// ```
pub fn to_string(t: &Tensor, names: Option<&[&str]>) -> String {
    let mut out = String::new();
    if let Some(names) = names {
        assert!(
            names.len() == t.cols(),
            "csv::to_string: {} names for {} columns",
            names.len(),
            t.cols()
        );
        let quoted: Vec<String> = names.iter().map(|n| quote_field(n)).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    for i in 0..t.rows() {
        let row: Vec<String> = t.row_slice(i).iter().map(|x| format!("{x:?}")).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// Writes `t` to `path` as CSV (see [`to_string`]).
///
/// # Errors
/// The I/O error, with the path.
pub fn write(path: impl AsRef<Path>, t: &Tensor, names: Option<&[&str]>) -> Result<(), DataError> {
    let path = path.as_ref();
    std::fs::write(path, to_string(t, names))
        .map_err(|e| DataError::io(path.display().to_string(), e))
}

/// A header name, quoted if it holds a comma, a quote, a line break or surrounding spaces, or
/// starts with `#`.
fn quote_field(s: &str) -> String {
    // A line break of any kind, and a leading '#' (a comment line), are quoted too.
    if s.contains([',', '"', '\n', '\r']) || s.starts_with('#') || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
