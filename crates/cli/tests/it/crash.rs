//! The import process killed at random points never leaves a partial upload.

use crate::support::*;
use mingjing_domain::IdNumber;
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::time::{Duration, Instant};

fn write_roll(path: &std::path::Path, rows: usize) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        f,
        "项目代码,领取人身份证号,领取人姓名,乡镇,村(社区),发放月份,发放金额,收款账号"
    )
    .unwrap();
    for i in 0..rows {
        let k = i / 1000;
        let first17 = format!(
            "610327{}{:02}{:02}{:03}",
            1940 + k % 60,
            1 + k / 60 % 12,
            1 + k / 720 % 28,
            i % 1000
        );
        let id: IdNumber = format!(
            "{first17}{}",
            mingjing_domain::id::check_char(first17.as_bytes())
        )
        .parse()
        .unwrap();
        writeln!(
            f,
            "YANGLAO,{id},某{i},城关镇,东关社区,2026-03,{}.{:02},6228{i:015}",
            100 + i % 300,
            i % 100
        )
        .unwrap();
    }
}

/// `mingjing import` of a March 2026 payment roll as its own process.
fn spawn_import(p: &TestPlatform, org: &str, roll: &str, capture: bool) -> std::process::Child {
    let out = || {
        if capture {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        }
    };
    p.command()
        .args([
            "import",
            "--data-dir",
            p.data_dir_str(),
            "--type",
            "benefit_payments",
            "--org",
            org,
            "--period",
            "2026-03",
            roll,
        ])
        .stdout(out())
        .stderr(out())
        .spawn()
        .unwrap()
}

#[test]
fn import_killed_at_random_points_never_leaves_a_partial_upload() {
    let p = TestPlatform::new(Backend::Sqlite);
    let files = tempfile::tempdir().unwrap();
    let roll = files.path().join("roll.csv");
    let rows = 120_000;
    write_roll(&roll, rows);
    let roll_str = roll.to_str().unwrap();

    // One full import, timed, gives the window the kills fall in.
    let start = Instant::now();
    let out = p.import("benefit_payments", "org-full", Some("2026-03"), &roll);
    assert!(out.status.success(), "{}", stderr(&out));
    let full = start.elapsed();

    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut killed = 0;
    for run in 0..50 {
        let org = format!("org-{run}");
        let mut child = spawn_import(&p, &org, roll_str, false);
        // Most kills land inside the import (the first run's time includes start-up and exit).
        let wait = rng.random_range(0..(full.as_millis() as u64 * 3 / 4).max(20));
        std::thread::sleep(Duration::from_millis(wait));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        child.wait().unwrap();

        // Opening the platform removes what the dead process left; it must then be consistent,
        // and every upload there must be whole.
        let check = p.check();
        assert!(check.status.success(), "run {run}: {}", stderr(&check));
    }
    assert!(
        killed >= 25,
        "only {killed} of 50 runs were killed mid-import"
    );
    let uploads = {
        let url = p.database_url();
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(async move {
                let s = mingjing_store::SqlStore::connect(&url, crate::support::test_clock())
                    .await
                    .unwrap();
                s.uploads(None).await.unwrap()
            })
    };
    assert!(!uploads.is_empty());
    for u in &uploads {
        assert_eq!(
            u.rows, rows as u64,
            "upload #{} of {} is partial",
            u.id, u.org_name
        );
    }
}

/// Regression: opening a platform (as every command does) used to remove every staging and
/// unregistered upload folder — including those of an import running in another process.
#[test]
fn recovery_leaves_a_concurrent_import_alone() {
    let p = TestPlatform::new(Backend::Sqlite);
    let files = tempfile::tempdir().unwrap();
    let roll = files.path().join("roll.csv");
    write_roll(&roll, 150_000);
    let mut child = spawn_import(&p, "人社局", roll.to_str().unwrap(), true);
    // Open the platform again and again while the import runs.
    let mut checks = 0;
    while child.try_wait().unwrap().is_none() {
        let check = p.check();
        assert!(check.status.success(), "{}", stderr(&check));
        checks += 1;
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(checks > 0);
    let check = p.check();
    assert!(check.status.success(), "{}", stderr(&check));
    assert_eq!(count_uploads(&p), 1);
}
