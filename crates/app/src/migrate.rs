//! Encrypting in place a data directory written before personal values were protected: its
//! slice files rewritten with tokens and sealed values (and their ID indexes by blind index),
//! its attachments sealed, the database's alerts and opinion persons by token, the person
//! index rebuilt. Each file and row is recognised as done on its own, so a run stopped by a
//! crash is simply run again. Until every part is done the platform refuses to open for
//! anything but this and a backup: serving a half-protected directory would answer from
//! files whose values no longer match the database's tokens.

use crate::{AppError, Platform};
use mingjing_crypto::Keyring;
use mingjing_store::StoreError;
use std::path::{Path, PathBuf};

/// Set once the whole data directory is protected.
pub const PROTECTED_SETTING: &str = "crypto.protected";

/// What `mingjing protect` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ProtectReport {
    /// Slice files rewritten, and rows in them.
    pub files: usize,
    pub rows: u64,
    /// ID indexes rebuilt beside files that were already protected.
    pub indexes: usize,
    pub attachments: usize,
    /// Alerts and opinion persons whose values became tokens.
    pub records: u64,
    pub persons_indexed: usize,
}

impl std::fmt::Display for ProtectReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "protected {} files ({} rows), {} ID indexes, {} attachments, {} records; person index: {} persons",
            self.files,
            self.rows,
            self.indexes,
            self.attachments,
            self.records,
            self.persons_indexed
        )
    }
}

/// The attachments under `files/`, as (path, fingerprint).
pub(crate) fn blobs(root: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    let dir = root.join("files");
    if !dir.exists() {
        return Ok(out);
    }
    for shard in std::fs::read_dir(dir)? {
        let shard = shard?.path();
        if !shard.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&shard)? {
            let p = f?.path();
            let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.bytes().all(|b| b.is_ascii_hexdigit()) {
                out.push((p.clone(), name.to_string()));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_sealed_blob(path: &Path) -> std::io::Result<bool> {
    let mut head = [0u8; 16];
    let mut f = std::fs::File::open(path)?;
    let n = std::io::Read::read(&mut f, &mut head)?;
    Ok(Keyring::is_sealed_file(&head[..n]))
}

impl Platform {
    /// What of the data directory is still in the clear: slice files and attachments, named.
    pub async fn unprotected(&self) -> Result<Vec<String>, AppError> {
        let mut out = Vec::new();
        for ty in self.meta.dataset_types().await? {
            for s in self.meta.all_slices(&ty.name).await? {
                let path = self.data.slice_path(&s.dir, &s.file);
                if !mingjing_ingest::protect::is_protected(&ty, &path)? {
                    out.push(format!("uploads/{}/{}", s.dir, s.file));
                }
            }
        }
        for (path, fingerprint) in blobs(self.data.root())? {
            if !is_sealed_blob(&path)? {
                out.push(format!("files/{}/{fingerprint}", &fingerprint[..2]));
            }
        }
        Ok(out)
    }

    /// Refuses a data directory that still holds personal values in the clear. A directory
    /// found all protected is marked so, and later opens read one setting only.
    pub(crate) async fn ensure_protected(&self) -> Result<(), AppError> {
        if self.meta.setting(PROTECTED_SETTING).await?.is_some() {
            return Ok(());
        }
        self.meta
            .refresh_builtin_types(&mingjing_domain::Standard::builtin())
            .await?;
        let plain = self.unprotected().await?;
        if !plain.is_empty() {
            return Err(AppError::NotProtected {
                dir: self.data.root().to_path_buf(),
                files: plain.len(),
                first: plain[0].clone(),
            });
        }
        self.meta.protect_plain_rows().await?;
        self.meta.set_setting(PROTECTED_SETTING, "1").await?;
        Ok(())
    }

    /// Protects the whole data directory in place (see the module's notes); `progress` hears
    /// of each step. Safe to run again, and after a crash.
    pub async fn protect_in_place(
        &self,
        mut progress: impl FnMut(&str),
    ) -> Result<ProtectReport, AppError> {
        let mut report = ProtectReport::default();
        // Which fields are personal is the binary's standard's to say, not the stored one's.
        self.meta
            .refresh_builtin_types(&mingjing_domain::Standard::builtin())
            .await?;
        let cipher = self.meta.column_cipher()?.clone();
        for ty in self.meta.dataset_types().await? {
            let ty = std::sync::Arc::new(ty);
            for s in self.meta.all_slices(&ty.name).await? {
                let path = self.data.slice_path(&s.dir, &s.file);
                // What a crash left half written is written again.
                let _ = std::fs::remove_file(mingjing_ingest::protect::pending_path(&path));
                let (ty2, cipher2, path2) = (ty.clone(), cipher.clone(), path.clone());
                let done = tokio::task::spawn_blocking(move || {
                    use mingjing_ingest::protect::*;
                    if !is_protected(&ty2, &path2)? {
                        return protect_file(&ty2, &path2, &cipher2)
                            .map(|rows| (Some(rows), false));
                    }
                    if !index_is_current(&path2) {
                        mingjing_ingest::idindex::build_from_parquet(&path2)?;
                        return Ok((None, true));
                    }
                    Ok::<_, mingjing_ingest::FileError>((None, false))
                })
                .await
                .expect("protecting a file does not panic")?;
                match done {
                    (Some(rows), _) => {
                        report.files += 1;
                        report.rows += rows;
                        progress(&format!("uploads/{}/{}: {rows} rows", s.dir, s.file));
                    }
                    (None, true) => report.indexes += 1,
                    (None, false) => {}
                }
                // The digests `mingjing check` compares are those of the files as they are now.
                let ids = mingjing_ingest::idindex::index_path(&path);
                let sm3 = mingjing_ingest::import::file_sm3(&path)?;
                let ids_sm3 = mingjing_ingest::import::file_sm3(&ids)?;
                if s.sm3.as_deref() != Some(sm3.as_str())
                    || s.ids_sm3.as_deref() != Some(ids_sm3.as_str())
                {
                    self.meta
                        .set_slice_digests(s.upload_id, &s.file, &sm3, &ids_sm3)
                        .await?;
                }
            }
        }
        let ring = self.meta.keyring()?.clone();
        for (path, fingerprint) in blobs(self.data.root())? {
            if is_sealed_blob(&path)? {
                continue;
            }
            let ring = ring.clone();
            let name = fingerprint.clone();
            tokio::task::spawn_blocking(move || -> Result<(), AppError> {
                let plain = std::fs::read(&path)?;
                if mingjing_crypto::file_fingerprint(&plain) != name {
                    return Err(AppError::Store(StoreError::Corrupt(format!(
                        "the attachment files/{}/{name} is not the file it is named for",
                        &name[..2]
                    ))));
                }
                crate::attachments::seal_blob(&ring, &path, &name, &plain)?;
                Ok(())
            })
            .await
            .expect("sealing does not panic")?;
            report.attachments += 1;
        }
        progress("attachments sealed");
        report.records = self.meta.protect_plain_rows().await?;
        progress("alerts and opinion persons by token");
        report.persons_indexed = self.rebuild_person_index().await?;
        let left = self.unprotected().await?;
        if let Some(first) = left.first() {
            return Err(AppError::NotProtected {
                dir: self.data.root().to_path_buf(),
                files: left.len(),
                first: first.clone(),
            });
        }
        self.meta.set_setting(PROTECTED_SETTING, "1").await?;
        self.meta.compact().await?;
        progress("database compacted");
        self.meta
            .audit(&mingjing_store::audit::AuditEntry {
                actor: "system".into(),
                role: "system".into(),
                action: "data.protect".into(),
                object: "data_dir".into(),
                result: "ok".into(),
                source: "local".into(),
                detail: report.to_string(),
                ..Default::default()
            })
            .await?;
        Ok(report)
    }
}
