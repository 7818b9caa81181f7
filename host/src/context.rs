//! The request context: one per request, the same value through every phase (seed 003,
//! "Context Sharing"). Stages and capabilities read and write it; it holds no behaviour of
//! its own beyond bounded logging.

use std::net::IpAddr;
use std::time::Instant;

use axum::http::{HeaderMap, Method};
use bytes::Bytes;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::HttpError;

/// The authenticated user as hooks and handlers see it: never a secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthUser {
    pub id: i64,
    pub email: String,
    pub role: Option<String>,
    pub is_root_admin: bool,
    pub verified: bool,
    pub organization: Option<i64>,
}

/// An error of an earlier phase, as postHooks see it (`error`).
#[derive(Debug, Clone)]
pub struct PhaseError {
    pub error: HttpError,
    pub timestamp: String,
}

#[derive(Debug)]
pub struct RequestContext {
    pub request_id: String,
    pub method: Method,
    pub path: String,
    pub route_pattern: String,
    pub params: Map<String, Value>,
    pub query: Map<String, Value>,
    pub headers: HeaderMap,
    pub client_ip: IpAddr,
    /// The parsed JSON body, `Null` when there was none or it was not JSON.
    pub body: Value,
    pub raw_body: Bytes,
    pub user: Option<AuthUser>,
    pub share: Map<String, Value>,
    pub data: Value,
    pub status: u16,
    pub error: Option<PhaseError>,
    pub response_headers: HeaderMap,
    pub logs: Vec<String>,
    pub max_log_entries: usize,
    /// Log lines refused because the request already held `max_log_entries`.
    pub logs_dropped: usize,
    /// The request deadline (route timeout from the start of the request).
    pub deadline: Instant,
}

impl RequestContext {
    /// A context of no request: what a kept instance's store holds between two requests, so
    /// nothing of the last one stays in it.
    pub fn vacant() -> Self {
        Self {
            request_id: String::new(),
            method: Method::GET,
            path: String::new(),
            route_pattern: String::new(),
            params: Map::new(),
            query: Map::new(),
            headers: HeaderMap::new(),
            client_ip: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            body: Value::Null,
            raw_body: Bytes::new(),
            user: None,
            share: Map::new(),
            data: Value::Null,
            status: 200,
            error: None,
            response_headers: HeaderMap::new(),
            logs: Vec::new(),
            max_log_entries: 0,
            logs_dropped: 0,
            deadline: Instant::now(),
        }
    }

    /// Whether the request holds `max_log_entries` lines already.
    pub fn logs_full(&self) -> bool {
        self.logs.len() >= self.max_log_entries
    }

    /// Appends a log line unless the request already holds `max_log_entries`; says whether
    /// it was kept, and counts it in `logs_dropped` when it was not.
    pub fn log(&mut self, line: impl Into<String>) -> bool {
        if !self.logs_full() {
            self.logs.push(line.into());
            true
        } else {
            self.logs_dropped += 1;
            false
        }
    }
}
