//! Turning a file's bytes into a header and rows of cells: CSV (UTF-8, UTF-8 with BOM,
//! GB18030/GBK, detected), xlsx and xls. Formula cells are read as their formula text.

use crate::error::FileError;
use calamine::{Data, Range, Reader};
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

/// The first worksheet of a workbook: values, with formula cells replaced by their formula text.
pub struct Sheet {
    pub values: Range<Data>,
    pub formulas: Option<Range<String>>,
}

/// Reads the first sheet of an xlsx or xls workbook held in memory.
pub fn read_workbook(format: Format, bytes: &[u8]) -> Result<Sheet, FileError> {
    // calamine parses untrusted archives and binary records; a malformed file must
    // become an error, never a crash of the importing process.
    let result = std::panic::catch_unwind(move || -> Result<Sheet, String> {
        let cursor = Cursor::new(bytes);
        match format {
            Format::Xlsx => {
                let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(cursor)
                    .map_err(|e: calamine::XlsxError| e.to_string())?;
                first_sheet(&mut wb)
            }
            Format::Xls => {
                let mut wb: calamine::Xls<_> = calamine::open_workbook_from_rs(cursor)
                    .map_err(|e: calamine::XlsError| e.to_string())?;
                first_sheet(&mut wb)
            }
            Format::Csv => unreachable!("csv is not a workbook"),
        }
    });
    match result {
        Ok(Ok(sheet)) => Ok(sheet),
        Ok(Err(msg)) => Err(FileError::Unreadable(format!(
            "the workbook cannot be read (corrupt or truncated): {msg}"
        ))),
        Err(_) => Err(FileError::Unreadable(
            "the workbook cannot be read (corrupt or truncated)".into(),
        )),
    }
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
    pub fn rows(&self) -> impl Iterator<Item = (u64, Vec<Cell<'_>>)> + '_ {
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
