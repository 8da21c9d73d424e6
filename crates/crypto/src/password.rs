//! Password hashes: Argon2id in the PHC string format, salted per hash.
//!
//! GB/T 39786 does not name a password hash; Argon2id is the memory-hard function OWASP
//! recommends (decision 92). Hashing is CPU-heavy: callers run it off the async runtime.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn argon2() -> Argon2<'static> {
    // OWASP's Argon2id minimum: 19 MiB, 2 passes, 1 lane.
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid parameters"),
    )
}

/// A salted hash of `password`.
pub fn hash(password: &str) -> String {
    let salt: [u8; 16] = crate::random_bytes();
    let salt = SaltString::encode_b64(&salt).expect("16 bytes encode");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing a password does not fail")
        .to_string()
}

/// Whether `password` is the one `hash` was made from; a malformed hash matches nothing.
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #[test]
    fn argon2id_hashes_verify_and_are_salted() {
        let a = super::hash("Correct-Horse-9");
        let b = super::hash("Correct-Horse-9");
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(super::verify("Correct-Horse-9", &a));
        assert!(!super::verify("correct-horse-9", &a));
        assert!(!super::verify("Correct-Horse-9", "not a hash"));
    }
}
