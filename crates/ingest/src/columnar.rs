//! The columnar form of a dataset type: one Arrow/Parquet column per field, plus `_row`,
//! `_upload`, and `_birth_<field>` beside each ID field.
//!
//! Personal fields hold no clear value: a compared one holds its token, a shown-only one its
//! sealed text ([`mingjing_crypto::columns`]); the column's metadata says which. The birth
//! date inside an ID, which age rules need, is derived at import into `_birth_<field>`.

use arrow_array::builder::{Date32Builder, Decimal128Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field as ArrowField, Schema, SchemaRef};
use chrono::NaiveDate;
use mingjing_crypto::ColumnCipher;
use mingjing_domain::number::DECIMAL_SCALE;
use mingjing_domain::{DatasetType, FieldType, Protection, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The column holding each row's spreadsheet row number in its source file, for evidence.
pub const ROW_COLUMN: &str = "_row";
/// The column naming the upload (its folder) each row came from: evidence cites it.
pub const UPLOAD_COLUMN: &str = "_upload";
/// Field metadata key naming the standard's field type (a `month` is stored as its first day).
pub const FIELD_TYPE_META: &str = "mingjing.type";
/// Field metadata key naming how a personal field is stored: `token` or `sealed`.
pub const PROTECTION_META: &str = "mingjing.protect";
/// The prefix of the column beside an ID field that holds the birth date inside the ID.
pub const BIRTH_PREFIX: &str = "_birth_";

pub const MONEY_PRECISION: u8 = 18;
pub const DECIMAL_PRECISION: u8 = 38;

const UNIX_EPOCH_CE_DAYS: i32 = 719_163;

pub fn arrow_type(ty: FieldType) -> DataType {
    match ty {
        FieldType::Id18 | FieldType::Uscc | FieldType::Text | FieldType::Enum => DataType::Utf8,
        FieldType::Date | FieldType::Month => DataType::Date32,
        FieldType::Money => DataType::Decimal128(MONEY_PRECISION, 2),
        FieldType::Decimal => DataType::Decimal128(DECIMAL_PRECISION, DECIMAL_SCALE as i8),
        FieldType::Int => DataType::Int64,
    }
}

/// The place a sealed value belongs to, which it opens only in: `type.field`.
pub fn sealed_place(ty: &DatasetType, field: &str) -> String {
    format!("{}.{field}", ty.name)
}

/// The Arrow schema of a type's uploads.
pub fn schema(ty: &DatasetType) -> SchemaRef {
    let mut fields: Vec<ArrowField> = ty
        .fields
        .iter()
        .map(|f| {
            let mut meta =
                HashMap::from([(FIELD_TYPE_META.to_string(), f.ty.as_str().to_string())]);
            match f.protection() {
                Protection::Plain => {}
                Protection::Token => {
                    meta.insert(PROTECTION_META.into(), "token".into());
                }
                Protection::Sealed => {
                    meta.insert(PROTECTION_META.into(), "sealed".into());
                }
            }
            ArrowField::new(&f.key, arrow_type(f.ty), !f.required).with_metadata(meta)
        })
        .collect();
    for f in ty.fields.iter().filter(|f| f.ty == FieldType::Id18) {
        fields.push(ArrowField::new(
            format!("{BIRTH_PREFIX}{}", f.key),
            DataType::Date32,
            true,
        ));
    }
    fields.push(ArrowField::new(ROW_COLUMN, DataType::Int64, false));
    fields.push(ArrowField::new(UPLOAD_COLUMN, DataType::Utf8, false));
    Arc::new(Schema::new(fields))
}

pub fn date32(d: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&d) - UNIX_EPOCH_CE_DAYS
}

enum ColumnBuilder {
    Utf8(StringBuilder),
    Date(Date32Builder),
    Decimal(Decimal128Builder),
    Int(Int64Builder),
}

/// A value as its field stores it: as it is, as its token, or sealed for its place.
fn protected<'v>(
    cipher: &ColumnCipher,
    protection: Protection,
    place: &str,
    text: &'v str,
) -> std::borrow::Cow<'v, str> {
    match protection {
        Protection::Plain => std::borrow::Cow::Borrowed(text),
        Protection::Token => std::borrow::Cow::Owned(cipher.token(text)),
        Protection::Sealed => std::borrow::Cow::Owned(cipher.seal(place, text)),
    }
}

/// Accumulates checked rows of one type into a record batch, protecting personal values.
pub struct BatchBuilder<'a> {
    ty: &'a DatasetType,
    schema: SchemaRef,
    columns: Vec<ColumnBuilder>,
    /// Per field: how it is stored, and for a sealed one its place.
    protection: Vec<(Protection, String)>,
    births: Vec<Date32Builder>,
    rows: Int64Builder,
    upload: &'a str,
    cipher: &'a ColumnCipher,
    len: usize,
}

impl<'a> BatchBuilder<'a> {
    pub fn new(
        ty: &'a DatasetType,
        schema: SchemaRef,
        capacity: usize,
        upload: &'a str,
        cipher: &'a ColumnCipher,
    ) -> Self {
        let columns = ty
            .fields
            .iter()
            .map(|f| match f.ty {
                FieldType::Id18 | FieldType::Uscc | FieldType::Text | FieldType::Enum => {
                    ColumnBuilder::Utf8(StringBuilder::with_capacity(capacity, capacity * 16))
                }
                FieldType::Date | FieldType::Month => {
                    ColumnBuilder::Date(Date32Builder::with_capacity(capacity))
                }
                FieldType::Money => ColumnBuilder::Decimal(
                    Decimal128Builder::with_capacity(capacity)
                        .with_data_type(arrow_type(FieldType::Money)),
                ),
                FieldType::Decimal => ColumnBuilder::Decimal(
                    Decimal128Builder::with_capacity(capacity)
                        .with_data_type(arrow_type(FieldType::Decimal)),
                ),
                FieldType::Int => ColumnBuilder::Int(Int64Builder::with_capacity(capacity)),
            })
            .collect();
        BatchBuilder {
            ty,
            schema,
            columns,
            protection: ty
                .fields
                .iter()
                .map(|f| (f.protection(), sealed_place(ty, &f.key)))
                .collect(),
            births: ty
                .fields
                .iter()
                .filter(|f| f.ty == FieldType::Id18)
                .map(|_| Date32Builder::with_capacity(capacity))
                .collect(),
            rows: Int64Builder::with_capacity(capacity),
            upload,
            cipher,
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends one checked row (values in field order, as the row checker produced them).
    pub fn push(&mut self, row: u64, values: &[Value]) {
        let cipher = self.cipher;
        let mut births = self.births.iter_mut();
        for (((col, v), field), (protection, place)) in self
            .columns
            .iter_mut()
            .zip(values)
            .zip(&self.ty.fields)
            .zip(&self.protection)
        {
            let protect = |text| protected(cipher, *protection, place, text);
            if field.ty == FieldType::Id18 {
                let birth = births.next().expect("a birth column per ID field");
                match v {
                    Value::Id(id) => birth.append_value(date32(id.birth_date())),
                    _ => birth.append_null(),
                }
            }
            match (col, v) {
                (ColumnBuilder::Utf8(b), Value::Null) => b.append_null(),
                (ColumnBuilder::Utf8(b), Value::Id(id)) => {
                    let ascii = id.to_ascii();
                    b.append_value(protect(std::str::from_utf8(&ascii).expect("ascii")))
                }
                (ColumnBuilder::Utf8(b), Value::Code(c)) => b.append_value(protect(c.as_str())),
                (ColumnBuilder::Utf8(b), Value::Text(s)) => b.append_value(protect(s)),
                (ColumnBuilder::Utf8(b), Value::Enum(i)) => {
                    b.append_value(&field.values[*i as usize])
                }
                (ColumnBuilder::Date(b), Value::Null) => b.append_null(),
                (ColumnBuilder::Date(b), Value::Date(d)) => b.append_value(date32(*d)),
                (ColumnBuilder::Date(b), Value::Month(m)) => b.append_value(date32(m.first_day())),
                (ColumnBuilder::Decimal(b), Value::Null) => b.append_null(),
                (ColumnBuilder::Decimal(b), Value::Money(m)) => b.append_value(i128::from(m.fen())),
                (ColumnBuilder::Decimal(b), Value::Decimal(d)) => b.append_value(d.scaled()),
                (ColumnBuilder::Int(b), Value::Null) => b.append_null(),
                (ColumnBuilder::Int(b), Value::Int(i)) => b.append_value(*i),
                (_, v) => unreachable!("value {v:?} does not fit field {}", field.key),
            }
        }
        self.rows.append_value(row as i64);
        self.len += 1;
    }

    pub fn finish(mut self) -> RecordBatch {
        let mut arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    ColumnBuilder::Utf8(b) => Arc::new(b.finish()),
                    ColumnBuilder::Date(b) => Arc::new(b.finish()),
                    ColumnBuilder::Decimal(b) => Arc::new(b.finish()),
                    ColumnBuilder::Int(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        for b in &mut self.births {
            arrays.push(Arc::new(b.finish()));
        }
        arrays.push(Arc::new(self.rows.finish()));
        arrays.push(Arc::new(arrow_array::StringArray::from_iter_values(
            std::iter::repeat_n(self.upload, self.len),
        )));
        RecordBatch::try_new(self.schema, arrays).expect("builders match the schema")
    }
}

/// The number of rows a Parquet file holds, from its footer.
pub fn parquet_row_count(path: &std::path::Path) -> Result<u64, parquet::errors::ParquetError> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = std::fs::File::open(path)?;
    let reader = SerializedFileReader::new(file)?;
    Ok(reader.metadata().file_metadata().num_rows() as u64)
}

/// The batches of one slice file, `batch_size` rows at a time, with the file's own schema.
pub fn read_batches(
    path: &std::path::Path,
    batch_size: usize,
) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader, crate::FileError> {
    Ok(
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
            std::fs::File::open(path)?,
        )?
        .with_batch_size(batch_size)
        .build()?,
    )
}
