//! The verification loop (预警处置闭环): routing new alerts to their units with deadlines,
//! the unit's verification, the commission's review, accountability, reminders and
//! escalation, and the statistics the loop produces. Every step is checked against the
//! domain's state machine here and written with its event and audit record by the store.
//! Knows nothing of HTTP: who the caller is arrives as an audit record and the units it
//! belongs to.

use crate::{AppError, Platform};
use chrono::{Duration, NaiveDate};
use mingjing_domain::Money;
use mingjing_domain::access::Permission;
use mingjing_domain::disposal::{
    Accountability, AccountabilityForm, Conclusion, DEFAULT_DEADLINE_DAYS, DeadlineNotice,
    DisposalError, Stage, Step, Verification, VerificationForm,
};
use mingjing_store::alert_list::{AlertCriteria, LoopGroup};
use mingjing_store::audit::AuditEntry;
use mingjing_store::disposal::{NewNotification, Routing};
use mingjing_store::{Alert, StoreError};
use std::collections::{BTreeMap, HashMap};

fn system_audit(action: &str, object: String, detail: String) -> AuditEntry {
    AuditEntry {
        actor: "system".into(),
        role: "system".into(),
        org: String::new(),
        action: action.into(),
        object,
        result: "ok".into(),
        source: "local".into(),
        detail,
    }
}

fn stage_of(a: &Alert) -> Result<Stage, AppError> {
    a.stage
        .parse()
        .map_err(|e: String| AppError::Store(StoreError::Corrupt(e)))
}

/// A dimension the statistics group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatDimension {
    Model,
    Unit,
    Town,
    Month,
}

/// What the loop achieved for one group of alerts. Money in fen, summed as integers.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct LoopFigures {
    pub raised: u64,
    pub routed: u64,
    /// Verifications submitted at least once.
    pub verified: u64,
    /// Closed as 属实 or 部分属实.
    pub confirmed: u64,
    /// Closed as 不属实.
    pub false_positives: u64,
    pub closed: u64,
    pub records_corrected: i64,
    pub persons_removed: i64,
    pub recovered_fen: i64,
    pub stopped_monthly_fen: i64,
    pub overdue: u64,
    pub interviewed: i64,
    pub accountable: i64,
}

impl LoopFigures {
    /// Adds the figures of one group the database summed.
    fn add(&mut self, g: &LoopGroup) {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        self.raised += n(g.raised);
        self.routed += n(g.routed);
        self.verified += n(g.verified);
        self.confirmed += n(g.confirmed);
        self.false_positives += n(g.false_positives);
        self.closed += n(g.closed);
        self.records_corrected += g.records_corrected;
        self.persons_removed += g.persons_removed;
        self.recovered_fen += g.recovered_fen;
        self.stopped_monthly_fen += g.stopped_monthly_fen;
        self.overdue += n(g.overdue);
        self.interviewed += g.interviewed;
        self.accountable += g.accountable;
    }

    /// Confirmed ÷ closed with a conclusion, in per cent with one decimal; none before any.
    pub fn hit_rate(&self) -> Option<String> {
        let judged = self.confirmed + self.false_positives;
        (judged > 0).then(|| {
            let tenths = (self.confirmed * 1000 + judged / 2) / judged;
            format!("{}.{}", tenths / 10, tenths % 10)
        })
    }

    /// Money recovered per closed alert, exact to the fen (rounded half up).
    pub fn recovered_per_alert(&self) -> Option<Money> {
        (self.closed > 0).then(|| {
            let n = self.closed as i64;
            Money::from_fen((self.recovered_fen + n / 2) / n).unwrap_or(Money::ZERO)
        })
    }

    /// The seed's sentence: 预警N条，纠错M条，追回X元，约谈K人.
    pub fn summary(&self) -> String {
        format!(
            "预警{}条，纠错{}条，追回{}元，约谈{}人",
            self.raised,
            self.records_corrected,
            Money::from_fen(self.recovered_fen).unwrap_or(Money::ZERO),
            self.interviewed
        )
    }
}

/// An alert awaiting its unit past its deadline.
pub fn is_overdue(stage: Stage, deadline: Option<&str>, today: NaiveDate) -> bool {
    stage.awaits_unit()
        && deadline
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .is_some_and(|d| d < today)
}

/// Which alerts the statistics count.
#[derive(Debug, Clone, Default)]
pub struct StatFilter {
    /// Alerts raised on or after this day.
    pub from: Option<NaiveDate>,
    /// Alerts raised on or before this day.
    pub to: Option<NaiveDate>,
    pub unit: Option<String>,
    pub model: Option<String>,
    pub town: Option<String>,
}

impl Platform {
    /// Sends every unrouted open alert whose responsible unit is an organisation of the tree
    /// (by name or code) to that unit, with the deadline its model sets, and tells each unit
    /// how many arrived. Alerts naming no known unit wait for the commission to route them.
    pub async fn route_new_alerts(&self, today: NaiveDate) -> Result<usize, AppError> {
        let pending = self.meta.unrouted_alerts().await?;
        if pending.is_empty() {
            return Ok(0);
        }
        let tree = self.meta.org_tree().await?;
        let days: HashMap<String, i64> = self.meta.deadline_days().await?.into_iter().collect();
        let mut routes = Vec::new();
        let mut audits = Vec::new();
        let mut per_org: BTreeMap<i64, (usize, String)> = BTreeMap::new();
        for a in &pending {
            let Some(org) = tree.iter().find(|o| {
                o.name == a.responsible || (!o.code.is_empty() && o.code == a.responsible)
            }) else {
                continue;
            };
            let deadline =
                today + Duration::days(*days.get(&a.model).unwrap_or(&DEFAULT_DEADLINE_DAYS));
            routes.push(Routing {
                alert_id: a.alert_id,
                org_id: org.id,
                deadline: deadline.to_string(),
            });
            audits.push(system_audit(
                "alert.route",
                format!("alert:{}", a.alert_id),
                format!("to {} by {deadline}", org.name),
            ));
            let e = per_org.entry(org.id).or_insert((0, deadline.to_string()));
            e.0 += 1;
            e.1 = e.1.clone().min(deadline.to_string());
        }
        let notices: Vec<NewNotification> = per_org
            .iter()
            .map(|(org, (n, first))| NewNotification {
                org_id: Some(*org),
                permission: Permission::AlertsVerify.code().into(),
                kind: "alert.routed".into(),
                object: "alerts?stage=routed".into(),
                message: format!("收到新分派的预警 {n} 条，最早须于 {first} 前完成核查"),
                dedup: None,
            })
            .collect();
        let from = vec![Stage::Unrouted; routes.len()];
        self.meta
            .route_alerts(&routes, &from, &audits, &notices)
            .await?;
        Ok(routes.len())
    }

    async fn loop_alert(&self, id: i64) -> Result<(Alert, Stage), AppError> {
        let a = self
            .meta
            .alert(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("alert {id}")))?;
        let stage = stage_of(&a)?;
        Ok((a, stage))
    }

    /// The commission routes (or reroutes) an alert to a unit by hand.
    pub async fn route_alert(
        &self,
        id: i64,
        org_id: i64,
        today: NaiveDate,
        actor: &crate::Actor,
    ) -> Result<(), AppError> {
        let (a, stage) = self.loop_alert(id).await?;
        Step::Route.apply(stage)?;
        let org = self
            .meta
            .org_node(org_id)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("机构 {org_id} 不存在")))?;
        let days = self
            .meta
            .deadline_days()
            .await?
            .into_iter()
            .find(|(m, _)| *m == a.model)
            .map_or(DEFAULT_DEADLINE_DAYS, |(_, d)| d);
        let deadline = (today + Duration::days(days)).to_string();
        let mut audit = actor.entry("alert.route", format!("alert:{id}"), "ok");
        audit.detail = format!("to {} by {deadline}", org.name);
        self.meta
            .route_alerts(
                &[Routing {
                    alert_id: id,
                    org_id,
                    deadline: deadline.clone(),
                }],
                &[stage],
                &[audit],
                &[NewNotification {
                    org_id: Some(org_id),
                    permission: Permission::AlertsVerify.code().into(),
                    kind: "alert.routed".into(),
                    object: format!("alert:{id}"),
                    message: format!(
                        "预警 {id}（{}）已分派给本单位，请于 {deadline} 前完成核查",
                        a.model
                    ),
                    dedup: None,
                }],
            )
            .await?;
        Ok(())
    }

    /// The responsible unit submits its verification. `units` are the organisations the
    /// submitter acts for (its own and those below it).
    pub async fn submit_verification(
        &self,
        id: i64,
        units: &[i64],
        form: VerificationForm,
        actor: &crate::Actor,
    ) -> Result<i64, AppError> {
        let (a, stage) = self.loop_alert(id).await?;
        Step::Submit.apply(stage)?;
        let Some(org) = a.org_id.filter(|o| units.contains(o)) else {
            return Err(AppError::NotResponsible(format!(
                "预警 {id} 不是分派给本单位的，只有责任单位可以核查"
            )));
        };
        let v = Verification::try_from(form)?;
        let mut audit = actor.entry("alert.verify", format!("alert:{id}"), "ok");
        audit.detail = format!(
            "{}; corrected {}; recovered {}",
            v.conclusion.label(),
            v.records_corrected,
            v.recovered
        );
        let notice = NewNotification {
            org_id: None,
            permission: Permission::AlertsReview.code().into(),
            kind: "alert.submitted".into(),
            object: format!("alert:{id}"),
            message: format!(
                "预警 {id}（{}）已提交核查结果（{}），待审核",
                a.model,
                v.conclusion.label()
            ),
            dedup: None,
        };
        Ok(self
            .meta
            .submit_verification(id, stage, &v, org, &audit, &notice)
            .await?)
    }

    /// The commission's review: return (with comments), approve, or transfer as a clue.
    pub async fn review_alert(
        &self,
        id: i64,
        step: Step,
        comment: &str,
        actor: &crate::Actor,
    ) -> Result<(), AppError> {
        if !matches!(step, Step::Return | Step::Approve | Step::Transfer) {
            return Err(DisposalError::Invalid(format!("“{}”不是审核操作", step.label())).into());
        }
        let (a, stage) = self.loop_alert(id).await?;
        step.apply(stage)?;
        let comment = comment.trim();
        if step == Step::Return && comment.is_empty() {
            return Err(DisposalError::Invalid("退回时须填写退回意见".into()).into());
        }
        if comment.chars().count() > mingjing_domain::disposal::MAX_TEXT {
            return Err(DisposalError::Invalid("审核意见过长".into()).into());
        }
        if step == Step::Transfer {
            let flow = self.meta.alert_flow(id).await?;
            let pending = flow
                .verifications
                .iter()
                .rev()
                .find(|v| v.decision.is_none());
            if pending.is_some_and(|v| v.conclusion == Conclusion::Unfounded.label()) {
                return Err(DisposalError::Invalid(
                    "核查结论为不属实的预警不能移送问题线索，请退回重核或审核通过".into(),
                )
                .into());
            }
        }
        let message = match step {
            Step::Return => format!("预警 {id}（{}）被退回重核：{comment}", a.model),
            Step::Approve => format!("预警 {id}（{}）的核查结果已审核通过", a.model),
            _ => format!("预警 {id}（{}）已移送问题线索", a.model),
        };
        let mut audit = actor.entry(
            &format!("alert.{}", step.code()),
            format!("alert:{id}"),
            "ok",
        );
        audit.detail = comment.chars().take(200).collect();
        let notice = NewNotification {
            org_id: a.org_id,
            permission: Permission::AlertsVerify.code().into(),
            kind: format!("alert.{}", step.code()),
            object: format!("alert:{id}"),
            message,
            dedup: None,
        };
        self.meta
            .review_alert(id, step, comment, &audit, &notice)
            .await?;
        // A closed alert teaches triage about its model: its open alerts rank again.
        if step != Step::Return {
            self.refresh_priorities(Some(&a.model)).await?;
        }
        Ok(())
    }

    /// Records accountability for a confirmed alert.
    pub async fn record_accountability(
        &self,
        id: i64,
        form: AccountabilityForm,
        today: NaiveDate,
        actor: &crate::Actor,
    ) -> Result<i64, AppError> {
        let (a, stage) = self.loop_alert(id).await?;
        let confirmed = a
            .conclusion
            .as_deref()
            .and_then(|c| c.parse::<Conclusion>().ok())
            .is_some_and(Conclusion::is_confirmed);
        if !stage.is_final() || !confirmed {
            return Err(DisposalError::Invalid(
                "只能对审核通过且结论为属实或部分属实的预警记录追责".into(),
            )
            .into());
        }
        let acc = Accountability::from_form(form, today)?;
        let mut audit = actor.entry("alert.account", format!("alert:{id}"), "ok");
        audit.detail = format!("{} {} persons", acc.kind.label(), acc.persons.len());
        Ok(self
            .meta
            .record_accountability(id, stage, &acc, &audit)
            .await?)
    }

    /// Reminds units of deadlines that are near or today, and escalates overdue alerts to the
    /// commission, once each. Returns (reminders considered, escalated).
    pub async fn sweep_deadlines(&self, today: NaiveDate) -> Result<(usize, usize), AppError> {
        let waiting = self.meta.alerts_awaiting_units().await?;
        let mut reminders = Vec::new();
        let mut escalated = 0;
        for (id, stage, org, deadline, was_escalated) in waiting {
            let Ok(d) = NaiveDate::parse_from_str(&deadline, "%Y-%m-%d") else {
                continue;
            };
            match DeadlineNotice::of(d, today) {
                Some(DeadlineNotice::Overdue) if !was_escalated => {
                    let notice = NewNotification {
                        org_id: None,
                        permission: Permission::AlertsReview.code().into(),
                        kind: "alert.overdue".into(),
                        object: format!("alert:{id}"),
                        message: format!(
                            "预警 {id} 已超过核查期限 {deadline}，责任单位尚未提交核查结果"
                        ),
                        dedup: Some(format!("alert:{id}:{deadline}:overdue")),
                    };
                    let audit = system_audit(
                        "alert.escalate",
                        format!("alert:{id}"),
                        format!("deadline {deadline}"),
                    );
                    if self.meta.escalate_alert(id, stage, &audit, &notice).await? {
                        escalated += 1;
                    }
                }
                Some(n @ (DeadlineNotice::Soon | DeadlineNotice::Due)) => {
                    reminders.push(NewNotification {
                        org_id: Some(org),
                        permission: Permission::AlertsVerify.code().into(),
                        kind: "alert.deadline".into(),
                        object: format!("alert:{id}"),
                        message: if n == DeadlineNotice::Due {
                            format!("预警 {id} 今天（{deadline}）到期，请尽快提交核查结果")
                        } else {
                            format!("预警 {id} 将于 {deadline} 到期，请及时核查")
                        },
                        dedup: Some(format!("alert:{id}:{deadline}:{}", n.code())),
                    });
                }
                _ => {}
            }
        }
        let n = reminders.len();
        self.meta.notify(&reminders).await?;
        Ok((n, escalated))
    }

    /// The loop's figures of the alerts in `scope` that pass the filter, grouped by each of
    /// `dims`, with their total: the database groups and sums (one query), the groups are
    /// folded here into each dimension. Groups are sorted by their key; `today` decides what
    /// is overdue.
    pub async fn loop_statistics(
        &self,
        dims: &[StatDimension],
        filter: &StatFilter,
        today: NaiveDate,
        scope: &crate::scope::Scope,
    ) -> Result<(Vec<Vec<(String, LoopFigures)>>, LoopFigures), AppError> {
        let criteria = AlertCriteria {
            admitted: scope.admitted(),
            responsible: filter.unit.clone(),
            model: filter.model.clone(),
            town: filter.town.clone(),
            raised_from: filter.from.map(|d| self.start_of(d)),
            raised_before: filter
                .to
                .and_then(|d| d.succ_opt())
                .map(|d| self.start_of(d)),
            ..AlertCriteria::default()
        };
        let rows = self
            .meta
            .loop_groups(&criteria, &crate::alerts::day_text(today))
            .await?;
        let mut groups: Vec<BTreeMap<String, LoopFigures>> = vec![BTreeMap::new(); dims.len()];
        let mut total = LoopFigures::default();
        for r in &rows {
            for (dim, g) in dims.iter().zip(&mut groups) {
                let key = match dim {
                    StatDimension::Model => r.model.clone(),
                    StatDimension::Unit => r.responsible.clone(),
                    StatDimension::Town => r.town.clone(),
                    StatDimension::Month => self
                        .clock()
                        .day_of(&format!("{}:00Z", r.minute))
                        .map(|d| d.format("%Y-%m").to_string())
                        .unwrap_or_default(),
                };
                g.entry(key).or_default().add(r);
            }
            total.add(r);
        }
        Ok((
            groups
                .into_iter()
                .map(|g| g.into_iter().collect())
                .collect(),
            total,
        ))
    }
}

/// The statistics' dimensions as the export names its sheets.
const DIMENSION_LABELS: [(StatDimension, &str); 4] = [
    (StatDimension::Model, "模型"),
    (StatDimension::Unit, "责任单位"),
    (StatDimension::Town, "乡镇"),
    (StatDimension::Month, "月份"),
];

impl Platform {
    /// The loop's statistics in scope as Excel: one sheet per dimension, the summary
    /// sentence on top, a total row; audited (`stats.export`) with the summary.
    pub async fn export_loop_statistics(
        &self,
        actor: &crate::Actor,
        scope: &crate::scope::Scope,
        filter: &StatFilter,
    ) -> Result<Vec<u8>, AppError> {
        use crate::sheets::{Cell, Sheet};
        let money = |fen: i64| Money::from_fen(fen).unwrap_or(Money::ZERO).to_string();
        let header = [
            "预警数",
            "已分派",
            "已核查",
            "属实",
            "不属实",
            "已办结",
            "纠错条数",
            "清退人数",
            "追回金额（元）",
            "停发金额（元/月）",
            "逾期",
            "约谈人数",
            "追责人数",
            "属实率（%）",
        ];
        let dims = DIMENSION_LABELS.map(|(d, _)| d);
        let (by_dim, total) = self
            .loop_statistics(&dims, filter, self.today(), scope)
            .await?;
        let summary = total.summary();
        let mut sheets = Vec::new();
        for ((_, label), groups) in DIMENSION_LABELS.into_iter().zip(by_dim) {
            let mut rows = vec![
                vec![Cell::from(summary.as_str())],
                std::iter::once(label)
                    .chain(header)
                    .map(Cell::from)
                    .collect(),
            ];
            let all = groups
                .iter()
                .map(|(k, f)| (k.clone(), f))
                .chain([("合计".to_string(), &total)]);
            rows.extend(all.map(|(k, f)| {
                [
                    k,
                    f.raised.to_string(),
                    f.routed.to_string(),
                    f.verified.to_string(),
                    f.confirmed.to_string(),
                    f.false_positives.to_string(),
                    f.closed.to_string(),
                    f.records_corrected.to_string(),
                    f.persons_removed.to_string(),
                    money(f.recovered_fen),
                    money(f.stopped_monthly_fen),
                    f.overdue.to_string(),
                    f.interviewed.to_string(),
                    f.accountable.to_string(),
                    f.hit_rate().unwrap_or_default(),
                ]
                .into_iter()
                .map(Cell::Text)
                .collect()
            }));
            sheets.push(Sheet {
                name: format!("按{label}"),
                rows,
                ..Sheet::default()
            });
        }
        let bytes = crate::sheets::workbook(&sheets)?;
        let mut e = actor.entry("stats.export", "alerts", "ok");
        e.detail = summary;
        self.meta.audit(&e).await?;
        Ok(bytes)
    }
}
