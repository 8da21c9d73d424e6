//! The import pipeline: read, check every row (in parallel), find duplicate keys, and write
//! the checked rows as Parquet files, one per slice (partition value) of the upload.

use crate::columnar::{self, BatchBuilder};
use crate::error::FileError;
use crate::idindex::{self, IdIndexBuilder};
pub use crate::limits::Limits;
use crate::read::{self, Format, TextEncoding};
use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use chrono::NaiveDate;
use mingjing_domain::check::{encode_key_into, map_headers};
use mingjing_domain::{
    Cell, DatasetType, FieldType, KeyIndex, Month, Problem, RowCheck, RowChecker, RowError,
    RowWarning, Value,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use rayon::prelude::*;
use std::fs::File;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// Written into every row's `_upload` column: the folder the upload will live in.
    pub upload_tag: &'a str,
    /// Protects the personal fields' values as they are written.
    pub cipher: &'a mingjing_crypto::ColumnCipher,
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
    /// SM3 digests of the Parquet file and of its ID index, as written.
    pub sm3: String,
    pub ids_sm3: String,
}

/// A file that digests what is written to it (SM3, through the crypto provider).
struct DigestingFile {
    file: File,
    digest: mingjing_crypto::sm::Sm3Hasher,
}

impl std::io::Write for DigestingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// The SM3 digest of a file, read as a stream.
pub fn file_sm3(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = File::open(path)?;
    let mut digest = mingjing_crypto::sm::Sm3Hasher::default();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match f.read(&mut buf)? {
            0 => break,
            n => digest.update(&buf[..n]),
        }
    }
    Ok(digest.finish_hex())
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

const CHUNK_ROWS: usize = 16 * 1024;
const CHUNK_CELLS: usize = 512 * 1024;
const TASK_ROWS: usize = 2 * 1024;

/// Hashes a file's bytes as stored for an upload (the crypto provider chooses how).
pub fn sha256_hex(bytes: &[u8]) -> String {
    mingjing_crypto::file_fingerprint(bytes)
}

/// Checks a file against its type and, when every row is valid, writes it as Parquet.
///
/// Three stages overlap: the next chunk is parsed while the current one is checked in
/// parallel, and a writer thread encodes Parquet while both go on.
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
    let schema = columnar::schema(req.ty);
    // A type without partition always has its one slice, even with no rows: an empty
    // upload still replaces the organisation's earlier one.
    let one_slice = req.ty.partition.is_empty();
    let writer = SliceWriter::spawn(
        req.out_dir.to_path_buf(),
        schema.clone(),
        one_slice,
        props(req.ty),
    );
    let mut sink = Sink::new(req, schema, writer);
    let encoding = match format {
        Format::Csv => {
            let (text, encoding) = read::decode_text(req.bytes)?;
            read::check_csv(&text, &req.limits)?;
            let mut reader = read::csv_records(&text);
            let mut records = reader.byte_records();
            let mut numbers = read::CsvRowNumbers::new(&text);
            let header: Vec<String> = match records.next() {
                Some(Ok(h)) => {
                    numbers.row_of(&h);
                    read::csv_cells(&h).iter().map(cell_header).collect()
                }
                Some(Err(e)) => return Err(FileError::Unreadable(format!("row 1: {e}"))),
                None => vec![],
            };
            let map = map_headers(req.ty, &header).map_err(FileError::Header)?;
            let checker = RowChecker::new(req.ty, &map, req.today, req.period);
            let next_chunk = move || -> Result<Vec<(u64, csv::ByteRecord)>, FileError> {
                let mut chunk = Vec::with_capacity(CHUNK_ROWS);
                for rec in records.by_ref().take(CHUNK_ROWS) {
                    let rec = rec.map_err(|e| {
                        FileError::Unreadable(format!("row {}: {e}", numbers.last_row() + 1))
                    })?;
                    chunk.push((numbers.row_of(&rec), rec));
                }
                Ok(chunk)
            };
            sink.run(&checker, next_chunk, read::csv_cells_into)?;
            Some(encoding)
        }
        Format::Xlsx | Format::Xls => {
            let mut book = read::Workbook::open(format, req.bytes, &req.limits)?;
            let mut rows = book.rows(&req.limits)?;
            let first = rows.next_row()?;
            let (header, mut pending): (Vec<String>, _) = match first {
                Some((1, cells)) => (cells.iter().map(cell_header).collect(), None),
                other => (vec![], other),
            };
            let map = map_headers(req.ty, &header).map_err(FileError::Header)?;
            let checker = RowChecker::new(req.ty, &map, req.today, req.period);
            // Chunks are bounded by cells as well as rows: a wide sheet is not held whole.
            let next_chunk = move || -> Result<Vec<(u64, Vec<Cell<'_>>)>, FileError> {
                let mut chunk = Vec::with_capacity(CHUNK_ROWS);
                let mut cells = 0usize;
                chunk.extend(pending.take());
                while chunk.len() < CHUNK_ROWS && cells < CHUNK_CELLS {
                    match rows.next_row()? {
                        Some(row) => {
                            cells += row.1.len();
                            chunk.push(row);
                        }
                        None => break,
                    }
                }
                Ok(chunk)
            };
            sink.run(&checker, next_chunk, |cells, out| {
                out.extend(cells.iter().cloned())
            })?;
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
    /// Encoded keys of the task's valid rows, end to end, with (row, end offset, hash).
    key_bytes: Vec<u8>,
    keys: Vec<(u64, usize, u64)>,
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
    /// The key index's hasher: keys are hashed in parallel, inserted in order.
    hasher: hashbrown::DefaultHashBuilder,
    upload_tag: &'a str,
    cipher: &'a mingjing_crypto::ColumnCipher,
}

impl TaskContext<'_> {
    fn partition_key(&self, values: &[Value<'_>], out: &mut String) {
        out.clear();
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
    }

    fn check_task<'r, R>(
        &self,
        checker: &RowChecker<'_>,
        task: &'r [(u64, R)],
        fill: &impl Fn(&'r R, &mut Vec<Cell<'r>>),
    ) -> TaskResult {
        let mut out = TaskResult::default();
        let mut builders: Vec<(String, BatchBuilder<'_>)> = Vec::new();
        let mut slice = String::new();
        let mut cells: Vec<Cell<'r>> = Vec::new();
        let mut values: Vec<Value<'r>> = Vec::new();
        for (row, raw) in task {
            cells.clear();
            fill(raw, &mut cells);
            match checker.check_into(*row, &cells, &mut values) {
                RowCheck::Blank => {}
                RowCheck::Invalid(errs) => {
                    out.rows += 1;
                    out.errors.extend(errs);
                }
                RowCheck::Valid(warnings) => {
                    out.rows += 1;
                    out.warnings.extend(warnings);
                    let start = out.key_bytes.len();
                    encode_key_into(&self.key_fields, &values, &mut out.key_bytes);
                    let hash = self.hasher.hash_one(&out.key_bytes[start..]);
                    out.keys.push((*row, out.key_bytes.len(), hash));
                    // Once anything failed nothing will be written: skip building columns.
                    if !out.errors.is_empty() || self.failed.load(Ordering::Relaxed) {
                        continue;
                    }
                    self.partition_key(&values, &mut slice);
                    let pos = match builders.iter().position(|(s, _)| *s == slice) {
                        Some(p) => p,
                        None => {
                            builders.push((
                                slice.clone(),
                                BatchBuilder::new(
                                    self.ty,
                                    self.schema.clone(),
                                    task.len(),
                                    self.upload_tag,
                                    self.cipher,
                                ),
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

/// Collects checked rows and errors in file order and hands batches to the writer.
struct Sink<'a> {
    ctx: TaskContext<'a>,
    merger: Merger,
}

/// The sequential part: keys across the whole file, errors in row order, batches in order.
struct Merger {
    limits: Limits,
    key_label: String,
    keys: KeyIndex,
    writer: SliceWriter,
    rows: u64,
    errors: Vec<RowError>,
    errors_total: u64,
    warnings: Vec<RowWarning>,
    warnings_total: u64,
}

impl<'a> Sink<'a> {
    fn new(req: &'a ImportRequest<'a>, schema: SchemaRef, writer: SliceWriter) -> Self {
        let ty = req.ty;
        let idx = |k: &String| ty.field_index(k).expect("validated definition");
        // About 64 bytes a row: room for the keys without rehashing as the file is read.
        let expected_rows = (req.bytes.len() / 64).min(req.limits.max_rows as usize);
        let keys = KeyIndex::with_capacity(expected_rows);
        Sink {
            ctx: TaskContext {
                ty,
                schema,
                key_fields: ty.row_key.iter().map(idx).collect(),
                partition_fields: ty.partition.iter().map(idx).collect(),
                failed: AtomicBool::new(false),
                hasher: keys.hasher().clone(),
                upload_tag: req.upload_tag,
                cipher: req.cipher,
            },
            merger: Merger {
                limits: req.limits,
                key_label: key_label(ty),
                keys,
                writer,
                rows: 0,
                errors: Vec::new(),
                errors_total: 0,
                warnings: Vec::new(),
                warnings_total: 0,
            },
        }
    }

    /// Checks every chunk `next_chunk` yields. Three things overlap: reading chunk N+1,
    /// checking chunk N in parallel, and merging chunk N-1 (keys, errors, batches to the writer).
    fn run<R: Send + Sync>(
        &mut self,
        checker: &RowChecker<'_>,
        mut next_chunk: impl FnMut() -> Result<Vec<(u64, R)>, FileError> + Send,
        fill: impl for<'r> Fn(&'r R, &mut Vec<Cell<'r>>) + Sync,
    ) -> Result<(), FileError> {
        let mut current = next_chunk()?;
        let mut pending: Option<Vec<TaskResult>> = None;
        while !current.is_empty() || pending.is_some() {
            let (ctx, merger) = (&self.ctx, &mut self.merger);
            let (next, (checked, merged)) = rayon::join(
                || {
                    if current.is_empty() {
                        Ok(Vec::new())
                    } else {
                        next_chunk()
                    }
                },
                || {
                    rayon::join(
                        || {
                            current
                                .par_chunks(TASK_ROWS)
                                .map(|task| ctx.check_task(checker, task, &fill))
                                .collect::<Vec<TaskResult>>()
                        },
                        || pending.take().map(|p| merger.merge(p, ctx)),
                    )
                },
            );
            merged.transpose()?;
            pending = (!current.is_empty()).then_some(checked);
            current = next?;
        }
        Ok(())
    }

    fn finish(
        self,
        format: Format,
        encoding: Option<TextEncoding>,
    ) -> Result<CheckedFile, FileError> {
        let m = self.merger;
        let slices = m.writer.finish();
        if m.errors_total > 0 {
            return Err(FileError::Rows {
                errors: m.errors,
                total: m.errors_total,
            });
        }
        let slices = slices?;
        Ok(CheckedFile {
            format,
            encoding,
            rows: slices.iter().map(|s| s.rows).sum(),
            slices,
            warnings: m.warnings,
            warnings_total: m.warnings_total,
        })
    }
}

impl Merger {
    fn merge(&mut self, results: Vec<TaskResult>, ctx: &TaskContext<'_>) -> Result<(), FileError> {
        for mut r in results {
            self.rows += r.rows;
            if self.rows > self.limits.max_rows {
                return Err(FileError::TooManyRows {
                    limit: self.limits.max_rows,
                });
            }
            let mut start = 0;
            for &(row, end, hash) in &r.keys {
                if let Some(first_row) =
                    self.keys.insert_hashed(&r.key_bytes[start..end], hash, row)
                {
                    r.errors.push(RowError {
                        row,
                        column: Some(self.key_label.clone()),
                        problem: Problem::DuplicateKey {
                            first_row,
                            key: self.key_label.clone(),
                        },
                    });
                }
                start = end;
            }
            r.errors.sort_by_key(|e| e.row);
            self.errors_total += r.errors.len() as u64;
            let room = self
                .limits
                .max_reported_errors
                .saturating_sub(self.errors.len());
            self.errors.extend(r.errors.into_iter().take(room));
            self.warnings_total += r.warnings.len() as u64;
            let room = self
                .limits
                .max_reported_errors
                .saturating_sub(self.warnings.len());
            self.warnings.extend(r.warnings.into_iter().take(room));
            if self.errors_total > 0 {
                ctx.failed.store(true, Ordering::Relaxed);
                continue;
            }
            for (slice, batch) in r.batches {
                self.writer.send(slice, batch)?;
            }
        }
        Ok(())
    }
}

impl Drop for SliceWriter {
    /// An import that ends early (a header error, too many rows) still waits for the writer,
    /// so that nothing is written into the staging folder after the caller discards it.
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// Rows per row group: a person page reads a few rows of a file, and decodes the row groups
/// that hold them; a million-row group (the writer's default) costs a city's page ~10 ms per
/// file it reads from. Scans are unaffected.
const ROW_GROUP_ROWS: usize = 64 * 1024;

/// Rows per data page. Reading one row decodes its page in every column: at the writer's
/// default (1 MiB pages, tens of thousands of rows) a person page spent most of its time
/// decoding rows it did not want. Each page costs a header and an offset-index entry; at 4,096
/// rows that is well under 1% of a file, and scans do not slow down.
const PAGE_ROWS: usize = 4096;

/// Snappy everywhere; no dictionary for ID numbers and credit codes, which rarely repeat, and
/// small dictionaries elsewhere (a column of many distinct names falls back to plain encoding
/// early instead of making every read of its chunk decode a megabyte of dictionary).
/// Statistics per column chunk, not per page: page-level minima and maxima of text columns
/// would make the page index (kept in memory for the person page) larger than it is useful;
/// the offset index, which locates pages, is written either way.
pub(crate) fn props(ty: &DatasetType) -> WriterProperties {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_data_page_row_count_limit(PAGE_ROWS)
        .set_dictionary_page_size_limit(32 * 1024)
        .set_statistics_enabled(EnabledStatistics::Chunk);
    for f in &ty.fields {
        if matches!(f.ty, FieldType::Id18 | FieldType::Uscc) {
            b = b.set_column_dictionary_enabled(ColumnPath::from(f.key.as_str()), false);
        }
    }
    b.build()
}

/// A slice file being written: its partition value, the writer, its ID index, its name.
type OpenSlice = (String, ArrowWriter<DigestingFile>, IdIndexBuilder, String);

/// Encodes Parquet on its own thread: one file per slice, in order of first appearance, each
/// with its ID index.
struct SliceWriter {
    tx: Option<std::sync::mpsc::SyncSender<(String, RecordBatch)>>,
    handle: Option<std::thread::JoinHandle<Result<Vec<Slice>, FileError>>>,
}

impl SliceWriter {
    fn spawn(
        out_dir: PathBuf,
        schema: SchemaRef,
        one_slice: bool,
        props: WriterProperties,
    ) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(String, RecordBatch)>(8);
        let handle = std::thread::spawn(move || -> Result<Vec<Slice>, FileError> {
            let mut writers: Vec<OpenSlice> = Vec::new();
            let open = |writers: &mut Vec<OpenSlice>, slice: String| -> Result<usize, FileError> {
                let name = format!("part-{:04}.parquet", writers.len());
                let file = DigestingFile {
                    file: File::create_new(out_dir.join(&name))?,
                    digest: Default::default(),
                };
                let writer = ArrowWriter::try_new(file, schema.clone(), Some(props.clone()))?;
                writers.push((slice, writer, IdIndexBuilder::new(&schema), name));
                Ok(writers.len() - 1)
            };
            for (slice, batch) in rx {
                let i = match writers.iter().position(|w| w.0 == slice) {
                    Some(i) => i,
                    None => open(&mut writers, slice)?,
                };
                writers[i].1.write(&batch)?;
                writers[i].2.push(&batch);
            }
            if one_slice && writers.is_empty() {
                open(&mut writers, String::new())?;
            }
            let mut slices = Vec::with_capacity(writers.len());
            for (partition, writer, index, file) in writers {
                let rows = index.rows();
                let written = writer.into_inner()?;
                written.file.sync_all()?;
                let ids = idindex::index_path(&out_dir.join(&file));
                index.write(&ids)?;
                slices.push(Slice {
                    partition,
                    rows,
                    file,
                    sm3: written.digest.finish_hex(),
                    ids_sm3: file_sm3(&ids)?,
                });
            }
            Ok(slices)
        });
        SliceWriter {
            tx: Some(tx),
            handle: Some(handle),
        }
    }

    fn send(&mut self, slice: String, batch: RecordBatch) -> Result<(), FileError> {
        if let Some(tx) = &self.tx
            && tx.send((slice, batch)).is_err()
        {
            // The writer stopped: its error is reported by finish.
            self.tx = None;
        }
        Ok(())
    }

    /// Closes the channel, then the files.
    fn finish(mut self) -> Result<Vec<Slice>, FileError> {
        drop(self.tx.take());
        self.handle
            .take()
            .expect("joined once")
            .join()
            .map_err(|_| {
                FileError::Io(std::io::Error::other("the Parquet writer thread panicked"))
            })?
    }
}
