//! Handler that remembers earlier requests in its own memory, for the instance reuse tests:
//! it answers how many calls this instance has served and the `name` of the one before. With
//! a fresh instance per request (the default) every answer is `{"calls": 1, "previous": null}`;
//! in reuse mode the count grows until the instance is replaced. The name `boom` panics (a
//! trap), after which the server must not reuse the instance.

use std::sync::Mutex;

use hookline_sdk::{Context, HookError, Value, json};

/// Calls served and the last `name`, in this instance's linear memory.
static MEMORY: Mutex<(u64, Option<String>)> = Mutex::new((0, None));

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let name = ctx.param("name");
    let mut memory = MEMORY.lock().unwrap_or_else(|p| p.into_inner());
    memory.0 += 1;
    let previous = std::mem::replace(&mut memory.1, name.clone());
    if name.as_deref() == Some("boom") {
        panic!("memo plugin asked to trap");
    }
    Ok(json!({"calls": memory.0, "previous": previous}))
}

hookline_sdk::export! { handler: handle }
