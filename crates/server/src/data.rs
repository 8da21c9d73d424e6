//! Handlers of 基础数据 beyond uploads: the data browser (current rows of a type, in the
//! caller's scope, ID numbers masked), upload schedules and who is late, and new dataset types.

use crate::AppState;
use crate::error::ApiResult;
use crate::guard::Caller;
use crate::scope::Scope;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use mingjing_domain::standard::FieldType;
use mingjing_store::disposal::UploadSchedule;
use serde_json::{Value, json};

/// Rows as JSON for people: column labels from the type, ID numbers as the caller may read them.
pub fn text_table_json(
    ty: &mingjing_domain::DatasetType,
    rows: &mingjing_app::TextRows,
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
    let scope = crate::scope::of(&state, &c).await?;
    let page = state
        .platform
        .browse(
            &c.actor(),
            &scope,
            &name,
            p.offset.unwrap_or(0),
            p.limit.unwrap_or(50),
        )
        .await?;
    let mut out = text_table_json(&page.ty, &page.rows, &scope);
    out["total"] = json!(page.total);
    out["label"] = json!(page.ty.label);
    Ok(Json(out))
}

/// Every schedule the caller's scope sees, with today's standing.
pub async fn schedules(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let scope = crate::scope::of(&state, &c).await?;
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
    state.platform.set_schedule(&c.actor(), &s).await?;
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
    let ty = state
        .platform
        .define_type(&c.actor(), &b.name, &b.definition)
        .await?;
    Ok(Json(
        json!({ "name": ty.name, "label": ty.label, "fields": ty.fields.len() }),
    ))
}
