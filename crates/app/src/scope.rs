//! Data scope: which organisations' uploads and which alerts an account sees, and ID masking
//! for roles without the full-ID permission. Every service that shows data takes a `Scope`;
//! the UI only reflects it.

use crate::{AppError, Platform};
use mingjing_domain::access::{DataScope, Permission, Role};
use mingjing_store::access::OrgNode;
use mingjing_store::alert_list::Admitted;
use std::collections::HashSet;

#[derive(Debug, Clone)]
pub struct Scope {
    kind: DataScope,
    /// Organisations whose data the caller sees (for Org, OrgTree and Town).
    orgs: HashSet<i64>,
    /// Their names and codes, which is how alerts name the unit responsible.
    units: HashSet<String>,
    town: String,
    /// The account's organisation (a department's programmes are those it runs).
    org: String,
    pub full_ids: bool,
}

impl Platform {
    /// What an account of this role in this organisation sees.
    pub async fn scope(&self, role: &Role, org: &OrgNode) -> Result<Scope, AppError> {
        let tree = self.meta.org_tree().await?;
        let orgs: HashSet<i64> = match role.scope {
            DataScope::All | DataScope::None => HashSet::new(),
            DataScope::Org => [org.id].into(),
            DataScope::OrgTree => subtree(&tree, org.id),
            DataScope::Town => tree
                .iter()
                .filter(|o| !org.town.is_empty() && o.town == org.town)
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
            kind: role.scope,
            orgs,
            units,
            town: org.town.clone(),
            org: org.name.clone(),
            full_ids: role.has(Permission::IdFull),
        })
    }

    /// The organisations an account acts for: its own and those below it (a department
    /// verifies the alerts routed to it or to its sub-units, whatever its data scope).
    pub async fn units_of(&self, org_id: i64) -> Result<Vec<i64>, AppError> {
        let tree = self.meta.org_tree().await?;
        let mut v: Vec<i64> = subtree(&tree, org_id).into_iter().collect();
        v.sort_unstable();
        Ok(v)
    }
}

impl Scope {
    /// The whole county with full IDs: the operator's at the machine, and the tests'.
    pub fn whole_county() -> Scope {
        Scope {
            kind: DataScope::All,
            orgs: HashSet::new(),
            units: HashSet::new(),
            town: String::new(),
            org: String::new(),
            full_ids: true,
        }
    }

    /// The alerts this scope admits, as the store narrows a list to them.
    pub fn admitted(&self) -> Admitted {
        match self.kind {
            DataScope::All => Admitted::All,
            DataScope::None => Admitted::Nothing,
            DataScope::Org | DataScope::OrgTree => {
                let mut units: Vec<String> = self.units.iter().cloned().collect();
                units.sort();
                Admitted::Units(units)
            }
            DataScope::Town => Admitted::Town(self.town.clone()),
        }
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

    /// Whether a person registered in `town` is in scope: the whole county, or the account's
    /// own town; a department's scope covers no one's person page.
    pub fn sees_person_in(&self, town: &str) -> bool {
        match self.kind {
            DataScope::All => true,
            DataScope::Town => !self.town.is_empty() && self.town == town,
            DataScope::Org | DataScope::OrgTree | DataScope::None => false,
        }
    }

    /// The kind of scope (the role's).
    pub fn kind(&self) -> DataScope {
        self.kind
    }

    /// The account's town (empty when it belongs to none).
    pub fn town(&self) -> &str {
        &self.town
    }

    /// The account's organisation's name.
    pub fn org(&self) -> &str {
        &self.org
    }

    /// Whether the scope is the whole county.
    pub fn is_county(&self) -> bool {
        self.kind == DataScope::All
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
