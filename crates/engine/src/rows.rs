//! Reading cited rows back out of an upload's files, for an alert's evidence and the data
//! browser. Values come back as the text a person reads (dates as `YYYY-MM-DD`, money with
//! two decimals); masking is the caller's business.

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::error::Result;
use datafusion::prelude::{SessionConfig, SessionContext};
use std::path::PathBuf;

/// Rows as text: the column names, then one vector of values per row (`None` for empty cells).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct TextRows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

/// Reads the rows numbered `rows` (the `_row` column) from one upload's files; `None` reads
/// `limit` rows from the start instead.
pub async fn read_rows(
    schema: SchemaRef,
    files: &[PathBuf],
    rows: Option<&[i64]>,
    limit: usize,
) -> Result<TextRows> {
    if files.is_empty() {
        return Ok(TextRows {
            columns: schema.fields().iter().map(|f| f.name().clone()).collect(),
            rows: Vec::new(),
        });
    }
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(1));
    ctx.register_table("t", crate::session::table(schema.clone(), files)?)?;
    let sql = match rows {
        Some([]) => "SELECT * FROM t WHERE false".to_string(),
        Some(rows) => format!(
            "SELECT * FROM t WHERE _row IN ({}) ORDER BY _row",
            rows.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
        None => format!("SELECT * FROM t ORDER BY _row LIMIT {limit}"),
    };
    let batches = ctx.sql(&sql).await?.collect().await?;
    Ok(to_text(&schema, &batches))
}

/// Every row of several uploads' files, in no particular order (an index rebuild).
pub async fn read_all(schema: SchemaRef, files: &[PathBuf]) -> Result<TextRows> {
    if files.is_empty() {
        return read_rows(schema, files, None, 0).await;
    }
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(1));
    ctx.register_table("t", crate::session::table(schema.clone(), files)?)?;
    let batches = ctx.sql("SELECT * FROM t").await?.collect().await?;
    Ok(to_text(&schema, &batches))
}

/// A query over several uploads' files registered as table `t`, its result as text with the
/// result's own column names. The SQL is the caller's own (never a user's text): values in it
/// must be quoted with [`quote`].
pub async fn query(schema: SchemaRef, files: &[PathBuf], sql: &str) -> Result<TextRows> {
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(1));
    if files.is_empty() {
        return Ok(TextRows {
            columns: Vec::new(),
            rows: Vec::new(),
        });
    }
    ctx.register_table("t", crate::session::table(schema, files)?)?;
    let df = ctx.sql(sql).await?;
    let out_schema: SchemaRef = std::sync::Arc::new(df.schema().as_arrow().clone());
    let batches = df.collect().await?;
    Ok(to_text(&out_schema, &batches))
}

/// A text value as an SQL string literal.
pub fn quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

/// One page of the rows of several uploads' files, in upload then row order.
pub async fn read_page(
    schema: SchemaRef,
    files: &[PathBuf],
    offset: usize,
    limit: usize,
) -> Result<TextRows> {
    if files.is_empty() {
        return read_rows(schema, files, None, 0).await;
    }
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(1));
    ctx.register_table("t", crate::session::table(schema.clone(), files)?)?;
    let sql = format!("SELECT * FROM t ORDER BY _upload, _row LIMIT {limit} OFFSET {offset}");
    let batches = ctx.sql(&sql).await?.collect().await?;
    Ok(to_text(&schema, &batches))
}

/// The rows of several uploads' files whose text column `column` holds one of `values`.
/// Values are bound as literals with quotes doubled, so any text is safe.
pub async fn read_matching(
    schema: SchemaRef,
    files: &[PathBuf],
    column: &str,
    values: &[String],
) -> Result<TextRows> {
    if files.is_empty() || values.is_empty() {
        return read_rows(schema, &[], None, 0).await;
    }
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(1));
    ctx.register_table("t", crate::session::table(schema.clone(), files)?)?;
    let list = values
        .iter()
        .map(|v| format!("'{}'", v.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!("SELECT * FROM t WHERE \"{column}\" IN ({list}) ORDER BY _upload, _row");
    let batches = ctx.sql(&sql).await?.collect().await?;
    Ok(to_text(&schema, &batches))
}

/// Batches as text rows, the columns named by `schema`.
pub fn to_text(schema: &SchemaRef, batches: &[RecordBatch]) -> TextRows {
    let opts = FormatOptions::default();
    let mut out = TextRows {
        columns: schema.fields().iter().map(|f| f.name().clone()).collect(),
        rows: Vec::new(),
    };
    for b in batches {
        let formatters: Vec<_> = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &opts).expect("every column type formats"))
            .collect();
        for i in 0..b.num_rows() {
            out.rows.push(
                b.columns()
                    .iter()
                    .zip(&formatters)
                    .map(|(c, f)| (!c.is_null(i)).then(|| f.value(i).to_string()))
                    .collect(),
            );
        }
    }
    out
}
