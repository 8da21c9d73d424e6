//! The person index (一键通): registered residents by ID, normalised name, pinyin and
//! household. Rebuilt whole from the household register; searched by exact key first.

use crate::meta::{Backend, MetaStore, Result, SqlStore};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PersonEntry {
    pub id_number: String,
    /// Set by the store when the entry is written.
    pub handle: String,
    pub name: String,
    pub name_key: String,
    pub pinyin_key: String,
    pub gender: String,
    pub birth_date: String,
    pub household_id: String,
    pub relation: String,
    pub town: String,
    pub village: String,
}

/// A search: by ID (a `LIKE` pattern when masked) or by name keys, narrowed by place and
/// birth dates.
#[derive(Debug, Clone, Default)]
pub struct PersonQuery {
    /// A full ID, or a pattern with `_` for unknown digits.
    pub id_pattern: Option<String>,
    pub name_key: Option<String>,
    pub pinyin_key: Option<String>,
    pub town: Option<String>,
    pub village: Option<String>,
    /// Born on or after / on or before (YYYY-MM-DD).
    pub born_from: Option<String>,
    pub born_to: Option<String>,
    pub limit: i64,
}

macro_rules! select_persons {
    ($rest:literal) => {
        concat!(
            "SELECT id_number, handle, name, name_key, pinyin_key, gender, birth_date, household_id, \
             relation, town, village FROM person_index ",
            $rest
        )
    };
}

/// Rows per INSERT statement: 11 parameters each, under SQLite's limit of 32,766.
const INSERT_ROWS: usize = 500;

/// `INSERT … VALUES (…), (…)` for `rows` entries; made of placeholders only.
fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO person_index (id_number, handle, name, name_key, pinyin_key, gender, \
         birth_date, household_id, relation, town, village) VALUES ",
    );
    for r in 0..rows {
        let n = r * 11;
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 1..=11 {
            if c > 1 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", n + c));
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT (id_number) DO NOTHING");
    sql
}

/// The secondary indexes of `person_index` on SQLite, exactly as migrations 0010 and 0011 create them
/// (a test compares): dropped and rebuilt around a full reload.
const SQLITE_SECONDARY_INDEXES: &[(&str, &str)] = &[
    (
        "person_index_by_name",
        "CREATE INDEX person_index_by_name ON person_index(name_key)",
    ),
    (
        "person_index_by_pinyin",
        "CREATE INDEX person_index_by_pinyin ON person_index(pinyin_key)",
    ),
    (
        "person_index_by_household",
        "CREATE INDEX person_index_by_household ON person_index(household_id)",
    ),
    (
        "person_index_by_handle",
        "CREATE UNIQUE INDEX person_index_by_handle ON person_index(handle)",
    ),
    (
        "person_index_by_tail",
        "CREATE INDEX person_index_by_tail ON person_index(substr(id_number, 15, 4))",
    ),
];

/// A replacement of the person index in progress (one transaction).
pub struct PersonIndexLoad {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    keyring: std::sync::Arc<mingjing_crypto::Keyring>,
    sqlite: bool,
}

impl PersonIndexLoad {
    /// Adds entries; a second entry for an ID already loaded is ignored.
    pub async fn insert(&mut self, entries: &[PersonEntry]) -> Result<()> {
        let full = insert_sql(INSERT_ROWS);
        for chunk in entries.chunks(INSERT_ROWS) {
            let sql = if chunk.len() == INSERT_ROWS {
                full.clone()
            } else {
                insert_sql(chunk.len())
            };
            // The statement holds placeholders only; every value is bound.
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for e in chunk {
                q = q
                    .bind(e.id_number.clone())
                    .bind(handle(&self.keyring, &e.id_number))
                    .bind(e.name.clone())
                    .bind(e.name_key.clone())
                    .bind(e.pinyin_key.clone())
                    .bind(e.gender.clone())
                    .bind(e.birth_date.clone())
                    .bind(e.household_id.clone())
                    .bind(e.relation.clone())
                    .bind(e.town.clone())
                    .bind(e.village.clone());
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    pub async fn commit(mut self) -> Result<()> {
        if self.sqlite {
            for (_, create) in SQLITE_SECONDARY_INDEXES {
                sqlx::query(sqlx::AssertSqlSafe(*create))
                    .execute(&mut *self.tx)
                    .await?;
            }
        }
        self.tx.commit().await?;
        Ok(())
    }
}

fn decode(r: &sqlx::any::AnyRow) -> Result<PersonEntry> {
    Ok(PersonEntry {
        id_number: r.try_get("id_number")?,
        handle: r.try_get("handle")?,
        name: r.try_get("name")?,
        name_key: r.try_get("name_key")?,
        pinyin_key: r.try_get("pinyin_key")?,
        gender: r.try_get("gender")?,
        birth_date: r.try_get("birth_date")?,
        household_id: r.try_get("household_id")?,
        relation: r.try_get("relation")?,
        town: r.try_get("town")?,
        village: r.try_get("village")?,
    })
}

impl SqlStore {
    /// Replaces the whole index in one transaction (readers see the old one until it commits).
    pub async fn replace_person_index(&self, entries: &[PersonEntry]) -> Result<()> {
        let mut load = self.begin_person_index("").await?;
        load.insert(entries).await?;
        load.commit().await
    }

    /// Starts replacing the whole index: entries are then inserted a chunk at a time, so that
    /// a city's register never has to be held in memory; readers see the old index until
    /// [`PersonIndexLoad::commit`]. `source` names the register files it is built from (see
    /// [`SqlStore::person_index_source`]).
    pub async fn begin_person_index(&self, source: &str) -> Result<PersonIndexLoad> {
        let keyring = self.keyring()?.clone();
        let mut tx = self.pool().begin().await?;
        // SQLite: a city's register inserted into five B-trees at random is slow; the secondary
        // indexes are dropped and built once, sorted, before the commit. Readers keep the old
        // snapshot (WAL) meanwhile. PostgreSQL keeps them: dropping would lock out searches.
        let sqlite = self.backend() == Backend::Sqlite;
        if sqlite {
            for (name, _) in SQLITE_SECONDARY_INDEXES {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX IF EXISTS {name}")))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query("DELETE FROM person_index")
            .execute(&mut *tx)
            .await?;
        crate::meta::set_setting_tx(&mut tx, "person_index_source", source).await?;
        Ok(PersonIndexLoad {
            tx,
            keyring,
            sqlite,
        })
    }

    /// What the current index was built from, as given to [`SqlStore::begin_person_index`]
    /// (`None` before the first build).
    pub async fn person_index_source(&self) -> Result<Option<String>> {
        self.setting("person_index_source").await
    }

    /// Candidates for a search, at most `limit` per way of matching, in no particular order
    /// (the caller ranks). Each way is one index range: the exact ID or the known prefix of a
    /// masked one; the exact name key, the pinyin key, names starting with the key.
    pub async fn search_persons(&self, q: &PersonQuery) -> Result<Vec<PersonEntry>> {
        // The greatest code point: `key ..= key + MAX` is every string that starts with `key`.
        const MAX: char = '\u{10FFFF}';
        let mut out: Vec<PersonEntry> = Vec::new();
        let mut add = |rows: Vec<sqlx::any::AnyRow>| -> Result<()> {
            for r in &rows {
                let e = decode(r)?;
                if !out.iter().any(|o| o.id_number == e.id_number) {
                    out.push(e);
                }
            }
            Ok(())
        };
        if let Some(p) = &q.id_pattern {
            let prefix: String = p.chars().take_while(|c| *c != '_').collect();
            let tail = p
                .get(14..)
                .filter(|t| p.len() == 18 && t.len() == 4 && !t.contains('_'));
            let rows =
                match tail {
                    // A masked ID whose last four are known: those four narrow far more than a
                    // leading region code (migration 0011).
                    Some(tail) if prefix.len() < 14 => {
                        sqlx::query(select_persons!(
                            "WHERE substr(id_number, 15, 4) = $1 AND id_number LIKE $2 LIMIT $3"
                        ))
                        .bind(tail)
                        .bind(p)
                        .bind(q.limit)
                        .fetch_all(self.pool())
                        .await?
                    }
                    // IDs are ASCII: the range is the same in every collation.
                    _ => sqlx::query(select_persons!(
                        "WHERE id_number >= $1 AND id_number < $2 AND id_number LIKE $3 LIMIT $4"
                    ))
                    .bind(&prefix)
                    .bind(format!("{prefix}~"))
                    .bind(p)
                    .bind(q.limit)
                    .fetch_all(self.pool())
                    .await?,
                };
            add(rows)?;
        }
        if let Some(k) = &q.name_key {
            add(sqlx::query(select_persons!("WHERE name_key = $1 LIMIT $2"))
                .bind(k)
                .bind(q.limit)
                .fetch_all(self.pool())
                .await?)?;
            if let Some(p) = q.pinyin_key.as_ref().filter(|p| !p.is_empty()) {
                add(
                    sqlx::query(select_persons!("WHERE pinyin_key = $1 LIMIT $2"))
                        .bind(p)
                        .bind(q.limit)
                        .fetch_all(self.pool())
                        .await?,
                )?;
            }
            // Names starting with the key: a binary range on SQLite; on PostgreSQL (whose
            // collation may not order by code point) a LIKE on a text_pattern_ops index.
            let starting = if self.backend() == Backend::Postgres {
                sqlx::query(select_persons!(
                    "WHERE name_key LIKE $1 AND $2 <> '' LIMIT $3"
                ))
                .bind(format!("{}%", crate::documents::like(k).trim_matches('%')))
                .bind(k)
            } else {
                sqlx::query(select_persons!(
                    "WHERE name_key > $1 AND name_key <= $2 LIMIT $3"
                ))
                .bind(k)
                .bind(format!("{k}{MAX}"))
            };
            add(starting.bind(q.limit).fetch_all(self.pool()).await?)?;
        }
        let keep = |e: &PersonEntry| {
            q.town.as_ref().is_none_or(|t| &e.town == t)
                && q.village.as_ref().is_none_or(|v| &e.village == v)
                && q.born_from.as_ref().is_none_or(|d| &e.birth_date >= d)
                && q.born_to.as_ref().is_none_or(|d| &e.birth_date <= d)
        };
        out.retain(keep);
        Ok(out)
    }

    /// A person's handle, whether or not they are in the index.
    pub async fn person_handle(&self, id_number: &str) -> Result<String> {
        Ok(handle(self.keyring()?, id_number))
    }

    /// The entry behind a handle.
    pub async fn person_by_handle(&self, handle: &str) -> Result<Option<PersonEntry>> {
        sqlx::query(select_persons!("WHERE handle = $1"))
            .bind(handle)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(decode)
            .transpose()
    }

    pub async fn person_entry(&self, id_number: &str) -> Result<Option<PersonEntry>> {
        sqlx::query(select_persons!("WHERE id_number = $1"))
            .bind(id_number)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(decode)
            .transpose()
    }

    /// Registered residents by town (`town` none) or by village of one town.
    pub async fn population(&self, town: Option<&str>) -> Result<Vec<(String, i64)>> {
        Ok(match town {
            None => {
                sqlx::query_as("SELECT town, COUNT(*) FROM person_index GROUP BY town")
                    .fetch_all(self.pool())
                    .await?
            }
            Some(t) => {
                sqlx::query_as(
                    "SELECT village, COUNT(*) FROM person_index WHERE town = $1 GROUP BY village",
                )
                .bind(t)
                .fetch_all(self.pool())
                .await?
            }
        })
    }

    /// Everyone registered in a household.
    pub async fn household(&self, household_id: &str) -> Result<Vec<PersonEntry>> {
        sqlx::query(select_persons!(
            "WHERE household_id = $1 ORDER BY id_number"
        ))
        .bind(household_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(decode)
        .collect()
    }
}

/// A person's handle: the first 12 bytes of HMAC-SM3 of the ID under the keyring's handle
/// key, in hex: stable, and useless for finding the ID without the key.
fn handle(keyring: &mingjing_crypto::Keyring, id_number: &str) -> String {
    let mac = keyring.mac(
        mingjing_crypto::Purpose::PersonHandle,
        &[id_number.as_bytes()],
    );
    hex::encode(&mac[..12])
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_indexes_rebuilt_after_a_reload_are_those_of_the_migration() {
        let migration = concat!(
            include_str!("../migrations/sqlite/0010_person_index.sql"),
            include_str!("../migrations/sqlite/0011_person_index_tail.sql")
        );
        for (name, create) in super::SQLITE_SECONDARY_INDEXES {
            assert!(migration.contains(&format!("{create};")), "{name}");
        }
        assert_eq!(
            migration.matches("CREATE INDEX").count()
                + migration.matches("CREATE UNIQUE INDEX").count(),
            super::SQLITE_SECONDARY_INDEXES.len()
        );
    }
}
