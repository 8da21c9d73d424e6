//! Triage: each open alert's priority (`mingjing_domain::triage`) from what the loop has
//! learnt, refreshed after every run (every open alert) and after every review that closes one
//! (the open alerts of its model: the county's figures move too little with one alert to
//! rank every other model again at once; the next run does).

use crate::{AppError, Platform};
use mingjing_domain::triage::{Facts, Reason, Record, priority};
use std::collections::HashMap;

impl Platform {
    /// Computes and stores the priorities of the open alerts (of one model); returns how many.
    pub async fn refresh_priorities(&self, model: Option<&str>) -> Result<usize, AppError> {
        let judged = self.meta.models_judged().await?;
        let records: HashMap<String, Record> = judged
            .iter()
            .map(|j| {
                let r = Record {
                    judged: u64::try_from(j.judged).unwrap_or(0),
                    confirmed: u64::try_from(j.confirmed).unwrap_or(0),
                    recovered_fen: j.recovered_fen,
                };
                (j.model.clone(), r)
            })
            .collect();
        let county = records.values().fold(Record::default(), |c, r| Record {
            judged: c.judged + r.judged,
            confirmed: c.confirmed + r.confirmed,
            recovered_fen: c.recovered_fen + r.recovered_fen,
        });
        let open = self.meta.open_alert_facts(model).await?;
        let priorities: Vec<(i64, i64, String)> = open
            .iter()
            .map(|a| {
                let facts = Facts {
                    amount_fen: a.amount_fen,
                    other_alerts: u32::try_from(a.other_alerts).unwrap_or(u32::MAX),
                    rows_fired: u32::try_from(a.rows_fired).unwrap_or(u32::MAX),
                };
                let model = records.get(&a.model).copied().unwrap_or_default();
                let p = priority(&model, &county, &facts);
                let reasons: Vec<String> = p.reasons.iter().map(Reason::text).collect();
                (a.id, p.expected_fen, reasons.join("\n"))
            })
            .collect();
        self.meta.set_priorities(&priorities).await?;
        Ok(priorities.len())
    }
}
