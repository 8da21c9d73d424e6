//! The alert list and its figures as the metadata database computes them: filters, counts,
//! sums, groups and pages in SQL over indexes, identical on SQLite and PostgreSQL, so that a
//! request costs what it shows, not what the table holds (issue 23). Names and subjects are
//! tokens at rest: they are matched by their tokens and opened only for the rows shown.

use crate::meta::Result;
use crate::meta::decode_alert;
use crate::{Alert, SqlStore};
use mingjing_domain::disposal::{Conclusion, Stage};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Row};

/// Which alerts a reader's data scope admits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Admitted {
    /// Every alert.
    #[default]
    All,
    /// None.
    Nothing,
    /// Alerts whose responsible unit is one of these names or codes.
    Units(Vec<String>),
    /// Alerts raised in this town.
    Town(String),
}

/// How a page of alerts is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AlertOrder {
    /// The highest priority first (open alerts by what they may recover), then as raised.
    #[default]
    Priority,
    /// By model, then as raised.
    Model,
}

/// What a list, a count or a figure is narrowed to; each `None` narrows nothing.
#[derive(Debug, Clone, Default)]
pub struct AlertCriteria {
    pub admitted: Admitted,
    pub model: Option<String>,
    pub status: Option<String>,
    pub town: Option<String>,
    pub village: Option<String>,
    pub responsible: Option<String>,
    pub stage: Option<String>,
    /// Only alerts awaiting their unit whose deadline (`YYYY-MM-DD`) is before this day.
    pub overdue_on: Option<String>,
    /// Suspect amount bounds in fen, inclusive (an alert without an amount passes neither).
    pub min_fen: Option<i64>,
    pub max_fen: Option<i64>,
    /// Raised at or after / before these instants (RFC 3339 in UTC, as stored).
    pub raised_from: Option<String>,
    pub raised_before: Option<String>,
    /// The whole name is this, or (when `subject_too`) the subject is.
    pub named: Option<Named>,
}

/// A name or subject searched for, in the clear: tokenised here.
#[derive(Debug, Clone)]
pub struct Named {
    pub text: String,
    pub subject_too: bool,
}

/// How many alerts stand at one stage and their suspect amount.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StageFigure {
    pub stage: String,
    pub alerts: i64,
    pub suspect_fen: i64,
    /// What their verifications may be expected to recover (open alerts' priorities).
    pub expected_fen: i64,
}

/// The loop's figures of the alerts sharing a model, unit, town and minute raised: the finest
/// grouping every dimension of the statistics folds from.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoopGroup {
    pub model: String,
    pub responsible: String,
    pub town: String,
    /// `YYYY-MM-DDTHH:MM` of `raised_at` (UTC).
    pub minute: String,
    pub raised: i64,
    pub routed: i64,
    pub verified: i64,
    pub closed: i64,
    pub confirmed: i64,
    pub false_positives: i64,
    pub records_corrected: i64,
    pub persons_removed: i64,
    pub recovered_fen: i64,
    pub stopped_monthly_fen: i64,
    pub overdue: i64,
    pub interviewed: i64,
    pub accountable: i64,
}

/// A value bound to a placeholder.
enum Bind {
    Text(String),
    Int(i64),
}

/// SQL text and its values, placeholders numbered as they are added. The text is only fixed
/// SQL, the domain's codes and placeholders; every value is bound (hence `AssertSqlSafe`).
#[derive(Default)]
struct Statement {
    sql: String,
    binds: Vec<Bind>,
}

impl Statement {
    fn text(&mut self, v: impl Into<String>) -> String {
        self.binds.push(Bind::Text(v.into()));
        format!("${}", self.binds.len())
    }

    fn int(&mut self, v: i64) -> String {
        self.binds.push(Bind::Int(v));
        format!("${}", self.binds.len())
    }

    fn query(&self) -> Query<'_, Any, AnyArguments> {
        self.binds.iter().fold(
            sqlx::query(sqlx::AssertSqlSafe(self.sql.as_str())),
            |q, b| match b {
                Bind::Text(s) => q.bind(s.as_str()),
                Bind::Int(i) => q.bind(*i),
            },
        )
    }
}

/// Fixed codes as a SQL list of literals (codes of the domain, never user text).
fn literals<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = codes
        .into_iter()
        .inspect(|c| debug_assert!(c.chars().all(|ch| ch != '\'')))
        .map(|c| format!("'{c}'"))
        .collect();
    if quoted.is_empty() {
        "''".into()
    } else {
        quoted.join(", ")
    }
}

fn stage_codes(keep: impl Fn(Stage) -> bool) -> String {
    literals(Stage::ALL.into_iter().filter(|s| keep(*s)).map(Stage::code))
}

fn conclusion_labels(keep: impl Fn(Conclusion) -> bool) -> String {
    literals(
        Conclusion::ALL
            .into_iter()
            .filter(|c| keep(*c))
            .map(Conclusion::label),
    )
}

/// An alert awaits its unit past its deadline (`today` a placeholder).
fn overdue_sql(today: &str) -> String {
    format!(
        "(a.stage IN ({}) AND a.deadline IS NOT NULL AND a.deadline < {today})",
        stage_codes(Stage::awaits_unit)
    )
}

impl SqlStore {
    /// The `WHERE` clause of the criteria, its values bound into `st`.
    fn criteria_sql(&self, c: &AlertCriteria, st: &mut Statement) -> Result<String> {
        let mut w: Vec<String> = vec!["1 = 1".into()];
        match &c.admitted {
            Admitted::All => {}
            Admitted::Nothing => w.push("1 = 0".into()),
            Admitted::Units(units) if units.is_empty() => w.push("1 = 0".into()),
            Admitted::Units(units) => {
                let ps: Vec<String> = units.iter().map(|u| st.text(u.as_str())).collect();
                w.push(format!("a.responsible IN ({})", ps.join(", ")));
            }
            Admitted::Town(t) if t.is_empty() => w.push("1 = 0".into()),
            Admitted::Town(t) => w.push(format!("a.town = {}", st.text(t.as_str()))),
        }
        for (column, v) in [
            ("model", &c.model),
            ("status", &c.status),
            ("town", &c.town),
            ("village", &c.village),
            ("responsible", &c.responsible),
            ("stage", &c.stage),
        ] {
            if let Some(v) = v {
                w.push(format!("a.{column} = {}", st.text(v.as_str())));
            }
        }
        if let Some(today) = &c.overdue_on {
            let p = st.text(today.as_str());
            w.push(overdue_sql(&p));
        }
        if let Some(m) = c.min_fen {
            w.push(format!("a.amount_fen >= {}", st.int(m)));
        }
        if let Some(m) = c.max_fen {
            w.push(format!("a.amount_fen <= {}", st.int(m)));
        }
        if let Some(t) = &c.raised_from {
            w.push(format!("a.raised_at >= {}", st.text(t.as_str())));
        }
        if let Some(t) = &c.raised_before {
            w.push(format!("a.raised_at < {}", st.text(t.as_str())));
        }
        if let Some(n) = &c.named {
            let token = self.column_cipher()?.token(&n.text);
            let p = st.text(token);
            w.push(if n.subject_too {
                format!("(a.name = {p} OR a.subject = {p})")
            } else {
                format!("a.name = {p}")
            });
        }
        Ok(w.join(" AND "))
    }

    /// How many alerts meet the criteria.
    pub async fn count_alerts(&self, c: &AlertCriteria) -> Result<u64> {
        let mut st = Statement::default();
        let w = self.criteria_sql(c, &mut st)?;
        st.sql = format!("SELECT COUNT(*) AS n FROM alerts a WHERE {w}");
        let n: i64 = st.query().fetch_one(self.pool()).await?.try_get("n")?;
        Ok(n as u64)
    }

    /// A page of the alerts that meet the criteria, in the order asked.
    pub async fn alert_page(
        &self,
        c: &AlertCriteria,
        order: AlertOrder,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<Alert>> {
        let mut st = Statement::default();
        let w = self.criteria_sql(c, &mut st)?;
        let (lim, off) = (
            st.int(i64::try_from(limit).unwrap_or(i64::MAX)),
            st.int(i64::try_from(offset).unwrap_or(i64::MAX)),
        );
        st.sql = format!(
            "{} WHERE {w} ORDER BY {} LIMIT {lim} OFFSET {off}",
            select_alerts!(""),
            match order {
                AlertOrder::Priority => "COALESCE(a.priority_fen, -1) DESC, a.id",
                AlertOrder::Model => "a.model, a.id",
            }
        );
        self.decode_alerts(&st).await
    }

    /// The next alerts after `after` (by id) that meet the criteria: keyset pages for reading
    /// them all in bounded memory (exports).
    pub async fn alerts_after(
        &self,
        c: &AlertCriteria,
        after: i64,
        limit: u64,
    ) -> Result<Vec<Alert>> {
        let mut st = Statement::default();
        let w = self.criteria_sql(c, &mut st)?;
        let (a, lim) = (
            st.int(after),
            st.int(i64::try_from(limit).unwrap_or(i64::MAX)),
        );
        st.sql = format!(
            "{} WHERE {w} AND a.id > {a} ORDER BY a.id LIMIT {lim}",
            select_alerts!("")
        );
        self.decode_alerts(&st).await
    }

    async fn decode_alerts(&self, st: &Statement) -> Result<Vec<Alert>> {
        let rows = st.query().fetch_all(self.pool()).await?;
        let cipher = self.column_cipher()?;
        rows.iter().map(|r| decode_alert(&cipher, r)).collect()
    }

    /// How many alerts meeting the criteria stand at each stage, with their suspect amount.
    pub async fn stage_figures(&self, c: &AlertCriteria) -> Result<Vec<StageFigure>> {
        let mut st = Statement::default();
        let w = self.criteria_sql(c, &mut st)?;
        st.sql = format!(
            "SELECT a.stage, COUNT(*) AS alerts, \
             CAST(COALESCE(SUM(a.amount_fen), 0) AS BIGINT) AS suspect_fen, \
             CAST(COALESCE(SUM(a.priority_fen), 0) AS BIGINT) AS expected_fen \
             FROM alerts a WHERE {w} GROUP BY a.stage ORDER BY a.stage"
        );
        let rows = st.query().fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(<StageFigure as sqlx::FromRow<_>>::from_row)
            .collect::<std::result::Result<_, _>>()?)
    }

    /// The loop's figures of the alerts meeting the criteria, grouped by model, unit, town and
    /// minute raised; `today` decides what is overdue.
    pub async fn loop_groups(&self, c: &AlertCriteria, today: &str) -> Result<Vec<LoopGroup>> {
        let mut st = Statement::default();
        let w = self.criteria_sql(c, &mut st)?;
        let today = st.text(today);
        let finals = stage_codes(Stage::is_final);
        let sum = |e: &str| format!("CAST(COALESCE(SUM({e}), 0) AS BIGINT)");
        let count_if = |cond: &str| sum(&format!("CASE WHEN {cond} THEN 1 ELSE 0 END"));
        let person_count = |kind: &str| {
            sum(&format!(
                "(SELECT SUM(c.person_count) FROM accountability c WHERE c.alert_id = a.id{kind})"
            ))
        };
        st.sql = format!(
            "SELECT a.model, a.responsible, a.town, SUBSTR(a.raised_at, 1, 16) AS minute, \
             COUNT(*) AS raised, \
             {routed} AS routed, \
             {verified} AS verified, \
             {closed} AS closed, \
             {confirmed} AS confirmed, \
             {unfounded} AS false_positives, \
             {corrected} AS records_corrected, \
             {removed} AS persons_removed, \
             {recovered} AS recovered_fen, \
             {stopped} AS stopped_monthly_fen, \
             {overdue} AS overdue, \
             {interviewed} AS interviewed, \
             {accountable} AS accountable \
             FROM alerts a LEFT JOIN verifications v \
               ON v.alert_id = a.id AND v.decision IN ('approve', 'transfer') \
             WHERE {w} \
             GROUP BY a.model, a.responsible, a.town, SUBSTR(a.raised_at, 1, 16) \
             ORDER BY a.model, a.responsible, a.town, minute",
            routed = count_if("a.routed_at IS NOT NULL"),
            verified = count_if("EXISTS (SELECT 1 FROM verifications s WHERE s.alert_id = a.id)"),
            closed = count_if(&format!("a.stage IN ({finals})")),
            confirmed = count_if(&format!(
                "a.stage IN ({finals}) AND a.conclusion IN ({})",
                conclusion_labels(Conclusion::is_confirmed)
            )),
            unfounded = count_if(&format!(
                "a.stage IN ({finals}) AND a.conclusion IN ({})",
                conclusion_labels(|c| !c.is_confirmed())
            )),
            corrected = sum("v.records_corrected"),
            removed = sum("v.persons_removed"),
            recovered = sum("v.recovered_fen"),
            stopped = sum("v.stopped_monthly_fen"),
            overdue = count_if(&overdue_sql(&today)),
            interviewed = person_count(" AND c.kind = '约谈'"),
            accountable = person_count(""),
        );
        let rows = st.query().fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(<LoopGroup as sqlx::FromRow<_>>::from_row)
            .collect::<std::result::Result<_, _>>()?)
    }
}

/// The 民生监督 tally of the alerts on one group of a programme view (a programme, a town, a
/// village or a recipient): money paid wrongly and people left unpaid counted apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct AlertTally {
    /// The group's value: the programme, the town, the village or the subject's token.
    pub key: String,
    /// Alerts of models that find money paid wrongly, and those confirmed.
    pub paid: i64,
    pub confirmed: i64,
    /// Alerts of models that find people left unpaid, and those handled (closed or
    /// transferred).
    pub unpaid: i64,
    pub unpaid_handled: i64,
}

/// The column a tally groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TallyBy {
    Program,
    Town,
    Village,
    Subject,
}

impl SqlStore {
    /// The alerts of a programme view's place, tallied per group; `unpaid_models` are the
    /// models whose alerts are people left unpaid.
    pub async fn alert_tally(
        &self,
        program: Option<&str>,
        town: Option<&str>,
        village: Option<&str>,
        by: TallyBy,
        unpaid_models: &[&str],
    ) -> Result<Vec<AlertTally>> {
        let mut st = Statement::default();
        let mut w = vec!["1 = 1".to_string()];
        for (column, v) in [("program", program), ("town", town), ("village", village)] {
            if let Some(v) = v {
                w.push(format!("a.{column} = {}", st.text(v)));
            }
        }
        let unpaid = if unpaid_models.is_empty() {
            "''".to_string()
        } else {
            let ps: Vec<String> = unpaid_models.iter().map(|m| st.text(*m)).collect();
            ps.join(", ")
        };
        let column = match by {
            TallyBy::Program => "a.program",
            TallyBy::Town => "a.town",
            TallyBy::Village => "a.village",
            TallyBy::Subject => "a.subject",
        };
        let count_if = |cond: String| {
            format!("CAST(COALESCE(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) AS BIGINT)")
        };
        st.sql = format!(
            "SELECT {column} AS key, {paid} AS paid, {confirmed} AS confirmed, \
             {unpaid_n} AS unpaid, {handled} AS unpaid_handled \
             FROM alerts a WHERE {w} GROUP BY {column}",
            paid = count_if(format!("a.model NOT IN ({unpaid})")),
            confirmed = count_if(format!(
                "a.model NOT IN ({unpaid}) AND a.conclusion IN ({})",
                conclusion_labels(Conclusion::is_confirmed)
            )),
            unpaid_n = count_if(format!("a.model IN ({unpaid})")),
            handled = count_if(format!(
                "a.model IN ({unpaid}) AND a.stage IN ({})",
                stage_codes(Stage::is_final)
            )),
            w = w.join(" AND "),
        );
        let rows = st.query().fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(<AlertTally as sqlx::FromRow<_>>::from_row)
            .collect::<std::result::Result<_, _>>()?)
    }
}

/// What the loop has learnt of one model: its closed alerts judged, those confirmed, and the
/// money recovered on the confirmed ones.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ModelJudged {
    pub model: String,
    pub judged: i64,
    pub confirmed: i64,
    pub recovered_fen: i64,
}

/// What triage knows of an open alert.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenAlertFacts {
    pub id: i64,
    pub model: String,
    pub amount_fen: Option<i64>,
    /// Open alerts of other models on the same subject.
    pub other_alerts: i64,
    /// Evidence rows that fired.
    pub rows_fired: i64,
}

impl SqlStore {
    /// Each model's record in the loop (closed alerts with a conclusion).
    pub async fn models_judged(&self) -> Result<Vec<ModelJudged>> {
        let confirmed = conclusion_labels(Conclusion::is_confirmed);
        let sql = format!(
            "SELECT a.model, \
             CAST(COALESCE(SUM(CASE WHEN a.conclusion IN ({all}) THEN 1 ELSE 0 END), 0) AS BIGINT) AS judged, \
             CAST(COALESCE(SUM(CASE WHEN a.conclusion IN ({confirmed}) THEN 1 ELSE 0 END), 0) AS BIGINT) AS confirmed, \
             CAST(COALESCE(SUM(CASE WHEN a.conclusion IN ({confirmed}) THEN v.recovered_fen ELSE 0 END), 0) AS BIGINT) AS recovered_fen \
             FROM alerts a LEFT JOIN verifications v \
               ON v.alert_id = a.id AND v.decision IN ('approve', 'transfer') \
             WHERE a.stage IN ({finals}) GROUP BY a.model ORDER BY a.model",
            all = conclusion_labels(|_| true),
            finals = stage_codes(Stage::is_final),
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(<ModelJudged as sqlx::FromRow<_>>::from_row)
            .collect::<std::result::Result<_, _>>()?)
    }

    /// What triage knows of the open alerts (of one model).
    pub async fn open_alert_facts(&self, model: Option<&str>) -> Result<Vec<OpenAlertFacts>> {
        let rows = sqlx::query(
            "SELECT a.id, a.model, a.amount_fen, \
             (SELECT COUNT(*) FROM alerts o WHERE o.subject = a.subject AND o.model <> a.model \
               AND o.status = 'open') AS other_alerts, \
             (SELECT COUNT(*) FROM alert_evidence e WHERE e.alert_id = a.id AND e.firing = 1) \
               AS rows_fired \
             FROM alerts a WHERE a.status = 'open' AND ($1 = '' OR a.model = $1) ORDER BY a.id",
        )
        .bind(model.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(<OpenAlertFacts as sqlx::FromRow<_>>::from_row)
            .collect::<std::result::Result<_, _>>()?)
    }

    /// Writes open alerts' priorities (id, expected fen, reasons), a batch per statement, in
    /// one transaction, and clears those of alerts no longer open.
    pub async fn set_priorities(&self, priorities: &[(i64, i64, String)]) -> Result<()> {
        let mut tx = self.begin().await?;
        for chunk in priorities.chunks(300) {
            let mut st = Statement::default();
            let mut rows = Vec::with_capacity(chunk.len());
            for (id, fen, reasons) in chunk {
                rows.push(format!(
                    "({}, {}, {})",
                    st.int(*id),
                    st.int(*fen),
                    st.text(reasons.as_str())
                ));
            }
            // VALUES' columns are column1, column2 ... on both backends.
            st.sql = format!(
                "UPDATE alerts SET priority_fen = v.column2, priority_reasons = v.column3 \
                 FROM (VALUES {}) AS v WHERE alerts.id = v.column1",
                rows.join(", ")
            );
            st.query().execute(&mut *tx).await?;
        }
        sqlx::query(
            "UPDATE alerts SET priority_fen = NULL, priority_reasons = '' \
             WHERE status <> 'open' AND priority_fen IS NOT NULL",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
