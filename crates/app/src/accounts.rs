//! Accounts and sessions: signing in and out (lockout, throttling, the second factor, a new
//! session id each time), a live session resolved from its token, passwords (the policy, the
//! account's history, Argon2id off the async runtime), TOTP enrolment (RFC 6238) and the
//! security policy. Every outcome is audited here, whoever asked (HTTP or the command line).
//! An unknown account, a wrong password, a disabled and a locked account get one answer.

use crate::{Actor, AppError, Platform};
use chrono::{DateTime, Duration, Utc};
use mingjing_crypto::otp;
use mingjing_domain::access::{PasswordError, Role, SecurityPolicy};
use mingjing_store::StoreError;
use mingjing_store::access::{OrgNode, Session, User};
use mingjing_store::audit::AuditEntry;

pub use mingjing_crypto::otp::{base32_decode, base32_encode};

/// The setting that holds the security policy (JSON).
pub const POLICY_SETTING: &str = "security_policy";

/// Why a sign-in was refused. Unknown accounts, wrong passwords, disabled and locked accounts
/// are all `BadCredentials`, so that the answer says nothing about which.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInRefusal {
    #[error("wrong user name or password (locked for {minutes} min after {threshold} failures)")]
    BadCredentials { threshold: u32, minutes: u32 },
    #[error("too many attempts: try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    #[error("the account's second factor is required")]
    TotpRequired,
    #[error("wrong or reused second-factor code")]
    BadTotp,
}

/// What signing in needs.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub username: String,
    pub password: String,
    pub totp: Option<String>,
    /// The client's address.
    pub source: String,
    /// The session token the client held before, ended by this sign-in.
    pub previous_token: Option<String>,
}

/// A new session: the token goes to the client once and is stored only as its digest.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user_id: i64,
    pub token: String,
    pub csrf_token: String,
    /// Until the absolute timeout.
    pub max_age_secs: i64,
}

/// A live session and whose it is.
#[derive(Debug, Clone)]
pub struct SessionHolder {
    pub user: User,
    pub role: Role,
    pub org: OrgNode,
    pub session: Session,
    /// The security policy in force.
    pub policy: SecurityPolicy,
    /// What the account sees.
    pub scope: crate::scope::Scope,
}

/// What a session's access was made of at one access generation.
#[derive(Clone)]
pub(crate) struct Kept {
    generation: i64,
    policy: SecurityPolicy,
    /// `None` when the account is gone.
    access: Option<Box<KeptAccess>>,
}

#[derive(Clone)]
struct KeptAccess {
    user: User,
    role: Option<Role>,
    org: Option<OrgNode>,
    scope: Option<crate::scope::Scope>,
}

/// A live account's access, all its parts present.
struct Access {
    user: User,
    role: Role,
    org: OrgNode,
    scope: crate::scope::Scope,
}

impl KeptAccess {
    /// The access of an enabled account whose role and organisation exist.
    fn checked(self) -> Result<Access, AppError> {
        if !self.user.enabled {
            return Err(AppError::SessionExpired);
        }
        let gone = || AppError::NotPermitted("账号的角色或所属机构已不存在".into());
        match (self.role, self.org, self.scope) {
            (Some(role), Some(org), Some(scope)) => Ok(Access {
                user: self.user,
                role,
                org,
                scope,
            }),
            _ => Err(gone()),
        }
    }
}

/// Sessions' access kept by this process, by session token hash; bounded, emptied when full.
#[derive(Default)]
pub(crate) struct AccessKept(std::sync::Mutex<std::collections::HashMap<String, Kept>>);

/// Sessions whose access one process keeps at most.
const ACCESS_KEPT_MAX: usize = 20_000;

impl AccessKept {
    fn get(&self, hash: &str, generation: i64) -> Option<Kept> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(hash)
            .filter(|k| k.generation == generation)
            .cloned()
    }

    fn put(&self, hash: &str, kept: Kept) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= ACCESS_KEPT_MAX {
            map.clear();
        }
        map.insert(hash.to_string(), kept);
    }
}

impl SessionHolder {
    pub fn actor(&self, source: &str) -> Actor {
        Actor {
            username: self.user.username.clone(),
            role: self.role.code.clone(),
            org: self.org.name.clone(),
            source: source.into(),
        }
    }
}

/// A new second factor waiting for its first code.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct TotpSetup {
    pub secret: String,
    pub otpauth_uri: String,
}

/// Hashes a password on a blocking thread (Argon2id is deliberately slow).
pub async fn hash_password(password: String) -> String {
    tokio::task::spawn_blocking(move || mingjing_crypto::password::hash(&password))
        .await
        .expect("hashing does not panic")
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || mingjing_crypto::password::verify(&password, &hash))
        .await
        .expect("verifying does not panic")
}

/// A hash to verify against when the account does not exist, so that the answer takes as
/// long as for a wrong password.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| mingjing_crypto::password::hash("not a real password: timing equaliser"))
}

/// Random bytes as hex (session tokens, CSRF tokens, one-time passwords, report ids).
pub fn random_hex(bytes: usize) -> String {
    mingjing_crypto::random_hex(bytes)
}

/// What a session token is stored as: its SM3 digest (the token itself is never stored).
pub fn token_hash(token: &str) -> String {
    mingjing_crypto::sm::sm3_hex(token.as_bytes())
}

/// A new second-factor secret (base32).
pub(crate) fn new_totp_secret() -> String {
    otp::new_secret()
}

/// The TOTP code of a 30-second step (what an authenticator shows).
pub fn totp_code(secret: &[u8], step: u64) -> String {
    otp::code(secret, step)
}

/// The step a code belongs to: the current one or one either side (clock drift).
fn totp_step(secret_b32: &str, code: &str, unix: i64) -> Option<u64> {
    otp::matching_step(secret_b32, code, unix)
}

fn ts(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Whether the account's password is older than the policy allows.
pub fn password_expired(user: &User, max_age_days: u32, now: DateTime<Utc>) -> bool {
    parse_ts(&user.password_changed_at)
        .is_none_or(|d| now - d > Duration::days(i64::from(max_age_days)))
}

fn pending_totp_key(user_id: i64) -> String {
    format!("totp_pending.{user_id}")
}

impl Platform {
    /// The security policy in force (the default until an administrator sets one).
    pub async fn policy(&self) -> Result<SecurityPolicy, AppError> {
        match self.meta.setting(POLICY_SETTING).await? {
            None => Ok(SecurityPolicy::default()),
            Some(s) => serde_json::from_str(&s)
                .map_err(|e| StoreError::Corrupt(format!("policy: {e}")).into()),
        }
    }

    /// Replaces the security policy, audited in the same transaction.
    pub async fn set_policy(&self, actor: &Actor, policy: &SecurityPolicy) -> Result<(), AppError> {
        policy.validate().map_err(AppError::InvalidPolicy)?;
        let text = serde_json::to_string(policy).expect("a policy serialises");
        let mut e = actor.entry("policy.update", "policy", "ok");
        e.detail = text.clone();
        let store = &self.meta;
        let mut tx = store.begin().await?;
        mingjing_store::meta::set_setting_tx(&mut tx, POLICY_SETTING, &text).await?;
        let head = store.append_audit(&mut tx, &e).await?;
        tx.commit().await.map_err(StoreError::from)?;
        store.audit_committed(&head)?;
        Ok(())
    }

    /// Checks a new password against the policy and, for an existing account, its history.
    pub async fn check_new_password(
        &self,
        policy: &SecurityPolicy,
        user_id: Option<i64>,
        username: &str,
        password: &str,
    ) -> Result<(), AppError> {
        policy
            .check_password(password, username)
            .map_err(|e| AppError::WeakPassword(e.to_string()))?;
        if let Some(id) = user_id {
            for old in self
                .meta
                .password_history(id, policy.history.max(1))
                .await?
            {
                if verify_password(password.to_string(), old).await {
                    return Err(AppError::WeakPassword(PasswordError::Reused.to_string()));
                }
            }
        }
        Ok(())
    }

    /// A new password checked against the policy and hashed, for an account being created.
    pub async fn new_account_password(
        &self,
        username: &str,
        password: String,
    ) -> Result<String, AppError> {
        let policy = self.policy().await?;
        self.check_new_password(&policy, None, username, &password)
            .await?;
        Ok(hash_password(password).await)
    }

    /// Signs in: throttled per source and account name, the attempt counted (and the account
    /// locked at the threshold) before the slow password check, the second factor for accounts
    /// that enrolled one (each code good once), and a new session whose token replaces any the
    /// client held. Every attempt is audited.
    pub async fn sign_in(&self, s: SignIn) -> Result<SignedIn, AppError> {
        let store = &self.meta;
        let policy = self.policy().await?;
        let now = self.clock().now();
        let username: String = s.username.trim().chars().take(64).collect();
        // What the log may say about a name that matched no account: never a typed password.
        let attempt = |result: &str, detail: &str| AuditEntry {
            actor: username.clone(),
            action: "auth.login".into(),
            object: "-".into(),
            result: result.into(),
            source: s.source.clone(),
            detail: detail.into(),
            ..Default::default()
        };
        let refused = || {
            AppError::SignIn(SignInRefusal::BadCredentials {
                threshold: policy.lockout_threshold,
                minutes: policy.lockout_minutes,
            })
        };
        if let Err(retry_after_secs) = self.sign_in_throttle.admit(&s.source, &username, now) {
            store.audit(&attempt("refused", "throttled")).await?;
            return Err(AppError::SignIn(SignInRefusal::Throttled {
                retry_after_secs,
            }));
        }
        let Some(user) = store.user_by_name(&username).await? else {
            verify_password(s.password, dummy_hash().to_string()).await;
            store.audit(&attempt("failed", "unknown account")).await?;
            return Err(refused());
        };
        let mut entry = attempt("failed", "");
        entry.object = format!("user:{}", user.id);
        entry.role = user.role.clone();
        if !user.enabled {
            verify_password(s.password, dummy_hash().to_string()).await;
            entry.detail = "account disabled".into();
            store.audit(&entry).await?;
            return Err(refused());
        }
        let until = ts(now + Duration::minutes(i64::from(policy.lockout_minutes)));
        // Counted before the slow check, in one statement: a burst of parallel guesses cannot
        // outrun the count.
        let Some(attempt_no) = store
            .claim_login_attempt(user.id, policy.lockout_threshold, &ts(now), &until)
            .await?
        else {
            entry.detail = "account locked".into();
            store.audit(&entry).await?;
            return Err(refused());
        };
        let locked_now = attempt_no >= policy.lockout_threshold;
        let failed = |detail: &str| {
            let mut e = entry.clone();
            e.detail = detail.into();
            let lockout = locked_now.then(|| {
                let mut l = entry.clone();
                l.action = "auth.lockout".into();
                l.detail = format!("locked until {until}");
                l
            });
            (e, lockout)
        };
        if !verify_password(s.password, user.password_hash.clone()).await {
            self.audit_failure(failed("wrong password")).await?;
            return Err(refused());
        }
        if let Some(secret) = &user.totp_secret {
            let code = s.totp.as_deref().unwrap_or("").trim();
            if code.is_empty() {
                return Err(AppError::SignIn(SignInRefusal::TotpRequired));
            }
            let fresh = match totp_step(secret, code, now.timestamp()) {
                Some(step) => store.claim_totp_step(user.id, step).await?,
                None => false,
            };
            if !fresh {
                self.audit_failure(failed("wrong or reused totp")).await?;
                return Err(AppError::SignIn(SignInRefusal::BadTotp));
            }
        }
        // A new session id at every sign-in; whatever session the client held ends.
        if let Some(old) = s.previous_token {
            let h = token_hash(&old);
            if let Some(old) = store.session(&h).await?
                && old.ended_at.is_none()
            {
                let mut e = entry.clone();
                e.action = "auth.session_replaced".into();
                e.result = "ok".into();
                store.end_session(&h, "replaced at sign-in", &e).await?;
            }
        }
        let token = random_hex(32);
        let csrf_token = random_hex(32);
        let absolute = Duration::hours(i64::from(policy.absolute_timeout_hours));
        let session = Session {
            token_hash: token_hash(&token),
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            source: s.source.clone(),
            created_at: ts(now),
            last_seen_at: ts(now),
            expires_at: ts(now + absolute),
            ended_at: None,
        };
        entry.result = "ok".into();
        entry.detail = String::new();
        store.login_succeeded(&session, &entry).await?;
        self.sign_in_throttle.succeeded(&s.source, &username, now);
        Ok(SignedIn {
            user_id: user.id,
            token,
            csrf_token,
            max_age_secs: absolute.num_seconds(),
        })
    }

    async fn audit_failure(
        &self,
        (failure, lockout): (AuditEntry, Option<AuditEntry>),
    ) -> Result<(), AppError> {
        self.meta.audit(&failure).await?;
        if let Some(l) = lockout {
            self.meta.audit(&l).await?;
        }
        Ok(())
    }

    /// Ends every session of the actor's account.
    pub async fn sign_out(&self, actor: &Actor, user_id: i64) -> Result<(), AppError> {
        let e = actor.entry("auth.logout", format!("user:{user_id}"), "ok");
        self.meta.end_user_sessions(user_id, "logout", &e).await?;
        Ok(())
    }

    /// The live session behind a token, or `None` when the token names no session. A session
    /// past its absolute or idle limit is ended (audited) and answered `SessionExpired`, as is
    /// an ended one or one whose account is disabled. Last-seen is written at most once a
    /// minute, so that reads do not write.
    pub async fn resolve_session(
        &self,
        token: &str,
        source: &str,
    ) -> Result<Option<SessionHolder>, AppError> {
        let hash = token_hash(token);
        let store = &self.meta;
        let Some((session, generation)) = store.session_and_generation(&hash).await? else {
            return Ok(None);
        };
        if session.ended_at.is_some() {
            return Err(AppError::SessionExpired);
        }
        // What the session's access is made of, read again only when something it is made of
        // changed (the generation moved) or another session's entry pushed it out.
        let kept = match self.access_kept.get(&hash, generation) {
            Some(k) => k,
            None => {
                let k = self.access_of(&session, generation).await?;
                self.access_kept.put(&hash, k.clone());
                k
            }
        };
        let now = self.clock().now();
        let at = |s: &str| parse_ts(s).unwrap_or(now);
        let idle_limit = at(&session.last_seen_at)
            + Duration::minutes(i64::from(kept.policy.idle_timeout_minutes));
        let expired = if now >= at(&session.expires_at) {
            Some("absolute timeout")
        } else if now >= idle_limit {
            Some("idle timeout")
        } else {
            None
        };
        let Some(access) = kept.access else {
            return Err(AppError::SessionExpired);
        };
        let access = *access;
        if let Some(reason) = expired {
            let e = AuditEntry {
                actor: access.user.username.clone(),
                action: "auth.session_expired".into(),
                object: format!("user:{}", access.user.id),
                result: "ok".into(),
                source: source.into(),
                detail: reason.into(),
                ..Default::default()
            };
            store.end_session(&hash, reason, &e).await?;
            return Err(AppError::SessionExpired);
        }
        let Access {
            user,
            role,
            org,
            scope,
        } = access.checked()?;
        if now - at(&session.last_seen_at) > Duration::seconds(60) {
            store.touch_session(&hash, &ts(now)).await?;
        }
        Ok(Some(SessionHolder {
            user,
            role,
            org,
            session,
            policy: kept.policy,
            scope,
        }))
    }

    /// Reads what a session's access is made of.
    async fn access_of(&self, session: &Session, generation: i64) -> Result<Kept, AppError> {
        let store = &self.meta;
        let policy = self.policy().await?;
        let Some(user) = store.user(session.user_id).await? else {
            return Ok(Kept {
                generation,
                policy,
                access: None,
            });
        };
        let role = store
            .roles()
            .await?
            .into_iter()
            .find(|r| r.code == user.role);
        let org = store.org_node(user.org_id).await?;
        let scope = match (&role, &org) {
            (Some(r), Some(o)) => Some(self.scope(r, o).await?),
            _ => None,
        };
        Ok(Kept {
            generation,
            policy,
            access: Some(Box::new(KeptAccess {
                user,
                role,
                org,
                scope,
            })),
        })
    }

    /// Whether the session behind a token is still live, without touching it: long-lived
    /// channels (chat) ask now and then and close when it says no.
    pub async fn session_is_live(&self, token: &str) -> bool {
        let store = &self.meta;
        let Ok(Some(session)) = store.session(&token_hash(token)).await else {
            return false;
        };
        let Ok(policy) = self.policy().await else {
            return false;
        };
        let now = self.clock().now();
        let (Some(expires), Some(seen)) = (
            parse_ts(&session.expires_at),
            parse_ts(&session.last_seen_at),
        ) else {
            return false;
        };
        session.ended_at.is_none()
            && now < expires
            && now < seen + Duration::minutes(i64::from(policy.idle_timeout_minutes))
            && matches!(store.user(session.user_id).await, Ok(Some(u)) if u.enabled)
    }

    /// One's own password changed: a wrong old password counts as a failed sign-in (a session
    /// is not a licence to guess), counted before the check; a locked account changes
    /// nothing. Every session of the account ends, the caller's included.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        user: &User,
        old_password: String,
        new_password: String,
    ) -> Result<(), AppError> {
        let policy = self.policy().await?;
        let now = self.clock().now();
        let until = ts(now + Duration::minutes(i64::from(policy.lockout_minutes)));
        let claimed = self
            .meta
            .claim_login_attempt(user.id, policy.lockout_threshold, &ts(now), &until)
            .await?;
        let right =
            claimed.is_some() && verify_password(old_password, user.password_hash.clone()).await;
        if !right {
            let mut e = actor.entry(
                "auth.password_change",
                format!("user:{}", user.id),
                "failed",
            );
            e.detail = if claimed.is_none() {
                "account locked"
            } else {
                "wrong old password"
            }
            .into();
            let lockout = claimed
                .is_some_and(|n| n >= policy.lockout_threshold)
                .then(|| {
                    let mut l = e.clone();
                    l.action = "auth.lockout".into();
                    l.detail = format!("locked until {until}");
                    l
                });
            self.audit_failure((e, lockout)).await?;
            return Err(AppError::Invalid("原密码不正确".into()));
        }
        self.check_new_password(&policy, Some(user.id), &user.username, &new_password)
            .await?;
        let hash = hash_password(new_password).await;
        let e = actor.entry("auth.password_change", format!("user:{}", user.id), "ok");
        self.meta.set_password(user.id, &hash, false, &e).await?;
        Ok(())
    }

    /// An administrator sets another account's password; it must be changed at next sign-in.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        user_id: i64,
        password: String,
    ) -> Result<(), AppError> {
        let user = self
            .meta
            .user(user_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("账号 {user_id} 不存在")))?;
        // One's own password is changed with the old one (and counted as a sign-in when
        // wrong): a reset of one's own would let a stolen session take the account.
        if user.username == actor.username {
            return Err(AppError::NotPermitted(
                "不能重置自己的密码，请通过“修改密码”输入原密码后修改".into(),
            ));
        }
        let policy = self.policy().await?;
        self.check_new_password(&policy, Some(user_id), &user.username, &password)
            .await?;
        let hash = hash_password(password).await;
        let e = actor.entry("user.password_reset", format!("user:{user_id}"), "ok");
        self.meta.set_password(user_id, &hash, true, &e).await?;
        Ok(())
    }

    /// Starts enrolling a second factor. A first enrolment needs the session only; replacing
    /// an enrolled factor also needs the password and a current code (`reenrol`), so that a
    /// hijacked session cannot take the account over. The new secret waits sealed for its
    /// confirming code.
    pub async fn start_totp_enrolment(
        &self,
        actor: &Actor,
        user: &User,
        reenrol: Option<(String, String)>,
    ) -> Result<TotpSetup, AppError> {
        if let Some(enrolled) = &user.totp_secret {
            let (password, code) = reenrol.unwrap_or_default();
            let password_ok = verify_password(password, user.password_hash.clone()).await;
            let code_ok = match totp_step(enrolled, &code, self.clock().now().timestamp()) {
                Some(step) if password_ok => self.meta.claim_totp_step(user.id, step).await?,
                _ => false,
            };
            if !password_ok || !code_ok {
                let e = actor.entry("auth.totp_reenrol", format!("user:{}", user.id), "failed");
                self.meta.audit(&e).await?;
                return Err(AppError::Invalid(
                    "更换动态口令须输入正确的登录密码和当前动态口令".into(),
                ));
            }
        }
        let secret = new_totp_secret();
        self.meta
            .set_secret_setting(&pending_totp_key(user.id), &secret)
            .await?;
        let otpauth_uri = otp::provisioning_uri("Mingjing", &user.username, &secret);
        Ok(TotpSetup {
            secret,
            otpauth_uri,
        })
    }

    /// Confirms a pending second factor with its first code (which is then used up).
    pub async fn confirm_totp_enrolment(
        &self,
        actor: &Actor,
        user_id: i64,
        code: &str,
    ) -> Result<(), AppError> {
        let store = &self.meta;
        let Some(secret) = store.secret_setting(&pending_totp_key(user_id)).await? else {
            return Err(AppError::Invalid("请先开始绑定动态口令".into()));
        };
        let fresh = match totp_step(&secret, code, self.clock().now().timestamp()) {
            Some(step) => store.claim_totp_step(user_id, step).await?,
            None => false,
        };
        if !fresh {
            return Err(AppError::SignIn(SignInRefusal::BadTotp));
        }
        let e = actor.entry("auth.totp_enrol", format!("user:{user_id}"), "ok");
        store.set_totp_secret(user_id, Some(&secret), &e).await?;
        store
            .set_secret_setting(&pending_totp_key(user_id), "")
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_without_a_readable_change_date_has_expired() {
        let now = parse_ts("2026-12-01T00:00:00Z").expect("a time");
        let mut u = User {
            id: 1,
            username: "a".into(),
            display_name: "a".into(),
            org_id: 1,
            role: "r".into(),
            password_hash: String::new(),
            password_changed_at: "2026-09-01T00:00:00Z".into(),
            must_change: false,
            enabled: true,
            failed_logins: 0,
            locked_until: None,
            totp_secret: None,
        };
        assert!(!password_expired(&u, 91, now));
        assert!(password_expired(&u, 90, now));
        u.password_changed_at = "yesterday".into();
        assert!(password_expired(&u, 90, now));
    }
}
