//! Signing in and out, one's own password and second factor over HTTP: the session cookie
//! and the answers. The rules (lockout, throttling, the policy, TOTP) and their audit records
//! are `mingjing_app::accounts`.

use crate::AppState;
use crate::contract::{JsonWith, NoContent, NoContentWith};
use crate::error::ApiResult;
use crate::guard::{Caller, SESSION_COOKIE};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::{Extension, Json};
use mingjing_app::accounts::SignIn;
use schemars::JsonSchema;
use serde::Serialize;

#[derive(serde::Deserialize, schemars::JsonSchema)]
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

/// The address a request came from ("local" when served without one, as in tests).
pub struct Source(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Source(crate::guard::source_of(&parts.extensions)))
    }
}

impl crate::contract::Part for Source {}

/// The session token a signed-in browser still holds.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SignedIn {
    pub csrf_token: String,
}

pub async fn login(
    State(state): State<AppState>,
    Source(source): Source,
    headers: HeaderMap,
    Json(body): Json<LoginBody>,
) -> ApiResult<JsonWith<SignedIn>> {
    let previous_token = crate::guard::cookie(&headers, SESSION_COOKIE);
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
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        session_cookie(&state, &signed_in.token, signed_in.max_age_secs),
    );
    Ok(JsonWith(
        headers,
        SignedIn {
            csrf_token: signed_in.csrf_token,
        },
    ))
}

fn cleared(state: &AppState) -> NoContentWith {
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, clear_cookie(state));
    NoContentWith(headers)
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<NoContentWith> {
    state.platform.sign_out(&c.actor(), c.user.id).await?;
    Ok(cleared(&state))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MeOrg {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub town: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct MeRole {
    pub code: String,
    pub name: String,
    pub data_scope: String,
    pub admin: Option<String>,
}

/// The signed-in account as the web UI needs it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org: MeOrg,
    pub role: MeRole,
    pub permissions: Vec<String>,
    pub must_change_password: bool,
    pub totp_enrolment_required: bool,
    pub csrf_token: String,
    pub session_expires_at: String,
    pub idle_timeout_minutes: i64,
}

pub async fn me(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Me>> {
    let policy = state.platform.policy().await?;
    let expired =
        mingjing_app::accounts::password_expired(&c.user, policy.max_age_days, state.clock.now());
    Ok(Json(Me {
        id: c.user.id,
        username: c.user.username.clone(),
        display_name: c.user.display_name.clone(),
        org: MeOrg {
            id: c.org.id,
            name: c.org.name.clone(),
            kind: c.org.kind.clone(),
            town: c.org.town.clone(),
        },
        role: MeRole {
            code: c.role.code.clone(),
            name: c.role.name.clone(),
            data_scope: c.role.scope.code().into(),
            admin: c.role.admin.map(|a| a.code().into()),
        },
        permissions: c.role.permissions.iter().map(|p| p.code().into()).collect(),
        must_change_password: c.user.must_change || expired,
        totp_enrolment_required: c.needs_totp(&policy),
        csrf_token: c.session.csrf_token.clone(),
        session_expires_at: c.session.expires_at.clone(),
        idle_timeout_minutes: policy.idle_timeout_minutes as i64,
    }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct PasswordBody {
    pub old_password: String,
    pub new_password: String,
}

/// Every session ends, this one included: the user signs in again with the new password.
pub async fn change_password(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<PasswordBody>,
) -> ApiResult<NoContentWith> {
    state
        .platform
        .change_own_password(&c.actor(), &c.user, b.old_password, b.new_password)
        .await?;
    Ok(cleared(&state))
}

/// What replacing an enrolled second factor needs: the password and a current code.
#[derive(serde::Deserialize, Default, schemars::JsonSchema)]
pub struct TotpReEnrol {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub code: String,
}

pub async fn totp_setup(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    body: Option<Json<TotpReEnrol>>,
) -> ApiResult<Json<mingjing_app::accounts::TotpSetup>> {
    // The body matters only when replacing an enrolled factor; a first enrolment sends none.
    let reenrol = body
        .map(|Json(b)| b)
        .filter(|_| c.user.totp_secret.is_some());
    let setup = state
        .platform
        .start_totp_enrolment(&c.actor(), &c.user, reenrol.map(|r| (r.password, r.code)))
        .await?;
    Ok(Json(setup))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct TotpConfirm {
    pub code: String,
}

pub async fn totp_confirm(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<TotpConfirm>,
) -> ApiResult<NoContent> {
    state
        .platform
        .confirm_totp_enrolment(&c.actor(), c.user.id, &b.code)
        .await?;
    Ok(NoContent)
}
