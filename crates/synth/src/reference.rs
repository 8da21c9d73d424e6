//! The reference implementation of the built-in models (`standard/models.md`), written plainly
//! over in-memory rows. It is the oracle: the generator's ground truth comes from it, and the
//! matching engine is tested against it. Clarity over speed; no shared code with the engine.

use crate::world::*;
use chrono::NaiveDate;
use mingjing_domain::calendar::age_on;
use mingjing_domain::{Decimal, IdNumber, Money, Month, Standard};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Model parameters, with the defaults of `models.md`.
#[derive(Debug, Clone)]
pub struct Params {
    pub county: String,
    /// "Today" for M19.
    pub as_of: NaiveDate,
    pub m01_grace_months: i32,
    pub m13_households: usize,
    pub m07_min_capital: Decimal,
}

impl Params {
    pub fn new(county: &str, as_of: NaiveDate) -> Self {
        Params {
            county: county.to_string(),
            as_of,
            m01_grace_months: 0,
            m13_households: 3,
            m07_min_capital: Decimal::default(),
        }
    }
}

/// One alert as the batch interface prints it (`model,subject,program,name,amount`),
/// with the unit it is routed to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RefAlert {
    pub model: String,
    pub subject: String,
    pub program: String,
    pub name: String,
    pub amount: Option<Money>,
    pub responsible: String,
}

const ASSISTANCE: &[&str] = &["DIBAO", "TEKUN"];
const CAR_TYPES: &[&str] = &[
    "小型轿车",
    "小型普通客车",
    "中型客车",
    "轻型货车",
    "重型货车",
];
const BUSINESS_ROLES: &[&str] = &["法定代表人", "股东", "经营者"];
const M20_VIOLATIONS: &[&str] = &["酒后驾驶", "醉酒驾驶", "赌博", "嫖娼", "吸毒", "殴打他人"];

fn in_office(start: NaiveDate, end: Option<NaiveDate>, from: NaiveDate, to: NaiveDate) -> bool {
    start <= to && end.is_none_or(|e| e >= from)
}

struct Index<'w> {
    w: &'w World,
    std: Standard,
    person: HashMap<IdNumber, &'w Person>,
    household: HashMap<&'w str, Vec<IdNumber>>,
    related: HashMap<IdNumber, BTreeSet<IdNumber>>,
    death: HashMap<IdNumber, NaiveDate>,
    officials: HashMap<IdNumber, Vec<&'w Official>>,
    cadres: HashMap<IdNumber, Vec<&'w Cadre>>,
    vehicles: HashMap<IdNumber, Vec<&'w Vehicle>>,
    properties: HashMap<IdNumber, Vec<&'w Property>>,
    businesses: HashMap<IdNumber, Vec<&'w Business>>,
    insurance: HashMap<(IdNumber, Month), Vec<&'w Insurance>>,
    disability: HashMap<IdNumber, Vec<&'w DisabilityCert>>,
    veterans: HashMap<IdNumber, Vec<&'w Veteran>>,
}

impl<'w> Index<'w> {
    fn new(w: &'w World) -> Self {
        let mut ix = Index {
            w,
            std: Standard::builtin(),
            person: HashMap::new(),
            household: HashMap::new(),
            related: HashMap::new(),
            death: HashMap::new(),
            officials: HashMap::new(),
            cadres: HashMap::new(),
            vehicles: HashMap::new(),
            properties: HashMap::new(),
            businesses: HashMap::new(),
            insurance: HashMap::new(),
            disability: HashMap::new(),
            veterans: HashMap::new(),
        };
        for p in &w.persons {
            ix.person.insert(p.id, p);
            ix.household
                .entry(p.household_id.as_str())
                .or_default()
                .push(p.id);
        }
        for r in &w.relations {
            if r.id != r.relative_id {
                ix.related.entry(r.id).or_default().insert(r.relative_id);
                ix.related.entry(r.relative_id).or_default().insert(r.id);
            }
        }
        for d in &w.deaths {
            let e = ix.death.entry(d.id).or_insert(d.date);
            *e = (*e).min(d.date);
        }
        for o in &w.officials {
            ix.officials.entry(o.id).or_default().push(o);
        }
        for c in &w.cadres {
            ix.cadres.entry(c.id).or_default().push(c);
        }
        for v in &w.vehicles {
            ix.vehicles.entry(v.owner).or_default().push(v);
        }
        for p in &w.properties {
            ix.properties.entry(p.owner).or_default().push(p);
        }
        for b in &w.businesses {
            ix.businesses.entry(b.id).or_default().push(b);
        }
        for i in &w.insurance {
            ix.insurance.entry((i.id, i.period)).or_default().push(i);
        }
        for d in &w.disability {
            ix.disability.entry(d.id).or_default().push(d);
        }
        for v in &w.veterans {
            ix.veterans.entry(v.id).or_default().push(v);
        }
        ix
    }

    /// The household of X, X included; a person missing from `persons` is a household of one.
    fn household_of(&self, x: IdNumber) -> Vec<IdNumber> {
        match self.person.get(&x) {
            Some(p) => self.household[p.household_id.as_str()].clone(),
            None => vec![x],
        }
    }

    fn relatives(&self, x: IdNumber) -> BTreeSet<IdNumber> {
        let mut out: BTreeSet<IdNumber> = self.household_of(x).into_iter().collect();
        if let Some(r) = self.related.get(&x) {
            out.extend(r.iter().copied());
        }
        out.remove(&x);
        out
    }

    fn official_between(&self, x: IdNumber, from: NaiveDate, to: NaiveDate) -> bool {
        self.officials
            .get(&x)
            .is_some_and(|rows| rows.iter().any(|o| in_office(o.start, o.end, from, to)))
    }

    fn cadre_between(&self, x: IdNumber, from: NaiveDate, to: NaiveDate) -> bool {
        self.cadres.get(&x).is_some_and(|rows| {
            rows.iter()
                .any(|c| in_office(c.term_start, c.term_end, from, to))
        })
    }

    fn owns_car_between(&self, x: IdNumber, from: NaiveDate, to: NaiveDate) -> bool {
        self.vehicles.get(&x).is_some_and(|rows| {
            rows.iter().any(|v| {
                CAR_TYPES.contains(&v.vehicle_type)
                    && v.register_date <= to
                    && (v.status == "正常" || v.cancel_date.is_some_and(|c| c >= from))
            })
        })
    }

    fn runs_business_by(&self, x: IdNumber, to: NaiveDate, min_capital: Decimal) -> bool {
        self.businesses.get(&x).is_some_and(|rows| {
            rows.iter().any(|b| {
                BUSINESS_ROLES.contains(&b.role)
                    && b.status == "存续"
                    && b.establish_date <= to
                    && b.registered_capital.unwrap_or_default() >= min_capital
            })
        })
    }

    fn name_of(&self, x: IdNumber, fallback: &str) -> String {
        self.person
            .get(&x)
            .map_or_else(|| fallback.to_string(), |p| p.name.clone())
    }

    fn department(&self, program: &str) -> String {
        self.std
            .program(program)
            .map(|p| p.department.clone())
            .unwrap_or_default()
    }
}

/// Collects firing payments per (model, payee, programme).
#[derive(Default)]
struct PaymentHits<'w> {
    hits: BTreeMap<(&'static str, IdNumber, &'static str), Vec<&'w Payment>>,
}

impl<'w> PaymentHits<'w> {
    fn add(&mut self, model: &'static str, p: &'w Payment) {
        self.hits
            .entry((model, p.id, p.program))
            .or_default()
            .push(p);
    }
}

/// Runs every built-in model over the world.
pub fn run_all(w: &World, params: &Params) -> Vec<RefAlert> {
    let ix = Index::new(w);
    let mut out = Vec::new();
    let mut hits = PaymentHits::default();

    for p in &w.payments {
        let m = p.period;
        let (first, last) = (m.first_day(), m.last_day());
        let x = p.id;
        let assistance = ASSISTANCE.contains(&p.program);
        let program = ix.std.program(p.program);

        if let Some(d) = ix.death.get(&x)
            && m > Month::of(*d).plus(params.m01_grace_months)
        {
            hits.add("M01", p);
        }
        if (assistance || p.program == "ZUFANG") && ix.official_between(x, first, last) {
            hits.add("M02", p);
        }
        if assistance {
            let relatives = ix.relatives(x);
            let household = ix.household_of(x);
            if relatives
                .iter()
                .any(|r| ix.official_between(*r, first, last))
            {
                hits.add("M03", p);
            }
            if ix.cadre_between(x, first, last)
                || relatives.iter().any(|r| ix.cadre_between(*r, first, last))
            {
                hits.add("M04", p);
            }
            if household
                .iter()
                .any(|h| ix.owns_car_between(*h, first, last))
            {
                hits.add("M05", p);
            }
            let mut homes = HashSet::new();
            let mut commercial = false;
            for h in &household {
                for prop in ix.properties.get(h).into_iter().flatten() {
                    if prop.register_date <= last && prop.status == "现势" {
                        match prop.usage {
                            "住宅" => {
                                homes.insert(prop.certificate_no.as_str());
                            }
                            "商业" | "办公" | "工业" => commercial = true,
                            _ => {}
                        }
                    }
                }
            }
            if homes.len() >= 2 || commercial {
                hits.add("M06", p);
            }
            if household
                .iter()
                .any(|h| ix.runs_business_by(*h, last, params.m07_min_capital))
            {
                hits.add("M07", p);
            }
            if ix.insurance.get(&(x, m)).is_some_and(|rows| {
                rows.iter()
                    .any(|i| matches!(i.insurance_type, "职工养老" | "机关事业养老"))
            }) {
                hits.add("M08", p);
            }
        }
        if p.program == "GONGYI" {
            if ix.insurance.get(&(x, m)).is_some_and(|rows| {
                rows.iter().any(|i| {
                    i.insurance_type == "职工养老" && !i.insured_place.contains(&params.county)
                })
            }) {
                hits.add("M09", p);
            }
            if ix.relatives(x).iter().any(|r| {
                ix.cadres.get(r).is_some_and(|rows| {
                    rows.iter().any(|c| {
                        c.town == p.town
                            && c.village == p.village
                            && in_office(c.term_start, c.term_end, first, last)
                    })
                })
            }) {
                hits.add("M10", p);
            }
        }
        if let Some(holder) = p.account_holder_id
            && holder != x
            && !ix.household_of(x).contains(&holder)
        {
            hits.add("M12", p);
        }
        if !ix.person.contains_key(&x) && !ix.death.contains_key(&x) {
            hits.add("M14", p);
        }
        if let Some(min_age) = program.and_then(|pr| pr.min_age)
            && age_on(x.birth_date(), first) < min_age as i32
        {
            hits.add("M15", p);
        }
        if let Some(pr) = program
            && p.amount > pr.monthly_max
        {
            hits.add("M16", p);
        }
        if p.program == "CANJI" || p.program == "HULI" {
            let valid = ix.disability.get(&x).is_some_and(|rows| {
                rows.iter().any(|d| {
                    d.status == "有效"
                        && d.issue_date <= last
                        && (p.program == "CANJI" || matches!(d.level, "一级" | "二级"))
                })
            });
            if !valid {
                hits.add("M17", p);
            }
        }
        if p.program == "TUIYI"
            && !ix
                .veterans
                .get(&x)
                .is_some_and(|rows| rows.iter().any(|v| v.rural))
        {
            hits.add("M18", p);
        }
    }

    for ((model, x, program), rows) in &hits.hits {
        let amount: Money = match *model {
            "M16" => {
                let max = ix.std.program(program).expect("known").monthly_max;
                rows.iter().map(|p| p.amount.saturating_sub(max)).sum()
            }
            _ => rows.iter().map(|p| p.amount).sum(),
        };
        let responsible = match *model {
            "M09" | "M10" => "人社局".to_string(),
            "M17" => "残联".to_string(),
            "M18" => "退役军人事务局".to_string(),
            _ => ix.department(program),
        };
        let first = rows
            .iter()
            .min_by_key(|p| (p.period, p.program))
            .expect("non-empty");
        out.push(RefAlert {
            model: model.to_string(),
            subject: x.to_string(),
            program: program.to_string(),
            name: ix.name_of(*x, &first.name),
            amount: Some(amount),
            responsible,
        });
    }

    out.extend(m11(&ix));
    out.extend(m13(&ix, params));
    out.extend(m19(&ix, params));
    out.extend(m20(&ix));
    out.extend(m21(&ix));
    out.extend(m22_24(&ix));
    out.sort();
    out
}

fn m11(ix: &Index<'_>) -> Vec<RefAlert> {
    let order: Vec<&str> = ix.std.programs.iter().map(|p| p.code.as_str()).collect();
    let exclusive = |a: &str, b: &str| {
        ix.std
            .program(a)
            .is_some_and(|p| p.exclusive_with.iter().any(|e| e == b))
            || ix
                .std
                .program(b)
                .is_some_and(|p| p.exclusive_with.iter().any(|e| e == a))
    };
    let mut by_month: BTreeMap<(IdNumber, Month), Vec<&Payment>> = BTreeMap::new();
    for p in &ix.w.payments {
        by_month.entry((p.id, p.period)).or_default().push(p);
    }
    let mut alerts: BTreeMap<(IdNumber, String), (Money, String)> = BTreeMap::new();
    for ((x, _m), pays) in &by_month {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for p in pays {
            *counts.entry(p.program).or_default() += 1;
        }
        let mut involved: BTreeSet<&str> = BTreeSet::new();
        for (a, n) in &counts {
            if *n > 1 {
                involved.insert(a);
            }
            for b in counts.keys() {
                if a != b && exclusive(a, b) {
                    involved.insert(a);
                    involved.insert(b);
                }
            }
        }
        if involved.is_empty() {
            continue;
        }
        let set = involved.iter().copied().collect::<Vec<_>>().join("+");
        let involved_pays: Vec<&&Payment> = pays
            .iter()
            .filter(|p| involved.contains(p.program))
            .collect();
        let total: Money = involved_pays.iter().map(|p| p.amount).sum();
        let largest = involved_pays
            .iter()
            .map(|p| p.amount)
            .max()
            .expect("non-empty");
        let name = ix.name_of(*x, &involved_pays[0].name);
        let e = alerts.entry((*x, set)).or_insert((Money::ZERO, name));
        e.0 =
            e.0.checked_add(total.saturating_sub(largest))
                .expect("no overflow");
    }
    alerts
        .into_iter()
        .map(|((x, set), (amount, name))| {
            let later = set
                .split('+')
                .max_by_key(|c| order.iter().position(|o| o == c))
                .expect("non-empty");
            RefAlert {
                model: "M11".into(),
                subject: x.to_string(),
                responsible: ix.department(later),
                program: set,
                name,
                amount: Some(amount),
            }
        })
        .collect()
}

fn m13(ix: &Index<'_>, params: &Params) -> Vec<RefAlert> {
    let mut groups: BTreeMap<(&str, &str, Month), Vec<&Payment>> = BTreeMap::new();
    for p in &ix.w.payments {
        groups
            .entry((p.bank_account.as_str(), p.program, p.period))
            .or_default()
            .push(p);
    }
    let mut alerts: BTreeMap<(&str, &str), Money> = BTreeMap::new();
    for ((account, program, _m), pays) in groups {
        let households: HashSet<String> = pays
            .iter()
            .map(|p| match ix.person.get(&p.id) {
                Some(person) => format!("h:{}", person.household_id),
                None => format!("p:{}", p.id),
            })
            .collect();
        if households.len() >= params.m13_households {
            let sum: Money = pays.iter().map(|p| p.amount).sum();
            let e = alerts.entry((account, program)).or_insert(Money::ZERO);
            *e = e.checked_add(sum).expect("no overflow");
        }
    }
    alerts
        .into_iter()
        .map(|((account, program), amount)| RefAlert {
            model: "M13".into(),
            subject: account.to_string(),
            program: program.to_string(),
            name: String::new(),
            amount: Some(amount),
            responsible: ix.department(program),
        })
        .collect()
}

fn m19(ix: &Index<'_>, params: &Params) -> Vec<RefAlert> {
    let t = params.as_of;
    let mut by_household: HashMap<&str, BTreeSet<IdNumber>> = HashMap::new();
    for m in &ix.w.poverty {
        by_household
            .entry(m.household_id.as_str())
            .or_default()
            .insert(m.id);
    }
    let mut out = BTreeMap::new();
    for m in &ix.w.poverty {
        let mut members = by_household[m.household_id.as_str()].clone();
        if let Some(ids) = ix.household.get(m.household_id.as_str()) {
            members.extend(ids.iter().copied());
        }
        let fires = members.iter().any(|h| {
            ix.official_between(*h, t, t)
                || ix.owns_car_between(*h, t, t)
                || ix.runs_business_by(*h, t, Decimal::default())
        });
        if fires {
            out.insert(
                m.id,
                RefAlert {
                    model: "M19".into(),
                    subject: m.id.to_string(),
                    program: String::new(),
                    name: ix.name_of(m.id, &m.name),
                    amount: None,
                    responsible: "乡村振兴局".into(),
                },
            );
        }
    }
    out.into_values().collect()
}

/// An ID number written in another field, compared after trimming and upper-casing.
fn id_in_text(s: &str) -> Option<IdNumber> {
    s.trim().to_uppercase().parse().ok()
}

fn m20(ix: &Index<'_>) -> Vec<RefAlert> {
    let mut out = BTreeMap::new();
    for pen in &ix.w.penalties {
        if pen.party_type != "个人" || !M20_VIOLATIONS.contains(&pen.violation) {
            continue;
        }
        let Some(x) = id_in_text(&pen.party_id) else {
            continue;
        };
        let d = pen.decision_date;
        if !ix.official_between(x, d, d) {
            continue;
        }
        let handled =
            ix.w.sanctions
                .iter()
                .any(|s| s.id == x && s.decision_date >= d);
        if !handled {
            out.entry(x).or_insert_with(|| RefAlert {
                model: "M20".into(),
                subject: x.to_string(),
                program: String::new(),
                name: ix.name_of(x, &pen.party_name),
                amount: None,
                responsible: "县纪委监委案件监督管理室".into(),
            });
        }
    }
    out.into_values().collect()
}

fn m21(ix: &Index<'_>) -> Vec<RefAlert> {
    let mut owners: HashMap<&str, HashSet<IdNumber>> = HashMap::new();
    for b in &ix.w.businesses {
        if matches!(b.role, "法定代表人" | "股东") {
            owners
                .entry(b.credit_code.as_str())
                .or_default()
                .insert(b.id);
        }
    }
    let mut by_employer: HashMap<mingjing_domain::CreditCode, Vec<&Official>> = HashMap::new();
    for o in &ix.w.officials {
        by_employer.entry(o.employer_code).or_default().push(o);
    }
    // Which officials of an employer have themselves or a relative among a company's owners:
    // computed once per official, so that an invoice costs a lookup, not a pass over every
    // official of its buyer (a city's employers have thousands).
    let mut owned: HashMap<IdNumber, Vec<&str>> = HashMap::new();
    for (code, people) in &owners {
        for p in people {
            owned.entry(*p).or_default().push(code);
        }
    }
    let mut linked: HashMap<(mingjing_domain::CreditCode, &str), BTreeSet<IdNumber>> =
        HashMap::new();
    for (employer, rows) in &by_employer {
        let ids: BTreeSet<IdNumber> = rows.iter().map(|o| o.id).collect();
        for o in ids {
            let mut circle = ix.relatives(o);
            circle.insert(o);
            for p in &circle {
                for code in owned.get(p).into_iter().flatten() {
                    linked.entry((*employer, code)).or_default().insert(o);
                }
            }
        }
    }
    /// Per official: the amount, the (seller, invoice) pairs, and the employer.
    type OfficialTotal = (Money, BTreeSet<(String, String)>, String);
    let mut per_official: BTreeMap<IdNumber, OfficialTotal> = BTreeMap::new();
    for inv in &ix.w.invoices {
        let Some(buyer) = inv.buyer_code else {
            continue;
        };
        let Some(candidates) = linked.get(&(buyer, inv.seller_code.as_str())) else {
            continue;
        };
        let d = inv.issue_date;
        // In office at the buyer on the invoice's date.
        let officials = candidates.iter().copied().filter(|o| {
            by_employer[&buyer]
                .iter()
                .any(|r| r.id == *o && in_office(r.start, r.end, d, d))
        });
        for o in officials {
            let name = ix.name_of(
                o,
                &ix.officials[&o]
                    .first()
                    .map(|r| r.name.clone())
                    .unwrap_or_default(),
            );
            let e = per_official
                .entry(o)
                .or_insert((Money::ZERO, BTreeSet::new(), name));
            if e.1
                .insert((inv.invoice_code.clone(), inv.invoice_no.clone()))
            {
                e.0 = e.0.checked_add(inv.amount).expect("no overflow");
            }
        }
    }
    per_official
        .into_iter()
        .map(|(o, (amount, _, name))| RefAlert {
            model: "M21".into(),
            subject: o.to_string(),
            program: String::new(),
            name,
            amount: Some(amount),
            responsible: "县纪委监委".into(),
        })
        .collect()
}

fn m22_24(ix: &Index<'_>) -> Vec<RefAlert> {
    let latest = |program: &str| {
        ix.w.payments
            .iter()
            .filter(|p| p.program == program)
            .map(|p| p.period)
            .max()
    };
    let paid = |program: &str, m: Month| -> HashSet<IdNumber> {
        ix.w.payments
            .iter()
            .filter(|p| p.program == program && p.period == m)
            .map(|p| p.id)
            .collect()
    };
    let alive_through = |x: IdNumber, m: Month| ix.death.get(&x).is_none_or(|d| *d > m.last_day());
    let min_age =
        |program: &str| ix.std.program(program).and_then(|p| p.min_age).unwrap_or(0) as i32;
    let mut out = Vec::new();
    let mut push = |model: &str, p: &Person, program: &str, responsible: &str| {
        out.push(RefAlert {
            model: model.into(),
            subject: p.id.to_string(),
            program: program.into(),
            name: p.name.clone(),
            amount: None,
            responsible: responsible.into(),
        })
    };
    let mut seen = HashSet::new();
    if let Some(m) = latest("GAOLING") {
        let paid = paid("GAOLING", m);
        for p in &ix.w.persons {
            if alive_through(p.id, m)
                && age_on(p.id.birth_date(), m.first_day()) >= min_age("GAOLING")
                && !paid.contains(&p.id)
                && seen.insert(("M22", p.id))
            {
                push("M22", p, "GAOLING", "卫健局");
            }
        }
    }
    if let Some(m) = latest("HULI") {
        let paid = paid("HULI", m);
        for p in &ix.w.persons {
            let certified = ix.disability.get(&p.id).is_some_and(|rows| {
                rows.iter().any(|d| {
                    d.status == "有效"
                        && matches!(d.level, "一级" | "二级")
                        && d.issue_date <= m.last_day()
                })
            });
            if certified
                && alive_through(p.id, m)
                && !paid.contains(&p.id)
                && seen.insert(("M23", p.id))
            {
                push("M23", p, "HULI", "残联");
            }
        }
    }
    if let Some(m) = latest("TUIYI") {
        let paid = paid("TUIYI", m);
        for p in &ix.w.persons {
            let rural = ix
                .veterans
                .get(&p.id)
                .is_some_and(|rows| rows.iter().any(|v| v.rural));
            if rural
                && alive_through(p.id, m)
                && age_on(p.id.birth_date(), m.first_day()) >= min_age("TUIYI")
                && !paid.contains(&p.id)
                && seen.insert(("M24", p.id))
            {
                push("M24", p, "TUIYI", "退役军人事务局");
            }
        }
    }
    out
}

/// The alerts as `alerts --format csv` prints their identifying columns (RFC 4180).
pub fn to_csv(alerts: &[RefAlert]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["model", "subject", "program", "name", "amount"])
        .expect("in memory");
    for a in alerts {
        let amount = a.amount.map(|m| m.to_string()).unwrap_or_default();
        w.write_record([&a.model, &a.subject, &a.program, &a.name, &amount])
            .expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8")
}
