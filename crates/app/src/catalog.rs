//! The data catalogue: dataset types an administrator defines beside the standard's, upload
//! schedules, and a type's current rows browsed in an account's scope. Each change and each
//! look is audited here.

use crate::scope::Scope;
use crate::{Actor, AppError, Platform, TextRows};
use mingjing_domain::DatasetType;
use mingjing_store::disposal::UploadSchedule;

/// A page of a type's current rows in scope.
#[derive(Debug, Clone)]
pub struct Browsed {
    pub ty: DatasetType,
    /// Rows in scope, over every page.
    pub total: u64,
    pub rows: TextRows,
}

/// The most rows one page of the data browser holds.
pub const MAX_PAGE_ROWS: usize = 200;

impl Platform {
    /// The current rows of a type that the scope sees (its organisations' uploads, or all),
    /// `limit` (at most [`MAX_PAGE_ROWS`]) from `offset`; audited with the rows shown.
    pub async fn browse(
        &self,
        actor: &Actor,
        scope: &Scope,
        type_name: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Browsed, AppError> {
        let ty = self.dataset_type(type_name).await?;
        let slices: Vec<_> = self
            .meta
            .current_slices(type_name)
            .await?
            .into_iter()
            .filter(|s| scope.sees_org(s.org_id))
            .collect();
        let total: u64 = slices.iter().map(|s| s.rows).sum();
        let files: Vec<_> = slices
            .iter()
            .map(|s| self.data.slice_path(&s.dir, &s.file))
            .collect();
        let limit = limit.clamp(1, MAX_PAGE_ROWS);
        let rows = self.rows_page(&ty, &files, offset, limit).await?;
        let mut e = actor.entry("data.browse", format!("type:{type_name}"), "ok");
        e.detail = format!("rows {offset}..{}", offset + rows.rows.len());
        self.meta.audit(&e).await?;
        Ok(Browsed { ty, total, rows })
    }

    /// An administrator defines a new dataset type (or changes one defined before) from its
    /// table in the standard's shape (TOML without the `[types.NAME]` header). Its uploaders
    /// start from its `owner`.
    pub async fn define_type(
        &self,
        actor: &Actor,
        name: &str,
        definition: &str,
    ) -> Result<DatasetType, AppError> {
        let name = name.trim();
        let ty = DatasetType::parse_definition(name, definition)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let mut e = actor.entry("type.define", format!("type:{name}"), "ok");
        e.detail = format!("{} fields", ty.fields.len());
        self.meta.put_dataset_type(&ty).await?;
        self.meta.audit(&e).await?;
        self.seed_upload_rights().await?;
        Ok(ty)
    }

    /// Sets the day of the month by which an organisation uploads a type (0: no schedule).
    pub async fn set_schedule(&self, actor: &Actor, s: &UploadSchedule) -> Result<(), AppError> {
        let mut e = actor.entry("schedule.set", format!("type:{}", s.dataset_type), "ok");
        e.detail = format!("org {} day {}", s.org_id, s.due_day);
        self.meta.set_schedule(s, &e).await?;
        Ok(())
    }
}
