//! Handler that panics, for checking that the server turns a trapping plugin into a 500.

use hookline_sdk::{Context, HookError, Value};

fn handle(_ctx: &Context) -> Result<Value, HookError> {
    panic!("crash plugin panicked on purpose");
}

hookline_sdk::export! { handler: handle }
