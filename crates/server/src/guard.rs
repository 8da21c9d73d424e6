//! The guard every request passes: find the route in the table, resolve the session, check
//! CSRF, password age and permission, then hand the handler a [`Caller`]. Denials are audited.

use crate::AppState;
use crate::error::{ApiError, ErrorCode};
use crate::routes::{self, Access};
use crate::scope::Scope;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mingjing_app::Actor;
use mingjing_app::records::{OrgNode, Session, User};
use mingjing_domain::access::{Permission, Role, SecurityPolicy};

pub const SESSION_COOKIE: &str = "mj_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in account behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub role: Role,
    pub org: OrgNode,
    pub session: Session,
    pub source: String,
    /// The security policy in force and what the caller sees, resolved with the session.
    pub policy: SecurityPolicy,
    pub scope: Scope,
}

impl Caller {
    pub fn has(&self, p: Permission) -> bool {
        self.role.has(p)
    }

    /// Who this caller is, for the services' audit records.
    pub fn actor(&self) -> Actor {
        Actor {
            username: self.user.username.clone(),
            role: self.role.code.clone(),
            org: self.org.name.clone(),
            source: self.source.clone(),
        }
    }

    /// This caller as a reader of documents and files.
    pub fn viewer(&self) -> mingjing_app::Viewer {
        mingjing_app::Viewer {
            username: self.user.username.clone(),
            user_id: self.user.id,
            org_id: self.org.id,
        }
    }

    /// An account whose role needs a second factor must enrol one before it does anything
    /// else.
    pub fn needs_totp(&self, policy: &SecurityPolicy) -> bool {
        self.role.needs_second_factor(policy) && self.user.totp_secret.is_none()
    }
}

/// The client's address (the socket peer; the server is not behind a proxy by default).
pub fn source(req: &Request) -> String {
    source_of(req.extensions())
}

/// The peer's address from a request's extensions ("local" when served without one).
pub fn source_of(extensions: &axum::http::Extensions) -> String {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".into())
}

pub fn cookie(req_headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    req_headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Whether the session behind these headers is still live (not ended, not past its absolute
/// or idle limit, the account enabled), without touching it: long-lived channels (chat) ask
/// this now and then and close when it says no.
pub async fn still_live(state: &AppState, headers: &axum::http::HeaderMap) -> bool {
    match cookie(headers, SESSION_COOKIE) {
        Some(token) => state.platform.session_is_live(&token).await,
        None => false,
    }
}

/// Resolves the session cookie to a live session (ending it if it has expired).
pub async fn resolve(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    source: &str,
) -> Result<Option<Caller>, ApiError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let Some(held) = state.platform.resolve_session(&token, source).await? else {
        return Ok(None);
    };
    Ok(Some(Caller {
        user: held.user,
        role: held.role,
        org: held.org,
        session: held.session,
        source: source.to_string(),
        policy: held.policy,
        scope: held.scope,
    }))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(path) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
    else {
        // Unmatched: the fallback answers (404 as JSON under /api).
        return next.run(req).await;
    };
    let Some(route) = routes::find(req.method(), &path) else {
        // A route the table does not know is never served.
        return ApiError::new(ErrorCode::MethodNotAllowed).into_response();
    };
    let source = source(&req);
    let caller = match resolve(&state, req.headers(), &source).await {
        Ok(c) => c,
        // A stale cookie does not stop a public route (signing in again, above all).
        Err(_) if route.access == Access::Public => None,
        Err(e) => return e.into_response(),
    };
    if route.access == Access::Public {
        if let Some(c) = caller {
            req.extensions_mut().insert(c);
        }
        return next.run(req).await;
    }
    let Some(caller) = caller else {
        return ApiError::new(ErrorCode::NotAuthenticated).into_response();
    };
    let state_changing = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if state_changing {
        let sent = req
            .headers()
            .get(CSRF_HEADER)
            .map(|v| v.as_bytes().to_vec())
            .unwrap_or_default();
        if !constant_time_eq(&sent, caller.session.csrf_token.as_bytes()) {
            let what = format!("{} {path}", req.method());
            let _ = state
                .platform
                .record_refusal(&caller.actor(), "access.csrf_rejected", &what, "denied", "")
                .await;
            return ApiError::new(ErrorCode::CsrfRejected).into_response();
        }
    }
    if route.access != Access::Session {
        let policy = &caller.policy;
        if caller.user.must_change
            || mingjing_app::accounts::password_expired(
                &caller.user,
                policy.max_age_days,
                state.clock.now(),
            )
        {
            return ApiError::new(ErrorCode::PasswordChangeRequired).into_response();
        }
        if caller.needs_totp(policy) {
            return ApiError::new(ErrorCode::TotpRequired).into_response();
        }
        let allowed = match route.access {
            Access::Perm(p) => caller.has(p),
            Access::AnyOf(ps) => ps.iter().any(|p| caller.has(*p)),
            Access::Public | Access::Session => true,
        };
        if !allowed {
            let what = format!("{} {path}", req.method());
            let _ = state
                .platform
                .record_refusal(&caller.actor(), "access.denied", &what, "denied", "")
                .await;
            return ApiError::new(ErrorCode::Forbidden).into_response();
        }
    }
    // Heavy work: a share per account, taken before the body is read and held until the
    // answer is made.
    let _permit = if crate::heavy::is_heavy(req.method().as_str(), &path) {
        match state.heavy.try_start(caller.user.id) {
            Some(p) => Some(p),
            None => {
                let mut e = ApiError::with(
                    ErrorCode::TooManyRequests,
                    format!(
                        "您已有 {} 项导出、比对或导入正在进行，请等其完成后再试",
                        crate::heavy::PER_ACCOUNT
                    ),
                );
                e.retry_after = Some(crate::heavy::RETRY_AFTER_SECONDS);
                return e.into_response();
            }
        }
    } else {
        None
    };
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// Security headers on every response; the API is never cached.
pub async fn security_headers(State(https): State<bool>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "no-referrer");
    set(h, "x-frame-options", "DENY");
    set(h, "cross-origin-opener-policy", "same-origin");
    if api {
        set(h, "cache-control", "no-store");
    }
    if https {
        // A year; browsers that saw it once never reach the server over plain HTTP again.
        set(h, "strict-transport-security", "max-age=31536000");
    }
    res
}
