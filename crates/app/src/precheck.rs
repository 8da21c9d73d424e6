//! 事前比对: a department checks next month's payout roll before paying. The roll is checked
//! like an upload and written to a staging folder; the enabled models that read payment rolls
//! run over the current data with the roll in place of the rolls it would replace; the hits on
//! the roll's own rows come back. Nothing is published, registered or raised as an alert.

use crate::{AppError, Platform};
use mingjing_engine::compile;
use mingjing_engine::session::DatasetFiles;

/// The payment-roll type the check is for.
pub const ROLL_TYPE: &str = "benefit_payments";

/// One row of the roll the models would raise an alert on: the model and the roll's own row,
/// nothing of the other datasets the model read (the clerk may not browse them).
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct PrecheckHit {
    pub model: String,
    pub model_name: String,
    pub subject: String,
    pub name: String,
    pub program: String,
    /// The roll's rows (as the spreadsheet numbers them) that fired.
    pub rows: Vec<i64>,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct PrecheckOutcome {
    pub rows: u64,
    pub models: Vec<String>,
    pub hits: Vec<PrecheckHit>,
}

impl Platform {
    /// Checks a roll of `org`'s for `period` against the payment models, as of `as_of`. Only
    /// an organisation that may upload rolls, and only for its own programmes: the check runs
    /// over the whole county's data, so it must not become a way to probe other rolls.
    ///
    /// Audited (`upload.precheck`) whatever the outcome: the file, the month and the hits.
    pub async fn precheck_roll(
        &self,
        actor: &crate::Actor,
        org: &str,
        period: &str,
        file_name: &str,
        bytes: Vec<u8>,
        as_of: chrono::NaiveDate,
    ) -> Result<PrecheckOutcome, AppError> {
        let mut audit = actor.entry("upload.precheck", ROLL_TYPE, "ok");
        audit.detail = format!("{file_name} ({} bytes), {period}", bytes.len());
        let outcome = async {
            let (ty, month) = self.resolve_import(ROLL_TYPE, Some(period)).await?;
            let node = self
                .meta
                .org_tree()
                .await?
                .into_iter()
                .find(|o| o.name == org.trim())
                .ok_or_else(|| AppError::NotPermitted(format!("机构“{org}”未登记")))?;
            self.check_upload_right(&ty, &node).await?;
            let (staged, checked, _) = self.stage_and_check(&ty, month, file_name, bytes).await?;
            if let Err(e) = self.check_programmes(&ty, &node, &checked).await {
                self.data.discard(staged)?;
                return Err(e);
            }
            let result = self.run_precheck(&staged, &checked, month, as_of).await;
            self.data.discard(staged)?;
            result
        }
        .await;
        match &outcome {
            Ok(o) => audit.detail.push_str(&format!("; {} hits", o.hits.len())),
            Err(AppError::File(_)) => audit.result = "rejected".into(),
            Err(AppError::NotPermitted(_)) => audit.result = "refused".into(),
            Err(_) => audit.result = "failed".into(),
        }
        self.meta.audit(&audit).await?;
        outcome
    }

    async fn run_precheck(
        &self,
        staged: &mingjing_store::Staged,
        checked: &mingjing_ingest::CheckedFile,
        month: Option<mingjing_domain::Month>,
        as_of: chrono::NaiveDate,
    ) -> Result<PrecheckOutcome, AppError> {
        let _reading = self.reading_files().await?;
        let library = self.library().await?;
        let chosen: Vec<_> = library
            .iter()
            .filter(|m| m.record.enabled && m.record.reads.iter().any(|r| r == ROLL_TYPE))
            .collect();
        let county = self.county().await?;
        let mut bound = Vec::new();
        for m in &chosen {
            let params = compile::resolve_params(&m.spec, &Default::default(), &county, as_of)
                .map_err(mingjing_engine::EngineError::from)?;
            bound.push(mingjing_engine::BoundModel {
                spec: &m.spec,
                params,
            });
        }
        let (mut datasets, programs) = self.catalog(true).await?;
        // The roll replaces the current rolls of its programmes for its month.
        let partitions: Vec<&str> = checked
            .slices
            .iter()
            .map(|s| s.partition.as_str())
            .collect();
        let replaced: Vec<std::path::PathBuf> = self
            .meta
            .current_slices(ROLL_TYPE)
            .await?
            .iter()
            .filter(|s| s.period == month && partitions.contains(&s.partition.as_str()))
            .map(|s| self.data.slice_path(&s.dir, &s.file))
            .collect();
        if let Some(d) = datasets
            .iter_mut()
            .find(|d: &&mut DatasetFiles| d.name == ROLL_TYPE)
        {
            d.files.retain(|f| !replaced.contains(f));
            d.files
                .extend(checked.slices.iter().map(|s| staged.path.join(&s.file)));
        }
        let limits = self.run_limits()?;
        let (mut hits, _) = crate::offload::run_models(datasets, programs, limits, &bound).await?;
        crate::protect::reveal_hits(&*self.meta.column_cipher()?, &mut hits)?;
        let mut out: Vec<PrecheckHit> = hits
            .iter()
            .filter_map(|h| {
                let rows: Vec<i64> = h
                    .evidence
                    .iter()
                    .filter(|e| e.evidence.upload == staged.name && e.evidence.dataset == ROLL_TYPE)
                    .map(|e| e.evidence.row)
                    .collect();
                (!rows.is_empty()).then(|| PrecheckHit {
                    model: h.model.clone(),
                    model_name: chosen
                        .iter()
                        .find(|m| m.record.id == h.model)
                        .map_or_else(String::new, |m| m.spec.name.clone()),
                    subject: h.subject.clone(),
                    name: h.name.clone(),
                    program: h.program.clone(),
                    rows,
                })
            })
            .collect();
        out.sort_by(|a, b| (a.rows[0], &a.model).cmp(&(b.rows[0], &b.model)));
        Ok(PrecheckOutcome {
            rows: checked.rows,
            models: chosen.iter().map(|m| m.record.id.clone()).collect(),
            hits: out,
        })
    }
}
