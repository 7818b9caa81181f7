//! Handler that keeps the CPU busy for config `ms` milliseconds (default 1000) and then answers
//! `{"slept": ms}` (printing `slept <ms> ms`), for tests that need a request in flight while something else changes.

use std::hint::black_box;
use std::time::{Duration, Instant};

use hookline_sdk::{Context, HookError, Value, json};

const DEFAULT_MS: u64 = 1000;

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let ms = ctx
        .config_json()
        .get("ms")
        .and_then(Value::as_u64)
        .unwrap_or(DEFAULT_MS);
    let until = Instant::now() + Duration::from_millis(ms);
    let mut turns: u64 = 0;
    while Instant::now() < until {
        turns = black_box(turns.wrapping_add(1));
    }
    // Goes to the request's logs through the captured stdout.
    println!("slept {ms} ms");
    Ok(json!({ "slept": ms }))
}

hookline_sdk::export! { handler: handle }
