//! Writing the county's tables as departments send them: CSV in UTF-8, UTF-8 with BOM or GBK,
//! and Excel workbooks; headers by label or key, columns in any order, dates in every form.

use crate::world::*;
use chrono::NaiveDate;
use mingjing_domain::{DatasetType, Decimal, FieldType, Money, Month};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::io::{self, Write};
use std::path::Path;

/// A cell before formatting.
#[derive(Debug, Clone)]
pub enum OutCell {
    Empty,
    Text(String),
    Date(NaiveDate),
    Month(Month),
    Money(Money),
    Decimal(Decimal),
}

use OutCell::*;

fn t(s: impl Into<String>) -> OutCell {
    Text(s.into())
}

fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> OutCell) -> OutCell {
    v.map_or(Empty, f)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    CsvUtf8,
    CsvBom,
    CsvGbk,
    Xlsx,
}

impl FileFormat {
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "xlsx",
            _ => "csv",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub format: FileFormat,
    /// 0: Chinese labels, 1: field keys, 2: both mixed.
    pub header: u8,
    /// Which of the date and month notations to use.
    pub notation: usize,
    /// Reverse the column order.
    pub reversed: bool,
    /// Add a column the standard does not know.
    pub extra_column: bool,
}

const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%Y/%-m/%-d",
    "%Y年%-m月%-d日",
    "%Y%m%d",
    "%Y.%m.%d",
];
const MONTH_FORMATS: &[&str] = &["%Y-%m", "%Y/%-m", "%Y年%-m月", "%Y%m", "%Y.%m"];

/// The rows of one dataset type, in the standard's field order.
pub fn rows(w: &World, type_name: &str) -> Vec<Vec<OutCell>> {
    match type_name {
        "persons" => w
            .persons
            .iter()
            .map(|p| {
                vec![
                    t(p.id.to_string()),
                    t(&p.name),
                    t(p.gender),
                    Date(p.id.birth_date()),
                    t(&p.household_id),
                    t(p.relation),
                    t(&p.town),
                    t(&p.village),
                    t(&p.address),
                ]
            })
            .collect(),
        "deaths" => w
            .deaths
            .iter()
            .map(|d| vec![t(d.id.to_string()), t(&d.name), Date(d.date), t(d.source)])
            .collect(),
        "benefit_payments" => w.payments.iter().map(payment_row).collect(),
        "public_officials" => w
            .officials
            .iter()
            .map(|o| {
                vec![
                    t(o.id.to_string()),
                    t(&o.name),
                    t(&o.employer),
                    t(o.employer_code.as_str()),
                    t(&o.position),
                    t(o.category),
                    Date(o.start),
                    opt(o.end, Date),
                ]
            })
            .collect(),
        "village_cadres" => w
            .cadres
            .iter()
            .map(|c| {
                vec![
                    t(c.id.to_string()),
                    t(&c.name),
                    t(&c.town),
                    t(&c.village),
                    t(c.position),
                    Date(c.term_start),
                    opt(c.term_end, Date),
                ]
            })
            .collect(),
        "family_relations" => w
            .relations
            .iter()
            .map(|r| {
                vec![
                    t(r.id.to_string()),
                    t(r.relative_id.to_string()),
                    t(r.relation),
                ]
            })
            .collect(),
        "vehicles" => w
            .vehicles
            .iter()
            .map(|v| {
                vec![
                    t(v.owner.to_string()),
                    t(&v.owner_name),
                    t(&v.plate),
                    t(v.vehicle_type),
                    Date(v.register_date),
                    t(v.status),
                    opt(v.cancel_date, Date),
                ]
            })
            .collect(),
        "properties" => w
            .properties
            .iter()
            .map(|p| {
                vec![
                    t(p.owner.to_string()),
                    t(&p.owner_name),
                    t(&p.certificate_no),
                    t(&p.location),
                    t(p.usage),
                    Decimal(p.area),
                    Date(p.register_date),
                    t(p.status),
                ]
            })
            .collect(),
        "businesses" => w
            .businesses
            .iter()
            .map(|b| {
                vec![
                    t(b.credit_code.as_str()),
                    t(&b.company_name),
                    t(b.id.to_string()),
                    t(&b.person_name),
                    t(b.role),
                    opt(b.registered_capital, Decimal),
                    Date(b.establish_date),
                    t(b.status),
                ]
            })
            .collect(),
        "tax_invoices" => w
            .invoices
            .iter()
            .map(|i| {
                vec![
                    t(&i.invoice_code),
                    t(&i.invoice_no),
                    Date(i.issue_date),
                    t(i.seller_code.as_str()),
                    t(&i.seller_name),
                    opt(i.buyer_code, |c| t(c.as_str())),
                    t(&i.buyer_name),
                    Money(i.amount),
                    t(&i.item),
                ]
            })
            .collect(),
        "admin_penalties" => w
            .penalties
            .iter()
            .map(|p| {
                vec![
                    t(&p.decision_no),
                    t(p.party_type),
                    t(&p.party_id),
                    t(&p.party_name),
                    t(&p.authority),
                    Date(p.decision_date),
                    t(p.violation),
                    opt(p.fine, Money),
                ]
            })
            .collect(),
        "social_insurance" => w
            .insurance
            .iter()
            .map(|i| {
                vec![
                    t(i.id.to_string()),
                    t(&i.name),
                    Month(i.period),
                    t(i.insurance_type),
                    opt(i.employer.clone(), t),
                    t(&i.insured_place),
                ]
            })
            .collect(),
        "disability_certs" => w
            .disability
            .iter()
            .map(|d| {
                vec![
                    t(d.id.to_string()),
                    t(&d.name),
                    t(d.category),
                    t(d.level),
                    Date(d.issue_date),
                    t(d.status),
                ]
            })
            .collect(),
        "veterans" => w
            .veterans
            .iter()
            .map(|v| {
                vec![
                    t(v.id.to_string()),
                    t(&v.name),
                    Date(v.enlist_date),
                    Date(v.discharge_date),
                    t(if v.rural { "是" } else { "否" }),
                ]
            })
            .collect(),
        "poverty_households" => w
            .poverty
            .iter()
            .map(|p| {
                vec![
                    t(p.id.to_string()),
                    t(&p.name),
                    t(&p.household_id),
                    t(&p.town),
                    t(&p.village),
                    t(p.category),
                    opt(p.annual_income, Money),
                ]
            })
            .collect(),
        "petitions" => w
            .petitions
            .iter()
            .map(|p| {
                vec![
                    t(&p.petition_no),
                    Date(p.received_date),
                    t(p.reported_id.to_string()),
                    t(&p.reported_name),
                    opt(p.reported_org.clone(), t),
                    t(p.category),
                    t(&p.summary),
                    t(p.status),
                    opt(p.conclusion, t),
                    opt(p.closed_date, Date),
                ]
            })
            .collect(),
        "sanctions" => w
            .sanctions
            .iter()
            .map(|s| {
                vec![
                    t(&s.case_no),
                    t(s.id.to_string()),
                    t(&s.name),
                    t(&s.org),
                    t(s.sanction),
                    Date(s.decision_date),
                    t(&s.authority),
                ]
            })
            .collect(),
        "supervised_persons" => w
            .supervised
            .iter()
            .map(|s| {
                vec![
                    t(s.id.to_string()),
                    t(&s.name),
                    t(&s.org),
                    t(&s.position),
                    opt(s.rank.clone(), t),
                    t(if s.party_member { "是" } else { "否" }),
                    t(&s.supervising_unit),
                ]
            })
            .collect(),
        "livelihood_projects" => w
            .projects
            .iter()
            .map(|p| {
                vec![
                    t(&p.project_code),
                    t(&p.name),
                    t(&p.department),
                    t(&p.town),
                    opt(p.village.clone(), t),
                    Money(p.budget),
                    Money(p.disbursed),
                    opt(p.contractor_code, |c| t(c.as_str())),
                    opt(p.contractor_name.clone(), t),
                    opt(p.start_date, Date),
                    t(p.status),
                ]
            })
            .collect(),
        other => panic!("the generator has no rows for dataset type {other}"),
    }
}

pub fn payment_row(p: &Payment) -> Vec<OutCell> {
    vec![
        t(p.program),
        t(p.id.to_string()),
        t(&p.name),
        t(&p.town),
        t(&p.village),
        Month(p.period),
        Money(p.amount),
        t(&p.bank_account),
        opt(p.account_holder_id, |i| t(i.to_string())),
        opt(p.pay_date, Date),
    ]
}

fn text_of(cell: &OutCell, notation: usize) -> String {
    match cell {
        Empty => String::new(),
        Text(s) => s.clone(),
        Date(d) => d
            .format(DATE_FORMATS[notation % DATE_FORMATS.len()])
            .to_string(),
        Month(m) => m
            .first_day()
            .format(MONTH_FORMATS[notation % MONTH_FORMATS.len()])
            .to_string(),
        Money(m) => m.to_string(),
        Decimal(d) => d.to_string(),
    }
}

/// The header texts and the order of the columns written.
fn layout(ty: &DatasetType, style: &Style) -> (Vec<String>, Vec<usize>) {
    let mut order: Vec<usize> = (0..ty.fields.len()).collect();
    if style.reversed {
        order.reverse();
    }
    let headers = order
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let f = &ty.fields[i];
            match style.header {
                1 => f.key.clone(),
                2 if k % 2 == 1 => f.key.clone(),
                _ => f.label.clone(),
            }
        })
        .collect();
    (headers, order)
}

/// Writes one file of rows of a type.
pub fn write_file(
    path: &Path,
    ty: &DatasetType,
    rows: &[&Vec<OutCell>],
    style: &Style,
) -> io::Result<()> {
    let (mut headers, order) = layout(ty, style);
    if style.extra_column {
        headers.push("备注".into());
    }
    match style.format {
        FileFormat::Xlsx => write_xlsx(path, ty, &headers, &order, rows, style),
        _ => {
            let mut out = Vec::with_capacity(rows.len() * 120);
            {
                let mut w = csv::WriterBuilder::new().from_writer(&mut out);
                w.write_record(&headers)?;
                let mut rec: Vec<String> = Vec::with_capacity(headers.len());
                for row in rows {
                    rec.clear();
                    rec.extend(order.iter().map(|&i| text_of(&row[i], style.notation)));
                    if style.extra_column {
                        rec.push("核对".into());
                    }
                    w.write_record(&rec)?;
                }
                w.flush()?;
            }
            let bytes = match style.format {
                FileFormat::CsvBom => [b"\xEF\xBB\xBF".as_slice(), &out].concat(),
                FileFormat::CsvGbk => {
                    let text = String::from_utf8(out).expect("utf-8");
                    let (enc, _, unmappable) = encoding_rs::GBK.encode(&text);
                    if unmappable {
                        return Err(io::Error::other(format!(
                            "{}: text not representable in GBK",
                            path.display()
                        )));
                    }
                    enc.into_owned()
                }
                _ => out,
            };
            let mut f = std::fs::File::create(path)?;
            f.write_all(&bytes)?;
            Ok(())
        }
    }
}

fn write_xlsx(
    path: &Path,
    ty: &DatasetType,
    headers: &[String],
    order: &[usize],
    rows: &[&Vec<OutCell>],
    style: &Style,
) -> io::Result<()> {
    let err = |e: rust_xlsxwriter::XlsxError| io::Error::other(e.to_string());
    let mut wb = Workbook::new();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    let month_format = Format::new().set_num_format("yyyy-mm");
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, h).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, &i) in order.iter().enumerate() {
            let c = c as u16;
            // Alternate notations: Excel date cells in one style, text in the other.
            let excel_cells = style.notation.is_multiple_of(2);
            match (&row[i], ty.fields[i].ty) {
                (Empty, _) => {}
                (Date(d), _) if excel_cells => {
                    let dt = ExcelDateTime::from_ymd(d.year_ce_u16(), d.month_u8(), d.day_u8())
                        .map_err(err)?;
                    ws.write_datetime_with_format(r, c, &dt, &date_format)
                        .map_err(err)?;
                }
                (Month(m), _) if excel_cells => {
                    let d = m.first_day();
                    let dt = ExcelDateTime::from_ymd(d.year_ce_u16(), d.month_u8(), d.day_u8())
                        .map_err(err)?;
                    ws.write_datetime_with_format(r, c, &dt, &month_format)
                        .map_err(err)?;
                }
                (Money(m), FieldType::Money) => {
                    ws.write_number(r, c, m.fen() as f64 / 100.0).map_err(err)?;
                }
                (cell, _) => {
                    ws.write_string(r, c, text_of(cell, style.notation))
                        .map_err(err)?;
                }
            }
        }
        if style.extra_column {
            ws.write_string(r, headers.len() as u16 - 1, "核对")
                .map_err(err)?;
        }
    }
    wb.save(path).map_err(err)
}

trait DateParts {
    fn year_ce_u16(&self) -> u16;
    fn month_u8(&self) -> u8;
    fn day_u8(&self) -> u8;
}

impl DateParts for NaiveDate {
    fn year_ce_u16(&self) -> u16 {
        chrono::Datelike::year(self) as u16
    }
    fn month_u8(&self) -> u8 {
        chrono::Datelike::month(self) as u8
    }
    fn day_u8(&self) -> u8 {
        chrono::Datelike::day(self) as u8
    }
}
