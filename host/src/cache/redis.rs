//! The Redis backend: one multiplexed, auto-reconnecting connection (`ConnectionManager`) and
//! one Lua script per multi-step operation, so each is atomic and one round trip. Scripts read
//! the time from Redis, so every node shares one clock.
//!
//! Keys (`<node>` is `HOOKLINE_NODE_NAME`):
//! - `<node>:user_cache:<key>` — user values (the reference's format);
//! - `<node>:user_cache_meta:{lru,size,total,expiry,clock}` — the quota's bookkeeping: a
//!   sorted set of keys by last use, each key's size, the total, a sorted set of expiry times
//!   (to drop the bookkeeping of keys Redis expired) and the use counter;
//! - `<node>:lock:<key>` — locks; `<node>:rate_limit:<key>` — sorted-set window logs.
//!
//! Scripts touch keys they compute (evicted user keys), which standalone Redis allows and
//! Redis Cluster does not: Hookline expects a standalone Redis (or a primary with replicas).

use std::sync::LazyLock;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisResult, Script};

use super::limiter::{Limit, RateLimitStore, WindowState};
use super::user_cache::CacheStore;
use super::{BackendError, Namespace};

/// Lua shared by the user-cache scripts. KEYS: 1 the value, 2 lru, 3 size, 4 total,
/// 5 expiry, 6 clock. `forget(k)` drops a key's bookkeeping (not its value).
const BOOKKEEPING: &str = r#"
local function forget(k)
  local size = redis.call('HGET', KEYS[3], k)
  if size then
    redis.call('DECRBY', KEYS[4], size)
    redis.call('HDEL', KEYS[3], k)
  end
  redis.call('ZREM', KEYS[2], k)
  redis.call('ZREM', KEYS[5], k)
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
"#;

/// ARGV: 1 logical key, 2 value, 3 ttl ms (0 = none), 4 quota bytes, 5 user-key prefix.
/// Returns the number of keys evicted.
const SET: &str = r#"
local now = now_ms()
for _, k in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', now, 'LIMIT', 0, 256)) do
  forget(k)
end
forget(ARGV[1])
local size = string.len(ARGV[1]) + string.len(ARGV[2])
local quota = tonumber(ARGV[4])
local total = tonumber(redis.call('GET', KEYS[4]) or '0')
local evicted = 0
while total + size > quota do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #oldest == 0 then
    redis.call('SET', KEYS[4], 0)
    break
  end
  redis.call('DEL', ARGV[5] .. oldest[1])
  forget(oldest[1])
  evicted = evicted + 1
  total = tonumber(redis.call('GET', KEYS[4]) or '0')
end
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
  redis.call('ZADD', KEYS[5], now + ttl, ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
redis.call('HSET', KEYS[3], ARGV[1], size)
redis.call('INCRBY', KEYS[4], size)
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[6]), ARGV[1])
return evicted
"#;

/// ARGV: 1 logical key. Returns the value (nil when absent) and marks it used.
const GET: &str = r#"
local value = redis.call('GET', KEYS[1])
if value then
  redis.call('ZADD', KEYS[2], 'XX', redis.call('INCR', KEYS[6]), ARGV[1])
elseif redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then
  forget(ARGV[1])
end
return value
"#;

/// ARGV: 1 logical key. Returns 1 when a value was deleted.
const DELETE: &str = r#"
local deleted = redis.call('DEL', KEYS[1])
forget(ARGV[1])
return deleted
"#;

/// KEYS: 1 the value, 2 the lock. ARGV: 1 the value to compare.
const HOLDS: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] or redis.call('GET', KEYS[2]) == ARGV[1] then
  return 1
end
return 0
"#;

/// KEYS: 1 the lock. ARGV: 1 the owner.
const RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// KEYS: 1 the window log. ARGV: 1 max requests, 2 window ms, 3 count (1/0), 4 member.
/// Returns {allowed, count, oldest ms (-1 when empty), now ms}.
const HIT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = count < tonumber(ARGV[1])
if allowed and ARGV[3] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local first = -1
if #oldest > 0 then first = tonumber(oldest[2]) end
return {allowed and 1 or 0, count, first, now}
"#;

struct Scripts {
    set: Script,
    get: Script,
    delete: Script,
    holds: Script,
    release: Script,
    hit: Script,
}

static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    set: Script::new(&format!("{BOOKKEEPING}{SET}")),
    get: Script::new(&format!("{BOOKKEEPING}{GET}")),
    delete: Script::new(&format!("{BOOKKEEPING}{DELETE}")),
    holds: Script::new(HOLDS),
    release: Script::new(RELEASE),
    hit: Script::new(HIT),
});

pub struct RedisBackend {
    connection: ConnectionManager,
    namespace: Namespace,
    quota: u64,
    /// The bookkeeping keys, in the order the user-cache scripts expect after the value key.
    meta: [String; 5],
}

impl std::fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBackend")
            .field("namespace", &self.namespace)
            .field("quota", &self.quota)
            .finish_non_exhaustive()
    }
}

fn failed(e: redis::RedisError) -> BackendError {
    BackendError(format!("redis: {e}"))
}

impl RedisBackend {
    /// Prepares the connection; it is made on first use and remade after every failure, so
    /// the server starts while Redis is down and recovers when it returns.
    pub fn connect(
        url: &str,
        namespace: Namespace,
        quota: u64,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)
            .map_err(|e| anyhow::anyhow!("invalid setting: redis_url: {e}"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_secs(2))
            .set_number_of_retries(2);
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| anyhow::anyhow!("connecting to Redis: {e}"))?;
        let meta = ["lru", "size", "total", "expiry", "clock"]
            .map(|part| namespace.system_key("user_cache_meta", part));
        Ok(Self {
            connection,
            namespace,
            quota,
            meta,
        })
    }

    pub async fn ping(&self) -> Result<(), BackendError> {
        let mut connection = self.connection.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
            .map(drop)
            .map_err(failed)
    }

    /// Runs a user-cache script on `key` with `args` after the logical key.
    async fn user_script<T: redis::FromRedisValue>(
        &self,
        script: &Script,
        key: &str,
        args: &[&str],
    ) -> Result<T, BackendError> {
        let mut invocation = script.key(self.namespace.user_key(key));
        for meta in &self.meta {
            invocation.key(meta);
        }
        invocation.arg(key);
        for arg in args {
            invocation.arg(*arg);
        }
        let mut connection = self.connection.clone();
        let result: RedisResult<T> = invocation.invoke_async(&mut connection).await;
        result.map_err(failed)
    }
}

#[async_trait]
impl CacheStore for RedisBackend {
    async fn get(&self, key: &str) -> Result<Option<String>, BackendError> {
        self.user_script(&SCRIPTS.get, key, &[]).await
    }

    async fn set(
        &self,
        key: &str,
        value: String,
        ttl: Option<Duration>,
    ) -> Result<(), BackendError> {
        let ttl_ms = ttl.map_or(0, |t| t.as_millis()).to_string();
        let quota = self.quota.to_string();
        let prefix = self.namespace.user_key("");
        let evicted: u64 = self
            .user_script(&SCRIPTS.set, key, &[&value, &ttl_ms, &quota, &prefix])
            .await?;
        if evicted > 0 {
            tracing::debug!(
                evicted,
                "user cache quota: evicted least-recently-used keys"
            );
        }
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<bool, BackendError> {
        let deleted: i64 = self.user_script(&SCRIPTS.delete, key, &[]).await?;
        Ok(deleted > 0)
    }

    async fn holds(&self, key: &str, value: &str) -> Result<bool, BackendError> {
        let mut connection = self.connection.clone();
        let held: RedisResult<i64> = SCRIPTS
            .holds
            .key(self.namespace.user_key(key))
            .key(self.namespace.system_key("lock", key))
            .arg(value)
            .invoke_async(&mut connection)
            .await;
        Ok(held.map_err(failed)? == 1)
    }

    async fn acquire(&self, key: &str, owner: &str, ttl: Duration) -> Result<bool, BackendError> {
        let mut connection = self.connection.clone();
        let taken: RedisResult<Option<String>> = redis::cmd("SET")
            .arg(self.namespace.system_key("lock", key))
            .arg(owner)
            .arg("NX")
            .arg("PX")
            .arg(ttl.as_millis() as u64)
            .query_async(&mut connection)
            .await;
        Ok(taken.map_err(failed)?.is_some())
    }

    async fn release(&self, key: &str, owner: &str) -> Result<bool, BackendError> {
        let mut connection = self.connection.clone();
        let released: RedisResult<i64> = SCRIPTS
            .release
            .key(self.namespace.system_key("lock", key))
            .arg(owner)
            .invoke_async(&mut connection)
            .await;
        Ok(released.map_err(failed)? == 1)
    }
}

#[async_trait]
impl RateLimitStore for RedisBackend {
    async fn hit(&self, key: &str, limit: Limit, count: bool) -> Result<WindowState, BackendError> {
        let mut connection = self.connection.clone();
        // A unique member per counted request: two requests in one millisecond both count.
        let member = format!("{:016x}", rand::random::<u64>());
        let answer: RedisResult<(i64, i64, i64, i64)> = SCRIPTS
            .hit
            .key(self.namespace.system_key("rate_limit", key))
            .arg(limit.max_requests)
            .arg(limit.window_ms())
            .arg(if count { "1" } else { "0" })
            .arg(member)
            .invoke_async(&mut connection)
            .await;
        let (allowed, in_window, oldest, now) = answer.map_err(failed)?;
        Ok(WindowState {
            allowed: allowed == 1,
            count: u32::try_from(in_window).unwrap_or(u32::MAX),
            oldest_ms: u64::try_from(oldest).ok(),
            now_ms: u64::try_from(now).unwrap_or_default(),
        })
    }

    async fn reset(&self, key: &str) -> Result<(), BackendError> {
        let mut connection = self.connection.clone();
        let result: RedisResult<i64> = redis::cmd("DEL")
            .arg(self.namespace.system_key("rate_limit", key))
            .query_async(&mut connection)
            .await;
        result.map(drop).map_err(failed)
    }
}
