//! Integrity opinions (廉政意见回复): the rules of `standard/models.md` applied to one person's
//! petitions and sanctions as of a reply date. Pure: the records arrive as values, the draft
//! leaves as a value with its reasons in words.

use chrono::{Months, NaiveDate};
use serde::Serialize;

/// How long a sanction weighs on a person (影响期).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub enum Impact {
    /// This many calendar months from the decision date.
    Months(u32),
    /// Never clean again (开除党籍, 政务开除).
    Permanent,
    /// Listed, but no impact period (批评教育 is not a sanction).
    None,
}

/// The impact period of a sanction kind, as models.md lists them; `None` for an unknown kind.
pub fn impact_of(sanction: &str) -> Option<Impact> {
    Some(match sanction {
        "党内警告" => Impact::Months(12),
        "党内严重警告" => Impact::Months(18),
        "撤销党内职务" => Impact::Months(24),
        // The probation (at most two years) and the two years after it.
        "留党察看" => Impact::Months(48),
        "开除党籍" | "政务开除" => Impact::Permanent,
        "政务警告" => Impact::Months(6),
        "政务记过" => Impact::Months(12),
        "政务记大过" => Impact::Months(18),
        "政务降级" | "政务撤职" => Impact::Months(24),
        "诫勉" => Impact::Months(6),
        "批评教育" => Impact::None,
        _ => return None,
    })
}

/// The last day of a sanction's impact period: the day before the same date N months after
/// the decision (a one-year period decided on 2025-03-15 ends on 2026-03-14).
pub fn impact_end(decided: NaiveDate, impact: Impact) -> Option<NaiveDate> {
    match impact {
        Impact::Months(n) => decided
            .checked_add_months(Months::new(n))
            .and_then(|d| d.pred_opt()),
        Impact::Permanent | Impact::None => None,
    }
}

/// A petition about the person, as the petition office recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PetitionRecord {
    pub petition_no: String,
    pub received: NaiveDate,
    pub category: String,
    pub summary: String,
    /// 办理中 or 已办结.
    pub status: String,
    pub conclusion: Option<String>,
    pub closed: Option<NaiveDate>,
}

/// A sanction of the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SanctionRecord {
    pub case_no: String,
    pub sanction: String,
    pub decided: NaiveDate,
    pub authority: String,
}

/// One fact the opinion rests on, in words, with the record it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// `petition_open`, `petition_confirmed`, `sanction_in_impact`, `sanction_permanent`,
    /// `sanction_expired`, `sanction_no_impact`, `no_record`.
    pub kind: &'static str,
    /// The record: a petition or case number.
    pub record: String,
    pub text: String,
}

/// The draft opinion on one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing against the person.
    Clean,
    /// Confirmed petitions within the look-back period, nothing that bars: for the reader to weigh.
    Noted,
    /// A petition still being handled.
    UnderReview,
    /// Inside a sanction's impact period, or expelled.
    Barred,
    /// Found in neither the household register nor the supervised-person records, and
    /// nothing against the person: no opinion can vouch for someone nobody knows.
    NoRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Draft {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    /// The opinion as drafted (the drafter may reword it; the findings stay).
    pub opinion: String,
}

/// Wording templates a deployment may edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Wording {
    pub clean: String,
    pub under_review: String,
    pub barred: String,
    pub noted: String,
    /// Deployments' earlier settings hold four templates: the fifth has its default.
    #[serde(default = "default_no_record")]
    pub no_record: String,
}

fn default_no_record() -> String {
    "户籍和监察对象记录中均无此人，请核实身份信息后再行回复".into()
}

impl Default for Wording {
    fn default() -> Self {
        Wording {
            clean: "经查，未发现该同志有违反廉洁纪律问题".into(),
            under_review: "有反映问题正在核查".into(),
            barred: "影响期内，不宜提拔/评优".into(),
            noted: "经查，该同志曾有反映问题经核查属实，已作处理，请结合实际研究".into(),
            no_record: default_no_record(),
        }
    }
}

/// The draft on a person found in no record: the finding says so first, and a clean draft
/// becomes `NoRecord` (anything against the person stands as drafted).
pub fn without_record(mut d: Draft, wording: &Wording) -> Draft {
    d.findings.insert(
        0,
        Finding {
            kind: "no_record",
            record: String::new(),
            text: "户籍和监察对象记录中均无此人".into(),
        },
    );
    if d.verdict == Verdict::Clean {
        d.verdict = Verdict::NoRecord;
        d.opinion = wording.no_record.clone();
    }
    d
}

/// Default look-back for concluded petitions, in years.
pub const LOOK_BACK_YEARS: u32 = 5;

/// Drafts the opinion on one person as of `reply`: every finding with its reason, and the
/// opinion the worst of them calls for (barred, then under review, then noted, else clean).
pub fn draft(
    petitions: &[PetitionRecord],
    sanctions: &[SanctionRecord],
    reply: NaiveDate,
    look_back_years: u32,
    wording: &Wording,
) -> Draft {
    let mut findings = Vec::new();
    let mut verdict = Verdict::Clean;
    let worse = |v: &mut Verdict, w: Verdict| {
        let rank = |x: Verdict| match x {
            Verdict::Clean | Verdict::NoRecord => 0,
            Verdict::Noted => 1,
            Verdict::UnderReview => 2,
            Verdict::Barred => 3,
        };
        if rank(w) > rank(*v) {
            *v = w;
        }
    };
    let since = reply
        .checked_sub_months(Months::new(look_back_years * 12))
        .unwrap_or(NaiveDate::MIN);
    let mut sorted_s: Vec<&SanctionRecord> =
        sanctions.iter().filter(|s| s.decided <= reply).collect();
    sorted_s.sort_by_key(|s| s.decided);
    for s in sorted_s {
        let Some(impact) = impact_of(&s.sanction) else {
            continue;
        };
        let (kind, text) = match (impact, impact_end(s.decided, impact)) {
            (Impact::Permanent, _) => {
                worse(&mut verdict, Verdict::Barred);
                (
                    "sanction_permanent",
                    format!(
                        "{} 受到{}处分（{}，{}）",
                        s.decided, s.sanction, s.authority, s.case_no
                    ),
                )
            }
            (Impact::Months(_), Some(end)) if reply <= end => {
                worse(&mut verdict, Verdict::Barred);
                (
                    "sanction_in_impact",
                    format!(
                        "{} 受到{}处分（{}），影响期至 {end}",
                        s.decided, s.sanction, s.authority
                    ),
                )
            }
            (Impact::Months(_), Some(end)) => (
                "sanction_expired",
                format!(
                    "{} 受到{}处分（{}），影响期已于 {end} 届满",
                    s.decided, s.sanction, s.authority
                ),
            ),
            _ => (
                "sanction_no_impact",
                format!("{} 受到{}（{}）", s.decided, s.sanction, s.authority),
            ),
        };
        findings.push(Finding {
            kind,
            record: s.case_no.clone(),
            text,
        });
    }
    let mut sorted_p: Vec<&PetitionRecord> =
        petitions.iter().filter(|p| p.received <= reply).collect();
    sorted_p.sort_by_key(|p| p.received);
    for p in sorted_p {
        // Closed after the reply date: as of the reply date it was still being handled.
        let open = p.status == "办理中" || p.closed.is_some_and(|c| c > reply);
        if open {
            worse(&mut verdict, Verdict::UnderReview);
            findings.push(Finding {
                kind: "petition_open",
                record: p.petition_no.clone(),
                text: format!(
                    "{} 受理反映其{}问题（{}），正在核查",
                    p.received, p.category, p.summary
                ),
            });
            continue;
        }
        let confirmed = matches!(p.conclusion.as_deref(), Some("属实" | "部分属实"));
        if confirmed && p.closed.is_some_and(|c| c >= since) {
            worse(&mut verdict, Verdict::Noted);
            findings.push(Finding {
                kind: "petition_confirmed",
                record: p.petition_no.clone(),
                text: format!(
                    "{} 受理反映其{}问题（{}），{} 办结，结论{}",
                    p.received,
                    p.category,
                    p.summary,
                    p.closed.map(|c| c.to_string()).unwrap_or_default(),
                    p.conclusion.as_deref().unwrap_or("")
                ),
            });
        }
    }
    let opinion = match verdict {
        Verdict::Clean => wording.clean.clone(),
        Verdict::Noted => wording.noted.clone(),
        Verdict::UnderReview => wording.under_review.clone(),
        Verdict::Barred => wording.barred.clone(),
        Verdict::NoRecord => wording.no_record.clone(),
    };
    Draft {
        verdict,
        findings,
        opinion,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn sanction(kind: &str, decided: &str) -> SanctionRecord {
        SanctionRecord {
            case_no: format!("案-{kind}"),
            sanction: kind.into(),
            decided: d(decided),
            authority: "县纪委".into(),
        }
    }

    fn petition(
        status: &str,
        conclusion: Option<&str>,
        received: &str,
        closed: Option<&str>,
    ) -> PetitionRecord {
        PetitionRecord {
            petition_no: format!("信-{received}"),
            received: d(received),
            category: "违反廉洁纪律".into(),
            summary: "违规收受礼金".into(),
            status: status.into(),
            conclusion: conclusion.map(Into::into),
            closed: closed.map(d),
        }
    }

    fn verdict_on(s: &[SanctionRecord], p: &[PetitionRecord], reply: &str) -> Verdict {
        draft(p, s, d(reply), LOOK_BACK_YEARS, &Wording::default()).verdict
    }

    /// Every sanction kind across its boundary: the last day inside, and the day after.
    #[test]
    fn every_sanction_kind_across_the_end_of_its_impact_period() {
        let decided = "2024-03-15";
        let cases: [(&str, Option<&str>); 13] = [
            ("党内警告", Some("2025-03-14")),
            ("党内严重警告", Some("2025-09-14")),
            ("撤销党内职务", Some("2026-03-14")),
            ("留党察看", Some("2028-03-14")),
            ("开除党籍", None),
            ("政务警告", Some("2024-09-14")),
            ("政务记过", Some("2025-03-14")),
            ("政务记大过", Some("2025-09-14")),
            ("政务降级", Some("2026-03-14")),
            ("政务撤职", Some("2026-03-14")),
            ("政务开除", None),
            ("诫勉", Some("2024-09-14")),
            ("批评教育", None),
        ];
        for (kind, end) in cases {
            let s = [sanction(kind, decided)];
            let impact = impact_of(kind).unwrap();
            assert_eq!(impact_end(d(decided), impact), end.map(d), "{kind}");
            // On the decision day: inside (or barred for ever, or nothing for 批评教育).
            let on_decision = verdict_on(&s, &[], decided);
            match (kind, end) {
                ("批评教育", _) => assert_eq!(on_decision, Verdict::Clean, "{kind}"),
                (_, None) => {
                    assert_eq!(on_decision, Verdict::Barred, "{kind}");
                    assert_eq!(
                        verdict_on(&s, &[], "2040-01-01"),
                        Verdict::Barred,
                        "{kind} never clean"
                    );
                }
                (_, Some(end)) => {
                    let end = d(end);
                    assert_eq!(on_decision, Verdict::Barred, "{kind}");
                    assert_eq!(
                        verdict_on(&s, &[], &end.pred_opt().unwrap().to_string()),
                        Verdict::Barred,
                        "{kind} day before end"
                    );
                    assert_eq!(
                        verdict_on(&s, &[], &end.to_string()),
                        Verdict::Barred,
                        "{kind} on the end"
                    );
                    let after = draft(
                        &[],
                        &s,
                        end.succ_opt().unwrap(),
                        LOOK_BACK_YEARS,
                        &Wording::default(),
                    );
                    assert_eq!(after.verdict, Verdict::Clean, "{kind} day after end");
                    assert_eq!(
                        after.findings[0].kind, "sanction_expired",
                        "{kind}: still listed"
                    );
                }
            }
        }
        assert_eq!(impact_of("记过"), None, "not a kind of the standard");
    }

    #[test]
    fn month_ends_clamp() {
        // 2024-08-31 + 6 months = 2025-02-28; the period's last day is the day before.
        assert_eq!(
            impact_end(d("2024-08-31"), Impact::Months(6)),
            Some(d("2025-02-27"))
        );
    }

    #[test]
    fn open_petitions_and_the_look_back() {
        let open = [petition("办理中", None, "2026-01-10", None)];
        assert_eq!(verdict_on(&[], &open, "2026-06-01"), Verdict::UnderReview);
        assert_eq!(
            verdict_on(&[], &open, "2026-01-09"),
            Verdict::Clean,
            "not yet received"
        );
        // Closed after the reply date: still open as of the reply date.
        let later = [petition(
            "已办结",
            Some("不属实"),
            "2026-01-10",
            Some("2026-07-01"),
        )];
        assert_eq!(verdict_on(&[], &later, "2026-06-01"), Verdict::UnderReview);
        assert_eq!(
            verdict_on(&[], &later, "2026-07-02"),
            Verdict::Clean,
            "unfounded: not listed"
        );
        // Confirmed: listed within five years of the reply date, not after.
        let confirmed = [petition(
            "已办结",
            Some("部分属实"),
            "2020-05-01",
            Some("2021-06-01"),
        )];
        assert_eq!(verdict_on(&[], &confirmed, "2026-06-01"), Verdict::Noted);
        assert_eq!(verdict_on(&[], &confirmed, "2026-06-02"), Verdict::Clean);
        let cannot = [petition(
            "已办结",
            Some("无法查实"),
            "2025-05-01",
            Some("2025-06-01"),
        )];
        assert_eq!(verdict_on(&[], &cannot, "2026-06-01"), Verdict::Clean);
    }

    #[test]
    fn several_records_the_worst_decides_and_all_are_listed() {
        let s = [
            sanction("政务警告", "2020-01-01"),
            sanction("党内警告", "2026-01-01"),
        ];
        let p = [petition("办理中", None, "2026-02-01", None)];
        let dr = draft(
            &p,
            &s,
            d("2026-06-01"),
            LOOK_BACK_YEARS,
            &Wording::default(),
        );
        assert_eq!(dr.verdict, Verdict::Barred);
        assert_eq!(dr.opinion, "影响期内，不宜提拔/评优");
        let kinds: Vec<&str> = dr.findings.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            ["sanction_expired", "sanction_in_impact", "petition_open"]
        );
        let clean = draft(
            &[],
            &[],
            d("2026-06-01"),
            LOOK_BACK_YEARS,
            &Wording::default(),
        );
        assert_eq!(clean.opinion, "经查，未发现该同志有违反廉洁纪律问题");
        assert!(clean.findings.is_empty());
        // A sanction decided after the reply date is not yet on the record.
        assert_eq!(
            verdict_on(&[sanction("党内警告", "2026-07-01")], &[], "2026-06-01"),
            Verdict::Clean
        );
    }
}
