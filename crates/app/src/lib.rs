//! Application services: what the CLI and the server both do, in one place.
//!
//! A [`Platform`] is one data directory with its metadata store. It owns the order of an
//! import (check, write, publish, register) that makes an upload land whole or not at all.

use mingjing_domain::{DatasetType, Month, Standard};
/// Why a file was rejected (its rows' errors, a limit it passed, its header).
pub use mingjing_ingest::FileError;
pub use mingjing_store::StoreError;

/// The records the services take and return, as the store defines them: the adapters name
/// them from here and never reach the store itself.
pub mod records {
    pub use mingjing_store::access::{NewOrg, OrgNode, Session, User, UserUpdate};
    pub use mingjing_store::audit::{AuditEntry, AuditQuery, AuditRecord};
    pub use mingjing_store::changes::{AccessChange, Applied, ProposedChange};
    pub use mingjing_store::chat::{CHANNEL, Message};
    pub use mingjing_store::disposal::{
        AccountabilityRecord, AlertEvent, FileRecord, Notification, UploadSchedule,
        VerificationRecord,
    };
    pub use mingjing_store::documents::{Document, DocumentReply};
    pub use mingjing_store::opinions::OpinionRequest;
    pub use mingjing_store::persons::PersonEntry;
    pub use mingjing_store::{Alert, ModelRecord, ModelRun, Upload};
}
use mingjing_ingest::{CheckedFile, ImportRequest, Limits, import_file};
use mingjing_store::{Committed, DataDir, NewSlice, NewUpload, Replaced, SqlStore, Upload};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub mod accounts;
mod actor;
pub mod alerts;
pub mod catalog;
pub mod chat;
mod directory;
pub use actor::Actor;
mod disposal;
mod governance;
pub use governance::{ChangeOutcome, NewAccount, org_change_needs_approval, uploader_names};
mod models;
pub mod offload;
mod opinions;
pub use opinions::{
    IntegrityFile, NewRequest, PURPOSES, PersonCheck, RequestedPerson, read_person_list,
    stage_label as opinion_stage_label,
};
mod documents;
pub use documents::{
    DocumentForm, DocumentRow, DocumentView, NoticeForm, NoticeReceipt, NoticeSeen,
    RecipientStatus, SECRECY, ToDoItem, Viewer, recipient_status,
};
mod livelihood;
pub use livelihood::{ContractorLink, Figures, ProgrammeView, ProjectView};
pub mod migrate;
mod persons;
mod precheck;
mod protect;
pub use persons::{
    DISCIPLINE_TYPES, Graph, GraphEdge, GraphNode, MatchKind, PersonFilter, PersonHit, PersonLook,
    PersonProfile, PersonRecords, person_graph,
};
pub use precheck::{PrecheckHit, PrecheckOutcome, ROLL_TYPE as PRECHECK_TYPE};
pub mod attachments;
pub mod backup;
pub mod recommendations;
mod reply;
pub mod rotation;
pub use reply::{ReplyFile, ReplyFormat};
mod schedules;
pub mod scope;
pub mod seed;
pub mod sheets;
pub mod throttle;
pub mod transport;
mod triage;
pub use disposal::{LoopFigures, StatDimension, StatFilter, is_overdue};
pub use mingjing_domain::Clock;
/// Starting points for the self-service model editor: (name, model text).
pub use mingjing_engine::builtin::EXAMPLES as MODEL_EXAMPLES;
/// Rows read back from the uploads as the text a person reads (the data browser, evidence).
pub use mingjing_engine::explain::Explanation;
pub use mingjing_engine::rows::TextRows;
pub use models::{
    AlertDetail, DryRun, EvidenceTable, LibraryModel, ModelOutcome, RunOutcome, Trigger,
};
pub use schedules::ScheduleStatus;

pub use mingjing_ingest::read::TextEncoding;

/// The county's own place name when none is set.
pub const DEFAULT_COUNTY: &str = "陇县";
pub const SETTING_COUNTY: &str = "county";
/// The configuration file inside a data directory.
pub const CONFIG_FILE: &str = "mingjing.toml";
/// Environment variable that overrides the configured database.
pub const DATABASE_URL_ENV: &str = "MINGJING_DATABASE_URL";
/// Environment variable that overrides the configured master key file.
pub const MASTER_KEY_ENV: &str = "MINGJING_MASTER_KEY_FILE";

/// Settings read from `DIR/mingjing.toml`, overridable from the environment.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `postgres://…` for production; absent means the embedded SQLite in the data directory.
    pub database_url: Option<String>,
    #[serde(default)]
    pub limits: LimitsConfig,
    /// Where the master key lives (default: `DIR.master.key`, beside the data directory,
    /// never inside it); keep it off the database server and out of the data's backups.
    pub master_key_file: Option<PathBuf>,
    /// The server's settings (read by `mingjing serve`).
    #[serde(default)]
    pub server: Option<toml::Table>,
}

/// The smallest engine memory pool accepted (decision 76).
pub const MIN_ENGINE_MEMORY_MB: u64 = 1024;

/// How long a dry run may take unless `limits.dry_run_seconds` says otherwise.
pub const DEFAULT_DRY_RUN_SECONDS: u64 = 60;

#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    pub max_file_bytes: u64,
    pub max_rows: u64,
    /// The matching engine's memory pool in MiB (default 2048): what a model run may hold
    /// before it spills, or fails where an operator cannot spill (a hash join's build side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_memory_mb: Option<u64>,
    /// How the engine joins: "auto" (default: hash joins, and a query whose hash joins the
    /// pool cannot hold again with sort-merge joins, which spill), "hash" or "sort-merge".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_joins: Option<mingjing_engine::session::Joins>,
    /// Partitions the engine splits each query into (default: the number of cores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_partitions: Option<usize>,
    /// How long a dry run of a self-service model may take, in seconds (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run_seconds: Option<u64>,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let l = Limits::default();
        LimitsConfig {
            max_file_bytes: l.max_file_bytes,
            max_rows: l.max_rows,
            engine_memory_mb: None,
            engine_joins: None,
            engine_partitions: None,
            dry_run_seconds: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the model is not valid:\n{}", .0.join("\n"))]
    InvalidModel(Vec<String>),
    #[error("unknown model '{0}'")]
    UnknownModel(String),
    #[error(transparent)]
    Engine(#[from] mingjing_engine::EngineError),
    #[error("unknown dataset type '{0}'")]
    UnknownType(String),
    #[error("dataset type '{0}' is uploaded one month at a time: --period YYYY-MM is required")]
    PeriodRequired(String),
    #[error("dataset type '{0}' is a snapshot: --period does not apply to it")]
    PeriodRefused(String),
    #[error("{0}")]
    BadPeriod(String),
    #[error("the data directory {0} is not initialised: run `mingjing init` first")]
    NotInitialised(PathBuf),
    /// A data directory from before personal values were protected, not yet encrypted.
    #[error(
        "the data directory {} holds personal values in the clear ({files} files, first {first}): \
         back it up, then run `mingjing protect --data-dir {}` to encrypt it in place",
        dir.display(), dir.display()
    )]
    NotProtected {
        dir: PathBuf,
        files: usize,
        first: String,
    },
    #[error("configuration file {path}: {msg}")]
    Config { path: PathBuf, msg: String },
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A step the alert's life cycle does not allow now, or an invalid form.
    #[error(transparent)]
    Disposal(#[from] mingjing_domain::disposal::DisposalError),
    /// A request's persons that the records contradict (each check says why).
    #[error("persons on the request do not match the records")]
    PersonsRejected(Vec<opinions::PersonCheck>),
    /// Only the unit an alert is routed to may verify it.
    #[error("{0}")]
    NotResponsible(String),
    /// A request the caller's organisation or role may not make (an upload of a type it does
    /// not report, a change it may not decide).
    #[error("{0}")]
    NotPermitted(String),
    /// A request that is malformed or names what does not exist.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    /// Work that ran past its time limit and was stopped (nothing of it was kept).
    #[error("{what} took longer than {seconds} s and was stopped")]
    TimedOut { what: &'static str, seconds: u64 },
    /// A document could not be rendered (a PDF whose text the embedded font cannot print).
    #[error(transparent)]
    Render(#[from] mingjing_render::RenderError),
    /// A sign-in refused (and why, as far as the caller may know).
    #[error(transparent)]
    SignIn(#[from] accounts::SignInRefusal),
    /// A new password that the policy or the account's history refuses.
    #[error("{0}")]
    WeakPassword(String),
    /// A security policy that does not meet the platform's floor.
    #[error("{0}")]
    InvalidPolicy(String),
    /// An attachment whose content is not of an accepted type (whatever its name says).
    #[error("{0}")]
    FileTypeRefused(String),
    /// A workbook could not be written (a bug: logged, answered without detail).
    #[error("writing a workbook: {0}")]
    Workbook(String),
    /// A session that has ended, timed out, or whose account was disabled.
    #[error("the session has ended")]
    SessionExpired,
}

impl AppError {
    /// A PDF whose text the embedded font cannot print (the Word version can be had instead).
    pub fn is_missing_glyphs(&self) -> bool {
        matches!(
            self,
            AppError::Render(mingjing_render::RenderError::MissingGlyphs(_))
        )
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Store(StoreError::Io(e))
    }
}

/// What an import did.
#[derive(Debug, Clone)]
pub enum ImportOutcome {
    Loaded {
        upload_id: i64,
        checked: CheckedFile,
        replaced: Vec<Replaced>,
    },
    /// The same file is already the current upload for this type, organisation and period.
    AlreadyLoaded { upload: Upload },
}

/// One file to import.
pub struct ImportInput<'a> {
    pub dataset_type: &'a str,
    pub org: &'a str,
    pub period: Option<&'a str>,
    pub file_name: &'a str,
    pub bytes: Vec<u8>,
    /// Who imports: named on the upload and in its audit record (`upload.create`), which is
    /// written whatever the outcome (in the upload's transaction when it lands).
    pub actor: &'a Actor,
}

/// One file of a manifest (`file,type,org,period`), as the generator writes it.
#[derive(Debug, Clone)]
pub struct ManifestEntry {
    pub file: PathBuf,
    pub dataset_type: String,
    pub org: String,
    pub period: Option<String>,
}

/// Reads a manifest; file names are relative to its folder.
pub fn read_manifest(path: &Path) -> Result<Vec<ManifestEntry>, AppError> {
    let text = std::fs::read_to_string(path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() != 4 {
            return Err(AppError::Config {
                path: path.to_path_buf(),
                msg: format!("row {}: expected file,type,org,period", n + 1),
            });
        }
        out.push(ManifestEntry {
            file: base.join(cols[0]),
            dataset_type: cols[1].to_string(),
            org: cols[2].to_string(),
            period: (!cols[3].is_empty()).then(|| cols[3].to_string()),
        });
    }
    Ok(out)
}

/// One data directory and its metadata store.
pub struct Platform {
    pub data: DataDir,
    /// Private: the adapters (server, command line) use the services, which keep the rules
    /// and write the audit records.
    meta: SqlStore,
    pub config: Config,
    /// Dry runs take turns with each other, never with the scheduled or on-demand runs.
    dry_runs: tokio::sync::Semaphore,
    /// Sign-in attempts per source address and account name (this process's).
    sign_in_throttle: throttle::SignInThrottle,
    /// Each session's account, role, organisation, policy and scope while the access
    /// generation stands (one query per request).
    access_kept: accounts::AccessKept,
}

impl Platform {
    /// The store itself, for tests that inspect what the services wrote (feature `inspect`,
    /// which only the integration tests enable). The server and the command line never call
    /// it (a tidy test reads them).
    #[cfg(feature = "inspect")]
    pub fn store(&self) -> &SqlStore {
        &self.meta
    }
}

impl Platform {
    /// The platform's one clock (the store's): every "now" and "today" of a service.
    pub fn clock(&self) -> &Clock {
        self.meta.clock()
    }

    /// Today, by the platform's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock().today()
    }
}

impl Platform {
    /// Reads `DIR/mingjing.toml` (if any) with the environment override applied.
    pub fn load_config(dir: &Path) -> Result<Config, AppError> {
        let path = dir.join(CONFIG_FILE);
        let mut config = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str::<Config>(&text).map_err(|e| AppError::Config {
                path: path.clone(),
                msg: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => return Err(e.into()),
        };
        if let Some(mb) = config
            .limits
            .engine_memory_mb
            .filter(|mb| *mb < MIN_ENGINE_MEMORY_MB)
        {
            return Err(AppError::Config {
                path,
                msg: format!(
                    "limits.engine_memory_mb = {mb}: at least {MIN_ENGINE_MEMORY_MB} (a model's \
                     query shares the pool among some sixty operators)"
                ),
            });
        }
        if let Ok(url) = std::env::var(DATABASE_URL_ENV)
            && !url.is_empty()
        {
            config.database_url = Some(url);
        }
        if let Ok(path) = std::env::var(MASTER_KEY_ENV)
            && !path.is_empty()
        {
            config.master_key_file = Some(PathBuf::from(path));
        }
        Ok(config)
    }

    fn database_url(data: &DataDir, config: &Config) -> String {
        config
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", data.sqlite_path().display()))
    }

    /// Creates (or opens) a platform in `dir`: migrates, installs the built-in standard,
    /// sets the county name when given.
    /// Where the master key of the platform in `dir` lives.
    pub fn master_key_path(dir: &Path, config: &Config) -> PathBuf {
        config.master_key_file.clone().unwrap_or_else(|| {
            let mut name = dir
                .file_name()
                .map(|n| n.to_os_string())
                .unwrap_or_else(|| "mingjing".into());
            name.push(".master.key");
            dir.parent().unwrap_or(Path::new(".")).join(name)
        })
    }

    /// Opens the keyring with the master key. A platform whose keys exist refuses to open
    /// without its key file or with another one; one without keys yet (a new platform, or one
    /// from before keys) gets a new master key file and keyring.
    async fn unlock(meta: &mut SqlStore, dir: &Path, config: &Config) -> Result<(), AppError> {
        let path = Self::master_key_path(dir, config);
        let stored_id = meta.keyring_master_id().await?;
        Self::finish_key_rotation(&path, stored_id.as_deref());
        let has_keys = stored_id.is_some();
        let master = if path.exists() || has_keys {
            mingjing_crypto::KeyFile::load(&path).map_err(|e| {
                AppError::Store(StoreError::Config(format!(
                    "{e} (the platform's data keys are wrapped with it; set master_key_file in \
                     {CONFIG_FILE} or {MASTER_KEY_ENV} to where it is kept)"
                )))
            })?
        } else {
            mingjing_crypto::KeyFile::create(&path).map_err(|e| AppError::Store(e.into()))?
        };
        meta.unlock(std::sync::Arc::new(master), dir.join("audit.head"))
            .await?;
        Ok(())
    }

    /// The file a new master key is written to before the keyring is rewrapped with it.
    fn next_key_path(path: &Path) -> PathBuf {
        let mut p = path.as_os_str().to_os_string();
        p.push(".next");
        PathBuf::from(p)
    }

    /// A rotation interrupted after the keyring was rewrapped, before the new key file took
    /// the old one's place: the new key is the one that opens the keyring, so it moves in now.
    fn finish_key_rotation(path: &Path, stored_id: Option<&str>) {
        use mingjing_crypto::KeySource;
        let next = Self::next_key_path(path);
        let Ok(candidate) = mingjing_crypto::KeyFile::load(&next) else {
            return;
        };
        let current = mingjing_crypto::KeyFile::load(path).ok();
        if stored_id == Some(candidate.key_id().as_str())
            && current.is_none_or(|c| Some(c.key_id().as_str()) != stored_id)
        {
            let _ = std::fs::rename(&next, path);
        }
    }

    /// Replaces the master key: a new key is made beside the old one, the data keys are
    /// rewrapped with it (one setting, audited), and the new file takes the old one's place.
    /// No data is rewritten; a server running meanwhile keeps working (its data keys are the
    /// same) and reads the new file when it next starts. A crash at any point leaves a platform
    /// that opens: before the rewrap with the old key, after it with the new one.
    pub async fn rotate_master_key(&self) -> Result<PathBuf, AppError> {
        use mingjing_crypto::KeySource;
        let path = Self::master_key_path(self.data.root(), &self.config);
        let next = Self::next_key_path(&path);
        // A leftover of a rotation that never rewrapped anything.
        let _ = std::fs::remove_file(&next);
        let new = mingjing_crypto::KeyFile::create(&next).map_err(|e| AppError::Store(e.into()))?;
        let audit = mingjing_store::audit::AuditEntry {
            actor: "system".into(),
            role: "system".into(),
            action: "keys.rotate_master".into(),
            object: "keyring".into(),
            result: "ok".into(),
            source: "local".into(),
            detail: format!(
                "master key {} replaced by {}",
                self.meta.keyring_master_id().await?.unwrap_or_default(),
                new.key_id()
            ),
            ..Default::default()
        };
        if let Err(e) = self.meta.rewrap_keyring(&new, &audit).await {
            let _ = std::fs::remove_file(&next);
            return Err(e.into());
        }
        std::fs::rename(&next, &path)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::File::open(parent)?.sync_all()?;
        }
        Ok(path)
    }

    pub async fn init(dir: &Path, county: Option<&str>, clock: Clock) -> Result<Self, AppError> {
        let config = Self::load_config(dir)?;
        let data = DataDir::open(dir)?;
        let mut meta = SqlStore::connect(&Self::database_url(&data, &config), clock).await?;
        Self::unlock(&mut meta, dir, &config).await?;
        meta.install_standard(&Standard::builtin()).await?;
        match county {
            Some(c) => meta.set_setting(SETTING_COUNTY, c.trim()).await?,
            None if meta.setting(SETTING_COUNTY).await?.is_none() => {
                meta.set_setting(SETTING_COUNTY, DEFAULT_COUNTY).await?
            }
            None => {}
        }
        let p = Platform {
            data,
            meta,
            config,
            dry_runs: tokio::sync::Semaphore::new(1),
            sign_in_throttle: throttle::SignInThrottle::default(),
            access_kept: accounts::AccessKept::default(),
        };
        p.recover().await?;
        p.install_builtin_models().await?;
        p.ensure_protected().await?;
        Ok(p)
    }

    /// Opens an initialised platform and removes whatever an interrupted import left behind.
    /// Every "now" of the platform is read from `clock`. A data directory still holding
    /// personal values in the clear is refused ([`Platform::open_unprotected`] opens it).
    pub async fn open(dir: &Path, clock: Clock) -> Result<Self, AppError> {
        let p = Self::open_unprotected(dir, clock).await?;
        p.ensure_protected().await?;
        Ok(p)
    }

    /// [`Platform::open`] of a data directory that may still hold personal values in the
    /// clear: for protecting it in place, and for backing it up first.
    pub async fn open_unprotected(dir: &Path, clock: Clock) -> Result<Self, AppError> {
        let config = Self::load_config(dir)?;
        if config.database_url.is_none() && !dir.join("mingjing.db").exists() {
            return Err(AppError::NotInitialised(dir.to_path_buf()));
        }
        let data = DataDir::open(dir)?;
        let mut meta = SqlStore::connect(&Self::database_url(&data, &config), clock).await?;
        if meta.setting(SETTING_COUNTY).await?.is_none() {
            return Err(AppError::NotInitialised(dir.to_path_buf()));
        }
        Self::unlock(&mut meta, dir, &config).await?;
        let p = Platform {
            data,
            meta,
            config,
            dry_runs: tokio::sync::Semaphore::new(1),
            sign_in_throttle: throttle::SignInThrottle::default(),
            access_kept: accounts::AccessKept::default(),
        };
        p.recover().await?;
        p.install_builtin_models().await?;
        Ok(p)
    }

    /// Removes staging folders and unregistered upload folders. Returns what was removed.
    pub async fn recover(&self) -> Result<Vec<String>, AppError> {
        let registered: HashSet<String> = self.meta.upload_dirs().await?.into_iter().collect();
        Ok(self.data.recover(&registered)?)
    }

    /// Checks that the data directory and the metadata agree: every slice of every committed
    /// upload is a readable Parquet file with the registered row count, and nothing else is
    /// there. Returns the problems found (empty when consistent).
    pub async fn verify(&self) -> Result<Vec<String>, AppError> {
        let _reading = self.reading_files().await?;
        let mut problems = Vec::new();
        let registered: HashSet<String> = self.meta.upload_dirs().await?.into_iter().collect();
        // What another process is importing right now is neither registered nor abandoned.
        for dir in self.data.upload_dirs()? {
            if !registered.contains(&dir) && !self.data.in_use(&dir) {
                problems.push(format!("uploads/{dir} is not registered"));
            }
        }
        for entry in self.data.abandoned_staging()? {
            problems.push(format!("staging/{entry} is left over"));
        }
        for ty in self.meta.dataset_types().await? {
            for s in self.meta.all_slices(&ty.name).await? {
                let path = self.data.slice_path(&s.dir, &s.file);
                // Integrity at rest: the bytes are those written at import.
                let ids = mingjing_ingest::idindex::index_path(&path);
                for (file, recorded) in [(&path, &s.sm3), (&ids, &s.ids_sm3)] {
                    if let Some(recorded) = recorded
                        && mingjing_ingest::import::file_sm3(file).ok().as_ref() != Some(recorded)
                    {
                        problems.push(format!(
                            "upload #{} uploads/{}/{}: changed on disk (its SM3 digest is not the one recorded at import)",
                            s.upload_id,
                            s.dir,
                            file.file_name().unwrap_or_default().to_string_lossy()
                        ));
                    }
                }
                match mingjing_ingest::columnar::parquet_row_count(&path) {
                    Ok(n) if n == s.rows => {}
                    Ok(n) => problems.push(format!(
                        "upload #{} {}: {} rows in the file, {} registered",
                        s.upload_id, s.file, n, s.rows
                    )),
                    Err(e) => problems.push(format!(
                        "upload #{} {}: unreadable: {e}",
                        s.upload_id,
                        path.display()
                    )),
                }
            }
        }
        Ok(problems)
    }

    pub async fn county(&self) -> Result<String, AppError> {
        Ok(self
            .meta
            .setting(SETTING_COUNTY)
            .await?
            .unwrap_or_else(|| DEFAULT_COUNTY.to_string()))
    }

    /// Holds the data directory's files still while they are read by path
    /// ([`DataDir::lock_files`]): a data key's resealing rewrites them in place.
    pub(crate) async fn reading_files(
        &self,
    ) -> Result<mingjing_store::datadir::FilesLock, AppError> {
        self.lock_files(false).await
    }

    pub(crate) async fn lock_files(
        &self,
        exclusive: bool,
    ) -> Result<mingjing_store::datadir::FilesLock, AppError> {
        let data = self.data.clone();
        Ok(
            tokio::task::spawn_blocking(move || data.lock_files(exclusive))
                .await
                .expect("locking does not panic")?,
        )
    }

    /// The Parquet files of a type's current slices, in upload order.
    pub(crate) async fn current_files(&self, ty: &str) -> Result<Vec<PathBuf>, AppError> {
        Ok(self
            .meta
            .current_slices(ty)
            .await?
            .iter()
            .map(|s| self.data.slice_path(&s.dir, &s.file))
            .collect())
    }

    /// One page of a type's rows from some of its slice files (those of the reader's scope),
    /// in upload then row order, their personal values opened for the reader.
    pub async fn rows_page(
        &self,
        ty: &DatasetType,
        files: &[PathBuf],
        offset: usize,
        limit: usize,
    ) -> Result<mingjing_engine::rows::TextRows, AppError> {
        let _reading = self.reading_files().await?;
        let mut rows = mingjing_engine::rows::read_page(
            mingjing_ingest::columnar::schema(ty),
            files,
            offset,
            limit,
        )
        .await
        .map_err(|e| AppError::Engine(e.into()))?;
        protect::reveal_rows(&*self.meta.column_cipher()?, ty, &mut rows)?;
        Ok(rows)
    }

    pub async fn dataset_type(&self, name: &str) -> Result<DatasetType, AppError> {
        self.meta
            .dataset_type(name)
            .await?
            .ok_or_else(|| AppError::UnknownType(name.to_string()))
    }

    fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.config.limits.max_file_bytes,
            max_rows: self.config.limits.max_rows,
            ..Limits::default()
        }
    }

    /// Checks the upload's options against its type before any work is done.
    pub async fn resolve_import(
        &self,
        dataset_type: &str,
        period: Option<&str>,
    ) -> Result<(DatasetType, Option<Month>), AppError> {
        let ty = self.dataset_type(dataset_type).await?;
        let period = match (ty.period, period) {
            (true, None) => return Err(AppError::PeriodRequired(ty.name)),
            (false, Some(_)) => return Err(AppError::PeriodRefused(ty.name)),
            (false, None) => None,
            (true, Some(p)) => Some(
                mingjing_domain::calendar::parse_month(p)
                    .map_err(|e| AppError::BadPeriod(format!("--period: {e}")))?,
            ),
        };
        Ok((ty, period))
    }

    /// Imports one file: all of it lands, or nothing does.
    /// Checks a file and writes its Parquet slices into a new staging folder (not published):
    /// the staged folder, what was checked, and the file's SHA-256. A refused file leaves
    /// nothing behind.
    pub(crate) async fn stage_and_check(
        &self,
        ty: &DatasetType,
        period: Option<Month>,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<(mingjing_store::Staged, CheckedFile, String), AppError> {
        let staged = self.data.stage()?;
        let limits = self.limits();
        let today = self.today();
        let file_name = file_name.to_string();
        let out_dir = staged.path.clone();
        let upload_tag = staged.name.clone();
        let ty_for_check = ty.clone();
        let cipher = self.meta.column_cipher()?.clone();
        // Checking and writing is CPU-bound: keep it off the async runtime. The file's hash
        // is computed beside it.
        let (checked, sha) = tokio::task::spawn_blocking(move || {
            std::thread::scope(|scope| {
                let sha = scope.spawn(|| mingjing_ingest::import::sha256_hex(&bytes));
                let checked = import_file(&ImportRequest {
                    ty: &ty_for_check,
                    file_name: &file_name,
                    bytes: &bytes,
                    period,
                    today,
                    limits,
                    out_dir: &out_dir,
                    upload_tag: &upload_tag,
                    cipher: &cipher,
                });
                (checked, sha.join().expect("hashing does not panic"))
            })
        })
        .await
        .expect("import task does not panic");
        match checked {
            Ok(c) => Ok((staged, c, sha)),
            Err(e) => {
                self.data.discard(staged)?;
                Err(e.into())
            }
        }
    }

    /// The operator's import (the CLI, batch.md): any type, for any organisation, which is
    /// registered if new.
    pub async fn import(&self, input: ImportInput<'_>) -> Result<ImportOutcome, AppError> {
        self.import_as(input, false).await
    }

    /// An upload by a user of an organisation: only the types on whose uploader list the
    /// organisation is, and of a payment roll only its own programmes. A refused upload
    /// writes nothing.
    pub async fn upload(&self, input: ImportInput<'_>) -> Result<ImportOutcome, AppError> {
        self.import_as(input, true).await
    }

    /// An import with its audit record: the landed upload's is written in its transaction;
    /// a file already loaded, a rejected file, a refused or failed import get theirs here.
    async fn import_as(
        &self,
        input: ImportInput<'_>,
        uploader_rights: bool,
    ) -> Result<ImportOutcome, AppError> {
        let actor = input.actor;
        let mut audit = actor.entry(
            "upload.create",
            format!("type:{}", input.dataset_type),
            "ok",
        );
        audit.detail = format!("{} ({} bytes)", input.file_name, input.bytes.len());
        let outcome = self.import_audited(input, uploader_rights, &audit).await;
        match &outcome {
            Ok(ImportOutcome::Loaded { .. }) => {}
            Ok(ImportOutcome::AlreadyLoaded { upload }) => {
                audit.object = format!("upload:{}", upload.id);
                audit.detail.push_str("; already loaded");
                self.meta.audit(&audit).await?;
            }
            Err(e) => {
                audit.result = match e {
                    AppError::File(_) => "rejected",
                    AppError::NotPermitted(m) => {
                        audit.detail.push_str("; ");
                        audit.detail.push_str(m);
                        "refused"
                    }
                    _ => "failed",
                }
                .into();
                self.meta.audit(&audit).await?;
            }
        }
        outcome
    }

    async fn import_audited(
        &self,
        input: ImportInput<'_>,
        uploader_rights: bool,
        audit: &mingjing_store::audit::AuditEntry,
    ) -> Result<ImportOutcome, AppError> {
        let (ty, period) = self
            .resolve_import(input.dataset_type, input.period)
            .await?;
        let org_node = if uploader_rights {
            let node = self
                .meta
                .org_tree()
                .await?
                .into_iter()
                .find(|o| o.name == input.org.trim())
                .ok_or_else(|| AppError::NotPermitted(format!("机构“{}”未登记", input.org)))?;
            self.check_upload_right(&ty, &node).await?;
            Some(node)
        } else {
            None
        };
        let org = self
            .meta
            .ensure_org(input.org.trim(), "registered_by_import")
            .await?;
        let (staged, checked, sha) = self
            .stage_and_check(&ty, period, input.file_name, input.bytes)
            .await?;
        if let Some(node) = &org_node
            && let Err(e) = self.check_programmes(&ty, node, &checked).await
        {
            self.data.discard(staged)?;
            return Err(e);
        }
        // The same file, still current for this scope: nothing to do.
        if let Some(upload) = self
            .meta
            .find_current_identical(&ty.name, org.id, period, &sha)
            .await?
        {
            self.data.discard(staged)?;
            return Ok(ImportOutcome::AlreadyLoaded { upload });
        }

        self.data.publish(&staged)?;
        let new = NewUpload {
            dataset_type: ty.name.clone(),
            org_id: org.id,
            period,
            file_name: input.file_name.to_string(),
            sha256: sha,
            rows: checked.rows,
            uploaded_by: input.actor.username.clone(),
            dir: staged.name.clone(),
            audit: Some({
                let mut a = audit.clone();
                a.detail.push_str(&format!(", {} rows", checked.rows));
                a
            }),
            slices: checked
                .slices
                .iter()
                .map(|s| NewSlice {
                    partition: s.partition.clone(),
                    rows: s.rows,
                    file: s.file.clone(),
                    sm3: Some(s.sm3.clone()),
                    ids_sm3: Some(s.ids_sm3.clone()),
                })
                .collect(),
        };
        match self.meta.commit_upload(&new).await {
            Ok(Committed {
                upload_id,
                replaced,
            }) => {
                if ty.name == "persons" {
                    // The upload stands whatever happens here; the server also rebuilds the
                    // index when it starts.
                    let _ = self.rebuild_person_index().await;
                }
                Ok(ImportOutcome::Loaded {
                    upload_id,
                    checked,
                    replaced,
                })
            }
            Err(e) => {
                self.data.unpublish(&staged.name)?;
                Err(e.into())
            }
        }
    }
}
