//! Mingjing's domain: the data standard, field types and validators.
//!
//! Pure logic: no files, no database; dates are passed in. `clock` is the one exception: the
//! platform's clock, the only code that reads the machine's time, which the other crates are
//! built with and pass on.
//! Every type here is valid by construction: an [`IdNumber`] cannot hold an invalid number.

pub mod access;
pub mod calendar;
pub mod cell;
pub mod check;
pub mod clock;
pub mod disposal;
pub mod hit_merge;
pub mod id;
pub mod integrity;
pub mod names;
pub mod number;
pub mod opinion_flow;
pub mod reply;
pub mod standard;
pub mod triage;
pub mod upload_rights;
pub mod uscc;
pub mod wording;

pub use calendar::Month;
pub use cell::{Cell, Problem, Value};
pub use check::{
    ColumnMap, HeaderError, KeyIndex, RowCheck, RowChecker, RowError, RowOutcome, RowWarning,
};
pub use clock::Clock;
pub use id::IdNumber;
pub use number::{Decimal, Money};
pub use standard::{DatasetType, Field, FieldType, Personal, Program, Protection, Standard};
pub use uscc::CreditCode;
