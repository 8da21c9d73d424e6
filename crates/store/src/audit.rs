//! The audit log (用必留痕): append-only, hash-chained with a key kept outside the database.
//!
//! Each record's `mac` is HMAC-SM3 under the keyring's audit key (wrapped by the master key,
//! which never enters the database) of the previous mac and the record's fields, so editing,
//! deleting or reordering a record breaks the chain at that record. The head (last sequence
//! number and mac) is kept twice: in `audit_head`, sealed with the key, and in a file of the
//! data directory, outside the database; a log cut short is shorter than either. Appends
//! happen in the transaction of the action they record.

use crate::StoreError;
use crate::meta::{Result, SqlStore};
use mingjing_crypto::{Keyring, Purpose};
use sqlx::Row;
use std::io::{Read, Seek, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// What happened, by whom, to what.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct AuditEntry {
    /// The account name, or `-` before anyone is known (a failed login names the attempt).
    pub actor: String,
    pub role: String,
    pub org: String,
    /// A dotted verb, e.g. `auth.login`, `user.create`, `upload.create`, `person.lookup`.
    pub action: String,
    /// What it acted on, e.g. `user:12`, `upload:7`, `alert:31`.
    pub object: String,
    /// `ok`, `denied`, `failed` or `rejected`.
    pub result: String,
    /// The client address.
    pub source: String,
    /// Anything else worth keeping (never a password, a token or a full ID number).
    pub detail: String,
}

/// A stored record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct AuditRecord {
    pub seq: i64,
    /// UTC, RFC 3339.
    pub at: String,
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub mac: String,
}

/// The chain's key (in the keyring) and the head file outside the database.
#[derive(Clone)]
pub struct AuditKey {
    keyring: Arc<Keyring>,
    head_file: PathBuf,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.head_file.display())
    }
}

impl AuditKey {
    pub fn new(keyring: Arc<Keyring>, head_file: PathBuf) -> Self {
        AuditKey { keyring, head_file }
    }

    fn mac(&self, prev: &str, seq: i64, at: &str, e: &AuditEntry) -> String {
        // A JSON array is an unambiguous encoding of the fields.
        let fields = serde_json::json!([
            seq, at, e.actor, e.role, e.org, e.action, e.object, e.result, e.source, e.detail
        ]);
        let mac = self.keyring.mac(
            Purpose::Audit,
            &[prev.as_bytes(), fields.to_string().as_bytes()],
        );
        hex::encode(mac)
    }

    fn head_seal(&self, seq: i64, mac: &str) -> String {
        let seal = self.keyring.mac(
            Purpose::Audit,
            &[b"head", seq.to_string().as_bytes(), mac.as_bytes()],
        );
        hex::encode(seal)
    }

    /// The head the file outside the database records, if any.
    fn read_head_file(&self) -> Result<Option<(i64, String)>> {
        match std::fs::read_to_string(&self.head_file) {
            Ok(s) => {
                let (seq, mac) = s.trim().split_once(' ').ok_or_else(|| {
                    StoreError::Corrupt(format!("{} is malformed", self.head_file.display()))
                })?;
                let seq = seq.parse().map_err(|_| {
                    StoreError::Corrupt(format!("{} is malformed", self.head_file.display()))
                })?;
                Ok(Some((seq, mac.to_string())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Advances the head file (never moves it back: several processes may append).
    fn advance_head_file(&self, seq: i64, mac: &str) -> Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.head_file)?;
        f.lock()?;
        let mut s = String::new();
        f.read_to_string(&mut s)?;
        let current: i64 = s
            .split_once(' ')
            .and_then(|(n, _)| n.parse().ok())
            .unwrap_or(0);
        if seq > current {
            f.set_len(0)?;
            f.rewind()?;
            f.write_all(format!("{seq} {mac}\n").as_bytes())?;
        }
        Ok(())
    }
}

/// The first problem found in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The first record that does not verify (or where one is missing).
    pub seq: i64,
    pub problem: String,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "audit record {}: {}", self.seq, self.problem)
    }
}

impl SqlStore {
    fn audit_key(&self) -> Result<&AuditKey> {
        self.audit
            .as_ref()
            .ok_or_else(|| StoreError::Config("the keyring is not unlocked: no audit key".into()))
    }

    /// Appends within a transaction (the action's own).
    pub async fn append_audit(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        e: &AuditEntry,
    ) -> Result<(i64, String)> {
        let key = self.audit_key()?;
        // The write comes first: it takes the lock that serialises appenders on both backends.
        let row =
            sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, mac")
                .fetch_one(&mut **tx)
                .await?;
        let seq: i64 = row.try_get("seq")?;
        let prev: String = row.try_get("mac")?;
        let prev = prev.split(' ').next().unwrap_or("").to_string();
        let at = self
            .clock()
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let mac = key.mac(&prev, seq, &at, e);
        // The chain covers the detail as written; the detail is kept sealed for its record.
        let detail = self.texts()?.seal("audit_log", "detail", seq, &e.detail);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, role, org, action, object, result, source, detail, mac) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(seq)
        .bind(&at)
        .bind(&e.actor)
        .bind(&e.role)
        .bind(&e.org)
        .bind(&e.action)
        .bind(&e.object)
        .bind(&e.result)
        .bind(&e.source)
        .bind(&detail)
        .bind(&mac)
        .execute(&mut **tx)
        .await?;
        // The head keeps the last mac and its seal: "mac seal".
        sqlx::query("UPDATE audit_head SET mac = $1 WHERE id = 1")
            .bind(format!("{mac} {}", key.head_seal(seq, &mac)))
            .execute(&mut **tx)
            .await?;
        Ok((seq, mac))
    }

    /// Writes the head file from the database's head: for a restored platform, whose file must
    /// say what its restored log holds.
    pub async fn reset_audit_head_file(&self) -> Result<()> {
        let key = self.audit_key()?;
        let row = sqlx::query("SELECT seq, mac FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        let seq: i64 = row.try_get("seq")?;
        let mac: String = row.try_get("mac")?;
        let mac = mac.split(' ').next().unwrap_or("");
        std::fs::write(&key.head_file, format!("{seq} {mac}\n"))?;
        Ok(())
    }

    /// Records the head outside the database once the transaction has committed.
    pub fn audit_committed(&self, head: &(i64, String)) -> Result<()> {
        self.audit_key()?.advance_head_file(head.0, &head.1)
    }

    /// Appends on its own (for actions that write nothing else: reads, refused attempts).
    pub async fn audit(&self, e: &AuditEntry) -> Result<i64> {
        let mut tx = self.begin().await?;
        let head = self.append_audit(&mut tx, e).await?;
        tx.commit().await?;
        self.audit_committed(&head)?;
        Ok(head.0)
    }

    /// Records newest first, filtered by actor / action (exact) and time (UTC, inclusive).
    pub async fn audit_records(&self, q: &AuditQuery) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, role, org, action, object, result, source, detail, mac FROM audit_log \
             WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) \
             AND ($3 = '' OR at >= $3) AND ($4 = '' OR at <= $4) AND ($5 = 0 OR seq < $5) \
             ORDER BY seq DESC LIMIT $6",
        )
        .bind(&q.actor)
        .bind(&q.action)
        .bind(&q.from)
        .bind(&q.to)
        .bind(q.before_seq)
        .bind(q.limit)
        .fetch_all(self.pool())
        .await?;
        let texts = self.texts()?;
        // A detail that does not open is shown as such: the rest of the log stays readable,
        // and `verify_audit` names the record.
        rows.iter()
            .map(|r| {
                decode_record(r, |seq, stored| {
                    Ok(texts
                        .open("audit_log", "detail", seq, stored)
                        .unwrap_or_else(|_| UNREADABLE_DETAIL.to_string()))
                })
            })
            .collect()
    }

    /// Checks the whole chain; `Ok(n)` is the number of records verified.
    pub async fn verify_audit(&self) -> Result<std::result::Result<i64, ChainBreak>> {
        let key = self.audit_key()?;
        let texts = self.texts()?;
        let head = sqlx::query("SELECT seq, mac FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_mac: String = head.try_get("mac")?;
        let (base_seq, mut prev) = match self.setting_raw("audit_base").await? {
            Some(b) => {
                let mut it = b.split(' ');
                let (Some(seq), Some(mac), Some(seal)) = (it.next(), it.next(), it.next()) else {
                    return Ok(Err(ChainBreak {
                        seq: 0,
                        problem: "the retention base is malformed".into(),
                    }));
                };
                let seq: i64 = seq.parse().unwrap_or(-1);
                if key.head_seal(seq, mac) != seal {
                    return Ok(Err(ChainBreak {
                        seq,
                        problem: "the retention base was altered".into(),
                    }));
                }
                (seq, mac.to_string())
            }
            None => (0, String::new()),
        };
        let mut expected = base_seq + 1;
        let mut last_mac = prev.clone();
        let page = 5_000i64;
        loop {
            let rows = sqlx::query(
                "SELECT seq, at, actor, role, org, action, object, result, source, detail, mac FROM audit_log \
                 WHERE seq >= $1 ORDER BY seq LIMIT $2",
            )
            .bind(expected)
            .bind(page)
            .fetch_all(self.pool())
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let mut sealed_ok = true;
                let rec = decode_record(r, |seq, stored| {
                    Ok(texts
                        .open("audit_log", "detail", seq, stored)
                        .unwrap_or_else(|_| {
                            sealed_ok = false;
                            String::new()
                        }))
                })?;
                if rec.seq != expected {
                    return Ok(Err(ChainBreak {
                        seq: expected,
                        problem: format!("missing (the next record is {})", rec.seq),
                    }));
                }
                if !sealed_ok {
                    return Ok(Err(ChainBreak {
                        seq: rec.seq,
                        problem:
                            "its detail does not open (altered, moved or written in the clear)"
                                .into(),
                    }));
                }
                if key.mac(&prev, rec.seq, &rec.at, &rec.entry) != rec.mac {
                    return Ok(Err(ChainBreak {
                        seq: rec.seq,
                        problem: "altered, reordered or out of chain (its mac does not verify)"
                            .into(),
                    }));
                }
                prev = rec.mac.clone();
                last_mac = rec.mac;
                expected += 1;
            }
        }
        // Records before the base were removed by retention; anything older still present
        // is harmless. Now the end: the log must reach both heads.
        let last = expected - 1;
        if let Some((file_seq, file_mac)) = key.read_head_file()? {
            if last < file_seq {
                return Ok(Err(ChainBreak {
                    seq: last + 1,
                    problem: format!(
                        "missing: the log ends at {last} but the head file outside the database records {file_seq} (truncated)"
                    ),
                }));
            }
            let at_file: Option<String> =
                sqlx::query_scalar("SELECT mac FROM audit_log WHERE seq = $1")
                    .bind(file_seq)
                    .fetch_optional(self.pool())
                    .await?;
            if file_seq > base_seq && at_file.as_deref() != Some(file_mac.as_str()) {
                return Ok(Err(ChainBreak {
                    seq: file_seq,
                    problem: "does not match the head file outside the database (rewritten)".into(),
                }));
            }
        }
        let (sealed_mac, seal) = head_mac.split_once(' ').unwrap_or((head_mac.as_str(), ""));
        if head_seq > 0 && key.head_seal(head_seq, sealed_mac) != seal {
            return Ok(Err(ChainBreak {
                seq: head_seq,
                problem: "the head record was altered".into(),
            }));
        }
        if last < head_seq {
            return Ok(Err(ChainBreak {
                seq: last + 1,
                problem: format!(
                    "missing: the log ends at {last} but {head_seq} records were written (truncated)"
                ),
            }));
        }
        if last == head_seq && head_seq > 0 && sealed_mac != last_mac {
            return Ok(Err(ChainBreak {
                seq: last,
                problem: "does not match the head record".into(),
            }));
        }
        Ok(Ok(last - base_seq))
    }

    /// Removes records older than `keep_days` (never fewer than 180) and seals where the kept
    /// chain starts. The removal itself is audited.
    pub async fn prune_audit(&self, keep_days: u32, by: &AuditEntry) -> Result<u64> {
        let keep_days = keep_days.max(180);
        let cutoff = (self.clock().now() - chrono::Duration::days(i64::from(keep_days)))
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let key = self.audit_key()?.clone();
        let mut tx = self.begin().await?;
        let last: Option<(i64, String)> =
            sqlx::query("SELECT seq, mac FROM audit_log WHERE at < $1 ORDER BY seq DESC LIMIT 1")
                .bind(&cutoff)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| Ok::<_, StoreError>((r.try_get("seq")?, r.try_get("mac")?)))
                .transpose()?;
        let Some((seq, mac)) = last else {
            tx.rollback().await?;
            return Ok(0);
        };
        let n = sqlx::query("DELETE FROM audit_log WHERE seq <= $1")
            .bind(seq)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let base = format!("{seq} {mac} {}", key.head_seal(seq, &mac));
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ('audit_base', $1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(base)
        .execute(&mut *tx)
        .await?;
        let mut e = by.clone();
        e.action = "audit.prune".into();
        e.detail = format!("removed {n} records up to {seq} (older than {keep_days} days)");
        let head = self.append_audit(&mut tx, &e).await?;
        tx.commit().await?;
        self.audit_committed(&head)?;
        Ok(n)
    }

    async fn setting_raw(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(self.pool())
                .await?,
        )
    }
}

/// A filter of the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub from: String,
    pub to: String,
    /// Paging: records before this sequence number (0: from the newest).
    pub before_seq: i64,
    pub limit: i64,
}

/// What the log shows for a detail that does not open.
pub const UNREADABLE_DETAIL: &str = "（此记录的详情无法解密：已被改动）";

/// A record, its sealed detail opened by `open(seq, stored)`.
fn decode_record(
    r: &sqlx::any::AnyRow,
    mut open: impl FnMut(i64, &str) -> Result<String>,
) -> Result<AuditRecord> {
    let seq: i64 = r.try_get("seq")?;
    let detail: String = r.try_get("detail")?;
    Ok(AuditRecord {
        seq,
        at: r.try_get("at")?,
        entry: AuditEntry {
            actor: r.try_get("actor")?,
            role: r.try_get("role")?,
            org: r.try_get("org")?,
            action: r.try_get("action")?,
            object: r.try_get("object")?,
            result: r.try_get("result")?,
            source: r.try_get("source")?,
            detail: open(seq, &detail)?,
        },
        mac: r.try_get("mac")?,
    })
}
