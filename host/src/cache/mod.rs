//! The cache backends: the user cache with its LRU quota, distributed locks and sliding-window
//! rate limits, in process (default) or on Redis (`HOOKLINE_REDIS_URL`). Each sits behind a
//! small trait; the services here add what both backends share — key validation, the
//! per-operation time limit, the failure policy and counters — and are used by the `cache` and
//! `rate-limit` capabilities and by the pipeline's guards alike.

mod embedded;
mod limiter;
mod redis;
mod user_cache;

use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;

pub use limiter::{Limit, LimitError, LimitKey, RateLimitService, RateLimitVerdict, WindowState};
pub use user_cache::{CacheError, CacheService};

/// A backend failure: it did not answer, or answered with an error.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct BackendError(pub String);

/// The namespaces of the keys this application stores in a shared backend. User keys are the
/// only ones a plugin names, always under `user_cache`; the others are system keys.
#[derive(Debug, Clone)]
pub struct Namespace {
    node: Arc<str>,
}

impl Namespace {
    pub fn new(node: &str) -> Self {
        Self { node: node.into() }
    }

    /// `<node>:user_cache:<key>`, as the reference stores user keys.
    pub fn user_key(&self, key: &str) -> String {
        format!("{}:user_cache:{key}", self.node)
    }

    /// `<node>:<kind>:<key>` for a system key (`lock`, `rate_limit`, ...).
    pub fn system_key(&self, kind: &str, key: &str) -> String {
        format!("{}:{kind}:{key}", self.node)
    }
}

/// The cache and the rate limiter, built once at startup.
#[derive(Debug, Clone)]
pub struct Backends {
    pub cache: Arc<CacheService>,
    pub limits: Arc<RateLimitService>,
    /// The Redis connection when configured; `None` for the in-process backends.
    redis: Option<Arc<redis::RedisBackend>>,
    timeout: Duration,
}

impl Backends {
    /// Builds the backends the settings name. A bad Redis URL fails here; an unreachable
    /// Redis does not stop the server: it reconnects when Redis comes up and `/ready` reports
    /// the outage meanwhile.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let namespace = Namespace::new(&settings.node_name);
        let quota = settings.user_cache_limit_mb * 1024 * 1024;
        let timeout = Duration::from_millis(settings.cache_timeout_ms);
        let policy = settings.rate_limit_failure_policy;
        match &settings.redis_url {
            None => {
                let store = Arc::new(embedded::EmbeddedStore::new(quota));
                Ok(Self {
                    cache: Arc::new(CacheService::new(store.clone(), quota, timeout)),
                    limits: Arc::new(RateLimitService::new(store, timeout, policy)),
                    redis: None,
                    timeout,
                })
            }
            Some(url) => {
                let backend = Arc::new(redis::RedisBackend::connect(
                    url, namespace, quota, timeout,
                )?);
                Ok(Self {
                    cache: Arc::new(CacheService::new(backend.clone(), quota, timeout)),
                    limits: Arc::new(RateLimitService::new(backend.clone(), timeout, policy)),
                    redis: Some(backend),
                    timeout,
                })
            }
        }
    }

    /// `"embedded"` or `"redis"`.
    pub fn kind(&self) -> &'static str {
        if self.redis.is_some() {
            "redis"
        } else {
            "embedded"
        }
    }

    /// Whether the backend answers now (always, in process).
    pub async fn ping(&self) -> Result<(), BackendError> {
        match &self.redis {
            None => Ok(()),
            Some(redis) => tokio::time::timeout(self.timeout, redis.ping())
                .await
                .unwrap_or_else(|_| Err(BackendError("no answer in time".into()))),
        }
    }
}
