//! The web UI, embedded in the binary (rust-embed). Any path outside `/api` that is not an
//! asset gets `index.html` (the UI routes in the browser); `/api/*` never does.

use crate::error::{ApiError, ErrorCode};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Assets;

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

fn file(path: &str, immutable: bool) -> Option<Response> {
    let f = Assets::get(path)?;
    let mut res = f.data.into_owned().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }),
    );
    Some(res)
}

/// Whether the UI is in this binary.
pub fn present() -> bool {
    Assets::get("index.html").is_some()
}

pub async fn fallback(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError::new(ErrorCode::RouteNotFound).into_response();
    }
    let rel = path.trim_start_matches('/');
    // Build metadata (`.vite/manifest.json`: the bundle's file map, for the size check) is
    // in the folder but not for browsers: a dot-path is never served.
    let hidden = rel.starts_with('.') || rel.contains("/.");
    if !rel.is_empty() && !hidden {
        // Hashed asset names never change content.
        if let Some(r) = file(rel, rel.starts_with("assets/")) {
            return r;
        }
    }
    file("index.html", false).unwrap_or_else(|| {
        ApiError::with(ErrorCode::NotFound, "此版本未包含网页界面").into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn regression_the_bundle_s_manifest_was_served() {
        for path in [
            "/.vite/manifest.json",
            "/assets/../.vite/manifest.json",
            "/x/.hidden",
        ] {
            let res = fallback(Uri::from_static(path)).await;
            let ct = res.headers().get(header::CONTENT_TYPE).cloned();
            assert_ne!(
                ct.as_ref().and_then(|v| v.to_str().ok()),
                Some("application/json"),
                "{path}"
            );
        }
        // The page routes still get the UI.
        let res = fallback(Uri::from_static("/alerts")).await;
        if present() {
            assert_eq!(
                res.headers().get(header::CONTENT_TYPE).unwrap(),
                "text/html; charset=utf-8"
            );
        }
    }
}
