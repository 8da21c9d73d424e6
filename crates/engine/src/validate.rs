//! Checking a model before it is saved, and finding what it reads.
//!
//! A model is planned (not run) against tables with the current schemas and no rows: DataFusion's
//! planner then names unknown tables and columns and mismatched types, and read-only options
//! refuse anything that is not a query. What the plan scans is what the model reads, which is
//! how an upload knows which models to re-run.

use crate::compile::{self, HIT_COLUMNS};
use crate::session::{self, BLOCKS, DatasetFiles, RunLimits};
use crate::spec::ModelSpec;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::execution::context::SQLOptions;
use datafusion::logical_expr::LogicalPlan;
use mingjing_domain::Program;
use std::collections::{BTreeMap, BTreeSet};

/// Planning without running: tables have their schemas and no rows.
pub struct Planner {
    session: session::Session,
    datasets: BTreeSet<String>,
    /// Each building block's dataset types.
    block_sources: BTreeMap<String, BTreeSet<String>>,
}

/// Only queries: no DDL, no DML (including COPY), no SET or transactions.
fn read_only() -> SQLOptions {
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
}

impl Planner {
    /// A planner over the given types' schemas (their files are ignored).
    pub async fn new(
        datasets: &[DatasetFiles],
        programs: &[Program],
    ) -> Result<Self, datafusion::error::DataFusionError> {
        let empty: Vec<DatasetFiles> = datasets
            .iter()
            .map(|d| DatasetFiles {
                files: Vec::new(),
                ..d.clone()
            })
            .collect();
        let limits = RunLimits {
            memory_bytes: 64 << 20,
            target_partitions: 1,
            ..Default::default()
        };
        let session = session::open(&empty, programs, &limits).await?;
        let mut p = Planner {
            session,
            datasets: datasets.iter().map(|d| d.name.clone()).collect(),
            block_sources: BTreeMap::new(),
        };
        // Blocks are listed so that each reads only datasets and earlier blocks.
        for (name, sql) in BLOCKS {
            let scanned = p.scanned(sql).await?;
            let sources = p.expand(&scanned);
            p.block_sources.insert(name.to_string(), sources);
        }
        Ok(p)
    }

    async fn scanned(
        &self,
        sql: &str,
    ) -> Result<BTreeSet<String>, datafusion::error::DataFusionError> {
        let df = self.session.ctx.sql_with_options(sql, read_only()).await?;
        Ok(scanned_tables(df.logical_plan()))
    }

    /// Tables (datasets and blocks) → the dataset types behind them.
    fn expand(&self, tables: &BTreeSet<String>) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for t in tables {
            if let Some(s) = self.block_sources.get(t) {
                out.extend(s.iter().cloned());
            } else if self.datasets.contains(t) {
                out.insert(t.clone());
            }
        }
        out
    }

    /// Checks a model: every problem found, or the dataset types it reads.
    pub async fn check(&self, spec: &ModelSpec, county: &str) -> Result<Checked, Vec<String>> {
        let mut problems = Vec::new();
        let id_ok = !spec.id.is_empty()
            && spec.id.len() <= 32
            && spec.id.as_bytes()[0].is_ascii_alphabetic()
            && spec
                .id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
        if !id_ok {
            problems.push(format!(
                "id '{}': 1 to 32 letters, digits, '_' or '-', starting with a letter",
                spec.id
            ));
        }
        if spec.name.trim().is_empty() {
            problems.push("name: must not be empty".into());
        }
        if spec.version == 0 {
            problems.push("version: starts at 1".into());
        }
        for source in spec.named_sources() {
            let known = self.datasets.contains(source)
                || self.block_sources.contains_key(source)
                || source == "programs";
            if !known {
                problems.push(format!(
                    "'{source}' is neither a dataset type nor a building block"
                ));
            }
        }
        if let Some(q) = &spec.query
            && !self.datasets.contains(&q.dataset)
        {
            problems.push(format!(
                "query.dataset: unknown dataset type '{}'",
                q.dataset
            ));
        }
        let as_of = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
        let params = match compile::resolve_params(spec, &Default::default(), county, as_of) {
            Ok(p) => p,
            Err(e) => {
                problems.push(e.to_string());
                return Err(problems);
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        // The self-service query is checked on its own first: one read-only query, with the
        // declared columns and the citation columns of its dataset.
        if let Some(q) = &spec.query {
            let sql = match compile::bind(&q.sql, &params) {
                Ok(s) => s,
                Err(e) => return Err(vec![format!("query.sql: {e}")]),
            };
            let df = match self.session.ctx.sql_with_options(&sql, read_only()).await {
                Ok(df) => df,
                Err(e) => return Err(vec![format!("query.sql: {}", plain(&e))]),
            };
            let schema = df.schema();
            let mut need = vec![
                ("subject", Some(&q.subject)),
                ("amount", q.amount.as_ref()),
                ("name", q.name.as_ref()),
                ("program", q.program.as_ref()),
            ];
            let upload = "_upload".to_string();
            let row = "_row".to_string();
            need.push(("the citation column", Some(&upload)));
            need.push(("the citation column", Some(&row)));
            for (what, col) in need {
                let Some(col) = col else { continue };
                match schema.fields().iter().find(|f| f.name() == col) {
                    None => problems.push(format!(
                        "query.sql: returns no column '{col}' ({what}); it returns: {}",
                        schema
                            .fields()
                            .iter()
                            .map(|f| f.name().as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    Some(f) if what == "amount" && !f.data_type().is_numeric() => {
                        problems.push(format!(
                            "query.sql: the amount column '{col}' is {}, not a number",
                            f.data_type()
                        ))
                    }
                    Some(_) => {}
                }
            }
            if !problems.is_empty() {
                return Err(problems);
            }
        }
        let sql = compile::compile(spec, &params).map_err(|e| vec![e.to_string()])?;
        let df = self
            .session
            .ctx
            .sql_with_options(&sql, read_only())
            .await
            .map_err(|e| vec![format!("the model does not plan: {}", plain(&e))])?;
        let schema = df.schema();
        for col in HIT_COLUMNS {
            match schema.fields().iter().find(|f| f.name() == *col) {
                None => problems.push(format!("the query returns no column {col}")),
                Some(f) => {
                    let want = match *col {
                        "_amount" => matches!(f.data_type(), DataType::Decimal128(_, 2)),
                        "_ev_row" => f.data_type() == &DataType::Int64,
                        "_ev_firing" => f.data_type() == &DataType::Boolean,
                        _ => matches!(
                            f.data_type(),
                            DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8
                        ),
                    };
                    if !want {
                        problems.push(format!(
                            "column {col} is {}, which is not what a hit carries",
                            f.data_type()
                        ));
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let reads = self.expand(&scanned_tables(df.logical_plan()));
        Ok(Checked { reads })
    }
}

/// What a valid model reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The dataset types whose uploads change its result.
    pub reads: BTreeSet<String>,
}

fn scanned_tables(plan: &LogicalPlan) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(t) = node {
            out.insert(t.table_name.table().to_string());
        }
        Ok(TreeNodeRecursion::Continue)
    })
    .expect("walking a plan does not fail");
    out
}

/// DataFusion's message without its backtrace-style prefix noise.
fn plain(e: &datafusion::error::DataFusionError) -> String {
    e.to_string()
        .replace("Error during planning: ", "")
        .replace("Schema error: ", "")
        .replace("This feature is not implemented: ", "not supported: ")
}
