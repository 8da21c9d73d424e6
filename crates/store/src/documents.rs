//! 文件报送: documents numbered per year when sent to units or accounts; each recipient signs,
//! reads and replies; the sender returns a reply for revision or reminds. Notices go to all or
//! to chosen units with read receipts. Who may see what is decided above this layer; every
//! change is written with its audit record.

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::meta::{Result, SqlStore};
use crate::texts::Texts;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Document {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub body: String,
    pub secrecy: String,
    pub sender: String,
    pub sender_org_id: i64,
    pub deadline: Option<String>,
    pub reply_required: bool,
    pub sent_at: String,
}

/// What a sender writes; the number is given when it is sent.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub title: String,
    pub body: String,
    pub secrecy: String,
    pub sender: String,
    pub sender_org_id: i64,
    pub deadline: Option<String>,
    pub reply_required: bool,
    /// Prefix of the number: "明镜发" gives 明镜发〔2026〕7号.
    pub prefix: String,
    pub year: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Recipient {
    pub id: i64,
    pub document_id: i64,
    pub org_id: i64,
    /// 0: the whole unit.
    pub user_id: i64,
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
    pub read_by: Option<String>,
    pub read_at: Option<String>,
    /// `none`, `replied` or `returned`.
    pub reply_state: String,
    pub reminded_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct DocumentReply {
    pub id: i64,
    pub recipient_id: i64,
    pub body: String,
    pub replied_by: String,
    pub replied_at: String,
    pub returned_comment: Option<String>,
    pub returned_at: Option<String>,
}

/// A document as a list shows it, with the viewer's recipient row when it was sent to them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct DocumentSummary {
    pub document: Document,
    /// Recipients in all, and how many have signed and replied.
    pub recipients: i64,
    pub signed: i64,
    pub replied: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Notice {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub pinned: bool,
    pub to_all: bool,
    pub author: String,
    pub author_org_id: i64,
    pub published_at: String,
    /// Whether the viewer has read it (lists), or how many have (the author's view).
    pub read: bool,
    pub reads: i64,
}

/// `SELECT` of a document's columns followed by the given clauses (sqlx takes literal SQL).
macro_rules! select_documents {
    ($rest:literal) => {
        concat!(
            "SELECT d.id, d.number, d.title, d.body, d.secrecy, d.sender, d.sender_org_id, \
             d.deadline, d.reply_required, d.sent_at, \
             (SELECT COUNT(*) FROM document_recipients r WHERE r.document_id = d.id) AS n, \
             (SELECT COUNT(*) FROM document_recipients r WHERE r.document_id = d.id AND r.signed_at IS NOT NULL) AS signed, \
             (SELECT COUNT(*) FROM document_recipients r WHERE r.document_id = d.id AND r.reply_state = 'replied') AS replied \
             FROM documents d ",
            $rest
        )
    };
}

fn decode_document(texts: &Texts, r: &sqlx::any::AnyRow) -> Result<Document> {
    Ok(Document {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        title: texts.get(r, "documents", "title")?,
        body: texts.get(r, "documents", "body")?,
        secrecy: r.try_get("secrecy")?,
        sender: r.try_get("sender")?,
        sender_org_id: r.try_get("sender_org_id")?,
        deadline: r.try_get("deadline")?,
        reply_required: r.try_get::<i64, _>("reply_required")? != 0,
        sent_at: r.try_get("sent_at")?,
    })
}

fn decode_recipient(r: &sqlx::any::AnyRow) -> Result<Recipient> {
    Ok(Recipient {
        id: r.try_get("id")?,
        document_id: r.try_get("document_id")?,
        org_id: r.try_get("org_id")?,
        user_id: r.try_get("user_id")?,
        signed_by: r.try_get("signed_by")?,
        signed_at: r.try_get("signed_at")?,
        read_by: r.try_get("read_by")?,
        read_at: r.try_get("read_at")?,
        reply_state: r.try_get("reply_state")?,
        reminded_at: r.try_get("reminded_at")?,
    })
}

/// A notice's own columns; `read` and `reads` are the query's to fill.
fn decode_notice(texts: &Texts, r: &sqlx::any::AnyRow) -> Result<Notice> {
    Ok(Notice {
        id: r.try_get("id")?,
        title: texts.get(r, "notices", "title")?,
        body: texts.get(r, "notices", "body")?,
        pinned: r.try_get::<i64, _>("pinned")? != 0,
        to_all: r.try_get::<i64, _>("to_all")? != 0,
        author: r.try_get("author")?,
        author_org_id: r.try_get("author_org_id")?,
        published_at: r.try_get("published_at")?,
        read: false,
        reads: 0,
    })
}

impl SqlStore {
    /// Numbers and sends a document to its recipients (units as `(org, 0)`, accounts as
    /// `(their org, user id)`), with its attachments, in one transaction.
    pub async fn send_document(
        &self,
        d: &NewDocument,
        recipients: &[(i64, i64)],
        files: &[i64],
        audit: &AuditEntry,
    ) -> Result<(i64, String)> {
        let now = self.now_text();
        let texts = self.texts()?;
        let mut audit = audit.clone();
        let out = audited!(self, [&audit], |tx| {
            let seq: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM documents WHERE year = $1",
            )
            .bind(d.year as i64)
            .fetch_one(&mut *tx)
            .await?;
            let number = format!("{}〔{}〕{}号", d.prefix, d.year, seq);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO documents (number, year, seq, title, body, secrecy, sender, sender_org_id, \
                 deadline, reply_required, sent_at) VALUES ($1, $2, $3, '', '', $4, $5, $6, $7, $8, $9) \
                 RETURNING id",
            )
            .bind(&number)
            .bind(d.year as i64)
            .bind(seq)
            .bind(&d.secrecy)
            .bind(&d.sender)
            .bind(d.sender_org_id)
            .bind(&d.deadline)
            .bind(d.reply_required as i64)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            texts
                .write(
                    &mut tx,
                    "documents",
                    id,
                    &[("title", &d.title), ("body", &d.body)],
                )
                .await?;
            for (org, user) in recipients {
                sqlx::query(
                    "INSERT INTO document_recipients (document_id, org_id, user_id) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(org)
                .bind(user)
                .execute(&mut *tx)
                .await?;
            }
            crate::disposal::link_files(&mut tx, files, &format!("document:{id}"), &d.sender)
                .await?;
            audit.object = format!("document:{id}");
            (id, number)
        });
        Ok(out)
    }

    pub async fn document(
        &self,
        id: i64,
    ) -> Result<Option<(Document, Vec<Recipient>, Vec<DocumentReply>)>> {
        let Some(r) = sqlx::query(select_documents!("WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let texts = self.texts()?;
        let doc = decode_document(&texts, &r)?;
        let recipients = sqlx::query(
            "SELECT id, document_id, org_id, user_id, signed_by, signed_at, read_by, read_at, \
             reply_state, reminded_at FROM document_recipients WHERE document_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(decode_recipient)
        .collect::<Result<Vec<_>>>()?;
        let replies = sqlx::query(
            "SELECT p.id, p.recipient_id, p.body, p.replied_by, p.replied_at, p.returned_comment, \
             p.returned_at FROM document_replies p JOIN document_recipients r ON r.id = p.recipient_id \
             WHERE r.document_id = $1 ORDER BY p.id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(DocumentReply {
                id: r.try_get("id")?,
                recipient_id: r.try_get("recipient_id")?,
                body: texts.get(r, "document_replies", "body")?,
                replied_by: r.try_get("replied_by")?,
                replied_at: r.try_get("replied_at")?,
                returned_comment: texts.get_opt(r, "document_replies", "returned_comment")?,
                returned_at: r.try_get("returned_at")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Some((doc, recipients, replies)))
    }

    /// Documents sent by `org_id` (`sent`), or sent to it or to `user_id` (received), newest
    /// first, whose number, title or body contains `q` (titles and bodies are sealed, so a
    /// search opens the unit's documents one by one).
    pub async fn documents_for(
        &self,
        org_id: i64,
        user_id: i64,
        sent: bool,
        q: &str,
        limit: i64,
    ) -> Result<Vec<DocumentSummary>> {
        let texts = self.texts()?;
        // Without a search the database cuts the list; with one, the opened texts decide.
        let cut = if q.is_empty() { limit } else { i64::MAX };
        let rows = if sent {
            sqlx::query(select_documents!(
                "WHERE d.sender_org_id = $1 ORDER BY d.id DESC LIMIT $2"
            ))
            .bind(org_id)
            .bind(cut)
            .fetch_all(self.pool())
            .await?
        } else {
            sqlx::query(select_documents!(
                "WHERE EXISTS (SELECT 1 FROM document_recipients x WHERE x.document_id = d.id \
                 AND x.org_id = $1 AND x.user_id IN (0, $2)) \
                 ORDER BY d.id DESC LIMIT $3"
            ))
            .bind(org_id)
            .bind(user_id)
            .bind(cut)
            .fetch_all(self.pool())
            .await?
        };
        let q = q.to_lowercase();
        let mut out = Vec::new();
        for r in &rows {
            let document = decode_document(&texts, r)?;
            let found = [&document.number, &document.title, &document.body]
                .iter()
                .any(|t| t.to_lowercase().contains(&q));
            if !found {
                continue;
            }
            out.push(DocumentSummary {
                document,
                recipients: r.try_get("n")?,
                signed: r.try_get("signed")?,
                replied: r.try_get("replied")?,
            });
            if out.len() as i64 >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// The recipient who sent reply `reply`.
    pub async fn reply_recipient(&self, reply: i64) -> Result<Option<Recipient>> {
        sqlx::query(
            "SELECT r.id, r.document_id, r.org_id, r.user_id, r.signed_by, r.signed_at, r.read_by, \
             r.read_at, r.reply_state, r.reminded_at FROM document_recipients r \
             JOIN document_replies p ON p.recipient_id = r.id WHERE p.id = $1",
        )
        .bind(reply)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(decode_recipient)
        .transpose()
    }

    /// Signs for a document (签收) on the recipient's behalf; signing twice is refused.
    pub async fn sign_document(&self, recipient: i64, by: &str, audit: &AuditEntry) -> Result<()> {
        let now = self.now_text();
        audited!(self, [audit], |tx| {
            let n = sqlx::query(
                "UPDATE document_recipients SET signed_by = $1, signed_at = $2 \
                 WHERE id = $3 AND signed_at IS NULL",
            )
            .bind(by)
            .bind(&now)
            .bind(recipient)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("已签收".into()));
            }
        });
        Ok(())
    }

    /// Records the recipient's first reading (later readings change nothing).
    pub async fn mark_document_read(&self, recipient: i64, by: &str) -> Result<()> {
        sqlx::query(
            "UPDATE document_recipients SET read_by = $1, read_at = $2 WHERE id = $3 AND read_at IS NULL",
        )
        .bind(by)
        .bind(self.now_text())
        .bind(recipient)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A recipient's reply with its attachments. Refused before signing, and while an earlier
    /// reply stands (only a returned one can be replaced).
    pub async fn reply_document(
        &self,
        recipient: i64,
        body: &str,
        files: &[i64],
        by: &str,
        audit: &AuditEntry,
    ) -> Result<i64> {
        let now = self.now_text();
        let texts = self.texts()?;
        let id = audited!(self, [audit], |tx| {
            let n = sqlx::query(
                "UPDATE document_recipients SET reply_state = 'replied' \
                 WHERE id = $1 AND signed_at IS NOT NULL AND reply_state IN ('none', 'returned')",
            )
            .bind(recipient)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(
                    "须先签收；已回复的不能重复回复（被退回后可重新回复）".into(),
                ));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO document_replies (recipient_id, body, replied_by, replied_at) \
                 VALUES ($1, '', $2, $3) RETURNING id",
            )
            .bind(recipient)
            .bind(by)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            texts
                .write(&mut tx, "document_replies", id, &[("body", body)])
                .await?;
            crate::disposal::link_files(&mut tx, files, &format!("document_reply:{id}"), by)
                .await?;
            id
        });
        Ok(id)
    }

    /// The sender returns the recipient's standing reply for revision, with comments.
    pub async fn return_document_reply(
        &self,
        recipient: i64,
        comment: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let now = self.now_text();
        let texts = self.texts()?;
        audited!(self, [audit], |tx| {
            let n = sqlx::query(
                "UPDATE document_recipients SET reply_state = 'returned' WHERE id = $1 AND reply_state = 'replied'",
            )
            .bind(recipient)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("没有可退回的回复".into()));
            }
            let reply: i64 =
                sqlx::query_scalar("SELECT MAX(id) FROM document_replies WHERE recipient_id = $1")
                    .bind(recipient)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query("UPDATE document_replies SET returned_at = $1 WHERE id = $2")
                .bind(&now)
                .bind(reply)
                .execute(&mut *tx)
                .await?;
            texts
                .write(
                    &mut tx,
                    "document_replies",
                    reply,
                    &[("returned_comment", comment)],
                )
                .await?;
        });
        Ok(())
    }

    /// Notes a reminder to a recipient and leaves it in their reminder centre.
    pub async fn remind_document(
        &self,
        recipient: &Recipient,
        message: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let now = self.now_text();
        let texts = self.texts()?;
        audited!(self, [audit], |tx| {
            sqlx::query("UPDATE document_recipients SET reminded_at = $1 WHERE id = $2")
                .bind(&now)
                .bind(recipient.id)
                .execute(&mut *tx)
                .await?;
            crate::disposal::notify(
                &mut tx,
                &texts,
                &crate::disposal::NewNotification {
                    org_id: Some(recipient.org_id),
                    permission: String::new(),
                    kind: "document_reminder".into(),
                    object: format!("document:{}", recipient.document_id),
                    message: message.into(),
                    dedup: None,
                },
                &now,
            )
            .await?;
        });
        Ok(())
    }

    // ---- notices ---------------------------------------------------------------------

    pub async fn publish_notice(
        &self,
        n: &Notice,
        targets: &[i64],
        audit: &AuditEntry,
    ) -> Result<i64> {
        let now = self.now_text();
        let texts = self.texts()?;
        let id = audited!(self, [audit], |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO notices (title, body, pinned, to_all, author, author_org_id, published_at) \
                 VALUES ('', '', $1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(n.pinned as i64)
            .bind(n.to_all as i64)
            .bind(&n.author)
            .bind(n.author_org_id)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            texts
                .write(
                    &mut tx,
                    "notices",
                    id,
                    &[("title", &n.title), ("body", &n.body)],
                )
                .await?;
            for t in targets {
                sqlx::query("INSERT INTO notice_targets (notice_id, org_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(t)
                    .execute(&mut *tx)
                    .await?;
            }
            id
        });
        Ok(id)
    }

    /// Notices for a user of `org_id` (to all, to the unit, or the unit's own), pinned first,
    /// then newest; with whether this user read each and how many have.
    pub async fn notices_for(&self, user_id: i64, org_id: i64) -> Result<Vec<Notice>> {
        let texts = self.texts()?;
        sqlx::query(
            "SELECT n.id, n.title, n.body, n.pinned, n.to_all, n.author, n.author_org_id, n.published_at, \
             (SELECT COUNT(*) FROM notice_reads r WHERE r.notice_id = n.id AND r.user_id = $1) AS seen, \
             (SELECT COUNT(*) FROM notice_reads r WHERE r.notice_id = n.id) AS reads \
             FROM notices n WHERE n.to_all = 1 OR n.author_org_id = $2 \
             OR EXISTS (SELECT 1 FROM notice_targets t WHERE t.notice_id = n.id AND t.org_id = $2) \
             ORDER BY n.pinned DESC, n.id DESC",
        )
        .bind(user_id)
        .bind(org_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Notice {
                read: r.try_get::<i64, _>("seen")? > 0,
                reads: r.try_get("reads")?,
                ..decode_notice(&texts, r)?
            })
        })
        .collect()
    }

    /// A read receipt: the first reading by this user counts.
    pub async fn mark_notice_read(&self, notice: i64, user_id: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO notice_reads (notice_id, user_id, read_at) VALUES ($1, $2, $3) \
             ON CONFLICT (notice_id, user_id) DO NOTHING",
        )
        .bind(notice)
        .bind(user_id)
        .bind(self.now_text())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn pin_notice(&self, notice: i64, pinned: bool, audit: &AuditEntry) -> Result<()> {
        audited!(self, [audit], |tx| {
            let n = sqlx::query("UPDATE notices SET pinned = $1 WHERE id = $2")
                .bind(pinned as i64)
                .bind(notice)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound(format!("notice {notice}")));
            }
        });
        Ok(())
    }

    /// Who read a notice (the author's receipts): (user id, read at).
    pub async fn notice_readers(&self, notice: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as::<_, (i64, String)>(
            "SELECT user_id, read_at FROM notice_reads WHERE notice_id = $1 ORDER BY read_at",
        )
        .bind(notice)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn notice(&self, id: i64) -> Result<Option<(Notice, Vec<i64>)>> {
        let Some(r) = sqlx::query(
            "SELECT id, title, body, pinned, to_all, author, author_org_id, published_at FROM notices WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let targets: Vec<i64> =
            sqlx::query_scalar("SELECT org_id FROM notice_targets WHERE notice_id = $1")
                .bind(id)
                .fetch_all(self.pool())
                .await?;
        Ok(Some((decode_notice(&self.texts()?, &r)?, targets)))
    }
}

/// What one account has to act on, counted live from the records (信息提醒's to-do list).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ToDo {
    /// Alerts routed or returned to the account's unit.
    pub alerts_to_verify: i64,
    /// Verifications waiting for the commission's review.
    pub alerts_to_review: i64,
    /// Documents to the account or its unit not yet signed for.
    pub documents_to_sign: i64,
    /// Signed documents that ask for a reply not yet given (or returned for revision).
    pub documents_to_reply: i64,
    /// Integrity-opinion requests waiting for review (not drafted by the account).
    pub opinions_to_review: i64,
    /// Reviewed requests waiting for approval (neither drafted nor reviewed by the account).
    pub opinions_to_approve: i64,
    pub notices_unread: i64,
}

impl SqlStore {
    /// The counts behind [`ToDo`]; the caller zeroes those the account's role may not act on.
    pub async fn to_do(&self, user_id: i64, username: &str, org_id: i64) -> Result<ToDo> {
        let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
        Ok(ToDo {
            alerts_to_verify: count(
                "SELECT COUNT(*) FROM alerts WHERE org_id = $1 AND stage IN ('routed', 'returned')",
            )
            .bind(org_id)
            .fetch_one(self.pool())
            .await?,
            alerts_to_review: count("SELECT COUNT(*) FROM alerts WHERE stage = 'pending_review'")
                .fetch_one(self.pool())
                .await?,
            documents_to_sign: count(
                "SELECT COUNT(*) FROM document_recipients WHERE org_id = $1 AND user_id IN (0, $2) \
                 AND signed_at IS NULL",
            )
            .bind(org_id)
            .bind(user_id)
            .fetch_one(self.pool())
            .await?,
            documents_to_reply: count(
                "SELECT COUNT(*) FROM document_recipients r JOIN documents d ON d.id = r.document_id \
                 WHERE r.org_id = $1 AND r.user_id IN (0, $2) AND r.signed_at IS NOT NULL \
                 AND d.reply_required = 1 AND r.reply_state IN ('none', 'returned')",
            )
            .bind(org_id)
            .bind(user_id)
            .fetch_one(self.pool())
            .await?,
            opinions_to_review: count(
                "SELECT COUNT(*) FROM opinion_requests WHERE stage = 'in_review' AND drafted_by <> $1",
            )
            .bind(username)
            .fetch_one(self.pool())
            .await?,
            opinions_to_approve: count(
                "SELECT COUNT(*) FROM opinion_requests WHERE stage = 'reviewed' AND drafted_by <> $1 \
                 AND COALESCE(reviewed_by, '') <> $1",
            )
            .bind(username)
            .fetch_one(self.pool())
            .await?,
            notices_unread: count(
                "SELECT COUNT(*) FROM notices n WHERE (n.to_all = 1 OR n.author_org_id = $2 \
                 OR EXISTS (SELECT 1 FROM notice_targets t WHERE t.notice_id = n.id AND t.org_id = $2)) \
                 AND NOT EXISTS (SELECT 1 FROM notice_reads r WHERE r.notice_id = n.id AND r.user_id = $1)",
            )
            .bind(user_id)
            .bind(org_id)
            .fetch_one(self.pool())
            .await?,
        })
    }
}
