//! Checking one cell against its field: what a reader found in, a typed value or a named problem out.

use crate::calendar::{self, CalendarError, Month};
use crate::id::{IdError, IdNumber};
use crate::number::{self, Decimal, Money, NumberError};
use crate::standard::{Field, FieldType};
use crate::uscc::{CreditCode, CreditCodeError};
use chrono::{NaiveDate, NaiveDateTime};
use std::borrow::Cow;
use std::fmt;

/// Longest text a `text` field holds, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// A cell as a reader found it. Formula cells arrive as their formula text, never evaluated.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(Cow<'a, str>),
    /// A numeric spreadsheet cell.
    Number(f64),
    /// A spreadsheet cell formatted as a date (or date and time).
    ExcelDate(NaiveDateTime),
    Bool(bool),
    /// A spreadsheet error value such as `#N/A`.
    ExcelError(String),
}

/// A checked value, typed by its field. Text borrows from the cell where it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    Null,
    Id(IdNumber),
    Code(CreditCode),
    Text(Cow<'a, str>),
    Date(NaiveDate),
    Month(Month),
    Money(Money),
    Decimal(Decimal),
    Int(i64),
    /// Index into the field's `values`.
    Enum(u16),
}

/// What is wrong with a cell or a row. Displayed in the words of `row N, column C: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    Id(IdError),
    IdAsNumber,
    Code(CreditCodeError),
    Number(NumberError),
    NotAnInteger,
    Calendar(CalendarError),
    NotInEnum {
        value: String,
        allowed: Vec<String>,
    },
    TextTooLong(usize),
    ControlCharacter {
        code: u32,
        position: usize,
    },
    ExcelError(String),
    PeriodMismatch {
        found: Month,
        expected: Month,
    },
    /// `key` names the key fields by their headers, joined with `+`.
    DuplicateKey {
        first_row: u64,
        key: String,
    },
    ExtraCells {
        cells: usize,
        columns: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Required => f.write_str("is required but empty"),
            Problem::Id(e) => write!(f, "ID number {e}"),
            Problem::IdAsNumber => f.write_str(
                "ID number is stored as a number, which keeps only 15 significant digits; store ID numbers as text",
            ),
            Problem::Code(e) => write!(f, "credit code {e}"),
            Problem::Number(e) => write!(f, "amount {e}"),
            Problem::NotAnInteger => f.write_str("is not a whole number"),
            Problem::Calendar(e) => write!(f, "{e}"),
            Problem::NotInEnum { value, allowed } => {
                write!(f, "'{value}' is not one of: {}", allowed.join(", "))
            }
            Problem::TextTooLong(n) => {
                write!(f, "text has {n} characters; at most {MAX_TEXT_CHARS} are allowed")
            }
            Problem::ControlCharacter { code, position } => write!(
                f,
                "holds control character U+{code:04X} at character {position}"
            ),
            Problem::ExcelError(e) => write!(f, "holds the spreadsheet error {e}"),
            Problem::PeriodMismatch { found, expected } => write!(
                f,
                "month {found} differs from the upload's period {expected}"
            ),
            // The key's columns are the error's column.
            Problem::DuplicateKey { first_row, .. } => {
                write!(f, "duplicate key: the same as row {first_row}")
            }
            Problem::ExtraCells { cells, columns } => write!(
                f,
                "has {cells} cells but the header has {columns} columns"
            ),
        }
    }
}

/// What a check needs to know that is not in the cell.
#[derive(Debug, Clone, Copy)]
pub struct CheckContext {
    /// The day of import: no birth date after it.
    pub today: NaiveDate,
}

/// The cell's text, trimmed, borrowing the file's text where the cell does.
fn cell_text<'r>(cell: &Cell<'r>) -> Result<Cow<'r, str>, Problem> {
    Ok(match cell {
        Cell::Empty => Cow::Borrowed(""),
        Cell::Text(Cow::Borrowed(s)) => Cow::Borrowed(s.trim()),
        Cell::Text(Cow::Owned(s)) => Cow::Owned(s.trim().to_string()),
        Cell::Number(v) => Cow::Owned(number::excel_number_text(*v)),
        Cell::ExcelDate(dt) => Cow::Owned(dt.date().format("%Y-%m-%d").to_string()),
        Cell::Bool(b) => Cow::Borrowed(if *b { "TRUE" } else { "FALSE" }),
        Cell::ExcelError(e) => return Err(Problem::ExcelError(e.clone())),
    })
}

fn check_text(s: &str) -> Result<(), Problem> {
    let mut n = 0usize;
    for c in s.chars() {
        n += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
            return Err(Problem::ControlCharacter {
                code: c as u32,
                position: n,
            });
        }
    }
    if n > MAX_TEXT_CHARS {
        return Err(Problem::TextTooLong(n));
    }
    Ok(())
}

/// Checks one cell. An empty cell is `Value::Null` unless the field is required.
pub fn check_cell<'r>(
    field: &Field,
    cell: &Cell<'r>,
    ctx: &CheckContext,
) -> Result<Value<'r>, Problem> {
    let text = cell_text(cell)?;
    if text.is_empty() {
        return if field.required {
            Err(Problem::Required)
        } else {
            Ok(Value::Null)
        };
    }
    let s = text.as_ref();
    match field.ty {
        FieldType::Id18 => {
            if matches!(cell, Cell::Number(_)) && s.len() > 15 {
                return Err(Problem::IdAsNumber);
            }
            IdNumber::parse(s, ctx.today)
                .map(Value::Id)
                .map_err(Problem::Id)
        }
        FieldType::Uscc => CreditCode::parse(s).map(Value::Code).map_err(Problem::Code),
        FieldType::Text => {
            check_text(s)?;
            Ok(Value::Text(text))
        }
        FieldType::Date => match cell {
            Cell::ExcelDate(dt) => Ok(Value::Date(dt.date())),
            _ => calendar::parse_date(s)
                .map(Value::Date)
                .map_err(Problem::Calendar),
        },
        FieldType::Month => match cell {
            Cell::ExcelDate(dt) => Ok(Value::Month(Month::of(dt.date()))),
            _ => calendar::parse_month(s)
                .map(Value::Month)
                .map_err(Problem::Calendar),
        },
        FieldType::Money => s
            .parse::<Money>()
            .map(Value::Money)
            .map_err(Problem::Number),
        FieldType::Decimal => s
            .parse::<Decimal>()
            .map(Value::Decimal)
            .map_err(Problem::Number),
        FieldType::Int => s
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| Problem::NotAnInteger),
        FieldType::Enum => field
            .values
            .iter()
            .position(|v| v == s)
            .map(|i| Value::Enum(i as u16))
            .ok_or_else(|| Problem::NotInEnum {
                value: truncate_for_message(s),
                allowed: field.values.clone(),
            }),
    }
}

/// Messages quote bad values; a 1 MB cell must not become a 1 MB message.
fn truncate_for_message(s: &str) -> String {
    const MAX: usize = 60;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(ty: FieldType, required: bool) -> Field {
        Field {
            key: "f".into(),
            label: "F".into(),
            ty,
            required,
            personal: None,
            values: if ty == FieldType::Enum {
                vec!["男".into(), "女".into()]
            } else {
                vec![]
            },
        }
    }

    fn ctx() -> CheckContext {
        CheckContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
        }
    }

    fn text(s: &str) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(s))
    }

    #[test]
    fn cells_are_trimmed_including_full_width_spaces() {
        let cell = text("\u{3000}女 ");
        let v = check_cell(&field(FieldType::Enum, true), &cell, &ctx()).unwrap();
        assert_eq!(v, Value::Enum(1));
        assert_eq!(
            check_cell(&field(FieldType::Text, true), &text(" \u{3000} "), &ctx()),
            Err(Problem::Required)
        );
        assert_eq!(
            check_cell(&field(FieldType::Text, false), &Cell::Empty, &ctx()),
            Ok(Value::Null)
        );
    }

    #[test]
    fn excel_numbers_and_dates() {
        let money = field(FieldType::Money, true);
        assert_eq!(
            check_cell(&money, &Cell::Number(233.33), &ctx()),
            Ok(Value::Money("233.33".parse().unwrap()))
        );
        assert!(matches!(
            check_cell(&money, &Cell::Number(233.333), &ctx()),
            Err(Problem::Number(NumberError::TooManyDecimals(3, 2)))
        ));
        let dt = NaiveDate::from_ymd_opt(2024, 3, 5)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(
            check_cell(&field(FieldType::Month, true), &Cell::ExcelDate(dt), &ctx()),
            Ok(Value::Month(Month::new(2024, 3).unwrap()))
        );
        assert_eq!(
            check_cell(
                &field(FieldType::Date, true),
                &Cell::Number(20240305.0),
                &ctx()
            ),
            Ok(Value::Date(dt.date()))
        );
        assert_eq!(
            check_cell(
                &field(FieldType::Id18, true),
                &Cell::Number(1.1010519491231e17),
                &ctx()
            ),
            Err(Problem::IdAsNumber)
        );
        assert_eq!(
            check_cell(&field(FieldType::Int, true), &Cell::Number(12.0), &ctx()),
            Ok(Value::Int(12))
        );
        assert_eq!(
            check_cell(&field(FieldType::Int, true), &Cell::Number(12.5), &ctx()),
            Err(Problem::NotAnInteger)
        );
    }

    #[test]
    fn text_limits() {
        let f = field(FieldType::Text, true);
        assert!(matches!(
            check_cell(&f, &text("a\0b"), &ctx()),
            Err(Problem::ControlCharacter {
                code: 0,
                position: 2
            })
        ));
        assert!(check_cell(&f, &text("a\tb\r\nc"), &ctx()).is_ok());
        let long = "字".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            check_cell(&f, &text(&long), &ctx()),
            Err(Problem::TextTooLong(MAX_TEXT_CHARS + 1))
        );
        assert!(check_cell(&f, &text(&"字".repeat(MAX_TEXT_CHARS)), &ctx()).is_ok());
        // Formula text is kept as text, inert.
        assert_eq!(
            check_cell(&f, &text("=HYPERLINK(\"x\")"), &ctx()),
            Ok(Value::Text("=HYPERLINK(\"x\")".into()))
        );
    }

    #[test]
    fn enum_message_lists_allowed_values_and_truncates() {
        let f = field(FieldType::Enum, true);
        let e = check_cell(&f, &text(&"x".repeat(500)), &ctx()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("is not one of: 男, 女"));
        assert!(msg.len() < 200);
    }
}
