//! The soak test, `cargo xtask soak` (ignored by the suite; `SOAK_SECONDS`, default 180): the
//! demo server in its own process, on a PostgreSQL and a Redis of its own, under mixed load on
//! the demo routes, a user table and the counter example, while Redis is killed and started
//! again and PostgreSQL is stopped and started again. It asserts that outside the outage
//! windows (each with a grace period for reconnecting) every request succeeds — no 5xx, no
//! broken connection — and inside them succeeds or is refused with 503; that every row answered
//! 201 is readable afterwards and every user who signed up can log in (no lost write); and that
//! the server's resident memory at the end is within a bound of its level before the outages.
//! It prints the figures.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hookline_tests::plugins::plugins_dir;
use hookline_tests::postgres::PostgresServer;
use hookline_tests::redis::RedisServer;
use hookline_tests::{Reply, try_send_json};
use serde_json::{Value, json};

/// Time after an outage ends during which failures are still the outage's.
const GRACE: Duration = Duration::from_secs(10);
/// Concurrent clients.
const WORKERS: usize = 16;
/// How long PostgreSQL stays down.
const POSTGRES_DOWNTIME: Duration = Duration::from_secs(5);
const ADMIN: (&str, &str) = ("soak@example.com", "soak-password-1234");

/// One request: when it ran (since the start), what it was, how it ended.
struct Sample {
    from: Duration,
    to: Duration,
    op: &'static str,
    /// `None`: the connection failed or timed out.
    status: Option<u16>,
}

/// What the load wrote, to be read back afterwards.
#[derive(Default)]
struct Written {
    notes: Vec<i64>,
    users: Vec<String>,
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(dir: &Path, postgres: &PostgresServer, redis: &RedisServer) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let log = std::fs::File::create(dir.join("server.log")).expect("a log file");
        let child = Command::new(hookline_tests::node::binary())
            .args(["serve", "--demo-plugins"])
            .arg(plugins_dir())
            .env("HOOKLINE_PORT", port.to_string())
            .env("HOOKLINE_DATA_DIR", dir.join("data"))
            .env("HOOKLINE_DATABASE_URL", postgres.url())
            .env("HOOKLINE_REDIS_URL", redis.url())
            .env("HOOKLINE_ADMIN_EMAIL", ADMIN.0)
            .env("HOOKLINE_ADMIN_PASSWORD", ADMIN.1)
            .env("HOOKLINE_BCRYPT_COST", "4")
            .env("HOOKLINE_LOGIN_LIMIT_PER_IP", "100000")
            .env("HOOKLINE_LOGIN_LIMIT_PER_ACCOUNT", "100000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("hookline starts");
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Resident memory of the server process, in MiB.
    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS");
        kib / 1024.0
    }
}

/// A request's answer: status 0 when the connection failed or timed out (no panic: outages
/// are expected here).
async fn send(
    client: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    try_send_json(client, base, method, path, token, body)
        .await
        .unwrap_or_else(|_| Reply {
            status: 0,
            headers: Default::default(),
            body: Value::Null,
        })
}

/// Waits for `/health`, up to two minutes (the demo compiles its plugins on first start).
async fn wait_until_serving(client: &reqwest::Client, server: &mut Server, dir: &Path) {
    let started = Instant::now();
    loop {
        if let Ok(r) = client.get(format!("{}/health", server.base)).send().await
            && r.status().is_success()
        {
            return;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            panic!("the server exited during startup: {status}\n{log}");
        }
        assert!(started.elapsed() < Duration::from_secs(120), "not serving");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One request of the mix, chosen by `n`; records what it wrote.
async fn one_request(
    client: &reqwest::Client,
    base: &str,
    admin: &str,
    worker: usize,
    n: usize,
    written: &Mutex<Written>,
) -> (&'static str, Option<u16>) {
    let (op, reply) = match n % 8 {
        0 | 1 => (
            "GET /hello",
            send(
                client,
                base,
                "GET",
                &format!("/hello/w{worker}"),
                None,
                None,
            )
            .await,
        ),
        2 => (
            "POST /echo",
            send(
                client,
                base,
                "POST",
                "/echo",
                None,
                Some(json!({"email": " Soak@Example.COM "})),
            )
            .await,
        ),
        3 => (
            "POST /slugify",
            send(
                client,
                base,
                "POST",
                "/slugify",
                None,
                Some(json!({"text": "Soak Test Item"})),
            )
            .await,
        ),
        4 => {
            let reply = send(
                client,
                base,
                "POST",
                "/notes",
                Some(admin),
                Some(json!({"title": format!("note {worker}-{n}")})),
            )
            .await;
            if reply.status == 201
                && let Some(id) = reply.body["id"].as_i64()
            {
                written.lock().unwrap().notes.push(id);
            }
            ("POST /notes", reply)
        }
        5 => (
            "GET /notes",
            send(
                client,
                base,
                "GET",
                "/notes?limit=5&sort=-id",
                Some(admin),
                None,
            )
            .await,
        ),
        6 => (
            "POST /counter",
            send(client, base, "POST", "/counter", None, Some(json!({}))).await,
        ),
        _ if n % 32 == 7 => {
            let email = format!("user-{worker}-{n}@example.com");
            let reply = send(
                client,
                base,
                "POST",
                "/signup",
                None,
                Some(json!({"email": email, "password": "password-1234"})),
            )
            .await;
            if reply.status == 201 {
                written.lock().unwrap().users.push(email);
            }
            ("POST /signup", reply)
        }
        _ => (
            "GET /health",
            send(client, base, "GET", "/health", None, None).await,
        ),
    };
    (op, (reply.status != 0).then_some(reply.status))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "runs alone, for minutes: cargo xtask soak"]
async fn soak_with_redis_and_postgres_restarts() {
    let total = Duration::from_secs(
        std::env::var("SOAK_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(180),
    );
    assert!(
        total >= Duration::from_secs(60),
        "SOAK_SECONDS: at least 60"
    );
    let mut redis = RedisServer::start().expect("the soak test needs redis-server");
    let mut postgres = PostgresServer::start().expect("the soak test needs PostgreSQL");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut server = Server::start(dir.path(), &postgres, &redis);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client");
    wait_until_serving(&client, &mut server, dir.path()).await;
    let base = server.base.clone();
    // The demo creates its routes once serving: wait for the last of them.
    let started = Instant::now();
    while send(&client, &base, "GET", "/echo", None, None)
        .await
        .status
        != 200
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the demo routes did not appear"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Setup: an admin token, a user table, the counter example.
    let login = send(
        &client,
        &base,
        "POST",
        "/auth/login",
        None,
        Some(json!({"email": ADMIN.0, "password": ADMIN.1})),
    )
    .await;
    let admin = login.body["accessToken"]
        .as_str()
        .expect("a token")
        .to_owned();
    let table = send(&client, &base, "POST", "/admin/tables", Some(&admin), Some(json!({
        "name": "notes", "columns": [{"name": "title", "type": "varchar(100)", "nullable": false}]
    }))).await;
    assert_eq!(table.status, 201, "{:?}", table.body);
    let counter = client
        .post(format!("{base}/admin/plugins?name=counter"))
        .bearer_auth(&admin)
        .header("content-type", "application/wasm")
        .body(hookline_tests::plugin_bytes("counter"))
        .send()
        .await
        .expect("upload");
    assert_eq!(counter.status(), 201);
    let route = send(
        &client,
        &base,
        "POST",
        "/admin/routes",
        Some(&admin),
        Some(json!({
            "path": "/counter", "methods": ["POST"], "publishedMethods": ["POST"],
            "handler": {"plugin": "counter"}
        })),
    )
    .await;
    assert_eq!(route.status, 201, "{:?}", route.body);

    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let written = Arc::new(Mutex::new(Written::default()));
    let started = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let (client, base, admin) = (client.clone(), base.clone(), admin.clone());
            let (samples, written) = (samples.clone(), written.clone());
            tokio::spawn(async move {
                let mut n = worker;
                while started.elapsed() < total {
                    let from = started.elapsed();
                    let (op, status) =
                        one_request(&client, &base, &admin, worker, n, &written).await;
                    let to = started.elapsed();
                    samples.lock().unwrap().push(Sample {
                        from,
                        to,
                        op,
                        status,
                    });
                    n += 1;
                    if status.is_none() {
                        // A refused connection returns at once; do not spin on it.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            })
        })
        .collect();

    // The outages, at fixed fractions of the run; memory sampled every five seconds.
    let at = |fraction: f64| total.mul_f64(fraction);
    let mut windows = Vec::new();
    let mut memory = Vec::new();
    let mut rss_before = None;
    let mut redis_down_since = None;
    let mut steps = vec![
        (at(0.15), "measure"),
        (at(0.2), "kill redis"),
        (at(0.35), "start redis"),
        (at(0.55), "restart postgres"),
    ];
    let mut next_sample = Duration::ZERO;
    while started.elapsed() < total {
        let now = started.elapsed();
        if now >= next_sample {
            memory.push((now, server.rss_mib()));
            next_sample += Duration::from_secs(5);
        }
        if let Some(&(when, what)) = steps.first()
            && now >= when
        {
            steps.remove(0);
            println!("soak: {:>6.1} s: {what}", now.as_secs_f64());
            match what {
                "measure" => rss_before = Some(server.rss_mib()),
                "kill redis" => {
                    redis.kill();
                    redis_down_since = Some(started.elapsed());
                }
                "start redis" => {
                    tokio::task::block_in_place(|| redis.resume());
                    windows.push(("redis", redis_down_since.take().unwrap(), started.elapsed()));
                }
                _ => {
                    let since = started.elapsed();
                    tokio::task::block_in_place(|| {
                        postgres.stop();
                        std::thread::sleep(POSTGRES_DOWNTIME);
                        postgres.resume();
                    });
                    windows.push(("postgres", since, started.elapsed()));
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for worker in workers {
        worker.await.expect("a worker");
    }
    let rss_after = server.rss_mib();
    let rss_before = rss_before.expect("measured before the outages");

    // Figures.
    let samples = std::mem::take(&mut *samples.lock().unwrap());
    let in_outage = |s: &Sample| {
        windows
            .iter()
            .any(|(_, from, to)| s.from <= *to + GRACE && s.to >= *from)
    };
    let mut by_op: BTreeMap<(&str, String), usize> = BTreeMap::new();
    for s in &samples {
        let status = s.status.map_or("failed".to_owned(), |c| c.to_string());
        let when = if in_outage(s) { " (outage)" } else { "" };
        *by_op.entry((s.op, format!("{status}{when}"))).or_default() += 1;
    }
    println!(
        "soak: {} requests in {:.0} s by {WORKERS} clients",
        samples.len(),
        total.as_secs_f64()
    );
    for (name, from, to) in &windows {
        println!(
            "soak: {name} down from {:.1} s to {:.1} s",
            from.as_secs_f64(),
            to.as_secs_f64()
        );
    }
    for ((op, status), count) in &by_op {
        println!("soak: {op:<14} {status:<16} {count}");
    }
    let peak = memory.iter().map(|(_, m)| *m).fold(0.0, f64::max);
    println!(
        "soak: RSS {rss_before:.0} MiB before the outages, {rss_after:.0} MiB at the end, peak {peak:.0} MiB"
    );

    // Outside the outages every request succeeded.
    let failures: Vec<String> = samples
        .iter()
        .filter(|s| !in_outage(s) && !s.status.is_some_and(|c| (200..300).contains(&c)))
        .map(|s| format!("{} at {:.1} s: {:?}", s.op, s.from.as_secs_f64(), s.status))
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures outside the outages, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    // Inside them, a request succeeds or is refused with 503 (retry): never a server fault.
    let faults: Vec<String> = samples
        .iter()
        .filter(|s| in_outage(s))
        .filter(|s| {
            !s.status
                .is_some_and(|c| (200..300).contains(&c) || c == 503)
        })
        .map(|s| format!("{} at {:.1} s: {:?}", s.op, s.from.as_secs_f64(), s.status))
        .collect();
    assert!(
        faults.is_empty(),
        "{} answers other than 2xx or 503 during the outages, first: {:?}",
        faults.len(),
        &faults[..faults.len().min(10)]
    );

    // No lost write: every row answered 201 is there, every user who signed up can log in.
    let written = std::mem::take(&mut *written.lock().unwrap());
    assert!(
        !written.notes.is_empty() && !written.users.is_empty(),
        "the load wrote"
    );
    for id in &written.notes {
        let read = send(
            &client,
            &base,
            "GET",
            &format!("/notes/{id}"),
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(
            read.status, 200,
            "note {id} was answered 201 but is gone: {:?}",
            read.body
        );
    }
    for email in &written.users {
        let login = send(
            &client,
            &base,
            "POST",
            "/login",
            None,
            Some(json!({"email": email, "password": "password-1234"})),
        )
        .await;
        assert_eq!(
            login.status, 200,
            "{email} signed up but cannot log in: {:?}",
            login.body
        );
    }
    println!(
        "soak: {} notes and {} users written, all read back",
        written.notes.len(),
        written.users.len()
    );

    // Memory: back within a bound of its level before the outages.
    assert!(
        rss_after <= rss_before * 1.5 + 32.0,
        "RSS grew from {rss_before:.0} MiB to {rss_after:.0} MiB"
    );
}
