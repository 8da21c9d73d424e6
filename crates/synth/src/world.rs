//! The generated county held in memory: one typed table per dataset type, exactly the rows
//! that are written to files (and so exactly what an import loads).

use chrono::NaiveDate;
use mingjing_domain::{CreditCode, Decimal, IdNumber, Money, Month};

#[derive(Debug, Clone)]
pub struct Person {
    pub id: IdNumber,
    pub name: String,
    pub gender: &'static str,
    pub household_id: String,
    pub relation: &'static str,
    pub town: String,
    pub village: String,
    pub address: String,
}

#[derive(Debug, Clone)]
pub struct Death {
    pub id: IdNumber,
    pub name: String,
    pub date: NaiveDate,
    pub source: &'static str,
}

#[derive(Debug, Clone)]
pub struct Payment {
    pub program: &'static str,
    pub id: IdNumber,
    pub name: String,
    pub town: String,
    pub village: String,
    pub period: Month,
    pub amount: Money,
    pub bank_account: String,
    pub account_holder_id: Option<IdNumber>,
    pub pay_date: Option<NaiveDate>,
    /// The uploading organisation (the programme's department, or another for M11 cases).
    pub org: String,
}

#[derive(Debug, Clone)]
pub struct Official {
    pub id: IdNumber,
    pub name: String,
    pub employer: String,
    pub employer_code: CreditCode,
    pub position: String,
    pub category: &'static str,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Cadre {
    pub id: IdNumber,
    pub name: String,
    pub town: String,
    pub village: String,
    pub position: &'static str,
    pub term_start: NaiveDate,
    pub term_end: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Relation {
    pub id: IdNumber,
    pub relative_id: IdNumber,
    pub relation: &'static str,
}

#[derive(Debug, Clone)]
pub struct Vehicle {
    pub owner: IdNumber,
    pub owner_name: String,
    pub plate: String,
    pub vehicle_type: &'static str,
    pub register_date: NaiveDate,
    pub status: &'static str,
    pub cancel_date: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Property {
    pub owner: IdNumber,
    pub owner_name: String,
    pub certificate_no: String,
    pub location: String,
    pub usage: &'static str,
    pub area: Decimal,
    pub register_date: NaiveDate,
    pub status: &'static str,
}

#[derive(Debug, Clone)]
pub struct Business {
    pub credit_code: CreditCode,
    pub company_name: String,
    pub id: IdNumber,
    pub person_name: String,
    pub role: &'static str,
    pub registered_capital: Option<Decimal>,
    pub establish_date: NaiveDate,
    pub status: &'static str,
}

#[derive(Debug, Clone)]
pub struct Invoice {
    pub invoice_code: String,
    pub invoice_no: String,
    pub issue_date: NaiveDate,
    pub seller_code: CreditCode,
    pub seller_name: String,
    pub buyer_code: Option<CreditCode>,
    pub buyer_name: String,
    pub amount: Money,
    pub item: String,
}

#[derive(Debug, Clone)]
pub struct Penalty {
    pub decision_no: String,
    pub party_type: &'static str,
    /// As written in the file (an ID for 个人, a credit code for 单位; case and spaces as given).
    pub party_id: String,
    pub party_name: String,
    pub authority: String,
    pub decision_date: NaiveDate,
    pub violation: &'static str,
    pub fine: Option<Money>,
}

#[derive(Debug, Clone)]
pub struct Insurance {
    pub id: IdNumber,
    pub name: String,
    pub period: Month,
    pub insurance_type: &'static str,
    pub employer: Option<String>,
    pub insured_place: String,
}

#[derive(Debug, Clone)]
pub struct DisabilityCert {
    pub id: IdNumber,
    pub name: String,
    pub category: &'static str,
    pub level: &'static str,
    pub issue_date: NaiveDate,
    pub status: &'static str,
}

#[derive(Debug, Clone)]
pub struct Veteran {
    pub id: IdNumber,
    pub name: String,
    pub enlist_date: NaiveDate,
    pub discharge_date: NaiveDate,
    pub rural: bool,
}

#[derive(Debug, Clone)]
pub struct PovertyMember {
    pub id: IdNumber,
    pub name: String,
    pub household_id: String,
    pub town: String,
    pub village: String,
    pub category: &'static str,
    pub annual_income: Option<Money>,
}

#[derive(Debug, Clone)]
pub struct Petition {
    pub petition_no: String,
    pub received_date: NaiveDate,
    pub reported_id: IdNumber,
    pub reported_name: String,
    pub reported_org: Option<String>,
    pub category: &'static str,
    pub summary: String,
    pub status: &'static str,
    pub conclusion: Option<&'static str>,
    pub closed_date: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Sanction {
    pub case_no: String,
    pub id: IdNumber,
    pub name: String,
    pub org: String,
    pub sanction: &'static str,
    pub decision_date: NaiveDate,
    pub authority: String,
}

#[derive(Debug, Clone)]
pub struct Supervised {
    pub id: IdNumber,
    pub name: String,
    pub org: String,
    pub position: String,
    pub rank: Option<String>,
    pub party_member: bool,
    pub supervising_unit: String,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub project_code: String,
    pub name: String,
    pub department: String,
    pub town: String,
    pub village: Option<String>,
    pub budget: Money,
    pub disbursed: Money,
    pub contractor_code: Option<CreditCode>,
    pub contractor_name: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub status: &'static str,
}

/// Every table of the county.
#[derive(Debug, Clone, Default)]
pub struct World {
    pub county: String,
    pub months: Vec<Month>,
    pub persons: Vec<Person>,
    pub deaths: Vec<Death>,
    pub payments: Vec<Payment>,
    pub officials: Vec<Official>,
    pub cadres: Vec<Cadre>,
    pub relations: Vec<Relation>,
    pub vehicles: Vec<Vehicle>,
    pub properties: Vec<Property>,
    pub businesses: Vec<Business>,
    pub invoices: Vec<Invoice>,
    pub penalties: Vec<Penalty>,
    pub insurance: Vec<Insurance>,
    pub disability: Vec<DisabilityCert>,
    pub veterans: Vec<Veteran>,
    pub poverty: Vec<PovertyMember>,
    pub petitions: Vec<Petition>,
    pub sanctions: Vec<Sanction>,
    pub supervised: Vec<Supervised>,
    pub projects: Vec<Project>,
}
