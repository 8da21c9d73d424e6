//! 民生监督: every livelihood programme's money followed from the county to the village and
//! to each recipient — recipients, amounts by place and month, the standard, coverage of the
//! registered population, and the alerts raised on the programme with their outcomes.

use crate::{AppError, Platform};
use mingjing_engine::rows::{TextRows, quote};
use mingjing_store::alert_list::{AlertTally, TallyBy};
use std::collections::{BTreeMap, HashMap};

/// One group of payments (a programme, a town, a village, a month or a recipient).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Figures {
    pub key: String,
    pub label: String,
    pub recipients: i64,
    pub payments: i64,
    /// Whole fen.
    pub amount_fen: i64,
    /// Alerts raised on these payments' programme and place, and how many were found true.
    pub alerts: i64,
    pub confirmed: i64,
    /// Registered residents of the place (coverage = recipients / population), when known.
    pub population: Option<i64>,
    /// 应享未享: people the eligible-but-unpaid models (M22–M24) found for this programme and
    /// place, and how many of those the responsible unit has seen through (closed or
    /// transferred).
    pub unpaid_eligible: i64,
    pub unpaid_handled: i64,
}

/// The models that find people eligible but not paid.
pub const UNPAID_MODELS: &[&str] = &["M22", "M23", "M24"];

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct ProgrammeView {
    /// Where the view stands: county (all programmes), programme, town or village.
    pub program: Option<String>,
    pub town: Option<String>,
    pub village: Option<String>,
    /// The programme's standard: the monthly maximum in fen, and the minimum age if any.
    pub monthly_max_fen: Option<i64>,
    pub min_age: Option<u32>,
    /// The groups one level down (programmes, towns, villages, or recipients).
    pub rows: Vec<Figures>,
    /// The same payments by month.
    pub months: Vec<Figures>,
    pub total: Figures,
}

fn int(v: Option<&String>) -> i64 {
    v.and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn figures(t: &TextRows) -> Vec<Figures> {
    t.rows
        .iter()
        .map(|r| Figures {
            key: r.first().cloned().flatten().unwrap_or_default(),
            label: r.get(1).cloned().flatten().unwrap_or_default(),
            recipients: int(r.get(2).and_then(Option::as_ref)),
            payments: int(r.get(3).and_then(Option::as_ref)),
            amount_fen: int(r.get(4).and_then(Option::as_ref)),
            ..Default::default()
        })
        .collect()
}

impl Platform {
    /// The view at one level: no programme → every programme; a programme → its towns; and a
    /// town → its villages; and a village → its recipients (ID numbers as stored: the caller
    /// masks them). `only` keeps every figure — rows, months and total — to those programmes
    /// (a department's own).
    pub async fn programme_view(
        &self,
        program: Option<&str>,
        town: Option<&str>,
        village: Option<&str>,
        only: Option<&[String]>,
    ) -> Result<ProgrammeView, AppError> {
        let _reading = self.reading_files().await?;
        let ty = self.dataset_type("benefit_payments").await?;
        let files = self.current_files("benefit_payments").await?;
        let schema = mingjing_ingest::columnar::schema(&ty);
        let mut filter = vec!["1 = 1".to_string()];
        for (col, v) in [("program", program), ("town", town), ("village", village)] {
            if let Some(v) = v {
                filter.push(format!("\"{col}\" = {}", quote(v)));
            }
        }
        if let Some(only) = only {
            let list: Vec<String> = only.iter().map(|p| quote(p)).collect();
            filter.push(if list.is_empty() {
                "1 = 0".to_string()
            } else {
                format!("\"program\" IN ({})", list.join(", "))
            });
        }
        let filter = filter.join(" AND ");
        let (group, label) = match (program, town, village) {
            (None, _, _) => ("program", "program"),
            (Some(_), None, _) => ("town", "town"),
            (Some(_), Some(_), None) => ("village", "village"),
            (Some(_), Some(_), Some(_)) => ("id_number", "max(name)"),
        };
        let measures = "COUNT(DISTINCT id_number), COUNT(*), CAST(SUM(amount) * 100 AS BIGINT)";
        let run = |sql: String| {
            let schema = schema.clone();
            let files = files.clone();
            // A query over the whole roll: on the engine's runtime, off the request's.
            async move {
                crate::offload::on_engine(async move {
                    mingjing_engine::rows::query(schema, &files, &sql)
                        .await
                        .map_err(|e| AppError::Engine(e.into()))
                })
                .await?
            }
        };
        let mut rows = figures(
            &run(format!(
                "SELECT \"{group}\" AS k, {label} AS l, {measures} FROM t WHERE {filter} \
                 GROUP BY \"{group}\" ORDER BY \"{group}\" LIMIT 5000"
            ))
            .await?,
        );
        if group == "id_number" {
            // Recipients are grouped by their tokens: shown by their IDs and names.
            let cipher = self.meta.column_cipher()?;
            for f in &mut rows {
                f.key = crate::protect::reveal_value(&cipher, &f.key, "a recipient's ID")?;
                f.label = crate::protect::reveal_value(&cipher, &f.label, "a recipient's name")?;
            }
            rows.sort_by(|a, b| a.key.cmp(&b.key));
        }
        let months = figures(
            &run(format!(
                "SELECT period AS k, period AS l, {measures} FROM t WHERE {filter} GROUP BY period ORDER BY period"
            ))
            .await?,
        );
        let total = figures(
            &run(format!(
                "SELECT 'total' AS k, '合计' AS l, {measures} FROM t WHERE {filter}"
            ))
            .await?,
        )
        .pop()
        .unwrap_or_default();
        let programs = self.meta.programs().await?;
        let standard = program.and_then(|p| programs.iter().find(|x| x.code == p).cloned());
        // Labels and alerts: programmes by their names; places by the alerts raised there,
        // tallied by the database (money paid wrongly and people left unpaid apart).
        let by = match group {
            "program" => TallyBy::Program,
            "town" => TallyBy::Town,
            "village" => TallyBy::Village,
            _ => TallyBy::Subject,
        };
        let tallies: HashMap<String, AlertTally> = self
            .meta
            .alert_tally(program, town, village, by, UNPAID_MODELS)
            .await?
            .into_iter()
            .map(|t| (t.key.clone(), t))
            .collect();
        let cipher = self.meta.column_cipher()?;
        for f in &mut rows {
            // Alerts keep their subjects as tokens: a recipient's are found by the token of
            // the ID shown.
            let key = if by == TallyBy::Subject {
                cipher.token(&f.key)
            } else {
                f.key.clone()
            };
            let t = tallies.get(&key).cloned().unwrap_or_default();
            f.alerts = t.paid;
            f.confirmed = t.confirmed;
            f.unpaid_eligible = t.unpaid;
            f.unpaid_handled = t.unpaid_handled;
            if group == "program"
                && let Some(p) = programs.iter().find(|x| x.code == f.key)
            {
                f.label = p.label.clone();
            }
        }
        // Coverage: the registered population of each town or village.
        if matches!(group, "town" | "village") {
            let pop: BTreeMap<String, i64> = self
                .meta
                .population(if group == "town" { None } else { town })
                .await?
                .into_iter()
                .collect();
            for f in &mut rows {
                f.population = pop.get(&f.key).copied();
            }
        }
        Ok(ProgrammeView {
            program: program.map(str::to_string),
            town: town.map(str::to_string),
            village: village.map(str::to_string),
            monthly_max_fen: standard.as_ref().map(|p| p.monthly_max.fen()),
            min_age: standard.as_ref().and_then(|p| p.min_age),
            rows,
            months,
            total,
        })
    }
}

/// A livelihood project: budget against money disbursed, and its contractor's links to people
/// in office (the contractor's legal representatives, shareholders and managers who hold office
/// themselves, or whose relatives do).
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct ProjectView {
    pub project_code: String,
    pub name: String,
    pub department: String,
    pub town: String,
    pub village: String,
    pub budget: String,
    pub disbursed: String,
    pub status: String,
    pub contractor_code: String,
    pub contractor_name: String,
    pub links: Vec<ContractorLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ContractorLink {
    /// The contractor's person and their role in it (法定代表人, 股东 ...).
    pub person: String,
    pub role: String,
    /// `本人` when that person holds the office, else the relation to the office holder.
    pub relation: String,
    pub official: String,
    /// Where the office holder serves: an employer and post, or a village and post.
    pub post: String,
}

impl Platform {
    /// Every current livelihood project, with its contractor's links to office holders.
    pub async fn livelihood_projects(&self) -> Result<Vec<ProjectView>, AppError> {
        let _reading = self.reading_files().await?;
        let all = |ty: &'static str| async move {
            let t = self.dataset_type(ty).await?;
            let files = self.current_files(ty).await?;
            let mut rows =
                mingjing_engine::rows::read_all(mingjing_ingest::columnar::schema(&t), &files)
                    .await
                    .map_err(|e| AppError::Engine(e.into()))?;
            crate::protect::reveal_rows(&*self.meta.column_cipher()?, &t, &mut rows)?;
            Ok::<_, AppError>(rows)
        };
        let get = |t: &TextRows, r: &[Option<String>], col: &str| -> String {
            t.columns
                .iter()
                .position(|c| c == col)
                .and_then(|i| r.get(i).cloned().flatten())
                .unwrap_or_default()
        };
        let projects = all("livelihood_projects").await?;
        let codes: Vec<String> = projects
            .rows
            .iter()
            .map(|r| get(&projects, r, "contractor_code"))
            .filter(|c| !c.is_empty())
            .collect();
        let people = self
            .rows_matching("businesses", "credit_code", &codes)
            .await?;
        let ids: Vec<String> = people
            .rows
            .iter()
            .map(|r| get(&people, r, "id_number"))
            .collect();
        // Office holders among the contractors' people and their relatives.
        let relatives = self
            .rows_matching("family_relations", "relative_id_number", &ids)
            .await?;
        let mut candidates: Vec<(String, String, String)> = ids
            .iter()
            .map(|id| (id.clone(), id.clone(), "本人".to_string()))
            .collect();
        for r in &relatives.rows {
            candidates.push((
                get(&relatives, r, "relative_id_number"),
                get(&relatives, r, "id_number"),
                get(&relatives, r, "relation"),
            ));
        }
        // And the other way round: the contractor's person lists the office holder as kin.
        let kin = self
            .rows_matching("family_relations", "id_number", &ids)
            .await?;
        for r in &kin.rows {
            candidates.push((
                get(&kin, r, "id_number"),
                get(&kin, r, "relative_id_number"),
                get(&kin, r, "relation"),
            ));
        }
        let holders: Vec<String> = candidates.iter().map(|c| c.1.clone()).collect();
        let officials = self
            .rows_matching("public_officials", "id_number", &holders)
            .await?;
        let cadres = self
            .rows_matching("village_cadres", "id_number", &holders)
            .await?;
        let office = |holder: &str| -> Vec<(String, String)> {
            let mut v: Vec<(String, String)> = officials
                .rows
                .iter()
                .filter(|r| get(&officials, r, "id_number") == holder)
                .map(|r| {
                    (
                        get(&officials, r, "name"),
                        format!(
                            "{} {}",
                            get(&officials, r, "employer"),
                            get(&officials, r, "position")
                        ),
                    )
                })
                .collect();
            v.extend(
                cadres
                    .rows
                    .iter()
                    .filter(|r| get(&cadres, r, "id_number") == holder)
                    .map(|r| {
                        (
                            get(&cadres, r, "name"),
                            format!(
                                "{}{} {}",
                                get(&cadres, r, "town"),
                                get(&cadres, r, "village"),
                                get(&cadres, r, "position")
                            ),
                        )
                    }),
            );
            v
        };
        let mut out = Vec::new();
        for r in &projects.rows {
            let code = get(&projects, r, "contractor_code");
            let mut links = Vec::new();
            for p in people
                .rows
                .iter()
                .filter(|p| get(&people, p, "credit_code") == code)
            {
                let id = get(&people, p, "id_number");
                for (_, holder, relation) in candidates.iter().filter(|c| c.0 == id) {
                    for (official, post) in office(holder) {
                        let link = ContractorLink {
                            person: get(&people, p, "person_name"),
                            role: get(&people, p, "role"),
                            relation: relation.clone(),
                            official,
                            post,
                        };
                        if !links.contains(&link) {
                            links.push(link);
                        }
                    }
                }
            }
            out.push(ProjectView {
                project_code: get(&projects, r, "project_code"),
                name: get(&projects, r, "name"),
                department: get(&projects, r, "department"),
                town: get(&projects, r, "town"),
                village: get(&projects, r, "village"),
                budget: get(&projects, r, "budget"),
                disbursed: get(&projects, r, "disbursed"),
                status: get(&projects, r, "status"),
                contractor_code: code,
                contractor_name: get(&projects, r, "contractor_name"),
                links,
            });
        }
        out.sort_by(|a, b| (b.links.len(), &a.project_code).cmp(&(a.links.len(), &b.project_code)));
        Ok(out)
    }
}

/// A level of 民生监督 in an account's scope: the view, and whether its rows are recipients
/// (whose IDs the scope masks).
#[derive(Debug, Clone)]
pub struct ScopedProgrammeView {
    pub view: ProgrammeView,
    pub recipients: bool,
}

impl Platform {
    /// 民生监督 one level down (programmes → towns → villages → recipients) in scope: a town
    /// commission sees its own town, a department the programmes it runs (at every level and
    /// in every total), a scope of none nothing; recipients' IDs as the scope reads them.
    /// Audited (`livelihood.view`).
    pub async fn livelihood_view(
        &self,
        actor: &crate::Actor,
        scope: &crate::scope::Scope,
        program: Option<&str>,
        town: Option<&str>,
        village: Option<&str>,
    ) -> Result<ScopedProgrammeView, AppError> {
        use mingjing_domain::access::DataScope;
        if village.is_some() && (town.is_none() || program.is_none())
            || town.is_some() && program.is_none()
        {
            return Err(AppError::Invalid(
                "请按 项目 → 乡镇 → 村(社区) 逐级查看".into(),
            ));
        }
        let programs = self.meta.programs().await?;
        let mut town_shown = town.map(str::to_string);
        match scope.kind() {
            DataScope::All => {}
            // A town commission's view is its own town's.
            DataScope::Town => {
                if town.is_some() {
                    town_shown = Some(scope.town().to_string());
                }
            }
            DataScope::Org | DataScope::OrgTree => {
                if let Some(p) = program
                    && !programs
                        .iter()
                        .any(|x| x.code == p && x.department == scope.org())
                {
                    return Err(AppError::NotFound("项目不存在".into()));
                }
            }
            DataScope::None => {
                return Err(AppError::NotPermitted("本角色不查看民生资金".into()));
            }
        }
        // A town commission's county level is its town's programmes.
        let town_filter = match (scope.kind(), program) {
            (DataScope::Town, None) => Some(scope.town().to_string()),
            _ => town_shown.clone(),
        };
        // A department's figures, at every level and in every total, are its own programmes'.
        let own: Option<Vec<String>> = matches!(scope.kind(), DataScope::Org | DataScope::OrgTree)
            .then(|| {
                programs
                    .iter()
                    .filter(|x| x.department == scope.org())
                    .map(|x| x.code.clone())
                    .collect()
            });
        let mut v = self
            .programme_view(program, town_filter.as_deref(), village, own.as_deref())
            .await?;
        if scope.kind() == DataScope::Town && program.is_some() && town_shown.is_none() {
            v.rows.retain(|f| f.key == scope.town());
            v.total = Default::default();
            v.months.clear();
        }
        let recipients = village.is_some();
        if recipients {
            for f in &mut v.rows {
                f.key = scope.id(&f.key);
            }
        }
        let mut e = actor.entry("livelihood.view", "benefit_payments", "ok");
        e.detail = format!(
            "{} / {} / {}",
            program.unwrap_or("全部项目"),
            town_shown.as_deref().unwrap_or("-"),
            village.unwrap_or("-")
        );
        self.meta.audit(&e).await?;
        Ok(ScopedProgrammeView {
            view: v,
            recipients,
        })
    }

    /// Livelihood projects in scope (a town commission's own town, a department's own
    /// projects), budget against disbursed, with contractors' links to office holders.
    /// Audited (`livelihood.projects`).
    pub async fn livelihood_projects_in(
        &self,
        actor: &crate::Actor,
        scope: &crate::scope::Scope,
    ) -> Result<Vec<ProjectView>, AppError> {
        use mingjing_domain::access::DataScope;
        let mut list = self.livelihood_projects().await?;
        match scope.kind() {
            DataScope::All => {}
            DataScope::Town => list.retain(|p| p.town == scope.town()),
            DataScope::Org | DataScope::OrgTree => list.retain(|p| p.department == scope.org()),
            DataScope::None => {
                return Err(AppError::NotPermitted("本角色不查看民生资金".into()));
            }
        }
        let mut e = actor.entry("livelihood.projects", "livelihood_projects", "ok");
        e.detail = format!("{} projects", list.len());
        self.meta.audit(&e).await?;
        Ok(list)
    }
}
