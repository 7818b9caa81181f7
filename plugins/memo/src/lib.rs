//! Handler, preHook and postHook that remember earlier calls in their own memory, for the
//! instance reuse tests: each call counts the calls this instance has served. The handler
//! answers the count and the `name` of the call before; the preHook does the same bookkeeping
//! (its `name` for the calls after); the postHook adds its own count to object data as
//! `postCalls`. With a fresh instance per request (the default) a route with only the handler
//! answers `{"calls": 1, "previous": null}` every time; with memo as preHook, handler and
//! postHook the three calls share the request's instance, so every request answers
//! `{"calls": 2, "previous": NAME, "postCalls": 3}`. In reuse mode the counts grow until the
//! instance is replaced. The name `boom` panics (a trap), after which the server must not
//! reuse the instance.

use std::sync::Mutex;

use hookline_sdk::{Context, HookError, Value, json};

/// Calls served and the last `name`, in this instance's linear memory.
static MEMORY: Mutex<(u64, Option<String>)> = Mutex::new((0, None));

/// Counts this call and remembers its name: the calls served so far and the name before.
fn remember(ctx: &Context) -> (u64, Option<String>) {
    let name = ctx.param("name");
    let mut memory = MEMORY.lock().unwrap_or_else(|p| p.into_inner());
    memory.0 += 1;
    let previous = std::mem::replace(&mut memory.1, name.clone());
    if name.as_deref() == Some("boom") {
        panic!("memo plugin asked to trap");
    }
    (memory.0, previous)
}

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let (calls, previous) = remember(ctx);
    Ok(json!({"calls": calls, "previous": previous}))
}

fn before(ctx: &Context) -> Result<Option<Value>, HookError> {
    remember(ctx);
    Ok(None)
}

fn after(ctx: &Context) -> Result<(), HookError> {
    let (calls, _) = remember(ctx);
    let Value::Object(mut data) = ctx.data() else {
        return Ok(());
    };
    data.insert("postCalls".to_owned(), json!(calls));
    ctx.set_data(&data)
}

hookline_sdk::export! { pre_hook: before, handler: handle, post_hook: after }
