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
use datafusion::execution::memory_pool::FairSpillPool;
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
    pub spill_dir: Option<PathBuf>,
    pub target_partitions: usize,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            memory_bytes: 2 << 30,
            spill_dir: None,
            target_partitions: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
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
) -> Result<SessionContext> {
    let mut runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(FairSpillPool::new(limits.memory_bytes)));
    if let Some(dir) = &limits.spill_dir {
        runtime = runtime.with_disk_manager_builder(DiskManagerBuilder::default().with_mode(
            datafusion::execution::disk_manager::DiskManagerMode::Directories(vec![dir.clone()]),
        ));
    }
    let config = SessionConfig::new()
        .with_target_partitions(limits.target_partitions)
        .with_information_schema(false);
    let ctx = SessionContext::new_with_config_rt(config, runtime.build_arc()?);
    crate::udf::register(&ctx);
    for d in datasets {
        register_dataset(&ctx, d).await?;
    }
    ctx.register_table("programs", Arc::new(programs_table(programs)?))?;
    for (name, sql) in BLOCKS {
        let df = ctx.sql(sql).await?;
        let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
        let batches = df.collect().await?;
        ctx.register_table(*name, Arc::new(MemTable::try_new(schema, vec![batches])?))?;
    }
    Ok(ctx)
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
