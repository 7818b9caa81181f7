//! Plugins that flood the host (the `flood` example): a hundred thousand `log` calls, output
//! then a panic, a hundred thousand cache reads, unbounded recursion, a huge answer. Each is
//! contained: the right status, the logs within their caps with what was dropped counted, and
//! the server serving its neighbours afterwards.

use hookline_tests::TestServer;
use serde_json::{Value, json};

async fn flood_server() -> TestServer {
    let server = TestServer::start().await;
    server.install("flood", "flood").await;
    server.install("hello", "hello").await;
    server
        .route(
            json!({"path": "/hello/:name", "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "hello"}}),
        )
        .await;
    server
}

async fn flood_route(server: &TestServer, path: &str, config: Value) {
    server
        .route(
            json!({"path": path, "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "flood", "config": config}}),
        )
        .await;
}

async fn stats(server: &TestServer) -> Value {
    server.admin("GET", "/admin/runtime", None).await.body["stats"].clone()
}

async fn neighbours_are_served(server: &TestServer) {
    let reply = server.get("/hello/ada").await;
    assert_eq!(
        (reply.status, &reply.body["message"]),
        (200, &json!("hello, ada"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_log_flood_keeps_the_request_cap_and_counts_the_rest() {
    let server = flood_server().await;
    flood_route(&server, "/log", json!({"mode": "log", "count": 100_000})).await;
    let reply = server.get("/log").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let logs = reply.body["logs"].as_array().unwrap();
    assert_eq!(logs.len(), server.settings.max_log_entries);
    assert_eq!(logs[0], "line 0");
    let dropped = stats(&server).await["logLinesDropped"].as_u64().unwrap();
    assert_eq!(dropped, 100_000 - server.settings.max_log_entries as u64);
    neighbours_are_served(&server).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn output_then_a_panic_is_a_trap_with_bounded_output() {
    let server = flood_server().await;
    flood_route(
        &server,
        "/panic",
        json!({"mode": "print-then-panic", "count": 100_000}),
    )
    .await;
    let reply = server.get("/panic").await;
    assert_eq!(
        (reply.status, reply.code()),
        (500, "HOOK_TRAP"),
        "{:?}",
        reply.body
    );
    assert!(
        !reply.body.to_string().contains("output line"),
        "output stays out of the answer"
    );
    let stats = stats(&server).await;
    assert!(stats["outputBytesDropped"].as_u64().unwrap() > 0, "{stats}");
    assert!(stats["logLinesDropped"].as_u64().unwrap() > 0, "{stats}");
    neighbours_are_served(&server).await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn host_call_floods_recursion_and_huge_answers_are_contained() {
    let server = flood_server().await;
    flood_route(
        &server,
        "/reads",
        json!({"mode": "cache-get", "count": 100_000}),
    )
    .await;
    flood_route(&server, "/recurse", json!({"mode": "recurse"})).await;
    flood_route(
        &server,
        "/big",
        json!({"mode": "big-data", "count": 4 << 20}),
    )
    .await;
    flood_route(
        &server,
        "/huge",
        json!({"mode": "big-data", "count": 64 << 20}),
    )
    .await;

    let reads = server.get("/reads").await;
    assert_eq!((reads.status, &reads.body["done"]), (200, &json!(100_000)));
    let recursion = server.get("/recurse").await;
    assert_eq!((recursion.status, recursion.code()), (500, "HOOK_TRAP"));
    let big = server.get("/big").await;
    assert_eq!(big.status, 200);
    assert_eq!(big.body.as_str().map(str::len), Some(4 << 20));
    // 64 MiB does not fit in the test servers' 32 MiB of guest memory: a trap, not a crash.
    let huge = server.get("/huge").await;
    assert_eq!((huge.status, huge.code()), (500, "HOOK_TRAP"));
    neighbours_are_served(&server).await;
    server.stop().await;
}
