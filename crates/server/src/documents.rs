//! Handlers of 文件报送 and notices. A document that is not the caller's to see answers
//! `not_found` on every route (absence and refusal look alike) and the attempt is audited.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use mingjing_app::DocumentForm;
use mingjing_domain::access::Permission;
use serde_json::{Value, json};

#[derive(serde::Deserialize)]
pub struct ListQuery {
    /// `received` (default) or `sent`.
    #[serde(default)]
    pub r#box: String,
    #[serde(default)]
    pub q: String,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Value>> {
    let sent = q.r#box == "sent";
    if sent && !c.has(Permission::DocumentsSend) || !sent && !c.has(Permission::DocumentsReceive) {
        return Err(ErrorCode::Forbidden.into());
    }
    let list = state
        .store()
        .documents_for(c.org.id, c.user.id, sent, q.q.trim(), 500)
        .await?;
    let today = state.today();
    let mut out = Vec::new();
    for s in list {
        let mut j = serde_json::to_value(&s.document).expect("serialisable");
        j["recipients"] = json!(s.recipients);
        j["signed"] = json!(s.signed);
        j["replied"] = json!(s.replied);
        if !sent {
            // The caller's own standing on it.
            let (_, recipients, _) = state
                .store()
                .document(s.document.id)
                .await?
                .ok_or(ErrorCode::NotFound)?;
            if let Some(r) = recipients
                .iter()
                .find(|r| r.org_id == c.org.id && r.user_id == c.user.id)
                .or_else(|| {
                    recipients
                        .iter()
                        .find(|r| r.org_id == c.org.id && r.user_id == 0)
                })
            {
                let (status, overdue) = mingjing_app::recipient_status(
                    r,
                    s.document.deadline.as_deref(),
                    s.document.reply_required,
                    today,
                );
                j["status"] = json!(status);
                j["overdue"] = json!(overdue);
            }
        }
        j["body"] = json!(s.document.body.chars().take(80).collect::<String>());
        out.push(j);
    }
    Ok(Json(
        json!({ "documents": out, "secrecy": mingjing_app::SECRECY }),
    ))
}

pub async fn send(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(f): Json<DocumentForm>,
) -> ApiResult<Json<Value>> {
    let (id, number) = state
        .platform
        .send_document(&c.viewer(), &f, state.today(), &c.actor())
        .await?;
    Ok(Json(json!({ "id": id, "number": number })))
}

pub async fn get(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    match state
        .platform
        .view_document(&c.actor(), &c.viewer(), id)
        .await?
    {
        Some(v) => {
            let files: Vec<Value> = v
                .files
                .iter()
                .map(|(of, f)| json!({ "of": of, "id": f.id, "name": f.name, "size": f.size }))
                .collect();
            let mut j = serde_json::to_value(&v).expect("serialisable");
            j["files"] = json!(files);
            j["may_send"] = json!(c.has(Permission::DocumentsSend) && v.is_sender);
            j["may_receive"] = json!(c.has(Permission::DocumentsReceive) && !v.is_sender);
            Ok(Json(j))
        }
        None => Err(ErrorCode::NotFound.into()),
    }
}

pub async fn sign(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    state
        .platform
        .sign_document(&c.viewer(), id, &c.actor())
        .await?;
    Ok(Json(json!({ "ok": true })))
}

#[derive(serde::Deserialize)]
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
) -> ApiResult<Json<Value>> {
    let rid = state
        .platform
        .reply_to_document(&c.viewer(), id, &b.body, &b.files, &c.actor())
        .await?;
    Ok(Json(json!({ "id": rid })))
}

#[derive(serde::Deserialize)]
pub struct CommentBody {
    #[serde(default)]
    pub comment: String,
}

pub async fn return_reply(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path((id, rid)): Path<(i64, i64)>,
    Json(b): Json<CommentBody>,
) -> ApiResult<Json<Value>> {
    state
        .platform
        .return_document_reply(&c.viewer(), id, rid, &b.comment, &c.actor())
        .await?;
    Ok(Json(json!({ "ok": true })))
}

pub async fn remind(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path((id, rid)): Path<(i64, i64)>,
) -> ApiResult<Json<Value>> {
    state
        .platform
        .remind_document(&c.viewer(), id, rid, &c.actor())
        .await?;
    Ok(Json(json!({ "ok": true })))
}

/// Units and accounts a document or notice can go to.
pub async fn addressees(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let orgs = state.store().org_tree().await?;
    let users: Vec<Value> = state
        .store()
        .users()
        .await?
        .iter()
        .filter(|u| u.enabled)
        .map(|u| json!({ "id": u.id, "name": u.display_name, "org_id": u.org_id }))
        .collect();
    let orgs: Vec<Value> = orgs
        .iter()
        .map(|o| json!({ "id": o.id, "name": o.name, "kind": o.kind }))
        .collect();
    Ok(Json(json!({ "orgs": orgs, "users": users })))
}

// ---- notices -------------------------------------------------------------------------------

pub async fn notices(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let list = state.store().notices_for(c.user.id, c.org.id).await?;
    let unread = list.iter().filter(|n| !n.read).count();
    let mine: Vec<Value> = list
        .iter()
        .map(|n| {
            let mut j = serde_json::to_value(n).expect("serialisable");
            // Receipts are the publishing unit's to count.
            if n.author_org_id != c.org.id {
                j["reads"] = Value::Null;
            }
            j
        })
        .collect();
    Ok(Json(json!({ "notices": mine, "unread": unread })))
}

pub async fn publish(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<mingjing_app::NoticeForm>,
) -> ApiResult<Json<Value>> {
    let id = state
        .platform
        .publish_notice(&c.viewer(), &b, &c.actor())
        .await?;
    Ok(Json(json!({ "id": id })))
}

/// A notice the caller may see, or not found.
async fn visible_notice(
    state: &AppState,
    c: &Caller,
    id: i64,
) -> ApiResult<mingjing_store::documents::Notice> {
    let (n, targets) = state.store().notice(id).await?.ok_or(ErrorCode::NotFound)?;
    if n.to_all || n.author_org_id == c.org.id || targets.contains(&c.org.id) {
        Ok(n)
    } else {
        Err(ErrorCode::NotFound.into())
    }
}

pub async fn read_notice(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    visible_notice(&state, &c, id).await?;
    state.store().mark_notice_read(id, c.user.id).await?;
    Ok(Json(json!({ "ok": true })))
}

#[derive(serde::Deserialize)]
pub struct PinBody {
    pub pinned: bool,
}

pub async fn pin(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<PinBody>,
) -> ApiResult<Json<Value>> {
    let n = visible_notice(&state, &c, id).await?;
    if n.author_org_id != c.org.id {
        return Err(ApiError::with(
            ErrorCode::Forbidden,
            "只有发布单位可以置顶或取消置顶",
        ));
    }
    let e = c.audit("notice.pin", format!("notice:{id}"), "ok");
    state.store().pin_notice(id, b.pinned, &e).await?;
    Ok(Json(json!({ "ok": true })))
}

/// Who has read a notice: for the publishing unit only.
pub async fn receipts(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Value>> {
    let n = visible_notice(&state, &c, id).await?;
    if n.author_org_id != c.org.id {
        return Err(ErrorCode::NotFound.into());
    }
    let users = state.store().users().await?;
    let reads: Vec<Value> = state
        .store()
        .notice_readers(id)
        .await?
        .iter()
        .map(|(uid, at)| {
            let name = users
                .iter()
                .find(|u| u.id == *uid)
                .map_or_else(String::new, |u| u.display_name.clone());
            json!({ "user_id": uid, "name": name, "read_at": at })
        })
        .collect();
    Ok(Json(json!({ "reads": reads })))
}

// ---- the reminder centre (信息提醒) ------------------------------------------------------------

/// What the caller must act on, counted, with where to do it; uploads due are the caller's
/// unit's schedules not yet delivered whose day is within three days or past.
pub async fn to_do(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Value>> {
    let mut t = state
        .store()
        .to_do(c.user.id, &c.user.username, c.org.id)
        .await?;
    let may = |p| c.has(p);
    if !may(Permission::AlertsVerify) {
        t.alerts_to_verify = 0;
    }
    if !may(Permission::AlertsReview) {
        t.alerts_to_review = 0;
    }
    if !may(Permission::DocumentsReceive) {
        t.documents_to_sign = 0;
        t.documents_to_reply = 0;
    }
    if !may(Permission::OpinionsReview) {
        t.opinions_to_review = 0;
    }
    if !may(Permission::OpinionsApprove) {
        t.opinions_to_approve = 0;
    }
    let today = state.today();
    let uploads_due = if may(Permission::DataUpload) {
        state
            .platform
            .schedule_status(today)
            .await?
            .iter()
            .filter(|s| {
                s.org_id == c.org.id
                    && s.delivered_at.is_none()
                    && (s.due_date - today).num_days() <= 3
            })
            .count() as i64
    } else {
        0
    };
    let items = [
        (
            "alerts_to_verify",
            "待核查预警",
            t.alerts_to_verify,
            "/alerts?stage=routed",
        ),
        (
            "alerts_to_review",
            "待审核预警",
            t.alerts_to_review,
            "/alerts?stage=pending_review",
        ),
        (
            "documents_to_sign",
            "待签收文件",
            t.documents_to_sign,
            "/documents",
        ),
        (
            "documents_to_reply",
            "待回复文件",
            t.documents_to_reply,
            "/documents",
        ),
        ("uploads_due", "待报送数据", uploads_due, "/data/schedules"),
        (
            "opinions_to_review",
            "待审核廉政意见",
            t.opinions_to_review,
            "/opinions",
        ),
        (
            "opinions_to_approve",
            "待签发廉政意见",
            t.opinions_to_approve,
            "/opinions",
        ),
        ("notices_unread", "未读通知", t.notices_unread, "/notices"),
    ];
    let list: Vec<Value> = items
        .iter()
        .filter(|(_, _, n, _)| *n > 0)
        .map(|(k, label, n, link)| json!({ "kind": k, "label": label, "count": n, "link": link }))
        .collect();
    let total: i64 = items.iter().map(|(_, _, n, _)| n).sum();
    Ok(Json(json!({ "items": list, "total": total })))
}
