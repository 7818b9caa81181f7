//! Context setup (stage 3): parses the query string and creates the one `RequestContext` of
//! the request. The body is read later, after admission ([`super::body`]).

use std::net::IpAddr;
use std::time::Instant;

use axum::http::request::Parts;
use bytes::Bytes;
use serde_json::{Map, Value};

use crate::app::AppState;
use crate::context::RequestContext;
use crate::error::RequestInfo;
use crate::routing::CompiledRoute;

/// The context of a request whose body is not read yet: [`super::body::read`] fills `body` and
/// `raw_body` once admission has passed.
pub fn context(
    state: &AppState,
    route: &CompiledRoute,
    params: Map<String, Value>,
    client_ip: IpAddr,
    started: Instant,
    parts: Parts,
) -> RequestContext {
    let request_id = parts
        .extensions
        .get::<RequestInfo>()
        .map(|info| info.request_id.clone())
        .unwrap_or_default();
    RequestContext {
        request_id,
        path: parts.uri.path().to_owned(),
        query: parse_query(parts.uri.query().unwrap_or("")),
        method: parts.method,
        route_pattern: route.pattern.clone(),
        params,
        headers: parts.headers,
        client_ip,
        body: Value::Null,
        raw_body: Bytes::new(),
        user: None,
        share: Map::new(),
        data: Value::Null,
        status: 200,
        error: None,
        response_headers: Default::default(),
        logs: Vec::new(),
        max_log_entries: state.settings.max_log_entries,
        logs_dropped: 0,
        deadline: started + route.timeout,
    }
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
