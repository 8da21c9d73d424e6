//! Backup and restore: a live platform copied while a model run and an import are in progress,
//! restored elsewhere with its master key, checked; the backup holds no personal value in the
//! clear, and a changed byte or another key is refused by name.

use crate::support::{
    Backend, PgDatabase, TestPlatform, alerts, every_byte_of, generate, import_all, manifest,
    personal_values, stderr, stdout,
};
use std::path::Path;

fn round_trip(backend: Backend) {
    let gen_dir = tempfile::tempdir().unwrap();
    let county = gen_dir.path().join("county");
    generate(&county, "17");
    let p = TestPlatform::new(backend);
    import_all(&p, &county);
    let as_of = "2026-10-31";
    let run = p.run(&["run", "--data-dir", p.data_dir_str(), "--as-of", as_of]);
    assert!(run.status.success(), "{}", stderr(&run));
    let before = alerts(&p, p.data_dir_str());
    assert!(before.lines().count() > 20, "the county raises alerts");

    // A model run and an import in progress while the backup is taken.
    let mut running = p
        .command()
        .args(["run", "--data-dir", p.data_dir_str(), "--as-of", as_of])
        .spawn()
        .unwrap();
    let deaths = manifest(&county)
        .into_iter()
        .find(|e| e.ty == "deaths")
        .unwrap();
    let mut importing = p
        .command()
        .args([
            "import",
            "--data-dir",
            p.data_dir_str(),
            "--type",
            "deaths",
            "--org",
            &deaths.org,
        ])
        .arg(county.join(&deaths.file))
        .spawn()
        .unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let backup = out_dir.path().join("backup");
    let made = p.run(&[
        "backup",
        "--data-dir",
        p.data_dir_str(),
        "--to",
        backup.to_str().unwrap(),
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(running.wait().unwrap().success());
    assert!(importing.wait().unwrap().success());
    let after = alerts(&p, p.data_dir_str());

    // Nothing personal in the clear.
    let bytes = every_byte_of(&backup);
    let values = personal_values(&county, 200);
    assert!(values.len() > 100, "{} values", values.len());
    let found = crate::support::found_in(&bytes, &values);
    assert!(found.is_empty(), "in the clear in the backup: {found:?}");

    // Verified without restoring; one changed byte is named.
    let key = p.dir.path().join("data.master.key");
    let key_s = key.to_str().unwrap();
    let verify = |dir: &Path| {
        p.run(&[
            "backup",
            "verify",
            "--from",
            dir.to_str().unwrap(),
            "--master-key-file",
            key_s,
        ])
    };
    let ok = verify(&backup);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let damaged = out_dir.path().join("damaged");
    copy_dir(&backup, &damaged);
    let victim = damaged.join("data").join("000003");
    let mut b = std::fs::read(&victim).unwrap();
    let i = b.len() / 2;
    b[i] ^= 1;
    std::fs::write(&victim, b).unwrap();
    let bad = verify(&damaged);
    assert!(!bad.status.success());
    let e = stderr(&bad);
    assert!(
        e.contains("(as data/000003) failed its integrity check"),
        "{e}"
    );

    // Restored on a fresh directory with the key: it checks, its audit chain verifies, and its
    // alerts are the source's.
    let fresh = tempfile::tempdir().unwrap();
    let target = fresh.path().join("restored");
    let pg = (backend == Backend::Postgres).then(PgDatabase::create);
    let mut args = vec![
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--data-dir",
        target.to_str().unwrap(),
        "--master-key-file",
        key_s,
    ];
    if let Some(pg) = &pg {
        args.extend(["--database-url", pg.url.as_str()]);
    }
    // The restore reads the database it is told, whatever the environment says.
    let restored = p
        .command()
        .env_remove("MINGJING_DATABASE_URL")
        .args(&args)
        .output()
        .unwrap();
    assert!(restored.status.success(), "{}", stderr(&restored));
    let t = target.to_str().unwrap();
    let run_plain = |args: &[&str]| {
        p.command()
            .env_remove("MINGJING_DATABASE_URL")
            .args(args)
            .output()
            .unwrap()
    };
    let check = run_plain(&["check", "--data-dir", t]);
    assert!(check.status.success(), "{}", stderr(&check));
    let audit = run_plain(&["audit", "verify", "--data-dir", t]);
    assert!(audit.status.success(), "{}", stderr(&audit));
    let out = run_plain(&["alerts", "--data-dir", t, "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The run is one transaction: the copy holds the alerts before it or after it, never half.
    let got = stdout(&out);
    assert!(
        got == before || got == after,
        "the restored platform's alerts are neither the source's before the run nor after it"
    );

    // Another master key opens nothing.
    let other = fresh.path().join("other.key");
    std::fs::write(&other, "00112233445566778899aabbccddeeff\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let wrong = p.run(&[
        "backup",
        "verify",
        "--from",
        backup.to_str().unwrap(),
        "--master-key-file",
        other.to_str().unwrap(),
    ]);
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains("is not the one this platform's keys are wrapped with"),
        "{}",
        stderr(&wrong)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn a_backup_of_a_working_platform_restores_elsewhere_on_sqlite() {
    round_trip(Backend::Sqlite);
}

#[test]
fn a_backup_of_a_working_platform_restores_elsewhere_on_postgres() {
    round_trip(Backend::Postgres);
}
