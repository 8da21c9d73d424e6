//! The import pipeline: read, check every row (in parallel), find duplicate keys, and write
//! the checked rows as Parquet files, one per slice (partition value) of the upload.

use crate::columnar::{self, BatchBuilder};
use crate::error::FileError;
use crate::read::{self, Format, TextEncoding};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use chrono::NaiveDate;
use mingjing_domain::check::{encode_key, map_headers};
use mingjing_domain::{
    Cell, DatasetType, KeyIndex, Month, Problem, RowChecker, RowError, RowOutcome, RowWarning,
    Value,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Configurable limits on what one file may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_rows: u64,
    /// How many row errors a rejection reports (the rest are counted).
    pub max_reported_errors: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 1 << 30,
            max_rows: 50_000_000,
            max_reported_errors: 1000,
        }
    }
}

/// One file to check and write.
pub struct ImportRequest<'a> {
    pub ty: &'a DatasetType,
    /// The file's name as the uploader gave it (decides nothing but the Excel-extension check).
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    /// The upload's month, for periodic types.
    pub period: Option<Month>,
    /// The day of import.
    pub today: NaiveDate,
    pub limits: Limits,
    /// An empty directory the Parquet files are written into; the caller commits or discards it.
    pub out_dir: &'a Path,
}

/// One replaceable part of an upload: the rows sharing one value of the partition fields
/// (the whole upload for types without partition).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    /// Partition values joined with U+001F; empty for types without partition.
    pub partition: String,
    pub rows: u64,
    /// File name inside the output directory.
    pub file: String,
}

/// A file that passed every check and was written.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    pub format: Format,
    pub encoding: Option<TextEncoding>,
    pub rows: u64,
    pub slices: Vec<Slice>,
    /// Warnings about kept values (at most the report limit), and how many in all.
    pub warnings: Vec<RowWarning>,
    pub warnings_total: u64,
}

/// The separator between partition values of a slice key: control characters never occur in
/// checked values, so the join is unambiguous.
pub const PARTITION_SEPARATOR: char = '\u{1F}';

const CHUNK_ROWS: usize = 32 * 1024;
const TASK_ROWS: usize = 4 * 1024;

/// Hashes a file's bytes as stored for an upload.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks a file against its type and, when every row is valid, writes it as Parquet.
pub fn import_file(req: &ImportRequest<'_>) -> Result<CheckedFile, FileError> {
    let size = req.bytes.len() as u64;
    if size > req.limits.max_file_bytes {
        return Err(FileError::TooLarge {
            size,
            limit: req.limits.max_file_bytes,
        });
    }
    if req.bytes.is_empty() {
        return Err(FileError::Unreadable("the file is empty (0 bytes)".into()));
    }
    let format = read::detect_format(req.file_name, req.bytes)?;
    let mut sink = Sink::new(req)?;
    let encoding = match format {
        Format::Csv => {
            let (text, encoding) = read::decode_text(req.bytes)?;
            let mut reader = read::csv_records(&text);
            let mut records = reader.byte_records();
            let header: Vec<String> = match records.next() {
                Some(Ok(h)) => read::csv_cells(&h).iter().map(cell_header).collect(),
                Some(Err(e)) => return Err(FileError::Unreadable(format!("row 1: {e}"))),
                None => vec![],
            };
            let map = map_headers(req.ty, &header).map_err(FileError::Header)?;
            let checker = RowChecker::new(req.ty, &map, req.today, req.period);
            let mut row = 1u64;
            loop {
                let mut chunk = Vec::with_capacity(CHUNK_ROWS);
                for rec in records.by_ref().take(CHUNK_ROWS) {
                    row += 1;
                    let rec = rec.map_err(|e| FileError::Unreadable(format!("row {row}: {e}")))?;
                    chunk.push((row, rec));
                }
                if chunk.is_empty() {
                    break;
                }
                sink.check_chunk(&checker, &chunk, |r| read::csv_cells(r))?;
            }
            Some(encoding)
        }
        Format::Xlsx | Format::Xls => {
            let sheet = read::read_workbook(format, req.bytes)?;
            let mut rows = sheet.rows().peekable();
            let header: Vec<String> = match rows.peek() {
                Some((1, cells)) => cells.iter().map(cell_header).collect(),
                _ => vec![],
            };
            if !header.is_empty() {
                rows.next();
            }
            let map = map_headers(req.ty, &header).map_err(FileError::Header)?;
            let checker = RowChecker::new(req.ty, &map, req.today, req.period);
            loop {
                let chunk: Vec<(u64, Vec<Cell<'_>>)> = rows.by_ref().take(CHUNK_ROWS).collect();
                if chunk.is_empty() {
                    break;
                }
                sink.check_chunk(&checker, &chunk, |cells| cells.clone())?;
            }
            None
        }
    };
    sink.finish(format, encoding)
}

/// The key fields by their labels, for duplicate-key messages: `公民身份号码+数据来源`.
fn key_label(ty: &DatasetType) -> String {
    ty.row_key
        .iter()
        .map(|k| ty.field(k).map_or(k.as_str(), |f| f.label.as_str()))
        .collect::<Vec<_>>()
        .join("+")
}

fn cell_header(c: &Cell<'_>) -> String {
    match c {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.to_string(),
        Cell::Number(v) => mingjing_domain::number::excel_number_text(*v),
        Cell::ExcelDate(d) => d.to_string(),
        Cell::Bool(b) => b.to_string(),
        Cell::ExcelError(e) => e.clone(),
    }
}

/// What one parallel task found in its rows.
#[derive(Default)]
struct TaskResult {
    batches: Vec<(String, RecordBatch)>,
    keys: Vec<(u64, Vec<u8>)>,
    errors: Vec<RowError>,
    warnings: Vec<RowWarning>,
    rows: u64,
}

/// What the parallel row checks share: read-only but for the failure flag.
struct TaskContext<'a> {
    ty: &'a DatasetType,
    schema: SchemaRef,
    key_fields: Vec<usize>,
    partition_fields: Vec<usize>,
    failed: AtomicBool,
}

impl TaskContext<'_> {
    fn partition_key(&self, values: &[Value]) -> String {
        let mut out = String::new();
        for (n, &i) in self.partition_fields.iter().enumerate() {
            if n > 0 {
                out.push(PARTITION_SEPARATOR);
            }
            let field = &self.ty.fields[i];
            match &values[i] {
                Value::Enum(e) => out.push_str(&field.values[*e as usize]),
                Value::Text(s) => out.push_str(s),
                Value::Id(id) => out.push_str(&id.to_string()),
                Value::Code(c) => out.push_str(c.as_str()),
                Value::Month(m) => out.push_str(&m.to_string()),
                Value::Date(d) => out.push_str(&d.to_string()),
                Value::Money(m) => out.push_str(&m.to_string()),
                Value::Decimal(d) => out.push_str(&d.to_string()),
                Value::Int(v) => out.push_str(&v.to_string()),
                Value::Null => {}
            }
        }
        out
    }

    fn check_task<R>(
        &self,
        checker: &RowChecker<'_>,
        task: &[(u64, R)],
        cells_of: &impl for<'r> Fn(&'r R) -> Vec<Cell<'r>>,
    ) -> TaskResult {
        let mut out = TaskResult::default();
        let mut builders: Vec<(String, BatchBuilder<'_>)> = Vec::new();
        for (row, raw) in task {
            let cells = cells_of(raw);
            match checker.check(*row, &cells) {
                RowOutcome::Blank => {}
                RowOutcome::Invalid(errs) => {
                    out.rows += 1;
                    out.errors.extend(errs);
                }
                RowOutcome::Valid { values, warnings } => {
                    out.rows += 1;
                    out.warnings.extend(warnings);
                    out.keys.push((*row, encode_key(&self.key_fields, &values)));
                    // Once anything failed nothing will be written: skip building columns.
                    if !out.errors.is_empty() || self.failed.load(Ordering::Relaxed) {
                        continue;
                    }
                    let slice = self.partition_key(&values);
                    let pos = match builders.iter().position(|(s, _)| *s == slice) {
                        Some(p) => p,
                        None => {
                            builders.push((
                                slice,
                                BatchBuilder::new(self.ty, self.schema.clone(), task.len()),
                            ));
                            builders.len() - 1
                        }
                    };
                    builders[pos].1.push(*row, &values);
                }
            }
        }
        if out.errors.is_empty() {
            out.batches = builders.into_iter().map(|(s, b)| (s, b.finish())).collect();
        }
        out
    }
}

/// Collects checked rows and errors in file order and writes the slices.
struct Sink<'a> {
    req: &'a ImportRequest<'a>,
    ctx: TaskContext<'a>,
    key_label: String,
    keys: KeyIndex,
    writers: Vec<(String, ArrowWriter<File>, u64, PathBuf)>,
    writer_of: HashMap<String, usize>,
    rows: u64,
    errors: Vec<RowError>,
    errors_total: u64,
    warnings: Vec<RowWarning>,
    warnings_total: u64,
}

impl<'a> Sink<'a> {
    fn new(req: &'a ImportRequest<'a>) -> Result<Self, FileError> {
        let ty = req.ty;
        let idx = |k: &String| ty.field_index(k).expect("validated definition");
        Ok(Sink {
            req,
            ctx: TaskContext {
                ty,
                schema: columnar::schema(ty),
                key_fields: ty.row_key.iter().map(idx).collect(),
                partition_fields: ty.partition.iter().map(idx).collect(),
                failed: AtomicBool::new(false),
            },
            key_label: key_label(ty),
            keys: KeyIndex::default(),
            writers: Vec::new(),
            writer_of: HashMap::new(),
            rows: 0,
            errors: Vec::new(),
            errors_total: 0,
            warnings: Vec::new(),
            warnings_total: 0,
        })
    }

    fn check_chunk<R: Sync>(
        &mut self,
        checker: &RowChecker<'_>,
        chunk: &[(u64, R)],
        cells_of: impl for<'r> Fn(&'r R) -> Vec<Cell<'r>> + Sync,
    ) -> Result<(), FileError> {
        let ctx = &self.ctx;
        let results: Vec<TaskResult> = chunk
            .par_chunks(TASK_ROWS)
            .map(|task| ctx.check_task(checker, task, &cells_of))
            .collect();
        for mut r in results {
            self.rows += r.rows;
            if self.rows > self.req.limits.max_rows {
                return Err(FileError::TooManyRows {
                    limit: self.req.limits.max_rows,
                });
            }
            for (row, key) in r.keys {
                if let Some(first_row) = self.keys.insert_encoded(key, row) {
                    r.errors.push(RowError {
                        row,
                        column: None,
                        problem: Problem::DuplicateKey {
                            first_row,
                            key: self.key_label.clone(),
                        },
                    });
                }
            }
            r.errors.sort_by_key(|e| e.row);
            self.errors_total += r.errors.len() as u64;
            let room = self
                .req
                .limits
                .max_reported_errors
                .saturating_sub(self.errors.len());
            self.errors.extend(r.errors.into_iter().take(room));
            self.warnings_total += r.warnings.len() as u64;
            let room = self
                .req
                .limits
                .max_reported_errors
                .saturating_sub(self.warnings.len());
            self.warnings.extend(r.warnings.into_iter().take(room));
            if self.errors_total > 0 {
                self.ctx.failed.store(true, Ordering::Relaxed);
                continue;
            }
            for (slice, batch) in r.batches {
                self.write(slice, &batch)?;
            }
        }
        Ok(())
    }

    fn writer_for(&mut self, slice: String) -> Result<usize, FileError> {
        if let Some(i) = self.writer_of.get(&slice) {
            return Ok(*i);
        }
        let i = self.writers.len();
        let name = format!("part-{i:04}.parquet");
        let path = self.req.out_dir.join(&name);
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        let file = File::create_new(&path)?;
        let writer = ArrowWriter::try_new(file, self.ctx.schema.clone(), Some(props))?;
        self.writers
            .push((slice.clone(), writer, 0, PathBuf::from(name)));
        self.writer_of.insert(slice, i);
        Ok(i)
    }

    fn write(&mut self, slice: String, batch: &RecordBatch) -> Result<(), FileError> {
        let i = self.writer_for(slice)?;
        let w = &mut self.writers[i];
        w.1.write(batch)?;
        w.2 += batch.num_rows() as u64;
        Ok(())
    }

    fn finish(
        mut self,
        format: Format,
        encoding: Option<TextEncoding>,
    ) -> Result<CheckedFile, FileError> {
        if self.errors_total > 0 {
            return Err(FileError::Rows {
                errors: self.errors,
                total: self.errors_total,
            });
        }
        // A type without partition always has its one slice, even with no rows: an empty
        // upload still replaces the organisation's earlier one.
        if self.ctx.partition_fields.is_empty() && self.writers.is_empty() {
            self.writer_for(String::new())?;
        }
        let mut slices = Vec::with_capacity(self.writers.len());
        for (partition, writer, rows, name) in self.writers {
            let file = writer.into_inner()?;
            file.sync_all()?;
            slices.push(Slice {
                partition,
                rows,
                file: name.to_string_lossy().into_owned(),
            });
        }
        Ok(CheckedFile {
            format,
            encoding,
            rows: slices.iter().map(|s| s.rows).sum(),
            slices,
            warnings: self.warnings,
            warnings_total: self.warnings_total,
        })
    }
}
