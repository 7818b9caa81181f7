//! Sliding-window rate limits (`$ctx.$helpers.$rateLimit` in the reference): at most
//! `max_requests` counted requests in any `per_seconds` window; a refused request does not
//! count. Keys of the templates: `by_ip` → `ip:{ip}:{route}`, `by_user` →
//! `user:{userId}:{route}`, `by_route` → `route:{route}`, `by_ip_global` → `ip:{ip}`,
//! `by_user_global` → `user:{userId}`; [`check`], [`status`] and [`reset`] take such a key or a
//! custom one.
//!
//! ```no_run
//! use hookline_sdk::{Context, HookError, Value, rate_limit};
//!
//! /// preHook on `POST /auth/login`: 5 attempts per minute per client IP.
//! fn limit_logins(_ctx: &Context) -> Result<Option<Value>, HookError> {
//!     let result = rate_limit::by_ip(rate_limit::Options::new(5, 60))?;
//!     if !result.allowed {
//!         return Err(result.too_many(format!(
//!             "Too many login attempts. Try again in {}s",
//!             result.retry_after
//!         )));
//!     }
//!     Ok(None)
//! }
//! ```

use serde::{Deserialize, Serialize};

use crate::HookError;
use crate::bindings::hookline::plugin::rate_limit as wit;

/// The limit: `max_requests` (1 to 100000) in any window of `per_seconds` (1 s to a year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Options {
    /// Most requests allowed in the window.
    pub max_requests: u32,
    /// The window, seconds.
    pub per_seconds: u32,
}

impl Options {
    /// `max_requests` per `per_seconds`.
    pub fn new(max_requests: u32, per_seconds: u32) -> Self {
        Self {
            max_requests,
            per_seconds,
        }
    }

    fn into_wit(self) -> wit::Options {
        wit::Options {
            max_requests: self.max_requests,
            per_seconds: self.per_seconds,
        }
    }
}

/// The reference's Result Object (serialises with its camelCase names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitResult {
    /// Whether the request is allowed (and, for a check, counted).
    pub allowed: bool,
    /// Requests still allowed in the window.
    pub remaining: u32,
    /// Unix time, seconds, when the oldest counted request leaves the window.
    pub reset_at: u64,
    /// Seconds to wait before a retry can succeed; 0 when allowed.
    pub retry_after: u32,
    /// The max requests limit.
    pub limit: u32,
    /// The window, seconds.
    pub window: u32,
}

impl RateLimitResult {
    fn from_wit(r: wit::RateLimitResult) -> Self {
        Self {
            allowed: r.allowed,
            remaining: r.remaining,
            reset_at: r.reset_at,
            retry_after: r.retry_after,
            limit: r.limit,
            window: r.window,
        }
    }

    /// A 429 `RATE_LIMITED` error with `Retry-After` and the `X-RateLimit-*` headers of this
    /// result, to return when `allowed` is false.
    pub fn too_many(&self, message: impl Into<String>) -> HookError {
        HookError::new(429, message)
            .with_code("RATE_LIMITED")
            .with_header("Retry-After", self.retry_after.to_string())
            .with_header("X-RateLimit-Limit", self.limit.to_string())
            .with_header("X-RateLimit-Remaining", self.remaining.to_string())
            .with_header("X-RateLimit-Reset", self.reset_at.to_string())
    }
}

fn answer(
    result: Result<wit::RateLimitResult, wit::RateLimitError>,
) -> Result<RateLimitResult, HookError> {
    result.map(RateLimitResult::from_wit).map_err(refused)
}

fn refused(e: wit::RateLimitError) -> HookError {
    let status = match e.code.as_str() {
        "NO_USER" => 401,
        "RATE_LIMIT_UNAVAILABLE" => 503,
        _ => 400,
    };
    HookError::new(status, e.message).with_code(e.code)
}

/// Counts this request against `ip:{ip}:{route}`.
pub fn by_ip(options: Options) -> Result<RateLimitResult, HookError> {
    answer(wit::by_ip(options.into_wit()))
}

/// Counts this request against `user:{userId}:{route}`; a 401 `NO_USER` without a user.
pub fn by_user(options: Options) -> Result<RateLimitResult, HookError> {
    answer(wit::by_user(options.into_wit()))
}

/// Counts this request against `route:{route}`, shared by every client.
pub fn by_route(options: Options) -> Result<RateLimitResult, HookError> {
    answer(wit::by_route(options.into_wit()))
}

/// Counts this request against `ip:{ip}`, across all routes.
pub fn by_ip_global(options: Options) -> Result<RateLimitResult, HookError> {
    answer(wit::by_ip_global(options.into_wit()))
}

/// Counts this request against `user:{userId}`, across all routes; a 401 without a user.
pub fn by_user_global(options: Options) -> Result<RateLimitResult, HookError> {
    answer(wit::by_user_global(options.into_wit()))
}

/// Counts this request against a custom `key`.
pub fn check(key: &str, options: Options) -> Result<RateLimitResult, HookError> {
    answer(wit::check(key, options.into_wit()))
}

/// What [`check`] would answer now, without counting.
pub fn status(key: &str, options: Options) -> Result<RateLimitResult, HookError> {
    answer(wit::status(key, options.into_wit()))
}

/// Forgets every counted request of `key`.
pub fn reset(key: &str) -> Result<(), HookError> {
    wit::reset(key).map_err(refused)
}
