//! Handlers of 基础数据 beyond uploads: the data browser (current rows of a type, in the
//! caller's scope, ID numbers masked), upload schedules and who is late, and new dataset types.

use crate::AppState;
use crate::contract::Done;
use crate::error::ApiResult;
use crate::guard::Caller;
use crate::scope::Scope;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use mingjing_app::records::UploadSchedule;
use mingjing_domain::standard::FieldType;
use schemars::JsonSchema;
use serde::Serialize;

/// Rows for people: the columns' keys and labels, values as text (absent: null).
#[derive(Debug, Serialize, JsonSchema)]
pub struct TextTable {
    pub columns: Vec<String>,
    pub labels: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

/// Rows for people: column labels from the type, ID numbers as the caller may read them.
pub fn text_table(
    ty: &mingjing_domain::DatasetType,
    rows: &mingjing_app::TextRows,
    scope: &Scope,
) -> TextTable {
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
    TextTable {
        columns: rows.columns.clone(),
        labels,
        rows: shown,
    }
}

/// A page of a type's current rows.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RowsPage {
    #[serde(flatten)]
    pub table: TextTable,
    pub total: i64,
    pub label: String,
}

#[derive(serde::Deserialize, Default, schemars::JsonSchema)]
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
) -> ApiResult<Json<RowsPage>> {
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
    Ok(Json(RowsPage {
        table: text_table(&page.ty, &page.rows, &scope),
        total: page.total as i64,
        label: page.ty.label.clone(),
    }))
}

/// A schedule with the names people read.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ScheduleView {
    #[serde(flatten)]
    pub status: mingjing_app::ScheduleStatus,
    pub org: Option<String>,
    pub type_label: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Schedules {
    pub schedules: Vec<ScheduleView>,
}

/// Every schedule the caller's scope sees, with today's standing.
pub async fn schedules(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Schedules>> {
    let scope = crate::scope::of(&state, &c).await?;
    let tree = state.platform.org_tree().await?;
    let types = state.platform.dataset_types().await?;
    let schedules = state
        .platform
        .schedule_status(state.today())
        .await?
        .into_iter()
        .filter(|s| scope.sees_org(s.org_id))
        .map(|s| ScheduleView {
            org: tree
                .iter()
                .find(|o| o.id == s.org_id)
                .map(|o| o.name.clone()),
            type_label: types
                .iter()
                .find(|t| t.name == s.dataset_type)
                .map(|t| t.label.clone()),
            status: s,
        })
        .collect();
    Ok(Json(Schedules { schedules }))
}

pub async fn set_schedule(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(s): Json<UploadSchedule>,
) -> ApiResult<Json<Done>> {
    state.platform.set_schedule(&c.actor(), &s).await?;
    Ok(Done::json())
}

/// A type as defined.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TypeDefined {
    pub name: String,
    pub label: String,
    /// How many fields it has.
    pub fields: i64,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
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
) -> ApiResult<Json<TypeDefined>> {
    let ty = state
        .platform
        .define_type(&c.actor(), &b.name, &b.definition)
        .await?;
    Ok(Json(TypeDefined {
        fields: ty.fields.len() as i64,
        name: ty.name,
        label: ty.label,
    }))
}

/// The names people read for the codes the platform keeps: reference data, no one's records.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Names {
    /// Model id → name (M01 → 死亡人员仍领取民生资金).
    pub models: std::collections::BTreeMap<String, String>,
    /// Programme code → name (DIBAO → 最低生活保障).
    pub programs: std::collections::BTreeMap<String, String>,
    /// The loop's stage code → label (routed → 待核查).
    pub stages: std::collections::BTreeMap<String, String>,
}

pub async fn names(State(state): State<AppState>) -> ApiResult<Json<Names>> {
    Ok(Json(Names {
        models: state.platform.model_names().await?.into_iter().collect(),
        programs: state
            .platform
            .programs()
            .await?
            .into_iter()
            .map(|p| (p.code, p.label))
            .collect(),
        stages: mingjing_domain::disposal::Stage::ALL
            .iter()
            .map(|s| (s.code().to_string(), s.label().to_string()))
            .collect(),
    }))
}
