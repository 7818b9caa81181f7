//! JSON across the Wasm boundary: the WIT passes every structured value as JSON text.

use serde::Serialize;
use serde_json::Value;

use crate::error::{HookError, codes};

/// Parses JSON produced by the host.
///
/// The host serialises every `json` value with a JSON library, so invalid text means the host
/// broke the WIT contract; trapping (the panic aborts the instance) reports that as a 500 rather
/// than letting the hook act on made-up data.
pub(crate) fn parse_host_json(text: &str) -> Value {
    serde_json::from_str(text)
        .unwrap_or_else(|error| panic!("the Hookline host sent invalid JSON ({error}): {text}"))
}

/// Serialises a value the hook hands to the host.
///
/// # Errors
///
/// A 500 with code [`codes::NOT_SERIALIZABLE`]: only a bug in the hook (e.g. a map with
/// non-string keys) makes serialisation fail.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, HookError> {
    serde_json::to_string(value).map_err(|error| {
        HookError::internal(
            codes::NOT_SERIALIZABLE,
            format!("value is not serialisable to JSON: {error}"),
        )
    })
}
