//! The findings of the adversarial review outside the data API, each over HTTP: bodies are
//! read only after admission and parsed within a cap; a password a hook sets ends every
//! session; plugin rate-limit keys cannot touch the system's; bcrypt costs are capped; sessions
//! end at an absolute lifetime; the data directory is private; stopping drains requests; only
//! the configured forwarding header is believed, and IPv6 clients are limited by network.

use hookline_tests::{TestServer, assert_refused};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_body_is_read_only_after_admission_and_parsed_within_a_cap() {
    let server = TestServer::start_with(|s| {
        s.max_body_bytes = 64 * 1024;
        s.max_json_values = 100;
    })
    .await;
    server.install("echo", "echo").await;
    server
        .route(json!({"path": "/private", "methods": ["POST"], "handler": {"plugin": "echo"}}))
        .await;
    server
        .route(
            json!({"path": "/open", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "echo"}}),
        )
        .await;
    let oversize = vec![b' '; 128 * 1024];
    // Anonymous on a non-published route: refused before the body is read or parsed.
    for (what, body) in [
        ("malformed JSON", b"{".to_vec()),
        ("an oversize body", oversize.clone()),
    ] {
        let reply = server
            .send_raw("POST", "/private", None, "application/json", body)
            .await;
        assert_refused(&reply, 401, "UNAUTHORIZED", what);
    }
    // Where the caller may post, the same bodies get their own errors.
    let admin = Some(server.admin_token.as_str());
    let malformed = server
        .send_raw("POST", "/private", admin, "application/json", b"{".to_vec())
        .await;
    assert_refused(
        &malformed,
        400,
        "INVALID_JSON",
        "malformed JSON, authorized",
    );
    let too_big = server
        .send_raw("POST", "/open", None, "application/json", oversize)
        .await;
    assert_refused(&too_big, 413, "PAYLOAD_TOO_LARGE", "oversize, published");
    let many = serde_json::to_vec(&vec![0; 200]).unwrap();
    let too_many = server
        .send_raw("POST", "/open", None, "application/json", many)
        .await;
    assert_refused(
        &too_many,
        413,
        "PAYLOAD_TOO_LARGE",
        "200 values past a cap of 100",
    );
    let fine = server.post("/open", json!({"a": [1, 2, 3]})).await;
    assert_eq!(fine.status, 200, "{:?}", fine.body);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_a_hook_sets_ends_every_session_of_the_user() {
    let server = TestServer::start().await;
    server.install("repos-probe", "repos_probe").await;
    server
        .route(
            json!({"path": "/users-probe", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "repos-probe"}, "tables": ["users"]}),
        )
        .await;
    let id = server
        .create_user("ada@example.com", "password-1234", false)
        .await;
    let login = server
        .post(
            "/auth/login",
            json!({"email": "ada@example.com", "password": "password-1234"}),
        )
        .await;
    assert_eq!(login.status, 200, "{:?}", login.body);
    let refresh_token = login.body["refreshToken"].as_str().unwrap().to_owned();
    let hash = hookline::auth::hash_password("new-password-5678".into(), 4)
        .await
        .unwrap();
    let changed = server
        .post(
            "/users-probe",
            json!({"op": "update", "table": "users", "id": id, "data": {"password": hash}}),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    let refreshed = server
        .post("/auth/refresh", json!({"refreshToken": refresh_token}))
        .await;
    assert_eq!(refreshed.status, 401, "{:?}", refreshed.body);
    let access = login.body["accessToken"].as_str().unwrap();
    assert_eq!(
        server.send("GET", "/me", Some(access), None).await.status,
        401
    );
    // The new password logs in.
    server.login("ada@example.com", "new-password-5678").await;

    // A hash costlier than the cap is not a password a hook may store.
    let costly = hash.replacen("$04$", "$31$", 1);
    let refused = server
        .post(
            "/users-probe",
            json!({"op": "update", "table": "users", "id": id, "data": {"password": costly}}),
        )
        .await;
    assert_refused(&refused, 400, "VALIDATION_ERROR", "a cost-31 hash");
    server.login("ada@example.com", "new-password-5678").await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bcrypt_compare_refuses_a_hash_above_the_cost_cap_at_once() {
    let server = TestServer::start().await;
    server.install("helpers-probe", "helpers_probe").await;
    server
        .route(
            json!({"path": "/helpers", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "helpers-probe"}}),
        )
        .await;
    let hash = hookline::auth::hash_password("plain".into(), 4)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let costly = server
        .post(
            "/helpers",
            json!({"op": "bcryptCompare", "plain": "plain", "hash": hash.replacen("$04$", "$31$", 1)}),
        )
        .await;
    assert_eq!(
        (costly.status, &costly.body["result"]),
        (200, &json!(false))
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let cheap = server
        .post(
            "/helpers",
            json!({"op": "bcryptCompare", "plain": "plain", "hash": hash}),
        )
        .await;
    assert_eq!(cheap.body["result"], true);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plugin_cannot_reset_or_spend_a_system_rate_limit() {
    let server = TestServer::start_with(|s| {
        s.login_limit_per_ip = 3;
    })
    .await;
    server.install("cache-probe", "cache_probe").await;
    server
        .route(
            json!({"path": "/limits", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "cache-probe"}}),
        )
        .await;
    let attempt = |email: &'static str| {
        server.post(
            "/auth/login",
            json!({"email": email, "password": "wrong-password"}),
        )
    };
    // TestServer logged the admin in once already: two more attempts reach the limit.
    for _ in 0..2 {
        assert_eq!(attempt("nobody@example.com").await.status, 401);
    }
    assert_eq!(attempt("nobody@example.com").await.status, 429);
    for key in [
        "auth:login:ip:127.0.0.1",
        "system:auth:login:ip:127.0.0.1",
        "rate_limit:system:auth:login:ip:127.0.0.1",
    ] {
        let reset = server
            .post("/limits", json!({"op": "reset", "key": key}))
            .await;
        assert_eq!(reset.status, 200, "{:?}", reset.body);
        let next = attempt("someone-else@example.com").await;
        assert_refused(&next, 429, "RATE_LIMITED", key);
    }
    // Counting the same name from a plugin starts its own window.
    let check = server
        .post(
            "/limits",
            json!({"op": "check", "key": "auth:login:ip:127.0.0.1", "maxRequests": 1, "perSeconds": 60}),
        )
        .await;
    assert_eq!(check.body["result"]["allowed"], true, "{:?}", check.body);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_ends_at_its_absolute_lifetime_however_often_it_refreshes() {
    let server = TestServer::start_with(|s| {
        s.session_max_lifetime_secs = 2;
    })
    .await;
    server
        .create_user("ada@example.com", "password-1234", false)
        .await;
    let login = server
        .post(
            "/auth/login",
            json!({"email": "ada@example.com", "password": "password-1234"}),
        )
        .await;
    let mut refresh_token = login.body["refreshToken"].as_str().unwrap().to_owned();
    let rotated = server
        .post("/auth/refresh", json!({"refreshToken": refresh_token}))
        .await;
    assert_eq!(rotated.status, 200, "{:?}", rotated.body);
    refresh_token = rotated.body["refreshToken"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let expired = server
        .post("/auth/refresh", json!({"refreshToken": refresh_token}))
        .await;
    assert_eq!(expired.status, 401, "{:?}", expired.body);
    // A new login starts a new lifetime.
    server.login("ada@example.com", "password-1234").await;
    server.stop().await;
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn the_data_directory_and_database_are_private_and_a_readable_secret_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("data");
    let server = TestServer::start_with(|s| {
        s.data_dir = dir.clone();
        s.secret_key = None;
    })
    .await;
    assert_eq!(mode(&dir), 0o700);
    if server.settings.database_url.is_none() {
        assert_eq!(mode(&dir.join("hookline.db")), 0o600);
    }
    assert_eq!(mode(&dir.join("secret.key")), 0o600);
    let settings = server.settings.clone();
    server.stop().await;
    std::fs::set_permissions(
        dir.join("secret.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let refused = hookline::spawn(settings)
        .await
        .expect_err("a readable secret stops startup");
    assert!(refused.to_string().contains("chmod 600"), "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn stopping_lets_a_request_in_flight_finish() {
    let server = TestServer::start().await;
    server.install("slow", "slow").await;
    server
        .route(
            json!({"path": "/slow", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "slow", "config": {"ms": 800}}}),
        )
        .await;
    let client = server.client().clone();
    let url = format!("{}/slow", server.base);
    let in_flight = tokio::spawn(async move {
        client
            .post(url)
            .json(&json!({"ms": 800}))
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    server.stop().await;
    assert_eq!(in_flight.await.unwrap().unwrap(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_configured_forwarding_header_is_believed() {
    let server = TestServer::start_with(|s| {
        s.trusted_proxies = "127.0.0.1".into();
        s.forwarded_header = hookline::access::client_ip::ForwardedHeader::Forwarded;
    })
    .await;
    server.install("echo", "echo").await;
    let open = server
        .route(
            json!({"path": "/open", "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "echo"}}),
        )
        .await;
    let guard = server
        .admin(
            "POST",
            "/admin/guards",
            Some(json!({"position": "pre_auth", "route": open,
                        "rule": {"type": "ip_deny", "ips": ["2001:db8::/32"]}})),
        )
        .await;
    assert_eq!(guard.status, 201, "{:?}", guard.body);
    let from = |headers: &'static [(&'static str, &'static str)]| {
        let mut request = server.client().get(format!("{}/open", server.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        from(&[("forwarded", r#"for="[2001:db8::9]:443""#)]).await,
        403
    );
    // The proxy writes Forwarded; an X-Forwarded-For is the client's own and changes nothing.
    assert_eq!(
        from(&[
            ("forwarded", "for=198.51.100.1"),
            ("x-forwarded-for", "2001:db8::9")
        ])
        .await,
        200
    );
    assert_eq!(
        from(&[
            ("forwarded", "for=2001:db8::9"),
            ("x-forwarded-for", "198.51.100.1")
        ])
        .await,
        403
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_limits_count_an_ipv6_client_by_its_network() {
    let server = TestServer::start_with(|s| {
        s.trusted_proxies = "127.0.0.1".into();
        s.login_limit_per_ip = 2;
    })
    .await;
    let attempt = |ip: &'static str| {
        let request = server
            .client()
            .post(format!("{}/auth/login", server.base))
            .header("x-forwarded-for", ip)
            .json(&json!({"email": "nobody@example.com", "password": "wrong"}));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(attempt("2001:db8:1:2::1").await, 401);
    assert_eq!(attempt("2001:db8:1:2::2").await, 401);
    assert_eq!(attempt("2001:db8:1:2:ffff::3").await, 429, "the same /64");
    assert_eq!(attempt("2001:db8:1:3::1").await, 401, "another /64");
    server.stop().await;
}

/// Two root admins demoting each other (or disabling themselves) at once: exactly one wins,
/// every time, and an active root admin is left.
#[tokio::test(flavor = "multi_thread")]
async fn two_root_admins_demoting_each_other_at_once_leave_one() {
    let server = TestServer::start().await;
    let me = server.admin("GET", "/me", None).await.body["id"].clone();
    let mut admins = Vec::new();
    for email in ["b@example.com", "c@example.com"] {
        let id = server.create_user(email, "password-1234", true).await;
        admins.push((id, email, server.login(email, "password-1234").await));
    }
    let demote = server
        .admin(
            "PATCH",
            &format!("/admin/users/{me}"),
            Some(json!({"isRootAdmin": false})),
        )
        .await;
    assert_eq!(demote.status, 200, "{:?}", demote.body);
    let server = &server;
    let patch = |by: &str, of: i64, body: serde_json::Value| {
        let (path, by) = (format!("/admin/users/{of}"), by.to_owned());
        async move { server.send("PATCH", &path, Some(&by), Some(body)).await }
    };
    for round in 0..6 {
        // Even rounds: each demotes the other. Odd rounds: each disables itself.
        let demoting = round % 2 == 0;
        let target = |i: usize| {
            if demoting {
                admins[1 - i].0
            } else {
                admins[i].0
            }
        };
        let change = if demoting {
            json!({"isRootAdmin": false})
        } else {
            json!({"disabled": true})
        };
        let (first, second) = tokio::join!(
            patch(&admins[0].2, target(0), change.clone()),
            patch(&admins[1].2, target(1), change.clone()),
        );
        let mut statuses = [first.status, second.status];
        statuses.sort();
        // The loser is refused as the last root admin's demoter (409), or — demoting, when
        // the winner's change committed before the loser's request was admitted — as no
        // longer a root admin at all (403). Either way exactly one change went through.
        let lost_admission = demoting && statuses == [200, 403];
        assert!(
            statuses == [200, 409] || lost_admission,
            "round {round}: {statuses:?} {:?} {:?}",
            first.body,
            second.body
        );
        let refused = if first.status == 200 { &second } else { &first };
        if lost_admission {
            assert_refused(refused, 403, "FORBIDDEN", "the demoted admin's demotion");
        } else {
            assert_refused(refused, 409, "LAST_ROOT_ADMIN", "the second demotion");
        }
        // The one still a root admin undoes the change that went through.
        let won = usize::from(first.status != 200);
        let (survivor, undo) = if demoting {
            (won, json!({"isRootAdmin": true}))
        } else {
            (1 - won, json!({"disabled": false}))
        };
        let undone = patch(&admins[survivor].2, target(won), undo).await;
        assert_eq!(undone.status, 200, "round {round}: {:?}", undone.body);
        if !demoting {
            // Disabling revoked the disabled admin's tokens: it signs in again.
            let (_, email, _) = admins[won];
            admins[won].2 = server.login(email, "password-1234").await;
        }
    }
}
