//! Response (stage 10): JSON of `data` with the status and headers hooks set, and the logs —
//! an object response gets a `logs` array, anything else is wrapped as `{"data", "logs"}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::context::RequestContext;
use crate::error::{HttpError, PendingError};

pub fn success(ctx: RequestContext) -> Response {
    let RequestContext {
        data,
        logs,
        status,
        response_headers,
        ..
    } = ctx;
    let body = if logs.is_empty() {
        data
    } else {
        match data {
            Value::Object(mut map) => {
                map.insert("logs".into(), json!(logs));
                Value::Object(map)
            }
            other => json!({"data": other, "logs": logs}),
        }
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().extend(response_headers);
    response
}

pub fn error(error: HttpError, logs: Vec<String>) -> Response {
    let mut response = error.status_code().into_response();
    response
        .extensions_mut()
        .insert(PendingError { error, logs });
    response
}
