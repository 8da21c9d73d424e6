//! `mingjing`: the batch interface (`../shared/standard/batch.md`) and the generator.
//!
//! Exit status: 0 success, 1 bad input (the message names file, row and column),
//! 2 misuse (unknown option or type), 3 a failure of this machine (database, disk).

use clap::{Parser, Subcommand};
use mingjing_app::{AppError, Clock, ImportInput, ImportOutcome, Platform};
use mingjing_ingest::FileError;
use std::path::PathBuf;
use std::process::ExitCode;

mod fuzz;
mod models;
mod serve;

#[derive(Parser)]
#[command(name = "mingjing", version, about = "明镜 智慧监督大数据平台")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create an empty platform with the built-in data standard and model library.
    Init {
        #[arg(long)]
        data_dir: PathBuf,
        /// The county's own place name.
        #[arg(long)]
        county: Option<String>,
    },
    /// Load one CSV or Excel file as an upload.
    Import {
        #[arg(long)]
        data_dir: PathBuf,
        /// Dataset type, e.g. benefit_payments.
        #[arg(long = "type")]
        dataset_type: String,
        /// The uploading organisation's name.
        #[arg(long)]
        org: String,
        /// The month, for types uploaded one month at a time.
        #[arg(long)]
        period: Option<String>,
        file: PathBuf,
    },
    /// Run every enabled model (or those named) and record their alerts.
    Run {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long = "model")]
        models: Vec<String>,
        /// "Today" for models that need it (M19); default: today.
        #[arg(long)]
        as_of: Option<String>,
        /// Also print, on stderr, the engine's time for opening the data and for each model.
        #[arg(long)]
        timings: bool,
    },
    /// Print the alerts.
    Alerts {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        model: Option<String>,
        #[arg(long, value_enum)]
        format: AlertFormat,
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// List the dataset types: the built-in standard and administrators' own.
    Types {
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Add or replace an administrator-defined dataset type, from a TOML file in the shape of
    /// one `[types.NAME]` table of the standard (label, key, fields, ...).
    DefineType {
        #[arg(long)]
        data_dir: PathBuf,
        /// The type's name (lower-case letters, digits and underscores).
        #[arg(long)]
        name: String,
        file: PathBuf,
    },
    /// Build the demo: generate a county, initialise a platform and load every file.
    Demo {
        #[arg(long, default_value = "demo-data")]
        data_dir: PathBuf,
        /// Number of residents of the generated county.
        #[arg(long, default_value_t = 250_000)]
        persons: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Address to serve on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Build the demo platform but do not serve it.
        #[arg(long)]
        no_serve: bool,
        /// Load the data but do not run the models (a benchmark's data set of a size the
        /// engine's memory pool does not hold yet).
        #[arg(long)]
        no_models: bool,
    },
    /// Serve the web UI and the API.
    Serve {
        #[arg(long)]
        data_dir: PathBuf,
        /// Address to listen on (default from mingjing.toml [server], else 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Back up a platform while it runs: its database and data directory, encrypted and
    /// verifiable (`backup --data-dir DIR --to OUT`), or check a backup (`backup verify`).
    #[command(args_conflicts_with_subcommands = true)]
    Backup {
        #[command(subcommand)]
        action: Option<BackupAction>,
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// An absent or empty folder.
        #[arg(long)]
        to: Option<PathBuf>,
    },
    /// Encrypt in place a data directory written before personal values were protected (stop
    /// its server and back it up first). Safe to run again, and after a crash; the platform
    /// refuses to open for anything else until it is done.
    Protect {
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Restore a backup into an absent or empty data directory (with the master key the backup
    /// was made under; a PostgreSQL platform into an empty database).
    Restore {
        #[arg(long)]
        from: PathBuf,
        #[arg(long)]
        data_dir: PathBuf,
        /// Default: MINGJING_MASTER_KEY_FILE, else DIR.master.key beside the new directory.
        #[arg(long)]
        master_key_file: Option<PathBuf>,
        #[arg(long)]
        database_url: Option<String>,
    },
    /// The platform's keys (docs/cryptography.md).
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Print the current TOTP code for a base32 secret.
    TotpCode { secret: String },
    /// Measure the crypto provider on this machine: SM3, HMAC-SM3 and SM4-GCM in bulk, and
    /// the tokens, seals and blind indexes an import makes per personal value (one thread).
    CryptoThroughput {
        #[arg(long, default_value_t = 256)]
        mib: usize,
        #[arg(long, default_value_t = 1_000_000)]
        values: usize,
    },
    /// Fuzz one parser of outside input: replay the corpus, then mutate it (docs/security.md).
    Fuzz {
        /// csv, xlsx, xlsx-sheet, xls, persons-list, model, dataset-type, json-bodies or multipart.
        target: String,
        /// Folders of seed inputs.
        #[arg(long, required = true)]
        corpus: Vec<PathBuf>,
        /// Executions in all, seeds included.
        #[arg(long, default_value_t = 10_000)]
        executions: u64,
        /// Stop after this many seconds (the seeds always run).
        #[arg(long)]
        seconds: Option<u64>,
        /// The mutator's seed: the same seed makes the same inputs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where the inputs of findings are written.
        #[arg(long, default_value = "fuzz-findings")]
        findings: PathBuf,
    },
    /// Check that the data directory and the metadata agree (after removing what an
    /// interrupted import left behind).
    Check {
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// The model library: list, export, check, dry-run, define, set parameters, enable, disable.
    Model {
        /// The data directory (before or after the action).
        #[arg(long, global = true)]
        data_dir: Option<PathBuf>,
        #[command(subcommand)]
        action: models::ModelAction,
    },
    /// Why an alert fired: each condition of its model with the rows that met it.
    Explain {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        alert: i64,
        #[arg(long)]
        json: bool,
    },
    /// Write a synthetic county in the standard's formats, with a ground-truth file.
    Generate {
        /// Folder to write into (created; must be empty).
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Number of residents.
        #[arg(long, default_value_t = 250_000)]
        persons: u32,
        /// Months of payment rolls, ending with --last-month.
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// The last month of data (YYYY-MM); default: the month before this one.
        #[arg(long)]
        last_month: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Check the hash chain: names the first edited, deleted, reordered or missing record.
    Verify {
        #[arg(long)]
        data_dir: PathBuf,
    },
}

#[derive(clap::Subcommand)]
enum BackupAction {
    /// Open every file of a backup and check it against its manifest, restoring nothing.
    Verify {
        #[arg(long)]
        from: PathBuf,
        #[arg(long)]
        master_key_file: PathBuf,
    },
}

#[derive(clap::Subcommand)]
enum KeysAction {
    /// Replace the master key: the data keys are rewrapped with a new one (no data is
    /// rewritten) and the new key file takes the old one's place.
    RotateMaster {
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Rotate a data key while the platform serves: a new version of the key seals from now
    /// on (running servers take it up within seconds), then everything the older versions
    /// sealed is sealed again in the background. Keys: fields, files, totp.
    Rotate {
        #[arg(long)]
        data_dir: PathBuf,
        /// fields (texts of the database and sealed cells of the uploads), files
        /// (attachments) or totp (second-factor secrets).
        #[arg(long)]
        key: String,
        /// How long running servers are given to take up the new key before anything is
        /// sealed with it (they look every 5 s).
        #[arg(long, default_value_t = 10)]
        settle_seconds: u64,
    },
    /// Finish a rotation that was cut off: seal again with the key's current version whatever
    /// an older one sealed. Safe to run at any time.
    Reseal {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        key: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum AlertFormat {
    Csv,
    Json,
}

const EXIT_BAD_INPUT: u8 = 1;
const EXIT_MISUSE: u8 = 2;
const EXIT_INTERNAL: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The one clock of this process: the machine's, or the instant `MINGJING_CLOCK` names
    // (tests and the CI runs at fixed days).
    let clock = match Clock::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_MISUSE);
        }
    };
    if !clock.is_system() {
        eprintln!(
            "note: the clock is set by {}: now is {}",
            mingjing_domain::clock::CLOCK_ENV,
            clock.now_local()
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run(cli, clock))
}

async fn run(cli: Cli, clock: Clock) -> ExitCode {
    match cli.command {
        Command::Init { data_dir, county } => {
            match Platform::init(&data_dir, county.as_deref(), clock.clone()).await {
                Ok(p) => {
                    let county = p.county().await.unwrap_or_default();
                    let types = p.dataset_types().await.map(|t| t.len()).unwrap_or(0);
                    println!(
                        "initialised {} for {county}: {types} dataset types",
                        data_dir.display()
                    );
                    println!(
                        "master key: {} (keep it apart from the data and its backups: without it nothing sealed can be read)",
                        Platform::master_key_path(&data_dir, &p.config).display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&data_dir.display().to_string(), &e),
            }
        }
        Command::Import {
            data_dir,
            dataset_type,
            org,
            period,
            file,
        } => {
            let file_label = file.display().to_string();
            let platform = match Platform::open(&data_dir, clock.clone()).await {
                Ok(p) => p,
                Err(e) => return fail(&data_dir.display().to_string(), &e),
            };
            // Misuse is reported before the file is even read.
            if let Err(e) = platform
                .resolve_import(&dataset_type, period.as_deref())
                .await
            {
                return fail(&file_label, &e);
            }
            let bytes = match read_limited(&file, platform.config.limits.max_file_bytes) {
                Ok(b) => b,
                Err(e) => return fail(&file_label, &e),
            };
            let file_name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| file_label.clone());
            let outcome = platform
                .import(ImportInput {
                    dataset_type: &dataset_type,
                    org: &org,
                    period: period.as_deref(),
                    file_name: &file_name,
                    bytes,
                    actor: &models::operator(),
                })
                .await;
            match outcome {
                Ok(ImportOutcome::Loaded {
                    upload_id,
                    checked,
                    replaced,
                }) => {
                    for w in &checked.warnings {
                        eprintln!("warning: {w}");
                    }
                    if checked.warnings_total > checked.warnings.len() as u64 {
                        eprintln!(
                            "warning: … and {} more warnings",
                            checked.warnings_total - checked.warnings.len() as u64
                        );
                    }
                    println!(
                        "{file_label}: added {} rows as upload #{upload_id}",
                        checked.rows
                    );
                    for r in replaced {
                        let part = if r.partition.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", r.partition)
                        };
                        println!("replaced {} rows{part} of upload #{}", r.rows, r.upload_id);
                    }
                    ExitCode::SUCCESS
                }
                Ok(ImportOutcome::AlreadyLoaded { upload }) => {
                    println!(
                        "{file_label}: already loaded as upload #{} ({} rows); nothing changed",
                        upload.id, upload.rows
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&file_label, &e),
            }
        }
        Command::Demo {
            data_dir,
            persons,
            seed,
            listen,
            no_serve,
            no_models,
        } => {
            demo(
                &data_dir, persons, seed, listen, no_serve, no_models, &clock,
            )
            .await
        }
        Command::Serve { data_dir, listen } => serve::serve(&data_dir, listen, &clock).await,
        Command::Audit {
            action: AuditAction::Verify { data_dir },
        } => serve::audit_verify(&data_dir, &clock).await,
        Command::Backup {
            action:
                Some(BackupAction::Verify {
                    from,
                    master_key_file,
                }),
            ..
        } => match mingjing_app::backup::verify_backup(&from, &master_key_file) {
            Ok(s) => {
                println!(
                    "backup {} verifies: {} files, {} bytes ({})",
                    from.display(),
                    s.files,
                    s.bytes,
                    s.backend
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(&from.display().to_string(), &e),
        },
        Command::Backup {
            action: None,
            data_dir: Some(data_dir),
            to: Some(to),
        } => {
            // A directory still to be protected is backed up as it is, before protecting it.
            let platform = match Platform::open_unprotected(&data_dir, clock.clone()).await {
                Ok(p) => p,
                Err(e) => return fail(&data_dir.display().to_string(), &e),
            };
            match platform.backup(&to).await {
                Ok(s) => {
                    println!(
                        "backed up {} into {}: {} files, {} bytes ({}); restore it with the master key {}",
                        data_dir.display(),
                        to.display(),
                        s.files,
                        s.bytes,
                        s.backend,
                        Platform::master_key_path(&data_dir, &platform.config).display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&to.display().to_string(), &e),
            }
        }
        Command::Protect { data_dir } => {
            let platform = match Platform::open_unprotected(&data_dir, clock.clone()).await {
                Ok(p) => p,
                Err(e) => return fail(&data_dir.display().to_string(), &e),
            };
            match platform.protect_in_place(|step| eprintln!("{step}")).await {
                Ok(report) => {
                    println!("{}: {report}", data_dir.display());
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&data_dir.display().to_string(), &e),
            }
        }
        Command::Backup { .. } => {
            eprintln!(
                "error: backup needs --data-dir and --to (or: backup verify --from --master-key-file)"
            );
            ExitCode::from(EXIT_MISUSE)
        }
        Command::Restore {
            from,
            data_dir,
            master_key_file,
            database_url,
        } => {
            let key = master_key_file
                .or_else(|| std::env::var_os(mingjing_app::MASTER_KEY_ENV).map(PathBuf::from))
                .unwrap_or_else(|| Platform::master_key_path(&data_dir, &Default::default()));
            match mingjing_app::backup::restore(
                &from,
                &data_dir,
                &key,
                database_url.as_deref(),
                clock.clone(),
            )
            .await
            {
                Ok(s) => {
                    println!(
                        "restored {} into {}: {} files, {} bytes ({})",
                        from.display(),
                        data_dir.display(),
                        s.files,
                        s.bytes,
                        s.backend
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&data_dir.display().to_string(), &e),
            }
        }
        Command::Keys {
            action:
                KeysAction::Rotate {
                    data_dir,
                    key,
                    settle_seconds,
                },
        } => keys_reseal(&data_dir, &key, Some(settle_seconds), &clock).await,
        Command::Keys {
            action: KeysAction::Reseal { data_dir, key },
        } => keys_reseal(&data_dir, &key, None, &clock).await,
        Command::Keys {
            action: KeysAction::RotateMaster { data_dir },
        } => {
            let platform = match Platform::open(&data_dir, clock.clone()).await {
                Ok(p) => p,
                Err(e) => return fail(&data_dir.display().to_string(), &e),
            };
            match platform.rotate_master_key().await {
                Ok(path) => {
                    println!(
                        "master key replaced: {} (the data keys are wrapped with the new key; the old one opens nothing now)",
                        path.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&data_dir.display().to_string(), &e),
            }
        }
        Command::TotpCode { secret } => serve::totp_code(&secret, &clock),
        Command::CryptoThroughput { mib, values } => {
            for r in mingjing_crypto::throughput::measure(mib, values) {
                println!("{:<40} {:>14.0} {}/s", r.name, r.per_second, r.unit);
            }
            ExitCode::SUCCESS
        }
        Command::Fuzz {
            target,
            corpus,
            executions,
            seconds,
            seed,
            findings,
        } => fuzz::command(&target, &corpus, executions, seconds, seed, &findings),
        Command::Model { data_dir, action } => match data_dir {
            Some(d) => models::model(d, action, &clock).await,
            None => {
                eprintln!(
                    "error: the following required arguments were not provided: --data-dir <DATA_DIR>"
                );
                ExitCode::from(EXIT_MISUSE)
            }
        },
        Command::Explain {
            data_dir,
            alert,
            json,
        } => models::explain(data_dir, alert, json, &clock).await,
        Command::Run {
            data_dir,
            models,
            as_of,
            timings,
        } => {
            let as_of = match parse_as_of(as_of, &clock) {
                Ok(d) => d,
                Err(c) => return c,
            };
            let platform = match Platform::open(&data_dir, clock.clone()).await {
                Ok(p) => p,
                Err(e) => return fail(&data_dir.display().to_string(), &e),
            };
            match platform
                .run_models(&models::operator(), &models, as_of)
                .await
            {
                Ok(outcomes) => {
                    if timings {
                        eprintln!("timing open {:.3}", outcomes.open.as_secs_f64());
                        eprintln!("joins {}", outcomes.joins);
                    }
                    for o in outcomes {
                        println!(
                            "{}: {} alerts raised, {} updated ({} subjects found)",
                            o.model, o.counts.raised, o.counts.updated, o.hits
                        );
                        if timings {
                            eprintln!("timing {} {:.3}", o.model, o.elapsed.as_secs_f64());
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&data_dir.display().to_string(), &e),
            }
        }
        Command::Alerts {
            data_dir,
            model,
            format,
            output,
        } => {
            let platform = match Platform::open(&data_dir, clock.clone()).await {
                Ok(p) => p,
                Err(e) => return fail(&data_dir.display().to_string(), &e),
            };
            let json = matches!(format, AlertFormat::Json);
            let (alerts, evidence) = match platform
                .export_all_alerts(&models::operator(), model.as_deref(), json)
                .await
            {
                Ok(x) => x,
                Err(e) => return fail(&data_dir.display().to_string(), &e),
            };
            let text = if json {
                alerts_json(&alerts, &evidence)
            } else {
                alerts_csv(&alerts)
            };
            match output {
                Some(path) => {
                    if let Err(e) = std::fs::write(&path, text) {
                        eprintln!("error: {}: {e}", path.display());
                        return ExitCode::from(EXIT_INTERNAL);
                    }
                }
                None => print!("{text}"),
            }
            ExitCode::SUCCESS
        }
        Command::Types { data_dir } => {
            let platform = match Platform::open(&data_dir, clock.clone()).await {
                Ok(p) => p,
                Err(e) => return fail(&data_dir.display().to_string(), &e),
            };
            match platform.dataset_types().await {
                Ok(types) => {
                    for t in types {
                        let period = if t.period { "monthly" } else { "snapshot" };
                        println!(
                            "{}\t{}\t{period}\t{} fields",
                            t.name,
                            t.label,
                            t.fields.len()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&data_dir.display().to_string(), &e),
            }
        }
        Command::DefineType {
            data_dir,
            name,
            file,
        } => {
            let label = file.display().to_string();
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => return fail(&label, &AppError::File(FileError::Io(e))),
            };
            let ty = match mingjing_domain::DatasetType::parse_definition(&name, &text) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: {label}: {e}");
                    return ExitCode::from(EXIT_BAD_INPUT);
                }
            };
            let platform = match Platform::open(&data_dir, clock.clone()).await {
                Ok(p) => p,
                Err(e) => return fail(&data_dir.display().to_string(), &e),
            };
            match platform
                .define_type(&models::operator(), &ty.name, &text)
                .await
            {
                Ok(ty) => {
                    println!(
                        "dataset type {} ({}) defined with {} fields",
                        ty.name,
                        ty.label,
                        ty.fields.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&label, &e),
            }
        }
        Command::Check { data_dir } => {
            let platform = match Platform::open(&data_dir, clock.clone()).await {
                Ok(p) => p,
                Err(e) => return fail(&data_dir.display().to_string(), &e),
            };
            match platform.verify().await {
                Ok(problems) if problems.is_empty() => {
                    println!("{}: consistent", data_dir.display());
                    ExitCode::SUCCESS
                }
                Ok(problems) => {
                    for p in &problems {
                        eprintln!("{p}");
                    }
                    eprintln!("error: {}: {} problems", data_dir.display(), problems.len());
                    ExitCode::from(EXIT_BAD_INPUT)
                }
                Err(e) => fail(&data_dir.display().to_string(), &e),
            }
        }
        Command::Generate {
            out,
            seed,
            persons,
            months,
            last_month,
        } => {
            let last = match last_month.map(|m| mingjing_domain::calendar::parse_month(&m)) {
                None => mingjing_synth::default_last_month(clock.today()),
                Some(Ok(m)) => m,
                Some(Err(e)) => {
                    eprintln!("error: --last-month: {e}");
                    return ExitCode::from(EXIT_MISUSE);
                }
            };
            let spec = mingjing_synth::Spec {
                seed,
                persons,
                months,
                last_month: last,
            };
            match mingjing_synth::generate(&spec, &out) {
                Ok(summary) => {
                    println!("{summary}");
                    ExitCode::SUCCESS
                }
                Err(e @ mingjing_synth::SynthError::TooSmall) => {
                    eprintln!("error: {e}");
                    ExitCode::from(EXIT_MISUSE)
                }
                Err(e) => {
                    eprintln!("error: {}: {e}", out.display());
                    ExitCode::from(EXIT_INTERNAL)
                }
            }
        }
    }
}

async fn demo(
    data_dir: &std::path::Path,
    persons: u32,
    seed: u64,
    listen: String,
    no_serve: bool,
    no_models: bool,
    clock: &Clock,
) -> ExitCode {
    let files = data_dir.join("county-files");
    if !files.join("manifest.csv").exists() {
        let spec = mingjing_synth::Spec {
            seed,
            persons,
            months: 12,
            last_month: mingjing_synth::default_last_month(clock.today()),
        };
        match mingjing_synth::generate(&spec, &files) {
            Ok(summary) => println!("{summary}"),
            Err(e) => {
                eprintln!("error: {}: {e}", files.display());
                return ExitCode::from(EXIT_INTERNAL);
            }
        }
    }
    let platform = match Platform::init(data_dir, None, clock.clone()).await {
        Ok(p) => p,
        Err(e) => return fail(&data_dir.display().to_string(), &e),
    };
    let manifest = match mingjing_app::read_manifest(&files.join("manifest.csv")) {
        Ok(m) => m,
        Err(e) => return fail(&files.display().to_string(), &e),
    };
    // The organisation tree first, so that uploads land on its units.
    let towns = mingjing_synth::names::towns();
    if let Err(e) = platform.seed_orgs(&towns).await {
        return fail(&data_dir.display().to_string(), &e);
    }
    let (mut loaded, mut rows) = (0usize, 0u64);
    for entry in &manifest {
        let label = entry.file.display().to_string();
        let bytes = match read_limited(&entry.file, platform.config.limits.max_file_bytes) {
            Ok(b) => b,
            Err(e) => return fail(&label, &e),
        };
        let name = entry
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let outcome = platform
            .import(ImportInput {
                dataset_type: &entry.dataset_type,
                org: &entry.org,
                period: entry.period.as_deref(),
                file_name: &name,
                bytes,
                actor: &models::operator(),
            })
            .await;
        match outcome {
            Ok(ImportOutcome::Loaded { checked, .. }) => {
                loaded += 1;
                rows += checked.rows;
            }
            Ok(ImportOutcome::AlreadyLoaded { .. }) => {}
            Err(e) => return fail(&label, &e),
        }
    }
    println!(
        "demo platform in {}: {} files loaded now ({rows} rows), {} in the manifest",
        data_dir.display(),
        loaded,
        manifest.len()
    );
    // Every unit that sent data is scheduled to send it by the 10th of each month.
    if let Err(e) = demo_schedules(&platform, &manifest).await {
        return fail(&data_dir.display().to_string(), &e);
    }
    // The county's data ends with last month: run the models as of its last day.
    let as_of = mingjing_synth::default_last_month(clock.today()).last_day();
    let outcome = if no_models {
        println!("models not run (--no-models)");
        None
    } else {
        Some(platform.run_models(&models::operator(), &[], as_of).await)
    };
    match outcome {
        None => {}
        Some(Ok(outcomes)) => {
            let raised: u64 = outcomes.iter().map(|o| o.counts.raised).sum();
            let open = platform.alert_count().await.unwrap_or(0);
            println!("models run as of {as_of}: {raised} alerts raised now, {open} in all");
        }
        Some(Err(e)) => return fail(&data_dir.display().to_string(), &e),
    }
    let accounts = match platform
        .seed_demo_accounts(&towns[0].0, DEMO_PASSWORD)
        .await
    {
        Ok(a) => a,
        Err(e) => return fail(&data_dir.display().to_string(), &e),
    };
    println!("demo accounts (password {DEMO_PASSWORD}):");
    for (user, role, secret) in &accounts {
        match secret {
            Some(s) => {
                println!("  {user:<12} {role:<20} TOTP secret {s}  (code: mingjing totp-code {s})")
            }
            None => println!("  {user:<12} {role}"),
        }
    }
    if no_serve {
        return ExitCode::SUCCESS;
    }
    serve::init_logging();
    let config = match serve::server_config(&platform, Some(listen)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_MISUSE);
        }
    };
    serve::run(platform, config, &data_dir.display().to_string()).await
}

/// The demo accounts' password (it passes the default policy).
const DEMO_PASSWORD: &str = "Mingjing@2026demo";

/// `--as-of YYYY-MM-DD`, default today.
fn parse_as_of(as_of: Option<String>, clock: &Clock) -> Result<chrono::NaiveDate, ExitCode> {
    match as_of.map(|d| mingjing_domain::calendar::parse_date(&d)) {
        None => Ok(clock.today()),
        Some(Ok(d)) => Ok(d),
        Some(Err(e)) => {
            eprintln!("error: --as-of: {e}");
            Err(ExitCode::from(EXIT_MISUSE))
        }
    }
}

fn amount_text(fen: Option<i64>) -> String {
    fen.and_then(mingjing_domain::Money::from_fen)
        .map(|m| m.to_string())
        .unwrap_or_default()
}

/// `model,subject,program,name,amount,evidence_rows,status`, RFC 4180, UTF-8 without BOM.
fn alerts_csv(alerts: &[mingjing_store::Alert]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record([
        "model",
        "subject",
        "program",
        "name",
        "amount",
        "evidence_rows",
        "status",
    ])
    .expect("in memory");
    for a in alerts {
        w.write_record([
            a.model.as_str(),
            &a.subject,
            &a.program,
            &a.name,
            &amount_text(a.amount_fen),
            &a.evidence_rows.to_string(),
            &a.status,
        ])
        .expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8")
}

/// Alerts with the rows they cite: dataset, upload folder, row, and whether the row fired.
fn alerts_json(
    alerts: &[mingjing_store::Alert],
    evidence: &[Vec<mingjing_store::EvidenceRow>],
) -> String {
    let list: Vec<serde_json::Value> = alerts
        .iter()
        .zip(evidence)
        .map(|(a, ev)| {
            let ev: Vec<serde_json::Value> = ev
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "dataset": e.dataset,
                        "upload": e.upload_dir,
                        "row": e.row,
                        "fired": e.firing,
                        "amount": amount_text(e.amount_fen),
                    })
                })
                .collect();
            serde_json::json!({
                "id": a.id,
                "model": a.model,
                "model_version": a.model_version,
                "subject": a.subject,
                "program": a.program,
                "name": a.name,
                "amount": a.amount_fen.and_then(mingjing_domain::Money::from_fen).map(|m| m.to_string()),
                "responsible": a.responsible,
                "evidence_rows": a.evidence_rows,
                "status": a.status,
                "raised_at": a.raised_at,
                "previous_id": a.previous_id,
                "evidence": ev,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&list).expect("serialisable");
    text.push('\n');
    text
}

/// Reads a file, refusing one over the limit before reading it.
fn read_limited(path: &PathBuf, limit: u64) -> Result<Vec<u8>, AppError> {
    let size = std::fs::metadata(path)
        .map_err(|e| AppError::File(FileError::Io(e)))?
        .len();
    if size > limit {
        return Err(AppError::File(FileError::TooLarge { size, limit }));
    }
    std::fs::read(path).map_err(|e| AppError::File(FileError::Io(e)))
}

async fn demo_schedules(
    platform: &Platform,
    manifest: &[mingjing_app::ManifestEntry],
) -> Result<(), mingjing_app::AppError> {
    let tree = platform.org_tree().await?;
    let mut seen = std::collections::BTreeSet::new();
    for e in manifest {
        let Some(org) = tree.iter().find(|o| o.name == e.org) else {
            continue;
        };
        if seen.insert((e.dataset_type.clone(), org.id)) {
            let s = mingjing_store::disposal::UploadSchedule {
                dataset_type: e.dataset_type.clone(),
                org_id: org.id,
                due_day: 10,
            };
            platform.set_schedule(&models::operator(), &s).await?;
        }
    }
    Ok(())
}

/// `keys rotate` (a new version, `settle` for servers to take it up, then the reseal) and
/// `keys reseal` (the reseal alone).
async fn keys_reseal(
    data_dir: &std::path::Path,
    key: &str,
    settle: Option<u64>,
    clock: &Clock,
) -> ExitCode {
    let place = data_dir.display().to_string();
    let purpose = match mingjing_app::rotation::purpose(key) {
        Ok(p) => p,
        Err(e) => return fail(&place, &e),
    };
    let platform = match Platform::open(data_dir, clock.clone()).await {
        Ok(p) => p,
        Err(e) => return fail(&place, &e),
    };
    let progress = |step: &str| eprintln!("{step}");
    let done = match settle {
        Some(seconds) => {
            let settle = std::time::Duration::from_secs(seconds);
            platform.rotate_data_key(purpose, settle, progress).await
        }
        None => platform.reseal(purpose, progress).await,
    };
    match done {
        Ok(report) => {
            println!("{place}: {report}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&place, &e),
    }
}

fn fail(what: &str, e: &AppError) -> ExitCode {
    let code = match e {
        AppError::UnknownType(_)
        | AppError::PeriodRequired(_)
        | AppError::PeriodRefused(_)
        | AppError::BadPeriod(_)
        | AppError::NotInitialised(_)
        | AppError::NotProtected { .. }
        | AppError::Config { .. } => EXIT_MISUSE,
        AppError::UnknownModel(_) => EXIT_MISUSE,
        AppError::InvalidModel(_) | AppError::Store(mingjing_store::StoreError::Invalid(_)) => {
            EXIT_BAD_INPUT
        }
        AppError::File(FileError::Io(_))
        | AppError::Store(_)
        | AppError::Engine(_)
        | AppError::Workbook(_)
        | AppError::Render(_) => EXIT_INTERNAL,
        AppError::File(_)
        | AppError::SignIn(_)
        | AppError::WeakPassword(_)
        | AppError::InvalidPolicy(_)
        | AppError::SessionExpired
        | AppError::FileTypeRefused(_)
        | AppError::Disposal(_)
        | AppError::NotResponsible(_)
        | AppError::NotPermitted(_)
        | AppError::Invalid(_)
        | AppError::NotFound(_)
        | AppError::PersonsRejected(_)
        | AppError::TimedOut { .. } => EXIT_BAD_INPUT,
    };
    match e {
        AppError::File(FileError::Rows { total, .. }) => {
            eprintln!("error: {what}: rejected with {total} errors; nothing was loaded");
            eprintln!("{e}");
        }
        AppError::File(FileError::Header(_)) => {
            eprintln!("error: {what}: rejected, the header does not fit; nothing was loaded");
            eprintln!("{e}");
        }
        AppError::File(_) => {
            eprintln!("error: {what}: rejected: {e}; nothing was loaded");
        }
        _ => eprintln!("error: {what}: {e}"),
    }
    ExitCode::from(code)
}
