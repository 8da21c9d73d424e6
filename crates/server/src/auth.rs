//! Signing in and out, one's own password and second factor over HTTP: the session cookie
//! and the answers. The rules (lockout, throttling, the policy, TOTP) and their audit records
//! are `mingjing_app::accounts`.

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::{Caller, SESSION_COOKIE};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use mingjing_app::accounts::SignIn;

#[derive(serde::Deserialize)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub totp: Option<String>,
}

fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.https() { "; Secure" } else { "" };
    // A token is hex and the rest is fixed text, so the value is always a valid header.
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or(HeaderValue::from_static(""))
}

fn clear_cookie(state: &AppState) -> HeaderValue {
    session_cookie(state, "", 0)
}

pub async fn login(State(state): State<AppState>, req: Request) -> ApiResult<Response> {
    let source = crate::guard::source(&req);
    let previous_token = crate::guard::cookie(req.headers(), SESSION_COOKIE);
    let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| ApiError::new(ErrorCode::InvalidRequest))?;
    let body: LoginBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::with(ErrorCode::InvalidRequest, format!("请求内容有误：{e}")))?;
    let signed_in = state
        .platform
        .sign_in(SignIn {
            username: body.username,
            password: body.password,
            totp: body.totp,
            source,
            previous_token,
        })
        .await?;
    tracing::info!(user = signed_in.user_id, "signed in");
    let mut res = Json(serde_json::json!({ "csrf_token": signed_in.csrf_token })).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&state, &signed_in.token, signed_in.max_age_secs),
    );
    Ok(res)
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Response> {
    state.platform.sign_out(&c.actor(), c.user.id).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&state));
    Ok(res)
}

pub async fn me(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<serde_json::Value>> {
    let policy = state.platform.policy().await?;
    let expired =
        mingjing_app::accounts::password_expired(&c.user, policy.max_age_days, state.clock.now());
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

/// Every session ends, this one included: the user signs in again with the new password.
pub async fn change_password(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<PasswordBody>,
) -> ApiResult<Response> {
    state
        .platform
        .change_own_password(&c.actor(), &c.user, b.old_password, b.new_password)
        .await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&state));
    Ok(res)
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
) -> ApiResult<Json<mingjing_app::accounts::TotpSetup>> {
    // The body matters only when replacing an enrolled factor; a first enrolment sends none.
    let reenrol: Option<TotpReEnrol> =
        if body.is_empty() || c.user.totp_secret.is_none() {
            None
        } else {
            Some(serde_json::from_slice(&body).map_err(|e| {
                ApiError::with(ErrorCode::InvalidRequest, format!("请求内容有误：{e}"))
            })?)
        };
    let setup = state
        .platform
        .start_totp_enrolment(&c.actor(), &c.user, reenrol.map(|r| (r.password, r.code)))
        .await?;
    Ok(Json(setup))
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
    state
        .platform
        .confirm_totp_enrolment(&c.actor(), c.user.id, &b.code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
