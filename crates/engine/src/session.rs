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
/// but bounded by the memory pool. `Auto` hashes while the run's input is small beside the pool
/// and sorts otherwise; a query that still exhausts the pool while hashing is re-run sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Joins {
    #[default]
    Auto,
    Hash,
    SortMerge,
}

/// The input size (Parquet bytes, all current files) beyond which `Joins::Auto` sorts rather
/// than hashes: decoded Arrow data and hash tables take several times their Parquet size.
pub fn hash_join_budget(memory_bytes: usize) -> u64 {
    (memory_bytes / 8) as u64
}

/// A run's session and the scratch folder holding its materialised building blocks (removed
/// when the session is dropped).
pub struct Session {
    pub ctx: SessionContext,
    /// Whether equi-joins are sort-merge joins (see [`Joins`]).
    pub sort_merge: bool,
    _scratch: tempfile::TempDir,
}

impl Session {
    /// Switches equi-joins to sort-merge for the rest of the run.
    pub async fn use_sort_merge(&mut self) -> Result<()> {
        self.ctx
            .sql("SET datafusion.optimizer.prefer_hash_join = false")
            .await?
            .collect()
            .await?;
        self.sort_merge = true;
        Ok(())
    }
}

/// A spilling operator holds at most this fraction of the pool. A city's M19 (three links, each
/// through a block, and their evidence) sorts in ~30 places at once: at a sixteenth each, the
/// sorts alone filled the pool.
const SPILL_CAP_DIVISOR: usize = 64;

/// A pool in which no one sort holds more than `cap`: beyond it, it spills.
///
/// Over a first-come-first-served pool: DataFusion's fair pool gives each spilling operator an
/// equal share of what is left, and with some sixty of them in a city's plan a hash
/// aggregate's single 67 MB step was refused while most of the pool was free. Capped, no
/// spilling operator can take the pool from the others either: a sort spills past `cap` and
/// keeps at most `cap` for its merge.
#[derive(Debug)]
struct CappedSpillPool<P> {
    inner: P,
    cap: usize,
}

impl<P: MemoryPool> std::fmt::Display for CappedSpillPool<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, at most {} MB per spilling operator",
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
        // Sorts only: they grow a batch at a time and spill past the cap. A hash aggregate
        // grows its table in steps that can exceed the cap (67 MB seen at city scale) and
        // spills when the pool itself is full.
        let sort = reservation.consumer().name().starts_with("ExternalSorter[");
        if sort && reservation.consumer().can_spill() && reservation.size() + additional > self.cap
        {
            return Err(datafusion::error::DataFusionError::ResourcesExhausted(
                format!(
                    "{} would hold more than {} MB",
                    reservation.consumer().name(),
                    self.cap >> 20
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
    let pool = TrackConsumersPool::new(
        CappedSpillPool {
            inner: GreedyMemoryPool::new(limits.memory_bytes),
            cap: limits.memory_bytes / SPILL_CAP_DIVISOR,
        },
        std::num::NonZeroUsize::new(5).expect("non-zero"),
    );
    let mut runtime = RuntimeEnvBuilder::new().with_memory_pool(Arc::new(pool));
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
    let sort_merge = match limits.joins {
        Joins::Hash => false,
        Joins::SortMerge => true,
        Joins::Auto => input_bytes > hash_join_budget(limits.memory_bytes),
    };
    let mut config = SessionConfig::new()
        .with_target_partitions(limits.target_partitions)
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
        (limits.memory_bytes / 512).clamp(256 << 10, 10 << 20);
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
    let mut session = Session {
        ctx,
        sort_merge,
        _scratch: scratch,
    };
    for (name, sql) in BLOCKS {
        let table = match materialise(&session, name, sql).await {
            Err(e) if is_resources_exhausted(&e) && !session.sort_merge => {
                session.use_sort_merge().await?;
                materialise(&session, name, sql).await?
            }
            r => r?,
        };
        session.ctx.register_table(*name, table)?;
    }
    Ok(session)
}

/// Writes a building block to the run's scratch folder and returns it as a table: blocks can be
/// as large as the register (households, relatives), so they are kept on disk, not in memory.
async fn materialise(
    session: &Session,
    name: &str,
    sql: &str,
) -> Result<Arc<dyn datafusion::catalog::TableProvider>> {
    let dir = session._scratch.path().join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let df = session.ctx.sql(sql).await?;
    let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
    let mut options = datafusion::config::TableParquetOptions::default();
    // Scratch data read once or twice within the run: not worth compressing.
    options.global.compression = Some("uncompressed".into());
    df.write_parquet(
        &format!("{}/", dir.display()),
        datafusion::dataframe::DataFrameWriteOptions::new(),
        Some(options),
    )
    .await?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    files.sort();
    table(schema, &files)
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

    #[test]
    fn auto_hashes_a_county_and_sorts_a_city_in_the_default_pool() {
        let pool = RunLimits::default().memory_bytes;
        // A 250,000-person county is ~100 MB of Parquet; a 3,000,000-person city ~1.3 GB.
        assert!(100 << 20 <= hash_join_budget(pool));
        assert!(1300 << 20 > hash_join_budget(pool));
    }
}
