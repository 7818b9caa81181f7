//! Handler: counts the calls of each user (or, anonymous, of each client IP) in the cache and
//! answers `{"count": N}`. A lock around the read-modify-write keeps concurrent requests of one
//! user from losing increments, on one node or many.

use hookline_sdk::{Context, HookError, Value, cache, helpers, json, throw};

/// How long the lock may be held before it expires on its own (a crashed holder).
const LOCK_TTL_MS: u64 = 2_000;
/// Attempts to take the lock, 5 ms apart, before answering 503.
const ATTEMPTS: u32 = 200;

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let who = match ctx.user() {
        Some(user) => format!("user:{}", user.id),
        None => format!("ip:{}", ctx.client_ip()),
    };
    let key = format!("counter:{who}");
    let lock = format!("lock:{key}");
    let owner = helpers::crypto::random_uuid();
    let mut attempts = 0;
    while !cache::acquire(&lock, &owner, LOCK_TTL_MS)? {
        attempts += 1;
        if attempts == ATTEMPTS {
            throw!(503, "the counter is busy, try again", code = "COUNTER_BUSY");
        }
        helpers::sleep(5);
    }
    let count = cache::get::<u64>(&key).map(|c| c.unwrap_or(0) + 1);
    let stored = count
        .clone()
        .and_then(|count| cache::set_no_expire(&key, &count));
    cache::release(&lock, &owner)?;
    stored?;
    Ok(json!({ "count": count? }))
}

hookline_sdk::export! { handler: handle }
