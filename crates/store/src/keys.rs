//! The keyring in the metadata database: the data keys, wrapped by the master key that never
//! enters it, and what the store seals with them (second-factor secrets).

use crate::StoreError;
use crate::audit::{AuditEntry, AuditKey};
use crate::meta::{Result, SqlStore};
use mingjing_crypto::{KeySource, Keyring, Purpose, StoredKeyring};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// The setting that holds the wrapped data keys (JSON).
pub const KEYRING_SETTING: &str = "crypto.keyring";

/// How often a server looks for a changed keyring; a rotation waits longer than this before it
/// seals with its new key, so that every process opens what it seals.
pub const KEY_REFRESH: std::time::Duration = std::time::Duration::from_secs(5);

/// The unlocked keys of a store and what is needed to open them again.
pub(crate) struct Keys {
    master: Arc<dyn KeySource>,
    loaded: RwLock<Loaded>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keys({:?})", self.loaded.read().expect("keys lock").ring)
    }
}

struct Loaded {
    ring: Arc<Keyring>,
    /// Made from `ring` once.
    columns: Arc<mingjing_crypto::ColumnCipher>,
    /// The stored keyring as loaded, to tell a changed one and to replace it only if unchanged.
    stored: StoredKeyring,
    raw: String,
}

impl Loaded {
    fn new(ring: Arc<Keyring>, (raw, stored): (String, StoredKeyring)) -> Loaded {
        Loaded {
            columns: Arc::new(ring.column_cipher()),
            ring,
            stored,
            raw,
        }
    }
}

/// The purposes' versions of a stored keyring: what tells a rotation.
fn versions(s: &StoredKeyring) -> Vec<(String, u32)> {
    let mut v: Vec<_> = s
        .keys
        .iter()
        .map(|k| (k.purpose.clone(), k.version))
        .collect();
    v.sort();
    v
}

impl From<mingjing_crypto::CryptoError> for StoreError {
    fn from(e: mingjing_crypto::CryptoError) -> Self {
        match e {
            mingjing_crypto::CryptoError::MasterKey(_) => StoreError::Config(e.to_string()),
            _ => StoreError::Corrupt(e.to_string()),
        }
    }
}

impl SqlStore {
    /// The wrapped data keys, if any were ever made.
    pub async fn stored_keyring(&self) -> Result<Option<StoredKeyring>> {
        Ok(self.stored_keyring_text().await?.map(|(_, k)| k))
    }

    /// The stored keyring with its text as stored.
    async fn stored_keyring_text(&self) -> Result<Option<(String, StoredKeyring)>> {
        let Some(text) = self.setting(KEYRING_SETTING).await? else {
            return Ok(None);
        };
        let parsed = serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("{KEYRING_SETTING}: {e}")))?;
        Ok(Some((text, parsed)))
    }

    async fn stored_keyring_now(&self) -> Result<(String, StoredKeyring)> {
        self.stored_keyring_text()
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("{KEYRING_SETTING} vanished")))
    }

    /// Opens the keyring with the master key (making it on first use), then seals what was
    /// stored before sealing began. A master key other than the keyring's is refused before
    /// anything is written. The audit chain's head file is `audit_head_file`.
    pub async fn unlock(
        &mut self,
        master: Arc<dyn KeySource>,
        audit_head_file: PathBuf,
    ) -> Result<()> {
        let ring = match self.stored_keyring().await? {
            Some(stored) => {
                let (ring, restore) = Keyring::open(master.as_ref(), &stored)?;
                if let Some(s) = restore {
                    self.put_keyring(&s, true).await?;
                }
                ring
            }
            None => {
                let (ring, stored) = Keyring::generate(master.as_ref());
                if self.put_keyring(&stored, false).await? {
                    ring
                } else {
                    // Another process made the keyring first: use that one.
                    Keyring::open(master.as_ref(), &self.stored_keyring_now().await?.1)?.0
                }
            }
        };
        // What was stored last, as text: a concurrent unlock may have added purposes' keys,
        // which opening it again takes up.
        let stored = self.stored_keyring_now().await?;
        let ring = Arc::new(if versions(&stored.1) == ring.versions() {
            ring
        } else {
            Keyring::open(master.as_ref(), &stored.1)?.0
        });
        // MAC purposes never rotate, so the audit key is the first keyring's for good.
        self.audit = Some(AuditKey::new(ring.clone(), audit_head_file));
        self.keys = Some(Arc::new(Keys {
            master,
            loaded: RwLock::new(Loaded::new(ring, stored)),
        }));
        self.seal_plain_totp_secrets().await?;
        self.seal_plain_texts().await?;
        Ok(())
    }

    fn keys(&self) -> Result<&Arc<Keys>> {
        self.keys
            .as_ref()
            .ok_or_else(|| StoreError::Config("the keyring is not unlocked".into()))
    }

    /// Takes up the stored keyring when another process (or this one) has changed it: a data
    /// key's new version, made by a rotation, seals here from then on, and what it sealed
    /// elsewhere opens here. Returns whether anything changed. Servers call it every
    /// [`KEY_REFRESH`].
    pub async fn refresh_keys(&self) -> Result<bool> {
        let keys = self.keys()?;
        let (raw, stored) = self.stored_keyring_now().await?;
        // Versions tell a rotation; a new master key's rewrap of the same keys changes nothing
        // this process needs (it keeps the keys it unwrapped), but its text is the one a
        // rotation here must find.
        {
            let mut loaded = keys.loaded.write().expect("keys lock");
            if versions(&loaded.stored) == versions(&stored) {
                loaded.raw = raw;
                loaded.stored = stored;
                return Ok(false);
            }
        }
        if stored.master_key_id != keys.master.key_id() {
            return Err(StoreError::Config(
                "the data keys gained a version after the master key was rotated: restart to load the new master key".into(),
            ));
        }
        let (ring, _) = Keyring::open(keys.master.as_ref(), &stored)?;
        *keys.loaded.write().expect("keys lock") = Loaded::new(Arc::new(ring), (raw, stored));
        Ok(true)
    }

    /// Stores a new version of `purpose`'s key, with its audit record. This process and every
    /// other one seal with it once they have refreshed their keys ([`SqlStore::refresh_keys`]);
    /// the caller waits for them before sealing again. Returns the new version.
    pub async fn add_key_version(&self, purpose: Purpose, audit: &AuditEntry) -> Result<u32> {
        if !purpose.rotates_in_place() {
            return Err(StoreError::Invalid(format!(
                "the {} key cannot be rotated in place: {}",
                purpose.name(),
                if purpose == Purpose::Columns {
                    "every upload's tokens and every token in the database would have to change at once"
                } else {
                    "it computes MACs that must keep matching what they were computed over"
                }
            )));
        }
        // Take up a rotation made elsewhere first: a version made from a stale keyring would
        // overwrite the other's, and what it sealed would never open again.
        self.refresh_keys().await?;
        let (ring, version) = self.keyring()?.rotated(purpose);
        let mut audit = audit.clone();
        audit.detail = format!("{}: version {version}", purpose.name());
        self.swap_keyring(&audit, |master| ring.wrapped(master))
            .await?;
        self.refresh_keys().await?;
        Ok(version)
    }

    /// Rewraps the data keys with another master key (rotation of the master key): one
    /// setting is rewritten, no data, with its audit record. The caller switches to the new key
    /// afterwards; until then the old key no longer opens the keyring.
    pub async fn rewrap_keyring(
        &self,
        new_master: &dyn KeySource,
        audit: &crate::audit::AuditEntry,
    ) -> Result<()> {
        self.refresh_keys().await?;
        let ring = self.keyring()?;
        self.swap_keyring(audit, |_| ring.wrapped(new_master)).await
    }

    /// Replaces the stored keyring with `make(master key)`, with its audit record, only if it
    /// is still the one this process loaded: of two rotations at once, the later must not drop
    /// the version the earlier made (it gets an error and may try again).
    async fn swap_keyring(
        &self,
        audit: &AuditEntry,
        make: impl FnOnce(&dyn KeySource) -> StoredKeyring,
    ) -> Result<()> {
        let keys = self.keys()?;
        let loaded = keys.loaded.read().expect("keys lock").raw.clone();
        let json =
            serde_json::to_string(&make(keys.master.as_ref())).expect("a keyring serialises");
        audited!(self, [audit], |tx| {
            let n = sqlx::query("UPDATE settings SET value = $1 WHERE key = $2 AND value = $3")
                .bind(&json)
                .bind(KEYRING_SETTING)
                .bind(&loaded)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n != 1 {
                return Err(StoreError::Invalid(
                    "the keyring was changed by another process meanwhile (another rotation?): nothing was written; try again".into(),
                ));
            }
        });
        Ok(())
    }

    /// The id of the master key the stored keyring is wrapped with.
    pub async fn keyring_master_id(&self) -> Result<Option<String>> {
        Ok(self.stored_keyring().await?.map(|k| k.master_key_id))
    }

    /// Stores the keyring; without `replace`, only if none is stored (false when one was).
    async fn put_keyring(&self, stored: &StoredKeyring, replace: bool) -> Result<bool> {
        let json = serde_json::to_string(stored).expect("a keyring serialises");
        if replace {
            self.set_setting(KEYRING_SETTING, &json).await?;
            return Ok(true);
        }
        let n = sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(KEYRING_SETTING)
        .bind(json)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    /// The data keys as they are now (a rotation replaces them; a holder keeps its copy).
    pub fn keyring(&self) -> Result<Arc<Keyring>> {
        Ok(self.keys()?.loaded.read().expect("keys lock").ring.clone())
    }

    /// The protection of the uploads' personal values, ready for use.
    pub fn column_cipher(&self) -> Result<Arc<mingjing_crypto::ColumnCipher>> {
        Ok(self
            .keys()?
            .loaded
            .read()
            .expect("keys lock")
            .columns
            .clone())
    }

    /// Seals a second-factor secret for the row it belongs to.
    pub(crate) fn seal_totp(&self, context: &str, secret: &str) -> Result<String> {
        Ok(self.keyring()?.seal_text(Purpose::Totp, context, secret))
    }

    /// Opens a second-factor secret; a changed or moved one is an error that names it.
    pub(crate) fn open_totp(&self, context: &str, sealed: &str) -> Result<String> {
        Ok(self.keyring()?.open_text(
            Purpose::Totp,
            context,
            sealed,
            &format!("the second-factor secret of {context}"),
        )?)
    }

    /// A setting whose value is secret (a second factor being enrolled), sealed for its key.
    pub async fn set_secret_setting(&self, key: &str, value: &str) -> Result<()> {
        let stored = if value.is_empty() {
            String::new()
        } else {
            self.seal_totp(&format!("settings/{key}"), value)?
        };
        self.set_setting(key, &stored).await
    }

    pub async fn secret_setting(&self, key: &str) -> Result<Option<String>> {
        match self.setting(key).await? {
            Some(v) if !v.is_empty() => Ok(Some(self.open_totp(&format!("settings/{key}"), &v)?)),
            _ => Ok(None),
        }
    }

    /// Seals the secrets stored in the clear by a platform from before sealing began.
    async fn seal_plain_totp_secrets(&self) -> Result<()> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL")
                .fetch_all(self.pool())
                .await?;
        for (id, value) in rows {
            if Keyring::is_sealed(&value) {
                continue;
            }
            let sealed = self.seal_totp(&crate::access::totp_context(id), &value)?;
            sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3")
                .bind(sealed)
                .bind(id)
                .bind(&value)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// A transactionally consistent copy of the SQLite database in one file (`VACUUM INTO`),
    /// taken while others write.
    pub async fn snapshot_sqlite(&self, to: &std::path::Path) -> Result<()> {
        if self.backend() != crate::Backend::Sqlite {
            return Err(StoreError::Config(
                "a SQLite snapshot of a PostgreSQL store".into(),
            ));
        }
        let path = to
            .to_str()
            .ok_or_else(|| StoreError::Config("a path that is not UTF-8".into()))?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "VACUUM INTO '{}'",
            path.replace('\'', "''")
        )))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The URL this store connected to (for the tools that dump PostgreSQL).
    pub fn connection_url(&self) -> &str {
        self.url().unwrap_or_default()
    }
}

/// A database column sealed with a key that rotates in place, and how its rows are keyed.
struct SealedColumn {
    table: &'static str,
    column: &'static str,
    purpose: Purpose,
    /// The row's key columns: integers, but for a text key (`settings.key`).
    keys: &'static [&'static str],
    text_key: bool,
    /// The place a value was sealed for, from `table.column` and the row's keys (as text).
    place: fn(&str, &[String]) -> String,
}

fn int(k: &str) -> i64 {
    k.parse().expect("an integer key")
}

/// Every sealed column of the database, by purpose.
fn sealed_columns() -> Vec<SealedColumn> {
    let mut out: Vec<SealedColumn> = crate::texts::SEALED_TEXTS
        .iter()
        .map(|(table, key, column)| SealedColumn {
            table,
            column,
            purpose: Purpose::Fields,
            keys: std::slice::from_ref(key),
            text_key: false,
            place: |what, k| {
                let (table, column) = what.split_once('.').expect("table.column");
                crate::texts::Texts::place(table, column, int(&k[0]))
            },
        })
        .collect();
    for column in ["findings", "drafted_opinion", "opinion"] {
        out.push(SealedColumn {
            table: "opinion_persons",
            column,
            purpose: Purpose::Fields,
            keys: &["request_id", "seq"],
            text_key: false,
            place: |t, k| {
                let column = t.split_once('.').expect("table.column").1;
                crate::opinions::person_place(int(&k[0]), int(&k[1]), column)
            },
        });
    }
    out.push(SealedColumn {
        table: "users",
        column: "totp_secret",
        purpose: Purpose::Totp,
        keys: &["id"],
        text_key: false,
        place: |_, k| crate::access::totp_context(int(&k[0])),
    });
    // Enrolments in progress: the only settings sealed (with the second factor's key).
    out.push(SealedColumn {
        table: "settings",
        column: "value",
        purpose: Purpose::Totp,
        keys: &["key"],
        text_key: true,
        place: |_, k| format!("settings/{}", k[0]),
    });
    out
}

impl SealedColumn {
    /// `SELECT` of the next rows sealed with an older key, after the keys last seen (keyset
    /// paging: each batch reads only its own rows). `$1` is every sealed value, `$2` those of
    /// the current key, then the last keys.
    fn stale_rows_sql(&self, after: bool) -> String {
        let keys = self.keys.join(", ");
        let after = if after {
            let marks: Vec<String> = (0..self.keys.len())
                .map(|i| format!("${}", i + 3))
                .collect();
            format!(" AND ({keys}) > ({})", marks.join(", "))
        } else {
            String::new()
        };
        format!(
            "SELECT {keys}, {col} AS v FROM {table} WHERE {col} LIKE $1 AND {col} NOT LIKE $2{after} \
             ORDER BY {keys} LIMIT 1000",
            col = self.column,
            table = self.table,
        )
    }

    /// The row's keys as text (for its place) from a row of [`SealedColumn::stale_rows_sql`].
    fn row_keys(&self, r: &sqlx::any::AnyRow) -> Result<Vec<String>> {
        (0..self.keys.len())
            .map(|i| {
                Ok(if self.text_key {
                    sqlx::Row::try_get::<String, _>(r, i)?
                } else {
                    sqlx::Row::try_get::<i64, _>(r, i)?.to_string()
                })
            })
            .collect()
    }

    fn bind_keys<'q>(
        &self,
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
        keys: &[String],
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        for k in keys {
            q = if self.text_key {
                q.bind(k.clone())
            } else {
                q.bind(int(k))
            };
        }
        q
    }
}

fn version_patterns(ring: &Keyring, purpose: Purpose) -> (String, String) {
    let prefix = mingjing_crypto::keys::SEALED_PREFIX;
    (
        format!("{prefix}%"),
        format!("{prefix}{}:%", ring.version(purpose)),
    )
}

impl SqlStore {
    /// Seals again, with the current key, every value of the database sealed with an older
    /// version of `purpose`'s key: a thousand rows per transaction, each row replaced only if
    /// it still holds what was read (a value changed meanwhile was sealed anew by its writer),
    /// so it runs beside the users' work and resumes where it stopped. `progress` hears of
    /// each batch. Returns how many values were sealed again.
    pub async fn reseal_database(
        &self,
        purpose: Purpose,
        mut progress: impl FnMut(&str, u64),
    ) -> Result<u64> {
        let ring = self.keyring()?;
        let (sealed, current) = version_patterns(&ring, purpose);
        let mut total = 0u64;
        for c in sealed_columns()
            .into_iter()
            .filter(|c| c.purpose == purpose)
        {
            let what = format!("{}.{}", c.table, c.column);
            let update = format!(
                "UPDATE {table} SET {col} = $1 WHERE {col} = $2 AND {matches}",
                col = c.column,
                table = c.table,
                matches = c
                    .keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| format!("{k} = ${}", i + 3))
                    .collect::<Vec<_>>()
                    .join(" AND "),
            );
            let mut last: Option<Vec<String>> = None;
            loop {
                let sql = c.stale_rows_sql(last.is_some());
                let q = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(&sealed)
                    .bind(&current);
                let rows = c
                    .bind_keys(q, last.as_deref().unwrap_or_default())
                    .fetch_all(self.pool())
                    .await?;
                if rows.is_empty() {
                    break;
                }
                let mut tx = self.begin().await?;
                for r in &rows {
                    let k = c.row_keys(r)?;
                    let old: String = sqlx::Row::try_get(r, "v")?;
                    let place = (c.place)(&what, &k);
                    let plain = ring.open_text(
                        purpose,
                        &place,
                        &old,
                        &format!("{what} of row {}", k.join("/")),
                    )?;
                    let q = sqlx::query(sqlx::AssertSqlSafe(update.clone()))
                        .bind(ring.seal_text(purpose, &place, &plain))
                        .bind(old);
                    c.bind_keys(q, &k).execute(&mut *tx).await?;
                    last = Some(k);
                }
                tx.commit().await?;
                total += rows.len() as u64;
                progress(&what, rows.len() as u64);
            }
        }
        Ok(total)
    }

    /// How many values of the database are sealed with an older version of `purpose`'s key.
    pub async fn sealed_with_older_keys(&self, purpose: Purpose) -> Result<u64> {
        let (sealed, current) = version_patterns(&*self.keyring()?, purpose);
        let mut n = 0u64;
        for c in sealed_columns()
            .into_iter()
            .filter(|c| c.purpose == purpose)
        {
            let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {table} WHERE {col} LIKE $1 AND {col} NOT LIKE $2",
                col = c.column,
                table = c.table,
            )))
            .bind(&sealed)
            .bind(&current)
            .fetch_one(self.pool())
            .await?;
            n += count as u64;
        }
        Ok(n)
    }
}
