//! The in-process backend (one node, no other process): moka caches for user values (weighed
//! in bytes, LRU eviction within the quota, per-entry TTL), for locks and for rate-limit
//! windows. Locks and windows are separate caches, so the quota never counts or evicts them.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use moka::Expiry;
use moka::ops::compute::{CompResult, Op};
use moka::policy::EvictionPolicy;
use moka::sync::Cache;

use super::BackendError;
use super::limiter::{Limit, RateLimitStore, WindowState};
use super::user_cache::CacheStore;

/// Most locks and rate-limit windows held at once; beyond it the least recently used go.
const MAX_SYSTEM_ENTRIES: u64 = 1_000_000;

/// A value or a lock owner, with its own time to live.
#[derive(Debug, Clone)]
struct Stored {
    json: Arc<str>,
    ttl: Option<Duration>,
}

/// Each entry expires after its own TTL, measured from its last write.
struct PerEntryTtl;

impl Expiry<String, Stored> for PerEntryTtl {
    fn expire_after_create(&self, _: &String, value: &Stored, _: Instant) -> Option<Duration> {
        value.ttl
    }

    fn expire_after_update(
        &self,
        _: &String,
        value: &Stored,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        value.ttl
    }
}

/// One key's window log: when each counted request happened (Unix ms), oldest first.
#[derive(Debug, Default)]
struct Window {
    log: Mutex<VecDeque<u64>>,
    /// The longest window this key was checked with, ms; idle that long, it is empty.
    span_ms: AtomicU64,
}

/// A window is dropped once it has been idle for its span: every entry has left it by then.
struct IdleForSpan;

impl Expiry<String, Arc<Window>> for IdleForSpan {
    fn expire_after_create(&self, _: &String, w: &Arc<Window>, _: Instant) -> Option<Duration> {
        Some(Duration::from_millis(w.span_ms.load(Ordering::Relaxed)))
    }

    fn expire_after_read(
        &self,
        _: &String,
        w: &Arc<Window>,
        _: Instant,
        _: Option<Duration>,
        _: Instant,
    ) -> Option<Duration> {
        Some(Duration::from_millis(w.span_ms.load(Ordering::Relaxed)))
    }
}

#[derive(Debug)]
pub struct EmbeddedStore {
    values: Cache<String, Stored>,
    locks: Cache<String, Stored>,
    windows: Cache<String, Arc<Window>>,
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64
}

impl EmbeddedStore {
    pub fn new(quota_bytes: u64) -> Self {
        let values = Cache::builder()
            .max_capacity(quota_bytes)
            .weigher(|key: &String, value: &Stored| {
                u32::try_from(key.len() + value.json.len()).unwrap_or(u32::MAX)
            })
            .eviction_policy(EvictionPolicy::lru())
            .expire_after(PerEntryTtl)
            .build();
        let locks = Cache::builder()
            .max_capacity(MAX_SYSTEM_ENTRIES)
            .expire_after(PerEntryTtl)
            .build();
        let windows = Cache::builder()
            .max_capacity(MAX_SYSTEM_ENTRIES)
            .expire_after(IdleForSpan)
            .build();
        Self {
            values,
            locks,
            windows,
        }
    }
}

#[async_trait]
impl CacheStore for EmbeddedStore {
    async fn get(&self, key: &str) -> Result<Option<String>, BackendError> {
        Ok(self.values.get(key).map(|v| v.json.to_string()))
    }

    async fn set(
        &self,
        key: &str,
        value: String,
        ttl: Option<Duration>,
    ) -> Result<(), BackendError> {
        self.values.insert(
            key.to_owned(),
            Stored {
                json: value.into(),
                ttl,
            },
        );
        // Apply the quota now rather than at moka's next housekeeping, so that the cache
        // never stays over it.
        self.values.run_pending_tasks();
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<bool, BackendError> {
        Ok(self.values.remove(key).is_some())
    }

    async fn holds(&self, key: &str, value: &str) -> Result<bool, BackendError> {
        let held = |stored: Option<Stored>| stored.is_some_and(|s| &*s.json == value);
        Ok(held(self.values.get(key)) || held(self.locks.get(key)))
    }

    async fn acquire(&self, key: &str, owner: &str, ttl: Duration) -> Result<bool, BackendError> {
        let outcome = self
            .locks
            .entry(key.to_owned())
            .and_compute_with(|held| match held {
                Some(_) => Op::Nop,
                None => Op::Put(Stored {
                    json: owner.into(),
                    ttl: Some(ttl),
                }),
            });
        Ok(matches!(outcome, CompResult::Inserted(_)))
    }

    async fn release(&self, key: &str, owner: &str) -> Result<bool, BackendError> {
        let outcome = self
            .locks
            .entry(key.to_owned())
            .and_compute_with(|held| match held {
                Some(lock) if &*lock.value().json == owner => Op::Remove,
                _ => Op::Nop,
            });
        Ok(matches!(outcome, CompResult::Removed(_)))
    }
}

#[async_trait]
impl RateLimitStore for EmbeddedStore {
    async fn hit(&self, key: &str, limit: Limit, count: bool) -> Result<WindowState, BackendError> {
        let span = limit.window_ms();
        let window = self.windows.get_with_by_ref(key, || {
            Arc::new(Window {
                log: Mutex::default(),
                span_ms: AtomicU64::new(span),
            })
        });
        window.span_ms.fetch_max(span, Ordering::Relaxed);
        let mut log = window.log.lock().unwrap_or_else(|e| e.into_inner());
        let now = unix_ms();
        while log.front().is_some_and(|&at| at + span <= now) {
            log.pop_front();
        }
        let in_window = log.len() as u32;
        let allowed = in_window < limit.max_requests;
        if allowed && count {
            log.push_back(now);
        }
        Ok(WindowState {
            allowed,
            count: log.len() as u32,
            oldest_ms: log.front().copied(),
            now_ms: now,
        })
    }

    async fn reset(&self, key: &str) -> Result<(), BackendError> {
        self.windows.invalidate(key);
        Ok(())
    }
}
