//! Every cryptographic algorithm the platform uses, behind one interface (GB/T 39786-2021).
//!
//! - [`sm`]: SM3 digests, HMAC-SM3 and SM4-GCM sealing, the commercial algorithms;
//! - [`columns`]: the uploads' personal values as tokens the engine joins on, or sealed;
//! - [`keys`]: the key hierarchy: a master key outside the data directory ([`keys::KeySource`],
//!   a key file by default, an HSM or KMS through the same trait) wrapping one data key per
//!   [`keys::Purpose`], kept in a [`keys::Keyring`];
//! - [`password`]: password hashes (Argon2id);
//! - [`otp`]: the second factor's one-time codes (RFC 6238);
//! - [`tls`]: the protocol versions and cipher suites the server offers.
//!
//! No other crate of the workspace names an algorithm: they ask for a purpose ("seal this TOTP
//! secret", "the audit chain's MAC") and this crate decides how. A tidy test keeps every other
//! crate's manifest free of cryptographic crates.

pub mod columns;
pub mod keys;
pub mod otp;
pub mod password;
pub mod sm;
pub mod throughput;
pub mod tls;

pub use columns::ColumnCipher;
pub use keys::{KeyFile, KeySource, Keyring, Purpose, StoredKeyring};

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// A sealed value or a wrapped key failed authentication: changed, truncated, moved to
    /// another place or sealed under another key.
    #[error(
        "{what} failed its integrity check: it was changed, truncated or sealed with another key"
    )]
    Tampered { what: String },
    /// A sealed value that is not in the platform's format at all.
    #[error("{what} is not a sealed value: {reason}")]
    Malformed { what: String, reason: String },
    /// The master key is missing, unreadable or not the one the data keys were wrapped with.
    #[error("master key: {0}")]
    MasterKey(String),
    #[error("{0}")]
    Keyring(String),
}

pub type Result<T> = std::result::Result<T, CryptoError>;

/// Bytes from the operating system's generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system has randomness");
    b
}

/// `bytes` random bytes in hex: session tokens, file names, one-time passwords.
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).expect("the operating system has randomness");
    hex::encode(b)
}

/// The SHA-256 digest in hex of a file's bytes: what an upload's source file is recorded
/// with, and the name attachments stored before keyed fingerprints were named by (decision 92;
/// new attachments are named by [`Keyring::fingerprint`]).
pub fn file_fingerprint(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Compares two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
