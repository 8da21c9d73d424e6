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
/// here in review, not in passing. The server's engine, ingest, render, store, crypto and xlsx
/// dependencies are today's, which issue 21 removes (the server should adapt HTTP to `app`).
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
                "mingjing-store",
                "rayon",
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
                "mingjing-crypto",
                "mingjing-domain",
                "mingjing-engine",
                "mingjing-ingest",
                "mingjing-render",
                "mingjing-store",
                "rust-embed",
                "rust_xlsxwriter",
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
