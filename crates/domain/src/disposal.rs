//! The alert life cycle (预警处置闭环) as an explicit state machine, and the forms that move an
//! alert along it. Pure: who the actor is and whether the actor belongs to the responsible
//! unit are decided by the caller; here only which step may follow which, and what a valid
//! verification or accountability record is.
//!
//! ```text
//!  unrouted ──route──▶ routed ──submit──▶ pending_review ──approve──▶ closed
//!                        ▲  ▲                 │      └──transfer──▶ transferred
//!                        │  └──route──┐       │return
//!                        │         returned ◀─┘
//!                        └──────────────┘ (submit again goes to pending_review)
//! ```

use crate::Money;
use crate::access::Permission;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where an alert stands in its follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Raised, but its responsible unit names no organisation of the tree: the commission
    /// assigns it by hand.
    Unrouted,
    /// Sent to the responsible unit, which must verify it by the deadline.
    Routed,
    /// The unit's verification waits for the commission's review.
    PendingReview,
    /// The commission sent the verification back; the unit verifies again.
    Returned,
    /// Approved: the follow-up is over.
    Closed,
    /// Approved and handed to the case-management office as a problem clue (问题线索).
    Transferred,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Unrouted,
        Stage::Routed,
        Stage::PendingReview,
        Stage::Returned,
        Stage::Closed,
        Stage::Transferred,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Unrouted => "unrouted",
            Stage::Routed => "routed",
            Stage::PendingReview => "pending_review",
            Stage::Returned => "returned",
            Stage::Closed => "closed",
            Stage::Transferred => "transferred",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Unrouted => "待分派",
            Stage::Routed => "待核查",
            Stage::PendingReview => "待审核",
            Stage::Returned => "退回重核",
            Stage::Closed => "已办结",
            Stage::Transferred => "已移送线索",
        }
    }

    /// The follow-up is over; the alert's coarse status (batch.md's `status`) is `closed`.
    pub fn is_final(self) -> bool {
        matches!(self, Stage::Closed | Stage::Transferred)
    }

    /// The unit owes a verification: its deadline runs.
    pub fn awaits_unit(self) -> bool {
        matches!(self, Stage::Routed | Stage::Returned)
    }
}

impl FromStr for Stage {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Stage::ALL
            .into_iter()
            .find(|st| st.code() == s)
            .ok_or_else(|| format!("unknown stage '{s}'"))
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What a verification found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Conclusion {
    #[serde(rename = "属实")]
    Confirmed,
    #[serde(rename = "部分属实")]
    PartlyConfirmed,
    #[serde(rename = "不属实")]
    Unfounded,
}

impl Conclusion {
    pub const ALL: [Conclusion; 3] = [
        Conclusion::Confirmed,
        Conclusion::PartlyConfirmed,
        Conclusion::Unfounded,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Conclusion::Confirmed => "属实",
            Conclusion::PartlyConfirmed => "部分属实",
            Conclusion::Unfounded => "不属实",
        }
    }

    /// 属实 or 部分属实: the alert found a real problem.
    pub fn is_confirmed(self) -> bool {
        !matches!(self, Conclusion::Unfounded)
    }
}

impl FromStr for Conclusion {
    type Err = DisposalError;
    fn from_str(s: &str) -> Result<Self, DisposalError> {
        Conclusion::ALL
            .into_iter()
            .find(|c| c.label() == s.trim())
            .ok_or_else(|| {
                DisposalError::Invalid(format!("核查结论须为属实、部分属实或不属实，而不是“{s}”"))
            })
    }
}

/// A step of the life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Assign (or reassign) the alert to a unit.
    Route,
    /// The unit submits its verification.
    Submit,
    /// The commission sends the verification back with comments.
    Return,
    /// The commission approves the verification and closes the alert.
    Approve,
    /// The commission approves it and transfers it as a problem clue.
    Transfer,
}

impl Step {
    pub fn code(self) -> &'static str {
        match self {
            Step::Route => "route",
            Step::Submit => "submit",
            Step::Return => "return",
            Step::Approve => "approve",
            Step::Transfer => "transfer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Step::Route => "分派",
            Step::Submit => "提交核查结果",
            Step::Return => "退回重核",
            Step::Approve => "审核通过",
            Step::Transfer => "移送问题线索",
        }
    }

    /// The permission the actor needs. Submitting also needs the actor to belong to the
    /// unit the alert is routed to, which the caller checks.
    pub fn permission(self) -> Permission {
        match self {
            Step::Submit => Permission::AlertsVerify,
            Step::Route | Step::Return | Step::Approve | Step::Transfer => Permission::AlertsReview,
        }
    }

    /// The stage this step leads to from `from`, or why it may not be taken.
    pub fn apply(self, from: Stage) -> Result<Stage, DisposalError> {
        use Stage::*;
        let to = match (self, from) {
            (Step::Route, Unrouted | Routed | Returned) => Routed,
            (Step::Submit, Routed | Returned) => PendingReview,
            (Step::Return, PendingReview) => Returned,
            (Step::Approve, PendingReview) => Closed,
            (Step::Transfer, PendingReview) => Transferred,
            _ => {
                return Err(DisposalError::IllegalStep {
                    step: self,
                    stage: from,
                });
            }
        };
        Ok(to)
    }

    /// Every step that may be taken from `stage`.
    pub fn allowed_from(stage: Stage) -> Vec<Step> {
        [
            Step::Route,
            Step::Submit,
            Step::Return,
            Step::Approve,
            Step::Transfer,
        ]
        .into_iter()
        .filter(|s| s.apply(stage).is_ok())
        .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisposalError {
    #[error("预警处于“{}”状态，不能{}", stage.label(), step.label())]
    IllegalStep { step: Step, stage: Stage },
    #[error("{0}")]
    Invalid(String),
}

/// Longest free text kept in a form field, in characters.
pub const MAX_TEXT: usize = 4000;

fn text(field: &str, s: &str, required: bool) -> Result<String, DisposalError> {
    let t = s.trim();
    if required && t.is_empty() {
        return Err(DisposalError::Invalid(format!("{field}不能为空")));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(DisposalError::Invalid(format!(
            "{field}不能超过 {MAX_TEXT} 字"
        )));
    }
    Ok(t.to_string())
}

fn money(field: &str, s: &str) -> Result<Money, DisposalError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(Money::ZERO);
    }
    let m: Money = t.parse().map_err(|_| {
        DisposalError::Invalid(format!(
            "{field}“{t}”不是有效金额（元，最多两位小数，不能为负）"
        ))
    })?;
    if m.fen() < 0 {
        return Err(DisposalError::Invalid(format!("{field}不能为负")));
    }
    Ok(m)
}

/// A verification form as submitted (text fields as typed).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct VerificationForm {
    pub conclusion: String,
    #[serde(default)]
    pub records_corrected: u32,
    #[serde(default)]
    pub persons_removed: u32,
    /// Yuan, e.g. `1234.50`.
    #[serde(default)]
    pub recovered: String,
    /// The monthly payment stopped, in yuan: what the roll no longer pays from now on.
    #[serde(default)]
    pub stopped_monthly: String,
    #[serde(default)]
    pub other_outcomes: String,
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    pub attachments: Vec<i64>,
}

/// A unit's verification of an alert, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Verification {
    pub conclusion: Conclusion,
    pub records_corrected: u32,
    pub persons_removed: u32,
    pub recovered: Money,
    pub stopped_monthly: Money,
    pub other_outcomes: String,
    pub explanation: String,
    pub attachments: Vec<i64>,
}

impl TryFrom<VerificationForm> for Verification {
    type Error = DisposalError;
    fn try_from(f: VerificationForm) -> Result<Self, DisposalError> {
        let conclusion: Conclusion = f.conclusion.parse()?;
        let v = Verification {
            conclusion,
            records_corrected: f.records_corrected,
            persons_removed: f.persons_removed,
            recovered: money("追回金额", &f.recovered)?,
            stopped_monthly: money("停发金额（每月）", &f.stopped_monthly)?,
            other_outcomes: text("其他成效", &f.other_outcomes, false)?,
            explanation: text("核查说明", &f.explanation, true)?,
            attachments: f.attachments,
        };
        // An unfounded alert corrected nothing: outcomes with it would inflate the figures.
        if !conclusion.is_confirmed()
            && (v.records_corrected > 0
                || v.persons_removed > 0
                || v.recovered.fen() > 0
                || v.stopped_monthly.fen() > 0
                || !v.other_outcomes.is_empty())
        {
            return Err(DisposalError::Invalid(
                "结论为不属实时不能填写纠错、清退、追回、停发或其他成效".into(),
            ));
        }
        Ok(v)
    }
}

/// Forms of accountability the commission records against persons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub enum AccountabilityKind {
    #[serde(rename = "约谈")]
    Interview,
    #[serde(rename = "诫勉")]
    Admonition,
    #[serde(rename = "通报")]
    Circular,
    #[serde(rename = "问责")]
    Accountability,
}

impl AccountabilityKind {
    pub const ALL: [AccountabilityKind; 4] = [
        AccountabilityKind::Interview,
        AccountabilityKind::Admonition,
        AccountabilityKind::Circular,
        AccountabilityKind::Accountability,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AccountabilityKind::Interview => "约谈",
            AccountabilityKind::Admonition => "诫勉",
            AccountabilityKind::Circular => "通报",
            AccountabilityKind::Accountability => "问责",
        }
    }
}

impl FromStr for AccountabilityKind {
    type Err = DisposalError;
    fn from_str(s: &str) -> Result<Self, DisposalError> {
        AccountabilityKind::ALL
            .into_iter()
            .find(|k| k.label() == s.trim())
            .ok_or_else(|| {
                DisposalError::Invalid(format!("追责方式须为约谈、诫勉、通报或问责，而不是“{s}”"))
            })
    }
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct AccountabilityForm {
    pub kind: String,
    /// Names, one per line or separated by 、，, or ;.
    pub persons: String,
    /// `YYYY-MM-DD`.
    pub decided_on: String,
    /// The document's reference (文号).
    #[serde(default)]
    pub document: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub attachments: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Accountability {
    pub kind: AccountabilityKind,
    pub persons: Vec<String>,
    pub decided_on: NaiveDate,
    pub document: String,
    pub note: String,
    pub attachments: Vec<i64>,
}

impl Accountability {
    /// Checks a form against the day it is recorded (a decision cannot lie in the future).
    pub fn from_form(f: AccountabilityForm, today: NaiveDate) -> Result<Self, DisposalError> {
        let kind: AccountabilityKind = f.kind.parse()?;
        let persons: Vec<String> = f
            .persons
            .split(['\n', '、', '，', ',', ';', '；'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        if persons.is_empty() {
            return Err(DisposalError::Invalid("请填写被追责人员".into()));
        }
        if let Some(p) = persons.iter().find(|p| p.chars().count() > 50) {
            return Err(DisposalError::Invalid(format!("人员姓名过长：“{p}”")));
        }
        let decided_on =
            NaiveDate::parse_from_str(f.decided_on.trim(), "%Y-%m-%d").map_err(|_| {
                DisposalError::Invalid(format!(
                    "日期“{}”不是 YYYY-MM-DD 格式的有效日期",
                    f.decided_on
                ))
            })?;
        if decided_on > today {
            return Err(DisposalError::Invalid("追责日期不能晚于今天".into()));
        }
        Ok(Accountability {
            kind,
            persons,
            decided_on,
            document: text("文号", &f.document, false)?,
            note: text("说明", &f.note, false)?,
            attachments: f.attachments,
        })
    }
}

/// Default days a unit has to verify an alert, where its model sets none.
pub const DEFAULT_DEADLINE_DAYS: i64 = 15;
/// Days before the deadline when the unit is reminded.
pub const REMIND_DAYS_BEFORE: i64 = 3;

/// Reminders due on `today` for an alert awaiting its unit with `deadline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineNotice {
    /// The deadline is near (within [`REMIND_DAYS_BEFORE`] days).
    Soon,
    /// The deadline is today.
    Due,
    /// The deadline has passed: escalate to the commission.
    Overdue,
}

impl DeadlineNotice {
    pub fn of(deadline: NaiveDate, today: NaiveDate) -> Option<DeadlineNotice> {
        let days_left = (deadline - today).num_days();
        match days_left {
            d if d < 0 => Some(DeadlineNotice::Overdue),
            0 => Some(DeadlineNotice::Due),
            d if d <= REMIND_DAYS_BEFORE => Some(DeadlineNotice::Soon),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            DeadlineNotice::Soon => "soon",
            DeadlineNotice::Due => "due",
            DeadlineNotice::Overdue => "overdue",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_of_step_and_stage_is_either_a_listed_transition_or_rejected() {
        use Stage::*;
        let legal = [
            (Step::Route, Unrouted, Routed),
            (Step::Route, Routed, Routed),
            (Step::Route, Returned, Routed),
            (Step::Submit, Routed, PendingReview),
            (Step::Submit, Returned, PendingReview),
            (Step::Return, PendingReview, Returned),
            (Step::Approve, PendingReview, Closed),
            (Step::Transfer, PendingReview, Transferred),
        ];
        for step in [
            Step::Route,
            Step::Submit,
            Step::Return,
            Step::Approve,
            Step::Transfer,
        ] {
            for stage in Stage::ALL {
                let expected = legal
                    .iter()
                    .find(|(s, f, _)| *s == step && *f == stage)
                    .map(|(_, _, t)| *t);
                match (step.apply(stage), expected) {
                    (Ok(to), Some(t)) => assert_eq!(to, t, "{step:?} from {stage:?}"),
                    (Err(e), None) => {
                        assert!(matches!(e, DisposalError::IllegalStep { .. }));
                        assert!(e.to_string().contains(stage.label()), "{e}");
                    }
                    (got, want) => panic!("{step:?} from {stage:?}: got {got:?}, want {want:?}"),
                }
            }
        }
        assert!(Step::allowed_from(Closed).is_empty());
        assert!(Step::allowed_from(Transferred).is_empty());
    }

    fn form(conclusion: &str) -> VerificationForm {
        VerificationForm {
            conclusion: conclusion.into(),
            explanation: "已核实".into(),
            ..Default::default()
        }
    }

    #[test]
    fn verification_forms_are_checked() {
        let ok = Verification::try_from(VerificationForm {
            records_corrected: 2,
            recovered: "1234.56".into(),
            stopped_monthly: "300".into(),
            ..form("部分属实")
        })
        .unwrap();
        assert_eq!(ok.recovered.fen(), 123_456);
        assert_eq!(ok.stopped_monthly.fen(), 30_000);

        let cases: [(VerificationForm, &str); 6] = [
            (form("存疑"), "核查结论"),
            (
                VerificationForm {
                    explanation: "  ".into(),
                    ..form("属实")
                },
                "核查说明不能为空",
            ),
            (
                VerificationForm {
                    recovered: "-5".into(),
                    ..form("属实")
                },
                "追回金额",
            ),
            (
                VerificationForm {
                    recovered: "1.234".into(),
                    ..form("属实")
                },
                "追回金额",
            ),
            (
                VerificationForm {
                    recovered: "10".into(),
                    ..form("不属实")
                },
                "不属实",
            ),
            (
                VerificationForm {
                    records_corrected: 1,
                    ..form("不属实")
                },
                "不属实",
            ),
        ];
        for (f, needle) in cases {
            let e = Verification::try_from(f.clone()).unwrap_err().to_string();
            assert!(e.contains(needle), "{f:?}: {e}");
        }
    }

    #[test]
    fn accountability_forms_are_checked() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let a = Accountability::from_form(
            AccountabilityForm {
                kind: "约谈".into(),
                persons: "张三、李四\n王五".into(),
                decided_on: "2026-11-20".into(),
                ..Default::default()
            },
            today,
        )
        .unwrap();
        assert_eq!(a.persons, ["张三", "李四", "王五"]);
        for (f, needle) in [
            (("警告", "张三", "2026-11-20"), "追责方式"),
            (("约谈", " ", "2026-11-20"), "被追责人员"),
            (("约谈", "张三", "2026-02-30"), "有效日期"),
            (("约谈", "张三", "2026-11-27"), "晚于今天"),
        ] {
            let e = Accountability::from_form(
                AccountabilityForm {
                    kind: f.0.into(),
                    persons: f.1.into(),
                    decided_on: f.2.into(),
                    ..Default::default()
                },
                today,
            )
            .unwrap_err()
            .to_string();
            assert!(e.contains(needle), "{e}");
        }
    }

    #[test]
    fn deadline_notices_at_their_boundaries() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        let day = |n: u32| NaiveDate::from_ymd_opt(2026, 12, n).unwrap();
        assert_eq!(DeadlineNotice::of(d, day(6)), None);
        assert_eq!(DeadlineNotice::of(d, day(7)), Some(DeadlineNotice::Soon));
        assert_eq!(DeadlineNotice::of(d, day(9)), Some(DeadlineNotice::Soon));
        assert_eq!(DeadlineNotice::of(d, day(10)), Some(DeadlineNotice::Due));
        assert_eq!(
            DeadlineNotice::of(d, day(11)),
            Some(DeadlineNotice::Overdue)
        );
    }
}
