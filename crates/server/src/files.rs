//! Attachments over HTTP: the multipart upload, cut off at the limit as it streams, and the
//! download with `Content-Disposition`. Who may read a file, its type and its storage are
//! `app/src/attachments.rs`.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use mingjing_store::disposal::FileRecord;
use serde_json::{Value, json};

pub use mingjing_app::attachments::MAX_ATTACHMENT;

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
    let rec = state
        .platform
        .add_attachment(&c.actor(), &name, bytes)
        .await?;
    Ok(Json(file_json(&rec)))
}

pub async fn download(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let scope = crate::scope::of(&state, &c).await?;
    // Not permitted looks exactly like absent.
    let (f, bytes) = state
        .platform
        .download_attachment(&c.actor(), &c.viewer(), &scope, id)
        .await?
        .ok_or(ErrorCode::NotFound)?;
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
        .platform
        .files_of(object)
        .await?
        .iter()
        .map(file_json)
        .collect())
}
