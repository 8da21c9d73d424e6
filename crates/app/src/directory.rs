//! What the platform's users and administrators look up: the organisation tree, accounts,
//! roles, live sessions, proposed access changes, upload rights, the audit log, dataset
//! types, uploads, model runs, opinion requests and notifications. Reads with no rule beyond
//! the route's permission and the caller's scope; the adapters read the store through here
//! only (`Platform`'s store is private).

use crate::scope::Scope;
use crate::{Actor, AppError, Platform};
use mingjing_domain::access::Role;
use mingjing_domain::standard::DatasetType;
use mingjing_domain::upload_rights::Uploader;
use mingjing_store::access::{OrgNode, Session, User};
use mingjing_store::audit::{AuditQuery, AuditRecord};
use mingjing_store::changes::AccessChange;
use mingjing_store::disposal::Notification;
use mingjing_store::opinions::OpinionRequest;
use mingjing_store::{Alert, ModelRecord, ModelRun, Upload};
use std::collections::HashMap;

impl Platform {
    /// The metadata database answers.
    pub async fn health(&self) -> Result<(), AppError> {
        self.meta.setting("county").await?;
        Ok(())
    }

    pub async fn org_tree(&self) -> Result<Vec<OrgNode>, AppError> {
        Ok(self.meta.org_tree().await?)
    }

    pub async fn org_node(&self, id: i64) -> Result<Option<OrgNode>, AppError> {
        Ok(self.meta.org_node(id).await?)
    }

    pub async fn users(&self) -> Result<Vec<User>, AppError> {
        Ok(self.meta.users().await?)
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>, AppError> {
        Ok(self.meta.user(id).await?)
    }

    pub async fn roles(&self) -> Result<Vec<Role>, AppError> {
        Ok(self.meta.roles().await?)
    }

    /// Sessions not ended and not expired.
    pub async fn live_sessions(&self) -> Result<Vec<Session>, AppError> {
        Ok(self.meta.active_sessions(&self.clock().now_text()).await?)
    }

    /// Proposed access changes (only those waiting, when `pending_only`).
    pub async fn access_changes(&self, pending_only: bool) -> Result<Vec<AccessChange>, AppError> {
        Ok(self.meta.access_changes(pending_only).await?)
    }

    /// Every dataset type's uploaders, by type.
    pub async fn upload_rights(&self) -> Result<HashMap<String, Vec<Uploader>>, AppError> {
        Ok(self
            .meta
            .upload_rights()
            .await?
            .into_iter()
            .map(|(t, r)| (t, r.uploaders))
            .collect())
    }

    /// The audit log, newest first.
    pub async fn audit_records(&self, q: &AuditQuery) -> Result<Vec<AuditRecord>, AppError> {
        Ok(self.meta.audit_records(q).await?)
    }

    /// Removes audit records older than `keep_days` (the policy's retention); the removal is
    /// itself recorded, by the platform.
    pub async fn prune_audit_log(&self, keep_days: u32) -> Result<u64, AppError> {
        Ok(self
            .meta
            .prune_audit(
                keep_days,
                &Actor::system().entry("audit.prune", "audit_log", "ok"),
            )
            .await?)
    }

    pub async fn dataset_types(&self) -> Result<Vec<DatasetType>, AppError> {
        Ok(self.meta.dataset_types().await?)
    }

    /// Uploads of the organisations `scope` sees, newest first.
    pub async fn uploads_in(&self, scope: &Scope) -> Result<Vec<Upload>, AppError> {
        Ok(self
            .meta
            .uploads(None)
            .await?
            .into_iter()
            .filter(|u| scope.sees_org(u.org_id))
            .collect())
    }

    /// One upload, if `scope` sees its organisation (another unit's looks absent).
    pub async fn upload_in(&self, scope: &Scope, id: i64) -> Result<Option<Upload>, AppError> {
        Ok(self
            .meta
            .upload(id)
            .await?
            .filter(|u| scope.sees_org(u.org_id)))
    }

    /// The latest model runs, newest first.
    pub async fn runs(&self, limit: i64) -> Result<Vec<ModelRun>, AppError> {
        Ok(self.meta.runs(limit).await?)
    }

    pub async fn model_records(&self) -> Result<Vec<ModelRecord>, AppError> {
        Ok(self.meta.models().await?)
    }

    /// Each model's name, by id.
    /// The livelihood programmes the platform knows (the standard's and those defined since).
    pub async fn programs(&self) -> Result<Vec<mingjing_domain::Program>, AppError> {
        Ok(self.meta.programs().await?)
    }

    pub async fn model_names(&self) -> Result<HashMap<String, String>, AppError> {
        Ok(self
            .library()
            .await?
            .into_iter()
            .map(|m| (m.record.id, m.spec.name))
            .collect())
    }

    pub async fn opinion_requests(&self) -> Result<Vec<OpinionRequest>, AppError> {
        Ok(self.meta.opinion_requests().await?)
    }

    /// The alerts about one subject that `scope` sees.
    pub async fn alerts_on_subject_in(
        &self,
        scope: &Scope,
        subject: &str,
    ) -> Result<Vec<Alert>, AppError> {
        Ok(self
            .meta
            .alerts_on_subject(subject)
            .await?
            .into_iter()
            .filter(|a| scope.sees_alert(a))
            .collect())
    }

    /// What an account must act on (to it, its unit, or its role's permissions), newest
    /// first, at most `limit`.
    pub async fn notifications_for(
        &self,
        user: &User,
        org_id: i64,
        role: &Role,
        limit: i64,
    ) -> Result<Vec<Notification>, AppError> {
        let permissions: Vec<String> = role
            .permissions
            .iter()
            .map(|p| p.code().to_string())
            .collect();
        Ok(self
            .meta
            .notifications_for(user.id, org_id, &permissions, limit)
            .await?)
    }

    pub async fn mark_notification_read(&self, id: i64, user_id: i64) -> Result<(), AppError> {
        Ok(self.meta.mark_notification_read(id, user_id).await?)
    }
}
