//! HTTP method lists as the admin API accepts them.

use axum::http::Method;

use crate::error::HttpError;

const SUPPORTED: [Method; 7] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::HEAD,
    Method::OPTIONS,
];

/// Upper-cases, checks and de-duplicates a method list, keeping its order.
pub fn parse_methods(field: &str, raw: &[String]) -> Result<Vec<Method>, HttpError> {
    let mut out: Vec<Method> = Vec::new();
    for name in raw {
        let upper = name.trim().to_ascii_uppercase();
        let method = SUPPORTED
            .iter()
            .find(|m| m.as_str() == upper)
            .cloned()
            .ok_or_else(|| {
                HttpError::bad_request(
                    "INVALID_METHODS",
                    format!("{field}: {name:?} is not one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"),
                )
            })?;
        if !out.contains(&method) {
            out.push(method);
        }
    }
    Ok(out)
}
