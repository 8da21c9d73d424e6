//! `mingjing serve`, the demo's serving step, `mingjing audit verify` and `mingjing totp-code`.

use crate::{EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_MISUSE, fail};
use mingjing_app::Clock;
use mingjing_app::Platform;
use mingjing_server::{ServerConfig, Shared};
use std::path::Path;
use std::process::ExitCode;

/// Concise structured logs; `MINGJING_LOG` sets the filter (default `info`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MINGJING_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// The `[server]` table of `mingjing.toml`, with `MINGJING_LISTEN` and `--listen` over it.
pub fn server_config(platform: &Platform, listen: Option<String>) -> Result<ServerConfig, String> {
    let mut config: ServerConfig = match &platform.config.server {
        Some(t) => t
            .clone()
            .try_into()
            .map_err(|e| format!("mingjing.toml [server]: {e}"))?,
        None => ServerConfig::default(),
    };
    if let Ok(l) = std::env::var("MINGJING_LISTEN") {
        config.listen = l;
    }
    if let Some(l) = listen {
        config.listen = l;
    }
    Ok(config)
}

/// Serves a platform: installs the roles and, on a platform without organisations, the
/// county's tree; creates the initial administrator when there is no account.
pub async fn serve(data_dir: &Path, listen: Option<String>, clock: &Clock) -> ExitCode {
    init_logging();
    let here = data_dir.display().to_string();
    let platform = match Platform::open(data_dir, clock.clone()).await {
        Ok(p) => p,
        Err(e) => return fail(&here, &e),
    };
    let config = match server_config(&platform, listen) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {here}: {e}");
            return ExitCode::from(EXIT_MISUSE);
        }
    };
    run(platform, config, &here).await
}

pub async fn run(platform: Platform, config: ServerConfig, here: &str) -> ExitCode {
    let prepared = platform.prepare_roles_and_tree().await;
    if let Err(e) = prepared {
        return fail(here, &e);
    }
    // Alerts raised before triage existed, or closed since the last refresh, rank correctly
    // from the first list.
    if let Err(e) = platform.refresh_priorities(None).await {
        return fail(here, &e);
    }
    if let Err(e) = platform.seed_upload_rights().await {
        return fail(here, &e);
    }
    match platform.ensure_initial_admin().await {
        Ok(Some((user, password))) => {
            println!("initial administrator: {user} / {password}  (change it at first sign-in)");
        }
        Ok(None) => {}
        Err(e) => return fail(here, &e),
    }
    let listen = config.listen.clone();
    // A certificate that cannot be used stops the start, before anything is served.
    let scheme = match config.tls() {
        Ok(Some(_)) => "https",
        Ok(None) => "http",
        Err(e) => {
            eprintln!("error: {here}: mingjing.toml [server]: {e}");
            return ExitCode::from(EXIT_MISUSE);
        }
    };
    let state = Shared::new(platform, config);
    println!("serving {scheme}://{listen}/  (API: /api, OpenAPI: /api/openapi.json)");
    match mingjing_server::serve(state).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {listen}: {e}");
            ExitCode::from(EXIT_INTERNAL)
        }
    }
}

/// `mingjing audit verify`: 0 when the chain is whole, 1 naming the first bad record.
pub async fn audit_verify(data_dir: &Path, clock: &Clock) -> ExitCode {
    let here = data_dir.display().to_string();
    let platform = match Platform::open(data_dir, clock.clone()).await {
        Ok(p) => p,
        Err(e) => return fail(&here, &e),
    };
    let operator = crate::models::operator();
    match platform.verify_audit_log(&operator).await {
        Ok(Ok(n)) => {
            println!("audit log intact: {n} records verified");
            ExitCode::SUCCESS
        }
        Ok(Err(b)) => {
            eprintln!("error: {here}: audit log broken at {b}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
        Err(e) => fail(&here, &e),
    }
}

/// Prints the current TOTP code of a secret (for demo accounts and scripted tests).
pub fn totp_code(secret: &str, clock: &Clock) -> ExitCode {
    let Some(raw) = mingjing_app::accounts::base32_decode(secret) else {
        eprintln!("error: the secret is not base32");
        return ExitCode::from(EXIT_MISUSE);
    };
    let step = (clock.now().timestamp() / 30) as u64;
    println!("{}", mingjing_app::accounts::totp_code(&raw, step));
    ExitCode::SUCCESS
}
