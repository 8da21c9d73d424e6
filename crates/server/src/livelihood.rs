//! 民生监督: a programme's money by place, month and recipient, in the caller's scope — a town
//! commission sees its town, a department the programmes it runs; IDs masked as the role reads
//! them. Every look is audited.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use crate::scope::Scope;
use axum::extract::{Query, State};
use axum::{Extension, Json};
use mingjing_domain::access::DataScope;
use mingjing_store::MetaStore;
use serde_json::{Value, json};

#[derive(serde::Deserialize)]
pub struct Level {
    pub program: Option<String>,
    pub town: Option<String>,
    pub village: Option<String>,
}

pub async fn view(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(l): Query<Level>,
) -> ApiResult<Json<Value>> {
    let some = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (program, mut town, village) = (some(&l.program), some(&l.town), some(&l.village));
    if village.is_some() && (town.is_none() || program.is_none())
        || town.is_some() && program.is_none()
    {
        return Err(ApiError::with(
            ErrorCode::InvalidRequest,
            "请按 项目 → 乡镇 → 村(社区) 逐级查看",
        ));
    }
    let programs = state.store().programs().await?;
    match c.role.scope {
        DataScope::All => {}
        DataScope::Town => {
            // A town commission's view is its own town's.
            if town.is_some() {
                town = Some(c.org.town.clone());
            }
        }
        DataScope::Org | DataScope::OrgTree => {
            if let Some(p) = &program
                && !programs
                    .iter()
                    .any(|x| &x.code == p && x.department == c.org.name)
            {
                return Err(ErrorCode::NotFound.into());
            }
        }
        DataScope::None => return Err(ErrorCode::Forbidden.into()),
    }
    // A town commission's county level is its town's programmes.
    let town_filter = match (c.role.scope, &program) {
        (DataScope::Town, None) => Some(c.org.town.clone()),
        _ => town.clone(),
    };
    // A department's figures, at every level and in every total, are of its own programmes.
    let own: Option<Vec<String>> = matches!(c.role.scope, DataScope::Org | DataScope::OrgTree)
        .then(|| {
            programs
                .iter()
                .filter(|x| x.department == c.org.name)
                .map(|x| x.code.clone())
                .collect()
        });
    let mut v = state
        .platform
        .programme_view(
            program.as_deref(),
            town_filter.as_deref(),
            village.as_deref(),
            own.as_deref(),
        )
        .await?;
    if c.role.scope == DataScope::Town && program.is_some() && town.is_none() {
        v.rows.retain(|f| f.key == c.org.town);
        v.total = Default::default();
        v.months.clear();
    }
    let scope = Scope::of(&state, &c).await?;
    let recipients = village.is_some();
    if recipients {
        for f in &mut v.rows {
            f.key = scope.id(&f.key);
        }
    }
    let mut e = c.audit("livelihood.view", "benefit_payments", "ok");
    e.detail = format!(
        "{} / {} / {}",
        program.as_deref().unwrap_or("全部项目"),
        town.as_deref().unwrap_or("-"),
        village.as_deref().unwrap_or("-")
    );
    state.store().audit(&e).await?;
    Ok(Json(json!({ "view": v, "recipients": recipients })))
}

/// Livelihood projects, budget against disbursed, with contractors' links to office holders;
/// a town commission's own town, a department's own projects. Audited.
pub async fn projects(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let mut list = state.platform.livelihood_projects().await?;
    match c.role.scope {
        DataScope::All => {}
        DataScope::Town => list.retain(|p| p.town == c.org.town),
        DataScope::Org | DataScope::OrgTree => list.retain(|p| p.department == c.org.name),
        DataScope::None => return Err(ErrorCode::Forbidden.into()),
    }
    let mut e = c.audit("livelihood.projects", "livelihood_projects", "ok");
    e.detail = format!("{} projects", list.len());
    state.store().audit(&e).await?;
    Ok(Json(json!({ "projects": list })))
}
