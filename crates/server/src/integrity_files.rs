//! Integrity files (廉政档案): one page per supervised person — the supervised-person record,
//! petitions, sanctions with their impact periods as of today, and past opinions. Only roles
//! that may read discipline records; every view audited with the person it was about.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use mingjing_domain::IdNumber;
use schemars::JsonSchema;
use serde::Serialize;

/// A person's integrity file, with the ID as the caller may read it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct IntegrityFileView {
    #[serde(flatten)]
    pub file: mingjing_app::IntegrityFile,
    pub id_number: String,
}

pub async fn get(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Json<IntegrityFileView>> {
    let id: IdNumber = id
        .trim()
        .parse()
        .map_err(|e| ApiError::with(ErrorCode::InvalidRequest, format!("身份证号无效：{e}")))?;
    let file = state.platform.view_integrity_file(&c.actor(), &id).await?;
    let scope = crate::scope::of(&state, &c).await?;
    Ok(Json(IntegrityFileView {
        file,
        id_number: scope.id(&id.to_string()),
    }))
}
