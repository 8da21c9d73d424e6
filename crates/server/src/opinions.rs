//! Handlers of 廉政意见回复: requests checked and compiled, the drafter's wording, and the
//! workflow. Discipline records are read only by roles that may; every look is audited.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use mingjing_app::{NewRequest, RequestedPerson};
use mingjing_domain::access::Permission;
use serde_json::{Value, json};

pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let list: Vec<Value> = state
        .store()
        .opinion_requests()
        .await?
        .iter()
        .map(|r| {
            let mut j = serde_json::to_value(r).expect("serialisable");
            j["stage_label"] = json!(mingjing_app::opinion_stage_label(&r.stage));
            j
        })
        .collect();
    Ok(Json(
        json!({ "requests": list, "purposes": mingjing_app::PURPOSES }),
    ))
}

#[derive(serde::Deserialize)]
pub struct PersonsBody {
    pub persons: Vec<RequestedPerson>,
}

/// Checks a list of persons against the records before a request is made.
pub async fn check(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<PersonsBody>,
) -> ApiResult<Json<Value>> {
    let scope = crate::scope::of(&state, &c).await?;
    let checks = state
        .platform
        .precheck_persons(&c.actor(), &b.persons)
        .await?;
    let shown: Vec<Value> = checks
        .iter()
        .map(|k| {
            let mut j = serde_json::to_value(k).expect("serialisable");
            j["id_number"] = json!(scope.id(&k.id_number));
            j
        })
        .collect();
    Ok(Json(
        json!({ "persons": shown, "ok": checks.iter().all(|k| k.problem.is_none()) }),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<NewRequest>,
) -> ApiResult<Json<Value>> {
    let e = c.audit("opinion.create", "opinion_request", "ok");
    let (id, _) = state.platform.create_opinion_request(&b, &e).await?;
    Ok(Json(json!({ "id": id })))
}

pub async fn get(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let (req, persons) = state.platform.view_opinion_request(&c.actor(), id).await?;
    let scope = crate::scope::of(&state, &c).await?;
    let persons: Vec<Value> = persons
        .iter()
        .map(|p| {
            json!({
                "seq": p.seq, "id_number": scope.id(&p.id_number), "name": p.name, "org": p.org,
                "position": p.position, "verdict": p.verdict,
                "findings": serde_json::from_str::<Value>(&p.findings).unwrap_or(Value::Null),
                "drafted_opinion": p.drafted_opinion, "opinion": p.opinion,
            })
        })
        .collect();
    let me = c.user.username.as_str();
    let mut allowed = Vec::new();
    match req.stage.as_str() {
        "drafted" if c.has(Permission::OpinionsDraft) && me == req.drafted_by => {
            allowed.push("submit")
        }
        "in_review" if c.has(Permission::OpinionsReview) && me != req.drafted_by => {
            allowed.extend(["review", "return"])
        }
        "reviewed"
            if c.has(Permission::OpinionsApprove)
                && me != req.drafted_by
                && Some(me) != req.reviewed_by.as_deref() =>
        {
            allowed.extend(["approve", "return"])
        }
        _ => {}
    }
    let mut r = serde_json::to_value(&req).expect("serialisable");
    r["stage_label"] = json!(mingjing_app::opinion_stage_label(&req.stage));
    Ok(Json(json!({
        "request": r, "persons": persons, "allowed": allowed,
        "may_reword": req.stage == "drafted" && c.has(Permission::OpinionsDraft),
    })))
}

#[derive(serde::Deserialize)]
pub struct RewordBody {
    pub opinion: String,
}

pub async fn reword(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path((id, seq)): Path<(i64, i64)>,
    Json(b): Json<RewordBody>,
) -> ApiResult<Json<Value>> {
    let text = b.opinion.trim();
    if text.is_empty() || text.chars().count() > 2000 {
        return Err(ApiError::with(
            ErrorCode::InvalidRequest,
            "意见不能为空，且不超过 2000 字",
        ));
    }
    let mut e = c.audit("opinion.reword", format!("opinion_request:{id}"), "ok");
    e.detail = format!("person {seq}");
    state.store().reword_opinion(id, seq, text, &e).await?;
    Ok(Json(json!({ "ok": true })))
}

#[derive(serde::Deserialize)]
pub struct StepBody {
    /// `submit`, `review`, `return` or `approve`.
    pub step: String,
    #[serde(default)]
    pub comment: String,
}

pub async fn step(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<StepBody>,
) -> ApiResult<Json<Value>> {
    let permitted = match b.step.as_str() {
        "submit" => c.has(Permission::OpinionsDraft),
        "review" => c.has(Permission::OpinionsReview),
        "approve" => c.has(Permission::OpinionsApprove),
        "return" => c.has(Permission::OpinionsReview) || c.has(Permission::OpinionsApprove),
        other => {
            return Err(ApiError::with(
                ErrorCode::InvalidRequest,
                format!("未知操作“{other}”"),
            ));
        }
    };
    if !permitted {
        return Err(ErrorCode::Forbidden.into());
    }
    let e = c.audit(
        &format!("opinion.{}", b.step),
        format!("opinion_request:{id}"),
        "ok",
    );
    state
        .platform
        .opinion_step(id, &b.step, &b.comment, &e)
        .await?;
    Ok(Json(json!({ "ok": true })))
}

/// Reads a list of persons from an uploaded CSV or Excel file (multipart field `file`).
pub async fn persons_file(mut multipart: axum::extract::Multipart) -> ApiResult<Json<Value>> {
    let bad = |m: String| ApiError::with(ErrorCode::InvalidRequest, m);
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
            return Ok(Json(json!({ "persons": persons })));
        }
    }
    Err(bad("缺少文件（字段 file）".into()))
}

/// The four opinion templates (clean, noted, under review, barred).
pub async fn get_wording(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(json!(state.platform.opinion_wording().await?)))
}

/// Changes the templates; later compilations use them (opinions already drafted keep theirs).
pub async fn put_wording(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(w): Json<mingjing_domain::integrity::Wording>,
) -> ApiResult<Json<Value>> {
    for (what, v) in [
        ("无问题", &w.clean),
        ("已办结问题", &w.noted),
        ("正在核查", &w.under_review),
        ("影响期内", &w.barred),
        ("查无此人", &w.no_record),
    ] {
        let n = v.trim().chars().count();
        if n == 0 || n > 200 {
            return Err(ApiError::with(
                ErrorCode::InvalidRequest,
                format!("“{what}”的意见模板须为 1 到 200 字"),
            ));
        }
    }
    let text = serde_json::to_string(&w).expect("serialisable");
    let e = c.audit("opinion.wording", "setting:opinion_wording", "ok");
    state
        .store()
        .set_setting_audited("opinion_wording", &text, &e)
        .await?;
    Ok(Json(json!({ "ok": true })))
}

#[derive(serde::Deserialize)]
pub struct DocumentQuery {
    /// `docx` or `pdf`.
    pub format: String,
}

/// The reply letter as DOCX or PDF (a draft mark on every page until it is approved). Audited.
pub async fn document(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<DocumentQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let format = mingjing_app::ReplyFormat::parse(&q.format)
        .ok_or_else(|| ApiError::with(ErrorCode::InvalidRequest, "format 须为 docx 或 pdf"))?;
    let file = state
        .platform
        .reply_document(&c.actor(), id, format)
        .await?;
    let disposition = format!(
        "attachment; filename=\"reply-{id}.{}\"; filename*=UTF-8''{}",
        format.extension(),
        crate::uploads::percent_encode(&file.file_name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        file.bytes,
    )
        .into_response())
}

/// The reply template, with the placeholders it may use.
pub async fn get_reply_template(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let placeholders: Vec<Value> = mingjing_domain::reply::PLACEHOLDERS
        .iter()
        .map(|(name, what)| json!({ "name": name, "label": what }))
        .collect();
    Ok(Json(json!({
        "template": state.platform.reply_template().await?,
        "placeholders": placeholders,
    })))
}

/// Changes the reply template (checked: lengths, known placeholders); later replies use it.
pub async fn put_reply_template(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(t): Json<mingjing_domain::reply::ReplyTemplate>,
) -> ApiResult<Json<Value>> {
    let e = c.audit("opinion.reply_template", "setting:reply_template", "ok");
    state.platform.set_reply_template(&t, &e).await?;
    Ok(Json(json!({ "ok": true })))
}
