//! Ingestion: a department's file in, checked rows out as Parquet, or a rejection naming
//! every error. Knows nothing of databases or of where uploads are kept.

pub mod columnar;
pub mod error;
pub mod idindex;
pub mod import;
pub mod limits;
pub mod protect;
pub mod read;
mod xlscheck;
pub mod xmlscan;
mod zipcheck;

pub use error::FileError;
pub use import::{CheckedFile, ImportRequest, Slice, import_file};
pub use limits::{Exceeded, Limits};
