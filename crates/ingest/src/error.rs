use mingjing_domain::{HeaderError, RowError};
use std::fmt;

/// Why a file was rejected. Nothing of a rejected file is ever written.
#[derive(Debug)]
pub enum FileError {
    /// The file is larger than the configured limit.
    TooLarge { size: u64, limit: u64 },
    /// More data rows than the configured limit.
    TooManyRows { limit: u64 },
    /// Not a readable CSV or workbook.
    Unreadable(String),
    /// Not text in an accepted encoding.
    Encoding(String),
    /// The header row does not fit the type.
    Header(Vec<HeaderError>),
    /// Data rows with errors: the first `errors` (at most the report limit) and how many in all.
    Rows { errors: Vec<RowError>, total: u64 },
    /// The file went beyond a limit on what a file may hold (`limits`).
    Limit(crate::limits::Exceeded),
    /// Reading or writing failed on this machine.
    Io(std::io::Error),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::TooLarge { size, limit } => write!(
                f,
                "the file has {size} bytes, more than the limit of {limit} bytes"
            ),
            FileError::TooManyRows { limit } => {
                write!(f, "the file has more than the limit of {limit} data rows")
            }
            FileError::Unreadable(m) | FileError::Encoding(m) => f.write_str(m),
            FileError::Header(errs) => {
                let lines: Vec<String> = errs.iter().map(ToString::to_string).collect();
                f.write_str(&lines.join("\n"))
            }
            FileError::Rows { errors, total } => {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                f.write_str(&lines.join("\n"))?;
                if *total > errors.len() as u64 {
                    write!(
                        f,
                        "\n… and {} more errors ({} in all)",
                        total - errors.len() as u64,
                        total
                    )?;
                }
                Ok(())
            }
            FileError::Limit(e) => write!(f, "{e}"),
            FileError::Io(e) => write!(f, "i/o error: {e}"),
        }
    }
}

impl std::error::Error for FileError {}

impl From<crate::limits::Exceeded> for FileError {
    fn from(e: crate::limits::Exceeded) -> Self {
        FileError::Limit(e)
    }
}

impl From<std::io::Error> for FileError {
    fn from(e: std::io::Error) -> Self {
        FileError::Io(e)
    }
}

impl From<parquet::errors::ParquetError> for FileError {
    fn from(e: parquet::errors::ParquetError) -> Self {
        FileError::Io(std::io::Error::other(e))
    }
}

impl From<arrow_schema::ArrowError> for FileError {
    fn from(e: arrow_schema::ArrowError) -> Self {
        FileError::Io(std::io::Error::other(e))
    }
}

impl FileError {
    /// Every error line, for reports (the row-error Excel download, the CLI).
    pub fn lines(&self) -> Vec<String> {
        self.to_string().lines().map(str::to_string).collect()
    }
}
