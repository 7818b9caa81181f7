//! Redis as the shared backend of several nodes, and its outages: two server processes on one
//! Redis share cache, locks and limits; Redis killed mid-run gives guest-visible errors and the
//! rate-limit policy, never a crash or a hang, and everything recovers when it returns.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures::future::join_all;
use hookline::config::RateLimitFailurePolicy;
use hookline_tests::backends::{Backend, Setup};
use hookline_tests::node::Node;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn two_nodes_on_one_redis_share_cache_locks_and_limits() {
    let Some(a) = Setup::start(Backend::Redis).await else {
        return;
    };
    a.server.install("counter", "counter").await;
    a.server
        .route(
            json!({"path": "/counter", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "counter"}}),
        )
        .await;
    let b = Node::beside(&a.server).await;
    let on_b = |op: Value| b.send("POST", "/cache", None, Some(op));

    // Cache: written on one node, read on the other.
    a.ok(json!({"op": "setNoExpire", "key": "shared", "value": {"from": "a"}}))
        .await;
    let read = on_b(json!({"op": "get", "key": "shared"})).await;
    assert_eq!(read.body["result"], json!({"from": "a"}), "{:?}", read.body);

    // Locks: held on one node, refused and not releasable on the other.
    let lock =
        |owner: &str| json!({"op": "acquire", "key": "job", "owner": owner, "ttlMs": 10_000});
    assert_eq!(a.ok(lock("a")).await, json!(true));
    assert_eq!(on_b(lock("b")).await.body["result"], json!(false));
    let release_b = on_b(json!({"op": "release", "key": "job", "owner": "b"})).await;
    assert_eq!(release_b.body["result"], json!(false));
    let release_a = on_b(json!({"op": "release", "key": "job", "owner": "a"})).await;
    assert_eq!(
        release_a.body["result"],
        json!(true),
        "the owner may release anywhere"
    );

    // Limits: one window across both nodes, exact under concurrency.
    let check = json!({"op": "check", "key": "both", "maxRequests": 20, "perSeconds": 60});
    let on_a = (0..40).map(|_| a.call(check.clone()));
    let on_b_checks = (0..40).map(|_| b.send("POST", "/cache", None, Some(check.clone())));
    let (from_a, from_b) = tokio::join!(join_all(on_a), join_all(on_b_checks));
    let allowed = from_a
        .iter()
        .chain(&from_b)
        .filter(|r| r.body["result"]["allowed"] == json!(true))
        .count();
    assert_eq!(allowed, 20);

    // The counter example under a lock, incremented from both nodes at once.
    let on_a = (0..10).map(|_| a.server.post("/counter", json!({})));
    let on_b_counts = (0..10).map(|_| b.send("POST", "/counter", None, Some(json!({}))));
    let (from_a, from_b) = tokio::join!(join_all(on_a), join_all(on_b_counts));
    let counts: BTreeSet<u64> = from_a
        .iter()
        .chain(&from_b)
        .map(|r| {
            r.body["count"]
                .as_u64()
                .unwrap_or_else(|| panic!("{:?}", r.body))
        })
        .collect();
    assert_eq!(counts, (1..=20).collect());
}

/// Polls `probe` until it holds or `limit` passes.
async fn eventually<F: Future<Output = bool>>(
    limit: Duration,
    mut probe: impl FnMut() -> F,
) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if probe().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redis_outage_is_reported_and_survived() {
    let Some(mut s) = Setup::start(Backend::Redis).await else {
        return;
    };
    s.ok(json!({"op": "setNoExpire", "key": "k", "value": 1}))
        .await;
    assert_eq!(s.server.get("/ready").await.status, 200);

    s.redis.as_mut().expect("redis").kill();

    // Cache calls fail with a guest-visible error, in time (well inside the hook budget).
    let started = Instant::now();
    let reply = s.call(json!({"op": "get", "key": "k"})).await;
    assert_eq!(
        (reply.status, reply.code()),
        (503, "CACHE_UNAVAILABLE"),
        "{:?}",
        reply.body
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    for op in [
        json!({"op": "set", "key": "k", "value": 2, "ttlMs": 1000}),
        json!({"op": "acquire", "key": "l", "owner": "o", "ttlMs": 1000}),
        json!({"op": "deleteKey", "key": "k"}),
    ] {
        let reply = s.call(op.clone()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (503, "CACHE_UNAVAILABLE"),
            "{op}"
        );
    }
    // Rate limits fail open by default: allowed, and the failure is counted.
    let check = s
        .ok(json!({"op": "check", "key": "r", "maxRequests": 1, "perSeconds": 60}))
        .await;
    assert_eq!(check["allowed"], true, "{check}");
    let runtime = s.server.admin("GET", "/admin/runtime", None).await;
    assert_eq!(runtime.body["cache"]["backend"], "redis");
    assert!(
        runtime.body["cache"]["rateLimitFailures"].as_u64() >= Some(1),
        "{:?}",
        runtime.body
    );
    assert!(
        runtime.body["cache"]["failures"].as_u64() >= Some(4),
        "{:?}",
        runtime.body
    );
    // Readiness reports the outage; liveness and other routes are unaffected.
    let ready = s.server.get("/ready").await;
    assert_eq!((ready.status, ready.code()), (503, "NOT_READY"));
    assert_eq!(ready.body["error"]["details"]["cache"], "unavailable");
    assert_eq!(ready.body["error"]["details"]["database"], "ok");
    assert_eq!(s.server.get("/health").await.status, 200);

    // Redis returns (empty: it had no persistence); the server reconnects by itself.
    s.redis.as_mut().expect("redis").resume();
    let recovered = eventually(Duration::from_secs(20), || async {
        s.call(json!({"op": "setNoExpire", "key": "k", "value": 3}))
            .await
            .status
            == 200
    })
    .await;
    assert!(recovered, "the cache did not recover");
    assert_eq!(s.ok(json!({"op": "get", "key": "k"})).await, json!(3));
    assert_eq!(s.server.get("/ready").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn fail_closed_refuses_rate_limited_work_while_redis_is_down() {
    let Some(redis) = hookline_tests::redis::RedisServer::start() else {
        return;
    };
    let url = redis.url();
    let server = hookline_tests::TestServer::start_with(|s| {
        s.redis_url = Some(url);
        s.rate_limit_failure_policy = RateLimitFailurePolicy::FailClosed;
    })
    .await;
    server.install("cache-probe", "cache_probe").await;
    server
        .route(
            json!({"path": "/cache", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "cache-probe"}}),
        )
        .await;
    let check = json!({"op": "check", "key": "r", "maxRequests": 5, "perSeconds": 60});
    assert_eq!(server.post("/cache", check.clone()).await.status, 200);
    drop(redis);
    let reply = server.post("/cache", check).await;
    assert_eq!(
        (reply.status, reply.code()),
        (503, "RATE_LIMIT_UNAVAILABLE"),
        "{:?}",
        reply.body
    );
    server.stop().await;
}

/// Polls node `b` until it answers `expected`, within a second.
async fn eventually_status(
    b: &Node,
    method: &str,
    path: &str,
    token: Option<&str>,
    expected: u16,
) -> Duration {
    b.eventually_status(method, path, token, expected, Duration::from_secs(1))
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn definition_changes_reach_the_other_node_through_redis_within_a_second() {
    let Some(a) = Setup::start(Backend::Redis).await else {
        return;
    };
    let server = &a.server;
    let b = Node::beside(server).await;
    let admin = Some(server.admin_token.as_str());

    // A new plugin and a route on A serve on B.
    server.install("hello", "hello").await;
    let route = server
        .route(json!({"path": "/hello/:name", "methods": ["GET"], "handler": {"plugin": "hello"}}))
        .await;
    eventually_status(&b, "GET", "/hello/x", admin, 200).await;
    // A route permission granted on A lets a user in on B; removing it shuts them out.
    let user = server
        .create_user("ed@example.com", "password-1234", false)
        .await;
    let token = server.login("ed@example.com", "password-1234").await;
    eventually_status(&b, "GET", "/hello/x", Some(&token), 403).await;
    let grant = server
        .admin(
            "POST",
            &format!("/admin/routes/{route}/permissions"),
            Some(json!({"user": user, "methods": ["GET"]})),
        )
        .await;
    assert_eq!(grant.status, 201, "{:?}", grant.body);
    eventually_status(&b, "GET", "/hello/x", Some(&token), 200).await;
    // A guard added on A refuses on B.
    let guard = server
        .admin(
            "POST",
            "/admin/guards",
            Some(json!({"position": "pre_auth", "route": route,
            "rule": {"type": "ip_deny", "ips": ["127.0.0.0/8"]}})),
        )
        .await;
    assert_eq!(guard.status, 201, "{:?}", guard.body);
    eventually_status(&b, "GET", "/hello/x", admin, 403).await;
    server
        .admin(
            "DELETE",
            &format!("/admin/guards/{}", guard.body["id"]),
            None,
        )
        .await;
    eventually_status(&b, "GET", "/hello/x", admin, 200).await;
    // Disabling the user on A cuts their token off on B at once (not after B's identity cache
    // expires); so does a logout on A.
    eventually_status(&b, "GET", "/me", Some(&token), 200).await;
    let disabled = server
        .admin(
            "PATCH",
            &format!("/admin/users/{user}"),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(disabled.status, 200, "{:?}", disabled.body);
    eventually_status(&b, "GET", "/me", Some(&token), 401).await;
    server
        .admin(
            "PATCH",
            &format!("/admin/users/{user}"),
            Some(json!({"disabled": false})),
        )
        .await;
    let fresh = server.login("ed@example.com", "password-1234").await;
    eventually_status(&b, "GET", "/me", Some(&fresh), 200).await;
    let out = server
        .send("POST", "/auth/logout", Some(&fresh), None)
        .await;
    assert_eq!(out.status, 204, "{:?}", out.body);
    eventually_status(&b, "GET", "/me", Some(&fresh), 401).await;
    // Deleting the route on A makes it disappear on B.
    server
        .admin("DELETE", &format!("/admin/routes/{route}"), None)
        .await;
    eventually_status(&b, "GET", "/hello/x", admin, 404).await;
}
