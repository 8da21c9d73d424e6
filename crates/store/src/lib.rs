//! Storage: the data directory (Parquet files of uploads, committed atomically) and the
//! metadata store (dataset types, organisations, uploads, alerts, the model library), `SqlStore`,
//! on SQLite or PostgreSQL. Knows nothing of file formats, HTTP or models.

/// Runs `body` and appends its audit records (one or several) in one transaction, then
/// advances the head file. An early `return` from the body rolls everything back.
macro_rules! audited {
    ($store:expr, $audits:expr, |$tx:ident| $body:block) => {{
        let mut $tx = $store.begin().await?;
        let out = $body;
        let mut head = None;
        for a in $audits {
            head = Some($store.append_audit(&mut $tx, a).await?);
        }
        $tx.commit().await?;
        if let Some(head) = head {
            $store.audit_committed(&head)?;
        }
        out
    }};
}

/// `SELECT` of alerts' columns (as `decode_alert` reads them), followed by the given clauses
/// (sqlx takes only literal SQL).
macro_rules! select_alerts {
    ($rest:literal) => {
        concat!(
            "SELECT a.id, a.model, a.model_version, a.subject, a.program, a.name, a.amount_fen, \
             a.responsible, a.status, a.raised_at, a.previous_id, a.town, \
             a.stage, a.org_id, a.deadline, a.conclusion, a.village, a.priority_fen, \
             a.priority_reasons, \
             (SELECT COUNT(*) FROM alert_evidence e WHERE e.alert_id = a.id) AS evidence_rows \
             FROM alerts a ",
            $rest
        )
    };
}

pub mod access;
pub mod alert_list;
pub mod audit;
pub mod changes;
pub mod chat;
pub mod datadir;
pub mod disposal;
pub mod documents;
pub mod hits;
pub mod keys;
pub mod meta;
pub mod opinions;
pub mod persons;
pub mod rights;
pub mod texts;

pub use datadir::{DataDir, Staged};
pub use meta::{
    Alert, AlertHit, Backend, Committed, CurrentSlice, EvidenceRow, HitCounts, ModelRecord,
    ModelRun, ModelRunResult, NewModelVersion, NewSlice, NewUpload, Org, Replaced, SqlStore,
    Upload,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Invalid(String),
    /// Someone else changed the record first.
    #[error("{0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("configuration: {0}")]
    Config(String),
}

impl StoreError {
    /// True when the database refused a write for a unique constraint (a concurrent writer won).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}
