//! Signing in and out, passwords (Argon2id) and the administrators' second factor (TOTP,
//! RFC 6238). An unknown account, a wrong password and a locked account get the same answer.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::{Caller, SESSION_COOKIE};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use mingjing_crypto::otp;
use mingjing_domain::access::{PasswordError, SecurityPolicy};
use mingjing_store::access::Session;
use mingjing_store::audit::AuditEntry;

pub const POLICY_SETTING: &str = "security_policy";

/// Hashes a password (CPU-heavy: call from a blocking thread).
pub fn hash_password(password: &str) -> String {
    mingjing_crypto::password::hash(password)
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    mingjing_crypto::password::verify(password, hash)
}

pub async fn hash_blocking(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .expect("hashing does not panic")
}

async fn verify_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .expect("verifying does not panic")
}

/// A hash to verify against when the account does not exist, so that the answer takes as
/// long as for a wrong password.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not a real password: timing equaliser"))
}

pub fn random_hex(bytes: usize) -> String {
    mingjing_crypto::random_hex(bytes)
}

/// What a session token is stored as: its SM3 digest (the token itself is never stored).
pub fn token_hash(token: &str) -> String {
    mingjing_crypto::sm::sm3_hex(token.as_bytes())
}

fn ts(d: chrono::DateTime<chrono::Utc>) -> String {
    d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Checks a new password against the policy and the account's history.
pub async fn check_new_password(
    state: &AppState,
    policy: &SecurityPolicy,
    user_id: Option<i64>,
    username: &str,
    password: &str,
) -> ApiResult<()> {
    policy
        .check_password(password, username)
        .map_err(|e| ApiError::with(ErrorCode::WeakPassword, e.to_string()))?;
    if let Some(id) = user_id {
        for old in state
            .store()
            .password_history(id, policy.history.max(1))
            .await?
        {
            if verify_blocking(password.to_string(), old).await {
                return Err(ApiError::with(
                    ErrorCode::WeakPassword,
                    PasswordError::Reused.to_string(),
                ));
            }
        }
    }
    Ok(())
}

#[derive(serde::Deserialize)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub totp: Option<String>,
}

fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.https() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    ))
    .expect("cookie is ASCII")
}

fn clear_cookie(state: &AppState) -> HeaderValue {
    session_cookie(state, "", 0)
}

pub async fn login(State(state): State<AppState>, req: Request) -> ApiResult<Response> {
    let source = crate::guard::source(&req);
    let old = crate::guard::cookie(req.headers(), SESSION_COOKIE);
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| ApiError::new(ErrorCode::InvalidRequest))?;
    let body: LoginBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::with(ErrorCode::InvalidRequest, format!("请求内容有误：{e}")))?;
    let store = state.store();
    let policy = state.policy().await?;
    let now = state.clock.now();
    let username: String = body.username.trim().chars().take(64).collect();
    // What the log may say about a name that matched no account: never a typed password.
    let attempt = |result: &str, detail: &str| AuditEntry {
        actor: username.chars().take(64).collect(),
        action: "auth.login".into(),
        object: "-".into(),
        result: result.into(),
        source: source.clone(),
        detail: detail.into(),
        ..Default::default()
    };
    let refused = || {
        ApiError::with(
            ErrorCode::BadCredentials,
            format!(
                "用户名或密码错误（连续失败 {} 次将锁定 {} 分钟）",
                policy.lockout_threshold, policy.lockout_minutes
            ),
        )
    };
    // Throttled per source address and per account name before anything is checked.
    if let Err(retry) = state.sign_in_throttle.admit(&source, &username, now) {
        store.audit(&attempt("refused", "throttled")).await?;
        return Err(throttled(retry));
    }
    let Some(user) = store.user_by_name(&username).await? else {
        verify_blocking(body.password, dummy_hash().to_string()).await;
        store.audit(&attempt("failed", "unknown account")).await?;
        return Err(refused());
    };
    let mut entry = attempt("failed", "");
    entry.object = format!("user:{}", user.id);
    entry.role = user.role.clone();
    if !user.enabled {
        verify_blocking(body.password, dummy_hash().to_string()).await;
        entry.detail = "account disabled".into();
        store.audit(&entry).await?;
        return Err(refused());
    }
    let until = ts(now + chrono::Duration::minutes(i64::from(policy.lockout_minutes)));
    // The attempt is counted (and the account locked at the threshold) before the slow
    // password check, in one statement: a burst of parallel guesses cannot outrun the count.
    let Some(attempt_no) = store
        .claim_login_attempt(user.id, policy.lockout_threshold, &ts(now), &until)
        .await?
    else {
        entry.detail = "account locked".into();
        store.audit(&entry).await?;
        return Err(refused());
    };
    let fail = |detail: &str| {
        let mut e = entry.clone();
        e.detail = detail.into();
        e
    };
    let locked_now = attempt_no >= policy.lockout_threshold;
    let lockout = || {
        let mut e = entry.clone();
        e.action = "auth.lockout".into();
        e.detail = format!("locked until {until}");
        e
    };
    if !verify_blocking(body.password, user.password_hash.clone()).await {
        store.audit(&fail("wrong password")).await?;
        if locked_now {
            store.audit(&lockout()).await?;
        }
        return Err(refused());
    }
    // The second factor, for accounts that have enrolled one; each code is good once.
    if let Some(secret) = &user.totp_secret {
        let code = body.totp.as_deref().unwrap_or("").trim();
        if code.is_empty() {
            return Err(ErrorCode::TotpRequired.into());
        }
        let fresh = match totp_step(secret, code, now.timestamp()) {
            Some(step) => store.claim_totp_step(user.id, step).await?,
            None => false,
        };
        if !fresh {
            store.audit(&fail("wrong or reused totp")).await?;
            if locked_now {
                store.audit(&lockout()).await?;
            }
            return Err(ErrorCode::BadTotp.into());
        }
    }
    // A new session id at every sign-in; whatever session the browser held ends.
    if let Some(old) = old {
        let h = token_hash(&old);
        if let Some(s) = store.session(&h).await?
            && s.ended_at.is_none()
        {
            let mut e = entry.clone();
            e.action = "auth.session_replaced".into();
            e.result = "ok".into();
            store.end_session(&h, "replaced at sign-in", &e).await?;
        }
    }
    let token = random_hex(32);
    let csrf = random_hex(32);
    let absolute = chrono::Duration::hours(i64::from(policy.absolute_timeout_hours));
    let session = Session {
        token_hash: token_hash(&token),
        user_id: user.id,
        csrf_token: csrf.clone(),
        source: source.clone(),
        created_at: ts(now),
        last_seen_at: ts(now),
        expires_at: ts(now + absolute),
        ended_at: None,
    };
    entry.result = "ok".into();
    entry.detail = String::new();
    store.login_succeeded(&session, &entry).await?;
    state.sign_in_throttle.succeeded(&source, &username, now);
    tracing::info!(user = user.id, "signed in");
    let mut res = Json(serde_json::json!({ "csrf_token": csrf })).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&state, &token, absolute.num_seconds()),
    );
    Ok(res)
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Response> {
    let e = c.audit("auth.logout", format!("user:{}", c.user.id), "ok");
    state
        .store()
        .end_user_sessions(c.user.id, "logout", &e)
        .await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&state));
    Ok(res)
}

pub async fn me(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<serde_json::Value>> {
    let policy = state.policy().await?;
    let expired = crate::guard::password_expired(&c.user, policy.max_age_days, state.clock.now());
    Ok(Json(serde_json::json!({
        "id": c.user.id,
        "username": c.user.username,
        "display_name": c.user.display_name,
        "org": { "id": c.org.id, "name": c.org.name, "kind": c.org.kind, "town": c.org.town },
        "role": { "code": c.role.code, "name": c.role.name, "data_scope": c.role.scope.code(),
                  "admin": c.role.admin.map(|a| a.code()) },
        "permissions": c.role.permissions.iter().map(|p| p.code()).collect::<Vec<_>>(),
        "must_change_password": c.user.must_change || expired,
        "totp_enrolment_required": c.needs_totp(&policy),
        "csrf_token": c.session.csrf_token,
        "session_expires_at": c.session.expires_at,
        "idle_timeout_minutes": policy.idle_timeout_minutes,
    })))
}

#[derive(serde::Deserialize)]
pub struct PasswordBody {
    pub old_password: String,
    pub new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<PasswordBody>,
) -> ApiResult<Response> {
    let policy = state.policy().await?;
    // A wrong old password counts as a failed sign-in (a session is not a licence to guess),
    // counted before the check as at sign-in; a locked account changes nothing.
    let now = state.clock.now();
    let until = ts(now + chrono::Duration::minutes(i64::from(policy.lockout_minutes)));
    let claimed = state
        .store()
        .claim_login_attempt(c.user.id, policy.lockout_threshold, &ts(now), &until)
        .await?;
    let right =
        claimed.is_some() && verify_blocking(b.old_password, c.user.password_hash.clone()).await;
    if !right {
        let mut e = c.audit(
            "auth.password_change",
            format!("user:{}", c.user.id),
            "failed",
        );
        e.detail = if claimed.is_none() {
            "account locked"
        } else {
            "wrong old password"
        }
        .into();
        state.store().audit(&e).await?;
        if claimed.is_some_and(|n| n >= policy.lockout_threshold) {
            let mut l = e.clone();
            l.action = "auth.lockout".into();
            l.detail = format!("locked until {until}");
            state.store().audit(&l).await?;
        }
        return Err(ApiError::with(ErrorCode::InvalidRequest, "原密码不正确"));
    }
    check_new_password(
        &state,
        &policy,
        Some(c.user.id),
        &c.user.username,
        &b.new_password,
    )
    .await?;
    let hash = hash_blocking(b.new_password).await;
    let e = c.audit("auth.password_change", format!("user:{}", c.user.id), "ok");
    // Every session ends, this one included: sign in again with the new password.
    state
        .store()
        .set_password(c.user.id, &hash, false, &e)
        .await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&state));
    Ok(res)
}

// ---- TOTP (RFC 6238, in the crypto provider) -------------------------------------------

pub use otp::{base32_decode, base32_encode};

/// The code for a 30-second step.
pub fn totp_code(secret: &[u8], step: u64) -> String {
    otp::code(secret, step)
}

/// The step a code belongs to: the current one or one either side (clock drift).
pub fn totp_step(secret_b32: &str, code: &str, unix: i64) -> Option<u64> {
    otp::matching_step(secret_b32, code, unix)
}

/// 429 with the seconds to wait.
fn throttled(retry_after_secs: u64) -> ApiError {
    let mut e = ApiError::with(
        ErrorCode::TooManyRequests,
        format!("尝试过于频繁，请 {retry_after_secs} 秒后再试"),
    );
    e.retry_after = Some(retry_after_secs);
    e
}

fn pending_key(user_id: i64) -> String {
    format!("totp_pending.{user_id}")
}

/// What replacing an enrolled second factor needs: the password and a current code.
#[derive(serde::Deserialize, Default)]
pub struct TotpReEnrol {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub code: String,
}

pub async fn totp_setup(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    body: axum::body::Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    // A first enrolment needs the session only; replacing an enrolled factor also needs the
    // password and a current code, so that a hijacked session cannot take the account over.
    if let Some(enrolled) = &c.user.totp_secret {
        let b: TotpReEnrol = if body.is_empty() {
            TotpReEnrol::default()
        } else {
            serde_json::from_slice(&body).map_err(|e| {
                ApiError::with(ErrorCode::InvalidRequest, format!("请求内容有误：{e}"))
            })?
        };
        let password_ok = verify_blocking(b.password, c.user.password_hash.clone()).await;
        let code_ok = match totp_step(enrolled, &b.code, state.clock.now().timestamp()) {
            Some(step) if password_ok => state.store().claim_totp_step(c.user.id, step).await?,
            _ => false,
        };
        if !password_ok || !code_ok {
            let e = c.audit("auth.totp_reenrol", format!("user:{}", c.user.id), "failed");
            state.store().audit(&e).await?;
            return Err(ApiError::with(
                ErrorCode::InvalidRequest,
                "更换动态口令须输入正确的登录密码和当前动态口令",
            ));
        }
    }
    let secret = otp::new_secret();
    // Sealed while it waits for its confirming code, as once enrolled.
    state
        .store()
        .set_secret_setting(&pending_key(c.user.id), &secret)
        .await?;
    let uri = otp::provisioning_uri("Mingjing", &c.user.username, &secret);
    Ok(Json(
        serde_json::json!({ "secret": secret, "otpauth_uri": uri }),
    ))
}

#[derive(serde::Deserialize)]
pub struct TotpConfirm {
    pub code: String,
}

pub async fn totp_confirm(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<TotpConfirm>,
) -> ApiResult<StatusCode> {
    let store = state.store();
    let Some(secret) = store.secret_setting(&pending_key(c.user.id)).await? else {
        return Err(ApiError::with(
            ErrorCode::InvalidRequest,
            "请先开始绑定动态口令",
        ));
    };
    let fresh = match totp_step(&secret, &b.code, state.clock.now().timestamp()) {
        Some(step) => store.claim_totp_step(c.user.id, step).await?,
        None => false,
    };
    if !fresh {
        return Err(ErrorCode::BadTotp.into());
    }
    let e = c.audit("auth.totp_enrol", format!("user:{}", c.user.id), "ok");
    store.set_totp_secret(c.user.id, Some(&secret), &e).await?;
    store
        .set_secret_setting(&pending_key(c.user.id), "")
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
