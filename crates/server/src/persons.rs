//! Handlers of 一键通: search and the person page. Every look needs a stated purpose and is
//! audited (IDs masked in the log); results keep to the caller's data scope and masking.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use crate::scope::Scope;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use mingjing_app::PersonFilter;
use mingjing_domain::IdNumber;
use mingjing_domain::access::{DataScope, Permission};
use mingjing_store::MetaStore;
use serde_json::{Value, json};

/// The stated purpose of a look (查询事由), required.
fn purpose(p: &str) -> ApiResult<String> {
    let p = p.trim();
    if p.chars().count() < 2 || p.chars().count() > 200 {
        return Err(ApiError::with(
            ErrorCode::InvalidRequest,
            "请填写查询事由（2 到 200 字）",
        ));
    }
    Ok(p.to_string())
}

/// Whether the caller's scope covers a person registered in `town`: the whole county, or the
/// caller's own town; a department's scope covers no one's person page.
fn sees_town(c: &Caller, town: &str) -> bool {
    match c.role.scope {
        DataScope::All => true,
        DataScope::Town => !c.org.town.is_empty() && c.org.town == town,
        DataScope::Org | DataScope::OrgTree | DataScope::None => false,
    }
}

#[derive(serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub purpose: String,
    // Not a flattened PersonFilter: serde's flatten reads query numbers as strings.
    #[serde(default)]
    pub town: String,
    #[serde(default)]
    pub village: String,
    pub age_min: Option<u32>,
    pub age_max: Option<u32>,
}

pub async fn search(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(s): Query<SearchQuery>,
) -> ApiResult<Json<Value>> {
    let why = purpose(&s.purpose)?;
    let hits = state
        .platform
        .search_persons(
            &s.q,
            &PersonFilter {
                town: s.town.clone(),
                village: s.village.clone(),
                age_min: s.age_min,
                age_max: s.age_max,
            },
            state.today(),
        )
        .await?;
    let scope = Scope::of(&state, &c).await?;
    let shown: Vec<Value> = hits
        .iter()
        .filter(|h| sees_town(&c, &h.person.town))
        .map(|h| {
            json!({
                "id_number": scope.id(&h.person.id_number), "name": h.person.name,
                "gender": h.person.gender, "age": h.age, "town": h.person.town,
                "village": h.person.village, "matched": h.matched,
                // The page is opened by a handle, never by a masked number.
                "handle": h.person.handle,
            })
        })
        .collect();
    let mut e = c.audit("person.search", "persons", "ok");
    // The audit log holds no ID number, whole or in part: a query with digits is named as such.
    let q: String = if s.q.chars().any(|ch| ch.is_ascii_digit()) {
        "（证件号码）".into()
    } else {
        s.q.trim().chars().take(50).collect()
    };
    e.detail = format!("事由：{why}；查询：{q}；{} 人", shown.len());
    state.store().audit(&e).await?;
    Ok(Json(json!({ "persons": shown })))
}

#[derive(serde::Deserialize)]
pub struct PurposeQuery {
    #[serde(default)]
    pub purpose: String,
}

/// The person a page or graph is about: a stated purpose, a handle or full ID, in the caller's
/// scope; the look is audited (as denied when out of scope, which answers not found).
async fn open(
    state: &AppState,
    c: &Caller,
    key: &str,
    purpose_text: &str,
    action: &str,
) -> ApiResult<(IdNumber, mingjing_app::PersonProfile)> {
    let why = purpose(purpose_text)?;
    // A handle from a search, or an ID number typed in full.
    let id: IdNumber = match key.parse() {
        Ok(n) => n,
        Err(_) => state
            .store()
            .person_by_handle(key)
            .await?
            .and_then(|p| p.id_number.parse().ok())
            .ok_or(ErrorCode::NotFound)?,
    };
    let discipline = c.has(Permission::DisciplineRead);
    let started = std::time::Instant::now();
    let profile = state.platform.person_profile(&id, discipline).await?;
    tracing::debug!(
        records = profile.records.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "person profile read"
    );
    // Named by its opaque handle: the audit log holds no ID number, whole or in part.
    let handle = state.store().person_handle(&id.to_string()).await?;
    let mut e = c.audit(action, format!("person:{handle}"), "ok");
    e.detail = format!("事由：{why}");
    let visible = profile
        .person
        .as_ref()
        .is_some_and(|p| sees_town(c, &p.town))
        || (profile.person.is_none() && c.role.scope == DataScope::All);
    if !visible {
        e.result = "denied".into();
        state.store().audit(&e).await?;
        return Err(ErrorCode::NotFound.into());
    }
    state.store().audit(&e).await?;
    Ok((id, profile))
}

pub async fn profile(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    Query(p): Query<PurposeQuery>,
) -> ApiResult<Json<Value>> {
    let (id, profile) = open(&state, &c, &id, &p.purpose, "person.view").await?;
    let discipline = c.has(Permission::DisciplineRead);
    let scope = Scope::of(&state, &c).await?;
    let mask_row = |_columns: &[String], row: &[Option<String>]| scope.cells(row);
    let records: Vec<Value> = profile
        .records
        .iter()
        .map(|r| {
            json!({
                "dataset_type": r.dataset_type, "label": r.label, "field": r.field,
                "discipline": r.discipline, "columns": r.columns, "labels": r.labels,
                "rows": r.rows.iter().map(|row| mask_row(&r.columns, row)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let person_json = |p: &mingjing_store::persons::PersonEntry| {
        json!({ "id_number": scope.id(&p.id_number), "handle": p.handle, "name": p.name,
            "gender": p.gender, "birth_date": scope.birth_date(&p.birth_date), "relation": p.relation,
            "household_id": p.household_id, "town": p.town, "village": p.village })
    };
    let alerts: Vec<Value> = state
        .store()
        .alerts_on_subject(&id.to_string())
        .await?
        .iter()
        .filter(|a| scope.sees_alert(a))
        .map(|a| {
            json!({ "id": a.id, "model": a.model, "program": a.program, "status": a.status,
                "stage": a.stage, "amount_fen": a.amount_fen, "raised_at": a.raised_at,
                "responsible": a.responsible, "conclusion": a.conclusion })
        })
        .collect();
    Ok(Json(json!({
        "person": profile.person.as_ref().map(person_json),
        "id_number": scope.id(&id.to_string()),
        "household": profile.household.iter().map(person_json).collect::<Vec<_>>(),
        "records": records,
        "alerts": alerts,
        "discipline_shown": discipline,
    })))
}

/// The person's relationship graph, one hop: relatives, accounts, employers, companies,
/// vehicles and property, and the people on the same records; people carry handles to expand.
pub async fn graph(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    Query(p): Query<PurposeQuery>,
) -> ApiResult<Json<Value>> {
    let (id, profile) = open(&state, &c, &id, &p.purpose, "person.graph").await?;
    let types = state.store().dataset_types().await?;
    let g = mingjing_app::person_graph(&profile, &id.to_string(), &types);
    let scope = Scope::of(&state, &c).await?;
    // Person nodes are keyed by handle and labelled with the ID as the caller may read it.
    let mut keys = std::collections::HashMap::new();
    let mut nodes = Vec::with_capacity(g.nodes.len());
    for n in &g.nodes {
        let (key, id_shown, handle) = match &n.id_number {
            Some(pid) => {
                let h = state.store().person_handle(pid).await?;
                (format!("p:{h}"), Some(scope.id(pid)), Some(h))
            }
            None => (n.key.clone(), None, None),
        };
        keys.insert(n.key.clone(), key.clone());
        nodes.push(json!({ "key": key, "kind": n.kind, "label": n.label,
            "id_number": id_shown, "handle": handle }));
    }
    let edges: Vec<Value> = g
        .edges
        .iter()
        .map(|e| json!({ "from": keys[&e.from], "to": keys[&e.to], "label": e.label, "source": e.source }))
        .collect();
    Ok(Json(json!({ "nodes": nodes, "edges": edges })))
}
