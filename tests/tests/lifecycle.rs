//! The request lifecycle through real plugins: ordering tiers, priorities, short-circuit,
//! error path with postHooks, failing postHooks, logs, and the response shapes.

use hookline_tests::TestServer;
use serde_json::{Value, json};

async fn echo_route(server: &TestServer, path: &str) -> i64 {
    server.install("echo", "echo").await;
    server
        .route(json!({
            "path": path, "methods": ["GET", "POST"], "publishedMethods": ["GET", "POST"],
            "handler": {"plugin": "echo"}
        }))
        .await
}

fn tag_hook(phase: &str, route: Value, methods: Value, priority: i32, config: Value) -> Value {
    json!({"phase": phase, "route": route, "methods": methods, "plugin": "tag", "priority": priority, "config": config})
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hello_handler_reads_its_route_param_and_config() {
    let server = TestServer::start().await;
    server.install("hello", "hello").await;
    server
        .route(json!({"path": "/hello/:name", "methods": ["GET"], "publishedMethods": ["GET"], "handler": {"plugin": "hello"}}))
        .await;
    server
        .route(
            json!({"path": "/greet/:name", "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "hello", "config": {"greeting": "hi"}}}),
        )
        .await;
    let reply = server.get("/hello/ada").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, json!({"message": "hello, ada"}));
    assert!(
        reply
            .header("x-request-id")
            .is_some_and(|id| !id.is_empty())
    );
    assert_eq!(
        server.get("/greet/ada").await.body,
        json!({"message": "hi, ada"})
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hooks_run_by_tier_then_priority_and_share_one_context() {
    let server = TestServer::start().await;
    server.install("tag", "tag").await;
    let id = echo_route(&server, "/order").await;
    let r = json!(id);
    // Created out of order on purpose.
    for (phase, route, methods, priority, tag) in [
        ("pre", r.clone(), json!(["POST"]), 0, "route-post"),
        ("pre", r.clone(), json!([]), 5, "route-all-late"),
        ("pre", Value::Null, json!(["POST"]), 0, "global-post"),
        ("pre", r.clone(), json!([]), -1, "route-all-early"),
        ("pre", Value::Null, json!([]), 0, "global-all"),
        ("pre", Value::Null, json!(["GET"]), 0, "global-get"),
        ("post", r.clone(), json!([]), 0, "post-route"),
        ("post", Value::Null, json!([]), 0, "post-global"),
    ] {
        server
            .hook(tag_hook(
                phase,
                route,
                methods,
                priority,
                json!({"tag": tag}),
            ))
            .await;
    }
    let reply = server.post("/order", json!({"x": 1})).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let pre = [
        "global-all",
        "global-post",
        "route-all-early",
        "route-all-late",
        "route-post",
    ];
    // The handler saw what the preHooks wrote into `share`.
    assert_eq!(reply.body["share"]["trace"], json!(pre));
    let mut all: Vec<&str> = pre.to_vec();
    all.extend(["post-global", "post-route"]);
    assert_eq!(reply.body["trace"], json!(all));
    let logs: Vec<String> = all.iter().map(|t| format!("tag:{t}")).collect();
    assert_eq!(reply.body["logs"], json!(logs));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_returned_value_skips_the_handler_and_post_hooks_see_it() {
    let server = TestServer::start().await;
    server.install("tag", "tag").await;
    let id = echo_route(&server, "/short").await;
    server
        .hook(tag_hook(
            "pre",
            json!(id),
            json!([]),
            0,
            json!({"tag": "stop", "respond": {"short": true}}),
        ))
        .await;
    server
        .hook(tag_hook(
            "pre",
            json!(id),
            json!([]),
            1,
            json!({"tag": "never"}),
        ))
        .await;
    server
        .hook(tag_hook(
            "post",
            json!(id),
            json!([]),
            0,
            json!({"tag": "post"}),
        ))
        .await;
    let reply = server.get("/short").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.body,
        json!({"short": true, "trace": ["stop", "post"], "logs": ["tag:stop", "tag:post"]})
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_non_object_response_is_wrapped_with_its_logs() {
    let server = TestServer::start().await;
    server.install("tag", "tag").await;
    let id = echo_route(&server, "/list").await;
    server
        .hook(tag_hook(
            "pre",
            json!(id),
            json!([]),
            0,
            json!({"tag": "t", "respond": [1, 2]}),
        ))
        .await;
    let reply = server.get("/list").await;
    assert_eq!(reply.body, json!({"data": [1, 2], "logs": ["tag:t"]}));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_throwing_pre_hook_skips_the_handler_and_post_hooks_still_run() {
    let server = TestServer::start().await;
    server.install("tag", "tag").await;
    let id = echo_route(&server, "/throw").await;
    server
        .hook(tag_hook(
            "pre",
            json!(id),
            json!([]),
            0,
            json!({"tag": "boom", "throw": 418}),
        ))
        .await;
    server
        .hook(tag_hook(
            "post",
            json!(id),
            json!([]),
            0,
            json!({"tag": "audit"}),
        ))
        .await;
    let reply = server.get("/throw").await;
    assert_eq!(reply.status, 418);
    assert_eq!(reply.body["statusCode"], 418);
    assert_eq!(reply.code(), "HOOK_ERROR");
    assert_eq!(reply.body["message"], "tag boom threw");
    assert_eq!(reply.body["error"]["name"], "ImATeapotError");
    assert_eq!(reply.body["error"]["path"], "/throw");
    assert_eq!(reply.body["error"]["method"], "GET");
    assert_eq!(
        reply.body["error"]["requestId"].as_str(),
        reply.header("x-request-id")
    );
    assert!(
        reply.body["error"]["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    // The postHook ran on the error path; the handler (echo) did not.
    assert_eq!(reply.body["logs"], json!(["tag:boom", "tag:audit"]));
    assert!(reply.body.get("method").is_none());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_post_hook_is_logged_and_the_others_still_run() {
    let server = TestServer::start().await;
    server.install("tag", "tag").await;
    let id = echo_route(&server, "/post-fail").await;
    server
        .hook(tag_hook(
            "post",
            json!(id),
            json!([]),
            0,
            json!({"tag": "bad", "throw": 500}),
        ))
        .await;
    server
        .hook(tag_hook(
            "post",
            json!(id),
            json!([]),
            1,
            json!({"tag": "after"}),
        ))
        .await;
    let reply = server.get("/post-fail").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["method"], "GET");
    let logs = reply.body["logs"].as_array().expect("logs");
    assert_eq!(logs[0], "tag:bad");
    assert!(
        logs[1]
            .as_str()
            .unwrap()
            .starts_with("postHook tag failed: HOOK_ERROR"),
        "{logs:?}"
    );
    assert_eq!(logs[2], "tag:after");
    assert_eq!(reply.body["trace"], json!(["bad", "after"]));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn normalize_email_validates_then_normalizes() {
    let server = TestServer::start().await;
    server.install("normalize-email", "normalize_email").await;
    let id = echo_route(&server, "/signup").await;
    server
        .hook(
            json!({"phase": "pre", "route": id, "methods": ["POST"], "plugin": "normalize-email"}),
        )
        .await;
    let missing = server.post("/signup", json!({"name": "x"})).await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.body["message"], "Email is required");
    assert_eq!(missing.code(), "HOOK_ERROR");
    let ok = server
        .post("/signup", json!({"email": "  Ada@Example.COM "}))
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["body"]["email"], "ada@example.com");
    assert_eq!(ok.body["share"]["validationPassed"], true);
    // The hook is for POST only.
    assert_eq!(server.get("/signup").await.status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn timing_adds_the_processing_time_to_object_responses() {
    let server = TestServer::start().await;
    server.install("timing", "timing").await;
    let id = echo_route(&server, "/timed").await;
    server
        .hook(json!({"phase": "pre", "route": id, "plugin": "timing"}))
        .await;
    server
        .hook(json!({"phase": "post", "route": id, "plugin": "timing"}))
        .await;
    let reply = server.get("/timed?a=1&a=2&b=x").await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.body["processingTime"].as_u64().is_some(),
        "{:?}",
        reply.body
    );
    assert!(reply.body["share"]["processStartTime"].as_u64().is_some());
    assert_eq!(reply.body["query"], json!({"a": ["1", "2"], "b": "x"}));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_paths_methods_bad_json_and_large_bodies_get_the_error_shape() {
    let server = TestServer::start_with(|s| s.max_body_bytes = 1024).await;
    echo_route(&server, "/e").await;
    let missing = server.get("/nowhere").await;
    assert_eq!((missing.status, missing.code()), (404, "NOT_FOUND"));
    assert_eq!(
        missing.body["error"]["requestId"].as_str(),
        missing.header("x-request-id")
    );
    let wrong = server.send("DELETE", "/e", None, None).await;
    assert_eq!((wrong.status, wrong.code()), (405, "METHOD_NOT_ALLOWED"));
    assert_eq!(wrong.header("allow"), Some("GET, POST"));
    let bad = server
        .send_raw("POST", "/e", None, "application/json", b"{\"a\":".to_vec())
        .await;
    assert_eq!((bad.status, bad.code()), (400, "INVALID_JSON"));
    let big = server
        .send_raw("POST", "/e", None, "application/json", vec![b' '; 2048])
        .await;
    assert_eq!((big.status, big.code()), (413, "PAYLOAD_TOO_LARGE"));
    // A non-JSON body is passed through raw, not parsed.
    let text = server
        .send_raw("POST", "/e", None, "text/plain", b"{not json".to_vec())
        .await;
    assert_eq!(text.status, 200);
    assert_eq!(text.body["body"], Value::Null);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_without_an_error_status_is_a_plain_500() {
    let server = TestServer::start().await;
    server.install("tag", "tag").await;
    let id = echo_route(&server, "/odd").await;
    server
        .hook(tag_hook(
            "pre",
            json!(id),
            json!([]),
            0,
            json!({"tag": "odd", "throw": 200}),
        ))
        .await;
    let reply = server.get("/odd").await;
    assert_eq!(
        (reply.status, reply.code()),
        (500, "HOOK_ERROR"),
        "{:?}",
        reply.body
    );
    assert_eq!(reply.body["message"], "plugin tag failed");
    server.stop().await;
}
