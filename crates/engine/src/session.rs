//! A run's DataFusion session: the current data of every dataset type as a table, the
//! programmes, and the shared building blocks, computed once per run.

use datafusion::arrow::array::{ArrayRef, Decimal128Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::datasource::MemTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::error::Result;
use datafusion::execution::disk_manager::DiskManagerBuilder;
use datafusion::execution::memory_pool::{
    GreedyMemoryPool, MemoryConsumer, MemoryLimit, MemoryPool, MemoryReservation,
    TrackConsumersPool,
};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use mingjing_domain::Program;
use std::path::PathBuf;
use std::sync::Arc;

/// One dataset type's current data: its schema and the Parquet files of its current slices.
#[derive(Debug, Clone)]
pub struct DatasetFiles {
    pub name: String,
    pub schema: SchemaRef,
    pub files: Vec<PathBuf>,
}

/// Limits of a run.
#[derive(Debug, Clone)]
pub struct RunLimits {
    /// Memory the run may hold; joins and sorts beyond it spill or fail, never grow past it.
    pub memory_bytes: usize,
    /// Where spill files and the run's materialised building blocks go (the system's
    /// temporary folder when unset).
    pub spill_dir: Option<PathBuf>,
    pub target_partitions: usize,
    pub joins: Joins,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            memory_bytes: 2 << 30,
            spill_dir: None,
            target_partitions: std::thread::available_parallelism().map_or(2, |n| n.get()),
            joins: Joins::Auto,
        }
    }
}

/// How equi-joins are executed.
///
/// A hash join holds its build side in memory and cannot spill: fast while the data fits, a
/// failure when it does not. A sort-merge join sorts both sides, and sorts spill to disk: slower,
/// but bounded by the memory pool. `Auto` hashes each query, and a query whose hash joins the
/// pool cannot hold is run again with sort-merge joins; the next query hashes again. A city's
/// joins mostly build on a small side (deaths, officials, vehicles) and fit: only the few that
/// do not pay for sorting (decision 80).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Deserialize,
    serde::Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Joins {
    #[default]
    Auto,
    Hash,
    SortMerge,
}

/// The input size (Parquet bytes, all current files) beyond which the run keeps its tables in
/// a sixty-fourth of the pool instead of a quarter: the joins that do not fit hashing sort, and
/// the merges of a city's sorted runs need the pool (decision 79).
pub fn kept_in_memory_budget(input_bytes: u64, memory_bytes: usize) -> usize {
    if input_bytes > (memory_bytes / 8) as u64 {
        memory_bytes / KEPT_DIVISOR_SORTING
    } else {
        memory_bytes / KEPT_DIVISOR
    }
}

/// A run's session and the scratch folder holding its materialised building blocks (removed
/// when the session is dropped).
pub struct Session {
    pub ctx: SessionContext,
    /// How the run was configured to join.
    joins: Joins,
    /// Whether equi-joins are sort-merge joins now (see [`Joins`]).
    sort_merge: std::sync::atomic::AtomicBool,
    /// The blocks and models that `Auto` ran again sorting, in order.
    sorted: std::sync::Mutex<Vec<String>>,
    scratch: tempfile::TempDir,
    /// Files written to the scratch folder so far (to name the next).
    files: std::sync::atomic::AtomicUsize,
    /// The memory of the tables kept in memory, and how much of the pool they may hold.
    kept: MemoryReservation,
    kept_budget: usize,
}

/// A table kept by [`Session::keep`].
#[must_use = "a kept table holds memory until it is forgotten"]
pub struct Kept {
    name: String,
    memory: usize,
    /// The scratch file holding it, when it was too large for memory.
    file: Option<PathBuf>,
    /// The view over it with the stage's every column ([`Session::keep_used`]).
    view: Option<String>,
}

/// The columns of a stage that its readers use.
#[derive(Debug, Clone)]
pub struct Used {
    schema: SchemaRef,
    columns: Vec<usize>,
}

impl Used {
    /// The stage's query narrowed to these columns.
    pub fn select(&self, sql: &str) -> String {
        let quoted = |i: usize| format!("\"{}\"", self.schema.field(i).name().replace('"', "\"\""));
        // A reader that only counts rows still needs a column to count.
        let columns: Vec<String> = if self.columns.is_empty() {
            vec![quoted(0)]
        } else {
            self.columns.iter().map(|&i| quoted(i)).collect()
        };
        format!("SELECT {} FROM ({sql}) AS _used", columns.join(", "))
    }
}

impl Kept {
    /// Whether the table was written to the scratch folder rather than held in memory.
    pub fn on_disk(&self) -> bool {
        self.file.is_some()
    }
}

impl Session {
    /// A session over a context configured by [`session_config`]: it joins as that says.
    fn over(
        ctx: SessionContext,
        joins: Joins,
        scratch: tempfile::TempDir,
        kept_budget: usize,
    ) -> Session {
        let sort_merge = !ctx.copied_config().options().optimizer.prefer_hash_join;
        let kept = MemoryConsumer::new("KeptTables").register(&ctx.runtime_env().memory_pool);
        Session {
            ctx,
            joins,
            sort_merge: sort_merge.into(),
            sorted: Default::default(),
            scratch,
            files: Default::default(),
            kept,
            kept_budget,
        }
    }

    /// Whether a failed query should be run again sorting: only when the joins were left to
    /// `Auto`, the query hashed, and the pool refused an allocation. A run configured to hash
    /// fails as configured.
    pub fn should_retry_sorting(&self, e: &datafusion::error::DataFusionError) -> bool {
        self.joins == Joins::Auto && !self.sorting() && is_resources_exhausted(e)
    }

    /// Whether equi-joins are sort-merge joins now.
    pub fn sorting(&self) -> bool {
        self.sort_merge.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The blocks and models whose hash joins the pool could not hold, in order.
    pub fn sorted(&self) -> Vec<String> {
        self.sorted.lock().expect("not poisoned").clone()
    }

    /// How the run joined: "hash", "sort-merge", or "hash; sort-merge for M13".
    pub fn joins_used(&self) -> String {
        let sorted = self.sorted();
        if self.sorting() {
            "sort-merge".to_string()
        } else if sorted.is_empty() {
            "hash".to_string()
        } else {
            format!("hash; sort-merge for {}", sorted.join(", "))
        }
    }

    /// Switches equi-joins to sort-merge (`true`) or hash (`false`) for the next statements.
    async fn set_sort_merge(&self, sort_merge: bool) -> Result<()> {
        if self.sorting() != sort_merge {
            self.ctx
                .sql(&format!(
                    "SET datafusion.optimizer.prefer_hash_join = {}",
                    !sort_merge
                ))
                .await?
                .collect()
                .await?;
            self.sort_merge
                .store(sort_merge, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }

    /// Runs one statement (`attempt`) with the session's joins. Under `Joins::Auto`, when the
    /// pool cannot hold its hash joins, it runs again with sort-merge joins, which spill;
    /// `what` (a block or model) is noted in [`Session::sorted`], `retrying` is told why, and
    /// the next statement hashes again. Only the statement that did not fit pays for sorting:
    /// the stages before it are kept.
    pub async fn fitting<T, F, Fut>(
        &self,
        what: &str,
        mut attempt: F,
        retrying: impl FnOnce(&datafusion::error::DataFusionError),
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        match attempt().await {
            Err(e) if self.should_retry_sorting(&e) => {
                retrying(&e);
                return_freed_memory();
                {
                    let mut sorted = self.sorted.lock().expect("not poisoned");
                    if sorted.last().map(String::as_str) != Some(what) {
                        sorted.push(what.to_string());
                    }
                }
                self.set_sort_merge(true).await?;
                let r = attempt().await;
                self.set_sort_merge(false).await?;
                r
            }
            r => r,
        }
    }

    /// Computes a table for the rest of the run (a building block) or of a model (a stage of its
    /// query) and registers it under `name`.
    ///
    /// Kept in memory while the run's kept tables fit their share of the pool (a county's blocks
    /// and stages), otherwise written to the run's scratch folder as it is computed (a city's
    /// households and relatives): a kept table never holds more memory than the pool allows.
    pub async fn keep(&self, name: &str, sql: &str) -> Result<Kept> {
        use datafusion::parquet::arrow::ArrowWriter;
        use datafusion::parquet::basic::Compression;
        use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};
        use futures_util::StreamExt;
        let df = self.ctx.sql(sql).await?;
        let mut stream = df.execute_stream().await?;
        let schema = stream.schema();
        let mut batches = Vec::new();
        let mut held = 0usize;
        let mut file: Option<(ArrowWriter<std::fs::File>, PathBuf)> = None;
        let streamed: Result<()> = async {
            while let Some(batch) = stream.next().await.transpose()? {
                if let Some((writer, _)) = file.as_mut() {
                    writer.write(&batch)?;
                    continue;
                }
                let size = slice_memory_size(&batch);
                if self.kept.size() + size <= self.kept_budget && self.kept.try_grow(size).is_ok() {
                    held += size;
                    batches.push(batch);
                    continue;
                }
                // Too large to keep in memory: to disk, what was held included. Scratch data
                // read once or twice within the run is not worth encoding: plain values, no
                // statistics (a city's 17.5 million payments took 15 s to write with Parquet's
                // defaults, 4 s so; Arrow IPC wrote in 2 s but its files, twice as large and
                // read whole batches at a time, made the reading slower by 10 s).
                let path = self.scratch.path().join(format!(
                    "{name}-{}.parquet",
                    self.files
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                ));
                let props = WriterProperties::builder()
                    .set_compression(Compression::UNCOMPRESSED)
                    .set_dictionary_enabled(false)
                    .set_statistics_enabled(EnabledStatistics::None)
                    .build();
                let mut writer = ArrowWriter::try_new(
                    std::fs::File::create(&path)?,
                    schema.clone(),
                    Some(props),
                )?;
                for b in batches.drain(..) {
                    writer.write(&b)?;
                }
                self.kept.shrink(held);
                held = 0;
                writer.write(&batch)?;
                file = Some((writer, path));
            }
            Ok(())
        }
        .await;
        if let Err(e) = streamed {
            self.kept.shrink(held);
            return Err(e);
        }
        let on_disk = file.as_ref().map(|(_, path)| path.clone());
        let table: Arc<dyn datafusion::catalog::TableProvider> = match file {
            Some((writer, path)) => {
                writer.close()?;
                table(schema, &[path])?
            }
            None => {
                // Spread over the partitions, so that reading it is parallel again.
                let n = self.ctx.copied_config().target_partitions().max(1);
                let mut partitions = vec![Vec::new(); n];
                for (i, b) in batches.into_iter().enumerate() {
                    partitions[i % n].push(b);
                }
                Arc::new(MemTable::try_new(schema, partitions)?)
            }
        };
        self.ctx.register_table(name, table)?;
        Ok(Kept {
            name: name.to_string(),
            memory: held,
            file: on_disk,
            view: None,
        })
    }

    /// The columns of each stage of a query that its readers use, for [`Session::keep_used`]:
    /// `None` for a stage whose readers use every column. A structured model's `passing` stage
    /// is every column of its base, the payments' names and villages included, and a city's
    /// 17.5 million rows of it were written to the scratch folder and read back three times;
    /// its readers use half of them.
    ///
    /// What a reader uses is what DataFusion's optimised plan of it scans, with each stage
    /// stood in for by an empty table of its schema; readers are taken from the query back to
    /// the first stage, so that a stage read by a narrower stage is narrowed by what that one
    /// still uses. A query the planner refuses keeps every column, to fail when it runs.
    pub async fn used_columns(&self, staged: &crate::compile::Staged) -> Vec<Option<Used>> {
        if staged.stages.is_empty() {
            // Nothing kept, nothing to narrow: no planning spent on it (a county's model
            // takes tens of milliseconds, planning a few).
            return Vec::new();
        }
        let mut placeholders = Vec::new();
        let used = self.find_used(staged, &mut placeholders).await;
        for table in placeholders {
            let _ = self.ctx.deregister_table(table.as_str());
        }
        used.unwrap_or_else(|_| vec![None; staged.stages.len()])
    }

    async fn find_used(
        &self,
        staged: &crate::compile::Staged,
        placeholders: &mut Vec<String>,
    ) -> Result<Vec<Option<Used>>> {
        use datafusion::common::tree_node::TreeNodeRecursion;
        use datafusion::logical_expr::LogicalPlan;
        use std::collections::BTreeSet;
        let mut schemas = Vec::new();
        for (table, sql) in &staged.stages {
            let schema: SchemaRef = Arc::new(self.ctx.sql(sql).await?.schema().as_arrow().clone());
            self.ctx.register_table(
                table.as_str(),
                Arc::new(MemTable::try_new(schema.clone(), vec![vec![]])?),
            )?;
            placeholders.push(table.clone());
            schemas.push(schema);
        }
        let mut used: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); staged.stages.len()];
        let mut out: Vec<Option<Used>> = vec![None; staged.stages.len()];
        // Readers from the last to the first: the query, then each stage as it will be kept.
        for reader in (0..=staged.stages.len()).rev() {
            let sql = match staged.stages.get(reader) {
                None => staged.query.clone(),
                Some((_, sql)) => {
                    let all = schemas[reader].fields().len();
                    if used[reader].len() < all {
                        let used = Used {
                            schema: schemas[reader].clone(),
                            columns: used[reader].iter().copied().collect(),
                        };
                        let sql = used.select(sql);
                        out[reader] = Some(used);
                        sql
                    } else {
                        sql.clone()
                    }
                }
            };
            let state = self.ctx.state();
            let plan = state.optimize(&state.create_logical_plan(&sql).await?)?;
            plan.apply_with_subqueries(|node| {
                if let LogicalPlan::TableScan(scan) = node
                    && let Some(k) = staged.stages[..reader.min(staged.stages.len())]
                        .iter()
                        .position(|(t, _)| scan.table_name.table() == t.as_str())
                {
                    match &scan.projection {
                        Some(p) => used[k].extend(p.iter().copied()),
                        None => used[k].extend(0..schemas[k].fields().len()),
                    }
                    for f in &scan.filters {
                        for c in f.column_refs() {
                            if let Ok(i) = schemas[k].index_of(&c.name) {
                                used[k].insert(i);
                            }
                        }
                    }
                }
                Ok(TreeNodeRecursion::Continue)
            })?;
        }
        Ok(out)
    }

    /// [`Session::keep`] of the columns a stage's readers use ([`Session::used_columns`]),
    /// under `name` as a view with the stage's every column: the unused ones are typed NULLs,
    /// which the readers' SQL may name but their plans never read.
    pub async fn keep_used(&self, name: &str, sql: &str, used: Option<&Used>) -> Result<Kept> {
        use datafusion::prelude::{col, lit};
        let Some(used) = used else {
            return self.keep(name, sql).await;
        };
        let stored = format!("{name}_used");
        let mut kept = self.keep(&stored, &used.select(sql)).await?;
        let columns = used
            .schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                Ok(if used.columns.contains(&i) {
                    col(datafusion::common::Column::new_unqualified(f.name()))
                } else {
                    lit(datafusion::common::ScalarValue::try_from(f.data_type())?).alias(f.name())
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let view = self.ctx.table(stored.as_str()).await?.select(columns)?;
        self.ctx.register_table(name, view.into_view())?;
        kept.view = Some(name.to_string());
        Ok(kept)
    }

    /// Drops a kept table and gives its memory back to the pool.
    pub fn forget(&self, kept: Kept) -> Result<()> {
        if let Some(view) = &kept.view {
            self.ctx.deregister_table(view.as_str())?;
        }
        self.ctx.deregister_table(kept.name.as_str())?;
        self.kept.shrink(kept.memory);
        if let Some(file) = &kept.file {
            // At once rather than with the run's scratch folder: a city's model writes
            // gigabytes of stages, and deleted before the kernel writes them back, they never
            // reach the disk.
            std::fs::remove_file(file)?;
        }
        Ok(())
    }
}

#[cfg(test)]
impl Session {
    /// A session without datasets or blocks, over a capped pool of `pool_bytes`.
    pub(crate) fn bare(
        joins: Joins,
        sort_merge: bool,
        kept_budget: usize,
        pool_bytes: usize,
    ) -> Session {
        let ctx = SessionContext::new_with_config_rt(
            session_config(3, pool_bytes, sort_merge),
            RuntimeEnvBuilder::new()
                .with_memory_pool(run_pool(pool_bytes))
                .build_arc()
                .expect("runtime"),
        );
        Session::over(
            ctx,
            joins,
            tempfile::tempdir().expect("scratch"),
            kept_budget,
        )
    }
}

/// A run's memory pool: first come first served, spilling operators capped
/// ([`CappedSpillPool`]), the largest consumers named when it refuses an allocation.
fn run_pool(memory_bytes: usize) -> Arc<dyn MemoryPool> {
    Arc::new(TrackConsumersPool::new(
        CappedSpillPool::new(GreedyMemoryPool::new(memory_bytes), memory_bytes),
        std::num::NonZeroUsize::new(5).expect("non-zero"),
    ))
}

/// Gives the memory the allocator holds free back to the system.
///
/// A hash join refused at the pool's edge has just freed about the pool's worth of hash tables
/// and batches, spread over the worker threads' malloc arenas; glibc keeps them, and the sorting
/// retry allocates beside them. A city's query whose 17.5 million-row build side was refused
/// peaked at 2.4 GiB resident while hashing and 4.1 GiB once sorting, over the 4 GiB a city's
/// run must stay under; trimmed in between, 3.6 GiB.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: glibc's malloc_trim only releases free memory of the allocator's own heaps;
        // it takes no pointers and is thread-safe.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// A spilling sort or hash aggregate holds at most this fraction of the pool.
///
/// A city's merges of spilled sorts need room for a batch of every spill file: at a
/// sixty-fourth, M01's payments sorted into so many files that merging them took 1.4 GB and
/// failed; at a sixteenth M01 completes in 2 GB. A hash aggregate's table grows in steps of up
/// to 67 MB (a city's M06). With links compiled as semi joins and evidence read for the fired
/// rows only (decision 79), the plan with the most sorts (M19) fits at a sixteenth too.
const SPILL_CAP_DIVISOR: usize = 16;

/// A pool in which no one spilling sort or hash aggregate holds more than its cap: beyond it,
/// it spills.
///
/// Over a first-come-first-served pool: DataFusion's fair pool gives each spilling operator an
/// equal share of what is left, and with some sixty of them in a city's plan a hash
/// aggregate's single 67 MB step was refused while most of the pool was free. Capped, no
/// spilling operator can take the pool from the others either. Operators that cannot spill (a
/// hash join's build side) are held only by the pool's size.
#[derive(Debug)]
struct CappedSpillPool<P> {
    inner: P,
    cap: usize,
}

impl<P: MemoryPool> CappedSpillPool<P> {
    fn new(inner: P, pool_bytes: usize) -> Self {
        CappedSpillPool {
            inner,
            cap: pool_bytes / SPILL_CAP_DIVISOR,
        }
    }

    /// The cap of a consumer, told by the name DataFusion gives it (names are not an API, so a
    /// unit test pins the ones this relies on).
    fn cap_of(&self, consumer: &MemoryConsumer) -> Option<usize> {
        if !consumer.can_spill() {
            return None;
        }
        let name = consumer.name();
        (name.starts_with("ExternalSorter[") || name.starts_with("GroupedHashAggregateStream["))
            .then_some(self.cap)
    }
}

impl<P: MemoryPool> std::fmt::Display for CappedSpillPool<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, at most {} MB per spilling sort or hash aggregate",
            self.inner,
            self.cap >> 20
        )
    }
}

impl<P: MemoryPool> MemoryPool for CappedSpillPool<P> {
    fn name(&self) -> &str {
        "capped_spill"
    }
    fn register(&self, consumer: &MemoryConsumer) {
        self.inner.register(consumer)
    }
    fn unregister(&self, consumer: &MemoryConsumer) {
        self.inner.unregister(consumer)
    }
    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        self.inner.grow(reservation, additional)
    }
    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        self.inner.shrink(reservation, shrink)
    }
    fn try_grow(&self, reservation: &MemoryReservation, additional: usize) -> Result<()> {
        if let Some(cap) = self.cap_of(reservation.consumer())
            && reservation.size() + additional > cap
        {
            return Err(datafusion::error::DataFusionError::ResourcesExhausted(
                format!(
                    "{} would hold more than {} MB",
                    reservation.consumer().name(),
                    cap >> 20
                ),
            ));
        }
        self.inner.try_grow(reservation, additional)
    }
    fn reserved(&self) -> usize {
        self.inner.reserved()
    }
    fn memory_limit(&self) -> MemoryLimit {
        self.inner.memory_limit()
    }
}

/// The memory a batch's rows take. A hash aggregate hands out slices of one large array, and
/// each slice's `get_array_memory_size` is the whole array's: summed over its slices, a 250,000
/// row block of households counted 235 MB.
fn slice_memory_size(batch: &RecordBatch) -> usize {
    batch
        .columns()
        .iter()
        .map(|c| {
            c.to_data()
                .get_slice_memory_size()
                .unwrap_or_else(|_| c.get_array_memory_size())
        })
        .sum()
}

/// The run's kept tables (building blocks, stages of a model's query) hold at most this fraction
/// of the pool in memory; beyond it they are written to the scratch folder.
const KEPT_DIVISOR: usize = 4;

/// The same when joins sort (a city): the merges of sorted runs need the pool, and a city's
/// M01 failed when a quarter of it held blocks (decision 79). A model's small stages (the rows
/// that fired) still fit.
const KEPT_DIVISOR_SORTING: usize = 64;

/// Whether an error is the memory pool refusing an allocation (wherever it was wrapped).
pub fn is_resources_exhausted(e: &datafusion::error::DataFusionError) -> bool {
    matches!(
        e.find_root(),
        datafusion::error::DataFusionError::ResourcesExhausted(_)
    )
}

/// The building blocks every model may use, computed once per run.
pub const BLOCKS: &[(&str, &str)] = &[
    // Everyone sharing a household with the key person, the person included.
    (
        "household_members",
        "SELECT DISTINCT a.id_number AS key, b.id_number AS member \
         FROM persons a JOIN persons b ON a.household_id = b.household_id",
    ),
    // Household (the person excluded) and declared kin read both ways: one hop.
    (
        "relatives",
        "SELECT DISTINCT key, member FROM ( \
           SELECT key, member FROM household_members WHERE key <> member \
           UNION ALL SELECT id_number AS key, relative_id_number AS member FROM family_relations \
           UNION ALL SELECT relative_id_number AS key, id_number AS member FROM family_relations \
         ) WHERE key <> member",
    ),
    // Office holders whose self or relative is a legal representative or shareholder of a
    // company, with the employer of any of their posts: the few (employer, company) pairs an
    // invoice can connect, so that a conflict-of-interest model joins invoices to these
    // instead of to every official of the buyer.
    (
        "official_business_links",
        "SELECT DISTINCT o.id_number AS official, o.employer_code, b.credit_code \
         FROM public_officials o \
         JOIN (SELECT key, member FROM relatives \
               UNION ALL SELECT id_number AS key, id_number AS member FROM public_officials) v \
           ON v.key = o.id_number \
         JOIN businesses b ON b.id_number = v.member \
         WHERE b.role IN ('法定代表人', '股东')",
    ),
    // A household by its number, from the register and the poverty rolls.
    (
        "household_by_id",
        "SELECT DISTINCT household_id AS key, id_number AS member FROM persons \
         UNION SELECT DISTINCT household_id AS key, id_number AS member FROM poverty_households",
    ),
    // The latest month with any payment, per programme (for 应享未享).
    (
        "latest_payment_month",
        "SELECT program, MAX(period) AS period FROM benefit_payments GROUP BY program",
    ),
    // The death records that give each person's death date (the earliest, any source).
    (
        "first_deaths",
        "SELECT d.* FROM deaths d JOIN (SELECT id_number, MIN(death_date) AS first_date \
         FROM deaths GROUP BY id_number) e ON e.id_number = d.id_number AND d.death_date = e.first_date",
    ),
];

/// Blocks whose rows are rows of a dataset (they keep its `_upload` and `_row`): evidence
/// from them cites the dataset.
pub const ROW_BLOCKS: &[(&str, &str)] = &[("first_deaths", "deaths")];

/// The dataset a table's rows belong to: itself, or the dataset behind a row block.
pub fn row_source(table: &str) -> &str {
    ROW_BLOCKS
        .iter()
        .find(|(b, _)| *b == table)
        .map_or(table, |(_, d)| d)
}

/// Opens a session over the current data.
pub async fn open(
    datasets: &[DatasetFiles],
    programs: &[Program],
    limits: &RunLimits,
) -> Result<Session> {
    // The largest consumers are named when the pool refuses an allocation.
    let mut runtime = RuntimeEnvBuilder::new().with_memory_pool(run_pool(limits.memory_bytes));
    if let Some(dir) = &limits.spill_dir {
        runtime = runtime.with_disk_manager_builder(DiskManagerBuilder::default().with_mode(
            datafusion::execution::disk_manager::DiskManagerMode::Directories(vec![dir.clone()]),
        ));
    }
    let input_bytes: u64 = datasets
        .iter()
        .flat_map(|d| &d.files)
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let sort_merge = limits.joins == Joins::SortMerge;
    let config = session_config(limits.target_partitions, limits.memory_bytes, sort_merge);
    let ctx = SessionContext::new_with_config_rt(config, runtime.build_arc()?);
    crate::udf::register(&ctx);
    for d in datasets {
        register_dataset(&ctx, d).await?;
    }
    ctx.register_table("programs", Arc::new(programs_table(programs)?))?;
    let scratch = match &limits.spill_dir {
        Some(dir) => tempfile::Builder::new().prefix("run-").tempdir_in(dir),
        None => tempfile::Builder::new().prefix("mingjing-run-").tempdir(),
    }
    .map_err(datafusion::error::DataFusionError::IoError)?;
    let session = Session::over(
        ctx,
        limits.joins,
        scratch,
        kept_in_memory_budget(input_bytes, limits.memory_bytes),
    );
    for (name, sql) in BLOCKS {
        // Kept for the whole run: their memory goes back to the pool with the session.
        let _block = session
            .fitting(name, || session.keep(name, sql), |_| {})
            .await?;
    }
    Ok(session)
}

/// The session's settings: how it joins, reads text and reserves for merging sorted runs.
fn session_config(
    target_partitions: usize,
    memory_bytes: usize,
    sort_merge: bool,
) -> SessionConfig {
    let mut config = SessionConfig::new()
        .with_target_partitions(target_partitions)
        .with_information_schema(false);
    config.options_mut().optimizer.prefer_hash_join = !sort_merge;
    // Plain strings, not string views: a view array read back from a sort's spill file is
    // accounted with the whole buffer it points into, and at city scale the merges of three
    // spilled sorts of the payments claimed ~700 MB each and starved the pool. With plain
    // strings the same run stays near 2 GB resident.
    config.options_mut().sql_parser.map_string_types_to_utf8view = false;
    config
        .options_mut()
        .execution
        .parquet
        .schema_force_view_types = false;
    // Each sort holds back this much of the pool for merging its spill files (10 MiB by
    // default); a plan of sort-merge joins has a few sorts per join and partition, so in a small
    // pool the reservations alone would starve the sorts.
    config.options_mut().execution.sort_spill_reservation_bytes =
        (memory_bytes / 512).clamp(256 << 10, 10 << 20);
    // A hash join's build side of up to 64 MiB and a million rows is collected once and
    // shared by every partition of the probe side (DataFusion's default: 1 MiB, 128 Ki rows),
    // rather than both sides being repartitioned by the key: a county's 1.46 million payments,
    // every column, were repartitioned (296 MB) to meet 250,000 IDs. A county's run went from
    // 3.45 s to 3.21 s, a city's from 56 s to 53 s at the same peak memory (decision 80).
    config
        .options_mut()
        .optimizer
        .hash_join_single_partition_threshold = 64 << 20;
    config
        .options_mut()
        .optimizer
        .hash_join_single_partition_threshold_rows = 1 << 20;
    config
}

async fn register_dataset(ctx: &SessionContext, d: &DatasetFiles) -> Result<()> {
    ctx.register_table(d.name.as_str(), table(d.schema.clone(), &d.files)?)?;
    Ok(())
}

/// A table over Parquet files with a known schema (an empty one when there are no files).
pub fn table(
    schema: SchemaRef,
    files: &[PathBuf],
) -> Result<Arc<dyn datafusion::catalog::TableProvider>> {
    if files.is_empty() {
        return Ok(Arc::new(MemTable::try_new(schema, vec![vec![]])?));
    }
    let urls = files
        .iter()
        .map(|p| ListingTableUrl::parse(p.to_string_lossy()))
        .collect::<Result<Vec<_>>>()?;
    let options =
        ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
    let config = ListingTableConfig::new_with_multi_paths(urls)
        .with_listing_options(options)
        .with_schema(schema);
    Ok(Arc::new(ListingTable::try_new(config)?))
}

fn programs_table(programs: &[Program]) -> Result<MemTable> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("code", DataType::Utf8, false),
        Field::new("label", DataType::Utf8, false),
        Field::new("department", DataType::Utf8, false),
        Field::new("monthly_max", DataType::Decimal128(18, 2), false),
        Field::new("min_age", DataType::Int64, true),
        Field::new("exclusive_with", DataType::Utf8, false),
        Field::new("ordinal", DataType::Int64, false),
    ]));
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            programs.iter().map(|p| p.code.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            programs.iter().map(|p| p.label.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            programs.iter().map(|p| p.department.as_str()),
        )),
        Arc::new(
            Decimal128Array::from_iter_values(
                programs.iter().map(|p| i128::from(p.monthly_max.fen())),
            )
            .with_precision_and_scale(18, 2)?,
        ),
        Arc::new(Int64Array::from_iter(
            programs.iter().map(|p| p.min_age.map(i64::from)),
        )),
        Arc::new(StringArray::from_iter_values(
            programs.iter().map(|p| p.exclusive_with.join(",")),
        )),
        Arc::new(Int64Array::from_iter_values(0..programs.len() as i64)),
    ];
    MemTable::try_new(
        schema.clone(),
        vec![vec![RecordBatch::try_new(schema, cols)?]],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::error::DataFusionError;

    #[test]
    fn an_exhausted_pool_is_recognised_however_it_was_wrapped() {
        let root = || DataFusionError::ResourcesExhausted("HashJoinInput".into());
        assert!(is_resources_exhausted(&root()));
        assert!(is_resources_exhausted(&root().context("model M01")));
        assert!(is_resources_exhausted(&DataFusionError::Shared(Arc::new(
            root()
        ))));
        assert!(!is_resources_exhausted(&DataFusionError::Plan(
            "no such column".into()
        )));
    }

    fn capped_pool(bytes: usize) -> Arc<dyn MemoryPool> {
        Arc::new(CappedSpillPool::new(GreedyMemoryPool::new(bytes), bytes))
    }

    #[test]
    fn a_sort_or_an_aggregate_spills_past_a_sixteenth_of_the_pool() {
        let pool = capped_pool(64 << 20);
        // The names DataFusion 55 gives these operators: if an upgrade renames them, the cap
        // silently stops applying, so this test pins them.
        let sort = MemoryConsumer::new("ExternalSorter[0]")
            .with_can_spill(true)
            .register(&pool);
        sort.try_grow(4 << 20).expect("a sort may hold its cap");
        let refused = sort.try_grow(1).expect_err("not a byte more");
        assert!(is_resources_exhausted(&refused), "{refused}");
        assert!(refused.to_string().contains("ExternalSorter[0]"));

        let aggregate = MemoryConsumer::new("GroupedHashAggregateStream[1] (count)")
            .with_can_spill(true)
            .register(&pool);
        aggregate.try_grow(4 << 20).expect("its cap");
        assert!(aggregate.try_grow(1).is_err());
        assert_eq!(pool.reserved(), 8 << 20);
    }

    #[test]
    fn operators_that_cannot_spill_are_held_only_by_the_pool() {
        let pool = capped_pool(64 << 20);
        // A hash join's build side, or an aggregate that was told not to spill.
        let join = MemoryConsumer::new("HashJoinInput").register(&pool);
        join.try_grow(40 << 20).expect("uncapped");
        let unspillable =
            MemoryConsumer::new("GroupedHashAggregateStream[0] (min)").register(&pool);
        unspillable.try_grow(20 << 20).expect("uncapped");
        // The pool itself still refuses what it does not have.
        assert!(unspillable.try_grow(8 << 20).is_err());
        drop(join);
        unspillable.try_grow(8 << 20).expect("freed by the join");
    }

    fn bare_session(joins: Joins, sort_merge: bool, kept_budget: usize) -> Session {
        Session::bare(joins, sort_merge, kept_budget, 64 << 20)
    }

    async fn numbers(session: &Session, table: &str) -> Vec<i64> {
        let batches = session
            .ctx
            .sql(&format!("SELECT n FROM {table} ORDER BY n"))
            .await
            .expect("plans")
            .collect()
            .await
            .expect("runs");
        batches
            .iter()
            .flat_map(|b| {
                let a = b
                    .column(0)
                    .as_any()
                    .downcast_ref::<Int64Array>()
                    .expect("int");
                a.values().to_vec()
            })
            .collect()
    }

    #[tokio::test]
    async fn a_kept_table_too_large_for_its_share_of_the_pool_goes_to_disk_whole() {
        let rows = "SELECT CAST(a.column1 AS BIGINT) * 1000 + b.column1 AS n \
                    FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8)) a \
                    CROSS JOIN (VALUES (1), (2), (3)) b";
        let expected: Vec<i64> = {
            let mut v: Vec<i64> = (1..=8)
                .flat_map(|a| (1..=3).map(move |b| a * 1000 + b))
                .collect();
            v.sort();
            v
        };
        // Room for everything: in memory, accounted in the pool until forgotten.
        let roomy = bare_session(Joins::Auto, false, 1 << 20);
        let kept = roomy.keep("small", rows).await.expect("kept");
        assert!(kept.memory > 0);
        assert_eq!(roomy.ctx.runtime_env().memory_pool.reserved(), kept.memory);
        assert_eq!(numbers(&roomy, "small").await, expected);
        roomy.forget(kept).expect("forgotten");
        assert_eq!(roomy.ctx.runtime_env().memory_pool.reserved(), 0);
        assert!(roomy.ctx.table_provider("small").await.is_err());

        // No room: the same rows from the scratch folder, and no memory held.
        let tight = bare_session(Joins::Auto, false, 8);
        let kept = tight.keep("large", rows).await.expect("kept");
        assert_eq!(kept.memory, 0);
        assert_eq!(tight.ctx.runtime_env().memory_pool.reserved(), 0);
        assert_eq!(numbers(&tight, "large").await, expected);
        let written: Vec<_> = std::fs::read_dir(tight.scratch.path())
            .expect("scratch")
            .collect();
        assert_eq!(written.len(), 1);
        assert!(kept.on_disk());
        tight.forget(kept).expect("forgotten");
        let left = std::fs::read_dir(tight.scratch.path())
            .expect("scratch")
            .count();
        assert_eq!(left, 0, "a forgotten table's file is removed at once");
    }

    #[test]
    fn only_auto_joins_retry_sorting_when_the_pool_runs_out() {
        let exhausted = DataFusionError::ResourcesExhausted("HashJoinInput".into());
        for (joins, sort_merge, retries) in [
            (Joins::Auto, false, true),
            (Joins::Auto, true, false),
            (Joins::Hash, false, false),
            (Joins::SortMerge, true, false),
        ] {
            let session = bare_session(joins, sort_merge, 0);
            assert_eq!(
                session.should_retry_sorting(&exhausted),
                retries,
                "{joins:?}, sorting already: {sort_merge}"
            );
            assert!(!session.should_retry_sorting(&DataFusionError::Plan("x".into())));
        }
    }

    #[test]
    fn a_city_keeps_its_tables_in_a_sixty_fourth_of_the_default_pool_and_a_county_in_a_quarter() {
        let pool = RunLimits::default().memory_bytes;
        // A 250,000-person county is ~100 MB of Parquet; a 3,000,000-person city ~1.3 GB.
        assert_eq!(kept_in_memory_budget(100 << 20, pool), pool / 4);
        assert_eq!(kept_in_memory_budget(1300 << 20, pool), pool / 64);
    }
}
