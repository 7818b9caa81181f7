//! Host helpers: tokens, password hashing, slugs, bounded crypto, SSH key pairs and sleep
//! (`$ctx.$helpers` in the reference). They run natively in the server, so a plugin carries no
//! bcrypt or RSA code. A helper's refusal (a bad expiration, too many random bytes) comes back
//! as a 400 [`HookError`] carrying the helper's code; `?` passes it on to the client.
//!
//! ```no_run
//! use hookline_sdk::{Context, HookError, Value, helpers, json};
//!
//! fn login(ctx: &Context) -> Result<Value, HookError> {
//!     let token = helpers::jwt(&json!({ "id": 42, "email": "ada@example.com" }), "7d")?;
//!     let slug = helpers::auto_slug("My Product Name"); // "my-product-name"
//!     let nonce = helpers::crypto::random_bytes(32, helpers::Encoding::Base64url)?;
//!     Ok(json!({ "accessToken": token, "slug": slug, "nonce": nonce }))
//! }
//! ```

use serde::Serialize;

use crate::HookError;
use crate::bindings::hookline::plugin::helpers as wit;
use crate::error::codes;

pub use wit::Encoding;

fn refused(e: wit::HelperError) -> HookError {
    HookError::new(400, e.message).with_code(e.code)
}

/// Signs `payload` (serialised to a JSON object) with the server's secret, adding `iat` and
/// `exp` from `expiration` (`15m`, `1h`, `1d`, `7d`, `30d`, or seconds like `90s`). A payload
/// with a user `id` is accepted by Hookline's own bearer authentication.
pub fn jwt<T: Serialize + ?Sized>(payload: &T, expiration: &str) -> Result<String, HookError> {
    let payload = serde_json::to_string(payload)
        .map_err(|e| HookError::new(500, e.to_string()).with_code(codes::NOT_SERIALIZABLE))?;
    wit::jwt(&payload, expiration).map_err(refused)
}

/// bcrypt hash of `plain` at the server's configured cost.
pub fn bcrypt_hash(plain: &str) -> Result<String, HookError> {
    wit::bcrypt_hash(plain).map_err(refused)
}

/// Whether `plain` matches a bcrypt `hash` (`$2a$`, `$2b$`, `$2y$`); a malformed hash is false.
pub fn bcrypt_compare(plain: &str, hash: &str) -> bool {
    wit::bcrypt_compare(plain, hash)
}

/// URL slug: `"My Product Name"` → `"my-product-name"`; accents and other scripts become
/// ASCII, at most 100 characters.
pub fn auto_slug(text: &str) -> String {
    wit::auto_slug(text)
}

/// Pauses for `ms` milliseconds (clamped to 30 s); ends early at the hook's deadline.
pub fn sleep(ms: u64) {
    wit::sleep(ms)
}

/// Bounded cryptographic helpers (`$ctx.$helpers.$crypto`).
pub mod crypto {
    use super::{Encoding, HookError, refused, wit};

    /// A key pair from [`generate_ssh_key_pair`].
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct SshKeyPair {
        /// OpenSSH format: `ssh-rsa AAAA... <comment>`.
        pub public_key: String,
        /// RSA private key, PKCS#1 PEM.
        pub private_key: String,
    }

    /// A random (version 4) UUID.
    pub fn random_uuid() -> String {
        wit::random_uuid()
    }

    /// `size` random bytes (at most 4096), encoded.
    pub fn random_bytes(size: u32, encoding: Encoding) -> Result<String, HookError> {
        wit::random_bytes(size, encoding).map_err(refused)
    }

    /// SHA-256 of `data`, encoded.
    pub fn sha256(data: &str, encoding: Encoding) -> String {
        wit::sha256(data, encoding)
    }

    /// HMAC-SHA256 of `data` keyed with `secret`, encoded.
    pub fn hmac_sha256(data: &str, secret: &str, encoding: Encoding) -> String {
        wit::hmac_sha256(data, secret, encoding)
    }

    /// A fresh RSA key pair; `comment` ends the public key line.
    pub fn generate_ssh_key_pair(comment: &str) -> Result<SshKeyPair, HookError> {
        let pair = wit::generate_ssh_key_pair(comment).map_err(refused)?;
        Ok(SshKeyPair {
            public_key: pair.public_key,
            private_key: pair.private_key,
        })
    }
}
