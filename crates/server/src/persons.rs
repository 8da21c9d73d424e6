//! Handlers of 一键通: search and the person page. Every look needs a stated purpose and is
//! audited (IDs masked in the log); results keep to the caller's data scope and masking.

use crate::AppState;
use crate::error::ApiResult;
use crate::guard::Caller;
use crate::scope::Scope;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use mingjing_app::{PersonFilter, PersonLook, PersonProfile};
use mingjing_domain::IdNumber;
use mingjing_domain::access::Permission;
use serde_json::{Value, json};

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
    let scope = crate::scope::of(&state, &c).await?;
    let hits = state
        .platform
        .find_persons(
            &c.actor(),
            &scope,
            &s.purpose,
            &s.q,
            &PersonFilter {
                town: s.town.clone(),
                village: s.village.clone(),
                age_min: s.age_min,
                age_max: s.age_max,
            },
        )
        .await?;
    let shown: Vec<Value> = hits
        .iter()
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
    Ok(Json(json!({ "persons": shown })))
}

#[derive(serde::Deserialize)]
pub struct PurposeQuery {
    #[serde(default)]
    pub purpose: String,
}

/// The person a page or graph is about, for the caller's stated purpose, in scope (audited by
/// the service); how long the records took to read is logged at debug.
async fn open(
    state: &AppState,
    c: &Caller,
    key: &str,
    purpose: &str,
    look: PersonLook,
) -> ApiResult<(Scope, IdNumber, PersonProfile)> {
    let scope = crate::scope::of(state, c).await?;
    let started = std::time::Instant::now();
    let (id, profile) = state
        .platform
        .open_person(
            &c.actor(),
            &scope,
            key,
            purpose,
            look,
            c.has(Permission::DisciplineRead),
        )
        .await?;
    tracing::debug!(
        records = profile.records.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "person profile read"
    );
    Ok((scope, id, profile))
}

pub async fn profile(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    Query(p): Query<PurposeQuery>,
) -> ApiResult<Json<Value>> {
    let discipline = c.has(Permission::DisciplineRead);
    let (scope, id, profile) = open(&state, &c, &id, &p.purpose, PersonLook::Page).await?;
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
    let (scope, id, profile) = open(&state, &c, &id, &p.purpose, PersonLook::Graph).await?;
    let types = state.store().dataset_types().await?;
    let g = mingjing_app::person_graph(&profile, &id.to_string(), &types);
    // Person nodes are keyed by handle and labelled with the ID as the caller may read it.
    let mut keys = std::collections::HashMap::new();
    let mut nodes = Vec::with_capacity(g.nodes.len());
    for n in &g.nodes {
        let (key, id_shown, handle) = match &n.id_number {
            Some(pid) => {
                let h = state.platform.person_handle(pid).await?;
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
