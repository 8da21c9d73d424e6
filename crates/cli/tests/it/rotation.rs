//! Rotation of the data keys while the platform serves (`mingjing keys rotate`): a new version
//! seals from then on, a running server takes it up, and everything older versions sealed is
//! sealed again — database texts, second-factor secrets, attachments and the uploads' sealed
//! cells — while what was stored still reads the same.

use crate::server::{PW, TestServer};
use crate::support::{Backend, generate, manifest, stderr, stdout};
use mingjing_crypto::Purpose;

#[tokio::test(flavor = "multi_thread")]
async fn data_keys_rotate_while_the_platform_serves_on_sqlite() {
    data_keys_rotate(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn data_keys_rotate_while_the_platform_serves_on_postgres() {
    data_keys_rotate(Backend::Postgres).await;
}

/// The sealed cells of every slice file of `ty`, as stored.
async fn sealed_cells(s: &TestServer, ty: &str, field: &str) -> Vec<String> {
    let platform = &s.state.platform;
    let mut out = Vec::new();
    for slice in platform.store().all_slices(ty).await.unwrap() {
        let path = platform.data.slice_path(&slice.dir, &slice.file);
        for batch in mingjing_ingest::columnar::read_batches(&path, 8192).unwrap() {
            let batch = batch.unwrap();
            let text = mingjing_engine::rows::to_text(&batch.schema(), &[batch]);
            let i = text.columns.iter().position(|c| c == field).unwrap();
            out.extend(text.rows.iter().filter_map(|r| r[i].clone()));
        }
    }
    out
}

/// What a reader is shown of a type's rows (its personal values opened).
async fn shown_rows(s: &TestServer, ty: &str) -> Vec<Vec<Option<String>>> {
    let platform = &s.state.platform;
    let t = platform.dataset_type(ty).await.unwrap();
    let files: Vec<_> = platform
        .store()
        .current_slices(ty)
        .await
        .unwrap()
        .iter()
        .map(|s| platform.data.slice_path(&s.dir, &s.file))
        .collect();
    platform
        .rows_page(&t, &files, 0, 100_000)
        .await
        .unwrap()
        .rows
}

async fn data_keys_rotate(backend: Backend) {
    let s = TestServer::new(backend).await;
    let p = &s.platform;
    // `mingjing keys ACTION --data-dir DIR ARGS…` on this platform.
    let keys = |action: &str, args: &[&str]| {
        p.run(&[&["keys", action, "--data-dir", p.data_dir_str()][..], args].concat())
    };
    // The county's files are larger than the test server's upload limit.
    let config = p.data_dir().join("mingjing.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("max_file_bytes = 200000", "max_file_bytes = 50000000"),
    )
    .unwrap();
    let gen_dir = tempfile::tempdir().unwrap();
    let county = gen_dir.path().join("county");
    generate(&county, "31");
    // The types whose names are sealed, not tokens: a business is named after its owner.
    for e in manifest(&county)
        .iter()
        .filter(|e| ["businesses", "tax_invoices", "persons"].contains(&e.ty.as_str()))
    {
        let period = (!e.period.is_empty()).then_some(e.period.as_str());
        let out = p.import(&e.ty, &e.org, period, &county.join(&e.file));
        assert!(out.status.success(), "{}: {}", e.file, stderr(&out));
    }
    let platform = &s.state.platform;
    let attachment = "核查材料：某村低保户名单".repeat(5000).into_bytes();
    let fingerprint = platform.store_attachment(attachment.clone()).await.unwrap();
    let marker = "轮换之前写下的审计详情";
    platform
        .store()
        .audit(&mingjing_store::audit::AuditEntry {
            actor: "test".into(),
            role: "test".into(),
            action: "test.before_rotation".into(),
            object: "keyring".into(),
            result: "ok".into(),
            source: "local".into(),
            detail: marker.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let businesses = shown_rows(&s, "businesses").await;
    let invoices = shown_rows(&s, "tax_invoices").await;
    assert!(businesses.len() > 50, "{}", businesses.len());
    let cells = sealed_cells(&s, "businesses", "company_name").await;
    assert!(
        cells.iter().all(|c| c.starts_with("01")),
        "{:?}",
        &cells[..3]
    );

    // Keys whose values cannot change in place are refused, and nothing is written.
    let keyring_before = platform.store().stored_keyring().await.unwrap();
    for key in ["columns", "audit", "blind_index", "person_handle"] {
        let out = keys("rotate", &["--key", key]);
        assert!(!out.status.success(), "{key}");
        assert!(
            stderr(&out).contains("cannot be rotated in place"),
            "{key}: {}",
            stderr(&out)
        );
    }
    let out = keys("rotate", &["--key", "nope"]);
    assert!(
        stderr(&out).contains("no key purpose 'nope'"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        platform.store().stored_keyring().await.unwrap(),
        keyring_before,
        "a refused rotation wrote nothing"
    );

    // A server process runs through the rotations; the auditor signed in before them.
    let process = crate::server::serve(&s);
    let auditor = s.login("auditadmin").await;
    for key in ["fields", "files", "totp"] {
        // The server refreshes its keys every 5 s: 6 s of settling lets it take them up.
        let out = keys("rotate", &["--key", key, "--settle-seconds", "6"]);
        assert!(out.status.success(), "{key}: {}", stderr(&out));
        assert!(
            stdout(&out).contains(&format!("the {key} key is at version 2")),
            "{}",
            stdout(&out)
        );
    }
    assert!(
        platform.refresh_keys().await.unwrap(),
        "this process takes the new keys up"
    );
    let ring = platform.store().keyring().unwrap();
    for purpose in [Purpose::Fields, Purpose::Files, Purpose::Totp] {
        assert_eq!(ring.version(purpose), 2, "{purpose:?}");
        assert_eq!(
            platform
                .store()
                .sealed_with_older_keys(purpose)
                .await
                .unwrap(),
            0,
            "{purpose:?}: every value of the database is sealed with the new key"
        );
    }
    // The uploads' sealed cells and the attachment were sealed again, and read the same.
    let cells = sealed_cells(&s, "businesses", "company_name").await;
    assert!(
        cells.iter().all(|c| c.starts_with("02")),
        "{:?}",
        &cells[..3]
    );
    let cells = sealed_cells(&s, "tax_invoices", "seller_name").await;
    assert!(
        cells.iter().all(|c| c.starts_with("02")),
        "{:?}",
        &cells[..3]
    );
    assert_eq!(shown_rows(&s, "businesses").await, businesses);
    assert_eq!(shown_rows(&s, "tax_invoices").await, invoices);
    let stored = std::fs::read(
        platform
            .data
            .root()
            .join("files")
            .join(&fingerprint[..2])
            .join(&fingerprint),
    )
    .unwrap();
    assert_eq!(mingjing_crypto::Keyring::file_version(&stored), Some(2));
    assert_eq!(
        platform.read_attachment(&fingerprint).await.unwrap(),
        attachment
    );
    // The server process took the new keys up: it opens the details the rotation sealed
    // again, and signs in an administrator whose second factor it sealed again.
    let (status, body) = crate::keys::over_process(
        &process,
        &auditor,
        "GET",
        "/api/audit?action=test.before_rotation",
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(marker), "{body}");
    assert!(
        !body.contains(mingjing_store::audit::UNREADABLE_DETAIL),
        "{body}"
    );
    let again = s.try_login("secadmin", PW).await;
    assert_eq!(again.status, axum::http::StatusCode::OK, "{}", again.json());
    drop(process);
    // The rotations are audited, the chain holds, and the files match their digests.
    let chain = platform.store().verify_audit().await.unwrap();
    assert!(chain.is_ok(), "{chain:?}");
    let rotations = platform
        .store()
        .audit_records(&mingjing_store::audit::AuditQuery {
            action: "keys.reseal".into(),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rotations.len(), 3, "{rotations:?}");
    let check = p.check();
    assert!(check.status.success(), "{}", stderr(&check));
    // A reseal with nothing left to do changes nothing.
    let out = keys("reseal", &["--key", "fields"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .contains("sealed again 0 database values, 0 attachments, 0 cells in 0 upload files"),
        "{}",
        stdout(&out)
    );
}
