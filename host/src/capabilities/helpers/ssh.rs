//! SSH key pairs: RSA, the private key as PKCS#1 PEM, the public key in OpenSSH format.

use rsa::RsaPrivateKey;
use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};
use ssh_key::public::{KeyData, PublicKey, RsaPublicKey};

/// Modulus size: ssh-keygen's default for RSA.
pub const RSA_BITS: usize = 3072;

/// Longest comment accepted; it ends the public key line.
const MAX_COMMENT_LEN: usize = 256;

/// A fresh pair: (OpenSSH public key with `comment`, PKCS#1 PEM private key).
pub fn generate(comment: &str) -> Result<(String, String), String> {
    if comment.len() > MAX_COMMENT_LEN || comment.chars().any(char::is_control) {
        return Err(format!(
            "the comment must be at most {MAX_COMMENT_LEN} bytes without control characters"
        ));
    }
    let private = RsaPrivateKey::new(&mut rand_core::OsRng, RSA_BITS).map_err(|e| e.to_string())?;
    let pem = private
        .to_pkcs1_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?;
    let public = RsaPublicKey::try_from(private.to_public_key()).map_err(|e| e.to_string())?;
    let openssh = PublicKey::new(KeyData::Rsa(public), comment)
        .to_openssh()
        .map_err(|e| e.to_string())?;
    Ok((openssh, pem.to_string()))
}
