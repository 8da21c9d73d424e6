//! Handlers of the model library (预警分析 → 模型库): a model's versions and file, checking
//! and dry-running a self-service model, saving it, changing parameters, enabling and
//! disabling. The rules are the application's; every change is audited here.

use crate::AppState;
use crate::contract::{Done, Download, Toml};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use mingjing_app::Platform;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(serde::Deserialize, schemars::JsonSchema)]
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
) -> ApiResult<Download<Toml>> {
    let text = state.platform.export_model(&c.actor(), &id, None).await?;
    Ok(Download::new(
        text.into_bytes(),
        "application/toml; charset=utf-8",
        "model.toml",
        &format!("{id}.toml"),
    ))
}

/// A model file that passed the checks: what it is and what it reads.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Checked {
    pub id: String,
    pub name: String,
    pub reads: Vec<String>,
}

/// A hit of a dry run, as a sample.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SampleHit {
    pub subject: String,
    pub name: String,
    pub program: String,
    pub amount: Option<String>,
    pub responsible: String,
    pub town: String,
    pub evidence_rows: i64,
}

/// What a model would raise over the current data.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DryRunView {
    pub hits: i64,
    pub reads: Vec<String>,
    pub sample: Vec<SampleHit>,
}

/// A model's saved version.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Saved {
    pub id: String,
    pub version: i64,
}

/// The version a change made.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NewVersion {
    pub version: i64,
}

/// A model's current file.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ModelFile {
    pub id: String,
    pub version: i64,
    pub builtin: bool,
    pub enabled: bool,
    pub text: String,
    pub updated_at: String,
}

/// Example model files by name.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Examples {
    pub examples: BTreeMap<String, String>,
}

/// Validates a model file; every problem is listed (`invalid_model` with `problems`).
pub async fn check(
    State(state): State<AppState>,
    Json(b): Json<ModelText>,
) -> ApiResult<Json<Checked>> {
    let (spec, reads) = state.platform.check_model(&b.text).await?;
    Ok(Json(Checked {
        id: spec.id,
        name: spec.name,
        reads,
    }))
}

/// Runs a model file over the current data and shows what it would raise; nothing is saved.
pub async fn dry_run(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<ModelText>,
) -> ApiResult<Json<DryRunView>> {
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
    let sample = run
        .sample
        .iter()
        .map(|h| SampleHit {
            subject: scope.id(&h.subject),
            name: h.name.clone(),
            program: h.program.clone(),
            amount: h.amount.map(|m| m.to_string()),
            responsible: h.responsible.clone(),
            town: h.town.clone(),
            evidence_rows: h.evidence.len() as i64,
        })
        .collect();
    Ok(Json(DryRunView {
        hits: run.hits as i64,
        reads: run.reads,
        sample,
    }))
}

/// Saves a self-service model (a new id, or the next version of one's own).
pub async fn define(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<ModelText>,
) -> ApiResult<Json<Saved>> {
    let (id, version) = state.platform.define_model(&c.actor(), &b.text).await?;
    Ok(Json(Saved { id, version }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct ParamsBody {
    /// Parameter name → value as typed (a TOML literal, or a bare word as text).
    pub values: BTreeMap<String, String>,
}

pub async fn set_params(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    Json(b): Json<ParamsBody>,
) -> ApiResult<Json<NewVersion>> {
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
    Ok(Json(NewVersion { version }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct EnabledBody {
    pub enabled: bool,
}

pub async fn set_enabled(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    Json(b): Json<EnabledBody>,
) -> ApiResult<Json<Done>> {
    state
        .platform
        .set_model_enabled(&c.actor(), &id, b.enabled)
        .await?;
    Ok(Done::json())
}

/// A model's file (current version) and, for self-service ones, what the editor starts from.
pub async fn get_model(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ModelFile>> {
    let text = state.platform.model_text(&id, None).await?;
    let record = state
        .platform
        .model_records()
        .await?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or(ErrorCode::NotFound)?;
    Ok(Json(ModelFile {
        id,
        version: record.current_version,
        builtin: record.builtin,
        enabled: record.enabled,
        text,
        updated_at: record.updated_at,
    }))
}

/// Starting points for the self-service editor.
pub async fn examples() -> Json<Examples> {
    let examples = mingjing_app::MODEL_EXAMPLES
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Json(Examples { examples })
}
