//! Test handler exposing the cache and rate-limit capabilities: the JSON body names an
//! operation and its arguments, e.g. `{"op": "set", "key": "k", "value": 1, "ttlMs": 500}`, and
//! the answer is `{"result": ...}`. A refusal passes through as the error it is.

use hookline_sdk::rate_limit::{self, Options};
use hookline_sdk::{Context, HookError, Value, cache, json, throw};

fn text<'a>(body: &'a Value, key: &str) -> &'a str {
    body.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn number(body: &Value, key: &str) -> u64 {
    body.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn options(body: &Value) -> Options {
    Options::new(
        number(body, "maxRequests") as u32,
        number(body, "perSeconds") as u32,
    )
}

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let body = ctx.body_json();
    let key = text(&body, "key");
    let result = match text(&body, "op") {
        "get" => json!(cache::get::<Value>(key)?),
        "set" => json!(cache::set(key, &body["value"], number(&body, "ttlMs"))?),
        "setNoExpire" => json!(cache::set_no_expire(key, &body["value"])?),
        "acquire" => json!(cache::acquire(key, &body["owner"], number(&body, "ttlMs"))?),
        "release" => json!(cache::release(key, &body["owner"])?),
        "exists" => json!(cache::exists(key, &body["value"])?),
        "deleteKey" => json!(cache::delete_key(key)?),
        "check" => json!(rate_limit::check(key, options(&body))?),
        "status" => json!(rate_limit::status(key, options(&body))?),
        "reset" => json!(rate_limit::reset(key)?),
        "byIp" => json!(rate_limit::by_ip(options(&body))?),
        "byUser" => json!(rate_limit::by_user(options(&body))?),
        "byRoute" => json!(rate_limit::by_route(options(&body))?),
        "byIpGlobal" => json!(rate_limit::by_ip_global(options(&body))?),
        "byUserGlobal" => json!(rate_limit::by_user_global(options(&body))?),
        // The same call without a capability: the baseline of the cache benchmark.
        "nothing" => Value::Null,
        other => throw!(400, format!("unknown op {other:?}")),
    };
    Ok(json!({ "result": result }))
}

hookline_sdk::export! { handler: handle }
