//! The built-in model library (`models/*.toml`), compiled into the binary.

use crate::spec::ModelSpec;

/// Starting points for self-service models, one per form (structured, SQL query).
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "structured",
        include_str!("../models/examples/structured.toml"),
    ),
    ("query", include_str!("../models/examples/query.toml")),
];

const SOURCES: &[(&str, &str)] = &[
    ("M01", include_str!("../models/M01.toml")),
    ("M02", include_str!("../models/M02.toml")),
    ("M03", include_str!("../models/M03.toml")),
    ("M04", include_str!("../models/M04.toml")),
    ("M05", include_str!("../models/M05.toml")),
    ("M06", include_str!("../models/M06.toml")),
    ("M07", include_str!("../models/M07.toml")),
    ("M08", include_str!("../models/M08.toml")),
    ("M09", include_str!("../models/M09.toml")),
    ("M10", include_str!("../models/M10.toml")),
    ("M11", include_str!("../models/M11.toml")),
    ("M12", include_str!("../models/M12.toml")),
    ("M13", include_str!("../models/M13.toml")),
    ("M14", include_str!("../models/M14.toml")),
    ("M15", include_str!("../models/M15.toml")),
    ("M16", include_str!("../models/M16.toml")),
    ("M17", include_str!("../models/M17.toml")),
    ("M18", include_str!("../models/M18.toml")),
    ("M19", include_str!("../models/M19.toml")),
    ("M20", include_str!("../models/M20.toml")),
    ("M21", include_str!("../models/M21.toml")),
    ("M22", include_str!("../models/M22.toml")),
    ("M23", include_str!("../models/M23.toml")),
    ("M24", include_str!("../models/M24.toml")),
];

/// A built-in model's file as shipped.
pub fn source(id: &str) -> Option<&'static str> {
    SOURCES.iter().find(|(i, _)| *i == id).map(|(_, t)| *t)
}

/// Every built-in model, in order.
pub fn all() -> Vec<ModelSpec> {
    SOURCES
        .iter()
        .map(|(id, text)| {
            let spec =
                ModelSpec::parse(text).unwrap_or_else(|e| panic!("built-in model {id}: {e}"));
            assert_eq!(spec.id, *id, "file name and id agree");
            spec
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_model_parses_and_compiles() {
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        let models = super::all();
        assert_eq!(models.len(), 24);
        for m in &models {
            let params =
                crate::compile::resolve_params(m, &Default::default(), "陇县", as_of).unwrap();
            crate::compile::compile(m, &params).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
