//! Turning a file's bytes into a header and rows of cells: CSV (UTF-8, UTF-8 with BOM,
//! GB18030/GBK, detected), xlsx and xls. Formula cells are read as their formula text.

use crate::error::FileError;
use crate::limits::{Exceeded, Limits};
use calamine::{Data, DataRef, Range, Reader};
use chrono::NaiveDateTime;
use mingjing_domain::Cell;
use std::borrow::Cow;
use std::io::Cursor;

/// What a file is, judged by its content first and its name second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Xls,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Detects the format from the bytes; an Excel extension on non-Excel bytes is an error.
pub fn detect_format(file_name: &str, bytes: &[u8]) -> Result<Format, FileError> {
    let lower = file_name.to_ascii_lowercase();
    let ext_excel = lower.ends_with(".xlsx") || lower.ends_with(".xls");
    if bytes.starts_with(ZIP_MAGIC) {
        return Ok(Format::Xlsx);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Ok(Format::Xls);
    }
    if ext_excel {
        return Err(FileError::Unreadable(
            "the file is named as an Excel workbook but is not one (corrupt or not a workbook)"
                .into(),
        ));
    }
    Ok(Format::Csv)
}

/// Which text encoding a CSV file was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Gb18030,
}

/// Decodes CSV bytes: UTF-8 (with or without BOM) or GB18030 (GBK is a subset), detected.
pub fn decode_text(bytes: &[u8]) -> Result<(Cow<'_, str>, TextEncoding), FileError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(FileError::Encoding(
            "the file is UTF-16 text; save it as CSV in UTF-8 or GB18030".into(),
        ));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (Cow::Borrowed(s), TextEncoding::Utf8Bom))
            .map_err(|e| utf8_error(rest, e));
    }
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        return Ok((Cow::Borrowed(s), TextEncoding::Utf8));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
    if guess == encoding_rs::GBK || guess == encoding_rs::GB18030 {
        return encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|s| (Cow::Owned(s.into_owned()), TextEncoding::Gb18030))
            .ok_or_else(|| {
                FileError::Encoding("the file is neither valid UTF-8 nor valid GB18030 text".into())
            });
    }
    Err(FileError::Encoding(format!(
        "the file is not text in UTF-8 or GB18030 (it looks like {}, or binary data)",
        guess.name()
    )))
}

fn utf8_error(bytes: &[u8], e: std::str::Utf8Error) -> FileError {
    let line = bytes[..e.valid_up_to()]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1;
    FileError::Encoding(format!(
        "the file starts with a UTF-8 byte-order mark but line {line} is not valid UTF-8"
    ))
}

/// A CSV reader over decoded text: records as they come, header first.
pub fn csv_records(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// The cells of one CSV record, appended to `out`. The text was valid UTF-8 and the parser
/// splits only at ASCII bytes, so every field is valid UTF-8 too (checked all the same).
pub fn csv_cells_into<'r>(record: &'r csv::ByteRecord, out: &mut Vec<Cell<'r>>) {
    out.extend(record.iter().map(|f| match simdutf8::basic::from_utf8(f) {
        Ok("") => Cell::Empty,
        Ok(s) => Cell::Text(Cow::Borrowed(s)),
        Err(_) => Cell::Text(Cow::Owned(String::from_utf8_lossy(f).into_owned())),
    }));
}

/// The cells of one CSV record.
pub fn csv_cells(record: &csv::ByteRecord) -> Vec<Cell<'_>> {
    let mut out = Vec::with_capacity(record.len());
    csv_cells_into(record, &mut out);
    out
}

/// Checks decoded CSV text against the limits before its records are collected: the
/// fields of a record and the characters of a field, in one pass of csv-core (the parser the
/// csv crate is built on) that holds one field at a time.
pub fn check_csv(text: &str, limits: &Limits) -> Result<(), FileError> {
    use csv_core::ReadFieldResult;
    let mut reader = csv_core::Reader::new();
    let mut input = text.as_bytes();
    // A character is at most four bytes of UTF-8.
    let mut field = vec![0u8; usize::try_from(limits.max_cell_chars * 4 + 4).unwrap_or(usize::MAX)];
    let (mut len, mut fields) = (0usize, 0u64);
    loop {
        let (result, read, written) = reader.read_field(input, &mut field[len..]);
        input = &input[read..];
        len += written;
        let at = fields;
        let place = || format!("line {}, column {}", reader.line(), at + 1);
        match result {
            ReadFieldResult::InputEmpty => {}
            ReadFieldResult::OutputFull => {
                return Err(Exceeded::new(place(), "max_cell_chars", limits.max_cell_chars).into());
            }
            ReadFieldResult::Field { record_end } => {
                let chars = field[..len].iter().filter(|b| (**b & 0xC0) != 0x80).count() as u64;
                if chars > limits.max_cell_chars {
                    return Err(
                        Exceeded::new(place(), "max_cell_chars", limits.max_cell_chars)
                            .found(chars)
                            .into(),
                    );
                }
                fields += 1;
                if fields > limits.max_columns {
                    return Err(Exceeded::new(place(), "max_columns", limits.max_columns).into());
                }
                if record_end {
                    fields = 0;
                }
                len = 0;
            }
            ReadFieldResult::End => return Ok(()),
        }
    }
}

/// Numbers CSV records as the spreadsheet rows they open as: a blank line is a row, a quoted
/// line break is not. The csv parser skips blank lines and reports a record's position from
/// before them, so the row is counted from the line breaks ahead of the record's first byte,
/// less those inside earlier records' quoted fields.
#[derive(Debug)]
pub struct CsvRowNumbers<'t> {
    text: &'t [u8],
    /// How far `breaks` has counted.
    scanned: usize,
    /// Line breaks in `text[..scanned]`.
    breaks: u64,
    /// Line breaks inside quoted fields so far.
    inner_breaks: u64,
    last: u64,
}

impl<'t> CsvRowNumbers<'t> {
    /// Numbers the records of `text`, the input of `csv_records`.
    pub fn new(text: &'t str) -> Self {
        CsvRowNumbers {
            text: text.as_bytes(),
            scanned: 0,
            breaks: 0,
            inner_breaks: 0,
            last: 0,
        }
    }

    /// The row number last given.
    pub fn last_row(&self) -> u64 {
        self.last
    }

    pub fn row_of(&mut self, record: &csv::ByteRecord) -> u64 {
        let row = match record.position() {
            Some(p) => {
                let len = self.text.len();
                let mut start = usize::try_from(p.byte()).map_or(len, |b| b.min(len));
                while start < len && matches!(self.text[start], b'\r' | b'\n') {
                    start += 1;
                }
                if start > self.scanned {
                    self.breaks += line_breaks(&self.text[self.scanned..start]);
                    self.scanned = start;
                }
                (self.breaks + 1).saturating_sub(self.inner_breaks)
            }
            None => 0,
        }
        .max(self.last + 1);
        self.inner_breaks += record.iter().map(line_breaks).sum::<u64>();
        self.last = row;
        row
    }
}

/// Line breaks as the CSV parser sees them: LF, CRLF and a lone CR.
fn line_breaks(bytes: &[u8]) -> u64 {
    let mut n = 0;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' || (*b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
    }
    n
}

fn unreadable_workbook(msg: impl std::fmt::Display) -> FileError {
    FileError::Unreadable(format!(
        "the workbook cannot be read (corrupt or truncated): {msg}"
    ))
}

/// calamine parses untrusted archives and binary records; a malformed file must become an
/// error, never a crash of the importing process.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, FileError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(msg)) => Err(unreadable_workbook(msg)),
        Err(_) => Err(FileError::Unreadable(
            "the workbook cannot be read (corrupt or truncated)".into(),
        )),
    }
}

/// A workbook checked against the limits and opened; its first sheet is read row by row.
// One per file read, never stored in bulk: the size of the xlsx reader does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Workbook<'b> {
    /// Streamed: cells come from the sheet's XML as it inflates.
    Xlsx {
        book: calamine::Xlsx<Cursor<&'b [u8]>>,
        sheet: String,
    },
    /// calamine reads xls sheets whole, into a grid the checks bounded.
    Xls(Sheet),
}

impl<'b> Workbook<'b> {
    pub fn open(format: Format, bytes: &'b [u8], limits: &Limits) -> Result<Self, FileError> {
        match format {
            Format::Xlsx => {
                crate::zipcheck::check_xlsx(bytes, limits)?;
                let book: calamine::Xlsx<_> = guarded(|| {
                    calamine::open_workbook_from_rs(Cursor::new(bytes))
                        .map_err(|e: calamine::XlsxError| e.to_string())
                })?;
                let sheet = book
                    .sheet_names()
                    .first()
                    .cloned()
                    .ok_or_else(|| unreadable_workbook("it has no worksheet"))?;
                Ok(Workbook::Xlsx { book, sheet })
            }
            Format::Xls => {
                crate::xlscheck::check_xls(bytes, limits)?;
                let sheet = guarded(|| {
                    let mut book: calamine::Xls<_> =
                        calamine::open_workbook_from_rs(Cursor::new(bytes))
                            .map_err(|e: calamine::XlsError| e.to_string())?;
                    first_sheet(&mut book)
                })?;
                Ok(Workbook::Xls(sheet))
            }
            Format::Csv => Err(FileError::Unreadable("a CSV file is not a workbook".into())),
        }
    }

    /// The first sheet's rows, from the top; rows without a value are left out.
    pub fn rows(&mut self, limits: &Limits) -> Result<SheetRows<'_, 'b>, FileError> {
        let limits = *limits;
        match self {
            Workbook::Xlsx { book, sheet } => {
                let name = sheet.clone();
                let cells = guarded(|| {
                    book.worksheet_cells_reader(&name)
                        .map_err(|e| e.to_string())
                })?;
                let dim = cells.dimensions();
                let (rows, cols) = (
                    u64::from(dim.end.0.saturating_sub(dim.start.0)) + 1,
                    u64::from(dim.end.1) + 1,
                );
                if cols > limits.max_columns {
                    return Err(Exceeded::new(
                        format!("sheet {name} (its declared dimension)"),
                        "max_columns",
                        limits.max_columns,
                    )
                    .found(cols)
                    .into());
                }
                if rows.saturating_mul(cols) > limits.max_cells {
                    return Err(Exceeded::new(
                        format!("sheet {name} (its declared dimension)"),
                        "max_cells",
                        limits.max_cells,
                    )
                    .found(rows.saturating_mul(cols))
                    .into());
                }
                Ok(SheetRows::Xlsx(Box::new(StreamedRows {
                    cells,
                    pending: None,
                    done: false,
                    last_row: None,
                    count: 0,
                    limits,
                })))
            }
            Workbook::Xls(sheet) => Ok(SheetRows::Grid {
                rows: Box::new(sheet.rows()),
                limits,
            }),
        }
    }
}

/// The rows of a workbook's first sheet, read as they come.
pub enum SheetRows<'w, 'b> {
    Xlsx(Box<StreamedRows<'w, 'b>>),
    Grid {
        rows: Box<dyn Iterator<Item = (u64, Vec<Cell<'w>>)> + Send + 'w>,
        limits: Limits,
    },
}

pub struct StreamedRows<'w, 'b> {
    cells: calamine::XlsxCellReader<'w, Cursor<&'b [u8]>>,
    /// The first cell of the next row, read while finishing the last.
    pending: Option<(u32, u32, Cell<'w>)>,
    /// The reader said the sheet ended: asked again, calamine reads past `</sheetData>`.
    done: bool,
    last_row: Option<u32>,
    count: u64,
    limits: Limits,
}

impl<'w> StreamedRows<'w, '_> {
    fn next_cell(&mut self) -> Result<Option<(u32, u32, Cell<'w>)>, FileError> {
        if self.done {
            return Ok(None);
        }
        let cells = &mut self.cells;
        let next = guarded(|| cells.next_cell_with_formula().map_err(|e| e.to_string()))?;
        let Some(c) = next else {
            self.done = true;
            return Ok(None);
        };
        self.count += 1;
        if self.count > self.limits.max_cells {
            return Err(Exceeded::new("the worksheet", "max_cells", self.limits.max_cells).into());
        }
        let (row, col) = c.pos;
        let cell = match c.formula.filter(|f| !f.is_empty()) {
            Some(f) if f.starts_with('=') => Cell::Text(Cow::Owned(f)),
            Some(f) => Cell::Text(Cow::Owned(format!("={f}"))),
            None => data_ref_cell(c.value),
        };
        Ok(Some((row, col, cell)))
    }

    fn next_row(&mut self) -> Result<Option<(u64, Vec<Cell<'w>>)>, FileError> {
        loop {
            let first = match self.pending.take() {
                Some(c) => c,
                None => match self.next_cell()? {
                    Some(c) => c,
                    None => return Ok(None),
                },
            };
            let row = first.0;
            if let Some(last) = self.last_row
                && row <= last
            {
                return Err(FileError::Unreadable(format!(
                    "the worksheet's rows are out of order: row {} comes after row {}",
                    row + 1,
                    last + 1
                )));
            }
            self.last_row = Some(row);
            let mut cells: Vec<Cell<'w>> = Vec::new();
            let mut next = Some(first);
            while let Some((r, col, cell)) = next {
                if r != row {
                    self.pending = Some((r, col, cell));
                    break;
                }
                place_cell(&mut cells, u64::from(row) + 1, col, cell, &self.limits)?;
                next = self.next_cell()?;
            }
            if !cells.is_empty() {
                return Ok(Some((u64::from(row) + 1, cells)));
            }
        }
    }
}

/// Puts a cell at its column, refusing what lies beyond the limits; empty cells are left out
/// (a row holds cells up to its last value).
fn place_cell<'w>(
    cells: &mut Vec<Cell<'w>>,
    row: u64,
    col: u32,
    cell: Cell<'w>,
    limits: &Limits,
) -> Result<(), FileError> {
    let place = || format!("row {row}, column {}", u64::from(col) + 1);
    if u64::from(col) >= limits.max_columns {
        return Err(Exceeded::new(place(), "max_columns", limits.max_columns)
            .found(u64::from(col) + 1)
            .into());
    }
    check_cell_chars(&cell, &place, limits)?;
    if matches!(cell, Cell::Empty) {
        return Ok(());
    }
    let col = col as usize;
    if col < cells.len() {
        return Err(FileError::Unreadable(format!(
            "the worksheet's cells are out of order at {}",
            place()
        )));
    }
    cells.resize(col, Cell::Empty);
    cells.push(cell);
    Ok(())
}

fn check_cell_chars(
    cell: &Cell<'_>,
    place: &dyn Fn() -> String,
    limits: &Limits,
) -> Result<(), FileError> {
    if let Cell::Text(s) = cell
        && s.len() as u64 > limits.max_cell_chars
    {
        let chars = s.chars().count() as u64;
        if chars > limits.max_cell_chars {
            return Err(
                Exceeded::new(place(), "max_cell_chars", limits.max_cell_chars)
                    .found(chars)
                    .into(),
            );
        }
    }
    Ok(())
}

impl<'w> SheetRows<'w, '_> {
    /// The next row with a value: (spreadsheet row number, cells from column A).
    pub fn next_row(&mut self) -> Result<Option<(u64, Vec<Cell<'w>>)>, FileError> {
        match self {
            SheetRows::Xlsx(s) => s.next_row(),
            SheetRows::Grid { rows, limits } => {
                for (n, cells) in rows.by_ref() {
                    for (i, c) in cells.iter().enumerate() {
                        check_cell_chars(c, &|| format!("row {n}, column {}", i + 1), limits)?;
                    }
                    if cells.iter().any(|c| !matches!(c, Cell::Empty)) {
                        return Ok(Some((n, cells)));
                    }
                }
                Ok(None)
            }
        }
    }
}

fn data_ref_cell(d: DataRef<'_>) -> Cell<'_> {
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(Cow::Owned(s)),
        DataRef::SharedString(s) => Cell::Text(Cow::Borrowed(s)),
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(ndt) if !dt.is_duration() => Cell::ExcelDate(ndt),
            _ => Cell::Number(dt.as_f64()),
        },
        DataRef::DateTimeIso(s) => match s.parse::<NaiveDateTime>() {
            Ok(ndt) => Cell::ExcelDate(ndt),
            Err(_) => Cell::Text(Cow::Owned(s)),
        },
        DataRef::DurationIso(s) => Cell::Text(Cow::Owned(s)),
        DataRef::Error(e) => Cell::ExcelError(format!("{e}")),
    }
}

/// The first worksheet of an xls workbook: values, with formula cells replaced by their
/// formula text.
pub struct Sheet {
    pub values: Range<Data>,
    pub formulas: Option<Range<String>>,
}

fn first_sheet<RS, R>(wb: &mut R) -> Result<Sheet, String>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let name = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| "it has no worksheet".to_string())?;
    let values = wb.worksheet_range(&name).map_err(|e| e.to_string())?;
    // Formulas are optional: a workbook without any is common.
    let formulas = wb.worksheet_formula(&name).ok();
    Ok(Sheet { values, formulas })
}

impl Sheet {
    /// Rows from the sheet's first row to its last, each as cells from column A.
    /// Returns (spreadsheet row number, cells).
    pub fn rows(&self) -> impl Iterator<Item = (u64, Vec<Cell<'_>>)> + Send + '_ {
        let (start_row, start_col) = self.values.start().unwrap_or((0, 0));
        self.values.rows().enumerate().map(move |(i, row)| {
            let abs_row = start_row + i as u32;
            let mut cells: Vec<Cell<'_>> = Vec::with_capacity(start_col as usize + row.len());
            cells.resize(start_col as usize, Cell::Empty);
            for (j, d) in row.iter().enumerate() {
                let abs_col = start_col + j as u32;
                let formula = self
                    .formulas
                    .as_ref()
                    .and_then(|f| f.get_value((abs_row, abs_col)))
                    .filter(|f| !f.is_empty());
                cells.push(match formula {
                    Some(f) if f.starts_with('=') => Cell::Text(Cow::Borrowed(f.as_str())),
                    Some(f) => Cell::Text(Cow::Owned(format!("={f}"))),
                    None => data_cell(d),
                });
            }
            (u64::from(abs_row) + 1, cells)
        })
    }
}

fn data_cell(d: &Data) -> Cell<'_> {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(Cow::Borrowed(s.as_str())),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(ndt) if !dt.is_duration() => Cell::ExcelDate(ndt),
            _ => Cell::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) => match s.parse::<NaiveDateTime>() {
            Ok(ndt) => Cell::ExcelDate(ndt),
            Err(_) => Cell::Text(Cow::Borrowed(s.as_str())),
        },
        Data::DurationIso(s) => Cell::Text(Cow::Borrowed(s.as_str())),
        Data::Error(e) => Cell::ExcelError(format!("{e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_detected() {
        let (s, enc) = decode_text("姓名,公民身份号码\n".as_bytes()).unwrap();
        assert_eq!(
            (s.as_ref(), enc),
            ("姓名,公民身份号码\n", TextEncoding::Utf8)
        );
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice("姓名\n".as_bytes());
        assert_eq!(decode_text(&bom).unwrap().1, TextEncoding::Utf8Bom);
        let (gbk, _, _) =
            encoding_rs::GBK.encode("姓名,乡镇,村(社区)\n张三,城关镇,东关村\n李四,东风镇,西河村\n");
        let (s, enc) = decode_text(&gbk).unwrap();
        assert_eq!(enc, TextEncoding::Gb18030);
        assert!(s.contains("城关镇"));
        assert!(matches!(
            decode_text(&[0xFF, 0xFE, 0x41, 0]),
            Err(FileError::Encoding(_))
        ));
        let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert!(matches!(decode_text(&binary), Err(FileError::Encoding(_))));
    }

    #[test]
    fn excel_names_are_checked_against_content() {
        assert_eq!(detect_format("a.csv", b"a,b").unwrap(), Format::Csv);
        assert_eq!(
            detect_format("a.dat", b"PK\x03\x04rest").unwrap(),
            Format::Xlsx
        );
        assert!(detect_format("a.xlsx", b"a,b").is_err());
    }
}
