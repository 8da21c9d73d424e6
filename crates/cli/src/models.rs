//! `mingjing model …` and `mingjing explain`: the model library and alerts in words, from the
//! command line (the web UI offers the same through the server).

use crate::{EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_MISUSE, fail, parse_as_of};
use clap::Subcommand;
use mingjing_app::{Clock, Platform};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ModelAction {
    /// List the library: id, version, enabled, what each model reads, its name.
    List,
    /// Print a model's file (the current version unless --version is given).
    Export {
        id: String,
        #[arg(long)]
        version: Option<i64>,
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Check a model file without saving it.
    Check {
        file: PathBuf,
    },
    /// Run a model file over the current data without saving anything: hit count and samples.
    DryRun {
        file: PathBuf,
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long, default_value_t = 10)]
        sample: usize,
    },
    /// Save a self-service model from its file (a new id, or the next version of one's own).
    Define {
        file: PathBuf,
    },
    /// Change parameters (NAME=VALUE, VALUE in TOML: 2, "text", ["DIBAO"]): a new version.
    Set {
        id: String,
        #[arg(required = true)]
        values: Vec<String>,
    },
    Enable {
        id: String,
    },
    Disable {
        id: String,
    },
    /// The enabled models' queries (parameters bound), the building blocks, the current files
    /// of every type and the programmes, as JSON (for running the same logic elsewhere).
    Plan {
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Run models (those named, or every enabled one) and print each stage's and query's plan
    /// with the engine's metrics: rows, time and spills per operator. Records nothing.
    Profile {
        #[arg(long = "model")]
        models: Vec<String>,
        #[arg(long)]
        as_of: Option<String>,
    },
}

/// The operator at this machine's command line, as audit records and model versions name them.
pub fn operator() -> mingjing_app::Actor {
    mingjing_app::Actor::operator(&std::env::var("USER").unwrap_or_else(|_| "unknown".into()))
}

fn read_text(path: &PathBuf) -> Result<String, ExitCode> {
    std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: {}: {e}", path.display());
        ExitCode::from(EXIT_BAD_INPUT)
    })
}

pub async fn model(data_dir: PathBuf, action: ModelAction, clock: &Clock) -> ExitCode {
    let here = data_dir.display().to_string();
    let platform = match Platform::open(&data_dir, clock.clone()).await {
        Ok(p) => p,
        Err(e) => return fail(&here, &e),
    };
    match action {
        ModelAction::List => match platform.library().await {
            Ok(list) => {
                for m in list {
                    println!(
                        "{}\tv{}\t{}\t{}\t{}\t{}",
                        m.record.id,
                        m.record.current_version,
                        if m.record.enabled {
                            "enabled"
                        } else {
                            "disabled"
                        },
                        if m.record.builtin {
                            "built-in"
                        } else {
                            "self-service"
                        },
                        m.record.reads.join(","),
                        m.spec.name
                    );
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&here, &e),
        },
        ModelAction::Export {
            id,
            version,
            output,
        } => match platform.export_model(&operator(), &id, version).await {
            Ok(text) => match output {
                Some(p) => match std::fs::write(&p, text) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("error: {}: {e}", p.display());
                        ExitCode::from(EXIT_INTERNAL)
                    }
                },
                None => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
            },
            Err(e) => fail(&here, &e),
        },
        ModelAction::Check { file } => {
            let text = match read_text(&file) {
                Ok(t) => t,
                Err(c) => return c,
            };
            match platform.check_model(&text).await {
                Ok((spec, reads)) => {
                    println!(
                        "{}: model {} is valid; it reads {}",
                        file.display(),
                        spec.id,
                        reads.join(", ")
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&file.display().to_string(), &e),
            }
        }
        ModelAction::DryRun {
            file,
            as_of,
            sample,
        } => {
            let as_of = match parse_as_of(as_of, clock) {
                Ok(d) => d,
                Err(c) => return c,
            };
            let text = match read_text(&file) {
                Ok(t) => t,
                Err(c) => return c,
            };
            match platform.dry_run(&operator(), &text, as_of, sample).await {
                Ok(d) => {
                    println!("{} hits (dry run: nothing saved)", d.hits);
                    for h in d.sample {
                        let amount = h.amount.map(|m| m.to_string()).unwrap_or_default();
                        println!(
                            "{}\t{}\t{}\t{}\t{} evidence rows",
                            mingjing_server::scope::mask_id(&h.subject),
                            h.program,
                            h.name,
                            amount,
                            h.evidence.len()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&file.display().to_string(), &e),
            }
        }
        ModelAction::Define { file } => {
            let text = match read_text(&file) {
                Ok(t) => t,
                Err(c) => return c,
            };
            match platform.define_model(&operator(), &text).await {
                Ok((id, v)) => {
                    println!("saved model {id} as version {v}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&file.display().to_string(), &e),
            }
        }
        ModelAction::Set { id, values } => {
            let mut parsed = BTreeMap::new();
            for v in values {
                let Some((name, value)) = v.split_once('=') else {
                    eprintln!("error: '{v}': expected NAME=VALUE");
                    return ExitCode::from(EXIT_MISUSE);
                };
                parsed.insert(name.trim().to_string(), Platform::param_value(value));
            }
            match platform.set_model_params(&operator(), &id, &parsed).await {
                Ok(v) => {
                    println!("model {id} is now version {v}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&here, &e),
            }
        }
        ModelAction::Plan { as_of } => {
            let as_of = match parse_as_of(as_of, clock) {
                Ok(d) => d,
                Err(c) => return c,
            };
            match platform.engine_plan(as_of).await {
                Ok(v) => {
                    println!("{}", serde_json::to_string_pretty(&v).expect("json"));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&here, &e),
            }
        }
        ModelAction::Profile { models, as_of } => {
            let as_of = match parse_as_of(as_of, clock) {
                Ok(d) => d,
                Err(c) => return c,
            };
            match platform.profile_models(&models, as_of).await {
                Ok(profiles) => {
                    for (model, text) in profiles {
                        println!("== {model}\n{text}");
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&here, &e),
            }
        }
        ModelAction::Enable { id } => toggle(&platform, &here, &id, true).await,
        ModelAction::Disable { id } => toggle(&platform, &here, &id, false).await,
    }
}

async fn toggle(platform: &Platform, here: &str, id: &str, enabled: bool) -> ExitCode {
    match platform.set_model_enabled(&operator(), id, enabled).await {
        Ok(()) => {
            println!(
                "model {id} {}",
                if enabled { "enabled" } else { "disabled" }
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(here, &e),
    }
}

/// `mingjing explain --alert N`: why an alert fired, and the rows it cites.
pub async fn explain(data_dir: PathBuf, alert: i64, json: bool, clock: &Clock) -> ExitCode {
    let here = data_dir.display().to_string();
    let platform = match Platform::open(&data_dir, clock.clone()).await {
        Ok(p) => p,
        Err(e) => return fail(&here, &e),
    };
    let detail = match platform.explain_alert(&operator(), alert).await {
        Ok(Some(d)) => d,
        Ok(None) => {
            eprintln!("error: {here}: there is no alert #{alert}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        Err(e) => return fail(&here, &e),
    };
    if json {
        let v = serde_json::json!({
            "alert": detail.alert.id,
            "model": detail.alert.model,
            "model_version": detail.alert.model_version,
            "explanation": detail.explanation,
            "rows": detail.rows,
        });
        println!("{}", serde_json::to_string_pretty(&v).expect("json"));
        return ExitCode::SUCCESS;
    }
    let a = &detail.alert;
    println!(
        "预警 #{}  {}  {}  {}",
        a.id,
        mingjing_server::scope::mask_id(&a.subject),
        a.name,
        a.program
    );
    println!("{}", detail.explanation.summary);
    for c in &detail.explanation.conditions {
        println!("【{}】{}", c.kind, c.label);
        println!("    规则：{}", c.rule);
        if !c.rows.is_empty() {
            let rows: Vec<String> = c
                .rows
                .iter()
                .map(|r| {
                    format!(
                        "第 {} 行（上传 {}）",
                        r.row,
                        &r.upload[..r.upload.len().min(8)]
                    )
                })
                .collect();
            println!("    依据：{} {}", c.dataset, rows.join("、"));
        }
    }
    for t in &detail.rows {
        println!("—— {}（{}）", t.dataset_label, t.dataset);
        println!("    {}", t.rows.columns.join(" | "));
        for r in &t.rows.rows {
            let cells: Vec<String> = t
                .rows
                .columns
                .iter()
                .zip(r)
                .map(|(col, v)| {
                    let v = v.clone().unwrap_or_default();
                    if col.contains("id_number") || col.ends_with("_id") {
                        mingjing_server::scope::mask_id(&v)
                    } else {
                        v
                    }
                })
                .collect();
            println!("    {}", cells.join(" | "));
        }
    }
    ExitCode::SUCCESS
}
