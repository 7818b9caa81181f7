//! Handler: answers with what it sees of the request, for checking what reaches a handler.
//!
//! `{"method", "path", "params", "query", "body", "share", "user"}`; `user` is `null` for an
//! anonymous request.

use hookline_sdk::{Context, HookError, Value, json};

fn handle(ctx: &Context) -> Result<Value, HookError> {
    Ok(json!({
        "method": ctx.method(),
        "path": ctx.path(),
        "params": ctx.params(),
        "query": ctx.query(),
        "body": ctx.body_json(),
        "share": ctx.share(),
        "user": ctx.user(),
    }))
}

hookline_sdk::export! { handler: handle }
