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
use schemars::JsonSchema;
use serde::Serialize;

#[derive(serde::Deserialize, schemars::JsonSchema)]
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

/// A person found (the ID as the caller may read it; the page opens by the handle).
#[derive(Debug, Serialize, JsonSchema)]
pub struct Found {
    pub id_number: String,
    pub name: String,
    pub gender: String,
    pub age: Option<i64>,
    pub town: String,
    pub village: String,
    pub matched: mingjing_app::MatchKind,
    pub handle: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FoundPersons {
    pub persons: Vec<Found>,
}

pub async fn search(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(s): Query<SearchQuery>,
) -> ApiResult<Json<FoundPersons>> {
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
    let persons = hits
        .iter()
        .map(|h| Found {
            id_number: scope.id(&h.person.id_number),
            name: h.person.name.clone(),
            gender: h.person.gender.clone(),
            age: h.age,
            town: h.person.town.clone(),
            village: h.person.village.clone(),
            matched: h.matched,
            // The page is opened by a handle, never by a masked number.
            handle: h.person.handle.clone(),
        })
        .collect();
    Ok(Json(FoundPersons { persons }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
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

/// A person of the household register as the caller may read them.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PersonView {
    pub id_number: String,
    pub handle: String,
    pub name: String,
    pub gender: String,
    pub birth_date: String,
    pub relation: String,
    pub household_id: String,
    pub town: String,
    pub village: String,
}

/// An alert about the person.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PersonAlert {
    pub id: i64,
    pub model: String,
    pub program: String,
    pub status: String,
    pub stage: String,
    pub amount_fen: Option<i64>,
    pub raised_at: String,
    pub responsible: String,
    pub conclusion: Option<String>,
}

/// Everything the data says about a person, in the caller's scope.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PersonPage {
    pub person: Option<PersonView>,
    pub id_number: String,
    pub household: Vec<PersonView>,
    pub records: Vec<mingjing_app::PersonRecords>,
    pub alerts: Vec<PersonAlert>,
    pub discipline_shown: bool,
}

pub async fn profile(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    Query(p): Query<PurposeQuery>,
) -> ApiResult<Json<PersonPage>> {
    let discipline = c.has(Permission::DisciplineRead);
    let (scope, id, profile) = open(&state, &c, &id, &p.purpose, PersonLook::Page).await?;
    let mask_row = |_columns: &[String], row: &[Option<String>]| scope.cells(row);
    let records = profile
        .records
        .iter()
        .map(|r| mingjing_app::PersonRecords {
            rows: r.rows.iter().map(|row| mask_row(&r.columns, row)).collect(),
            ..r.clone()
        })
        .collect();
    let person_view = |p: &mingjing_app::records::PersonEntry| PersonView {
        id_number: scope.id(&p.id_number),
        handle: p.handle.clone(),
        name: p.name.clone(),
        gender: p.gender.clone(),
        birth_date: scope.birth_date(&p.birth_date),
        relation: p.relation.clone(),
        household_id: p.household_id.clone(),
        town: p.town.clone(),
        village: p.village.clone(),
    };
    let alerts = state
        .platform
        .alerts_on_subject_in(&scope, &id.to_string())
        .await?
        .iter()
        .map(|a| PersonAlert {
            id: a.id,
            model: a.model.clone(),
            program: a.program.clone(),
            status: a.status.clone(),
            stage: a.stage.clone(),
            amount_fen: a.amount_fen,
            raised_at: a.raised_at.clone(),
            responsible: a.responsible.clone(),
            conclusion: a.conclusion.clone(),
        })
        .collect();
    Ok(Json(PersonPage {
        person: profile.person.as_ref().map(person_view),
        id_number: scope.id(&id.to_string()),
        household: profile.household.iter().map(person_view).collect(),
        records,
        alerts,
        discipline_shown: discipline,
    }))
}

/// A node of the graph: a person (keyed by handle) or a thing.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NodeView {
    pub key: String,
    pub kind: String,
    pub label: String,
    pub id_number: Option<String>,
    pub handle: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct GraphView {
    pub nodes: Vec<NodeView>,
    pub edges: Vec<mingjing_app::GraphEdge>,
}

/// The person's relationship graph, one hop: relatives, accounts, employers, companies,
/// vehicles and property, and the people on the same records; people carry handles to expand.
pub async fn graph(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    Query(p): Query<PurposeQuery>,
) -> ApiResult<Json<GraphView>> {
    let (scope, id, profile) = open(&state, &c, &id, &p.purpose, PersonLook::Graph).await?;
    let types = state.platform.dataset_types().await?;
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
        nodes.push(NodeView {
            key,
            kind: n.kind.clone(),
            label: n.label.clone(),
            id_number: id_shown,
            handle,
        });
    }
    let edges = g
        .edges
        .iter()
        .map(|e| mingjing_app::GraphEdge {
            from: keys.get(&e.from).cloned().unwrap_or_default(),
            to: keys.get(&e.to).cloned().unwrap_or_default(),
            label: e.label.clone(),
            source: e.source.clone(),
        })
        .collect();
    Ok(Json(GraphView { nodes, edges }))
}
