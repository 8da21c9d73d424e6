//! 一键通: one search over the county's people, and one page with everything the data says
//! about a person. The person index is rebuilt from the household register when it changes;
//! a person's records are read from every dataset type that holds an ID field.

use crate::{AppError, Platform};
use chrono::NaiveDate;
use mingjing_domain::IdNumber;
use mingjing_domain::names::{name_key, pinyin_key};
use mingjing_domain::{DatasetType, FieldType};
use mingjing_engine::rows::{TextRows, to_text};
use mingjing_ingest::columnar::{ROW_COLUMN, UPLOAD_COLUMN};
use mingjing_ingest::idindex;
use mingjing_store::StoreError;
use mingjing_store::persons::{PersonEntry, PersonQuery};
use std::collections::HashMap;
use std::path::PathBuf;

/// Dataset types that hold discipline records, shown only to roles that read them.
pub const DISCIPLINE_TYPES: &[&str] = &["petitions", "sanctions"];

/// Most candidates a search reads per way of matching.
const CANDIDATES: i64 = 500;

/// How a search found a person, best first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The ID number, whole or its known digits.
    Id,
    /// The name, after folding widths and traditional characters.
    Name,
    /// A name that starts with what was typed.
    Prefix,
    /// Only the pinyin: a homophone, a candidate to check, never the same person by itself.
    Pinyin,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct PersonHit {
    #[serde(flatten)]
    pub person: PersonEntry,
    pub matched: MatchKind,
    pub age: Option<i64>,
}

/// What a search may be narrowed by.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
pub struct PersonFilter {
    #[serde(default)]
    pub town: String,
    #[serde(default)]
    pub village: String,
    pub age_min: Option<u32>,
    pub age_max: Option<u32>,
}

/// One dataset type's rows about the person.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct PersonRecords {
    pub dataset_type: String,
    pub label: String,
    /// The ID field that named the person in these rows.
    pub field: String,
    pub discipline: bool,
    pub columns: Vec<String>,
    /// Each column's label in the standard (the column's own name where the standard has none:
    /// the `_upload`/`_row` citation columns).
    pub labels: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct PersonProfile {
    pub person: Option<PersonEntry>,
    pub household: Vec<PersonEntry>,
    pub records: Vec<PersonRecords>,
}

fn age_on(birth: &str, today: NaiveDate) -> Option<i64> {
    let b = NaiveDate::parse_from_str(birth, "%Y-%m-%d").ok()?;
    Some(i64::from(today.years_since(b)?))
}

/// A query that reads as an ID: 18 characters of digits, `X` and `*` (unknown digits), or at
/// least 6 leading digits.
fn id_pattern(text: &str) -> Option<String> {
    let t: String = text
        .chars()
        .map(|c| match c {
            '＊' => '*',
            'x' => 'X',
            c => c,
        })
        .collect();
    let id_like = t
        .chars()
        .all(|c| c.is_ascii_digit() || c == 'X' || c == '*');
    if !id_like || t.chars().filter(char::is_ascii_digit).count() < 6 {
        return None;
    }
    if t.len() == 18 {
        Some(t.replace('*', "_"))
    } else {
        // The digits known from the start.
        Some(format!("{}%", t.replace('*', "_")))
    }
}

impl Platform {
    /// Rebuilds the person index from the current household register, a batch of rows at a
    /// time (read off the async runtime), in one transaction.
    pub async fn rebuild_person_index(&self) -> Result<usize, AppError> {
        let (source, files) = self.register_files().await?;
        self.build_person_index(&source, files).await
    }

    /// Rebuilds the person index unless it was built from the current register files (a
    /// server start after a crash between a register upload and its rebuild); `None` when it
    /// was current.
    pub async fn refresh_person_index(&self) -> Result<Option<usize>, AppError> {
        let (source, files) = self.register_files().await?;
        if self.meta.person_index_source().await?.as_deref() == Some(source.as_str()) {
            return Ok(None);
        }
        Ok(Some(self.build_person_index(&source, files).await?))
    }

    /// The current household register's files, and a name for that set of files.
    async fn register_files(&self) -> Result<(String, Vec<PathBuf>), AppError> {
        let slices = self.meta.current_slices("persons").await?;
        let source = slices
            .iter()
            .map(|s| format!("{}/{}", s.dir, s.file))
            .collect::<Vec<_>>()
            .join(";");
        let files = slices
            .iter()
            .map(|s| self.data.slice_path(&s.dir, &s.file))
            .collect();
        Ok((source, files))
    }

    async fn build_person_index(
        &self,
        source: &str,
        files: Vec<PathBuf>,
    ) -> Result<usize, AppError> {
        let ty = self.dataset_type("persons").await?;
        let schema = mingjing_ingest::columnar::schema(&ty);
        let cipher = self.meta.column_cipher()?.clone();
        let blocking_err = |e: tokio::task::JoinError| AppError::from(std::io::Error::other(e));
        let mut load = self.meta.begin_person_index(source).await?;
        let mut count = 0;
        for file in files {
            let mut reader = tokio::task::spawn_blocking(move || {
                mingjing_ingest::columnar::read_batches(&file, 8192)
            })
            .await
            .map_err(blocking_err)??;
            loop {
                let (back, batch) = tokio::task::spawn_blocking(move || {
                    let batch = reader.next();
                    (reader, batch)
                })
                .await
                .map_err(blocking_err)?;
                reader = back;
                let Some(batch) = batch else { break };
                let batch = batch.map_err(mingjing_ingest::FileError::from)?;
                let mut rows = to_text(&schema, &[batch]);
                crate::protect::reveal_rows(&cipher, &ty, &mut rows)?;
                let entries = index_entries(&rows);
                count += entries.len();
                load.insert(&entries).await?;
            }
        }
        load.commit().await?;
        Ok(count)
    }

    /// Searches by ID (whole, or with `*` for unknown digits, or its leading digits) or by name
    /// (traditional/simplified and width variants alike; homophones as candidates), ranked:
    /// ID, name, name prefix, pinyin; then by town and name.
    pub async fn search_persons(
        &self,
        text: &str,
        f: &PersonFilter,
        today: NaiveDate,
    ) -> Result<Vec<PersonHit>, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::Store(StoreError::Invalid(
                "请输入身份证号或姓名".into(),
            )));
        }
        // Nobody is older than this; a larger bound is a mistake, not a filter.
        const MAX_AGE: u32 = 150;
        for age in [f.age_min, f.age_max].into_iter().flatten() {
            if age > MAX_AGE {
                return Err(AppError::Invalid(format!("年龄须为 0 到 {MAX_AGE} 岁")));
            }
        }
        let born = |age: Option<u32>, oldest: bool| {
            age.and_then(|a| {
                let years = if oldest { a + 1 } else { a };
                today
                    .checked_sub_months(chrono::Months::new(years * 12))
                    .map(|d| if oldest { d.succ_opt().unwrap_or(d) } else { d })
                    .map(|d| d.to_string())
            })
        };
        let nonempty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        let mut q = PersonQuery {
            town: nonempty(&f.town),
            village: nonempty(&f.village),
            born_from: born(f.age_max, true),
            born_to: born(f.age_min, false),
            limit: CANDIDATES,
            ..Default::default()
        };
        let key = name_key(text);
        match id_pattern(text) {
            Some(p) => q.id_pattern = Some(p),
            None => {
                q.pinyin_key = Some(pinyin_key(&key));
                q.name_key = Some(key.clone());
            }
        }
        let pinyin = q.pinyin_key.clone().unwrap_or_default();
        let mut hits: Vec<PersonHit> = self
            .meta
            .search_persons(&q)
            .await?
            .into_iter()
            .map(|p| {
                let matched = if q.id_pattern.is_some() {
                    MatchKind::Id
                } else if p.name_key == key {
                    MatchKind::Name
                } else if p.name_key.starts_with(&key) {
                    MatchKind::Prefix
                } else {
                    debug_assert_eq!(p.pinyin_key, pinyin);
                    MatchKind::Pinyin
                };
                let age = age_on(&p.birth_date, today);
                PersonHit {
                    person: p,
                    matched,
                    age,
                }
            })
            .collect();
        hits.sort_by(|a, b| {
            (
                a.matched,
                &a.person.town,
                &a.person.name,
                &a.person.id_number,
            )
                .cmp(&(
                    b.matched,
                    &b.person.town,
                    &b.person.name,
                    &b.person.id_number,
                ))
        });
        hits.truncate(200);
        Ok(hits)
    }

    /// Everything the data says about one person: the register's entry and household, and the
    /// current rows of every dataset type that names them in an ID field (discipline records
    /// only when `discipline`).
    pub async fn person_profile(
        &self,
        id: &IdNumber,
        discipline: bool,
    ) -> Result<PersonProfile, AppError> {
        let _reading = self.reading_files().await?;
        let id = *id;
        let person = self.meta.person_entry(&id.to_string()).await?;
        let household = match &person {
            Some(p) if !p.household_id.is_empty() => self.meta.household(&p.household_id).await?,
            _ => Vec::new(),
        };
        // The files first (the store is async), then the reading, off the async runtime.
        let mut sources = Vec::new();
        let mut slices = self.meta.current_slices_by_type().await?;
        for t in self.meta.dataset_types().await? {
            let is_discipline = DISCIPLINE_TYPES.contains(&t.name.as_str());
            if (is_discipline && !discipline)
                || !t
                    .fields
                    .iter()
                    .any(|f| f.ty == mingjing_domain::FieldType::Id18)
            {
                continue;
            }
            let files: Vec<PathBuf> = slices
                .remove(&t.name)
                .unwrap_or_default()
                .iter()
                .map(|s| self.data.slice_path(&s.dir, &s.file))
                .collect();
            sources.push((t, is_discipline, files));
        }
        let cipher = self.meta.column_cipher()?.clone();
        let records = tokio::task::spawn_blocking(move || records_naming(&cipher, &sources, id))
            .await
            .map_err(|e| AppError::from(std::io::Error::other(e)))??;
        Ok(PersonProfile {
            person,
            household,
            records,
        })
    }
}

/// The person index's entries for rows of the household register.
fn index_entries(rows: &TextRows) -> Vec<PersonEntry> {
    let at = |name: &str| rows.columns.iter().position(|c| c == name);
    let get = |r: &[Option<String>], i: Option<usize>| {
        i.and_then(|i| r.get(i).cloned().flatten())
            .unwrap_or_default()
    };
    let (id, name, gender, birth, household, relation, town, village) = (
        at("id_number"),
        at("name"),
        at("gender"),
        at("birth_date"),
        at("household_id"),
        at("relation"),
        at("town"),
        at("village"),
    );
    rows.rows
        .iter()
        .map(|r| {
            let id_number = get(r, id);
            let name = get(r, name);
            let key = name_key(&name);
            let mut birth_date = get(r, birth);
            if birth_date.is_empty()
                && let Ok(n) = id_number.parse::<IdNumber>()
            {
                birth_date = n.birth_date().to_string();
            }
            PersonEntry {
                pinyin_key: pinyin_key(&key),
                name_key: key,
                handle: String::new(),
                id_number,
                name,
                gender: get(r, gender),
                birth_date: birth_date.chars().take(10).collect(),
                household_id: get(r, household),
                relation: get(r, relation),
                town: get(r, town),
                village: get(r, village),
            }
        })
        .collect()
}

/// The rows of each type's current files that name `id` in an ID field, one group per
/// (type, field) in the types' and fields' order, rows in upload then row order. Each file's
/// ID index finds the rows (by the blind index of the ID's token); only the pages holding
/// them are read, and only the rows whose token is the ID's are opened.
fn records_naming(
    cipher: &mingjing_crypto::ColumnCipher,
    sources: &[(DatasetType, bool, Vec<PathBuf>)],
    id: IdNumber,
) -> Result<Vec<PersonRecords>, AppError> {
    use rayon::prelude::*;
    let schemas: Vec<_> = sources
        .iter()
        .map(|(t, _, _)| mingjing_ingest::columnar::schema(t))
        .collect();
    let token = cipher.token(&id.to_string());
    let key = mingjing_crypto::ColumnCipher::index_key(&token).expect("a token has a key");
    // Every file's index searched, and its hits read, in parallel: a city has ~160 files.
    let files: Vec<(usize, &PathBuf)> = sources
        .iter()
        .enumerate()
        .flat_map(|(i, (_, _, files))| files.iter().map(move |f| (i, f)))
        .collect();
    type Found = (usize, Vec<(String, Vec<Option<String>>)>);
    let found: Vec<Found> = files
        .par_iter()
        .map(|(i, file)| -> Result<Found, AppError> {
            let hits = idindex::lookup(file, key)?;
            if hits.is_empty() {
                return Ok((*i, Vec::new()));
            }
            let mut ordinals: Vec<u32> = hits.iter().map(|(_, o)| *o).collect();
            ordinals.sort_unstable();
            ordinals.dedup();
            let text = to_text(&schemas[*i], &idindex::read_ordinals(file, &ordinals)?);
            // Keys of two IDs may be equal: a row counts when its field holds this token.
            let named: Vec<(String, Vec<Option<String>>)> = hits
                .into_iter()
                .filter_map(|(field, ordinal)| {
                    let at = ordinals.binary_search(&ordinal).expect("read above");
                    let col = text.columns.iter().position(|c| *c == field)?;
                    let row = text.rows.get(at)?;
                    (row[col].as_deref() == Some(token.as_str())).then(|| (field, row.clone()))
                })
                .collect();
            let mut opened = TextRows {
                columns: text.columns,
                rows: named.iter().map(|(_, r)| r.clone()).collect(),
            };
            crate::protect::reveal_rows(cipher, &sources[*i].0, &mut opened)?;
            Ok((
                *i,
                named.into_iter().map(|(f, _)| f).zip(opened.rows).collect(),
            ))
        })
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for (ti, (t, discipline, _)) in sources.iter().enumerate() {
        let schema = &schemas[ti];
        let mut by_field: HashMap<String, Vec<Vec<Option<String>>>> = HashMap::new();
        for (field, row) in found
            .iter()
            .filter(|(i, _)| *i == ti)
            .flat_map(|(_, hits)| hits)
        {
            by_field.entry(field.clone()).or_default().push(row.clone());
        }
        let columns: Vec<String> = schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .filter(|c| !c.starts_with(mingjing_ingest::columnar::BIRTH_PREFIX))
            .collect();
        let labels: Vec<String> = columns
            .iter()
            .map(|c| {
                t.fields
                    .iter()
                    .find(|f| &f.key == c)
                    .map_or_else(|| c.clone(), |f| f.label.clone())
            })
            .collect();
        let upload = columns.iter().position(|c| c == UPLOAD_COLUMN);
        let row = columns.iter().position(|c| c == ROW_COLUMN);
        for field in t.fields.iter().filter(|f| f.ty == FieldType::Id18) {
            let Some(mut rows) = by_field.remove(&field.key) else {
                continue;
            };
            let cell = |r: &[Option<String>], i: Option<usize>| {
                i.and_then(|i| r.get(i).cloned().flatten())
                    .unwrap_or_default()
            };
            rows.sort_by_cached_key(|r| {
                (
                    cell(r, upload),
                    cell(r, row).parse::<i64>().unwrap_or_default(),
                )
            });
            out.push(PersonRecords {
                dataset_type: t.name.clone(),
                label: t.label.clone(),
                field: field.label.clone(),
                discipline: *discipline,
                columns: columns.clone(),
                labels: labels.clone(),
                rows,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_whole_masked_or_leading_are_read_as_ids_and_names_are_not() {
        assert_eq!(
            id_pattern("11010519491231002x").as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(
            id_pattern("110105********002X").as_deref(),
            Some("110105________002X")
        );
        assert_eq!(
            id_pattern("110105＊＊＊＊＊＊＊＊002X").as_deref(),
            Some("110105________002X")
        );
        assert_eq!(id_pattern("1101051949").as_deref(), Some("1101051949%"));
        assert_eq!(id_pattern("张三"), None);
        assert_eq!(id_pattern("12345"), None);
    }

    #[test]
    fn ages_are_whole_years_on_the_day() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(age_on("1970-11-26", d("2026-11-26")), Some(56));
        assert_eq!(age_on("1970-11-27", d("2026-11-26")), Some(55));
    }
}

/// The relationship graph around one person (one hop): relatives, the people and things their
/// records link them to, each edge with the dataset it comes from.
#[derive(Debug, Clone, Default, serde::Serialize, schemars::JsonSchema)]
pub struct Graph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct GraphNode {
    /// `p:<ID>` for a person, `<type>:<value>` for a thing.
    pub key: String,
    /// `person`, or the dataset type of a thing.
    pub kind: String,
    pub label: String,
    /// A person's ID number (the server masks it and gives a handle).
    pub id_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    pub label: String,
    /// The dataset type the link was read from.
    pub source: String,
}

/// Things a record links a person to: (type, the thing's field, its label field, the edge's
/// label field, or `=text` for a fixed label).
const THINGS: &[(&str, &str, &str, &str)] = &[
    (
        "benefit_payments",
        "bank_account",
        "bank_account",
        "=收款账户",
    ),
    ("public_officials", "employer_code", "employer", "position"),
    ("village_cadres", "village", "village", "position"),
    ("vehicles", "plate", "plate", "=车辆"),
    ("properties", "certificate_no", "location", "=不动产"),
    ("businesses", "credit_code", "company_name", "role"),
    ("social_insurance", "employer", "employer", "=参保单位"),
];

/// Most nodes a graph shows around one person.
const MAX_NODES: usize = 200;

pub fn person_graph(
    profile: &PersonProfile,
    center: &str,
    types: &[mingjing_domain::DatasetType],
) -> Graph {
    let mut g = Graph::default();
    let node = |g: &mut Graph, key: String, kind: &str, label: String, id: Option<String>| {
        if g.nodes.len() < MAX_NODES && !g.nodes.iter().any(|n| n.key == key) {
            g.nodes.push(GraphNode {
                key: key.clone(),
                kind: kind.into(),
                label,
                id_number: id,
            });
        }
        g.nodes.iter().any(|n| n.key == key)
    };
    let edge = |g: &mut Graph, from: &str, to: String, label: String, source: &str| {
        let e = GraphEdge {
            from: from.into(),
            to,
            label,
            source: source.into(),
        };
        if !g.edges.contains(&e) {
            g.edges.push(e);
        }
    };
    let me = format!("p:{center}");
    let my_name = profile
        .person
        .as_ref()
        .map_or_else(String::new, |p| p.name.clone());
    node(
        &mut g,
        me.clone(),
        "person",
        my_name,
        Some(center.to_string()),
    );
    for m in profile.household.iter().filter(|m| m.id_number != center) {
        let key = format!("p:{}", m.id_number);
        if node(
            &mut g,
            key.clone(),
            "person",
            m.name.clone(),
            Some(m.id_number.clone()),
        ) {
            edge(&mut g, &me, key, format!("同户·{}", m.relation), "户籍人口");
        }
    }
    for r in &profile.records {
        let Some(t) = types.iter().find(|t| t.name == r.dataset_type) else {
            continue;
        };
        let col = |name: &str| r.columns.iter().position(|c| c == name);
        let id_fields: Vec<(usize, &str)> = t
            .fields
            .iter()
            .filter(|f| f.ty == mingjing_domain::FieldType::Id18)
            .filter_map(|f| col(&f.key).map(|i| (i, f.label.as_str())))
            .collect();
        let thing = THINGS.iter().find(|(ty, ..)| *ty == t.name);
        for row in &r.rows {
            let at = |i: Option<usize>| i.and_then(|i| row.get(i).cloned().flatten());
            // Other people on the same row (an account holder, a relative, a partner).
            for (i, label) in &id_fields {
                if let Some(other) = at(Some(*i)).filter(|v| v != center) {
                    let key = format!("p:{other}");
                    let name = profile
                        .household
                        .iter()
                        .find(|m| m.id_number == other)
                        .map_or_else(String::new, |m| m.name.clone());
                    if node(&mut g, key.clone(), "person", name, Some(other.clone())) {
                        let label = match at(col("relation")) {
                            Some(rel) if t.name == "family_relations" => rel,
                            _ => label.to_string(),
                        };
                        edge(&mut g, &me, key, label, &t.label);
                    }
                }
            }
            if let Some((_, field, label_field, edge_label)) = thing
                && let Some(value) = at(col(field)).filter(|v| !v.is_empty())
            {
                let key = format!("{}:{value}", t.name);
                let label = at(col(label_field)).unwrap_or_else(|| value.clone());
                if node(&mut g, key.clone(), &t.name, label, None) {
                    let el = match edge_label.strip_prefix('=') {
                        Some(fixed) => fixed.to_string(),
                        None => at(col(edge_label)).unwrap_or_else(|| t.label.clone()),
                    };
                    edge(&mut g, &me, key, el, &t.label);
                }
            }
        }
    }
    g
}

/// What a look at a person is for (查询事由): required, 2 to 200 characters.
fn stated_purpose(p: &str) -> Result<String, AppError> {
    let p = p.trim();
    let n = p.chars().count();
    if !(2..=200).contains(&n) {
        return Err(AppError::Invalid("请填写查询事由（2 到 200 字）".into()));
    }
    Ok(p.to_string())
}

/// Which look at one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonLook {
    /// The person page (`person.view`).
    Page,
    /// The relationship graph (`person.graph`).
    Graph,
}

impl Platform {
    /// 一键通's search, for a stated purpose, narrowed to the persons in scope; audited with
    /// the purpose and how many were shown (never an ID number, whole or in part: a query
    /// with digits is recorded as such).
    pub async fn find_persons(
        &self,
        actor: &crate::Actor,
        scope: &crate::scope::Scope,
        purpose: &str,
        text: &str,
        f: &PersonFilter,
    ) -> Result<Vec<PersonHit>, AppError> {
        let why = stated_purpose(purpose)?;
        let hits: Vec<PersonHit> = self
            .search_persons(text, f, self.today())
            .await?
            .into_iter()
            .filter(|h| scope.sees_person_in(&h.person.town))
            .collect();
        let q: String = if text.chars().any(|ch| ch.is_ascii_digit()) {
            "（证件号码）".into()
        } else {
            text.trim().chars().take(50).collect()
        };
        let mut e = actor.entry("person.search", "persons", "ok");
        e.detail = format!("事由：{why}；查询：{q}；{} 人", hits.len());
        self.meta.audit(&e).await?;
        Ok(hits)
    }

    /// One person's page, for a stated purpose: `key` is a search's handle or an ID number
    /// typed in full. Audited under the person's opaque handle; a person out of scope is
    /// audited as denied and answered as not found.
    pub async fn open_person(
        &self,
        actor: &crate::Actor,
        scope: &crate::scope::Scope,
        key: &str,
        purpose: &str,
        look: PersonLook,
        discipline: bool,
    ) -> Result<(IdNumber, PersonProfile), AppError> {
        let why = stated_purpose(purpose)?;
        let not_found = || AppError::NotFound("人员不存在".into());
        let id: IdNumber = match key.parse() {
            Ok(n) => n,
            Err(_) => self
                .meta
                .person_by_handle(key)
                .await?
                .and_then(|p| p.id_number.parse().ok())
                .ok_or_else(not_found)?,
        };
        let profile = self.person_profile(&id, discipline).await?;
        let handle = self.meta.person_handle(&id.to_string()).await?;
        let action = match look {
            PersonLook::Page => "person.view",
            PersonLook::Graph => "person.graph",
        };
        let mut e = actor.entry(action, format!("person:{handle}"), "ok");
        e.detail = format!("事由：{why}");
        let visible = match &profile.person {
            Some(p) => scope.sees_person_in(&p.town),
            None => scope.is_county(),
        };
        if !visible {
            e.result = "denied".into();
            self.meta.audit(&e).await?;
            return Err(not_found());
        }
        self.meta.audit(&e).await?;
        Ok((id, profile))
    }

    /// A person's opaque handle (what the UI opens a page by, never a masked number).
    pub async fn person_handle(&self, id_number: &str) -> Result<String, AppError> {
        Ok(self.meta.person_handle(id_number).await?)
    }
}
