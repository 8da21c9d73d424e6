//! The commercial algorithms: SM3 (GB/T 32905-2016), HMAC-SM3 (GB/T 15852.2 with SM3) and
//! SM4 (GB/T 32907-2016) in GCM mode (RFC 8998), randomised and authenticated.

use crate::{CryptoError, Result};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use hmac::Mac;
use sm3::Digest;

/// SM4-GCM: SM4 in the generic GCM construction, 96-bit nonces, 128-bit tags.
type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;
type HmacSm3 = hmac::Hmac<sm3::Sm3>;

pub const SM4_KEY_LEN: usize = 16;
pub const NONCE_LEN: usize = 12;
pub const TAG_LEN: usize = 16;

/// The SM3 digest of `bytes`.
pub fn sm3(bytes: &[u8]) -> [u8; 32] {
    sm3::Sm3::digest(bytes).into()
}

pub fn sm3_hex(bytes: &[u8]) -> String {
    hex::encode(sm3(bytes))
}

/// An SM3 digest computed piece by piece (files read as a stream).
#[derive(Default, Clone)]
pub struct Sm3Hasher(sm3::Sm3);

impl Sm3Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    pub fn finish_hex(self) -> String {
        hex::encode(self.0.finalize())
    }
}

/// HMAC-SM3 of the parts, each length-prefixed so that no two lists of parts give the same
/// input (`["ab", "c"]` and `["a", "bc"]` differ).
pub fn hmac_sm3(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut m = <HmacSm3 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// HMAC-SM3 of one message, as GB/T 15852.2 defines it (no framing): for interoperable values.
pub fn hmac_sm3_raw(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut m = <HmacSm3 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(message);
    m.finalize().into_bytes().into()
}

/// Seals `plaintext` under `key` with a fresh random nonce: `nonce ‖ ciphertext ‖ tag`.
/// `aad` is authenticated, not stored: the place a value belongs to (its table, column and
/// row), so that a sealed value copied to another place does not open there.
pub fn sm4_gcm_seal(key: &[u8; SM4_KEY_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let nonce: [u8; NONCE_LEN] = crate::random_bytes();
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sm4_gcm_seal_with_nonce(key, &nonce, aad, plaintext));
    out
}

/// Opens what [`sm4_gcm_seal`] made; `what` names the value in the error.
pub fn sm4_gcm_open(
    key: &[u8; SM4_KEY_LEN],
    aad: &[u8],
    sealed: &[u8],
    what: &str,
) -> Result<Vec<u8>> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return Err(CryptoError::Tampered {
            what: what.to_string(),
        });
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    Sm4Gcm::new(key.into())
        .decrypt(nonce.into(), Payload { msg: body, aad })
        .map_err(|_| CryptoError::Tampered {
            what: what.to_string(),
        })
}

/// SM4-GCM with a given nonce: `ciphertext ‖ tag`. Only for the standard's test vectors and
/// [`sm4_gcm_seal`]; a nonce must never repeat under one key.
fn sm4_gcm_seal_with_nonce(
    key: &[u8; SM4_KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    Sm4Gcm::new(key.into())
        .encrypt(
            nonce.into(),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("SM4-GCM seals any message under 64 GiB")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s.split_whitespace().collect::<String>()).unwrap()
    }

    #[test]
    fn sm3_gives_the_digests_of_gb_t_32905_appendix_a() {
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            sm3_hex(&b"abcd".repeat(16)),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
        let mut h = Sm3Hasher::default();
        h.update(b"ab");
        h.update(b"c");
        assert_eq!(h.finish_hex(), sm3_hex(b"abc"));
    }

    #[test]
    fn sm4_encrypts_the_block_of_gb_t_32907_appendix_a() {
        use sm4::cipher::{BlockEncrypt, KeyInit};
        let key = unhex("0123456789abcdeffedcba9876543210");
        let c = sm4::Sm4::new_from_slice(&key).unwrap();
        let mut block = sm4::cipher::generic_array::GenericArray::clone_from_slice(&key);
        c.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
        // The standard's second example: the same block encrypted 1,000,000 times.
        let mut block = sm4::cipher::generic_array::GenericArray::clone_from_slice(&key);
        for _ in 0..1_000_000 {
            c.encrypt_block(&mut block);
        }
        assert_eq!(hex::encode(block), "595298c7c6fd271f0402f804c33d3f66");
    }

    #[test]
    fn sm4_gcm_gives_the_vector_of_rfc_8998_and_refuses_any_change() {
        let key: [u8; 16] = unhex("0123456789ABCDEFFEDCBA9876543210")
            .try_into()
            .unwrap();
        let nonce: [u8; 12] = unhex("00001234567800000000ABCD").try_into().unwrap();
        let aad = unhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
        let plaintext = unhex(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD
             EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        );
        let sealed = sm4_gcm_seal_with_nonce(&key, &nonce, &aad, &plaintext);
        assert_eq!(
            hex::encode_upper(&sealed),
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735\
             D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D\
             83DE3541E4C2B58177E065A9BF7B62EC"
        );
        let mut framed = nonce.to_vec();
        framed.extend_from_slice(&sealed);
        assert_eq!(sm4_gcm_open(&key, &aad, &framed, "v").unwrap(), plaintext);
        // One bit anywhere (nonce, ciphertext, tag), another place, a cut: all refused.
        for i in [0, 11, 12, 50, framed.len() - 1] {
            let mut bad = framed.clone();
            bad[i] ^= 1;
            assert!(sm4_gcm_open(&key, &aad, &bad, "v").is_err(), "byte {i}");
        }
        assert!(sm4_gcm_open(&key, b"another row", &framed, "v").is_err());
        assert!(sm4_gcm_open(&key, &aad, &framed[..20], "v").is_err());
        // Fresh nonces: the same value sealed twice differs.
        assert_ne!(sm4_gcm_seal(&key, b"", b"x"), sm4_gcm_seal(&key, b"", b"x"));
    }

    #[test]
    fn hmac_sm3_is_the_hmac_construction_over_sm3() {
        // HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)) with SM3's 64-byte block, built
        // here from the SM3 digest alone.
        let key = b"a key shorter than the block";
        let msg = b"the message";
        let mut k = [0u8; 64];
        k[..key.len()].copy_from_slice(key);
        let inner: Vec<u8> = k
            .iter()
            .map(|b| b ^ 0x36)
            .chain(msg.iter().copied())
            .collect();
        let outer: Vec<u8> = k
            .iter()
            .map(|b| b ^ 0x5c)
            .chain(sm3(&inner).iter().copied())
            .collect();
        assert_eq!(hmac_sm3_raw(key, msg), sm3(&outer));
        // Framed parts: no ambiguity between splits of the same bytes.
        assert_ne!(hmac_sm3(key, &[b"ab", b"c"]), hmac_sm3(key, &[b"a", b"bc"]));
    }
}
