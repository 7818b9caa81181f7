//! Plugins that flood the host (the `flood` example): a hundred thousand `log` calls, output
//! then a panic, a hundred thousand cache reads, unbounded recursion, a huge answer; a guest
//! growing its function table without end; runaway hooks holding every instance slot while
//! hundreds of requests arrive. Each is contained: the right status, the logs within their caps
//! with what was dropped counted, and the server serving its neighbours afterwards.

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

/// A handler component built from a core module in WAT, for guests no SDK would produce: the
/// handler world's metadata embedded, then encoded as a component.
fn handler_component(core_wat: &str) -> Vec<u8> {
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve
        .push_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../wit"))
        .expect("the WIT package");
    let world = resolve
        .select_world(&[package], Some("handler-plugin"))
        .expect("the handler world");
    let mut module = wat::parse_str(core_wat).expect("valid WAT");
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .expect("metadata");
    wit_component::ComponentEncoder::default()
        .module(&module)
        .expect("a core module")
        .validate(true)
        .encode()
        .expect("a component")
}

/// Grows its function table ten thousand elements at a time until the host refuses, then
/// traps. (`handle` takes the context handle and returns a pointer to its result.)
const TABLE_GROWER: &str = r#"(module
  (memory (export "memory") 1)
  (table $t 1 funcref)
  (func (export "hookline:plugin/handler@0.1.0#handle") (param i32) (result i32)
    (loop $grow
      (br_if $grow
        (i32.ne (table.grow $t (ref.null func) (i32.const 10000)) (i32.const -1))))
    unreachable)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) unreachable)
)"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_guest_growing_its_table_without_end_is_refused_and_traps() {
    let server = flood_server().await;
    let upload = server
        .upload_bytes("grower", handler_component(TABLE_GROWER))
        .await;
    assert_eq!(upload.status, 201, "{:?}", upload.body);
    server
        .route(
            json!({"path": "/grow", "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "grower"}, "timeoutMs": 5000}),
        )
        .await;
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let reply = server.get("/grow").await;
        assert_eq!(
            (reply.status, reply.code()),
            (500, "HOOK_TRAP"),
            "{:?}",
            reply.body
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(4),
            "refused at the cap, not run to the deadline"
        );
        neighbours_are_served(&server).await;
    }
    server.stop().await;
}

/// Four runaway hooks hold all four instance slots until their deadline while 200 requests
/// arrive: those whose deadline is later wait for a slot and are served; those whose deadline
/// comes first get 504 at it (or are served, if they got in after the slots came free). No
/// request hangs and none fails otherwise.
#[tokio::test(flavor = "multi_thread")]
async fn runaway_hooks_holding_every_slot_delay_others_until_their_deadline() {
    let server = TestServer::start_with(|s| s.max_instances = 4).await;
    server.install("spin", "spin").await;
    server.install("hello", "hello").await;
    for (path, plugin, timeout) in [
        ("/spin", "spin", 3000),
        ("/patient/:name", "hello", 15_000),
        ("/hasty/:name", "hello", 300),
    ] {
        server
            .route(
                json!({"path": path, "methods": ["GET"], "publishedMethods": ["GET"],
                          "handler": {"plugin": plugin}, "timeoutMs": timeout}),
            )
            .await;
    }
    let s = &server;
    let spinners = futures::future::join_all((0..4).map(|_| s.get("/spin")));
    let others = async {
        // Let the runaway hooks take the slots first.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        futures::future::join_all((0..200).map(|i| async move {
            let path = if i % 2 == 0 {
                format!("/patient/p{i}")
            } else {
                format!("/hasty/h{i}")
            };
            (path.clone(), s.get(&path).await)
        }))
        .await
    };
    let (spun, replies) = tokio::join!(spinners, others);
    for reply in spun {
        assert_eq!((reply.status, reply.code()), (504, "HOOK_TIMEOUT"));
    }
    let mut timed_out = 0;
    for (path, reply) in &replies {
        match (path.starts_with("/patient/"), reply.status) {
            (true, 200) => {}
            (false, 504) => {
                assert_eq!(reply.code(), "HOOK_TIMEOUT", "{path}");
                timed_out += 1;
            }
            (false, 200) => {}
            _ => panic!("{path}: {} {:?}", reply.status, reply.body),
        }
    }
    assert!(timed_out > 0, "some hasty requests met the held slots");
    let after = server.get("/hasty/again").await;
    assert_eq!(after.status, 200, "slots are free again: {:?}", after.body);
    server.stop().await;
}
