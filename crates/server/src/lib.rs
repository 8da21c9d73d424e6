//! The HTTP server: the JSON API under `/api`, sessions, permissions and the audit trail.
//!
//! Every route is declared once, in [`routes::ROUTES`], with the access it requires; one
//! middleware ([`guard`]) enforces that table for every request, so a route cannot exist
//! without a rule, and the OpenAPI document and the authorization-matrix test read the same
//! table. Handlers see the caller ([`Caller`]) and apply object-level scope themselves.
//! Heavy work (password hashing, imports, model runs) runs off the async runtime.

pub mod auth;
pub mod chat;
pub mod contract;
pub mod data;
pub mod disposal;
pub mod documents;
pub mod error;
pub mod files;
pub mod guard;
pub mod handlers;
pub mod heavy;
pub mod integrity_files;
pub mod library;
pub mod livelihood;
pub mod openapi;
pub mod opinions;
pub mod persons;
pub mod routes;
pub mod scope;
pub mod tls;
pub mod uploads;
pub mod web;

use axum::Router;
use mingjing_app::Platform;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Mutex;

pub use guard::Caller;

pub use mingjing_domain::Clock;

/// Server settings (`[server]` in `mingjing.toml`).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub listen: String,
    /// Mark cookies `Secure` and send HSTS: for a server behind a TLS-terminating proxy (on
    /// by itself when the server serves TLS).
    pub secure_cookies: bool,
    /// Serve TLS with this certificate chain (PEM) and `tls_key`; both or neither.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_cert: Option<std::path::PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_key: Option<std::path::PathBuf>,
    /// Re-run the models that read a dataset type when an upload of it lands.
    pub rematch_on_upload: bool,
    /// A full run of every enabled model each day at this local time ("HH:MM"); none if empty.
    pub daily_run_at: String,
}

impl ServerConfig {
    /// Whether browsers reach the server over HTTPS (its own TLS, or a proxy's): cookies are
    /// then `Secure` and HSTS is sent.
    pub fn https(&self) -> bool {
        self.secure_cookies || self.tls_cert.is_some()
    }

    /// The TLS configuration, if the server serves TLS itself.
    pub fn tls(
        &self,
    ) -> Result<Option<std::sync::Arc<tokio_rustls::rustls::ServerConfig>>, tls::TlsError> {
        match (&self.tls_cert, &self.tls_key) {
            (None, None) => Ok(None),
            (Some(cert), Some(key)) => tls::server_config(cert, key).map(Some),
            _ => Err(tls::TlsError::Config(
                "[server] tls_cert and tls_key go together".into(),
            )),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
            tls_cert: None,
            tls_key: None,
            rematch_on_upload: true,
            daily_run_at: "02:00".into(),
        }
    }
}

/// A rejected upload's row errors, kept for a while so that the uploader can download them.
pub struct Rejection {
    pub user_id: i64,
    pub file_name: String,
    pub errors: Vec<(u64, String, String)>,
    pub at: chrono::DateTime<chrono::Utc>,
}

pub struct Shared {
    pub platform: Platform,
    /// The platform's clock (the same one: moving it moves the store's and the services').
    pub clock: Clock,
    pub config: ServerConfig,
    pub rejections: Mutex<HashMap<String, Rejection>>,
    /// Serialises background re-matches (one run at a time is enough).
    pub rematch: Mutex<()>,
    /// The chat sockets connected to this process.
    pub chat: chat::Hub,
    /// Heavy requests in progress, by account.
    pub heavy: heavy::HeavyWork,
}

pub type AppState = Arc<Shared>;

impl Shared {
    pub fn new(platform: Platform, config: ServerConfig) -> AppState {
        let clock = platform.clock().clone();
        Arc::new(Shared {
            platform,
            clock,
            config,
            rejections: Mutex::new(HashMap::new()),
            rematch: Mutex::new(()),
            chat: chat::Hub::default(),
            heavy: heavy::HeavyWork::default(),
        })
    }

    /// Today, by the platform's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }
}

/// The whole application: routes, the guard, security headers and the JSON fallbacks.
pub fn app(state: AppState) -> Router {
    // No request body may be larger than an upload (plus its envelope), and only the routes
    // that take files get that much (`routes::body_limit`); bodies are read only after the
    // guard has let the request through.
    let body_limit = usize::try_from(state.platform.config.limits.max_file_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(uploads::ENVELOPE_BYTES as usize);
    routes::router(body_limit)
        .fallback(web::fallback)
        .layer(axum::middleware::from_fn(error::rejections_as_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.config.https(),
            guard::security_headers,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

/// The civil day of the latest scheduled run among `runs` (newest first).
fn last_scheduled_day(
    clock: &Clock,
    runs: &[mingjing_app::records::ModelRun],
) -> Option<chrono::NaiveDate> {
    runs.iter()
        .find(|r| r.trigger == mingjing_app::Trigger::Schedule.tag())
        .and_then(|r| clock.day_of(&r.started_at))
}

/// Whether the daily full run is due: its hour ("HH:MM", none if empty) has come today and no
/// scheduled run has happened today.
fn daily_run_due(
    at: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
    last_day: Option<chrono::NaiveDate>,
) -> bool {
    !at.is_empty()
        && now.format("%H:%M").to_string().as_str() >= at
        && last_day != Some(now.date_naive())
}

/// Daily work: the scheduled full run and the audit log's retention.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        // The day of the last scheduled run, as recorded: a restart after the hour does not
        // run the models again on a day they already ran (it does catch up a missed day).
        let mut last_day = match state.platform.runs(50).await {
            Ok(runs) => last_scheduled_day(&state.clock, &runs),
            Err(e) => {
                tracing::error!(error = %e, "reading the last scheduled run failed");
                None
            }
        };
        let mut last_sweep = None;
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
        loop {
            tick.tick().await;
            let now = state.clock.now_local();
            let today = now.date_naive();
            // Deadline reminders and escalation, once a day (and at start).
            if last_sweep != Some(today) {
                last_sweep = Some(today);
                match state.platform.sweep_deadlines(today).await {
                    Ok((reminded, escalated)) => {
                        tracing::info!(reminded, escalated, "deadline sweep")
                    }
                    Err(e) => tracing::error!(error = %e, "deadline sweep failed"),
                }
                match state.platform.sweep_schedules(today).await {
                    Ok(reminded) => tracing::info!(reminded, "upload schedule sweep"),
                    Err(e) => tracing::error!(error = %e, "upload schedule sweep failed"),
                }
            }
            if !daily_run_due(&state.config.daily_run_at, now, last_day) {
                continue;
            }
            last_day = Some(today);
            let _one = state.rematch.lock().await;
            match state
                .platform
                .run_models_for(&[], today, mingjing_app::Trigger::Schedule)
                .await
            {
                Ok(o) => {
                    let raised: u64 = o.iter().map(|x| x.counts.raised).sum();
                    tracing::info!(models = o.len(), raised, joins = %o.joins, "scheduled run");
                }
                Err(e) => tracing::error!(error = %e, "scheduled run failed"),
            }
            let keep = state
                .platform
                .policy()
                .await
                .map(|p| p.audit_retention_days)
                .unwrap_or(180);
            match state.platform.prune_audit_log(keep).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, keep_days = keep, "audit retention"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "audit retention failed"),
            }
        }
    });
}

/// A data key rotated by `mingjing keys rotate` in another process is taken up here within
/// [`KEY_REFRESH`](mingjing_app::rotation::KEY_REFRESH), before the rotation seals with it.
fn spawn_key_refresh(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(mingjing_app::rotation::KEY_REFRESH);
        loop {
            tick.tick().await;
            match state.platform.refresh_keys().await {
                Ok(true) => tracing::info!("data keys reloaded"),
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "reloading the data keys failed"),
            }
        }
    });
}

/// Serves until the process is stopped.
pub async fn serve(state: AppState) -> std::io::Result<()> {
    spawn_housekeeping(state.clone());
    spawn_key_refresh(state.clone());
    chat::spawn_listener(state.clone());
    // The person index follows the household register: rebuilt at start if it is behind.
    let s = state.clone();
    tokio::spawn(async move {
        match s.platform.refresh_person_index().await {
            Ok(Some(n)) => tracing::info!(persons = n, "person index rebuilt"),
            Ok(None) => tracing::info!("person index current"),
            Err(e) => tracing::warn!(error = %e, "person index not rebuilt"),
        }
    });
    let tls = state
        .config
        .tls()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
    let listener = tokio::net::TcpListener::bind(&state.config.listen).await?;
    let address = listener.local_addr()?;
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    match tls {
        None => {
            tracing::info!(%address, "serving");
            axum::serve(listener, service).await
        }
        Some(config) => {
            use axum::serve::ListenerExt;
            tracing::info!(%address, "serving tls");
            // `tap_io` only so that axum hands the peer address to `ConnectInfo`.
            let listener = tls::TlsListener::new(listener, config)?.tap_io(|_| ());
            axum::serve(listener, service).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn run(trigger: &str, started_at: &str) -> mingjing_app::records::ModelRun {
        mingjing_app::records::ModelRun {
            id: 1,
            started_at: started_at.into(),
            finished_at: started_at.into(),
            as_of: "2026-11-26".into(),
            trigger: trigger.into(),
            results: Vec::new(),
        }
    }

    /// A server restarted after the hour on a day the models already ran on schedule does not
    /// run them again (every restart of a city's server used to start a full run).
    #[test]
    fn a_restart_does_not_repeat_the_day_s_scheduled_run() {
        let clock = Clock::starting_on(chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
        let at = |h, m| {
            clock
                .zone()
                .with_ymd_and_hms(2026, 11, 26, h, m, 0)
                .unwrap()
        };
        let ran_today = at(2, 0).with_timezone(&chrono::Utc).to_rfc3339();
        let runs = vec![
            run("manual", &at(9, 0).with_timezone(&chrono::Utc).to_rfc3339()),
            run("schedule", &ran_today),
        ];
        let last = last_scheduled_day(&clock, &runs);
        assert_eq!(last, Some(at(0, 0).date_naive()));
        assert!(!daily_run_due("02:00", at(22, 40), last));
        // A day without a scheduled run is caught up after the hour, not before.
        let yesterday = at(0, 0).date_naive().pred_opt();
        assert!(daily_run_due("02:00", at(22, 40), yesterday));
        assert!(!daily_run_due("02:00", at(1, 59), yesterday));
        assert!(daily_run_due("02:00", at(2, 0), None));
        // None scheduled.
        assert!(!daily_run_due("", at(22, 40), None));
        assert_eq!(last_scheduled_day(&clock, &runs[..1]), None);
    }
}
