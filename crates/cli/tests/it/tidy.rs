//! Tidy tests (in the manner of rust-analyzer's): rules of the code base that a reviewer would
//! otherwise have to remember, checked over the source tree.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Each crate's folder name and manifest text.
fn crate_manifests() -> Vec<(String, String)> {
    let crates = workspace().join("crates");
    let out: Vec<(String, String)> = std::fs::read_dir(&crates)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path().join("Cargo.toml")).ok()?;
            Some((e.file_name().to_string_lossy().to_string(), text))
        })
        .collect();
    assert!(
        out.len() >= 9,
        "the crates were not found at {}",
        crates.display()
    );
    out
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The machine's time is read in one place, the platform's clock (`domain/src/clock.rs`):
/// anywhere else "now" must come from the `Clock` the platform is built with, or a test could
/// not fix the day it runs on (the suite failed on the 1st–10th of every month).
#[test]
fn the_machine_s_time_is_read_only_by_the_clock() {
    // Spelled in pieces so that this file does not name them itself.
    let forbidden = [
        ["Utc", "::now"].concat(),
        ["Local", "::now"].concat(),
        ["SystemTime", "::now"].concat(),
        ["chrono::", "Local"].concat(),
    ];
    let root = workspace().join("crates");
    let clock = root.join("domain/src/clock.rs");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(
        files.len() > 50,
        "the source tree was not found at {}",
        root.display()
    );
    let mut found = Vec::new();
    for f in files.iter().filter(|f| **f != clock) {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            if let Some(word) = forbidden.iter().find(|w| line.contains(w.as_str())) {
                let shown = f.strip_prefix(&root).unwrap_or(f).display();
                found.push(format!("crates/{shown}:{}: {word}", i + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the machine's time read outside crates/domain/src/clock.rs (use the platform's Clock):\n{}",
        found.join("\n")
    );
}

/// The days CI runs the date-dependent tests on are the days the tests name.
#[test]
fn ci_runs_the_dated_tests_on_the_fixed_days() {
    let script = std::fs::read_to_string(workspace().join("scripts/test.sh")).unwrap();
    let line = script
        .lines()
        .find_map(|l| l.strip_prefix("fixed_days=\""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("scripts/test.sh sets fixed_days=\"...\"");
    let listed: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(listed, crate::support::FIXED_DAYS);
}

#[test]
fn the_documented_file_limits_are_the_defaults() {
    let doc = std::fs::read_to_string(workspace().join("docs/security.md")).unwrap();
    let section = doc
        .split("## Limits on untrusted files")
        .nth(1)
        .expect("security.md has the limits section");
    let documented: Vec<(String, u64)> = section
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let name = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((name.to_string(), cells.get(2)?.parse().ok()?))
        })
        .collect();
    let defaults: Vec<(String, u64)> = mingjing_ingest::Limits::default()
        .named()
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    assert_eq!(
        documented, defaults,
        "docs/security.md and ingest/src/limits.rs part"
    );
}

/// Every algorithm is chosen in `mingjing-crypto` (GB/T 39786 asks for one provider, and a
/// certified module must be able to replace it): no other crate depends on a cryptographic
/// crate.
#[test]
fn only_the_crypto_provider_depends_on_cryptographic_crates() {
    let forbidden = [
        "sm2",
        "sm3",
        "sm4",
        "aes",
        "aes-gcm",
        "gcm",
        "ghash",
        "hmac",
        "sha1",
        "sha2",
        "sha3",
        "md-5",
        "argon2",
        "pbkdf2",
        "scrypt",
        "bcrypt",
        "ring",
        "rustls",
        "openssl",
        "getrandom",
        "chacha20poly1305",
        "digest",
        "blake2",
        "blake3",
        "cipher",
        "aead",
    ];
    let mut found = Vec::new();
    for (name, text) in crate_manifests() {
        if name == "crypto" {
            continue;
        }
        for line in text.lines() {
            let dep = line.split(['=', '.', ' ']).next().unwrap_or("").trim();
            if forbidden.contains(&dep) {
                found.push(format!("crates/{name}/Cargo.toml: {}", line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "cryptography outside crates/crypto (ask mingjing-crypto by purpose):\n{}",
        found.join("\n")
    );
}

/// The map and the code do not part: every source file is named in its crate's row of
/// ARCHITECTURE.md's code map (a crate's root, `lib.rs` or `main.rs`, is the row itself), and
/// every crate of the workspace has a row.
#[test]
fn every_source_file_is_on_the_code_map() {
    let root = workspace();
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut missing = Vec::new();
    let crates = std::fs::read_dir(root.join("crates")).unwrap();
    let mut seen = 0;
    for krate in crates.flatten().filter(|e| e.path().join("src").is_dir()) {
        seen += 1;
        let dir = krate.file_name().to_string_lossy().to_string();
        let Some(row) = map
            .lines()
            .find(|l| l.starts_with("| `") && l.contains(&format!("| `crates/{dir}` |")))
        else {
            missing.push(format!("crates/{dir}: no row in the code map"));
            continue;
        };
        let src = krate.path().join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for f in files {
            let rel = f
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "lib.rs" || rel == "main.rs" {
                continue;
            }
            if !row.contains(&format!("`{rel}`")) {
                missing.push(format!("crates/{dir}/src/{rel}"));
            }
        }
    }
    assert!(
        seen >= 10,
        "the crates were not found under {}",
        root.display()
    );
    assert!(
        missing.is_empty(),
        "not on ARCHITECTURE.md's code map (name each in its crate's row, as `file.rs`):\n{}",
        missing.join("\n")
    );
}

/// Each crate's dependencies are the ones its layer allows: a new one is a decision, made
/// here in review, not in passing. The server adapts HTTP to `app`: it names no engine,
/// reader, renderer, algorithm or workbook writer; its store dependency is the last that
/// issue 21 removes (the services take the store's calls over).
#[test]
fn every_crate_depends_only_on_what_its_layer_allows() {
    let allowed: &[(&str, &[&str])] = &[
        (
            "domain",
            &[
                "chrono",
                "fast2s",
                "hashbrown",
                "pinyin",
                "schemars",
                "serde",
                "thiserror",
                "toml",
            ],
        ),
        (
            "crypto",
            &[
                "aes-gcm",
                "argon2",
                "ctr",
                "getrandom",
                "hex",
                "hmac",
                "rustls",
                "serde",
                "sha1",
                "sha2",
                "sm3",
                "sm4",
                "thiserror",
            ],
        ),
        (
            "ingest",
            &[
                "arrow-array",
                "arrow-schema",
                "calamine",
                "cfb",
                "chardetng",
                "chrono",
                "csv",
                "csv-core",
                "encoding_rs",
                "hashbrown",
                "mingjing-crypto",
                "mingjing-domain",
                "parquet",
                "quick-xml",
                "rayon",
                "simdutf8",
                "thiserror",
                "zip",
            ],
        ),
        (
            "store",
            &[
                "chrono",
                "hex",
                "mingjing-crypto",
                "mingjing-domain",
                "schemars",
                "serde",
                "serde_json",
                "sqlx",
                "thiserror",
                "tokio",
                "uuid",
            ],
        ),
        (
            "engine",
            &[
                "chrono",
                "datafusion",
                "futures-util",
                "mingjing-domain",
                "schemars",
                "serde",
                "tempfile",
                "thiserror",
                "tokio",
                "toml",
            ],
        ),
        ("render", &["krilla", "skrifa", "thiserror", "zip"]),
        (
            "app",
            &[
                "chrono",
                "mingjing-crypto",
                "mingjing-domain",
                "mingjing-engine",
                "mingjing-ingest",
                "mingjing-render",
                "libc",
                "mingjing-store",
                "rayon",
                "rust_xlsxwriter",
                "schemars",
                "serde",
                "serde_json",
                "thiserror",
                "tokio",
                "toml",
            ],
        ),
        (
            "server",
            &[
                "axum",
                "chrono",
                "mingjing-app",
                "mingjing-domain",
                "rust-embed",
                "schemars",
                "serde",
                "serde_json",
                "thiserror",
                "tokio",
                "tokio-rustls",
                "toml",
                "tracing",
            ],
        ),
        (
            "synth",
            &[
                "chrono",
                "csv",
                "encoding_rs",
                "mingjing-domain",
                "rand",
                "rust_xlsxwriter",
                "serde",
                "serde_json",
                "thiserror",
            ],
        ),
        (
            "cli",
            &[
                "anyhow",
                "chrono",
                "clap",
                "csv",
                "mingjing-app",
                "mingjing-crypto",
                "mingjing-domain",
                "mingjing-engine",
                "mingjing-ingest",
                "mingjing-server",
                "mingjing-store",
                "mingjing-synth",
                "rand",
                "serde_json",
                "tokio",
                "toml",
                "tracing-subscriber",
                "zip",
            ],
        ),
    ];
    let mut problems = Vec::new();
    let manifests = crate_manifests();
    for (dir, text) in &manifests {
        let manifest: toml::Table = toml::from_str(text).unwrap();
        let deps = manifest
            .get("dependencies")
            .and_then(|d| d.as_table())
            .cloned()
            .unwrap_or_default();
        let Some((_, allowed)) = allowed.iter().find(|(c, _)| c == dir) else {
            problems.push(format!("crates/{dir}: a crate with no allowed list"));
            continue;
        };
        for dep in deps.keys() {
            if !allowed.contains(&dep.as_str()) {
                problems.push(format!("crates/{dir} depends on {dep}"));
            }
        }
    }
    assert_eq!(
        manifests.len(),
        allowed.len(),
        "every crate has its list, and no more"
    );
    assert!(
        problems.is_empty(),
        "dependencies outside their layer's list (decide in review, then add them to this test):\n{}",
        problems.join("\n")
    );
}

/// The repository's copy of the contract (`standard/`) is the shared one (`../shared/standard/`),
/// all three files, byte for byte. CI always has the shared folder beside the clone: there its
/// absence fails the test rather than skipping it.
#[test]
fn the_standard_s_copy_has_not_drifted_from_the_shared_contract() {
    let root = workspace();
    let shared = root.join("../shared/standard");
    if !shared.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: CI must check the copy against it",
            shared.display()
        );
        eprintln!("skipped: {} is absent", shared.display());
        return;
    }
    for file in ["datasets.toml", "models.md", "batch.md"] {
        let copy = std::fs::read(root.join("standard").join(file)).unwrap();
        let contract = std::fs::read(shared.join(file)).unwrap();
        assert!(
            copy == contract,
            "standard/{file} differs from ../shared/standard/{file}: copy the contract over"
        );
    }
}

/// The code before a file's unit tests (`#[cfg(test)]`), without its comment lines.
fn code_outside_tests(text: &str) -> String {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The message of each `.expect("…")` in `code` (an expect without a literal message gives
/// an empty one).
fn expect_messages(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(".expect(") {
        rest = &rest[at + ".expect(".len()..];
        let arg = rest.trim_start();
        let message = arg
            .strip_prefix('"')
            .and_then(|m| m.split_once('"'))
            .map_or_else(String::new, |(m, _)| m.to_string());
        out.push(message);
    }
    out
}

/// Server and application code answers errors; it does not panic on them. An `.expect` is
/// allowed only where its message states an invariant that holds by construction, and each
/// such use is listed here (file, message); `.unwrap()` never appears outside tests.
#[test]
fn server_and_app_code_panics_only_on_listed_invariants() {
    const ALLOWED: &[(&str, &str)] = &[
        // A task that panicked: the panic is the bug, re-raised where it is awaited.
        ("app/src/accounts.rs", "hashing does not panic"),
        ("app/src/accounts.rs", "verifying does not panic"),
        ("app/src/attachments.rs", "sealing does not panic"),
        ("app/src/attachments.rs", "opening does not panic"),
        ("app/src/backup.rs", "the backup does not panic"),
        ("app/src/lib.rs", "locking does not panic"),
        ("app/src/lib.rs", "hashing does not panic"),
        ("app/src/lib.rs", "import task does not panic"),
        ("app/src/migrate.rs", "protecting a file does not panic"),
        ("app/src/migrate.rs", "sealing does not panic"),
        ("app/src/rotation.rs", "sealing does not panic"),
        ("app/src/rotation.rs", "resealing does not panic"),
        // Plain data (strings, numbers, maps with string keys) always serialises.
        ("app/src/accounts.rs", "a policy serialises"),
        ("app/src/backup.rs", "json"),
        ("app/src/backup.rs", "toml"),
        ("app/src/opinions.rs", "serialisable"),
        // Facts established a few lines above.
        ("app/src/backup.rs", "below the root"),
        ("app/src/models.rs", "a built-in has a source"),
        ("app/src/models.rs", "small"),
        ("app/src/models.rs", "versions are small"),
        ("app/src/models.rs", "just written"),
        ("app/src/models.rs", "resolved above"),
        ("app/src/models.rs", "the semaphore is never closed"),
        ("app/src/persons.rs", "a token has a key"),
        ("app/src/persons.rs", "read above"),
        ("app/src/schedules.rs", "1..=28"),
        ("app/src/schedules.rs", "days 1..=28 exist in every month"),
        ("app/src/seed.rs", "just created"),
        ("server/src/chat.rs", "hub lock"),
    ];
    let crates = workspace().join("crates");
    let mut problems = Vec::new();
    let mut used = std::collections::HashSet::new();
    for krate in ["server", "app"] {
        let mut files = Vec::new();
        rust_files(&crates.join(krate).join("src"), &mut files);
        for path in files {
            let rel = path
                .strip_prefix(&crates)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let code = code_outside_tests(&std::fs::read_to_string(&path).unwrap());
            if code.contains(".unwrap()") {
                problems.push(format!("{rel}: .unwrap() outside tests"));
            }
            for m in expect_messages(&code) {
                if ALLOWED.contains(&(rel.as_str(), m.as_str())) {
                    used.insert((rel.clone(), m));
                } else {
                    problems.push(format!("{rel}: .expect(\"{m}\") is not on the list"));
                }
            }
        }
    }
    for (file, m) in ALLOWED {
        if !used.contains(&(file.to_string(), m.to_string())) {
            problems.push(format!(
                "{file}: .expect(\"{m}\") is listed but gone: strike it"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every text the web UI shows is in `web/src/texts.ts` (one place to read, review and one
/// day translate): no Chinese in the other sources but in comments and unit tests' data.
#[test]
fn the_web_ui_s_chinese_texts_are_all_in_texts_ts() {
    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let path = e.path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                sources(&path, out);
            } else if (name.ends_with(".ts") || name.ends_with(".vue"))
                && name != "texts.ts"
                && !name.ends_with(".test.ts")
            {
                out.push(path);
            }
        }
    }
    /// The text without `//` and `/* */` comments and HTML comments.
    fn without_comments(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        loop {
            let next = ["//", "/*", "<!--"]
                .iter()
                .filter_map(|m| rest.find(m).map(|i| (i, *m)))
                .min();
            let Some((i, marker)) = next else {
                out.push_str(rest);
                return out;
            };
            out.push_str(&rest[..i]);
            let end = match marker {
                "//" => "\n",
                "/*" => "*/",
                _ => "-->",
            };
            match rest[i..].find(end) {
                Some(j) => {
                    // Line breaks stay, so that line numbers still count.
                    out.extend(rest[i..i + j].chars().filter(|c| *c == '\n'));
                    rest = &rest[i + j + end.len()..];
                    if end == "\n" {
                        out.push('\n');
                    }
                }
                None => return out,
            }
        }
    }
    // Ideographs are words; full-width punctuation between interpolated values is layout.
    let is_chinese =
        |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c);
    let src = workspace().join("web/src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(
        files.len() > 20,
        "the web sources were not found at {}",
        src.display()
    );
    let mut found = Vec::new();
    for path in files {
        let code = without_comments(&std::fs::read_to_string(&path).unwrap());
        for (n, line) in code.lines().enumerate() {
            if line.chars().any(is_chinese) {
                found.push(format!(
                    "{}:{}: {}",
                    path.strip_prefix(&src).unwrap().display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "Chinese text outside web/src/texts.ts (move it there):\n{}",
        found.join("\n")
    );
}

/// The OpenAPI document in the repository (`docs/openapi.json`, which the web UI's types are
/// generated from) is the one the code generates from the handlers' signatures. After a change
/// to a request or response type, write it anew with `MINGJING_BLESS=1`.
#[test]
fn the_committed_openapi_document_is_the_generated_one() {
    let path = workspace().join("docs/openapi.json");
    let generated =
        serde_json::to_string_pretty(&mingjing_server::openapi::build()).unwrap() + "\n";
    if std::env::var_os("MINGJING_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json differs from the code's document: run the test with MINGJING_BLESS=1 \
         and then `npm run api-types` in web/"
    );
}

/// The store is private to the services (`Platform`'s field is): the server and the command
/// line reach data only through `mingjing-app`, whose services keep the rules and write the
/// audit records. `Platform::store()` exists for the integration tests alone.
#[test]
fn the_adapters_never_reach_the_store_past_the_services() {
    let mut offenders = Vec::new();
    for dir in ["crates/server/src", "crates/cli/src"] {
        let mut files = Vec::new();
        rust_files(&workspace().join(dir), &mut files);
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if code.contains(".store()") || code.contains(".meta.") {
                    offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "the adapters call the store directly (add or use a service of mingjing-app):\n{}",
        offenders.join("\n")
    );
}
