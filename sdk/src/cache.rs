//! The user cache and distributed locks (`$ctx.$cache` in the reference). Keys are logical
//! (`user:123`); the server namespaces them. Values are anything serde can (de)serialise.
//!
//! A refused call (bad key or TTL, a value larger than the whole cache quota) is a 400
//! [`HookError`] carrying the host's code; a cache backend that does not answer is a 503 with
//! code `CACHE_UNAVAILABLE`. Match on the error's `code` to handle them, or let `?` pass them on.
//!
//! ```no_run
//! use hookline_sdk::{Context, HookError, Value, cache, json};
//!
//! fn count_visits(ctx: &Context) -> Result<Value, HookError> {
//!     let key = format!("visits:{}", ctx.client_ip());
//!     let lock = format!("lock:{key}");
//!     if !cache::acquire(&lock, "counter", 5_000)? {
//!         return Err(HookError::new(409, "busy, try again"));
//!     }
//!     let count = cache::get::<u64>(&key)?.unwrap_or(0) + 1;
//!     cache::set(&key, &count, 60_000)?;
//!     cache::release(&lock, "counter")?;
//!     Ok(json!({ "count": count }))
//! }
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::HookError;
use crate::bindings::hookline::plugin::cache as wit;
use crate::json::to_json;

/// Code of the error [`get`] returns when the stored value does not fit the type asked for.
pub const INVALID_CACHE_VALUE: &str = "INVALID_CACHE_VALUE";

fn refused(e: wit::CacheError) -> HookError {
    let status = if e.code == "CACHE_UNAVAILABLE" {
        503
    } else {
        400
    };
    HookError::new(status, e.message).with_code(e.code)
}

/// The value under `key`, or `None` when it is absent or expired.
///
/// # Errors
///
/// The host's refusal, or a 500 [`INVALID_CACHE_VALUE`] when the value is not a `T`.
pub fn get<T: DeserializeOwned>(key: &str) -> Result<Option<T>, HookError> {
    let Some(text) = wit::get(key).map_err(refused)? else {
        return Ok(None);
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        HookError::new(
            500,
            format!("cached value of {key:?} is not of the expected type: {e}"),
        )
        .with_code(INVALID_CACHE_VALUE)
    })
}

/// Stores `value` under `key` for `ttl_ms` milliseconds (1 ms to one year).
pub fn set<T: Serialize + ?Sized>(key: &str, value: &T, ttl_ms: u64) -> Result<(), HookError> {
    wit::set(key, &to_json(value)?, ttl_ms).map_err(refused)
}

/// Stores `value` under `key` without expiry; the cache quota can still evict it.
pub fn set_no_expire<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), HookError> {
    wit::set_no_expire(key, &to_json(value)?).map_err(refused)
}

/// Takes the lock `key` for `owner` for `ttl_ms` milliseconds; `false` when it is held.
pub fn acquire<T: Serialize + ?Sized>(
    key: &str,
    owner: &T,
    ttl_ms: u64,
) -> Result<bool, HookError> {
    wit::acquire(key, &to_json(owner)?, ttl_ms).map_err(refused)
}

/// Releases the lock `key` if `owner` holds it; `false` otherwise (another owner, expired).
pub fn release<T: Serialize + ?Sized>(key: &str, owner: &T) -> Result<bool, HookError> {
    wit::release(key, &to_json(owner)?).map_err(refused)
}

/// Whether `key` holds `value`, as a cached value or as the owner of the lock `key`.
pub fn exists<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<bool, HookError> {
    wit::exists(key, &to_json(value)?).map_err(refused)
}

/// Removes the value under `key`; `true` when there was one.
pub fn delete_key(key: &str) -> Result<bool, HookError> {
    wit::delete_key(key).map_err(refused)
}
