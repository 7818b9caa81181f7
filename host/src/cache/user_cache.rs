//! The user cache and locks: the backend trait and the service in front of it, which validates
//! keys, TTLs and values, enforces the per-value cap and bounds every call in time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::BackendError;

/// Longest key a plugin may use, bytes.
pub const MAX_KEY_BYTES: usize = 1024;
/// Longest TTL a plugin may ask for: one year.
pub const MAX_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

/// A cache backend. Keys are the plugin's logical keys; the backend adds its namespace, keeps
/// the LRU bookkeeping of user values within `quota` bytes, and keeps locks apart from it.
/// Values are canonical JSON text.
#[async_trait]
pub trait CacheStore: Send + Sync + std::fmt::Debug {
    async fn get(&self, key: &str) -> Result<Option<String>, BackendError>;
    /// Stores a value (`ttl: None` = no expiry), evicting least-recently-used user values
    /// while the quota would be exceeded.
    async fn set(
        &self,
        key: &str,
        value: String,
        ttl: Option<Duration>,
    ) -> Result<(), BackendError>;
    async fn delete(&self, key: &str) -> Result<bool, BackendError>;
    /// Whether `key` holds `value`, as a user value or as a lock's owner.
    async fn holds(&self, key: &str, value: &str) -> Result<bool, BackendError>;
    async fn acquire(&self, key: &str, owner: &str, ttl: Duration) -> Result<bool, BackendError>;
    async fn release(&self, key: &str, owner: &str) -> Result<bool, BackendError>;
}

/// Why a cache call was refused; each has a stable code the guest sees.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CacheError {
    #[error("{0}")]
    InvalidKey(String),
    #[error("{0}")]
    InvalidTtl(String),
    #[error("{0}")]
    InvalidJson(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("the cache is unavailable: {0}")]
    Unavailable(String),
}

impl CacheError {
    pub fn code(&self) -> &'static str {
        match self {
            CacheError::InvalidKey(_) => "INVALID_KEY",
            CacheError::InvalidTtl(_) => "INVALID_TTL",
            CacheError::InvalidJson(_) => "INVALID_JSON",
            CacheError::TooLarge(_) => "VALUE_TOO_LARGE",
            CacheError::Unavailable(_) => "CACHE_UNAVAILABLE",
        }
    }
}

/// The user cache and locks as the capability and the directives use them.
#[derive(Debug)]
pub struct CacheService {
    store: Arc<dyn CacheStore>,
    quota: u64,
    timeout: Duration,
    failures: AtomicU64,
}

/// Checks a logical key: 1 to [`MAX_KEY_BYTES`] bytes, no control characters.
pub fn check_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.len() > MAX_KEY_BYTES {
        return Err(format!("a key must be 1 to {MAX_KEY_BYTES} bytes long"));
    }
    if key.chars().any(char::is_control) {
        return Err("a key must not contain control characters".into());
    }
    Ok(())
}

/// A JSON document in canonical form (object keys sorted, no insignificant whitespace), so
/// that equal values compare equal as text in every backend.
fn canonical_json(text: &str, what: &str) -> Result<String, CacheError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| CacheError::InvalidJson(format!("{what} is not valid JSON: {e}")))?;
    Ok(value.to_string())
}

fn ttl_of(ms: u64) -> Result<Duration, CacheError> {
    let ttl = Duration::from_millis(ms);
    if ms == 0 || ttl > MAX_TTL {
        return Err(CacheError::InvalidTtl(format!(
            "ttl-ms must be between 1 and {} (one year), got {ms}",
            MAX_TTL.as_millis()
        )));
    }
    Ok(ttl)
}

impl CacheService {
    pub fn new(store: Arc<dyn CacheStore>, quota: u64, timeout: Duration) -> Self {
        Self {
            store,
            quota,
            timeout,
            failures: AtomicU64::new(0),
        }
    }

    /// Backend calls that failed or timed out since startup.
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Runs one backend call, ending it at the configured timeout or at `deadline`, whichever
    /// comes first.
    async fn run<T>(
        &self,
        deadline: Instant,
        call: impl Future<Output = Result<T, BackendError>>,
    ) -> Result<T, CacheError> {
        let until = deadline.min(Instant::now() + self.timeout);
        let outcome = match tokio::time::timeout_at(until.into(), call).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => e.0,
            Err(_) => "no answer in time".to_owned(),
        };
        self.failures.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(error = %outcome, "cache call failed");
        Err(CacheError::Unavailable(outcome))
    }

    pub async fn get(&self, key: &str, deadline: Instant) -> Result<Option<String>, CacheError> {
        check_key(key).map_err(CacheError::InvalidKey)?;
        self.run(deadline, self.store.get(key)).await
    }

    /// Stores `value` (JSON text) for `ttl_ms`, or without expiry when `None`.
    pub async fn set(
        &self,
        key: &str,
        value: &str,
        ttl_ms: Option<u64>,
        deadline: Instant,
    ) -> Result<(), CacheError> {
        check_key(key).map_err(CacheError::InvalidKey)?;
        let ttl = ttl_ms.map(ttl_of).transpose()?;
        let value = canonical_json(value, "the value")?;
        let size = (key.len() + value.len()) as u64;
        if size > self.quota {
            return Err(CacheError::TooLarge(format!(
                "the entry is {size} bytes, more than the whole user cache quota of {} bytes",
                self.quota
            )));
        }
        self.run(deadline, self.store.set(key, value, ttl)).await
    }

    pub async fn delete(&self, key: &str, deadline: Instant) -> Result<bool, CacheError> {
        check_key(key).map_err(CacheError::InvalidKey)?;
        self.run(deadline, self.store.delete(key)).await
    }

    pub async fn exists(
        &self,
        key: &str,
        value: &str,
        deadline: Instant,
    ) -> Result<bool, CacheError> {
        check_key(key).map_err(CacheError::InvalidKey)?;
        let value = canonical_json(value, "the value")?;
        self.run(deadline, self.store.holds(key, &value)).await
    }

    pub async fn acquire(
        &self,
        key: &str,
        owner: &str,
        ttl_ms: u64,
        deadline: Instant,
    ) -> Result<bool, CacheError> {
        check_key(key).map_err(CacheError::InvalidKey)?;
        let ttl = ttl_of(ttl_ms)?;
        let owner = canonical_json(owner, "the owner")?;
        if owner.len() > MAX_KEY_BYTES {
            return Err(CacheError::TooLarge(format!(
                "a lock owner must be at most {MAX_KEY_BYTES} bytes of JSON"
            )));
        }
        self.run(deadline, self.store.acquire(key, &owner, ttl))
            .await
    }

    pub async fn release(
        &self,
        key: &str,
        owner: &str,
        deadline: Instant,
    ) -> Result<bool, CacheError> {
        check_key(key).map_err(CacheError::InvalidKey)?;
        let owner = canonical_json(owner, "the owner")?;
        self.run(deadline, self.store.release(key, &owner)).await
    }
}
