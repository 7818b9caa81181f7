//! preHook for `POST /auth/login`-style routes, the reference's "Rate Limit Login Attempts by
//! IP": 5 attempts per 60 s per client IP and route, then 429 with `Retry-After`. The limit can
//! be changed with the hook's configuration, `{"maxRequests": 5, "perSeconds": 60}`.

use hookline_sdk::rate_limit::{self, Options};
use hookline_sdk::serde::Deserialize;
use hookline_sdk::{Context, HookError, Value};

#[derive(Deserialize)]
#[serde(crate = "hookline_sdk::serde", rename_all = "camelCase", default)]
struct Config {
    max_requests: u32,
    per_seconds: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_requests: 5,
            per_seconds: 60,
        }
    }
}

fn limit(ctx: &Context) -> Result<Option<Value>, HookError> {
    let config: Config = ctx.config()?;
    let result = rate_limit::by_ip(Options::new(config.max_requests, config.per_seconds))?;
    if !result.allowed {
        return Err(result.too_many(format!(
            "Too many login attempts. Try again in {}s",
            result.retry_after
        )));
    }
    Ok(None)
}

hookline_sdk::export! { pre_hook: limit }
