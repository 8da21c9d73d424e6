//! Handlers of 廉政意见回复: requests checked and compiled, the drafter's wording, and the
//! workflow. Discipline records are read only by roles that may; every look is audited.

use crate::AppState;
use crate::contract::{Done, Download, Form, Letter, NewId};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use mingjing_app::records::OpinionRequest;
use mingjing_app::{NewRequest, RequestedPerson};
use mingjing_domain::access::Permission;
use mingjing_domain::opinion_flow::{OpinionStage, OpinionStep, Parties};
use schemars::JsonSchema;
use serde::Serialize;

/// A request with its stage as people read it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RequestView {
    #[serde(flatten)]
    pub request: OpinionRequest,
    pub stage_label: String,
}

fn request_view(r: OpinionRequest) -> RequestView {
    RequestView {
        stage_label: mingjing_app::opinion_stage_label(&r.stage).to_string(),
        request: r,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Requests {
    pub requests: Vec<RequestView>,
    /// The purposes a request may state.
    pub purposes: Vec<String>,
}

pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Requests>> {
    let requests = state
        .platform
        .opinion_requests()
        .await?
        .into_iter()
        .map(request_view)
        .collect();
    Ok(Json(Requests {
        requests,
        purposes: mingjing_app::PURPOSES
            .iter()
            .map(|p| p.to_string())
            .collect(),
    }))
}

/// Persons checked against the records; `ok` when none has a problem.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Checks {
    pub persons: Vec<mingjing_app::PersonCheck>,
    pub ok: bool,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct PersonsBody {
    pub persons: Vec<RequestedPerson>,
}

/// Checks a list of persons against the records before a request is made.
pub async fn check(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<PersonsBody>,
) -> ApiResult<Json<Checks>> {
    let scope = crate::scope::of(&state, &c).await?;
    let mut checks = state
        .platform
        .precheck_persons(&c.actor(), &b.persons)
        .await?;
    let ok = checks.iter().all(|k| k.problem.is_none());
    for k in &mut checks {
        k.id_number = scope.id(&k.id_number);
    }
    Ok(Json(Checks {
        persons: checks,
        ok,
    }))
}

pub async fn create(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<NewRequest>,
) -> ApiResult<Json<NewId>> {
    let (id, _) = state
        .platform
        .create_opinion_request(&c.actor(), &b)
        .await?;
    Ok(Json(NewId { id }))
}

/// A person of a request with their findings and opinions.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RequestPersonView {
    pub seq: i64,
    pub id_number: String,
    pub name: String,
    pub org: String,
    pub position: String,
    pub verdict: String,
    /// What the records hold, as the compiler found it.
    pub findings: Vec<FindingSeen>,
    pub drafted_opinion: String,
    pub opinion: String,
}

/// One fact an opinion rests on, with the record it came from (as the compiler stored it).
#[derive(Debug, Serialize, serde::Deserialize, JsonSchema)]
pub struct FindingSeen {
    /// `petition_open`, `petition_confirmed`, `sanction_in_impact`, `sanction_permanent`,
    /// `sanction_expired`, `sanction_no_impact`, `no_record`.
    pub kind: String,
    /// A petition or case number.
    pub record: String,
    pub text: String,
}

/// A request, its persons, and what the caller may do with it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RequestDetail {
    pub request: RequestView,
    pub persons: Vec<RequestPersonView>,
    /// The steps the caller may take now.
    #[schemars(extend("items" = { "type": "string", "enum": ["submit", "review", "return", "approve"] }))]
    pub allowed: Vec<String>,
    pub may_reword: bool,
}

pub async fn get(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<RequestDetail>> {
    let (req, persons) = state.platform.view_opinion_request(&c.actor(), id).await?;
    let scope = crate::scope::of(&state, &c).await?;
    let persons = persons
        .iter()
        .map(|p| RequestPersonView {
            seq: p.seq,
            id_number: scope.id(&p.id_number),
            name: p.name.clone(),
            org: p.org.clone(),
            position: p.position.clone(),
            verdict: p.verdict.clone(),
            findings: serde_json::from_str(&p.findings).unwrap_or_default(),
            drafted_opinion: p.drafted_opinion.clone(),
            opinion: p.opinion.clone(),
        })
        .collect();
    let allowed = match req.stage.parse::<OpinionStage>() {
        Ok(stage) => OpinionStep::allowed(
            stage,
            &c.user.username,
            &Parties {
                drafted_by: &req.drafted_by,
                reviewed_by: req.reviewed_by.as_deref(),
            },
            |p| c.has(p),
        ),
        Err(_) => Vec::new(),
    };
    let may_reword = req.stage == "drafted" && c.has(Permission::OpinionsDraft);
    Ok(Json(RequestDetail {
        allowed: allowed.iter().map(|s| s.code().to_string()).collect(),
        request: request_view(req),
        persons,
        may_reword,
    }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct RewordBody {
    pub opinion: String,
}

pub async fn reword(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path((id, seq)): Path<(i64, i64)>,
    Json(b): Json<RewordBody>,
) -> ApiResult<Json<Done>> {
    state
        .platform
        .reword_opinion(&c.actor(), id, seq, &b.opinion)
        .await?;
    Ok(Done::json())
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct StepBody {
    /// `submit`, `review`, `return` or `approve`.
    #[schemars(extend("enum" = ["submit", "review", "return", "approve"]))]
    pub step: String,
    #[serde(default)]
    pub comment: String,
}

pub async fn step(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<StepBody>,
) -> ApiResult<Json<Done>> {
    let step: OpinionStep = b
        .step
        .parse()
        .map_err(|e: String| ApiError::with(ErrorCode::InvalidRequest, e))?;
    if !step.permissions().iter().any(|p| c.has(*p)) {
        return Err(ErrorCode::Forbidden.into());
    }
    state
        .platform
        .opinion_step(&c.actor(), id, step.code(), &b.comment)
        .await?;
    Ok(Done::json())
}

/// Reads a list of persons from an uploaded CSV or Excel file (multipart field `file`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct PersonList {
    pub persons: Vec<RequestedPerson>,
}

pub async fn persons_file(
    form: Form<crate::files::AttachmentFields>,
) -> ApiResult<Json<PersonList>> {
    let bad = |m: String| ApiError::with(ErrorCode::InvalidRequest, m);
    let mut multipart = <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(
        form.request,
        &(),
    )
    .await
    .map_err(|e| bad(e.body_text()))?;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| bad(e.to_string()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("名单").to_string();
            let bytes = field.bytes().await.map_err(|e| bad(e.to_string()))?;
            let persons =
                tokio::task::spawn_blocking(move || mingjing_app::read_person_list(&name, &bytes))
                    .await
                    .map_err(|e| bad(e.to_string()))??;
            return Ok(Json(PersonList { persons }));
        }
    }
    Err(bad("缺少文件（字段 file）".into()))
}

/// The four opinion templates (clean, noted, under review, barred).
pub async fn get_wording(
    State(state): State<AppState>,
) -> ApiResult<Json<mingjing_domain::integrity::Wording>> {
    Ok(Json(state.platform.opinion_wording().await?))
}

/// Changes the templates; later compilations use them (opinions already drafted keep theirs).
pub async fn put_wording(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(w): Json<mingjing_domain::integrity::Wording>,
) -> ApiResult<Json<Done>> {
    state.platform.set_opinion_wording(&c.actor(), &w).await?;
    Ok(Done::json())
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct DocumentQuery {
    /// `docx` or `pdf`.
    #[schemars(extend("enum" = ["docx", "pdf"]))]
    pub format: String,
}

/// The reply letter as DOCX or PDF (a draft mark on every page until it is approved). Audited.
pub async fn document(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<DocumentQuery>,
) -> ApiResult<Download<Letter>> {
    let format = mingjing_app::ReplyFormat::parse(&q.format)
        .ok_or_else(|| ApiError::with(ErrorCode::InvalidRequest, "format 须为 docx 或 pdf"))?;
    let file = state
        .platform
        .reply_document(&c.actor(), id, format)
        .await?;
    Ok(Download::new(
        file.bytes,
        format.content_type(),
        &format!("reply-{id}.{}", format.extension()),
        &file.file_name,
    ))
}

/// The reply template, with the placeholders it may use.
/// A placeholder a reply template may use.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Placeholder {
    pub name: String,
    pub label: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ReplyTemplateView {
    pub template: mingjing_domain::reply::ReplyTemplate,
    pub placeholders: Vec<Placeholder>,
}

pub async fn get_reply_template(
    State(state): State<AppState>,
) -> ApiResult<Json<ReplyTemplateView>> {
    let placeholders = mingjing_domain::reply::PLACEHOLDERS
        .iter()
        .map(|(name, what)| Placeholder {
            name: name.to_string(),
            label: what.to_string(),
        })
        .collect();
    Ok(Json(ReplyTemplateView {
        template: state.platform.reply_template().await?,
        placeholders,
    }))
}

/// Changes the reply template (checked: lengths, known placeholders); later replies use it.
pub async fn put_reply_template(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(t): Json<mingjing_domain::reply::ReplyTemplate>,
) -> ApiResult<Json<Done>> {
    state.platform.set_reply_template(&c.actor(), &t).await?;
    Ok(Done::json())
}
