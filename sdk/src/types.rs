//! The plain data a [`Context`](crate::Context) hands out: user, earlier error, phase, log level.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::bindings::hookline::plugin::{context, log, types};
use crate::json::parse_host_json;

/// The authenticated user of the request. Never carries secrets.
///
/// Serialises with the same camelCase field names the rest of the Hookline API uses, so a hook
/// can return it as is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The user's id.
    pub id: i64,
    /// The user's email address.
    pub email: String,
    /// The user's role, when one is assigned.
    pub role: Option<String>,
    /// Whether the user administers the whole server.
    pub is_root_admin: bool,
    /// Whether the user confirmed their email address.
    pub verified: bool,
    /// The id of the user's organization, when they belong to one.
    pub organization: Option<i64>,
}

impl From<types::User> for User {
    fn from(user: types::User) -> Self {
        Self {
            id: user.id,
            email: user.email,
            role: user.role,
            is_root_admin: user.is_root_admin,
            verified: user.verified,
            organization: user.organization,
        }
    }
}

/// The error of an earlier phase, as a postHook sees it on the error path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    /// The error message sent to the client.
    pub message: String,
    /// The error's kind, e.g. `HookError`.
    pub name: String,
    /// The HTTP status of the error response.
    pub status_code: u16,
    /// The `error.details` sent to the client, if any.
    pub details: Option<Value>,
    /// When the error happened, RFC 3339.
    pub timestamp: String,
}

impl From<types::ErrorInfo> for ErrorInfo {
    fn from(error: types::ErrorInfo) -> Self {
        Self {
            message: error.message,
            name: error.name,
            status_code: error.status_code,
            details: error.details.as_deref().map(parse_host_json),
            timestamp: error.timestamp,
        }
    }
}

/// The lifecycle phase a hook runs in; it decides which setters the host accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Before the handler: may rewrite the request or answer it early.
    PreHook,
    /// The handler: produces the response data.
    Handler,
    /// After the handler, on success and on error: may adjust the response.
    PostHook,
}

impl From<context::Phase> for Phase {
    fn from(phase: context::Phase) -> Self {
        match phase {
            context::Phase::PreHook => Self::PreHook,
            context::Phase::Handler => Self::Handler,
            context::Phase::PostHook => Self::PostHook,
        }
    }
}

/// Severity of a log message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogLevel {
    /// Detail for debugging a hook.
    Debug,
    /// Normal operation; what [`Context::log`](crate::Context::log) uses.
    Info,
    /// Something unexpected that the hook recovered from.
    Warn,
    /// A failure.
    Error,
}

impl From<LogLevel> for log::Level {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Debug => Self::Debug,
            LogLevel::Info => Self::Info,
            LogLevel::Warn => Self::Warn,
            LogLevel::Error => Self::Error,
        }
    }
}

#[cfg(test)]
mod tests;
