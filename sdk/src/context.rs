//! [`Context`]: a hook's typed view of the request, over the host's `request-context` resource.
//!
//! Every read asks the host for just that value, so a hook pays only for what it uses; nothing
//! is cached here, because a setter's effect must be visible to the next read.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::bindings::hookline::plugin::{context::RequestContext, log};
use crate::error::{HookError, codes};
use crate::json::{parse_host_json, to_json};
use crate::types::{ErrorInfo, LogLevel, Phase, User};

/// The request a hook runs for: read it, change it (as the phase allows), and log.
///
/// One request has one context through every hook of its lifecycle, so what a preHook stores
/// with [`set_share`](Self::set_share) is what later hooks read with [`share`](Self::share).
///
/// # Panics
///
/// The readers that return JSON panic (aborting the hook with a 500) if the host sends text that
/// is not JSON, which a conforming host never does.
pub struct Context<'a> {
    inner: &'a RequestContext,
}

impl<'a> Context<'a> {
    /// Wraps the resource the host lent to the current export call.
    pub(crate) fn new(inner: &'a RequestContext) -> Self {
        Self { inner }
    }

    /// The lifecycle phase the hook runs in.
    pub fn phase(&self) -> Phase {
        self.inner.phase().into()
    }

    /// The HTTP method, e.g. `POST`.
    pub fn method(&self) -> String {
        self.inner.method()
    }

    /// The request path, e.g. `/hello/ada`.
    pub fn path(&self) -> String {
        self.inner.path()
    }

    /// The matched route pattern, e.g. `/hello/:name`.
    pub fn route(&self) -> String {
        self.inner.route()
    }

    /// The route parameters; every value is a JSON string.
    pub fn params(&self) -> Map<String, Value> {
        as_object(parse_host_json(&self.inner.params()))
    }

    /// One route parameter, e.g. `name` for the route `/hello/:name`.
    pub fn param(&self, name: &str) -> Option<String> {
        match self.params().remove(name)? {
            Value::String(value) => Some(value),
            other => Some(other.to_string()),
        }
    }

    /// The query parameters: string values, or an array of strings for a repeated key.
    pub fn query(&self) -> Map<String, Value> {
        as_object(parse_host_json(&self.inner.query()))
    }

    /// A request header by case-insensitive name; several values are joined with `, `.
    pub fn header(&self, name: &str) -> Option<String> {
        self.inner.header(name)
    }

    /// Every request header as `(name, value)` pairs.
    pub fn headers(&self) -> Vec<(String, String)> {
        self.inner.headers()
    }

    /// The client's IP address.
    pub fn client_ip(&self) -> String {
        self.inner.client_ip()
    }

    /// The JSON body deserialised into `T`.
    ///
    /// # Errors
    ///
    /// A 400 with code [`codes::INVALID_BODY`] when the body does not match `T`; a request
    /// without a JSON body has the body `null`, which only types like `Option<_>` accept.
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, HookError> {
        serde_json::from_value(self.body_json()).map_err(|error| {
            HookError::bad_request(format!("invalid request body: {error}"))
                .with_code(codes::INVALID_BODY)
        })
    }

    /// The JSON body; `null` when the request had none or it was not JSON.
    pub fn body_json(&self) -> Value {
        parse_host_json(&self.inner.body())
    }

    /// The body bytes exactly as received.
    pub fn raw_body(&self) -> Vec<u8> {
        self.inner.raw_body()
    }

    /// The authenticated user; `None` for an anonymous request.
    pub fn user(&self) -> Option<User> {
        self.inner.user().map(User::from)
    }

    /// The configuration attached to this hook deserialised into `T` (the JSON is `{}` when
    /// none is attached).
    ///
    /// # Errors
    ///
    /// A 500 with code [`codes::INVALID_CONFIG`] when the configuration does not match `T`:
    /// the server, not the client, is at fault.
    pub fn config<T: DeserializeOwned>(&self) -> Result<T, HookError> {
        serde_json::from_value(self.config_json()).map_err(|error| {
            HookError::internal(
                codes::INVALID_CONFIG,
                format!("invalid hook config: {error}"),
            )
        })
    }

    /// The configuration attached to this hook; `{}` when none is attached.
    pub fn config_json(&self) -> Value {
        parse_host_json(&self.inner.config())
    }

    /// The `share` object that every later hook of the request sees.
    pub fn share(&self) -> Value {
        parse_host_json(&self.inner.share())
    }

    /// postHooks: the response data so far; `null` on the error path.
    pub fn data(&self) -> Value {
        parse_host_json(&self.inner.data())
    }

    /// postHooks: the response status so far.
    pub fn status(&self) -> u16 {
        self.inner.status()
    }

    /// postHooks: the error of an earlier phase, if the request failed.
    pub fn error(&self) -> Option<ErrorInfo> {
        self.inner.error().map(ErrorInfo::from)
    }

    /// preHooks: replaces the request body the handler will see.
    ///
    /// # Errors
    ///
    /// What the host refuses (e.g. outside a preHook), or [`codes::NOT_SERIALIZABLE`].
    pub fn set_body<T: Serialize + ?Sized>(&self, body: &T) -> Result<(), HookError> {
        self.inner
            .set_body(&to_json(body)?)
            .map_err(HookError::from_wit)
    }

    /// preHooks: replaces the query parameters; must serialise to a JSON object.
    ///
    /// # Errors
    ///
    /// What the host refuses (outside a preHook, not an object), or [`codes::NOT_SERIALIZABLE`].
    pub fn set_query<T: Serialize + ?Sized>(&self, query: &T) -> Result<(), HookError> {
        self.inner
            .set_query(&to_json(query)?)
            .map_err(HookError::from_wit)
    }

    /// preHooks: replaces the route parameters; must serialise to a JSON object of strings.
    ///
    /// # Errors
    ///
    /// What the host refuses (outside a preHook, not an object of strings), or
    /// [`codes::NOT_SERIALIZABLE`].
    pub fn set_params<T: Serialize + ?Sized>(&self, params: &T) -> Result<(), HookError> {
        self.inner
            .set_params(&to_json(params)?)
            .map_err(HookError::from_wit)
    }

    /// Any phase: replaces the `share` object; must serialise to a JSON object. To add one key,
    /// read [`share`](Self::share), insert, and write it back.
    ///
    /// # Errors
    ///
    /// What the host refuses (not an object), or [`codes::NOT_SERIALIZABLE`].
    pub fn set_share<T: Serialize + ?Sized>(&self, share: &T) -> Result<(), HookError> {
        self.inner
            .set_share(&to_json(share)?)
            .map_err(HookError::from_wit)
    }

    /// Handler and postHooks: replaces the response data.
    ///
    /// # Errors
    ///
    /// What the host refuses (e.g. in a preHook), or [`codes::NOT_SERIALIZABLE`].
    pub fn set_data<T: Serialize + ?Sized>(&self, data: &T) -> Result<(), HookError> {
        self.inner
            .set_data(&to_json(data)?)
            .map_err(HookError::from_wit)
    }

    /// Handler and postHooks: sets the response status, 100 to 599.
    ///
    /// # Errors
    ///
    /// What the host refuses (e.g. in a preHook, or a status out of range).
    pub fn set_status(&self, status: u16) -> Result<(), HookError> {
        self.inner.set_status(status).map_err(HookError::from_wit)
    }

    /// Handler and postHooks: sets a response header.
    ///
    /// # Errors
    ///
    /// What the host refuses (e.g. in a preHook, or an invalid header name or value).
    pub fn set_header(&self, name: &str, value: &str) -> Result<(), HookError> {
        self.inner
            .set_header(name, value)
            .map_err(HookError::from_wit)
    }

    /// Logs at info level to the response's `logs` array and the server log.
    pub fn log(&self, message: &str) {
        self.log_level(LogLevel::Info, message);
    }

    /// Logs at the given level to the response's `logs` array and the server log.
    pub fn log_level(&self, level: LogLevel, message: &str) {
        log::write(level.into(), message);
    }
}

impl fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("handle", &self.inner.handle())
            .finish()
    }
}

/// The object the host promises for params and query; any other JSON breaks the WIT contract.
fn as_object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("the Hookline host sent {other} where the WIT promises a JSON object"),
    }
}
