//! The free texts people write into the metadata database (messages, documents, notices,
//! replies, verifications, accountability, recommendations, reminders, file names, the audit
//! log's details): each is sealed (SM4-GCM, the `fields` key) for its table, column and row,
//! so a value copied into another row or column does not open, and one changed is named on
//! read. The empty text is stored empty: it says nothing.
//!
//! A row gets its key when inserted, so its texts are written just after, in the same
//! transaction ([`Texts::write`]). What a platform stored before sealing began is sealed at
//! unlock ([`SqlStore::seal_plain_texts`]), before anything is served.

use crate::StoreError;
use crate::meta::{Result, SqlStore};
use mingjing_crypto::{Keyring, Purpose};
use sqlx::Row;
use std::sync::Arc;

/// Every sealed column: (table, the row's key column, column).
pub const SEALED_TEXTS: &[(&str, &str, &str)] = &[
    ("messages", "id", "body"),
    ("documents", "id", "title"),
    ("documents", "id", "body"),
    ("document_replies", "id", "body"),
    ("document_replies", "id", "returned_comment"),
    ("notices", "id", "title"),
    ("notices", "id", "body"),
    ("alert_events", "id", "comment"),
    ("verifications", "id", "other_outcomes"),
    ("verifications", "id", "explanation"),
    ("verifications", "id", "review_comment"),
    ("accountability", "id", "persons"),
    ("accountability", "id", "document"),
    ("accountability", "id", "note"),
    ("recommendations", "id", "title"),
    ("recommendations", "id", "content"),
    ("recommendations", "id", "reply"),
    ("notifications", "id", "message"),
    ("files", "id", "name"),
    ("audit_log", "seq", "detail"),
];

/// Set once every text stored before sealing began has been sealed.
const TEXTS_SEALED_SETTING: &str = "crypto.texts_sealed";

/// The row key column of a sealed column; an unlisted one is a programming error.
fn key_column(table: &str, column: &str) -> &'static str {
    SEALED_TEXTS
        .iter()
        .find(|(t, _, c)| *t == table && *c == column)
        .map(|(_, k, _)| *k)
        .unwrap_or_else(|| panic!("{table}.{column} is not a sealed text column"))
}

/// Seals and opens the free texts for their rows.
#[derive(Clone)]
pub struct Texts(Arc<Keyring>);

impl Texts {
    pub(crate) fn place(table: &str, column: &str, row: i64) -> String {
        format!("{table}.{column}/{row}")
    }

    /// The stored form of `text` in `table.column` of row `row`.
    pub fn seal(&self, table: &str, column: &str, row: i64, text: &str) -> String {
        key_column(table, column);
        if text.is_empty() {
            return String::new();
        }
        self.0
            .seal_text(Purpose::Fields, &Self::place(table, column, row), text)
    }

    /// Opens a stored text; a changed, moved or clear one is an error that names it.
    pub fn open(&self, table: &str, column: &str, row: i64, stored: &str) -> Result<String> {
        if stored.is_empty() {
            return Ok(String::new());
        }
        let what = format!("{table}.{column} of row {row}");
        if !Keyring::is_sealed(stored) {
            return Err(StoreError::Corrupt(format!(
                "{what} is stored in the clear (written outside the platform)"
            )));
        }
        Ok(self.0.open_text(
            Purpose::Fields,
            &Self::place(table, column, row),
            stored,
            &what,
        )?)
    }

    /// Opens `column` of a fetched row, whose key column was selected under its own name.
    pub fn get(&self, r: &sqlx::any::AnyRow, table: &str, column: &str) -> Result<String> {
        Ok(self.get_opt(r, table, column)?.unwrap_or_default())
    }

    /// [`Texts::get`] for a column that may be NULL.
    pub fn get_opt(
        &self,
        r: &sqlx::any::AnyRow,
        table: &str,
        column: &str,
    ) -> Result<Option<String>> {
        let row: i64 = r.try_get(key_column(table, column))?;
        r.try_get::<Option<String>, _>(column)?
            .map(|v| self.open(table, column, row, &v))
            .transpose()
    }

    /// Writes the texts of a row just inserted (or changed), sealed for it.
    pub async fn write(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        table: &str,
        row: i64,
        texts: &[(&str, &str)],
    ) -> Result<()> {
        for (column, text) in texts {
            let key = key_column(table, column);
            // Names come from `SEALED_TEXTS` only (checked above): no input reaches the SQL.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET {column} = $1 WHERE {key} = $2"
            )))
            .bind(self.seal(table, column, row, text))
            .bind(row)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

impl SqlStore {
    pub fn texts(&self) -> Result<Texts> {
        Ok(Texts(self.keyring()?.clone()))
    }

    /// Seals every free text stored in the clear (by a platform from before sealing began),
    /// a thousand rows per transaction, so an interrupted run goes on where it stopped.
    /// Returns how many were sealed.
    pub(crate) async fn seal_plain_texts(&self) -> Result<u64> {
        // Once done, every text is written sealed: the tables are not scanned at every start.
        if self.setting(TEXTS_SEALED_SETTING).await?.is_some() {
            return Ok(0);
        }
        let texts = self.texts()?;
        let mut sealed = 0u64;
        for (table, key, column) in SEALED_TEXTS {
            loop {
                // Sealed values start with the keyring's prefix: anything else non-empty is clear.
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {key} AS k, {column} AS v FROM {table} \
                     WHERE {column} <> '' AND {column} NOT LIKE $1 ORDER BY {key} LIMIT 1000"
                )))
                .bind(format!("{}%", mingjing_crypto::keys::SEALED_PREFIX))
                .fetch_all(self.pool())
                .await?;
                if rows.is_empty() {
                    break;
                }
                let mut tx = self.begin().await?;
                for r in &rows {
                    let (row, plain): (i64, String) = (r.try_get("k")?, r.try_get("v")?);
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE {table} SET {column} = $1 WHERE {key} = $2 AND {column} = $3"
                    )))
                    .bind(texts.seal(table, column, row, &plain))
                    .bind(row)
                    .bind(&plain)
                    .execute(&mut *tx)
                    .await?;
                    sealed += 1;
                }
                tx.commit().await?;
            }
        }
        self.set_setting(TEXTS_SEALED_SETTING, "1").await?;
        Ok(sealed)
    }
}

impl SqlStore {
    /// Replaces the personal values a platform from before tokens kept in the clear: alert
    /// subjects and names, opinion persons' IDs and names (by their tokens) and their findings
    /// and wordings (sealed). Row by row, each detected as clear on its own, so an
    /// interrupted run goes on where it stopped. Returns how many rows changed.
    pub async fn protect_plain_rows(&self) -> Result<u64> {
        let cipher = self.column_cipher()?.clone();
        let keyring = self.keyring()?.clone();
        let is_token = mingjing_crypto::ColumnCipher::looks_like_token;
        let mut changed = 0u64;
        let alerts = sqlx::query("SELECT id, subject, name FROM alerts ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        for chunk in alerts.chunks(1000) {
            let mut tx = self.begin().await?;
            for r in chunk {
                let (id, subject, name): (i64, String, String) =
                    (r.try_get("id")?, r.try_get("subject")?, r.try_get("name")?);
                if is_token(&subject) && is_token(&name) {
                    continue;
                }
                let token = |v: &str| {
                    if is_token(v) {
                        v.to_string()
                    } else {
                        cipher.token(v)
                    }
                };
                sqlx::query("UPDATE alerts SET subject = $1, name = $2 WHERE id = $3")
                    .bind(token(&subject))
                    .bind(token(&name))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                changed += 1;
            }
            tx.commit().await?;
        }
        let persons = sqlx::query(
            "SELECT request_id, seq, id_number, name, findings, drafted_opinion, opinion \
             FROM opinion_persons ORDER BY request_id, seq",
        )
        .fetch_all(self.pool())
        .await?;
        let mut tx = self.begin().await?;
        for r in &persons {
            let (rid, seq): (i64, i64) = (r.try_get("request_id")?, r.try_get("seq")?);
            let (id_number, name): (String, String) = (r.try_get("id_number")?, r.try_get("name")?);
            let texts: Vec<(&str, String)> = ["findings", "drafted_opinion", "opinion"]
                .into_iter()
                .map(|c| Ok((c, r.try_get::<String, _>(c)?)))
                .collect::<Result<_>>()?;
            if is_token(&id_number)
                && is_token(&name)
                && texts.iter().all(|(_, t)| Keyring::is_sealed(t))
            {
                continue;
            }
            let token = |v: &str| {
                if is_token(v) {
                    v.to_string()
                } else {
                    cipher.token(v)
                }
            };
            let seal = |c: &str, t: &str| {
                if Keyring::is_sealed(t) {
                    t.to_string()
                } else {
                    keyring.seal_text(
                        Purpose::Fields,
                        &crate::opinions::person_place(rid, seq, c),
                        t,
                    )
                }
            };
            sqlx::query(
                "UPDATE opinion_persons SET id_number = $1, name = $2, findings = $3, \
                 drafted_opinion = $4, opinion = $5 WHERE request_id = $6 AND seq = $7",
            )
            .bind(token(&id_number))
            .bind(token(&name))
            .bind(seal(texts[0].0, &texts[0].1))
            .bind(seal(texts[1].0, &texts[1].1))
            .bind(seal(texts[2].0, &texts[2].1))
            .bind(rid)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
            changed += 1;
        }
        tx.commit().await?;
        Ok(changed)
    }
}

impl SqlStore {
    /// Records the SM3 digests of a slice file and its ID index once they were rewritten
    /// (protected in place).
    pub async fn set_slice_digests(
        &self,
        upload_id: i64,
        file: &str,
        sm3: &str,
        ids_sm3: &str,
    ) -> Result<()> {
        let n = sqlx::query(
            "UPDATE upload_slices SET sm3 = $1, ids_sm3 = $2 WHERE upload_id = $3 AND file = $4",
        )
        .bind(sm3)
        .bind(ids_sm3)
        .bind(upload_id)
        .bind(file)
        .execute(self.pool())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "slice {file} of upload {upload_id}"
            )));
        }
        Ok(())
    }
}

impl SqlStore {
    /// Brings the stored definitions of the built-in types to the binary's standard (which
    /// users cannot redefine): a platform from before personal fields were declared learns
    /// which of its fields are personal. Returns the types changed.
    pub async fn refresh_builtin_types(
        &self,
        standard: &mingjing_domain::Standard,
    ) -> Result<usize> {
        let mut changed = 0;
        let mut tx = self.begin().await?;
        for ty in &standard.types {
            let json = serde_json::to_string(ty).expect("serialisable");
            let n = sqlx::query(
                "UPDATE dataset_types SET definition = $1, updated_at = $2 \
                 WHERE name = $3 AND builtin = 1 AND definition <> $1",
            )
            .bind(&json)
            .bind(self.now_text())
            .bind(&ty.name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            changed += n as usize;
        }
        tx.commit().await?;
        Ok(changed)
    }
}

impl SqlStore {
    /// Rewrites the database's files without their free space and old page images, so that
    /// values replaced by tokens or sealed leave no copy behind: on SQLite a checkpoint and
    /// `VACUUM`, on PostgreSQL `VACUUM FULL` of the tables that held them.
    pub async fn compact(&self) -> Result<()> {
        match self.backend() {
            crate::Backend::Sqlite => {
                sqlx::raw_sql(
                    "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);",
                )
                .execute(self.pool())
                .await?;
            }
            crate::Backend::Postgres => {
                let mut tables: Vec<&str> = SEALED_TEXTS.iter().map(|(t, _, _)| *t).collect();
                tables.extend(["alerts", "opinion_persons", "person_index", "users"]);
                tables.sort_unstable();
                tables.dedup();
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "VACUUM FULL {}",
                    tables.join(", ")
                )))
                .execute(self.pool())
                .await?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sealed_column_has_one_key_column() {
        for (t, k, c) in SEALED_TEXTS {
            assert_eq!(key_column(t, c), *k);
            assert_eq!(
                SEALED_TEXTS
                    .iter()
                    .filter(|(t2, _, c2)| t2 == t && c2 == c)
                    .count(),
                1
            );
        }
    }
}
