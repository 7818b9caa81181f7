//! Context setup (stage 3): reads the body within the cap, parses JSON and the query string,
//! and creates the one `RequestContext` of the request.

use std::net::IpAddr;
use std::time::Instant;

use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

use crate::app::AppState;
use crate::context::RequestContext;
use crate::error::{HttpError, RequestInfo};
use crate::routing::CompiledRoute;

pub async fn context(
    state: &AppState,
    route: &CompiledRoute,
    params: Map<String, Value>,
    client_ip: IpAddr,
    started: Instant,
    request: Request,
) -> Result<RequestContext, HttpError> {
    let (parts, body) = request.into_parts();
    let limit = state.settings.max_body_bytes;
    let raw_body = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| HttpError::payload_too_large(limit))?;
    let is_json = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            let ct = ct.to_ascii_lowercase();
            ct.starts_with("application/json") || ct.contains("+json")
        });
    let body = if is_json && !raw_body.is_empty() {
        serde_json::from_slice(&raw_body).map_err(|e| {
            HttpError::bad_request(
                "INVALID_JSON",
                format!("the request body is not valid JSON: {e}"),
            )
        })?
    } else {
        Value::Null
    };
    let request_id = parts
        .extensions
        .get::<RequestInfo>()
        .map(|info| info.request_id.clone())
        .unwrap_or_default();
    Ok(RequestContext {
        request_id,
        path: parts.uri.path().to_owned(),
        query: parse_query(parts.uri.query().unwrap_or("")),
        method: parts.method,
        route_pattern: route.pattern.clone(),
        params,
        headers: parts.headers,
        client_ip,
        body,
        raw_body,
        user: None,
        share: Map::new(),
        data: Value::Null,
        status: 200,
        error: None,
        response_headers: Default::default(),
        logs: Vec::new(),
        max_log_entries: state.settings.max_log_entries,
        deadline: started + route.timeout,
    })
}

/// `a=1&b=2&b=3` → `{"a": "1", "b": ["2", "3"]}`.
fn parse_query(query: &str) -> Map<String, Value> {
    let mut map = Map::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let value = Value::String(value.into_owned());
        match map.get_mut(key.as_ref()) {
            None => {
                map.insert(key.into_owned(), value);
            }
            Some(Value::Array(values)) => values.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::parse_query;
    use serde_json::json;

    #[test]
    fn repeated_query_keys_become_arrays() {
        let q = parse_query("a=1&b=2&b=3&c=x%20y");
        assert_eq!(
            serde_json::Value::Object(q),
            json!({"a": "1", "b": ["2", "3"], "c": "x y"})
        );
    }
}
