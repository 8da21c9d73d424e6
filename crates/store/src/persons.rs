//! The person index (一键通): registered residents by ID, normalised name, pinyin and
//! household. Rebuilt whole from the household register; searched by exact key first.
//!
//! Nothing personal is kept in the clear (migration 0015): entries go in as clear values and
//! come out opened, and in between every ID, name, key and household is its token
//! (`mingjing_crypto::columns`); a search is made of tokens of what it knows, and what a
//! token cannot express (a part of an ID's last four, a name's prefix beyond four characters)
//! is checked on the opened candidates.

use crate::meta::{Backend, Result, SqlStore};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
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

const SELECT_PERSONS: &str = "SELECT id_number, handle, name, name_key, pinyin_key, gender, \
     birth_date, household_id, relation, town, village FROM person_index ";

/// The columns of an entry as stored.
const COLUMNS: usize = 18;

/// Rows per INSERT statement: 18 parameters each, under SQLite's limit of 32,766.
const INSERT_ROWS: usize = 1000;

/// The longest name-key prefix with a token of its own (`name_p1` .. `name_p4`).
const PREFIXES: usize = 4;

/// `INSERT … VALUES (…), (…)` for `rows` entries; made of placeholders only.
fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO person_index (id_number, handle, name, name_key, pinyin_key, name_p1, \
         name_p2, name_p3, name_p4, id_region, id_birth, id_tail, gender, birth_date, \
         household_id, relation, town, village) VALUES ",
    );
    for r in 0..rows {
        let n = r * COLUMNS;
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 1..=COLUMNS {
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

/// The secondary indexes of `person_index` on SQLite, exactly as migration 0015 creates them
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
        "person_index_by_p1",
        "CREATE INDEX person_index_by_p1 ON person_index(name_p1)",
    ),
    (
        "person_index_by_p2",
        "CREATE INDEX person_index_by_p2 ON person_index(name_p2)",
    ),
    (
        "person_index_by_p3",
        "CREATE INDEX person_index_by_p3 ON person_index(name_p3)",
    ),
    (
        "person_index_by_p4",
        "CREATE INDEX person_index_by_p4 ON person_index(name_p4)",
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
        "person_index_by_birth",
        "CREATE INDEX person_index_by_birth ON person_index(id_region, id_birth)",
    ),
    (
        "person_index_by_tail",
        "CREATE INDEX person_index_by_tail ON person_index(id_tail)",
    ),
];

/// The token of a value, or '' for an empty one (nothing to find or to hide).
fn token_or_empty(cipher: &mingjing_crypto::ColumnCipher, v: &str) -> String {
    if v.is_empty() {
        String::new()
    } else {
        cipher.token(v)
    }
}

/// The token of a name key's first `n` characters, '' when it is shorter.
fn prefix_token(cipher: &mingjing_crypto::ColumnCipher, key: &str, n: usize) -> String {
    if key.chars().count() < n {
        return String::new();
    }
    cipher.token(&key.chars().take(n).collect::<String>())
}

/// An ID's characters `range`, when the text has them all (ASCII).
fn id_part(id: &str, range: std::ops::Range<usize>) -> &str {
    id.get(range).unwrap_or("")
}

/// Whether `text` matches a SQL `LIKE` pattern of `_` (one character) and a final `%`.
fn like(text: &str, pattern: &str) -> bool {
    let (pattern, open) = match pattern.strip_suffix('%') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let (t, p): (Vec<char>, Vec<char>) = (text.chars().collect(), pattern.chars().collect());
    (if open {
        t.len() >= p.len()
    } else {
        t.len() == p.len()
    }) && p.iter().zip(&t).all(|(p, t)| *p == '_' || p == t)
}

/// A replacement of the person index in progress (one transaction).
pub struct PersonIndexLoad {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    keyring: std::sync::Arc<mingjing_crypto::Keyring>,
    cipher: std::sync::Arc<mingjing_crypto::ColumnCipher>,
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
            let c = &*self.cipher;
            for e in chunk {
                let id = &e.id_number;
                q = q
                    .bind(c.token(id))
                    .bind(handle(&self.keyring, id))
                    .bind(token_or_empty(c, &e.name))
                    .bind(token_or_empty(c, &e.name_key))
                    .bind(token_or_empty(c, &e.pinyin_key))
                    .bind(prefix_token(c, &e.name_key, 1))
                    .bind(prefix_token(c, &e.name_key, 2))
                    .bind(prefix_token(c, &e.name_key, 3))
                    .bind(prefix_token(c, &e.name_key, 4))
                    .bind(token_or_empty(c, id_part(id, 0..6)))
                    .bind(id_part(id, 6..14).to_string())
                    .bind(token_or_empty(c, id_part(id, 14..18)))
                    .bind(e.gender.clone())
                    .bind(e.birth_date.clone())
                    .bind(token_or_empty(c, &e.household_id))
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

fn decode(cipher: &mingjing_crypto::ColumnCipher, r: &sqlx::any::AnyRow) -> Result<PersonEntry> {
    let open = |column: &str| -> Result<String> {
        let kept: String = r.try_get(column)?;
        if kept.is_empty() {
            return Ok(kept);
        }
        Ok(cipher.reveal(&kept, &format!("person_index.{column}"))?)
    };
    Ok(PersonEntry {
        id_number: open("id_number")?,
        handle: r.try_get("handle")?,
        name: open("name")?,
        name_key: open("name_key")?,
        // A token holds its value upper-cased (`columns::normalise`); pinyin keys are lower.
        pinyin_key: open("pinyin_key")?.to_lowercase(),
        gender: r.try_get("gender")?,
        birth_date: r.try_get("birth_date")?,
        household_id: open("household_id")?,
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
        let cipher = self.column_cipher()?.clone();
        let mut tx = self.begin().await?;
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
            cipher,
            sqlite,
        })
    }

    /// What the current index was built from, as given to [`SqlStore::begin_person_index`]
    /// (`None` before the first build).
    pub async fn person_index_source(&self) -> Result<Option<String>> {
        self.setting("person_index_source").await
    }

    /// Candidates for a search, at most `limit` per way of matching, in no particular order
    /// (the caller ranks). Each way is one index lookup by tokens: the ID's, or for a masked or
    /// partial one those of its known region and last four with its known birth digits; the
    /// name key's, the pinyin key's, the token of the key as a prefix. What a token cannot
    /// express is checked on the opened candidates.
    pub async fn search_persons(&self, q: &PersonQuery) -> Result<Vec<PersonEntry>> {
        let cipher = self.column_cipher()?.clone();
        let mut out: Vec<PersonEntry> = Vec::new();
        let limit = usize::try_from(q.limit).unwrap_or(0);
        // Runs `WHERE conditions` with the bound values; keeps what `fits` among the first
        // `limit` that do.
        let find = |conditions: Vec<String>, binds: Vec<String>, wide: bool| {
            let sql = format!(
                "{SELECT_PERSONS}WHERE {} LIMIT {}",
                conditions.join(" AND "),
                if wide {
                    q.limit.saturating_mul(20)
                } else {
                    q.limit
                }
            );
            async move {
                // Made of placeholders and fixed column names only.
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for b in binds {
                    query = query.bind(b);
                }
                query.fetch_all(self.pool()).await
            }
        };
        let mut add = |rows: Vec<sqlx::any::AnyRow>,
                       fits: &dyn Fn(&PersonEntry) -> bool|
         -> Result<()> {
            let mut taken = 0;
            for r in &rows {
                let e = decode(&cipher, r)?;
                if taken < limit && fits(&e) && !out.iter().any(|o| o.id_number == e.id_number) {
                    out.push(e);
                    taken += 1;
                }
            }
            Ok(())
        };
        if let Some(p) = &q.id_pattern {
            let known = p.strip_suffix('%').unwrap_or(p);
            let fixed = |r: std::ops::Range<usize>| {
                known
                    .get(r)
                    .filter(|s| s.len() == 4 || s.len() == 6)
                    .filter(|s| !s.contains('_'))
            };
            let (mut conditions, mut binds) = (Vec::new(), Vec::new());
            if known.len() == 18 && !known.contains('_') && p.len() == 18 {
                conditions.push("id_number = $1".to_string());
                binds.push(cipher.token(known));
            } else {
                if let Some(region) = fixed(0..6) {
                    binds.push(cipher.token(region));
                    conditions.push(format!("id_region = ${}", binds.len()));
                }
                if let Some(tail) = fixed(14..18) {
                    binds.push(cipher.token(tail));
                    conditions.push(format!("id_tail = ${}", binds.len()));
                }
                let birth = known.get(6..known.len().min(14)).unwrap_or("");
                if birth.bytes().any(|b| b.is_ascii_digit()) {
                    // Digits 7-14 are kept plain: a LIKE of the known ones.
                    binds.push(format!("{birth}%"));
                    conditions.push(format!("id_birth LIKE ${}", binds.len()));
                }
            }
            if !conditions.is_empty() {
                let rows = find(conditions, binds, true).await?;
                add(rows, &|e: &PersonEntry| like(&e.id_number, p))?;
            }
        }
        if let Some(k) = &q.name_key {
            let rows = find(vec!["name_key = $1".into()], vec![cipher.token(k)], false).await?;
            add(rows, &|_: &PersonEntry| true)?;
            if let Some(p) = q.pinyin_key.as_ref().filter(|p| !p.is_empty()) {
                let rows =
                    find(vec!["pinyin_key = $1".into()], vec![cipher.token(p)], false).await?;
                add(rows, &|_: &PersonEntry| true)?;
            }
            // Names starting with the key: the token of the key as the prefix of its length,
            // or of its first four characters, the rest checked.
            let n = k.chars().count().min(PREFIXES);
            if n > 0 {
                let rows = find(
                    vec![format!("name_p{n} = $1")],
                    vec![prefix_token(&cipher, k, n)],
                    n < k.chars().count(),
                )
                .await?;
                add(rows, &|e: &PersonEntry| e.name_key.starts_with(k.as_str()))?;
            }
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
        Ok(handle(&*self.keyring()?, id_number))
    }

    /// The entry behind a handle.
    pub async fn person_by_handle(&self, handle: &str) -> Result<Option<PersonEntry>> {
        let cipher = self.column_cipher()?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_PERSONS}WHERE handle = $1"
        )))
        .bind(handle)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(|r| decode(&cipher, r))
        .transpose()
    }

    pub async fn person_entry(&self, id_number: &str) -> Result<Option<PersonEntry>> {
        let cipher = self.column_cipher()?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_PERSONS}WHERE id_number = $1"
        )))
        .bind(cipher.token(id_number))
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(|r| decode(&cipher, r))
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
        if household_id.is_empty() {
            return Ok(Vec::new());
        }
        let cipher = self.column_cipher()?;
        let mut members = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_PERSONS}WHERE household_id = $1"
        )))
        .bind(cipher.token(household_id))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| decode(&cipher, r))
        .collect::<Result<Vec<_>>>()?;
        members.sort_by(|a, b| a.id_number.cmp(&b.id_number));
        Ok(members)
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
        let migration = include_str!("../migrations/sqlite/0015_person_index_tokens.sql");
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
