//! Handlers of the model library (预警分析 → 模型库): a model's versions and file, checking
//! and dry-running a self-service model, saving it, changing parameters, enabling and
//! disabling. The rules are the application's; every change is audited here.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use mingjing_app::Platform;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(serde::Deserialize)]
pub struct ModelText {
    /// The model file (TOML).
    pub text: String,
    /// "Today" for the dry run (YYYY-MM-DD); the server's today when absent.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// The current version's file, for sharing with other counties.
pub async fn export(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let text = state.platform.export_model(&c.actor(), &id, None).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/toml; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"model.toml\"; filename*=UTF-8''{}.toml",
                    crate::uploads::percent_encode(&id)
                ),
            ),
        ],
        text,
    )
        .into_response())
}

/// Validates a model file; every problem is listed (`invalid_model` with `problems`).
pub async fn check(
    State(state): State<AppState>,
    Json(b): Json<ModelText>,
) -> ApiResult<Json<Value>> {
    let (spec, reads) = state.platform.check_model(&b.text).await?;
    Ok(Json(
        json!({ "id": spec.id, "name": spec.name, "reads": reads }),
    ))
}

/// Runs a model file over the current data and shows what it would raise; nothing is saved.
pub async fn dry_run(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<ModelText>,
) -> ApiResult<Json<Value>> {
    let as_of = match b.as_of.as_deref().filter(|s| !s.is_empty()) {
        None => state.today(),
        Some(d) => mingjing_domain::calendar::parse_date(d)
            .map_err(|e| ApiError::with(ErrorCode::InvalidRequest, format!("as_of: {e}")))?,
    };
    // Not behind `state.rematch`: a dry run never waits for, nor holds up, a real run.
    let run = state
        .platform
        .dry_run(&c.actor(), &b.text, as_of, 20)
        .await?;
    let scope = crate::scope::of(&state, &c).await?;
    let sample: Vec<Value> = run
        .sample
        .iter()
        .map(|h| {
            json!({
                "subject": scope.id(&h.subject), "name": h.name, "program": h.program,
                "amount": h.amount.map(|m| m.to_string()), "responsible": h.responsible,
                "town": h.town, "evidence_rows": h.evidence.len(),
            })
        })
        .collect();
    Ok(Json(
        json!({ "hits": run.hits, "reads": run.reads, "sample": sample }),
    ))
}

/// Saves a self-service model (a new id, or the next version of one's own).
pub async fn define(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<ModelText>,
) -> ApiResult<Json<Value>> {
    let (id, version) = state.platform.define_model(&c.actor(), &b.text).await?;
    Ok(Json(json!({ "id": id, "version": version })))
}

#[derive(serde::Deserialize)]
pub struct ParamsBody {
    /// Parameter name → value as typed (a TOML literal, or a bare word as text).
    pub values: BTreeMap<String, String>,
}

pub async fn set_params(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    Json(b): Json<ParamsBody>,
) -> ApiResult<Json<Value>> {
    if b.values.is_empty() {
        return Err(ApiError::with(
            ErrorCode::InvalidRequest,
            "没有要修改的参数",
        ));
    }
    let values: BTreeMap<String, toml::Value> = b
        .values
        .iter()
        .map(|(k, v)| (k.clone(), Platform::param_value(v.trim())))
        .collect();
    let version = state
        .platform
        .set_model_params(&c.actor(), &id, &values)
        .await?;
    Ok(Json(json!({ "version": version })))
}

#[derive(serde::Deserialize)]
pub struct EnabledBody {
    pub enabled: bool,
}

pub async fn set_enabled(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    Json(b): Json<EnabledBody>,
) -> ApiResult<Json<Value>> {
    state
        .platform
        .set_model_enabled(&c.actor(), &id, b.enabled)
        .await?;
    Ok(Json(json!({ "ok": true })))
}

/// A model's file (current version) and, for self-service ones, what the editor starts from.
pub async fn get_model(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let text = state.platform.model_text(&id, None).await?;
    let record = state
        .store()
        .models()
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or(ErrorCode::NotFound)?;
    Ok(Json(json!({
        "id": id, "version": record.current_version, "builtin": record.builtin,
        "enabled": record.enabled, "text": text, "updated_at": record.updated_at,
    })))
}

/// Starting points for the self-service editor.
pub async fn examples() -> Json<Value> {
    let map: serde_json::Map<String, Value> = mingjing_app::MODEL_EXAMPLES
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    Json(json!({ "examples": map }))
}
