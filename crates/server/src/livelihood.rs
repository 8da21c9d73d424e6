//! 民生监督: a programme's money by place, month and recipient, in the caller's scope — a town
//! commission sees its town, a department the programmes it runs; IDs masked as the role reads
//! them. Every look is audited.

use crate::AppState;
use crate::error::ApiResult;
use crate::guard::Caller;
use axum::extract::{Query, State};
use axum::{Extension, Json};
use schemars::JsonSchema;
use serde::Serialize;

/// A level of 民生监督, and whether its rows are recipients.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LivelihoodLevel {
    pub view: mingjing_app::ProgrammeView,
    pub recipients: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Projects {
    pub projects: Vec<mingjing_app::ProjectView>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct Level {
    pub program: Option<String>,
    pub town: Option<String>,
    pub village: Option<String>,
}

pub async fn view(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(l): Query<Level>,
) -> ApiResult<Json<LivelihoodLevel>> {
    let some = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (program, town, village) = (some(&l.program), some(&l.town), some(&l.village));
    let scope = crate::scope::of(&state, &c).await?;
    let v = state
        .platform
        .livelihood_view(
            &c.actor(),
            &scope,
            program.as_deref(),
            town.as_deref(),
            village.as_deref(),
        )
        .await?;
    Ok(Json(LivelihoodLevel {
        view: v.view,
        recipients: v.recipients,
    }))
}

/// Livelihood projects, budget against disbursed, with contractors' links to office holders;
/// a town commission's own town, a department's own projects. Audited.
pub async fn projects(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Projects>> {
    let scope = crate::scope::of(&state, &c).await?;
    let list = state
        .platform
        .livelihood_projects_in(&c.actor(), &scope)
        .await?;
    Ok(Json(Projects { projects: list }))
}
