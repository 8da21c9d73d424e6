//! The background county: households, people and every department's records, built so that
//! no model fires on them. Cases are injected afterwards (`inject.rs`).
//!
//! The rule that keeps the background clean: households are "poor" (eligible for assistance)
//! or not, and nothing that a model looks for — offices, cars, businesses, a second home,
//! employee insurance, kin among officials or cadres — ever touches a poor household.

use crate::names;
use crate::world::*;
use chrono::{Datelike, Duration, NaiveDate};
use mingjing_domain::{CreditCode, Decimal, IdNumber, Money, Month};
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use std::collections::HashSet;

pub const COUNTY: &str = "陇县";
pub const REGION: &str = "610327";
pub const LOCAL_PLACE: &str = "陕西省宝鸡市陇县";
pub const AWAY_PLACES: &[&str] = &[
    "陕西省西安市雁塔区",
    "陕西省宝鸡市金台区",
    "广东省深圳市宝安区",
];
const OTHER_REGIONS: &[&str] = &["610302", "610321", "610324", "620102", "610102"];

#[derive(Debug, Clone)]
pub struct Household {
    pub id: String,
    pub town: usize,
    pub village: usize,
    pub members: Vec<usize>,
    pub poor: bool,
}

/// Everything the generator knows beyond the written tables.
pub struct Gen {
    pub rng: StdRng,
    pub w: World,
    pub towns: Vec<(String, Vec<String>)>,
    pub households: Vec<Household>,
    /// Per person: household index.
    pub household_of: Vec<usize>,
    /// Per person: bank account number.
    pub accounts: Vec<String>,
    /// Per person: death date if they die (background).
    pub death: Vec<Option<NaiveDate>>,
    pub ids: HashSet<IdNumber>,
    pub employers: Vec<(String, CreditCode)>,
    pub codes: HashSet<CreditCode>,
    pub plates: HashSet<String>,
    pub counter: u64,
    /// Recipients per programme (person indexes), for injections to pick from.
    pub recipients: std::collections::BTreeMap<&'static str, Vec<usize>>,
    pub officials_idx: Vec<usize>,
    pub cadres_idx: Vec<usize>,
    /// Person index by ID number.
    pub index: std::collections::HashMap<IdNumber, usize>,
    pub standard: mingjing_domain::Standard,
    /// Declared kinship pairs, so that no pair is written twice (the type's key).
    pub related: HashSet<(IdNumber, IdNumber)>,
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

impl Gen {
    pub fn first_month(&self) -> Month {
        self.w.months[0]
    }
    pub fn last_month(&self) -> Month {
        *self.w.months.last().expect("months")
    }
    pub fn window_start(&self) -> NaiveDate {
        self.first_month().first_day()
    }
    pub fn window_end(&self) -> NaiveDate {
        self.last_month().last_day()
    }

    /// The next number of a counter shared by every generated name and code.
    pub fn next_serial(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    pub fn person(&self, i: usize) -> &Person {
        &self.w.persons[i]
    }

    pub fn age_at(&self, i: usize, d: NaiveDate) -> i32 {
        mingjing_domain::calendar::age_on(self.w.persons[i].id.birth_date(), d)
    }

    /// A fresh valid ID for a birth date and gender, unique in the county.
    pub fn new_id(&mut self, birth: NaiveDate, male: bool, local: bool) -> IdNumber {
        for _ in 0..100_000 {
            let region = if local || self.rng.random_bool(0.9) {
                REGION
            } else {
                OTHER_REGIONS.choose(&mut self.rng).expect("non-empty")
            };
            let mut seq: u32 = self.rng.random_range(0..1000);
            if (seq % 2 == 1) != male {
                seq = (seq + 1) % 1000;
            }
            let first17 = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
            let id =
                IdNumber::from_first17(&first17, NaiveDate::MAX).expect("valid by construction");
            if self.ids.insert(id) {
                return id;
            }
        }
        panic!("no free ID number left for births on {birth}");
    }

    pub fn new_code(&mut self, kind: &str) -> CreditCode {
        loop {
            let alphabet = mingjing_domain::uscc::ALPHABET;
            let mut first17 = format!("{kind}{REGION}");
            while first17.len() < 17 {
                first17.push(alphabet[self.rng.random_range(0..31)] as char);
            }
            let check = mingjing_domain::uscc::check_char(first17.as_bytes()).expect("symbols");
            first17.push(check);
            let code = CreditCode::parse(&first17).expect("valid by construction");
            if self.codes.insert(code) {
                return code;
            }
        }
    }

    pub fn new_plate(&mut self) -> String {
        // A letter, then four letters or digits: 32 million plates, room for a city.
        const LETTERS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
        const SYMBOLS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        loop {
            let mut p = String::from("陕C");
            p.push(LETTERS[self.rng.random_range(0..LETTERS.len())] as char);
            for _ in 0..4 {
                p.push(SYMBOLS[self.rng.random_range(0..SYMBOLS.len())] as char);
            }
            if self.plates.insert(p.clone()) {
                return p;
            }
        }
    }

    pub fn money(&mut self, lo_yuan: u32, hi_yuan: u32) -> Money {
        // Whole yuan or half yuan or cents, as real rolls have.
        let yuan = self.rng.random_range(lo_yuan..=hi_yuan) as i64;
        let fen = match self.rng.random_range(0..4) {
            0 => 50,
            1 => self.rng.random_range(1..100),
            _ => 0,
        };
        let total = (yuan * 100 + fen).min(hi_yuan as i64 * 100);
        Money::from_fen(total).expect("non-negative")
    }

    pub fn random_date(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(0);
        from + Duration::days(self.rng.random_range(0..=span))
    }

    /// Adds a person to a household.
    pub fn add_person(
        &mut self,
        hh: usize,
        birth: NaiveDate,
        male: bool,
        relation: &'static str,
        surname: Option<&str>,
    ) -> usize {
        let id = self.new_id(birth, male, true);
        let name = names::full_name(&mut self.rng, surname, male);
        let (town, village) = {
            let h = &self.households[hh];
            (
                self.towns[h.town].0.clone(),
                self.towns[h.town].1[h.village].clone(),
            )
        };
        let address = format!(
            "{town}{village}{}组{}号",
            self.rng.random_range(1..9),
            self.rng.random_range(1..120)
        );
        let idx = self.w.persons.len();
        self.index.insert(id, idx);
        self.w.persons.push(Person {
            id,
            name,
            gender: if male { "男" } else { "女" },
            household_id: self.households[hh].id.clone(),
            relation,
            town,
            village,
            address,
        });
        self.households[hh].members.push(idx);
        self.household_of.push(hh);
        let account = format!(
            "6228{:015}",
            self.rng.random_range(0..1_000_000_000_000_000u64)
        );
        self.accounts.push(account);
        self.death.push(None);
        idx
    }

    /// Declares kinship between two people, once per ordered pair.
    pub fn add_relation(&mut self, id: IdNumber, relative_id: IdNumber, relation: &'static str) {
        if self.related.insert((id, relative_id)) {
            self.w.relations.push(Relation {
                id,
                relative_id,
                relation,
            });
        }
    }

    pub fn alive_in(&self, i: usize, m: Month) -> bool {
        self.death[i].is_none_or(|d| Month::of(d) >= m)
    }
}

/// Builds the background county.
pub fn build(seed: u64, persons: u32, months: u32, last_month: Month) -> Gen {
    let mut g = Gen {
        rng: StdRng::seed_from_u64(seed),
        w: World {
            county: COUNTY.to_string(),
            months: (0..months as i32)
                .rev()
                .map(|k| last_month.plus(-k))
                .collect(),
            ..World::default()
        },
        towns: names::towns(),
        households: Vec::new(),
        household_of: Vec::new(),
        accounts: Vec::new(),
        death: Vec::new(),
        ids: HashSet::new(),
        employers: Vec::new(),
        codes: HashSet::new(),
        plates: HashSet::new(),
        counter: 0,
        recipients: Default::default(),
        officials_idx: Vec::new(),
        cadres_idx: Vec::new(),
        index: Default::default(),
        standard: mingjing_domain::Standard::builtin(),
        related: HashSet::new(),
    };
    households(&mut g, persons);
    deaths(&mut g);
    employers(&mut g);
    officials_and_cadres(&mut g);
    relations(&mut g);
    assets(&mut g);
    insurance(&mut g);
    disability_and_veterans(&mut g);
    payments(&mut g);
    poverty(&mut g);
    integrity(&mut g);
    invoices_penalties_projects(&mut g);
    g
}

fn households(g: &mut Gen, target: u32) {
    let end = g.window_start();
    while (g.w.persons.len() as u32) < target {
        let town = g.rng.random_range(0..g.towns.len());
        let village = g.rng.random_range(0..g.towns[town].1.len());
        let hh = g.households.len();
        g.households.push(Household {
            id: format!("{REGION}{:02}{:08}", town + 1, hh + 1),
            town,
            village,
            members: Vec::new(),
            poor: false,
        });
        let size = *[1, 2, 2, 3, 3, 3, 4, 4, 5, 6]
            .choose(&mut g.rng)
            .expect("non-empty");
        let head_age = g.rng.random_range(25..=92);
        let head_birth = end - Duration::days(head_age * 365 + g.rng.random_range(0..365));
        let male = g.rng.random_bool(0.8);
        let head = g.add_person(hh, head_birth, male, "户主", None);
        let surname = names::surname_of(&g.w.persons[head].name).to_string();
        let mut left = size - 1;
        if left > 0 && head_age >= 22 {
            let mut sb = head_birth + Duration::days(g.rng.random_range(-1500..1500));
            let adult = end - Duration::days(18 * 366);
            if sb > adult {
                sb = adult - Duration::days(g.rng.random_range(0..1000));
            }
            g.add_person(hh, sb, !male, "配偶", None);
            left -= 1;
        }
        if left > 0 && size >= 5 && head_age <= 60 {
            let pb = head_birth - Duration::days(g.rng.random_range(22 * 365..34 * 365));
            if pb >= date(1925, 1, 1) {
                let pm = g.rng.random_bool(0.5);
                g.add_person(hh, pb, pm, if pm { "父" } else { "母" }, Some(&surname));
                left -= 1;
            }
        }
        while left > 0 {
            let latest = end - Duration::days(30);
            let earliest = head_birth + Duration::days(18 * 365);
            if earliest >= latest {
                break;
            }
            let mut cb = head_birth + Duration::days(g.rng.random_range(20 * 365..38 * 365));
            if cb > latest {
                cb = g.random_date(earliest, latest);
            }
            let cm = g.rng.random_bool(0.52);
            g.add_person(hh, cb, cm, if cm { "子" } else { "女" }, Some(&surname));
            left -= 1;
        }
        // Poorer households: older heads, and some of every kind.
        let poor_chance = if head_age >= 65 { 0.14 } else { 0.06 };
        g.households[hh].poor = g.rng.random_bool(poor_chance);
    }
    // A few register entries whose 出生日期 column disagrees with the ID (kept, warned).
}

fn deaths(g: &mut Gen) {
    let (from, to) = (g.window_start(), g.window_end());
    for i in 0..g.w.persons.len() {
        let age = g.age_at(i, to);
        let p = if age >= 80 {
            0.06
        } else if age >= 65 {
            0.015
        } else {
            0.002
        };
        if g.rng.random_bool(p) {
            let d = g.random_date(from, to);
            g.death[i] = Some(d);
            record_death(g, i, d);
        }
    }
}

/// Writes the death of person `i` from one to three sources; the earliest date is `d`.
pub fn record_death(g: &mut Gen, i: usize, d: NaiveDate) {
    let (id, name) = (g.w.persons[i].id, g.w.persons[i].name.clone());
    g.w.deaths.push(Death {
        id,
        name: name.clone(),
        date: d,
        source: "户籍注销",
    });
    if g.rng.random_bool(0.5) {
        g.w.deaths.push(Death {
            id,
            name: name.clone(),
            date: d,
            source: "医学死亡证明",
        });
    }
    if g.rng.random_bool(0.3) {
        let later = d + Duration::days(g.rng.random_range(1..4));
        g.w.deaths.push(Death {
            id,
            name,
            date: later,
            source: "火化记录",
        });
    }
}

fn employers(g: &mut Gen) {
    for name in names::EMPLOYERS {
        let code = g.new_code("11");
        g.employers.push((format!("陇县{name}"), code));
    }
}

/// Non-poor adults of working age, shuffled.
fn candidates(g: &mut Gen, min_age: i32, max_age: i32) -> Vec<usize> {
    let t = g.window_end();
    let mut out: Vec<usize> = (0..g.w.persons.len())
        .filter(|&i| {
            !g.households[g.household_of[i]].poor
                && g.death[i].is_none()
                && (min_age..=max_age).contains(&g.age_at(i, t))
        })
        .collect();
    out.shuffle(&mut g.rng);
    out
}

fn officials_and_cadres(g: &mut Gen) {
    let ws = g.window_start();
    let pool = candidates(g, 24, 59);
    let n = g.w.persons.len() * 25 / 1000;
    for &i in pool.iter().take(n) {
        let (employer, code) = g.employers.choose(&mut g.rng).expect("employers").clone();
        let start = g.random_date(date(2000, 1, 1), ws - Duration::days(400));
        // One in ten has left office before the window: never in office while paid.
        let end = g
            .rng
            .random_bool(0.1)
            .then(|| g.random_date(start, ws - Duration::days(1)));
        let position = ["科员", "副主任科员", "主任科员", "副局长", "股长", "干部"]
            .choose(&mut g.rng)
            .expect("non-empty")
            .to_string();
        let category = *["公务员", "参公人员", "事业编制", "事业编制", "其他"]
            .choose(&mut g.rng)
            .expect("non-empty");
        g.w.officials.push(Official {
            id: g.w.persons[i].id,
            name: g.w.persons[i].name.clone(),
            employer,
            employer_code: code,
            position,
            category,
            start,
            end,
        });
        g.officials_idx.push(i);
    }
    // Five cadres per village, from its non-poor households.
    let mut by_village: std::collections::HashMap<(usize, usize), Vec<usize>> = Default::default();
    let officials: HashSet<usize> = g.officials_idx.iter().copied().collect();
    for &i in pool.iter().skip(n) {
        if officials.contains(&i) {
            continue;
        }
        let h = &g.households[g.household_of[i]];
        by_village.entry((h.town, h.village)).or_default().push(i);
    }
    let mut keys: Vec<_> = by_village.keys().copied().collect();
    keys.sort();
    for key in keys {
        let people = by_village[&key].clone();
        for (k, &i) in people.iter().take(5).enumerate() {
            let position = ["党组织书记", "村委会主任", "副主任", "会计", "监委会主任"][k];
            let p = &g.w.persons[i];
            let (term_start, term_end) = if g.rng.random_bool(0.2) {
                (date(2018, 1, 1), Some(date(2020, 12, 31)))
            } else {
                (date(2021, 1, 1), None)
            };
            g.w.cadres.push(Cadre {
                id: p.id,
                name: p.name.clone(),
                town: p.town.clone(),
                village: p.village.clone(),
                position,
                term_start,
                term_end,
            });
            g.cadres_idx.push(i);
        }
    }
}

/// Kin across households: only between households of the same kind (poor with poor).
fn relations(g: &mut Gen) {
    let heads: Vec<usize> = g.households.iter().map(|h| h.members[0]).collect();
    let n = g.households.len();
    for _ in 0..n / 3 {
        let a = g.rng.random_range(0..n);
        let b = g.rng.random_range(0..n);
        if a == b || g.households[a].poor != g.households[b].poor {
            continue;
        }
        let (pa, pb) = (heads[a], heads[b]);
        let (older, younger) = if g.w.persons[pa].id.birth_date() < g.w.persons[pb].id.birth_date()
        {
            (pa, pb)
        } else {
            (pb, pa)
        };
        let gap = (g.w.persons[younger].id.birth_date() - g.w.persons[older].id.birth_date())
            .num_days()
            / 365;
        let relation = if gap >= 18 { "父母" } else { "兄弟姐妹" };
        let (a, b) = (g.w.persons[older].id, g.w.persons[younger].id);
        g.add_relation(a, b, relation);
    }
}

fn assets(g: &mut Gen) {
    let ws = g.window_start();
    let t = g.window_end();
    for i in 0..g.w.persons.len() {
        let age = g.age_at(i, t);
        if age < 20 {
            continue;
        }
        let poor = g.households[g.household_of[i]].poor;
        let (id, name) = (g.w.persons[i].id, g.w.persons[i].name.clone());
        // Cars only outside poor households; vehicles that never count (motorcycles,
        // three-wheelers, tractors) anywhere.
        let types: Option<&[&'static str]> = if !poor && g.rng.random_bool(0.22) {
            Some(&[
                "小型轿车",
                "小型轿车",
                "小型普通客车",
                "轻型货车",
                "重型货车",
            ])
        } else if g.rng.random_bool(0.08) {
            Some(&["普通摩托车", "三轮汽车", "拖拉机"])
        } else {
            None
        };
        if let Some(types) = types {
            let plate = g.new_plate();
            let register_date = g.random_date(date(2008, 1, 1), ws - Duration::days(30));
            let vehicle_type = *types.choose(&mut g.rng).expect("non-empty");
            g.w.vehicles.push(Vehicle {
                owner: id,
                owner_name: name.clone(),
                plate,
                vehicle_type,
                register_date,
                status: "正常",
                cancel_date: None,
            });
        }
        if g.w.persons[i].relation == "户主" {
            let homes = if poor {
                usize::from(g.rng.random_bool(0.4))
            } else {
                g.rng.random_range(1..=3)
            };
            for _ in 0..homes {
                add_property(g, i, "住宅", ws - Duration::days(60), "现势");
            }
            if poor && g.rng.random_bool(0.5) {
                add_property(g, i, "宅基地", ws - Duration::days(60), "现势");
            }
            if !poor && g.rng.random_bool(0.05) {
                add_property(g, i, "商业", ws - Duration::days(60), "现势");
            }
        }
        if !poor && (25..=65).contains(&age) && g.rng.random_bool(0.04) {
            let code = g.new_code("92");
            let company_name = format!("{}{}", names::company_name(&mut g.rng), g.next_serial());
            let role = *["法定代表人", "经营者", "股东"]
                .choose(&mut g.rng)
                .expect("non-empty");
            let capital =
                Decimal::from_scaled(i128::from(g.rng.random_range(1..500u32)) * 1_000_000);
            let establish_date = g.random_date(date(2005, 1, 1), ws - Duration::days(10));
            g.w.businesses.push(Business {
                credit_code: code,
                company_name,
                id,
                person_name: name,
                role,
                registered_capital: capital,
                establish_date,
                status: "存续",
            });
        }
    }
}

pub fn add_property(
    g: &mut Gen,
    i: usize,
    usage: &'static str,
    before: NaiveDate,
    status: &'static str,
) -> String {
    let p = &g.w.persons[i];
    let (owner, owner_name, location) = (p.id, p.name.clone(), p.address.clone());
    let register_date = g.random_date(date(2010, 1, 1), before);
    let certificate_no = format!(
        "陕({}){COUNTY}不动产权第{:07}号",
        register_date.year(),
        g.next_serial()
    );
    let area = Decimal::from_scaled(i128::from(g.rng.random_range(4_000..20_000u32)) * 10_000)
        .expect("non-negative");
    g.w.properties.push(Property {
        owner,
        owner_name,
        certificate_no: certificate_no.clone(),
        location,
        usage,
        area,
        register_date,
        status,
    });
    certificate_no
}

fn insurance(g: &mut Gen) {
    let months = g.w.months.clone();
    let t = g.window_end();
    let officials: HashSet<usize> = g.officials_idx.iter().copied().collect();
    let mut insured: Vec<(usize, &'static str, Option<String>, String)> = Vec::new();
    for i in 0..g.w.persons.len() {
        let age = g.age_at(i, t);
        if !(18..60).contains(&age) {
            continue;
        }
        let poor = g.households[g.household_of[i]].poor;
        if officials.contains(&i) {
            let employer =
                g.w.officials
                    .iter()
                    .find(|o| o.id == g.w.persons[i].id)
                    .map(|o| o.employer.clone());
            insured.push((i, "机关事业养老", employer, LOCAL_PLACE.into()));
        } else if !poor && g.rng.random_bool(0.2) {
            let place = if g.rng.random_bool(0.15) {
                AWAY_PLACES
                    .choose(&mut g.rng)
                    .expect("non-empty")
                    .to_string()
            } else {
                LOCAL_PLACE.to_string()
            };
            let employer = Some(format!("{}{}", names::company_name(&mut g.rng), "有限公司"));
            insured.push((i, "职工养老", employer, place));
        } else if poor && g.rng.random_bool(0.3) {
            insured.push((i, "城乡居民养老", None, LOCAL_PLACE.into()));
        }
    }
    for m in months {
        for (i, kind, employer, place) in &insured {
            if !g.alive_in(*i, m) {
                continue;
            }
            let p = &g.w.persons[*i];
            g.w.insurance.push(Insurance {
                id: p.id,
                name: p.name.clone(),
                period: m,
                insurance_type: kind,
                employer: employer.clone(),
                insured_place: place.clone(),
            });
        }
    }
}

fn disability_and_veterans(g: &mut Gen) {
    let ws = g.window_start();
    let t = g.window_end();
    for i in 0..g.w.persons.len() {
        let p = g.w.persons[i].clone();
        let poor = g.households[g.household_of[i]].poor;
        if g.rng.random_bool(if poor { 0.06 } else { 0.01 }) {
            let level = *["一级", "二级", "三级", "四级"]
                .choose(&mut g.rng)
                .expect("non-empty");
            let category = *["视力", "听力", "言语", "肢体", "智力", "精神", "多重"]
                .choose(&mut g.rng)
                .expect("non-empty");
            let status = if g.rng.random_bool(0.92) {
                "有效"
            } else {
                "注销"
            };
            let issue_date = g.random_date(date(2012, 1, 1), ws - Duration::days(1));
            g.w.disability.push(DisabilityCert {
                id: p.id,
                name: p.name.clone(),
                category,
                level,
                issue_date,
                status,
            });
        }
        let age = g.age_at(i, t);
        if p.gender == "男" && (38..=88).contains(&age) && g.rng.random_bool(0.02) {
            let birth = p.id.birth_date();
            let enlist_date = birth + Duration::days(18 * 365 + g.rng.random_range(0..700));
            let discharge_date = enlist_date + Duration::days(g.rng.random_range(2 * 365..6 * 365));
            g.w.veterans.push(Veteran {
                id: p.id,
                name: p.name.clone(),
                enlist_date,
                discharge_date,
                rural: g.rng.random_bool(0.7),
            });
        }
    }
}

/// Appends one payment of a programme to person `i` in month `m`, from its department.
pub fn pay(g: &mut Gen, i: usize, program: &'static str, m: Month, amount: Money) -> usize {
    let department = g
        .standard
        .program(program)
        .map(|p| p.department.clone())
        .unwrap_or_default();
    let p = &g.w.persons[i];
    let payment = Payment {
        program,
        id: p.id,
        name: p.name.clone(),
        town: p.town.clone(),
        village: p.village.clone(),
        period: m,
        amount,
        bank_account: g.accounts[i].clone(),
        account_holder_id: None,
        pay_date: Some(m.first_day() + Duration::days(14)),
        org: department,
    };
    g.w.payments.push(payment);
    g.w.payments.len() - 1
}

fn payments(g: &mut Gen) {
    let months = g.w.months.clone();
    let n = g.w.persons.len();
    let mut plan: Vec<(usize, &'static str, Money)> = Vec::new();
    let hh_count = g.households.len();
    for hh in 0..hh_count {
        if !g.households[hh].poor {
            continue;
        }
        let members = g.households[hh].members.clone();
        let size = members.len();
        let roll: f64 = g.rng.random();
        if size == 1 && roll < 0.35 {
            let a = g.money(800, 1200);
            plan.push((members[0], "TEKUN", a));
        } else if roll < 0.7 {
            for &i in &members {
                let a = g.money(200, 900);
                plan.push((i, "DIBAO", a));
            }
        }
        if g.households[hh].town <= 2 && g.rng.random_bool(0.35) {
            let a = g.money(200, 600);
            plan.push((members[0], "ZUFANG", a));
        }
        for &i in &members {
            let age = g.age_at(i, g.window_end());
            if (25..=55).contains(&age) && g.rng.random_bool(0.04) {
                let a = g.money(1000, 1500);
                plan.push((i, "GONGYI", a));
            }
        }
    }
    // Valid certificates by holder, with their level.
    let valid_level: std::collections::HashMap<IdNumber, &'static str> =
        g.w.disability
            .iter()
            .filter(|d| d.status == "有效")
            .map(|d| (d.id, d.level))
            .collect();
    let rural_veterans: HashSet<IdNumber> =
        g.w.veterans
            .iter()
            .filter(|v| v.rural)
            .map(|v| v.id)
            .collect();
    for i in 0..n {
        let id = g.w.persons[i].id;
        if let Some(level) = valid_level.get(&id) {
            if matches!(*level, "一级" | "二级") {
                plan.push((i, "HULI", Money::from_fen(10000).expect("positive")));
            }
            if g.households[g.household_of[i]].poor {
                let a = g.money(50, 100);
                plan.push((i, "CANJI", a));
            }
        }
    }
    for (i, program, amount) in plan {
        g.recipients.entry(program).or_default().push(i);
        for &m in &months {
            if g.alive_in(i, m) {
                pay(g, i, program, m, amount);
            }
        }
    }
    // Age-based programmes: everyone eligible in the month, so that M22/M24 stay quiet.
    for i in 0..n {
        let id = g.w.persons[i].id;
        let yanglao = g.rng.random_bool(0.85);
        let ya = g.money(150, 400);
        let ga = g.money(100, 300);
        let ta = g.money(300, 500);
        for &m in &months {
            if !g.alive_in(i, m) {
                continue;
            }
            let age = g.age_at(i, m.first_day());
            if age >= 60 && yanglao {
                pay(g, i, "YANGLAO", m, ya);
            }
            if age >= 80 {
                pay(g, i, "GAOLING", m, ga);
            }
            if age >= 60 && rural_veterans.contains(&id) {
                pay(g, i, "TUIYI", m, ta);
            }
        }
    }
    for (program, list) in g.recipients.iter_mut() {
        let _ = program;
        list.sort();
        list.dedup();
    }
    for program in ["YANGLAO", "GAOLING", "TUIYI"] {
        let mut people: Vec<usize> =
            g.w.payments
                .iter()
                .filter(|p| p.program == program)
                .map(|p| p.id)
                .collect::<HashSet<_>>()
                .into_iter()
                .filter_map(|id| g.index.get(&id).copied())
                .collect();
        people.sort();
        g.recipients.insert(program, people);
    }
    // Minors' allowances are paid into the household head's account, which is allowed.
    for k in 0..g.w.payments.len() {
        let pay = &g.w.payments[k];
        if pay.program != "DIBAO" {
            continue;
        }
        let Some(&i) = g.index.get(&pay.id) else {
            continue;
        };
        if g.age_at(i, pay.period.first_day()) < 16 {
            let head = g.households[g.household_of[i]].members[0];
            if head != i {
                g.w.payments[k].account_holder_id = Some(g.w.persons[head].id);
                g.w.payments[k].bank_account = g.accounts[head].clone();
            }
        }
    }
}

fn poverty(g: &mut Gen) {
    for hh in 0..g.households.len() {
        if !g.households[hh].poor || !g.rng.random_bool(0.7) {
            continue;
        }
        let category = if g.rng.random_bool(0.8) {
            "脱贫户"
        } else {
            "监测对象"
        };
        let income = g.money(4000, 12000);
        for &i in &g.households[hh].members.clone() {
            let p = &g.w.persons[i];
            g.w.poverty.push(PovertyMember {
                id: p.id,
                name: p.name.clone(),
                household_id: p.household_id.clone(),
                town: p.town.clone(),
                village: p.village.clone(),
                category,
                annual_income: Some(income),
            });
        }
    }
}

fn integrity(g: &mut Gen) {
    let ws = g.window_start();
    let officials = g.w.officials.clone();
    for o in &officials {
        g.w.supervised.push(Supervised {
            id: o.id,
            name: o.name.clone(),
            org: o.employer.clone(),
            position: o.position.clone(),
            rank: Some(
                ["一级科员", "四级主任科员", "二级主任科员"]
                    .choose(&mut g.rng)
                    .expect("non-empty")
                    .to_string(),
            ),
            party_member: g.rng.random_bool(0.8),
            supervising_unit: format!("县纪委监委第{}派驻纪检监察组", g.rng.random_range(1..=8)),
        });
        if g.rng.random_bool(0.04) {
            let received = g.random_date(date(2020, 1, 1), ws);
            let open = g.rng.random_bool(0.3);
            let conclusion = (!open).then(|| {
                *["属实", "部分属实", "不属实", "无法查实"]
                    .choose(&mut g.rng)
                    .expect("non-empty")
            });
            let n = g.next_serial();
            g.w.petitions.push(Petition {
                petition_no: format!("LXJW-XF-{n:06}"),
                received_date: received,
                reported_id: o.id,
                reported_name: o.name.clone(),
                reported_org: Some(o.employer.clone()),
                category: ["违反廉洁纪律", "违反工作纪律", "违反群众纪律"]
                    .choose(&mut g.rng)
                    .expect("non-empty"),
                summary: "反映其在工作中存在不当行为".into(),
                status: if open { "办理中" } else { "已办结" },
                conclusion,
                closed_date: (!open).then(|| received + Duration::days(60)),
            });
        }
        if g.rng.random_bool(0.01) {
            let n = g.next_serial();
            let decided = g.random_date(date(2019, 1, 1), ws);
            g.w.sanctions.push(Sanction {
                case_no: format!("LXJW-AJ-{n:06}"),
                id: o.id,
                name: o.name.clone(),
                org: format!("{}{}", o.employer, o.position),
                sanction: ["党内警告", "政务警告", "诫勉", "政务记过"]
                    .choose(&mut g.rng)
                    .expect("non-empty"),
                decision_date: decided,
                authority: "陇县纪委监委".into(),
            });
        }
    }
    let cadres = g.w.cadres.clone();
    for c in &cadres {
        g.w.supervised.push(Supervised {
            id: c.id,
            name: c.name.clone(),
            org: format!("{}{}", c.town, c.village),
            position: c.position.to_string(),
            rank: None,
            party_member: c.position == "党组织书记" || g.rng.random_bool(0.6),
            supervising_unit: format!("{}纪委", c.town),
        });
    }
}

fn invoices_penalties_projects(g: &mut Gen) {
    let ws = g.window_start();
    let we = g.window_end();
    // Sellers whose people have no kin among officials: their invoices never fire M21.
    let official_ids: HashSet<IdNumber> = g.w.officials.iter().map(|o| o.id).collect();
    let mut linked: HashSet<IdNumber> = official_ids.clone();
    for r in &g.w.relations {
        if official_ids.contains(&r.id) {
            linked.insert(r.relative_id);
        }
        if official_ids.contains(&r.relative_id) {
            linked.insert(r.id);
        }
    }
    for &i in &g.officials_idx {
        for &m in &g.households[g.household_of[i]].members {
            linked.insert(g.w.persons[m].id);
        }
    }
    let sellers: Vec<(mingjing_domain::CreditCode, String)> =
        g.w.businesses
            .iter()
            .filter(|b| !linked.contains(&b.id))
            .map(|b| (b.credit_code, b.company_name.clone()))
            .collect();
    let count = g.w.persons.len() / 20;
    for _ in 0..count {
        let Some((seller_code, seller_name)) = sellers.choose(&mut g.rng).cloned() else {
            break;
        };
        let (buyer_code, buyer_name) = if g.rng.random_bool(0.6) {
            let (n, c) = g.employers.choose(&mut g.rng).expect("employers").clone();
            (Some(c), n)
        } else {
            (None, format!("{}个人", names::surname(&mut g.rng)))
        };
        let n = g.next_serial();
        let issue_date = g.random_date(ws, we);
        let amount = g.money(100, 50_000);
        g.w.invoices.push(Invoice {
            invoice_code: format!("0610{:08}", n % 100_000_000),
            invoice_no: format!("{:08}", n),
            issue_date,
            seller_code,
            seller_name,
            buyer_code,
            buyer_name,
            amount,
            item: ["办公用品", "印刷服务", "工程款", "餐饮服务"]
                .choose(&mut g.rng)
                .expect("non-empty")
                .to_string(),
        });
    }
    // Penalties of residents who hold no office.
    let t = g.window_end();
    for _ in 0..g.w.persons.len() / 200 {
        let i = g.rng.random_range(0..g.w.persons.len());
        let p = g.w.persons[i].clone();
        if official_ids.contains(&p.id) || g.age_at(i, t) < 18 {
            continue;
        }
        let n = g.next_serial();
        let violation = *[
            "酒后驾驶",
            "醉酒驾驶",
            "赌博",
            "殴打他人",
            "违法建设",
            "其他",
        ]
        .choose(&mut g.rng)
        .expect("non-empty");
        let decision_date = g.random_date(ws, we);
        let fine = Some(g.money(200, 2000));
        g.w.penalties.push(Penalty {
            decision_no: format!("陇公(交)行罚决字〔{}〕{:05}号", decision_date.year(), n),
            party_type: "个人",
            party_id: p.id.to_string(),
            party_name: p.name,
            authority: "陇县公安局".into(),
            decision_date,
            violation,
            fine,
        });
    }
    for k in 0..g.w.persons.len() / 2500 + 5 {
        let town = g.rng.random_range(0..g.towns.len());
        let budget = g.money(100_000, 5_000_000);
        let disbursed = Money::from_fen(budget.fen() / 100 * g.rng.random_range(0..=100))
            .expect("non-negative");
        let contractor = sellers.choose(&mut g.rng).cloned();
        let department = ["发改局", "农业农村局", "水利局", "交通运输局", "住建局"]
            .choose(&mut g.rng)
            .expect("non-empty")
            .to_string();
        let start_date = Some(g.random_date(ws - Duration::days(365), we));
        g.w.projects.push(Project {
            project_code: format!("LX-XM-{:05}", k + 1),
            name: format!(
                "{}{}",
                g.towns[town].0,
                [
                    "道路硬化工程",
                    "饮水安全工程",
                    "村容整治项目",
                    "产业帮扶项目"
                ]
                .choose(&mut g.rng)
                .expect("non-empty")
            ),
            department,
            town: g.towns[town].0.clone(),
            village: Some(g.towns[town].1[0].clone()),
            budget,
            disbursed,
            contractor_code: contractor.as_ref().map(|c| c.0),
            contractor_name: contractor.map(|c| c.1),
            start_date,
            status: ["在建", "已完工", "已验收"]
                .choose(&mut g.rng)
                .expect("non-empty"),
        });
    }
}
