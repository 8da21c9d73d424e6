//! Personal values in the uploads' columns, protected so that the engine never decrypts.
//!
//! A value the engine or a search compares (every ID number, names, bank accounts, plates...)
//! is stored as its **token**: a deterministic authenticated encryption of the normalised
//! value (SIV, Rogaway–Shrimpton 2006, with the platform's algorithms). The synthetic IV is
//! HMAC-SM3 of the value, cut to 128 bits — the blind index — and the value is encrypted with
//! SM4 in counter mode from that IV. Equal values give equal tokens in every file, so joins,
//! groupings and `upper(trim(..))` comparisons work on tokens as on the clear values (a token
//! is upper-case hex); the key holder opens a token back into its value, and a changed token
//! fails the IV's check. What a token leaks is what the blind index beside a randomised
//! ciphertext would leak: which values are equal, and their lengths (decision 95).
//!
//! A value nothing compares (an address, a petition's summary) is **sealed**: SM4-GCM with a
//! random nonce, bound to its dataset type and field.
//!
//! Both forms are upper-case hex text led by two hex digits of the key version.

use crate::sm::{self, NONCE_LEN, SM4_KEY_LEN, TAG_LEN};
use crate::{CryptoError, Result};
use hmac::Mac;
use sm4::cipher::{KeyIvInit, StreamCipher};
use std::collections::BTreeMap;

type HmacSm3 = hmac::Hmac<sm3::Sm3>;
type Sm4Ctr = ctr::Ctr128BE<sm4::Sm4>;

/// The length of a token key: an HMAC-SM3 key, then an SM4 key.
pub(crate) const TOKEN_KEY_LEN: usize = 32 + SM4_KEY_LEN;
const IV_LEN: usize = 16;

struct TokenKey {
    mac: HmacSm3,
    sm4: [u8; SM4_KEY_LEN],
}

/// The keys of the column protection, every version of each, ready for use. Cheap to share.
pub struct ColumnCipher {
    token_version: u8,
    tokens: BTreeMap<u8, TokenKey>,
    sealed_version: u8,
    sealed: BTreeMap<u8, [u8; SM4_KEY_LEN]>,
}

impl std::fmt::Debug for ColumnCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ColumnCipher(tokens v{}, sealed v{})",
            self.token_version, self.sealed_version
        )
    }
}

/// What a compared value is made into before its token: trimmed, and upper-cased when it is a
/// code (ASCII letters and digits only: IDs, accounts, plates), as the models compare
/// (`upper(trim(..))`). Other text (names) keeps its case, so that it is shown as written.
pub fn normalise(value: &str) -> std::borrow::Cow<'_, str> {
    let v = value.trim();
    if v.bytes().all(|b| b.is_ascii_alphanumeric()) && v.bytes().any(|b| b.is_ascii_lowercase()) {
        return std::borrow::Cow::Owned(v.to_ascii_uppercase());
    }
    std::borrow::Cow::Borrowed(v)
}

fn version_of(text: &str) -> Option<u8> {
    u8::from_str_radix(text.get(..2)?, 16).ok()
}

impl ColumnCipher {
    /// Built from raw keys by version: the keyring's `Columns` (tokens, 48 bytes) and
    /// `Fields` (sealed, 16 bytes) keys ([`crate::Keyring::column_cipher`]), or a test's.
    pub fn new(
        tokens: impl IntoIterator<Item = (u32, Vec<u8>)>,
        sealed: impl IntoIterator<Item = (u32, Vec<u8>)>,
    ) -> ColumnCipher {
        let tokens: BTreeMap<u8, TokenKey> = tokens
            .into_iter()
            .map(|(v, k)| {
                let version = u8::try_from(v).expect("column key versions stay below 256");
                let mac = <HmacSm3 as Mac>::new_from_slice(&k[..32]).expect("any key length");
                let sm4 = k[32..TOKEN_KEY_LEN].try_into().expect("SM4 key");
                (version, TokenKey { mac, sm4 })
            })
            .collect();
        let sealed: BTreeMap<u8, [u8; SM4_KEY_LEN]> = sealed
            .into_iter()
            .map(|(v, k)| {
                let version = u8::try_from(v).expect("field key versions stay below 256");
                (version, k[..].try_into().expect("SM4 key"))
            })
            .collect();
        ColumnCipher {
            token_version: *tokens.keys().next_back().expect("a token key"),
            tokens,
            sealed_version: *sealed.keys().next_back().expect("a field key"),
            sealed,
        }
    }

    fn synthetic_iv(key: &TokenKey, plain: &[u8]) -> [u8; IV_LEN] {
        let mut m = key.mac.clone();
        m.update(plain);
        let full = m.finalize().into_bytes();
        full[..IV_LEN].try_into().expect("16 of 32 bytes")
    }

    /// The token of a compared value (normalised first).
    pub fn token(&self, value: &str) -> String {
        let plain = normalise(value);
        let key = &self.tokens[&self.token_version];
        let iv = Self::synthetic_iv(key, plain.as_bytes());
        let mut body = plain.as_bytes().to_vec();
        Sm4Ctr::new(&key.sm4.into(), &iv.into()).apply_keystream(&mut body);
        let mut out = String::with_capacity(2 + 2 * (IV_LEN + body.len()));
        out.push_str(&format!("{:02X}", self.token_version));
        out.push_str(&hex::encode_upper(iv));
        out.push_str(&hex::encode_upper(body));
        out
    }

    /// Whether text has a token's form (it may still fail to open).
    pub fn looks_like_token(text: &str) -> bool {
        text.len() >= 2 + 2 * IV_LEN
            && text.len().is_multiple_of(2)
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
    }

    /// The value of a token; `what` names it in the error when the token was changed.
    pub fn reveal(&self, token: &str, what: &str) -> Result<String> {
        let tampered = || CryptoError::Tampered {
            what: what.to_string(),
        };
        if !Self::looks_like_token(token) {
            return Err(CryptoError::Malformed {
                what: what.to_string(),
                reason: "it is not a protected value".into(),
            });
        }
        let key = version_of(token)
            .and_then(|v| self.tokens.get(&v))
            .ok_or_else(tampered)?;
        let bytes = hex::decode(&token[2..]).map_err(|_| tampered())?;
        let (iv, body) = bytes.split_at(IV_LEN);
        let mut plain = body.to_vec();
        let iv: [u8; IV_LEN] = iv.try_into().expect("16 bytes");
        Sm4Ctr::new(&key.sm4.into(), &iv.into()).apply_keystream(&mut plain);
        if !crate::constant_time_eq(&Self::synthetic_iv(key, &plain), &iv) {
            return Err(tampered());
        }
        String::from_utf8(plain).map_err(|_| tampered())
    }

    /// The 64 bits of a token's blind index that the ID index files sort by: equal values
    /// have equal keys; a reader compares the whole token of the rows it finds.
    pub fn index_key(token: &str) -> Option<u64> {
        if !Self::looks_like_token(token) {
            return None;
        }
        u64::from_str_radix(token.get(2..18)?, 16).ok()
    }

    /// Seals a value nothing compares, for its place (`type.field`).
    pub fn seal(&self, place: &str, value: &str) -> String {
        let key = &self.sealed[&self.sealed_version];
        let body = sm::sm4_gcm_seal(key, place.as_bytes(), value.as_bytes());
        format!("{:02X}{}", self.sealed_version, hex::encode_upper(body))
    }

    /// Whether a sealed value was sealed with an older key than the current one.
    pub fn needs_resealing(&self, sealed: &str) -> bool {
        version_of(sealed) != Some(self.sealed_version)
    }

    /// Opens what [`ColumnCipher::seal`] made for the same place.
    pub fn open(&self, place: &str, sealed: &str, what: &str) -> Result<String> {
        let tampered = || CryptoError::Tampered {
            what: what.to_string(),
        };
        if sealed.len() < 2 + 2 * (NONCE_LEN + TAG_LEN) {
            return Err(CryptoError::Malformed {
                what: what.to_string(),
                reason: "it is not a protected value".into(),
            });
        }
        let key = version_of(sealed)
            .and_then(|v| self.sealed.get(&v))
            .ok_or_else(tampered)?;
        let body = hex::decode(&sealed[2..]).map_err(|_| tampered())?;
        let plain = sm::sm4_gcm_open(key, place.as_bytes(), &body, what)?;
        String::from_utf8(plain).map_err(|_| tampered())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> ColumnCipher {
        ColumnCipher::new(
            [(1, (0u8..48).collect::<Vec<_>>())],
            [(1, (100u8..116).collect::<Vec<_>>())],
        )
    }

    #[test]
    fn a_token_is_deterministic_opens_to_the_normalised_value_and_survives_upper_trim() {
        let c = cipher();
        let a = c.token("11010519491231002x");
        assert_eq!(a, c.token(" 11010519491231002X"));
        assert_ne!(a, c.token("110105194912310020"));
        assert_eq!(c.reveal(&a, "t").unwrap(), "11010519491231002X");
        assert_eq!(
            a.trim().to_uppercase(),
            a,
            "upper(trim(token)) is the token"
        );
        assert_eq!(a.len(), 2 + 32 + 36);
        assert!(!a.contains("110105"), "the value does not show through");
        let name = c.token("王小明");
        assert_eq!(c.reveal(&name, "t").unwrap(), "王小明");
    }

    #[test]
    fn a_changed_token_is_refused() {
        let c = cipher();
        let t = c.token("6217000010001234567");
        for i in [2, 20, t.len() - 1] {
            let mut b = t.clone().into_bytes();
            b[i] = if b[i] == b'0' { b'1' } else { b'0' };
            let changed = String::from_utf8(b).unwrap();
            assert!(matches!(
                c.reveal(&changed, "x"),
                Err(CryptoError::Tampered { .. })
            ));
        }
        assert!(c.reveal(&t[..t.len() - 2], "x").is_err(), "cut short");
        assert!(c.reveal("王小明", "x").is_err());
    }

    #[test]
    fn the_index_key_is_the_blind_index_of_equal_values() {
        let c = cipher();
        let a = ColumnCipher::index_key(&c.token("a1")).unwrap();
        assert_eq!(a, ColumnCipher::index_key(&c.token("A1")).unwrap());
        assert_ne!(a, ColumnCipher::index_key(&c.token("A2")).unwrap());
        assert_eq!(ColumnCipher::index_key("11010519491231002X"), None);
    }

    #[test]
    fn a_sealed_value_is_randomised_and_opens_only_in_its_place() {
        let c = cipher();
        let a = c.seal("persons.address", "幸福路 1 号");
        assert_ne!(a, c.seal("persons.address", "幸福路 1 号"));
        assert_eq!(c.open("persons.address", &a, "x").unwrap(), "幸福路 1 号");
        assert!(c.open("properties.location", &a, "x").is_err());
    }

    #[test]
    fn counter_mode_is_sm4_of_successive_counters() {
        // SM4-CTR by hand from the block cipher (GB/T 32907's test key): the keystream block
        // i is SM4(IV + i), so the `ctr` crate composes the standard's cipher as GB/T 17964.
        use sm4::cipher::{BlockEncrypt, KeyInit};
        let key: [u8; 16] = hex::decode("0123456789abcdeffedcba9876543210")
            .unwrap()
            .try_into()
            .unwrap();
        let iv = [0xffu8; 16];
        let mut data = [0u8; 40];
        Sm4Ctr::new(&key.into(), &iv.into()).apply_keystream(&mut data);
        let block = sm4::Sm4::new(&key.into());
        let mut counter = u128::MAX;
        for chunk in data.chunks(16) {
            let mut b = counter.to_be_bytes().into();
            block.encrypt_block(&mut b);
            assert_eq!(chunk, &b[..chunk.len()]);
            counter = counter.wrapping_add(1);
        }
    }
}
