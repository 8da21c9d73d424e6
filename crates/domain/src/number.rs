//! Exact amounts: money in fen (分) and non-negative decimals, never binary floating point.

use std::fmt;
use std::str::FromStr;

/// Scale of [`Decimal`]: six places covers areas (m²) and capitals (万元) with room to spare.
pub const DECIMAL_SCALE: u32 = 6;

/// An amount of money in yuan, held as a whole number of fen. Never negative.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Money(i64);

/// A non-negative decimal held as an integer scaled by 10^[`DECIMAL_SCALE`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Debug)]
pub struct Decimal(i128);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("is not a number")]
    NotANumber,
    #[error("is negative")]
    Negative,
    #[error("has {0} decimal places; at most {1} are allowed")]
    TooManyDecimals(usize, u32),
    #[error("is too large")]
    TooLarge,
}

/// Parses a plain decimal literal (`123`, `123.45`, `.5`, `1,234.50` is refused) into an
/// integer scaled by 10^scale.
fn parse_scaled(raw: &str, scale: u32) -> Result<i128, NumberError> {
    let s = raw.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(NumberError::NotANumber);
    }
    // Trailing zeros carry no value: "1.500" is 1.5.
    let frac = frac_part.trim_end_matches('0');
    if frac.len() > scale as usize {
        return Err(NumberError::TooManyDecimals(frac.len(), scale));
    }
    let int_digits = int_part.trim_start_matches('0');
    if int_digits.len() > 30 {
        return Err(NumberError::TooLarge);
    }
    let mut v: i128 = 0;
    for b in int_digits.bytes().chain(frac.bytes()) {
        v = v * 10 + i128::from(b - b'0');
    }
    v *= 10i128.pow(scale - frac.len() as u32);
    if neg && v != 0 {
        return Err(NumberError::Negative);
    }
    Ok(v)
}

fn fmt_scaled(f: &mut fmt::Formatter<'_>, v: i128, scale: u32, min_decimals: usize) -> fmt::Result {
    let p = 10i128.pow(scale);
    let int = v / p;
    let frac = format!("{:0width$}", v % p, width = scale as usize);
    let trimmed = frac.trim_end_matches('0');
    let shown = if trimmed.len() < min_decimals {
        &frac[..min_decimals]
    } else {
        trimmed
    };
    if shown.is_empty() {
        write!(f, "{int}")
    } else {
        write!(f, "{int}.{shown}")
    }
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_fen(fen: i64) -> Option<Self> {
        (fen >= 0).then_some(Money(fen))
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// `self - other`, or zero when other is larger.
    pub fn saturating_sub(self, other: Money) -> Money {
        Money((self.0 - other.0).max(0))
    }
}

impl FromStr for Money {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let v = parse_scaled(s, 2)?;
        i64::try_from(v)
            .map(Money)
            .map_err(|_| NumberError::TooLarge)
    }
}

impl fmt::Display for Money {
    /// Always two decimals: `233.30`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_scaled(f, i128::from(self.0), 2, 2)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

impl Decimal {
    pub fn scaled(self) -> i128 {
        self.0
    }
    pub fn from_scaled(v: i128) -> Option<Self> {
        (v >= 0).then_some(Decimal(v))
    }
}

impl FromStr for Decimal {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_scaled(s, DECIMAL_SCALE).map(Decimal)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_scaled(f, self.0, DECIMAL_SCALE, 0)
    }
}

/// The text a spreadsheet shows for a numeric cell: the shortest decimal that reads back
/// as the same binary number (Rust's `Display` for `f64` is exactly that, never exponent form).
pub fn excel_number_text(v: f64) -> String {
    format!("{v}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_exactly() {
        assert_eq!("233.33".parse::<Money>().unwrap().fen(), 23333);
        assert_eq!("233.3".parse::<Money>().unwrap().fen(), 23330);
        assert_eq!("233".parse::<Money>().unwrap().fen(), 23300);
        assert_eq!("0.10".parse::<Money>().unwrap().fen(), 10);
        assert_eq!(".5".parse::<Money>().unwrap().fen(), 50);
        assert_eq!("1.500".parse::<Money>().unwrap().fen(), 150);
        assert_eq!("-0".parse::<Money>().unwrap().fen(), 0);
        assert_eq!("233.33".parse::<Money>().unwrap().to_string(), "233.33");
        assert_eq!(Money::from_fen(5).unwrap().to_string(), "0.05");
    }

    #[test]
    fn money_errors() {
        assert_eq!(
            "233.333".parse::<Money>().unwrap_err(),
            NumberError::TooManyDecimals(3, 2)
        );
        assert_eq!("-1".parse::<Money>().unwrap_err(), NumberError::Negative);
        for bad in ["", ".", "1,000", "1e3", "abc", "1.2.3", "¥5"] {
            assert_eq!(
                bad.parse::<Money>().unwrap_err(),
                NumberError::NotANumber,
                "{bad}"
            );
        }
        assert_eq!(
            "99999999999999999999".parse::<Money>().unwrap_err(),
            NumberError::TooLarge
        );
    }

    #[test]
    fn excel_numbers_read_as_displayed() {
        assert_eq!(excel_number_text(233.33), "233.33");
        assert_eq!(excel_number_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(excel_number_text(5.0), "5");
        assert_eq!(excel_number_text(1e21), "1000000000000000000000");
    }

    #[test]
    fn decimal_keeps_six_places() {
        let d: Decimal = "123.456789".parse().unwrap();
        assert_eq!(d.to_string(), "123.456789");
        assert_eq!("12.50".parse::<Decimal>().unwrap().to_string(), "12.5");
        assert!("1.1234567".parse::<Decimal>().is_err());
    }
}
