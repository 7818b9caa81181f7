//! What a cache read costs a hook: `cache.get` from the `cache-probe` plugin on Redis against a
//! bare `redis` GET from Rust in the same run, and the in-process backend's cost per call.
//!
//! - `hook_nothing`: the same plugin and request without a cache call (the invocation cost);
//! - `hook_get_redis` / `bare_redis_get`: the target is hook ≤ 1.3 × bare + invocation;
//! - `hook_get_embedded` and `service_get_embedded` (the backend alone, no hook);
//! - `service_get_redis`: the Redis backend alone (its LRU-touching script), no hook.
//!
//! Run: `cargo bench -p hookline --bench cache`. Needs `redis-server` on `PATH` and the example
//! plugins built (`cd plugins && cargo build --release`).

mod common;

use std::hint::black_box;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ::hookline::Settings;
use ::hookline::cache::Backends;
use ::hookline::runtime::{HookCall, HookRuntime};
use common::{Samples, bench_async, per_call, probe};
use criterion::Criterion;
use serde_json::{Value, json};
use tokio::runtime::Runtime;

const SAMPLE_SIZE: usize = 100;
/// The target: a hook's `cache.get` within 1.3x a bare GET, plus the invocation.
const TARGET_RATIO: f64 = 1.3;

/// A `redis-server` on a free loopback port, killed on drop.
struct RedisProcess {
    port: u16,
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl RedisProcess {
    fn start() -> Option<Self> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .ok()?
            .port();
        let dir = tempfile::tempdir().ok()?;
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Self {
            port,
            child,
            _dir: dir,
        })
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A hook runtime over `backends`, with `cache-probe` prepared as a handler.
fn probe_runtime(
    rt: &Runtime,
    backends: &Backends,
    artifacts: &std::path::Path,
) -> (HookRuntime, HookCall) {
    let db = rt
        .block_on(sea_orm::Database::connect("sqlite::memory:"))
        .expect("an in-memory database");
    let capabilities = common::capabilities(backends, db, common::no_tables());
    common::runtime_with(
        common::default_limits(artifacts),
        capabilities,
        "cache_probe",
        &[],
    )
}

fn main() {
    let Some(redis) = RedisProcess::start() else {
        eprintln!("skipping the cache benchmark: redis-server is not installed or did not start");
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("building the tokio runtime");
    // The Redis connection manager spawns its task on the runtime it is created in.
    let _runtime = rt.enter();
    let artifacts = tempfile::tempdir().expect("artifact directory");
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let on_redis = Backends::from_settings(&Settings {
        redis_url: Some(url.clone()),
        ..Settings::default()
    })
    .expect("redis backends");
    let embedded = Backends::from_settings(&Settings::default()).expect("in-process backends");
    let (redis_runtime, redis_call) = probe_runtime(&rt, &on_redis, artifacts.path());
    let (embedded_runtime, embedded_call) = probe_runtime(&rt, &embedded, artifacts.path());

    let value = json!({"id": 123, "name": "Ada Lovelace", "roles": ["admin", "editor"]});
    let set = json!({"op": "setNoExpire", "key": "user:123", "value": value});
    let get = json!({"op": "get", "key": "user:123"});
    let nothing = json!({"op": "nothing"});
    // Both sides must read the same value before their cost is worth comparing.
    rt.block_on(async {
        probe(&redis_runtime, &redis_call, "/cache", &set).await;
        probe(&embedded_runtime, &embedded_call, "/cache", &set).await;
        assert_eq!(
            probe(&redis_runtime, &redis_call, "/cache", &get).await,
            value
        );
        assert_eq!(
            probe(&embedded_runtime, &embedded_call, "/cache", &get).await,
            value
        );
    });
    let mut bare = rt.block_on(async {
        redis::Client::open(url.as_str())
            .expect("redis url")
            .get_multiplexed_async_connection()
            .await
            .expect("bare redis connection")
    });
    let stored_key = "hookline:user_cache:user:123";
    let stored: String = rt.block_on(async {
        redis::cmd("GET")
            .arg(stored_key)
            .query_async(&mut bare)
            .await
            .expect("bare GET")
    });
    assert_eq!(serde_json::from_str::<Value>(&stored).unwrap(), value);

    let samples: [Samples; 6] = Default::default();
    let names = [
        "hook_nothing",
        "hook_get_redis",
        "bare_redis_get",
        "hook_get_embedded",
        "service_get_embedded",
        "service_get_redis",
    ];
    let mut criterion = Criterion::default()
        .sample_size(SAMPLE_SIZE)
        .configure_from_args();
    let mut group = criterion.benchmark_group("cache_get");
    bench_async(&mut group, &rt, names[0], &samples[0], || async {
        black_box(probe(&embedded_runtime, &embedded_call, "/cache", &nothing).await);
    });
    bench_async(&mut group, &rt, names[1], &samples[1], || async {
        black_box(probe(&redis_runtime, &redis_call, "/cache", &get).await);
    });
    bench_async(&mut group, &rt, names[2], &samples[2], || {
        let mut connection = bare.clone();
        async move {
            let value: Option<String> = redis::cmd("GET")
                .arg(stored_key)
                .query_async(&mut connection)
                .await
                .expect("bare GET");
            black_box(value);
        }
    });
    bench_async(&mut group, &rt, names[3], &samples[3], || async {
        black_box(probe(&embedded_runtime, &embedded_call, "/cache", &get).await);
    });
    let service = embedded.cache.clone();
    bench_async(&mut group, &rt, names[4], &samples[4], || {
        let service = service.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(1);
            black_box(service.get("user:123", deadline).await.expect("get"));
        }
    });
    let on_redis_service = on_redis.cache.clone();
    bench_async(&mut group, &rt, names[5], &samples[5], || {
        let service = on_redis_service.clone();
        async move {
            let deadline = Instant::now() + Duration::from_secs(1);
            black_box(service.get("user:123", deadline).await.expect("get"));
        }
    });
    group.finish();
    criterion.final_summary();

    // In `--test` mode or with a filter, criterion runs each routine once or not at all.
    let means: Vec<Option<Duration>> = samples
        .iter()
        .map(|s| {
            (s.borrow().len() >= SAMPLE_SIZE)
                .then(|| per_call(s, SAMPLE_SIZE))
                .flatten()
        })
        .collect();
    let Some(means) = means.into_iter().collect::<Option<Vec<Duration>>>() else {
        return;
    };
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!();
    println!("per call (mean of the measured samples):");
    for (name, mean) in names.iter().zip(&means) {
        println!("  {name:<22} {:>8.2} µs", us(*mean));
    }
    let (nothing, hook_get, bare_get) = (us(means[0]), us(means[1]), us(means[2]));
    let from_hook = hook_get - nothing;
    let ratio = from_hook / bare_get;
    let target = TARGET_RATIO * bare_get + nothing;
    println!(
        "  cache.get from a hook on Redis: {from_hook:.2} µs over the invocation = {ratio:.2}x a bare GET"
    );
    println!(
        "  target: hook_get_redis <= {TARGET_RATIO} x bare + invocation = {target:.2} µs: {}",
        if hook_get <= target { "met" } else { "NOT met" }
    );
    println!(
        "  in process: {:.2} µs per get through a hook, {:.2} µs in the backend alone",
        us(means[3]) - nothing,
        us(means[4])
    );
    println!(
        "  on Redis: {:.2} µs in the service alone (LRU-touching script), so the hook adds {:.2} µs",
        us(means[5]),
        from_hook - us(means[5])
    );
    drop(redis);
}
