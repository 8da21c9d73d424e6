//! Integrity-opinion requests and their persons. Each step names the stage it expects; the
//! facts found are written once, at compilation, and never change (only the wording does).
//! A person is kept by the tokens of their ID and name; the findings and wordings sealed.

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::meta::{Result, SqlStore};
use mingjing_crypto::Purpose;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct OpinionRequest {
    pub id: i64,
    pub reference: String,
    pub purpose: String,
    pub requesting_org: String,
    pub reply_date: String,
    pub stage: String,
    pub drafted_by: String,
    pub drafted_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    pub return_comment: String,
    pub persons: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct OpinionPerson {
    pub seq: i64,
    pub id_number: String,
    pub name: String,
    pub org: String,
    pub position: String,
    pub verdict: String,
    /// JSON array of findings.
    pub findings: String,
    pub drafted_opinion: String,
    pub opinion: String,
}

macro_rules! select_requests {
    ($rest:literal) => {
        concat!(
            "SELECT r.id, r.reference, r.purpose, r.requesting_org, r.reply_date, r.stage, r.drafted_by, \
             r.drafted_at, r.reviewed_by, r.reviewed_at, r.approved_by, r.approved_at, r.return_comment, \
             (SELECT COUNT(*) FROM opinion_persons p WHERE p.request_id = r.id) AS persons \
             FROM opinion_requests r ",
            $rest
        )
    };
}

fn decode_request(r: &sqlx::any::AnyRow) -> Result<OpinionRequest> {
    Ok(OpinionRequest {
        id: r.try_get("id")?,
        reference: r.try_get("reference")?,
        purpose: r.try_get("purpose")?,
        requesting_org: r.try_get("requesting_org")?,
        reply_date: r.try_get("reply_date")?,
        stage: r.try_get("stage")?,
        drafted_by: r.try_get("drafted_by")?,
        drafted_at: r.try_get("drafted_at")?,
        reviewed_by: r.try_get("reviewed_by")?,
        reviewed_at: r.try_get("reviewed_at")?,
        approved_by: r.try_get("approved_by")?,
        approved_at: r.try_get("approved_at")?,
        return_comment: r.try_get("return_comment")?,
        persons: r.try_get("persons")?,
    })
}

impl SqlStore {
    /// Sets a setting and records who did, in one transaction.
    pub async fn set_setting_audited(
        &self,
        key: &str,
        value: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        audited!(self, [audit], |tx| {
            crate::meta::set_setting_tx(&mut tx, key, value).await?;
        });
        Ok(())
    }

    /// Writes a compiled request and its persons in one transaction.
    pub async fn create_opinion_request(
        &self,
        req: &OpinionRequest,
        persons: &[OpinionPerson],
        audit: &AuditEntry,
    ) -> Result<i64> {
        let now = self.now_text();
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO opinion_requests (reference, purpose, requesting_org, reply_date, stage, drafted_by, drafted_at) \
             VALUES ($1, $2, $3, $4, 'drafted', $5, $6) RETURNING id",
        )
        .bind(&req.reference)
        .bind(&req.purpose)
        .bind(&req.requesting_org)
        .bind(&req.reply_date)
        .bind(&audit.actor)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            e if e.is_unique_violation() => {
                StoreError::Invalid(format!("来文编号“{}”已存在", req.reference))
            }
            e => e,
        })?;
        let cipher = self.column_cipher()?.clone();
        let keyring = self.keyring()?.clone();
        for p in persons {
            let seal = |column: &str, text: &str| {
                keyring.seal_text(Purpose::Fields, &person_place(id, p.seq, column), text)
            };
            sqlx::query(
                "INSERT INTO opinion_persons (request_id, seq, id_number, name, org, position, verdict, findings, \
                 drafted_opinion, opinion) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id)
            .bind(p.seq)
            .bind(cipher.token(&p.id_number))
            .bind(cipher.token(&p.name))
            .bind(&p.org)
            .bind(&p.position)
            .bind(&p.verdict)
            .bind(seal("findings", &p.findings))
            .bind(seal("drafted_opinion", &p.drafted_opinion))
            .bind(seal("opinion", &p.opinion))
            .execute(&mut *tx)
            .await?;
        }
        let mut a = audit.clone();
        a.object = format!("opinion_request:{id}");
        let head = self.append_audit(&mut tx, &a).await?;
        tx.commit().await?;
        self.audit_committed(&head)?;
        Ok(id)
    }

    pub async fn opinion_requests(&self) -> Result<Vec<OpinionRequest>> {
        let rows = sqlx::query(select_requests!("ORDER BY r.id DESC"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(decode_request).collect()
    }

    pub async fn opinion_request(
        &self,
        id: i64,
    ) -> Result<Option<(OpinionRequest, Vec<OpinionPerson>)>> {
        let Some(r) = sqlx::query(select_requests!("WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let (cipher, keyring) = (self.column_cipher()?, self.keyring()?);
        let persons = sqlx::query(
            "SELECT seq, id_number, name, org, position, verdict, findings, drafted_opinion, opinion \
             FROM opinion_persons WHERE request_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|p| {
            let seq: i64 = p.try_get("seq")?;
            let what = |column: &str| format!("opinion_persons.{column} of request {id}, person {seq}");
            let reveal = |column: &str| -> Result<String> {
                Ok(cipher.reveal(&p.try_get::<String, _>(column)?, &what(column))?)
            };
            let open = |column: &str| -> Result<String> {
                Ok(keyring.open_text(
                    Purpose::Fields,
                    &person_place(id, seq, column),
                    &p.try_get::<String, _>(column)?,
                    &what(column),
                )?)
            };
            Ok(OpinionPerson {
                seq,
                id_number: reveal("id_number")?,
                name: reveal("name")?,
                org: p.try_get("org")?,
                position: p.try_get("position")?,
                verdict: p.try_get("verdict")?,
                findings: open("findings")?,
                drafted_opinion: open("drafted_opinion")?,
                opinion: open("opinion")?,
            })
        })
        .collect::<Result<_>>()?;
        Ok(Some((decode_request(&r)?, persons)))
    }

    /// The drafter rewords one person's opinion while the request is drafted.
    pub async fn reword_opinion(
        &self,
        id: i64,
        seq: i64,
        text: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let sealed =
            self.keyring()?
                .seal_text(Purpose::Fields, &person_place(id, seq, "opinion"), text);
        audited!(self, [audit], |tx| {
            let n = sqlx::query(
                "UPDATE opinion_persons SET opinion = $1 WHERE request_id = $2 AND seq = $3 \
                 AND (SELECT stage FROM opinion_requests WHERE id = $2) = 'drafted'",
            )
            .bind(&sealed)
            .bind(id)
            .bind(seq)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("只有起草中的意见可以修改措辞".into()));
            }
        });
        Ok(())
    }

    /// Moves a request from `from` to `to`, recording who did it (`reviewed_*` for the review,
    /// `approved_*` for the approval; a return clears the review and keeps the comment).
    pub async fn move_opinion_request(
        &self,
        id: i64,
        from: &str,
        to: &str,
        comment: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let now = self.now_text();
        audited!(self, [audit], |tx| {
            let n = match to {
            "in_review" => sqlx::query(
                "UPDATE opinion_requests SET stage = 'in_review', return_comment = '' WHERE id = $1 AND stage = $2",
            )
            .bind(id)
            .bind(from)
            .execute(&mut *tx)
            .await?,
            "reviewed" => sqlx::query(
                "UPDATE opinion_requests SET stage = 'reviewed', reviewed_by = $1, reviewed_at = $2 WHERE id = $3 AND stage = $4",
            )
            .bind(&audit.actor)
            .bind(&now)
            .bind(id)
            .bind(from)
            .execute(&mut *tx)
            .await?,
            "approved" => sqlx::query(
                "UPDATE opinion_requests SET stage = 'approved', approved_by = $1, approved_at = $2 WHERE id = $3 AND stage = $4",
            )
            .bind(&audit.actor)
            .bind(&now)
            .bind(id)
            .bind(from)
            .execute(&mut *tx)
            .await?,
            "drafted" => sqlx::query(
                "UPDATE opinion_requests SET stage = 'drafted', reviewed_by = NULL, reviewed_at = NULL, \
                 return_comment = $1 WHERE id = $2 AND stage = $3",
            )
            .bind(comment)
            .bind(id)
            .bind(from)
            .execute(&mut *tx)
            .await?,
            other => return Err(StoreError::Invalid(format!("unknown stage {other}"))),
        }
        .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(
                    "该请求的状态已被他人改变，请刷新后重试".into(),
                ));
            }
        });
        Ok(())
    }
}

impl SqlStore {
    /// Every request that named a person, newest first, with what it said of them.
    pub async fn opinions_about(
        &self,
        id_number: &str,
    ) -> Result<Vec<(OpinionRequest, OpinionPerson)>> {
        let ids: Vec<(i64, i64)> = sqlx::query(
            "SELECT request_id, seq FROM opinion_persons WHERE id_number = $1 ORDER BY request_id DESC",
        )
        .bind(self.column_cipher()?.token(id_number))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("request_id")?, r.try_get("seq")?)))
        .collect::<Result<_>>()?;
        let mut out = Vec::new();
        for (rid, seq) in ids {
            if let Some((req, persons)) = self.opinion_request(rid).await?
                && let Some(p) = persons.into_iter().find(|p| p.seq == seq)
            {
                out.push((req, p));
            }
        }
        Ok(out)
    }
}

/// The place a sealed text of an opinion's person belongs to: it opens there only.
pub(crate) fn person_place(request: i64, seq: i64, column: &str) -> String {
    format!("opinion_persons.{column}/{request}/{seq}")
}
