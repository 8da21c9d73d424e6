//! 文件报送 and notices: who may see a document (its sending unit, and its recipients — a whole
//! unit or one account — and no one else), what each may do with it, and each recipient's
//! status as the sender sees it. Checks before the store writes; the store's conditional
//! updates keep two clicks from doing a step twice.

use crate::{AppError, Platform};
use chrono::NaiveDate;
use mingjing_domain::access::Permission;
use mingjing_store::StoreError;
use mingjing_store::disposal::FileRecord;
use mingjing_store::documents::{Document, DocumentReply, NewDocument, Notice, Recipient};

/// Secrecy levels this platform carries; 机密 and 绝密 never go over it.
pub const SECRECY: &[&str] = &["非密", "内部", "秘密"];

/// The account acting.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub username: String,
    pub user_id: i64,
    pub org_id: i64,
}

#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
pub struct DocumentForm {
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub secrecy: String,
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub reply_required: bool,
    /// Whole units.
    #[serde(default)]
    pub org_ids: Vec<i64>,
    /// Single accounts.
    #[serde(default)]
    pub user_ids: Vec<i64>,
    #[serde(default)]
    pub files: Vec<i64>,
}

#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
pub struct NoticeForm {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub to_all: bool,
    #[serde(default)]
    pub org_ids: Vec<i64>,
    #[serde(default)]
    pub pinned: bool,
}

/// A recipient as the sender sees it.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct RecipientStatus {
    #[serde(flatten)]
    pub recipient: Recipient,
    /// The unit's name, or "unit · account name" for one account.
    pub name: String,
    /// 已送达, 已签收, 已阅, 已回复, 已退回修改.
    pub status: &'static str,
    pub overdue: bool,
}

/// A document as one viewer may see it.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct DocumentView {
    pub document: Document,
    pub sender_org: String,
    /// The viewer's unit sent it (sees every recipient and reply).
    pub is_sender: bool,
    /// Every recipient for the sender; the viewer's own row for a recipient.
    pub recipients: Vec<RecipientStatus>,
    pub replies: Vec<DocumentReply>,
    /// The document's files, and each visible reply's (keyed `document` / `reply:<id>`).
    pub files: Vec<(String, FileRecord)>,
}

fn invalid(m: impl Into<String>) -> AppError {
    AppError::Store(StoreError::Invalid(m.into()))
}

/// A recipient's standing: the furthest step taken, and whether the deadline passed before
/// the step the document asks for (signing, or replying when a reply is required).
pub fn recipient_status(
    r: &Recipient,
    deadline: Option<&str>,
    reply_required: bool,
    today: NaiveDate,
) -> (&'static str, bool) {
    // Steps in order: delivered, opened, signed for, replied. Signing is the further step,
    // whether or not the document was opened first.
    let status = match (r.reply_state.as_str(), &r.signed_at, &r.read_at) {
        ("replied", ..) => "已回复",
        ("returned", ..) => "已退回修改",
        (_, Some(_), _) => "已签收",
        (_, None, Some(_)) => "已阅",
        _ => "已送达",
    };
    let done = if reply_required {
        r.reply_state == "replied"
    } else {
        r.signed_at.is_some()
    };
    let past = deadline
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .is_some_and(|d| today > d);
    (status, past && !done)
}

impl Platform {
    /// The viewer's recipient row of a document: their own (one account) before their unit's.
    fn recipient_of<'a>(v: &Viewer, recipients: &'a [Recipient]) -> Option<&'a Recipient> {
        recipients
            .iter()
            .find(|r| r.org_id == v.org_id && r.user_id == v.user_id)
            .or_else(|| {
                recipients
                    .iter()
                    .find(|r| r.org_id == v.org_id && r.user_id == 0)
            })
    }

    /// Whether `v` may read a file attached to `object` (`document:<id>`: its sending unit and
    /// its recipients; `document_reply:<id>`: the sending unit and the replying recipient).
    /// Looking changes nothing (no read receipt).
    pub async fn may_read_document_file(&self, v: &Viewer, object: &str) -> Result<bool, AppError> {
        let (doc_id, only) = if let Some(id) = object.strip_prefix("document:") {
            (id.parse::<i64>().ok(), None)
        } else if let Some(id) = object.strip_prefix("document_reply:") {
            match id.parse::<i64>().ok() {
                Some(reply) => match self.meta.reply_recipient(reply).await? {
                    Some(r) => (Some(r.document_id), Some(r)),
                    None => return Ok(false),
                },
                None => return Ok(false),
            }
        } else {
            return Ok(false);
        };
        let found = match doc_id {
            Some(id) => self.meta.document(id).await?,
            None => None,
        };
        let Some((doc, recipients, _)) = found else {
            return Ok(false);
        };
        if doc.sender_org_id == v.org_id {
            return Ok(true);
        }
        Ok(match (only, Self::recipient_of(v, &recipients)) {
            (Some(replier), Some(me)) => replier.id == me.id,
            (None, Some(_)) => true,
            (_, None) => false,
        })
    }

    /// Checks and sends a document from the viewer's unit.
    pub async fn send_document(
        &self,
        v: &Viewer,
        f: &DocumentForm,
        today: NaiveDate,
        actor: &crate::Actor,
    ) -> Result<(i64, String), AppError> {
        let audit = &actor.entry("document.send", "document", "ok");
        let title = f.title.trim();
        if title.is_empty() || title.chars().count() > 100 {
            return Err(invalid("标题须为 1 到 100 字"));
        }
        if f.body.chars().count() > 20_000 {
            return Err(invalid("正文不能超过 20000 字"));
        }
        if !SECRECY.contains(&f.secrecy.as_str()) {
            return Err(invalid(format!(
                "密级须为 {}（机密、绝密文件不得经本系统传递）",
                SECRECY.join("、")
            )));
        }
        let deadline = match f
            .deadline
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            None if f.reply_required => return Err(invalid("要求回复的文件须设定期限")),
            None => None,
            Some(d) => {
                let day = NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| invalid(format!("期限“{d}”不是 YYYY-MM-DD 日期")))?;
                if day < today {
                    return Err(invalid(format!("期限 {day} 已过")));
                }
                Some(day.to_string())
            }
        };
        let orgs = self.meta.org_tree().await?;
        let users = self.meta.users().await?;
        let mut recipients: Vec<(i64, i64)> = Vec::new();
        for id in &f.org_ids {
            if !orgs.iter().any(|o| o.id == *id) {
                return Err(invalid(format!("收件单位 {id} 不存在")));
            }
            recipients.push((*id, 0));
        }
        for id in &f.user_ids {
            let u = users
                .iter()
                .find(|u| u.id == *id && u.enabled)
                .ok_or_else(|| invalid(format!("收件人 {id} 不存在或已停用")))?;
            recipients.push((u.org_id, u.id));
        }
        recipients.sort_unstable();
        recipients.dedup();
        if recipients.is_empty() {
            return Err(invalid("请选择收件单位或收件人"));
        }
        let commission = orgs
            .iter()
            .find(|o| o.kind == "commission")
            .map(|o| o.name.clone())
            .unwrap_or_else(|| "明镜".into());
        let prefix = self
            .meta
            .setting("document_prefix")
            .await?
            .unwrap_or_else(|| format!("{commission}发"));
        let d = NewDocument {
            title: title.to_string(),
            body: f.body.clone(),
            secrecy: f.secrecy.clone(),
            sender: v.username.clone(),
            sender_org_id: v.org_id,
            deadline,
            reply_required: f.reply_required,
            prefix,
            year: chrono::Datelike::year(&today),
        };
        let mut audit = audit.clone();
        audit.detail = format!("{} recipients, {}", recipients.len(), d.secrecy);
        Ok(self
            .meta
            .send_document(&d, &recipients, &f.files, &audit)
            .await?)
    }

    /// [`Platform::document_for`], audited (`document.view`, denied when `v` may not see it).
    pub async fn view_document(
        &self,
        actor: &crate::Actor,
        v: &Viewer,
        id: i64,
    ) -> Result<Option<DocumentView>, AppError> {
        let found = self.document_for(v, id, self.today()).await?;
        let result = if found.is_some() { "ok" } else { "denied" };
        self.meta
            .audit(&actor.entry("document.view", format!("document:{id}"), result))
            .await?;
        Ok(found)
    }

    /// The document as `v` may see it, or `None` when `v` is neither its sending unit nor a
    /// recipient (the caller answers "not found": absence and refusal look alike). A
    /// recipient's first look is its read receipt.
    pub async fn document_for(
        &self,
        v: &Viewer,
        id: i64,
        today: NaiveDate,
    ) -> Result<Option<DocumentView>, AppError> {
        let Some((doc, recipients, replies)) = self.meta.document(id).await? else {
            return Ok(None);
        };
        let is_sender = doc.sender_org_id == v.org_id;
        let mine = Self::recipient_of(v, &recipients).cloned();
        if !is_sender && mine.is_none() {
            return Ok(None);
        }
        let (doc, recipients, replies) = match &mine {
            Some(m) if m.read_at.is_none() => {
                self.meta.mark_document_read(m.id, &v.username).await?;
                // Shown with the receipt just written.
                self.meta
                    .document(id)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("document {id}")))?
            }
            _ => (doc, recipients, replies),
        };
        let orgs = self.meta.org_tree().await?;
        let users = self.meta.users().await?;
        let org_name = |id: i64| {
            orgs.iter()
                .find(|o| o.id == id)
                .map_or_else(|| id.to_string(), |o| o.name.clone())
        };
        let shown: Vec<RecipientStatus> = recipients
            .iter()
            .filter(|r| is_sender || Some(r.id) == mine.as_ref().map(|m| m.id))
            .map(|r| {
                let (status, overdue) =
                    recipient_status(r, doc.deadline.as_deref(), doc.reply_required, today);
                let name = match users.iter().find(|u| u.id == r.user_id) {
                    Some(u) => format!("{} · {}", org_name(r.org_id), u.display_name),
                    None => org_name(r.org_id),
                };
                RecipientStatus {
                    recipient: r.clone(),
                    name,
                    status,
                    overdue,
                }
            })
            .collect();
        let visible: Vec<i64> = shown.iter().map(|r| r.recipient.id).collect();
        let replies: Vec<DocumentReply> = replies
            .into_iter()
            .filter(|p| visible.contains(&p.recipient_id))
            .collect();
        let mut files: Vec<(String, FileRecord)> = self
            .meta
            .files_of(&format!("document:{id}"))
            .await?
            .into_iter()
            .map(|f| ("document".to_string(), f))
            .collect();
        for p in &replies {
            for f in self
                .meta
                .files_of(&format!("document_reply:{}", p.id))
                .await?
            {
                files.push((format!("reply:{}", p.id), f));
            }
        }
        Ok(Some(DocumentView {
            sender_org: org_name(doc.sender_org_id),
            document: doc,
            is_sender,
            recipients: shown,
            replies,
            files,
        }))
    }

    /// The recipient row through which `v` acts on document `id`, or not found.
    async fn acting_recipient(
        &self,
        v: &Viewer,
        id: i64,
    ) -> Result<(Document, Recipient), AppError> {
        let (doc, recipients, _) = self
            .meta
            .document(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("document {id}")))?;
        let r = Self::recipient_of(v, &recipients)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(format!("document {id}")))?;
        Ok((doc, r))
    }

    pub async fn sign_document(
        &self,
        v: &Viewer,
        id: i64,
        actor: &crate::Actor,
    ) -> Result<(), AppError> {
        let audit = &actor.entry("document.sign", format!("document:{id}"), "ok");
        let (_, r) = self.acting_recipient(v, id).await?;
        Ok(self.meta.sign_document(r.id, &v.username, audit).await?)
    }

    pub async fn reply_to_document(
        &self,
        v: &Viewer,
        id: i64,
        body: &str,
        files: &[i64],
        actor: &crate::Actor,
    ) -> Result<i64, AppError> {
        let audit = &actor.entry("document.reply", format!("document:{id}"), "ok");
        let body = body.trim();
        if body.is_empty() || body.chars().count() > 20_000 {
            return Err(invalid("回复内容须为 1 到 20000 字"));
        }
        let (_, r) = self.acting_recipient(v, id).await?;
        Ok(self
            .meta
            .reply_document(r.id, body, files, &v.username, audit)
            .await?)
    }

    /// A recipient of a document the viewer's unit sent, or not found.
    async fn sent_recipient(
        &self,
        v: &Viewer,
        id: i64,
        recipient: i64,
    ) -> Result<(Document, Recipient), AppError> {
        let (doc, recipients, _) = self
            .meta
            .document(id)
            .await?
            .filter(|(d, ..)| d.sender_org_id == v.org_id)
            .ok_or_else(|| StoreError::NotFound(format!("document {id}")))?;
        let r = recipients
            .into_iter()
            .find(|r| r.id == recipient)
            .ok_or_else(|| StoreError::NotFound(format!("recipient {recipient}")))?;
        Ok((doc, r))
    }

    pub async fn return_document_reply(
        &self,
        v: &Viewer,
        id: i64,
        recipient: i64,
        comment: &str,
        actor: &crate::Actor,
    ) -> Result<(), AppError> {
        let mut audit = actor.entry("document.return", format!("document:{id}"), "ok");
        audit.detail = format!("recipient {recipient}");
        let audit = &audit;
        let comment = comment.trim();
        if comment.is_empty() {
            return Err(invalid("退回时须写明修改意见"));
        }
        let (_, r) = self.sent_recipient(v, id, recipient).await?;
        Ok(self
            .meta
            .return_document_reply(r.id, comment, audit)
            .await?)
    }

    /// Reminds a recipient that has not done what the document asks.
    pub async fn remind_document(
        &self,
        v: &Viewer,
        id: i64,
        recipient: i64,
        actor: &crate::Actor,
    ) -> Result<(), AppError> {
        let mut audit = actor.entry("document.remind", format!("document:{id}"), "ok");
        audit.detail = format!("recipient {recipient}");
        let audit = &audit;
        let (doc, r) = self.sent_recipient(v, id, recipient).await?;
        let done = if doc.reply_required {
            r.reply_state == "replied"
        } else {
            r.signed_at.is_some()
        };
        if done {
            return Err(invalid("该收件方已办结，无需催办"));
        }
        let message = format!(
            "催办：{}《{}》{}",
            doc.number,
            doc.title,
            doc.deadline
                .as_deref()
                .map(|d| format!("，期限 {d}"))
                .unwrap_or_default()
        );
        Ok(self.meta.remind_document(&r, &message, audit).await?)
    }

    /// Publishes a notice to all or to chosen units.
    pub async fn publish_notice(
        &self,
        v: &Viewer,
        f: &NoticeForm,
        actor: &crate::Actor,
    ) -> Result<i64, AppError> {
        let audit = &actor.entry("notice.publish", "notice", "ok");
        let NoticeForm {
            title,
            body,
            to_all,
            org_ids,
            pinned,
        } = f;
        let (to_all, pinned) = (*to_all, *pinned);
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 100 {
            return Err(invalid("标题须为 1 到 100 字"));
        }
        if body.trim().is_empty() || body.chars().count() > 20_000 {
            return Err(invalid("内容须为 1 到 20000 字"));
        }
        if !to_all && org_ids.is_empty() {
            return Err(invalid("请选择通知范围"));
        }
        let orgs = self.meta.org_tree().await?;
        if let Some(bad) = org_ids.iter().find(|id| !orgs.iter().any(|o| o.id == **id)) {
            return Err(invalid(format!("单位 {bad} 不存在")));
        }
        let n = Notice {
            id: 0,
            title: title.into(),
            body: body.into(),
            pinned,
            to_all,
            author: v.username.clone(),
            author_org_id: v.org_id,
            published_at: String::new(),
            read: false,
            reads: 0,
        };
        Ok(self
            .meta
            .publish_notice(&n, if to_all { &[] } else { org_ids }, audit)
            .await?)
    }

    /// A notice `v` may see (to all, to its unit, or its unit's own), or not found.
    pub async fn visible_notice(&self, v: &Viewer, id: i64) -> Result<Notice, AppError> {
        match self.meta.notice(id).await? {
            Some((n, targets))
                if n.to_all || n.author_org_id == v.org_id || targets.contains(&v.org_id) =>
            {
                Ok(n)
            }
            _ => Err(AppError::NotFound(format!("通知 {id} 不存在"))),
        }
    }

    /// The notices `v` sees, pinned first, with whether `v` read each; the read counts only
    /// for the publishing unit's own. And how many `v` has not read.
    pub async fn notices_for(&self, v: &Viewer) -> Result<(Vec<NoticeSeen>, i64), AppError> {
        let list = self.meta.notices_for(v.user_id, v.org_id).await?;
        let unread = list.iter().filter(|n| !n.read).count() as i64;
        let seen = list
            .into_iter()
            .map(|n| NoticeSeen {
                reads: (n.author_org_id == v.org_id).then_some(n.reads),
                id: n.id,
                title: n.title,
                body: n.body,
                pinned: n.pinned,
                to_all: n.to_all,
                author: n.author,
                author_org_id: n.author_org_id,
                published_at: n.published_at,
                read: n.read,
            })
            .collect();
        Ok((seen, unread))
    }

    /// `v` has read a notice it may see.
    pub async fn read_notice(&self, v: &Viewer, id: i64) -> Result<(), AppError> {
        self.visible_notice(v, id).await?;
        self.meta.mark_notice_read(id, v.user_id).await?;
        Ok(())
    }

    /// Pins or unpins a notice of `v`'s unit. Audited (`notice.pin`).
    pub async fn pin_notice(
        &self,
        actor: &crate::Actor,
        v: &Viewer,
        id: i64,
        pinned: bool,
    ) -> Result<(), AppError> {
        let n = self.visible_notice(v, id).await?;
        if n.author_org_id != v.org_id {
            return Err(AppError::NotPermitted(
                "只有发布单位可以置顶或取消置顶".into(),
            ));
        }
        let audit = actor.entry("notice.pin", format!("notice:{id}"), "ok");
        self.meta.pin_notice(id, pinned, &audit).await?;
        Ok(())
    }

    /// Who has read a notice of `v`'s unit, and when (others' notices look absent).
    pub async fn notice_receipts(
        &self,
        v: &Viewer,
        id: i64,
    ) -> Result<Vec<NoticeReceipt>, AppError> {
        let n = self.visible_notice(v, id).await?;
        if n.author_org_id != v.org_id {
            return Err(AppError::NotFound(format!("通知 {id} 不存在")));
        }
        let users = self.meta.users().await?;
        Ok(self
            .meta
            .notice_readers(id)
            .await?
            .into_iter()
            .map(|(uid, at)| NoticeReceipt {
                name: users
                    .iter()
                    .find(|u| u.id == uid)
                    .map_or_else(String::new, |u| u.display_name.clone()),
                user_id: uid,
                read_at: at,
            })
            .collect())
    }
}

/// A notice as one viewer sees it: `reads` only on the publishing unit's own.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct NoticeSeen {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub pinned: bool,
    pub to_all: bool,
    pub author: String,
    pub author_org_id: i64,
    pub published_at: String,
    /// Whether the viewer has read it.
    pub read: bool,
    /// How many have read it (the publishing unit's own notices only).
    pub reads: Option<i64>,
}

/// Who read a notice, and when.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct NoticeReceipt {
    pub user_id: i64,
    pub name: String,
    pub read_at: String,
}

/// A document in a list: the start of its body, its recipients counted and, for a
/// recipient, its own standing.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct DocumentRow {
    #[serde(flatten)]
    pub document: Document,
    pub recipients: i64,
    pub signed: i64,
    pub replied: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
}

/// One kind of thing to do, counted, with the page where it is done.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct ToDoItem {
    pub kind: String,
    pub label: String,
    pub count: i64,
    pub link: String,
}

/// How much of a document's body a list shows.
const BODY_PREVIEW_CHARS: usize = 80;

impl Platform {
    /// The documents `v`'s unit sent (`sent`), or those it received with its own standing on
    /// each, searched by `q`; the newest 500.
    pub async fn documents_listed(
        &self,
        v: &Viewer,
        sent: bool,
        q: &str,
        today: NaiveDate,
    ) -> Result<Vec<DocumentRow>, AppError> {
        let list = self
            .meta
            .documents_for(v.org_id, v.user_id, sent, q.trim(), 500)
            .await?;
        let mut out = Vec::with_capacity(list.len());
        for s in list {
            let mut row = DocumentRow {
                recipients: s.recipients,
                signed: s.signed,
                replied: s.replied,
                status: None,
                overdue: None,
                document: s.document,
            };
            if !sent
                && let Some((_, recipients, _)) = self.meta.document(row.document.id).await?
                && let Some(r) = Self::recipient_of(v, &recipients)
            {
                let (status, overdue) = recipient_status(
                    r,
                    row.document.deadline.as_deref(),
                    row.document.reply_required,
                    today,
                );
                row.status = Some(status.to_string());
                row.overdue = Some(overdue);
            }
            row.document.body = row.document.body.chars().take(BODY_PREVIEW_CHARS).collect();
            out.push(row);
        }
        Ok(out)
    }

    /// What `v` must act on, counted, with where to do it (only what its permissions, as
    /// `has` says, let it do); uploads due are its unit's schedules not yet delivered whose
    /// day is within three days or past. And the total.
    pub async fn reminders(
        &self,
        v: &Viewer,
        has: impl Fn(Permission) -> bool,
        today: NaiveDate,
    ) -> Result<(Vec<ToDoItem>, i64), AppError> {
        let mut t = self.meta.to_do(v.user_id, &v.username, v.org_id).await?;
        if !has(Permission::AlertsVerify) {
            t.alerts_to_verify = 0;
        }
        if !has(Permission::AlertsReview) {
            t.alerts_to_review = 0;
        }
        if !has(Permission::DocumentsReceive) {
            t.documents_to_sign = 0;
            t.documents_to_reply = 0;
        }
        if !has(Permission::OpinionsReview) {
            t.opinions_to_review = 0;
        }
        if !has(Permission::OpinionsApprove) {
            t.opinions_to_approve = 0;
        }
        let uploads_due = if has(Permission::DataUpload) {
            self.schedule_status(today)
                .await?
                .iter()
                .filter(|s| {
                    s.org_id == v.org_id
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
        let list = items
            .iter()
            .filter(|(_, _, n, _)| *n > 0)
            .map(|(k, label, n, link)| ToDoItem {
                kind: k.to_string(),
                label: label.to_string(),
                count: *n,
                link: link.to_string(),
            })
            .collect();
        let total: i64 = items.iter().map(|(_, _, n, _)| n).sum();
        Ok((list, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(signed: bool, read: bool, reply: &str) -> Recipient {
        Recipient {
            id: 1,
            document_id: 1,
            org_id: 1,
            user_id: 0,
            signed_by: signed.then(|| "a".into()),
            signed_at: signed.then(|| "2026-11-01T00:00:00Z".into()),
            read_by: read.then(|| "a".into()),
            read_at: read.then(|| "2026-11-01T00:00:00Z".into()),
            reply_state: reply.into(),
            reminded_at: None,
        }
    }

    /// A document opened and then signed for showed 已阅 to its sender, the same as one only
    /// opened: the sender could not tell who had signed.
    #[test]
    fn regression_a_signed_document_showed_only_as_read() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let status =
            |signed, read, reply| recipient_status(&r(signed, read, reply), None, true, day).0;
        assert_eq!(status(false, false, "none"), "已送达");
        assert_eq!(status(false, true, "none"), "已阅");
        assert_eq!(status(true, true, "none"), "已签收");
        assert_eq!(status(true, false, "none"), "已签收");
        assert_eq!(status(true, true, "replied"), "已回复");
        assert_eq!(status(true, true, "returned"), "已退回修改");
    }

    #[test]
    fn overdue_means_the_asked_step_is_missing_after_the_deadline() {
        let day = |d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let dl = Some("2026-11-20");
        assert_eq!(
            recipient_status(&r(false, false, "none"), dl, false, day("2026-11-20")),
            ("已送达", false),
            "on the day"
        );
        assert_eq!(
            recipient_status(&r(false, false, "none"), dl, false, day("2026-11-21")),
            ("已送达", true)
        );
        assert_eq!(
            recipient_status(&r(true, true, "none"), dl, false, day("2026-11-21")),
            ("已签收", false),
            "signed is enough"
        );
        assert_eq!(
            recipient_status(&r(true, true, "none"), dl, true, day("2026-11-21")),
            ("已签收", true),
            "a reply was asked"
        );
        assert_eq!(
            recipient_status(&r(true, true, "returned"), dl, true, day("2026-11-21")),
            ("已退回修改", true)
        );
        assert_eq!(
            recipient_status(&r(true, true, "replied"), dl, true, day("2026-12-01")),
            ("已回复", false)
        );
        assert_eq!(
            recipient_status(&r(false, false, "none"), None, true, day("2030-01-01")),
            ("已送达", false)
        );
    }
}
