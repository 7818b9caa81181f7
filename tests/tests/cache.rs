//! The cache, locks and rate limits through real plugins over HTTP. Every behaviour runs twice,
//! one test body on two backends: in process (the default) and on a real `redis-server` the
//! test starts (skipped, with the reason printed, where it is not installed — except in CI).

use std::time::Duration;

use futures::future::join_all;
use hookline_tests::backends::Setup;
use hookline_tests::{TestServer, on_both_backends};
use serde_json::{Value, json};

on_both_backends!(
    values_expire_after_their_ttl,
    set_no_expire_clears_a_ttl,
    only_the_owner_releases_a_lock,
    exists_compares_values_and_lock_owners,
    the_quota_evicts_least_recently_used_user_keys_only,
    a_value_larger_than_the_quota_is_refused,
    bad_arguments_are_refused_with_codes,
    exactly_the_limit_is_allowed_under_concurrency,
    the_window_slides,
    reset_and_status,
    the_result_object_has_the_reference_fields,
    templates_fill_in_ip_user_and_route,
);

async fn values_expire_after_their_ttl(s: Setup) {
    assert_eq!(
        s.ok(json!({"op": "get", "key": "user:1"})).await,
        Value::Null
    );
    s.ok(json!({"op": "set", "key": "user:1", "value": {"name": "Ada"}, "ttlMs": 400}))
        .await;
    assert_eq!(
        s.ok(json!({"op": "get", "key": "user:1"})).await,
        json!({"name": "Ada"})
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        s.ok(json!({"op": "get", "key": "user:1"})).await,
        Value::Null
    );
}

async fn set_no_expire_clears_a_ttl(s: Setup) {
    s.ok(json!({"op": "set", "key": "k", "value": 1, "ttlMs": 300}))
        .await;
    s.ok(json!({"op": "setNoExpire", "key": "k", "value": 2}))
        .await;
    s.ok(json!({"op": "setNoExpire", "key": "forever", "value": [1, 2]}))
        .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(s.ok(json!({"op": "get", "key": "k"})).await, json!(2));
    assert_eq!(
        s.ok(json!({"op": "get", "key": "forever"})).await,
        json!([1, 2])
    );
}

async fn only_the_owner_releases_a_lock(s: Setup) {
    let acquire = |owner: &str, ttl: u64| json!({"op": "acquire", "key": "job:7", "owner": owner, "ttlMs": ttl});
    let release = |owner: &str| json!({"op": "release", "key": "job:7", "owner": owner});
    assert_eq!(s.ok(acquire("a", 10_000)).await, json!(true));
    assert_eq!(s.ok(acquire("b", 10_000)).await, json!(false));
    assert_eq!(
        s.ok(acquire("a", 10_000)).await,
        json!(false),
        "not re-entrant"
    );
    assert_eq!(s.ok(release("b")).await, json!(false));
    assert_eq!(s.ok(release("a")).await, json!(true));
    assert_eq!(s.ok(release("a")).await, json!(false), "already released");
    // A lock expires on its own: a crashed holder does not block others for ever.
    assert_eq!(s.ok(acquire("b", 300)).await, json!(true));
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(s.ok(acquire("c", 10_000)).await, json!(true));
    assert_eq!(s.ok(release("b")).await, json!(false), "b's lock expired");
    // Locks and values are apart: a value under the same name is not a lock.
    s.ok(json!({"op": "setNoExpire", "key": "job:8", "value": "a"}))
        .await;
    assert_eq!(
        s.ok(json!({"op": "acquire", "key": "job:8", "owner": "a", "ttlMs": 1000}))
            .await,
        json!(true)
    );
}

async fn exists_compares_values_and_lock_owners(s: Setup) {
    s.ok(json!({"op": "setNoExpire", "key": "doc", "value": {"a": 1, "b": [2, 3]}}))
        .await;
    let exists = |value: Value| json!({"op": "exists", "key": "doc", "value": value});
    assert_eq!(
        s.ok(exists(json!({"b": [2, 3], "a": 1}))).await,
        json!(true),
        "key order"
    );
    assert_eq!(s.ok(exists(json!({"a": 1}))).await, json!(false));
    assert_eq!(
        s.ok(json!({"op": "exists", "key": "missing", "value": null}))
            .await,
        json!(false)
    );
    s.ok(json!({"op": "acquire", "key": "user-lock:123", "owner": "user-456", "ttlMs": 5000}))
        .await;
    let lock_exists = |owner: &str| json!({"op": "exists", "key": "user-lock:123", "value": owner});
    assert_eq!(s.ok(lock_exists("user-456")).await, json!(true));
    assert_eq!(s.ok(lock_exists("user-789")).await, json!(false));
    assert_eq!(
        s.ok(json!({"op": "deleteKey", "key": "doc"})).await,
        json!(true)
    );
    assert_eq!(
        s.ok(json!({"op": "deleteKey", "key": "doc"})).await,
        json!(false)
    );
    assert_eq!(
        s.ok(exists(json!({"a": 1, "b": [2, 3]}))).await,
        json!(false)
    );
}

/// A string value of about `kib` KiB.
fn blob(kib: usize) -> String {
    "x".repeat(kib * 1024 - 64)
}

async fn the_quota_evicts_least_recently_used_user_keys_only(s: Setup) {
    // System state first: a lock and a rate-limit window.
    s.ok(json!({"op": "acquire", "key": "lock:a", "owner": "me", "ttlMs": 60_000}))
        .await;
    let check = json!({"op": "check", "key": "quota-test", "maxRequests": 10, "perSeconds": 600});
    s.ok(check.clone()).await;
    // Eight 100 KiB values fit in the 1 MiB quota.
    for i in 0..8 {
        s.ok(json!({"op": "setNoExpire", "key": format!("big:{i}"), "value": blob(100)}))
            .await;
    }
    // Use big:0, so big:1 becomes the least recently used.
    assert!(s.ok(json!({"op": "get", "key": "big:0"})).await.is_string());
    // Four more need room for about 1200 KiB: the oldest unused ones go.
    for i in 8..12 {
        s.ok(json!({"op": "setNoExpire", "key": format!("big:{i}"), "value": blob(100)}))
            .await;
    }
    let mut present = Vec::new();
    for i in 0..12 {
        if s.ok(json!({"op": "get", "key": format!("big:{i}")}))
            .await
            .is_string()
        {
            present.push(i);
        }
    }
    assert!(
        present.contains(&0),
        "recently read big:0 survives: {present:?}"
    );
    assert!(
        !present.contains(&1),
        "big:1 was the least recently used: {present:?}"
    );
    assert!(
        (8..12).all(|i| present.contains(&i)),
        "new keys are kept: {present:?}"
    );
    assert!(present.len() <= 10, "1 MiB holds at most ten: {present:?}");
    // The lock and the window were neither counted nor evicted.
    assert_eq!(
        s.ok(json!({"op": "exists", "key": "lock:a", "value": "me"}))
            .await,
        json!(true)
    );
    let status = s
        .ok(json!({"op": "status", "key": "quota-test", "maxRequests": 10, "perSeconds": 600}))
        .await;
    assert_eq!(status["remaining"], 9);
}

async fn a_value_larger_than_the_quota_is_refused(s: Setup) {
    s.ok(json!({"op": "setNoExpire", "key": "small", "value": 1}))
        .await;
    let reply = s
        .call(json!({"op": "setNoExpire", "key": "huge", "value": blob(1100)}))
        .await;
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    assert_eq!(reply.code(), "VALUE_TOO_LARGE");
    assert_eq!(s.ok(json!({"op": "get", "key": "huge"})).await, Value::Null);
    assert_eq!(s.ok(json!({"op": "get", "key": "small"})).await, json!(1));
}

async fn bad_arguments_are_refused_with_codes(s: Setup) {
    let cases = [
        (json!({"op": "get", "key": ""}), 400, "INVALID_KEY"),
        (json!({"op": "get", "key": "a\u{0}b"}), 400, "INVALID_KEY"),
        (
            json!({"op": "get", "key": "k".repeat(1025)}),
            400,
            "INVALID_KEY",
        ),
        (
            json!({"op": "set", "key": "k", "value": 1, "ttlMs": 0}),
            400,
            "INVALID_TTL",
        ),
        (
            json!({"op": "set", "key": "k", "value": 1, "ttlMs": 400u64 * 24 * 3600 * 1000}),
            400,
            "INVALID_TTL",
        ),
        (
            json!({"op": "acquire", "key": "k", "owner": "o", "ttlMs": 0}),
            400,
            "INVALID_TTL",
        ),
        (
            json!({"op": "check", "key": "k", "maxRequests": 0, "perSeconds": 60}),
            400,
            "INVALID_OPTIONS",
        ),
        (
            json!({"op": "check", "key": "k", "maxRequests": 100_001, "perSeconds": 60}),
            400,
            "INVALID_OPTIONS",
        ),
        (
            json!({"op": "status", "key": "k", "maxRequests": 5, "perSeconds": 0}),
            400,
            "INVALID_OPTIONS",
        ),
        (json!({"op": "reset", "key": ""}), 400, "INVALID_KEY"),
        (
            json!({"op": "byUser", "maxRequests": 5, "perSeconds": 60}),
            401,
            "NO_USER",
        ),
        (
            json!({"op": "byUserGlobal", "maxRequests": 5, "perSeconds": 60}),
            401,
            "NO_USER",
        ),
    ];
    for (op, status, code) in cases {
        let reply = s.call(op.clone()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{op}: {:?}",
            reply.body
        );
    }
    // Nothing was written by the refused calls.
    assert_eq!(s.ok(json!({"op": "get", "key": "k"})).await, Value::Null);
}

async fn exactly_the_limit_is_allowed_under_concurrency(s: Setup) {
    let check = json!({"op": "check", "key": "burst", "maxRequests": 50, "perSeconds": 60});
    let replies = join_all((0..200).map(|_| s.call(check.clone()))).await;
    let allowed = replies
        .iter()
        .inspect(|r| assert_eq!(r.status, 200, "{:?}", r.body))
        .filter(|r| r.body["result"]["allowed"] == json!(true))
        .count();
    assert_eq!(allowed, 50);
    let status = s
        .ok(json!({"op": "status", "key": "burst", "maxRequests": 50, "perSeconds": 60}))
        .await;
    assert_eq!(
        status["remaining"], 0,
        "refused checks did not count: {status}"
    );
}

async fn the_window_slides(s: Setup) {
    let check = json!({"op": "check", "key": "slide", "maxRequests": 3, "perSeconds": 2});
    let allowed = |r: Value| r["allowed"] == json!(true);
    assert!(allowed(s.ok(check.clone()).await));
    assert!(allowed(s.ok(check.clone()).await));
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(allowed(s.ok(check.clone()).await));
    assert!(!allowed(s.ok(check.clone()).await), "three in the window");
    // 2.2 s after the first two: they have left the window, the third has not. A fixed window
    // would allow three here (a burst of six within ~1.2 s); the sliding one allows two.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(allowed(s.ok(check.clone()).await));
    assert!(allowed(s.ok(check.clone()).await));
    let refused = s.ok(check.clone()).await;
    assert!(!allowed(refused.clone()), "{refused}");
    assert_eq!(refused["retryAfter"], 1, "{refused}");
}

async fn reset_and_status(s: Setup) {
    let status = json!({"op": "status", "key": "r", "maxRequests": 2, "perSeconds": 60});
    for _ in 0..5 {
        let result = s.ok(status.clone()).await;
        assert_eq!(
            (result["allowed"].clone(), result["remaining"].clone()),
            (json!(true), json!(2))
        );
    }
    let check = json!({"op": "check", "key": "r", "maxRequests": 2, "perSeconds": 60});
    assert_eq!(s.ok(check.clone()).await["remaining"], 1);
    assert_eq!(s.ok(check.clone()).await["remaining"], 0);
    assert_eq!(s.ok(check.clone()).await["allowed"], false);
    let now = s.ok(status.clone()).await;
    assert_eq!(
        (now["allowed"].clone(), now["remaining"].clone()),
        (json!(false), json!(0))
    );
    assert_eq!(s.ok(json!({"op": "reset", "key": "r"})).await, Value::Null);
    assert_eq!(s.ok(status.clone()).await["remaining"], 2);
    assert_eq!(s.ok(check).await["allowed"], true);
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn the_result_object_has_the_reference_fields(s: Setup) {
    let check = json!({"op": "check", "key": "fields", "maxRequests": 2, "perSeconds": 60});
    let first = s.ok(check.clone()).await;
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "allowed",
            "limit",
            "remaining",
            "resetAt",
            "retryAfter",
            "window"
        ]
    );
    assert_eq!(first["allowed"], true);
    assert_eq!(first["remaining"], 1);
    assert_eq!(first["retryAfter"], 0);
    assert_eq!(
        (first["limit"].clone(), first["window"].clone()),
        (json!(2), json!(60))
    );
    let reset_at = first["resetAt"].as_u64().unwrap();
    assert!(
        (unix_now() + 58..=unix_now() + 61).contains(&reset_at),
        "{first}"
    );
    s.ok(check.clone()).await;
    let refused = s.ok(check).await;
    assert_eq!(refused["allowed"], false);
    assert_eq!(refused["remaining"], 0);
    let retry = refused["retryAfter"].as_u64().unwrap();
    assert!((58..=60).contains(&retry), "{refused}");
    assert_eq!(refused["resetAt"], reset_at);
}

async fn templates_fill_in_ip_user_and_route(s: Setup) {
    let options = |op: &str| json!({"op": op, "maxRequests": 10, "perSeconds": 60});
    for op in ["byIp", "byRoute", "byIpGlobal"] {
        s.ok(options(op)).await;
    }
    let admin = s
        .server
        .admin("POST", "/cache", Some(options("byUser")))
        .await;
    assert_eq!(admin.status, 200, "{:?}", admin.body);
    s.server
        .admin("POST", "/cache", Some(options("byUserGlobal")))
        .await;
    let me = s.server.admin("GET", "/me", None).await;
    let id = me.body["id"].as_i64().expect("admin id");
    for key in [
        "ip:127.0.0.1:/cache".to_owned(),
        "route:/cache".to_owned(),
        "ip:127.0.0.1".to_owned(),
        format!("user:{id}:/cache"),
        format!("user:{id}"),
    ] {
        let status = s
            .ok(json!({"op": "status", "key": key, "maxRequests": 10, "perSeconds": 60}))
            .await;
        assert_eq!(status["remaining"], 9, "{key}: {status}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ready_reports_the_in_process_cache() {
    let server = TestServer::start().await;
    let ready = server.get("/ready").await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.body["cache"], "ok");
    assert_eq!(ready.body["cacheBackend"], "embedded");
    server.stop().await;
}
