//! Bounded crypto helpers on ring: random bytes, SHA-256 and HMAC-SHA256, each encoded as hex,
//! base64 (padded) or base64url (unpadded).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, hmac};

use crate::runtime::bindings::helpers::Encoding;

/// Most random bytes one call may ask for (the reference's cap).
pub const MAX_RANDOM_BYTES: usize = 4096;

pub fn encode(bytes: &[u8], encoding: Encoding) -> String {
    match encoding {
        Encoding::Hex => hex::encode(bytes),
        Encoding::Base64 => STANDARD.encode(bytes),
        Encoding::Base64url => URL_SAFE_NO_PAD.encode(bytes),
    }
}

pub fn random_bytes(size: usize, encoding: Encoding) -> Result<String, String> {
    if size > MAX_RANDOM_BYTES {
        return Err(format!(
            "random-bytes takes at most {MAX_RANDOM_BYTES} bytes, not {size}"
        ));
    }
    let mut bytes = vec![0u8; size];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| "the system random source failed".to_owned())?;
    Ok(encode(&bytes, encoding))
}

pub fn sha256(data: &[u8], encoding: Encoding) -> String {
    encode(digest::digest(&digest::SHA256, data).as_ref(), encoding)
}

pub fn hmac_sha256(data: &[u8], secret: &[u8], encoding: Encoding) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    encode(hmac::sign(&key, data).as_ref(), encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_published_vectors() {
        assert_eq!(
            sha256(b"abc", Encoding::Hex),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256(b"", Encoding::Base64),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // Test case 2.
        assert_eq!(
            hmac_sha256(b"what do ya want for nothing?", b"Jefe", Encoding::Hex),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 1: key 0x0b * 20, "Hi There".
        assert_eq!(
            hmac_sha256(b"Hi There", &[0x0b; 20], Encoding::Hex),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }

    #[test]
    fn random_bytes_are_capped_and_encoded_at_the_right_length() {
        assert_eq!(random_bytes(4096, Encoding::Hex).unwrap().len(), 8192);
        assert_eq!(random_bytes(32, Encoding::Base64).unwrap().len(), 44);
        assert_eq!(random_bytes(32, Encoding::Base64url).unwrap().len(), 43);
        assert!(
            random_bytes(4097, Encoding::Hex)
                .unwrap_err()
                .contains("4096")
        );
        assert_ne!(
            random_bytes(16, Encoding::Hex),
            random_bytes(16, Encoding::Hex)
        );
    }
}
