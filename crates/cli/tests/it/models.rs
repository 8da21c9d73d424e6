//! The built-in models on generated counties: the CLI's alerts equal the ground truth of the
//! reference implementation, on both metadata backends; re-runs never duplicate.

use crate::support::*;
use std::collections::BTreeSet;

/// `model,subject,program,name,amount` lines.
fn projection(csv_text: &str) -> BTreeSet<String> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            format!(
                "{},{},{},{},{}",
                &rec[0], &rec[1], &rec[2], &rec[3], &rec[4]
            )
        })
        .collect()
}

fn alerts_equal_ground_truth(backend: Backend, seed: &str) {
    let gen_dir = tempfile::tempdir().unwrap();
    let county = gen_dir.path().join("county");
    generate(&county, seed);
    let p = TestPlatform::new(backend);
    import_all(&p, &county);

    let truth_text = std::fs::read_to_string(county.join("ground_truth.csv")).unwrap();
    let as_of = truth_text
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("# as-of ")
        .to_string();
    let truth_csv: String = truth_text
        .lines()
        .skip(1)
        .map(|l| format!("{l}\n"))
        .collect();
    let truth = projection(&truth_csv);

    let run = p.run(&["run", "--data-dir", p.data_dir_str(), "--as-of", &as_of]);
    assert!(run.status.success(), "{}", stderr(&run));
    let out = p.run(&["alerts", "--data-dir", p.data_dir_str(), "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv_text = stdout(&out);
    assert!(csv_text.starts_with("model,subject,program,name,amount,evidence_rows,status\n"));
    let got = projection(&csv_text);
    let missing: Vec<&String> = truth.difference(&got).collect();
    let extra: Vec<&String> = got.difference(&truth).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "seed {seed}: {} alerts, truth {}.\nmissing (false negatives): {missing:#?}\nextra (false positives): {extra:#?}",
        got.len(),
        truth.len()
    );

    // Running again raises nothing and changes nothing.
    let again = p.run(&["run", "--data-dir", p.data_dir_str(), "--as-of", &as_of]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again)
            .lines()
            .all(|l| l.contains(": 0 alerts raised, 0 updated")),
        "{}",
        stdout(&again)
    );
    let out2 = p.run(&["alerts", "--data-dir", p.data_dir_str(), "--format", "csv"]);
    assert_eq!(stdout(&out2), csv_text, "a re-run changed the alerts");
}

#[test]
fn alerts_equal_the_ground_truth_on_sqlite() {
    alerts_equal_ground_truth(Backend::Sqlite, "11");
}

#[test]
fn alerts_equal_the_ground_truth_on_postgres() {
    alerts_equal_ground_truth(Backend::Postgres, "12");
}
