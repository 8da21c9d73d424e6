//! Recording a model's hits: the key's history read once per model, each hit merged by the
//! domain's rule (`mingjing_domain::hit_merge`), and what changed written in batches — one
//! statement per batch of alerts, of evidence rows and of amounts, not several per hit — in
//! one transaction per model.

use crate::meta::Result;
use crate::meta::protect_name;
use crate::{AlertHit, EvidenceRow, HitCounts, SqlStore};
use mingjing_domain::hit_merge::{Merge, Recorded, merge};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// Rows per multi-row statement: within both backends' limits on bound values. The
/// statements' text is fixed SQL and numbered placeholders; every value is bound.
const BATCH: usize = 400;

/// An alert the merge speaks of: recorded before this run, or raised by it (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Slot {
    Stored(i64),
    Raised(usize),
}

/// A cited row as the evidence table keys it.
type Cited = (String, String, i64);

/// An alert key as stored: the model's subject token and programme.
type Key = (String, String);

/// A new alert to insert.
struct Raised<'h> {
    key: Key,
    name: String,
    previous: Option<i64>,
    hit: &'h AlertHit,
}

impl SqlStore {
    /// Records a model's hits, in one transaction: new evidence goes to the open alert of its
    /// (model, subject, programme); a key whose alerts are all closed gets a new alert, linked
    /// to the last one, only for firing rows none of them had.
    pub async fn apply_hits(
        &self,
        model: &str,
        version: u32,
        hits: &[AlertHit],
    ) -> Result<HitCounts> {
        let cipher = self.column_cipher()?.clone();
        let mut tx = self.begin().await?;
        let now = self.now_text();

        // What the loop holds for this model: its alerts by key, oldest first, and the rows
        // each key has cited.
        let mut history: HashMap<Key, Vec<Recorded<Slot>>> = HashMap::new();
        let mut key_of: HashMap<i64, Key> = HashMap::new();
        for r in sqlx::query(
            "SELECT id, subject, program, status FROM alerts WHERE model = $1 ORDER BY id",
        )
        .bind(model)
        .fetch_all(&mut *tx)
        .await?
        {
            let id: i64 = r.try_get("id")?;
            let key: Key = (r.try_get("subject")?, r.try_get("program")?);
            let open = r.try_get::<String, _>("status")? == "open";
            history.entry(key.clone()).or_default().push(Recorded {
                alert: Slot::Stored(id),
                open,
            });
            key_of.insert(id, key);
        }
        let mut cited: HashMap<Key, HashSet<Cited>> = HashMap::new();
        for r in sqlx::query(
            "SELECT e.alert_id, e.dataset, e.upload_dir, e.row_no FROM alert_evidence e \
             JOIN alerts a ON a.id = e.alert_id WHERE a.model = $1",
        )
        .bind(model)
        .fetch_all(&mut *tx)
        .await?
        {
            let id: i64 = r.try_get("alert_id")?;
            if let Some(key) = key_of.get(&id) {
                cited.entry(key.clone()).or_default().insert((
                    r.try_get("dataset")?,
                    r.try_get("upload_dir")?,
                    r.try_get("row_no")?,
                ));
            }
        }

        // Each hit merged in turn, as if written one after the other.
        let mut counts = HitCounts::default();
        let mut raised: Vec<Raised> = Vec::new();
        let mut evidence: Vec<(Slot, &EvidenceRow)> = Vec::new();
        let mut touched: Vec<(Slot, bool)> = Vec::new();
        for hit in hits {
            // The subject and name are kept as their tokens (mingjing_crypto::columns): found
            // again by equality, opened when read.
            let key: Key = (cipher.token(&hit.subject), hit.program.clone());
            let known = cited.entry(key.clone()).or_default();
            let new: Vec<&EvidenceRow> = hit
                .evidence
                .iter()
                .filter(|e| !known.contains(&(e.dataset.clone(), e.upload_dir.clone(), e.row)))
                .collect();
            let fires: Vec<bool> = new.iter().map(|e| e.firing).collect();
            let recorded = history.entry(key.clone()).or_default();
            let slot = match merge(recorded, &fires) {
                Merge::Unchanged => continue,
                Merge::Extend(slot) => {
                    counts.updated += 1;
                    slot
                }
                Merge::Raise { previous } => {
                    counts.raised += 1;
                    let slot = Slot::Raised(raised.len());
                    raised.push(Raised {
                        key: key.clone(),
                        name: protect_name(&cipher, &hit.name),
                        // Only a stored alert can be closed, so only one can come before.
                        previous: match previous {
                            Some(Slot::Stored(id)) => Some(id),
                            _ => None,
                        },
                        hit,
                    });
                    recorded.push(Recorded {
                        alert: slot,
                        open: true,
                    });
                    slot
                }
            };
            for e in new {
                known.insert((e.dataset.clone(), e.upload_dir.clone(), e.row));
                evidence.push((slot, e));
            }
            touched.push((slot, hit.has_amount));
        }

        // New alerts, a batch per statement; then their ids, by their keys (one open alert
        // per key).
        for chunk in raised.chunks(BATCH) {
            let mut sql = String::from(
                "INSERT INTO alerts (model, model_version, subject, program, name, amount_fen, \
                 responsible, status, raised_at, updated_at, previous_id, town, village) VALUES ",
            );
            let per = 10;
            for i in 0..chunk.len() {
                let p = |k: usize| format!("${}", i * per + k);
                sql.push_str(&format!(
                    "{}({}, {}, {}, {}, {}, NULL, {}, 'open', {}, {}, {}, {}, {})",
                    if i == 0 { "" } else { ", " },
                    p(1),
                    p(2),
                    p(3),
                    p(4),
                    p(5),
                    p(6),
                    p(7),
                    p(7),
                    p(8),
                    p(9),
                    p(10)
                ));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for r in chunk {
                q = q
                    .bind(model)
                    .bind(i64::from(version))
                    .bind(&r.key.0)
                    .bind(&r.key.1)
                    .bind(&r.name)
                    .bind(&r.hit.responsible)
                    .bind(&now)
                    .bind(r.previous)
                    .bind(&r.hit.town)
                    .bind(&r.hit.village);
            }
            q.execute(&mut *tx).await?;
        }
        let mut raised_ids: Vec<i64> = Vec::with_capacity(raised.len());
        if !raised.is_empty() {
            let open: HashMap<Key, i64> = sqlx::query(
                "SELECT id, subject, program FROM alerts WHERE model = $1 AND status = 'open'",
            )
            .bind(model)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    (r.try_get("subject")?, r.try_get("program")?),
                    r.try_get("id")?,
                ))
            })
            .collect::<Result<_>>()?;
            for r in &raised {
                raised_ids.push(*open.get(&r.key).ok_or_else(|| {
                    crate::StoreError::Corrupt(format!(
                        "model {model}: a raised alert was not found again"
                    ))
                })?);
            }
        }
        let id_of = |s: Slot| match s {
            Slot::Stored(id) => id,
            Slot::Raised(i) => raised_ids[i],
        };

        for chunk in evidence.chunks(BATCH) {
            let mut sql = String::from(
                "INSERT INTO alert_evidence (alert_id, dataset, upload_dir, row_no, amount_fen, \
                 firing, added_at, condition_tag) VALUES ",
            );
            let per = 8;
            for i in 0..chunk.len() {
                let ps: Vec<String> = (1..=per).map(|k| format!("${}", i * per + k)).collect();
                sql.push_str(if i == 0 { "(" } else { ", (" });
                sql.push_str(&ps.join(", "));
                sql.push(')');
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for (slot, e) in chunk {
                q = q
                    .bind(id_of(*slot))
                    .bind(&e.dataset)
                    .bind(&e.upload_dir)
                    .bind(e.row)
                    .bind(e.amount_fen)
                    .bind(i64::from(e.firing))
                    .bind(&now)
                    .bind(&e.condition);
            }
            q.execute(&mut *tx).await?;
        }

        // The amount is the sum of the alert's firing rows, in whole fen; the last hit that
        // touched an alert says whether its model has one.
        let mut has_amount: HashMap<i64, bool> = HashMap::new();
        for (slot, has) in &touched {
            has_amount.insert(id_of(*slot), *has);
        }
        for with_amount in [true, false] {
            let mut ids: Vec<i64> = has_amount
                .iter()
                .filter(|(_, h)| **h == with_amount)
                .map(|(id, _)| *id)
                .collect();
            ids.sort_unstable();
            let amount = if with_amount {
                "(SELECT COALESCE(SUM(e.amount_fen), 0) FROM alert_evidence e \
                 WHERE e.alert_id = alerts.id)"
            } else {
                "NULL"
            };
            for chunk in ids.chunks(BATCH) {
                let ps: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
                let sql = format!(
                    "UPDATE alerts SET amount_fen = {amount}, updated_at = $1 WHERE id IN ({})",
                    ps.join(", ")
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(&now);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(counts)
    }
}
