//! Checking a file's header and rows against a dataset type.

use crate::calendar::Month;
use crate::cell::{Cell, CheckContext, Problem, Value, check_cell};
use crate::standard::{DatasetType, FieldType, PERIOD_FIELD, normalize_header};
use chrono::NaiveDate;
use std::fmt;
use std::hash::BuildHasher;

/// A problem with the header row: the file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    NoHeader,
    MissingColumn {
        key: String,
        label: String,
    },
    DuplicateColumn {
        field: String,
        first: String,
        second: String,
    },
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::NoHeader => f.write_str("the file is empty: no header row"),
            HeaderError::MissingColumn { key, label } => {
                write!(f, "row 1: required column {label} ({key}) is missing")
            }
            HeaderError::DuplicateColumn {
                field,
                first,
                second,
            } => write!(
                f,
                "row 1: columns {first} and {second} both name field {field}"
            ),
        }
    }
}

/// An error in one data row, as `row N, column C: what is wrong`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row as the spreadsheet shows it: the header is row 1.
    pub row: u64,
    /// The column's header text in the file, where the error is about one cell.
    pub column: Option<String>,
    pub problem: Problem,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "row {}, column {}: {}", self.row, c, self.problem),
            None => write!(f, "row {}: {}", self.row, self.problem),
        }
    }
}

/// A value that is kept but worth telling the uploader about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowWarning {
    pub row: u64,
    pub column: String,
    pub message: String,
}

impl fmt::Display for RowWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {}, column {}: {}",
            self.row, self.column, self.message
        )
    }
}

/// Where each field's column is in the file.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    /// Per field of the type (in definition order), its column index in the file.
    pub columns: Vec<Option<usize>>,
    /// The header texts as found in the file.
    pub headers: Vec<String>,
}

/// Matches header texts to fields by key or Chinese label; extra columns are ignored.
pub fn map_headers(ty: &DatasetType, headers: &[String]) -> Result<ColumnMap, Vec<HeaderError>> {
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(vec![HeaderError::NoHeader]);
    }
    let mut columns: Vec<Option<usize>> = vec![None; ty.fields.len()];
    let mut errors = Vec::new();
    for (col, h) in headers.iter().enumerate() {
        let h = normalize_header(h);
        let found = ty
            .fields
            .iter()
            .position(|f| f.key == h || normalize_header(&f.label) == h);
        if let Some(fi) = found {
            match columns[fi] {
                None => columns[fi] = Some(col),
                Some(first) => errors.push(HeaderError::DuplicateColumn {
                    field: ty.fields[fi].key.clone(),
                    first: headers[first].trim().to_string(),
                    second: headers[col].trim().to_string(),
                }),
            }
        }
    }
    for (fi, f) in ty.fields.iter().enumerate() {
        if f.required && columns[fi].is_none() {
            errors.push(HeaderError::MissingColumn {
                key: f.key.clone(),
                label: f.label.clone(),
            });
        }
    }
    if errors.is_empty() {
        Ok(ColumnMap {
            columns,
            headers: headers.iter().map(|h| h.trim().to_string()).collect(),
        })
    } else {
        Err(errors)
    }
}

/// The outcome of checking one data row.
#[derive(Debug)]
pub enum RowOutcome<'c> {
    /// Every cell empty: skipped, keeping its row number.
    Blank,
    Valid {
        values: Vec<Value<'c>>,
        warnings: Vec<RowWarning>,
    },
    Invalid(Vec<RowError>),
}

/// Checks data rows of one file against a type; shareable across threads.
#[derive(Debug, Clone)]
pub struct RowChecker<'a> {
    ty: &'a DatasetType,
    map: &'a ColumnMap,
    ctx: CheckContext,
    period: Option<(usize, Month)>,
    /// (birth_date field, id field) when the type carries both: differences are warned about.
    birth_check: Option<(usize, usize)>,
}

impl<'a> RowChecker<'a> {
    /// `period` is the upload's month, for periodic types.
    pub fn new(
        ty: &'a DatasetType,
        map: &'a ColumnMap,
        today: NaiveDate,
        period: Option<Month>,
    ) -> Self {
        let period = period.and_then(|m| ty.field_index(PERIOD_FIELD).map(|i| (i, m)));
        let birth_check = match (ty.field_index("birth_date"), ty.field_index("id_number")) {
            (Some(b), Some(i))
                if ty.fields[b].ty == FieldType::Date && ty.fields[i].ty == FieldType::Id18 =>
            {
                Some((b, i))
            }
            _ => None,
        };
        RowChecker {
            ty,
            map,
            ctx: CheckContext { today },
            period,
            birth_check,
        }
    }

    fn header(&self, field: usize) -> String {
        self.map.columns[field]
            .map(|c| self.map.headers[c].clone())
            .unwrap_or_else(|| self.ty.fields[field].label.clone())
    }

    /// Checks one row; `row` is its spreadsheet row number.
    pub fn check<'r>(&self, row: u64, cells: &[Cell<'r>]) -> RowOutcome<'r> {
        let mut values = Vec::with_capacity(self.ty.fields.len());
        match self.check_into(row, cells, &mut values) {
            RowCheck::Blank => RowOutcome::Blank,
            RowCheck::Invalid(errors) => RowOutcome::Invalid(errors),
            RowCheck::Valid(warnings) => RowOutcome::Valid { values, warnings },
        }
    }

    /// As [`RowChecker::check`], writing the values into a buffer the caller reuses.
    pub fn check_into<'r>(
        &self,
        row: u64,
        cells: &[Cell<'r>],
        values: &mut Vec<Value<'r>>,
    ) -> RowCheck {
        values.clear();
        let blank = |c: &Cell<'_>| match c {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        };
        if cells.iter().all(blank) {
            return RowCheck::Blank;
        }
        let mut errors = Vec::new();
        let width = self.map.headers.len();
        if cells.len() > width && !cells[width..].iter().all(blank) {
            errors.push(RowError {
                row,
                column: None,
                problem: Problem::ExtraCells {
                    cells: cells.len(),
                    columns: width,
                },
            });
        }
        for (fi, field) in self.ty.fields.iter().enumerate() {
            let cell = self.map.columns[fi]
                .and_then(|c| cells.get(c))
                .unwrap_or(&Cell::Empty);
            match check_cell(field, cell, &self.ctx) {
                Ok(v) => values.push(v),
                Err(problem) => {
                    errors.push(RowError {
                        row,
                        column: Some(self.header(fi)),
                        problem,
                    });
                    values.push(Value::Null);
                }
            }
        }
        if let Some((pi, expected)) = self.period
            && let Value::Month(found) = values[pi]
            && found != expected
        {
            errors.push(RowError {
                row,
                column: Some(self.header(pi)),
                problem: Problem::PeriodMismatch { found, expected },
            });
        }
        if !errors.is_empty() {
            return RowCheck::Invalid(errors);
        }
        let mut warnings = Vec::new();
        if let Some((bi, ii)) = self.birth_check
            && let (Value::Date(d), Value::Id(id)) = (&values[bi], &values[ii])
            && *d != id.birth_date()
        {
            warnings.push(RowWarning {
                row,
                column: self.header(bi),
                message: format!(
                    "birth date {d} differs from the one in the ID number ({}); kept as given, the ID's date is used",
                    id.birth_date()
                ),
            });
        }
        RowCheck::Valid(warnings)
    }
}

/// The outcome of [`RowChecker::check_into`]; valid values are in the caller's buffer.
#[derive(Debug)]
pub enum RowCheck {
    Blank,
    Valid(Vec<RowWarning>),
    Invalid(Vec<RowError>),
}

/// Finds rows of one upload that share a key; the first row seen with a key wins.
///
/// Keys are kept encoded, end to end in one buffer; the table holds their positions, so a
/// million rows cost two allocations, and equality is always checked on the bytes.
#[derive(Default)]
pub struct KeyIndex {
    bytes: Vec<u8>,
    /// (start, end, row) per distinct key.
    keys: Vec<(usize, usize, u64)>,
    table: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl std::fmt::Debug for KeyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyIndex({} keys)", self.keys.len())
    }
}

impl KeyIndex {
    /// An index with room for about `rows` keys.
    pub fn with_capacity(rows: usize) -> Self {
        KeyIndex {
            bytes: Vec::with_capacity(rows * 16),
            keys: Vec::with_capacity(rows),
            table: hashbrown::HashTable::with_capacity(rows),
            hasher: Default::default(),
        }
    }

    /// Records the row's key, or returns the row that had it first.
    pub fn insert(&mut self, key_fields: &[usize], values: &[Value<'_>], row: u64) -> Option<u64> {
        self.insert_encoded(&encode_key(key_fields, values), row)
    }

    /// As [`KeyIndex::insert`], with the key already encoded by [`encode_key`].
    pub fn insert_encoded(&mut self, key: &[u8], row: u64) -> Option<u64> {
        let hash = self.hasher.hash_one(key);
        self.insert_hashed(key, hash, row)
    }

    /// The hasher keys must be hashed with for [`KeyIndex::insert_hashed`] (so that hashing
    /// can happen in parallel, before the keys are inserted in order).
    pub fn hasher(&self) -> &hashbrown::DefaultHashBuilder {
        &self.hasher
    }

    /// As [`KeyIndex::insert_encoded`], with the key's hash from [`KeyIndex::hasher`].
    pub fn insert_hashed(&mut self, key: &[u8], hash: u64, row: u64) -> Option<u64> {
        let (bytes, keys) = (&self.bytes, &self.keys);
        let eq = |i: &u32| {
            let (s, e, _) = keys[*i as usize];
            &bytes[s..e] == key
        };
        if let Some(i) = self.table.find(hash, eq) {
            return Some(self.keys[*i as usize].2);
        }
        let start = self.bytes.len();
        self.bytes.extend_from_slice(key);
        self.keys.push((start, self.bytes.len(), row));
        let idx = u32::try_from(self.keys.len() - 1).expect("fewer than 4 billion rows");
        let (bytes, keys, hasher) = (&self.bytes, &self.keys, &self.hasher);
        self.table.insert_unique(hash, idx, |i| {
            let (s, e, _) = keys[*i as usize];
            hasher.hash_one(&bytes[s..e])
        });
        None
    }
}

/// An unambiguous byte encoding of a row's key fields, for comparison.
pub fn encode_key(key_fields: &[usize], values: &[Value<'_>]) -> Vec<u8> {
    let mut key = Vec::with_capacity(24 * key_fields.len());
    encode_key_into(key_fields, values, &mut key);
    key
}

/// As [`encode_key`], appending to a buffer.
pub fn encode_key_into(key_fields: &[usize], values: &[Value<'_>], out: &mut Vec<u8>) {
    for &i in key_fields {
        encode_key_part(&values[i], out);
    }
}

/// An unambiguous byte encoding of a value for key comparison.
fn encode_key_part(v: &Value<'_>, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(0),
        Value::Id(id) => {
            out.push(1);
            out.extend_from_slice(&id.as_u64().to_le_bytes());
        }
        Value::Code(c) => {
            out.push(2);
            out.extend_from_slice(c.as_str().as_bytes());
        }
        Value::Text(s) => {
            out.push(3);
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        Value::Date(d) => {
            out.push(4);
            out.extend_from_slice(&chrono::Datelike::num_days_from_ce(d).to_le_bytes());
        }
        Value::Month(m) => {
            out.push(5);
            out.extend_from_slice(&m.year().to_le_bytes());
            out.push(m.month() as u8);
        }
        Value::Money(m) => {
            out.push(6);
            out.extend_from_slice(&m.fen().to_le_bytes());
        }
        Value::Decimal(d) => {
            out.push(7);
            out.extend_from_slice(&d.scaled().to_le_bytes());
        }
        Value::Int(i) => {
            out.push(8);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Enum(e) => {
            out.push(9);
            out.extend_from_slice(&e.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard::Standard;
    use std::borrow::Cow;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_by_key_or_label_in_any_order() {
        let std = Standard::builtin();
        let ty = std.dataset_type("disability_certs").unwrap();
        let map = map_headers(
            ty,
            &headers(&[
                "备注",
                " status ",
                "残疾等级",
                "公民身份号码",
                "name",
                "残疾类别",
                "发证日期",
            ]),
        )
        .unwrap();
        assert_eq!(
            map.columns,
            vec![Some(3), Some(4), Some(5), Some(2), Some(6), Some(1)]
        );
    }

    #[test]
    fn full_width_parentheses_match() {
        let std = Standard::builtin();
        let ty = std.dataset_type("properties").unwrap();
        let map = map_headers(
            ty,
            &headers(&[
                "权利人身份证号",
                "权利人姓名",
                "不动产权证号",
                "坐落",
                "用途",
                "面积（平方米）",
                "登记日期",
                "状态",
            ]),
        )
        .unwrap();
        assert_eq!(map.columns[5], Some(5));
    }

    #[test]
    fn missing_and_duplicate_columns_are_named() {
        let std = Standard::builtin();
        let ty = std.dataset_type("veterans").unwrap();
        let errs = map_headers(
            ty,
            &headers(&["id_number", "公民身份号码", "name", "入伍日期", "退役日期"]),
        )
        .unwrap_err();
        let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            text,
            vec![
                "row 1: columns id_number and 公民身份号码 both name field id_number",
                "row 1: required column 是否农村籍 (rural) is missing",
            ]
        );
    }

    #[test]
    fn rows_are_checked_with_their_spreadsheet_numbers() {
        let std = Standard::builtin();
        let ty = std.dataset_type("deaths").unwrap();
        let map = map_headers(
            ty,
            &headers(&["公民身份号码", "姓名", "死亡日期", "数据来源"]),
        )
        .unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let checker = RowChecker::new(ty, &map, today, None);
        let t = |s: &'static str| Cell::Text(Cow::Borrowed(s));
        let RowOutcome::Invalid(errs) = checker.check(
            7,
            &[t("110105194912310021"), t(""), t("2024-02-30"), t("火化")],
        ) else {
            panic!("expected errors")
        };
        let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            text,
            vec![
                "row 7, column 公民身份号码: ID number check character is 1 but should be X",
                "row 7, column 姓名: is required but empty",
                "row 7, column 死亡日期: '2024-02-30' is not a calendar date",
                "row 7, column 数据来源: '火化' is not one of: 户籍注销, 医学死亡证明, 火化记录",
            ]
        );
        assert!(matches!(
            checker.check(8, &[t(" "), Cell::Empty]),
            RowOutcome::Blank
        ));
    }

    #[test]
    fn duplicate_keys_name_the_first_row() {
        let mut idx = KeyIndex::default();
        let a = vec![Value::Text("x".into()), Value::Enum(1)];
        let b = vec![Value::Text("x".into()), Value::Enum(2)];
        assert_eq!(idx.insert(&[0, 1], &a, 2), None);
        assert_eq!(idx.insert(&[0, 1], &b, 3), None);
        assert_eq!(idx.insert(&[0, 1], &a, 9), Some(2));
        // Length-prefixed text: ("ab","c") and ("a","bc") differ.
        let mut idx = KeyIndex::default();
        let p = vec![Value::Text("ab".into()), Value::Text("c".into())];
        let q = vec![Value::Text("a".into()), Value::Text("bc".into())];
        assert_eq!(idx.insert(&[0, 1], &p, 2), None);
        assert_eq!(idx.insert(&[0, 1], &q, 3), None);
    }
}
