//! Handlers of 系统管理 (organisations, accounts, roles, policy, sessions, audit) and of the
//! business reads (dataset types, alerts, models). Object-level scope is applied here.

use crate::AppState;
use crate::contract::{Change, Created, Download, NewId, NoContent, Xlsx};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use crate::scope::Scope;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use mingjing_app::alerts::{AlertFilter, AlertOrder};
use mingjing_app::records::AuditQuery;
use mingjing_app::records::{Applied, ProposedChange};
use mingjing_app::records::{NewOrg, UserUpdate};
use mingjing_app::records::{OrgNode, User};
use mingjing_app::{ChangeOutcome, NewAccount};
use mingjing_domain::access::{AdminKind, Permission, SecurityPolicy};
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Debug, Serialize, JsonSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
    pub version: String,
}

pub async fn health(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    // The database answers, or this is not healthy.
    state.platform.health().await?;
    Ok(Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

// ---- organisations ---------------------------------------------------------------------

#[derive(Debug, Serialize, JsonSchema)]
pub struct Orgs {
    pub orgs: Vec<OrgNode>,
}

pub async fn list_orgs(State(state): State<AppState>) -> ApiResult<Json<Orgs>> {
    Ok(Json(Orgs {
        orgs: state.platform.org_tree().await?,
    }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
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
) -> ApiResult<Created<NewId>> {
    let id = state.platform.create_org(&c.actor(), &b.into_new()).await?;
    Ok(Created(NewId { id }))
}

/// Code and order change at once; name, kind, parent or town wait for the security
/// administrator's approval (202 with the proposal).
pub async fn update_org(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<OrgBody>,
) -> ApiResult<Change<Proposal>> {
    let outcome = state
        .platform
        .change_org(&c.actor(), &c.user, id, b.into_new())
        .await?;
    Ok(change_response(outcome))
}

/// A change waiting for the security administrator.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Proposal {
    pub change_id: i64,
    /// `pending`.
    pub status: String,
    pub message: String,
}

fn change_response(outcome: ChangeOutcome) -> Change<Proposal> {
    match outcome {
        ChangeOutcome::Applied => Change::Applied,
        ChangeOutcome::Proposed(id) => Change::Proposed(Proposal {
            change_id: id,
            status: "pending".into(),
            message: "已提交，待安全管理员审批后生效".into(),
        }),
    }
}

// ---- accounts ----------------------------------------------------------------------------

#[derive(Debug, Serialize, JsonSchema)]
pub struct Users {
    pub users: Vec<User>,
}

pub async fn list_users(State(state): State<AppState>) -> ApiResult<Json<Users>> {
    Ok(Json(Users {
        users: state.platform.users().await?,
    }))
}

/// A new account is a proposal: it exists, with its role, once the security administrator
/// approves it (三员分立 held by the server).
pub async fn create_user(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<NewAccount>,
) -> ApiResult<Change<Proposal>> {
    let id = state
        .platform
        .propose_account(&c.actor(), &c.user, b)
        .await?;
    Ok(change_response(ChangeOutcome::Proposed(id)))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
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
) -> ApiResult<Change<Proposal>> {
    let outcome = state
        .platform
        .change_account(
            &c.actor(),
            &c.user,
            id,
            UserUpdate {
                display_name: b.display_name,
                org_id: b.org_id,
                role: b.role,
                enabled: b.enabled,
            },
        )
        .await?;
    Ok(change_response(outcome))
}

// ---- dual control ------------------------------------------------------------------------

/// A proposed access change as administrators read it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChangeView {
    pub id: i64,
    pub target: String,
    pub summary: String,
    /// `create_user`, `update_user` or `update_org`.
    pub kind: String,
    pub proposed_by: String,
    pub proposed_at: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: String,
}

fn change_view(ch: &mingjing_app::records::AccessChange) -> ChangeView {
    ChangeView {
        id: ch.id,
        target: ch.target.clone(),
        summary: ch.summary.clone(),
        kind: match &ch.change {
            ProposedChange::CreateUser { .. } => "create_user",
            ProposedChange::UpdateUser { .. } => "update_user",
            ProposedChange::UpdateOrg { .. } => "update_org",
        }
        .into(),
        proposed_by: ch.proposed_by.clone(),
        proposed_at: ch.proposed_at.clone(),
        status: ch.status.code().into(),
        decided_by: ch.decided_by.clone(),
        decided_at: ch.decided_at.clone(),
        note: ch.note.clone(),
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Changes {
    pub changes: Vec<ChangeView>,
}

/// A decided change, and the account it made or changed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Decided {
    pub change: ChangeView,
    pub user_id: Option<i64>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct ChangesQuery {
    #[serde(default)]
    pub pending: bool,
}

/// Proposals: the system administrator follows his, the security administrator decides them.
pub async fn list_changes(
    State(state): State<AppState>,
    Query(q): Query<ChangesQuery>,
) -> ApiResult<Json<Changes>> {
    let list = state.platform.access_changes(q.pending).await?;
    Ok(Json(Changes {
        changes: list.iter().map(change_view).collect(),
    }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct DecisionBody {
    #[serde(default)]
    pub note: String,
}

pub async fn approve_change(
    state: State<AppState>,
    c: Extension<Caller>,
    id: Path<i64>,
    b: Json<DecisionBody>,
) -> ApiResult<Json<Decided>> {
    decide(state, c, id, b, true).await
}

pub async fn reject_change(
    state: State<AppState>,
    c: Extension<Caller>,
    id: Path<i64>,
    b: Json<DecisionBody>,
) -> ApiResult<Json<Decided>> {
    decide(state, c, id, b, false).await
}

async fn decide(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<DecisionBody>,
    approve: bool,
) -> ApiResult<Json<Decided>> {
    let (applied, ch) = state
        .platform
        .decide_change(&c.actor(), &c.user, id, approve, &b.note)
        .await?;
    let user_id = match applied {
        Applied::UserCreated(u) | Applied::UserUpdated(u) => Some(u),
        _ => None,
    };
    Ok(Json(Decided {
        change: change_view(&ch),
        user_id,
    }))
}

// ---- upload rights -----------------------------------------------------------------------

/// Every type's uploader list, with the organisations and kinds to pick from.
/// Who may upload one dataset type.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TypeUploaders {
    #[serde(rename = "type")]
    pub name: String,
    pub label: String,
    pub owner: String,
    /// `org:ID` or `kind:KIND`.
    pub uploaders: Vec<String>,
    /// The uploaders as people read them.
    pub names: String,
}

/// A choice in a picker: its value and what a person reads.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UploadRights {
    pub types: Vec<TypeUploaders>,
    pub kinds: Vec<Choice>,
}

pub async fn list_upload_rights(State(state): State<AppState>) -> ApiResult<Json<UploadRights>> {
    let rights = state.platform.upload_rights().await?;
    let orgs = state.platform.org_tree().await?;
    let types = state
        .platform
        .dataset_types()
        .await?
        .iter()
        .map(|t| {
            let uploaders = rights.get(&t.name).cloned().unwrap_or_default();
            TypeUploaders {
                name: t.name.clone(),
                label: t.label.clone(),
                owner: t.owner.clone(),
                uploaders: uploaders.iter().map(|u| u.to_string()).collect(),
                names: mingjing_app::uploader_names(&uploaders, &orgs),
            }
        })
        .collect();
    let kinds = mingjing_domain::upload_rights::GRANTABLE_KINDS
        .iter()
        .map(|(k, l)| Choice {
            value: format!("kind:{k}"),
            label: (*l).into(),
        })
        .collect();
    Ok(Json(UploadRights { types, kinds }))
}

/// A type's uploaders as set.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UploadersSet {
    #[serde(rename = "type")]
    pub name: String,
    pub uploaders: Vec<String>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct UploadRightsBody {
    pub uploaders: Vec<String>,
}

pub async fn put_upload_rights(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(name): Path<String>,
    Json(b): Json<UploadRightsBody>,
) -> ApiResult<Json<UploadersSet>> {
    let list = state
        .platform
        .set_upload_rights(&c.actor(), &name, &b.uploaders)
        .await?;
    Ok(Json(UploadersSet {
        name,
        uploaders: list.iter().map(|u| u.to_string()).collect(),
    }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct ResetBody {
    pub password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<ResetBody>,
) -> ApiResult<NoContent> {
    state
        .platform
        .reset_password(&c.actor(), id, b.password)
        .await?;
    Ok(NoContent)
}

// ---- roles and policy --------------------------------------------------------------------

#[derive(Debug, Serialize, JsonSchema)]
pub struct RoleView {
    pub code: String,
    pub name: String,
    pub data_scope: String,
    pub data_scope_label: String,
    /// The administrator kind (`system`, `security`, `audit`) of an administrator's role.
    pub admin: Option<String>,
    pub permissions: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Roles {
    pub roles: Vec<RoleView>,
}

pub async fn list_roles(State(state): State<AppState>) -> ApiResult<Json<Roles>> {
    let roles = state
        .platform
        .roles()
        .await?
        .iter()
        .map(|r| RoleView {
            code: r.code.clone(),
            name: r.name.clone(),
            data_scope: r.scope.code().into(),
            data_scope_label: r.scope.label().into(),
            admin: r.admin.map(|a| AdminKind::code(a).into()),
            permissions: r.permissions.iter().map(|p| p.code().into()).collect(),
        })
        .collect();
    Ok(Json(Roles { roles }))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PermissionView {
    pub code: String,
    pub label: String,
    pub group: mingjing_domain::access::PermissionGroup,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Permissions {
    pub permissions: Vec<PermissionView>,
}

pub async fn list_permissions() -> Json<Permissions> {
    let permissions = Permission::ALL
        .iter()
        .map(|p| PermissionView {
            code: p.code().into(),
            label: p.label().into(),
            group: p.group(),
        })
        .collect();
    Json(Permissions { permissions })
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
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
) -> ApiResult<NoContent> {
    state
        .platform
        .update_role(&c.actor(), &code, &b.name, &b.data_scope, &b.permissions)
        .await?;
    Ok(NoContent)
}

pub async fn get_policy(State(state): State<AppState>) -> ApiResult<Json<SecurityPolicy>> {
    Ok(Json(state.platform.policy().await?))
}

pub async fn put_policy(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(p): Json<SecurityPolicy>,
) -> ApiResult<NoContent> {
    state.platform.set_policy(&c.actor(), &p).await?;
    Ok(NoContent)
}

// ---- sessions and audit -------------------------------------------------------------------

#[derive(Debug, Serialize, JsonSchema)]
pub struct SessionView {
    /// A prefix of the session's hash: administrators never see a token.
    pub id: String,
    pub user_id: i64,
    pub username: Option<String>,
    pub source: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Sessions {
    pub sessions: Vec<SessionView>,
}

pub async fn list_sessions(State(state): State<AppState>) -> ApiResult<Json<Sessions>> {
    let users = state.platform.users().await?;
    let sessions = state
        .platform
        .live_sessions()
        .await?
        .iter()
        .map(|s| SessionView {
            id: s.token_hash.chars().take(24).collect(),
            user_id: s.user_id,
            username: users
                .iter()
                .find(|u| u.id == s.user_id)
                .map(|u| u.username.clone()),
            source: s.source.clone(),
            created_at: s.created_at.clone(),
            last_seen_at: s.last_seen_at.clone(),
            expires_at: s.expires_at.clone(),
        })
        .collect();
    Ok(Json(Sessions { sessions }))
}

pub async fn end_session(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> ApiResult<NoContent> {
    state.platform.end_session(&c.actor(), &id).await?;
    Ok(NoContent)
}

#[derive(serde::Deserialize, Default, schemars::JsonSchema)]
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
) -> ApiResult<Json<AuditRecords>> {
    let records = state
        .platform
        .audit_records(&AuditQuery {
            actor: q.actor,
            action: q.action,
            from: q.from,
            to: q.to,
            before_seq: q.before,
            limit: q.limit.unwrap_or(100).clamp(1, 1000),
        })
        .await?;
    Ok(Json(AuditRecords { records }))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AuditRecords {
    pub records: Vec<mingjing_app::records::AuditRecord>,
}

/// The audit chain checked: intact with its length, or the first record that breaks it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChainCheck {
    pub intact: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad_seq: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

pub async fn verify_audit(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<ChainCheck>> {
    let result = state.platform.verify_audit_log(&c.actor()).await?;
    Ok(Json(match result {
        Ok(n) => ChainCheck {
            intact: true,
            records: Some(n),
            first_bad_seq: None,
            problem: None,
        },
        Err(b) => ChainCheck {
            intact: false,
            records: None,
            first_bad_seq: Some(b.seq),
            problem: Some(b.problem),
        },
    }))
}

// ---- business reads -----------------------------------------------------------------------

/// A dataset type as the standard writes it, with its name (which the standard's file uses
/// as the table's key, not as a field).
#[derive(Debug, Serialize, JsonSchema)]
pub struct TypeView {
    pub name: String,
    pub label: String,
    pub owner: String,
    pub description: String,
    pub key: Vec<String>,
    pub period: bool,
    pub partition: Vec<String>,
    pub fields: Vec<mingjing_domain::standard::Field>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Types {
    pub types: Vec<TypeView>,
}

pub async fn list_types(State(state): State<AppState>) -> ApiResult<Json<Types>> {
    let types = state
        .platform
        .dataset_types()
        .await?
        .into_iter()
        .map(|t| TypeView {
            name: t.name,
            label: t.label,
            owner: t.owner,
            description: t.description,
            key: t.row_key,
            period: t.period,
            partition: t.partition,
            fields: t.fields,
        })
        .collect();
    Ok(Json(Types { types }))
}

#[derive(serde::Deserialize, Default, schemars::JsonSchema)]
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
    /// A whole name, or (for readers of full IDs) a whole ID number or account.
    #[serde(default)]
    pub q: Option<String>,
    /// `priority` (default: what a verification may be expected to recover, highest first)
    /// or `model` (by model, then as raised).
    #[serde(default)]
    #[schemars(extend("enum" = ["priority", "model"]))]
    pub sort: Option<String>,
    #[serde(default)]
    pub offset: Option<usize>,
    #[serde(default)]
    pub limit: Option<usize>,
}

/// An alert as a list or its page shows it (the subject's ID masked by scope).
#[derive(Debug, Serialize, JsonSchema)]
pub struct AlertView {
    pub id: i64,
    pub model: String,
    pub model_version: i64,
    pub subject: String,
    pub program: String,
    pub name: String,
    /// The suspect amount in yuan ("1234.50").
    pub amount: Option<String>,
    pub responsible: String,
    pub town: String,
    pub village: String,
    pub status: String,
    pub raised_at: String,
    pub previous_id: Option<i64>,
    pub evidence_rows: u64,
    /// The loop's stage and its label.
    pub stage: String,
    pub stage_label: Option<String>,
    pub deadline: Option<String>,
    pub overdue: bool,
    pub conclusion: Option<String>,
    pub org_id: Option<i64>,
    /// An open alert's priority: what its verification may be expected to recover, in yuan.
    pub priority: Option<String>,
    /// Why it ranks where it does, one reason each.
    pub priority_reasons: Vec<String>,
}

pub fn alert_view(
    a: &mingjing_app::records::Alert,
    scope: &Scope,
    today: chrono::NaiveDate,
) -> AlertView {
    let stage: Option<mingjing_domain::disposal::Stage> = a.stage.parse().ok();
    AlertView {
        id: a.id,
        model: a.model.clone(),
        model_version: a.model_version,
        subject: scope.id(&a.subject),
        program: a.program.clone(),
        name: a.name.clone(),
        amount: a
            .amount_fen
            .and_then(mingjing_domain::Money::from_fen)
            .map(|m| m.to_string()),
        responsible: a.responsible.clone(),
        town: a.town.clone(),
        village: a.village.clone(),
        status: a.status.clone(),
        raised_at: a.raised_at.clone(),
        previous_id: a.previous_id,
        evidence_rows: a.evidence_rows,
        stage: a.stage.clone(),
        stage_label: stage.map(|s| s.label().to_string()),
        deadline: a.deadline.clone(),
        overdue: stage.is_some_and(|s| mingjing_app::is_overdue(s, a.deadline.as_deref(), today)),
        conclusion: a.conclusion.clone(),
        org_id: a.org_id,
        priority: a
            .priority_fen
            .and_then(mingjing_domain::Money::from_fen)
            .map(|m| m.to_string()),
        priority_reasons: a
            .priority_reasons
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    }
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
        order: match q.sort.as_deref() {
            None | Some("") | Some("priority") => AlertOrder::Priority,
            Some("model") => AlertOrder::Model,
            Some(other) => {
                return Err(bad(format!(
                    "排序方式“{other}”无效，可选 priority 或 model"
                )));
            }
        },
    })
}

/// The alerts the caller sees, filtered like the list, in one Excel sheet. Every value is a
/// text cell, so that nothing in it is ever evaluated as a formula.
pub async fn export_alerts(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(q): Query<AlertParams>,
) -> ApiResult<Download<Xlsx>> {
    let filter = alert_filter(&q)?;
    let scope = crate::scope::of(&state, &c).await?;
    let bytes = state
        .platform
        .export_alerts(&c.actor(), &scope, &filter)
        .await?;
    Ok(crate::uploads::xlsx_download(bytes, "预警清单.xlsx"))
}

pub async fn list_alerts(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(q): Query<AlertParams>,
) -> ApiResult<Json<AlertPage>> {
    let filter = alert_filter(&q)?;
    let scope = crate::scope::of(&state, &c).await?;
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let page = state
        .platform
        .list_alerts(&c.actor(), &scope, &filter, offset, limit)
        .await?;
    let today = state.today();
    let alerts = page
        .alerts
        .iter()
        .map(|a| alert_view(a, &scope, today))
        .collect();
    Ok(Json(AlertPage {
        total: page.total as i64,
        alerts,
    }))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AlertPage {
    /// Alerts matching the filter, on every page.
    pub total: i64,
    pub alerts: Vec<AlertView>,
}

/// An evidence table: the rows of one dataset the alert rests on.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EvidenceTable {
    #[serde(flatten)]
    pub table: crate::data::TextTable,
    pub dataset: String,
    pub dataset_label: String,
    pub upload_dir: String,
}

/// An alert, why it fired, and its evidence.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AlertDetail {
    pub alert: AlertView,
    pub explanation: mingjing_app::Explanation,
    pub evidence: Vec<EvidenceTable>,
}

pub async fn get_alert(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<AlertDetail>> {
    let scope = crate::scope::of(&state, &c).await?;
    let detail = state
        .platform
        .view_alert(&c.actor(), &scope, id)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let types = state.platform.dataset_types().await?;
    let mut tables = Vec::new();
    for t in &detail.rows {
        let Some(ty) = types.iter().find(|ty| ty.name == t.dataset) else {
            continue;
        };
        tables.push(EvidenceTable {
            table: crate::data::text_table(ty, &t.rows, &scope),
            dataset: t.dataset.clone(),
            dataset_label: t.dataset_label.clone(),
            upload_dir: t.upload_dir.clone(),
        });
    }
    Ok(Json(AlertDetail {
        alert: alert_view(&detail.alert, &scope, state.today()),
        explanation: detail.explanation,
        evidence: tables,
    }))
}

/// A model's latest run: when, and what it found.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LastRun {
    pub at: String,
    pub hits: i64,
    pub raised: i64,
    pub trigger: String,
}

/// A parameter with its current default, as the model file writes it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ParamView {
    pub name: String,
    pub label: String,
    pub value: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ModelView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub version: i64,
    pub enabled: bool,
    pub builtin: bool,
    pub reads: Vec<String>,
    pub last_run: Option<LastRun>,
    pub params: Vec<ParamView>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Models {
    pub models: Vec<ModelView>,
}

pub async fn list_models(State(state): State<AppState>) -> ApiResult<Json<Models>> {
    let runs = state.platform.runs(200).await?;
    let last = |id: &str| {
        runs.iter().find_map(|r| {
            r.results.iter().find(|x| x.model == id).map(|x| LastRun {
                at: r.finished_at.clone(),
                hits: x.hits as i64,
                raised: x.counts.raised as i64,
                trigger: r.trigger.clone(),
            })
        })
    };
    let models = state
        .platform
        .library()
        .await?
        .iter()
        .map(|m| ModelView {
            id: m.record.id.clone(),
            name: m.spec.name.clone(),
            description: m.spec.description.clone(),
            version: m.record.current_version,
            enabled: m.record.enabled,
            builtin: m.record.builtin,
            reads: m.record.reads.clone(),
            last_run: last(&m.record.id),
            params: m
                .spec
                .params
                .iter()
                .map(|(k, p)| ParamView {
                    name: k.clone(),
                    label: p.label.clone(),
                    value: p.default.to_string(),
                })
                .collect(),
        })
        .collect();
    Ok(Json(Models { models }))
}

#[derive(serde::Deserialize, Default, schemars::JsonSchema)]
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
) -> ApiResult<Json<RunResults>> {
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
    let results = outcomes
        .iter()
        .map(|o| RunResult {
            model: o.model.clone(),
            version: None,
            hits: o.hits as i64,
            raised: o.counts.raised as i64,
            updated: o.counts.updated as i64,
        })
        .collect();
    Ok(Json(RunResults { results }))
}

/// What one model found in a run.
#[derive(Debug, Serialize, JsonSchema)]
pub struct RunResult {
    pub model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    pub hits: i64,
    pub raised: i64,
    pub updated: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RunResults {
    pub results: Vec<RunResult>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RunView {
    pub id: i64,
    pub started_at: String,
    pub finished_at: String,
    pub as_of: String,
    pub trigger: String,
    pub results: Vec<RunResult>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Runs {
    pub runs: Vec<RunView>,
}

pub async fn list_runs(State(state): State<AppState>) -> ApiResult<Json<Runs>> {
    let runs = state
        .platform
        .runs(50)
        .await?
        .iter()
        .map(|r| RunView {
            id: r.id,
            started_at: r.started_at.clone(),
            finished_at: r.finished_at.clone(),
            as_of: r.as_of.clone(),
            trigger: r.trigger.clone(),
            results: r
                .results
                .iter()
                .map(|x| RunResult {
                    model: x.model.clone(),
                    version: Some(x.version),
                    hits: x.hits as i64,
                    raised: x.counts.raised as i64,
                    updated: x.counts.updated as i64,
                })
                .collect(),
        })
        .collect();
    Ok(Json(Runs { runs }))
}
