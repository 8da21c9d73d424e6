//! Handlers of the verification loop: routing, verification, review, accountability,
//! recommendations, statistics, the dashboard and notifications. The rules live in the
//! application (`mingjing_app`); here the caller's scope and unit are resolved and every
//! alert out of scope looks exactly like an absent one.

use crate::AppState;
use crate::contract::{Done, Download, NewId, Xlsx};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use crate::scope::Scope;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use chrono::NaiveDate;
use mingjing_app::recommendations::{RecommendationForm, RecommendationView};
use mingjing_app::{LoopFigures, StatDimension, StatFilter};
use mingjing_domain::Money;
use mingjing_domain::access::Permission;
use mingjing_domain::disposal::{AccountabilityForm, Stage, Step, VerificationForm};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

/// The alert, if the caller sees it; otherwise not found.
async fn visible_alert(
    state: &AppState,
    c: &Caller,
    id: i64,
) -> ApiResult<(Scope, mingjing_app::records::Alert)> {
    let scope = crate::scope::of(state, c).await?;
    let a = state.platform.alert_in_scope(&scope, id).await?;
    Ok((scope, a))
}

fn money(fen: i64) -> String {
    Money::from_fen(fen).unwrap_or(Money::ZERO).to_string()
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct RouteBody {
    pub org_id: i64,
}

pub async fn route(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<RouteBody>,
) -> ApiResult<Json<Done>> {
    visible_alert(&state, &c, id).await?;
    state
        .platform
        .route_alert(id, b.org_id, state.today(), &c.actor())
        .await?;
    Ok(Done::json())
}

pub async fn verify(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(form): Json<VerificationForm>,
) -> ApiResult<Json<VerificationId>> {
    visible_alert(&state, &c, id).await?;
    let units = crate::scope::units_of(&state, &c).await?;
    let vid = state
        .platform
        .submit_verification(id, &units, form, &c.actor())
        .await?;
    Ok(Json(VerificationId { verification: vid }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct ReviewBody {
    /// `return`, `approve` or `transfer`.
    #[schemars(extend("enum" = ["return", "approve", "transfer"]))]
    pub decision: String,
    #[serde(default)]
    pub comment: String,
}

pub async fn review(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<ReviewBody>,
) -> ApiResult<Json<Done>> {
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
    state
        .platform
        .review_alert(id, step, &b.comment, &c.actor())
        .await?;
    Ok(Done::json())
}

pub async fn account(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(form): Json<AccountabilityForm>,
) -> ApiResult<Json<AccountabilityId>> {
    visible_alert(&state, &c, id).await?;
    let aid = state
        .platform
        .record_accountability(id, form, state.today(), &c.actor())
        .await?;
    Ok(Json(AccountabilityId {
        accountability: aid,
    }))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct VerificationId {
    pub verification: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AccountabilityId {
    pub accountability: i64,
}

/// A verification with its money in yuan and its files.
#[derive(Debug, Serialize, JsonSchema)]
pub struct VerificationView {
    #[serde(flatten)]
    pub record: mingjing_app::records::VerificationRecord,
    pub recovered: String,
    pub stopped_monthly: String,
    pub files: Vec<crate::files::FileView>,
}

/// An accountability record with its files.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AccountabilityView {
    #[serde(flatten)]
    pub record: mingjing_app::records::AccountabilityRecord,
    pub files: Vec<crate::files::FileView>,
}

/// An earlier alert on the same subject.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EarlierAlert {
    pub id: i64,
    pub model: String,
    pub program: String,
    pub raised_at: String,
    pub stage: String,
    pub stage_label: String,
    pub conclusion: Option<String>,
    pub amount: Option<String>,
}

/// An alert's follow-up.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FlowView {
    pub stage: String,
    pub stage_label: String,
    pub org_id: Option<i64>,
    pub org: Option<String>,
    pub deadline: Option<String>,
    pub overdue: bool,
    pub conclusion: Option<String>,
    pub routed_at: Option<String>,
    pub escalated_at: Option<String>,
    pub closed_at: Option<String>,
    pub events: Vec<mingjing_app::records::AlertEvent>,
    pub verifications: Vec<VerificationView>,
    pub accountability: Vec<AccountabilityView>,
    /// The steps the caller may take now.
    pub allowed: Vec<String>,
    pub may_account: bool,
    pub earlier: Vec<EarlierAlert>,
}

/// The alert's follow-up: its stage, deadline, steps, verifications with their files,
/// accountability, the steps the caller may take now, and the subject's other alerts.
pub async fn flow(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<FlowView>> {
    let scope = crate::scope::of(&state, &c).await?;
    let (a, flow, earlier) = state
        .platform
        .view_alert_flow(&c.actor(), &scope, id)
        .await?;
    let stage: Stage = a
        .stage
        .parse()
        .map_err(|e: String| mingjing_app::AppError::Store(mingjing_app::StoreError::Corrupt(e)))?;
    let units = crate::scope::units_of(&state, &c).await?;
    let mine = a.org_id.is_some_and(|o| units.contains(&o));
    let allowed = Step::allowed_from(stage)
        .into_iter()
        .filter(|s| c.has(s.permission()) && (*s != Step::Submit || mine))
        .map(|s| s.code().to_string())
        .collect();
    let mut verifications = Vec::new();
    for v in flow.verifications {
        let files = crate::files::attached(&state, &format!("verification:{}", v.id)).await?;
        verifications.push(VerificationView {
            recovered: money(v.recovered_fen),
            stopped_monthly: money(v.stopped_monthly_fen),
            files,
            record: v,
        });
    }
    let mut accountability = Vec::new();
    for r in flow.accountability {
        let files = crate::files::attached(&state, &format!("accountability:{}", r.id)).await?;
        accountability.push(AccountabilityView { files, record: r });
    }
    let earlier = earlier
        .iter()
        .map(|o| EarlierAlert {
            id: o.id,
            model: o.model.clone(),
            program: o.program.clone(),
            raised_at: o.raised_at.clone(),
            stage: o.stage.clone(),
            stage_label: stage_label(&o.stage).to_string(),
            conclusion: o.conclusion.clone(),
            amount: o.amount_fen.map(money),
        })
        .collect();
    let org = match a.org_id {
        Some(o) => state.platform.org_node(o).await?.map(|n| n.name),
        None => None,
    };
    Ok(Json(FlowView {
        stage: stage.code().into(),
        stage_label: stage.label().into(),
        org_id: a.org_id,
        org,
        overdue: mingjing_app::is_overdue(stage, a.deadline.as_deref(), state.today()),
        deadline: a.deadline.clone(),
        may_account: c.has(Permission::AlertsReview)
            && stage.is_final()
            && a.conclusion.as_deref().is_some_and(|c| c != "不属实"),
        conclusion: a.conclusion.clone(),
        routed_at: flow.routed_at,
        escalated_at: flow.escalated_at,
        closed_at: flow.closed_at,
        events: flow.events,
        verifications,
        accountability,
        allowed,
        earlier,
    }))
}

pub use mingjing_app::alerts::stage_label;

// ---- statistics and the dashboard ----------------------------------------------------

#[derive(serde::Deserialize, Default, schemars::JsonSchema)]
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

/// The loop's figures with money in yuan, the rate and the sentence that sums them up.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FiguresView {
    #[serde(flatten)]
    pub figures: LoopFigures,
    pub recovered: String,
    pub stopped_monthly: String,
    pub hit_rate: Option<String>,
    pub recovered_per_alert: Option<String>,
    pub summary: String,
}

/// One group's figures (a model, unit, town or month).
#[derive(Debug, Serialize, JsonSchema)]
pub struct KeyedFigures {
    pub key: String,
    #[serde(flatten)]
    pub figures: FiguresView,
}

fn figures_view(f: &LoopFigures) -> FiguresView {
    FiguresView {
        recovered: money(f.recovered_fen),
        stopped_monthly: money(f.stopped_monthly_fen),
        hit_rate: f.hit_rate(),
        recovered_per_alert: f.recovered_per_alert().map(|m| m.to_string()),
        summary: f.summary(),
        figures: f.clone(),
    }
}

/// Groups of figures as rows with their `key`.
fn keyed(groups: &[(String, LoopFigures)]) -> Vec<KeyedFigures> {
    groups
        .iter()
        .map(|(k, f)| KeyedFigures {
            key: k.clone(),
            figures: figures_view(f),
        })
        .collect()
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Statistics {
    pub rows: Vec<KeyedFigures>,
    pub total: FiguresView,
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
        .loop_statistics(dims, &filter, state.today(), &scope)
        .await?)
}

pub async fn stats(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(q): Query<StatParams>,
) -> ApiResult<Json<Statistics>> {
    let dim = q.dim.unwrap_or(StatDimension::Model);
    let (groups, total) = statistics(&state, &c, &q, &[dim]).await?;
    Ok(Json(Statistics {
        rows: groups.first().map(|g| keyed(g)).unwrap_or_default(),
        total: figures_view(&total),
    }))
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
) -> ApiResult<Download<Xlsx>> {
    let scope = crate::scope::of(&state, &c).await?;
    let filter = stat_filter(&q)?;
    let bytes = state
        .platform
        .export_loop_statistics(&c.actor(), &scope, &filter)
        .await?;
    Ok(crate::uploads::xlsx_download(bytes, "预警处置统计.xlsx"))
}

/// How many alerts stand at a stage.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StageCount {
    pub label: String,
    pub count: i64,
}

/// An alert past its deadline.
#[derive(Debug, Serialize, JsonSchema)]
pub struct OverdueAlert {
    pub id: i64,
    pub model: String,
    pub responsible: String,
    pub deadline: Option<String>,
    pub name: String,
}

/// Everything the 智慧监察 dashboard draws.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Dashboard {
    pub by_model: Vec<KeyedFigures>,
    pub by_unit: Vec<KeyedFigures>,
    pub by_town: Vec<KeyedFigures>,
    pub by_month: Vec<KeyedFigures>,
    pub model_names: BTreeMap<String, String>,
    pub total: FiguresView,
    /// By stage code.
    pub stages: BTreeMap<String, StageCount>,
    /// The suspect amount of every alert in scope (whatever its stage), in yuan.
    pub suspect: String,
    /// What verifying the open alerts in scope may be expected to recover (their priorities'
    /// sum), in yuan.
    pub expected: String,
    pub overdue: Vec<OverdueAlert>,
}

/// Everything the 智慧监察 dashboard draws, in the caller's scope.
pub async fn dashboard(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Dashboard>> {
    let q = StatParams::default();
    let (by_dim, total) = statistics(&state, &c, &q, &DIMENSIONS).await?;
    let group = |i: usize| by_dim.get(i).map(|g| keyed(g)).unwrap_or_default();
    let scope = crate::scope::of(&state, &c).await?;
    let shown = state.platform.dashboard_alerts(&c.actor(), &scope).await?;
    let stages = Stage::ALL
        .iter()
        .map(|s| {
            let n = shown
                .stages
                .iter()
                .find(|f| f.stage == s.code())
                .map_or(0, |f| f.alerts);
            (
                s.code().to_string(),
                StageCount {
                    label: s.label().into(),
                    count: n,
                },
            )
        })
        .collect();
    // Every alert's suspect amount, whatever its stage.
    let suspect: i64 = shown.stages.iter().map(|f| f.suspect_fen).sum();
    let expected: i64 = shown.stages.iter().map(|f| f.expected_fen).sum();
    let overdue = shown
        .overdue
        .iter()
        .map(|a| OverdueAlert {
            id: a.id,
            model: a.model.clone(),
            responsible: a.responsible.clone(),
            deadline: a.deadline.clone(),
            name: a.name.clone(),
        })
        .collect();
    Ok(Json(Dashboard {
        by_model: group(0),
        by_unit: group(1),
        by_town: group(2),
        by_month: group(3),
        model_names: state.platform.model_names().await?.into_iter().collect(),
        total: figures_view(&total),
        stages,
        suspect: money(suspect),
        expected: money(expected),
        overdue,
    }))
}

// ---- model deadlines -------------------------------------------------------------------

/// The days a model gives units to verify its alerts.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DeadlineView {
    pub model: String,
    pub name: Option<String>,
    pub days: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Deadlines {
    pub deadlines: Vec<DeadlineView>,
}

pub async fn list_deadlines(State(state): State<AppState>) -> ApiResult<Json<Deadlines>> {
    let deadlines = state
        .platform
        .deadlines()
        .await?
        .into_iter()
        .map(|(model, name, days)| DeadlineView { model, name, days })
        .collect();
    Ok(Json(Deadlines { deadlines }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct DeadlineBody {
    pub days: i64,
}

pub async fn set_deadline(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    Json(b): Json<DeadlineBody>,
) -> ApiResult<Json<Done>> {
    state.platform.set_deadline(&c.actor(), &id, b.days).await?;
    Ok(Done::json())
}

// ---- notifications ---------------------------------------------------------------------

#[derive(Debug, Serialize, JsonSchema)]
pub struct Notifications {
    pub unread: i64,
    pub notifications: Vec<mingjing_app::records::Notification>,
}

pub async fn notifications(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Notifications>> {
    let list = state
        .platform
        .notifications_for(&c.user, c.org.id, &c.role, 200)
        .await?;
    let unread = list.iter().filter(|n| !n.read).count() as i64;
    Ok(Json(Notifications {
        unread,
        notifications: list,
    }))
}

pub async fn read_notification(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Done>> {
    state.platform.mark_notification_read(id, c.user.id).await?;
    Ok(Done::json())
}

// ---- supervision recommendations (纪检监察建议书) ----------------------------------------

#[derive(Debug, Serialize, JsonSchema)]
pub struct Recommendations {
    pub recommendations: Vec<RecommendationView>,
}

pub async fn list_recommendations(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Recommendations>> {
    let units = crate::scope::units_of(&state, &c).await?;
    let recommendations = state
        .platform
        .recommendations_for(
            &units,
            c.has(Permission::AlertsReview),
            c.has(Permission::AlertsVerify),
        )
        .await?;
    Ok(Json(Recommendations { recommendations }))
}

pub async fn issue_recommendation(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<RecommendationForm>,
) -> ApiResult<Json<NewId>> {
    let scope = crate::scope::of(&state, &c).await?;
    let id = state
        .platform
        .issue_recommendation(&c.actor(), &scope, &b, state.today())
        .await?;
    Ok(Json(NewId { id }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct ReplyBody {
    pub reply: String,
}

pub async fn reply_recommendation(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<ReplyBody>,
) -> ApiResult<Json<Done>> {
    let units = crate::scope::units_of(&state, &c).await?;
    state
        .platform
        .reply_recommendation(&c.actor(), &units, id, &b.reply)
        .await?;
    Ok(Done::json())
}
