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
    let raw = mingjing_app::accounts::base32_decode(attacker_secret).unwrap();
    s.clock.advance(chrono::Duration::seconds(30));
    let code = mingjing_app::accounts::totp_code(&raw, (s.clock.now().timestamp() / 30) as u64);
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
    let sha = up.json()["fingerprint"].as_str().unwrap().to_string();
    let blob = s
        .platform
        .data_dir()
        .join("files")
        .join(&sha[..2])
        .join(&sha);
    let stored = std::fs::read(&blob).unwrap();
    // Named by a keyed digest: whoever holds a copy of the report cannot confirm from the
    // directory's file names that the platform holds it too.
    assert_ne!(sha, mingjing_crypto::file_fingerprint(text.as_bytes()));
    assert_ne!(sha, mingjing_crypto::sm::sm3_hex(text.as_bytes()));
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
    assert_nothing_personal_at_rest(&p, &county, backend);
    // What people are shown is opened: the alerts name their subjects by their IDs.
    let every: std::collections::HashSet<String> =
        personal_values(&county, usize::MAX).into_iter().collect();
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

/// No ID number, name or account of the generated `county` in any cell of any Parquet file,
/// any text of the database, or the bytes of the data directory (or a dump of PostgreSQL).
fn assert_nothing_personal_at_rest(p: &TestPlatform, county: &std::path::Path, backend: Backend) {
    use crate::support::personal_values;
    let every: std::collections::HashSet<String> =
        personal_values(county, usize::MAX).into_iter().collect();
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
    let sample = personal_values(county, 200);
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
}

/// What people wrote (messages, documents, notices, replies, verifications, reviews,
/// accountability, recommendations, reminders, file names) and what they searched for (the
/// audit log's details) lay in the clear in the database; nothing looked at the server's log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_what_people_wrote_and_searched_for_lay_in_the_clear_on_sqlite() {
    texts_at_rest(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_what_people_wrote_and_searched_for_lay_in_the_clear_on_postgres() {
    texts_at_rest(Backend::Postgres).await;
}

/// A request to the server process as `c`, with a JSON body or a multipart upload.
pub(crate) fn over_process(
    p: &crate::server::Process,
    c: &crate::server::Client,
    method: &str,
    path: &str,
    body: Option<(String, Vec<u8>)>,
) -> (u16, String) {
    let port: u16 = p.addr.rsplit(':').next().unwrap().parse().unwrap();
    let (ct, body) = body.unwrap_or_default();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nCookie: {}\r\nX-CSRF-Token: {}\r\nConnection: close\r\n",
        c.cookie, c.csrf
    )
    .into_bytes();
    if !ct.is_empty() {
        req.extend(
            format!("Content-Type: {ct}\r\nContent-Length: {}\r\n", body.len()).into_bytes(),
        );
    }
    req.extend(b"\r\n");
    req.extend(body);
    crate::server::http_bytes(port, &req).expect("the server process answers")
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn texts_at_rest(backend: Backend) {
    use crate::server::{multipart, two_departments};
    let s = TestServer::new(backend).await;
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("server.log");
    // The process logs at debug, more than a deployment would.
    let process = crate::server::serve_logging(&s, &log, "debug");
    let (mz, _, _) = two_departments(&s).await;
    let today = s.state.today();
    s.state.platform.route_new_alerts(today).await.unwrap();
    let id = crate::support::test_id("61032719850315", 7);
    let name = "欧阳振华";
    let account = "6228480402564890018";
    let secret = format!("{name}（{id}）账户{account}");
    let values = vec![id.clone(), name.to_string(), account.to_string()];

    let analyst = s.login("analyst").await;
    let verifier = s.login("mz_verifier").await;
    let clerk = s.login("mz_clerk").await;
    let ok = |a: &crate::server::Answer, what: &str| {
        assert!(
            a.status.is_success(),
            "{what}: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body)
        );
        a.json()
    };
    let call = |c, m, path: String, body| {
        let s = &s;
        async move { s.call(Some(c), m, &path, body).await }
    };
    // 文件报送: a document, its reply and its return, a notice, an attachment named for a person.
    let book = ok(
        &call(
            &analyst,
            Method::GET,
            "/api/documents/addressees".into(),
            None,
        )
        .await,
        "addressees",
    );
    let mz_org = book["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "民政局")
        .unwrap()["id"]
        .clone();
    let file = s
        .send(crate::server::file_request(
            &analyst,
            "/api/files",
            "",
            None,
            &format!("{name}核查材料.pdf"),
            b"%PDF-1.4\n% evidence\n",
        ))
        .await;
    let file = ok(&file, "attachment")["id"].clone();
    let doc = ok(
        &call(
            &analyst,
            Method::POST,
            "/api/documents".into(),
            Some(
                json!({ "title": format!("关于{name}的核查通知"), "body": secret,
                "secrecy": "内部", "deadline": (today + chrono::Days::new(3)).to_string(),
                "reply_required": true, "org_ids": [mz_org], "user_ids": [], "files": [file] }),
            ),
        )
        .await,
        "document",
    )["id"]
        .as_i64()
        .unwrap();
    ok(
        &call(
            &clerk,
            Method::POST,
            format!("/api/documents/{doc}/sign"),
            None,
        )
        .await,
        "sign",
    );
    ok(
        &call(
            &clerk,
            Method::POST,
            format!("/api/documents/{doc}/reply"),
            Some(json!({ "body": secret, "files": [] })),
        )
        .await,
        "reply",
    );
    let sent = ok(
        &call(&analyst, Method::GET, format!("/api/documents/{doc}"), None).await,
        "document",
    );
    let rid = sent["recipients"][0]["id"].as_i64().unwrap();
    ok(
        &call(
            &analyst,
            Method::POST,
            format!("/api/documents/{doc}/recipients/{rid}/return"),
            Some(json!({ "comment": secret })),
        )
        .await,
        "return",
    );
    ok(
        &call(
            &analyst,
            Method::POST,
            "/api/notices".into(),
            Some(json!({ "title": format!("{name}的情况通报"), "body": secret, "org_ids": [mz_org] })),
        )
        .await,
        "notice",
    );
    // The verification loop: a unit's verification, a return, the next, an approval,
    // accountability and a recommendation.
    let path = |what: &str| format!("/api/alerts/{mz}/{what}");
    let verification =
        json!({ "conclusion": "属实", "explanation": secret, "other_outcomes": secret });
    ok(
        &call(
            &verifier,
            Method::POST,
            path("verification"),
            Some(verification.clone()),
        )
        .await,
        "verification",
    );
    ok(
        &call(
            &analyst,
            Method::POST,
            path("review"),
            Some(json!({ "decision": "return", "comment": secret })),
        )
        .await,
        "return",
    );
    ok(
        &call(
            &verifier,
            Method::POST,
            path("verification"),
            Some(verification),
        )
        .await,
        "verification",
    );
    ok(
        &call(
            &analyst,
            Method::POST,
            path("review"),
            Some(json!({ "decision": "approve", "comment": secret })),
        )
        .await,
        "approve",
    );
    ok(
        &call(
            &analyst,
            Method::POST,
            path("accountability"),
            Some(
                json!({ "kind": "约谈", "persons": name, "decided_on": today.to_string(),
                "document": secret, "note": secret }),
            ),
        )
        .await,
        "accountability",
    );
    ok(
        &call(
            &analyst,
            Method::POST,
            "/api/recommendations".into(),
            Some(json!({ "number": "陇纪建〔2026〕9号", "org_id": mz_org,
                "title": format!("关于{name}问题的建议"), "content": secret,
                "reply_due": (today + chrono::Duration::days(30)).to_string(), "alert_ids": [mz] })),
        )
        .await,
        "recommendation",
    );

    // Over the server process, whose log is read below: searches by name and by ID, a
    // person's page, chat, an upload that lands and one rejected for a row naming the person.
    let purpose = url_encode("核查线索");
    for q in [name, id.as_str()] {
        let (status, body) = over_process(
            &process,
            &analyst,
            "GET",
            &format!("/api/persons?q={}&purpose={purpose}", url_encode(q)),
            None,
        );
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = over_process(
        &process,
        &analyst,
        "GET",
        &format!("/api/persons/{id}?purpose={purpose}"),
        None,
    );
    assert!(matches!(status, 200 | 404), "{body}");
    let verifier_id = s
        .state
        .platform
        .store()
        .user_by_name("mz_verifier")
        .await
        .unwrap()
        .unwrap()
        .id;
    let json_body =
        |v: serde_json::Value| Some(("application/json".to_string(), v.to_string().into_bytes()));
    let (status, body) = over_process(
        &process,
        &analyst,
        "POST",
        "/api/chat/conversations",
        json_body(json!({ "user_id": verifier_id })),
    );
    assert_eq!(status, 200, "{body}");
    let chat = body.rsplit("\r\n\r\n").next().unwrap();
    let chat: serde_json::Value = serde_json::from_str(chat).unwrap();
    let chat = chat["id"].as_i64().unwrap();
    let (status, body) = over_process(
        &process,
        &analyst,
        "POST",
        &format!("/api/chat/conversations/{chat}/messages"),
        json_body(json!({ "body": secret })),
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = over_process(
        &process,
        &verifier,
        "GET",
        &format!(
            "/api/chat/conversations/{chat}/messages?q={}",
            url_encode(name)
        ),
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(&secret),
        "a search opens the messages: {body}"
    );
    let roll = format!("公民身份号码,姓名,死亡日期,数据来源\n{id},{name},2026-01-05,火化记录\n");
    let (status, body) = over_process(
        &process,
        &clerk,
        "POST",
        "/api/uploads",
        Some(multipart("deaths", None, "deaths.csv", roll.as_bytes())),
    );
    assert_eq!(status, 201, "{body}");
    let bad = format!("公民身份号码,姓名,死亡日期,数据来源\n{id},{name},2026-13-45,火化记录\n");
    let (status, body) = over_process(
        &process,
        &clerk,
        "POST",
        "/api/uploads",
        Some(multipart("deaths", None, "bad.csv", bad.as_bytes())),
    );
    assert_eq!(status, 422, "{body}");

    // What was written is read back whole by those it is for.
    let flow = ok(
        &call(&analyst, Method::GET, path("flow"), None).await,
        "flow",
    );
    assert_eq!(
        flow["verifications"][0]["explanation"],
        secret.as_str(),
        "{flow}"
    );
    assert_eq!(flow["verifications"][0]["review_comment"], secret.as_str());
    let found = ok(
        &call(
            &clerk,
            Method::GET,
            format!("/api/documents?q={}", url_encode(name)),
            None,
        )
        .await,
        "documents",
    );
    assert_eq!(found["documents"].as_array().unwrap().len(), 1, "{found}");
    let searched = s
        .state
        .platform
        .store()
        .audit_records(&mingjing_store::audit::AuditQuery {
            action: "person.search".into(),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        searched.iter().any(|r| r.entry.detail.contains(name)),
        "the audit log says whom was searched for: {searched:?}"
    );
    let chain = s.state.platform.store().verify_audit().await.unwrap();
    assert!(
        chain.is_ok(),
        "the chain verifies over sealed details: {chain:?}"
    );
    drop(process);

    // Nothing of it is in the clear: not in any text of any table, not in the bytes of the
    // data directory or of a dump, not in the server's log.
    let url = s.platform.database_url();
    let inside = texts_holding(&url, &values).await;
    assert!(
        inside.is_empty(),
        "{backend:?}: in the clear in the database: {inside:?}"
    );
    let mut bytes = every_byte_of(s.platform.data_dir());
    if backend == Backend::Postgres {
        let dump = std::process::Command::new("pg_dump")
            .arg("--dbname")
            .arg(&url)
            .output()
            .unwrap();
        assert!(dump.status.success(), "{}", stderr(&dump));
        bytes.extend(dump.stdout);
    }
    let found = crate::support::found_in(&bytes, &values);
    assert!(
        found.is_empty(),
        "{backend:?}: in the clear at rest: {found:?}"
    );
    let logged = std::fs::read(&log).unwrap();
    assert!(
        String::from_utf8_lossy(&logged).contains("person profile read"),
        "the log is at debug: {}",
        String::from_utf8_lossy(&logged)
    );
    let found = crate::support::found_in(&logged, &values);
    assert!(
        found.is_empty(),
        "{backend:?}: the server's log holds {found:?}:\n{}",
        String::from_utf8_lossy(&logged)
    );
}

/// The (table, column) of every text value holding one of `values` anywhere inside it.
async fn texts_holding(url: &str, values: &[String]) -> Vec<(String, String, String)> {
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
    .unwrap();
    let mut found = Vec::new();
    for t in tables.iter().filter(|t| !t.starts_with("_sqlx")) {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM \"{t}\"")))
            .fetch_all(&pool)
            .await
            .unwrap();
        for r in &rows {
            for (i, c) in r.columns().iter().enumerate() {
                if let Ok(Some(v)) = r.try_get::<Option<String>, _>(i)
                    && values.iter().any(|n| v.contains(n.as_str()))
                {
                    found.push((t.clone(), c.name().to_string(), v));
                }
            }
        }
    }
    pool.close().await;
    found
}

/// A data directory written before personal values were protected (by the commit before
/// tokens, `corpus/legacy/`) stayed in the clear: nothing encrypted it, and nothing refused
/// it. Now it is refused until `mingjing protect` has encrypted it in place, which survives
/// being stopped half-way; afterwards its alerts are the same and the models find the same.
#[test]
fn regression_a_data_directory_from_before_protection_stayed_in_the_clear() {
    let corpus = crate::support::corpus_dir().join("legacy");
    let p = TestPlatform::from_archive(&corpus.join("plain-data-dir.tgz"), "legacy");
    // The county it holds, generated again (the generator has not changed since).
    let gen_dir = tempfile::tempdir().unwrap();
    let county = gen_dir.path().join("county");
    let out = std::process::Command::new(crate::support::BIN)
        .args([
            "generate",
            "--out",
            county.to_str().unwrap(),
            "--seed",
            "41",
        ])
        .args([
            "--persons",
            "20000",
            "--months",
            "3",
            "--last-month",
            "2026-10",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let sample = crate::support::personal_values(&county, 200);
    let plain = crate::support::found_in(&every_byte_of(p.data_dir()), &sample);
    assert!(
        plain.len() > 100,
        "the corpus is in the clear: {}",
        plain.len()
    );

    // Refused, naming the command that helps, by everything but protect and backup.
    for args in [
        &["check"][..],
        &["alerts", "--format", "csv"],
        &["run", "--as-of", "2026-10-31"],
    ] {
        let o = p.run(&[args, &["--data-dir", p.data_dir_str()]].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("personal values in the clear")
                && stderr(&o).contains("mingjing protect --data-dir"),
            "{}",
            stderr(&o)
        );
    }
    let backup = tempfile::tempdir().unwrap();
    let to = backup.path().join("b");
    let o = p.run(&[
        "backup",
        "--data-dir",
        p.data_dir_str(),
        "--to",
        to.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "a backup first: {}", stderr(&o));

    // A run stopped half-way: one file already protected (its digests not yet recorded), a
    // half-written file beside another, an ID index lost.
    crate::support::block_on(async {
        let store = p.store().await;
        let ty = store.dataset_type("deaths").await.unwrap().unwrap();
        let ty = mingjing_domain::Standard::builtin()
            .types
            .into_iter()
            .find(|t| t.name == ty.name)
            .unwrap();
        let slices = store.all_slices("deaths").await.unwrap();
        let path = p
            .data_dir()
            .join("uploads")
            .join(&slices[0].dir)
            .join(&slices[0].file);
        mingjing_ingest::protect::protect_file(&ty, &path, &store.column_cipher().unwrap())
            .unwrap();
        let pays = store.all_slices("benefit_payments").await.unwrap();
        let other = p
            .data_dir()
            .join("uploads")
            .join(&pays[0].dir)
            .join(&pays[0].file);
        std::fs::write(mingjing_ingest::protect::pending_path(&other), b"PAR1 half").unwrap();
        std::fs::remove_file(mingjing_ingest::idindex::index_path(&path)).unwrap();
    });
    let o = p.run(&["check", "--data-dir", p.data_dir_str()]);
    assert_eq!(o.status.code(), Some(2), "still refused: {}", stderr(&o));

    let o = p.run(&["protect", "--data-dir", p.data_dir_str()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let said = crate::support::stdout(&o);
    assert!(
        said.contains("protected 55 files (") && said.contains(", 1 ID indexes,"),
        "{said}"
    );
    let again = p.run(&["protect", "--data-dir", p.data_dir_str()]);
    assert!(
        crate::support::stdout(&again)
            .contains("protected 0 files (0 rows), 0 ID indexes, 0 attachments, 0 records"),
        "a second run has nothing to do: {}",
        crate::support::stdout(&again)
    );
    let check = p.check();
    assert!(check.status.success(), "{}", stderr(&check));
    let audit = p.run(&["audit", "verify", "--data-dir", p.data_dir_str()]);
    assert!(audit.status.success(), "{}", stderr(&audit));

    // The same alerts, opened from their tokens; the models find the same on the new files.
    let before = std::fs::read_to_string(corpus.join("alerts.csv")).unwrap();
    assert_eq!(crate::support::alerts(&p, p.data_dir_str()), before);
    let run = p.run(&[
        "run",
        "--data-dir",
        p.data_dir_str(),
        "--as-of",
        "2026-10-31",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let printed = crate::support::stdout(&run);
    assert!(
        printed.contains("M20: 0 alerts raised, 0 updated (2 subjects found)"),
        "{printed}"
    );
    assert!(
        printed
            .lines()
            .all(|l| l.contains(" 0 alerts raised, 0 updated")),
        "nothing new or changed: {printed}"
    );
    assert_eq!(crate::support::alerts(&p, p.data_dir_str()), before);
    assert_nothing_personal_at_rest(&p, &county, Backend::Sqlite);
}
