//! Reading alerts: the list in an account's scope under its filters, the Excel export, one
//! alert with its evidence. Each look names people, so each is audited here with what was
//! shown, whoever looked.

use crate::models::AlertDetail;
use crate::scope::Scope;
use crate::sheets;
use crate::{Actor, AppError, Platform};
use chrono::NaiveDate;
use mingjing_domain::Money;
use mingjing_domain::disposal::Stage;
use mingjing_store::Alert;
pub use mingjing_store::alert_list::AlertOrder;
use mingjing_store::alert_list::{AlertCriteria, Named, StageFigure};

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
    /// The whole name is this, or for a reader of full IDs the subject (decision 105).
    pub text: Option<String>,
    /// The page's order (by default the highest priority first).
    pub order: AlertOrder,
}

/// A page of alerts and how many passed the filters.
#[derive(Debug, Clone)]
pub struct AlertPage {
    pub total: usize,
    pub alerts: Vec<Alert>,
}

/// What the 智慧监察 dashboard shows of the alerts in scope: how many stand at each stage
/// (with their suspect amount) and the overdue ones by name.
#[derive(Debug, Clone)]
pub struct DashboardAlerts {
    pub stages: Vec<StageFigure>,
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
    /// The store's criteria for the alerts in scope that pass the filters.
    fn criteria(&self, scope: &Scope, f: &AlertFilter) -> AlertCriteria {
        AlertCriteria {
            admitted: scope.admitted(),
            model: f.model.clone(),
            status: f.status.clone(),
            town: f.town.clone(),
            village: f.village.clone(),
            responsible: f.responsible.clone(),
            stage: f.stage.clone(),
            overdue_on: f.overdue.then(|| day_text(self.today())),
            min_fen: f.min_fen,
            max_fen: f.max_fen,
            raised_from: f.from.map(|d| self.start_of(d)),
            raised_before: f.to.and_then(|d| d.succ_opt()).map(|d| self.start_of(d)),
            // A full ID matches only for those who may read full IDs; a masked one never
            // leaks more.
            named: f.text.clone().map(|text| Named {
                text,
                subject_too: scope.full_ids,
            }),
        }
    }

    /// The instant a civil day of the platform begins, as alerts record their instants.
    pub(crate) fn start_of(&self, day: NaiveDate) -> String {
        self.clock()
            .instant_of(day.and_time(chrono::NaiveTime::MIN))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
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
        let criteria = self.criteria(scope, f);
        let total = self.meta.count_alerts(&criteria).await? as usize;
        let alerts = self
            .meta
            .alert_page(&criteria, f.order, offset as u64, limit as u64)
            .await?;
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
        let criteria = self.criteria(scope, f);
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
        let mut book = sheets::TableBook::new("预警", &header)?;
        let mut after = 0;
        let mut shown = 0usize;
        // Keyset pages: the export reads the table a page at a time, whatever its size.
        loop {
            let page = self
                .meta
                .alerts_after(&criteria, after, EXPORT_PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            shown += page.len();
            for a in &page {
                book.row([
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
                ])?;
            }
        }
        let bytes = book.finish()?;
        let mut e = actor.entry("alert.export", "alerts", "ok");
        e.detail = format!("{shown} alerts");
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

    /// What the dashboard counts and names of the alerts in scope: the alerts at each
    /// stage with their suspect amount, and the first overdue ones; audited
    /// (`dashboard.view`), since it names the people of overdue alerts.
    pub async fn dashboard_alerts(
        &self,
        actor: &Actor,
        scope: &Scope,
    ) -> Result<DashboardAlerts, AppError> {
        let in_scope = AlertCriteria {
            admitted: scope.admitted(),
            ..AlertCriteria::default()
        };
        let stages = self.meta.stage_figures(&in_scope).await?;
        let overdue_in_scope = AlertCriteria {
            overdue_on: Some(day_text(self.today())),
            ..in_scope
        };
        let overdue = self
            .meta
            .alert_page(
                &overdue_in_scope,
                AlertOrder::Priority,
                0,
                DASHBOARD_OVERDUE as u64,
            )
            .await?;
        let alerts: i64 = stages.iter().map(|s| s.alerts).sum();
        let mut e = actor.entry("dashboard.view", "alerts", "ok");
        e.detail = format!("{alerts} alerts, {} overdue shown", overdue.len());
        self.meta.audit(&e).await?;
        Ok(DashboardAlerts { stages, overdue })
    }
}

/// A civil day as the loop records deadlines (`YYYY-MM-DD`).
pub(crate) fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Alerts an export reads at a time.
const EXPORT_PAGE: u64 = 2_000;

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
        Ok(self.meta.count_alerts(&AlertCriteria::default()).await? as usize)
    }
}
