//! Accounts, roles, organisations and sessions. Every change is written with its audit record
//! in one transaction. Passwords arrive hashed: the store never sees one.

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::meta::{Result, SqlStore};
use mingjing_domain::access::{AdminKind, DataScope, Permission, Role};
use sqlx::Row;
use std::str::FromStr;

/// An organisation of the tree.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct OrgNode {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub code: String,
    pub town: String,
    pub sort_order: i64,
}

#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct NewOrg {
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
    pub code: String,
    pub town: String,
    pub sort_order: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    pub password_changed_at: String,
    pub must_change: bool,
    pub enabled: bool,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    #[serde(skip)]
    pub totp_secret: Option<String>,
}

#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub role: String,
    pub password_hash: String,
    pub must_change: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Session {
    #[serde(skip)]
    pub token_hash: String,
    pub user_id: i64,
    #[serde(skip)]
    pub csrf_token: String,
    pub source: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub ended_at: Option<String>,
}

/// `SELECT` of users' columns, followed by the given clauses (sqlx takes only literal SQL).
macro_rules! select_users {
    ($rest:literal) => {
        concat!(
            "SELECT id, username, display_name, org_id, role, password_hash, password_changed_at, \
             must_change, enabled, failed_logins, locked_until, totp_secret FROM users ",
            $rest
        )
    };
}

/// The place a user's second-factor secret is sealed for: it opens in that row only.
pub(crate) fn totp_context(user_id: i64) -> String {
    format!("users.totp_secret/{user_id}")
}

fn decode_user(store: &SqlStore, r: &sqlx::any::AnyRow) -> Result<User> {
    let id: i64 = r.try_get("id")?;
    let sealed: Option<String> = r.try_get("totp_secret")?;
    // Only sealed secrets are accepted: one written in the clear into the database (to take
    // over an account's second factor) is refused, not used.
    let totp_secret = sealed
        .map(|v| store.open_totp(&totp_context(id), &v))
        .transpose()?;
    Ok(User {
        id,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        org_id: r.try_get("org_id")?,
        role: r.try_get("role")?,
        password_hash: r.try_get("password_hash")?,
        password_changed_at: r.try_get("password_changed_at")?,
        must_change: r.try_get::<i64, _>("must_change")? == 1,
        enabled: r.try_get::<i64, _>("enabled")? == 1,
        failed_logins: r.try_get("failed_logins")?,
        locked_until: r.try_get("locked_until")?,
        totp_secret,
    })
}

fn decode_org(r: &sqlx::any::AnyRow) -> Result<OrgNode> {
    Ok(OrgNode {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        parent_id: r.try_get("parent_id")?,
        code: r.try_get("code")?,
        town: r.try_get("town")?,
        sort_order: r.try_get("sort_order")?,
    })
}

fn decode_session(r: &sqlx::any::AnyRow) -> Result<Session> {
    Ok(Session {
        token_hash: r.try_get("token_hash")?,
        user_id: r.try_get("user_id")?,
        csrf_token: r.try_get("csrf_token")?,
        source: r.try_get("source")?,
        created_at: r.try_get("created_at")?,
        last_seen_at: r.try_get("last_seen_at")?,
        expires_at: r.try_get("expires_at")?,
        ended_at: r.try_get("ended_at")?,
    })
}

/// `SELECT` of sessions' columns, followed by the given clauses (sqlx takes only literal SQL).
macro_rules! select_sessions {
    ($rest:literal) => {
        concat!(
            "SELECT token_hash, user_id, csrf_token, source, created_at, last_seen_at, expires_at, ended_at \
             FROM sessions ",
            $rest
        )
    };
}

impl SqlStore {
    // ---- organisations -------------------------------------------------------------

    pub async fn org_tree(&self) -> Result<Vec<OrgNode>> {
        let rows = sqlx::query(
            "SELECT id, name, kind, parent_id, code, town, sort_order FROM orgs ORDER BY sort_order, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(decode_org).collect()
    }

    pub async fn org_node(&self, id: i64) -> Result<Option<OrgNode>> {
        let row = sqlx::query(
            "SELECT id, name, kind, parent_id, code, town, sort_order FROM orgs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(decode_org).transpose()
    }

    pub async fn create_org(&self, o: &NewOrg, audit: &AuditEntry) -> Result<i64> {
        if o.name.trim().is_empty() {
            return Err(StoreError::Invalid("机构名称不能为空".into()));
        }
        Ok(audited!(self, [audit], |tx| {
            if let Some(p) = o.parent_id {
                let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM orgs WHERE id = $1")
                    .bind(p)
                    .fetch_optional(&mut *tx)
                    .await?;
                if exists.is_none() {
                    return Err(StoreError::Invalid(format!("上级机构 {p} 不存在")));
                }
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO orgs (name, kind, parent_id, created_at, code, town, sort_order) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(o.name.trim())
            .bind(&o.kind)
            .bind(o.parent_id)
            .bind(self.now_text())
            .bind(&o.code)
            .bind(&o.town)
            .bind(o.sort_order)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                e if e.is_unique_violation() => {
                    StoreError::Invalid(format!("机构名称“{}”已存在", o.name.trim()))
                }
                e => e,
            })?;
            id
        }))
    }

    pub async fn update_org(&self, id: i64, o: &NewOrg, audit: &AuditEntry) -> Result<()> {
        self.check_org_parent(id, o.parent_id).await?;
        audited!(self, [audit], |tx| {
            update_org_tx(&mut tx, id, o).await?;
        });
        Ok(())
    }

    /// A parent below the organisation itself would make a cycle.
    pub(crate) async fn check_org_parent(&self, id: i64, parent: Option<i64>) -> Result<()> {
        let tree = self.org_tree().await?;
        let mut p = parent;
        while let Some(pid) = p {
            if pid == id {
                return Err(StoreError::Invalid("上级机构不能是本机构或其下级".into()));
            }
            p = tree.iter().find(|n| n.id == pid).and_then(|n| n.parent_id);
        }
        Ok(())
    }

    // ---- roles ---------------------------------------------------------------------

    /// Writes roles that are not there yet (first start).
    pub async fn install_roles(&self, roles: &[Role]) -> Result<()> {
        let mut tx = self.begin().await?;
        for r in roles {
            let n = sqlx::query(
                "INSERT INTO roles (code, name, data_scope, admin_kind, builtin, updated_at) \
                 VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (code) DO NOTHING",
            )
            .bind(&r.code)
            .bind(&r.name)
            .bind(r.scope.code())
            .bind(r.admin.map(AdminKind::code).unwrap_or(""))
            .bind(self.now_text())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 1 {
                insert_permissions(&mut tx, r).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn roles(&self) -> Result<Vec<Role>> {
        let rows =
            sqlx::query("SELECT code, name, data_scope, admin_kind FROM roles ORDER BY code")
                .fetch_all(self.pool())
                .await?;
        let perms = sqlx::query("SELECT role, permission FROM role_permissions")
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let code: String = r.try_get("code")?;
            let scope: String = r.try_get("data_scope")?;
            let admin: String = r.try_get("admin_kind")?;
            let mut permissions = Vec::new();
            for p in &perms {
                if p.try_get::<String, _>("role")? == code {
                    let name: String = p.try_get("permission")?;
                    // A permission a newer release removed is simply not held.
                    if let Ok(p) = Permission::from_str(&name) {
                        permissions.push(p);
                    }
                }
            }
            permissions.sort();
            out.push(Role {
                code,
                name: r.try_get("name")?,
                scope: DataScope::from_str(&scope).map_err(StoreError::Corrupt)?,
                admin: AdminKind::parse(&admin),
                permissions,
            });
        }
        Ok(out)
    }

    /// Changes a role's name, scope and permissions (its administrator kind never changes).
    pub async fn update_role(&self, role: &Role, audit: &AuditEntry) -> Result<()> {
        role.validate().map_err(StoreError::Invalid)?;
        audited!(self, [audit], |tx| {
            let admin: Option<String> =
                sqlx::query_scalar("SELECT admin_kind FROM roles WHERE code = $1")
                    .bind(&role.code)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(admin) = admin else {
                return Err(StoreError::NotFound(format!("role {}", role.code)));
            };
            if AdminKind::parse(&admin) != role.admin {
                return Err(StoreError::Invalid("角色的管理员类别不能更改".into()));
            }
            sqlx::query(
                "UPDATE roles SET name = $1, data_scope = $2, updated_at = $3 WHERE code = $4",
            )
            .bind(&role.name)
            .bind(role.scope.code())
            .bind(self.now_text())
            .bind(&role.code)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM role_permissions WHERE role = $1")
                .bind(&role.code)
                .execute(&mut *tx)
                .await?;
            insert_permissions(&mut tx, role).await?;
        });
        Ok(())
    }

    // ---- users ---------------------------------------------------------------------

    pub async fn create_user(&self, u: &NewUser, audit: &AuditEntry) -> Result<i64> {
        Ok(audited!(self, [audit], |tx| {
            insert_user_tx(&mut tx, u, &self.now_text()).await?
        }))
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(select_users!("WHERE username = $1"))
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(|r| decode_user(self, r)).transpose()
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        let row = sqlx::query(select_users!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(|r| decode_user(self, r)).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(select_users!("ORDER BY id"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| decode_user(self, r)).collect()
    }

    /// Changes an account's name, organisation, role or enabled flag. Disabling it, or changing
    /// what it may do or see, ends its sessions in the same transaction.
    pub async fn update_user(
        &self,
        id: i64,
        change: &UserUpdate,
        audit: &AuditEntry,
    ) -> Result<()> {
        audited!(self, [audit], |tx| {
            update_user_tx(&mut tx, id, change, &self.now_text()).await?;
        });
        Ok(())
    }

    /// The latest `n` password hashes of an account (for the history rule).
    pub async fn password_history(&self, user_id: i64, n: u32) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT password_hash FROM password_history WHERE user_id = $1 \
             ORDER BY changed_at DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(i64::from(n))
        .fetch_all(self.pool())
        .await?)
    }

    /// Sets a new password (already checked and hashed) and ends every session of the account.
    pub async fn set_password(
        &self,
        user_id: i64,
        hash: &str,
        must_change: bool,
        audit: &AuditEntry,
    ) -> Result<()> {
        audited!(self, [audit], |tx| {
            let at = self.now_text();
            sqlx::query(
                "UPDATE users SET password_hash = $1, password_changed_at = $2, must_change = $3, \
                 failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE id = $4",
            )
            .bind(hash)
            .bind(&at)
            .bind(i64::from(must_change))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO password_history (user_id, password_hash, changed_at) VALUES ($1, $2, $3)",
            )
            .bind(user_id)
            .bind(hash)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            end_sessions_tx(&mut tx, user_id, "password changed", &self.now_text()).await?;
        });
        Ok(())
    }

    pub async fn set_totp_secret(
        &self,
        user_id: i64,
        secret: Option<&str>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let sealed = secret
            .map(|s| self.seal_totp(&totp_context(user_id), s))
            .transpose()?;
        audited!(self, [audit], |tx| {
            sqlx::query("UPDATE users SET totp_secret = $1, updated_at = $2 WHERE id = $3")
                .bind(sealed)
                .bind(self.now_text())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// Claims one sign-in attempt before its password is checked: counts it as a failure and,
    /// at the `threshold`th, locks the account until `lock_until`, in one statement, so that a
    /// burst of parallel attempts cannot all be checked before the count catches up. `None`
    /// when the account is locked at `now` (the attempt must be refused unchecked); else the
    /// attempt's number since the last success or the last lock. A lock that has run out
    /// starts the count again. The attempt's outcome is recorded by `login_succeeded` (which
    /// clears the count) or by the caller's audit record of the failure.
    pub async fn claim_login_attempt(
        &self,
        user_id: i64,
        threshold: u32,
        now: &str,
        lock_until: &str,
    ) -> Result<Option<u32>> {
        let n: Option<i64> = sqlx::query_scalar(
            "UPDATE users SET \
               failed_logins = CASE WHEN locked_until IS NULL THEN failed_logins + 1 ELSE 1 END, \
               locked_until = CASE WHEN (CASE WHEN locked_until IS NULL THEN failed_logins + 1 ELSE 1 END) >= $2 \
                              THEN $3 ELSE NULL END \
             WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $4) \
             RETURNING failed_logins",
        )
        .bind(user_id)
        .bind(i64::from(threshold.max(1)))
        .bind(lock_until)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        Ok(n.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
    }

    /// Uses up a TOTP step for the account: `false` when that step or a later one was used
    /// already (a code is good once).
    pub async fn claim_totp_step(&self, user_id: i64, step: u64) -> Result<bool> {
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1 \
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Counts a failed login, locking the account at `threshold` failures until `lock_until`.
    pub async fn login_failed(
        &self,
        user_id: i64,
        threshold: u32,
        lock_until: &str,
        audit: &AuditEntry,
    ) -> Result<bool> {
        Ok(audited!(self, [audit], |tx| {
            let n: i64 = sqlx::query_scalar(
                "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
            )
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
            let locked = n >= i64::from(threshold);
            if locked {
                sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
                    .bind(lock_until)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            locked
        }))
    }

    /// Starts a session after a successful login, in one transaction with its audit record.
    pub async fn login_succeeded(&self, s: &Session, audit: &AuditEntry) -> Result<()> {
        audited!(self, [audit], |tx| {
            sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(s.user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, source, created_at, last_seen_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&s.token_hash)
            .bind(s.user_id)
            .bind(&s.csrf_token)
            .bind(&s.source)
            .bind(&s.created_at)
            .bind(&s.last_seen_at)
            .bind(&s.expires_at)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        let row = sqlx::query(select_sessions!("WHERE token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(decode_session).transpose()
    }

    /// A session with the access generation (`access_generation`: moved by every change to
    /// accounts, roles, organisations and settings), in one query: while the generation
    /// stands, what a server keeps of the session's access is current.
    pub async fn session_and_generation(&self, token_hash: &str) -> Result<Option<(Session, i64)>> {
        let row = sqlx::query(
            "SELECT token_hash, user_id, csrf_token, source, created_at, last_seen_at, expires_at, \
             ended_at, (SELECT n FROM access_generation WHERE id = 1) AS generation \
             FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref()
            .map(|r| Ok((decode_session(r)?, r.try_get("generation")?)))
            .transpose()
    }

    /// The access generation now (see [`SqlStore::session_and_generation`]).
    pub async fn access_generation(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT n FROM access_generation WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    pub async fn touch_session(&self, token_hash: &str, at: &str) -> Result<()> {
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND ended_at IS NULL",
        )
        .bind(at)
        .bind(token_hash)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Ends one session (logout, expiry, or an administrator ending it).
    pub async fn end_session(
        &self,
        token_hash: &str,
        reason: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        audited!(self, [audit], |tx| {
            sqlx::query(
                "UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE token_hash = $3 AND ended_at IS NULL",
            )
            .bind(self.now_text())
            .bind(reason)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Ends every session of an account (logout everywhere).
    pub async fn end_user_sessions(
        &self,
        user_id: i64,
        reason: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        audited!(self, [audit], |tx| {
            end_sessions_tx(&mut tx, user_id, reason, &self.now_text()).await?;
        });
        Ok(())
    }

    /// Live sessions, newest first.
    pub async fn active_sessions(&self, now_utc: &str) -> Result<Vec<Session>> {
        let rows = sqlx::query(select_sessions!(
            "WHERE ended_at IS NULL AND expires_at > $1 ORDER BY created_at DESC"
        ))
        .bind(now_utc)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(decode_session).collect()
    }

    /// A session by a prefix of its hash (how administrators name one without holding it).
    pub async fn session_by_id(&self, id: &str) -> Result<Option<Session>> {
        if id.len() < 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let row = sqlx::query(select_sessions!("WHERE token_hash LIKE $1"))
            .bind(format!("{id}%"))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(decode_session).transpose()
    }
}

async fn insert_permissions(tx: &mut sqlx::Transaction<'_, sqlx::Any>, role: &Role) -> Result<()> {
    for p in &role.permissions {
        sqlx::query("INSERT INTO role_permissions (role, permission) VALUES ($1, $2)")
            .bind(&role.code)
            .bind(p.code())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// An account's changeable fields.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct UserUpdate {
    pub display_name: String,
    pub org_id: i64,
    pub role: String,
    pub enabled: bool,
}

pub(crate) async fn insert_user_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    u: &NewUser,
    at: &str,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, org_id, role, password_hash, password_changed_at, \
         must_change, enabled, failed_logins, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, 0, $6, $6) RETURNING id",
    )
    .bind(&u.username)
    .bind(&u.display_name)
    .bind(u.org_id)
    .bind(&u.role)
    .bind(&u.password_hash)
    .bind(at)
    .bind(i64::from(u.must_change))
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        e if e.is_unique_violation() => {
            StoreError::Invalid(format!("用户名“{}”已存在", u.username))
        }
        e => e,
    })?;
    sqlx::query(
        "INSERT INTO password_history (user_id, password_hash, changed_at) VALUES ($1, $2, $3)",
    )
    .bind(id)
    .bind(&u.password_hash)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub(crate) async fn update_user_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    u: &UserUpdate,
    at: &str,
) -> Result<()> {
    let before: Option<(i64, String)> =
        sqlx::query_as("SELECT org_id, role FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((org_before, role_before)) = before else {
        return Err(StoreError::NotFound(format!("user {id}")));
    };
    sqlx::query(
        "UPDATE users SET display_name = $1, org_id = $2, role = $3, enabled = $4, updated_at = $5 \
         WHERE id = $6",
    )
    .bind(&u.display_name)
    .bind(u.org_id)
    .bind(&u.role)
    .bind(i64::from(u.enabled))
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    if !u.enabled {
        end_sessions_tx(tx, id, "account disabled", at).await?;
    } else if org_before != u.org_id || role_before != u.role {
        // A session keeps the rights it was opened with: changed rights need a new sign-in.
        end_sessions_tx(tx, id, "role or organisation changed", at).await?;
    }
    Ok(())
}

pub(crate) async fn update_org_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    o: &NewOrg,
) -> Result<()> {
    let n = sqlx::query(
        "UPDATE orgs SET name = $1, kind = $2, parent_id = $3, code = $4, town = $5, sort_order = $6 \
         WHERE id = $7",
    )
    .bind(o.name.trim())
    .bind(&o.kind)
    .bind(o.parent_id)
    .bind(&o.code)
    .bind(&o.town)
    .bind(o.sort_order)
    .bind(id)
    .execute(&mut **tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        e if e.is_unique_violation() => {
            StoreError::Invalid(format!("机构名称“{}”已存在", o.name.trim()))
        }
        e => e,
    })?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound(format!("org {id}")));
    }
    Ok(())
}

async fn end_sessions_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    reason: &str,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE user_id = $3 AND ended_at IS NULL",
    )
    .bind(at)
    .bind(reason)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
