//! The storage lifecycle, run the same way against SQLite and PostgreSQL.

use crate::support::*;
use mingjing_domain::{DatasetType, Month, Standard};
use mingjing_store::{NewSlice, NewUpload, SqlStore};

fn upload(ty: &str, org: i64, period: Option<&str>, sha: &str, parts: &[&str]) -> NewUpload {
    NewUpload {
        dataset_type: ty.into(),
        org_id: org,
        period: period.map(|p| p.parse::<Month>().unwrap()),
        file_name: format!("{sha}.csv"),
        sha256: sha.into(),
        rows: parts.len() as u64 * 10,
        uploaded_by: "test".into(),
        dir: format!("dir-{sha}"),
        audit: None,
        slices: parts
            .iter()
            .enumerate()
            .map(|(i, p)| NewSlice {
                partition: p.to_string(),
                rows: 10,
                file: format!("part-{i:04}.parquet"),
                sm3: None,
                ids_sm3: None,
            })
            .collect(),
    }
}

async fn lifecycle(url: &str) {
    let store = SqlStore::connect(url, crate::support::test_clock())
        .await
        .expect("connect");
    // Migrating an up-to-date database again is a no-op.
    SqlStore::connect(url, crate::support::test_clock())
        .await
        .expect("reconnect")
        .close()
        .await;

    let standard = Standard::builtin();
    store.install_standard(&standard).await.unwrap();
    store.install_standard(&standard).await.unwrap();
    let types = store.dataset_types().await.unwrap();
    let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
    let expected: Vec<&str> = standard.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, expected, "built-in types in the standard's order");
    assert_eq!(types, standard.types, "definitions round-trip exactly");

    // Administrators add types at run time; the built-in ones cannot be redefined.
    let land = DatasetType::parse_definition(
        "land_subsidy",
        r#"label = "耕地地力保护补贴"
           key = ["id_number"]
           fields = [{ key = "id_number", label = "公民身份号码", type = "id18", required = true },
                     { key = "mu", label = "面积(亩)", type = "decimal", required = true }]"#,
    )
    .unwrap();
    store.put_dataset_type(&land).await.unwrap();
    store.put_dataset_type(&land).await.unwrap();
    assert_eq!(
        store.dataset_type("land_subsidy").await.unwrap(),
        Some(land.clone())
    );
    assert_eq!(
        store.dataset_types().await.unwrap().len(),
        standard.types.len() + 1
    );
    let mut persons = standard.dataset_type("persons").unwrap().clone();
    persons.label = "改名".into();
    let err = store
        .put_dataset_type(&persons)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("built-in standard"), "{err}");

    let programs = store.programs().await.unwrap();
    assert_eq!(programs.len(), 9);
    assert_eq!(
        programs
            .iter()
            .find(|p| p.code == "DIBAO")
            .unwrap()
            .department,
        "民政局"
    );

    store.set_setting("county", "陇县").await.unwrap();
    store.set_setting("county", "千阳县").await.unwrap();
    assert_eq!(
        store.setting("county").await.unwrap().as_deref(),
        Some("千阳县")
    );
    assert_eq!(store.setting("nope").await.unwrap(), None);

    let mz = store.ensure_org("民政局", "department").await.unwrap();
    assert_eq!(store.ensure_org("民政局", "department").await.unwrap(), mz);
    let gaj = store.ensure_org("公安局", "department").await.unwrap();
    assert_ne!(mz.id, gaj.id);

    // Snapshot types: an organisation's new upload replaces its earlier one only.
    let a = store
        .commit_upload(&upload("persons", gaj.id, None, "a", &[""]))
        .await
        .unwrap();
    assert!(a.replaced.is_empty());
    let b = store
        .commit_upload(&upload("persons", gaj.id, None, "b", &[""]))
        .await
        .unwrap();
    assert_eq!(b.replaced.len(), 1);
    assert_eq!(b.replaced[0].upload_id, a.upload_id);
    let c = store
        .commit_upload(&upload("persons", mz.id, None, "c", &[""]))
        .await
        .unwrap();
    assert!(
        c.replaced.is_empty(),
        "another organisation's upload is not replaced"
    );
    let current: Vec<i64> = store
        .current_slices("persons")
        .await
        .unwrap()
        .iter()
        .map(|s| s.upload_id)
        .collect();
    assert_eq!(current, vec![b.upload_id, c.upload_id]);

    // Monthly types with partition: only the programmes the new file carries are replaced.
    let p1 = store
        .commit_upload(&upload(
            "benefit_payments",
            mz.id,
            Some("2026-01"),
            "p1",
            &["DIBAO", "TEKUN"],
        ))
        .await
        .unwrap();
    let p2 = store
        .commit_upload(&upload(
            "benefit_payments",
            mz.id,
            Some("2026-01"),
            "p2",
            &["DIBAO"],
        ))
        .await
        .unwrap();
    assert_eq!(p2.replaced.len(), 1);
    assert_eq!(
        (p2.replaced[0].upload_id, p2.replaced[0].partition.as_str()),
        (p1.upload_id, "DIBAO")
    );
    let p3 = store
        .commit_upload(&upload(
            "benefit_payments",
            mz.id,
            Some("2026-02"),
            "p3",
            &["DIBAO"],
        ))
        .await
        .unwrap();
    assert!(p3.replaced.is_empty(), "another month is not replaced");
    let p4 = store
        .commit_upload(&upload(
            "benefit_payments",
            mz.id,
            Some("2026-01"),
            "p4",
            &[],
        ))
        .await
        .unwrap();
    assert!(
        p4.replaced.is_empty(),
        "an empty roll carries no programme, so replaces none"
    );
    let current: Vec<(i64, String)> = store
        .current_slices("benefit_payments")
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.upload_id, s.partition))
        .collect();
    assert_eq!(
        current,
        vec![
            (p1.upload_id, "TEKUN".into()),
            (p2.upload_id, "DIBAO".into()),
            (p3.upload_id, "DIBAO".into())
        ]
    );

    // An identical file is "already loaded" only while it is wholly current.
    let jan: Option<Month> = Some("2026-01".parse().unwrap());
    let same = store
        .find_current_identical("benefit_payments", mz.id, jan, "p2")
        .await
        .unwrap();
    assert_eq!(same.map(|u| u.id), Some(p2.upload_id));
    assert!(
        store
            .find_current_identical("benefit_payments", mz.id, jan, "p1")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .find_current_identical("benefit_payments", gaj.id, jan, "p2")
            .await
            .unwrap()
            .is_none()
    );

    let all = store.uploads(None).await.unwrap();
    assert_eq!(all.len(), 7);
    assert_eq!(all[0].id, p4.upload_id, "newest first");
    let mine = store.uploads(Some(gaj.id)).await.unwrap();
    assert_eq!(
        mine.iter().map(|u| u.id).collect::<Vec<_>>(),
        vec![b.upload_id, a.upload_id]
    );
    let u = store.upload(p3.upload_id).await.unwrap().unwrap();
    assert_eq!(
        (u.org_name.as_str(), u.period, u.rows),
        ("民政局", Some("2026-02".parse().unwrap()), 10)
    );
    assert_eq!(store.upload_dirs().await.unwrap().len(), 7);

    // The database itself refuses a second current slice for one scope.
    let dup = sqlx::query(
        "INSERT INTO upload_slices (upload_id, dataset_type, org_id, period, partition_key, row_count, file) \
         VALUES ($1, 'benefit_payments', $2, '2026-02', 'DIBAO', 1, 'x')",
    )
    .bind(p1.upload_id)
    .bind(mz.id)
    .execute(store.pool())
    .await;
    let err = mingjing_store::StoreError::from(dup.expect_err("unique index"));
    assert!(err.is_unique_violation(), "{err}");
    store.close().await;
}

#[test]
fn storage_lifecycle_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("meta.db").display());
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(lifecycle(&url));
}

#[test]
fn storage_lifecycle_on_postgres() {
    let db = PgDatabase::create();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(lifecycle(&db.url));
}

/// A transaction that read before writing failed at once with "database is locked" when
/// another process had written to the SQLite file since its read (a snapshot cannot be
/// upgraded): a server starting beside a test's writes broke it now and then. Write
/// transactions now take the write lock at their start, so the other writer waits instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_write_after_a_read_failed_when_another_process_had_written() {
    let p = TestPlatform::new(Backend::Sqlite);
    let (a, b) = (p.store().await, p.store().await);
    let mut tx = a.begin().await.unwrap();
    sqlx::query("SELECT count(*) FROM settings")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let writer = tokio::spawn(async move { b.set_setting("other_writer", "1").await });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    sqlx::query("INSERT INTO settings (key, value) VALUES ('this_writer', '1')")
        .execute(&mut *tx)
        .await
        .expect("the write after the read goes through");
    tx.commit().await.unwrap();
    writer
        .await
        .unwrap()
        .expect("the other writer waited for the lock");
}
