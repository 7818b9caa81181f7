//! Limits: hook deadlines, traps, memory caps and guest output — and that none of them
//! disturbs requests on other routes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hookline_tests::TestServer;
use serde_json::json;

async fn misbehaving_server() -> TestServer {
    let server = TestServer::start().await;
    for (name, stem) in [
        ("spin", "spin"),
        ("crash", "crash"),
        ("hog", "hog"),
        ("hello", "hello"),
        ("tag", "tag"),
    ] {
        server.install(name, stem).await;
    }
    for (path, plugin, timeout) in [
        ("/spin", "spin", 3000),
        ("/crash", "crash", 5000),
        ("/hog", "hog", 5000),
        ("/hello/:name", "hello", 5000),
    ] {
        server
            .route(
                json!({"path": path, "methods": ["GET"], "publishedMethods": ["GET"],
                          "handler": {"plugin": plugin}, "timeoutMs": timeout}),
            )
            .await;
    }
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hook_that_never_returns_ends_with_504_and_post_hooks_still_run() {
    let server = misbehaving_server().await;
    server
        .hook(json!({"phase": "post", "route": null, "plugin": "tag", "config": {"tag": "after"}}))
        .await;
    let reply = server.get("/spin").await;
    assert_eq!(
        (reply.status, reply.code()),
        (504, "HOOK_TIMEOUT"),
        "{:?}",
        reply.body
    );
    assert_eq!(reply.body["logs"], json!(["tag:after"]));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn traps_answer_500_without_the_trap_message() {
    let server = misbehaving_server().await;
    for path in ["/crash", "/hog"] {
        let reply = server.get(path).await;
        assert_eq!(
            (reply.status, reply.code()),
            (500, "HOOK_TRAP"),
            "{path}: {:?}",
            reply.body
        );
        let text = reply.body.to_string();
        assert!(
            !text.contains("panicked") && !text.contains("wasm backtrace"),
            "{text}"
        );
        assert!(
            reply.body.get("logs").is_none(),
            "guest output of a trap stays in the server log"
        );
    }
    // The server is unharmed and later requests get fresh instances.
    assert_eq!(
        server.get("/hello/ok").await.body,
        json!({"message": "hello, ok"})
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn timeouts_and_traps_do_not_hold_up_other_routes() {
    let server = Arc::new(misbehaving_server().await);
    let finished = Arc::new(AtomicUsize::new(0));
    // Slow failures first: four runaway hooks that each hold a slot until their deadline.
    let mut slow = Vec::new();
    for _ in 0..4 {
        let (server, finished) = (server.clone(), finished.clone());
        slow.push(tokio::spawn(async move {
            let reply = server.get("/spin").await;
            (reply.status, finished.fetch_add(1, Ordering::SeqCst))
        }));
    }
    // Meanwhile, traps and healthy requests on other routes.
    let mut fast = Vec::new();
    for i in 0..24 {
        let (server, finished) = (server.clone(), finished.clone());
        fast.push(tokio::spawn(async move {
            let path = match i % 3 {
                0 => "/crash".to_owned(),
                _ => format!("/hello/n{i}"),
            };
            let reply = server.get(&path).await;
            (path, reply.status, finished.fetch_add(1, Ordering::SeqCst))
        }));
    }
    let mut fast_order = Vec::new();
    for task in fast {
        let (path, status, order) = task.await.unwrap();
        let expected = if path == "/crash" { 500 } else { 200 };
        assert_eq!(status, expected, "{path}");
        fast_order.push(order);
    }
    for task in slow {
        let (status, order) = task.await.unwrap();
        assert_eq!(status, 504);
        // Every fast request completed before any runaway hook was cut off.
        assert!(
            fast_order.iter().all(|f| *f < order),
            "fast {fast_order:?}, slow finished as #{order}"
        );
    }
    Arc::into_inner(server)
        .expect("no other owner")
        .stop()
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn guest_stdout_goes_to_the_logs_bounded() {
    let server = TestServer::start_with(|s| s.max_guest_output_bytes = 8).await;
    server.install("slow", "slow").await;
    server
        .route(
            json!({"path": "/slow", "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "slow", "config": {"ms": 1}}}),
        )
        .await;
    let reply = server.get("/slow").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, json!({"slept": 1, "logs": ["slept 1"]}));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn plugins_get_no_environment_arguments_files_or_network() {
    let server = TestServer::start().await;
    server.install("probe", "probe").await;
    server
        .route(json!({"path": "/probe", "methods": ["GET"], "publishedMethods": ["GET"], "handler": {"plugin": "probe"}}))
        .await;
    let reply = server.get("/probe").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(
        reply.body,
        json!({"env": [], "args": [], "readRoot": false, "readFile": false, "tcpConnect": false, "clock": true})
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn health_and_readiness_answer_once_serving() {
    let server = TestServer::start().await;
    let health = server.get("/health").await;
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (200, Some("ok"))
    );
    let ready = server.get("/ready").await;
    assert_eq!(
        (ready.status, ready.body["database"].as_str()),
        (200, Some("ok"))
    );
    server.stop().await;
}
