//! The model library as a service: built-in and self-service models, their versions,
//! validation, dry runs, runs (on demand, after an upload, on a schedule) and alerts explained.

use crate::{AppError, Platform};
use mingjing_domain::Standard;
use mingjing_engine::compile;
use mingjing_engine::explain::Explanation;
use mingjing_engine::rows::TextRows;
use mingjing_engine::session::{self, DatasetFiles};
use mingjing_engine::spec::{Condition, ModelSpec};
use mingjing_engine::validate::Planner;
use mingjing_engine::{BoundModel, Evidence, Hit};
use mingjing_store::{Alert, AlertHit, EvidenceRow, ModelRecord, ModelRunResult, NewModelVersion};
use std::collections::BTreeMap;

/// A model of the library, parsed.
#[derive(Debug, Clone)]
pub struct LibraryModel {
    pub record: ModelRecord,
    pub spec: ModelSpec,
}

/// What a dry run found: nothing is saved.
#[derive(Debug, Clone)]
pub struct DryRun {
    pub hits: usize,
    pub reads: Vec<String>,
    /// The first hits, ordered by subject.
    pub sample: Vec<Hit>,
}

/// Why a run happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    Manual,
    /// An upload of this dataset type landed.
    Upload(String),
    Schedule,
}

impl Trigger {
    /// As recorded in `model_runs.run_trigger`.
    pub fn tag(&self) -> String {
        match self {
            Trigger::Manual => "manual".into(),
            Trigger::Upload(t) => format!("upload:{t}"),
            Trigger::Schedule => "schedule".into(),
        }
    }
}

/// One model's result in a run.
#[derive(Debug, Clone)]
pub struct ModelOutcome {
    pub model: String,
    pub hits: u64,
    pub counts: mingjing_store::HitCounts,
    /// The engine's time for this model (its query and grouping).
    pub elapsed: std::time::Duration,
}

/// An alert with its explanation and the rows it cites, per dataset.
#[derive(Debug, Clone)]
pub struct AlertDetail {
    pub alert: Alert,
    pub explanation: Explanation,
    /// Per dataset (and upload), the cited rows as text.
    pub rows: Vec<EvidenceTable>,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct EvidenceTable {
    pub dataset: String,
    pub dataset_label: String,
    pub upload_dir: String,
    pub rows: TextRows,
}

/// What a run did, model by model, and the time it took to open the data.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    pub models: Vec<ModelOutcome>,
    /// Opening the session: building blocks and the register's names.
    pub open: std::time::Duration,
    /// How the engine joined (`mingjing_engine::Timings::joins`).
    pub joins: String,
}

impl std::ops::Deref for RunOutcome {
    type Target = [ModelOutcome];
    fn deref(&self) -> &[ModelOutcome] {
        &self.models
    }
}

impl IntoIterator for RunOutcome {
    type Item = ModelOutcome;
    type IntoIter = std::vec::IntoIter<ModelOutcome>;
    fn into_iter(self) -> Self::IntoIter {
        self.models.into_iter()
    }
}

impl Platform {
    /// The schemas of every dataset type and the programmes in the standard's order (the
    /// order "the later-listed programme" depends on).
    pub(crate) async fn catalog(
        &self,
        with_files: bool,
    ) -> Result<(Vec<DatasetFiles>, Vec<mingjing_domain::Program>), AppError> {
        let mut datasets = Vec::new();
        for ty in self.meta.dataset_types().await? {
            let files = if with_files {
                self.current_files(&ty.name).await?
            } else {
                Vec::new()
            };
            datasets.push(DatasetFiles {
                schema: mingjing_ingest::columnar::schema(&ty),
                name: ty.name,
                files,
            });
        }
        let order = Standard::builtin_ref();
        let mut programs = self.meta.programs().await?;
        programs.sort_by_key(|p| {
            order
                .programs
                .iter()
                .position(|o| o.code == p.code)
                .unwrap_or(usize::MAX)
        });
        Ok((datasets, programs))
    }

    async fn planner(&self) -> Result<Planner, AppError> {
        let (datasets, programs) = self.catalog(false).await?;
        Planner::new(&datasets, &programs)
            .await
            .map_err(|e| AppError::Engine(e.into()))
    }

    /// Puts the built-in models into the library where they are missing (first start, or a
    /// release that adds models), and moves a built-in to the release's newer version when the
    /// library still runs an older one. A model whose parameters were changed locally to a
    /// version at or past the release's keeps the local version (decisions.md).
    pub async fn install_builtin_models(&self) -> Result<(), AppError> {
        let records = self.meta.models().await?;
        let builtins = mingjing_engine::builtin::all();
        let todo: Vec<(&ModelSpec, Option<&ModelRecord>)> = builtins
            .iter()
            .filter_map(|b| match records.iter().find(|r| r.id == b.id) {
                None => Some((b, None)),
                Some(r) if r.builtin && i64::from(b.version) > r.current_version => {
                    Some((b, Some(r)))
                }
                Some(_) => None,
            })
            .collect();
        if todo.is_empty() {
            return Ok(());
        }
        let planner = self.planner().await?;
        let county = self.county().await?;
        for (spec, existing) in todo {
            let checked = planner.check(spec, &county).await.map_err(|p| {
                AppError::InvalidModel(vec![format!(
                    "built-in model {}: {}",
                    spec.id,
                    p.join("; ")
                )])
            })?;
            let mut version = NewModelVersion {
                id: spec.id.clone(),
                version: i64::from(spec.version),
                builtin: true,
                spec: mingjing_engine::builtin::source(&spec.id)
                    .expect("a built-in has a source")
                    .to_string(),
                note: "built-in".into(),
                created_by: "system".into(),
                reads: checked.reads.into_iter().collect(),
            };
            match existing {
                None => {
                    self.meta.install_model(&version).await?;
                }
                Some(r) => {
                    // Versions are consecutive: the release's file becomes the next one.
                    version.version = r.current_version + 1;
                    let mut s = spec.clone();
                    s.version = u32::try_from(version.version).expect("small");
                    version.spec = s.to_toml();
                    version.note = format!("built-in, release version {}", spec.version);
                    self.meta.add_model_version(&version).await?;
                }
            }
        }
        Ok(())
    }

    /// The library in the standard's order (built-ins by number, then self-service by id).
    pub async fn library(&self) -> Result<Vec<LibraryModel>, AppError> {
        let mut out = Vec::new();
        for record in self.meta.models().await? {
            let spec = ModelSpec::parse(&record.spec).map_err(|e| {
                AppError::Store(mingjing_store::StoreError::Corrupt(format!(
                    "model {} v{}: {e}",
                    record.id, record.current_version
                )))
            })?;
            out.push(LibraryModel { record, spec });
        }
        out.sort_by_key(|m| (!m.record.builtin, m.record.id.clone()));
        Ok(out)
    }

    async fn library_model(&self, id: &str) -> Result<LibraryModel, AppError> {
        self.library()
            .await?
            .into_iter()
            .find(|m| m.record.id == id)
            .ok_or_else(|| AppError::UnknownModel(id.to_string()))
    }

    /// Parses and checks a model file; every problem is reported.
    pub async fn check_model(&self, text: &str) -> Result<(ModelSpec, Vec<String>), AppError> {
        let spec = ModelSpec::parse(text).map_err(|e| AppError::InvalidModel(vec![e]))?;
        let county = self.county().await?;
        let checked = self
            .planner()
            .await?
            .check(&spec, &county)
            .await
            .map_err(AppError::InvalidModel)?;
        Ok((spec, checked.reads.into_iter().collect()))
    }

    /// Saves a self-service model from its file: a new id becomes version 1, a known
    /// self-service id its next version. The platform numbers versions (a shared file's own
    /// number is replaced). Built-in models are changed only through their parameters.
    /// Audited (`model.define`).
    pub async fn define_model(
        &self,
        actor: &crate::Actor,
        text: &str,
    ) -> Result<(String, i64), AppError> {
        let (mut spec, reads) = self.check_model(text).await?;
        let existing = self
            .meta
            .models()
            .await?
            .into_iter()
            .find(|m| m.id == spec.id);
        let version = match existing {
            Some(m) if m.builtin => {
                return Err(AppError::InvalidModel(vec![format!(
                    "{} is a built-in model: change its parameters instead, or give the new model another id",
                    spec.id
                )]));
            }
            Some(m) => m.current_version + 1,
            None => 1,
        };
        spec.version = u32::try_from(version).expect("versions are small");
        self.meta
            .add_model_version(&NewModelVersion {
                id: spec.id.clone(),
                version,
                builtin: false,
                spec: spec.to_toml(),
                note: if version == 1 {
                    "defined".into()
                } else {
                    "redefined".into()
                },
                created_by: actor.username.clone(),
                reads,
            })
            .await?;
        let mut e = actor.entry("model.define", format!("model:{}", spec.id), "ok");
        e.detail = format!("version {version}");
        self.meta.audit(&e).await?;
        Ok((spec.id, version))
    }

    /// A parameter value as a person types it: a TOML literal (`80`, `"1200.00"`,
    /// `["DIBAO", "TEKUN"]`), or else a bare word as text.
    pub fn param_value(text: &str) -> toml::Value {
        match toml::from_str::<toml::Table>(&format!("v = {text}")) {
            Ok(mut t) => t.remove("v").expect("just written"),
            Err(_) => toml::Value::String(text.to_string()),
        }
    }

    /// Changes a model's parameter defaults: a new version, which later alerts name.
    /// Audited (`model.params`) with the values as given.
    pub async fn set_model_params(
        &self,
        actor: &crate::Actor,
        id: &str,
        values: &BTreeMap<String, toml::Value>,
    ) -> Result<i64, AppError> {
        let m = self.library_model(id).await?;
        let mut spec = m.spec.clone();
        let county = self.county().await?;
        let today = self.today();
        // Rejects unknown parameters and values of the wrong type.
        compile::resolve_params(&spec, values, &county, today)
            .map_err(|e| AppError::InvalidModel(vec![e.to_string()]))?;
        for (name, v) in values {
            spec.params.get_mut(name).expect("resolved above").default = v.clone();
        }
        let version = m.record.current_version + 1;
        spec.version = u32::try_from(version).expect("versions are small");
        let note = values
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.meta
            .add_model_version(&NewModelVersion {
                id: spec.id.clone(),
                version,
                builtin: m.record.builtin,
                spec: spec.to_toml(),
                note: format!("parameters: {note}"),
                created_by: actor.username.clone(),
                reads: m.record.reads.clone(),
            })
            .await?;
        let mut e = actor.entry("model.params", format!("model:{id}"), "ok");
        e.detail = values
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        self.meta.audit(&e).await?;
        Ok(version)
    }

    /// Enables or disables a model (audited `model.enable` / `model.disable`).
    pub async fn set_model_enabled(
        &self,
        actor: &crate::Actor,
        id: &str,
        enabled: bool,
    ) -> Result<(), AppError> {
        self.library_model(id).await?;
        self.meta.set_model_enabled(id, enabled).await?;
        let action = if enabled {
            "model.enable"
        } else {
            "model.disable"
        };
        self.meta
            .audit(&actor.entry(action, format!("model:{id}"), "ok"))
            .await?;
        Ok(())
    }

    /// A model's file (the current version unless one is named).
    pub async fn model_text(&self, id: &str, version: Option<i64>) -> Result<String, AppError> {
        let m = self.library_model(id).await?;
        let v = version.unwrap_or(m.record.current_version);
        self.meta
            .model_version(id, v)
            .await?
            .ok_or_else(|| AppError::UnknownModel(format!("{id} v{v}")))
    }

    /// A model's file exported for sharing with other counties (audited `model.export`).
    pub async fn export_model(
        &self,
        actor: &crate::Actor,
        id: &str,
        version: Option<i64>,
    ) -> Result<String, AppError> {
        let text = self.model_text(id, version).await?;
        self.meta
            .audit(&actor.entry("model.export", format!("model:{id}"), "ok"))
            .await?;
        Ok(text)
    }

    /// Runs a model file over the current data without saving anything; audited
    /// (`model.dry_run`) with the number of hits.
    pub async fn dry_run(
        &self,
        actor: &crate::Actor,
        text: &str,
        as_of: chrono::NaiveDate,
        sample: usize,
    ) -> Result<DryRun, AppError> {
        let _reading = self.reading_files().await?;
        let (spec, reads) = self.check_model(text).await?;
        let county = self.county().await?;
        let params = compile::resolve_params(&spec, &Default::default(), &county, as_of)
            .map_err(mingjing_engine::EngineError::from)?;
        let (datasets, programs) = self.catalog(true).await?;
        let mut limits = self.run_limits()?;
        // A dry run runs beside the scheduled and on-demand runs, in half their pool
        // (it spills or fails sooner, never starves them), one at a time, within its time
        // limit: dropping the run at the limit cancels its queries.
        limits.memory_bytes =
            (limits.memory_bytes / 2).max((crate::MIN_ENGINE_MEMORY_MB as usize) << 20);
        let seconds = self
            .config
            .limits
            .dry_run_seconds
            .unwrap_or(crate::DEFAULT_DRY_RUN_SECONDS);
        let models = [BoundModel {
            spec: &spec,
            params,
        }];
        let run = async {
            let _turn = self
                .dry_runs
                .acquire()
                .await
                .expect("the semaphore is never closed");
            crate::offload::run_models(datasets, programs, limits, &models)
                .await
                .map(|(hits, _)| hits)
        };
        let mut hits = tokio::time::timeout(std::time::Duration::from_secs(seconds), run)
            .await
            .map_err(|_| AppError::TimedOut {
                what: "the dry run",
                seconds,
            })??;
        crate::protect::reveal_hits(&*self.meta.column_cipher()?, &mut hits)?;
        hits.sort_by(|a, b| (&a.subject, &a.program).cmp(&(&b.subject, &b.program)));
        let n = hits.len();
        hits.truncate(sample);
        let mut e = actor.entry("model.dry_run", "model", "ok");
        e.detail = format!("{n} hits");
        self.meta.audit(&e).await?;
        Ok(DryRun {
            hits: n,
            reads,
            sample: hits,
        })
    }

    pub(crate) fn run_limits(&self) -> Result<session::RunLimits, AppError> {
        let spill = self.data.spill_dir()?;
        remove_stale_scratch(&spill);
        let mut limits = session::RunLimits {
            spill_dir: Some(spill),
            ..Default::default()
        };
        if let Some(mb) = self.config.limits.engine_memory_mb {
            limits.memory_bytes = usize::try_from(mb << 20).unwrap_or(usize::MAX);
        }
        if let Some(joins) = self.config.limits.engine_joins {
            limits.joins = joins;
        }
        if let Some(n) = self.config.limits.engine_partitions {
            limits.target_partitions = n.max(1);
        }
        Ok(limits)
    }

    /// Runs models (every enabled one when `only` is empty; named ones even if disabled) over
    /// the current data and records their alerts. `as_of` is "today" for the models that need
    /// one (M19). Audited (`model.run`) for whoever asked.
    pub async fn run_models(
        &self,
        actor: &crate::Actor,
        only: &[String],
        as_of: chrono::NaiveDate,
    ) -> Result<RunOutcome, AppError> {
        let outcome = self.run_models_for(only, as_of, Trigger::Manual).await?;
        let what = if only.is_empty() {
            "all enabled".to_string()
        } else {
            only.join(",")
        };
        let mut e = actor.entry("model.run", format!("models:{what}"), "ok");
        e.detail = format!("as of {as_of}");
        self.meta.audit(&e).await?;
        Ok(outcome)
    }

    /// Re-runs the enabled models that read `dataset_type` (an upload of it just landed).
    pub async fn rematch_after_upload(
        &self,
        dataset_type: &str,
        as_of: chrono::NaiveDate,
    ) -> Result<RunOutcome, AppError> {
        let ids: Vec<String> = self
            .library()
            .await?
            .into_iter()
            .filter(|m| m.record.enabled && m.record.reads.iter().any(|r| r == dataset_type))
            .map(|m| m.record.id)
            .collect();
        if ids.is_empty() {
            return Ok(RunOutcome::default());
        }
        self.run_models_for(&ids, as_of, Trigger::Upload(dataset_type.to_string()))
            .await
    }

    pub async fn run_models_for(
        &self,
        only: &[String],
        as_of: chrono::NaiveDate,
        trigger: Trigger,
    ) -> Result<RunOutcome, AppError> {
        let _reading = self.reading_files().await?;
        let started = self.clock().now_text();
        let library = self.library().await?;
        let chosen = choose(&library, only)?;
        let (county, datasets, programs, limits) = self.engine_inputs().await?;
        let bound = bind(&chosen, &county, as_of)?;
        let (mut hits, timings) =
            crate::offload::run_models(datasets, programs, limits, &bound).await?;
        crate::protect::reveal_hits(&*self.meta.column_cipher()?, &mut hits)?;
        let mut outcomes = Vec::new();
        let mut results = Vec::new();
        for m in &chosen {
            let spec = &m.spec;
            let mine: Vec<AlertHit> = hits
                .iter()
                .filter(|h| h.model == spec.id)
                .map(|h| AlertHit {
                    subject: h.subject.clone(),
                    program: h.program.clone(),
                    name: h.name.clone(),
                    has_amount: h.amount.is_some(),
                    responsible: h.responsible.clone(),
                    town: h.town.clone(),
                    village: h.village.clone(),
                    evidence: h
                        .evidence
                        .iter()
                        .map(|e| EvidenceRow {
                            dataset: e.evidence.dataset.clone(),
                            upload_dir: e.evidence.upload.clone(),
                            row: e.evidence.row,
                            amount_fen: e.amount.map(|m| m.fen()),
                            firing: e.firing,
                            condition: e.condition.tag(),
                        })
                        .collect(),
                })
                .collect();
            let counts = self.meta.apply_hits(&spec.id, spec.version, &mine).await?;
            results.push(ModelRunResult {
                model: spec.id.clone(),
                version: i64::from(spec.version),
                hits: mine.len() as u64,
                counts,
            });
            outcomes.push(ModelOutcome {
                model: spec.id.clone(),
                hits: mine.len() as u64,
                counts,
                elapsed: timings
                    .models
                    .iter()
                    .find(|(id, _)| *id == spec.id)
                    .map(|(_, d)| *d)
                    .unwrap_or_default(),
            });
        }
        self.meta
            .record_run(&started, &as_of.to_string(), &trigger.tag(), &results)
            .await?;
        // New alerts go to their units at once. Deadlines count from the day of routing, not
        // from the run's as-of date, which may lie in the past.
        self.route_new_alerts(self.today()).await?;
        self.refresh_priorities(None).await?;
        Ok(RunOutcome {
            models: outcomes,
            open: timings.open,
            joins: timings.joins,
        })
    }

    /// What the engine is given besides the models: the county's name, the current files of
    /// every type, the programmes and the run's limits.
    async fn engine_inputs(
        &self,
    ) -> Result<
        (
            String,
            Vec<session::DatasetFiles>,
            Vec<mingjing_domain::Program>,
            session::RunLimits,
        ),
        AppError,
    > {
        let county = self.county().await?;
        let (datasets, programs) = self.catalog(true).await?;
        Ok((county, datasets, programs, self.run_limits()?))
    }

    /// Each model's stages and query with the engine's metrics (`mingjing model profile`):
    /// runs them as a run would, records nothing.
    pub async fn profile_models(
        &self,
        only: &[String],
        as_of: chrono::NaiveDate,
    ) -> Result<Vec<(String, String)>, AppError> {
        let _reading = self.reading_files().await?;
        let library = self.library().await?;
        let chosen = choose(&library, only)?;
        let (county, datasets, programs, limits) = self.engine_inputs().await?;
        let bound = bind(&chosen, &county, as_of)?;
        Ok(mingjing_engine::profile(&datasets, &programs, &limits, &bound).await?)
    }

    /// The models' queries as they run (parameters bound), the building blocks, the current
    /// files of each type and the programmes: what the benchmark gives DuckDB.
    pub async fn engine_plan(
        &self,
        as_of: chrono::NaiveDate,
    ) -> Result<serde_json::Value, AppError> {
        let (datasets, programs) = self.catalog(true).await?;
        let county = self.county().await?;
        let mut models = serde_json::Map::new();
        for m in self.library().await?.iter().filter(|m| m.record.enabled) {
            let params = compile::resolve_params(&m.spec, &Default::default(), &county, as_of)
                .map_err(mingjing_engine::EngineError::from)?;
            let sql =
                compile::compile(&m.spec, &params).map_err(mingjing_engine::EngineError::from)?;
            models.insert(m.record.id.clone(), sql.into());
        }
        let types: Vec<serde_json::Value> = datasets
            .iter()
            .map(|d| {
                let columns: Vec<serde_json::Value> = d
                    .schema
                    .fields()
                    .iter()
                    .map(|f| serde_json::json!([f.name(), f.data_type().to_string()]))
                    .collect();
                serde_json::json!({
                    "name": d.name,
                    "files": d.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                    "columns": columns,
                })
            })
            .collect();
        let programs: Vec<serde_json::Value> = programs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                serde_json::json!({
                    "code": p.code, "label": p.label, "department": p.department,
                    "monthly_max": p.monthly_max.to_string(), "min_age": p.min_age,
                    "exclusive_with": p.exclusive_with.join(","), "ordinal": i,
                })
            })
            .collect();
        let blocks: Vec<serde_json::Value> = session::BLOCKS
            .iter()
            .map(|(n, sql)| serde_json::json!([n, sql]))
            .collect();
        Ok(serde_json::json!({
            "datasets": types, "programs": programs, "blocks": blocks, "models": models,
        }))
    }

    /// An alert, why it fired (with the parameters of the version that raised it) and the
    /// rows it cites.
    pub async fn alert_detail(&self, id: i64) -> Result<Option<AlertDetail>, AppError> {
        let _reading = self.reading_files().await?;
        let Some(alert) = self.meta.alert(id).await? else {
            return Ok(None);
        };
        let text = self
            .meta
            .model_version(&alert.model, alert.model_version)
            .await?
            .ok_or_else(|| {
                AppError::UnknownModel(format!("{} v{}", alert.model, alert.model_version))
            })?;
        let spec = ModelSpec::parse(&text).map_err(|e| {
            AppError::Store(mingjing_store::StoreError::Corrupt(format!(
                "model {}: {e}",
                alert.model
            )))
        })?;
        let county = self.county().await?;
        let as_of = self
            .clock()
            .day_of(&alert.raised_at)
            .unwrap_or_else(|| self.today());
        let params = compile::resolve_params(&spec, &Default::default(), &county, as_of)
            .map_err(mingjing_engine::EngineError::from)?;
        let evidence = self.meta.alert_evidence(id).await?;
        let cited: Vec<(Condition, Evidence)> = evidence
            .iter()
            .map(|e| {
                (
                    Condition::from_tag(&e.condition).unwrap_or(Condition::Fire),
                    Evidence {
                        // Alerts raised before evidence named the dataset behind a block.
                        dataset: session::row_source(&e.dataset).to_string(),
                        upload: e.upload_dir.clone(),
                        row: e.row,
                    },
                )
            })
            .collect();
        let types = self.meta.dataset_types().await?;
        let label = |name: &str| {
            types
                .iter()
                .find(|t| t.name == name)
                .map(|t| t.label.clone())
                .unwrap_or_else(|| name.to_string())
        };
        let explanation = mingjing_engine::explain::explain(&spec, &params, &cited, &label);
        let mut groups: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
        for e in &evidence {
            groups
                .entry((
                    session::row_source(&e.dataset).to_string(),
                    e.upload_dir.clone(),
                ))
                .or_default()
                .push(e.row);
        }
        let mut rows = Vec::new();
        for ((dataset, dir), numbers) in groups {
            let Some(ty) = types.iter().find(|t| t.name == dataset) else {
                continue;
            };
            let files: Vec<_> = self
                .meta
                .all_slices(&dataset)
                .await?
                .into_iter()
                .filter(|s| s.dir == dir)
                .map(|s| self.data.slice_path(&s.dir, &s.file))
                .collect();
            let mut text = mingjing_engine::rows::read_rows(
                mingjing_ingest::columnar::schema(ty),
                &files,
                Some(&numbers),
                numbers.len(),
            )
            .await
            .map_err(|e| AppError::Engine(e.into()))?;
            crate::protect::reveal_rows(&*self.meta.column_cipher()?, ty, &mut text)?;
            // Months are stored as their first day; people read them as months.
            for (i, col) in text.columns.iter().enumerate() {
                let is_month = ty
                    .fields
                    .iter()
                    .any(|f| &f.key == col && f.ty == mingjing_domain::standard::FieldType::Month);
                if is_month {
                    for r in &mut text.rows {
                        if let Some(Some(v)) = r.get_mut(i) {
                            v.truncate(7);
                        }
                    }
                }
            }
            rows.push(EvidenceTable {
                dataset_label: label(&dataset),
                dataset,
                upload_dir: dir,
                rows: text,
            });
        }
        Ok(Some(AlertDetail {
            alert,
            explanation,
            rows,
        }))
    }
}

/// Removes what runs that did not end (a killed process) left in the spill folder: scratch
/// folders a day old or more. A run removes its own when it ends; a younger folder may be a
/// run of another process on the same data directory.
fn remove_stale_scratch(spill: &std::path::Path) {
    const STALE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    let Ok(entries) = std::fs::read_dir(spill) else {
        return;
    };
    for e in entries.flatten() {
        // File times are the machine's: a scratch folder's age is measured by the machine's
        // clock, whatever the platform's clock says (a test's clock may be years ahead).
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= STALE);
        if old && e.path().is_dir() {
            // Best effort: what cannot be removed now is tried again at the next run.
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// The library's models a run takes: those named, or every enabled one.
fn choose<'a>(
    library: &'a [LibraryModel],
    only: &[String],
) -> Result<Vec<&'a LibraryModel>, AppError> {
    for id in only {
        if !library.iter().any(|m| &m.record.id == id) {
            return Err(AppError::UnknownModel(id.clone()));
        }
    }
    Ok(library
        .iter()
        .filter(|m| {
            if only.is_empty() {
                m.record.enabled
            } else {
                only.contains(&m.record.id)
            }
        })
        .collect())
}

/// Models with their default parameters bound, for this county and day.
fn bind<'a>(
    chosen: &[&'a LibraryModel],
    county: &str,
    as_of: chrono::NaiveDate,
) -> Result<Vec<BoundModel<'a>>, AppError> {
    chosen
        .iter()
        .map(|m| {
            let params = compile::resolve_params(&m.spec, &Default::default(), county, as_of)
                .map_err(mingjing_engine::EngineError::from)?;
            Ok(BoundModel {
                spec: &m.spec,
                params,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// A run killed mid-way leaves its scratch folder; the next run removes it once it is a
    /// day old, and leaves a younger one (perhaps another process's run) alone.
    #[test]
    fn scratch_left_by_a_killed_run_is_removed_once_stale() {
        let spill = std::env::temp_dir().join(format!("mj-spill-test-{}", std::process::id()));
        let (stale, young) = (spill.join("run-stale"), spill.join("run-young"));
        for d in [&stale, &young] {
            std::fs::create_dir_all(d.join("household_members")).unwrap();
        }
        let two_days_ago = mingjing_domain::Clock::system().system_time()
            - std::time::Duration::from_secs(48 * 3600);
        std::fs::File::open(&stale)
            .unwrap()
            .set_modified(two_days_ago)
            .unwrap();
        super::remove_stale_scratch(&spill);
        assert!(!stale.exists());
        assert!(young.exists());
        std::fs::remove_dir_all(&spill).unwrap();
    }
}
