//! What the benchmarks share: a request context as the pipeline builds it, the example
//! plugins, and criterion's samples turned into a mean per call.

#![allow(dead_code, reason = "each benchmark uses a different part")]

use std::cell::RefCell;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ::hookline::config::DEFAULT_MAX_LOG_ENTRIES;
use ::hookline::context::RequestContext;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use serde_json::{Map, Value};

/// A request context like the pipeline builds for `path` on `pattern` with a JSON `body`.
pub fn request_context(path: &str, pattern: &str, body: Value) -> RequestContext {
    let mut params = Map::new();
    params.insert("name".into(), Value::String("ada".into()));
    let mut headers = HeaderMap::new();
    headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
    headers.insert(header::USER_AGENT, HeaderValue::from_static("bench/1.0"));
    headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
    RequestContext {
        request_id: "0b6f4d4e-3f57-4f0a-9a39-4a3c8e0f6a11".into(),
        method: Method::GET,
        path: path.into(),
        route_pattern: pattern.into(),
        params,
        query: Map::new(),
        headers,
        client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        body,
        raw_body: Default::default(),
        user: None,
        share: Map::new(),
        data: Value::Null,
        status: 200,
        error: None,
        response_headers: HeaderMap::new(),
        logs: Vec::new(),
        max_log_entries: DEFAULT_MAX_LOG_ENTRIES,
        deadline: Instant::now() + Duration::from_secs(30),
    }
}

/// A built example plugin, by file stem.
pub fn plugin_binary(stem: &str) -> Vec<u8> {
    let dir = std::env::var_os("HOOKLINE_PLUGIN_DIR").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../plugins/target/wasm32-wasip2/release")
        },
        PathBuf::from,
    );
    let path = dir.join(format!("{stem}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e} (build the plugins: cd plugins && cargo build --release)",
            path.display()
        )
    })
}

/// (iterations, elapsed) of every routine call criterion made, warm-up included.
pub type Samples = RefCell<Vec<(u64, Duration)>>;

/// Mean time per call over the last `n` routine calls (criterion's measurement samples; the
/// calls before them were its warm-up).
pub fn per_call(samples: &Samples, n: usize) -> Option<Duration> {
    let samples = samples.borrow();
    let measured = &samples[samples.len().saturating_sub(n)..];
    let iters: u64 = measured.iter().map(|(i, _)| i).sum();
    let total: Duration = measured.iter().map(|(_, d)| *d).sum();
    (iters > 0).then(|| total / u32::try_from(iters).unwrap_or(u32::MAX))
}
