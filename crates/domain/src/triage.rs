//! Triage: which open alerts to verify first. An alert's priority is the money its
//! verification may be expected to recover: the chance that it is true — its model's record
//! in the loop, shrunk towards the county's record while the model has few judged alerts, and
//! raised by the subject's open alerts of other models — times what a true one recovers: its
//! suspect amount, or, for a model without one, the model's mean recovery per confirmed alert
//! (the county's while the model has none). Pure: the services gather the figures.

use crate::Money;

/// What the loop has learnt of one model (or of the whole county): closed alerts judged
/// (confirmed or unfounded), how many were confirmed, and the money recovered on them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Record {
    pub judged: u64,
    pub confirmed: u64,
    pub recovered_fen: i64,
}

impl Record {
    fn rate(&self) -> Option<f64> {
        (self.judged > 0).then(|| self.confirmed as f64 / self.judged as f64)
    }

    fn recovery_fen(&self) -> Option<i64> {
        (self.confirmed > 0).then(|| self.recovered_fen / self.confirmed as i64)
    }
}

/// How many judged alerts the county's record weighs as, against a model's own: a model with
/// five judged alerts is trusted half.
pub const PRIOR_WEIGHT: f64 = 5.0;

/// The county's confirmed rate assumed before the loop has judged anything.
pub const FIRST_RATE: f64 = 0.5;

/// What is known of one open alert.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// The suspect amount, where the model defines one.
    pub amount_fen: Option<i64>,
    /// Open alerts of other models on the same subject (person, household or account).
    pub other_alerts: u32,
    /// Rows that fired (for a payment roll, the months paid wrongly so far).
    pub rows_fired: u32,
}

/// Why an alert ranks where it does, as people read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The model's record: confirmed of judged.
    ModelRecord { confirmed: u64, judged: u64 },
    /// A model the loop has not judged yet: the county's rate stands in.
    NewModel { county_rate: f64 },
    /// The suspect amount.
    Amount(i64),
    /// No amount: the model's (or the county's) mean recovery per confirmed alert.
    MeanRecovery(i64),
    /// The subject's open alerts of other models.
    OtherAlerts(u32),
    /// How long it has gone on (rows fired).
    RowsFired(u32),
}

impl Reason {
    pub fn text(&self) -> String {
        let yuan = |fen: i64| Money::from_fen(fen).unwrap_or(Money::ZERO).to_string();
        match self {
            Reason::ModelRecord { confirmed, judged } => format!(
                "模型已核实 {judged} 条，属实 {confirmed} 条（{:.0}%）",
                *confirmed as f64 * 100.0 / (*judged).max(1) as f64
            ),
            Reason::NewModel { county_rate } => format!(
                "模型尚无核查结果，按全县属实率 {:.0}% 估计",
                county_rate * 100.0
            ),
            Reason::Amount(fen) => format!("可疑金额 {} 元", yuan(*fen)),
            Reason::MeanRecovery(fen) => format!("无可疑金额，按平均追回 {} 元估计", yuan(*fen)),
            Reason::OtherAlerts(n) => format!("同一对象另有 {n} 条其他模型的预警"),
            Reason::RowsFired(n) => format!("涉及 {n} 条记录（月份）"),
        }
    }
}

/// An alert's priority.
#[derive(Debug, Clone, PartialEq)]
pub struct Priority {
    /// The money its verification may be expected to recover, in fen.
    pub expected_fen: i64,
    /// The chance it is true, in per mille.
    pub chance_permille: u32,
    pub reasons: Vec<Reason>,
}

/// The priority of an open alert of a model with record `model`, in a county with record
/// `county`.
pub fn priority(model: &Record, county: &Record, facts: &Facts) -> Priority {
    let county_rate = county.rate().unwrap_or(FIRST_RATE);
    let model_rate = (model.confirmed as f64 + PRIOR_WEIGHT * county_rate)
        / (model.judged as f64 + PRIOR_WEIGHT);
    // Each open alert of another model on the subject is taken as half an independent witness.
    let witnesses = 1.0 + 0.5 * f64::from(facts.other_alerts);
    let chance = 1.0 - (1.0 - model_rate).powf(witnesses);
    let mut reasons = vec![if model.judged > 0 {
        Reason::ModelRecord {
            confirmed: model.confirmed,
            judged: model.judged,
        }
    } else {
        Reason::NewModel { county_rate }
    }];
    let value = match facts.amount_fen.filter(|a| *a > 0) {
        Some(a) => {
            reasons.push(Reason::Amount(a));
            a
        }
        None => {
            let mean = model
                .recovery_fen()
                .or_else(|| county.recovery_fen())
                .unwrap_or(0);
            reasons.push(Reason::MeanRecovery(mean));
            mean
        }
    };
    if facts.other_alerts > 0 {
        reasons.push(Reason::OtherAlerts(facts.other_alerts));
    }
    if facts.rows_fired > 1 {
        reasons.push(Reason::RowsFired(facts.rows_fired));
    }
    Priority {
        expected_fen: (chance * value as f64).round() as i64,
        chance_permille: (chance * 1000.0).round() as u32,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COUNTY: Record = Record {
        judged: 100,
        confirmed: 40,
        recovered_fen: 400_000,
    };

    #[test]
    fn a_model_that_is_usually_right_ranks_above_one_that_is_usually_wrong() {
        let facts = Facts {
            amount_fen: Some(100_000),
            ..Facts::default()
        };
        let good = Record {
            judged: 20,
            confirmed: 18,
            recovered_fen: 0,
        };
        let bad = Record {
            judged: 20,
            confirmed: 2,
            recovered_fen: 0,
        };
        let (g, b) = (
            priority(&good, &COUNTY, &facts),
            priority(&bad, &COUNTY, &facts),
        );
        assert!(g.expected_fen > 3 * b.expected_fen, "{g:?} {b:?}");
        // Shrunk towards the county: 18 of 20 with 5 at 40% is (18 + 2) / 25.
        assert_eq!(g.chance_permille, 800);
    }

    #[test]
    fn a_new_model_takes_the_county_s_rate_and_recovery() {
        let p = priority(&Record::default(), &COUNTY, &Facts::default());
        assert_eq!(p.chance_permille, 400);
        // 400,000 fen over 40 confirmed alerts: 10,000 each, times 0.4.
        assert_eq!(p.expected_fen, 4_000);
        assert_eq!(
            p.reasons,
            vec![
                Reason::NewModel { county_rate: 0.4 },
                Reason::MeanRecovery(10_000)
            ]
        );
        assert_eq!(
            p.reasons[0].text(),
            "模型尚无核查结果，按全县属实率 40% 估计"
        );
    }

    #[test]
    fn more_money_and_more_alerts_on_the_subject_rank_higher() {
        let m = Record {
            judged: 10,
            confirmed: 5,
            recovered_fen: 0,
        };
        let base = Facts {
            amount_fen: Some(50_000),
            other_alerts: 0,
            rows_fired: 3,
        };
        let richer = Facts {
            amount_fen: Some(90_000),
            ..base
        };
        let repeated = Facts {
            other_alerts: 2,
            ..base
        };
        let p = |f: &Facts| priority(&m, &COUNTY, f).expected_fen;
        assert!(p(&richer) > p(&base));
        assert!(p(&repeated) > p(&base));
        assert!(
            priority(&m, &COUNTY, &repeated)
                .reasons
                .contains(&Reason::OtherAlerts(2))
        );
    }

    #[test]
    fn before_any_judgement_the_first_rate_stands_in() {
        let p = priority(&Record::default(), &Record::default(), &Facts::default());
        assert_eq!(p.chance_permille, 500);
        assert_eq!(p.expected_fen, 0);
    }
}
