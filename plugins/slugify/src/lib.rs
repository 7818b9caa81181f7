//! Handler: `POST {"text": "My Product Name"}` answers `{"slug": "my-product-name"}` using the
//! host's `auto-slug` helper.

use hookline_sdk::{Context, HookError, Value, helpers, json, throw};

fn handle(ctx: &Context) -> Result<Value, HookError> {
    let body = ctx.body_json();
    let Some(text) = body.get("text").and_then(Value::as_str) else {
        throw!(400, "text is required");
    };
    Ok(json!({ "slug": helpers::auto_slug(text) }))
}

hookline_sdk::export! { handler: handle }
