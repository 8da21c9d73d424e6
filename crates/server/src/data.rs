//! Handlers of 基础数据 beyond uploads: the data browser (current rows of a type, in the
//! caller's scope, ID numbers masked), upload schedules and who is late, and new dataset types.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use crate::scope::Scope;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use mingjing_domain::standard::FieldType;
use mingjing_store::MetaStore;
use mingjing_store::disposal::UploadSchedule;
use serde_json::{Value, json};

/// Rows as JSON for people: column labels from the type, ID numbers as the caller may read them.
pub fn text_table_json(
    ty: &mingjing_domain::DatasetType,
    rows: &mingjing_engine::rows::TextRows,
    scope: &Scope,
) -> Value {
    let field = |col: &str| ty.fields.iter().find(|f| f.key == col);
    let is_month: Vec<bool> = rows
        .columns
        .iter()
        .map(|c| field(c).is_some_and(|f| f.ty == FieldType::Month))
        .collect();
    let labels: Vec<String> = rows
        .columns
        .iter()
        .map(|c| field(c).map_or_else(|| c.clone(), |f| f.label.clone()))
        .collect();
    let shown: Vec<Vec<Option<String>>> = rows
        .rows
        .iter()
        .map(|r| {
            // IDs masked and the birth dates they hide cut to the year, for a masked reader.
            scope
                .cells(r)
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    v.as_ref().map(|v| {
                        if is_month[i] {
                            // Months are stored as their first day; people read them as months.
                            v.chars().take(7).collect()
                        } else {
                            v.clone()
                        }
                    })
                })
                .collect()
        })
        .collect();
    json!({ "columns": rows.columns, "labels": labels, "rows": shown })
}

#[derive(serde::Deserialize, Default)]
pub struct Page {
    #[serde(default)]
    pub offset: Option<usize>,
    #[serde(default)]
    pub limit: Option<usize>,
}

/// The current rows of a type that the caller's scope sees (its organisations' uploads, or
/// all), a page at a time. Every look is audited.
pub async fn browse(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(name): Path<String>,
    Query(p): Query<Page>,
) -> ApiResult<Json<Value>> {
    let ty = state.platform.dataset_type(&name).await?;
    let scope = Scope::of(&state, &c).await?;
    let slices: Vec<_> = state
        .store()
        .current_slices(&name)
        .await?
        .into_iter()
        .filter(|s| scope.sees_org(s.org_id))
        .collect();
    let total: u64 = slices.iter().map(|s| s.rows).sum();
    let files: Vec<_> = slices
        .iter()
        .map(|s| state.platform.data.slice_path(&s.dir, &s.file))
        .collect();
    let offset = p.offset.unwrap_or(0);
    let limit = p.limit.unwrap_or(50).clamp(1, 200);
    let rows = state.platform.rows_page(&ty, &files, offset, limit).await?;
    let mut e = c.audit("data.browse", format!("type:{name}"), "ok");
    e.detail = format!("rows {offset}..{}", offset + rows.rows.len());
    state.store().audit(&e).await?;
    let mut out = text_table_json(&ty, &rows, &scope);
    out["total"] = json!(total);
    out["label"] = json!(ty.label);
    Ok(Json(out))
}

/// Every schedule the caller's scope sees, with today's standing.
pub async fn schedules(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let scope = Scope::of(&state, &c).await?;
    let tree = state.store().org_tree().await?;
    let types = state.store().dataset_types().await?;
    let list: Vec<Value> = state
        .platform
        .schedule_status(state.today())
        .await?
        .into_iter()
        .filter(|s| scope.sees_org(s.org_id))
        .map(|s| {
            let mut j = serde_json::to_value(&s).expect("serialisable");
            j["org"] = json!(
                tree.iter()
                    .find(|o| o.id == s.org_id)
                    .map(|o| o.name.clone())
            );
            j["type_label"] = json!(
                types
                    .iter()
                    .find(|t| t.name == s.dataset_type)
                    .map(|t| t.label.clone())
            );
            j
        })
        .collect();
    Ok(Json(json!({ "schedules": list })))
}

pub async fn set_schedule(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(s): Json<UploadSchedule>,
) -> ApiResult<Json<Value>> {
    let mut e = c.audit("schedule.set", format!("type:{}", s.dataset_type), "ok");
    e.detail = format!("org {} day {}", s.org_id, s.due_day);
    state.store().set_schedule(&s, &e).await?;
    Ok(Json(json!({ "ok": true })))
}

#[derive(serde::Deserialize)]
pub struct TypeBody {
    pub name: String,
    /// The type's table in the standard's shape (TOML, without the `[types.NAME]` header).
    pub definition: String,
}

/// An administrator defines a new dataset type (or changes one defined before).
pub async fn define_type(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<TypeBody>,
) -> ApiResult<Json<Value>> {
    let name = b.name.trim();
    let ty = mingjing_domain::DatasetType::parse_definition(name, &b.definition)
        .map_err(|e| ApiError::with(ErrorCode::InvalidRequest, e.to_string()))?;
    let mut e = c.audit("type.define", format!("type:{name}"), "ok");
    e.detail = format!("{} fields", ty.fields.len());
    state.store().put_dataset_type(&ty).await?;
    state.store().audit(&e).await?;
    // A new type's uploaders start from its `owner`; the security administrator edits them.
    state.platform.seed_upload_rights().await?;
    Ok(Json(
        json!({ "name": ty.name, "label": ty.label, "fields": ty.fields.len() }),
    ))
}
