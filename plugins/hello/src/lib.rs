//! Handler: greets the `name` route parameter, e.g. `GET /hello/ada` on the route
//! `/hello/:name` answers `{"message": "hello, ada"}`.
//!
//! Config `{"greeting": "hi"}` replaces the word `hello`.

use hookline_sdk::{Context, HookError, Value, json};

/// The greeting when the config names none.
const DEFAULT_GREETING: &str = "hello";

/// Who is greeted when the route has no `name` parameter.
const DEFAULT_NAME: &str = "world";

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let config = ctx.config_json();
    let greeting = config
        .get("greeting")
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_GREETING);
    let name = ctx.param("name").unwrap_or_else(|| DEFAULT_NAME.to_owned());
    Ok(json!({ "message": format!("{greeting}, {name}") }))
}

hookline_sdk::export! { handler: handle }
