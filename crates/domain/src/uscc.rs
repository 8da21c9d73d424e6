//! Unified social credit codes (统一社会信用代码, GB 32100-2015).

use std::fmt;
use std::str::FromStr;

/// The 31 symbols of GB 32100 (no I, O, Z, S, V), in value order.
pub const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A credit code whose check character (position 18) is right. Valid by construction.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode([u8; 18]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("is empty")]
    Empty,
    #[error("has {0} characters; a unified social credit code has 18")]
    Length(usize),
    #[error("has '{ch}' at position {pos}, which is not one of the code's 31 symbols")]
    BadSymbol { pos: usize, ch: char },
    #[error("check character is {found} but should be {expected}")]
    Checksum { found: char, expected: char },
}

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|a| *a == c).map(|p| p as u32)
}

/// The check character for the first 17 symbols (upper-case, from [`ALPHABET`]).
pub fn check_char(first17: &[u8]) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value_of(*c)? * w;
    }
    Some(ALPHABET[((31 - sum % 31) % 31) as usize] as char)
}

impl CreditCode {
    /// Parses a code as found in a cell: trimmed and upper-cased.
    pub fn parse(raw: &str) -> Result<Self, CreditCodeError> {
        let s = raw.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(CreditCodeError::Empty);
        }
        let n = s.chars().count();
        if n != 18 || s.len() != 18 {
            return Err(CreditCodeError::Length(n));
        }
        let bytes = s.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            if value_of(*b).is_none() {
                return Err(CreditCodeError::BadSymbol {
                    pos: i + 1,
                    ch: *b as char,
                });
            }
        }
        let expected = check_char(&bytes[..17]).expect("symbols checked");
        if expected as u8 != bytes[17] {
            return Err(CreditCodeError::Checksum {
                found: bytes[17] as char,
                expected,
            });
        }
        let mut out = [0u8; 18];
        out.copy_from_slice(bytes);
        Ok(CreditCode(out))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ascii")
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CreditCode({})", self.as_str())
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_code_is_valid() {
        // Published codes (the GB 32100 example and two listed companies).
        assert!(CreditCode::parse("91110000802100433B").is_ok());
        assert!(CreditCode::parse("91440300708461136T").is_ok());
        assert!(CreditCode::parse(" 91350100m000100y43 ").is_ok());
    }

    #[test]
    fn wrong_check_and_symbols_are_named() {
        assert_eq!(
            CreditCode::parse("91110000802100433C").unwrap_err(),
            CreditCodeError::Checksum {
                found: 'C',
                expected: 'B'
            }
        );
        assert!(matches!(
            CreditCode::parse("9111000080210043IB").unwrap_err(),
            CreditCodeError::BadSymbol { pos: 17, ch: 'I' }
        ));
        assert_eq!(
            CreditCode::parse("123").unwrap_err(),
            CreditCodeError::Length(3)
        );
    }

    fn valid_code() -> impl Strategy<Value = String> {
        proptest::collection::vec(0usize..31, 17).prop_map(|vals| {
            let first17: Vec<u8> = vals.iter().map(|v| ALPHABET[*v]).collect();
            let mut s = String::from_utf8(first17.clone()).unwrap();
            s.push(check_char(&first17).unwrap());
            s
        })
    }

    proptest! {
        #[test]
        fn random_valid_codes_pass(code in valid_code()) {
            let parsed = CreditCode::parse(&code).unwrap();
            prop_assert_eq!(parsed.as_str(), code.as_str());
        }

        #[test]
        fn every_single_character_change_fails(code in valid_code(), pos in 0usize..18, delta in 1usize..31) {
            let mut bytes = code.into_bytes();
            let cur = ALPHABET.iter().position(|c| *c == bytes[pos]).unwrap();
            bytes[pos] = ALPHABET[(cur + delta) % 31];
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(CreditCode::parse(&changed).is_err(), "{} accepted", changed);
        }
    }
}
