//! Every action is audited by the service that performs it, so the command line leaves the
//! same records as the browser.

use crate::support::*;

#[test]
fn regression_actions_at_the_command_line_left_no_audit_record() {
    let p = TestPlatform::new(Backend::Sqlite);
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("deaths.csv");
    std::fs::write(
        &good,
        "公民身份号码,姓名,死亡日期,数据来源\n11010519491231002X,张三,2026-01-05,火化记录\n",
    )
    .unwrap();
    let bad = dir.path().join("deaths-bad.csv");
    std::fs::write(
        &bad,
        "公民身份号码,姓名,死亡日期,数据来源\n110105194912310021,张三,2026-01-05,火化记录\n",
    )
    .unwrap();
    assert!(p.import("deaths", "公安局", None, &good).status.success());
    assert!(!p.import("deaths", "公安局", None, &bad).status.success());
    // The same file again: already loaded, nothing written but its record.
    assert!(p.import("deaths", "公安局", None, &good).status.success());
    let d = p.data_dir_str();
    let run = p.run(&["run", "--data-dir", d, "--model", "M01"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let export = p.run(&["model", "--data-dir", d, "export", "M01"]);
    assert!(export.status.success(), "{}", stderr(&export));
    let alerts = p.run(&["alerts", "--data-dir", d, "--format", "csv"]);
    assert!(alerts.status.success(), "{}", stderr(&alerts));

    let records = block_on(async {
        p.store()
            .await
            .audit_records(&mingjing_store::audit::AuditQuery {
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap()
    });
    let seen: Vec<(String, String, String)> = records
        .iter()
        .rev()
        .filter(|r| r.entry.actor.starts_with("cli:"))
        .map(|r| {
            assert_eq!(r.entry.role, "operator", "{r:?}");
            assert_eq!(r.entry.source, "local", "{r:?}");
            (
                r.entry.action.clone(),
                r.entry.object.clone(),
                r.entry.result.clone(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = [
        ("upload.create", "upload:1", "ok"),
        ("upload.create", "type:deaths", "rejected"),
        ("upload.create", "upload:1", "ok"),
        ("model.run", "models:M01", "ok"),
        ("model.export", "model:M01", "ok"),
        ("alert.export", "alerts", "ok"),
    ]
    .iter()
    .map(|(a, o, r)| (a.to_string(), o.to_string(), r.to_string()))
    .collect();
    assert_eq!(seen, expected);
    let verify = p.run(&["audit", "verify", "--data-dir", d]);
    assert!(verify.status.success(), "{}", stderr(&verify));
    // The verification is itself recorded, as the browser's is.
    let last = block_on(async {
        p.store()
            .await
            .audit_records(&mingjing_store::audit::AuditQuery {
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap()
    });
    assert_eq!(
        (last[0].entry.action.as_str(), last[0].entry.result.as_str()),
        ("audit.verify", "ok")
    );
    assert!(last[0].entry.actor.starts_with("cli:"), "{:?}", last[0]);
}
