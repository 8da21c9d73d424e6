//! The matching engine: supervision models, written as data ([`spec::ModelSpec`]), compiled to
//! DataFusion queries over the uploads' Parquet files, and their hits grouped into alerts.
//!
//! It knows nothing of HTTP, of the metadata database or of how alerts are kept: it is given
//! the current files of each dataset type and returns hits with their evidence.

pub mod builtin;
pub mod compile;
pub mod explain;
pub mod rows;
pub mod session;
pub mod spec;
pub mod udf;
pub mod validate;

use compile::ParamValue;
use datafusion::arrow::array::{Array, BooleanArray, Decimal128Array, Int64Array, StringArray};
use mingjing_domain::{Money, Program};
use session::{DatasetFiles, RunLimits};
use spec::{Condition, ModelSpec};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Compile(#[from] compile::CompileError),
    #[error("model {model}: {source}")]
    Query {
        model: String,
        source: datafusion::error::DataFusionError,
    },
    #[error("query engine: {0}")]
    DataFusion(#[from] datafusion::error::DataFusionError),
}

/// A row of some dataset that made an alert fire.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema,
)]
pub struct Evidence {
    pub dataset: String,
    /// The upload's folder (the `_upload` column).
    pub upload: String,
    /// The row as the spreadsheet showed it.
    pub row: i64,
}

/// A row of evidence with what it contributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitEvidence {
    pub evidence: Evidence,
    /// The suspect amount this firing row carries.
    pub amount: Option<Money>,
    /// A firing row, as opposed to one that supports it.
    pub firing: bool,
    /// The condition the row satisfied (the first, when it satisfied several).
    pub condition: Condition,
}

/// One alert's worth of hits: a model, a subject, and what made it fire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub model: String,
    pub version: u32,
    pub subject: String,
    pub program: String,
    pub name: String,
    pub amount: Option<Money>,
    pub responsible: String,
    /// The person's town in the household register ('' if not registered).
    pub town: String,
    /// And village (村/社区).
    pub village: String,
    pub evidence: Vec<HitEvidence>,
}

/// A model with its parameters bound.
pub struct BoundModel<'a> {
    pub spec: &'a ModelSpec,
    pub params: BTreeMap<String, ParamValue>,
}

/// Runs models over the current data.
pub async fn run(
    datasets: &[DatasetFiles],
    programs: &[Program],
    limits: &RunLimits,
    models: &[BoundModel<'_>],
) -> Result<Vec<Hit>, EngineError> {
    Ok(run_timed(datasets, programs, limits, models).await?.0)
}

/// Where a run's time went: opening the session (building blocks and names included), then
/// each model's query and grouping.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub open: std::time::Duration,
    pub models: Vec<(String, std::time::Duration)>,
    /// How the run joined: "hash", "sort-merge", or "hash; sort-merge for M01, M13" when those
    /// queries' hash joins exhausted the pool (see `session::Joins`).
    pub joins: String,
}

/// [`run`], timing its parts (for the benchmark).
pub async fn run_timed(
    datasets: &[DatasetFiles],
    programs: &[Program],
    limits: &RunLimits,
    models: &[BoundModel<'_>],
) -> Result<(Vec<Hit>, Timings), EngineError> {
    let start = std::time::Instant::now();
    let session = session::open(datasets, programs, limits).await?;
    let mut timings = Timings {
        open: start.elapsed(),
        ..Timings::default()
    };
    let mut pending = Vec::new();
    for m in models {
        let t = std::time::Instant::now();
        let sql = compile::compile(m.spec, &m.params)?;
        let q = |source| EngineError::Query {
            model: m.spec.id.clone(),
            source,
        };
        let staged = compile::stage(&sql, "_stage");
        let batches = run_staged(&session, &m.spec.id, &staged, None)
            .await
            .map_err(q)?;
        pending.extend(group_hits(m.spec, &batches));
        timings.models.push((m.spec.id.clone(), t.elapsed()));
    }
    let t = std::time::Instant::now();
    let hits = name_hits(&session.ctx, pending).await?;
    timings.open += t.elapsed();
    timings.joins = session.joins_used();
    Ok((hits, timings))
}

/// Runs models as [`run`] does and returns, per model, the plan of each stage and of its query
/// with DataFusion's metrics (rows, time, spills per operator): what a city's slow model spends
/// its time on. Each stage runs twice (once measured, once kept for the query), and no hits
/// are returned.
pub async fn profile(
    datasets: &[DatasetFiles],
    programs: &[Program],
    limits: &RunLimits,
    models: &[BoundModel<'_>],
) -> Result<Vec<(String, String)>, EngineError> {
    let session = session::open(datasets, programs, limits).await?;
    let mut out = Vec::new();
    for m in models {
        let q = |source| EngineError::Query {
            model: m.spec.id.clone(),
            source,
        };
        let staged = compile::stage(&compile::compile(m.spec, &m.params)?, "_stage");
        let mut text = String::new();
        run_staged(&session, &m.spec.id, &staged, Some(&mut text))
            .await
            .map_err(q)?;
        out.push((m.spec.id.clone(), text));
    }
    Ok(out)
}

/// `EXPLAIN ANALYZE` of a statement: its plan with DataFusion's metrics, headed by `what` and
/// the time it took.
async fn explain_analyze(
    session: &session::Session,
    what: &str,
    sql: &str,
) -> Result<String, datafusion::error::DataFusionError> {
    let t = std::time::Instant::now();
    let batches = collect(&session.ctx, &format!("EXPLAIN ANALYZE {sql}")).await?;
    let mut out = format!("-- {what} ({:.3} s)\n", t.elapsed().as_secs_f64());
    for b in &batches {
        let plan = str_col(b, "plan");
        for i in 0..b.num_rows() {
            out.push_str(plan.value(i));
            out.push('\n');
        }
    }
    Ok(out)
}

/// Runs a query's stages, then the query, each hashing first (`Session::fitting`, with `what`
/// naming the model); the stages are forgotten whether or not it succeeds. With `profile`,
/// each stage and the query are measured into it (`EXPLAIN ANALYZE`) and no rows are
/// returned.
async fn run_staged(
    session: &session::Session,
    what: &str,
    staged: &compile::Staged,
    mut profile: Option<&mut String>,
) -> Result<Vec<datafusion::arrow::array::RecordBatch>, datafusion::error::DataFusionError> {
    let used = session.used_columns(staged).await;
    let mut kept = Vec::new();
    let result = async {
        for ((table, sql), used) in staged.stages.iter().zip(&used) {
            if let Some(out) = profile.as_deref_mut() {
                let narrowed = used.as_ref().map_or_else(|| sql.clone(), |u| u.select(sql));
                profile_statement(session, what, &format!("stage {table}"), &narrowed, out).await?;
            }
            let t = std::time::Instant::now();
            let k = session
                .fitting(
                    what,
                    || session.keep_used(table, sql, used.as_ref()),
                    |_| {},
                )
                .await?;
            if let Some(out) = profile.as_deref_mut() {
                out.push_str(&format!(
                    "-- kept {table} {} ({:.3} s)\n",
                    if k.on_disk() { "on disk" } else { "in memory" },
                    t.elapsed().as_secs_f64()
                ));
            }
            kept.push(k);
        }
        match profile {
            Some(out) => {
                profile_statement(session, what, "query", &staged.query, out).await?;
                Ok(Vec::new())
            }
            None => {
                session
                    .fitting(what, || collect(&session.ctx, &staged.query), |_| {})
                    .await
            }
        }
    }
    .await;
    for k in kept {
        session.forget(k)?;
    }
    result
}

/// Measures one statement of a staged query into a profile (`EXPLAIN ANALYZE`, hashing first
/// as a run does), headed by `label`, with a line saying why when it ran again sorting.
async fn profile_statement(
    session: &session::Session,
    what: &str,
    label: &str,
    sql: &str,
    out: &mut String,
) -> Result<(), datafusion::error::DataFusionError> {
    let mut note = String::new();
    let text = session
        .fitting(
            what,
            || explain_analyze(session, label, sql),
            |e| {
                note = format!(
                    "-- the hash joins exceeded the pool ({e}): again with sort-merge joins\n"
                )
            },
        )
        .await;
    out.push_str(&note);
    out.push_str(&text?);
    Ok(())
}

async fn collect(
    ctx: &datafusion::prelude::SessionContext,
    sql: &str,
) -> Result<Vec<datafusion::arrow::array::RecordBatch>, datafusion::error::DataFusionError> {
    ctx.sql(sql).await?.collect().await
}

/// A hit before its person's registered name and place are known.
struct PendingHit {
    hit: Hit,
    person: String,
}

/// Names each hit from the household register (name, town and village from one row), falling
/// back to the name its evidence gave. Only the hits' persons are looked up: a city's register
/// is never held in memory.
async fn name_hits(
    ctx: &datafusion::prelude::SessionContext,
    pending: Vec<PendingHit>,
) -> Result<Vec<Hit>, EngineError> {
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    let wanted: std::collections::BTreeSet<&str> =
        pending.iter().map(|p| p.person.as_str()).collect();
    let schema = std::sync::Arc::new(Schema::new(vec![Field::new("id", DataType::Utf8, false)]));
    let ids = datafusion::arrow::array::RecordBatch::try_new(
        schema.clone(),
        vec![std::sync::Arc::new(StringArray::from_iter_values(
            wanted.iter().copied(),
        ))],
    )
    .map_err(datafusion::error::DataFusionError::from)?;
    let wanted_table = datafusion::datasource::MemTable::try_new(schema, vec![vec![ids]])?;
    ctx.register_table("_hit_persons", std::sync::Arc::new(wanted_table))?;
    let batches = collect(
        ctx,
        "SELECT p.id_number, MIN(p.name) AS name, MIN(p.town || '/' || p.village) AS town \
         FROM persons p JOIN _hit_persons w ON p.id_number = w.id GROUP BY p.id_number",
    )
    .await;
    ctx.deregister_table("_hit_persons")?;
    let mut names: HashMap<String, (String, String, String)> = HashMap::new();
    for b in &batches? {
        let ids = str_col(b, "id_number");
        let name = str_col(b, "name");
        let towns = str_col(b, "town");
        for i in 0..b.num_rows() {
            let (town, village) = towns
                .value(i)
                .split_once('/')
                .unwrap_or((towns.value(i), ""));
            names.insert(
                ids.value(i).to_string(),
                (name.value(i).into(), town.into(), village.into()),
            );
        }
    }
    Ok(pending
        .into_iter()
        .map(|p| {
            let mut hit = p.hit;
            if let Some((name, town, village)) = names.get(&p.person) {
                hit.name = name.clone();
                hit.town = town.clone();
                hit.village = village.clone();
            }
            hit
        })
        .collect())
}

/// A text column as plain UTF-8 (DataFusion may hand back string views).
fn str_col(b: &datafusion::arrow::array::RecordBatch, name: &str) -> StringArray {
    let col = b
        .column_by_name(name)
        .unwrap_or_else(|| panic!("compiled query has a column {name}"));
    let utf8 = datafusion::arrow::compute::cast(col, &datafusion::arrow::datatypes::DataType::Utf8)
        .unwrap_or_else(|e| panic!("column {name} is text: {e}"));
    utf8.as_any()
        .downcast_ref::<StringArray>()
        .expect("utf8")
        .clone()
}

/// Groups evidence rows into one hit per (subject, programme).
fn group_hits(
    spec: &ModelSpec,
    batches: &[datafusion::arrow::array::RecordBatch],
) -> Vec<PendingHit> {
    struct Acc {
        person: String,
        fallback: Option<(Evidence, String)>,
        responsible: String,
        evidence: BTreeMap<Evidence, (Option<Money>, bool, Condition)>,
    }
    let mut acc: BTreeMap<(String, String), Acc> = BTreeMap::new();
    let has_amount = match (&spec.fire, &spec.query) {
        (Some(f), _) => f.amount.is_some(),
        (None, Some(q)) => q.amount.is_some(),
        (None, None) => true,
    };
    for b in batches {
        let (subject, program, person, name, responsible, dataset, upload) = (
            str_col(b, "_subject"),
            str_col(b, "_program"),
            str_col(b, "_person"),
            str_col(b, "_name"),
            str_col(b, "_responsible"),
            str_col(b, "_ev_dataset"),
            str_col(b, "_ev_upload"),
        );
        let conditions = str_col(b, "_ev_condition");
        let amount = b
            .column_by_name("_amount")
            .and_then(|c| c.as_any().downcast_ref::<Decimal128Array>());
        let rows = b
            .column_by_name("_ev_row")
            .and_then(|c| c.as_any().downcast_ref::<Int64Array>())
            .expect("compiled query has _ev_row");
        let firing = b
            .column_by_name("_ev_firing")
            .and_then(|c| c.as_any().downcast_ref::<BooleanArray>())
            .expect("compiled query has _ev_firing");
        for i in 0..b.num_rows() {
            if subject.is_null(i) {
                continue;
            }
            let key = (subject.value(i).to_string(), program.value(i).to_string());
            let a = acc.entry(key).or_insert_with(|| Acc {
                person: person.value(i).to_string(),
                fallback: None,
                responsible: responsible.value(i).to_string(),
                evidence: BTreeMap::new(),
            });
            let ev = Evidence {
                dataset: dataset.value(i).to_string(),
                upload: upload.value(i).to_string(),
                row: rows.value(i),
            };
            let money = amount
                .filter(|a| !a.is_null(i))
                .and_then(|a| i64::try_from(a.value(i)).ok())
                .and_then(Money::from_fen);
            let is_firing = !firing.is_null(i) && firing.value(i);
            let condition = Condition::from_tag(conditions.value(i)).unwrap_or(if is_firing {
                Condition::Fire
            } else {
                Condition::Require(0)
            });
            let entry = a
                .evidence
                .entry(ev.clone())
                .or_insert((None, false, condition));
            entry.0 = entry.0.or(money);
            entry.1 |= is_firing;
            entry.2 = entry.2.min(condition);
            if !name.is_null(i) && !name.value(i).is_empty() {
                let better = a.fallback.as_ref().is_none_or(|(e, _)| ev < *e);
                if better {
                    a.fallback = Some((ev, name.value(i).to_string()));
                }
            }
        }
    }
    acc.into_iter()
        .map(|((subject, program), a)| {
            let amount = has_amount.then(|| {
                a.evidence
                    .values()
                    .filter_map(|(m, _, _)| *m)
                    .sum::<Money>()
            });
            let hit = Hit {
                model: spec.id.clone(),
                version: spec.version,
                subject,
                program,
                name: a.fallback.map(|(_, n)| n).unwrap_or_default(),
                amount,
                responsible: a.responsible,
                town: String::new(),
                village: String::new(),
                evidence: a
                    .evidence
                    .into_iter()
                    .map(|(evidence, (amount, firing, condition))| HitEvidence {
                        evidence,
                        amount,
                        firing,
                        condition,
                    })
                    .collect(),
            };
            PendingHit {
                hit,
                person: a.person,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::RecordBatch;
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use session::{Joins, Session};
    use std::sync::Arc;

    /// Rows on each side of the join: their hash table outgrows the test's pool.
    const ROWS: usize = 1_600_000;
    const POOL: usize = 64 << 20;

    /// A session whose tables `a` and `b` hold the same `ROWS` keys.
    fn two_sides(joins: Joins) -> Session {
        let session = Session::bare(joins, joins == Joins::SortMerge, 0, POOL);
        let schema = Arc::new(Schema::new(vec![
            Field::new("k", DataType::Utf8, false),
            Field::new("v", DataType::Int64, false),
        ]));
        let batches: Vec<RecordBatch> = (0..ROWS)
            .step_by(8192)
            .map(|start| {
                let rows = start..(start + 8192).min(ROWS);
                RecordBatch::try_new(
                    schema.clone(),
                    vec![
                        Arc::new(StringArray::from_iter_values(
                            rows.clone().map(|i| format!("key-{i:08}")),
                        )),
                        Arc::new(Int64Array::from_iter_values(rows.map(|i| i as i64))),
                    ],
                )
                .expect("batch")
            })
            .collect();
        for name in ["a", "b"] {
            let table =
                datafusion::datasource::MemTable::try_new(schema.clone(), vec![batches.clone()])
                    .expect("table");
            session
                .ctx
                .register_table(name, Arc::new(table))
                .expect("registered");
        }
        session
    }

    fn the_join() -> compile::Staged {
        compile::stage(
            "SELECT count(*) AS n, sum(a.v - b.v) AS d FROM a JOIN b ON a.k = b.k",
            "_stage",
        )
    }

    fn count_and_difference(batches: &[RecordBatch]) -> (i64, i64) {
        let b = &batches[0];
        let n = b
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .expect("n");
        let d = b
            .column(1)
            .as_any()
            .downcast_ref::<Int64Array>()
            .expect("d");
        (n.value(0), d.value(0))
    }

    #[tokio::test]
    async fn a_stage_is_kept_with_only_the_columns_its_readers_use() {
        let session = Session::bare(Joins::Auto, false, 1 << 20, 64 << 20);
        session
            .ctx
            .sql(
                "CREATE TABLE t AS SELECT * FROM (VALUES ('a', 1, 'x'), ('b', 2, 'y'), ('c', 3, 'z')) \
                 AS v(k, n, w)",
            )
            .await
            .expect("plans")
            .collect()
            .await
            .expect("created");
        // `s` is read twice: a stage. Its readers use k and n, never w; the second stage reads
        // only k of the first.
        let staged = compile::stage(
            "WITH s AS (SELECT k, n, w, n * 2 AS twice FROM t), \
             big AS (SELECT a.k, a.twice FROM s a JOIN s b ON a.k = b.k WHERE b.n > 1) \
             SELECT x.k FROM big x JOIN big y ON x.k = y.k ORDER BY x.k",
            "_stage",
        );
        assert_eq!(staged.stages.len(), 2, "{staged:?}");
        let used = session.used_columns(&staged).await;
        let first = used[0].as_ref().expect("the first stage is narrower");
        assert!(
            first.select("x").starts_with(r#"SELECT "k", "n" FROM (x)"#),
            "{first:?}"
        );
        let second = used[1].as_ref().expect("the second stage is narrower");
        assert!(
            second.select("x").starts_with(r#"SELECT "k" FROM (x)"#),
            "{second:?}"
        );
        // The placeholders the planning used are gone, and the rows are the same.
        assert!(session.ctx.table_provider("_stage0").await.is_err());
        let batches = run_staged(&session, "narrowed", &staged, None)
            .await
            .expect("runs");
        let keys: Vec<String> = batches
            .iter()
            .flat_map(|b| {
                let k = str_col(b, "k");
                (0..b.num_rows())
                    .map(move |i| k.value(i).to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(keys, ["b", "c"]);
    }

    #[tokio::test]
    async fn a_query_whose_hash_join_outgrows_the_pool_runs_again_sorting_and_the_next_hashes() {
        let session = two_sides(Joins::Auto);
        let batches = run_staged(&session, "the join", &the_join(), None)
            .await
            .expect("sorted when hashing did not fit");
        assert_eq!(count_and_difference(&batches), (ROWS as i64, 0));
        assert_eq!(session.sorted(), ["the join"]);
        assert!(!session.sorting(), "the next query hashes again");
        assert_eq!(session.ctx.runtime_env().memory_pool.reserved(), 0);

        // Configured to hash, the same query fails as configured.
        let hashing = two_sides(Joins::Hash);
        let e = run_staged(&hashing, "the join", &the_join(), None)
            .await
            .expect_err("the hash table does not fit");
        assert!(session::is_resources_exhausted(&e), "{e}");
        assert!(hashing.sorted().is_empty());

        // Configured to sort, it sorts at once.
        let sorting = two_sides(Joins::SortMerge);
        let batches = run_staged(&sorting, "the join", &the_join(), None)
            .await
            .expect("sorts");
        assert_eq!(count_and_difference(&batches), (ROWS as i64, 0));
        assert!(sorting.sorted().is_empty());
    }
}
