//! preHook and postHook: measures how long a request took between them.
//!
//! The preHook stores the start in `share.processStartTime` (ms since the Unix epoch); the
//! postHook adds `processingTime` (ms) to object response data. Other data (an array, or `null`
//! on the error path) is left alone, as is a request whose preHook did not run.

use std::time::{SystemTime, UNIX_EPOCH};

use hookline_sdk::{Context, HookError, Value, json};

/// The `share` key the preHook leaves for the postHook.
const START_KEY: &str = "processStartTime";

fn before(ctx: &Context) -> Result<Option<Value>, HookError> {
    let mut share = ctx.share();
    share[START_KEY] = json!(now_ms());
    ctx.set_share(&share)?;
    Ok(None)
}

fn after(ctx: &Context) -> Result<(), HookError> {
    let Value::Object(mut data) = ctx.data() else {
        return Ok(());
    };
    let Some(start) = ctx.share().get(START_KEY).and_then(Value::as_u64) else {
        return Ok(());
    };
    data.insert(
        "processingTime".to_owned(),
        json!(now_ms().saturating_sub(start)),
    );
    ctx.set_data(&data)
}

/// Milliseconds since the Unix epoch from the WASI wall clock; a clock set before 1970 reads 0
/// rather than failing the request.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

hookline_sdk::export! { pre_hook: before, post_hook: after }
