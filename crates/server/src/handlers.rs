//! Handlers of 系统管理 (organisations, accounts, roles, policy, sessions, audit) and of the
//! business reads (dataset types, alerts, models). Object-level scope is applied here.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use crate::scope::Scope;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use mingjing_app::ChangeOutcome;
use mingjing_app::alerts::AlertFilter;
use mingjing_domain::access::{AdminKind, DataScope, Permission, Role, SecurityPolicy};
use mingjing_store::access::{NewOrg, NewUser, UserUpdate};
use mingjing_store::audit::AuditQuery;
use mingjing_store::changes::{Applied, ProposedChange};
use serde_json::{Value, json};

pub async fn health(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    // The database answers, or this is not healthy.
    state.store().setting("county").await?;
    Ok(Json(
        json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }),
    ))
}

// ---- organisations ---------------------------------------------------------------------

pub async fn list_orgs(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "orgs": state.store().org_tree().await? })))
}

#[derive(serde::Deserialize)]
pub struct OrgBody {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub town: String,
    #[serde(default)]
    pub sort_order: i64,
}

impl OrgBody {
    fn into_new(self) -> NewOrg {
        NewOrg {
            name: self.name,
            kind: self.kind,
            parent_id: self.parent_id,
            code: self.code,
            town: self.town,
            sort_order: self.sort_order,
        }
    }
}

pub async fn create_org(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<OrgBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let mut e = c.audit("org.create", "org:new", "ok");
    e.detail = b.name.clone();
    let id = state.store().create_org(&b.into_new(), &e).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// Code and order change at once; name, kind, parent or town wait for the security
/// administrator's approval (202 with the proposal).
pub async fn update_org(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<OrgBody>,
) -> ApiResult<Response> {
    let e = c.audit("org.update", format!("org:{id}"), "ok");
    let outcome = state
        .platform
        .change_org(id, b.into_new(), &c.user, e)
        .await?;
    Ok(change_response(outcome))
}

fn change_response(outcome: ChangeOutcome) -> Response {
    match outcome {
        ChangeOutcome::Applied => StatusCode::NO_CONTENT.into_response(),
        ChangeOutcome::Proposed(id) => (
            StatusCode::ACCEPTED,
            Json(json!({ "change_id": id, "status": "pending",
                "message": "已提交，待安全管理员审批后生效" })),
        )
            .into_response(),
    }
}

// ---- accounts ----------------------------------------------------------------------------

pub async fn list_users(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "users": state.store().users().await? })))
}

#[derive(serde::Deserialize)]
pub struct NewUserBody {
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub role: String,
    pub password: String,
}

fn valid_username(u: &str) -> bool {
    (3..=32).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
}

/// A new account is a proposal: it exists, with its role, once the security administrator
/// approves it (三员分立 held by the server).
pub async fn create_user(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<NewUserBody>,
) -> ApiResult<Response> {
    if !valid_username(&b.username) {
        return Err(ApiError::with(
            ErrorCode::InvalidRequest,
            "用户名为 3 至 32 位字母、数字或 _ . -",
        ));
    }
    let hash = state
        .platform
        .new_account_password(&b.username, b.password)
        .await?;
    let mut e = c.audit("user.propose", format!("user:{}", b.username), "ok");
    e.detail = format!("role {} org {}", b.role, b.org_id);
    let id = state
        .platform
        .propose_account(
            NewUser {
                username: b.username,
                display_name: b.display_name,
                org_id: b.org_id,
                role: b.role,
                password_hash: hash,
                must_change: true,
            },
            &c.user,
            e,
        )
        .await?;
    Ok(change_response(ChangeOutcome::Proposed(id)))
}

#[derive(serde::Deserialize)]
pub struct UpdateUserBody {
    pub display_name: String,
    pub org_id: i64,
    pub role: String,
    pub enabled: bool,
}

/// Name and enabled flag change at once; a role or organisation waits for approval.
pub async fn update_user(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<UpdateUserBody>,
) -> ApiResult<Response> {
    let mut e = c.audit("user.update", format!("user:{id}"), "ok");
    e.detail = format!("role {} org {} enabled {}", b.role, b.org_id, b.enabled);
    let outcome = state
        .platform
        .change_account(
            id,
            UserUpdate {
                display_name: b.display_name,
                org_id: b.org_id,
                role: b.role,
                enabled: b.enabled,
            },
            &c.user,
            e,
        )
        .await?;
    Ok(change_response(outcome))
}

// ---- dual control ------------------------------------------------------------------------

fn change_json(ch: &mingjing_store::changes::AccessChange) -> Value {
    json!({
        "id": ch.id, "target": ch.target, "summary": ch.summary,
        "kind": match &ch.change {
            ProposedChange::CreateUser { .. } => "create_user",
            ProposedChange::UpdateUser { .. } => "update_user",
            ProposedChange::UpdateOrg { .. } => "update_org",
        },
        "proposed_by": ch.proposed_by, "proposed_at": ch.proposed_at,
        "status": ch.status.code(), "decided_by": ch.decided_by, "decided_at": ch.decided_at,
        "note": ch.note,
    })
}

#[derive(serde::Deserialize)]
pub struct ChangesQuery {
    #[serde(default)]
    pub pending: bool,
}

/// Proposals: the system administrator follows his, the security administrator decides them.
pub async fn list_changes(
    State(state): State<AppState>,
    Query(q): Query<ChangesQuery>,
) -> ApiResult<Json<Value>> {
    let list = state.store().access_changes(q.pending).await?;
    Ok(Json(
        json!({ "changes": list.iter().map(change_json).collect::<Vec<_>>() }),
    ))
}

#[derive(serde::Deserialize)]
pub struct DecisionBody {
    #[serde(default)]
    pub note: String,
}

pub async fn approve_change(
    state: State<AppState>,
    c: Extension<Caller>,
    id: Path<i64>,
    b: Json<DecisionBody>,
) -> ApiResult<Json<Value>> {
    decide(state, c, id, b, true).await
}

pub async fn reject_change(
    state: State<AppState>,
    c: Extension<Caller>,
    id: Path<i64>,
    b: Json<DecisionBody>,
) -> ApiResult<Json<Value>> {
    decide(state, c, id, b, false).await
}

async fn decide(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<DecisionBody>,
    approve: bool,
) -> ApiResult<Json<Value>> {
    let action = if approve {
        "change.approve"
    } else {
        "change.reject"
    };
    let mut e = c.audit(action, format!("change:{id}"), "ok");
    if let Some(ch) = state.store().access_change(id).await? {
        e.detail = format!("{}; {}", ch.target, ch.summary);
    }
    let applied = state
        .platform
        .decide_change(id, approve, &c.user, &b.note, e)
        .await?;
    let ch = state
        .store()
        .access_change(id)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let user_id = match applied {
        Applied::UserCreated(u) | Applied::UserUpdated(u) => Some(u),
        _ => None,
    };
    Ok(Json(
        json!({ "change": change_json(&ch), "user_id": user_id }),
    ))
}

// ---- upload rights -----------------------------------------------------------------------

/// Every type's uploader list, with the organisations and kinds to pick from.
pub async fn list_upload_rights(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let store = state.store();
    let rights = store.upload_rights().await?;
    let orgs = store.org_tree().await?;
    let types: Vec<Value> = store
        .dataset_types()
        .await?
        .iter()
        .map(|t| {
            let r = rights.get(&t.name).cloned().unwrap_or_default();
            json!({
                "type": t.name, "label": t.label, "owner": t.owner,
                "uploaders": r.uploaders.iter().map(|u| u.to_string()).collect::<Vec<_>>(),
                "names": mingjing_app::uploader_names(&r.uploaders, &orgs),
            })
        })
        .collect();
    let kinds: Vec<Value> = mingjing_domain::upload_rights::GRANTABLE_KINDS
        .iter()
        .map(|(k, l)| json!({ "value": format!("kind:{k}"), "label": l }))
        .collect();
    Ok(Json(json!({ "types": types, "kinds": kinds })))
}

#[derive(serde::Deserialize)]
pub struct UploadRightsBody {
    pub uploaders: Vec<String>,
}

pub async fn put_upload_rights(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(name): Path<String>,
    Json(b): Json<UploadRightsBody>,
) -> ApiResult<Json<Value>> {
    if b.uploaders.len() > 500 {
        return Err(ApiError::with(
            ErrorCode::InvalidRequest,
            "上传单位不超过 500 个",
        ));
    }
    let e = c.audit("upload_rights.update", format!("type:{name}"), "ok");
    let list = state
        .platform
        .set_upload_rights(&name, &b.uploaders, e)
        .await?;
    Ok(Json(
        json!({ "type": name, "uploaders": list.iter().map(|u| u.to_string()).collect::<Vec<_>>() }),
    ))
}

#[derive(serde::Deserialize)]
pub struct ResetBody {
    pub password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<ResetBody>,
) -> ApiResult<StatusCode> {
    state
        .platform
        .reset_password(&c.actor(), id, b.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- roles and policy --------------------------------------------------------------------

pub async fn list_roles(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let roles: Vec<Value> = state
        .store()
        .roles()
        .await?
        .iter()
        .map(|r| {
            json!({
                "code": r.code, "name": r.name, "data_scope": r.scope.code(),
                "data_scope_label": r.scope.label(),
                "admin": r.admin.map(AdminKind::code),
                "permissions": r.permissions.iter().map(|p| p.code()).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({ "roles": roles })))
}

pub async fn list_permissions() -> Json<Value> {
    let list: Vec<Value> = Permission::ALL
        .iter()
        .map(|p| json!({ "code": p.code(), "label": p.label(), "group": p.group() }))
        .collect();
    Json(json!({ "permissions": list }))
}

#[derive(serde::Deserialize)]
pub struct RoleBody {
    pub name: String,
    pub data_scope: String,
    pub permissions: Vec<String>,
}

pub async fn update_role(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(code): Path<String>,
    Json(b): Json<RoleBody>,
) -> ApiResult<StatusCode> {
    let existing = state
        .store()
        .roles()
        .await?
        .into_iter()
        .find(|r| r.code == code)
        .ok_or(ErrorCode::NotFound)?;
    let bad = |m: String| ApiError::with(ErrorCode::InvalidRequest, m);
    let permissions = b
        .permissions
        .iter()
        .map(|p| p.parse::<Permission>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    let role = Role {
        code: code.clone(),
        name: b.name,
        scope: b.data_scope.parse::<DataScope>().map_err(bad)?,
        admin: existing.admin,
        permissions,
    };
    role.validate().map_err(bad)?;
    let mut e = c.audit("role.update", format!("role:{code}"), "ok");
    e.detail = format!(
        "scope {} permissions {}",
        role.scope.code(),
        role.permissions
            .iter()
            .map(|p| p.code())
            .collect::<Vec<_>>()
            .join(",")
    );
    state.store().update_role(&role, &e).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn get_policy(State(state): State<AppState>) -> ApiResult<Json<SecurityPolicy>> {
    Ok(Json(state.platform.policy().await?))
}

pub async fn put_policy(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(p): Json<SecurityPolicy>,
) -> ApiResult<StatusCode> {
    state.platform.set_policy(&c.actor(), &p).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- sessions and audit -------------------------------------------------------------------

pub async fn list_sessions(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let now = state.clock.now_text();
    let users = state.store().users().await?;
    let list: Vec<Value> = state
        .store()
        .active_sessions(&now)
        .await?
        .iter()
        .map(|s| {
            let u = users.iter().find(|u| u.id == s.user_id);
            json!({
                // Administrators name a session by a prefix of its hash, never by its token.
                "id": &s.token_hash[..24],
                "user_id": s.user_id,
                "username": u.map(|u| u.username.as_str()),
                "source": s.source, "created_at": s.created_at,
                "last_seen_at": s.last_seen_at, "expires_at": s.expires_at,
            })
        })
        .collect();
    Ok(Json(json!({ "sessions": list })))
}

pub async fn end_session(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let s = state
        .store()
        .session_by_id(&id)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let e = c.audit("session.end", format!("user:{}", s.user_id), "ok");
    state
        .store()
        .end_session(&s.token_hash, "ended by the security administrator", &e)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, Default)]
pub struct AuditParams {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub before: i64,
    #[serde(default)]
    pub limit: Option<i64>,
}

pub async fn list_audit(
    State(state): State<AppState>,
    Query(q): Query<AuditParams>,
) -> ApiResult<Json<Value>> {
    let records = state
        .store()
        .audit_records(&AuditQuery {
            actor: q.actor,
            action: q.action,
            from: q.from,
            to: q.to,
            before_seq: q.before,
            limit: q.limit.unwrap_or(100).clamp(1, 1000),
        })
        .await?;
    Ok(Json(json!({ "records": records })))
}

pub async fn verify_audit(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let result = state.platform.verify_audit_log(&c.actor()).await?;
    Ok(Json(match &result {
        Ok(n) => json!({ "intact": true, "records": n }),
        Err(b) => json!({ "intact": false, "first_bad_seq": b.seq, "problem": b.problem }),
    }))
}

// ---- business reads -----------------------------------------------------------------------

pub async fn list_types(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    // The definition as the standard writes it, with its name (which the file uses as the
    // table's key, not as a field).
    let types: Vec<Value> = state
        .store()
        .dataset_types()
        .await?
        .iter()
        .map(|t| {
            let mut v = serde_json::to_value(t).expect("serialisable");
            v["name"] = json!(t.name);
            v["period"] = json!(t.period);
            v
        })
        .collect();
    Ok(Json(json!({ "types": types })))
}

#[derive(serde::Deserialize, Default)]
pub struct AlertParams {
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub town: Option<String>,
    #[serde(default)]
    pub responsible: Option<String>,
    #[serde(default)]
    pub village: Option<String>,
    /// The loop's stage (`routed`, `pending_review`...).
    #[serde(default)]
    pub stage: Option<String>,
    /// Only alerts past their deadline.
    #[serde(default)]
    pub overdue: Option<bool>,
    /// Suspect amount bounds, in yuan.
    #[serde(default)]
    pub min_amount: Option<String>,
    #[serde(default)]
    pub max_amount: Option<String>,
    /// Raised on or after / on or before (YYYY-MM-DD).
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// Subject (ID number or account) or name contains.
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub offset: Option<usize>,
    #[serde(default)]
    pub limit: Option<usize>,
}

fn alert_json(a: &mingjing_store::Alert, scope: &Scope, today: chrono::NaiveDate) -> Value {
    let stage: Option<mingjing_domain::disposal::Stage> = a.stage.parse().ok();
    json!({
        "stage": a.stage, "stage_label": stage.map(|s| s.label()), "deadline": a.deadline,
        "overdue": stage.is_some_and(|s| mingjing_app::is_overdue(s, a.deadline.as_deref(), today)),
        "conclusion": a.conclusion, "org_id": a.org_id,
        "id": a.id, "model": a.model, "model_version": a.model_version,
        "subject": scope.id(&a.subject), "program": a.program, "name": a.name,
        "amount": a.amount_fen.and_then(mingjing_domain::Money::from_fen).map(|m| m.to_string()),
        "responsible": a.responsible, "town": a.town, "village": a.village, "status": a.status,
        "raised_at": a.raised_at, "previous_id": a.previous_id, "evidence_rows": a.evidence_rows,
    })
}

/// The list's query as a filter: empty parameters narrow nothing; amounts and dates that do
/// not parse are refused with the parameter named.
fn alert_filter(q: &AlertParams) -> ApiResult<AlertFilter> {
    let bad = |m: String| ApiError::with(ErrorCode::InvalidRequest, m);
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let amount = |name: &str, v: &Option<String>| -> ApiResult<Option<i64>> {
        match given(v) {
            None => Ok(None),
            Some(s) => s
                .parse::<mingjing_domain::Money>()
                .map(|m| Some(m.fen()))
                .map_err(|_| bad(format!("{name}“{s}”不是有效金额"))),
        }
    };
    let date = |name: &str, v: &Option<String>| -> ApiResult<Option<chrono::NaiveDate>> {
        match given(v) {
            None => Ok(None),
            Some(s) => chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| bad(format!("{name}“{s}”不是 YYYY-MM-DD 格式的日期"))),
        }
    };
    // Values are compared as sent (a name may hold spaces); only emptiness is trimmed away.
    let exact = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
    Ok(AlertFilter {
        model: exact(&q.model),
        status: exact(&q.status),
        town: exact(&q.town),
        village: exact(&q.village),
        responsible: exact(&q.responsible),
        stage: exact(&q.stage),
        overdue: q.overdue == Some(true),
        min_fen: amount("最小金额", &q.min_amount)?,
        max_fen: amount("最大金额", &q.max_amount)?,
        from: date("起始日期", &q.from)?,
        to: date("截止日期", &q.to)?,
        text: given(&q.q),
    })
}

/// The alerts the caller sees, filtered like the list, in one Excel sheet. Every value is a
/// text cell, so that nothing in it is ever evaluated as a formula.
pub async fn export_alerts(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(q): Query<AlertParams>,
) -> ApiResult<axum::response::Response> {
    let filter = alert_filter(&q)?;
    let scope = crate::scope::of(&state, &c).await?;
    let bytes = state
        .platform
        .export_alerts(&c.actor(), &scope, &filter)
        .await?;
    Ok(crate::uploads::xlsx_response(bytes, "预警清单.xlsx"))
}

pub async fn list_alerts(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(q): Query<AlertParams>,
) -> ApiResult<Json<Value>> {
    let filter = alert_filter(&q)?;
    let scope = crate::scope::of(&state, &c).await?;
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let page = state
        .platform
        .list_alerts(&c.actor(), &scope, &filter, offset, limit)
        .await?;
    let today = state.today();
    let alerts: Vec<Value> = page
        .alerts
        .iter()
        .map(|a| alert_json(a, &scope, today))
        .collect();
    Ok(Json(json!({ "total": page.total, "alerts": alerts })))
}

pub async fn get_alert(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let scope = crate::scope::of(&state, &c).await?;
    let detail = state
        .platform
        .view_alert(&c.actor(), &scope, id)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let types = state.store().dataset_types().await?;
    let mut tables = Vec::new();
    for t in &detail.rows {
        let Some(ty) = types.iter().find(|ty| ty.name == t.dataset) else {
            continue;
        };
        let mut j = crate::data::text_table_json(ty, &t.rows, &scope);
        j["dataset"] = json!(t.dataset);
        j["dataset_label"] = json!(t.dataset_label);
        j["upload_dir"] = json!(t.upload_dir);
        tables.push(j);
    }
    Ok(Json(json!({
        "alert": alert_json(&detail.alert, &scope, state.today()),
        "explanation": detail.explanation,
        "evidence": tables,
    })))
}

pub async fn list_models(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    // The latest run of each model: when, and what it found.
    let runs = state.store().runs(200).await?;
    let last = |id: &str| {
        runs.iter().find_map(|r| {
            r.results.iter().find(|x| x.model == id).map(|x| {
                json!({ "at": r.finished_at, "hits": x.hits, "raised": x.counts.raised, "trigger": r.trigger })
            })
        })
    };
    let list: Vec<Value> = state
        .platform
        .library()
        .await?
        .iter()
        .map(|m| {
            json!({
                "id": m.record.id, "name": m.spec.name, "description": m.spec.description,
                "version": m.record.current_version, "enabled": m.record.enabled,
                "builtin": m.record.builtin, "reads": m.record.reads,
                "last_run": last(&m.record.id),
                "params": m.spec.params.iter().map(|(k, p)| json!({
                    "name": k, "label": p.label, "value": p.default.to_string(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({ "models": list })))
}

#[derive(serde::Deserialize, Default)]
pub struct RunBody {
    #[serde(default)]
    pub models: Vec<String>,
    #[serde(default)]
    pub as_of: Option<String>,
}

pub async fn run_models(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<RunBody>,
) -> ApiResult<Json<Value>> {
    let as_of = match b.as_of.as_deref() {
        None => state.today(),
        Some(d) => mingjing_domain::calendar::parse_date(d)
            .map_err(|e| ApiError::with(ErrorCode::InvalidRequest, format!("as_of: {e}")))?,
    };
    let _one_at_a_time = state.rematch.lock().await;
    let outcomes = state
        .platform
        .run_models(&c.actor(), &b.models, as_of)
        .await?;
    let list: Vec<Value> = outcomes
        .iter()
        .map(|o| json!({ "model": o.model, "hits": o.hits, "raised": o.counts.raised, "updated": o.counts.updated }))
        .collect();
    Ok(Json(json!({ "results": list })))
}

pub async fn list_runs(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let runs: Vec<Value> = state
        .store()
        .runs(50)
        .await?
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "started_at": r.started_at, "finished_at": r.finished_at,
                "as_of": r.as_of, "trigger": r.trigger,
                "results": r.results.iter().map(|x| json!({
                    "model": x.model, "version": x.version, "hits": x.hits,
                    "raised": x.counts.raised, "updated": x.counts.updated,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({ "runs": runs })))
}
