//! The verification loop's records: routing, verifications, reviews, accountability,
//! recommendations, files and notifications. Each step is one transaction with its event and
//! its audit record; a step names the stage it expects, so two reviewers racing on one alert
//! cannot both win. Which steps are legal is the domain's business
//! (`mingjing_domain::disposal`), checked by the caller before it writes.

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::meta::{Result, SqlStore};
use crate::texts::Texts;
use mingjing_domain::disposal::{Accountability, Stage, Step, Verification};
use sqlx::Row;

/// One step taken by an alert.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct AlertEvent {
    pub at: String,
    pub actor: String,
    pub org: String,
    pub step: String,
    pub from_stage: String,
    pub to_stage: String,
    pub comment: String,
}

/// A stored verification and the review it got.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct VerificationRecord {
    pub id: i64,
    pub round: i64,
    pub conclusion: String,
    pub records_corrected: i64,
    pub persons_removed: i64,
    pub recovered_fen: i64,
    pub stopped_monthly_fen: i64,
    pub other_outcomes: String,
    pub explanation: String,
    pub submitted_by: String,
    pub org_id: i64,
    pub submitted_at: String,
    pub decision: Option<String>,
    pub review_comment: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct AccountabilityRecord {
    pub id: i64,
    pub kind: String,
    pub persons: Vec<String>,
    pub decided_on: String,
    pub document: String,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// An alert's follow-up: every step, every verification, every accountability record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct AlertFlow {
    pub routed_at: Option<String>,
    pub escalated_at: Option<String>,
    pub closed_at: Option<String>,
    pub events: Vec<AlertEvent>,
    pub verifications: Vec<VerificationRecord>,
    pub accountability: Vec<AccountabilityRecord>,
}

/// An alert as the statistics count it: its keys and the figures of its approved verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisposalRow {
    pub id: i64,
    pub model: String,
    pub responsible: String,
    pub town: String,
    pub raised_at: String,
    pub stage: String,
    pub routed: bool,
    pub deadline: Option<String>,
    pub conclusion: Option<String>,
    /// Verifications submitted (in any round).
    pub submissions: i64,
    pub records_corrected: i64,
    pub persons_removed: i64,
    pub recovered_fen: i64,
    pub stopped_monthly_fen: i64,
    /// Persons interviewed (约谈), and held accountable in any form.
    pub interviewed: i64,
    pub accountable: i64,
}

/// An alert to route: where it goes and by when.
#[derive(Debug, Clone)]
pub struct Routing {
    pub alert_id: i64,
    pub org_id: i64,
    pub deadline: String,
}

/// An alert waiting for its responsible unit to be found.
#[derive(Debug, Clone)]
pub struct Unrouted {
    pub alert_id: i64,
    pub model: String,
    pub responsible: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub object: String,
    pub message: String,
    pub created_at: String,
    pub read: bool,
}

#[derive(Debug, Clone)]
pub struct NewNotification {
    /// The unit whose users see it; every unit when `None`.
    pub org_id: Option<i64>,
    /// The permission they must hold; any when empty.
    pub permission: String,
    pub kind: String,
    pub object: String,
    pub message: String,
    /// A notification with a key already used is not written again.
    pub dedup: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Recommendation {
    pub id: i64,
    pub number: String,
    pub org_id: i64,
    pub title: String,
    pub content: String,
    pub reply_due: String,
    pub issued_by: String,
    pub issued_at: String,
    pub reply: Option<String>,
    pub replied_by: Option<String>,
    pub replied_at: Option<String>,
    pub alert_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct FileRecord {
    pub id: i64,
    pub sha256: String,
    pub size: i64,
    pub name: String,
    pub content_type: String,
    pub created_by: String,
    pub created_at: String,
}

/// Moves an alert from `from` to `to` (refused when another writer moved it first) and writes
/// the event.
#[allow(clippy::too_many_arguments)]
async fn move_stage(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    texts: &Texts,
    alert_id: i64,
    step: &str,
    from: Stage,
    to: Stage,
    comment: &str,
    audit: &AuditEntry,
    now: &str,
) -> Result<()> {
    let n =
        sqlx::query("UPDATE alerts SET stage = $1, updated_at = $2 WHERE id = $3 AND stage = $4")
            .bind(to.code())
            .bind(now)
            .bind(alert_id)
            .bind(from.code())
            .execute(&mut **tx)
            .await?
            .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict(format!(
            "预警 {alert_id} 的状态已被他人改变，请刷新后重试"
        )));
    }
    event(tx, texts, alert_id, step, from, to, comment, audit, now).await
}

#[allow(clippy::too_many_arguments)]
async fn event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    texts: &Texts,
    alert_id: i64,
    step: &str,
    from: Stage,
    to: Stage,
    comment: &str,
    audit: &AuditEntry,
    now: &str,
) -> Result<()> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO alert_events (alert_id, at, actor, org, step, from_stage, to_stage, comment) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, '') RETURNING id",
    )
    .bind(alert_id)
    .bind(now)
    .bind(&audit.actor)
    .bind(&audit.org)
    .bind(step)
    .bind(from.code())
    .bind(to.code())
    .fetch_one(&mut **tx)
    .await?;
    texts
        .write(tx, "alert_events", id, &[("comment", comment)])
        .await
}

pub(crate) async fn notify(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    texts: &Texts,
    n: &NewNotification,
    now: &str,
) -> Result<()> {
    if let Some(key) = &n.dedup {
        let seen: Option<i64> = sqlx::query_scalar("SELECT id FROM notifications WHERE dedup = $1")
            .bind(key)
            .fetch_optional(&mut **tx)
            .await?;
        if seen.is_some() {
            return Ok(());
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notifications (org_id, permission, kind, object, message, created_at, dedup) \
         VALUES ($1, $2, $3, $4, '', $5, $6) RETURNING id",
    )
    .bind(n.org_id)
    .bind(&n.permission)
    .bind(&n.kind)
    .bind(&n.object)
    .bind(now)
    .bind(&n.dedup)
    .fetch_one(&mut **tx)
    .await?;
    texts
        .write(tx, "notifications", id, &[("message", &n.message)])
        .await
}

/// Refuses a file that does not exist or that `owner` did not upload: only one's own uploads
/// can be attached, and an id guessed from elsewhere is refused.
pub(crate) async fn check_own_file(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    file: i64,
    owner: &str,
) -> Result<()> {
    let by: Option<String> = sqlx::query_scalar("SELECT created_by FROM files WHERE id = $1")
        .bind(file)
        .fetch_optional(&mut **tx)
        .await?;
    if by.as_deref() == Some(owner) {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "附件 {file} 不存在或不是本人上传"
        )))
    }
}

pub(crate) async fn link_files(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    files: &[i64],
    object: &str,
    owner: &str,
) -> Result<()> {
    for f in files {
        check_own_file(tx, *f, owner).await?;
        sqlx::query("INSERT INTO file_links (file_id, object) VALUES ($1, $2)")
            .bind(f)
            .bind(object)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn decode_file(texts: &Texts, r: &sqlx::any::AnyRow) -> Result<FileRecord> {
    Ok(FileRecord {
        id: r.try_get("id")?,
        sha256: r.try_get("sha256")?,
        size: r.try_get("size")?,
        name: texts.get(r, "files", "name")?,
        content_type: r.try_get("content_type")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

fn decode_verification(texts: &Texts, r: &sqlx::any::AnyRow) -> Result<VerificationRecord> {
    Ok(VerificationRecord {
        id: r.try_get("id")?,
        round: r.try_get("round")?,
        conclusion: r.try_get("conclusion")?,
        records_corrected: r.try_get("records_corrected")?,
        persons_removed: r.try_get("persons_removed")?,
        recovered_fen: r.try_get("recovered_fen")?,
        stopped_monthly_fen: r.try_get("stopped_monthly_fen")?,
        other_outcomes: texts.get(r, "verifications", "other_outcomes")?,
        explanation: texts.get(r, "verifications", "explanation")?,
        submitted_by: r.try_get("submitted_by")?,
        org_id: r.try_get("org_id")?,
        submitted_at: r.try_get("submitted_at")?,
        decision: r.try_get("decision")?,
        review_comment: texts.get(r, "verifications", "review_comment")?,
        reviewed_by: r.try_get("reviewed_by")?,
        reviewed_at: r.try_get("reviewed_at")?,
    })
}

impl SqlStore {
    /// Open alerts no unit has been given yet, with the unit their model names.
    pub async fn unrouted_alerts(&self) -> Result<Vec<Unrouted>> {
        let rows = sqlx::query(
            "SELECT id, model, responsible FROM alerts WHERE stage = 'unrouted' AND status = 'open' ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Unrouted {
                    alert_id: r.try_get("id")?,
                    model: r.try_get("model")?,
                    responsible: r.try_get("responsible")?,
                })
            })
            .collect()
    }

    /// Days each model gives its units (model id → days).
    pub async fn deadline_days(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT id, deadline_days FROM models ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("deadline_days")?)))
            .collect()
    }

    pub async fn set_deadline_days(
        &self,
        model: &str,
        days: i64,
        audit: &AuditEntry,
    ) -> Result<()> {
        if !(1..=365).contains(&days) {
            return Err(StoreError::Invalid("核查时限须在 1 到 365 天之间".into()));
        }
        audited!(self, [audit], |tx| {
            let n = sqlx::query("UPDATE models SET deadline_days = $1 WHERE id = $2")
                .bind(days)
                .bind(model)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound(format!("model {model}")));
            }
        });
        Ok(())
    }

    /// Routes alerts to units, each with its event and audit record, and tells each unit how
    /// many arrived, all in one transaction. `audits[i]` is the record of `routes[i]`.
    pub async fn route_alerts(
        &self,
        routes: &[Routing],
        from: &[Stage],
        audits: &[AuditEntry],
        notices: &[NewNotification],
    ) -> Result<()> {
        let now = self.now_text();
        let texts = self.texts()?;
        audited!(self, audits, |tx| {
            for (i, r) in routes.iter().enumerate() {
                move_stage(
                    &mut tx,
                    &texts,
                    r.alert_id,
                    Step::Route.code(),
                    from[i],
                    Stage::Routed,
                    &format!("核查期限 {}", r.deadline),
                    &audits[i],
                    &now,
                )
                .await?;
                sqlx::query(
                    "UPDATE alerts SET org_id = $1, deadline = $2, routed_at = $3, escalated_at = NULL WHERE id = $4",
                )
                .bind(r.org_id)
                .bind(&r.deadline)
                .bind(&now)
                .bind(r.alert_id)
                .execute(&mut *tx)
                .await?;
            }
            for n in notices {
                notify(&mut tx, &texts, n, &now).await?;
            }
        });
        Ok(())
    }

    /// Writes a unit's verification and moves the alert to review.
    pub async fn submit_verification(
        &self,
        alert_id: i64,
        from: Stage,
        v: &Verification,
        org_id: i64,
        audit: &AuditEntry,
        notice: &NewNotification,
    ) -> Result<i64> {
        let now = self.now_text();
        let texts = self.texts()?;
        Ok(audited!(self, [audit], |tx| {
            move_stage(
                &mut tx,
                &texts,
                alert_id,
                Step::Submit.code(),
                from,
                Stage::PendingReview,
                v.conclusion.label(),
                audit,
                &now,
            )
            .await?;
            let round: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM verifications WHERE alert_id = $1")
                    .bind(alert_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO verifications (alert_id, round, conclusion, records_corrected, persons_removed, \
                 recovered_fen, stopped_monthly_fen, other_outcomes, explanation, submitted_by, org_id, submitted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, '', '', $8, $9, $10) RETURNING id",
            )
            .bind(alert_id)
            .bind(round + 1)
            .bind(v.conclusion.label())
            .bind(i64::from(v.records_corrected))
            .bind(i64::from(v.persons_removed))
            .bind(v.recovered.fen())
            .bind(v.stopped_monthly.fen())
            .bind(&audit.actor)
            .bind(org_id)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            texts
                .write(
                    &mut tx,
                    "verifications",
                    id,
                    &[
                        ("other_outcomes", &v.other_outcomes),
                        ("explanation", &v.explanation),
                    ],
                )
                .await?;
            link_files(
                &mut tx,
                &v.attachments,
                &format!("verification:{id}"),
                &audit.actor,
            )
            .await?;
            notify(&mut tx, &texts, notice, &now).await?;
            id
        }))
    }

    /// The commission's decision on the pending verification: return, approve or transfer.
    pub async fn review_alert(
        &self,
        alert_id: i64,
        step: Step,
        comment: &str,
        audit: &AuditEntry,
        notice: &NewNotification,
    ) -> Result<()> {
        let to = step
            .apply(Stage::PendingReview)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let now = self.now_text();
        let texts = self.texts()?;
        audited!(self, [audit], |tx| {
            move_stage(
                &mut tx,
                &texts,
                alert_id,
                step.code(),
                Stage::PendingReview,
                to,
                comment,
                audit,
                &now,
            )
            .await?;
            let pending: Option<(i64, String)> = sqlx::query(
                "SELECT id, conclusion FROM verifications WHERE alert_id = $1 AND decision IS NULL \
                 ORDER BY round DESC LIMIT 1",
            )
            .bind(alert_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| Ok::<_, StoreError>((r.try_get("id")?, r.try_get("conclusion")?)))
            .transpose()?;
            let Some((vid, conclusion)) = pending else {
                return Err(StoreError::Corrupt(format!(
                    "alert {alert_id} awaits review without a verification"
                )));
            };
            sqlx::query(
                "UPDATE verifications SET decision = $1, reviewed_by = $2, reviewed_at = $3 WHERE id = $4",
            )
            .bind(step.code())
            .bind(&audit.actor)
            .bind(&now)
            .bind(vid)
            .execute(&mut *tx)
            .await?;
            texts
                .write(
                    &mut tx,
                    "verifications",
                    vid,
                    &[("review_comment", comment)],
                )
                .await?;
            if to.is_final() {
                sqlx::query(
                    "UPDATE alerts SET status = 'closed', conclusion = $1, closed_at = $2 WHERE id = $3",
                )
                .bind(&conclusion)
                .bind(&now)
                .bind(alert_id)
                .execute(&mut *tx)
                .await?;
            }
            notify(&mut tx, &texts, notice, &now).await?;
        });
        Ok(())
    }

    /// Records accountability on an alert (its stage does not change).
    pub async fn record_accountability(
        &self,
        alert_id: i64,
        stage: Stage,
        a: &Accountability,
        audit: &AuditEntry,
    ) -> Result<i64> {
        let now = self.now_text();
        let texts = self.texts()?;
        Ok(audited!(self, [audit], |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO accountability (alert_id, kind, persons, person_count, decided_on, document, note, \
                 recorded_by, recorded_at) VALUES ($1, $2, '', $3, $4, '', '', $5, $6) RETURNING id",
            )
            .bind(alert_id)
            .bind(a.kind.label())
            .bind(a.persons.len() as i64)
            .bind(a.decided_on.to_string())
            .bind(&audit.actor)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            texts
                .write(
                    &mut tx,
                    "accountability",
                    id,
                    &[
                        ("persons", &a.persons.join("\n")),
                        ("document", &a.document),
                        ("note", &a.note),
                    ],
                )
                .await?;
            event(
                &mut tx,
                &texts,
                alert_id,
                "account",
                stage,
                stage,
                &format!("{}：{}", a.kind.label(), a.persons.join("、")),
                audit,
                &now,
            )
            .await?;
            link_files(
                &mut tx,
                &a.attachments,
                &format!("accountability:{id}"),
                &audit.actor,
            )
            .await?;
            id
        }))
    }

    /// Marks an overdue alert as escalated and tells the commission, once.
    pub async fn escalate_alert(
        &self,
        alert_id: i64,
        stage: Stage,
        audit: &AuditEntry,
        notice: &NewNotification,
    ) -> Result<bool> {
        let now = self.now_text();
        let texts = self.texts()?;
        Ok(audited!(self, [audit], |tx| {
            let n = sqlx::query(
                "UPDATE alerts SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL AND stage = $3",
            )
            .bind(&now)
            .bind(alert_id)
            .bind(stage.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok(false);
            }
            event(
                &mut tx,
                &texts,
                alert_id,
                "escalate",
                stage,
                stage,
                "逾期未核查，已上报纪委监委",
                audit,
                &now,
            )
            .await?;
            notify(&mut tx, &texts, notice, &now).await?;
            true
        }))
    }

    /// Writes notifications (reminders), skipping those whose key was used before.
    pub async fn notify(&self, notices: &[NewNotification]) -> Result<()> {
        let now = self.now_text();
        let texts = self.texts()?;
        let mut tx = self.begin().await?;
        for n in notices {
            notify(&mut tx, &texts, n, &now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Alerts awaiting their unit, with their deadlines: what the reminders look at.
    pub async fn alerts_awaiting_units(&self) -> Result<Vec<(i64, Stage, i64, String, bool)>> {
        let rows = sqlx::query(
            "SELECT id, stage, org_id, deadline, escalated_at FROM alerts \
             WHERE stage IN ('routed', 'returned') AND deadline IS NOT NULL AND org_id IS NOT NULL ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let stage: String = r.try_get("stage")?;
                Ok((
                    r.try_get("id")?,
                    stage.parse().map_err(StoreError::Corrupt)?,
                    r.try_get("org_id")?,
                    r.try_get("deadline")?,
                    r.try_get::<Option<String>, _>("escalated_at")?.is_some(),
                ))
            })
            .collect()
    }

    pub async fn alert_flow(&self, alert_id: i64) -> Result<AlertFlow> {
        let texts = self.texts()?;
        let head =
            sqlx::query("SELECT routed_at, escalated_at, closed_at FROM alerts WHERE id = $1")
                .bind(alert_id)
                .fetch_optional(self.pool())
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("alert {alert_id}")))?;
        let events = sqlx::query(
            "SELECT id, at, actor, org, step, from_stage, to_stage, comment FROM alert_events \
             WHERE alert_id = $1 ORDER BY id",
        )
        .bind(alert_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(AlertEvent {
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                org: r.try_get("org")?,
                step: r.try_get("step")?,
                from_stage: r.try_get("from_stage")?,
                to_stage: r.try_get("to_stage")?,
                comment: texts.get(r, "alert_events", "comment")?,
            })
        })
        .collect::<Result<_>>()?;
        let verifications = sqlx::query(
            "SELECT id, round, conclusion, records_corrected, persons_removed, recovered_fen, stopped_monthly_fen, \
             other_outcomes, explanation, submitted_by, org_id, submitted_at, decision, review_comment, \
             reviewed_by, reviewed_at FROM verifications WHERE alert_id = $1 ORDER BY round",
        )
        .bind(alert_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| decode_verification(&texts, r))
        .collect::<Result<_>>()?;
        let accountability = sqlx::query(
            "SELECT id, kind, persons, decided_on, document, note, recorded_by, recorded_at \
             FROM accountability WHERE alert_id = $1 ORDER BY id",
        )
        .bind(alert_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(AccountabilityRecord {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                persons: texts
                    .get(r, "accountability", "persons")?
                    .lines()
                    .map(str::to_string)
                    .collect(),
                decided_on: r.try_get("decided_on")?,
                document: texts.get(r, "accountability", "document")?,
                note: texts.get(r, "accountability", "note")?,
                recorded_by: r.try_get("recorded_by")?,
                recorded_at: r.try_get("recorded_at")?,
            })
        })
        .collect::<Result<_>>()?;
        Ok(AlertFlow {
            routed_at: head.try_get("routed_at")?,
            escalated_at: head.try_get("escalated_at")?,
            closed_at: head.try_get("closed_at")?,
            events,
            verifications,
            accountability,
        })
    }

    /// Other alerts on the same subject (any model), oldest first.
    pub async fn alerts_on_subject(&self, subject: &str) -> Result<Vec<crate::Alert>> {
        let cipher = self.column_cipher()?;
        let rows = sqlx::query(select_alerts!("WHERE a.subject = $1 ORDER BY a.id"))
            .bind(cipher.token(subject))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| crate::meta::decode_alert(&cipher, r))
            .collect()
    }

    /// Every alert with the figures the statistics count.
    pub async fn disposal_rows(&self) -> Result<Vec<DisposalRow>> {
        let rows = sqlx::query(
            "SELECT a.id, a.model, a.responsible, a.town, a.raised_at, a.stage, a.routed_at, \
             a.deadline, a.conclusion, \
             (SELECT COUNT(*) FROM verifications s WHERE s.alert_id = a.id) AS submissions, \
             COALESCE(v.records_corrected, 0) AS records_corrected, \
             COALESCE(v.persons_removed, 0) AS persons_removed, \
             COALESCE(v.recovered_fen, 0) AS recovered_fen, \
             COALESCE(v.stopped_monthly_fen, 0) AS stopped_monthly_fen, \
             CAST(COALESCE((SELECT SUM(c.person_count) FROM accountability c \
                   WHERE c.alert_id = a.id AND c.kind = '约谈'), 0) AS BIGINT) AS interviewed, \
             CAST(COALESCE((SELECT SUM(c.person_count) FROM accountability c \
                   WHERE c.alert_id = a.id), 0) AS BIGINT) AS accountable \
             FROM alerts a LEFT JOIN verifications v \
               ON v.alert_id = a.id AND v.decision IN ('approve', 'transfer') \
             ORDER BY a.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DisposalRow {
                    id: r.try_get("id")?,
                    model: r.try_get("model")?,
                    responsible: r.try_get("responsible")?,
                    town: r.try_get("town")?,
                    raised_at: r.try_get("raised_at")?,
                    stage: r.try_get("stage")?,
                    routed: r.try_get::<Option<String>, _>("routed_at")?.is_some(),
                    deadline: r.try_get("deadline")?,
                    conclusion: r.try_get("conclusion")?,
                    submissions: r.try_get("submissions")?,
                    records_corrected: r.try_get("records_corrected")?,
                    persons_removed: r.try_get("persons_removed")?,
                    recovered_fen: r.try_get("recovered_fen")?,
                    stopped_monthly_fen: r.try_get("stopped_monthly_fen")?,
                    interviewed: r.try_get("interviewed")?,
                    accountable: r.try_get("accountable")?,
                })
            })
            .collect()
    }

    // ---- notifications ---------------------------------------------------------------

    /// Notifications for a user of `org_id` holding `permissions`, newest first.
    pub async fn notifications_for(
        &self,
        user_id: i64,
        org_id: i64,
        permissions: &[String],
        limit: i64,
    ) -> Result<Vec<Notification>> {
        let rows = sqlx::query(
            "SELECT n.id, n.kind, n.object, n.message, n.created_at, n.permission, \
             (SELECT COUNT(*) FROM notification_reads r WHERE r.notification_id = n.id AND r.user_id = $1) AS seen \
             FROM notifications n WHERE (n.org_id IS NULL OR n.org_id = $2) ORDER BY n.id DESC",
        )
        .bind(user_id)
        .bind(org_id)
        .fetch_all(self.pool())
        .await?;
        let texts = self.texts()?;
        let mut out = Vec::new();
        for r in &rows {
            let perm: String = r.try_get("permission")?;
            if !perm.is_empty() && !permissions.contains(&perm) {
                continue;
            }
            out.push(Notification {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                object: r.try_get("object")?,
                message: texts.get(r, "notifications", "message")?,
                created_at: r.try_get("created_at")?,
                read: r.try_get::<i64, _>("seen")? > 0,
            });
            if out.len() as i64 >= limit {
                break;
            }
        }
        Ok(out)
    }

    pub async fn mark_notification_read(&self, id: i64, user_id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM notifications WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("notification {id}")));
        }
        let seen: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notification_reads WHERE notification_id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        if seen == 0 {
            sqlx::query("INSERT INTO notification_reads (notification_id, user_id, read_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(user_id)
                .bind(self.now_text())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    // ---- recommendations -------------------------------------------------------------

    pub async fn issue_recommendation(
        &self,
        r: &Recommendation,
        audit: &AuditEntry,
        notice: &NewNotification,
    ) -> Result<i64> {
        let now = self.now_text();
        let texts = self.texts()?;
        Ok(audited!(self, [audit], |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO recommendations (number, org_id, title, content, reply_due, issued_by, issued_at) \
                 VALUES ($1, $2, '', '', $3, $4, $5) RETURNING id",
            )
            .bind(&r.number)
            .bind(r.org_id)
            .bind(&r.reply_due)
            .bind(&audit.actor)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                e if e.is_unique_violation() => StoreError::Invalid(format!("文号“{}”已被使用", r.number)),
                e => e,
            })?;
            texts
                .write(
                    &mut tx,
                    "recommendations",
                    id,
                    &[("title", &r.title), ("content", &r.content)],
                )
                .await?;
            for a in &r.alert_ids {
                sqlx::query("INSERT INTO recommendation_alerts (recommendation_id, alert_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(a)
                    .execute(&mut *tx)
                    .await?;
            }
            let mut n = notice.clone();
            n.object = format!("recommendation:{id}");
            notify(&mut tx, &texts, &n, &now).await?;
            id
        }))
    }

    pub async fn reply_recommendation(
        &self,
        id: i64,
        reply: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let now = self.now_text();
        let texts = self.texts()?;
        audited!(self, [audit], |tx| {
            // Written sealed in the same transaction: NULL marks the unanswered.
            let n = sqlx::query(
                "UPDATE recommendations SET reply = '', replied_by = $1, replied_at = $2 WHERE id = $3 AND reply IS NULL",
            )
            .bind(&audit.actor)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(format!("建议书 {id} 已经回复")));
            }
            texts
                .write(&mut tx, "recommendations", id, &[("reply", reply)])
                .await?;
        });
        Ok(())
    }

    pub async fn recommendations(&self) -> Result<Vec<Recommendation>> {
        let rows = sqlx::query(
            "SELECT id, number, org_id, title, content, reply_due, issued_by, issued_at, reply, replied_by, replied_at \
             FROM recommendations ORDER BY id DESC",
        )
        .fetch_all(self.pool())
        .await?;
        let links = sqlx::query(
            "SELECT recommendation_id, alert_id FROM recommendation_alerts ORDER BY alert_id",
        )
        .fetch_all(self.pool())
        .await?;
        let texts = self.texts()?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let mut alert_ids = Vec::new();
            for l in &links {
                if l.try_get::<i64, _>("recommendation_id")? == id {
                    alert_ids.push(l.try_get("alert_id")?);
                }
            }
            out.push(Recommendation {
                id,
                number: r.try_get("number")?,
                org_id: r.try_get("org_id")?,
                title: texts.get(r, "recommendations", "title")?,
                content: texts.get(r, "recommendations", "content")?,
                reply_due: r.try_get("reply_due")?,
                issued_by: r.try_get("issued_by")?,
                issued_at: r.try_get("issued_at")?,
                reply: texts.get_opt(r, "recommendations", "reply")?,
                replied_by: r.try_get("replied_by")?,
                replied_at: r.try_get("replied_at")?,
                alert_ids,
            });
        }
        Ok(out)
    }

    // ---- files -----------------------------------------------------------------------

    /// Registers a file whose content is already stored under its checksum.
    pub async fn add_file(&self, f: &FileRecord, audit: &AuditEntry) -> Result<i64> {
        let texts = self.texts()?;
        Ok(audited!(self, [audit], |tx| {
            let id = sqlx::query_scalar::<_, i64>(
                "INSERT INTO files (sha256, size, name, content_type, created_by, created_at) \
                 VALUES ($1, $2, '', $3, $4, $5) RETURNING id",
            )
            .bind(&f.sha256)
            .bind(f.size)
            .bind(&f.content_type)
            .bind(&audit.actor)
            .bind(self.now_text())
            .fetch_one(&mut *tx)
            .await?;
            texts
                .write(&mut tx, "files", id, &[("name", &f.name)])
                .await?;
            id
        }))
    }

    pub async fn file(&self, id: i64) -> Result<Option<(FileRecord, Vec<String>)>> {
        let Some(r) = sqlx::query(
            "SELECT id, sha256, size, name, content_type, created_by, created_at FROM files WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let links: Vec<String> =
            sqlx::query_scalar("SELECT object FROM file_links WHERE file_id = $1 ORDER BY object")
                .bind(id)
                .fetch_all(self.pool())
                .await?;
        Ok(Some((decode_file(&self.texts()?, &r)?, links)))
    }

    /// Files attached to an object (`verification:7`...).
    pub async fn files_of(&self, object: &str) -> Result<Vec<FileRecord>> {
        let rows = sqlx::query(
            "SELECT f.id, f.sha256, f.size, f.name, f.content_type, f.created_by, f.created_at \
             FROM files f JOIN file_links l ON l.file_id = f.id WHERE l.object = $1 ORDER BY f.id",
        )
        .bind(object)
        .fetch_all(self.pool())
        .await?;
        let texts = self.texts()?;
        rows.iter().map(|r| decode_file(&texts, r)).collect()
    }

    /// The alert an attachment's object belongs to.
    pub async fn alert_of_object(&self, object: &str) -> Result<Option<i64>> {
        let (kind, id) = object.split_once(':').unwrap_or((object, ""));
        let Ok(id) = id.parse::<i64>() else {
            return Ok(None);
        };
        Ok(match kind {
            "verification" => {
                sqlx::query_scalar("SELECT alert_id FROM verifications WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.pool())
                    .await?
            }
            "accountability" => {
                sqlx::query_scalar("SELECT alert_id FROM accountability WHERE id = $1")
                    .bind(id)
                    .fetch_optional(self.pool())
                    .await?
            }
            _ => None,
        })
    }
}

// ---- upload schedules (报送计划) ------------------------------------------------------

/// When an organisation's data of a type is due.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct UploadSchedule {
    pub dataset_type: String,
    pub org_id: i64,
    /// Day of the month, 1–28.
    pub due_day: i64,
}

impl SqlStore {
    pub async fn schedules(&self) -> Result<Vec<UploadSchedule>> {
        let rows = sqlx::query(
            "SELECT dataset_type, org_id, due_day FROM upload_schedules ORDER BY dataset_type, org_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(UploadSchedule {
                    dataset_type: r.try_get("dataset_type")?,
                    org_id: r.try_get("org_id")?,
                    due_day: r.try_get("due_day")?,
                })
            })
            .collect()
    }

    /// Sets (or, with `due_day` 0, removes) a schedule.
    pub async fn set_schedule(&self, s: &UploadSchedule, audit: &AuditEntry) -> Result<()> {
        if !(0..=28).contains(&s.due_day) {
            return Err(StoreError::Invalid("报送日须在每月 1 到 28 日之间".into()));
        }
        audited!(self, [audit], |tx| {
            let known: Option<String> =
                sqlx::query_scalar("SELECT name FROM dataset_types WHERE name = $1")
                    .bind(&s.dataset_type)
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_none() {
                return Err(StoreError::Invalid(format!(
                    "数据类型“{}”不存在",
                    s.dataset_type
                )));
            }
            let org: Option<i64> = sqlx::query_scalar("SELECT id FROM orgs WHERE id = $1")
                .bind(s.org_id)
                .fetch_optional(&mut *tx)
                .await?;
            if org.is_none() {
                return Err(StoreError::Invalid(format!("机构 {} 不存在", s.org_id)));
            }
            sqlx::query("DELETE FROM upload_schedules WHERE dataset_type = $1 AND org_id = $2")
                .bind(&s.dataset_type)
                .bind(s.org_id)
                .execute(&mut *tx)
                .await?;
            if s.due_day > 0 {
                sqlx::query(
                    "INSERT INTO upload_schedules (dataset_type, org_id, due_day, updated_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(&s.dataset_type)
                .bind(s.org_id)
                .bind(s.due_day)
                .bind(self.now_text())
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(())
    }
}
