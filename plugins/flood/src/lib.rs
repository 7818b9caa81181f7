//! Adversarial handler: floods the host the way a buggy or hostile plugin would, chosen by
//! the handler configuration `{"mode": ..., "count": N}`, so tests can check that each flood
//! is contained (bounded logs, a clean error, neighbours served):
//!
//! - `log`: N `log` calls;
//! - `print-then-panic`: N lines on stdout, then a panic (a trap);
//! - `cache-get`: N cache reads of one key;
//! - `recurse`: unbounded recursion (a stack overflow trap);
//! - `big-data`: answers a string of N bytes.

use std::hint::black_box;

use hookline_sdk::{Context, HookError, Value, cache, json, throw};

/// One level of recursion that never reaches its end in practice (`u64::MAX` levels);
/// `black_box` keeps it from becoming a loop.
fn recurse(depth: u64) -> u64 {
    if black_box(depth) == u64::MAX {
        return 0;
    }
    black_box(recurse(depth + 1) + 1)
}

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let config = ctx.config_json();
    let count = config.get("count").and_then(Value::as_u64).unwrap_or(1);
    match config
        .get("mode")
        .and_then(Value::as_str)
        .unwrap_or_default()
    {
        "log" => {
            for i in 0..count {
                ctx.log(&format!("line {i}"));
            }
        }
        "print-then-panic" => {
            for i in 0..count {
                println!("output line {i}");
            }
            panic!("flooded, then panicked");
        }
        "cache-get" => {
            for _ in 0..count {
                black_box(cache::get::<Value>("flood")?);
            }
        }
        "recurse" => return Ok(json!(recurse(0))),
        "big-data" => return Ok(Value::String("x".repeat(count as usize))),
        other => throw!(400, format!("unknown mode {other:?}")),
    }
    Ok(json!({ "done": count }))
}

hookline_sdk::export! { handler: handle }
