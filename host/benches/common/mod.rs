//! What the benchmarks share: a request context as the pipeline builds it, the example
//! plugins, and criterion's samples turned into a mean per call.

#![allow(dead_code, reason = "each benchmark uses a different part")]

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ::hookline::cache::Backends;
use ::hookline::capabilities::{Capabilities, HelpersCtx, ReposCtx};
use ::hookline::config::{
    DEFAULT_HOOK_MEMORY_BYTES, DEFAULT_HOOK_TIMEOUT_MS, DEFAULT_LARGE_WARM_SLOTS,
    DEFAULT_MAX_GUEST_OUTPUT_BYTES, DEFAULT_MAX_INSTANCES, DEFAULT_MAX_LOG_ENTRIES,
};
use ::hookline::context::RequestContext;
use ::hookline::runtime::{HookCall, HookRuntime, PluginKind, RuntimeLimits};
use ::hookline::schema::TableRegistry;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use sea_orm::DatabaseConnection;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

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
        logs_dropped: 0,
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

/// The runtime limits the server uses by default, with artifacts cached in `artifacts`.
pub fn default_limits(artifacts: &Path) -> RuntimeLimits {
    RuntimeLimits {
        memory_bytes: DEFAULT_HOOK_MEMORY_BYTES,
        max_instances: DEFAULT_MAX_INSTANCES,
        large_warm_slots: DEFAULT_LARGE_WARM_SLOTS,
        max_large_instances: hookline::Settings::default().effective_max_large_instances(),
        hook_timeout: Duration::from_millis(DEFAULT_HOOK_TIMEOUT_MS),
        max_guest_output_bytes: DEFAULT_MAX_GUEST_OUTPUT_BYTES,
        artifact_dir: artifacts.to_owned(),
        compiler: None,
    }
}

/// Every capability as the server builds it, over `backends`, `db` and `tables`.
pub fn capabilities(
    backends: &Backends,
    db: DatabaseConnection,
    tables: Arc<TableRegistry>,
) -> Capabilities {
    let tokens = Arc::new(::hookline::auth::TokenService::from_settings(
        "benchmark-secret-benchmark-secret-0123",
        &::hookline::Settings::default(),
    ));
    Capabilities {
        helpers: Arc::new(HelpersCtx::new(tokens, 4, 14)),
        cache: backends.cache.clone(),
        limits: backends.limits.clone(),
        repos: Arc::new(ReposCtx {
            db,
            tables,
            limits: ::hookline::schema::reach::QueryLimits {
                max_limit: 1000,
                max_rows: 10_000,
            },
            max_bcrypt_cost: 14,
            crypto: Arc::new(crypto()),
            identities: Arc::new(::hookline::auth::IdentityCache::new(
                std::time::Duration::from_secs(10),
            )),
            events: Arc::new(
                ::hookline::events::EventBus::from_settings(&::hookline::Settings::default())
                    .expect("an event bus without Redis"),
            ),
        }),
    }
}

/// Column encryption keyed like a server with the benchmarks' secret.
pub fn crypto() -> ::hookline::schema::crypto::ColumnCrypto {
    ::hookline::schema::crypto::ColumnCrypto::new(
        "benchmark-secret-benchmark-secret-0123",
        std::iter::empty(),
    )
}

/// An empty table registry, for benchmarks that use no tables.
pub fn no_tables() -> Arc<TableRegistry> {
    Arc::new(TableRegistry::from_pointee(HashMap::new()))
}

/// A hook runtime over `capabilities` with plugin `stem` prepared as the handler `name`, which
/// may use `tables` through `repos`.
pub fn runtime_with(
    limits: RuntimeLimits,
    capabilities: Capabilities,
    stem: &str,
    tables: &[&str],
) -> (HookRuntime, HookCall) {
    let runtime = HookRuntime::new(limits, capabilities).expect("building the hook runtime");
    let binary = plugin_binary(stem);
    let sha256 = hex::encode(Sha256::digest(&binary));
    let plugin = runtime
        .prepare(stem, 1, &sha256, &binary)
        .unwrap_or_else(|e| panic!("preparing {stem}: {e}"));
    let call = HookCall {
        plugin: Arc::new(plugin),
        kind: PluginKind::Handler,
        config: Arc::from("{}"),
        tables: tables.iter().map(|t| Arc::from(*t)).collect(),
    };
    (runtime, call)
}

/// Runs a probe plugin on `path` with the JSON body `op` once and returns its `result`.
pub async fn probe(runtime: &HookRuntime, call: &HookCall, path: &str, op: &Value) -> Value {
    let context = request_context(path, path, op.clone());
    let (_, outcome) = runtime
        .invoke(call, context, Instant::now() + Duration::from_secs(10))
        .await;
    match outcome.expect("probe call") {
        ::hookline::runtime::HookOutcome::Data(data) => data["result"].clone(),
        other => panic!("unexpected outcome {other:?}"),
    }
}

/// Benchmarks `routine` (async, `iters` times on `rt`) under `name`, recording its samples.
pub fn bench_async<F: Future<Output = ()>>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    rt: &tokio::runtime::Runtime,
    name: &str,
    samples: &Samples,
    routine: impl Fn() -> F,
) {
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let elapsed = rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    routine().await;
                }
                start.elapsed()
            });
            samples.borrow_mut().push((iters, elapsed));
            elapsed
        });
    });
}
