//! Who performs an action: what every audit record names, whether the action came over HTTP,
//! from the command line or from the platform itself.

use mingjing_store::audit::AuditEntry;

/// The organisation the platform's own actions are recorded under.
pub const SYSTEM_ORG: &str = "县纪委监委";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account's user name (`system` for the platform itself, the operating-system user
    /// for the command line).
    pub username: String,
    /// The role's code.
    pub role: String,
    /// The organisation's name.
    pub org: String,
    /// Where the action came from: the client's address, or `local`.
    pub source: String,
}

impl Actor {
    /// The platform itself (seeding, schedules, housekeeping).
    pub fn system() -> Self {
        Actor {
            username: "system".into(),
            role: "system".into(),
            org: SYSTEM_ORG.into(),
            source: "local".into(),
        }
    }

    /// An operator at the machine's command line (`cli:<user>`), who holds no account.
    pub fn operator(os_user: &str) -> Self {
        Actor {
            username: format!("cli:{os_user}"),
            role: "operator".into(),
            org: SYSTEM_ORG.into(),
            source: "local".into(),
        }
    }

    /// The audit record of this actor's action; the service fills in the detail.
    pub fn entry(&self, action: &str, object: impl Into<String>, result: &str) -> AuditEntry {
        AuditEntry {
            actor: self.username.clone(),
            role: self.role.clone(),
            org: self.org.clone(),
            action: action.into(),
            object: object.into(),
            result: result.into(),
            source: self.source.clone(),
            detail: String::new(),
        }
    }
}

impl crate::Platform {
    /// The audit record of a request refused before any service ran: a route the account's
    /// role may not use, a request without its CSRF token, a file over the size limit, a
    /// socket from another origin. The refusal itself is the server's; the record is here.
    pub async fn record_refusal(
        &self,
        actor: &Actor,
        action: &str,
        object: &str,
        result: &str,
        detail: &str,
    ) -> Result<(), crate::AppError> {
        let mut e = actor.entry(action, object, result);
        e.detail = detail.into();
        self.meta.audit(&e).await?;
        Ok(())
    }

    /// Verifies the audit chain from its first record to the head, and records that it was
    /// verified, and what it showed (`audit.verify`). `Ok(Err(..))` names the first record
    /// that breaks it.
    pub async fn verify_audit_log(
        &self,
        actor: &Actor,
    ) -> Result<Result<i64, mingjing_store::audit::ChainBreak>, crate::AppError> {
        let result = self.meta.verify_audit().await?;
        let outcome = if result.is_ok() { "ok" } else { "failed" };
        self.meta
            .audit(&actor.entry("audit.verify", "audit_log", outcome))
            .await?;
        Ok(result)
    }
}
