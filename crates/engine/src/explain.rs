//! An alert in words: which condition of its model matched which rows.
//!
//! The words come from the model (its description and each condition's label), the exact rule
//! from its specification with the parameters it ran with, and the rows from the evidence
//! frozen with the alert. Conditions that are absences (`forbid`) are listed without rows:
//! what did not exist cannot be cited.

use crate::Evidence;
use crate::compile::{ParamValue, bind};
use crate::spec::{Condition, Link, ModelSpec};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Explanation {
    /// "模型名（编号 vN）：说明".
    pub summary: String,
    pub conditions: Vec<ConditionExplained>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ConditionExplained {
    /// `fire`, `require.N`, `require_any.N` or `forbid.N`.
    pub condition: String,
    /// How the condition relates to the alert: 触发 / 同时存在 / 至少一项存在 / 不存在.
    pub kind: String,
    /// The condition in words.
    pub label: String,
    /// The condition exactly, as the model states it (parameters bound).
    pub rule: String,
    pub dataset: String,
    /// The evidence rows that satisfied it.
    pub rows: Vec<Evidence>,
}

/// Explains an alert of `spec` from its evidence and the parameters the model ran with.
pub fn explain(
    spec: &ModelSpec,
    params: &BTreeMap<String, ParamValue>,
    evidence: &[(Condition, Evidence)],
    dataset_label: &dyn Fn(&str) -> String,
) -> Explanation {
    let bound = |e: &str| bind(e, params).unwrap_or_else(|_| e.to_string());
    let rows_of = |c: Condition| -> Vec<Evidence> {
        let mut v: Vec<Evidence> = evidence
            .iter()
            .filter(|(x, _)| *x == c)
            .map(|(_, e)| e.clone())
            .collect();
        v.sort();
        v
    };
    let mut conditions = Vec::new();
    if let Some(f) = &spec.fire {
        conditions.push(ConditionExplained {
            condition: Condition::Fire.tag(),
            kind: "触发".into(),
            label: f
                .label
                .clone()
                .unwrap_or_else(|| format!("{}中符合条件的记录", dataset_label(&f.from))),
            rule: f
                .filter
                .as_deref()
                .map(&bound)
                .unwrap_or_else(|| "（全部记录）".into()),
            dataset: f.from.clone(),
            rows: rows_of(Condition::Fire),
        });
    } else if let Some(q) = &spec.query {
        conditions.push(ConditionExplained {
            condition: Condition::Fire.tag(),
            kind: "触发".into(),
            label: q
                .label
                .clone()
                .unwrap_or_else(|| format!("查询返回的{}记录", dataset_label(&q.dataset))),
            rule: bound(&q.sql),
            dataset: q.dataset.clone(),
            rows: rows_of(Condition::Fire),
        });
    } else {
        // The expert SQL form states everything in one query.
        let mut by_dataset: BTreeMap<&str, Vec<Evidence>> = BTreeMap::new();
        for (_, e) in evidence {
            by_dataset.entry(&e.dataset).or_default().push(e.clone());
        }
        for (ds, mut rows) in by_dataset {
            rows.sort();
            conditions.push(ConditionExplained {
                condition: Condition::Fire.tag(),
                kind: "触发".into(),
                label: format!("{}中符合模型说明的记录", dataset_label(ds)),
                rule: spec.description.clone(),
                dataset: ds.to_string(),
                rows,
            });
        }
    }
    let link = |tag: String, kind: &str, l: &Link, rows: Vec<Evidence>| {
        let mut rule = bound(&l.on);
        if let Some(v) = &l.via {
            rule = format!("经 {}（{}）：{rule}", v.block, bound(&v.key));
        }
        if let Some(w) = &l.filter {
            rule.push_str(&format!(" 且 {}", bound(w)));
        }
        if let Some(h) = &l.having {
            rule.push_str(&format!("；合计条件 {}", bound(h)));
        }
        ConditionExplained {
            condition: tag,
            kind: kind.into(),
            label: l
                .label
                .clone()
                .unwrap_or_else(|| format!("{}中的相关记录", dataset_label(&l.dataset))),
            rule,
            dataset: crate::session::row_source(&l.dataset).to_string(),
            rows,
        }
    };
    for (i, l) in spec.require.iter().enumerate() {
        let c = Condition::Require(i);
        conditions.push(link(c.tag(), "同时存在", l, rows_of(c)));
    }
    for (i, l) in spec.require_any.iter().enumerate() {
        let c = Condition::RequireAny(i);
        let rows = rows_of(c);
        // Only the alternatives that held are part of why it fired.
        if !rows.is_empty() || crate::compile::ROWLESS_BLOCKS.contains(&l.dataset.as_str()) {
            conditions.push(link(c.tag(), "至少一项存在", l, rows));
        }
    }
    for (i, l) in spec.forbid.iter().enumerate() {
        conditions.push(link(format!("forbid.{i}"), "不存在", l, Vec::new()));
    }
    if let Some(g) = &spec.group {
        conditions.push(ConditionExplained {
            condition: "group".into(),
            kind: "合计".into(),
            label: format!("按 {} 合并后", g.by.join("、")),
            rule: bound(&g.having),
            dataset: String::new(),
            rows: Vec::new(),
        });
    }
    Explanation {
        summary: format!(
            "{}（{} v{}）：{}",
            spec.name, spec.id, spec.version, spec.description
        ),
        conditions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_condition_of_a_builtin_model_is_explained_with_its_rows() {
        let m01 = crate::builtin::all()
            .into_iter()
            .find(|m| m.id == "M01")
            .unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        let mut overrides = BTreeMap::new();
        overrides.insert("grace_months".to_string(), toml::Value::Integer(2));
        let params = crate::compile::resolve_params(&m01, &overrides, "陇县", as_of).unwrap();
        let pay = Evidence {
            dataset: "benefit_payments".into(),
            upload: "u1".into(),
            row: 7,
        };
        let death = Evidence {
            dataset: "deaths".into(),
            upload: "u2".into(),
            row: 3,
        };
        let e = explain(
            &m01,
            &params,
            &[
                (Condition::Fire, pay.clone()),
                (Condition::Require(0), death.clone()),
            ],
            &|d| format!("<{d}>"),
        );
        assert!(e.summary.starts_with("死亡人员仍领取民生资金（M01 v1）"));
        assert_eq!(e.conditions.len(), 2);
        assert_eq!(e.conditions[0].rows, vec![pay]);
        assert_eq!(e.conditions[1].rows, vec![death]);
        assert_eq!(e.conditions[1].kind, "同时存在");
        // The rule is shown with the parameter the model ran with.
        assert!(
            e.conditions[1].rule.contains("add_months(r.death_date, 2)"),
            "{}",
            e.conditions[1].rule
        );
    }
}
