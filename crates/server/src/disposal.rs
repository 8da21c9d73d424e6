//! Handlers of the verification loop: routing, verification, review, accountability,
//! recommendations, statistics, the dashboard and notifications. The rules live in the
//! application (`mingjing_app`); here the caller's scope and unit are resolved and every
//! alert out of scope looks exactly like an absent one.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use crate::scope::Scope;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use chrono::NaiveDate;
use mingjing_app::{LoopFigures, StatDimension, StatFilter};
use mingjing_domain::Money;
use mingjing_domain::access::Permission;
use mingjing_domain::disposal::{AccountabilityForm, Stage, Step, VerificationForm};
use mingjing_store::disposal::{NewNotification, Recommendation};
use serde_json::{Value, json};

/// The alert, if the caller sees it; otherwise not found.
async fn visible_alert(
    state: &AppState,
    c: &Caller,
    id: i64,
) -> ApiResult<(Scope, mingjing_store::Alert)> {
    let scope = crate::scope::of(state, c).await?;
    let a = state.platform.alert_in_scope(&scope, id).await?;
    Ok((scope, a))
}

fn money(fen: i64) -> String {
    Money::from_fen(fen).unwrap_or(Money::ZERO).to_string()
}

#[derive(serde::Deserialize)]
pub struct RouteBody {
    pub org_id: i64,
}

pub async fn route(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<RouteBody>,
) -> ApiResult<Json<Value>> {
    visible_alert(&state, &c, id).await?;
    let e = c.audit("alert.route", format!("alert:{id}"), "ok");
    state
        .platform
        .route_alert(id, b.org_id, state.today(), &e)
        .await?;
    Ok(Json(json!({ "ok": true })))
}

pub async fn verify(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(form): Json<VerificationForm>,
) -> ApiResult<Json<Value>> {
    visible_alert(&state, &c, id).await?;
    let units = crate::scope::units_of(&state, &c).await?;
    let e = c.audit("alert.verify", format!("alert:{id}"), "ok");
    let vid = state
        .platform
        .submit_verification(id, &units, form, &e)
        .await?;
    Ok(Json(json!({ "verification": vid })))
}

#[derive(serde::Deserialize)]
pub struct ReviewBody {
    /// `return`, `approve` or `transfer`.
    pub decision: String,
    #[serde(default)]
    pub comment: String,
}

pub async fn review(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<ReviewBody>,
) -> ApiResult<Json<Value>> {
    visible_alert(&state, &c, id).await?;
    let step = match b.decision.as_str() {
        "return" => Step::Return,
        "approve" => Step::Approve,
        "transfer" => Step::Transfer,
        other => {
            return Err(ApiError::with(
                ErrorCode::InvalidRequest,
                format!("审核决定须为 return、approve 或 transfer，而不是“{other}”"),
            ));
        }
    };
    let e = c.audit(
        &format!("alert.{}", step.code()),
        format!("alert:{id}"),
        "ok",
    );
    state
        .platform
        .review_alert(id, step, &b.comment, &e)
        .await?;
    Ok(Json(json!({ "ok": true })))
}

pub async fn account(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(form): Json<AccountabilityForm>,
) -> ApiResult<Json<Value>> {
    visible_alert(&state, &c, id).await?;
    let e = c.audit("alert.account", format!("alert:{id}"), "ok");
    let aid = state
        .platform
        .record_accountability(id, form, state.today(), &e)
        .await?;
    Ok(Json(json!({ "accountability": aid })))
}

/// The alert's follow-up: its stage, deadline, steps, verifications with their files,
/// accountability, the steps the caller may take now, and the subject's other alerts.
pub async fn flow(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let scope = crate::scope::of(&state, &c).await?;
    let (a, flow, earlier) = state
        .platform
        .view_alert_flow(&c.actor(), &scope, id)
        .await?;
    let stage: Stage = a
        .stage
        .parse()
        .map_err(|e: String| mingjing_store::StoreError::Corrupt(e))?;
    let units = crate::scope::units_of(&state, &c).await?;
    let mine = a.org_id.is_some_and(|o| units.contains(&o));
    let allowed: Vec<&str> = Step::allowed_from(stage)
        .into_iter()
        .filter(|s| c.has(s.permission()) && (*s != Step::Submit || mine))
        .map(Step::code)
        .collect();
    let mut verifications = Vec::new();
    for v in &flow.verifications {
        let mut j = serde_json::to_value(v).expect("serialisable");
        j["recovered"] = json!(money(v.recovered_fen));
        j["stopped_monthly"] = json!(money(v.stopped_monthly_fen));
        j["files"] =
            json!(crate::files::attached(&state, &format!("verification:{}", v.id)).await?);
        verifications.push(j);
    }
    let mut accountability = Vec::new();
    for r in &flow.accountability {
        let mut j = serde_json::to_value(r).expect("serialisable");
        j["files"] =
            json!(crate::files::attached(&state, &format!("accountability:{}", r.id)).await?);
        accountability.push(j);
    }
    let earlier: Vec<Value> = earlier
        .iter()
        .map(|o| {
            json!({
                "id": o.id, "model": o.model, "program": o.program, "raised_at": o.raised_at,
                "stage": o.stage, "stage_label": stage_label(&o.stage), "conclusion": o.conclusion,
                "amount": o.amount_fen.map(money),
            })
        })
        .collect();
    let org = match a.org_id {
        Some(o) => state.store().org_node(o).await?.map(|n| n.name),
        None => None,
    };
    Ok(Json(json!({
        "stage": stage.code(), "stage_label": stage.label(),
        "org_id": a.org_id, "org": org, "deadline": a.deadline,
        "overdue": mingjing_app::is_overdue(stage, a.deadline.as_deref(), state.today()),
        "conclusion": a.conclusion,
        "routed_at": flow.routed_at, "escalated_at": flow.escalated_at, "closed_at": flow.closed_at,
        "events": flow.events, "verifications": verifications, "accountability": accountability,
        "allowed": allowed, "may_account": c.has(Permission::AlertsReview) && stage.is_final()
            && a.conclusion.as_deref().is_some_and(|c| c != "不属实"),
        "earlier": earlier,
    })))
}

/// Each model's name, by id.
async fn model_names(state: &AppState) -> ApiResult<std::collections::HashMap<String, String>> {
    Ok(state
        .platform
        .library()
        .await?
        .into_iter()
        .map(|m| (m.record.id, m.spec.name))
        .collect())
}

pub use mingjing_app::alerts::stage_label;

// ---- statistics and the dashboard ----------------------------------------------------

#[derive(serde::Deserialize, Default)]
pub struct StatParams {
    #[serde(default)]
    pub dim: Option<StatDimension>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub town: Option<String>,
}

fn day(name: &str, s: &Option<String>) -> ApiResult<Option<NaiveDate>> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                ApiError::with(
                    ErrorCode::InvalidRequest,
                    format!("{name}：“{d}”不是 YYYY-MM-DD 格式的日期"),
                )
            }),
    }
}

fn figures_json(f: &LoopFigures) -> Value {
    let mut j = serde_json::to_value(f).expect("serialisable");
    j["recovered"] = json!(money(f.recovered_fen));
    j["stopped_monthly"] = json!(money(f.stopped_monthly_fen));
    j["hit_rate"] = json!(f.hit_rate());
    j["recovered_per_alert"] = json!(f.recovered_per_alert().map(|m| m.to_string()));
    j["summary"] = json!(f.summary());
    j
}

/// Groups of figures as JSON rows with their `key`.
fn keyed_json(groups: &[(String, LoopFigures)]) -> Value {
    groups
        .iter()
        .map(|(k, f)| {
            let mut j = figures_json(f);
            j["key"] = json!(k);
            j
        })
        .collect()
}

fn stat_filter(q: &StatParams) -> ApiResult<StatFilter> {
    Ok(StatFilter {
        from: day("起始日期", &q.from)?,
        to: day("截止日期", &q.to)?,
        unit: q.unit.clone().filter(|s| !s.is_empty()),
        model: q.model.clone().filter(|s| !s.is_empty()),
        town: q.town.clone().filter(|s| !s.is_empty()),
    })
}

async fn statistics(
    state: &AppState,
    c: &Caller,
    q: &StatParams,
    dims: &[StatDimension],
) -> ApiResult<(Vec<Vec<(String, LoopFigures)>>, LoopFigures)> {
    let scope = crate::scope::of(state, c).await?;
    let filter = stat_filter(q)?;
    Ok(state
        .platform
        .loop_statistics(dims, &filter, state.today(), |r| {
            scope.sees_unit_or_town(&r.responsible, &r.town)
        })
        .await?)
}

pub async fn stats(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(q): Query<StatParams>,
) -> ApiResult<Json<Value>> {
    let dim = q.dim.unwrap_or(StatDimension::Model);
    let (groups, total) = statistics(&state, &c, &q, &[dim]).await?;
    Ok(Json(
        json!({ "rows": keyed_json(&groups[0]), "total": figures_json(&total) }),
    ))
}

const DIMENSIONS: [StatDimension; 4] = [
    StatDimension::Model,
    StatDimension::Unit,
    StatDimension::Town,
    StatDimension::Month,
];

/// The statistics as Excel: one sheet per dimension and the summary sentence on top.
pub async fn export_stats(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(q): Query<StatParams>,
) -> ApiResult<axum::response::Response> {
    let scope = crate::scope::of(&state, &c).await?;
    let filter = stat_filter(&q)?;
    let bytes = state
        .platform
        .export_loop_statistics(&c.actor(), &scope, &filter)
        .await?;
    Ok(crate::uploads::xlsx_response(bytes, "预警处置统计.xlsx"))
}

/// Everything the 智慧监察 dashboard draws, in the caller's scope.
pub async fn dashboard(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let q = StatParams::default();
    let mut out = json!({});
    let dims = DIMENSIONS;
    let (by_dim, total) = statistics(&state, &c, &q, &dims).await?;
    for (key, groups) in ["by_model", "by_unit", "by_town", "by_month"]
        .into_iter()
        .zip(&by_dim)
    {
        out[key] = keyed_json(groups);
    }
    let scope = crate::scope::of(&state, &c).await?;
    let shown = state.platform.dashboard_alerts(&c.actor(), &scope).await?;
    let alerts = &shown.alerts;
    let mut stages = serde_json::Map::new();
    for s in Stage::ALL {
        let n = alerts.iter().filter(|a| a.stage == s.code()).count();
        stages.insert(s.code().into(), json!({ "label": s.label(), "count": n }));
    }
    let suspect: i64 = alerts.iter().filter_map(|a| a.amount_fen).sum();
    let overdue: Vec<Value> = shown
        .overdue
        .iter()
        .map(|a| {
            json!({ "id": a.id, "model": a.model, "responsible": a.responsible,
                          "deadline": a.deadline, "name": a.name })
        })
        .collect();
    let names = model_names(&state).await?;
    out["model_names"] = json!(names);
    out["total"] = figures_json(&total);
    out["stages"] = Value::Object(stages);
    out["suspect"] = json!(money(suspect));
    out["overdue"] = json!(overdue);
    Ok(Json(out))
}

// ---- model deadlines -------------------------------------------------------------------

pub async fn list_deadlines(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let names = model_names(&state).await?;
    let rows: Vec<Value> = state
        .store()
        .deadline_days()
        .await?
        .into_iter()
        .map(|(id, d)| json!({ "model": id, "name": names.get(&id), "days": d }))
        .collect();
    Ok(Json(json!({ "deadlines": rows })))
}

#[derive(serde::Deserialize)]
pub struct DeadlineBody {
    pub days: i64,
}

pub async fn set_deadline(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    Json(b): Json<DeadlineBody>,
) -> ApiResult<Json<Value>> {
    let mut e = c.audit("model.deadline", format!("model:{id}"), "ok");
    e.detail = format!("{} days", b.days);
    state.store().set_deadline_days(&id, b.days, &e).await?;
    Ok(Json(json!({ "ok": true })))
}

// ---- notifications ---------------------------------------------------------------------

pub async fn notifications(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let perms: Vec<String> = c
        .role
        .permissions
        .iter()
        .map(|p| p.code().to_string())
        .collect();
    let list = state
        .store()
        .notifications_for(c.user.id, c.org.id, &perms, 200)
        .await?;
    let unread = list.iter().filter(|n| !n.read).count();
    Ok(Json(json!({ "unread": unread, "notifications": list })))
}

pub async fn read_notification(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    state.store().mark_notification_read(id, c.user.id).await?;
    Ok(Json(json!({ "ok": true })))
}

// ---- supervision recommendations (纪检监察建议书) ----------------------------------------

pub async fn list_recommendations(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let units = crate::scope::units_of(&state, &c).await?;
    let reviewer = c.has(Permission::AlertsReview);
    let tree = state.store().org_tree().await?;
    let list: Vec<Value> = state
        .store()
        .recommendations()
        .await?
        .into_iter()
        .filter(|r| reviewer || units.contains(&r.org_id))
        .map(|r| {
            let mut j = serde_json::to_value(&r).expect("serialisable");
            j["org"] = json!(
                tree.iter()
                    .find(|o| o.id == r.org_id)
                    .map(|o| o.name.clone())
            );
            j["may_reply"] = json!(
                r.reply.is_none() && units.contains(&r.org_id) && c.has(Permission::AlertsVerify)
            );
            j
        })
        .collect();
    Ok(Json(json!({ "recommendations": list })))
}

#[derive(serde::Deserialize)]
pub struct RecommendationBody {
    pub number: String,
    pub org_id: i64,
    pub title: String,
    pub content: String,
    pub reply_due: String,
    #[serde(default)]
    pub alert_ids: Vec<i64>,
}

pub async fn issue_recommendation(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<RecommendationBody>,
) -> ApiResult<Json<Value>> {
    let bad = |m: &str| ApiError::with(ErrorCode::InvalidRequest, m.to_string());
    for (v, what) in [
        (&b.number, "文号"),
        (&b.title, "标题"),
        (&b.content, "建议内容"),
    ] {
        if v.trim().is_empty() {
            return Err(bad(&format!("{what}不能为空")));
        }
    }
    let due =
        day("回复期限", &Some(b.reply_due.clone()))?.ok_or_else(|| bad("回复期限不能为空"))?;
    if due < state.today() {
        return Err(bad("回复期限不能早于今天"));
    }
    let org = state
        .store()
        .org_node(b.org_id)
        .await?
        .ok_or_else(|| bad("收文单位不存在"))?;
    let scope = crate::scope::of(&state, &c).await?;
    for a in &b.alert_ids {
        match state.store().alert(*a).await? {
            Some(x) if scope.sees_alert(&x) => {}
            _ => return Err(bad(&format!("预警 {a} 不存在"))),
        }
    }
    let r = Recommendation {
        id: 0,
        number: b.number.trim().into(),
        org_id: org.id,
        title: b.title.trim().into(),
        content: b.content.trim().into(),
        reply_due: due.to_string(),
        issued_by: String::new(),
        issued_at: String::new(),
        reply: None,
        replied_by: None,
        replied_at: None,
        alert_ids: b.alert_ids.clone(),
    };
    let mut e = c.audit("recommendation.issue", format!("org:{}", org.id), "ok");
    e.detail = r.number.clone();
    let notice = NewNotification {
        org_id: Some(org.id),
        permission: Permission::AlertsVerify.code().into(),
        kind: "recommendation.issued".into(),
        object: String::new(),
        message: format!(
            "收到纪检监察建议书 {}《{}》，请于 {} 前回复",
            r.number, r.title, r.reply_due
        ),
        dedup: None,
    };
    let id = state.store().issue_recommendation(&r, &e, &notice).await?;
    Ok(Json(json!({ "id": id })))
}

#[derive(serde::Deserialize)]
pub struct ReplyBody {
    pub reply: String,
}

pub async fn reply_recommendation(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<ReplyBody>,
) -> ApiResult<Json<Value>> {
    let units = crate::scope::units_of(&state, &c).await?;
    let r = state
        .store()
        .recommendations()
        .await?
        .into_iter()
        .find(|r| r.id == id && units.contains(&r.org_id))
        .ok_or(ErrorCode::NotFound)?;
    if b.reply.trim().is_empty() {
        return Err(ApiError::with(
            ErrorCode::InvalidRequest,
            "回复内容不能为空",
        ));
    }
    let e = c.audit(
        "recommendation.reply",
        format!("recommendation:{}", r.id),
        "ok",
    );
    state
        .store()
        .reply_recommendation(id, b.reply.trim(), &e)
        .await?;
    Ok(Json(json!({ "ok": true })))
}
