//! [`HookError`], how a hook fails its request with an HTTP error, and the [`throw!`] macro.

use std::fmt;

use serde_json::Value;

use crate::bindings::hookline::plugin::types as wit;
use crate::json::parse_host_json;

/// Machine codes of the errors the SDK raises by itself; a hook's own errors carry the codes it
/// chooses (or none, which the host answers as `HOOK_ERROR`).
pub mod codes {
    /// Text the hook parsed with `serde_json` (e.g. via `?`) was not valid JSON for its type.
    pub const INVALID_JSON: &str = "INVALID_JSON";
    /// The request body did not match the type asked for in
    /// [`Context::body`](crate::Context::body).
    pub const INVALID_BODY: &str = "INVALID_BODY";
    /// The hook's configuration did not match the type asked for in
    /// [`Context::config`](crate::Context::config); the server is misconfigured, hence a 500.
    pub const INVALID_CONFIG: &str = "INVALID_CONFIG";
    /// A value the hook handed to the host could not be serialised to JSON (e.g. a map with
    /// non-string keys); a bug in the hook, hence a 500.
    pub const NOT_SERIALIZABLE: &str = "NOT_SERIALIZABLE";
}

/// An error that ends the hook and becomes the request's HTTP error response.
///
/// Return it as the `Err` of any hook function, build it with [`throw!`], or let `?` convert a
/// [`serde_json::Error`] into a 400.
///
/// ```
/// use hookline_sdk::{HookError, json};
///
/// let error = HookError::new(422, "Age must be positive")
///     .with_code("AGE_INVALID")
///     .with_details(json!({ "field": "age" }));
/// assert_eq!(error.status, 422);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct HookError {
    /// HTTP status, 400 to 599; the host answers anything else as 500.
    pub status: u16,
    /// Stable machine code for clients (`error.code`); `None` is answered as `HOOK_ERROR`.
    pub code: Option<String>,
    /// Human-readable message.
    pub message: String,
    /// Extra JSON for the client (`error.details`).
    pub details: Option<Value>,
    /// Response headers of the error, e.g. `Retry-After` on a 429.
    pub headers: Vec<(String, String)>,
}

impl HookError {
    /// An error with this HTTP status and message, without code or details.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            code: None,
            message: message.into(),
            details: None,
            headers: Vec::new(),
        }
    }

    /// Sets the stable machine code clients match on.
    #[must_use]
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Sets the extra JSON sent to the client as `error.details`.
    #[must_use]
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// Adds a response header to the error, e.g. `Retry-After` on a 429.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A 400 Bad Request: the client sent something wrong.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// A 401 Unauthorized: the client is not authenticated.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, message)
    }

    /// A 403 Forbidden: the client is authenticated but not allowed.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, message)
    }

    /// A 404 Not Found.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }

    /// A 500 for a failure of the server side (configuration, the hook itself), with a code.
    pub(crate) fn internal(code: &str, message: impl Into<String>) -> Self {
        Self::new(500, message).with_code(code)
    }

    /// Converts a value the host lent us back into our type.
    pub(crate) fn from_wit(error: wit::HookError) -> Self {
        Self {
            status: error.status,
            code: error.code,
            message: error.message,
            details: error.details.as_deref().map(parse_host_json),
            headers: error.headers,
        }
    }

    /// Converts into the record the WIT exports return.
    pub(crate) fn into_wit(self) -> wit::HookError {
        wit::HookError {
            status: self.status,
            code: self.code,
            message: self.message,
            details: self.details.map(|details| details.to_string()),
            headers: self.headers,
        }
    }
}

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}

impl std::error::Error for HookError {}

impl From<serde_json::Error> for HookError {
    /// A 400 with code [`codes::INVALID_JSON`]: JSON a hook parses usually came from the client.
    fn from(error: serde_json::Error) -> Self {
        Self::bad_request(format!("invalid JSON: {error}")).with_code(codes::INVALID_JSON)
    }
}

/// Returns `Err(HookError)` from the current function: `throw!(status, message)`, optionally
/// followed by `code = ...` and then `details = ...`.
///
/// The message is anything that converts into a `String`; use `format!` for interpolation.
///
/// ```
/// use hookline_sdk::{HookError, json, throw};
///
/// fn check_age(age: i64) -> Result<(), HookError> {
///     if age < 0 {
///         let details = json!({ "age": age });
///         throw!(422, "Age must be positive", code = "AGE_INVALID", details = details);
///     }
///     if age > 150 {
///         throw!(422, format!("{age} is not a plausible age"));
///     }
///     Ok(())
/// }
///
/// assert_eq!(check_age(-1).unwrap_err().code.as_deref(), Some("AGE_INVALID"));
/// assert_eq!(check_age(200).unwrap_err().status, 422);
/// ```
#[macro_export]
macro_rules! throw {
    ($status:expr, $message:expr $(, code = $code:expr)? $(, details = $details:expr)? $(,)?) => {
        return ::core::result::Result::Err(
            $crate::HookError::new($status, $message)
                $(.with_code($code))?
                $(.with_details($details))?
        )
    };
}

#[cfg(test)]
mod tests;
