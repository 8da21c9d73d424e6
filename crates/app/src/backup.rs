//! Backup and restore (MLPS level 3: 数据备份与恢复): a consistent, encrypted, verifiable copy of
//! a live platform, its database and its data directory together.
//!
//! A backup folder holds `keyring.json` (the data keys, wrapped by the master key: safe to
//! keep beside the data), a sealed `manifest` and one sealed file per file of the platform in
//! `data/`, each sealed in chunks for the path it restores to (`Keyring::seal_file`), so that
//! a changed, truncated, swapped or missing file is named by `verify` and `restore`. Nothing in
//! the folder is readable without the master key, which a backup never contains.
//!
//! Consistency: the database is copied first, as one transaction sees it (SQLite's
//! `VACUUM INTO`, `pg_dump`'s snapshot); the files after. An upload's folder is in `uploads/`
//! only once complete, and registered only after that, so every upload the copy of the
//! database names is whole in the backup; a folder published after the copy is unregistered
//! there and the restored platform removes it when it first opens (`DataDir::recover`). Upload
//! files and attachments are never rewritten.

use crate::{AppError, CONFIG_FILE, Config, Platform};
use mingjing_crypto::{KeyFile, Keyring, StoredKeyring};
use mingjing_store::StoreError;
use std::path::{Path, PathBuf};

const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest";
const KEYRING: &str = "keyring.json";
/// The manifest's path of the database copy.
const SQLITE_ENTRY: &str = "@database.sqlite";
const POSTGRES_ENTRY: &str = "@database.pgdump";
/// What a data directory holds that a backup leaves out: the live database (copied as a
/// snapshot instead), work in progress, the engine's temporary files, the head file (written
/// from the restored database).
const LEFT_OUT: &[&str] = &[
    "mingjing.db",
    "mingjing.db-wal",
    "mingjing.db-shm",
    "staging",
    "spill",
    "audit.head",
];

#[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
struct Manifest {
    format: u32,
    created_at: String,
    backend: String,
    files: Vec<Entry>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
struct Entry {
    /// Where the file restores to, relative to the data directory, `/`-separated.
    path: String,
    /// Its sealed copy in the backup folder.
    stored: String,
    size: u64,
    sm3: String,
}

/// What a backup, a verification or a restore covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub files: usize,
    pub bytes: u64,
    pub backend: String,
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::Store(StoreError::Invalid(msg.into()))
}

fn corrupt(e: mingjing_crypto::CryptoError) -> AppError {
    AppError::Store(e.into())
}

/// Every file of the data directory a backup keeps, relative and `/`-separated, sorted.
fn data_files(root: &Path) -> std::io::Result<Vec<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
        for e in std::fs::read_dir(dir)? {
            let e = e?;
            let path = e.path();
            let rel = path.strip_prefix(root).expect("below the root");
            let name = e.file_name().to_string_lossy().to_string();
            if dir == root && LEFT_OUT.contains(&name.as_str()) || name.ends_with(".lock") {
                continue;
            }
            if e.file_type()?.is_dir() {
                walk(root, &path, out)?;
            } else if e.file_type()?.is_file() {
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().to_string())
                    .collect();
                out.push(parts.join("/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(root, root, &mut out)?;
    out.sort();
    Ok(out)
}

/// A folder that is absent or empty, made ready.
fn empty_folder(dir: &Path) -> Result<(), AppError> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(bad(format!("{} is not empty", dir.display())));
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// A path of the manifest, refused if it would leave the folder it restores into.
fn safe_relative(path: &str) -> Result<PathBuf, AppError> {
    let p = Path::new(path);
    let ok = !path.is_empty()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !ok {
        return Err(bad(format!(
            "the manifest names a path outside the data directory: {path}"
        )));
    }
    Ok(p.to_path_buf())
}

fn run_tool(cmd: &mut std::process::Command, what: &str) -> Result<(), AppError> {
    let out = cmd
        .output()
        .map_err(|e| bad(format!("{what} could not be started: {e}")))?;
    if !out.status.success() {
        return Err(bad(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

impl Platform {
    /// Writes a backup of this platform into `to` (absent or empty), while it runs.
    pub async fn backup(&self, to: &Path) -> Result<BackupSummary, AppError> {
        empty_folder(to)?;
        let result = self.write_backup(to).await;
        if result.is_err() {
            let _ = std::fs::remove_dir_all(to);
        }
        result
    }

    async fn write_backup(&self, to: &Path) -> Result<BackupSummary, AppError> {
        // No file is resealed while it is copied with the digest its database copy records.
        let _reading = self.reading_files().await?;
        let ring = self.meta.keyring()?;
        std::fs::create_dir_all(to.join("data"))?;
        let root = self.data.root().to_path_buf();
        // The database first: every upload it names is then whole in the data directory.
        let backend = self.meta.backend();
        let snapshot = self
            .data
            .spill_dir()?
            .join(format!("backup-{}", mingjing_crypto::random_hex(8)));
        let entry = match backend {
            mingjing_store::Backend::Sqlite => {
                self.meta.snapshot_sqlite(&snapshot).await?;
                SQLITE_ENTRY
            }
            mingjing_store::Backend::Postgres => {
                run_tool(
                    std::process::Command::new("pg_dump")
                        .arg("--format=custom")
                        .arg("--no-owner")
                        .arg(format!("--file={}", snapshot.display()))
                        .arg(self.meta.connection_url()),
                    "pg_dump",
                )?;
                POSTGRES_ENTRY
            }
        };
        let mut sources: Vec<(String, PathBuf)> = vec![(entry.to_string(), snapshot.clone())];
        sources.extend(
            data_files(&root)?
                .into_iter()
                .map(|rel| (rel.clone(), root.join(&rel))),
        );
        let to_owned = to.to_path_buf();
        let sealed = tokio::task::spawn_blocking(move || {
            let mut files = Vec::new();
            let mut bytes = 0;
            for (i, (rel, src)) in sources.iter().enumerate() {
                let stored = format!("data/{i:06}");
                let input = std::fs::File::open(src)?;
                let output = std::fs::File::create(to_owned.join(&stored))?;
                let mut w = std::io::BufWriter::new(output);
                let (size, sm3) = ring.seal_file(rel, std::io::BufReader::new(input), &mut w)?;
                std::io::Write::flush(&mut w)?;
                w.get_ref().sync_all()?;
                bytes += size;
                files.push(Entry {
                    path: rel.clone(),
                    stored,
                    size,
                    sm3,
                });
            }
            let manifest = Manifest {
                format: FORMAT,
                created_at: String::new(),
                backend: String::new(),
                files,
            };
            Ok::<_, std::io::Error>((manifest, bytes))
        })
        .await
        .expect("the backup does not panic");
        let _ = std::fs::remove_file(&snapshot);
        let (mut manifest, bytes) = sealed?;
        manifest.created_at = self.meta.clock().now().to_rfc3339();
        manifest.backend = backend_name(backend).to_string();
        let count = manifest.files.len();
        let json = serde_json::to_vec(&manifest).expect("json");
        // The keyring last: a data key rotated during the backup added a version that what was
        // copied may be sealed with, and versions are never removed.
        let stored = self
            .meta
            .stored_keyring()
            .await?
            .ok_or_else(|| bad("the platform has no keyring"))?;
        std::fs::write(
            to.join(KEYRING),
            serde_json::to_vec_pretty(&stored).expect("json"),
        )?;
        let ring = self.meta.keyring()?;
        let mut sealed = Vec::new();
        ring.seal_file(MANIFEST, &json[..], &mut sealed)?;
        std::fs::write(to.join(MANIFEST), sealed)?;
        std::fs::File::open(to)?.sync_all()?;
        Ok(BackupSummary {
            files: count,
            bytes,
            backend: manifest.backend,
        })
    }
}

fn backend_name(b: mingjing_store::Backend) -> &'static str {
    match b {
        mingjing_store::Backend::Sqlite => "sqlite",
        mingjing_store::Backend::Postgres => "postgres",
    }
}

/// The keyring and manifest of a backup, opened with the master key.
fn open_backup(from: &Path, master_key: &Path) -> Result<(Keyring, Manifest), AppError> {
    let stored: StoredKeyring = serde_json::from_slice(&std::fs::read(from.join(KEYRING))?)
        .map_err(|e| bad(format!("{}: {e}", from.join(KEYRING).display())))?;
    let master = KeyFile::load(master_key).map_err(corrupt)?;
    let (ring, _) = Keyring::open(&master, &stored).map_err(corrupt)?;
    let sealed = std::fs::File::open(from.join(MANIFEST))?;
    let mut json = Vec::new();
    ring.open_file(MANIFEST, sealed, &mut json, "the backup's manifest")
        .map_err(corrupt)?;
    let manifest: Manifest =
        serde_json::from_slice(&json).map_err(|e| bad(format!("the backup's manifest: {e}")))?;
    if manifest.format != FORMAT {
        return Err(bad(format!(
            "backup format {} is not known",
            manifest.format
        )));
    }
    Ok((ring, manifest))
}

/// Opens one file of a backup into `dst`, checked against its manifest entry; returns its size.
fn open_entry(
    ring: &Keyring,
    from: &Path,
    e: &Entry,
    dst: impl std::io::Write,
) -> Result<u64, AppError> {
    let what = format!("{} (as {})", e.path, e.stored);
    let src =
        std::fs::File::open(from.join(&e.stored)).map_err(|err| bad(format!("{what}: {err}")))?;
    let (size, sm3) = ring
        .open_file(&e.path, std::io::BufReader::new(src), dst, &what)
        .map_err(corrupt)?;
    if size != e.size || sm3 != e.sm3 {
        return Err(bad(format!("{what} is not the file the manifest records")));
    }
    Ok(size)
}

/// Opens every file of a backup and checks it against the manifest, writing nothing: the first
/// changed, truncated, swapped or missing file is named.
pub fn verify_backup(from: &Path, master_key: &Path) -> Result<BackupSummary, AppError> {
    let (ring, manifest) = open_backup(from, master_key)?;
    let mut bytes = 0;
    for e in &manifest.files {
        let what = format!("{} (as {})", e.path, e.stored);
        let src = std::fs::File::open(from.join(&e.stored))
            .map_err(|err| bad(format!("{what}: {err}")))?;
        let (size, sm3) = ring
            .open_file(
                &e.path,
                std::io::BufReader::new(src),
                std::io::sink(),
                &what,
            )
            .map_err(corrupt)?;
        if size != e.size || sm3 != e.sm3 {
            return Err(bad(format!("{what} is not the file the manifest records")));
        }
        bytes += size;
    }
    Ok(BackupSummary {
        files: manifest.files.len(),
        bytes,
        backend: manifest.backend,
    })
}

/// Restores a backup into `dir` (absent or empty). A backup of a PostgreSQL platform needs an
/// empty database to restore into (`database_url`); `master_key` is the key the backup's
/// keyring is wrapped with, and the restored platform uses it from where it is. Checked as it
/// is written: a damaged backup leaves nothing behind.
pub async fn restore(
    from: &Path,
    dir: &Path,
    master_key: &Path,
    database_url: Option<&str>,
    clock: crate::Clock,
) -> Result<BackupSummary, AppError> {
    empty_folder(dir)?;
    let result = restore_into(from, dir, master_key, database_url, clock).await;
    if result.is_err() {
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

async fn restore_into(
    from: &Path,
    dir: &Path,
    master_key: &Path,
    database_url: Option<&str>,
    clock: crate::Clock,
) -> Result<BackupSummary, AppError> {
    let (ring, manifest) = open_backup(from, master_key)?;
    if manifest.backend == "postgres" && database_url.is_none() {
        return Err(bad(
            "a backup of a PostgreSQL platform restores into a database: give --database-url",
        ));
    }
    let mut bytes = 0;
    let mut dump = None;
    for e in &manifest.files {
        let target = match e.path.as_str() {
            SQLITE_ENTRY => dir.join("mingjing.db"),
            POSTGRES_ENTRY => {
                let p = dir.join("restore.pgdump");
                dump = Some(p.clone());
                p
            }
            rel => dir.join(safe_relative(rel)?),
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = std::io::BufWriter::new(std::fs::File::create(&target)?);
        bytes += open_entry(&ring, from, e, &mut out)?;
        std::io::Write::flush(&mut out)?;
    }
    // The configuration: the database restored into, the master key where it is kept.
    let config_path = dir.join(CONFIG_FILE);
    let mut config: toml::Table = match std::fs::read_to_string(&config_path) {
        Ok(t) => toml::from_str(&t).map_err(|e| bad(format!("{CONFIG_FILE}: {e}")))?,
        Err(_) => toml::Table::new(),
    };
    match database_url {
        Some(url) => {
            config.insert("database_url".into(), url.into());
        }
        None => {
            config.remove("database_url");
        }
    }
    if Platform::master_key_path(dir, &Config::default()) != master_key {
        // Absolute: the configuration is read from wherever the platform is started.
        let absolute = std::fs::canonicalize(master_key)?;
        config.insert(
            "master_key_file".into(),
            absolute.display().to_string().into(),
        );
    }
    std::fs::write(&config_path, toml::to_string(&config).expect("toml"))?;
    if let (Some(dump), Some(url)) = (dump, database_url) {
        run_tool(
            std::process::Command::new("pg_restore")
                .arg("--no-owner")
                .arg("--exit-on-error")
                .arg(format!("--dbname={url}"))
                .arg(&dump),
            "pg_restore",
        )?;
        std::fs::remove_file(&dump)?;
    }
    // A backup of a directory still to be protected restores as it was: `mingjing protect`
    // comes next, and opening it for anything else says so.
    let platform = Platform::open_unprotected(dir, clock).await?;
    platform.meta.reset_audit_head_file().await?;
    Ok(BackupSummary {
        files: manifest.files.len(),
        bytes,
        backend: manifest.backend,
    })
}
