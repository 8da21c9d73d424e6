//! The metadata store: one `SqlStore` over SQLite (embedded) and PostgreSQL. There is no storage
//! trait: one implementation serves both backends, and the tests run on both real databases.
//!
//! Both backends run the same SQL through sqlx's `Any` driver (`$N` parameters, `RETURNING`,
//! partial unique indexes and BIGINT/TEXT columns work on both); each keeps its own migrations.
//! Values the `Any` driver cannot carry (dates, decimals, JSON) are stored as text.

use crate::StoreError;
use mingjing_domain::{Clock, DatasetType, Month, Program, Standard};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Row};
use std::str::FromStr;

pub type Result<T> = std::result::Result<T, StoreError>;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
}

/// One slice of an upload to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSlice {
    pub partition: String,
    pub rows: u64,
    pub file: String,
    /// SM3 digests of the Parquet file and of its ID index, as written (checked by `verify`).
    pub sm3: Option<String>,
    pub ids_sm3: Option<String>,
}

/// An upload whose files are published and durable, to register.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub dataset_type: String,
    pub org_id: i64,
    pub period: Option<Month>,
    pub file_name: String,
    pub sha256: String,
    pub rows: u64,
    pub uploaded_by: String,
    /// The folder under `uploads/`.
    pub dir: String,
    pub slices: Vec<NewSlice>,
    /// The audit record written with it (its object becomes `upload:<id>`).
    pub audit: Option<crate::audit::AuditEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub id: i64,
    pub dataset_type: String,
    pub org_id: i64,
    pub org_name: String,
    pub period: Option<Month>,
    pub file_name: String,
    pub sha256: String,
    pub rows: u64,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub dir: String,
}

/// A slice of the current data of a type: what the engine reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentSlice {
    pub upload_id: i64,
    pub org_id: i64,
    pub period: Option<Month>,
    pub partition: String,
    pub rows: u64,
    /// Folder under `uploads/` and the file in it.
    pub dir: String,
    pub file: String,
    /// SM3 digests recorded at import (absent for slices imported before digests were kept,
    /// and in the listings that do not read them).
    pub sm3: Option<String>,
    pub ids_sm3: Option<String>,
}

/// An earlier slice that a new upload replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    pub upload_id: i64,
    pub partition: String,
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub upload_id: i64,
    pub replaced: Vec<Replaced>,
}

/// One row of evidence an engine run found for an alert.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EvidenceRow {
    pub dataset: String,
    pub upload_dir: String,
    pub row: i64,
    /// The suspect amount this firing row carries, in fen.
    pub amount_fen: Option<i64>,
    /// A firing row (a payment, a penalty...), as opposed to a row that supports it.
    pub firing: bool,
    /// The model's condition the row satisfied (`fire`, `require.N`, `require_any.N`).
    pub condition: String,
}

/// What a model run found for one (subject, programme).
#[derive(Debug, Clone)]
pub struct AlertHit {
    pub subject: String,
    pub program: String,
    pub name: String,
    /// Whether the model defines a suspect amount.
    pub has_amount: bool,
    pub responsible: String,
    /// The subject's town and village, where the register knows them.
    pub town: String,
    pub village: String,
    pub evidence: Vec<EvidenceRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: i64,
    pub model: String,
    pub model_version: i64,
    pub subject: String,
    pub program: String,
    pub name: String,
    pub amount_fen: Option<i64>,
    pub responsible: String,
    pub status: String,
    pub raised_at: String,
    pub previous_id: Option<i64>,
    pub evidence_rows: u64,
    pub town: String,
    pub village: String,
    /// Where it stands in the verification loop (`mingjing_domain::disposal::Stage`).
    pub stage: String,
    /// The unit it is routed to.
    pub org_id: Option<i64>,
    /// `YYYY-MM-DD`: the last day for the unit's verification.
    pub deadline: Option<String>,
    /// The approved verification's conclusion.
    pub conclusion: Option<String>,
    /// An open alert's priority: the money its verification may be expected to recover (fen),
    /// and why, one reason a line (`mingjing_domain::triage`).
    pub priority_fen: Option<i64>,
    pub priority_reasons: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HitCounts {
    pub raised: u64,
    pub updated: u64,
}

/// A version of a model to save.
#[derive(Debug, Clone)]
pub struct NewModelVersion {
    pub id: String,
    pub version: i64,
    pub builtin: bool,
    /// The specification as a TOML file.
    pub spec: String,
    pub note: String,
    pub created_by: String,
    /// The dataset types it reads.
    pub reads: Vec<String>,
}

/// A model of the library with its current version's specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRecord {
    pub id: String,
    pub builtin: bool,
    pub enabled: bool,
    pub current_version: i64,
    pub reads: Vec<String>,
    pub spec: String,
    pub updated_at: String,
}

/// One model's result in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRunResult {
    pub model: String,
    pub version: i64,
    pub hits: u64,
    pub counts: HitCounts,
}

/// A run of models, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRun {
    pub id: i64,
    pub started_at: String,
    pub finished_at: String,
    pub as_of: String,
    /// `manual`, `upload:<type>` or `schedule`.
    pub trigger: String,
    pub results: Vec<ModelRunResult>,
}

/// The metadata of the platform over both backends. Every write is one transaction.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// As connected to (PostgreSQL's chat listener opens its own connection with it).
    url: String,
    pub(crate) audit: Option<crate::audit::AuditKey>,
    /// The data keys, once [`SqlStore::unlock`] has opened them; shared by every clone, and
    /// replaced when the stored keyring gains a version ([`SqlStore::refresh_keys`]).
    pub(crate) keys: Option<std::sync::Arc<crate::keys::Keys>>,
    /// Every timestamp the store writes comes from it.
    clock: Clock,
}

/// A metadata transaction (for actions written together with their audit record).
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// Sets a setting inside a transaction.
pub async fn set_setting_tx(tx: &mut Tx<'_>, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn period_text(p: Option<Month>) -> String {
    p.map(|m| m.to_string()).unwrap_or_default()
}

fn parse_period(s: &str) -> Result<Option<Month>> {
    if s.is_empty() {
        Ok(None)
    } else {
        Month::from_str(s)
            .map(Some)
            .map_err(|e| StoreError::Corrupt(format!("period '{s}': {e}")))
    }
}

impl SqlStore {
    /// Connects and migrates. `url` is `sqlite://PATH` or `postgres://…`; every timestamp the
    /// store writes is read from `clock`.
    pub async fn connect(url: &str, clock: Clock) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database url (expected sqlite:// or postgres://): {}",
                redact_url(url)
            )));
        };
        let mut url = url.to_string();
        if backend == Backend::Sqlite && !url.contains('?') {
            url.push_str("?mode=rwc");
        }
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL for concurrent readers; FULL so a commit survives power loss;
                        // secure_delete so a deleted or replaced value is zeroed in the file,
                        // not left in a free page (residual information).
                        sqlx::raw_sql(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                             PRAGMA secure_delete = ON;",
                        )
                        .execute(conn)
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let store = SqlStore {
            pool,
            backend,
            url: url.clone(),
            audit: None,
            keys: None,
            clock,
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// The clock this store writes its timestamps from.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Now, as the store writes timestamps.
    pub(crate) fn now_text(&self) -> String {
        self.clock.now_text()
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that writes. On SQLite it takes the write lock at its start (`BEGIN
    /// IMMEDIATE`): a deferred transaction that reads first cannot upgrade its snapshot once
    /// another connection (another process) has written since, and SQLite answers "database
    /// is locked" at once instead of waiting out the busy timeout.
    pub async fn begin(&self) -> Result<Tx<'static>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub(crate) fn url(&self) -> Option<&str> {
        Some(self.url.as_str())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A type's slices: only the current ones, or all (replaced ones too).
    async fn slices(&self, dataset_type: &str, only_current: bool) -> Result<Vec<CurrentSlice>> {
        let rows = sqlx::query(
            "SELECT s.upload_id, s.org_id, s.period, s.partition_key, s.row_count, u.dir, s.file, \
             s.sm3, s.ids_sm3 \
             FROM upload_slices s JOIN uploads u ON u.id = s.upload_id \
             WHERE s.dataset_type = $1 AND ($2 = 0 OR s.superseded_by IS NULL) \
             ORDER BY s.upload_id, s.partition_key",
        )
        .bind(dataset_type)
        .bind(i64::from(only_current))
        .fetch_all(&self.pool)
        .await?;
        decode_slices(&rows)
    }

    fn upload_from_row(row: &sqlx::any::AnyRow) -> Result<Upload> {
        Ok(Upload {
            id: row.try_get("id")?,
            dataset_type: row.try_get("dataset_type")?,
            org_id: row.try_get("org_id")?,
            org_name: row.try_get("org_name")?,
            period: parse_period(&row.try_get::<String, _>("period")?)?,
            file_name: row.try_get("file_name")?,
            sha256: row.try_get("sha256")?,
            rows: row.try_get::<i64, _>("row_count")? as u64,
            uploaded_by: row.try_get("uploaded_by")?,
            uploaded_at: row.try_get("uploaded_at")?,
            dir: row.try_get("dir")?,
        })
    }
}

/// Never log or show a database password.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

/// `SELECT` of uploads with their organisation's name, followed by the given clauses.
macro_rules! select_uploads {
    ($rest:literal) => {
        concat!(
            "SELECT u.id, u.dataset_type, u.org_id, o.name AS org_name, u.period, u.file_name, \
             u.sha256, u.row_count, u.uploaded_by, u.uploaded_at, u.dir \
             FROM uploads u JOIN orgs o ON o.id = u.org_id ",
            $rest
        )
    };
}

impl SqlStore {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Writes the standard's types and programmes (first start) unless they are already there.
    pub async fn install_standard(&self, standard: &Standard) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = self.now_text();
        for ty in &standard.types {
            let json = serde_json::to_string(ty).expect("serialisable");
            sqlx::query(
                "INSERT INTO dataset_types (name, definition, builtin, created_at, updated_at) \
                 VALUES ($1, $2, 1, $3, $3) ON CONFLICT (name) DO NOTHING",
            )
            .bind(&ty.name)
            .bind(json)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        for p in &standard.programs {
            let json = serde_json::to_string(p).expect("serialisable");
            sqlx::query(
                "INSERT INTO programs (code, definition, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(&p.code)
            .bind(json)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds or replaces an administrator-defined type.
    pub async fn put_dataset_type(&self, ty: &DatasetType) -> Result<()> {
        ty.validate()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let json = serde_json::to_string(ty).expect("serialisable");
        let now = self.now_text();
        let mut tx = self.begin().await?;
        let builtin: Option<i64> =
            sqlx::query_scalar("SELECT builtin FROM dataset_types WHERE name = $1")
                .bind(&ty.name)
                .fetch_optional(&mut *tx)
                .await?;
        if builtin == Some(1) {
            return Err(StoreError::Invalid(format!(
                "dataset type '{}' is part of the built-in standard and cannot be redefined",
                ty.name
            )));
        }
        sqlx::query(
            "INSERT INTO dataset_types (name, definition, builtin, created_at, updated_at) \
             VALUES ($1, $2, 0, $3, $3) \
             ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, \
             updated_at = excluded.updated_at",
        )
        .bind(&ty.name)
        .bind(json)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn dataset_types(&self) -> Result<Vec<DatasetType>> {
        // Built-in types first, in the standard's order (their rowid/identity order).
        let rows = sqlx::query(
            "SELECT name, definition FROM dataset_types ORDER BY builtin DESC, created_at, name",
        )
        .fetch_all(&self.pool)
        .await?;
        let standard_order = Standard::builtin_ref();
        let mut out = rows.iter().map(decode_type).collect::<Result<Vec<_>>>()?;
        out.sort_by_key(|t| {
            standard_order
                .types
                .iter()
                .position(|s| s.name == t.name)
                .unwrap_or(usize::MAX)
        });
        Ok(out)
    }

    pub async fn dataset_type(&self, name: &str) -> Result<Option<DatasetType>> {
        let row = sqlx::query("SELECT name, definition FROM dataset_types WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(decode_type).transpose()
    }

    pub async fn programs(&self) -> Result<Vec<Program>> {
        let rows = sqlx::query("SELECT code, definition FROM programs ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("code")?;
                let def: String = r.try_get("definition")?;
                let mut p: Program = serde_json::from_str(&def)
                    .map_err(|e| StoreError::Corrupt(format!("programme {code}: {e}")))?;
                p.code = code;
                Ok(p)
            })
            .collect()
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The organisation with this name, registered (as `kind`) if it is new.
    pub async fn ensure_org(&self, name: &str, kind: &str) -> Result<Org> {
        sqlx::query(
            "INSERT INTO orgs (name, kind, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(kind)
        .bind(self.now_text())
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT id, name, kind, parent_id FROM orgs WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        decode_org(&row)
    }

    pub async fn orgs(&self) -> Result<Vec<Org>> {
        let rows = sqlx::query("SELECT id, name, kind, parent_id FROM orgs ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_org).collect()
    }

    /// A committed upload of the same file for the same (type, organisation, period) whose
    /// slices are all still current: re-importing it changes nothing.
    pub async fn find_current_identical(
        &self,
        dataset_type: &str,
        org_id: i64,
        period: Option<Month>,
        sha256: &str,
    ) -> Result<Option<Upload>> {
        let sql = select_uploads!(
            "WHERE u.dataset_type = $1 AND u.org_id = $2 AND u.period = $3 AND u.sha256 = $4 \
             AND NOT EXISTS (SELECT 1 FROM upload_slices s \
                             WHERE s.upload_id = u.id AND s.superseded_by IS NOT NULL) \
             ORDER BY u.id DESC LIMIT 1"
        );
        let row = sqlx::query(sql)
            .bind(dataset_type)
            .bind(org_id)
            .bind(period_text(period))
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(Self::upload_from_row).transpose()
    }

    /// Registers an upload and marks the slices it replaces, in one transaction.
    pub async fn commit_upload(&self, up: &NewUpload) -> Result<Committed> {
        let period = period_text(up.period);
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO uploads (dataset_type, org_id, period, file_name, sha256, row_count, \
             uploaded_by, uploaded_at, dir) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&up.dataset_type)
        .bind(up.org_id)
        .bind(&period)
        .bind(&up.file_name)
        .bind(&up.sha256)
        .bind(up.rows as i64)
        .bind(&up.uploaded_by)
        .bind(self.now_text())
        .bind(&up.dir)
        .fetch_one(&mut *tx)
        .await?;
        let mut replaced = Vec::new();
        for s in &up.slices {
            let old = sqlx::query(
                "UPDATE upload_slices SET superseded_by = $1 \
                 WHERE dataset_type = $2 AND org_id = $3 AND period = $4 AND partition_key = $5 \
                 AND superseded_by IS NULL RETURNING upload_id, row_count",
            )
            .bind(id)
            .bind(&up.dataset_type)
            .bind(up.org_id)
            .bind(&period)
            .bind(&s.partition)
            .fetch_all(&mut *tx)
            .await?;
            for r in old {
                replaced.push(Replaced {
                    upload_id: r.try_get("upload_id")?,
                    partition: s.partition.clone(),
                    rows: r.try_get::<i64, _>("row_count")? as u64,
                });
            }
            sqlx::query(
                "INSERT INTO upload_slices (upload_id, dataset_type, org_id, period, \
                 partition_key, row_count, file, sm3, ids_sm3) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(&up.dataset_type)
            .bind(up.org_id)
            .bind(&period)
            .bind(&s.partition)
            .bind(s.rows as i64)
            .bind(&s.file)
            .bind(&s.sm3)
            .bind(&s.ids_sm3)
            .execute(&mut *tx)
            .await?;
        }
        // The upload and its audit record commit together.
        let head = match (&up.audit, &self.audit) {
            (Some(a), Some(_)) => {
                let mut a = a.clone();
                a.object = format!("upload:{id}");
                Some(self.append_audit(&mut tx, &a).await?)
            }
            _ => None,
        };
        tx.commit().await?;
        if let Some(h) = head {
            self.audit_committed(&h)?;
        }
        replaced.sort_by(|a, b| (a.upload_id, &a.partition).cmp(&(b.upload_id, &b.partition)));
        Ok(Committed {
            upload_id: id,
            replaced,
        })
    }

    pub async fn upload(&self, id: i64) -> Result<Option<Upload>> {
        let sql = select_uploads!("WHERE u.id = $1");
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(Self::upload_from_row).transpose()
    }

    /// Uploads newest first, optionally of one organisation.
    pub async fn uploads(&self, org_id: Option<i64>) -> Result<Vec<Upload>> {
        let sql = select_uploads!("WHERE ($1 < 0 OR u.org_id = $1) ORDER BY u.id DESC");
        let rows = sqlx::query(sql)
            .bind(org_id.unwrap_or(-1))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(Self::upload_from_row).collect()
    }

    /// The current data of a type: the latest slice of every (org, month, partition).
    pub async fn current_slices(&self, dataset_type: &str) -> Result<Vec<CurrentSlice>> {
        self.slices(dataset_type, true).await
    }

    /// Every slice of a type, replaced ones included (for consistency checks).
    pub async fn all_slices(&self, dataset_type: &str) -> Result<Vec<CurrentSlice>> {
        self.slices(dataset_type, false).await
    }

    /// Every folder name committed uploads use (for recovery of the data directory).
    pub async fn upload_dirs(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT dir FROM uploads ORDER BY dir")
            .fetch_all(&self.pool)
            .await?)
    }

    /// Alerts sorted by model, subject, programme (and id), optionally of one model.
    pub async fn alerts(&self, model: Option<&str>) -> Result<Vec<Alert>> {
        let rows = sqlx::query(select_alerts!("WHERE ($1 = '' OR a.model = $1)"))
            .bind(model.unwrap_or(""))
            .fetch_all(&self.pool)
            .await?;
        let cipher = self.column_cipher()?;
        let mut alerts = rows
            .iter()
            .map(|r| decode_alert(&cipher, r))
            .collect::<Result<Vec<_>>>()?;
        // By the clear subject: the stored one is a token.
        alerts.sort_by(|a, b| {
            (&a.model, &a.subject, &a.program, a.id).cmp(&(&b.model, &b.subject, &b.program, b.id))
        });
        Ok(alerts)
    }

    pub async fn alert(&self, id: i64) -> Result<Option<Alert>> {
        let row = sqlx::query(select_alerts!("WHERE a.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let cipher = self.column_cipher()?;
        row.as_ref().map(|r| decode_alert(&cipher, r)).transpose()
    }

    /// The rows an alert cites, firing rows first.
    pub async fn alert_evidence(&self, alert_id: i64) -> Result<Vec<EvidenceRow>> {
        let rows = sqlx::query(
            "SELECT dataset, upload_dir, row_no, amount_fen, firing, condition_tag FROM alert_evidence \
             WHERE alert_id = $1 ORDER BY firing DESC, dataset, upload_dir, row_no",
        )
        .bind(alert_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(EvidenceRow {
                    dataset: r.try_get("dataset")?,
                    upload_dir: r.try_get("upload_dir")?,
                    row: r.try_get("row_no")?,
                    amount_fen: r.try_get("amount_fen")?,
                    firing: r.try_get::<i64, _>("firing")? == 1,
                    condition: r.try_get("condition_tag")?,
                })
            })
            .collect()
    }

    /// Sets an alert's status (the verification loop's entry point; `closed` ends it).
    pub async fn set_alert_status(&self, id: i64, status: &str) -> Result<()> {
        // A closed alert's loop is over too (its stage follows its status).
        let now = self.now_text();
        sqlx::query(
            "UPDATE alerts SET status = $1, updated_at = $2, \
             stage = CASE WHEN $1 = 'closed' THEN 'closed' ELSE stage END, \
             closed_at = CASE WHEN $1 = 'closed' THEN $2 ELSE closed_at END WHERE id = $3",
        )
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a run and each model's result in it.
    pub async fn record_run(
        &self,
        started_at: &str,
        as_of: &str,
        trigger: &str,
        results: &[ModelRunResult],
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let models = results
            .iter()
            .map(|r| format!("{}@{}", r.model, r.version))
            .collect::<Vec<_>>()
            .join(",");
        let raised: u64 = results.iter().map(|r| r.counts.raised).sum();
        let updated: u64 = results.iter().map(|r| r.counts.updated).sum();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO model_runs (started_at, finished_at, as_of, models, raised, updated, run_trigger) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(started_at)
        .bind(self.now_text())
        .bind(as_of)
        .bind(models)
        .bind(raised as i64)
        .bind(updated as i64)
        .bind(trigger)
        .fetch_one(&mut *tx)
        .await?;
        for r in results {
            sqlx::query(
                "INSERT INTO model_run_results (run_id, model, model_version, hits, raised, updated) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(&r.model)
            .bind(r.version)
            .bind(r.hits as i64)
            .bind(r.counts.raised as i64)
            .bind(r.counts.updated as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Runs, newest first.
    pub async fn runs(&self, limit: i64) -> Result<Vec<ModelRun>> {
        let rows = sqlx::query(
            "SELECT id, started_at, finished_at, as_of, run_trigger FROM model_runs \
             ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let results = sqlx::query(
                "SELECT model, model_version, hits, raised, updated FROM model_run_results \
                 WHERE run_id = $1 ORDER BY model",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|x| {
                Ok(ModelRunResult {
                    model: x.try_get("model")?,
                    version: x.try_get("model_version")?,
                    hits: x.try_get::<i64, _>("hits")? as u64,
                    counts: HitCounts {
                        raised: x.try_get::<i64, _>("raised")? as u64,
                        updated: x.try_get::<i64, _>("updated")? as u64,
                    },
                })
            })
            .collect::<Result<Vec<_>>>()?;
            out.push(ModelRun {
                id,
                started_at: r.try_get("started_at")?,
                finished_at: r.try_get("finished_at")?,
                as_of: r.try_get("as_of")?,
                trigger: r.try_get("run_trigger")?,
                results,
            });
        }
        Ok(out)
    }

    /// Saves a model that is not yet in the library (a built-in on first start). Returns
    /// whether it was new; an existing model is left as it is.
    pub async fn install_model(&self, m: &NewModelVersion) -> Result<bool> {
        let mut tx = self.begin().await?;
        let now = self.now_text();
        let inserted = sqlx::query(
            "INSERT INTO models (id, builtin, enabled, current_version, reads, created_at, updated_at) \
             VALUES ($1, $2, 1, $3, $4, $5, $5) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&m.id)
        .bind(i64::from(m.builtin))
        .bind(m.version)
        .bind(m.reads.join(","))
        .bind(&now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(false);
        }
        insert_version(&mut tx, m, &now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Adds a version and makes it current: a new self-service model (version 1) or the next
    /// version of an existing one. Built-in models take new versions only by parameter
    /// changes, which the caller makes.
    pub async fn add_model_version(&self, m: &NewModelVersion) -> Result<()> {
        let mut tx = self.begin().await?;
        let now = self.now_text();
        let current: Option<(i64, i64)> =
            sqlx::query("SELECT current_version, builtin FROM models WHERE id = $1")
                .bind(&m.id)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| {
                    Ok::<_, StoreError>((r.try_get("current_version")?, r.try_get("builtin")?))
                })
                .transpose()?;
        match current {
            None if m.builtin => {
                return Err(StoreError::Invalid(format!(
                    "model {} is not in the library",
                    m.id
                )));
            }
            None if m.version != 1 => {
                return Err(StoreError::Invalid(format!(
                    "model {} is new: its first version is 1, not {}",
                    m.id, m.version
                )));
            }
            None => {
                sqlx::query(
                    "INSERT INTO models (id, builtin, enabled, current_version, reads, created_at, updated_at) \
                     VALUES ($1, 0, 1, $2, $3, $4, $4)",
                )
                .bind(&m.id)
                .bind(m.version)
                .bind(m.reads.join(","))
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            Some((_, builtin)) if (builtin == 1) != m.builtin => {
                return Err(StoreError::Invalid(format!(
                    "model {} is {}: choose another id",
                    m.id,
                    if builtin == 1 {
                        "a built-in model"
                    } else {
                        "a self-service model"
                    }
                )));
            }
            Some((v, _)) if m.version != v + 1 => {
                return Err(StoreError::Invalid(format!(
                    "model {} is at version {v}: the next version is {}, not {}",
                    m.id,
                    v + 1,
                    m.version
                )));
            }
            Some(_) => {
                sqlx::query(
                    "UPDATE models SET current_version = $1, reads = $2, updated_at = $3 WHERE id = $4",
                )
                .bind(m.version)
                .bind(m.reads.join(","))
                .bind(&now)
                .bind(&m.id)
                .execute(&mut *tx)
                .await?;
            }
        }
        insert_version(&mut tx, m, &now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The library, ordered by id.
    pub async fn models(&self) -> Result<Vec<ModelRecord>> {
        let rows = sqlx::query(
            "SELECT m.id, m.builtin, m.enabled, m.current_version, m.reads, m.updated_at, v.spec \
             FROM models m JOIN model_versions v ON v.model_id = m.id AND v.version = m.current_version \
             ORDER BY m.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let reads: String = r.try_get("reads")?;
                Ok(ModelRecord {
                    id: r.try_get("id")?,
                    builtin: r.try_get::<i64, _>("builtin")? == 1,
                    enabled: r.try_get::<i64, _>("enabled")? == 1,
                    current_version: r.try_get("current_version")?,
                    reads: reads
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                    spec: r.try_get("spec")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// One version's specification.
    pub async fn model_version(&self, id: &str, version: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT spec FROM model_versions WHERE model_id = $1 AND version = $2",
        )
        .bind(id)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn set_model_enabled(&self, id: &str, enabled: bool) -> Result<()> {
        let n = sqlx::query("UPDATE models SET enabled = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(enabled))
            .bind(self.now_text())
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "model {id} is not in the library"
            )));
        }
        Ok(())
    }
}

async fn insert_version(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    m: &NewModelVersion,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO model_versions (model_id, version, spec, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&m.id)
    .bind(m.version)
    .bind(&m.spec)
    .bind(&m.note)
    .bind(&m.created_by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An alert's name as kept: its token, or empty when the model named no one.
pub(crate) fn protect_name(cipher: &mingjing_crypto::ColumnCipher, name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        cipher.token(name)
    }
}

/// A kept subject or name, opened; a changed one is an error naming the alert.
fn open_token(
    cipher: &mingjing_crypto::ColumnCipher,
    id: i64,
    part: &str,
    kept: String,
) -> Result<String> {
    if kept.is_empty() {
        return Ok(kept);
    }
    Ok(cipher.reveal(&kept, &format!("the {part} of alert {id}"))?)
}

pub(crate) fn decode_alert(
    cipher: &mingjing_crypto::ColumnCipher,
    r: &sqlx::any::AnyRow,
) -> Result<Alert> {
    let id: i64 = r.try_get("id")?;
    Ok(Alert {
        id,
        model: r.try_get("model")?,
        model_version: r.try_get("model_version")?,
        subject: open_token(cipher, id, "subject", r.try_get("subject")?)?,
        program: r.try_get("program")?,
        name: open_token(cipher, id, "name", r.try_get("name")?)?,
        amount_fen: r.try_get("amount_fen")?,
        responsible: r.try_get("responsible")?,
        status: r.try_get("status")?,
        raised_at: r.try_get("raised_at")?,
        previous_id: r.try_get("previous_id")?,
        evidence_rows: r.try_get::<i64, _>("evidence_rows")? as u64,
        town: r.try_get("town")?,
        village: r.try_get("village")?,
        stage: r.try_get("stage")?,
        org_id: r.try_get("org_id")?,
        deadline: r.try_get("deadline")?,
        conclusion: r.try_get("conclusion")?,
        priority_fen: r.try_get("priority_fen")?,
        priority_reasons: r.try_get("priority_reasons")?,
    })
}

impl SqlStore {
    /// The current slices of every type at once, by type (one query where a page needs all).
    pub async fn current_slices_by_type(
        &self,
    ) -> Result<std::collections::HashMap<String, Vec<CurrentSlice>>> {
        let rows = sqlx::query(
            "SELECT s.dataset_type, s.upload_id, s.org_id, s.period, s.partition_key, s.row_count, \
             u.dir, s.file FROM upload_slices s JOIN uploads u ON u.id = s.upload_id \
             WHERE s.superseded_by IS NULL ORDER BY s.upload_id, s.partition_key",
        )
        .fetch_all(&self.pool)
        .await?;
        let slices = decode_slices(&rows)?;
        let mut out: std::collections::HashMap<String, Vec<CurrentSlice>> =
            std::collections::HashMap::new();
        for (r, s) in rows.iter().zip(slices) {
            out.entry(r.try_get("dataset_type")?).or_default().push(s);
        }
        Ok(out)
    }
}

fn decode_slices(rows: &[sqlx::any::AnyRow]) -> Result<Vec<CurrentSlice>> {
    rows.iter()
        .map(|r| {
            Ok(CurrentSlice {
                upload_id: r.try_get("upload_id")?,
                org_id: r.try_get("org_id")?,
                period: parse_period(&r.try_get::<String, _>("period")?)?,
                partition: r.try_get("partition_key")?,
                rows: r.try_get::<i64, _>("row_count")? as u64,
                dir: r.try_get("dir")?,
                file: r.try_get("file")?,
                sm3: r.try_get::<Option<String>, _>("sm3").ok().flatten(),
                ids_sm3: r.try_get::<Option<String>, _>("ids_sm3").ok().flatten(),
            })
        })
        .collect()
}

fn decode_type(r: &sqlx::any::AnyRow) -> Result<DatasetType> {
    let name: String = r.try_get("name")?;
    let def: String = r.try_get("definition")?;
    let mut t: DatasetType = serde_json::from_str(&def)
        .map_err(|e| StoreError::Corrupt(format!("dataset type {name}: {e}")))?;
    t.name = name;
    Ok(t)
}

fn decode_org(r: &sqlx::any::AnyRow) -> Result<Org> {
    Ok(Org {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        parent_id: r.try_get("parent_id")?,
    })
}
