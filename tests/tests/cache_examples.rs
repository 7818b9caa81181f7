//! The cache and rate-limit example plugins over HTTP, on both backends: `login-limit` (the
//! reference's login limit by IP), `counter` (a per-user counter) and `inventory` (a critical
//! section under `acquire`/`release`).

use std::collections::BTreeSet;

use futures::future::join_all;
use hookline_tests::backends::Setup;
use hookline_tests::on_both_backends;
use serde_json::json;

on_both_backends!(
    login_attempts_are_limited_by_ip,
    the_counter_counts_per_user_without_losing_increments,
    reservations_never_oversell,
);

async fn login_attempts_are_limited_by_ip(s: Setup) {
    let server = &s.server;
    server.install("echo", "echo").await;
    server.install("login-limit", "login_limit").await;
    let id = server
        .route(
            json!({"path": "/signin", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "echo"}}),
        )
        .await;
    server
        .hook(json!({"phase": "pre", "route": id, "plugin": "login-limit"}))
        .await;
    let attempt = json!({"email": "ada@example.com", "password": "wrong"});
    for _ in 0..5 {
        let reply = server.post("/signin", attempt.clone()).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
    }
    let refused = server.post("/signin", attempt).await;
    assert_eq!(refused.status, 429, "{:?}", refused.body);
    assert_eq!(refused.code(), "RATE_LIMITED");
    let retry: u64 = refused
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(
        refused.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Too many login attempts. Try again in "),
        "{:?}",
        refused.body
    );
    assert_eq!(refused.header("x-ratelimit-limit"), Some("5"));
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
    assert!(refused.header("x-ratelimit-reset").is_some());
    // The limit is per route: another route of the same client is not affected.
    let other = server
        .route(
            json!({"path": "/signin2", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "echo"}}),
        )
        .await;
    server
        .hook(
            json!({"phase": "pre", "route": other, "plugin": "login-limit",
                     "config": {"maxRequests": 1, "perSeconds": 60}}),
        )
        .await;
    assert_eq!(server.post("/signin2", json!({})).await.status, 200);
    assert_eq!(server.post("/signin2", json!({})).await.status, 429);
}

async fn the_counter_counts_per_user_without_losing_increments(s: Setup) {
    let server = &s.server;
    server.install("counter", "counter").await;
    server
        .route(json!({"path": "/counter", "methods": ["POST"], "handler": {"plugin": "counter"}}))
        .await;
    let count = |reply: &hookline_tests::Reply| {
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        reply.body["count"].as_u64().expect("count")
    };
    for expected in 1..=3 {
        assert_eq!(
            count(&server.admin("POST", "/counter", None).await),
            expected
        );
    }
    let replies = join_all((0..20).map(|_| server.admin("POST", "/counter", None))).await;
    let counts: BTreeSet<u64> = replies.iter().map(count).collect();
    assert_eq!(
        counts,
        (4..=23).collect(),
        "every increment is kept exactly once"
    );
    // Another user has a counter of their own.
    server
        .create_user("bob@example.com", "bob-password", true)
        .await;
    let bob = server.login("bob@example.com", "bob-password").await;
    let reply = server.send("POST", "/counter", Some(&bob), None).await;
    assert_eq!(count(&reply), 1);
}

async fn reservations_never_oversell(s: Setup) {
    let server = &s.server;
    server.install("inventory", "inventory").await;
    server
        .route(json!({"path": "/reserve", "methods": ["PUT", "POST"],
                      "publishedMethods": ["PUT", "POST"], "handler": {"plugin": "inventory"}}))
        .await;
    let stocked = server
        .send(
            "PUT",
            "/reserve",
            None,
            Some(json!({"product": "p1", "stock": 10})),
        )
        .await;
    assert_eq!(stocked.status, 200, "{:?}", stocked.body);
    let replies =
        join_all((0..30).map(|_| server.post("/reserve", json!({"product": "p1"})))).await;
    let mut left = BTreeSet::new();
    let mut sold_out = 0;
    for reply in &replies {
        match reply.status {
            200 => {
                left.insert(reply.body["left"].as_u64().unwrap());
            }
            409 => {
                assert_eq!(reply.code(), "SOLD_OUT");
                sold_out += 1;
            }
            _ => panic!("unexpected {:?}", reply.body),
        }
    }
    assert_eq!(left, (0..10).collect(), "each unit sold once");
    assert_eq!(sold_out, 20);
    let missing = server
        .send("PUT", "/reserve", None, Some(json!({"product": "p2"})))
        .await;
    assert_eq!((missing.status, missing.code()), (400, "STOCK_REQUIRED"));
    let bad = server.post("/reserve", json!({"sku": 1})).await;
    assert_eq!(bad.status, 400, "{:?}", bad.body);
}
