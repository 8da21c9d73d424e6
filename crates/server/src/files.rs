//! Attachments over HTTP: the multipart upload, cut off at the limit as it streams, and the
//! download with `Content-Disposition`. Who may read a file, its type and its storage are
//! `app/src/attachments.rs`.

use crate::AppState;
use crate::contract::{AnyFile, Download, FileField, Form};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use axum::extract::{Multipart, Path, State};
use axum::{Extension, Json};
use mingjing_app::records::FileRecord;
use schemars::JsonSchema;
use serde::Serialize;

pub use mingjing_app::attachments::MAX_ATTACHMENT;

/// An attachment as its readers see it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FileView {
    pub id: i64,
    pub name: String,
    pub size: i64,
    pub content_type: String,
    /// The content's SHA-256.
    pub fingerprint: String,
    pub created_at: String,
}

pub fn file_view(f: &FileRecord) -> FileView {
    FileView {
        id: f.id,
        name: f.name.clone(),
        size: f.size,
        content_type: f.content_type.clone(),
        fingerprint: f.sha256.clone(),
        created_at: f.created_at.clone(),
    }
}

/// The multipart form of an attachment.
#[derive(JsonSchema)]
pub struct AttachmentFields {
    pub file: FileField,
}

/// Upload one attachment (multipart field `file`); attach it by id in a later form.
pub async fn upload(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    form: Form<AttachmentFields>,
) -> ApiResult<Json<FileView>> {
    let bad = |m: String| ApiError::with(ErrorCode::InvalidRequest, m);
    let mut multipart =
        <Multipart as axum::extract::FromRequest<()>>::from_request(form.request, &())
            .await
            .map_err(|e| bad(e.body_text()))?;
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
    let rec = state
        .platform
        .add_attachment(&c.actor(), &name, bytes)
        .await?;
    Ok(Json(file_view(&rec)))
}

pub async fn download(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Download<AnyFile>> {
    let scope = crate::scope::of(&state, &c).await?;
    // Not permitted looks exactly like absent.
    let (f, bytes) = state
        .platform
        .download_attachment(&c.actor(), &c.viewer(), &scope, id)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    Ok(Download::new(
        bytes,
        &f.content_type,
        &format!("file-{id}"),
        &f.name,
    ))
}

/// The files attached to an object, as JSON.
pub async fn attached(state: &AppState, object: &str) -> ApiResult<Vec<FileView>> {
    Ok(state
        .platform
        .files_of(object)
        .await?
        .iter()
        .map(file_view)
        .collect())
}
