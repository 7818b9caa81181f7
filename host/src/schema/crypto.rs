//! Encrypted columns: AES-256-GCM (ring) with a random 96-bit nonce per value, the key derived
//! from the server secret with HKDF-SHA256, and the column's `table.column` as associated data,
//! so a ciphertext cannot be moved to another column. Stored as
//! `enc:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`; the key id (8 hex digits of the
//! key's SHA-256) names which secret encrypted it, so values written before a secret rotation
//! still decrypt with `HOOKLINE_PREVIOUS_SECRET_KEYS`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf;
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

const PREFIX: &str = "enc";
/// HKDF `info`: a version for the derivation itself.
const INFO: &[u8] = b"hookline column encryption v1";

struct ColumnKey {
    id: String,
    key: LessSafeKey,
}

/// The keys of the running server: the current one encrypts, all of them decrypt.
pub struct ColumnCrypto {
    current: ColumnKey,
    previous: Vec<ColumnKey>,
    random: SystemRandom,
}

impl std::fmt::Debug for ColumnCrypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ColumnCrypto")
            .field("key", &self.current.id)
            .field("previous", &self.previous.len())
            .finish()
    }
}

struct KeyLength;

impl hkdf::KeyType for KeyLength {
    fn len(&self) -> usize {
        AES_256_GCM.key_len()
    }
}

fn derive(secret: &[u8]) -> ColumnKey {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"hookline").extract(secret);
    let mut bytes = [0u8; 32];
    prk.expand(&[INFO], KeyLength)
        .and_then(|okm| okm.fill(&mut bytes))
        .expect("HKDF output of 32 bytes");
    let id = hex::encode(Sha256::digest(bytes))[..8].to_owned();
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &bytes).expect("a 32-byte key"));
    ColumnKey { id, key }
}

impl ColumnCrypto {
    pub fn new<'a>(secret: &str, previous: impl Iterator<Item = &'a str>) -> Self {
        Self {
            current: derive(secret.as_bytes()),
            previous: previous.map(|s| derive(s.as_bytes())).collect(),
            random: SystemRandom::new(),
        }
    }

    /// Encrypts `plain` for column `table.column`.
    pub fn encrypt(&self, table: &str, column: &str, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .expect("the system random source works");
        let mut sealed = plain.as_bytes().to_vec();
        let aad = format!("{table}.{column}");
        self.current
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_bytes()),
                &mut sealed,
            )
            .expect("AES-GCM sealing does not fail for in-range lengths");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!(
            "{PREFIX}:{}:{}",
            self.current.id,
            URL_SAFE_NO_PAD.encode(out)
        )
    }

    /// Decrypts a value of column `table.column`; `None` when it is not ours, was written for
    /// another column, or its key is unknown.
    pub fn decrypt(&self, table: &str, column: &str, stored: &str) -> Option<String> {
        let mut parts = stored.splitn(3, ':');
        let (Some(PREFIX), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut sealed = sealed.to_vec();
        let aad = format!("{table}.{column}");
        let plain = key
            .key
            .open_in_place(nonce, Aad::from(aad.as_bytes()), &mut sealed)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a-secret-a-secret-a-secret-a-secret";

    #[test]
    fn a_value_round_trips_and_is_bound_to_its_column() {
        let crypto = ColumnCrypto::new(SECRET, std::iter::empty());
        let stored = crypto.encrypt("people", "ssn", "123-45-6789");
        assert!(stored.starts_with("enc:") && !stored.contains("123"));
        assert_ne!(
            stored,
            crypto.encrypt("people", "ssn", "123-45-6789"),
            "random nonce"
        );
        assert_eq!(
            crypto.decrypt("people", "ssn", &stored).as_deref(),
            Some("123-45-6789")
        );
        assert_eq!(
            crypto.decrypt("people", "name", &stored),
            None,
            "another column"
        );
        let mut tampered = stored.clone();
        tampered.pop();
        tampered.push(if stored.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(crypto.decrypt("people", "ssn", &tampered), None);
        assert_eq!(crypto.decrypt("people", "ssn", "plain text"), None);
    }

    #[test]
    fn values_written_before_a_rotation_still_decrypt() {
        let old = ColumnCrypto::new(SECRET, std::iter::empty());
        let stored = old.encrypt("t", "c", "kept");
        let rotated = ColumnCrypto::new("another-secret-another-secret-xyz", [SECRET].into_iter());
        assert_eq!(rotated.decrypt("t", "c", &stored).as_deref(), Some("kept"));
        let forgotten = ColumnCrypto::new("another-secret-another-secret-xyz", std::iter::empty());
        assert_eq!(forgotten.decrypt("t", "c", &stored), None);
    }
}
