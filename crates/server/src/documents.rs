//! Handlers of 文件报送 and notices. A document that is not the caller's to see answers
//! `not_found` on every route (absence and refusal look alike) and the attempt is audited.

use crate::AppState;
use crate::contract::{Done, NewId};
use crate::error::{ApiResult, ErrorCode};
use crate::guard::Caller;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use mingjing_app::DocumentForm;
use mingjing_domain::access::Permission;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct ListQuery {
    /// `received` (default) or `sent`.
    #[serde(default)]
    #[schemars(extend("enum" = ["received", "sent"]))]
    pub r#box: String,
    #[serde(default)]
    pub q: String,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<DocumentList>> {
    let sent = q.r#box == "sent";
    if sent && !c.has(Permission::DocumentsSend) || !sent && !c.has(Permission::DocumentsReceive) {
        return Err(ErrorCode::Forbidden.into());
    }
    let out = state
        .platform
        .documents_listed(&c.viewer(), sent, &q.q, state.today())
        .await?;
    Ok(Json(DocumentList {
        documents: out,
        secrecy: mingjing_app::SECRECY
            .iter()
            .map(|s| s.to_string())
            .collect(),
    }))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct DocumentList {
    pub documents: Vec<mingjing_app::DocumentRow>,
    /// The secrecy levels a document may carry.
    pub secrecy: Vec<String>,
}

/// A sent document's id and number.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Sent {
    pub id: i64,
    pub number: String,
}

/// A file of a document or of one of its replies (`of`: `document` or `reply:<id>`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct DocumentFile {
    pub of: String,
    pub id: i64,
    pub name: String,
    pub size: i64,
}

/// A document as the caller may see it, and what the caller may do with it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DocumentPage {
    pub document: mingjing_app::records::Document,
    pub sender_org: String,
    pub is_sender: bool,
    pub recipients: Vec<mingjing_app::RecipientStatus>,
    pub replies: Vec<mingjing_app::records::DocumentReply>,
    pub files: Vec<DocumentFile>,
    pub may_send: bool,
    pub may_receive: bool,
}

pub async fn send(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(f): Json<DocumentForm>,
) -> ApiResult<Json<Sent>> {
    let (id, number) = state
        .platform
        .send_document(&c.viewer(), &f, state.today(), &c.actor())
        .await?;
    Ok(Json(Sent { id, number }))
}

pub async fn get(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<DocumentPage>> {
    match state
        .platform
        .view_document(&c.actor(), &c.viewer(), id)
        .await?
    {
        Some(v) => Ok(Json(DocumentPage {
            files: v
                .files
                .iter()
                .map(|(of, f)| DocumentFile {
                    of: of.clone(),
                    id: f.id,
                    name: f.name.clone(),
                    size: f.size,
                })
                .collect(),
            may_send: c.has(Permission::DocumentsSend) && v.is_sender,
            may_receive: c.has(Permission::DocumentsReceive) && !v.is_sender,
            document: v.document,
            sender_org: v.sender_org,
            is_sender: v.is_sender,
            recipients: v.recipients,
            replies: v.replies,
        })),
        None => Err(ErrorCode::NotFound.into()),
    }
}

pub async fn sign(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Done>> {
    state
        .platform
        .sign_document(&c.viewer(), id, &c.actor())
        .await?;
    Ok(Done::json())
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct ReplyBody {
    pub body: String,
    #[serde(default)]
    pub files: Vec<i64>,
}

pub async fn reply(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<ReplyBody>,
) -> ApiResult<Json<NewId>> {
    let rid = state
        .platform
        .reply_to_document(&c.viewer(), id, &b.body, &b.files, &c.actor())
        .await?;
    Ok(Json(NewId { id: rid }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct CommentBody {
    #[serde(default)]
    pub comment: String,
}

pub async fn return_reply(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path((id, rid)): Path<(i64, i64)>,
    Json(b): Json<CommentBody>,
) -> ApiResult<Json<Done>> {
    state
        .platform
        .return_document_reply(&c.viewer(), id, rid, &b.comment, &c.actor())
        .await?;
    Ok(Done::json())
}

pub async fn remind(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path((id, rid)): Path<(i64, i64)>,
) -> ApiResult<Json<Done>> {
    state
        .platform
        .remind_document(&c.viewer(), id, rid, &c.actor())
        .await?;
    Ok(Done::json())
}

/// Units and accounts a document or notice can go to.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AddresseeUser {
    pub id: i64,
    pub name: String,
    pub org_id: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AddresseeOrg {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Addressees {
    pub orgs: Vec<AddresseeOrg>,
    pub users: Vec<AddresseeUser>,
}

pub async fn addressees(State(state): State<AppState>) -> ApiResult<Json<Addressees>> {
    let orgs = state.platform.org_tree().await?;
    let users = state
        .platform
        .users()
        .await?
        .into_iter()
        .filter(|u| u.enabled)
        .map(|u| AddresseeUser {
            id: u.id,
            name: u.display_name,
            org_id: u.org_id,
        })
        .collect();
    let orgs = orgs
        .into_iter()
        .map(|o| AddresseeOrg {
            id: o.id,
            name: o.name,
            kind: o.kind,
        })
        .collect();
    Ok(Json(Addressees { orgs, users }))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Notices {
    pub notices: Vec<mingjing_app::NoticeSeen>,
    pub unread: i64,
}

// ---- notices -------------------------------------------------------------------------------

pub async fn notices(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Notices>> {
    let (notices, unread) = state.platform.notices_for(&c.viewer()).await?;
    Ok(Json(Notices { notices, unread }))
}

pub async fn publish(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<mingjing_app::NoticeForm>,
) -> ApiResult<Json<NewId>> {
    let id = state
        .platform
        .publish_notice(&c.viewer(), &b, &c.actor())
        .await?;
    Ok(Json(NewId { id }))
}

pub async fn read_notice(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Done>> {
    state.platform.read_notice(&c.viewer(), id).await?;
    Ok(Done::json())
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct PinBody {
    pub pinned: bool,
}

pub async fn pin(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<PinBody>,
) -> ApiResult<Json<Done>> {
    state
        .platform
        .pin_notice(&c.actor(), &c.viewer(), id, b.pinned)
        .await?;
    Ok(Done::json())
}

/// Who has read a notice: for the publishing unit only.
pub async fn receipts(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Receipts>> {
    let reads = state.platform.notice_receipts(&c.viewer(), id).await?;
    Ok(Json(Receipts { reads }))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Receipts {
    pub reads: Vec<mingjing_app::NoticeReceipt>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ToDo {
    pub items: Vec<mingjing_app::ToDoItem>,
    pub total: i64,
}

// ---- the reminder centre (信息提醒) ------------------------------------------------------------

/// What the caller must act on, counted, with where to do it; uploads due are the caller's
/// unit's schedules not yet delivered whose day is within three days or past.
pub async fn to_do(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<ToDo>> {
    let (items, total) = state
        .platform
        .reminders(&c.viewer(), |p| c.has(p), state.today())
        .await?;
    Ok(Json(ToDo { items, total }))
}
