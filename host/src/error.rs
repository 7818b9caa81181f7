//! The one HTTP error type of the server and its wire shape (spec §1.10). Every rejection, in
//! the pipeline and in the admin and auth APIs, is an `HttpError`; it never carries secrets or
//! trap messages, which go to the server log instead.

use std::borrow::Cow;

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An HTTP error: status, stable machine code, message and optional JSON details.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpError {
    pub status: u16,
    pub code: Cow<'static, str>,
    pub message: String,
    pub details: Option<Value>,
    /// Headers of the error response, e.g. `Retry-After` on a 429.
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl HttpError {
    pub fn new(
        status: u16,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            details: None,
            headers: Vec::new(),
        }
    }

    /// Adds a response header (a static name and a value known to be valid).
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Replaces the machine code.
    pub fn with_code(mut self, code: impl Into<Cow<'static, str>>) -> Self {
        self.code = code.into();
        self
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NOT_FOUND", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(409, code, message)
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(422, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(401, code, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "FORBIDDEN", message)
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            413,
            "PAYLOAD_TOO_LARGE",
            format!("request body exceeds the limit of {limit} bytes"),
        )
    }

    /// An unexpected server fault: the client learns only that it happened; the cause is
    /// logged here with the request's context by the caller.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(500, "INTERNAL_ERROR", "internal server error")
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The error's `name`: the status reason in PascalCase with `Error`, e.g. `BadRequestError`.
    pub fn name(&self) -> String {
        let reason = self.status_code().canonical_reason().unwrap_or("Http");
        let mut name: String = reason
            .replace('\'', "")
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                let mut cs = w.chars();
                cs.next()
                    .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                    .unwrap_or_default()
            })
            .collect();
        name.push_str("Error");
        name
    }
}

/// A response header a hook asked for: a valid name and value, and not one of the framing
/// headers that belong to the server.
pub fn response_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), String> {
    let name = HeaderName::try_from(name).map_err(|_| format!("invalid header name {name:?}"))?;
    if name == axum::http::header::CONTENT_LENGTH || name == axum::http::header::TRANSFER_ENCODING {
        return Err(format!("header {name} is set by the server"));
    }
    let value = HeaderValue::try_from(value).map_err(|_| "invalid header value".to_owned())?;
    Ok((name, value))
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for HttpError {}

impl From<sea_orm::DbErr> for HttpError {
    /// No free connection in time is 503 `DATABASE_BUSY`, a database that cannot be reached
    /// (down, restarting, the connection cut) 503 `DATABASE_UNAVAILABLE`: the client may retry
    /// both. Anything else the database said is a server fault.
    fn from(e: sea_orm::DbErr) -> Self {
        match e {
            sea_orm::DbErr::ConnectionAcquire(_) => {
                tracing::warn!(error = %e, "no database connection in time");
                HttpError::new(
                    503,
                    "DATABASE_BUSY",
                    "the database has no free connection right now; retry shortly",
                )
            }
            e if database_unreachable(&e) => {
                tracing::warn!(error = %e, "the database cannot be reached");
                HttpError::new(
                    503,
                    "DATABASE_UNAVAILABLE",
                    "the database cannot be reached right now; retry shortly",
                )
            }
            e => HttpError::internal(format!("database: {e}")),
        }
    }
}

/// Whether `e` says the database could not be reached rather than refusing the statement: a
/// broken or refused connection, or PostgreSQL shutting down or starting (class 57P).
fn database_unreachable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};
    let (DbErr::Conn(RuntimeErr::SqlxError(e))
    | DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))) = e
    else {
        return matches!(e, DbErr::Conn(_));
    };
    match e {
        Sqlx::Io(_)
        | Sqlx::Tls(_)
        | Sqlx::PoolClosed
        | Sqlx::PoolTimedOut
        | Sqlx::WorkerCrashed => true,
        Sqlx::Database(db) => db.code().is_some_and(|code| code.starts_with("57P")),
        _ => false,
    }
}

/// Where the request was when it failed; filled in by the request envelope middleware.
#[derive(Debug, Clone, Default)]
pub struct RequestInfo {
    pub request_id: String,
    pub method: String,
    pub path: String,
}

/// Renders the error body: `{"statusCode", "message", "error": {code, name, details,
/// timestamp, path, method, requestId}}`, plus `logs` when any phase logged.
pub fn error_body(err: &HttpError, info: &RequestInfo, timestamp: &str, logs: &[String]) -> Value {
    let mut body = json!({
        "statusCode": err.status,
        "message": err.message,
        "error": {
            "code": err.code,
            "name": err.name(),
            "details": err.details.clone().unwrap_or(Value::Null),
            "timestamp": timestamp,
            "path": info.path,
            "method": info.method,
            "requestId": info.request_id,
        }
    });
    if !logs.is_empty() {
        body["logs"] = json!(logs);
    }
    body
}

/// Marker left in a response's extensions so that the envelope middleware renders the body
/// with the request's path, method and id (and the logs collected so far).
#[derive(Debug, Clone)]
pub struct PendingError {
    pub error: HttpError,
    pub logs: Vec<String>,
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut response = self.status_code().into_response();
        response.extensions_mut().insert(PendingError {
            error: self,
            logs: Vec::new(),
        });
        response
    }
}

/// RFC 3339 UTC timestamp with milliseconds, the format of every `timestamp` field.
pub fn now_timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbErr, RuntimeErr, sqlx};

    use super::HttpError;

    fn answer(e: DbErr) -> (u16, String) {
        let e = HttpError::from(e);
        (e.status, e.code.to_string())
    }

    /// (The soak test meets the real errors: a PostgreSQL restart under load.)
    #[test]
    fn an_unreachable_database_is_503_and_a_refused_statement_500() {
        let refused = DbErr::Conn(RuntimeErr::SqlxError(sqlx::Error::Io(
            std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        )));
        assert_eq!(answer(refused), (503, "DATABASE_UNAVAILABLE".into()));
        let cut = DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::Io(
            std::io::Error::from(std::io::ErrorKind::ConnectionReset),
        )));
        assert_eq!(answer(cut), (503, "DATABASE_UNAVAILABLE".into()));
        let closed = DbErr::Exec(RuntimeErr::SqlxError(sqlx::Error::PoolClosed));
        assert_eq!(answer(closed), (503, "DATABASE_UNAVAILABLE".into()));
        let refused_statement = DbErr::Query(RuntimeErr::SqlxError(sqlx::Error::RowNotFound));
        assert_eq!(answer(refused_statement), (500, "INTERNAL_ERROR".into()));
        assert_eq!(
            answer(DbErr::Custom("x".into())),
            (500, "INTERNAL_ERROR".into())
        );
    }
}
