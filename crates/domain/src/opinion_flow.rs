//! The workflow of an integrity-opinion request (廉政意见回复) as a state machine, like the
//! alert loop's (`disposal.rs`): four stages, four steps, and the separation of duties — the
//! drafter submits, someone else reviews, a third person approves, and a return says why.
//! Pure: the caller says who acts and which permissions the actor holds.
//!
//! ```text
//!  drafted ──submit──▶ in_review ──review──▶ reviewed ──approve──▶ approved
//!     ▲                    │                     │
//!     └──────return────────┴───────return────────┘
//! ```

use crate::access::Permission;
use std::str::FromStr;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpinionStage {
    Drafted,
    InReview,
    Reviewed,
    Approved,
}

impl OpinionStage {
    pub const ALL: [OpinionStage; 4] = [
        OpinionStage::Drafted,
        OpinionStage::InReview,
        OpinionStage::Reviewed,
        OpinionStage::Approved,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OpinionStage::Drafted => "drafted",
            OpinionStage::InReview => "in_review",
            OpinionStage::Reviewed => "reviewed",
            OpinionStage::Approved => "approved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OpinionStage::Drafted => "起草中",
            OpinionStage::InReview => "待审核",
            OpinionStage::Reviewed => "待签发",
            OpinionStage::Approved => "已签发",
        }
    }
}

impl FromStr for OpinionStage {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        OpinionStage::ALL
            .into_iter()
            .find(|x| x.code() == s)
            .ok_or_else(|| format!("unknown opinion stage '{s}'"))
    }
}

/// What someone does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpinionStep {
    Submit,
    Review,
    Return,
    Approve,
}

impl OpinionStep {
    pub const ALL: [OpinionStep; 4] = [
        OpinionStep::Submit,
        OpinionStep::Review,
        OpinionStep::Return,
        OpinionStep::Approve,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OpinionStep::Submit => "submit",
            OpinionStep::Review => "review",
            OpinionStep::Return => "return",
            OpinionStep::Approve => "approve",
        }
    }

    /// The permissions that may take the step (any of them).
    pub fn permissions(self) -> &'static [Permission] {
        match self {
            OpinionStep::Submit => &[Permission::OpinionsDraft],
            OpinionStep::Review => &[Permission::OpinionsReview],
            OpinionStep::Approve => &[Permission::OpinionsApprove],
            OpinionStep::Return => &[Permission::OpinionsReview, Permission::OpinionsApprove],
        }
    }

    /// The permission that takes the step at `stage`: a request is returned from review by a
    /// reviewer and from signing by an approver.
    fn permission_at(self, stage: OpinionStage) -> Permission {
        match (self, stage) {
            (OpinionStep::Return, OpinionStage::Reviewed) => Permission::OpinionsApprove,
            (OpinionStep::Return, _) => Permission::OpinionsReview,
            (s, _) => s.permissions()[0],
        }
    }

    /// The stage this step leads to when `actor` takes it from `from`, or why it may not.
    pub fn apply(
        self,
        from: OpinionStage,
        actor: &str,
        parties: &Parties<'_>,
        comment: &str,
    ) -> Result<OpinionStage, OpinionStepRefused> {
        use OpinionStage::*;
        use OpinionStep::*;
        let drafter = actor == parties.drafted_by;
        let reviewer = Some(actor) == parties.reviewed_by;
        match (self, from) {
            (Submit, Drafted) if drafter => Ok(InReview),
            (Submit, Drafted) => Err(OpinionStepRefused::OnlyTheDrafterSubmits),
            (Review | Return, InReview) if drafter => Err(OpinionStepRefused::DrafterReviews),
            (Return, InReview | Reviewed) if comment.trim().is_empty() => {
                Err(OpinionStepRefused::ReturnNeedsComment)
            }
            (Review, InReview) => Ok(Reviewed),
            (Return, InReview) => Ok(Drafted),
            (Return, Reviewed) if !reviewer && !drafter => Ok(Drafted),
            (Approve, Reviewed) if !reviewer && !drafter => Ok(Approved),
            (Approve, Reviewed) => Err(OpinionStepRefused::DrafterOrReviewerApproves),
            (step, stage) => Err(OpinionStepRefused::NotAtThisStage { step, stage }),
        }
    }

    /// The steps `actor` may take at `stage`, holding the permissions `has` says.
    pub fn allowed(
        stage: OpinionStage,
        actor: &str,
        parties: &Parties<'_>,
        has: impl Fn(Permission) -> bool,
    ) -> Vec<OpinionStep> {
        OpinionStep::ALL
            .into_iter()
            // A return's comment is asked for when it is taken; here any will do.
            .filter(|s| s.apply(stage, actor, parties, "-").is_ok())
            .filter(|s| has(s.permission_at(stage)))
            .collect()
    }
}

impl FromStr for OpinionStep {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        OpinionStep::ALL
            .into_iter()
            .find(|x| x.code() == s)
            .ok_or_else(|| format!("未知操作“{s}”"))
    }
}

/// Who has acted on a request so far.
#[derive(Debug, Clone, Copy)]
pub struct Parties<'a> {
    pub drafted_by: &'a str,
    pub reviewed_by: Option<&'a str>,
}

/// Why a step may not be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpinionStepRefused {
    #[error("只有起草人可以提交审核")]
    OnlyTheDrafterSubmits,
    #[error("起草人不能审核自己起草的意见")]
    DrafterReviews,
    #[error("退回时须填写意见")]
    ReturnNeedsComment,
    #[error("起草人和审核人不能签发")]
    DrafterOrReviewerApproves,
    #[error("请求处于“{}”状态，不能执行“{}”", stage.label(), step.code())]
    NotAtThisStage {
        step: OpinionStep,
        stage: OpinionStage,
    },
}

#[cfg(test)]
mod tests {
    use super::OpinionStage::*;
    use super::OpinionStep::*;
    use super::*;

    const PARTIES: Parties<'static> = Parties {
        drafted_by: "drafter",
        reviewed_by: Some("reviewer"),
    };

    #[test]
    fn each_duty_falls_to_another_person() {
        assert_eq!(Submit.apply(Drafted, "drafter", &PARTIES, ""), Ok(InReview));
        assert_eq!(
            Submit.apply(Drafted, "other", &PARTIES, ""),
            Err(OpinionStepRefused::OnlyTheDrafterSubmits)
        );
        assert_eq!(
            Review.apply(InReview, "drafter", &PARTIES, ""),
            Err(OpinionStepRefused::DrafterReviews)
        );
        assert_eq!(
            Review.apply(InReview, "reviewer", &PARTIES, ""),
            Ok(Reviewed)
        );
        for who in ["drafter", "reviewer"] {
            assert_eq!(
                Approve.apply(Reviewed, who, &PARTIES, ""),
                Err(OpinionStepRefused::DrafterOrReviewerApproves)
            );
        }
        assert_eq!(
            Approve.apply(Reviewed, "leader", &PARTIES, ""),
            Ok(Approved)
        );
    }

    #[test]
    fn a_return_says_why_and_goes_back_to_the_drafter() {
        assert_eq!(
            Return.apply(InReview, "reviewer", &PARTIES, "  "),
            Err(OpinionStepRefused::ReturnNeedsComment)
        );
        assert_eq!(
            Return.apply(InReview, "reviewer", &PARTIES, "补充"),
            Ok(Drafted)
        );
        assert_eq!(
            Return.apply(Reviewed, "leader", &PARTIES, "补充"),
            Ok(Drafted)
        );
        // The reviewer cannot take back what they passed.
        assert!(matches!(
            Return.apply(Reviewed, "reviewer", &PARTIES, "补充"),
            Err(OpinionStepRefused::NotAtThisStage { .. })
        ));
    }

    #[test]
    fn nothing_moves_an_approved_request() {
        for step in OpinionStep::ALL {
            assert_eq!(
                step.apply(Approved, "leader", &PARTIES, "x"),
                Err(OpinionStepRefused::NotAtThisStage {
                    step,
                    stage: Approved
                })
            );
        }
        assert_eq!(
            OpinionStepRefused::NotAtThisStage {
                step: Approve,
                stage: Approved
            }
            .to_string(),
            "请求处于“已签发”状态，不能执行“approve”"
        );
    }

    #[test]
    fn the_allowed_steps_are_those_the_actor_may_take() {
        let all = |_: Permission| true;
        assert_eq!(
            OpinionStep::allowed(Drafted, "drafter", &PARTIES, all),
            [Submit]
        );
        assert!(OpinionStep::allowed(Drafted, "other", &PARTIES, all).is_empty());
        assert_eq!(
            OpinionStep::allowed(InReview, "reviewer", &PARTIES, all),
            [Review, Return]
        );
        assert_eq!(
            OpinionStep::allowed(Reviewed, "leader", &PARTIES, all),
            [Return, Approve]
        );
        // A reviewer returns from review, not from signing.
        let reviewer = |p: Permission| p == Permission::OpinionsReview;
        assert!(OpinionStep::allowed(Reviewed, "leader", &PARTIES, reviewer).is_empty());
        assert!(OpinionStep::allowed(Approved, "leader", &PARTIES, all).is_empty());
    }
}
