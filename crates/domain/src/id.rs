//! Resident ID numbers (公民身份号码, GB 11643-1999).

use chrono::NaiveDate;
use std::fmt;
use std::str::FromStr;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// Birth dates before this are not plausible for a living register.
pub const EARLIEST_BIRTH: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => panic!("valid constant"),
};

/// A valid 18-character resident ID number.
///
/// Valid by construction: the checksum holds and the birth date inside it is a
/// real calendar date no earlier than 1900-01-01. Packed into a `u64`
/// (17 digits × 11 + check value) so that it is `Copy` and cheap to join on.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("is empty")]
    Empty,
    #[error(
        "is a 15-digit ID number; the standard requires 18 digits (as 18 digits it would read {upgraded})"
    )]
    FifteenDigits { upgraded: String },
    #[error("has {0} characters; an ID number has 18")]
    Length(usize),
    #[error("has a character that is not a digit at position {0}")]
    NotDigit(usize),
    #[error("check character is {found} but should be {expected}")]
    Checksum { found: char, expected: char },
    #[error("holds birth date {0}, which is not a calendar date")]
    BadBirthDate(String),
    #[error("holds birth date {0}, which is before 1900-01-01")]
    BirthTooEarly(NaiveDate),
    #[error("holds birth date {0}, which is after the day of import")]
    BirthInFuture(NaiveDate),
}

/// The check character for the first 17 digits (ASCII digits).
pub fn check_char(first17: &[u8]) -> char {
    debug_assert_eq!(first17.len(), 17);
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize] as char
}

fn check_value(c: u8) -> Option<u64> {
    match c {
        b'0'..=b'9' => Some(u64::from(c - b'0')),
        b'X' => Some(10),
        _ => None,
    }
}

impl IdNumber {
    /// Parses an ID number as found in a cell: surrounding whitespace trimmed,
    /// lower-case `x` normalised. `today` bounds the birth date.
    pub fn parse(raw: &str, today: NaiveDate) -> Result<Self, IdError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        let bytes = s.as_bytes();
        if bytes.len() == 15 && bytes.iter().all(u8::is_ascii_digit) {
            return Err(IdError::FifteenDigits {
                upgraded: upgrade_15(s),
            });
        }
        if bytes.len() != 18 {
            return Err(IdError::Length(s.chars().count()));
        }
        let mut digits = [0u8; 18];
        digits.copy_from_slice(bytes);
        if digits[17] == b'x' {
            digits[17] = b'X';
        }
        if let Some(pos) = digits[..17].iter().position(|b| !b.is_ascii_digit()) {
            return Err(IdError::NotDigit(pos + 1));
        }
        let Some(check) = check_value(digits[17]) else {
            return Err(IdError::NotDigit(18));
        };
        let expected = check_char(&digits[..17]);
        if expected as u8 != digits[17] {
            return Err(IdError::Checksum {
                found: digits[17] as char,
                expected,
            });
        }
        let birth = birth_from_digits(&digits)?;
        if birth < EARLIEST_BIRTH {
            return Err(IdError::BirthTooEarly(birth));
        }
        if birth > today {
            return Err(IdError::BirthInFuture(birth));
        }
        let body: u64 = digits[..17]
            .iter()
            .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
        Ok(IdNumber(body * 11 + check))
    }

    /// Builds the ID from 17 digits, computing its check character. For generators.
    pub fn from_first17(first17: &str, today: NaiveDate) -> Result<Self, IdError> {
        let mut s = String::with_capacity(18);
        s.push_str(first17);
        if first17.len() == 17 && first17.bytes().all(|b| b.is_ascii_digit()) {
            s.push(check_char(first17.as_bytes()));
        }
        Self::parse(&s, today)
    }

    /// The packed form: 17 digits × 11 + check value.
    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// The 18 ASCII characters, without allocating.
    pub fn to_ascii(self) -> [u8; 18] {
        self.digits()
    }

    fn digits(self) -> [u8; 18] {
        let mut out = [0u8; 18];
        let check = self.0 % 11;
        out[17] = if check == 10 {
            b'X'
        } else {
            b'0' + check as u8
        };
        let mut body = self.0 / 11;
        for slot in out[..17].iter_mut().rev() {
            *slot = b'0' + (body % 10) as u8;
            body /= 10;
        }
        out
    }

    pub fn birth_date(self) -> NaiveDate {
        birth_from_digits(&self.digits()).expect("validated at construction")
    }

    /// Region code (digits 1-6).
    pub fn region(self) -> u32 {
        (self.0 / 11 / 100_000_000_000) as u32
    }

    /// Odd sequence digit = male (GB 11643).
    pub fn is_male(self) -> bool {
        (self.0 / 11 / 10) % 2 == 1
    }

    /// Masked form for roles without the full-ID permission: `610327********1234`.
    pub fn masked(self) -> String {
        let d = self.digits();
        let s = std::str::from_utf8(&d).expect("ascii");
        format!("{}********{}", &s[..6], &s[14..])
    }
}

fn birth_from_digits(d: &[u8]) -> Result<NaiveDate, IdError> {
    let num =
        |r: std::ops::Range<usize>| d[r].iter().fold(0u32, |a, b| a * 10 + u32::from(b - b'0'));
    let (y, m, day) = (num(6..10) as i32, num(10..12), num(12..14));
    NaiveDate::from_ymd_opt(y, m, day)
        .ok_or_else(|| IdError::BadBirthDate(format!("{y:04}-{m:02}-{day:02}")))
}

/// The 18-digit form of an old 15-digit ID: "19" inserted before the year, check computed.
pub fn upgrade_15(s: &str) -> String {
    let mut first17 = String::with_capacity(18);
    first17.push_str(&s[..6]);
    first17.push_str("19");
    first17.push_str(&s[6..15]);
    let c = check_char(first17.as_bytes());
    first17.push(c);
    first17
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(std::str::from_utf8(&self.digits()).expect("ascii"))
    }
}

impl fmt::Debug for IdNumber {
    // Debug output ends up in logs: never print the full number there.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl FromStr for IdNumber {
    type Err = IdError;
    /// Parses with no upper bound on the birth date other than 9999-12-31;
    /// import uses [`IdNumber::parse`] with the day of import.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s, NaiveDate::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn known_valid_number_round_trips() {
        // GB 11643 worked example.
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.to_string(), "11010519491231002X");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.region(), 110105);
        assert!(!id.is_male());
        assert_eq!(id.masked(), "110105********002X");
    }

    #[test]
    fn lower_case_x_is_normalised() {
        let id = IdNumber::parse(" 11010519491231002x ", today()).unwrap();
        assert_eq!(id.to_string(), "11010519491231002X");
    }

    #[test]
    fn fifteen_digits_says_how_it_reads_as_eighteen() {
        let err = IdNumber::parse("110105491231002", today()).unwrap_err();
        assert_eq!(
            err,
            IdError::FifteenDigits {
                upgraded: "11010519491231002X".into()
            }
        );
        assert!(err.to_string().contains("11010519491231002X"));
    }

    #[test]
    fn bad_checksum_names_the_expected_character() {
        let err = IdNumber::parse("110105194912310021", today()).unwrap_err();
        assert_eq!(
            err,
            IdError::Checksum {
                found: '1',
                expected: 'X'
            }
        );
    }

    #[test]
    fn birth_date_must_be_real_and_in_range() {
        let bad = IdNumber::from_first17("61032719800230123", today()).unwrap_err();
        assert!(matches!(bad, IdError::BadBirthDate(_)), "{bad:?}");
        let early = IdNumber::from_first17("61032718991231123", today()).unwrap_err();
        assert!(matches!(early, IdError::BirthTooEarly(_)));
        let future = IdNumber::from_first17("61032720261127123", today()).unwrap_err();
        assert!(matches!(future, IdError::BirthInFuture(_)));
        assert!(IdNumber::from_first17("61032720261126123", today()).is_ok());
    }

    fn valid_first17() -> impl Strategy<Value = String> {
        (100000u32..999999, 0i64..(365 * 120), 0u32..1000).prop_map(|(region, days, seq)| {
            let birth = EARLIEST_BIRTH + chrono::Duration::days(days);
            format!("{region:06}{}{seq:03}", birth.format("%Y%m%d"))
        })
    }

    proptest! {
        #[test]
        fn random_valid_ids_pass_and_round_trip(first17 in valid_first17()) {
            let id = IdNumber::from_first17(&first17, today()).unwrap();
            let s = id.to_string();
            prop_assert_eq!(&s[..17], first17.as_str());
            prop_assert_eq!(IdNumber::parse(&s, today()).unwrap(), id);
        }

        #[test]
        fn every_single_character_change_fails(first17 in valid_first17(), pos in 0usize..18, delta in 1u8..11) {
            let id = IdNumber::from_first17(&first17, today()).unwrap().to_string();
            let alphabet = b"0123456789X";
            let mut bytes = id.into_bytes();
            let cur = alphabet.iter().position(|c| *c == bytes[pos]).unwrap();
            bytes[pos] = alphabet[(cur + delta as usize) % 11];
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(IdNumber::parse(&changed, today()).is_err(), "{} accepted", changed);
        }
    }
}
