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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// A read-only SQL query returning the hit columns (see `compile::HIT_COLUMNS`): the
    /// expert form, used where the structured form cannot say it (M11).
    #[serde(default)]
    pub sql: Option<String>,
    /// A read-only SQL query over the dataset views whose rows are the firing rows, with the
    /// columns that say what they are: the self-service form.
    #[serde(default)]
    pub query: Option<Query>,
}

/// A self-service model written as SQL: each row the query returns is a firing row of
/// `dataset` (it must carry that dataset's `_upload` and `_row` columns, which cite it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Query {
    pub sql: String,
    /// The dataset the returned rows are rows of.
    pub dataset: String,
    /// The column holding the subject (an ID number or account).
    pub subject: String,
    /// The column holding the suspect amount of a row; absent: the model has none.
    #[serde(default)]
    pub amount: Option<String>,
    /// The column holding the person's name, when the query has one.
    #[serde(default)]
    pub name: Option<String>,
    /// The column holding the programme code, when the query has one.
    #[serde(default)]
    pub program: Option<String>,
    pub responsible: Responsible,
    /// In words, for the alert's explanation.
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Columns of the firing rows (unprefixed) that form a group.
    pub by: Vec<String>,
    /// Over the group's firing rows (unprefixed columns).
    pub having: String,
}

/// A dataset or block joined (left) to the firing rows, for lookups in expressions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    pub dataset: String,
    pub alias: String,
    pub on: String,
}

/// A parameter's default is any TOML value its type allows.
fn any_value(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!(true)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Param {
    #[serde(rename = "type")]
    pub ty: ParamType,
    /// Any TOML value the type allows (a number, text, a list of codes).
    #[schemars(schema_with = "any_value")]
    pub default: toml::Value,
    #[serde(default)]
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    Int,
    Decimal,
    Text,
    /// A list of programme codes.
    Programs,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// The firing condition in words, for the alert's explanation.
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Responsible {
    /// The department of the payment's programme.
    ProgramDepartment,
    /// A named unit.
    Unit(String),
}

/// Rows that must (or must not) exist beside a firing row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// The condition in words, for the alert's explanation.
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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

    /// The specification as a file (the format `parse` reads).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a model specification serialises")
    }

    /// The datasets and blocks the structured form names (the SQL forms' are found by planning).
    pub fn named_sources(&self) -> Vec<&str> {
        let mut out = Vec::new();
        if let Some(f) = &self.fire {
            out.push(f.from.as_str());
            out.extend(f.join.iter().map(|j| j.dataset.as_str()));
        }
        for l in self
            .require
            .iter()
            .chain(&self.require_any)
            .chain(&self.forbid)
        {
            out.push(l.dataset.as_str());
            out.extend(l.via.as_ref().map(|v| v.block.as_str()));
        }
        out
    }
}

/// What one piece of evidence satisfied: the firing condition or one of the links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Condition {
    Fire,
    Require(usize),
    RequireAny(usize),
}

impl Condition {
    /// The tag carried in the `_ev_condition` column and kept with the evidence.
    pub fn tag(self) -> String {
        match self {
            Condition::Fire => "fire".into(),
            Condition::Require(i) => format!("require.{i}"),
            Condition::RequireAny(i) => format!("require_any.{i}"),
        }
    }

    pub fn from_tag(tag: &str) -> Option<Self> {
        if tag == "fire" {
            return Some(Condition::Fire);
        }
        let (kind, i) = tag.split_once('.')?;
        let i = i.parse().ok()?;
        match kind {
            "require" => Some(Condition::Require(i)),
            "require_any" => Some(Condition::RequireAny(i)),
            _ => None,
        }
    }
}
