//! The workbooks the platform hands people: a dataset type's template, a rejected file's
//! error report, and the exports of alerts and statistics. Cells are text unless a column is
//! declared numeric, so that no value from an upload is ever evaluated as a formula.

use crate::AppError;
use mingjing_domain::DatasetType;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

/// One worksheet: rows from the top, and the widths of the columns that need one.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
    /// (column, width in characters).
    pub widths: Vec<(u16, f64)>,
    /// Columns formatted as text, so that what a person types into a template stays as typed
    /// (a leading zero, an 18-digit ID).
    pub text_columns: Vec<u16>,
}

impl Sheet {
    /// A sheet of a header row and text rows.
    pub fn table<R, C>(name: &str, header: &[&str], rows: R) -> Sheet
    where
        R: IntoIterator<Item = C>,
        C: IntoIterator<Item = String>,
    {
        let mut all: Vec<Vec<Cell>> = vec![header.iter().map(|h| Cell::from(*h)).collect()];
        all.extend(
            rows.into_iter()
                .map(|r| r.into_iter().map(Cell::Text).collect()),
        );
        Sheet {
            name: name.into(),
            rows: all,
            ..Sheet::default()
        }
    }
}

/// Writing a workbook in memory fails only on a bug (a sheet name Excel refuses, say).
fn failed(e: XlsxError) -> AppError {
    AppError::Workbook(e.to_string())
}

/// The sheets as one xlsx file.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, AppError> {
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name).map_err(failed)?;
        for &c in &s.text_columns {
            ws.set_column_format(c, &text).map_err(failed)?;
        }
        for &(c, w) in &s.widths {
            ws.set_column_width(c, w).map_err(failed)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = u32::try_from(r).map_err(|_| AppError::Workbook("too many rows".into()))?;
            for (c, cell) in row.iter().enumerate() {
                let c =
                    u16::try_from(c).map_err(|_| AppError::Workbook("too many columns".into()))?;
                match cell {
                    Cell::Text(t) => ws.write_string(r, c, t).map_err(failed)?,
                    Cell::Number(n) => ws.write_number(r, c, *n).map_err(failed)?,
                };
            }
        }
    }
    wb.save_to_buffer().map_err(failed)
}

/// A one-sheet table written a row at a time, so that an export never holds its rows as
/// values beside the workbook (the rows are read a page at a time).
pub struct TableBook {
    sheet: rust_xlsxwriter::Worksheet,
    next: u32,
}

impl TableBook {
    pub fn new(name: &str, header: &[&str]) -> Result<TableBook, AppError> {
        let mut sheet = rust_xlsxwriter::Worksheet::new();
        sheet.set_name(name).map_err(failed)?;
        let mut book = TableBook { sheet, next: 0 };
        book.row(header.iter().map(|h| h.to_string()))?;
        Ok(book)
    }

    /// Appends a row of text cells.
    pub fn row(&mut self, cells: impl IntoIterator<Item = String>) -> Result<(), AppError> {
        for (c, text) in cells.into_iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| AppError::Workbook("too many columns".into()))?;
            self.sheet
                .write_string(self.next, c, text)
                .map_err(failed)?;
        }
        self.next = self
            .next
            .checked_add(1)
            .ok_or_else(|| AppError::Workbook("too many rows".into()))?;
        Ok(())
    }

    pub fn finish(self) -> Result<Vec<u8>, AppError> {
        let mut wb = Workbook::new();
        wb.push_worksheet(self.sheet);
        wb.save_to_buffer().map_err(failed)
    }
}

/// A dataset type's Excel template: the header row of labels on a sheet whose columns take
/// text, and a sheet that says what each column takes.
pub fn template(ty: &DatasetType) -> Result<Vec<u8>, AppError> {
    let columns = u16::try_from(ty.fields.len()).unwrap_or(u16::MAX);
    let data = Sheet {
        name: "数据".into(),
        rows: vec![
            ty.fields
                .iter()
                .map(|f| Cell::from(f.label.as_str()))
                .collect(),
        ],
        widths: (0..columns).map(|c| (c, 18.0)).collect(),
        text_columns: (0..columns).collect(),
    };
    let notes = Sheet::table(
        "说明",
        &["列名", "字段", "类型", "必填", "可选值"],
        ty.fields.iter().map(|f| {
            [
                f.label.clone(),
                f.key.clone(),
                f.ty.as_str().to_string(),
                if f.required { "是" } else { "否" }.to_string(),
                f.values.join("、"),
            ]
        }),
    );
    workbook(&[data, notes])
}

/// A rejected file's errors, one row each: (row, column, what is wrong).
pub fn rejection_report(errors: &[(u64, String, String)]) -> Result<Vec<u8>, AppError> {
    let mut sheet = Sheet {
        name: "错误".into(),
        rows: vec![vec!["行号".into(), "列".into(), "问题".into()]],
        widths: vec![(2, 80.0)],
        ..Sheet::default()
    };
    sheet.rows.extend(errors.iter().map(|(row, col, msg)| {
        vec![
            Cell::Number(*row as f64),
            Cell::Text(col.clone()),
            Cell::Text(msg.clone()),
        ]
    }));
    workbook(&[sheet])
}

#[cfg(test)]
mod tests {
    use super::*;
    use mingjing_domain::cell::Cell as Read;
    use mingjing_ingest::Limits;
    use mingjing_ingest::read::{Format, Workbook};

    /// The first sheet's rows, read back as an upload would read them.
    fn read_back(bytes: &[u8]) -> Vec<Vec<String>> {
        let limits = Limits::default();
        let mut book = Workbook::open(Format::Xlsx, bytes, &limits).expect("opens");
        let mut rows = book.rows(&limits).expect("rows");
        let mut out = Vec::new();
        while let Some((_, cells)) = rows.next_row().expect("a row") {
            out.push(
                cells
                    .iter()
                    .map(|c| match c {
                        Read::Text(t) => t.to_string(),
                        other => format!("{other:?}"),
                    })
                    .collect(),
            );
        }
        out
    }

    #[test]
    fn a_formula_from_an_upload_is_exported_as_its_text() {
        let sheet = Sheet::table(
            "预警",
            &["姓名", "备注"],
            [vec![
                "张三".to_string(),
                "=HYPERLINK(\"http://x\",\"点击\")".to_string(),
            ]],
        );
        let rows = read_back(&workbook(&[sheet]).expect("a workbook"));
        assert_eq!(
            rows,
            vec![
                vec!["姓名".to_string(), "备注".to_string()],
                vec![
                    "张三".to_string(),
                    "=HYPERLINK(\"http://x\",\"点击\")".to_string()
                ],
            ]
        );
    }

    #[test]
    fn a_template_reads_back_as_its_type_s_header() {
        let standard = mingjing_domain::Standard::builtin();
        let ty = standard.types.first().expect("a type");
        let rows = read_back(&template(ty).expect("a template"));
        let labels: Vec<String> = ty.fields.iter().map(|f| f.label.clone()).collect();
        assert_eq!(rows, vec![labels]);
    }
}
