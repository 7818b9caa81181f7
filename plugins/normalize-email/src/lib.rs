//! preHook: requires a string `email` in the JSON body and normalises it (trimmed, lowercase),
//! then marks the request with `share.validationPassed = true` for later hooks.

use hookline_sdk::{Context, HookError, Value, json, throw};

fn before(ctx: &Context) -> Result<Option<Value>, HookError> {
    let mut body = ctx.body_json();
    let Some(email) = body.get("email").and_then(Value::as_str) else {
        throw!(400, "Email is required");
    };
    body["email"] = json!(email.trim().to_lowercase());
    ctx.set_body(&body)?;

    let mut share = ctx.share();
    share["validationPassed"] = json!(true);
    ctx.set_share(&share)?;
    Ok(None)
}

hookline_sdk::export! { pre_hook: before }
