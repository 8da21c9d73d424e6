//! The model specification: what a supervision model is, as data.
//!
//! A model names the rows that may fire (`fire`: a dataset or building block, a filter, the
//! subject, the amount, who is responsible), the rows that must also exist (`require`) and the
//! rows that must not (`forbid`). Expressions are SQL over the aliases `f` (the firing row),
//! `r` (the required or forbidden row), `v` (the linked person of a `via`) and `prog` (the
//! payment's programme); `:name` is a parameter. Specifications compile to one DataFusion
//! query per model (`compile.rs`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    pub id: String,
    pub name: String,
    pub version: u32,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub params: BTreeMap<String, Param>,
    /// The structured form. Absent when the model is written as `sql`.
    #[serde(default)]
    pub fire: Option<Fire>,
    #[serde(default)]
    pub require: Vec<Link>,
    /// At least one of these must hold (each that holds adds its rows as evidence).
    #[serde(default)]
    pub require_any: Vec<Link>,
    #[serde(default)]
    pub forbid: Vec<Link>,
    /// Firing rows grouped: a group fires as a whole when `having` holds.
    #[serde(default)]
    pub group: Option<Group>,
    /// A read-only SQL query returning the hit columns (see `compile::HIT_COLUMNS`).
    #[serde(default)]
    pub sql: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Columns of the firing rows (unprefixed) that form a group.
    pub by: Vec<String>,
    /// Over the group's firing rows (unprefixed columns).
    pub having: String,
}

/// A dataset or block joined (left) to the firing rows, for lookups in expressions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    pub dataset: String,
    pub alias: String,
    pub on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    #[serde(rename = "type")]
    pub ty: ParamType,
    pub default: toml::Value,
    #[serde(default)]
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    Int,
    Decimal,
    Text,
    /// A list of programme codes.
    Programs,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fire {
    /// The dataset (or building block) whose rows fire.
    pub from: String,
    #[serde(default, rename = "where")]
    pub filter: Option<String>,
    /// The subject: an ID number (or account) expression.
    pub subject: String,
    /// The programme part of the subject, if any.
    #[serde(default)]
    pub program: Option<String>,
    /// The ID whose `persons` name the alert shows; defaults to the subject.
    #[serde(default)]
    pub person: Option<String>,
    /// The name to show when the person is not in `persons`.
    #[serde(default)]
    pub name: Option<String>,
    /// The suspect amount of one firing row; summed per alert. Absent: the model has none.
    #[serde(default)]
    pub amount: Option<String>,
    pub responsible: Responsible,
    /// Left joins available to the expressions above.
    #[serde(default)]
    pub join: Vec<Lookup>,
    /// Extra named columns of the firing rows, for `group`.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Responsible {
    /// The department of the payment's programme.
    ProgramDepartment,
    /// A named unit.
    Unit(String),
}

/// Rows that must (or must not) exist beside a firing row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Dataset or building block, aliased `r`.
    pub dataset: String,
    /// Reach other persons first: the block's `member` for the firing row's `key`.
    #[serde(default)]
    pub via: Option<Via>,
    /// How `r` joins the firing row (or `v`): an equality condition, e.g. `r.id_number = f.id_number`.
    pub on: String,
    #[serde(default, rename = "where")]
    pub filter: Option<String>,
    /// Over the matched rows of one firing row (columns unprefixed): the link holds only if true.
    #[serde(default)]
    pub having: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Via {
    /// A building block with columns `key` and `member`: `household_members`, `relatives`,
    /// `household_by_id`.
    pub block: String,
    /// The firing row's key into the block, e.g. `f.id_number`.
    pub key: String,
    /// Count the key itself as a member too (a person missing from the register still has
    /// a household of one: themselves).
    #[serde(default)]
    pub include_self: bool,
}

impl ModelSpec {
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }
}
