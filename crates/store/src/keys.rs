//! The keyring in the metadata database: the data keys, wrapped by the master key that never
//! enters it, and what the store seals with them (second-factor secrets).

use crate::StoreError;
use crate::audit::AuditKey;
use crate::meta::{Result, SqlStore};
use mingjing_crypto::{KeySource, Keyring, Purpose, StoredKeyring};
use std::path::PathBuf;
use std::sync::Arc;

/// The setting that holds the wrapped data keys (JSON).
pub const KEYRING_SETTING: &str = "crypto.keyring";

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
        let Some(text) = crate::MetaStore::setting(self, KEYRING_SETTING).await? else {
            return Ok(None);
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("{KEYRING_SETTING}: {e}")))
    }

    /// Opens the keyring with the master key (making it on first use), then seals what was
    /// stored before sealing began. A master key other than the keyring's is refused before
    /// anything is written. The audit chain's head file is `audit_head_file`.
    pub async fn unlock(&mut self, master: &dyn KeySource, audit_head_file: PathBuf) -> Result<()> {
        let ring = match self.stored_keyring().await? {
            Some(stored) => {
                let (ring, restore) = Keyring::open(master, &stored)?;
                if let Some(s) = restore {
                    self.put_keyring(&s, true).await?;
                }
                ring
            }
            None => {
                let (ring, stored) = Keyring::generate(master);
                if !self.put_keyring(&stored, false).await? {
                    // Another process made the keyring first: use that one.
                    let stored = self.stored_keyring().await?.ok_or_else(|| {
                        StoreError::Corrupt(format!("{KEYRING_SETTING} vanished"))
                    })?;
                    Keyring::open(master, &stored)?.0
                } else {
                    ring
                }
            }
        };
        let ring = Arc::new(ring);
        self.audit = Some(AuditKey::new(ring.clone(), audit_head_file));
        self.columns = Some(Arc::new(ring.column_cipher()));
        self.keyring = Some(ring);
        self.seal_plain_totp_secrets().await?;
        self.seal_plain_texts().await?;
        Ok(())
    }

    /// Rewraps the data keys with another master key (rotation of the master key): one
    /// setting is rewritten, no data, with its audit record. The caller switches to the new key
    /// afterwards; until then the old key no longer opens the keyring.
    pub async fn rewrap_keyring(
        &self,
        new_master: &dyn KeySource,
        audit: &crate::audit::AuditEntry,
    ) -> Result<()> {
        let stored = self.keyring()?.wrapped(new_master);
        let json = serde_json::to_string(&stored).expect("a keyring serialises");
        audited!(self, [audit], |tx| {
            crate::meta::set_setting_tx(&mut tx, KEYRING_SETTING, &json).await?;
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
            crate::MetaStore::set_setting(self, KEYRING_SETTING, &json).await?;
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

    pub fn keyring(&self) -> Result<&Arc<Keyring>> {
        self.keyring
            .as_ref()
            .ok_or_else(|| StoreError::Config("the keyring is not unlocked".into()))
    }

    /// The protection of the uploads' personal values, ready for use.
    pub fn column_cipher(&self) -> Result<&Arc<mingjing_crypto::ColumnCipher>> {
        self.columns
            .as_ref()
            .ok_or_else(|| StoreError::Config("the keyring is not unlocked".into()))
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
        crate::MetaStore::set_setting(self, key, &stored).await
    }

    pub async fn secret_setting(&self, key: &str) -> Result<Option<String>> {
        match crate::MetaStore::setting(self, key).await? {
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
        if crate::MetaStore::backend(self) != crate::Backend::Sqlite {
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
