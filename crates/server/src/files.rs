//! Attachments: stored once per content under `files/` of the data directory, named by their
//! SHA-256; the type is read off the content (a renamed executable is refused whatever its
//! name says); downloaded with `Content-Disposition`; visible to the uploader and to those who
//! see what the file is attached to; every upload and download audited.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use crate::scope::Scope;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use mingjing_store::MetaStore;
use mingjing_store::disposal::FileRecord;
use serde_json::{Value, json};

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

fn file_json(f: &FileRecord) -> Value {
    json!({ "id": f.id, "name": f.name, "size": f.size, "content_type": f.content_type,
            "fingerprint": f.sha256, "created_at": f.created_at })
}

/// Upload one attachment (multipart field `file`); attach it by id in a later form.
pub async fn upload(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    mut multipart: Multipart,
) -> ApiResult<Json<Value>> {
    let bad = |m: String| ApiError::with(ErrorCode::InvalidRequest, m);
    let mut got = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| bad(e.to_string()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("附件").to_string();
            // Cut off as it streams: never more than the limit is held.
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| bad(e.to_string()))? {
                if bytes.len() + chunk.len() > MAX_ATTACHMENT {
                    return Err(ApiError::with(
                        ErrorCode::FileTooLarge,
                        format!("附件不能超过 {} MB", MAX_ATTACHMENT / 1024 / 1024),
                    ));
                }
                bytes.extend_from_slice(&chunk);
            }
            got = Some((name, bytes));
        }
    }
    let (name, bytes) = got.ok_or_else(|| bad("缺少文件（字段 file）".into()))?;
    if bytes.is_empty() {
        return Err(bad("文件为空".into()));
    }
    // Only the last path segment, never a path.
    let name: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("附件")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let Some(content_type) = sniff(&bytes, &name) else {
        return Err(ApiError::with(
            ErrorCode::FileTypeRefused,
            format!("“{name}”的内容不是允许的类型（PDF、图片、Word、Excel、OFD、文本）"),
        ));
    };
    let size = bytes.len() as i64;
    let sha = state.platform.store_attachment(bytes).await?;
    let mut rec = FileRecord {
        id: 0,
        sha256: sha,
        size,
        name,
        content_type: content_type.into(),
        created_by: c.user.username.clone(),
        created_at: String::new(),
    };
    let mut e = c.audit("file.upload", "file", "ok");
    e.detail = format!("{} ({} bytes)", rec.name, rec.size);
    rec.id = state.store().add_file(&rec, &e).await?;
    Ok(Json(file_json(&rec)))
}

/// Whether the caller may read a file: its uploader, or someone who sees an alert it is
/// attached to.
async fn may_read(
    state: &AppState,
    c: &Caller,
    f: &FileRecord,
    links: &[String],
) -> ApiResult<bool> {
    if f.created_by == c.user.username {
        return Ok(true);
    }
    let viewer = mingjing_app::Viewer {
        username: c.user.username.clone(),
        user_id: c.user.id,
        org_id: c.org.id,
    };
    for l in links {
        if state.platform.may_read_document_file(&viewer, l).await? {
            return Ok(true);
        }
        // A file sent in a chat: its conversation's members.
        if let Some(m) = l.strip_prefix("message:").and_then(|m| m.parse().ok())
            && let Some(conv) = state.store().conversation_of_message(m).await?
            && state
                .store()
                .conversation_members(conv)
                .await?
                .contains(&c.user.id)
        {
            return Ok(true);
        }
    }
    let scope = Scope::of(state, c).await?;
    for l in links {
        if let Some(alert) = state.store().alert_of_object(l).await?
            && let Some(a) = state.store().alert(alert).await?
            && scope.sees_alert(&a)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

pub async fn download(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (f, links) = state.store().file(id).await?.ok_or(ErrorCode::NotFound)?;
    if !may_read(&state, &c, &f, &links).await? {
        let e = c.audit("file.download", format!("file:{id}"), "denied");
        state.store().audit(&e).await?;
        // Not permitted looks exactly like absent.
        return Err(ErrorCode::NotFound.into());
    }
    let bytes = state.platform.read_attachment(&f.sha256).await?;
    let e = c.audit("file.download", format!("file:{id}"), "ok");
    state.store().audit(&e).await?;
    let disposition = format!(
        "attachment; filename=\"file-{id}\"; filename*=UTF-8''{}",
        crate::uploads::percent_encode(&f.name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, f.content_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The files attached to an object, as JSON.
pub async fn attached(state: &AppState, object: &str) -> ApiResult<Vec<Value>> {
    Ok(state
        .store()
        .files_of(object)
        .await?
        .iter()
        .map(file_json)
        .collect())
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
