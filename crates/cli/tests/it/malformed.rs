//! The committed corpus of malformed files: each is rejected with a message naming the file,
//! row and column where there is one, with exit status 1, and nothing is written.

use crate::support::*;

#[test]
fn every_malformed_file_is_rejected_whole_with_its_errors_named() {
    let p = TestPlatform::new(Backend::Sqlite);
    let corpus = corpus_dir();
    let mut reader = csv::Reader::from_path(corpus.join("malformed_cases.csv")).expect("cases");
    let mut failures = Vec::new();
    let mut n = 0;
    for rec in reader.records() {
        let rec = rec.expect("case row");
        let (file, ty, period, expect) = (&rec[0], &rec[1], &rec[2], &rec[3]);
        n += 1;
        let path = corpus.join("malformed").join(file);
        let out = p.import(ty, "测试局", (!period.is_empty()).then_some(period), &path);
        let err = stderr(&out);
        if out.status.code() != Some(1) {
            failures.push(format!(
                "{file}: exit {:?}, stderr {err}",
                out.status.code()
            ));
            continue;
        }
        if !err.contains(file) {
            failures.push(format!("{file}: the message does not name the file: {err}"));
        }
        for want in expect.split(" | ") {
            if !err.contains(want.trim()) {
                failures.push(format!("{file}: expected `{want}` in:\n{err}"));
            }
        }
    }
    assert!(n >= 40, "the corpus has only {n} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(count_uploads(&p), 0, "a rejected file left an upload");
    let check = p.check();
    assert!(check.status.success(), "{}", stderr(&check));
    let leftovers: Vec<_> = std::fs::read_dir(p.data_dir().join("uploads"))
        .unwrap()
        .collect();
    assert!(
        leftovers.is_empty(),
        "rejected files left folders: {leftovers:?}"
    );
}

#[test]
fn misuse_exits_2_before_reading_the_file() {
    let p = TestPlatform::new(Backend::Sqlite);
    let missing = p.data_dir().join("does-not-exist.csv");
    let cases: [(&str, Option<&str>, &str); 3] = [
        ("no_such_type", None, "unknown dataset type 'no_such_type'"),
        ("benefit_payments", None, "--period YYYY-MM is required"),
        ("persons", Some("2026-01"), "--period does not apply"),
    ];
    for (ty, period, want) in cases {
        let out = p.import(ty, "民政局", period, &missing);
        assert_eq!(out.status.code(), Some(2), "{ty}: {}", stderr(&out));
        assert!(stderr(&out).contains(want), "{ty}: {}", stderr(&out));
    }
    let out = p.run(&["import", "--data-dir", p.data_dir_str(), "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
}
