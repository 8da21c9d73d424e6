//! Integrity opinions (廉政意见回复): a request's persons checked against the records (names
//! that do not match their ID are flagged before anything is compiled), compiled as of the
//! reply date by the domain's rules from the current petitions, sanctions and supervised-person
//! records, and moved through drafted → in review → reviewed → approved by three different
//! people.

use crate::{AppError, Platform};
use chrono::NaiveDate;
use mingjing_domain::IdNumber;
use mingjing_domain::integrity::{self, PetitionRecord, SanctionRecord, Wording};
use mingjing_domain::opinion_flow::{OpinionStage, OpinionStep, Parties};
use mingjing_engine::rows::TextRows;
use mingjing_store::StoreError;
use mingjing_store::opinions::{OpinionPerson, OpinionRequest};
use std::collections::HashMap;

/// One person as the request names them.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
pub struct RequestedPerson {
    pub id_number: String,
    pub name: String,
}

/// What the records say of a requested person before compiling.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct PersonCheck {
    pub line: usize,
    pub id_number: String,
    pub name: String,
    /// A problem that stops compilation (an invalid ID, a name the records give otherwise).
    pub problem: Option<String>,
    /// Something to know that does not stop it (no record of the person at all).
    pub note: Option<String>,
    /// Whether the household register or the supervised-person records know the ID.
    pub found: bool,
}

#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
pub struct NewRequest {
    pub reference: String,
    pub purpose: String,
    pub requesting_org: String,
    /// `YYYY-MM-DD`.
    pub reply_date: String,
    pub persons: Vec<RequestedPerson>,
}

/// Purposes a request may name.
pub const PURPOSES: &[&str] = &[
    "提拔任用",
    "评先评优",
    "人选推荐",
    "转任交流",
    "表彰奖励",
    "其他",
];
/// Most persons on one request.
pub const MAX_PERSONS: usize = 2000;

fn col<'a>(rows: &'a TextRows, r: &'a [Option<String>], name: &str) -> Option<&'a str> {
    rows.columns
        .iter()
        .position(|c| c == name)
        .and_then(|i| r.get(i))
        .and_then(|v| v.as_deref())
}

fn date(s: Option<&str>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s[..s.len().min(10)], "%Y-%m-%d").ok())
}

impl Platform {
    /// The current rows of a type whose `column` is one of `values` (clear values: a personal
    /// column is matched by their tokens), opened.
    pub(crate) async fn rows_matching(
        &self,
        ty: &str,
        column: &str,
        values: &[String],
    ) -> Result<TextRows, AppError> {
        let _reading = self.reading_files().await?;
        let t = self.dataset_type(ty).await?;
        let files = self.current_files(ty).await?;
        let cipher = self.meta.column_cipher()?;
        let values: Vec<String> = match t.field(column).map(|f| f.protection()) {
            Some(mingjing_domain::Protection::Token) => {
                values.iter().map(|v| cipher.token(v)).collect()
            }
            Some(mingjing_domain::Protection::Sealed) => {
                return Err(AppError::Invalid(format!(
                    "{ty}.{column} is sealed: its rows cannot be matched by value"
                )));
            }
            _ => values.to_vec(),
        };
        let mut rows = mingjing_engine::rows::read_matching(
            mingjing_ingest::columnar::schema(&t),
            &files,
            column,
            &values,
        )
        .await
        .map_err(|e| AppError::Engine(e.into()))?;
        crate::protect::reveal_rows(&cipher, &t, &mut rows)?;
        Ok(rows)
    }

    /// [`Platform::check_persons`] before a request is made: a name check reads the register
    /// and the supervised-person records, so it is audited (`opinion.check`).
    pub async fn precheck_persons(
        &self,
        actor: &crate::Actor,
        persons: &[RequestedPerson],
    ) -> Result<Vec<PersonCheck>, AppError> {
        let checks = self.check_persons(persons).await?;
        let mut e = actor.entry("opinion.check", "persons", "ok");
        e.detail = format!("{} persons", checks.len());
        self.meta.audit(&e).await?;
        Ok(checks)
    }

    /// A request with its persons, read by someone (audited `opinion.view`).
    pub async fn view_opinion_request(
        &self,
        actor: &crate::Actor,
        id: i64,
    ) -> Result<
        (
            mingjing_store::opinions::OpinionRequest,
            Vec<mingjing_store::opinions::OpinionPerson>,
        ),
        AppError,
    > {
        let found = self
            .meta
            .opinion_request(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("意见回复请求 {id} 不存在")))?;
        self.meta
            .audit(&actor.entry("opinion.view", format!("opinion_request:{id}"), "ok"))
            .await?;
        Ok(found)
    }

    /// Checks each requested person: a valid ID, and a name that matches the household register
    /// or the supervised-person records wherever they know the ID.
    pub async fn check_persons(
        &self,
        persons: &[RequestedPerson],
    ) -> Result<Vec<PersonCheck>, AppError> {
        let ids: Vec<String> = persons
            .iter()
            .filter_map(|p| p.id_number.trim().parse::<IdNumber>().ok())
            .map(|id| id.to_string())
            .collect();
        let mut known: HashMap<String, Vec<String>> = HashMap::new();
        for (ty, id_col) in [
            ("persons", "id_number"),
            ("supervised_persons", "id_number"),
        ] {
            let rows = self.rows_matching(ty, id_col, &ids).await?;
            for r in &rows.rows {
                if let (Some(id), Some(name)) = (col(&rows, r, id_col), col(&rows, r, "name")) {
                    known
                        .entry(id.to_string())
                        .or_default()
                        .push(name.to_string());
                }
            }
        }
        let mut seen = HashMap::new();
        Ok(persons
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let name = p.name.trim().to_string();
                let mut check = PersonCheck {
                    line: i + 1,
                    id_number: p.id_number.trim().to_string(),
                    name: name.clone(),
                    problem: None,
                    note: None,
                    found: false,
                };
                match p.id_number.trim().parse::<IdNumber>() {
                    Err(e) => check.problem = Some(format!("身份证号无效：{e}")),
                    Ok(id) => {
                        let id = id.to_string();
                        check.id_number = id.clone();
                        if let Some(first) = seen.insert(id.clone(), i + 1) {
                            check.problem = Some(format!("与第 {first} 行重复"));
                        } else if name.is_empty() {
                            check.problem = Some("姓名为空".into());
                        } else {
                            check.found = known.contains_key(&id);
                            match known.get(&id) {
                                None => check.note = Some("户籍和监察对象记录中均无此人".into()),
                                Some(names) if !names.contains(&name) => {
                                    check.problem =
                                        Some(format!("姓名与记录不符（记录为“{}”）", names[0]));
                                }
                                Some(_) => {}
                            }
                        }
                    }
                }
                check
            })
            .collect())
    }

    /// Checks, compiles and saves a request as drafted. Refused whole when any person has a
    /// problem (the checks are the error's details).
    pub async fn create_opinion_request(
        &self,
        actor: &crate::Actor,
        req: &NewRequest,
    ) -> Result<(i64, Vec<PersonCheck>), AppError> {
        let audit = actor.entry("opinion.create", "opinion_request", "ok");
        let invalid = |m: String| AppError::Store(StoreError::Invalid(m));
        if req.reference.trim().is_empty() || req.requesting_org.trim().is_empty() {
            return Err(invalid("来文编号和请求单位不能为空".into()));
        }
        if !PURPOSES.contains(&req.purpose.as_str()) {
            return Err(invalid(format!("用途须为{}之一", PURPOSES.join("、"))));
        }
        let reply = NaiveDate::parse_from_str(req.reply_date.trim(), "%Y-%m-%d").map_err(|_| {
            invalid(format!(
                "回复日期“{}”不是 YYYY-MM-DD 格式的有效日期",
                req.reply_date
            ))
        })?;
        if req.persons.is_empty() || req.persons.len() > MAX_PERSONS {
            return Err(invalid(format!("人员须为 1 到 {MAX_PERSONS} 人")));
        }
        let checks = self.check_persons(&req.persons).await?;
        if checks.iter().any(|c| c.problem.is_some()) {
            return Err(AppError::PersonsRejected(checks));
        }
        let ids: Vec<String> = checks.iter().map(|c| c.id_number.clone()).collect();
        let petitions = self
            .rows_matching("petitions", "reported_id_number", &ids)
            .await?;
        let sanctions = self.rows_matching("sanctions", "id_number", &ids).await?;
        let supervised = self
            .rows_matching("supervised_persons", "id_number", &ids)
            .await?;
        let mut by_person_p: HashMap<&str, Vec<PetitionRecord>> = HashMap::new();
        for r in &petitions.rows {
            let Some(id) = col(&petitions, r, "reported_id_number") else {
                continue;
            };
            let Some(received) = date(col(&petitions, r, "received_date")) else {
                continue;
            };
            by_person_p.entry(id).or_default().push(PetitionRecord {
                petition_no: col(&petitions, r, "petition_no").unwrap_or_default().into(),
                received,
                category: col(&petitions, r, "category").unwrap_or_default().into(),
                summary: col(&petitions, r, "summary").unwrap_or_default().into(),
                status: col(&petitions, r, "status").unwrap_or_default().into(),
                conclusion: col(&petitions, r, "conclusion").map(Into::into),
                closed: date(col(&petitions, r, "closed_date")),
            });
        }
        let mut by_person_s: HashMap<&str, Vec<SanctionRecord>> = HashMap::new();
        for r in &sanctions.rows {
            let Some(id) = col(&sanctions, r, "id_number") else {
                continue;
            };
            let Some(decided) = date(col(&sanctions, r, "decision_date")) else {
                continue;
            };
            by_person_s.entry(id).or_default().push(SanctionRecord {
                case_no: col(&sanctions, r, "case_no").unwrap_or_default().into(),
                sanction: col(&sanctions, r, "sanction").unwrap_or_default().into(),
                decided,
                authority: col(&sanctions, r, "authority").unwrap_or_default().into(),
            });
        }
        let mut record: HashMap<&str, (String, String)> = HashMap::new();
        for r in &supervised.rows {
            if let Some(id) = col(&supervised, r, "id_number") {
                record.insert(
                    id,
                    (
                        col(&supervised, r, "org").unwrap_or_default().into(),
                        col(&supervised, r, "position").unwrap_or_default().into(),
                    ),
                );
            }
        }
        let wording = self.opinion_wording().await?;
        let persons: Vec<OpinionPerson> = checks
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let id = c.id_number.as_str();
                let mut d = integrity::draft(
                    by_person_p.get(id).map_or(&[][..], Vec::as_slice),
                    by_person_s.get(id).map_or(&[][..], Vec::as_slice),
                    reply,
                    integrity::LOOK_BACK_YEARS,
                    &wording,
                );
                if !c.found {
                    d = integrity::without_record(d, &wording);
                }
                let (org, position) = record.get(id).cloned().unwrap_or_default();
                OpinionPerson {
                    seq: i as i64 + 1,
                    id_number: c.id_number.clone(),
                    name: c.name.clone(),
                    org,
                    position,
                    verdict: serde_json::to_value(d.verdict)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    findings: serde_json::to_string(&d.findings).expect("serialisable"),
                    drafted_opinion: d.opinion.clone(),
                    opinion: d.opinion,
                }
            })
            .collect();
        let r = OpinionRequest {
            id: 0,
            reference: req.reference.trim().into(),
            purpose: req.purpose.clone(),
            requesting_org: req.requesting_org.trim().into(),
            reply_date: reply.to_string(),
            stage: "drafted".into(),
            drafted_by: actor.username.clone(),
            drafted_at: String::new(),
            reviewed_by: None,
            reviewed_at: None,
            approved_by: None,
            approved_at: None,
            return_comment: String::new(),
            persons: persons.len() as i64,
        };
        let mut audit = audit.clone();
        audit.detail = format!("{} persons, {}", persons.len(), r.purpose);
        let id = self
            .meta
            .create_opinion_request(&r, &persons, &audit)
            .await?;
        Ok((id, checks))
    }

    /// Changes the opinion templates (each 1 to 200 characters); later compilations use them,
    /// opinions already drafted keep theirs. Audited (`opinion.wording`).
    pub async fn set_opinion_wording(
        &self,
        actor: &crate::Actor,
        w: &Wording,
    ) -> Result<(), AppError> {
        for (what, v) in [
            ("无问题", &w.clean),
            ("已办结问题", &w.noted),
            ("正在核查", &w.under_review),
            ("影响期内", &w.barred),
            ("查无此人", &w.no_record),
        ] {
            let n = v.trim().chars().count();
            if n == 0 || n > 200 {
                return Err(AppError::Invalid(format!(
                    "“{what}”的意见模板须为 1 到 200 字"
                )));
            }
        }
        let text = serde_json::to_string(w).map_err(|e| AppError::Invalid(e.to_string()))?;
        let audit = actor.entry("opinion.wording", "setting:opinion_wording", "ok");
        self.meta
            .set_setting_audited("opinion_wording", &text, &audit)
            .await?;
        Ok(())
    }

    /// Rewords one person's opinion while the request is drafted (1 to 2,000 characters).
    /// Audited (`opinion.reword`).
    pub async fn reword_opinion(
        &self,
        actor: &crate::Actor,
        id: i64,
        seq: i64,
        opinion: &str,
    ) -> Result<(), AppError> {
        let text = opinion.trim();
        if text.is_empty() || text.chars().count() > 2000 {
            return Err(AppError::Invalid("意见不能为空，且不超过 2000 字".into()));
        }
        let mut audit = actor.entry("opinion.reword", format!("opinion_request:{id}"), "ok");
        audit.detail = format!("person {seq}");
        self.meta.reword_opinion(id, seq, text, &audit).await?;
        Ok(())
    }

    /// The opinion templates (a setting deployments edit), or the standard's wording.
    pub async fn opinion_wording(&self) -> Result<Wording, AppError> {
        match self.meta.setting("opinion_wording").await? {
            None => Ok(Wording::default()),
            Some(s) => serde_json::from_str(&s)
                .map_err(|e| AppError::Store(StoreError::Corrupt(format!("opinion_wording: {e}")))),
        }
    }

    /// A step of the request's workflow by `actor`: `submit` (the drafter), `review` and
    /// `return` (a reviewer who did not draft it), `approve` (an approver who neither drafted
    /// nor reviewed it).
    pub async fn opinion_step(
        &self,
        actor: &crate::Actor,
        id: i64,
        step: &str,
        comment: &str,
    ) -> Result<(), AppError> {
        let (req, persons) = self
            .meta
            .opinion_request(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("opinion request {id}")))?;
        let refuse = |m: &str| Err(AppError::Store(StoreError::Invalid(m.into())));
        // Nobody vouches for a person no record knows: such a person's opinion may be
        // reworded, but not into the clean one.
        if matches!(step, "submit" | "approve") {
            let clean = self.opinion_wording().await?.clean;
            let bare = |s: &str| -> String {
                s.chars()
                    .filter(|c| !c.is_whitespace() && !"。，,.；;".contains(*c))
                    .collect()
            };
            if let Some(p) = persons
                .iter()
                .find(|p| p.verdict == "no_record" && bare(&p.opinion).contains(&bare(&clean)))
            {
                return refuse(&format!(
                    "第 {} 人（{}）在户籍和监察对象记录中均无此人，不能回复“{}”",
                    p.seq,
                    p.name,
                    clean.trim()
                ));
            }
        }
        let from: OpinionStage = req.stage.parse().map_err(StoreError::Corrupt)?;
        let step: OpinionStep = step.parse().map_err(AppError::Invalid)?;
        let parties = Parties {
            drafted_by: &req.drafted_by,
            reviewed_by: req.reviewed_by.as_deref(),
        };
        let to = step
            .apply(from, &actor.username, &parties, comment)
            .map_err(|e| AppError::Store(StoreError::Invalid(e.to_string())))?;
        let mut audit = actor.entry(
            &format!("opinion.{}", step.code()),
            format!("opinion_request:{id}"),
            "ok",
        );
        let (from, to) = (from.code(), to.code());
        audit.detail = comment.chars().take(200).collect();
        self.meta
            .move_opinion_request(id, from, to, comment.trim(), &audit)
            .await?;
        Ok(())
    }
}

pub fn stage_label(stage: &str) -> &'static str {
    stage
        .parse::<OpinionStage>()
        .map_or("未知", OpinionStage::label)
}

/// What the records hold on one person, for the integrity file (廉政档案).
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct IntegrityFile {
    pub name: String,
    pub org: String,
    pub position: String,
    pub rank: String,
    pub party_member: String,
    pub supervising_unit: String,
    /// Whether the supervised-person records know the person.
    pub supervised: bool,
    pub petitions: Vec<PetitionRecord>,
    pub sanctions: Vec<FileSanction>,
    /// The opinion the rules would draft today.
    pub today: integrity::Draft,
    pub opinions: Vec<PastOpinion>,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct FileSanction {
    #[serde(flatten)]
    pub record: SanctionRecord,
    /// The last day of its impact period; none when it never ends or has none.
    pub impact_end: Option<NaiveDate>,
    pub permanent: bool,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct PastOpinion {
    pub request_id: i64,
    pub reference: String,
    pub purpose: String,
    pub reply_date: String,
    pub stage: String,
    pub verdict: String,
    pub opinion: String,
}

impl Platform {
    /// 廉政档案 of one person, for someone who may read discipline records: audited
    /// (`integrity.view`) under the person's opaque handle, never the ID number (the log is
    /// read by more people).
    pub async fn view_integrity_file(
        &self,
        actor: &crate::Actor,
        id: &mingjing_domain::IdNumber,
    ) -> Result<IntegrityFile, AppError> {
        let file = self.integrity_file(&id.to_string(), self.today()).await?;
        let handle = self.meta.person_handle(&id.to_string()).await?;
        self.meta
            .audit(&actor.entry("integrity.view", format!("person:{handle}"), "ok"))
            .await?;
        Ok(file)
    }

    /// The integrity file of one person (`id` a valid ID number), as of `today`.
    pub async fn integrity_file(
        &self,
        id: &str,
        today: NaiveDate,
    ) -> Result<IntegrityFile, AppError> {
        let ids = [id.to_string()];
        let sup = self
            .rows_matching("supervised_persons", "id_number", &ids)
            .await?;
        let reg = self.rows_matching("persons", "id_number", &ids).await?;
        let petitions_rows = self
            .rows_matching("petitions", "reported_id_number", &ids)
            .await?;
        let sanctions_rows = self.rows_matching("sanctions", "id_number", &ids).await?;
        let first = |rows: &TextRows, c: &str| {
            rows.rows
                .first()
                .and_then(|r| col(rows, r, c))
                .unwrap_or_default()
                .to_string()
        };
        let petitions: Vec<PetitionRecord> = petitions_rows
            .rows
            .iter()
            .filter_map(|r| {
                Some(PetitionRecord {
                    petition_no: col(&petitions_rows, r, "petition_no")?.into(),
                    received: date(col(&petitions_rows, r, "received_date"))?,
                    category: col(&petitions_rows, r, "category")
                        .unwrap_or_default()
                        .into(),
                    summary: col(&petitions_rows, r, "summary")
                        .unwrap_or_default()
                        .into(),
                    status: col(&petitions_rows, r, "status").unwrap_or_default().into(),
                    conclusion: col(&petitions_rows, r, "conclusion").map(Into::into),
                    closed: date(col(&petitions_rows, r, "closed_date")),
                })
            })
            .collect();
        let sanctions: Vec<SanctionRecord> = sanctions_rows
            .rows
            .iter()
            .filter_map(|r| {
                Some(SanctionRecord {
                    case_no: col(&sanctions_rows, r, "case_no")?.into(),
                    sanction: col(&sanctions_rows, r, "sanction")
                        .unwrap_or_default()
                        .into(),
                    decided: date(col(&sanctions_rows, r, "decision_date"))?,
                    authority: col(&sanctions_rows, r, "authority")
                        .unwrap_or_default()
                        .into(),
                })
            })
            .collect();
        let wording = self.opinion_wording().await?;
        let today_draft = integrity::draft(
            &petitions,
            &sanctions,
            today,
            integrity::LOOK_BACK_YEARS,
            &wording,
        );
        let opinions = self
            .meta
            .opinions_about(id)
            .await?
            .into_iter()
            .map(|(r, p)| PastOpinion {
                request_id: r.id,
                reference: r.reference,
                purpose: r.purpose,
                reply_date: r.reply_date,
                stage: r.stage,
                verdict: p.verdict,
                opinion: p.opinion,
            })
            .collect();
        let name = match first(&sup, "name") {
            n if n.is_empty() => first(&reg, "name"),
            n => n,
        };
        Ok(IntegrityFile {
            name,
            org: first(&sup, "org"),
            position: first(&sup, "position"),
            rank: first(&sup, "rank"),
            party_member: first(&sup, "party_member"),
            supervising_unit: first(&sup, "supervising_unit"),
            supervised: !sup.rows.is_empty(),
            petitions,
            sanctions: sanctions
                .into_iter()
                .map(|s| {
                    let impact = integrity::impact_of(&s.sanction);
                    FileSanction {
                        impact_end: impact.and_then(|i| integrity::impact_end(s.decided, i)),
                        permanent: impact == Some(integrity::Impact::Permanent),
                        record: s,
                    }
                })
                .collect(),
            today: today_draft,
            opinions,
        })
    }
}

/// Reads a list of persons from a CSV or Excel file: a header row with an ID column
/// (身份证号 / 公民身份号码 / id_number) and a name column (姓名 / name), then one person a row.
/// An ID typed as a number has lost digits: it is refused with its row.
pub fn read_person_list(file_name: &str, bytes: &[u8]) -> Result<Vec<RequestedPerson>, AppError> {
    use mingjing_domain::Cell;
    use mingjing_ingest::read::{self, Format};
    let bad = |m: String| AppError::Store(StoreError::Invalid(format!("{file_name}：{m}")));
    let text_of = |c: &Cell<'_>| match c {
        Cell::Text(t) => Some(t.trim().to_string()),
        Cell::Empty => Some(String::new()),
        _ => None,
    };
    let limits = mingjing_ingest::Limits::default();
    // A list far longer than may be asked about is refused without reading the rest.
    let most = 2 * MAX_PERSONS + 2;
    let mut rows: Vec<(u64, Vec<Option<String>>)> = Vec::new();
    match read::detect_format(file_name, bytes)? {
        Format::Csv => {
            let (text, _) = read::decode_text(bytes)?;
            read::check_csv(&text, &limits)?;
            let mut r = read::csv_records(&text);
            let mut numbers = read::CsvRowNumbers::new(&text);
            for rec in r.byte_records().take(most) {
                let rec =
                    rec.map_err(|e| bad(format!("第 {} 行无法读取：{e}", numbers.last_row() + 1)))?;
                rows.push((
                    numbers.row_of(&rec),
                    read::csv_cells(&rec).iter().map(text_of).collect(),
                ));
            }
        }
        f => {
            let mut book = read::Workbook::open(f, bytes, &limits)?;
            let mut sheet = book.rows(&limits)?;
            while rows.len() < most {
                let Some((n, cells)) = sheet.next_row()? else {
                    break;
                };
                rows.push((n, cells.iter().map(text_of).collect()));
            }
        }
    }
    if rows.len() >= most {
        return Err(bad(format!("人员不能超过 {MAX_PERSONS} 人")));
    }
    let Some((_, header)) = rows.first() else {
        return Err(bad("文件为空".into()));
    };
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| h.as_deref().is_some_and(|h| names.contains(&h)))
    };
    let (Some(id_col), Some(name_col)) = (
        find(&["身份证号", "公民身份号码", "身份证号码", "id_number"]),
        find(&["姓名", "name"]),
    ) else {
        return Err(bad("第 1 行须有“身份证号”和“姓名”两列".into()));
    };
    let mut out = Vec::new();
    for (n, cells) in rows.iter().skip(1) {
        let cell = |i: usize| cells.get(i).cloned().unwrap_or(Some(String::new()));
        let (Some(id), Some(name)) = (cell(id_col), cell(name_col)) else {
            return Err(bad(format!(
                "第 {n} 行：身份证号须为文本单元格（数字格式会丢失末尾数位）"
            )));
        };
        if id.is_empty() && name.is_empty() {
            continue;
        }
        out.push(RequestedPerson {
            id_number: id,
            name,
        });
    }
    if out.len() > MAX_PERSONS {
        return Err(bad(format!("人员不能超过 {MAX_PERSONS} 人")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::read_person_list;

    #[test]
    fn person_lists_are_read_by_their_header_and_bad_files_say_why() {
        let ok = read_person_list(
            "名单.csv",
            "序号,姓名,身份证号\n1,张三,11010519491231002X\n,,\n2,李四,110105194912310038\n"
                .as_bytes(),
        )
        .unwrap();
        let got: Vec<(&str, &str)> = ok
            .iter()
            .map(|p| (p.id_number.as_str(), p.name.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("11010519491231002X", "张三"),
                ("110105194912310038", "李四")
            ]
        );
        let e = read_person_list("名单.csv", "姓名,单位\n张三,民政局\n".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("身份证号"), "{e}");
        let e = read_person_list("名单.csv", b"").unwrap_err();
        assert!(e.to_string().contains("名单.csv"), "{e}");
    }
}
