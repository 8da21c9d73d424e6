//! Reading alerts: the list in an account's scope under its filters, the Excel export, one
//! alert with its evidence. Each look names people, so each is audited here with what was
//! shown, whoever looked.

use crate::models::AlertDetail;
use crate::scope::Scope;
use crate::sheets::{self, Sheet};
use crate::{Actor, AppError, Platform, is_overdue};
use chrono::NaiveDate;
use mingjing_domain::Money;
use mingjing_domain::disposal::Stage;
use mingjing_store::Alert;

/// What a list of alerts is narrowed to (each `None` or `false` narrows nothing).
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub model: Option<String>,
    pub status: Option<String>,
    pub town: Option<String>,
    pub village: Option<String>,
    pub responsible: Option<String>,
    pub stage: Option<String>,
    /// Only alerts past their deadline.
    pub overdue: bool,
    /// Suspect amount bounds, in fen, inclusive.
    pub min_fen: Option<i64>,
    pub max_fen: Option<i64>,
    /// Raised on or after / on or before (inclusive, the platform's civil days).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The name, or for a reader of full IDs also the subject, contains this.
    pub text: Option<String>,
}

/// A page of alerts and how many passed the filters.
#[derive(Debug, Clone)]
pub struct AlertPage {
    pub total: usize,
    pub alerts: Vec<Alert>,
}

/// What the 智慧监察 dashboard lists by name: the alerts in scope and the overdue ones.
#[derive(Debug, Clone)]
pub struct DashboardAlerts {
    pub alerts: Vec<Alert>,
    /// The first overdue alerts (at most [`DASHBOARD_OVERDUE`]).
    pub overdue: Vec<Alert>,
}

/// How many overdue alerts the dashboard names.
pub const DASHBOARD_OVERDUE: usize = 20;

/// An alert's stage as people read it (empty for an unknown code).
pub fn stage_label(code: &str) -> &'static str {
    code.parse::<Stage>().map(Stage::label).unwrap_or("")
}

impl Platform {
    /// The alerts in scope that pass the filters, sorted as the store sorts (newest first).
    async fn visible_alerts(&self, scope: &Scope, f: &AlertFilter) -> Result<Vec<Alert>, AppError> {
        let today = self.today();
        let clock = self.clock();
        let is = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        Ok(self
            .meta
            .alerts(f.model.as_deref())
            .await?
            .into_iter()
            .filter(|a| scope.sees_alert(a))
            .filter(|a| is(&f.status, &a.status))
            .filter(|a| is(&f.town, &a.town))
            .filter(|a| is(&f.village, &a.village))
            .filter(|a| is(&f.responsible, &a.responsible))
            .filter(|a| is(&f.stage, &a.stage))
            .filter(|a| {
                !f.overdue
                    || a.stage
                        .parse()
                        .is_ok_and(|s| is_overdue(s, a.deadline.as_deref(), today))
            })
            .filter(|a| {
                f.min_fen
                    .is_none_or(|m| a.amount_fen.is_some_and(|x| x >= m))
            })
            .filter(|a| {
                f.max_fen
                    .is_none_or(|m| a.amount_fen.is_some_and(|x| x <= m))
            })
            .filter(|a| {
                let d = clock.day_of(&a.raised_at);
                f.from.is_none_or(|from| d.is_some_and(|d| d >= from))
                    && f.to.is_none_or(|to| d.is_some_and(|d| d <= to))
            })
            // A full ID matches only for those who may read full IDs; a masked one never
            // leaks more.
            .filter(|a| {
                f.text
                    .as_deref()
                    .is_none_or(|t| a.name.contains(t) || (scope.full_ids && a.subject.contains(t)))
            })
            .collect())
    }

    /// A page of the alerts in scope that pass the filters; audited (`alert.list`) with
    /// what was shown.
    pub async fn list_alerts(
        &self,
        actor: &Actor,
        scope: &Scope,
        f: &AlertFilter,
        offset: usize,
        limit: usize,
    ) -> Result<AlertPage, AppError> {
        let visible = self.visible_alerts(scope, f).await?;
        let total = visible.len();
        let alerts: Vec<Alert> = visible.into_iter().skip(offset).take(limit).collect();
        let mut e = actor.entry("alert.list", "alerts", "ok");
        e.detail = format!("{} of {total} from {offset}", alerts.len());
        self.meta.audit(&e).await?;
        Ok(AlertPage { total, alerts })
    }

    /// The alerts in scope that pass the filters as one Excel sheet, IDs as the scope may
    /// read them, every value a text cell; audited (`alert.export`).
    pub async fn export_alerts(
        &self,
        actor: &Actor,
        scope: &Scope,
        f: &AlertFilter,
    ) -> Result<Vec<u8>, AppError> {
        let rows = self.visible_alerts(scope, f).await?;
        let header = [
            "编号",
            "模型",
            "模型版本",
            "身份证号/账号",
            "姓名",
            "项目",
            "可疑金额（元）",
            "责任单位",
            "乡镇",
            "村（社区）",
            "状态",
            "预警时间",
            "证据行数",
        ];
        let cells = rows.iter().map(|a| {
            [
                a.id.to_string(),
                a.model.clone(),
                a.model_version.to_string(),
                scope.id(&a.subject),
                a.name.clone(),
                a.program.clone(),
                a.amount_fen
                    .and_then(Money::from_fen)
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                a.responsible.clone(),
                a.town.clone(),
                a.village.clone(),
                stage_label(&a.stage).to_string(),
                a.raised_at.clone(),
                a.evidence_rows.to_string(),
            ]
        });
        let bytes = sheets::workbook(&[Sheet::table("预警", &header, cells)])?;
        let mut e = actor.entry("alert.export", "alerts", "ok");
        e.detail = format!("{} alerts", rows.len());
        self.meta.audit(&e).await?;
        Ok(bytes)
    }

    /// One alert with why it fired and the rows it cites, if it is in scope (out of scope
    /// looks exactly like absent); audited (`alert.view`).
    pub async fn view_alert(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
    ) -> Result<Option<AlertDetail>, AppError> {
        let Some(detail) = self.alert_detail(id).await? else {
            return Ok(None);
        };
        if !scope.sees_alert(&detail.alert) {
            return Ok(None);
        }
        self.meta
            .audit(&actor.entry("alert.view", format!("alert:{id}"), "ok"))
            .await?;
        Ok(Some(detail))
    }

    /// An alert in scope (out of scope looks exactly like absent).
    pub async fn alert_in_scope(&self, scope: &Scope, id: i64) -> Result<Alert, AppError> {
        match self.meta.alert(id).await? {
            Some(a) if scope.sees_alert(&a) => Ok(a),
            _ => Err(AppError::NotFound(format!("预警 {id} 不存在"))),
        }
    }

    /// An alert's follow-up as someone reads it: the alert, its loop records, and the
    /// subject's other alerts in scope; audited (`alert.flow`) with how many of those.
    pub async fn view_alert_flow(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: i64,
    ) -> Result<(Alert, mingjing_store::disposal::AlertFlow, Vec<Alert>), AppError> {
        let a = self.alert_in_scope(scope, id).await?;
        let flow = self.meta.alert_flow(id).await?;
        let earlier: Vec<Alert> = self
            .meta
            .alerts_on_subject(&a.subject)
            .await?
            .into_iter()
            .filter(|o| o.id != id && scope.sees_alert(o))
            .collect();
        let mut e = actor.entry("alert.flow", format!("alert:{id}"), "ok");
        e.detail = format!("{} earlier alerts shown", earlier.len());
        self.meta.audit(&e).await?;
        Ok((a, flow, earlier))
    }

    /// The alerts the dashboard counts and names, in scope; audited (`dashboard.view`),
    /// since it names the people of overdue alerts.
    pub async fn dashboard_alerts(
        &self,
        actor: &Actor,
        scope: &Scope,
    ) -> Result<DashboardAlerts, AppError> {
        let today = self.today();
        let alerts: Vec<Alert> = self
            .meta
            .alerts(None)
            .await?
            .into_iter()
            .filter(|a| scope.sees_alert(a))
            .collect();
        let overdue: Vec<Alert> = alerts
            .iter()
            .filter(|a| {
                a.stage
                    .parse()
                    .is_ok_and(|s| is_overdue(s, a.deadline.as_deref(), today))
            })
            .take(DASHBOARD_OVERDUE)
            .cloned()
            .collect();
        let mut e = actor.entry("dashboard.view", "alerts", "ok");
        e.detail = format!("{} alerts, {} overdue shown", alerts.len(), overdue.len());
        self.meta.audit(&e).await?;
        Ok(DashboardAlerts { alerts, overdue })
    }
}

impl Platform {
    /// Every alert (of one model), with each one's evidence rows when `with_evidence`: the
    /// command line's export for the operator at the machine. Audited (`alert.export`) with
    /// how many it gave, as the browser's export is.
    pub async fn export_all_alerts(
        &self,
        actor: &crate::Actor,
        model: Option<&str>,
        with_evidence: bool,
    ) -> Result<(Vec<Alert>, Vec<Vec<mingjing_store::EvidenceRow>>), AppError> {
        let alerts = self.meta.alerts(model).await?;
        let mut evidence = Vec::new();
        if with_evidence {
            evidence.reserve(alerts.len());
            for a in &alerts {
                evidence.push(self.meta.alert_evidence(a.id).await?);
            }
        }
        let mut e = actor.entry("alert.export", "alerts", "ok");
        e.detail = format!(
            "{} alerts{}{}",
            alerts.len(),
            model.map(|m| format!(", model {m}")).unwrap_or_default(),
            if with_evidence { ", with evidence" } else { "" }
        );
        self.meta.audit(&e).await?;
        Ok((alerts, evidence))
    }

    /// An alert with its explanation and the rows it cites, for the operator at the command
    /// line (who sees every alert). Audited (`alert.view`) as a look in the browser is.
    pub async fn explain_alert(
        &self,
        actor: &crate::Actor,
        id: i64,
    ) -> Result<Option<AlertDetail>, AppError> {
        let detail = self.alert_detail(id).await?;
        if detail.is_some() {
            self.meta
                .audit(&actor.entry("alert.view", format!("alert:{id}"), "ok"))
                .await?;
        }
        Ok(detail)
    }

    /// How many alerts there are, open and closed.
    pub async fn alert_count(&self) -> Result<usize, AppError> {
        Ok(self.meta.alerts(None).await?.len())
    }
}
