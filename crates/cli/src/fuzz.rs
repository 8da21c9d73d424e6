//! `mingjing fuzz`: the fuzz targets of every parser of outside input, and a mutation driver
//! that runs them on stable Rust.
//!
//! Each target takes bytes and feeds them to the parser exactly as the platform does (a data
//! upload's import, the opinion persons list, a model file, a dataset-type definition, the
//! JSON bodies of the API, an upload's multipart form). The driver replays a seed corpus, then mutates it (bit flips,
//! byte and token insertions, deletions, splices of two inputs) with a seeded generator, so a
//! run is repeatable. A panic, or one execution longer than [`HANG_SECONDS`], is a finding:
//! its input is written to the findings folder and the run fails. CI runs each target briefly
//! over the committed corpus (`tests/it/fuzz.rs`); the long campaign's command and figures are
//! in `docs/security.md`.

use mingjing_domain::{DatasetType, Standard};
use mingjing_ingest::import::{ImportRequest, Limits, import_file};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// One execution longer than this is a hang.
pub const HANG_SECONDS: u64 = 1;

/// The targets, by name.
pub const TARGETS: &[&str] = &[
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

/// The boundary the multipart target's bodies are framed with (its seeds use it).
pub const MULTIPART_BOUNDARY: &str = "mjfuzzboundary";
/// The multipart target's file limit: small, so that mutations reach the cut-off.
const MULTIPART_LIMIT: u64 = 64 * 1024;

/// Tokens the mutator inserts, so that mutations reach past the first syntax check.
const TOKENS: &[&[u8]] = &[
    b",",
    b"\"",
    b"\r\n",
    b"\n",
    b"\r",
    b"\xEF\xBB\xBF",
    b"\x00",
    b"<row r=\"2\">",
    b"</row>",
    b"<c r=\"A1\" t=\"s\"><v>0</v></c>",
    b"<c r=\"XFD1048576\">",
    b"t=\"inlineStr\"",
    b"<is><t>",
    b"</t></is>",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"&amp;",
    b"&#x0;",
    b"=",
    b"[",
    b"]",
    b"[[",
    b"]]",
    b"\"\"\"",
    b"'''",
    b"{",
    b"}",
    b"select ",
    b" from ",
    b" where ",
    b" join ",
    b"(",
    b")",
    b"'",
    b"1e308",
    b"-1",
    b"99999999999999999999",
    b"\xFF\xFE",
    b"\xC0\x80",
    b"2026-02-30",
    b"610327196001017535",
    b"null",
    b"true",
    b"\\u0000",
    b"--mjfuzzboundary\r\n",
    b"--mjfuzzboundary--",
    b"Content-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n",
    b"\r\n\r\n",
];

/// Runs one target over one input; `Err` only for a finding (the parser's own refusals are
/// the expected outcome of most inputs).
fn execute(target: &str, data: &[u8], scratch: &Path) {
    let standard = Standard::builtin_ref();
    match target {
        "csv" => import(standard, "deaths", "input.csv", data, scratch),
        "xlsx" => import(standard, "deaths", "input.xlsx", data, scratch),
        "xlsx-sheet" => {
            let book = workbook(data);
            import(standard, "deaths", "input.xlsx", &book, scratch)
        }
        "xls" => import(standard, "deaths", "input.xls", data, scratch),
        "persons-list" => {
            let _ = mingjing_app::read_person_list("persons.csv", data);
            let _ = mingjing_app::read_person_list("persons.xlsx", data);
        }
        "model" => {
            if let Ok(text) = std::str::from_utf8(data)
                && let Ok(spec) = mingjing_engine::spec::ModelSpec::parse(text)
            {
                // What the platform does next with a parsed file: name its sources, resolve
                // its parameters, compile its SQL, and write it back.
                let _ = spec.named_sources();
                let county = "某县";
                let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
                if let Ok(params) = mingjing_engine::compile::resolve_params(
                    &spec,
                    &Default::default(),
                    county,
                    today,
                ) {
                    let _ = mingjing_engine::compile::compile(&spec, &params);
                }
                let _ = spec.to_toml();
            }
        }
        "dataset-type" => {
            if let Ok(text) = std::str::from_utf8(data) {
                if let Ok(t) = DatasetType::parse_definition("fuzzed", text) {
                    let _ = mingjing_ingest::columnar::schema(&t);
                }
                let _ = Standard::parse(text);
            }
        }
        "json-bodies" => json_bodies(data),
        "multipart" => {
            // An upload's form as the server parses it, the file cut off at the limit.
            if let Ok(form) = mingjing_server::uploads::parse_form_bytes(
                MULTIPART_BOUNDARY,
                data.to_vec(),
                MULTIPART_LIMIT,
            ) {
                assert!(
                    form.bytes.len() as u64 <= MULTIPART_LIMIT,
                    "a file past the limit"
                );
                assert!(
                    form.file_name.chars().count() <= 200,
                    "a file name past 200"
                );
            }
        }
        other => panic!("unknown target {other}"),
    }
}

fn import(standard: &Standard, ty: &str, name: &str, data: &[u8], scratch: &Path) {
    let ty: &DatasetType = standard.dataset_type(ty).expect("a built-in type");
    let out = scratch.join("out");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("scratch");
    let limits = Limits {
        // Small enough that a mutated claim reaches a limit quickly, as a hostile file would.
        max_rows: 100_000,
        ..Limits::default()
    };
    let _ = import_file(&ImportRequest {
        ty,
        file_name: name,
        bytes: data,
        period: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date"),
        limits,
        out_dir: &out,
        upload_tag: "fuzz",
        // Fixed keys: the fuzzed files are thrown away.
        cipher: &mingjing_crypto::ColumnCipher::new([(1, vec![1; 48])], [(1, vec![2; 16])]),
    });
}

/// A valid xlsx package around `sheet` (the worksheet's XML as fuzzed), so that mutations
/// reach the XML scanner and calamine's cell reader instead of the zip checksum.
fn workbook(sheet: &[u8]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &[u8]); 5] = [
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    for (name, bytes) in parts {
        z.start_file(name, opts).expect("in memory");
        z.write_all(bytes).expect("in memory");
    }
    z.finish().expect("in memory").into_inner()
}

/// Every JSON body the API reads, decoded as the server decodes it.
fn json_bodies(data: &[u8]) {
    use mingjing_server as s;
    macro_rules! each {
        ($($t:ty),* $(,)?) => { $(let _ = serde_json::from_slice::<$t>(data);)* };
    }
    each!(
        s::auth::LoginBody,
        s::auth::PasswordBody,
        s::auth::TotpReEnrol,
        s::auth::TotpConfirm,
        s::chat::NewConversation,
        s::chat::SendBody,
        s::chat::ReadBody,
        s::data::TypeBody,
        s::disposal::RouteBody,
        s::disposal::ReviewBody,
        s::disposal::DeadlineBody,
        mingjing_app::recommendations::RecommendationForm,
        s::disposal::ReplyBody,
        s::documents::ReplyBody,
        s::documents::CommentBody,
        s::documents::PinBody,
        s::handlers::OrgBody,
        mingjing_app::NewAccount,
        s::handlers::UpdateUserBody,
        s::handlers::DecisionBody,
        s::handlers::UploadRightsBody,
        s::handlers::ResetBody,
        s::handlers::RoleBody,
        s::handlers::RunBody,
        s::library::ModelText,
        s::library::ParamsBody,
        s::library::EnabledBody,
        s::opinions::PersonsBody,
        s::opinions::RewordBody,
        s::opinions::StepBody,
        mingjing_domain::access::SecurityPolicy,
    );
    // The policy is validated after decoding; so is a role's permission list.
    if let Ok(p) = serde_json::from_slice::<mingjing_domain::access::SecurityPolicy>(data) {
        let _ = p.validate();
    }
}

/// One mutation of `input`, sometimes spliced with `other`.
fn mutate(rng: &mut StdRng, input: &[u8], other: &[u8], max_len: usize) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let len = out.len();
        match rng.random_range(0..7) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                out[i] ^= 1 << rng.random_range(0..8);
            }
            1 if len > 0 => {
                let i = rng.random_range(0..len);
                out[i] = rng.random();
            }
            2 => {
                let t = TOKENS[rng.random_range(0..TOKENS.len())];
                let i = rng.random_range(0..=len);
                out.splice(i..i, t.iter().copied());
            }
            3 if len > 1 => {
                let a = rng.random_range(0..len);
                let b = (a + rng.random_range(1..=len.min(64))).min(len);
                out.drain(a..b);
            }
            4 if len > 1 => {
                // Repeat a range: long rows, deep nesting, big counts.
                let a = rng.random_range(0..len);
                let b = (a + rng.random_range(1..=len.min(32))).min(len);
                let piece = out[a..b].to_vec();
                let times = rng.random_range(1..=64);
                for _ in 0..times {
                    out.splice(b..b, piece.iter().copied());
                }
            }
            5 if !other.is_empty() => {
                let cut = rng.random_range(0..=len);
                let from = rng.random_range(0..other.len());
                out.truncate(cut);
                out.extend_from_slice(&other[from..]);
            }
            _ => {
                let i = rng.random_range(0..=len);
                let digits = rng.random_range(1..=12);
                let n: Vec<u8> = (0..digits)
                    .map(|_| b'0' + rng.random_range(0..10))
                    .collect();
                out.splice(i..i, n);
            }
        }
    }
    out.truncate(max_len);
    out
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    pub executions: u64,
    pub slowest: Duration,
    pub findings: Vec<PathBuf>,
}

/// Reads every file of the corpus folders (not recursing).
pub fn corpus(dirs: &[PathBuf]) -> std::io::Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for d in dirs {
        let mut files: Vec<_> = std::fs::read_dir(d)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for f in files {
            out.push(std::fs::read(f)?);
        }
    }
    Ok(out)
}

/// Runs `target` on each seed, then on mutations until `executions` in all (or `duration`
/// has passed), writing each finding's input into `findings`.
pub fn run(
    target: &str,
    seeds: &[Vec<u8>],
    executions: u64,
    duration: Option<Duration>,
    seed: u64,
    findings: &Path,
) -> std::io::Result<Report> {
    let scratch = tempfile_dir()?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut report = Report::default();
    let empty = [Vec::new()];
    let seeds = if seeds.is_empty() { &empty[..] } else { seeds };
    let start = Instant::now();
    // Panics are findings, reported once each below: the default hook would print every one.
    // The hook keeps the last panic's message and place, written beside the finding.
    static LAST_PANIC: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = info.to_string();
        }
    }));
    let mut i = 0u64;
    while report.executions < executions
        && duration.is_none_or(|d| start.elapsed() < d || report.executions < seeds.len() as u64)
    {
        let input = if (i as usize) < seeds.len() {
            seeds[i as usize].clone()
        } else {
            let a = &seeds[rng.random_range(0..seeds.len())];
            let b = &seeds[rng.random_range(0..seeds.len())];
            mutate(&mut rng, a, b, 1 << 20)
        };
        i += 1;
        let t = Instant::now();
        let outcome =
            std::panic::catch_unwind(AssertUnwindSafe(|| execute(target, &input, &scratch)));
        let took = t.elapsed();
        report.executions += 1;
        report.slowest = report.slowest.max(took);
        let kind = match outcome {
            Err(_) => Some("panic"),
            Ok(()) if took > Duration::from_secs(HANG_SECONDS) => Some("hang"),
            Ok(()) => None,
        };
        if let Some(kind) = kind {
            std::fs::create_dir_all(findings)?;
            let name = format!(
                "{target}-{kind}-{}",
                &mingjing_ingest::import::sha256_hex(&input)[..16]
            );
            let path = findings.join(&name);
            std::fs::write(&path, &input)?;
            if kind == "panic" {
                let message = LAST_PANIC.lock().map(|m| m.clone()).unwrap_or_default();
                std::fs::write(findings.join(format!("{name}.txt")), message)?;
            }
            report.findings.push(path);
        }
    }
    std::panic::set_hook(hook);
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(report)
}

fn tempfile_dir() -> std::io::Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("mingjing-fuzz-{}", mingjing_crypto::random_hex(8)));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

/// The peak resident memory of this process, in bytes (Linux; 0 elsewhere).
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

/// `mingjing fuzz TARGET --corpus DIR… [--executions N] [--seconds S] [--seed N]`.
pub fn command(
    target: &str,
    corpus_dirs: &[PathBuf],
    executions: u64,
    seconds: Option<u64>,
    seed: u64,
    findings: &Path,
) -> ExitCode {
    if !TARGETS.contains(&target) {
        eprintln!(
            "error: unknown fuzz target {target}; the targets are {}",
            TARGETS.join(", ")
        );
        return ExitCode::from(crate::EXIT_MISUSE);
    }
    let seeds = match corpus(corpus_dirs) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: reading the corpus: {e}");
            return ExitCode::from(crate::EXIT_MISUSE);
        }
    };
    let report = match run(
        target,
        &seeds,
        executions,
        seconds.map(Duration::from_secs),
        seed,
        findings,
    ) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(crate::EXIT_INTERNAL);
        }
    };
    println!(
        "target {target}: {} executions over {} seeds, slowest {} ms, peak rss {} MiB, {} findings",
        report.executions,
        seeds.len(),
        report.slowest.as_millis(),
        peak_rss() >> 20,
        report.findings.len()
    );
    for f in &report.findings {
        println!("finding: {}", f.display());
    }
    if report.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::EXIT_BAD_INPUT)
    }
}
