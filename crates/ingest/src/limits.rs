//! What one untrusted file may hold, and the error naming the limit a file went beyond.
//!
//! Every limit is checked before the memory it guards is spent: a workbook's zip directory
//! and XML parts are scanned as streams before calamine opens them (`zipcheck`), an xls
//! workbook's records before calamine builds its grid (`xlscheck`), a CSV file's records
//! before they are collected (`csvcheck`). The values and the memory they bound are listed
//! in docs/security.md ("Limits on untrusted files"); a tidy test keeps the two equal.

use std::fmt;

/// Limits on what one file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The file's own size (configurable: `[limits] max_file_bytes`).
    pub max_file_bytes: u64,
    /// Data rows (configurable: `[limits] max_rows`).
    pub max_rows: u64,
    /// How many row errors a rejection reports (the rest are counted).
    pub max_reported_errors: usize,
    /// Columns of a row: a cell further right is refused (CSV, xlsx, xls).
    pub max_columns: u64,
    /// Characters of one cell: Excel's own limit.
    pub max_cell_chars: u64,
    /// Cells of an xlsx worksheet, counted as they stream (its declared dimension too).
    pub max_cells: u64,
    /// Cells of the grid an xls sheet is read into (its bounding box), summed over sheets.
    pub max_grid_cells: u64,
    /// Members of a workbook's zip archive.
    pub max_zip_entries: u64,
    /// Decompressed bytes of one streamed member (a worksheet).
    pub max_member_bytes: u64,
    /// Decompressed bytes of all members together.
    pub max_unzipped_bytes: u64,
    /// Decompressed size over compressed size, for members above one MiB.
    pub max_ratio: u64,
    /// Decompressed bytes of a part read whole (workbook, relationships, styles, theme).
    pub max_part_bytes: u64,
    /// Elements of a part read whole.
    pub max_part_elements: u64,
    /// Decompressed bytes of the shared-string table.
    pub max_shared_string_bytes: u64,
    /// Entries of the shared-string table, declared and counted.
    pub max_shared_strings: u64,
    /// Bytes of one XML token (a tag with its attributes, a text run, a comment).
    pub max_xml_token_bytes: u64,
    /// Depth of XML element nesting.
    pub max_xml_depth: u64,
    /// CONTINUE records after one xls record (calamine walks them in quadratic time).
    pub max_record_continues: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 1 << 30,
            max_rows: 50_000_000,
            max_reported_errors: 1000,
            max_columns: 1024,
            max_cell_chars: 32_767,
            max_cells: 50_000_000,
            max_grid_cells: 4 << 20,
            max_zip_entries: 10_000,
            max_member_bytes: 4 << 30,
            max_unzipped_bytes: 8 << 30,
            max_ratio: 250,
            max_part_bytes: 16 << 20,
            max_part_elements: 256 * 1024,
            max_shared_string_bytes: 64 << 20,
            max_shared_strings: 2_000_000,
            max_xml_token_bytes: 1 << 20,
            max_xml_depth: 64,
            max_record_continues: 16_384,
        }
    }
}

impl Limits {
    /// Every limit by its name, for the documentation's table (a tidy test compares them).
    pub fn named(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("max_file_bytes", self.max_file_bytes),
            ("max_rows", self.max_rows),
            ("max_columns", self.max_columns),
            ("max_cell_chars", self.max_cell_chars),
            ("max_cells", self.max_cells),
            ("max_grid_cells", self.max_grid_cells),
            ("max_zip_entries", self.max_zip_entries),
            ("max_member_bytes", self.max_member_bytes),
            ("max_unzipped_bytes", self.max_unzipped_bytes),
            ("max_ratio", self.max_ratio),
            ("max_part_bytes", self.max_part_bytes),
            ("max_part_elements", self.max_part_elements),
            ("max_shared_string_bytes", self.max_shared_string_bytes),
            ("max_shared_strings", self.max_shared_strings),
            ("max_xml_token_bytes", self.max_xml_token_bytes),
            ("max_xml_depth", self.max_xml_depth),
            ("max_record_continues", self.max_record_continues),
        ]
    }
}

/// A file went beyond a limit: where, which limit, and by how much when it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    /// Where: `zip member xl/worksheets/sheet1.xml`, `row 7, column 1025`, `sheet Sheet1`.
    pub place: String,
    /// The limit's name, as in `Limits` and docs/security.md.
    pub limit: &'static str,
    /// The limit's value.
    pub value: u64,
    /// What was found, when it is known before reading on.
    pub found: Option<u64>,
}

impl Exceeded {
    pub fn new(place: impl Into<String>, limit: &'static str, value: u64) -> Self {
        Exceeded {
            place: place.into(),
            limit,
            value,
            found: None,
        }
    }

    pub fn found(mut self, found: u64) -> Self {
        self.found = Some(found);
        self
    }

    /// What the limit bounds, in English and in Chinese.
    fn what(&self) -> (&'static str, &'static str) {
        match self.limit {
            "max_columns" => ("columns in a row", "一行的列数"),
            "max_cell_chars" => ("characters in a cell", "单元格字符数"),
            "max_cells" => ("cells in the worksheet", "工作表单元格数"),
            "max_grid_cells" => ("cells in the sheets' used ranges", "工作表已用区域单元格数"),
            "max_zip_entries" => ("members in the workbook archive", "工作簿压缩包成员数"),
            "max_member_bytes" => ("decompressed bytes of a member", "成员解压后字节数"),
            "max_unzipped_bytes" => ("decompressed bytes in all", "解压后总字节数"),
            "max_ratio" => ("compression ratio", "压缩比"),
            "max_part_bytes" => ("decompressed bytes of a part", "部件解压后字节数"),
            "max_part_elements" => ("elements in a part", "部件元素数"),
            "max_shared_string_bytes" => ("bytes of the shared strings", "共享字符串表字节数"),
            "max_shared_strings" => ("shared strings", "共享字符串数"),
            "max_xml_token_bytes" => ("bytes of one XML token", "单个 XML 片段字节数"),
            "max_xml_depth" => ("XML nesting depth", "XML 嵌套层数"),
            "max_rows" => ("data rows", "数据行数"),
            "max_record_continues" => ("continuation records", "续记录数"),
            _ => ("bytes", "字节数"),
        }
    }

    /// The message in Chinese, for the uploader.
    pub fn zh(&self) -> String {
        let (_, zh) = self.what();
        let place = zh_place(&self.place);
        match self.found {
            Some(f) => format!(
                "{place}：{zh}为 {f}，超过上限 {}（{}）",
                self.value, self.limit
            ),
            None => format!("{place}：{zh}超过上限 {}（{}）", self.value, self.limit),
        }
    }
}

/// `row 7, column 3` → `第 7 行第 3 列`; other places keep their words.
fn zh_place(place: &str) -> String {
    let mut out = place.to_string();
    if let Some(rest) = place.strip_prefix("row ") {
        let mut parts = rest.splitn(2, ", column ");
        if let (Some(r), Some(c)) = (parts.next(), parts.next()) {
            out = format!("第 {r} 行第 {c} 列");
        } else {
            out = format!("第 {rest} 行");
        }
    } else if let Some(m) = place.strip_prefix("zip member ") {
        out = format!("压缩包成员 {m}");
    } else if let Some(s) = place.strip_prefix("sheet ") {
        out = format!("工作表 {s}");
    } else if place == "the workbook" {
        out = "工作簿".into();
    }
    out
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (en, _) = self.what();
        match self.found {
            Some(n) => write!(
                f,
                "{}: {n} {en}, more than the limit of {} ({})",
                self.place, self.value, self.limit
            ),
            None => write!(
                f,
                "{}: more {en} than the limit of {} ({})",
                self.place, self.value, self.limit
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_message_names_the_place_the_limit_and_its_value() {
        let e = Exceeded::new("row 7, column 1025", "max_columns", 1024).found(1025);
        assert_eq!(
            e.to_string(),
            "row 7, column 1025: 1025 columns in a row, more than the limit of 1024 (max_columns)"
        );
        assert_eq!(
            e.zh(),
            "第 7 行第 1025 列：一行的列数为 1025，超过上限 1024（max_columns）"
        );
        let z = Exceeded::new("zip member xl/sharedStrings.xml", "max_shared_strings", 5);
        assert!(
            z.zh()
                .starts_with("压缩包成员 xl/sharedStrings.xml：共享字符串数超过上限 5")
        );
    }
}
