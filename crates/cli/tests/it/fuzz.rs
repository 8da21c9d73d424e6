//! Every fuzz target, briefly: the committed seed corpus, then mutations of it with a fixed
//! seed (`mingjing fuzz`, a real process). No panic, no hang, no finding. The long campaign
//! runs the same command for millions of executions (docs/security.md).

use crate::support::BIN;
use std::path::Path;

/// Executions per target in CI (seeds included).
const CI_EXECUTIONS: &str = "4000";

#[test]
fn every_fuzz_target_survives_its_corpus_and_its_mutations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/fuzz");
    let findings = tempfile::tempdir().unwrap();
    let targets = [
        "csv",
        "xlsx",
        "xlsx-sheet",
        "xls",
        "persons-list",
        "model",
        "dataset-type",
        "json-bodies",
        "multipart",
    ];
    for target in targets {
        let corpus = root.join(target);
        assert!(
            std::fs::read_dir(&corpus).unwrap().count() > 0,
            "{target} has a seed corpus"
        );
        let out = std::process::Command::new(BIN)
            .args(["fuzz", target, "--corpus"])
            .arg(&corpus)
            .args([
                "--executions",
                CI_EXECUTIONS,
                "--seed",
                "20261203",
                "--findings",
            ])
            .arg(findings.path())
            .output()
            .expect("mingjing fuzz runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{target}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("{CI_EXECUTIONS} executions"))
                && stdout.contains("0 findings"),
            "{target}: {stdout}"
        );
    }
    // An unknown target is a usage error, naming the targets.
    let out = std::process::Command::new(BIN)
        .args(["fuzz", "nothing", "--corpus", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("json-bodies"));
}
