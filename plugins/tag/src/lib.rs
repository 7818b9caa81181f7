//! preHook and postHook that leaves a trace, for checking hook order and error handling.
//!
//! Config: `{"tag": "x"}` (default `"tag"`). In both phases the hook appends its tag to the
//! array `share.trace` (creating it; a non-array value is replaced) and logs `tag:<tag>`. Then:
//!
//! - `{"throw": 418, "message": "..."}` fails the request with that status (message default
//!   `tag <tag> threw`), in either phase;
//! - as a preHook, `{"respond": <any JSON>}` answers the request with that value;
//! - as a postHook, object response data gets the trace as its `trace` field.

use hookline_sdk::serde::{Deserialize, Deserializer};
use hookline_sdk::{Context, HookError, Value, json, throw};

/// The hook's configuration.
#[derive(Deserialize)]
#[serde(crate = "hookline_sdk::serde")]
struct TagConfig {
    /// What the hook appends to the trace and logs.
    #[serde(default = "default_tag")]
    tag: String,
    /// A status to fail the request with, after tracing.
    #[serde(default)]
    throw: Option<u16>,
    /// The message of the `throw` error.
    #[serde(default)]
    message: Option<String>,
    /// preHook: the response to answer with; `Some(Value::Null)` when configured as `null`.
    #[serde(default, deserialize_with = "present")]
    respond: Option<Value>,
}

/// The tag when the config names none.
fn default_tag() -> String {
    "tag".to_owned()
}

/// Keeps an explicit `null` apart from a missing key, which `Option<Value>` alone conflates.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

fn before(ctx: &Context) -> Result<Option<Value>, HookError> {
    let config = trace(ctx)?;
    Ok(config.respond)
}

fn after(ctx: &Context) -> Result<(), HookError> {
    trace(ctx)?;
    let Value::Object(mut data) = ctx.data() else {
        return Ok(());
    };
    let trace = ctx
        .share()
        .get("trace")
        .cloned()
        .unwrap_or_else(|| json!([]));
    data.insert("trace".to_owned(), trace);
    ctx.set_data(&data)
}

/// What both phases do first: append the tag to `share.trace`, log it, and throw if configured.
fn trace(ctx: &Context) -> Result<TagConfig, HookError> {
    let config: TagConfig = ctx.config()?;

    let mut share = ctx.share();
    match share.get_mut("trace") {
        Some(Value::Array(trace)) => trace.push(json!(config.tag)),
        _ => share["trace"] = json!([config.tag]),
    }
    ctx.set_share(&share)?;
    ctx.log(&format!("tag:{}", config.tag));

    if let Some(status) = config.throw {
        let message = config
            .message
            .unwrap_or_else(|| format!("tag {} threw", config.tag));
        throw!(status, message);
    }
    Ok(config)
}

hookline_sdk::export! { pre_hook: before, post_hook: after }
