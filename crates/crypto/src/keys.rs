//! The key hierarchy: a master key held outside the data directory wraps one data key per
//! purpose; the wrapped data keys are stored with the platform (its database), so that
//! rotating the master key rewraps a few keys and rewrites no data.
//!
//! A [`KeySource`] holds the master key. [`KeyFile`] keeps it in a file readable by its owner
//! alone; an HSM (an SDF-interface card, GM/T 0018) or a KMS implements the same two calls,
//! wrap and unwrap, without the key ever leaving it.

use crate::sm::{self, SM4_KEY_LEN};
use crate::{CryptoError, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a data key is for. Each purpose has its own key, so that a key used to MAC the audit
/// chain never encrypts, and one purpose's key can be rotated alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Purpose {
    /// SM4-GCM: the second factor's secrets.
    Totp,
    /// HMAC-SM3: the audit chain.
    Audit,
    /// HMAC-SM3: the stable handles that stand for a person's ID in URLs.
    PersonHandle,
    /// SM4-GCM: personal values of the metadata database.
    Fields,
    /// SM4-GCM: files at rest (attachments, exports, generated documents).
    Files,
    /// HMAC-SM3: blind indexes the engine and the searches compare instead of clear values.
    BlindIndex,
    /// HMAC-SM3 and SM4: the tokens of the uploads' compared personal values
    /// ([`crate::columns`]); one key of both halves, since a token is made with both.
    Columns,
}

impl Purpose {
    pub const ALL: [Purpose; 7] = [
        Purpose::Totp,
        Purpose::Audit,
        Purpose::PersonHandle,
        Purpose::Fields,
        Purpose::Files,
        Purpose::BlindIndex,
        Purpose::Columns,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Purpose::Totp => "totp",
            Purpose::Audit => "audit",
            Purpose::PersonHandle => "person_handle",
            Purpose::Fields => "fields",
            Purpose::Files => "files",
            Purpose::BlindIndex => "blind_index",
            Purpose::Columns => "columns",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.name() == s)
    }

    /// Whether a new version of this purpose's key can take over while the platform serves:
    /// a purpose that seals randomly can, since what older versions sealed still opens and is
    /// sealed again in the background. A MAC purpose cannot (what it computed would no longer
    /// match), nor can the tokens the engine joins on (every file at once, decision 95).
    pub fn rotates_in_place(self) -> bool {
        matches!(self, Purpose::Totp | Purpose::Fields | Purpose::Files)
    }

    /// SM4 keys are 128 bits; HMAC-SM3 keys are as long as the digest.
    fn key_len(self) -> usize {
        match self {
            Purpose::Totp | Purpose::Fields | Purpose::Files => SM4_KEY_LEN,
            Purpose::Audit | Purpose::PersonHandle | Purpose::BlindIndex => 32,
            Purpose::Columns => crate::columns::TOKEN_KEY_LEN,
        }
    }
}

/// Where the master key lives. Implementations keep it to themselves: callers only ask them
/// to wrap and unwrap data keys.
pub trait KeySource: Send + Sync {
    /// Names the master key without revealing it, so that a wrong key is told from a damaged
    /// keyring.
    fn key_id(&self) -> String;
    fn wrap(&self, aad: &[u8], data_key: &[u8]) -> Vec<u8>;
    fn unwrap(&self, aad: &[u8], wrapped: &[u8]) -> Result<Vec<u8>>;
}

/// A master key in a file: 32 hex digits (SM4's 128 bits), readable by its owner only.
pub struct KeyFile {
    path: PathBuf,
    key: [u8; SM4_KEY_LEN],
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyFile({})", self.path.display())
    }
}

impl KeyFile {
    /// Reads the key; refuses a file others may read, a malformed one or a missing one.
    pub fn load(path: &Path) -> Result<KeyFile> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CryptoError::MasterKey(format!("cannot read the key file {}: {e}", path.display()))
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)
                .map_err(|e| CryptoError::MasterKey(format!("{}: {e}", path.display())))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(CryptoError::MasterKey(format!(
                    "the key file {} may be read by other users (mode {:o}): chmod 600 it",
                    path.display(),
                    mode & 0o777
                )));
            }
        }
        let key = hex::decode(text.trim())
            .ok()
            .and_then(|k| <[u8; SM4_KEY_LEN]>::try_from(k).ok())
            .ok_or_else(|| {
                CryptoError::MasterKey(format!(
                    "the key file {} does not hold 32 hexadecimal digits",
                    path.display()
                ))
            })?;
        Ok(KeyFile {
            path: path.to_path_buf(),
            key,
        })
    }

    /// Makes a new random key in a new file (mode 0600); never overwrites one.
    pub fn create(path: &Path) -> Result<KeyFile> {
        use std::io::Write;
        let key: [u8; SM4_KEY_LEN] = crate::random_bytes();
        let fail = |e: std::io::Error| {
            CryptoError::MasterKey(format!(
                "cannot create the key file {}: {e}",
                path.display()
            ))
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(path).map_err(fail)?;
        f.write_all(format!("{}\n", hex::encode(key)).as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(fail)?;
        Ok(KeyFile {
            path: path.to_path_buf(),
            key,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl KeySource for KeyFile {
    fn key_id(&self) -> String {
        hex::encode(&sm::hmac_sm3(&self.key, &[b"mingjing master key id"])[..8])
    }
    fn wrap(&self, aad: &[u8], data_key: &[u8]) -> Vec<u8> {
        sm::sm4_gcm_seal(&self.key, aad, data_key)
    }
    fn unwrap(&self, aad: &[u8], wrapped: &[u8]) -> Result<Vec<u8>> {
        sm::sm4_gcm_open(&self.key, aad, wrapped, "a wrapped data key")
    }
}

/// The data keys as they are stored: wrapped by the master key named `master_key_id`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredKeyring {
    pub master_key_id: String,
    pub keys: Vec<StoredKey>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredKey {
    pub purpose: String,
    pub version: u32,
    /// The newest version of a purpose seals; older ones only open what they sealed.
    pub wrapped: String,
}

fn wrap_aad(purpose: Purpose, version: u32) -> Vec<u8> {
    format!("mingjing data key|{}|{version}", purpose.name()).into_bytes()
}

/// The prefix of a sealed text value: format 1, then the key version.
pub const SEALED_PREFIX: &str = "sm4gcm1:";

/// The data keys in memory. Cheap to share behind an `Arc`.
pub struct Keyring {
    keys: BTreeMap<(Purpose, u32), Vec<u8>>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keyring({} keys)", self.keys.len())
    }
}

impl Keyring {
    /// A new keyring: one fresh key for every purpose, wrapped by `source`.
    pub fn generate(source: &dyn KeySource) -> (Keyring, StoredKeyring) {
        let mut ring = Keyring {
            keys: BTreeMap::new(),
        };
        for p in Purpose::ALL {
            ring.keys.insert((p, 1), fresh_key(p));
        }
        let stored = ring.wrapped(source);
        (ring, stored)
    }

    /// Unwraps a stored keyring. A master key other than the one it was wrapped with, or a
    /// changed wrapped key, is an error naming which; purposes added since it was stored get
    /// keys, and the returned `Some` is the keyring to store in its place.
    pub fn open(
        source: &dyn KeySource,
        stored: &StoredKeyring,
    ) -> Result<(Keyring, Option<StoredKeyring>)> {
        if stored.master_key_id != source.key_id() {
            return Err(CryptoError::MasterKey(format!(
                "the master key given (id {}) is not the one this platform's keys are wrapped with (id {})",
                source.key_id(),
                stored.master_key_id
            )));
        }
        let mut keys = BTreeMap::new();
        for k in &stored.keys {
            let p = Purpose::parse(&k.purpose).ok_or_else(|| {
                CryptoError::Keyring(format!(
                    "the keyring names an unknown purpose '{}'",
                    k.purpose
                ))
            })?;
            let wrapped = hex::decode(&k.wrapped).map_err(|_| CryptoError::Tampered {
                what: format!("the {} key, version {}", k.purpose, k.version),
            })?;
            let key = source
                .unwrap(&wrap_aad(p, k.version), &wrapped)
                .map_err(|_| CryptoError::Tampered {
                    what: format!("the {} key, version {}", k.purpose, k.version),
                })?;
            if key.len() != p.key_len() {
                return Err(CryptoError::Tampered {
                    what: format!("the {} key, version {}", k.purpose, k.version),
                });
            }
            keys.insert((p, k.version), key);
        }
        let mut ring = Keyring { keys };
        let mut added = false;
        for p in Purpose::ALL {
            if ring.current_version(p).is_none() {
                ring.keys.insert((p, 1), fresh_key(p));
                added = true;
            }
        }
        let restore = added.then(|| ring.wrapped(source));
        Ok((ring, restore))
    }

    /// The same keys wrapped by another master key: rotating the master key rewrites this
    /// and nothing else.
    pub fn wrapped(&self, source: &dyn KeySource) -> StoredKeyring {
        StoredKeyring {
            master_key_id: source.key_id(),
            keys: self
                .keys
                .iter()
                .map(|((p, v), key)| StoredKey {
                    purpose: p.name().to_string(),
                    version: *v,
                    wrapped: hex::encode(source.wrap(&wrap_aad(*p, *v), key)),
                })
                .collect(),
        }
    }

    /// Adds a new version of `purpose`'s key, which seals from now on; values sealed with
    /// older versions still open until they are sealed again ([`Keyring::needs_resealing`]).
    pub fn rotate(&mut self, purpose: Purpose) -> u32 {
        let v = self.current_version(purpose).unwrap_or(0) + 1;
        self.keys.insert((purpose, v), fresh_key(purpose));
        v
    }

    /// The same keys and a new version of `purpose`'s, which seals from then on; values sealed
    /// with older versions still open until they are sealed again
    /// ([`Keyring::needs_resealing`]). Returns the new version.
    pub fn rotated(&self, purpose: Purpose) -> (Keyring, u32) {
        let mut ring = Keyring {
            keys: self.keys.clone(),
        };
        let v = ring.rotate(purpose);
        (ring, v)
    }

    /// Every (purpose, version) held, sorted.
    pub fn versions(&self) -> Vec<(String, u32)> {
        let mut v: Vec<_> = self
            .keys
            .keys()
            .map(|(p, v)| (p.name().to_string(), *v))
            .collect();
        v.sort();
        v
    }

    /// The version of `purpose`'s key that seals.
    pub fn version(&self, purpose: Purpose) -> u32 {
        self.current(purpose).0
    }

    /// The key version a sealed file was sealed with ([`Keyring::seal_file`]).
    pub fn file_version(prefix: &[u8]) -> Option<u32> {
        if !Self::is_sealed_file(prefix) || prefix.len() < 8 {
            return None;
        }
        Some(u32::from_be_bytes(
            prefix[4..8].try_into().expect("4 bytes"),
        ))
    }

    fn current_version(&self, purpose: Purpose) -> Option<u32> {
        self.keys
            .range((purpose, 0)..=(purpose, u32::MAX))
            .next_back()
            .map(|((_, v), _)| *v)
    }

    fn current(&self, purpose: Purpose) -> (u32, &[u8]) {
        let v = self
            .current_version(purpose)
            .expect("a keyring has a key for every purpose");
        (v, &self.keys[&(purpose, v)])
    }

    fn sm4_key(key: &[u8]) -> &[u8; SM4_KEY_LEN] {
        key.try_into().expect("SM4 purposes hold 128-bit keys")
    }

    /// Seals a text value for the place `context` names (table, column, row): the sealed
    /// text opens only there.
    pub fn seal_text(&self, purpose: Purpose, context: &str, plain: &str) -> String {
        let (v, key) = self.current(purpose);
        let sealed = sm::sm4_gcm_seal(Self::sm4_key(key), context.as_bytes(), plain.as_bytes());
        format!("{SEALED_PREFIX}{v}:{}", hex::encode(sealed))
    }

    /// Opens what [`Keyring::seal_text`] made for the same `context`; `what` names the value
    /// in errors.
    pub fn open_text(
        &self,
        purpose: Purpose,
        context: &str,
        sealed: &str,
        what: &str,
    ) -> Result<String> {
        let malformed = |reason: &str| CryptoError::Malformed {
            what: what.to_string(),
            reason: reason.to_string(),
        };
        let rest = sealed
            .strip_prefix(SEALED_PREFIX)
            .ok_or_else(|| malformed("it lacks the sealed-value prefix"))?;
        let (v, body) = rest
            .split_once(':')
            .ok_or_else(|| malformed("it lacks a key version"))?;
        let v: u32 = v
            .parse()
            .map_err(|_| malformed("its key version is not a number"))?;
        let key = self
            .keys
            .get(&(purpose, v))
            .ok_or_else(|| malformed(&format!("no {} key has version {v}", purpose.name())))?;
        let body = hex::decode(body).map_err(|_| CryptoError::Tampered {
            what: what.to_string(),
        })?;
        let plain = sm::sm4_gcm_open(Self::sm4_key(key), context.as_bytes(), &body, what)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Tampered {
            what: what.to_string(),
        })
    }

    /// Whether bytes begin as a file sealed by [`Keyring::seal_file`].
    pub fn is_sealed_file(prefix: &[u8]) -> bool {
        prefix.starts_with(FILE_MAGIC)
    }

    /// Whether a text value is sealed at all (values stored before sealing began are not).
    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(SEALED_PREFIX)
    }

    /// Whether a sealed value was sealed with an older key than `purpose`'s current one.
    pub fn needs_resealing(&self, purpose: Purpose, sealed: &str) -> bool {
        let (v, _) = self.current(purpose);
        sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|r| r.split_once(':'))
            .and_then(|(s, _)| s.parse::<u32>().ok())
            != Some(v)
    }

    /// Seals a file as a stream of 1 MiB chunks, each sealed (SM4-GCM, `Purpose::Files`) for
    /// `context`, its index and whether it is the last: chunks cannot be reordered, dropped,
    /// moved to another file or cut off without [`Keyring::open_file`] noticing. Returns the
    /// plain size and its SM3 digest.
    pub fn seal_file(
        &self,
        context: &str,
        mut src: impl std::io::Read,
        mut dst: impl std::io::Write,
    ) -> std::io::Result<(u64, String)> {
        let (v, key) = self.current(Purpose::Files);
        let key = Self::sm4_key(key);
        dst.write_all(FILE_MAGIC)?;
        dst.write_all(&v.to_be_bytes())?;
        let mut digest = sm::Sm3Hasher::default();
        let mut size = 0u64;
        let mut buf = vec![0u8; FILE_CHUNK];
        let mut pending: Option<Vec<u8>> = None;
        let mut index = 0u64;
        loop {
            let n = read_full(&mut src, &mut buf)?;
            let chunk = buf[..n].to_vec();
            digest.update(&chunk);
            size += n as u64;
            // A chunk is written once the next read tells whether it was the last.
            if let Some(prev) = pending.take() {
                write_chunk(&mut dst, key, context, index, n == 0, &prev)?;
                index += 1;
            }
            if n == 0 {
                if index == 0 {
                    write_chunk(&mut dst, key, context, 0, true, &[])?;
                }
                break;
            }
            pending = Some(chunk);
        }
        Ok((size, digest.finish_hex()))
    }

    /// Opens what [`Keyring::seal_file`] wrote, writing the plain bytes to `dst`; a changed,
    /// reordered, moved or truncated file is an error naming `what`. Returns the plain size and
    /// its SM3 digest.
    pub fn open_file(
        &self,
        context: &str,
        mut src: impl std::io::Read,
        mut dst: impl std::io::Write,
        what: &str,
    ) -> Result<(u64, String)> {
        let tampered = || CryptoError::Tampered {
            what: what.to_string(),
        };
        let mut head = [0u8; 8];
        src.read_exact(&mut head).map_err(|_| tampered())?;
        if &head[..4] != FILE_MAGIC {
            return Err(CryptoError::Malformed {
                what: what.to_string(),
                reason: "it is not a sealed file".into(),
            });
        }
        let v = u32::from_be_bytes(head[4..].try_into().expect("4 bytes"));
        let key = self
            .keys
            .get(&(Purpose::Files, v))
            .ok_or_else(|| CryptoError::Malformed {
                what: what.to_string(),
                reason: format!("no files key has version {v}"),
            })?;
        let key = Self::sm4_key(key);
        let mut digest = sm::Sm3Hasher::default();
        let mut size = 0u64;
        for index in 0u64.. {
            let mut len = [0u8; 4];
            src.read_exact(&mut len).map_err(|_| tampered())?;
            let len = u32::from_be_bytes(len) as usize;
            if len > FILE_CHUNK + sm::NONCE_LEN + sm::TAG_LEN + 1 {
                return Err(tampered());
            }
            let mut sealed = vec![0u8; len];
            src.read_exact(&mut sealed).map_err(|_| tampered())?;
            let (last, body) = sealed.split_first().ok_or_else(tampered)?;
            let plain = sm::sm4_gcm_open(key, &chunk_aad(context, index, *last == 1), body, what)?;
            digest.update(&plain);
            size += plain.len() as u64;
            dst.write_all(&plain)
                .map_err(|e| CryptoError::Keyring(format!("{what}: {e}")))?;
            if *last == 1 {
                let mut rest = [0u8; 1];
                if src.read(&mut rest).map_err(|_| tampered())? != 0 {
                    return Err(tampered());
                }
                break;
            }
        }
        Ok((size, digest.finish_hex()))
    }

    /// The protection of the uploads' personal values: tokens under every `Columns` key,
    /// sealed values under every `Fields` key, the current ones making new values.
    pub fn column_cipher(&self) -> crate::columns::ColumnCipher {
        let of = |p: Purpose| {
            self.keys
                .range((p, 0)..=(p, u32::MAX))
                .map(|((_, v), k)| (*v, k.clone()))
                .collect::<Vec<_>>()
        };
        crate::columns::ColumnCipher::new(of(Purpose::Columns), of(Purpose::Fields))
    }

    /// The name an attachment is stored under: HMAC-SM3 of its bytes under the blind-index
    /// key, in hex. Equal files share it (stored once), and unlike a plain digest it does not
    /// let whoever holds a copy of a document confirm that the platform holds it too.
    pub fn fingerprint(&self, bytes: &[u8]) -> String {
        hex::encode(self.mac(Purpose::BlindIndex, &[b"attachment", bytes]))
    }

    /// HMAC-SM3 of the parts under `purpose`'s first key. MAC purposes keep version 1: a MAC
    /// that changes with rotation would no longer match the values already computed.
    pub fn mac(&self, purpose: Purpose, parts: &[&[u8]]) -> [u8; 32] {
        let key = self
            .keys
            .get(&(purpose, 1))
            .expect("a keyring has a first key for every purpose");
        sm::hmac_sm3(key, parts)
    }
}

const FILE_MAGIC: &[u8; 4] = b"MJF1";
const FILE_CHUNK: usize = 1 << 20;

fn chunk_aad(context: &str, index: u64, last: bool) -> Vec<u8> {
    format!("mingjing file|{context}|{index}|{}", u8::from(last)).into_bytes()
}

fn write_chunk(
    dst: &mut impl std::io::Write,
    key: &[u8; SM4_KEY_LEN],
    context: &str,
    index: u64,
    last: bool,
    plain: &[u8],
) -> std::io::Result<()> {
    let sealed = sm::sm4_gcm_seal(key, &chunk_aad(context, index, last), plain);
    dst.write_all(&((sealed.len() + 1) as u32).to_be_bytes())?;
    dst.write_all(&[u8::from(last)])?;
    dst.write_all(&sealed)
}

/// Reads until `buf` is full or the source ends.
fn read_full(src: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match src.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn fresh_key(p: Purpose) -> Vec<u8> {
    let k: [u8; 64] = crate::random_bytes();
    k[..p.key_len()].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_file(dir: &Path, name: &str) -> KeyFile {
        KeyFile::create(&dir.join(name)).unwrap()
    }

    #[test]
    fn a_keyring_opens_only_with_its_master_key_and_survives_a_rotation_of_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let master = key_file(dir, "a.key");
        let (ring, stored) = Keyring::generate(&master);
        let sealed = ring.seal_text(Purpose::Totp, "users.totp_secret/7", "JBSWY3DPEHPK3PXP");
        let mac = ring.mac(Purpose::Audit, &[b"entry"]);

        // Read back from its file: the same key.
        let again = KeyFile::load(master.path()).unwrap();
        let (reopened, none) = Keyring::open(&again, &stored).unwrap();
        assert!(none.is_none());
        let open = |r: &Keyring, ctx: &str| r.open_text(Purpose::Totp, ctx, &sealed, "the secret");
        assert_eq!(
            open(&reopened, "users.totp_secret/7").unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        assert_eq!(reopened.mac(Purpose::Audit, &[b"entry"]), mac);
        // Moved to another row: refused.
        assert!(matches!(
            open(&reopened, "users.totp_secret/8"),
            Err(CryptoError::Tampered { .. })
        ));

        // Another master key: refused by name, before any key is tried.
        let other = key_file(dir, "b.key");
        let err = Keyring::open(&other, &stored).unwrap_err().to_string();
        assert!(
            err.contains("is not the one this platform's keys are wrapped with"),
            "{err}"
        );

        // Rotating the master key rewraps the data keys: old values open under the new one.
        let rotated = reopened.wrapped(&other);
        let (under_new, _) = Keyring::open(&other, &rotated).unwrap();
        assert_eq!(
            open(&under_new, "users.totp_secret/7").unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        assert!(Keyring::open(&master, &rotated).is_err());

        // A changed wrapped key is named.
        let mut bad = stored.clone();
        let w = &mut bad.keys[0].wrapped;
        let flipped = if w.ends_with('0') { '1' } else { '0' };
        w.pop();
        w.push(flipped);
        let err = Keyring::open(&master, &bad).unwrap_err().to_string();
        assert!(
            err.contains("key, version 1 failed its integrity check"),
            "{err}"
        );
    }

    #[test]
    fn a_data_key_rotation_seals_with_the_new_version_and_still_opens_the_old() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let master = key_file(dir, "m.key");
        let (mut ring, _) = Keyring::generate(&master);
        let old = ring.seal_text(Purpose::Fields, "c", "张三");
        assert_eq!(ring.rotate(Purpose::Fields), 2);
        let new = ring.seal_text(Purpose::Fields, "c", "张三");
        assert!(new.starts_with("sm4gcm1:2:"));
        assert!(ring.needs_resealing(Purpose::Fields, &old));
        assert!(!ring.needs_resealing(Purpose::Fields, &new));
        for v in [&old, &new] {
            assert_eq!(
                ring.open_text(Purpose::Fields, "c", v, "x").unwrap(),
                "张三"
            );
        }
        // The rotated keyring survives storage.
        let (back, _) = Keyring::open(&master, &ring.wrapped(&master)).unwrap();
        assert_eq!(
            back.open_text(Purpose::Fields, "c", &old, "x").unwrap(),
            "张三"
        );
        // A value that is not sealed is told apart from a damaged one.
        let e = back
            .open_text(Purpose::Fields, "c", "张三", "the name")
            .unwrap_err();
        assert!(matches!(e, CryptoError::Malformed { .. }));
        let mut cut = new.clone();
        cut.truncate(new.len() - 4);
        let e = back
            .open_text(Purpose::Fields, "c", &cut, "the name")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the name failed its integrity check: it was changed, truncated or sealed with another key"
        );
    }

    #[test]
    fn a_sealed_file_opens_whole_and_refuses_any_change_cut_or_move() {
        let tmp = tempfile::tempdir().unwrap();
        let master = key_file(tmp.path(), "m.key");
        let (ring, _) = Keyring::generate(&master);
        for size in [0usize, 1, FILE_CHUNK, FILE_CHUNK + 7, 3 * FILE_CHUNK] {
            let plain: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
            let mut sealed = Vec::new();
            let (n, digest) = ring
                .seal_file("uploads/a/part-0000.parquet", &plain[..], &mut sealed)
                .unwrap();
            assert_eq!((n, digest.clone()), (size as u64, sm::sm3_hex(&plain)));
            let mut back = Vec::new();
            let opened = ring
                .open_file("uploads/a/part-0000.parquet", &sealed[..], &mut back, "f")
                .unwrap();
            assert_eq!((back, opened), (plain.clone(), (size as u64, digest)));
            let open =
                |bytes: &[u8], ctx: &str| ring.open_file(ctx, bytes, std::io::sink(), "the file");
            let ctx = "uploads/a/part-0000.parquet";
            assert!(
                open(&sealed, "uploads/b/part-0000.parquet").is_err(),
                "moved"
            );
            for cut in [sealed.len() - 1, sealed.len() / 2, 9] {
                assert!(open(&sealed[..cut], ctx).is_err(), "cut at {cut} of {size}");
            }
            let mut longer = sealed.clone();
            longer.push(0);
            assert!(open(&longer, ctx).is_err(), "a byte appended");
            for i in [8, sealed.len() / 2, sealed.len() - 1] {
                let mut bad = sealed.clone();
                bad[i] ^= 0x40;
                assert!(open(&bad, ctx).is_err(), "byte {i} of {size}");
            }
        }
    }

    #[test]
    fn a_key_file_others_may_read_or_that_is_malformed_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let k = key_file(dir, "m.key");
        assert!(KeyFile::create(k.path()).is_err(), "never overwrites");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(k.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = KeyFile::load(k.path()).unwrap_err().to_string();
            assert!(e.contains("may be read by other users (mode 644)"), "{e}");
        }
        let short = dir.join("short.key");
        std::fs::write(&short, "abcd").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&short, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let e = KeyFile::load(&short).unwrap_err().to_string();
        assert!(e.contains("does not hold 32 hexadecimal digits"), "{e}");
        let e = KeyFile::load(&dir.join("absent.key"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot read the key file"), "{e}");
    }
}
