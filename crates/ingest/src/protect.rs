//! Protecting a slice file written before personal values were protected (a data directory
//! from before tokens): the same rows in the same order, each personal value replaced by its
//! token or sealed for its place, the birth dates inside the IDs added beside them, and the ID
//! index rebuilt by blind index. Evidence cites rows by ordinal, so it stays true.
//!
//! The new file is written beside the old one and renamed over it: a crash leaves either the
//! old file or the new one, never half of either, and [`is_protected`] tells which.

use crate::columnar::{self, PROTECTION_META, ROW_COLUMN, UPLOAD_COLUMN};
use crate::error::FileError;
use crate::idindex::{self, IdIndexBuilder};
use arrow_array::{Array, ArrayRef, Date32Array, RecordBatch, RecordBatchReader, StringArray};
use mingjing_crypto::ColumnCipher;
use mingjing_domain::standard::Protection;
use mingjing_domain::{DatasetType, FieldType, IdNumber};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Whether a slice file of `ty` stores its personal fields protected (a type with none is).
/// Reads the footer only.
pub fn is_protected(ty: &DatasetType, path: &Path) -> Result<bool, FileError> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path)?)?;
    let schema = builder.schema();
    Ok(ty
        .fields
        .iter()
        .filter(|f| f.protection() != Protection::Plain)
        .all(|f| {
            schema
                .field_with_name(&f.key)
                .is_ok_and(|a| a.metadata().contains_key(PROTECTION_META))
        }))
}

/// Where the protected file is written before it takes the old one's place.
pub fn pending_path(path: &Path) -> PathBuf {
    path.with_extension("parquet.protecting")
}

fn unreadable(path: &Path, what: String) -> FileError {
    FileError::Unreadable(format!("{}: {what}", path.display()))
}

/// Rewrites one slice file of `ty` with its personal values protected, and its ID index.
/// Returns the number of rows.
pub fn protect_file(
    ty: &DatasetType,
    path: &Path,
    cipher: &ColumnCipher,
) -> Result<u64, FileError> {
    let schema = columnar::schema(ty);
    let tmp = pending_path(path);
    let reader = columnar::read_batches(path, 8192)?;
    let mut writer = ArrowWriter::try_new(
        File::create(&tmp)?,
        schema.clone(),
        Some(crate::import::props(ty)),
    )?;
    let mut index = IdIndexBuilder::new(&schema);
    let mut rows = 0u64;
    for batch in reader {
        let batch = batch?;
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        let mut births: Vec<ArrayRef> = Vec::new();
        for f in &ty.fields {
            let column = batch
                .column_by_name(&f.key)
                .ok_or_else(|| unreadable(path, format!("it has no column {}", f.key)))?;
            let text = || {
                column
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .ok_or_else(|| unreadable(path, format!("column {} is not text", f.key)))
            };
            if f.ty == FieldType::Id18 {
                let ids = text()?;
                let mut birth = Vec::with_capacity(ids.len());
                for (i, v) in ids.iter().enumerate() {
                    birth.push(match v {
                        Some(v) => Some(columnar::date32(
                            v.parse::<IdNumber>()
                                .map_err(|e| {
                                    unreadable(
                                        path,
                                        format!("row {} of {}: {e}", rows + i as u64 + 1, f.key),
                                    )
                                })?
                                .birth_date(),
                        )),
                        None => None,
                    });
                }
                births.push(Arc::new(Date32Array::from(birth)));
            }
            let place = columnar::sealed_place(ty, &f.key);
            arrays.push(match f.protection() {
                Protection::Plain => column.clone(),
                Protection::Token => Arc::new(
                    text()?
                        .iter()
                        .map(|v| v.map(|v| cipher.token(v)))
                        .collect::<StringArray>(),
                ),
                Protection::Sealed => Arc::new(
                    text()?
                        .iter()
                        .map(|v| v.map(|v| cipher.seal(&place, v)))
                        .collect::<StringArray>(),
                ),
            });
        }
        arrays.extend(births);
        for name in [ROW_COLUMN, UPLOAD_COLUMN] {
            arrays.push(
                batch
                    .column_by_name(name)
                    .ok_or_else(|| unreadable(path, format!("it has no column {name}")))?
                    .clone(),
            );
        }
        let out = RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| unreadable(path, format!("its columns do not fit the type: {e}")))?;
        writer.write(&out)?;
        index.push(&out);
        rows += out.num_rows() as u64;
    }
    writer.into_inner()?.sync_all()?;
    // The index first: until the file is renamed, the old file is the one read, and an index
    // of tokens beside it only makes its lookups miss; the rename is what makes it whole.
    index.write(&idindex::index_path(path))?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(rows)
}

/// Whether the ID index beside a slice file is of the current format (by blind index).
pub fn index_is_current(parquet: &Path) -> bool {
    let mut magic = [0u8; 8];
    File::open(idindex::index_path(parquet))
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok()
        && idindex::is_current_magic(&magic)
}

/// Seals again with the current field key every sealed cell of a protected slice file that an
/// older key sealed (a rotation of the field key): the same rows and every other column as
/// they were, written to `out` (made durable; the caller records its digest, then renames it
/// over the file). Tokens are untouched, so the ID index stays true. Returns the number of
/// cells sealed again; 0 when none was stale, and then `out` is not written.
pub fn reseal_file(
    ty: &DatasetType,
    path: &Path,
    out: &Path,
    cipher: &ColumnCipher,
) -> Result<u64, FileError> {
    let sealed: Vec<&str> = ty
        .fields
        .iter()
        .filter(|f| f.protection() == Protection::Sealed)
        .map(|f| f.key.as_str())
        .collect();
    if sealed.is_empty() {
        return Ok(0);
    }
    let stale = |batch: &RecordBatch| {
        sealed.iter().any(|k| {
            batch
                .column_by_name(k)
                .and_then(|c| c.as_any().downcast_ref::<StringArray>().cloned())
                .is_some_and(|a| a.iter().flatten().any(|v| cipher.needs_resealing(v)))
        })
    };
    // Most files need nothing once resealed: look before writing.
    let mut any = false;
    for batch in columnar::read_batches(path, 8192)? {
        if stale(&batch?) {
            any = true;
            break;
        }
    }
    if !any {
        return Ok(0);
    }
    let reader = columnar::read_batches(path, 8192)?;
    let schema = reader.schema();
    let mut writer = ArrowWriter::try_new(
        File::create(out)?,
        schema.clone(),
        Some(crate::import::props(ty)),
    )?;
    let mut cells = 0u64;
    let mut row = 0u64;
    for batch in reader {
        let batch = batch?;
        let mut arrays: Vec<ArrayRef> = batch.columns().to_vec();
        for key in &sealed {
            let Ok(i) = schema.index_of(key) else {
                continue;
            };
            let column = arrays[i]
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or_else(|| unreadable(path, format!("column {key} is not text")))?;
            let place = columnar::sealed_place(ty, key);
            let mut out = Vec::with_capacity(column.len());
            for (j, v) in column.iter().enumerate() {
                out.push(match v {
                    Some(v) if cipher.needs_resealing(v) => {
                        let what =
                            format!("{}, row {} of {key}", path.display(), row + j as u64 + 1);
                        let plain = cipher
                            .open(&place, v, &what)
                            .map_err(|e| unreadable(path, e.to_string()))?;
                        cells += 1;
                        Some(cipher.seal(&place, &plain))
                    }
                    other => other.map(str::to_string),
                });
            }
            arrays[i] = Arc::new(StringArray::from(out));
        }
        row += batch.num_rows() as u64;
        let out = RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| unreadable(path, format!("its columns do not fit: {e}")))?;
        writer.write(&out)?;
    }
    writer.into_inner()?.sync_all()?;
    Ok(cells)
}
