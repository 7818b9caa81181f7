//! Sliding-window rate limits: the backend trait and the service the `rate-limit` capability,
//! the guards and the `throttled` directive share. The window is a log of counted requests:
//! at most `max_requests` of them in any `per_seconds` window, so there is no burst at window
//! boundaries, and a refused request is not logged, so it does not consume quota.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::BackendError;
use super::user_cache::check_key;
use crate::config::RateLimitFailurePolicy;

/// Largest `max_requests`: the log keeps one entry per counted request.
pub const MAX_REQUESTS: u32 = 100_000;
/// Longest window: one year.
pub const MAX_WINDOW_SECS: u32 = 365 * 24 * 3600;

/// A limit: `max_requests` in any window of `per_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max_requests: u32,
    pub per_seconds: u32,
}

impl Limit {
    pub fn window_ms(&self) -> u64 {
        u64::from(self.per_seconds) * 1000
    }

    /// Checks the ranges: 1 to [`MAX_REQUESTS`] requests, 1 s to [`MAX_WINDOW_SECS`].
    pub fn validate(&self) -> Result<(), LimitError> {
        if !(1..=MAX_REQUESTS).contains(&self.max_requests) {
            return Err(LimitError::InvalidOptions(format!(
                "maxRequests must be between 1 and {MAX_REQUESTS}, got {}",
                self.max_requests
            )));
        }
        if !(1..=MAX_WINDOW_SECS).contains(&self.per_seconds) {
            return Err(LimitError::InvalidOptions(format!(
                "perSeconds must be between 1 and {MAX_WINDOW_SECS}, got {}",
                self.per_seconds
            )));
        }
        Ok(())
    }
}

/// A rate-limit key in its key space. Plugins name their keys freely, so their keys and the
/// system's (login limits, guards, directives) live in two spaces that cannot meet: whatever a
/// plugin passes to `check` or `reset`, it can never count against or lift a system limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitKey(String);

impl LimitKey {
    /// A key a plugin named (1 to 1024 bytes).
    pub fn plugin(key: &str) -> Result<Self, LimitError> {
        check_key(key).map_err(LimitError::InvalidKey)?;
        Ok(Self(format!("plugin:{key}")))
    }

    /// A key of the server's own, e.g. `auth:login:ip:<ip>`.
    pub fn system(key: impl std::fmt::Display) -> Self {
        Self(format!("system:{key}"))
    }

    /// The key as the backend stores it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A key's window as the backend saw it, after counting (when asked to and allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowState {
    pub allowed: bool,
    /// Requests in the window, including this one when it was counted.
    pub count: u32,
    /// When the oldest request in the window was counted (Unix ms), if any.
    pub oldest_ms: Option<u64>,
    /// The backend's clock, Unix ms.
    pub now_ms: u64,
}

/// A rate-limit backend: the window log of each key, pruned, checked and appended atomically.
#[async_trait]
pub trait RateLimitStore: Send + Sync + std::fmt::Debug {
    /// Prunes `key`'s window to `limit`, and appends this request when `count` and allowed.
    async fn hit(&self, key: &str, limit: Limit, count: bool) -> Result<WindowState, BackendError>;
    async fn reset(&self, key: &str) -> Result<(), BackendError>;
}

/// The reference's Result Object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitVerdict {
    pub allowed: bool,
    pub remaining: u32,
    /// Unix seconds when the oldest counted request leaves the window.
    pub reset_at: u64,
    /// Seconds until a retry can succeed; 0 when allowed.
    pub retry_after: u32,
    pub limit: u32,
    pub window: u32,
}

impl RateLimitVerdict {
    fn from_state(state: WindowState, limit: Limit) -> Self {
        let window_ms = limit.window_ms();
        let frees_at_ms = state.oldest_ms.unwrap_or(state.now_ms) + window_ms;
        let retry_after = if state.allowed {
            0
        } else {
            frees_at_ms
                .saturating_sub(state.now_ms)
                .div_ceil(1000)
                .max(1) as u32
        };
        Self {
            allowed: state.allowed,
            remaining: limit.max_requests.saturating_sub(state.count),
            reset_at: frees_at_ms.div_ceil(1000),
            retry_after,
            limit: limit.max_requests,
            window: limit.per_seconds,
        }
    }

    /// The answer of the fail-open policy: allowed, nothing known about the window.
    fn assumed_open(limit: Limit) -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Self {
            allowed: true,
            remaining: limit.max_requests,
            reset_at: now.as_secs() + u64::from(limit.per_seconds),
            retry_after: 0,
            limit: limit.max_requests,
            window: limit.per_seconds,
        }
    }
}

/// Why a check was refused.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LimitError {
    #[error("{0}")]
    InvalidOptions(String),
    #[error("{0}")]
    InvalidKey(String),
    /// The backend is down and the policy is fail-closed.
    #[error("the rate limiter is unavailable: {0}")]
    Unavailable(String),
}

impl LimitError {
    pub fn code(&self) -> &'static str {
        match self {
            LimitError::InvalidOptions(_) => "INVALID_OPTIONS",
            LimitError::InvalidKey(_) => "INVALID_KEY",
            LimitError::Unavailable(_) => "RATE_LIMIT_UNAVAILABLE",
        }
    }
}

/// Rate limits as every stage uses them: validation, the time limit and the failure policy.
#[derive(Debug)]
pub struct RateLimitService {
    store: Arc<dyn RateLimitStore>,
    timeout: Duration,
    policy: RateLimitFailurePolicy,
    failures: AtomicU64,
}

impl RateLimitService {
    pub fn new(
        store: Arc<dyn RateLimitStore>,
        timeout: Duration,
        policy: RateLimitFailurePolicy,
    ) -> Self {
        Self {
            store,
            timeout,
            policy,
            failures: AtomicU64::new(0),
        }
    }

    /// Checks that failed at the backend since startup (each one answered by the policy).
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Counts a request against `key` when `limit` allows it.
    pub async fn check(
        &self,
        key: &LimitKey,
        limit: Limit,
        deadline: Instant,
    ) -> Result<RateLimitVerdict, LimitError> {
        self.hit(key, limit, true, deadline).await
    }

    /// What [`check`](Self::check) would answer now, without counting.
    pub async fn status(
        &self,
        key: &LimitKey,
        limit: Limit,
        deadline: Instant,
    ) -> Result<RateLimitVerdict, LimitError> {
        self.hit(key, limit, false, deadline).await
    }

    /// Forgets `key`'s window.
    pub async fn reset(&self, key: &LimitKey, deadline: Instant) -> Result<(), LimitError> {
        match self.bounded(deadline, self.store.reset(key.as_str())).await {
            Ok(()) => Ok(()),
            Err(e) => Err(LimitError::Unavailable(e.0)),
        }
    }

    async fn hit(
        &self,
        key: &LimitKey,
        limit: Limit,
        count: bool,
        deadline: Instant,
    ) -> Result<RateLimitVerdict, LimitError> {
        let key = key.as_str();
        limit.validate()?;
        match self
            .bounded(deadline, self.store.hit(key, limit, count))
            .await
        {
            Ok(state) => Ok(RateLimitVerdict::from_state(state, limit)),
            Err(e) => match self.policy {
                RateLimitFailurePolicy::FailOpen => {
                    tracing::warn!(key, error = %e, "rate limiter unavailable; allowing (fail-open)");
                    Ok(RateLimitVerdict::assumed_open(limit))
                }
                RateLimitFailurePolicy::FailClosed => {
                    tracing::warn!(key, error = %e, "rate limiter unavailable; refusing (fail-closed)");
                    Err(LimitError::Unavailable(e.0))
                }
            },
        }
    }

    async fn bounded<T>(
        &self,
        deadline: Instant,
        call: impl Future<Output = Result<T, BackendError>>,
    ) -> Result<T, BackendError> {
        let until = deadline.min(Instant::now() + self.timeout);
        let outcome = match tokio::time::timeout_at(until.into(), call).await {
            Ok(outcome) => outcome,
            Err(_) => Err(BackendError("no answer in time".into())),
        };
        if outcome.is_err() {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Limit = Limit {
        max_requests: 5,
        per_seconds: 60,
    };

    #[test]
    fn an_allowed_check_reports_what_is_left() {
        let state = WindowState {
            allowed: true,
            count: 1,
            oldest_ms: Some(10_000),
            now_ms: 10_000,
        };
        let verdict = RateLimitVerdict::from_state(state, LIMIT);
        assert_eq!(verdict.remaining, 4);
        assert_eq!(verdict.retry_after, 0);
        assert_eq!(verdict.reset_at, 70);
        assert_eq!((verdict.limit, verdict.window), (5, 60));
    }

    #[test]
    fn a_refused_check_waits_for_the_oldest_request_to_leave() {
        let state = WindowState {
            allowed: false,
            count: 5,
            oldest_ms: Some(10_000),
            now_ms: 40_500,
        };
        let verdict = RateLimitVerdict::from_state(state, LIMIT);
        assert_eq!(verdict.remaining, 0);
        assert_eq!(verdict.retry_after, 30, "29.5 s rounds up");
        assert_eq!(verdict.reset_at, 70);
    }

    #[test]
    fn options_out_of_range_are_refused() {
        for (max_requests, per_seconds) in [
            (0, 60),
            (MAX_REQUESTS + 1, 60),
            (5, 0),
            (5, MAX_WINDOW_SECS + 1),
        ] {
            let limit = Limit {
                max_requests,
                per_seconds,
            };
            assert!(matches!(
                limit.validate(),
                Err(LimitError::InvalidOptions(_))
            ));
        }
    }
}
