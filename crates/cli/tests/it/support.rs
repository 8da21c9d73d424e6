//! Test support: temporary platforms on either backend, and running the binary.

use mingjing_app::Clock;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_mingjing");

/// The day the tests run on: `MINGJING_TEST_DAY` (YYYY-MM-DD; `scripts/test.sh` runs the
/// date-dependent tests again at fixed days), else the machine's today.
pub fn test_day() -> chrono::NaiveDate {
    match std::env::var("MINGJING_TEST_DAY") {
        Ok(d) if !d.is_empty() => chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
            .unwrap_or_else(|e| panic!("MINGJING_TEST_DAY={d}: {e}")),
        _ => Clock::system().today(),
    }
}

/// A clock started on the test day (09:00 China Standard Time): every platform of a test is
/// built with one, and the binary it runs reads the same time (`MINGJING_CLOCK`).
pub fn test_clock() -> Clock {
    Clock::starting_on(test_day())
}

/// Every day of the year the date-dependent tests are run at in CI, besides today: the 1st,
/// 10th and 11th of a month (due days), the last day of a 30-day and a 31-day month, the end of
/// February in a common and in a leap year, and the last day of the year.
pub const FIXED_DAYS: [&str; 8] = [
    "2026-12-01",
    "2026-12-10",
    "2026-12-11",
    "2026-11-30",
    "2027-01-31",
    "2027-02-28",
    "2028-02-29",
    "2026-12-31",
];

/// The PostgreSQL server the tests use (trust auth); override with MINGJING_TEST_PG.
pub fn pg_base_url() -> String {
    std::env::var("MINGJING_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh PostgreSQL database, dropped when this value is.
pub struct PgDatabase {
    pub name: String,
    pub url: String,
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

async fn admin_exec(sql: String) {
    sqlx::any::install_default_drivers();
    let url = format!("{}/postgres", pg_base_url());
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {url} is needed by the tests: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .expect("admin statement");
}

impl PgDatabase {
    pub fn create() -> Self {
        let name = format!("mj_test_{}", uuid::Uuid::now_v7().simple());
        // Run on its own thread: callers may already be inside a runtime.
        let n = name.clone();
        std::thread::spawn(move || block_on(admin_exec(format!("CREATE DATABASE {n}"))))
            .join()
            .expect("create database");
        PgDatabase {
            url: format!("{}/{name}", pg_base_url()),
            name,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let n = self.name.clone();
        let _ = std::thread::spawn(move || {
            block_on(admin_exec(format!(
                "DROP DATABASE IF EXISTS {n} WITH (FORCE)"
            )))
        })
        .join();
    }
}

/// A data directory, on SQLite or with its metadata in a fresh PostgreSQL database.
pub struct TestPlatform {
    /// Holds the data directory (`data`) and, beside it, its master key (`data.master.key`).
    pub dir: tempfile::TempDir,
    data: PathBuf,
    pub pg: Option<PgDatabase>,
    /// The platform's clock, in this process and in the binary it runs.
    pub clock: Clock,
}

impl TestPlatform {
    pub fn new(backend: Backend) -> Self {
        Self::with_clock(backend, test_clock())
    }

    pub fn with_clock(backend: Backend, clock: Clock) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let pg = (backend == Backend::Postgres).then(PgDatabase::create);
        let p = TestPlatform {
            dir,
            data,
            pg,
            clock,
        };
        let out = p.run(&["init", "--data-dir", p.data_dir_str()]);
        assert!(out.status.success(), "init failed: {}", stderr(&out));
        p
    }

    /// A SQLite platform unpacked from a `.tgz` of a data directory `NAME` and its key
    /// `NAME.master.key` (a platform an earlier version wrote).
    pub fn from_archive(archive: &Path, name: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = Command::new("tar")
            .arg("xzf")
            .arg(archive)
            .arg("-C")
            .arg(dir.path())
            .output()
            .expect("tar runs");
        assert!(out.status.success(), "tar: {}", stderr(&out));
        let data = dir.path().join("data");
        std::fs::rename(dir.path().join(name), &data).unwrap();
        std::fs::rename(
            dir.path().join(format!("{name}.master.key")),
            dir.path().join("data.master.key"),
        )
        .unwrap();
        TestPlatform {
            dir,
            data,
            pg: None,
            clock: test_clock(),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    pub fn data_dir_str(&self) -> &str {
        self.data.to_str().expect("utf-8 path")
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env(
            mingjing_domain::clock::CLOCK_ENV,
            self.clock.now_local().to_rfc3339(),
        );
        match &self.pg {
            Some(pg) => c.env("MINGJING_DATABASE_URL", &pg.url),
            None => c.env_remove("MINGJING_DATABASE_URL"),
        };
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run mingjing")
    }

    /// `mingjing import` of one file.
    pub fn import(&self, ty: &str, org: &str, period: Option<&str>, file: &Path) -> Output {
        let mut args = vec![
            "import",
            "--data-dir",
            self.data_dir_str(),
            "--type",
            ty,
            "--org",
            org,
        ];
        if let Some(p) = period {
            args.extend(["--period", p]);
        }
        let f = file.to_str().expect("utf-8 path");
        args.push(f);
        self.run(&args)
    }

    pub fn check(&self) -> Output {
        self.run(&["check", "--data-dir", self.data_dir_str()])
    }

    /// The platform's store, connected and unlocked with its master key, as the binary
    /// opens it: what it keeps of people is tokens, which only an unlocked store opens.
    pub async fn store(&self) -> mingjing_store::SqlStore {
        let mut store = mingjing_store::SqlStore::connect(&self.database_url(), self.clock.clone())
            .await
            .unwrap();
        let key = mingjing_crypto::KeyFile::load(&self.dir.path().join("data.master.key")).unwrap();
        store
            .unlock(std::sync::Arc::new(key), self.data_dir().join("audit.head"))
            .await
            .unwrap();
        store
    }

    /// The database URL this platform's metadata lives at.
    pub fn database_url(&self) -> String {
        match &self.pg {
            Some(pg) => pg.url.clone(),
            None => format!("sqlite://{}", self.data_dir().join("mingjing.db").display()),
        }
    }
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Counts uploads through the store, as the platform sees them.
pub fn count_uploads(p: &TestPlatform) -> usize {
    let url = p.database_url();
    let clock = p.clock.clone();
    std::thread::spawn(move || {
        block_on(async move {
            let store = mingjing_store::SqlStore::connect(&url, clock)
                .await
                .expect("connect");
            let n = store.uploads(None).await.expect("uploads").len();
            store.close().await;
            n
        })
    })
    .join()
    .expect("count uploads")
}

/// One file of a generated county's manifest.
pub struct Entry {
    pub file: String,
    pub ty: String,
    pub org: String,
    pub period: String,
}

/// Generates a small county (20,000 residents, 4 months ending 2026-10).
pub fn generate(out: &Path, seed: &str) {
    generate_sized(out, seed, 20_000);
}

/// Generates a county of `persons` residents (4 months ending 2026-10).
pub fn generate_sized(out: &Path, seed: &str, persons: u32) {
    let persons = persons.to_string();
    let o = Command::new(BIN)
        .args([
            "generate",
            "--out",
            out.to_str().unwrap(),
            "--seed",
            seed,
            "--persons",
            &persons,
            "--months",
            "4",
            "--last-month",
            "2026-10",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "generate: {}", stderr(&o));
}

pub fn manifest(dir: &Path) -> Vec<Entry> {
    let mut r = csv::Reader::from_path(dir.join("manifest.csv")).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            Entry {
                file: rec[0].into(),
                ty: rec[1].into(),
                org: rec[2].into(),
                period: rec[3].into(),
            }
        })
        .collect()
}

/// The ID numbers, names and bank accounts of a generated county, from the first `rows` rows
/// of each of its files: what must never be found in the clear at rest.
pub fn personal_values(county: &Path, rows: usize) -> Vec<String> {
    let mut out = Vec::new();
    for e in manifest(county) {
        let Ok(text) = std::fs::read_to_string(county.join(&e.file)) else {
            continue;
        };
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header = r.headers().unwrap().clone();
        let cols: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                ["身份证", "身份号码", "姓名", "账号"]
                    .iter()
                    .any(|k| h.contains(k))
            })
            .map(|(i, _)| i)
            .collect();
        for rec in r.records().take(rows) {
            let rec = rec.unwrap();
            for &c in &cols {
                let v = rec.get(c).unwrap_or("").trim();
                if v.chars().count() >= 2 {
                    out.push(v.to_string());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `mingjing alerts --format csv` of a data directory (batch.md), which must succeed.
pub fn alerts(p: &TestPlatform, dir: &str) -> String {
    let out = p.run(&["alerts", "--data-dir", dir, "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// Imports every file of a generated county; panics on any rejection.
pub fn import_all(p: &TestPlatform, county: &Path) -> usize {
    let entries = manifest(county);
    for e in &entries {
        let period = (!e.period.is_empty()).then_some(e.period.as_str());
        let out = p.import(&e.ty, &e.org, period, &county.join(&e.file));
        assert!(out.status.success(), "{}: {}", e.file, stderr(&out));
    }
    entries.len()
}

/// The text of a PDF in content-stream order (`pdftotext -raw`), with all white space removed
/// so that a table cell's wrapped lines read as one (and LibreOffice's spacing between
/// ideographs and digits does not count). Panics when poppler-utils is missing:
/// `scripts/test.sh` installs it.
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext: {}", stderr(&out));
    stdout(&out)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A DOCX converted to PDF by LibreOffice (headless, its own throw-away profile): proof that a
/// real word processor opens the file. Panics, with LibreOffice's words, when it does not.
pub fn docx_to_pdf(docx: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reply.docx");
    std::fs::write(&file, docx).unwrap();
    let profile = format!("file://{}/profile", dir.path().display());
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&file)
        .output()
        .expect("LibreOffice (soffice) is installed");
    let pdf = dir.path().join("reply.pdf");
    assert!(
        out.status.success() && pdf.exists(),
        "LibreOffice could not convert the DOCX: {} {}",
        stdout(&out),
        stderr(&out)
    );
    std::fs::read(pdf).unwrap()
}

/// A valid ID number: `first14` (region and birth date) and a sequence from `i`.
pub fn test_id(first14: &str, i: usize) -> String {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    mingjing_domain::IdNumber::from_first17(&format!("{first14}{:03}", i % 1000), today)
        .unwrap()
        .to_string()
}

/// Imports a CSV through the platform (as the CLI would), asserting that it lands.
pub async fn import_csv(
    s: &crate::server::TestServer,
    ty: &str,
    org: &str,
    period: Option<&str>,
    csv: String,
) {
    let out = s
        .state
        .platform
        .import(mingjing_app::ImportInput {
            dataset_type: ty,
            org,
            period,
            file_name: "f.csv",
            bytes: csv.into_bytes(),
            actor: &mingjing_app::Actor::operator("test"),
        })
        .await;
    assert!(out.is_ok(), "{ty}: {out:?}");
}

/// Every byte of every file below `dir` (a data directory, a backup), for searching what is
/// stored in the clear.
pub fn every_byte_of(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(every_byte_of(&p));
        } else {
            out.extend(std::fs::read(&p).unwrap_or_default());
        }
    }
    out
}

/// The needles whose UTF-8 bytes occur in `haystack`, found in one pass over it (by their first
/// six bytes, then whole): a data directory is a hundred megabytes and the needles thousands.
pub fn found_in<'n>(haystack: &[u8], needles: &'n [String]) -> Vec<&'n String> {
    const HEAD: usize = 6;
    let mut by_head: std::collections::HashMap<&[u8], Vec<&'n String>> =
        std::collections::HashMap::new();
    let mut found: Vec<&String> = Vec::new();
    for n in needles {
        if n.len() >= HEAD {
            by_head.entry(&n.as_bytes()[..HEAD]).or_default().push(n);
        } else if contains_bytes(haystack, n) {
            found.push(n);
        }
    }
    for (i, w) in haystack.windows(HEAD).enumerate() {
        if let Some(ns) = by_head.get(w) {
            for n in ns {
                if haystack[i..].starts_with(n.as_bytes()) && !found.contains(n) {
                    found.push(n);
                }
            }
        }
    }
    found
}

/// Whether `needle`'s UTF-8 bytes occur in `haystack`.
pub fn contains_bytes(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}
