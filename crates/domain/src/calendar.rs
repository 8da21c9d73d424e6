//! Dates and months in every form the standard lists.

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// A calendar month. Ordered; month arithmetic is exact.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    /// Months since year 0: year * 12 + (month - 1).
    index: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("'{0}' is not a date (expected e.g. 2024-03-05, 2024/3/5, 2024年3月5日 or 20240305)")]
    NotADate(String),
    #[error("'{0}' is not a calendar date")]
    NoSuchDate(String),
    #[error("'{0}' is not a month (expected e.g. 2024-03, 2024/3, 2024年3月 or 202403)")]
    NotAMonth(String),
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        (1..=12).contains(&month).then(|| Month {
            index: year * 12 + month as i32 - 1,
        })
    }
    pub fn of(d: NaiveDate) -> Self {
        Month::new(d.year(), d.month()).expect("valid month")
    }
    pub fn year(self) -> i32 {
        self.index.div_euclid(12)
    }
    pub fn month(self) -> u32 {
        self.index.rem_euclid(12) as u32 + 1
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.month(), 1).expect("valid")
    }
    pub fn last_day(self) -> NaiveDate {
        self.plus(1).first_day().pred_opt().expect("valid")
    }
    pub fn plus(self, months: i32) -> Self {
        Month {
            index: self.index + months,
        }
    }
    /// Whole months from `self` to `later` (negative when `later` is earlier).
    pub fn months_until(self, later: Month) -> i32 {
        later.index - self.index
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

impl fmt::Debug for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Month({self})")
    }
}

impl FromStr for Month {
    type Err = CalendarError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_month(s)
    }
}

/// Up to three numeric parts of a date or month.
type Parts<'a> = ([&'a str; 3], usize);

/// Splits `2024-3-5`, `2024/03/05`, `2024.3.5`, `2024年3月5日` into numeric parts, without
/// allocating (this runs for every date cell of every file).
fn split_parts(s: &str) -> Option<Parts<'_>> {
    let s = s.trim();
    let mut parts = [""; 3];
    let mut n = 0;
    // ASCII separators first: a byte scan, no multi-byte search on the common path.
    let ascii_sep = s.bytes().find(|b| matches!(b, b'-' | b'/' | b'.'));
    let pieces: &mut dyn Iterator<Item = &str> = match ascii_sep {
        Some(sep) => &mut s.split(sep as char),
        None if s.contains('年') => {
            let rest = s.strip_suffix('日').unwrap_or(s);
            let rest = rest.strip_suffix('月').unwrap_or(rest);
            &mut rest.split(['年', '月'])
        }
        None => return None,
    };
    for p in pieces {
        if n == 3 || p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        parts[n] = p;
        n += 1;
    }
    Some((parts, n))
}

/// Parses a date in any form the standard lists (Excel date cells are converted by the reader).
pub fn parse_date(raw: &str) -> Result<NaiveDate, CalendarError> {
    let s = raw.trim();
    // The common form, `2024-03-05`, read directly.
    let b = s.as_bytes();
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(&b[..4]), digits(&b[5..7]), digits(&b[8..]))
    {
        return NaiveDate::from_ymd_opt(y as i32, m, d)
            .ok_or_else(|| CalendarError::NoSuchDate(s.to_string()));
    }
    let not_a_date = || CalendarError::NotADate(s.to_string());
    let (y, m, d) = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        (&s[..4], &s[4..6], &s[6..])
    } else {
        let (parts, n) = split_parts(s).ok_or_else(not_a_date)?;
        // 年月日 must be written in full: "2024年3月" is a month, not a date.
        if n != 3 || parts[0].len() != 4 || parts[1].len() > 2 || parts[2].len() > 2 {
            return Err(not_a_date());
        }
        if s.contains('年') && !(s.ends_with('日')) {
            return Err(not_a_date());
        }
        (parts[0], parts[1], parts[2])
    };
    let (y, m, d) = (
        y.parse::<i32>().map_err(|_| not_a_date())?,
        m.parse::<u32>().map_err(|_| not_a_date())?,
        d.parse::<u32>().map_err(|_| not_a_date())?,
    );
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| CalendarError::NoSuchDate(s.to_string()))
}

/// Parses a month in any form the standard lists.
pub fn parse_month(raw: &str) -> Result<Month, CalendarError> {
    let s = raw.trim();
    let b = s.as_bytes();
    if b.len() == 7
        && b[4] == b'-'
        && let (Some(y), Some(m)) = (digits(&b[..4]), digits(&b[5..]))
    {
        return Month::new(y as i32, m).ok_or_else(|| CalendarError::NotAMonth(s.to_string()));
    }
    let not_a_month = || CalendarError::NotAMonth(s.to_string());
    let (y, m) = if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        (&s[..4], &s[4..])
    } else {
        let (parts, n) = split_parts(s).ok_or_else(not_a_month)?;
        if n != 2 || parts[0].len() != 4 || parts[1].len() > 2 {
            return Err(not_a_month());
        }
        if s.contains('年') && !s.ends_with('月') {
            return Err(not_a_month());
        }
        (parts[0], parts[1])
    };
    let y: i32 = y.parse().map_err(|_| not_a_month())?;
    let m: u32 = m.parse().map_err(|_| not_a_month())?;
    Month::new(y, m).ok_or_else(not_a_month)
}

/// The value of a run of ASCII digits.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Full years between `birth` and `on` (the age on that day).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_listed_date_form_parses() {
        for s in [
            "2024-03-05",
            "2024/03/05",
            "2024.03.05",
            "2024年03月05日",
            "2024-3-5",
            "2024/3/5",
            "2024.3.5",
            "2024年3月5日",
            "20240305",
            " 2024-03-05 ",
        ] {
            assert_eq!(parse_date(s).unwrap(), d(2024, 3, 5), "{s}");
        }
    }

    #[test]
    fn bad_dates_are_refused() {
        for s in ["2024-02-30", "20230229", "2024-13-01"] {
            assert!(
                matches!(parse_date(s), Err(CalendarError::NoSuchDate(_))),
                "{s}"
            );
        }
        for s in [
            "",
            "2024",
            "2024-03",
            "24-3-5",
            "2024-03-05 10:00",
            "2024年3月",
            "March 5",
            "2024-3/5",
            "202403051",
        ] {
            assert!(
                matches!(parse_date(s), Err(CalendarError::NotADate(_))),
                "{s}"
            );
        }
        assert_eq!(parse_date("2024-02-29").unwrap(), d(2024, 2, 29));
    }

    #[test]
    fn every_listed_month_form_parses() {
        for s in [
            "2024-03",
            "2024/03",
            "2024.03",
            "2024年03月",
            "2024-3",
            "2024/3",
            "2024.3",
            "2024年3月",
            "202403",
        ] {
            assert_eq!(parse_month(s).unwrap(), Month::new(2024, 3).unwrap(), "{s}");
        }
        for s in [
            "2024-13",
            "202413",
            "2024",
            "2024-03-01",
            "24-03",
            "2024年3",
        ] {
            assert!(parse_month(s).is_err(), "{s}");
        }
    }

    #[test]
    fn month_arithmetic() {
        let m = Month::new(2024, 12).unwrap();
        assert_eq!(m.plus(1), Month::new(2025, 1).unwrap());
        assert_eq!(m.last_day(), d(2024, 12, 31));
        assert_eq!(Month::new(2024, 2).unwrap().last_day(), d(2024, 2, 29));
        assert_eq!(m.months_until(Month::new(2025, 3).unwrap()), 3);
        assert_eq!(m.to_string(), "2024-12");
    }

    #[test]
    fn age_counts_full_years() {
        assert_eq!(age_on(d(1944, 3, 1), d(2024, 3, 1)), 80);
        assert_eq!(age_on(d(1944, 3, 2), d(2024, 3, 1)), 79);
        assert_eq!(age_on(d(1944, 2, 29), d(2024, 2, 28)), 79);
    }
}
