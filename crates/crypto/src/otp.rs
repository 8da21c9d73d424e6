//! One-time codes of the second factor: TOTP (RFC 6238) with 30-second steps and 6 digits.
//!
//! RFC 6238 authenticator apps compute HMAC-SHA1; the SM3 variant of GM/T 0021 needs tokens
//! that few users carry (decision 92). The secret itself is kept sealed with SM4
//! ([`crate::Purpose::Totp`]).

use hmac::Mac;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A new secret of 160 bits in base32, the form authenticator apps take.
pub fn new_secret() -> String {
    base32_encode(&crate::random_bytes::<20>())
}

/// The `otpauth://` URI an authenticator app scans.
pub fn provisioning_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret_b32}&issuer={issuer}&algorithm=SHA1&digits=6&period=30"
    )
}

pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for &b in data {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| *c != b'=' && *c != b' ') {
        let v = BASE32.iter().position(|x| *x == c.to_ascii_uppercase())? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// The code for a 30-second step.
pub fn code(secret: &[u8], step: u64) -> String {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret).expect("any key length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[19] & 0x0f) as usize;
    let n = (u32::from(h[offset] & 0x7f) << 24)
        | (u32::from(h[offset + 1]) << 16)
        | (u32::from(h[offset + 2]) << 8)
        | u32::from(h[offset + 3]);
    format!("{:06}", n % 1_000_000)
}

/// The step of the Unix time `unix`.
pub fn step_at(unix: i64) -> u64 {
    (unix.max(0) / 30) as u64
}

/// The step a code belongs to: the current one or one either side (clock drift).
pub fn matching_step(secret_b32: &str, code_given: &str, unix: i64) -> Option<u64> {
    let secret = base32_decode(secret_b32)?;
    let step = step_at(unix);
    let given = code_given.trim().as_bytes();
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|s| crate::constant_time_eq(code(&secret, *s).as_bytes(), given))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_those_of_rfc_6238_appendix_b() {
        // SHA-1 secret "12345678901234567890", 8 digits there → the last 6 here.
        let secret = b"12345678901234567890";
        for (t, want8) in [
            (59u64, "94287082"),
            (1111111109, "07081804"),
            (1234567890, "89005924"),
        ] {
            assert_eq!(code(secret, t / 30), want8[2..]);
        }
        let b32 = base32_encode(secret);
        assert_eq!(base32_decode(&b32).unwrap(), secret);
        assert_eq!(matching_step(&b32, "287082", 59), Some(1));
        assert_eq!(matching_step(&b32, "287082", 59 + 30), Some(1));
        assert_eq!(matching_step(&b32, "287082", 59 + 90), None);
        assert_eq!(base32_decode(&new_secret()).unwrap().len(), 20);
    }
}
