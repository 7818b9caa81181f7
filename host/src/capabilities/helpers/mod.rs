//! `hookline:plugin/helpers`: tokens, bcrypt, slugs, bounded crypto, SSH key pairs and sleep,
//! implemented natively so a guest never carries bcrypt or RSA code. Bad input is a
//! guest-visible `helper-error`; blocking work (bcrypt, RSA key generation) runs on the
//! blocking pool so it never stalls the async workers.

mod crypto;
pub(crate) mod expiration;
mod slug;
mod ssh;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::auth::{TokenService, bcrypt_cost};
use crate::runtime::HostState;
use crate::runtime::bindings::helpers::{self, Encoding, HelperError, SshKeyPair};

/// Longest pause `sleep` grants (the reference's clamp).
pub const MAX_SLEEP: Duration = Duration::from_secs(30);

/// Shared state of the helpers, built once at startup.
pub struct HelpersCtx {
    tokens: Arc<TokenService>,
    bcrypt_cost: u32,
    /// `bcrypt-compare` refuses (answers false to) hashes costlier than this.
    max_bcrypt_cost: u32,
}

impl std::fmt::Debug for HelpersCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelpersCtx")
            .field("bcrypt_cost", &self.bcrypt_cost)
            .field("max_bcrypt_cost", &self.max_bcrypt_cost)
            .finish_non_exhaustive()
    }
}

impl HelpersCtx {
    pub fn new(tokens: Arc<TokenService>, bcrypt_cost: u32, max_bcrypt_cost: u32) -> Self {
        Self {
            tokens,
            bcrypt_cost,
            max_bcrypt_cost,
        }
    }
}

/// How long `sleep(ms)` pauses: `ms`, clamped to 0..=[`MAX_SLEEP`].
fn sleep_duration(ms: u64) -> Duration {
    Duration::from_millis(ms).min(MAX_SLEEP)
}

fn helper_error(code: &str, message: impl Into<String>) -> HelperError {
    HelperError {
        code: code.to_owned(),
        message: message.into(),
    }
}

type Answer<T> = wasmtime::Result<Result<T, HelperError>>;

/// Runs blocking work on the blocking pool; a panic there is a host fault (a trap).
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> wasmtime::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| wasmtime::format_err!("helper task failed: {e}"))
}

impl helpers::Host for HostState {
    fn jwt(&mut self, payload: String, expiration: String) -> Answer<String> {
        let lifetime = match expiration::parse(&expiration) {
            Ok(lifetime) => lifetime,
            Err(message) => return Ok(Err(helper_error("INVALID_EXPIRATION", message))),
        };
        let Ok(Value::Object(mut claims)) = serde_json::from_str::<Value>(&payload) else {
            return Ok(Err(helper_error(
                "INVALID_PAYLOAD",
                "the payload must be a JSON object",
            )));
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        if claims.contains_key("sid") {
            return Ok(Err(helper_error(
                "INVALID_PAYLOAD",
                "`sid` is reserved: only Hookline's own login opens sessions",
            )));
        }
        claims.insert("iat".into(), now.into());
        claims.insert("exp".into(), (now + lifetime.as_secs()).into());
        // Marks the token as a hook's (see the bearer check); the payload cannot override it.
        claims.insert("hook".into(), self.plugin.to_string().into());
        let token = self
            .capabilities
            .helpers
            .tokens
            .sign_claims(&Value::Object(claims))
            .map_err(|e| wasmtime::format_err!("signing a token: {e}"))?;
        Ok(Ok(token))
    }

    async fn bcrypt_hash(&mut self, plain: String) -> Answer<String> {
        let cost = self.capabilities.helpers.bcrypt_cost;
        let hashed = blocking(move || bcrypt::hash(plain, cost)).await?;
        Ok(hashed.map_err(|e| helper_error("BCRYPT_FAILED", e.to_string())))
    }

    async fn bcrypt_compare(&mut self, plain: String, hash: String) -> wasmtime::Result<bool> {
        let plugin = self.plugin.clone();
        let max_cost = self.capabilities.helpers.max_bcrypt_cost;
        if let Some(cost) = bcrypt_cost(&hash).filter(|cost| *cost > max_cost) {
            // Comparing would pin a blocking thread past any deadline (cost 31: days).
            tracing::warn!(%plugin, cost, max_cost, "bcrypt-compare refused a hash above max_bcrypt_cost");
            return Ok(false);
        }
        blocking(move || match bcrypt::verify(plain, &hash) {
            Ok(matches) => matches,
            Err(e) => {
                tracing::warn!(%plugin, reason = %e, "bcrypt-compare got a malformed hash");
                false
            }
        })
        .await
    }

    fn auto_slug(&mut self, text: String) -> wasmtime::Result<String> {
        Ok(slug::auto_slug(&text))
    }

    fn random_uuid(&mut self) -> wasmtime::Result<String> {
        Ok(uuid::Uuid::new_v4().to_string())
    }

    fn random_bytes(&mut self, size: u32, encoding: Encoding) -> Answer<String> {
        Ok(crypto::random_bytes(size as usize, encoding)
            .map_err(|m| helper_error("INVALID_SIZE", m)))
    }

    fn sha256(&mut self, data: String, encoding: Encoding) -> wasmtime::Result<String> {
        Ok(crypto::sha256(data.as_bytes(), encoding))
    }

    fn hmac_sha256(
        &mut self,
        data: String,
        secret: String,
        encoding: Encoding,
    ) -> wasmtime::Result<String> {
        Ok(crypto::hmac_sha256(
            data.as_bytes(),
            secret.as_bytes(),
            encoding,
        ))
    }

    async fn generate_ssh_key_pair(&mut self, comment: String) -> Answer<SshKeyPair> {
        let pair = blocking(move || ssh::generate(&comment)).await?;
        Ok(pair
            .map(|(public_key, private_key)| SshKeyPair {
                public_key,
                private_key,
            })
            .map_err(|e| helper_error("KEY_GENERATION_FAILED", e)))
    }

    async fn sleep(&mut self, ms: u64) -> wasmtime::Result<()> {
        // The timer rounds up to its next millisecond tick: `sleep(0)` would wait ~1 ms.
        if ms == 0 {
            return Ok(());
        }
        let wanted = tokio::time::Instant::now() + sleep_duration(ms);
        // Ends early at the call's deadline; the epoch check then ends the hook with a timeout.
        tokio::time::sleep_until(wanted.min(self.deadline.into())).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_is_clamped_to_thirty_seconds() {
        assert_eq!(sleep_duration(0), Duration::ZERO);
        assert_eq!(sleep_duration(1000), Duration::from_secs(1));
        assert_eq!(sleep_duration(30_000), MAX_SLEEP);
        assert_eq!(sleep_duration(30_001), MAX_SLEEP);
        assert_eq!(sleep_duration(u64::MAX), MAX_SLEEP);
    }
}
