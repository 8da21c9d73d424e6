//! The ID index of a slice file: beside `part-0000.parquet`, `part-0000.ids` lists the blind
//! index of every ID number the file holds in its ID fields (64 bits of its token, never the
//! ID), sorted, each with the ordinal of its row in the file.
//! It answers "which rows of this file name this person" with a binary search of a few reads,
//! where a scan would read the whole column: the person page reads every type this way.
//!
//! Written by the importer's Parquet thread beside each file, before the upload is published;
//! built from the Parquet file itself when an older upload has none. Derived data: deleting it
//! loses nothing.
//!
//! Layout (little-endian): the magic `MJIDS001`, the number of ID fields (u32), each field's
//! name (u16 length, UTF-8), the number of entries (u64), then the entries, 16 bytes each:
//! the ID's key (`ColumnCipher::index_key` of its token), the row's ordinal in the file (u32), the field's index (u32),
//! sorted by key, then ordinal. Keys of different IDs may rarely be equal: a reader compares
//! the tokens of the rows it reads.

use crate::columnar::FIELD_TYPE_META;
use arrow_array::{Array, RecordBatch, StringArray};
use arrow_schema::Schema;
use mingjing_crypto::ColumnCipher;
use mingjing_domain::FieldType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection,
};
use parquet::file::metadata::PageIndexPolicy;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"MJIDS002";
const ENTRY: u64 = 16;

/// Whether an index file's first bytes are this format's (not an older one's).
pub fn is_current_magic(magic: &[u8; 8]) -> bool {
    magic == MAGIC
}

/// The index file that belongs beside a slice file.
pub fn index_path(parquet: &Path) -> PathBuf {
    parquet.with_extension("ids")
}

/// The columns of a schema that hold ID numbers, as (column index, name).
fn id_columns(schema: &Schema) -> Vec<(usize, String)> {
    schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            f.metadata().get(FIELD_TYPE_META).map(String::as_str) == Some(FieldType::Id18.as_str())
        })
        .map(|(i, f)| (i, f.name().clone()))
        .collect()
}

/// Collects the IDs of one slice file's batches, in the order they are written.
pub struct IdIndexBuilder {
    columns: Vec<(usize, String)>,
    entries: Vec<(u64, u32, u32)>,
    rows: u64,
}

impl IdIndexBuilder {
    pub fn new(schema: &Schema) -> Self {
        IdIndexBuilder {
            columns: id_columns(schema),
            entries: Vec::new(),
            rows: 0,
        }
    }

    /// Rows taken so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Takes the next batch written to the file. Cells that are not tokens (there are none in
    /// a checked upload) are left out rather than indexed under a wrong key.
    pub fn push(&mut self, batch: &RecordBatch) {
        for (field, (column, _)) in self.columns.iter().enumerate() {
            let Some(values) = batch.column(*column).as_any().downcast_ref::<StringArray>() else {
                continue;
            };
            for (i, v) in values.iter().enumerate() {
                if let Some(key) = v.and_then(ColumnCipher::index_key) {
                    self.entries
                        .push((key, (self.rows + i as u64) as u32, field as u32));
                }
            }
        }
        self.rows += batch.num_rows() as u64;
    }

    /// Sorts and writes the index next to its file, durably, under its final name.
    pub fn write(mut self, path: &Path) -> io::Result<()> {
        self.entries.sort_unstable();
        let tmp = path.with_extension(format!(
            "ids.{}.{:?}.tmp",
            std::process::id(),
            std::thread::current().id()
        ));
        let mut w = BufWriter::new(File::create(&tmp)?);
        w.write_all(MAGIC)?;
        w.write_all(&(self.columns.len() as u32).to_le_bytes())?;
        for (_, name) in &self.columns {
            w.write_all(&(name.len() as u16).to_le_bytes())?;
            w.write_all(name.as_bytes())?;
        }
        w.write_all(&(self.entries.len() as u64).to_le_bytes())?;
        for (id, ordinal, field) in &self.entries {
            w.write_all(&id.to_le_bytes())?;
            w.write_all(&ordinal.to_le_bytes())?;
            w.write_all(&field.to_le_bytes())?;
        }
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, path)
    }
}

/// Builds the index of a slice file from the file (an upload written before indexes existed).
pub fn build_from_parquet(parquet: &Path) -> Result<(), crate::FileError> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(parquet)?)?;
    let schema = builder.schema().clone();
    let columns = id_columns(&schema);
    let mask = ProjectionMask::roots(builder.parquet_schema(), columns.iter().map(|(i, _)| *i));
    // The projected batches hold only the ID columns, in schema order.
    let mut index = IdIndexBuilder {
        columns: columns
            .iter()
            .enumerate()
            .map(|(j, (_, name))| (j, name.clone()))
            .collect(),
        entries: Vec::new(),
        rows: 0,
    };
    for batch in builder.with_projection(mask).build()? {
        index.push(&batch?);
    }
    index.write(&index_path(parquet))?;
    Ok(())
}

/// An opened index: its file and its header, read once.
struct OpenIndex {
    file: File,
    /// The file's inode: a kept index is used only while the path still names it.
    inode: u64,
    path: PathBuf,
    fields: Vec<String>,
    count: u64,
    /// Where the entries start.
    base: u64,
}

impl OpenIndex {
    fn open(path: &Path, file: File) -> Result<Self, crate::FileError> {
        let bad = |what: &str| invalid(path, what);
        let mut head = [0u8; 12];
        file.read_exact_at(&mut head, 0)?;
        if &head[..8] != MAGIC {
            return Err(bad("not an ID index"));
        }
        let mut at = 12u64;
        let mut fields = Vec::new();
        for _ in 0..u32::from_le_bytes(head[8..12].try_into().expect("4 bytes")) {
            let mut len = [0u8; 2];
            file.read_exact_at(&mut len, at)?;
            let mut name = vec![0u8; usize::from(u16::from_le_bytes(len))];
            file.read_exact_at(&mut name, at + 2)?;
            at += 2 + name.len() as u64;
            fields.push(String::from_utf8(name).map_err(|_| bad("a field name is not UTF-8"))?);
        }
        let mut count = [0u8; 8];
        file.read_exact_at(&mut count, at)?;
        use std::os::unix::fs::MetadataExt;
        Ok(OpenIndex {
            inode: file.metadata()?.ino(),
            file,
            path: path.to_path_buf(),
            fields,
            count: u64::from_le_bytes(count),
            base: at + 8,
        })
    }

    fn entry(&self, i: u64) -> io::Result<(u64, u32, u32)> {
        let mut e = [0u8; ENTRY as usize];
        self.file.read_exact_at(&mut e, self.base + i * ENTRY)?;
        Ok((
            u64::from_le_bytes(e[..8].try_into().expect("8 bytes")),
            u32::from_le_bytes(e[8..12].try_into().expect("4 bytes")),
            u32::from_le_bytes(e[12..].try_into().expect("4 bytes")),
        ))
    }

    fn lookup(&self, key: u64) -> Result<Vec<(String, u32)>, crate::FileError> {
        // The first entry whose ID is not below the key.
        let (mut lo, mut hi) = (0u64, self.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.entry(mid)?.0 < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut out = Vec::new();
        while lo < self.count {
            let (k, ordinal, field) = self.entry(lo)?;
            if k != key {
                break;
            }
            let name = self
                .fields
                .get(field as usize)
                .ok_or_else(|| invalid(&self.path, "an entry names no field"))?;
            out.push((name.clone(), ordinal));
            lo += 1;
        }
        Ok(out)
    }
}

fn invalid(path: &Path, what: &str) -> crate::FileError {
    crate::FileError::Io(io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: {what}", path.display()),
    ))
}

/// Most index files kept open (each holds a file descriptor).
const INDEXES_KEPT: usize = 512;

/// The rows of one slice file that may name the ID whose index key is `key`: (ID field,
/// ordinal), in row order.
/// Builds the index first when the file has none. Index files are kept open with their headers
/// read: a city's person page searches ~160 of them. A kept one is used while its path still
/// names the same file (one `stat`); a deleted or rewritten index is opened (or built) anew.
pub fn lookup(parquet: &Path, key: u64) -> Result<Vec<(String, u32)>, crate::FileError> {
    use std::collections::HashMap;
    use std::os::unix::fs::MetadataExt;
    use std::sync::{Arc, LazyLock, Mutex};
    static OPEN: LazyLock<Mutex<HashMap<PathBuf, Arc<OpenIndex>>>> = LazyLock::new(Mutex::default);
    let path = index_path(parquet);
    let current = std::fs::metadata(&path).ok().map(|m| m.ino());
    let kept = OPEN
        .lock()
        .expect("not poisoned")
        .get(&path)
        .filter(|i| Some(i.inode) == current)
        .cloned();
    let index = match kept {
        Some(i) => i,
        None => {
            let file = match File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    build_from_parquet(parquet)?;
                    File::open(&path)?
                }
                Err(e) => return Err(e.into()),
            };
            let index = Arc::new(OpenIndex::open(&path, file)?);
            let mut open = OPEN.lock().expect("not poisoned");
            if open.len() >= INDEXES_KEPT {
                open.clear();
            }
            open.insert(path, index.clone());
            index
        }
    };
    index.lookup(key)
}

/// Most files whose footers are kept in memory.
const FOOTERS_KEPT: usize = 4096;

/// A slice file's footer and page index, read once: published files never change, and a
/// person page would otherwise parse a city-sized file's footer for every row it reads.
fn metadata(parquet: &Path) -> Result<ArrowReaderMetadata, crate::FileError> {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    static KEPT: LazyLock<Mutex<HashMap<PathBuf, ArrowReaderMetadata>>> =
        LazyLock::new(Mutex::default);
    if let Some(m) = KEPT.lock().expect("not poisoned").get(parquet) {
        return Ok(m.clone());
    }
    let m = ArrowReaderMetadata::load(
        &File::open(parquet)?,
        ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional),
    )?;
    let mut kept = KEPT.lock().expect("not poisoned");
    if kept.len() >= FOOTERS_KEPT {
        kept.clear();
    }
    kept.insert(parquet.to_path_buf(), m.clone());
    Ok(m)
}

/// The rows of a slice file at the given ordinals (sorted, distinct), in that order; only the
/// row groups and pages that hold them are read.
pub fn read_ordinals(
    parquet: &Path,
    ordinals: &[u32],
) -> Result<Vec<RecordBatch>, crate::FileError> {
    if ordinals.is_empty() {
        return Ok(Vec::new());
    }
    let file = File::open(parquet)?;
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata(parquet)?);
    // The row groups that hold a wanted row, and the wanted rows counted within them.
    let mut groups = Vec::new();
    let mut ranges = Vec::new();
    let (mut start, mut kept) = (0usize, 0usize);
    let mut next = ordinals.iter().map(|o| *o as usize).peekable();
    for (g, rg) in builder.metadata().row_groups().iter().enumerate() {
        let end = start + rg.num_rows() as usize;
        let mut any = false;
        while let Some(&o) = next.peek().filter(|o| **o < end) {
            next.next();
            if o >= start {
                ranges.push(kept + o - start..kept + o - start + 1);
                any = true;
            }
        }
        if any {
            groups.push(g);
            kept += end - start;
        }
        start = end;
    }
    let selection = RowSelection::from_consecutive_ranges(ranges.into_iter(), kept);
    let reader = builder
        .with_row_groups(groups)
        .with_row_selection(selection)
        .with_batch_size(1024)
        .build()?;
    Ok(reader.collect::<Result<Vec<_>, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columnar::schema;
    use arrow_array::{ArrayRef, Int64Array};
    use mingjing_domain::{Field, FieldType, IdNumber};
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::WriterProperties;
    use std::sync::Arc;

    fn cipher() -> ColumnCipher {
        ColumnCipher::new([(1, vec![7u8; 48])], [(1, vec![9u8; 16])])
    }

    fn key(i: u32) -> u64 {
        ColumnCipher::index_key(&cipher().token(&id(i))).unwrap()
    }

    fn id(i: u32) -> String {
        let first17 = format!("11010519800101{i:03}");
        let sum: u32 = first17
            .bytes()
            .zip([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        format!(
            "{first17}{}",
            "10X98765432".as_bytes()[(sum % 11) as usize] as char
        )
    }

    /// A file of `n` rows in small row groups: `holder` is row i's ID, `other` the ID of row
    /// i+1's holder, so each ID is named by two rows through two fields.
    fn write_file(dir: &Path, n: usize) -> PathBuf {
        let field = |key: &str, required| Field {
            key: key.into(),
            label: key.into(),
            ty: FieldType::Id18,
            required,
            values: vec![],
            personal: None,
        };
        let ty = mingjing_domain::DatasetType {
            name: "links".into(),
            label: "links".into(),
            owner: String::new(),
            description: String::new(),
            row_key: vec!["holder".into()],
            period: false,
            partition: vec![],
            fields: vec![field("holder", true), field("other", false)],
        };
        let schema = schema(&ty);
        let path = dir.join("part-0000.parquet");
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(7))
            .build();
        let mut w = ArrowWriter::try_new(File::create(&path).unwrap(), schema.clone(), Some(props))
            .unwrap();
        let mut index = IdIndexBuilder::new(&schema);
        for chunk in (0..n).collect::<Vec<_>>().chunks(5) {
            let c = cipher();
            let holder: ArrayRef = Arc::new(StringArray::from_iter_values(
                chunk.iter().map(|i| c.token(&id(*i as u32))),
            ));
            let other: ArrayRef = Arc::new(StringArray::from_iter(
                chunk
                    .iter()
                    .map(|i| (i % 4 != 3).then(|| c.token(&id(*i as u32 + 1)))),
            ));
            let birth = |ids: &[usize]| -> ArrayRef {
                Arc::new(arrow_array::Date32Array::from_iter_values(ids.iter().map(
                    |i| {
                        crate::columnar::date32(
                            id(*i as u32).parse::<IdNumber>().unwrap().birth_date(),
                        )
                    },
                )))
            };
            let row: ArrayRef = Arc::new(Int64Array::from_iter_values(
                chunk.iter().map(|i| *i as i64 + 2),
            ));
            let upload: ArrayRef =
                Arc::new(StringArray::from_iter_values(chunk.iter().map(|_| "u1")));
            let batch = RecordBatch::try_new(
                schema.clone(),
                vec![holder, other, birth(chunk), birth(chunk), row, upload],
            )
            .unwrap();
            w.write(&batch).unwrap();
            index.push(&batch);
        }
        w.close().unwrap();
        index.write(&index_path(&path)).unwrap();
        path
    }

    fn rows_of(batches: &[RecordBatch]) -> Vec<i64> {
        batches
            .iter()
            .flat_map(|b| {
                let c = b.column(4).as_any().downcast_ref::<Int64Array>().unwrap();
                c.values().to_vec()
            })
            .collect()
    }

    #[test]
    fn lookup_finds_every_row_naming_an_id_through_any_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(dir.path(), 40);
        assert_eq!(
            lookup(&path, key(10)).unwrap(),
            vec![("other".to_string(), 9), ("holder".to_string(), 10)]
        );
        // Row 11 has no `other` (11 % 4 == 3): ID 12 is named once.
        assert_eq!(
            lookup(&path, key(12)).unwrap(),
            vec![("holder".to_string(), 12)]
        );
        assert!(lookup(&path, key(500)).unwrap().is_empty());
        let batches = read_ordinals(&path, &[0, 9, 10, 13, 39]).unwrap();
        assert_eq!(rows_of(&batches), vec![2, 11, 12, 15, 41]);
    }

    #[test]
    fn a_file_without_an_index_gets_one_built_from_the_file_that_answers_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(dir.path(), 40);
        let written = std::fs::read(index_path(&path)).unwrap();
        std::fs::remove_file(index_path(&path)).unwrap();
        assert_eq!(
            lookup(&path, key(21)).unwrap(),
            vec![("other".to_string(), 20), ("holder".to_string(), 21)]
        );
        assert_eq!(std::fs::read(index_path(&path)).unwrap(), written);
    }

    #[test]
    fn a_damaged_index_is_an_error_not_an_empty_answer() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_file(dir.path(), 10);
        std::fs::write(index_path(&path), b"garbage!garbage!").unwrap();
        let err = lookup(&path, key(1)).unwrap_err().to_string();
        assert!(err.contains("not an ID index"), "{err}");
    }
}
