//! Attachments at rest: content-addressed files under `DIR/files/`, sealed (SM4-GCM chunks,
//! the keyring's `files` key) for the fingerprint they are stored under, so that a copy of the
//! data directory does not show them and a changed, truncated or swapped file is refused when
//! read, by name.

use crate::{AppError, Platform};
use mingjing_crypto::Keyring;
use mingjing_store::StoreError;
use mingjing_store::disposal::FileRecord;
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

/// Largest attachment, in bytes.
pub const MAX_ATTACHMENT: usize = 20 * 1024 * 1024;

/// The content type of an attachment as its bytes show it, for the kinds accepted: PDF,
/// images, Office and OFD documents (ZIP containers, by their name among those), legacy
/// Office (OLE containers) and plain UTF-8 text.
pub fn sniff(bytes: &[u8], name: &str) -> Option<&'static str> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        return Some("image/png");
    }
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        return Some("image/jpeg");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return match ext.as_str() {
            "docx" => {
                Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            }
            "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "ofd" => Some("application/ofd"),
            "zip" => Some("application/zip"),
            _ => None,
        };
    }
    if bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) {
        return match ext.as_str() {
            "doc" => Some("application/msword"),
            "xls" => Some("application/vnd.ms-excel"),
            _ => None,
        };
    }
    if matches!(ext.as_str(), "txt" | "csv")
        && !bytes.contains(&0)
        && std::str::from_utf8(bytes).is_ok()
    {
        return Some("text/plain; charset=utf-8");
    }
    None
}

impl Platform {
    /// An attachment added by someone, to be attached by id in a later form: only the last
    /// segment of its name is kept, its type is read off its bytes (a renamed executable is
    /// refused whatever its name says), it is stored once per content and sealed. Audited
    /// (`file.upload`).
    pub async fn add_attachment(
        &self,
        actor: &crate::Actor,
        name: &str,
        bytes: Vec<u8>,
    ) -> Result<FileRecord, AppError> {
        if bytes.is_empty() {
            return Err(AppError::Invalid("文件为空".into()));
        }
        if bytes.len() > MAX_ATTACHMENT {
            return Err(AppError::Invalid(format!(
                "附件不能超过 {} MB",
                MAX_ATTACHMENT / 1024 / 1024
            )));
        }
        let name: String = name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or("附件")
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let Some(content_type) = sniff(&bytes, &name) else {
            return Err(AppError::FileTypeRefused(format!(
                "“{name}”的内容不是允许的类型（PDF、图片、Word、Excel、OFD、文本）"
            )));
        };
        let size = bytes.len() as i64;
        let fingerprint = self.store_attachment(bytes).await?;
        let mut rec = FileRecord {
            id: 0,
            sha256: fingerprint,
            size,
            name,
            content_type: content_type.into(),
            created_by: actor.username.clone(),
            created_at: String::new(),
        };
        let mut e = actor.entry("file.upload", "file", "ok");
        e.detail = format!("{} ({} bytes)", rec.name, rec.size);
        rec.id = self.meta.add_file(&rec, &e).await?;
        Ok(rec)
    }

    /// Whether `v` may read a file: its uploader, a party to the document or the chat it was
    /// sent with, or someone whose scope sees an alert it is attached to.
    async fn may_read_file(
        &self,
        v: &crate::Viewer,
        scope: &crate::scope::Scope,
        f: &FileRecord,
        links: &[String],
    ) -> Result<bool, AppError> {
        if f.created_by == v.username {
            return Ok(true);
        }
        for l in links {
            if self.may_read_document_file(v, l).await? {
                return Ok(true);
            }
            // A file sent in a chat: its conversation's members.
            if let Some(m) = l.strip_prefix("message:").and_then(|m| m.parse().ok())
                && let Some(conv) = self.meta.conversation_of_message(m).await?
                && self
                    .meta
                    .conversation_members(conv)
                    .await?
                    .contains(&v.user_id)
            {
                return Ok(true);
            }
        }
        for l in links {
            if let Some(alert) = self.meta.alert_of_object(l).await?
                && let Some(a) = self.meta.alert(alert).await?
                && scope.sees_alert(&a)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// A file and its bytes for someone who may read it; `None` when it does not exist or
    /// they may not (absence and refusal look alike). Audited (`file.download`, denied when
    /// refused).
    pub async fn download_attachment(
        &self,
        actor: &crate::Actor,
        v: &crate::Viewer,
        scope: &crate::scope::Scope,
        id: i64,
    ) -> Result<Option<(FileRecord, Vec<u8>)>, AppError> {
        let Some((f, links)) = self.meta.file(id).await? else {
            return Ok(None);
        };
        if !self.may_read_file(v, scope, &f, &links).await? {
            self.meta
                .audit(&actor.entry("file.download", format!("file:{id}"), "denied"))
                .await?;
            return Ok(None);
        }
        let bytes = self.read_attachment(&f.sha256).await?;
        self.meta
            .audit(&actor.entry("file.download", format!("file:{id}"), "ok"))
            .await?;
        Ok(Some((f, bytes)))
    }

    /// The files attached to an object (`verification:7`, `document:3`, ...).
    pub async fn files_of(&self, object: &str) -> Result<Vec<FileRecord>, AppError> {
        Ok(self.meta.files_of(object).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn types_are_read_off_the_content_not_the_name() {
        assert_eq!(sniff(b"%PDF-1.7 ...", "a.pdf"), Some("application/pdf"));
        assert_eq!(
            sniff(b"%PDF-1.7 ...", "renamed.txt"),
            Some("application/pdf")
        );
        assert_eq!(sniff(b"MZ\x90\x00", "report.pdf"), None);
        assert_eq!(
            sniff(b"PK\x03\x04....", "a.docx").map(|t| t.contains("word")),
            Some(true)
        );
        assert_eq!(sniff(b"PK\x03\x04....", "a.exe"), None);
        assert_eq!(
            sniff("核查说明".as_bytes(), "a.txt"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(sniff(b"\x00\x01binary", "a.txt"), None);
        assert_eq!(sniff(b"plain", "a.html"), None);
    }
}
