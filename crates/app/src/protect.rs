//! The uploads' personal values at the edge of the files: what is read for a person to see is
//! opened here (tokens and sealed values, `mingjing_crypto::columns`), and what is looked up
//! in the files by a clear value is made into its token here. Nothing else in the platform
//! handles a column's protected form.

use crate::AppError;
use mingjing_crypto::ColumnCipher;
use mingjing_domain::{DatasetType, Protection};
use mingjing_engine::rows::TextRows;
use mingjing_ingest::columnar::{BIRTH_PREFIX, ROW_COLUMN, UPLOAD_COLUMN, sealed_place};

fn damaged(e: mingjing_crypto::CryptoError) -> AppError {
    AppError::Store(e.into())
}

/// Opens the personal values of rows read from a type's files, in place, and drops the birth
/// columns derived from the IDs (they are the files' business, not a reader's). A value that
/// fails its check is an error naming the type, field, upload and row.
pub fn reveal_rows(
    cipher: &ColumnCipher,
    ty: &DatasetType,
    rows: &mut TextRows,
) -> Result<(), AppError> {
    let at = |name: &str| rows.columns.iter().position(|c| c == name);
    let (upload_at, row_at) = (at(UPLOAD_COLUMN), at(ROW_COLUMN));
    let protected: Vec<(usize, Protection, String, &str)> = ty
        .fields
        .iter()
        .filter_map(|f| {
            let p = f.protection();
            (p != Protection::Plain)
                .then(|| at(&f.key).map(|i| (i, p, sealed_place(ty, &f.key), f.key.as_str())))
                .flatten()
        })
        .collect();
    for row in &mut rows.rows {
        let place = |field: &str| {
            let cell = |i: Option<usize>| i.and_then(|i| row[i].clone()).unwrap_or_default();
            format!(
                "{}.{field} (upload {}, row {})",
                ty.name,
                cell(upload_at),
                cell(row_at)
            )
        };
        let mut opened = Vec::with_capacity(protected.len());
        for (i, protection, sealed_at, field) in &protected {
            let Some(v) = &row[*i] else { continue };
            let clear = match protection {
                Protection::Token => cipher.reveal(v, &place(field)),
                _ => cipher.open(sealed_at, v, &place(field)),
            }
            .map_err(damaged)?;
            opened.push((*i, clear));
        }
        for (i, clear) in opened {
            row[i] = Some(clear);
        }
    }
    let keep: Vec<bool> = rows
        .columns
        .iter()
        .map(|c| !c.starts_with(BIRTH_PREFIX))
        .collect();
    if keep.iter().any(|k| !k) {
        let pick = |v: Vec<Option<String>>| -> Vec<Option<String>> {
            v.into_iter()
                .zip(&keep)
                .filter_map(|(c, k)| k.then_some(c))
                .collect()
        };
        rows.columns = std::mem::take(&mut rows.columns)
            .into_iter()
            .zip(&keep)
            .filter_map(|(c, k)| k.then_some(c))
            .collect();
        rows.rows = std::mem::take(&mut rows.rows)
            .into_iter()
            .map(pick)
            .collect();
    }
    Ok(())
}

/// A value a model produced (an alert's subject or name): its clear form when it is a token,
/// as it is otherwise (a model may name its subject by a plain field).
pub fn reveal_value(cipher: &ColumnCipher, value: &str, what: &str) -> Result<String, AppError> {
    if ColumnCipher::looks_like_token(value) {
        cipher.reveal(value, what).map_err(damaged)
    } else {
        Ok(value.to_string())
    }
}

/// Opens what a run's hits carry of the files' tokens: their subjects and names.
pub fn reveal_hits(
    cipher: &ColumnCipher,
    hits: &mut [mingjing_engine::Hit],
) -> Result<(), AppError> {
    for h in hits {
        let what = |part: &str| format!("the {part} of a hit of {}", h.model);
        h.subject = reveal_value(cipher, &h.subject, &what("subject"))?;
        h.name = reveal_value(cipher, &h.name, &what("name"))?;
    }
    Ok(())
}
