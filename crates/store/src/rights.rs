//! Who may upload which dataset type (the lists; the rules are `mingjing_domain::upload_rights`).

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::meta::{Result, SqlStore};
use mingjing_domain::upload_rights::Uploader;
use std::collections::BTreeMap;

/// A type's list, and whether it was ever set (seeded or edited).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadRights {
    pub set: bool,
    pub uploaders: Vec<Uploader>,
}

impl SqlStore {
    /// Every type's list, by type name (types never set have an empty, unset list).
    pub async fn upload_rights(&self) -> Result<BTreeMap<String, UploadRights>> {
        let mut out: BTreeMap<String, UploadRights> = BTreeMap::new();
        let types: Vec<(String, i64)> =
            sqlx::query_as("SELECT name, uploaders_set FROM dataset_types ORDER BY name")
                .fetch_all(self.pool())
                .await?;
        for (name, set) in types {
            out.insert(
                name,
                UploadRights {
                    set: set != 0,
                    uploaders: Vec::new(),
                },
            );
        }
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT dataset_type, uploader FROM upload_rights ORDER BY dataset_type, uploader",
        )
        .fetch_all(self.pool())
        .await?;
        for (ty, u) in rows {
            let u = u
                .parse::<Uploader>()
                .map_err(|e| StoreError::Invalid(format!("stored upload right: {e}")))?;
            out.entry(ty).or_default().uploaders.push(u);
        }
        Ok(out)
    }

    pub async fn upload_rights_of(&self, dataset_type: &str) -> Result<Vec<Uploader>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT uploader FROM upload_rights WHERE dataset_type = $1")
                .bind(dataset_type)
                .fetch_all(self.pool())
                .await?;
        rows.into_iter()
            .map(|(u,)| {
                u.parse::<Uploader>()
                    .map_err(|e| StoreError::Invalid(format!("stored upload right: {e}")))
            })
            .collect()
    }

    /// Replaces a type's list (the security administrator's edit).
    pub async fn set_upload_rights(
        &self,
        dataset_type: &str,
        uploaders: &[Uploader],
        audit: &AuditEntry,
    ) -> Result<()> {
        audited!(self, [audit], |tx| {
            replace_tx(&mut tx, dataset_type, uploaders).await?;
        });
        Ok(())
    }

    /// Sets a type's list only if it was never set (seeding from the standard). Whether it was.
    pub async fn seed_upload_rights(
        &self,
        dataset_type: &str,
        uploaders: &[Uploader],
        audit: &AuditEntry,
    ) -> Result<bool> {
        Ok(audited!(self, [audit], |tx| {
            let set: Option<i64> =
                sqlx::query_scalar("SELECT uploaders_set FROM dataset_types WHERE name = $1")
                    .bind(dataset_type)
                    .fetch_optional(&mut *tx)
                    .await?;
            match set {
                None => return Err(StoreError::NotFound(format!("dataset type {dataset_type}"))),
                // Set already: the audit record is not written (the transaction rolls back).
                Some(s) if s != 0 => return Ok(false),
                Some(_) => {}
            }
            replace_tx(&mut tx, dataset_type, uploaders).await?;
            true
        }))
    }
}

async fn replace_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    dataset_type: &str,
    uploaders: &[Uploader],
) -> Result<()> {
    let n = sqlx::query("UPDATE dataset_types SET uploaders_set = 1 WHERE name = $1")
        .bind(dataset_type)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound(format!("dataset type {dataset_type}")));
    }
    sqlx::query("DELETE FROM upload_rights WHERE dataset_type = $1")
        .bind(dataset_type)
        .execute(&mut **tx)
        .await?;
    for u in uploaders {
        sqlx::query("INSERT INTO upload_rights (dataset_type, uploader) VALUES ($1, $2)")
            .bind(dataset_type)
            .bind(u.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
