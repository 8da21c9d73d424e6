//! Keys and secrets at rest: the master key outside the data, the keyring it unwraps, and the
//! second-factor secrets sealed with it (issue 20, item 6; the start of issue 22).

use crate::server::{PW, TestServer};
use crate::support::{Backend, TestPlatform, contains_bytes, every_byte_of, stderr};
use axum::http::{Method, StatusCode};
use serde_json::json;

async fn raw_secrets(url: &str) -> Vec<(String, String)> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT username, totp_secret FROM users WHERE totp_secret IS NOT NULL ORDER BY username",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows
}

async fn execute(url: &str, sql: &str) {
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// The second factor's secrets were stored in plain text: whoever read the database (or a
/// backup of it) could compute every administrator's codes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_totp_secrets_were_stored_in_plain_text() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let s = TestServer::new(backend).await;
        let url = s.platform.database_url();
        let stored = raw_secrets(&url).await;
        assert!(
            stored.len() >= 3,
            "the administrators are enrolled: {stored:?}"
        );
        for (user, value) in &stored {
            assert!(value.starts_with("sm4gcm1:"), "{user}: {value}");
            let secret = &s.secrets[user];
            assert!(!value.contains(secret.as_str()), "{user}");
        }
        // An enrolment in progress is sealed too: the new secret shown once is not stored.
        let admin = s.login("secadmin").await;
        s.clock.advance(chrono::Duration::seconds(30));
        let code = s.totp_now("secadmin").unwrap();
        let setup = s
            .call(
                Some(&admin),
                Method::POST,
                "/api/auth/totp/setup",
                Some(json!({ "password": PW, "code": code })),
            )
            .await;
        assert_eq!(setup.status, StatusCode::OK, "{}", setup.json());
        let pending = setup.json()["secret"].as_str().unwrap().to_string();
        if backend == Backend::Sqlite {
            let bytes = every_byte_of(s.platform.data_dir());
            for (user, secret) in s.secrets.iter().chain([(&"pending".to_string(), &pending)]) {
                assert!(
                    !contains_bytes(&bytes, secret),
                    "{user}'s secret is in the data directory"
                );
            }
        }
        // The master key is not in the data directory, and signing in still works.
        assert!(!s.platform.data_dir().join("data.master.key").exists());
        assert!(s.platform.dir.path().join("data.master.key").exists());
        let again = s.try_login("auditadmin", PW).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.json());
    }
}

/// A secret written into the database in the clear, or one moved from another account's row,
/// would have been used: whoever could write the database could take over a second factor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_secret_written_into_the_database_was_trusted() {
    let s = TestServer::new(Backend::Sqlite).await;
    let url = s.platform.database_url();
    let attacker_secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    execute(
        &url,
        &format!("UPDATE users SET totp_secret = '{attacker_secret}' WHERE username = 'secadmin'"),
    )
    .await;
    let raw = mingjing_server::auth::base32_decode(attacker_secret).unwrap();
    s.clock.advance(chrono::Duration::seconds(30));
    let code = mingjing_server::auth::totp_code(&raw, (s.clock.now().timestamp() / 30) as u64);
    let login = s
        .call(
            None,
            Method::POST,
            "/api/auth/login",
            Some(json!({ "username": "secadmin", "password": PW, "totp": code })),
        )
        .await;
    assert_ne!(login.status, StatusCode::OK, "{}", login.json());
    assert!(login.headers.get("set-cookie").is_none());

    // The sealed secret of one account copied into another's row does not open there.
    execute(
        &url,
        "UPDATE users SET totp_secret = (SELECT totp_secret FROM users WHERE username = 'auditadmin') \
         WHERE username = 'sysadmin'",
    )
    .await;
    let code = s.totp_now("auditadmin").unwrap();
    let login = s
        .call(
            None,
            Method::POST,
            "/api/auth/login",
            Some(json!({ "username": "sysadmin", "password": PW, "totp": code })),
        )
        .await;
    assert_ne!(login.status, StatusCode::OK, "{}", login.json());
    // The others are untouched.
    let ok = s.try_login("auditadmin", PW).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json());
}

/// Nothing stopped a platform from opening with a missing master key, another one, or one any
/// user of the machine could read; each is refused, with the file named, and nothing written.
#[test]
fn regression_a_missing_or_wrong_master_key_was_not_refused() {
    let p = TestPlatform::new(Backend::Sqlite);
    let key = p.dir.path().join("data.master.key");
    let good = std::fs::read_to_string(&key).unwrap();
    let check = || p.run(&["check", "--data-dir", p.data_dir_str()]);
    assert!(check().status.success(), "{}", stderr(&check()));
    let db = p.data_dir().join("mingjing.db");
    let keyring = || {
        let url = p.database_url();
        crate::support::block_on(async move {
            let pool = sqlx::AnyPool::connect(&url).await.unwrap();
            let v: String =
                sqlx::query_scalar("SELECT value FROM settings WHERE key = 'crypto.keyring'")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            pool.close().await;
            v
        })
    };
    sqlx::any::install_default_drivers();
    let before = keyring();

    std::fs::remove_file(&key).unwrap();
    let out = check();
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains("cannot read the key file") && e.contains("data.master.key"),
        "{e}"
    );
    assert!(!key.exists(), "a missing key is not replaced by a new one");

    let other = "00112233445566778899aabbccddeeff\n";
    write_private(&key, other);
    let out = check();
    assert!(!out.status.success());
    let e = stderr(&out);
    assert!(
        e.contains("is not the one this platform's keys are wrapped with"),
        "{e}"
    );

    write_private(&key, &good);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = stderr(&check());
        assert!(e.contains("may be read by other users (mode 644)"), "{e}");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    assert_eq!(keyring(), before, "no refused attempt rewrote the keyring");
    assert!(db.exists());

    // The key moved elsewhere and named in the configuration: the platform opens.
    let moved = p.dir.path().join("keys").join("county.key");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&key, &moved).unwrap();
    std::fs::write(
        p.data_dir().join("mingjing.toml"),
        format!("master_key_file = \"{}\"\n", moved.display()),
    )
    .unwrap();
    assert!(check().status.success(), "{}", stderr(&check()));
}

fn write_private(path: &std::path::Path, text: &str) {
    let _ = std::fs::remove_file(path);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    std::io::Write::write_all(&mut opts.open(path).unwrap(), text.as_bytes()).unwrap();
}

/// The master key could not be replaced. Now `mingjing keys rotate-master` rewraps the data
/// keys with a new key while the server runs, and a crash between its steps leaves a platform
/// that opens with whichever key the keyring is wrapped with.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_the_master_key_could_not_be_rotated() {
    let s = TestServer::new(Backend::Sqlite).await;
    let p = &s.platform;
    let key = p.dir.path().join("data.master.key");
    let next = p.dir.path().join("data.master.key.next");
    let old = std::fs::read_to_string(&key).unwrap();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--data-dir", p.data_dir_str()]);
        p.run(&all)
    };
    let out = run(&["keys", "rotate-master"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let new = std::fs::read_to_string(&key).unwrap();
    assert_ne!(new, old);
    assert!(!next.exists());
    // The running server's sealed secrets still open (the data keys did not change), and a
    // platform opened now reads the new key.
    let ok = s.try_login("auditadmin", PW).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json());
    assert!(run(&["check"]).status.success());
    let audit = run(&["audit", "verify"]);
    assert!(audit.status.success(), "{}", stderr(&audit));
    assert!(
        s.audited("keys.rotate_master").await.len() == 1,
        "the rotation is audited"
    );
    // The old key opens nothing now.
    write_private(&key, &old);
    let e = stderr(&run(&["check"]));
    assert!(
        e.contains("is not the one this platform's keys are wrapped with"),
        "{e}"
    );

    // A crash after the rewrap, before the rename: the new key waits in `.next`.
    write_private(&next, &new);
    let out = run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), new);
    assert!(!next.exists());

    // A crash before the rewrap: a key in `.next` that opens nothing is left alone, and the
    // next rotation replaces it.
    write_private(&next, "00112233445566778899aabbccddeeff\n");
    assert!(run(&["check"]).status.success());
    assert_eq!(std::fs::read_to_string(&key).unwrap(), new);
    let out = run(&["keys", "rotate-master"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!next.exists());
    assert!(run(&["check"]).status.success());
}

/// A byte changed in an upload's Parquet file (or its ID index) that kept the row count went
/// unnoticed by `mingjing check`: each slice's SM3 digests are now recorded at import and
/// checked.
#[test]
fn regression_a_changed_byte_in_a_parquet_file_went_unnoticed() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let p = TestPlatform::new(backend);
        let file = p.dir.path().join("deaths.csv");
        let mut csv = String::from("公民身份号码,姓名,死亡日期,数据来源\n");
        for i in 0..50 {
            let id = crate::support::test_id("61032719500101", i);
            csv.push_str(&format!("{id},某{i},2026-01-05,火化记录\n"));
        }
        std::fs::write(&file, csv).unwrap();
        let out = p.import("deaths", "民政局", None, &file);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(p.check().status.success(), "{}", stderr(&p.check()));
        let uploads = p.data_dir().join("uploads");
        let dir = std::fs::read_dir(&uploads)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        for name in ["part-0000.parquet", "part-0000.ids"] {
            let path = dir.join(name);
            let good = std::fs::read(&path).unwrap();
            let mut bad = good.clone();
            // A byte in the middle: the footer (and so the row count) still reads.
            let i = bad.len() / 3;
            bad[i] ^= 0x01;
            std::fs::write(&path, &bad).unwrap();
            let out = p.check();
            assert!(!out.status.success(), "{name} changed, yet check passed");
            let e = stderr(&out);
            assert!(
                e.contains(&format!(
                    "{name}: changed on disk (its SM3 digest is not the one recorded at import)"
                )),
                "{e}"
            );
            std::fs::write(&path, &good).unwrap();
            assert!(p.check().status.success());
        }
    }
}

/// Attachments (verification evidence, documents) lay in the data directory as they were
/// uploaded. Now they are sealed for the name they are stored under: the bytes on disk are not
/// the file's, a download gives the file back, and a changed byte is refused, not served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_attachments_lay_in_the_clear_in_the_data_directory() {
    let s = TestServer::new(Backend::Sqlite).await;
    let c = s.login("analyst").await;
    let text =
        "核查报告：李某某 610327195001017535 已于 2026-01-05 死亡，冒领低保 6 个月。\n".repeat(200);
    let up = s
        .send(crate::server::file_request(
            &c,
            "/api/files",
            "",
            None,
            "核查报告.txt",
            text.as_bytes(),
        ))
        .await;
    assert_eq!(
        up.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&up.body)
    );
    let id = up.json()["id"].as_i64().unwrap();
    let sha = up.json()["sha256"].as_str().unwrap().to_string();
    let blob = s
        .platform
        .data_dir()
        .join("files")
        .join(&sha[..2])
        .join(&sha);
    let stored = std::fs::read(&blob).unwrap();
    assert!(!contains_bytes(&stored, "610327195001017535") && !contains_bytes(&stored, "核查报告"));
    let down = s
        .call(Some(&c), Method::GET, &format!("/api/files/{id}"), None)
        .await;
    assert_eq!(down.status, StatusCode::OK);
    assert_eq!(down.body, text.as_bytes());

    let mut bad = stored.clone();
    let i = bad.len() / 2;
    bad[i] ^= 1;
    std::fs::write(&blob, &bad).unwrap();
    let refused = s
        .call(Some(&c), Method::GET, &format!("/api/files/{id}"), None)
        .await;
    assert_eq!(refused.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !contains_bytes(&refused.body, "610327195001017535"),
        "nothing of the file is served"
    );
}

/// Every file in a folder tree.
fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Every ID number, name and bank account of a county lay in the clear in the uploads' Parquet
/// files, their ID indexes, the alerts and the person index: a copy of the data directory or
/// of the database was a copy of the county's people.
#[test]
fn regression_the_uploads_held_every_id_name_and_account_in_the_clear() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        nothing_personal_at_rest(backend);
    }
}

/// The text values of the database's tables that are, or hold an ID number that is, among
/// `values`: (table, column, value).
async fn texts_found_in_database(
    url: &str,
    values: &std::collections::HashSet<String>,
) -> Vec<(String, String, String)> {
    use sqlx::{Column, Row};
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let tables: Vec<String> = if url.starts_with("sqlite") {
        sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'",
        )
    } else {
        sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()",
        )
    }
    .fetch_all(&pool)
    .await
    .unwrap()
    .into_iter()
    .filter(|t: &String| !t.starts_with("_sqlx"))
    .collect();
    assert!(tables.len() > 20, "{tables:?}");
    let mut found = Vec::new();
    for t in tables {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM \"{t}\"")))
            .fetch_all(&pool)
            .await
            .unwrap();
        for r in &rows {
            for (i, c) in r.columns().iter().enumerate() {
                let Ok(Some(v)) = r.try_get::<Option<String>, _>(i) else {
                    continue;
                };
                let holds_id = v
                    .as_bytes()
                    .windows(18)
                    .any(|w| std::str::from_utf8(w).is_ok_and(|w| values.contains(w)));
                if values.contains(&v) || holds_id {
                    found.push((t.clone(), c.name().to_string(), v));
                }
            }
        }
    }
    pool.close().await;
    found
}

fn nothing_personal_at_rest(backend: Backend) {
    use crate::support::{generate, import_all, personal_values};
    let gen_dir = tempfile::tempdir().unwrap();
    let county = gen_dir.path().join("county");
    generate(&county, "22");
    let p = TestPlatform::new(backend);
    import_all(&p, &county);
    let run = p.run(&[
        "run",
        "--data-dir",
        p.data_dir_str(),
        "--as-of",
        "2026-10-31",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));

    let every: std::collections::HashSet<String> =
        personal_values(&county, usize::MAX).into_iter().collect();
    assert!(every.len() > 20_000, "{} values", every.len());
    let mut files = Vec::new();
    files_under(p.data_dir(), &mut files);
    let parquet: Vec<_> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "parquet"))
        .collect();
    assert!(parquet.len() > 20, "{} Parquet files", parquet.len());
    // Every cell of every Parquet file, decoded (pages are compressed: bytes alone prove little).
    let mut cells = 0usize;
    for f in &parquet {
        for batch in mingjing_ingest::columnar::read_batches(f, 8192).unwrap() {
            let batch = batch.unwrap();
            let text = mingjing_engine::rows::to_text(&batch.schema(), &[batch]);
            for row in &text.rows {
                for (v, col) in row.iter().zip(&text.columns) {
                    let Some(v) = v else { continue };
                    cells += 1;
                    assert!(
                        !every.contains(v),
                        "{} holds {v} in the clear in {col}",
                        f.display()
                    );
                }
            }
        }
    }
    assert!(cells > 100_000, "{cells} cells read");
    // Every text value of every table of the database, whole or holding an ID.
    let url = p.database_url();
    let in_clear = crate::support::block_on(texts_found_in_database(&url, &every));
    assert!(
        in_clear.is_empty(),
        "{backend:?}: in the clear in the database: {in_clear:?}"
    );
    // And the bytes of every file (the ID indexes, the footers' statistics, scratch files, the
    // SQLite database) or of a dump of the PostgreSQL database.
    let sample = personal_values(&county, 200);
    let mut bytes = Vec::new();
    for f in &files {
        bytes.extend(std::fs::read(f).unwrap_or_default());
    }
    if backend == Backend::Postgres {
        let dump = std::process::Command::new("pg_dump")
            .arg("--dbname")
            .arg(p.database_url())
            .output()
            .unwrap();
        assert!(dump.status.success(), "{}", stderr(&dump));
        assert!(dump.stdout.len() > 100_000, "a dump of the whole database");
        bytes.extend(dump.stdout);
    }
    let found = crate::support::found_in(&bytes, &sample);
    assert!(
        found.is_empty(),
        "{backend:?}: in the clear at rest: {found:?}"
    );

    // What people are shown is opened: the alerts name their subjects by their IDs.
    let alerts = crate::support::alerts(&p, p.data_dir_str());
    let named = alerts
        .lines()
        .skip(1)
        .filter(|l| l.split(',').any(|c| every.contains(c)))
        .count();
    assert!(named > 20, "alerts name their subjects:\n{alerts}");
    let check = p.check();
    assert!(check.status.success(), "{}", stderr(&check));
}
