//! Rotation of a data key while the platform works: a new version of the key is stored (with
//! its audit record), every process takes it up within [`KEY_REFRESH`], and then everything an
//! older version sealed is sealed again with it in the background — database values a
//! thousand rows at a time, attachments and slice files each rewritten beside itself and
//! renamed — while users go on. Older versions stay in the keyring, so what is not yet
//! resealed (and every backup made before) still opens. A rotation cut off is finished by
//! [`Platform::reseal`] alone.

use crate::{AppError, Platform};
use mingjing_crypto::{Keyring, Purpose};
use mingjing_store::StoreError;
use mingjing_store::audit::AuditEntry;
pub use mingjing_store::keys::KEY_REFRESH;

/// What a rotation or a reseal did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ResealReport {
    pub purpose: String,
    pub version: u32,
    /// Database values, attachments and slice-file cells sealed again.
    pub values: u64,
    pub attachments: usize,
    pub cells: u64,
    pub files: usize,
}

impl std::fmt::Display for ResealReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the {} key is at version {}: sealed again {} database values, {} attachments, {} cells in {} upload files",
            self.purpose, self.version, self.values, self.attachments, self.cells, self.files
        )
    }
}

/// A purpose named as the operator writes it.
pub fn purpose(name: &str) -> Result<Purpose, AppError> {
    Purpose::parse(name).ok_or_else(|| {
        AppError::Store(StoreError::Invalid(format!(
            "no key purpose '{name}' (the keys: {})",
            Purpose::ALL.map(|p| p.name()).join(", ")
        )))
    })
}

fn system_audit(action: &str, detail: String) -> AuditEntry {
    AuditEntry {
        actor: "system".into(),
        role: "system".into(),
        action: action.into(),
        object: "keyring".into(),
        result: "ok".into(),
        source: "local".into(),
        detail,
        ..Default::default()
    }
}

impl Platform {
    /// Takes up a keyring another process changed (see [`mingjing_store::SqlStore::refresh_keys`]).
    pub async fn refresh_keys(&self) -> Result<bool, AppError> {
        Ok(self.meta.refresh_keys().await?)
    }

    /// Rotates `purpose`'s data key: stores a new version, waits `settle` for every other
    /// process to take it up (at least [`KEY_REFRESH`] when servers may be running), then
    /// reseals everything older versions sealed. Purposes whose values cannot change in place
    /// (MACs, the engine's tokens) are refused before anything is written.
    pub async fn rotate_data_key(
        &self,
        purpose: Purpose,
        settle: std::time::Duration,
        progress: impl FnMut(&str),
    ) -> Result<ResealReport, AppError> {
        self.meta
            .add_key_version(purpose, &system_audit("keys.rotate", String::new()))
            .await?;
        tokio::time::sleep(settle).await;
        self.reseal(purpose, progress).await
    }

    /// Seals again with `purpose`'s current key everything sealed with an older version of it;
    /// safe to run beside the users' work, and again after a crash.
    pub async fn reseal(
        &self,
        purpose: Purpose,
        mut progress: impl FnMut(&str),
    ) -> Result<ResealReport, AppError> {
        self.meta.refresh_keys().await?;
        let mut report = ResealReport {
            purpose: purpose.name().to_string(),
            version: self.meta.keyring()?.version(purpose),
            ..Default::default()
        };
        report.values = self
            .meta
            .reseal_database(purpose, |what, n| {
                progress(&format!("{what}: {n} values sealed again"))
            })
            .await?;
        match purpose {
            Purpose::Files => {
                for (path, fingerprint) in crate::migrate::blobs(self.data.root())? {
                    // A backup copying the attachments waits, and is waited for.
                    let _rewriting = self.lock_files(true).await?;
                    let ring = self.meta.keyring()?;
                    let current = ring.version(Purpose::Files);
                    let done = tokio::task::spawn_blocking(move || -> Result<bool, AppError> {
                        let stored = std::fs::read(&path)?;
                        // Plain attachments are `mingjing protect`'s to seal.
                        match Keyring::file_version(&stored) {
                            Some(v) if v != current => {}
                            _ => return Ok(false),
                        }
                        let mut plain = Vec::new();
                        ring.open_file(
                            &format!("files/{fingerprint}"),
                            &stored[..],
                            &mut plain,
                            &format!("the attachment files/{}/{fingerprint}", &fingerprint[..2]),
                        )
                        .map_err(|e| AppError::Store(e.into()))?;
                        crate::attachments::seal_blob(&ring, &path, &fingerprint, &plain)?;
                        Ok(true)
                    })
                    .await
                    .expect("sealing does not panic")?;
                    if done {
                        report.attachments += 1;
                    }
                }
                progress(&format!("{} attachments sealed again", report.attachments));
            }
            Purpose::Fields => {
                for ty in self.meta.dataset_types().await? {
                    let ty = std::sync::Arc::new(ty);
                    for s in self.meta.all_slices(&ty.name).await? {
                        let cells = self.reseal_slice(&ty, &s).await?;
                        if cells > 0 {
                            report.cells += cells;
                            report.files += 1;
                            progress(&format!("uploads/{}/{}: {cells} cells", s.dir, s.file));
                        }
                    }
                }
            }
            _ => {}
        }
        self.meta
            .audit(&system_audit("keys.reseal", report.to_string()))
            .await?;
        Ok(report)
    }

    /// Seals a slice file's stale cells again. The new file is written beside it and its
    /// digest recorded before it is renamed over the old one, all under the exclusive files
    /// lock (no engine query or backup reads it meanwhile); cut off after the record, the next
    /// reseal finds the new file beside the old and finishes the rename. Returns the cells
    /// sealed again.
    async fn reseal_slice(
        &self,
        ty: &std::sync::Arc<mingjing_domain::DatasetType>,
        s: &mingjing_store::CurrentSlice,
    ) -> Result<u64, AppError> {
        let path = self.data.slice_path(&s.dir, &s.file);
        let next = path.with_extension("parquet.resealed");
        let _rewriting = self.lock_files(true).await?;
        if next.exists() {
            let recorded = s.sm3.as_deref();
            if recorded.is_some()
                && mingjing_ingest::import::file_sm3(&next).ok().as_deref() == recorded
            {
                finish_rename(&next, &path)?;
                return Ok(0);
            }
            std::fs::remove_file(&next)?;
        }
        let (ty2, path2, next2, cipher) = (
            ty.clone(),
            path.clone(),
            next.clone(),
            self.meta.column_cipher()?,
        );
        let cells = tokio::task::spawn_blocking(move || {
            mingjing_ingest::protect::reseal_file(&ty2, &path2, &next2, &cipher)
        })
        .await
        .expect("resealing does not panic")?;
        if cells == 0 {
            return Ok(0);
        }
        let sm3 = mingjing_ingest::import::file_sm3(&next)?;
        // The ID index is not rewritten: its tokens did not change.
        let ids_sm3 = match &s.ids_sm3 {
            Some(d) => d.clone(),
            None => {
                mingjing_ingest::import::file_sm3(&mingjing_ingest::idindex::index_path(&path))?
            }
        };
        self.meta
            .set_slice_digests(s.upload_id, &s.file, &sm3, &ids_sm3)
            .await?;
        finish_rename(&next, &path)?;
        Ok(cells)
    }
}

/// Renames a rewritten file over its original, durably.
fn finish_rename(next: &std::path::Path, path: &std::path::Path) -> std::io::Result<()> {
    std::fs::rename(next, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}
