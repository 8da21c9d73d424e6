//! Data scope: which organisations' uploads and which alerts a caller sees, and ID masking
//! for roles without the full-ID permission. Enforced here, in the API, not in the UI.

use crate::AppState;
use crate::error::ApiResult;
use crate::guard::Caller;
use mingjing_domain::access::{DataScope, Permission};
use mingjing_store::access::OrgNode;
use std::collections::HashSet;

pub struct Scope {
    kind: DataScope,
    /// Organisations whose data the caller sees (for Org, OrgTree and Town).
    orgs: HashSet<i64>,
    /// Their names and codes, which is how alerts name the unit responsible.
    units: HashSet<String>,
    town: String,
    pub full_ids: bool,
}

impl Scope {
    pub async fn of(state: &AppState, c: &Caller) -> ApiResult<Scope> {
        let tree = state.store().org_tree().await?;
        let orgs: HashSet<i64> = match c.role.scope {
            DataScope::All | DataScope::None => HashSet::new(),
            DataScope::Org => [c.org.id].into(),
            DataScope::OrgTree => subtree(&tree, c.org.id),
            DataScope::Town => tree
                .iter()
                .filter(|o| !c.org.town.is_empty() && o.town == c.org.town)
                .map(|o| o.id)
                .collect(),
        };
        let units = tree
            .iter()
            .filter(|o| orgs.contains(&o.id))
            .flat_map(|o| [o.name.clone(), o.code.clone()])
            .filter(|s| !s.is_empty())
            .collect();
        Ok(Scope {
            kind: c.role.scope,
            orgs,
            units,
            town: c.org.town.clone(),
            full_ids: c.has(Permission::IdFull),
        })
    }

    pub fn sees_org(&self, org_id: i64) -> bool {
        match self.kind {
            DataScope::All => true,
            DataScope::None => false,
            _ => self.orgs.contains(&org_id),
        }
    }

    pub fn sees_alert(&self, a: &mingjing_store::Alert) -> bool {
        self.sees_unit_or_town(&a.responsible, &a.town)
    }

    /// An alert with this responsible unit and town is in scope.
    pub fn sees_unit_or_town(&self, responsible: &str, town: &str) -> bool {
        match self.kind {
            DataScope::All => true,
            DataScope::None => false,
            DataScope::Org | DataScope::OrgTree => self.units.contains(responsible),
            DataScope::Town => !self.town.is_empty() && town == self.town,
        }
    }

    /// An ID number as this caller may read it.
    pub fn id(&self, s: &str) -> String {
        if self.full_ids {
            s.to_string()
        } else {
            mask_id(s)
        }
    }

    /// A birth date as this caller may read it: whole with `id.full`, else its year only (the
    /// eight digits a masked ID hides are the birth date).
    pub fn birth_date(&self, d: &str) -> String {
        if self.full_ids {
            d.to_string()
        } else {
            d.chars().take(4).collect()
        }
    }

    /// One row's cells as this caller may read them: every cell that is an ID number masked,
    /// and every other cell that spells the birth date of an ID in the row (`1949-12-31` or
    /// `19491231`) cut to its year, whatever its column is called, so that no route gives
    /// back the digits a mask hides.
    pub fn cells(&self, row: &[Option<String>]) -> Vec<Option<String>> {
        if self.full_ids {
            return row.to_vec();
        }
        let births: Vec<(String, String)> = row
            .iter()
            .flatten()
            .filter_map(|v| v.trim().parse::<mingjing_domain::IdNumber>().ok())
            .map(|id| {
                let b = id.birth_date();
                (
                    b.format("%Y-%m-%d").to_string(),
                    b.format("%Y%m%d").to_string(),
                )
            })
            .collect();
        row.iter()
            .map(|v| {
                v.as_ref().map(|v| {
                    let t = v.trim();
                    if t.len() == 18 && t.parse::<mingjing_domain::IdNumber>().is_ok() {
                        mask_id(t)
                    } else if births
                        .iter()
                        .any(|(iso, digits)| t.starts_with(iso.as_str()) || t == digits)
                    {
                        t.chars().take(4).collect()
                    } else {
                        v.clone()
                    }
                })
            })
            .collect()
    }
}

/// The organisations a caller acts for: its own and those below it (a department verifies
/// the alerts routed to it or to its sub-units, whatever its data scope).
pub async fn units_of(state: &AppState, c: &Caller) -> ApiResult<Vec<i64>> {
    let tree = state.store().org_tree().await?;
    let mut v: Vec<i64> = subtree(&tree, c.org.id).into_iter().collect();
    v.sort_unstable();
    Ok(v)
}

fn subtree(tree: &[OrgNode], root: i64) -> HashSet<i64> {
    let mut out: HashSet<i64> = [root].into();
    loop {
        let before = out.len();
        for o in tree {
            if o.parent_id.is_some_and(|p| out.contains(&p)) {
                out.insert(o.id);
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

/// `610327********1234` for a valid ID number; anything else unchanged.
pub fn mask_id(s: &str) -> String {
    match s.parse::<mingjing_domain::IdNumber>() {
        Ok(id) => id.masked(),
        Err(_) => s.to_string(),
    }
}
