//! The glue between the WIT exports the `export!` macro generates and a plugin's functions.
//!
//! The macro only wires each export to one of these functions, so all conversion logic is
//! ordinary, type-checked library code rather than generated tokens.

use serde::Serialize;

use crate::Context;
use crate::bindings::hookline::plugin::context::RequestContext;
use crate::bindings::hookline::plugin::types::{HookError as WitHookError, Json};
use crate::error::HookError;
use crate::json::to_json;

/// Runs a preHook: `Ok(Some(value))` becomes the response and skips the handler.
///
/// # Errors
///
/// The hook's error, or [`codes::NOT_SERIALIZABLE`](crate::codes::NOT_SERIALIZABLE) for a
/// response that cannot be serialised.
pub fn run_pre_hook<T: Serialize>(
    ctx: &RequestContext,
    hook: impl FnOnce(&Context<'_>) -> Result<Option<T>, HookError>,
) -> Result<Option<Json>, WitHookError> {
    hook(&Context::new(ctx))
        .and_then(|response| response.as_ref().map(to_json).transpose())
        .map_err(HookError::into_wit)
}

/// Runs a handler: its value becomes the response data.
///
/// # Errors
///
/// The handler's error, or [`codes::NOT_SERIALIZABLE`](crate::codes::NOT_SERIALIZABLE) for a
/// value that cannot be serialised.
pub fn run_handler<T: Serialize>(
    ctx: &RequestContext,
    handler: impl FnOnce(&Context<'_>) -> Result<T, HookError>,
) -> Result<Json, WitHookError> {
    handler(&Context::new(ctx))
        .and_then(|data| to_json(&data))
        .map_err(HookError::into_wit)
}

/// Runs a postHook.
///
/// # Errors
///
/// The hook's error.
pub fn run_post_hook(
    ctx: &RequestContext,
    hook: impl FnOnce(&Context<'_>) -> Result<(), HookError>,
) -> Result<(), WitHookError> {
    hook(&Context::new(ctx)).map_err(HookError::into_wit)
}
