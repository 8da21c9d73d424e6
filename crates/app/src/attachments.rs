//! Attachments at rest: content-addressed files under `DIR/files/`, sealed (SM4-GCM chunks,
//! the keyring's `files` key) for the fingerprint they are stored under, so that a copy of the
//! data directory does not show them and a changed, truncated or swapped file is refused when
//! read, by name.

use crate::{AppError, Platform};
use mingjing_crypto::Keyring;
use mingjing_store::StoreError;
use std::path::PathBuf;

/// Writes `plain` sealed for its fingerprint at `path`: sealed aside, then renamed, so a
/// reader never sees half a file (and a plain file stored there before is replaced whole).
pub(crate) fn seal_blob(
    ring: &Keyring,
    path: &std::path::Path,
    fingerprint: &str,
    plain: &[u8],
) -> std::io::Result<()> {
    let tmp = path.with_extension("part");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    ring.seal_file(&format!("files/{fingerprint}"), plain, &mut out)?;
    std::io::Write::flush(&mut out)?;
    out.get_ref().sync_all()?;
    std::fs::rename(&tmp, path)
}

impl Platform {
    fn blob_path(&self, fingerprint: &str) -> Result<PathBuf, AppError> {
        // The fingerprint names a file: hexadecimal only, never a path.
        if fingerprint.len() < 8 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::Store(StoreError::Invalid(format!(
                "not a file fingerprint: {fingerprint}"
            ))));
        }
        Ok(self
            .data
            .root()
            .join("files")
            .join(&fingerprint[..2])
            .join(fingerprint))
    }

    /// Stores an attachment's bytes (once per content) and returns their fingerprint (keyed:
    /// `Keyring::fingerprint`). Off the async runtime: sealing is CPU work.
    pub async fn store_attachment(&self, bytes: Vec<u8>) -> Result<String, AppError> {
        let ring = self.meta.keyring()?;
        let fingerprint = ring.fingerprint(&bytes);
        let path = self.blob_path(&fingerprint)?;
        let name = fingerprint.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if path.exists() {
                return Ok(());
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            seal_blob(&ring, &path, &name, &bytes)
        })
        .await
        .expect("sealing does not panic")?;
        Ok(fingerprint)
    }

    /// An attachment's bytes. A sealed file that fails its check, or a file stored in the clear
    /// before sealing began whose bytes are not the ones it is named for, is an error naming it.
    pub async fn read_attachment(&self, fingerprint: &str) -> Result<Vec<u8>, AppError> {
        let path = self.blob_path(fingerprint)?;
        let ring = self.meta.keyring()?.clone();
        let fingerprint = fingerprint.to_string();
        tokio::task::spawn_blocking(move || -> Result<Vec<u8>, AppError> {
            let stored = std::fs::read(&path)?;
            let what = format!("the attachment files/{fingerprint}");
            if Keyring::is_sealed_file(&stored) {
                let mut plain = Vec::new();
                ring.open_file(
                    &format!("files/{fingerprint}"),
                    &stored[..],
                    &mut plain,
                    &what,
                )
                .map_err(|e| AppError::Store(e.into()))?;
                Ok(plain)
            } else if mingjing_crypto::file_fingerprint(&stored) == fingerprint {
                Ok(stored)
            } else {
                Err(AppError::Store(StoreError::Corrupt(format!(
                    "{what} is not the file it is named for"
                ))))
            }
        })
        .await
        .expect("opening does not panic")
    }
}
