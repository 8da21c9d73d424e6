//! The data standard: dataset types, their fields, and the livelihood programmes.
//!
//! Types are data: the built-in ones come from `standard/datasets.toml` (compiled in),
//! administrators add more at run time in the same shape. Nothing here lists types by name.

use crate::number::Money;
use indexmap_shim::OrderedMap;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The standard as shipped: a copy of `../shared/standard/datasets.toml`.
pub const BUILTIN_STANDARD: &str = include_str!("../../../standard/datasets.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Id18,
    Uscc,
    Text,
    Date,
    Month,
    Money,
    Decimal,
    Int,
    Enum,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Id18 => "id18",
            FieldType::Uscc => "uscc",
            FieldType::Text => "text",
            FieldType::Date => "date",
            FieldType::Month => "month",
            FieldType::Money => "money",
            FieldType::Decimal => "decimal",
            FieldType::Int => "int",
            FieldType::Enum => "enum",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Whether the field holds personal data, and so how it is stored (see [`Protection`]).
    /// Every ID field is personal whatever this says; the standard's own types get theirs from
    /// `personal.toml`, a type an administrator defines says it of its fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal: Option<Personal>,
}

/// How a personal field is kept at rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Personal {
    /// Compared by models or searches: stored as a token equal values share.
    Token,
    /// Only ever shown: stored sealed, each value differently.
    Sealed,
}

/// How a field's values are stored in the uploads' files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    Plain,
    Token,
    Sealed,
}

impl Field {
    pub fn protection(&self) -> Protection {
        match (self.ty, self.personal) {
            (FieldType::Id18, _) | (_, Some(Personal::Token)) => Protection::Token,
            (_, Some(Personal::Sealed)) => Protection::Sealed,
            (_, None) => Protection::Plain,
        }
    }
}

/// Which fields of the standard's own types are personal beyond their ID fields: data of
/// ours beside the standard (which says nothing of it), applied when the standard is loaded.
pub const BUILTIN_PERSONAL: &str = include_str!("../personal.toml");

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatasetType {
    /// The type's identifier (`persons`): the table name in the standard file.
    #[serde(skip)]
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub description: String,
    /// The fields that identify a row within one upload.
    #[serde(rename = "key")]
    pub row_key: Vec<String>,
    /// Uploaded one month at a time, named by the upload; rows carry it in `period`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub period: bool,
    /// With `period`: the fields whose values split one month's upload into replaceable parts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partition: Vec<String>,
    pub fields: Vec<Field>,
}

/// The field that carries a periodic type's month.
pub const PERIOD_FIELD: &str = "period";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Program {
    #[serde(default)]
    pub code: String,
    pub label: String,
    pub department: String,
    pub monthly_max: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusive_with: Vec<String>,
}

/// Money travels as yuan in decimal text (`"1234.50"`), never as a binary float.
impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,2})?$",
            "description": "An amount in yuan, at most two decimals",
        })
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e| serde::de::Error::custom(format!("money '{s}' {e}")))
    }
}

/// A whole standard: types in file order, programmes by code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standard {
    pub types: Vec<DatasetType>,
    pub programs: Vec<Program>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DefinitionError {
    #[error("the standard is not valid TOML: {0}")]
    Toml(String),
    #[error("dataset type '{ty}': {msg}")]
    Type { ty: String, msg: String },
    #[error("programme '{program}': {msg}")]
    Program { program: String, msg: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StandardFile {
    types: OrderedMap<DatasetType>,
    #[serde(default)]
    programs: OrderedMap<Program>,
}

/// `toml` with `preserve_order` keeps table order; this keeps it through serde.
mod indexmap_shim {
    use serde::{Deserialize, Deserializer};

    pub struct OrderedMap<T>(pub Vec<(String, T)>);

    impl<T> Default for OrderedMap<T> {
        fn default() -> Self {
            OrderedMap(Vec::new())
        }
    }

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for OrderedMap<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<T>(std::marker::PhantomData<T>);
            impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
                type Value = OrderedMap<T>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a table")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Self::Value, A::Error> {
                    let mut out = Vec::new();
                    while let Some((k, v)) = map.next_entry::<String, T>()? {
                        out.push((k, v));
                    }
                    Ok(OrderedMap(out))
                }
            }
            d.deserialize_map(V(std::marker::PhantomData))
        }
    }
}

impl Standard {
    /// Parses and validates a standard file.
    pub fn parse(text: &str) -> Result<Self, DefinitionError> {
        let file: StandardFile =
            toml::from_str(text).map_err(|e| DefinitionError::Toml(e.to_string()))?;
        let types = file
            .types
            .0
            .into_iter()
            .map(|(k, mut t)| {
                t.name = k;
                t
            })
            .collect::<Vec<_>>();
        let programs = file
            .programs
            .0
            .into_iter()
            .map(|(k, mut p)| {
                p.code = k;
                p
            })
            .collect::<Vec<_>>();
        let mut std = Standard { types, programs };
        for t in &std.types {
            t.validate()?;
        }
        std.apply_personal(BUILTIN_PERSONAL)?;
        std.validate_programs()?;
        Ok(std)
    }

    /// The standard compiled into the binary.
    pub fn builtin() -> Self {
        Self::builtin_ref().clone()
    }

    /// The built-in standard, parsed once per process.
    pub fn builtin_ref() -> &'static Self {
        static BUILTIN: std::sync::LazyLock<Standard> = std::sync::LazyLock::new(|| {
            Standard::parse(BUILTIN_STANDARD).expect("the built-in standard is valid")
        });
        &BUILTIN
    }

    /// Marks the fields a personal-data declaration names (`[type] token = [..] sealed = [..]`);
    /// a type or field it names that does not exist, or one that is not text, is an error.
    fn apply_personal(&mut self, text: &str) -> Result<(), DefinitionError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Declared {
            #[serde(default)]
            token: Vec<String>,
            #[serde(default)]
            sealed: Vec<String>,
        }
        let declared: BTreeMap<String, Declared> = toml::from_str(text)
            .map_err(|e| DefinitionError::Toml(format!("personal.toml: {e}")))?;
        for (ty, d) in declared {
            let t = self
                .types
                .iter_mut()
                .find(|t| t.name == ty)
                .ok_or_else(|| {
                    DefinitionError::Toml(format!("personal.toml names no type '{ty}'"))
                })?;
            let marks = d
                .token
                .iter()
                .map(|f| (f, Personal::Token))
                .chain(d.sealed.iter().map(|f| (f, Personal::Sealed)));
            for (key, how) in marks {
                let f = t.fields.iter_mut().find(|f| &f.key == key).ok_or_else(|| {
                    DefinitionError::Toml(format!("personal.toml: {ty} has no field '{key}'"))
                })?;
                f.personal = Some(how);
            }
            t.validate()?;
        }
        Ok(())
    }

    pub fn dataset_type(&self, key: &str) -> Option<&DatasetType> {
        self.types.iter().find(|t| t.name == key)
    }

    pub fn program(&self, code: &str) -> Option<&Program> {
        self.programs.iter().find(|p| p.code == code)
    }

    fn validate_programs(&self) -> Result<(), DefinitionError> {
        let codes: HashSet<&str> = self.programs.iter().map(|p| p.code.as_str()).collect();
        for p in &self.programs {
            let err = |msg: String| DefinitionError::Program {
                program: p.code.clone(),
                msg,
            };
            if !is_identifier(&p.code) {
                return Err(err("code must be letters, digits and underscores".into()));
            }
            for other in &p.exclusive_with {
                if !codes.contains(other.as_str()) {
                    return Err(err(format!(
                        "exclusive_with names unknown programme '{other}'"
                    )));
                }
            }
        }
        Ok(())
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

/// Header text as compared: trimmed (full-width spaces too), full-width parentheses as half-width.
pub fn normalize_header(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

impl DatasetType {
    /// Parses one type definition in the standard's shape (as an administrator submits it),
    /// as a TOML table without the `[types.KEY]` header.
    pub fn parse_definition(key: &str, toml_text: &str) -> Result<Self, DefinitionError> {
        let mut t: DatasetType = toml::from_str(toml_text).map_err(|e| DefinitionError::Type {
            ty: key.to_string(),
            msg: e.to_string(),
        })?;
        t.name = key.to_string();
        t.validate()?;
        Ok(t)
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn field_index(&self, key: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.key == key)
    }

    /// Checks that a definition is usable: unique keys and labels, known key and partition
    /// fields, enums with values, a month field `period` for periodic types.
    pub fn validate(&self) -> Result<(), DefinitionError> {
        let err = |msg: String| DefinitionError::Type {
            ty: self.name.clone(),
            msg,
        };
        if !is_identifier(&self.name) || self.name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(err(
                "key must be lower-case letters, digits and underscores".into(),
            ));
        }
        if self.label.trim().is_empty() {
            return Err(err("label is empty".into()));
        }
        if self.fields.is_empty() {
            return Err(err("has no fields".into()));
        }
        let mut names = HashSet::new();
        for f in &self.fields {
            if !is_identifier(&f.key) || f.key.starts_with('_') {
                return Err(err(format!(
                    "field key '{}' must be letters, digits and underscores, not starting with _",
                    f.key
                )));
            }
            if f.label.trim().is_empty() {
                return Err(err(format!("field '{}' has an empty label", f.key)));
            }
            for name in [f.key.clone(), normalize_header(&f.label)] {
                if !names.insert(name.clone()) {
                    return Err(err(format!("'{name}' names two fields")));
                }
            }
            match (f.ty, f.values.is_empty()) {
                (FieldType::Enum, true) => {
                    return Err(err(format!("enum field '{}' lists no values", f.key)));
                }
                (FieldType::Enum, false) => {
                    let distinct: HashSet<&String> = f.values.iter().collect();
                    if distinct.len() != f.values.len() {
                        return Err(err(format!("enum field '{}' repeats a value", f.key)));
                    }
                }
                (_, false) => {
                    return Err(err(format!(
                        "field '{}' has values but is not an enum",
                        f.key
                    )));
                }
                _ => {}
            }
            match (f.ty, f.personal) {
                (_, None) | (FieldType::Text, _) | (FieldType::Id18, Some(Personal::Token)) => {}
                _ => {
                    return Err(err(format!(
                        "field '{}': only text fields are declared personal (ID fields always are, as tokens)",
                        f.key
                    )));
                }
            }
            if self.partition.contains(&f.key) && f.protection() != Protection::Plain {
                return Err(err(format!(
                    "partition field '{}' cannot be personal: partitions are named in the metadata",
                    f.key
                )));
            }
        }
        if self.row_key.is_empty() {
            return Err(err("key lists no fields".into()));
        }
        for k in self.row_key.iter().chain(&self.partition) {
            match self.field(k) {
                None => return Err(err(format!("key or partition names unknown field '{k}'"))),
                Some(f) if !f.required => {
                    return Err(err(format!(
                        "key or partition field '{k}' must be required"
                    )));
                }
                Some(_) => {}
            }
        }
        if self.period {
            match self.field(PERIOD_FIELD) {
                Some(f) if f.ty == FieldType::Month && f.required => {}
                _ => {
                    return Err(err(
                        "a periodic type needs a required month field 'period'".into()
                    ));
                }
            }
        } else if !self.partition.is_empty() {
            return Err(err("partition is only for periodic types".into()));
        }
        Ok(())
    }

    /// Enum values of every enum field, for quick lookups.
    pub fn enum_values(&self) -> BTreeMap<&str, &[String]> {
        self.fields
            .iter()
            .filter(|f| f.ty == FieldType::Enum)
            .map(|f| (f.key.as_str(), f.values.as_slice()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_standard_has_every_type_and_programme() {
        let s = Standard::builtin();
        assert_eq!(s.types.len(), 19);
        assert_eq!(s.types[0].name, "persons");
        assert_eq!(s.programs.len(), 9);
        let pay = s.dataset_type("benefit_payments").unwrap();
        assert!(pay.period);
        assert_eq!(pay.partition, vec!["program"]);
        let tekun = s.program("TEKUN").unwrap();
        assert_eq!(tekun.monthly_max.to_string(), "1200.00");
        assert_eq!(tekun.exclusive_with, vec!["DIBAO"]);
        assert_eq!(s.program("GAOLING").unwrap().min_age, Some(80));
    }

    #[test]
    fn admin_definitions_are_validated() {
        let ok = DatasetType::parse_definition(
            "subsidy_land",
            r#"
            label = "耕地地力补贴"
            key = ["id_number"]
            fields = [
              { key = "id_number", label = "公民身份号码", type = "id18", required = true },
              { key = "area", label = "面积（亩）", type = "decimal" },
            ]"#,
        )
        .unwrap();
        assert_eq!(ok.name, "subsidy_land");

        let cases = [
            (
                r#"label = "x"
                key = ["nope"]
                fields = [{ key = "a", label = "A", type = "text", required = true }]"#,
                "unknown field",
            ),
            (
                r#"label = "x"
                key = ["a"]
                fields = [{ key = "a", label = "A", type = "enum", required = true }]"#,
                "lists no values",
            ),
            (
                r#"label = "x"
                key = ["a"]
                period = true
                fields = [{ key = "a", label = "A", type = "text", required = true }]"#,
                "month field 'period'",
            ),
            (
                r#"label = "x"
                key = ["a"]
                fields = [{ key = "a", label = "A", type = "text", required = true },
                          { key = "b", label = "A", type = "text" }]"#,
                "names two fields",
            ),
            (
                r#"label = "x"
                key = ["a"]
                fields = [{ key = "a", label = "A", type = "float", required = true }]"#,
                "unknown variant",
            ),
        ];
        for (text, want) in cases {
            let e = DatasetType::parse_definition("t", text)
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{e} should contain {want}");
        }
    }
}
