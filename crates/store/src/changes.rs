//! Dual control (双人控制) of access changes: a proposal is stored, and only its approval by
//! another administrator applies it, in the same transaction as the decision and its audit
//! record. A proposal is decided once.

use crate::StoreError;
use crate::access::{NewOrg, NewUser, UserUpdate, insert_user_tx, update_org_tx, update_user_tx};
use crate::audit::AuditEntry;
use crate::meta::{Result, SqlStore};
use sqlx::Row;

/// A change that takes effect only when approved.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProposedChange {
    /// A new account, with its role and organisation.
    CreateUser { user: NewUser },
    /// An account's role or organisation (and the other fields sent with them).
    UpdateUser { user_id: i64, update: UserUpdate },
    /// An organisation's name, kind, parent or town.
    UpdateOrg { org_id: i64, org: NewOrg },
}

impl ProposedChange {
    pub fn target(&self) -> String {
        match self {
            ProposedChange::CreateUser { user } => format!("user:new:{}", user.username),
            ProposedChange::UpdateUser { user_id, .. } => format!("user:{user_id}"),
            ProposedChange::UpdateOrg { org_id, .. } => format!("org:{org_id}"),
        }
    }

    /// The account the change is about, once it exists.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            ProposedChange::UpdateUser { user_id, .. } => Some(*user_id),
            _ => None,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChangeStatus {
    Pending,
    Approved,
    Rejected,
}

impl ChangeStatus {
    pub fn code(self) -> &'static str {
        match self {
            ChangeStatus::Pending => "pending",
            ChangeStatus::Approved => "approved",
            ChangeStatus::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        match s {
            "pending" => Ok(ChangeStatus::Pending),
            "approved" => Ok(ChangeStatus::Approved),
            "rejected" => Ok(ChangeStatus::Rejected),
            other => Err(StoreError::Invalid(format!(
                "unknown change status '{other}'"
            ))),
        }
    }
}

/// A stored proposal.
#[derive(Debug, Clone)]
pub struct AccessChange {
    pub id: i64,
    pub change: ProposedChange,
    pub target: String,
    pub summary: String,
    pub proposed_by: String,
    pub proposed_at: String,
    pub status: ChangeStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: String,
}

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Rejected,
    /// The account created by an approved proposal.
    UserCreated(i64),
    UserUpdated(i64),
    OrgUpdated(i64),
}

fn decode(r: &sqlx::any::AnyRow) -> Result<AccessChange> {
    let change: String = r.try_get("change")?;
    Ok(AccessChange {
        id: r.try_get("id")?,
        change: serde_json::from_str(&change)
            .map_err(|e| StoreError::Invalid(format!("stored change: {e}")))?,
        target: r.try_get("target")?,
        summary: r.try_get("summary")?,
        proposed_by: r.try_get("proposed_by")?,
        proposed_at: r.try_get("proposed_at")?,
        status: ChangeStatus::parse(&r.try_get::<String, _>("status")?)?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        note: r.try_get("note")?,
    })
}

/// `SELECT` of a proposal's columns, then the given clauses (sqlx takes only literal SQL).
macro_rules! select_changes {
    ($rest:literal) => {
        concat!(
            "SELECT id, target, change, summary, proposed_by, proposed_at, status, \
             decided_by, decided_at, note FROM access_changes ",
            $rest
        )
    };
}

impl SqlStore {
    /// Stores a proposal (and its audit record). Refused while another proposal for the same
    /// target is pending, so that an approver never decides between two versions of one change.
    pub async fn propose_change(
        &self,
        change: &ProposedChange,
        summary: &str,
        proposed_by: &str,
        audit: &AuditEntry,
    ) -> Result<i64> {
        let json = serde_json::to_string(change)
            .map_err(|e| StoreError::Invalid(format!("change: {e}")))?;
        let target = change.target();
        Ok(audited!(self, [audit], |tx| {
            let pending: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM access_changes WHERE target = $1 AND status = 'pending'",
            )
            .bind(&target)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(p) = pending {
                return Err(StoreError::Conflict(format!(
                    "该对象已有待审批的变更（编号 {p}），请等待安全管理员审批后再提交"
                )));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO access_changes (target, change, summary, proposed_by, proposed_at, status, note) \
                 VALUES ($1, $2, $3, $4, $5, 'pending', '') RETURNING id",
            )
            .bind(&target)
            .bind(&json)
            .bind(summary)
            .bind(proposed_by)
            .bind(self.now_text())
            .fetch_one(&mut *tx)
            .await?;
            id
        }))
    }

    /// Proposals, newest first; only pending ones when asked.
    pub async fn access_changes(&self, pending_only: bool) -> Result<Vec<AccessChange>> {
        let sql = if pending_only {
            select_changes!("WHERE status = 'pending' ORDER BY id DESC")
        } else {
            select_changes!("ORDER BY id DESC LIMIT 500")
        };
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(decode).collect()
    }

    pub async fn access_change(&self, id: i64) -> Result<Option<AccessChange>> {
        let row = sqlx::query(select_changes!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(decode).transpose()
    }

    /// Decides a pending proposal: an approval applies it, in the transaction that records
    /// the decision and its audit record. A proposal already decided is a conflict.
    pub async fn decide_change(
        &self,
        id: i64,
        approve: bool,
        decided_by: &str,
        note: &str,
        audit: &AuditEntry,
    ) -> Result<Applied> {
        let Some(c) = self.access_change(id).await? else {
            return Err(StoreError::NotFound(format!("access change {id}")));
        };
        if let ProposedChange::UpdateOrg { org_id, org } = &c.change
            && approve
        {
            self.check_org_parent(*org_id, org.parent_id).await?;
        }
        let at = self.now_text();
        Ok(audited!(self, [audit], |tx| {
            let n = sqlx::query(
                "UPDATE access_changes SET status = $1, decided_by = $2, decided_at = $3, note = $4 \
                 WHERE id = $5 AND status = 'pending'",
            )
            .bind(if approve { "approved" } else { "rejected" })
            .bind(decided_by)
            .bind(&at)
            .bind(note)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(format!("变更 {id} 已处理")));
            }
            if !approve {
                Applied::Rejected
            } else {
                match &c.change {
                    ProposedChange::CreateUser { user } => {
                        Applied::UserCreated(insert_user_tx(&mut tx, user, &at).await?)
                    }
                    ProposedChange::UpdateUser { user_id, update } => {
                        update_user_tx(&mut tx, *user_id, update, &at).await?;
                        Applied::UserUpdated(*user_id)
                    }
                    ProposedChange::UpdateOrg { org_id, org } => {
                        update_org_tx(&mut tx, *org_id, org).await?;
                        Applied::OrgUpdated(*org_id)
                    }
                }
            }
        }))
    }
}
