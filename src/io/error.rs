//! [`DataError`]: what went wrong reading a data file, and where.

use std::fmt;
use std::sync::Arc;

/// A problem in a data file: the file, the 1-based line, and what is wrong; for a failed
/// read, the [`std::io::Error`] is kept as the [`source`](std::error::Error::source).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DataError {
    /// The file (or the name given to a parser such as [`crate::io::csv::parse_points`]).
    pub file: String,
    /// The 1-based line number (0 for a problem with the whole file).
    pub line: usize,
    /// The 1-based column (field) of a text file, or 0 where a column does not apply.
    pub column: usize,
    /// What is wrong.
    pub problem: String,
    /// The I/O error behind a failed read.
    io: Option<Arc<std::io::Error>>,
}

impl DataError {
    /// A problem at `line` (1-based; 0 for the whole file) of `file`.
    ///
    /// ```
    /// let e = tapegrad::io::DataError::new("pts.csv", 3, "y is not a number");
    /// assert_eq!(e.to_string(), "pts.csv:3: y is not a number");
    /// ```
    pub fn new(file: impl Into<String>, line: usize, problem: impl Into<String>) -> DataError {
        DataError {
            file: file.into(),
            line,
            column: 0,
            problem: problem.into(),
            io: None,
        }
    }

    /// A problem at `line`, `column` (both 1-based) of the text file `file`.
    ///
    /// ```
    /// let e = tapegrad::io::DataError::at("x.csv", 4, 2, "\"abc\" is not a number");
    /// assert_eq!(e.to_string(), "x.csv:4:2: \"abc\" is not a number");
    /// ```
    pub fn at(
        file: impl Into<String>,
        line: usize,
        column: usize,
        problem: impl Into<String>,
    ) -> DataError {
        DataError {
            column,
            ..DataError::new(file, line, problem)
        }
    }

    /// `file` could not be read; the I/O error is kept as the source.
    ///
    /// ```
    /// use tapegrad::io::DataError;
    /// let err = std::fs::read_to_string("/nonexistent.csv").unwrap_err();
    /// let e = DataError::io("/nonexistent.csv", err);
    /// assert!(std::error::Error::source(&e).is_some());            // the io::Error is kept
    /// ```
    pub fn io(file: impl Into<String>, err: std::io::Error) -> DataError {
        DataError {
            problem: err.to_string(),
            io: Some(Arc::new(err)),
            ..DataError::new(file, 0, "")
        }
    }

    /// The kind of I/O error, if this is a failed read.
    ///
    /// ```
    /// use tapegrad::io::csv::read_points;
    /// let e = read_points("/nonexistent/points.csv").unwrap_err();
    /// assert_eq!(e.io_kind(), Some(std::io::ErrorKind::NotFound));
    /// ```
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        self.io.as_ref().map(|e| e.kind())
    }
}

impl PartialEq for DataError {
    /// Equal file, line and problem (the I/O source, if any, is described by the problem).
    fn eq(&self, other: &DataError) -> bool {
        (&self.file, self.line, self.column, &self.problem)
            == (&other.file, other.line, other.column, &other.problem)
    }
}

impl Eq for DataError {}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}: {}", self.file, self.problem),
            (line, 0) => write!(f, "{}:{line}: {}", self.file, self.problem),
            (line, col) => write!(f, "{}:{line}:{col}: {}", self.file, self.problem),
        }
    }
}

impl std::error::Error for DataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.io
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
