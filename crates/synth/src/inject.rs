//! Injected cases: for every model, true cases that must raise an alert and near-miss decoys
//! that must not. Each case takes people from households no other case touches.

use crate::county::{AWAY_PLACES, Gen, LOCAL_PLACE, add_property, date, pay, record_death};
use crate::world::*;
use chrono::{Datelike, Duration, NaiveDate};
use mingjing_domain::{Decimal, IdNumber, Money, Month};
use rand::Rng;
use rand::seq::IndexedRandom;
use std::collections::HashSet;

/// One injected case and what the model must do with it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Injected {
    pub model: &'static str,
    pub subject: String,
    pub program: String,
    /// True: the model must raise this alert. False: a decoy it must not raise.
    pub fires: bool,
    pub note: &'static str,
}

/// The state the models' injections share, in the order they run.
struct Injector<'g> {
    g: &'g mut Gen,
    /// Households a case has taken: no other case touches them.
    used: HashSet<usize>,
    /// Payments to drop once every model has run (indices into `g.w.payments`).
    removed: HashSet<usize>,
    out: Vec<Injected>,
    /// True cases per model: the requested count, at least two.
    per_model: usize,
    /// The number of paid months.
    months: usize,
    /// The first day of the first paid month.
    ws: NaiveDate,
    /// The last day of the latest paid month.
    we: NaiveDate,
    /// The latest paid month.
    last: Month,
}

impl<'g> Injector<'g> {
    fn new(g: &'g mut Gen, per_model: usize) -> Self {
        Injector {
            per_model: per_model.max(2),
            months: g.w.months.len(),
            ws: g.window_start(),
            we: g.window_end(),
            last: g.last_month(),
            g,
            used: HashSet::new(),
            removed: HashSet::new(),
            out: Vec::new(),
        }
    }

    /// Drops the removed payments; returns the cases, sorted.
    fn finish(self) -> Vec<Injected> {
        let Injector {
            g,
            removed,
            mut out,
            ..
        } = self;
        let mut k = 0;
        g.w.payments.retain(|_| {
            k += 1;
            !removed.contains(&(k - 1))
        });
        out.sort();
        out
    }

    fn case(
        &mut self,
        model: &'static str,
        subject: impl ToString,
        program: &str,
        fires: bool,
        note: &'static str,
    ) {
        self.out.push(Injected {
            model,
            subject: subject.to_string(),
            program: program.to_string(),
            fires,
            note,
        });
    }

    fn take_household(&mut self, hh: usize) {
        self.used.insert(hh);
    }

    fn free(&self, i: usize) -> bool {
        !self.used.contains(&self.g.household_of[i]) && self.g.death[i].is_none()
    }

    /// An unused recipient of a programme, alive throughout, aged within the range.
    fn recipient(&mut self, program: &str, ages: std::ops::RangeInclusive<i32>) -> usize {
        let t = self.g.window_end();
        let list = self.g.recipients.get(program).cloned().unwrap_or_default();
        let start = self.g.rng.random_range(0..list.len().max(1));
        for k in 0..list.len() {
            let i = list[(start + k) % list.len()];
            if self.free(i) && ages.contains(&self.g.age_at(i, t)) {
                self.take_household(self.g.household_of[i]);
                return i;
            }
        }
        panic!("the county is too small: no free {program} recipient aged {ages:?}");
    }

    /// An unused recipient of a programme matching a predicate (their household is then taken).
    fn recipient_where(&mut self, program: &str, pred: impl Fn(&Gen, usize) -> bool) -> usize {
        let list = self.g.recipients.get(program).cloned().unwrap_or_default();
        let start = self.g.rng.random_range(0..list.len().max(1));
        for k in 0..list.len() {
            let i = list[(start + k) % list.len()];
            if self.free(i) && pred(self.g, i) {
                self.take_household(self.g.household_of[i]);
                return i;
            }
        }
        panic!("the county is too small: no free {program} recipient for this case");
    }

    /// An unused person matching a predicate (their household is then taken).
    fn person_where(&mut self, what: &str, pred: impl Fn(&Gen, usize) -> bool) -> usize {
        let n = self.g.w.persons.len();
        let start = self.g.rng.random_range(0..n);
        for k in 0..n {
            let i = (start + k) % n;
            if self.free(i) && pred(self.g, i) {
                self.take_household(self.g.household_of[i]);
                return i;
            }
        }
        panic!("the county is too small: no free person who is {what}");
    }

    fn nonpoor_adult(&mut self) -> usize {
        let officials: HashSet<IdNumber> = self.g.w.officials.iter().map(|o| o.id).collect();
        let cadres: HashSet<IdNumber> = self.g.w.cadres.iter().map(|c| c.id).collect();
        let owners: HashSet<IdNumber> = self.g.w.businesses.iter().map(|b| b.id).collect();
        let t = self.g.window_end();
        self.person_where("a non-poor adult without office or business", |g, i| {
            let id = g.w.persons[i].id;
            !g.households[g.household_of[i]].poor
                && (25..=60).contains(&g.age_at(i, t))
                && !officials.contains(&id)
                && !cadres.contains(&id)
                && !owners.contains(&id)
        })
    }

    /// An official still in office (no end date) whose household is unused.
    fn official_in_office(&mut self) -> usize {
        let mut list = self.g.officials_idx.clone();
        list.sort();
        let start = self.g.rng.random_range(0..list.len());
        for k in 0..list.len() {
            let i = list[(start + k) % list.len()];
            let id = self.g.w.persons[i].id;
            let in_office = self
                .g
                .w
                .officials
                .iter()
                .any(|o| o.id == id && o.end.is_none());
            if in_office && self.free(i) {
                self.take_household(self.g.household_of[i]);
                return i;
            }
        }
        panic!("the county is too small: no free official in office");
    }

    fn payments_of(&self, i: usize, program: &str) -> Vec<usize> {
        let id = self.g.w.persons[i].id;
        (0..self.g.w.payments.len())
            .filter(|&k| {
                let p = &self.g.w.payments[k];
                p.id == id && p.program == program && !self.removed.contains(&k)
            })
            .collect()
    }

    fn id(&self, i: usize) -> IdNumber {
        self.g.w.persons[i].id
    }

    fn month(&self, k: usize) -> Month {
        self.g.w.months[k]
    }

    fn add_official(&mut self, i: usize, start: NaiveDate, end: Option<NaiveDate>) {
        let (employer, code) = self
            .g
            .employers
            .choose(&mut self.g.rng)
            .expect("employers")
            .clone();
        let p = self.g.w.persons[i].clone();
        self.g.w.officials.push(Official {
            id: p.id,
            name: p.name,
            employer,
            employer_code: code,
            position: "科员".into(),
            category: "事业编制",
            start,
            end,
        });
    }

    fn add_cadre(&mut self, i: usize, town: &str, village: &str, end: Option<NaiveDate>) {
        let p = self.g.w.persons[i].clone();
        self.g.w.cadres.push(Cadre {
            id: p.id,
            name: p.name,
            town: town.to_string(),
            village: village.to_string(),
            position: "委员",
            term_start: date(2021, 1, 1),
            term_end: end,
        });
    }

    fn add_vehicle(
        &mut self,
        i: usize,
        ty: &'static str,
        register: NaiveDate,
        status: &'static str,
        cancel: Option<NaiveDate>,
    ) {
        let plate = self.g.new_plate();
        let p = self.g.w.persons[i].clone();
        self.g.w.vehicles.push(Vehicle {
            owner: p.id,
            owner_name: p.name,
            plate,
            vehicle_type: ty,
            register_date: register,
            status,
            cancel_date: cancel,
        });
    }

    fn add_business(
        &mut self,
        i: usize,
        role: &'static str,
        status: &'static str,
        established: NaiveDate,
    ) -> mingjing_domain::CreditCode {
        let code = self.g.new_code("91");
        let n = self.g.next_serial();
        let p = self.g.w.persons[i].clone();
        self.g.w.businesses.push(Business {
            credit_code: code,
            company_name: format!("陇县{}经营部{n}", p.name),
            id: p.id,
            person_name: p.name,
            role,
            registered_capital: Decimal::from_scaled(50_000_000),
            establish_date: established,
            status,
        });
        code
    }

    fn add_insurance(&mut self, i: usize, m: Month, kind: &'static str, place: &str) {
        let p = self.g.w.persons[i].clone();
        self.g.w.insurance.push(Insurance {
            id: p.id,
            name: p.name,
            period: m,
            insurance_type: kind,
            employer: Some("陇县关山建筑有限公司".into()),
            insured_place: place.to_string(),
        });
    }

    fn relate(&mut self, a: usize, b: usize, relation: &'static str) {
        let (ia, ib) = (self.id(a), self.id(b));
        self.g.add_relation(ia, ib, relation);
    }

    /// A new resident of a fresh household, born on `birth`.
    fn newcomer(&mut self, birth: NaiveDate, male: bool) -> usize {
        let hh = self.g.households.len();
        let town = self.g.rng.random_range(0..self.g.towns.len());
        self.g.households.push(crate::county::Household {
            id: format!("{}{:02}{:08}", crate::county::REGION, town + 1, hh + 1),
            town,
            village: 0,
            members: Vec::new(),
            poor: false,
        });
        self.used.insert(hh);
        let i = self.g.add_person(hh, birth, male, "户主", None);
        self.g.recipients.entry("_newcomer").or_default().push(i);
        i
    }
}

/// Injects every model's cases into the background county; returns the cases.
pub fn inject(g: &mut Gen, per_model: usize) -> Vec<Injected> {
    let mut ix = Injector::new(g, per_model);
    // In this order: each model's draws follow those of the models before it.
    let models: [fn(&mut Injector<'_>); 22] = [
        m01, m02, m03, m04, m05, m06, m07, m08, m09, m10, m11, m12, m13, m14, m15, m16, m17, m18,
        m19, m20, m21, m22_24,
    ];
    for model in models {
        model(&mut ix);
    }
    ix.finish()
}

/// M01: paid after death. The earliest death date counts, from whichever source.
fn m01(ix: &mut Injector<'_>) {
    let (k, months) = (ix.per_model, ix.months);
    for c in 0..k {
        let x = ix.recipient("DIBAO", 18..=90);
        let di = ix.g.rng.random_range(0..months - 2);
        let m = ix.month(di);
        let d = ix.g.random_date(m.first_day(), m.last_day());
        ix.g.death[x] = Some(d);
        if c == 0 {
            // The register lags: it records the death a month later than the certificate.
            let (id, name) = (ix.id(x), ix.g.w.persons[x].name.clone());
            ix.g.w.deaths.push(Death {
                id,
                name: name.clone(),
                date: m.plus(1).first_day() + Duration::days(5),
                source: "户籍注销",
            });
            ix.g.w.deaths.push(Death {
                id,
                name,
                date: d,
                source: "医学死亡证明",
            });
        } else {
            record_death(ix.g, x, d);
        }
        ix.case(
            "M01",
            ix.id(x),
            "DIBAO",
            true,
            "paid in months after the death month",
        );
    }
    for _ in 0..k {
        let y = ix.recipient("DIBAO", 18..=90);
        let di = ix.g.rng.random_range(0..months - 2);
        let m = ix.month(di);
        let d = ix.g.random_date(m.first_day(), m.last_day());
        ix.g.death[y] = Some(d);
        record_death(ix.g, y, d);
        let id = ix.id(y);
        for kk in 0..ix.g.w.payments.len() {
            if ix.g.w.payments[kk].id == id && ix.g.w.payments[kk].period > m {
                ix.removed.insert(kk);
            }
        }
        ix.case(
            "M01",
            id,
            "DIBAO",
            false,
            "paid in the death month, not after",
        );
    }
}

/// M02: an official in office receives assistance.
fn m02(ix: &mut Injector<'_>) {
    let (k, ws, we) = (ix.per_model, ix.ws, ix.we);
    for c in 0..k {
        let program = if c == 0 { "ZUFANG" } else { "DIBAO" };
        let x = ix.recipient(program, 24..=59);
        ix.add_official(x, ws - Duration::days(3 * 365), None);
        ix.case(
            "M02",
            ix.id(x),
            program,
            true,
            "official in office while paid",
        );
    }
    {
        let y = ix.recipient("DIBAO", 24..=59);
        ix.add_official(y, date(2010, 1, 1), Some(ws - Duration::days(1)));
        ix.case(
            "M02",
            ix.id(y),
            "DIBAO",
            false,
            "left office the day before the first paid month",
        );
        let z = ix.recipient("DIBAO", 24..=59);
        ix.add_official(z, we + Duration::days(5), None);
        ix.case(
            "M02",
            ix.id(z),
            "DIBAO",
            false,
            "takes office after the last paid month",
        );
    }
}

/// M03: a relative (by declared kinship) is an official.
fn m03(ix: &mut Injector<'_>) {
    let k = ix.per_model;
    for _ in 0..k {
        let x = ix.recipient("DIBAO", 18..=90);
        let o = ix.official_in_office();
        ix.relate(o, x, "兄弟姐妹");
        ix.case(
            "M03",
            ix.id(x),
            "DIBAO",
            true,
            "sibling is an official in office",
        );
    }
    {
        let x = ix.recipient("DIBAO", 18..=90);
        let r = ix.nonpoor_adult();
        let o = ix.official_in_office();
        ix.relate(x, r, "兄弟姐妹");
        ix.relate(r, o, "配偶");
        ix.case(
            "M03",
            ix.id(x),
            "DIBAO",
            false,
            "official is a relative's relative (two hops)",
        );
    }
}

/// M04: the payee or a relative is a village cadre.
fn m04(ix: &mut Injector<'_>) {
    let (k, ws, we) = (ix.per_model, ix.ws, ix.we);
    for c in 0..k {
        let x = ix.recipient("DIBAO", 20..=70);
        let p = ix.g.w.persons[x].clone();
        let hh = ix.g.household_of[x];
        let other = ix.g.households[hh]
            .members
            .iter()
            .copied()
            .find(|&m| m != x && ix.g.age_at(m, we) >= 20);
        let cadre = if c % 2 == 0 { other.unwrap_or(x) } else { x };
        ix.add_cadre(cadre, &p.town, &p.village, None);
        ix.case(
            "M04",
            ix.id(x),
            "DIBAO",
            true,
            "payee or household member is a cadre in office",
        );
    }
    {
        let y = ix.recipient("DIBAO", 20..=70);
        let p = ix.g.w.persons[y].clone();
        ix.add_cadre(y, &p.town, &p.village, Some(ws - Duration::days(1)));
        ix.case(
            "M04",
            ix.id(y),
            "DIBAO",
            false,
            "cadre term ended before the window",
        );
    }
}

/// M05: the household owns a car; motorcycles and cancelled cars never count.
fn m05(ix: &mut Injector<'_>) {
    let (k, ws, we) = (ix.per_model, ix.ws, ix.we);
    for _ in 0..k {
        let x = ix.recipient("DIBAO", 18..=90);
        ix.add_vehicle(x, "小型轿车", ws - Duration::days(100), "正常", None);
        ix.case("M05", ix.id(x), "DIBAO", true, "owns a car");
    }
    for (ty, status, cancel, register, note) in [
        (
            "普通摩托车",
            "正常",
            None,
            ws - Duration::days(100),
            "owns only a motorcycle",
        ),
        (
            "小型轿车",
            "注销",
            Some(ws - Duration::days(1)),
            ws - Duration::days(900),
            "car cancelled before the window",
        ),
        (
            "小型轿车",
            "正常",
            None,
            we + Duration::days(3),
            "car registered after the window",
        ),
    ] {
        let y = ix.recipient("DIBAO", 18..=90);
        ix.add_vehicle(y, ty, register, status, cancel);
        ix.case("M05", ix.id(y), "DIBAO", false, note);
    }
}

/// M06: two homes or a commercial property.
fn m06(ix: &mut Injector<'_>) {
    let (k, ws) = (ix.per_model, ix.ws);
    for c in 0..k {
        let x = ix.recipient("DIBAO", 18..=90);
        if c % 2 == 0 {
            add_property(ix.g, x, "住宅", ws - Duration::days(10), "现势");
            add_property(ix.g, x, "住宅", ws - Duration::days(10), "现势");
        } else {
            add_property(ix.g, x, "商业", ws - Duration::days(10), "现势");
        }
        ix.case("M06", ix.id(x), "DIBAO", true, "two homes or a shop");
    }
    for variant in 0..3 {
        let no_home = |g: &Gen, i: usize| {
            let hh = &g.households[g.household_of[i]];
            let ids: HashSet<IdNumber> = hh.members.iter().map(|&m| g.w.persons[m].id).collect();
            hh.members.len() >= 2
                && !g
                    .w
                    .properties
                    .iter()
                    .any(|p| ids.contains(&p.owner) && p.usage == "住宅")
        };
        let y = ix.recipient_where("DIBAO", no_home);
        let hh = ix.g.household_of[y];
        let partner = ix.g.households[hh]
            .members
            .iter()
            .copied()
            .find(|&m| m != y)
            .expect("two members");
        let cert = add_property(ix.g, y, "住宅", ws - Duration::days(10), "现势");
        let note = match variant {
            0 => {
                // The same certificate held jointly: one home.
                let mut joint = ix.g.w.properties.last().expect("added").clone();
                joint.owner = ix.id(partner);
                joint.owner_name = ix.g.w.persons[partner].name.clone();
                joint.certificate_no = cert;
                ix.g.w.properties.push(joint);
                "one home held jointly under one certificate"
            }
            1 => {
                add_property(ix.g, partner, "住宅", ws - Duration::days(10), "注销");
                "second home's registration cancelled"
            }
            _ => {
                add_property(ix.g, partner, "宅基地", ws - Duration::days(10), "现势");
                "a home and a homestead plot"
            }
        };
        ix.case("M06", ix.id(y), "DIBAO", false, note);
    }
}

/// M07: the household runs a business.
fn m07(ix: &mut Injector<'_>) {
    let (k, ws, we) = (ix.per_model, ix.ws, ix.we);
    for _ in 0..k {
        let x = ix.recipient("DIBAO", 20..=75);
        ix.add_business(x, "法定代表人", "存续", ws - Duration::days(200));
        ix.case(
            "M07",
            ix.id(x),
            "DIBAO",
            true,
            "legal representative of a live business",
        );
    }
    for (role, status, est, note) in [
        (
            "监事",
            "存续",
            ws - Duration::days(200),
            "only a supervisor of the business",
        ),
        (
            "法定代表人",
            "注销",
            ws - Duration::days(2000),
            "business deregistered",
        ),
        (
            "股东",
            "存续",
            we + Duration::days(2),
            "business founded after the window",
        ),
    ] {
        let y = ix.recipient("DIBAO", 20..=75);
        ix.add_business(y, role, status, est);
        ix.case("M07", ix.id(y), "DIBAO", false, note);
    }
}

/// M08: employee pension contributions while on assistance.
fn m08(ix: &mut Injector<'_>) {
    let (k, months) = (ix.per_model, ix.months);
    for _ in 0..k {
        let x = ix.recipient("DIBAO", 20..=59);
        let paid = ix.payments_of(x, "DIBAO");
        let m = ix.g.w.payments[paid[paid.len() / 2]].period;
        ix.add_insurance(x, m, "职工养老", LOCAL_PLACE);
        ix.case(
            "M08",
            ix.id(x),
            "DIBAO",
            true,
            "employee pension in a paid month",
        );
    }
    {
        let y = ix.recipient("DIBAO", 20..=59);
        let m = ix.month(months / 2);
        ix.add_insurance(y, m, "职工医保", LOCAL_PLACE);
        ix.case(
            "M08",
            ix.id(y),
            "DIBAO",
            false,
            "only employee medical insurance",
        );
    }
}

/// M09: a public-welfare job holder employed elsewhere.
fn m09(ix: &mut Injector<'_>) {
    let (k, months) = (ix.per_model, ix.months);
    for _ in 0..k {
        let x = ix.recipient("GONGYI", 18..=70);
        let m = ix.month(months - 1);
        ix.add_insurance(x, m, "职工养老", AWAY_PLACES[0]);
        ix.case(
            "M09",
            ix.id(x),
            "GONGYI",
            true,
            "employee pension paid in another place",
        );
    }
    {
        let y = ix.recipient("GONGYI", 18..=70);
        let m = ix.month(months - 1);
        ix.add_insurance(y, m, "职工养老", LOCAL_PLACE);
        ix.case(
            "M09",
            ix.id(y),
            "GONGYI",
            false,
            "employee pension paid locally",
        );
    }
}

/// M10: a public-welfare job holder related to a cadre of the same village.
fn m10(ix: &mut Injector<'_>) {
    let k = ix.per_model;
    for _ in 0..k {
        let x = ix.recipient("GONGYI", 18..=70);
        let p = ix.g.w.persons[x].clone();
        let n = ix.nonpoor_adult();
        ix.relate(x, n, "兄弟姐妹");
        ix.add_cadre(n, &p.town, &p.village, None);
        ix.case(
            "M10",
            ix.id(x),
            "GONGYI",
            true,
            "sibling is a cadre of the payee's village",
        );
    }
    {
        let y = ix.recipient("GONGYI", 18..=70);
        let p = ix.g.w.persons[y].clone();
        let other_village =
            ix.g.towns
                .iter()
                .find(|t| t.0 == p.town)
                .and_then(|t| t.1.iter().find(|v| **v != p.village))
                .cloned()
                .expect("two villages");
        let n = ix.nonpoor_adult();
        ix.relate(y, n, "兄弟姐妹");
        ix.add_cadre(n, &p.town, &other_village, None);
        ix.case(
            "M10",
            ix.id(y),
            "GONGYI",
            false,
            "sibling is a cadre of another village",
        );
    }
}

/// M11: mutually exclusive programmes in one month, or one programme paid twice.
fn m11(ix: &mut Injector<'_>) {
    let (k, months) = (ix.per_model, ix.months);
    for c in 0..k {
        let x = ix.recipient("DIBAO", 18..=90);
        if c % 2 == 0 {
            for mk in [months - 3, months - 2] {
                let a = ix.g.money(800, 1200);
                pay(ix.g, x, "TEKUN", ix.month(mk), a);
            }
            ix.case(
                "M11",
                ix.id(x),
                "DIBAO+TEKUN",
                true,
                "DIBAO and TEKUN in the same months",
            );
        } else {
            let paid = ix.payments_of(x, "DIBAO");
            let mut twice = ix.g.w.payments[paid[0]].clone();
            twice.org = format!("{}人民政府", ix.g.w.persons[x].town);
            ix.g.w.payments.push(twice);
            ix.case(
                "M11",
                ix.id(x),
                "DIBAO",
                true,
                "DIBAO paid by two organisations in one month",
            );
        }
    }
    {
        let zufang: HashSet<usize> =
            ix.g.recipients
                .get("ZUFANG")
                .into_iter()
                .flatten()
                .copied()
                .collect();
        let y = ix.recipient_where("DIBAO", |_, i| !zufang.contains(&i));
        let a = ix.g.money(200, 600);
        pay(ix.g, y, "ZUFANG", ix.month(months - 1), a);
        ix.case(
            "M11",
            ix.id(y),
            "DIBAO+ZUFANG",
            false,
            "DIBAO and ZUFANG do not exclude each other",
        );
        let z = ix.recipient("DIBAO", 18..=90);
        let switch = ix.month(months - 2);
        for kk in ix.payments_of(z, "DIBAO") {
            if ix.g.w.payments[kk].period >= switch {
                ix.removed.insert(kk);
            }
        }
        for mk in [months - 2, months - 1] {
            let a = ix.g.money(800, 1200);
            pay(ix.g, z, "TEKUN", ix.month(mk), a);
        }
        ix.case(
            "M11",
            ix.id(z),
            "DIBAO+TEKUN",
            false,
            "DIBAO ends the month before TEKUN starts",
        );
    }
}

/// M12: money paid into someone else's account.
fn m12(ix: &mut Injector<'_>) {
    let k = ix.per_model;
    for _ in 0..k {
        let x = ix.recipient("DIBAO", 18..=90);
        let n = ix.nonpoor_adult();
        let (nid, account) = (ix.id(n), ix.g.accounts[n].clone());
        for kk in ix.payments_of(x, "DIBAO").into_iter().rev().take(2) {
            ix.g.w.payments[kk].account_holder_id = Some(nid);
            ix.g.w.payments[kk].bank_account = account.clone();
        }
        ix.case(
            "M12",
            ix.id(x),
            "DIBAO",
            true,
            "paid into an outsider's account",
        );
    }
    for own in [true, false] {
        let has_adult_partner =
            |g: &Gen, i: usize| g.households[g.household_of[i]].members.len() >= 2;
        let y = ix.recipient_where("DIBAO", has_adult_partner);
        let holder = if own {
            y
        } else {
            let hh = ix.g.household_of[y];
            ix.g.households[hh]
                .members
                .iter()
                .copied()
                .find(|&m| m != y)
                .expect("two members")
        };
        let (hid, account) = (ix.id(holder), ix.g.accounts[holder].clone());
        for kk in ix.payments_of(y, "DIBAO") {
            ix.g.w.payments[kk].account_holder_id = Some(hid);
            ix.g.w.payments[kk].bank_account = account.clone();
        }
        let note = if own {
            "account holder is the payee"
        } else {
            "account holder is a household member"
        };
        ix.case("M12", ix.id(y), "DIBAO", false, note);
    }
}

/// M13: one account receives one programme's money for three households.
fn m13(ix: &mut Injector<'_>) {
    let (k, months) = (ix.per_model, ix.months);
    for c in 0..k {
        let account = format!("6217{:015}", 700_000_000_000_000u64 + c as u64);
        let m = ix.month(months - 1 - c % 2);
        for _ in 0..3 {
            let x = ix.recipient("DIBAO", 18..=90);
            if let Some(kk) = ix
                .payments_of(x, "DIBAO")
                .into_iter()
                .find(|&kk| ix.g.w.payments[kk].period == m)
            {
                ix.g.w.payments[kk].bank_account = account.clone();
            }
        }
        ix.case(
            "M13",
            account,
            "DIBAO",
            true,
            "one account, three households, one month",
        );
    }
    for (households, note) in [
        (1usize, "three persons of one household on one account"),
        (2, "two households on one account"),
    ] {
        let account = format!("6217{:015}", 800_000_000_000_000u64 + households as u64);
        let m = ix.month(months - 1);
        let mut placed = 0;
        for h in 0..households {
            let want = if households == 1 { 3 } else { 2 };
            let x = if households == 1 {
                ix.recipient_where("DIBAO", |g, i| {
                    g.households[g.household_of[i]].members.len() >= 3
                })
            } else {
                ix.recipient("DIBAO", 18..=90)
            };
            let hh = ix.g.household_of[x];
            let members = ix.g.households[hh].members.clone();
            for mbr in members.into_iter().take(if h == 0 { want } else { 1 }) {
                if let Some(kk) = ix
                    .payments_of(mbr, "DIBAO")
                    .into_iter()
                    .find(|&kk| ix.g.w.payments[kk].period == m)
                {
                    ix.g.w.payments[kk].bank_account = account.clone();
                    placed += 1;
                }
            }
        }
        let _ = placed;
        ix.case("M13", account, "DIBAO", false, note);
    }
}

/// M14: paid to an ID number known to neither the register nor the death records.
fn m14(ix: &mut Injector<'_>) {
    let (k, months) = (ix.per_model, ix.months);
    for c in 0..k {
        let birth = date(1960 + c as i32, 3, 15);
        let id = ix.g.new_id(birth, true, false);
        let name = crate::names::full_name(&mut ix.g.rng, None, true);
        for mk in [months - 2, months - 1] {
            let amount = ix.g.money(300, 800);
            ix.g.w
                .payments
                .push(ghost_payment(id, &name, ix.month(mk), amount, "DIBAO"));
        }
        ix.case(
            "M14",
            id,
            "DIBAO",
            true,
            "payee unknown to the register and the death records",
        );
    }
    {
        let birth = date(1950, 6, 1);
        let id = ix.g.new_id(birth, false, false);
        let name = crate::names::full_name(&mut ix.g.rng, None, false);
        let m = ix.month(months - 1);
        ix.g.w.deaths.push(Death {
            id,
            name: name.clone(),
            date: m.first_day() + Duration::days(3),
            source: "火化记录",
        });
        let amount = ix.g.money(300, 800);
        ix.g.w
            .payments
            .push(ghost_payment(id, &name, m, amount, "DIBAO"));
        ix.case(
            "M14",
            id,
            "DIBAO",
            false,
            "not in the register but in the death records (paid in the death month)",
        );
    }
}

/// M15: too young for the programme; turning 80 on the first of the month is old enough.
fn m15(ix: &mut Injector<'_>) {
    let (k, last) = (ix.per_model, ix.last);
    let first = last.first_day();
    for c in 0..k {
        if c % 2 == 0 {
            // 80th birthday on the 2nd of the month: still 79 on the 1st.
            let birth =
                NaiveDate::from_ymd_opt(first.year() - 80, first.month(), 2).expect("valid");
            let x = ix.newcomer(birth, c % 4 == 0);
            let a = ix.g.money(100, 300);
            pay(ix.g, x, "GAOLING", last, a);
            ix.case(
                "M15",
                ix.id(x),
                "GAOLING",
                true,
                "79 on the first of the month",
            );
        } else {
            let birth =
                NaiveDate::from_ymd_opt(first.year() - 59, first.month(), 20).expect("valid");
            let x = ix.newcomer(birth, true);
            let a = ix.g.money(150, 400);
            pay(ix.g, x, "YANGLAO", last, a);
            ix.case("M15", ix.id(x), "YANGLAO", true, "59 years old");
        }
    }
    {
        let birth = NaiveDate::from_ymd_opt(first.year() - 80, first.month(), 1).expect("valid");
        let y = ix.newcomer(birth, false);
        let a = ix.g.money(100, 300);
        pay(ix.g, y, "GAOLING", last, a);
        ix.case(
            "M15",
            ix.id(y),
            "GAOLING",
            false,
            "80th birthday on the first of the month",
        );
    }
}

/// M16: above the programme's monthly standard; equal to it is allowed.
fn m16(ix: &mut Injector<'_>) {
    let k = ix.per_model;
    for c in 0..k {
        let (program, amount) = if c % 2 == 0 {
            ("DIBAO", 90001)
        } else {
            ("TEKUN", 125000)
        };
        let x = ix.recipient(program, 18..=90);
        let kk = *ix.payments_of(x, program).last().expect("paid");
        ix.g.w.payments[kk].amount = Money::from_fen(amount).expect("positive");
        ix.case(
            "M16",
            ix.id(x),
            program,
            true,
            "one fen or more above the standard",
        );
    }
    {
        let y = ix.recipient("DIBAO", 18..=90);
        let kk = *ix.payments_of(y, "DIBAO").last().expect("paid");
        ix.g.w.payments[kk].amount = Money::from_fen(90000).expect("positive");
        ix.case("M16", ix.id(y), "DIBAO", false, "exactly the standard");
    }
}

/// M17: disability allowances without a valid certificate.
fn m17(ix: &mut Injector<'_>) {
    let (k, months, last) = (ix.per_model, ix.months, ix.last);
    let certified: HashSet<IdNumber> = ix.g.w.disability.iter().map(|d| d.id).collect();
    for c in 0..k {
        if c % 2 == 0 {
            let x = ix.person_where("poor, without a certificate", |g, i| {
                g.households[g.household_of[i]].poor && !certified.contains(&g.w.persons[i].id)
            });
            for mk in [months - 2, months - 1] {
                pay(
                    ix.g,
                    x,
                    "CANJI",
                    ix.month(mk),
                    Money::from_fen(8000).expect("positive"),
                );
            }
            ix.case("M17", ix.id(x), "CANJI", true, "no certificate at all");
        } else {
            let level34: HashSet<IdNumber> =
                ix.g.w
                    .disability
                    .iter()
                    .filter(|d| d.status == "有效" && matches!(d.level, "三级" | "四级"))
                    .map(|d| d.id)
                    .collect();
            let x = ix.person_where("holding a valid level 3-4 certificate", |g, i| {
                level34.contains(&g.w.persons[i].id)
            });
            pay(
                ix.g,
                x,
                "HULI",
                last,
                Money::from_fen(10000).expect("positive"),
            );
            ix.case(
                "M17",
                ix.id(x),
                "HULI",
                true,
                "nursing allowance with a level 3-4 certificate",
            );
        }
    }
    {
        let y = ix.person_where("poor, without a certificate", |g, i| {
            g.households[g.household_of[i]].poor && !certified.contains(&g.w.persons[i].id)
        });
        let p = ix.g.w.persons[y].clone();
        ix.g.w.disability.push(DisabilityCert {
            id: p.id,
            name: p.name,
            category: "肢体",
            level: "三级",
            issue_date: last.last_day(),
            status: "有效",
        });
        pay(
            ix.g,
            y,
            "CANJI",
            last,
            Money::from_fen(8000).expect("positive"),
        );
        ix.case(
            "M17",
            p.id,
            "CANJI",
            false,
            "certificate issued on the last day of the paid month",
        );
    }
}

/// M18: veterans' allowance to a non-veteran or an urban veteran.
fn m18(ix: &mut Injector<'_>) {
    let (k, last) = (ix.per_model, ix.last);
    let veterans: HashSet<IdNumber> = ix.g.w.veterans.iter().map(|v| v.id).collect();
    for c in 0..k {
        let x = if c % 2 == 0 {
            ix.person_where("over 60 and not a veteran", |g, i| {
                g.age_at(i, g.window_end()) >= 62 && !veterans.contains(&g.w.persons[i].id)
            })
        } else {
            let birth = date(1955, 5, 5);
            let x = ix.newcomer(birth, true);
            let p = ix.g.w.persons[x].clone();
            ix.g.w.veterans.push(Veteran {
                id: p.id,
                name: p.name,
                enlist_date: date(1973, 12, 1),
                discharge_date: date(1978, 3, 1),
                rural: false,
            });
            x
        };
        pay(
            ix.g,
            x,
            "TUIYI",
            last,
            Money::from_fen(40000).expect("positive"),
        );
        ix.case("M18", ix.id(x), "TUIYI", true, "not a rural veteran");
    }
}

/// M19: a poverty household with an official, a car or a business on the as-of day.
fn m19(ix: &mut Injector<'_>) {
    let (k, ws, we) = (ix.per_model, ix.ws, ix.we);
    let poverty_households: Vec<String> = {
        let mut v: Vec<String> =
            ix.g.w
                .poverty
                .iter()
                .map(|p| p.household_id.clone())
                .collect();
        v.sort();
        v.dedup();
        v
    };
    let pick_poverty = |ix: &mut Injector<'_>| -> usize {
        let candidates: HashSet<&String> = poverty_households.iter().collect();
        ix.person_where("in a poverty household", |g, i| {
            candidates.contains(&g.w.persons[i].household_id) && g.age_at(i, g.window_end()) >= 20
        })
    };
    for c in 0..k {
        let x = pick_poverty(ix);
        match c % 3 {
            0 => ix.add_vehicle(x, "轻型货车", ws - Duration::days(30), "正常", None),
            1 => ix.add_official(x, ws - Duration::days(30), None),
            _ => {
                ix.add_business(x, "经营者", "存续", ws - Duration::days(30));
            }
        }
        let hh = ix.g.w.persons[x].household_id.clone();
        let members: Vec<IdNumber> =
            ix.g.w
                .poverty
                .iter()
                .filter(|p| p.household_id == hh)
                .map(|p| p.id)
                .collect();
        for m in members {
            ix.case(
                "M19",
                m,
                "",
                true,
                "household member holds office, a car or a business",
            );
        }
    }
    {
        let y = pick_poverty(ix);
        ix.add_vehicle(
            y,
            "小型轿车",
            ws - Duration::days(700),
            "注销",
            Some(we - Duration::days(40)),
        );
        ix.case(
            "M19",
            ix.id(y),
            "",
            false,
            "car cancelled before the as-of day",
        );
    }
}

/// M20: an official penalised for misconduct with no sanction since.
fn m20(ix: &mut Injector<'_>) {
    let (k, ws, we) = (ix.per_model, ix.ws, ix.we);
    for c in 0..k {
        let o = ix.official_in_office();
        let p = ix.g.w.persons[o].clone();
        let d = ix.g.random_date(ws, we);
        let party_id = if c == 0 {
            format!(" {} ", p.id.to_string().to_lowercase())
        } else {
            p.id.to_string()
        };
        push_penalty(ix.g, &party_id, &p.name, d, "酒后驾驶");
        ix.case("M20", p.id, "", true, "drink-driving penalty, no sanction");
    }
    for variant in 0..3 {
        let o = ix.official_in_office();
        let p = ix.g.w.persons[o].clone();
        let d = ix.g.random_date(ws, we);
        let note = match variant {
            0 => {
                push_penalty(ix.g, &p.id.to_string(), &p.name, d, "违法建设");
                "violation not on the list"
            }
            1 => {
                push_penalty(ix.g, &p.id.to_string(), &p.name, d, "赌博");
                let n = ix.g.next_serial();
                ix.g.w.sanctions.push(Sanction {
                    case_no: format!("LXJW-AJ-{n:06}"),
                    id: p.id,
                    name: p.name.clone(),
                    org: "陇县".into(),
                    sanction: "政务警告",
                    decision_date: d,
                    authority: "陇县监委".into(),
                });
                "sanctioned on the day of the penalty"
            }
            _ => {
                let id = p.id;
                for off in ix.g.w.officials.iter_mut().filter(|off| off.id == id) {
                    off.end = Some(d - Duration::days(1));
                }
                push_penalty(ix.g, &p.id.to_string(), &p.name, d, "醉酒驾驶");
                "left office the day before the penalty"
            }
        };
        ix.case("M20", p.id, "", false, note);
    }
}

/// M21: an official's unit buys from a business of the official's kin.
fn m21(ix: &mut Injector<'_>) {
    let (k, ws, we) = (ix.per_model, ix.ws, ix.we);
    for c in 0..k {
        let o = ix.official_in_office();
        let oid = ix.id(o);
        let official =
            ix.g.w
                .officials
                .iter()
                .find(|x| x.id == oid)
                .expect("official")
                .clone();
        let owner = if c % 2 == 0 {
            let r = ix.nonpoor_adult();
            ix.relate(o, r, "兄弟姐妹");
            ix.add_business(r, "股东", "存续", date(2015, 1, 1))
        } else {
            ix.add_business(o, "法定代表人", "注销", date(2012, 1, 1))
        };
        for _ in 0..2 {
            let d = ix.g.random_date(ws, we);
            let amount = ix.g.money(1000, 90_000);
            push_invoice(
                ix.g,
                owner,
                official.employer_code,
                &official.employer,
                d,
                amount,
            );
        }
        ix.case(
            "M21",
            oid,
            "",
            true,
            "unit buys from a business of the official or kin",
        );
    }
    {
        let o = ix.official_in_office();
        let oid = ix.id(o);
        let official =
            ix.g.w
                .officials
                .iter()
                .find(|x| x.id == oid)
                .expect("official")
                .clone();
        let r = ix.nonpoor_adult();
        ix.relate(o, r, "兄弟姐妹");
        let b = ix.add_business(r, "监事", "存续", date(2015, 1, 1));
        let d = ix.g.random_date(ws, we);
        let amount = ix.g.money(1000, 90_000);
        push_invoice(
            ix.g,
            b,
            official.employer_code,
            &official.employer,
            d,
            amount,
        );
        ix.case(
            "M21",
            oid,
            "",
            false,
            "relative is only a supervisor of the seller",
        );
    }
}

/// M22-M24: eligible but not paid in the latest month.
fn m22_24(ix: &mut Injector<'_>) {
    let (k, last) = (ix.per_model, ix.last);
    let first = last.first_day();
    let remove_latest = |ix: &mut Injector<'_>, i: usize, program: &str| {
        for kk in ix.payments_of(i, program) {
            if ix.g.w.payments[kk].period == last {
                ix.removed.insert(kk);
            }
        }
    };
    for _ in 0..k {
        let x = ix.recipient("GAOLING", 81..=110);
        remove_latest(ix, x, "GAOLING");
        ix.case(
            "M22",
            ix.id(x),
            "GAOLING",
            true,
            "80 or older and unpaid in the latest month",
        );
    }
    {
        let y = ix.recipient("GAOLING", 81..=110);
        let d = last.first_day() + Duration::days(9);
        ix.g.death[y] = Some(d);
        record_death(ix.g, y, d);
        remove_latest(ix, y, "GAOLING");
        ix.case(
            "M22",
            ix.id(y),
            "GAOLING",
            false,
            "died during the latest month",
        );
    }
    for _ in 0..k {
        let x = ix.recipient("HULI", 0..=110);
        remove_latest(ix, x, "HULI");
        ix.case(
            "M23",
            ix.id(x),
            "HULI",
            true,
            "severely disabled and unpaid in the latest month",
        );
    }
    {
        let y = ix.recipient("HULI", 0..=110);
        let id = ix.id(y);
        for d in ix.g.w.disability.iter_mut().filter(|d| d.id == id) {
            d.status = "注销";
        }
        for kk in ix.payments_of(y, "HULI") {
            ix.removed.insert(kk);
        }
        ix.case("M23", id, "HULI", false, "certificate cancelled");
    }
    for _ in 0..k {
        let x = ix.recipient("TUIYI", 61..=110);
        remove_latest(ix, x, "TUIYI");
        ix.case(
            "M24",
            ix.id(x),
            "TUIYI",
            true,
            "rural veteran over 60 unpaid in the latest month",
        );
    }
    {
        let birth = NaiveDate::from_ymd_opt(first.year() - 60, first.month(), 2).expect("valid");
        let y = ix.newcomer(birth, true);
        let p = ix.g.w.persons[y].clone();
        ix.g.w.veterans.push(Veteran {
            id: p.id,
            name: p.name,
            enlist_date: birth + Duration::days(18 * 365),
            discharge_date: birth + Duration::days(22 * 365),
            rural: true,
        });
        ix.case(
            "M24",
            p.id,
            "TUIYI",
            false,
            "turns 60 on the 2nd of the latest month",
        );
    }
}

fn ghost_payment(
    id: IdNumber,
    name: &str,
    m: Month,
    amount: Money,
    program: &'static str,
) -> Payment {
    Payment {
        program,
        id,
        name: name.to_string(),
        town: "城关镇".into(),
        village: "东关社区".into(),
        period: m,
        amount,
        bank_account: format!("6228{:015}", id.as_u64() % 1_000_000_000_000_000),
        account_holder_id: None,
        pay_date: None,
        org: "民政局".into(),
    }
}

fn push_penalty(g: &mut Gen, party_id: &str, name: &str, d: NaiveDate, violation: &'static str) {
    let n = g.next_serial();
    g.w.penalties.push(Penalty {
        decision_no: format!("陇公(治)行罚决字〔{}〕{:05}号", d.year(), n),
        party_type: "个人",
        party_id: party_id.to_string(),
        party_name: name.to_string(),
        authority: "陇县公安局".into(),
        decision_date: d,
        violation,
        fine: Some(Money::from_fen(100_000).expect("positive")),
    });
}

fn push_invoice(
    g: &mut Gen,
    seller: mingjing_domain::CreditCode,
    buyer: mingjing_domain::CreditCode,
    buyer_name: &str,
    d: NaiveDate,
    amount: Money,
) {
    let n = g.next_serial();
    let seller_name =
        g.w.businesses
            .iter()
            .find(|b| b.credit_code == seller)
            .map(|b| b.company_name.clone())
            .unwrap_or_default();
    g.w.invoices.push(Invoice {
        invoice_code: format!("0610{:08}", 90_000_000 + n % 10_000_000),
        invoice_no: format!("{:08}", 90_000_000 + n % 10_000_000),
        issue_date: d,
        seller_code: seller,
        seller_name,
        buyer_code: Some(buyer),
        buyer_name: buyer_name.to_string(),
        amount,
        item: "办公用品".into(),
    });
}
