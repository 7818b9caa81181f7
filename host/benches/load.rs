//! Whole-route load benchmark. In one run it starts a plain axum handler and a Hookline server
//! with one route per shape (the Rust handler alone; with a preHook; with a preHook and a
//! postHook; the JavaScript and the Python handler), then drives each in turn with the same
//! closed-loop generator (keep-alive connections, each sending its next request when the
//! previous answer arrived). It prints requests/s, latency percentiles, server CPU per request,
//! the process's resident memory, and each target's ratio to axum; the target for the
//! three-hook route is a ratio of at least 0.25.
//!
//! Run: `cargo bench -p hookline --bench load`. Settings (environment):
//! - `HOOKLINE_LOAD_SECS` measured seconds per target (default 8), after
//!   `HOOKLINE_LOAD_WARMUP_SECS` of warm-up (default 2);
//! - `HOOKLINE_LOAD_CONNECTIONS` concurrent connections (default 64);
//! - `HOOKLINE_LOAD_MAX_REQUESTS` cap on requests per target, warm-up included (default 5M);
//! - `HOOKLINE_PLUGIN_DIR` where `hello.wasm` and `tag.wasm` are (default: the plugins build);
//! - `HOOKLINE_LOAD_CLIENT_BATCH=1` runs the generator's threads under `SCHED_BATCH` (through
//!   `chrt`), so that a generator thread woken by an answer does not preempt a server thread —
//!   closer to a generator on another machine. Off by default, like a load tool on the host;
//! - `HOOKLINE_LOAD_TARGETS` which targets to drive, a comma list of `axum`, `handler`, `pre`,
//!   `hooks`, `js`, `py`, `js-reuse`, `py-reuse`, `crud`, `pb-handler`, `pb-hooks`, `pb-crud`
//!   (default all; the JavaScript and Python ones are skipped when `plugins/build-all` has not
//!   built `plugins/dist/hello-js.wasm` and `hello-py.wasm`; the `-reuse` ones run them with
//!   `instanceReuse` 1000; the `pb-` ones run PocketBase, see `load/pocketbase.rs`, and are
//!   skipped when it cannot be installed or in the smoke pass);
//! - `HOOKLINE_LOAD_SMAPS=1` prints where the resident memory is (by mapping) before and after;
//! - `HOOKLINE_LARGE_WARM_SLOTS` the server's setting of that name (default 2);
//! - `HOOKLINE_LOAD_ARTIFACTS` a directory for the compiled plugins (default: the server's
//!   temporary data directory). Pass the same one twice and the second run loads them as a
//!   restarted server does, instead of compiling them at upload.
//!
//! Besides requests/s it prints the CPU time the server threads used per answered request,
//! which does not depend on how the generator's scheduling shaped the throughput.
//!
//! Without `--bench` (e.g. `cargo test --benches`) it runs a short smoke pass instead.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper::header::HOST;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;

#[path = "load/memory.rs"]
mod memory;
#[path = "load/pocketbase.rs"]
mod pocketbase;

use memory::{print_resident_breakdown, resident_mib};

/// The target: the three-hook route at no less than this share of plain axum's req/s.
const TARGET_RATIO: f64 = 0.25;
const ADMIN_EMAIL: &str = "bench@example.com";
const ADMIN_PASSWORD: &str = "bench-password-1";
/// The name of the servers' runtime threads, whose CPU time is measured.
const SERVER_THREADS: &str = "server";
/// Pause after a failed connection before dialling again, so a dead server is not spun on.
const RECONNECT_PAUSE: Duration = Duration::from_millis(10);

/// How long and how hard each target is driven.
#[derive(Debug, Clone, Copy)]
struct LoadPlan {
    warmup: Duration,
    measured: Duration,
    connections: usize,
    max_requests: u64,
}

impl LoadPlan {
    fn from_env(bench_mode: bool) -> anyhow::Result<Self> {
        if !bench_mode {
            return Ok(Self {
                warmup: Duration::from_millis(100),
                measured: Duration::from_millis(400),
                connections: 4,
                max_requests: 100_000,
            });
        }
        let secs = |name: &str, default: f64| -> anyhow::Result<Duration> {
            let value: f64 = env_or(name, default)?;
            ensure!(
                (0.0..=3600.0).contains(&value),
                "{name} must be between 0 and 3600"
            );
            Ok(Duration::from_secs_f64(value))
        };
        let plan = Self {
            warmup: secs("HOOKLINE_LOAD_WARMUP_SECS", 2.0)?,
            measured: secs("HOOKLINE_LOAD_SECS", 8.0)?,
            connections: env_or("HOOKLINE_LOAD_CONNECTIONS", 64)?,
            max_requests: env_or("HOOKLINE_LOAD_MAX_REQUESTS", 5_000_000)?,
        };
        ensure!(
            !plan.measured.is_zero(),
            "HOOKLINE_LOAD_SECS must be positive"
        );
        ensure!(
            (1..=4096).contains(&plan.connections),
            "HOOKLINE_LOAD_CONNECTIONS must be between 1 and 4096"
        );
        Ok(plan)
    }
}

fn env_or<T: FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|e| anyhow::anyhow!("{name}={text:?}: {e}")),
        Err(_) => Ok(default),
    }
}

/// One thing the run drives: the plain axum handler, or one Hookline route. Chosen with
/// `HOOKLINE_LOAD_TARGETS` (a comma list of the keys below; default all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// The baseline: plain axum answering the same JSON.
    Axum,
    /// The Rust `hello` handler alone.
    Handler,
    /// `tag` preHook + `hello`.
    Pre,
    /// `tag` preHook + `hello` + `tag` postHook: the route the axum ratio is for.
    Hooks,
    /// The JavaScript `hello-js` handler, a fresh instance per request.
    Js,
    /// The Python `hello-py` handler, a fresh instance per request.
    Py,
    /// `hello-js` in reuse mode (`instanceReuse` [`REUSE`]).
    JsReuse,
    /// `hello-py` in reuse mode.
    PyReuse,
    /// The default CRUD list of a ten-row table (`GET /items`, published).
    Crud,
    /// PocketBase: a JS route answering the same JSON.
    PbHandler,
    /// PocketBase: the same route behind a middleware before and one after the handler.
    PbHooks,
    /// PocketBase: the list of a ten-row collection (`skipTotal`, so no count query, as
    /// Hookline's list without `meta`).
    PbCrud,
}

/// A route path, its handler plugin, and (phase, tag) of each `tag` hook.
type RouteShape = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// Requests one instance serves in the reuse targets.
const REUSE: u32 = 1000;

impl Target {
    const ALL: [Target; 12] = [
        Target::Axum,
        Target::Handler,
        Target::Pre,
        Target::Hooks,
        Target::Js,
        Target::Py,
        Target::JsReuse,
        Target::PyReuse,
        Target::Crud,
        Target::PbHandler,
        Target::PbHooks,
        Target::PbCrud,
    ];

    fn key(self) -> &'static str {
        match self {
            Self::Axum => "axum",
            Self::Handler => "handler",
            Self::Pre => "pre",
            Self::Hooks => "hooks",
            Self::Js => "js",
            Self::Py => "py",
            Self::JsReuse => "js-reuse",
            Self::PyReuse => "py-reuse",
            Self::Crud => "crud",
            Self::PbHandler => "pb-handler",
            Self::PbHooks => "pb-hooks",
            Self::PbCrud => "pb-crud",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Axum => "axum hello (plain)",
            Self::Handler => "hookline handler (Rust)",
            Self::Pre => "hookline pre+handler",
            Self::Hooks => "hookline pre+handler+post",
            Self::Js => "hookline handler (JS)",
            Self::Py => "hookline handler (Python)",
            Self::JsReuse => "hookline JS, reuse",
            Self::PyReuse => "hookline Python, reuse",
            Self::Crud => "hookline CRUD list of 10",
            Self::PbHandler => "pocketbase handler (JS)",
            Self::PbHooks => "pocketbase pre+handler+post",
            Self::PbCrud => "pocketbase list of 10",
        }
    }

    /// The request the load sends; every target but the lists answers
    /// `{"message": "hello, ada"}`.
    fn path(self) -> &'static str {
        match self {
            Self::Axum | Self::Hooks => "/hello/ada",
            Self::Handler | Self::PbHandler => "/handler/ada",
            Self::PbHooks => "/hooks/ada",
            Self::Crud => "/items",
            Self::PbCrud => "/api/collections/items/records?perPage=10&skipTotal=1",
            Self::Pre => "/pre/ada",
            Self::Js => "/js/ada",
            Self::Py => "/py/ada",
            Self::JsReuse => "/js-reuse/ada",
            Self::PyReuse => "/py-reuse/ada",
        }
    }

    /// The Hookline route: its path, handler plugin and (phase, tag) of each `tag` hook.
    fn route(self) -> Option<RouteShape> {
        match self {
            Self::Axum | Self::Crud | Self::PbHandler | Self::PbHooks | Self::PbCrud => None,
            Self::Handler => Some(("/handler/:name", "hello", &[])),
            Self::Pre => Some(("/pre/:name", "hello", &[("pre", "a")])),
            Self::Hooks => Some(("/hello/:name", "hello", &[("pre", "a"), ("post", "b")])),
            Self::Js => Some(("/js/:name", "hello-js", &[])),
            Self::Py => Some(("/py/:name", "hello-py", &[])),
            Self::JsReuse => Some(("/js-reuse/:name", "hello-js-reuse", &[])),
            Self::PyReuse => Some(("/py-reuse/:name", "hello-py-reuse", &[])),
        }
    }

    /// Whether PocketBase serves it.
    fn on_pocketbase(self) -> bool {
        matches!(self, Self::PbHandler | Self::PbHooks | Self::PbCrud)
    }

    /// Whether the answer is what the load expects: the greeting (with the `trace` a postHook
    /// writes, or PocketBase's middleware before the handler), or a list of ten rows.
    fn answered(self, body: &Value) -> bool {
        let rows = |list: &Value| list.as_array().is_some_and(|rows| rows.len() == 10);
        match self {
            Self::Crud => rows(&body["data"]),
            Self::PbCrud => rows(&body["items"]),
            Self::Axum => body["message"] == "hello, ada",
            Self::Hooks => body["message"] == "hello, ada" && body["trace"] == json!(["a", "b"]),
            Self::PbHooks => body["message"] == "hello, ada" && body["trace"] == json!(["a"]),
            _ => body["message"] == "hello, ada" && body["trace"].is_null(),
        }
    }

    fn from_env() -> anyhow::Result<Vec<Self>> {
        let Ok(list) = std::env::var("HOOKLINE_LOAD_TARGETS") else {
            return Ok(Self::ALL.to_vec());
        };
        let mut targets = Vec::new();
        for key in list.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            let target = Self::ALL
                .into_iter()
                .find(|t| t.key() == key)
                .with_context(|| {
                    let keys: Vec<_> = Self::ALL.iter().map(|t| t.key()).collect();
                    format!("HOOKLINE_LOAD_TARGETS: unknown target {key:?} (one of {keys:?})")
                })?;
            if !targets.contains(&target) {
                targets.push(target);
            }
        }
        ensure!(!targets.is_empty(), "HOOKLINE_LOAD_TARGETS names no target");
        Ok(targets)
    }
}

/// What one connection saw during the measured window.
#[derive(Default)]
struct ConnectionReport {
    ok: u64,
    errors: u64,
    latencies_us: Vec<u32>,
    first_error: Option<String>,
}

/// The merged result for one target.
struct TargetReport {
    name: &'static str,
    ok: u64,
    errors: u64,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    capped: bool,
    first_error: Option<String>,
    /// CPU time the server's threads used during the measured window (Linux only).
    server_cpu: Option<Duration>,
}

impl TargetReport {
    fn requests_per_sec(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// Server CPU time per answered request: what a request costs the server whatever the
    /// generator's scheduling did to the throughput.
    fn server_cpu_per_request(&self) -> Option<Duration> {
        let ok = u32::try_from(self.ok).ok().filter(|ok| *ok > 0)?;
        Some(self.server_cpu? / ok)
    }
}

/// User plus system CPU time used so far by this process's threads named `name`, read from
/// `/proc/self/task/*/stat` (Linux reports it in ticks of 1/100 s). None where there is no
/// such file. Only live threads count: one that ends between two readings takes its time with
/// it (the server's runtime workers live as long as the benchmark).
fn threads_cpu(name: &str) -> Option<Duration> {
    let mut ticks = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let Ok(stat) = std::fs::read_to_string(task.ok()?.path().join("stat")) else {
            continue; // the thread ended between the listing and the read
        };
        match stat_cpu_ticks(&stat) {
            Some((comm, used)) if comm == name => ticks += used,
            _ => {}
        }
    }
    Some(ticks_to_duration(ticks))
}

/// The command name and user plus system clock ticks of a `/proc/.../stat` line.
fn stat_cpu_ticks(stat: &str) -> Option<(&str, u64)> {
    // `pid (comm) state ...`: comm may hold spaces, so split after its closing parenthesis.
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    // Fields 14 and 15 of proc(5) (utime, stime) are the 12th and 13th after the comm.
    let used = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    Some((&stat[open + 1..close], used(11)? + used(12)?))
}

fn ticks_to_duration(ticks: u64) -> Duration {
    const TICKS_PER_SEC: u64 = 100;
    Duration::from_millis(ticks * 1000 / TICKS_PER_SEC)
}

/// Shared by a target's connections: when the measured window starts and ends, and the
/// request budget.
struct Window {
    measure_from: Instant,
    until: Instant,
    issued: AtomicU64,
    max_requests: u64,
}

impl Window {
    /// Takes one request from the budget; false once the time or the budget is used up.
    fn take(&self) -> bool {
        Instant::now() < self.until
            && self.issued.fetch_add(1, Ordering::Relaxed) < self.max_requests
    }
}

/// Counts a failure (only inside the measured window) and keeps the first message.
fn fail(report: &mut ConnectionReport, measured: bool, what: String) {
    if measured {
        report.errors += 1;
    }
    report.first_error.get_or_insert(what);
}

/// One keep-alive connection sending `GET path` in a loop until the window closes.
async fn drive_connection(
    addr: SocketAddr,
    path: &'static str,
    window: Arc<Window>,
) -> ConnectionReport {
    let mut report = ConnectionReport::default();
    'connect: while Instant::now() < window.until {
        let stream = match TcpStream::connect(addr).await {
            Ok(stream) => stream,
            Err(e) => {
                fail(
                    &mut report,
                    Instant::now() >= window.measure_from,
                    format!("connect: {e}"),
                );
                tokio::time::sleep(RECONNECT_PAUSE).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) =
            match hyper::client::conn::http1::handshake(TokioIo::new(stream)).await {
                Ok(pair) => pair,
                Err(e) => {
                    fail(
                        &mut report,
                        Instant::now() >= window.measure_from,
                        format!("handshake: {e}"),
                    );
                    tokio::time::sleep(RECONNECT_PAUSE).await;
                    continue;
                }
            };
        tokio::spawn(connection);
        while window.take() {
            let request = Request::get(path)
                .header(HOST, addr.to_string())
                .body(Empty::<Bytes>::new())
                .expect("a valid request");
            if let Err(e) = sender.ready().await {
                fail(
                    &mut report,
                    Instant::now() >= window.measure_from,
                    format!("connection: {e}"),
                );
                continue 'connect;
            }
            let started = Instant::now();
            let measured = started >= window.measure_from;
            let answer = match sender.send_request(request).await {
                Ok(response) => {
                    let status = response.status();
                    match response.into_body().collect().await {
                        Ok(body) => Ok((status, body.to_bytes())),
                        Err(e) => Err(format!("reading the body: {e}")),
                    }
                }
                Err(e) => Err(format!("request: {e}")),
            };
            let done = Instant::now();
            let counted = measured && done <= window.until;
            match answer {
                Ok((status, _)) if status == hyper::StatusCode::OK => {
                    if !counted {
                        continue;
                    }
                    report.ok += 1;
                    let micros = (done - started).as_micros();
                    report
                        .latencies_us
                        .push(u32::try_from(micros).unwrap_or(u32::MAX));
                }
                Ok((status, body)) => fail(
                    &mut report,
                    counted,
                    format!("status {status}: {}", String::from_utf8_lossy(&body)),
                ),
                Err(e) => {
                    fail(&mut report, counted, e);
                    continue 'connect;
                }
            }
        }
        break;
    }
    report
}

/// Drives `addr` with the plan's connections from a runtime of its own, so the generator and
/// the servers are scheduled independently. The server CPU is that of this process's server
/// threads, or of the process `pid` when the target is served by another one.
fn run_load(
    client: &Runtime,
    target: Target,
    addr: SocketAddr,
    plan: LoadPlan,
    pid: Option<u32>,
) -> TargetReport {
    let start = Instant::now();
    let window = Arc::new(Window {
        measure_from: start + plan.warmup,
        until: start + plan.warmup + plan.measured,
        issued: AtomicU64::new(0),
        max_requests: plan.max_requests,
    });
    // Samples the server threads' CPU time at the edges of the measured window.
    let server_cpu = move || match pid {
        Some(pid) => pocketbase::process_cpu(pid),
        None => threads_cpu(SERVER_THREADS),
    };
    let sampler = {
        let window = window.clone();
        std::thread::spawn(move || {
            std::thread::sleep(
                window
                    .measure_from
                    .saturating_duration_since(Instant::now()),
            );
            let before = server_cpu();
            std::thread::sleep(window.until.saturating_duration_since(Instant::now()));
            Some(server_cpu()?.saturating_sub(before?))
        })
    };
    let reports = client.block_on(async {
        let tasks: Vec<_> = (0..plan.connections)
            .map(|_| tokio::spawn(drive_connection(addr, target.path(), window.clone())))
            .collect();
        let mut reports = Vec::with_capacity(tasks.len());
        for task in tasks {
            reports.push(task.await.expect("a connection task panicked"));
        }
        reports
    });
    let server_cpu = sampler.join().expect("the CPU sampler panicked");
    let finished = Instant::now().min(window.until);
    let mut latencies: Vec<u32> = Vec::new();
    let mut report = TargetReport {
        name: target.name(),
        ok: 0,
        errors: 0,
        elapsed: finished.saturating_duration_since(window.measure_from),
        p50: Duration::ZERO,
        p99: Duration::ZERO,
        capped: window.issued.load(Ordering::Relaxed) >= plan.max_requests,
        first_error: None,
        server_cpu,
    };
    for r in reports {
        report.ok += r.ok;
        report.errors += r.errors;
        latencies.extend(r.latencies_us);
        if report.first_error.is_none() {
            report.first_error = r.first_error;
        }
    }
    latencies.sort_unstable();
    let percentile = |p: f64| -> Duration {
        if latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        Duration::from_micros(u64::from(latencies[index]))
    };
    report.p50 = percentile(0.50);
    report.p99 = percentile(0.99);
    report
}

/// The plain axum handler: the same path shape and a JSON body of the same kind.
fn start_axum(server: &Runtime) -> anyhow::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let app = Router::new().route(
        "/hello/{name}",
        get(|Path(name): Path<String>| async move {
            Json(json!({"message": format!("hello, {name}")}))
        }),
    );
    let listener = server.block_on(tokio::net::TcpListener::bind(("127.0.0.1", 0)))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    server.spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok((addr, tx))
}

fn plugin_dir() -> PathBuf {
    std::env::var_os("HOOKLINE_PLUGIN_DIR").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../plugins/target/wasm32-wasip2/release")
        },
        PathBuf::from,
    )
}

/// Where the JavaScript and Python examples are built (`plugins/build-all`).
fn dist_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../plugins/dist")
}

/// The binary of a plugin the targets use, or None when it was not built. `NAME-reuse` is
/// `NAME` uploaded again, to be put in reuse mode.
fn plugin_binary(name: &str) -> Option<Vec<u8>> {
    let file = name.strip_suffix("-reuse").unwrap_or(name);
    let path = match file {
        "hello" | "tag" => plugin_dir().join(format!("{file}.wasm")),
        _ => dist_dir().join(format!("{file}.wasm")),
    };
    std::fs::read(path).ok()
}

/// Uploads the plugins the targets need and creates their routes through the admin API like
/// any client. Returns the targets that could be set up: a JavaScript or Python target whose
/// plugin was not built is left out (with a message), a missing Rust plugin is an error.
async fn configure_hookline(
    base: &str,
    targets: &[Target],
) -> anyhow::Result<(Vec<Target>, String)> {
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = login["accessToken"]
        .as_str()
        .context("login answered no accessToken")?
        .to_owned();
    let admin_json = |path: &str, body: Value| {
        send_admin(http.post(format!("{base}{path}")).json(&body), &token)
    };
    let mut uploaded: Vec<&str> = Vec::new();
    let mut ready = Vec::new();
    for &target in targets {
        if target == Target::Crud {
            configure_crud(&http, base, &token).await?;
        }
        let Some((path, handler, hooks)) = target.route() else {
            ready.push(target);
            continue;
        };
        let needed = std::iter::once(handler).chain((!hooks.is_empty()).then_some("tag"));
        let mut missing = None;
        for name in needed {
            if uploaded.contains(&name) {
                continue;
            }
            let Some(binary) = plugin_binary(name) else {
                missing = Some(name);
                break;
            };
            let response = http
                .post(format!("{base}/admin/plugins?name={name}"))
                .bearer_auth(&token)
                .header(reqwest::header::CONTENT_TYPE, "application/wasm")
                .body(binary)
                .send()
                .await?;
            let status = response.status();
            ensure!(
                status.is_success(),
                "uploading {name}: {status} {}",
                response.text().await?
            );
            if name.ends_with("-reuse") {
                let response = http
                    .patch(format!("{base}/admin/plugins/{name}"))
                    .bearer_auth(&token)
                    .json(&json!({"instanceReuse": REUSE}))
                    .send()
                    .await?;
                let status = response.status();
                ensure!(
                    status.is_success(),
                    "putting {name} in reuse mode: {status} {}",
                    response.text().await?
                );
            }
            uploaded.push(name);
        }
        match missing {
            Some(name @ ("hello" | "tag")) => bail!(
                "{name}.wasm is not in {} (build the plugins: cd plugins && cargo build --release)",
                plugin_dir().display()
            ),
            Some(name) => {
                println!(
                    "skipping {}: {name}.wasm is not in {} (build it with plugins/build-all)",
                    target.key(),
                    dist_dir().display()
                );
                continue;
            }
            None => {}
        }
        let route = admin_json(
            "/admin/routes",
            json!({
                "path": path, "methods": ["GET"], "publishedMethods": ["GET"],
                "handler": {"plugin": handler}
            }),
        )
        .await
        .with_context(|| format!("creating the route {path}"))?;
        let id = route["id"].clone();
        for (phase, tag) in hooks {
            admin_json(
                "/admin/hooks",
                json!({"phase": phase, "route": id, "plugin": "tag", "config": {"tag": tag}}),
            )
            .await
            .with_context(|| format!("creating the {phase}Hook of {path}"))?;
        }
        ready.push(target);
    }
    Ok((ready, token))
}

/// Sends an admin request with the token: its JSON answer, or an error with the status.
async fn send_admin(request: reqwest::RequestBuilder, token: &str) -> anyhow::Result<Value> {
    let response = request.bearer_auth(token).send().await?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    ensure!(status.is_success(), "{status}: {body}");
    Ok(body)
}

/// The CRUD target's table: two columns, ten rows, its default list route published.
async fn configure_crud(http: &reqwest::Client, base: &str, token: &str) -> anyhow::Result<()> {
    let columns = json!([{"name": "title", "type": "varchar"}, {"name": "n", "type": "int"}]);
    let table = json!({"name": "items", "columns": columns});
    send_admin(
        http.post(format!("{base}/admin/tables")).json(&table),
        token,
    )
    .await
    .context("creating the table items")?;
    for n in 1..=10 {
        let row = json!({"title": format!("item {n}"), "n": n});
        send_admin(http.post(format!("{base}/items")).json(&row), token)
            .await
            .context("inserting a row into items")?;
    }
    let routes = send_admin(http.get(format!("{base}/admin/routes")), token)
        .await
        .context("listing routes")?;
    let id = routes
        .as_array()
        .and_then(|routes| routes.iter().find(|r| r["path"] == "/items"))
        .map(|route| route["id"].clone())
        .context("the table's list route /items is missing")?;
    let id = match id {
        Value::String(id) => id,
        other => other.to_string(),
    };
    let published = json!({"publishedMethods": ["GET"]});
    send_admin(
        http.patch(format!("{base}/admin/routes/{id}"))
            .json(&published),
        token,
    )
    .await
    .context("publishing GET /items")?;
    Ok(())
}

/// The runtime's counters (`GET /admin/runtime`): calls, calls served by a kept instance, and
/// calls served by the instance of the same plugin's earlier call in the request.
async fn runtime_counts(base: &str, token: &str) -> anyhow::Result<(u64, u64, u64)> {
    let body: Value = reqwest::Client::new()
        .get(format!("{base}/admin/runtime"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let count = |name: &str| body["stats"][name].as_u64().unwrap_or(0);
    Ok((count("invocations"), count("reused"), count("sameRequest")))
}

/// One request, to check a target answers what the load will ask for.
async fn probe(addr: SocketAddr, target: Target) -> anyhow::Result<()> {
    let path = target.path();
    let response = reqwest::get(format!("http://{addr}{path}")).await?;
    let status = response.status();
    let body: Value = response.json().await?;
    ensure!(
        status == reqwest::StatusCode::OK,
        "GET {path} answered {status}: {body}"
    );
    ensure!(target.answered(&body), "{} answered {body}", target.name());
    Ok(())
}

fn print_report(report: &TargetReport) {
    println!(
        "{:<24} {:>10.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   {:>9} ok   {:>5} errors{}",
        report.name,
        report.requests_per_sec(),
        report.p50.as_secs_f64() * 1e3,
        report.p99.as_secs_f64() * 1e3,
        report.ok,
        report.errors,
        if report.capped {
            "   (request cap reached)"
        } else {
            ""
        },
    );
    if let Some(cpu) = report.server_cpu_per_request() {
        println!(
            "{:<24} server CPU {:>7.1} µs per request",
            "",
            cpu.as_secs_f64() * 1e6
        );
    }
    if let Some(error) = &report.first_error {
        println!("{:<24} first error: {error}", "");
    }
}

/// Under `HOOKLINE_LOAD_CLIENT_BATCH=1`, moves the calling thread to `SCHED_BATCH`.
fn batch_if_asked() {
    if std::env::var("HOOKLINE_LOAD_CLIENT_BATCH").as_deref() != Ok("1") {
        return;
    }
    let tid = std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|path| Some(path.file_name()?.to_string_lossy().into_owned()));
    let moved = tid.is_some_and(|tid| {
        std::process::Command::new("chrt")
            .args(["--batch", "--pid", "0", &tid])
            .status()
            .is_ok_and(|status| status.success())
    });
    if !moved {
        eprintln!("HOOKLINE_LOAD_CLIENT_BATCH: could not run chrt; the generator keeps its policy");
    }
}

/// Starts PocketBase when a target needs it: in the benchmark proper, or in the smoke pass when
/// `HOOKLINE_POCKETBASE` names a binary. Leaves its targets out (saying why) when it cannot.
fn start_pocketbase(bench_mode: bool, targets: &mut Vec<Target>) -> Option<pocketbase::PocketBase> {
    if !targets.iter().any(|t| t.on_pocketbase()) {
        return None;
    }
    let started = if bench_mode || std::env::var_os("HOOKLINE_POCKETBASE").is_some() {
        pocketbase::binary().and_then(|binary| pocketbase::PocketBase::start(&binary))
    } else {
        Err(anyhow::anyhow!(
            "the smoke pass runs it only with HOOKLINE_POCKETBASE set"
        ))
    };
    match started {
        Ok(peer) => Some(peer),
        Err(e) => {
            println!("skipping the pocketbase targets: {e:#}");
            targets.retain(|t| !t.on_pocketbase());
            None
        }
    }
}

/// Each Hookline shape against PocketBase's same shape, with the target for it.
fn print_peer_ratios(reports: &[(Target, TargetReport)]) {
    let find = |wanted: Target| reports.iter().find(|(t, _)| *t == wanted).map(|(_, r)| r);
    let pairs = [
        (Target::Handler, Target::PbHandler, Some(2.0)),
        (Target::Js, Target::PbHandler, None),
        (Target::Py, Target::PbHandler, None),
        (Target::Hooks, Target::PbHooks, Some(1.5)),
        (Target::Crud, Target::PbCrud, Some(2.0)),
    ];
    let mut header = false;
    for (ours, theirs, goal) in pairs {
        let (Some(own), Some(peer)) = (find(ours), find(theirs)) else {
            continue;
        };
        if !std::mem::replace(&mut header, true) {
            println!();
            println!(
                "{:<28} {:<28} {:>10} {:>14}",
                "hookline", "pocketbase", "req/s", "CPU per req"
            );
        }
        let cpu = match (own.server_cpu_per_request(), peer.server_cpu_per_request()) {
            (Some(own), Some(peer)) => format!("{:.2}x", own.as_secs_f64() / peer.as_secs_f64()),
            _ => "-".into(),
        };
        let ratio = own.requests_per_sec() / peer.requests_per_sec();
        let verdict = goal.map_or(String::new(), |goal| {
            format!(
                "  (target >= {goal}: {})",
                if ratio >= goal { "met" } else { "NOT met" }
            )
        });
        println!(
            "{:<28} {:<28} {:>9.2}x {:>14}{verdict}",
            ours.name(),
            theirs.name(),
            ratio,
            cpu
        );
    }
}

fn main() -> anyhow::Result<()> {
    let bench_mode = std::env::args().any(|arg| arg == "--bench");
    let plan = LoadPlan::from_env(bench_mode)?;
    let targets = Target::from_env()?;
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .thread_name(SERVER_THREADS)
        .enable_all()
        .build()?;
    let client = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .thread_name("load")
        .on_thread_start(batch_if_asked)
        .enable_all()
        .build()?;

    let (axum_addr, stop_axum) = start_axum(&server)?;
    let data_dir = tempfile::tempdir()?;
    let settings = hookline::Settings {
        port: 0,
        data_dir: data_dir.path().to_owned(),
        admin_email: Some(ADMIN_EMAIL.into()),
        admin_password: Some(ADMIN_PASSWORD.into()),
        bcrypt_cost: 4,
        secret_key: Some("load-benchmark-secret-key-of-at-least-32-chars".into()),
        artifact_dir: std::env::var_os("HOOKLINE_LOAD_ARTIFACTS").map(Into::into),
        large_warm_slots: env_or(
            "HOOKLINE_LARGE_WARM_SLOTS",
            hookline::config::DEFAULT_LARGE_WARM_SLOTS,
        )?,
        max_large_instances: match std::env::var("HOOKLINE_MAX_LARGE_INSTANCES") {
            Ok(n) => Some(n.parse().context("HOOKLINE_MAX_LARGE_INSTANCES")?),
            Err(_) => None,
        },
        // As `hookline serve` does: uploads compile in a child of the server binary.
        compiler_exe: Some(env!("CARGO_BIN_EXE_hookline").into()),
        ..Default::default()
    };
    // `spawn` starts its accept loop with `tokio::spawn`, so it runs on the server workers.
    let hookline = server.block_on(hookline::spawn(settings))?;
    let hookline_addr = hookline.addr;
    let base = format!("http://{hookline_addr}");
    let (mut targets, token) = client.block_on(configure_hookline(&base, &targets))?;
    let peer = start_pocketbase(bench_mode, &mut targets);
    let addr_of = |target: Target| match (target, &peer) {
        (Target::Axum, _) => axum_addr,
        (t, Some(peer)) if t.on_pocketbase() => peer.addr,
        _ => hookline_addr,
    };
    let peer_pid = |target: Target| match &peer {
        Some(peer) if target.on_pocketbase() => Some(peer.pid()),
        _ => None,
    };
    for &target in &targets {
        client.block_on(probe(addr_of(target), target))?;
    }
    if let Some((rss, _)) = resident_mib() {
        println!("process RSS before the load: {rss:.0} MiB");
    }
    let smaps = std::env::var("HOOKLINE_LOAD_SMAPS").as_deref() == Ok("1");
    if smaps {
        print_resident_breakdown();
    }
    println!(
        "load: {} connections, {:.1} s warm-up + {:.1} s measured per target, cap {} requests, \
         {cores} server and {cores} client worker threads{}",
        plan.connections,
        plan.warmup.as_secs_f64(),
        plan.measured.as_secs_f64(),
        plan.max_requests,
        if std::env::var("HOOKLINE_LOAD_CLIENT_BATCH").as_deref() == Ok("1") {
            " (client threads SCHED_BATCH)"
        } else {
            ""
        },
    );

    let mut reports = Vec::new();
    for &target in &targets {
        let before = client.block_on(runtime_counts(&base, &token))?;
        let report = run_load(&client, target, addr_of(target), plan, peer_pid(target));
        print_report(&report);
        let after = client.block_on(runtime_counts(&base, &token))?;
        if let Some(pid) = peer_pid(target) {
            if let Some(rss) = memory::process_resident_mib(pid) {
                println!("{:<24} pocketbase RSS {rss:.0} MiB", "");
            }
            reports.push((target, report));
            continue;
        }
        if target != Target::Axum {
            println!(
                "{:<24} hook calls {}, of which by a kept instance {}, by the request's own {}",
                "",
                after.0 - before.0,
                after.1 - before.1,
                after.2 - before.2
            );
        }
        if let Some((rss, peak)) = resident_mib() {
            println!("{:<24} process RSS {rss:.0} MiB (peak {peak:.0} MiB)", "");
        }
        reports.push((target, report));
    }

    if smaps {
        println!("with the server still running:");
        print_resident_breakdown();
    }
    let _ = stop_axum.send(());
    // Bounded: a connection left open must not keep the benchmark from ending.
    let stopped = server
        .block_on(async { tokio::time::timeout(Duration::from_secs(10), hookline.stop()).await });
    if stopped.is_err() {
        eprintln!("hookline did not stop within 10 s; exiting anyway");
    }

    let find = |wanted: Target| reports.iter().find(|(t, _)| *t == wanted).map(|(_, r)| r);
    if let Some(axum) = find(Target::Axum) {
        println!();
        println!(
            "{:<28} {:>10} {:>12} {:>14}",
            "target", "req/s", "/ axum", "CPU / axum"
        );
        for (target, report) in &reports {
            let cpu_ratio = match (
                report.server_cpu_per_request(),
                axum.server_cpu_per_request(),
            ) {
                (Some(own), Some(base)) => {
                    format!("{:.2}x", own.as_secs_f64() / base.as_secs_f64())
                }
                _ => "-".into(),
            };
            println!(
                "{:<28} {:>10.0} {:>12.3} {:>14}",
                target.name(),
                report.requests_per_sec(),
                report.requests_per_sec() / axum.requests_per_sec(),
                cpu_ratio
            );
        }
        if let Some(hooks) = find(Target::Hooks) {
            let ratio = hooks.requests_per_sec() / axum.requests_per_sec();
            println!(
                "ratio pre+handler+post / axum: {ratio:.3}  (target >= {TARGET_RATIO}: {})",
                if ratio >= TARGET_RATIO {
                    "met"
                } else {
                    "NOT met"
                }
            );
        }
    }
    print_peer_ratios(&reports);
    if let Some((rss, peak)) = resident_mib() {
        println!("process RSS after the run: {rss:.0} MiB (peak {peak:.0} MiB)");
    }
    if let Some(rss) = peer
        .as_ref()
        .and_then(|p| memory::process_resident_mib(p.pid()))
    {
        println!("pocketbase RSS after the run: {rss:.0} MiB");
    }
    if smaps {
        print_resident_breakdown();
    }
    let failed: u64 = reports.iter().map(|(_, r)| r.errors).sum();
    if reports.iter().any(|(_, r)| r.ok == 0) {
        bail!("a target answered no request successfully");
    }
    if failed > 0 {
        bail!("{failed} requests failed");
    }
    Ok(())
}
