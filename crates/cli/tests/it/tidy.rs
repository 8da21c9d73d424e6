//! Tidy tests (in the manner of rust-analyzer's): rules of the code base that a reviewer would
//! otherwise have to remember, checked over the source tree.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
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
    let crates = workspace().join("crates");
    let mut found = Vec::new();
    let mut manifests = 0;
    for e in std::fs::read_dir(&crates).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Ok(text) = std::fs::read_to_string(e.path().join("Cargo.toml")) else {
            continue;
        };
        manifests += 1;
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
        manifests >= 9,
        "the crates were not found at {}",
        crates.display()
    );
    assert!(
        found.is_empty(),
        "cryptography outside crates/crypto (ask mingjing-crypto by purpose):\n{}",
        found.join("\n")
    );
}
