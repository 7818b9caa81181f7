//! Identity and admission through HTTP: users, roles and organizations over the admin API,
//! route permissions (every row of the authorization table), guards before and after
//! authentication, and the client IP behind trusted proxies.

use hookline_tests::{Reply, TestServer};
use serde_json::{Value, json};

/// A server with `echo` as the handler of `/open` (GET published) and `/private` (GET, POST).
async fn server_with_routes(
    adjust: impl FnOnce(&mut hookline::Settings),
) -> (TestServer, i64, i64) {
    let server = TestServer::start_with(adjust).await;
    server.install("echo", "echo").await;
    let open = server
        .route(
            json!({"path": "/open", "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "echo"}}),
        )
        .await;
    let private = server
        .route(
            json!({"path": "/private", "methods": ["GET", "POST"], "handler": {"plugin": "echo"}}),
        )
        .await;
    (server, open, private)
}

async fn created(server: &TestServer, path: &str, body: Value) -> Value {
    let reply = server.admin("POST", path, Some(body)).await;
    assert_eq!(reply.status, 201, "{path}: {:?}", reply.body);
    reply.body
}

/// Creates a user through the admin API and logs them in.
async fn user_with_token(server: &TestServer, email: &str, body: Value) -> (i64, String) {
    let mut body = body;
    body["email"] = json!(email);
    body["password"] = json!("password-1234");
    let user = created(server, "/admin/users", body).await;
    let token = server.login(email, "password-1234").await;
    (user["id"].as_i64().unwrap(), token)
}

/// GET with extra headers.
async fn get_with(
    server: &TestServer,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = server.client().get(format!("{}{path}", server.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_authorization_table() {
    let (server, _, private) = server_with_routes(|_| {}).await;
    created(&server, "/admin/roles", json!({"name": "editor"})).await;
    created(&server, "/admin/roles", json!({"name": "viewer"})).await;
    let (_, editor) = user_with_token(&server, "ed@example.com", json!({"role": "editor"})).await;
    let (_, viewer) = user_with_token(&server, "vi@example.com", json!({"role": "viewer"})).await;
    let (solo_id, solo) = user_with_token(&server, "solo@example.com", json!({})).await;
    let status = |reply: Reply| (reply.status, reply.code().to_owned());

    // Published: anyone, and a bad token there is anonymous.
    assert_eq!(server.get("/open").await.status, 200);
    let bad = get_with(&server, "/open", Some("not.a.token"), &[]).await;
    assert_eq!(bad.status, 200);
    assert_eq!(bad.body["user"], Value::Null);
    // Private without user, without grant.
    assert_eq!(
        status(server.get("/private").await),
        (401, "UNAUTHORIZED".into())
    );
    assert_eq!(
        status(server.send("GET", "/private", Some(&editor), None).await),
        (403, "FORBIDDEN".into())
    );
    let bad_private = get_with(&server, "/private", Some("not.a.token"), &[]).await;
    assert_eq!(bad_private.status, 401);
    // Root admin passes everything.
    assert_eq!(server.admin("GET", "/private", None).await.status, 200);

    // A role grant for GET.
    let grant = created(
        &server,
        &format!("/admin/routes/{private}/permissions"),
        json!({"role": "editor", "methods": ["GET"]}),
    )
    .await;
    assert_eq!(
        server
            .send("GET", "/private", Some(&editor), None)
            .await
            .status,
        200
    );
    assert_eq!(
        server
            .send("POST", "/private", Some(&editor), Some(json!({})))
            .await
            .status,
        403
    );
    assert_eq!(
        server
            .send("GET", "/private", Some(&viewer), None)
            .await
            .status,
        403,
        "wrong role"
    );
    // A user grant.
    created(
        &server,
        &format!("/admin/routes/{private}/permissions"),
        json!({"user": solo_id, "methods": ["get", "POST"]}),
    )
    .await;
    assert_eq!(
        server
            .send("POST", "/private", Some(&solo), Some(json!({})))
            .await
            .status,
        200
    );
    let list = server
        .admin("GET", &format!("/admin/routes/{private}/permissions"), None)
        .await;
    assert_eq!(
        list.body.as_array().map(Vec::len),
        Some(2),
        "{:?}",
        list.body
    );

    // Renaming the role keeps its grants and its holders.
    let roles = server.admin("GET", "/admin/roles", None).await.body;
    let editor_role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "editor")
        .unwrap()["id"]
        .clone();
    let renamed = server
        .admin(
            "PATCH",
            &format!("/admin/roles/{editor_role}"),
            Some(json!({"name": "writer"})),
        )
        .await;
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);
    let seen = server.send("GET", "/private", Some(&editor), None).await;
    assert_eq!(seen.status, 200, "{:?}", seen.body);
    assert_eq!(seen.body["user"]["role"], "writer");

    // Revoking the grant takes effect on the next request.
    let deleted = server
        .admin(
            "DELETE",
            &format!("/admin/routes/{private}/permissions/{}", grant["id"]),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        server
            .send("GET", "/private", Some(&editor), None)
            .await
            .status,
        403
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plugin_sees_the_user_and_nothing_secret() {
    let (server, _, private) = server_with_routes(|_| {}).await;
    created(&server, "/admin/roles", json!({"name": "editor"})).await;
    let org = created(
        &server,
        "/admin/organizations",
        json!({"name": "Acme", "subscriptionStatus": "active", "subscriptionExpiresAt": "2030-01-01T00:00:00Z"}),
    )
    .await;
    let (id, token) = user_with_token(
        &server,
        "ada@example.com",
        json!({"role": "editor", "verified": true, "organization": org["id"]}),
    )
    .await;
    created(
        &server,
        &format!("/admin/routes/{private}/permissions"),
        json!({"user": id, "methods": ["GET"]}),
    )
    .await;
    let seen = server.send("GET", "/private", Some(&token), None).await;
    assert_eq!(
        seen.body["user"],
        json!({"id": id, "email": "ada@example.com", "role": "editor", "isRootAdmin": false,
               "verified": true, "organization": org["id"]})
    );
    let listed = server
        .admin("GET", "/admin/users", None)
        .await
        .body
        .to_string();
    assert!(
        !listed.contains("password") && !listed.contains("$2"),
        "{listed}"
    );
    // Detaching the organization reaches the next request.
    let patched = server
        .admin(
            "PATCH",
            &format!("/admin/users/{id}"),
            Some(json!({"organization": null, "verified": false})),
        )
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    let seen = server.send("GET", "/private", Some(&token), None).await;
    assert_eq!(seen.body["user"]["organization"], Value::Null);
    assert_eq!(seen.body["user"]["verified"], false);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ip_guards_allow_and_deny_v4_and_v6_behind_trusted_proxies() {
    let (server, open, _) = server_with_routes(|s| s.trusted_proxies = "127.0.0.1/32".into()).await;
    created(
        &server,
        "/admin/guards",
        json!({"position": "pre_auth", "route": open, "rule": {"type": "ip_deny", "ips": ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]}}),
    )
    .await;
    let from = |ip: &'static str| {
        let server = &server;
        async move { get_with(server, "/open", None, &[("x-forwarded-for", ip)]).await }
    };
    for blocked in [
        "10.0.0.0",
        "10.255.255.255",
        "2001:db8::1",
        "2001:db8:ffff:ffff::1",
        "192.0.2.7",
        "::ffff:10.1.2.3",
    ] {
        let reply = from(blocked).await;
        assert_eq!(
            (reply.status, reply.code()),
            (403, "IP_BLOCKED"),
            "{blocked}"
        );
    }
    for allowed in ["9.255.255.255", "11.0.0.0", "2001:db9::1", "192.0.2.8"] {
        assert_eq!(from(allowed).await.status, 200, "{allowed}");
    }
    // Only the header the proxies write is read (X-Forwarded-For here): a Forwarded header
    // is the client's own, and the socket peer itself (127.0.0.1) is not denied.
    let forwarded = get_with(
        &server,
        "/open",
        None,
        &[("forwarded", r#"for="[2001:db8::9]:443""#)],
    )
    .await;
    assert_eq!(forwarded.status, 200);
    assert_eq!(server.get("/open").await.status, 200);

    // An allow list: only these pass.
    created(
        &server,
        "/admin/guards",
        json!({"position": "pre_auth", "route": open, "priority": -1, "rule": {"type": "ip_allow", "ips": ["203.0.113.0/24", "127.0.0.1"]}}),
    )
    .await;
    assert_eq!(from("203.0.113.200").await.status, 200);
    assert_eq!(from("203.0.114.1").await.code(), "IP_BLOCKED");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spoofed_forwarded_header_from_an_untrusted_peer_changes_nothing() {
    let (server, open, _) = server_with_routes(|_| {}).await;
    created(
        &server,
        "/admin/guards",
        json!({"position": "pre_auth", "rule": {"type": "ip_allow", "ips": ["10.0.0.0/8", "::1"]}, "route": open}),
    )
    .await;
    // The peer is 127.0.0.1, not in the allow list; claiming 10.x changes nothing.
    let spoofed = get_with(
        &server,
        "/open",
        None,
        &[
            ("x-forwarded-for", "10.1.1.1"),
            ("forwarded", "for=10.1.1.1"),
        ],
    )
    .await;
    assert_eq!((spoofed.status, spoofed.code()), (403, "IP_BLOCKED"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limit_guards_answer_429_with_headers() {
    let (server, open, private) = server_with_routes(|_| {}).await;
    created(
        &server,
        "/admin/guards",
        json!({"position": "pre_auth", "route": open, "methods": ["GET"],
               "rule": {"type": "rate_limit_by_ip", "maxRequests": 3, "perSeconds": 60}}),
    )
    .await;
    for _ in 0..3 {
        assert_eq!(server.get("/open").await.status, 200);
    }
    let refused = server.get("/open").await;
    assert_eq!((refused.status, refused.code()), (429, "RATE_LIMITED"));
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(refused.header("x-ratelimit-limit"), Some("3"));
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
    assert!(refused.header("x-ratelimit-reset").is_some());

    // Per user, after authentication: each user has a window of their own.
    created(&server, "/admin/roles", json!({"name": "member"})).await;
    created(
        &server,
        &format!("/admin/routes/{private}/permissions"),
        json!({"role": "member", "methods": ["GET", "POST"]}),
    )
    .await;
    let (_, a) = user_with_token(&server, "a@example.com", json!({"role": "member"})).await;
    let (_, b) = user_with_token(&server, "b@example.com", json!({"role": "member"})).await;
    created(
        &server,
        "/admin/guards",
        json!({"position": "post_auth", "route": private, "methods": ["POST"],
               "rule": {"type": "rate_limit_by_user", "maxRequests": 1, "perSeconds": 60}}),
    )
    .await;
    let post = |token: String| {
        let server = &server;
        async move {
            server
                .send("POST", "/private", Some(&token), Some(json!({})))
                .await
        }
    };
    assert_eq!(post(a.clone()).await.status, 200);
    assert_eq!(post(a.clone()).await.status, 429);
    assert_eq!(
        post(b.clone()).await.status,
        200,
        "b has a window of its own"
    );
    // The method filter: GET is not limited.
    for _ in 0..3 {
        assert_eq!(
            server.send("GET", "/private", Some(&a), None).await.status,
            200
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pre_auth_guards_run_before_authentication_and_post_auth_after() {
    let (server, _, private) = server_with_routes(|_| {}).await;
    let pre = created(
        &server,
        "/admin/guards",
        json!({"position": "pre_auth", "route": private, "rule": {"type": "ip_deny", "ips": ["127.0.0.0/8"]}}),
    )
    .await;
    // Refused before the (missing) token is even looked at.
    assert_eq!(server.get("/private").await.code(), "IP_BLOCKED");
    server
        .admin("DELETE", &format!("/admin/guards/{}", pre["id"]), None)
        .await;
    created(
        &server,
        "/admin/guards",
        json!({"position": "post_auth", "route": private, "rule": {"type": "ip_deny", "ips": ["127.0.0.1"]}}),
    )
    .await;
    // After authentication: the anonymous request fails authorization first.
    assert_eq!(server.get("/private").await.code(), "UNAUTHORIZED");
    assert_eq!(
        server.admin("GET", "/private", None).await.code(),
        "IP_BLOCKED"
    );
    // A disabled guard does nothing; a global guard applies to every route.
    let list = server.admin("GET", "/admin/guards", None).await.body;
    let id = list[0]["id"].clone();
    server
        .admin(
            "PATCH",
            &format!("/admin/guards/{id}"),
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(server.admin("GET", "/private", None).await.status, 200);
    created(
        &server,
        "/admin/guards",
        json!({"position": "pre_auth", "route": null, "rule": {"type": "ip_deny", "ips": ["::1", "127.0.0.1"]}}),
    )
    .await;
    assert_eq!(server.get("/open").await.code(), "IP_BLOCKED");
    server.stop().await;
}

/// How many users, roles, organizations, guards and grants on `route` exist.
async fn counts(server: &TestServer, route: i64) -> Vec<usize> {
    let grants = format!("/admin/routes/{route}/permissions");
    let mut counts = Vec::new();
    for path in [
        "/admin/users",
        "/admin/roles",
        "/admin/organizations",
        "/admin/guards",
        &grants,
    ] {
        counts.push(
            server
                .admin("GET", path, None)
                .await
                .body
                .as_array()
                .map_or(0, Vec::len),
        );
    }
    counts
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_admin_input_is_refused_and_nothing_is_written() {
    let (server, _, private) = server_with_routes(|_| {}).await;
    created(&server, "/admin/roles", json!({"name": "editor"})).await;
    created(&server, "/admin/organizations", json!({"name": "Acme"})).await;
    created(
        &server,
        "/admin/users",
        json!({"email": "taken@example.com", "password": "password-1234"}),
    )
    .await;
    let before = counts(&server, private).await;
    let grants = format!("/admin/routes/{private}/permissions");
    let cases: Vec<(&str, &str, Value, u16, &str)> = vec![
        (
            "POST",
            "/admin/users",
            json!({"password": "password-1234"}),
            400,
            "EMAIL_REQUIRED",
        ),
        (
            "POST",
            "/admin/users",
            json!({"email": "x@example.com"}),
            400,
            "PASSWORD_REQUIRED",
        ),
        (
            "POST",
            "/admin/users",
            json!({"email": "not-an-email", "password": "password-1234"}),
            400,
            "INVALID_EMAIL",
        ),
        (
            "POST",
            "/admin/users",
            json!({"email": "x@example.com", "password": "short"}),
            400,
            "INVALID_PASSWORD",
        ),
        (
            "POST",
            "/admin/users",
            json!({"email": "TAKEN@example.com", "password": "password-1234"}),
            409,
            "EMAIL_TAKEN",
        ),
        (
            "POST",
            "/admin/users",
            json!({"email": "x@example.com", "password": "password-1234", "role": "ghost"}),
            422,
            "UNKNOWN_ROLE",
        ),
        (
            "POST",
            "/admin/users",
            json!({"email": "x@example.com", "password": "password-1234", "organization": 999}),
            422,
            "UNKNOWN_ORGANIZATION",
        ),
        (
            "POST",
            "/admin/users",
            json!({"email": "x@example.com", "password": "password-1234", "verified": "yes"}),
            400,
            "INVALID_BODY",
        ),
        (
            "POST",
            "/admin/users",
            json!({"email": "x@example.com", "password": "password-1234", "passwordHash": "$2b$"}),
            400,
            "INVALID_BODY",
        ),
        ("POST", "/admin/roles", json!({}), 400, "NAME_REQUIRED"),
        (
            "POST",
            "/admin/roles",
            json!({"name": "editor"}),
            409,
            "ROLE_EXISTS",
        ),
        (
            "POST",
            "/admin/roles",
            json!({"name": "has space"}),
            400,
            "INVALID_NAME",
        ),
        (
            "POST",
            "/admin/organizations",
            json!({"subscriptionStatus": "active"}),
            400,
            "NAME_REQUIRED",
        ),
        (
            "POST",
            "/admin/organizations",
            json!({"name": "B", "subscriptionStatus": "paid"}),
            400,
            "INVALID_SUBSCRIPTION_STATUS",
        ),
        (
            "POST",
            "/admin/organizations",
            json!({"name": "B", "subscriptionExpiresAt": "tomorrow"}),
            400,
            "INVALID_DATE",
        ),
        (
            "POST",
            "/admin/guards",
            json!({"rule": {"type": "ip_deny", "ips": ["10.0.0.0/8"]}}),
            400,
            "POSITION_REQUIRED",
        ),
        (
            "POST",
            "/admin/guards",
            json!({"position": "somewhere", "rule": {"type": "ip_deny", "ips": ["10.0.0.0/8"]}}),
            400,
            "INVALID_POSITION",
        ),
        (
            "POST",
            "/admin/guards",
            json!({"position": "pre_auth"}),
            400,
            "RULE_REQUIRED",
        ),
        (
            "POST",
            "/admin/guards",
            json!({"position": "pre_auth", "rule": {"type": "ip_deny", "ips": ["10.0.0.0/33"]}}),
            400,
            "INVALID_RULE",
        ),
        (
            "POST",
            "/admin/guards",
            json!({"position": "pre_auth", "rule": {"type": "ip_deny", "ips": ["300.1.1.1"]}}),
            400,
            "INVALID_RULE",
        ),
        (
            "POST",
            "/admin/guards",
            json!({"position": "pre_auth", "rule": {"type": "ip_deny", "ips": []}}),
            400,
            "INVALID_RULE",
        ),
        (
            "POST",
            "/admin/guards",
            json!({"position": "pre_auth", "rule": {"type": "teleport"}}),
            400,
            "INVALID_RULE",
        ),
        (
            "POST",
            "/admin/guards",
            json!({"position": "pre_auth", "rule": {"type": "rate_limit_by_ip_user", "maxRequests": 1, "perSeconds": 1}}),
            400,
            "INVALID_RULE",
        ),
        (
            "POST",
            "/admin/guards",
            json!({"position": "pre_auth", "rule": {"type": "rate_limit_by_user", "maxRequests": 1, "perSeconds": 1}}),
            400,
            "INVALID_RULE",
        ),
        (
            "POST",
            "/admin/guards",
            json!({"position": "post_auth", "rule": {"type": "rate_limit_by_ip", "maxRequests": 0, "perSeconds": 1}}),
            400,
            "INVALID_RULE",
        ),
        (
            "POST",
            "/admin/guards",
            json!({"position": "pre_auth", "route": 999, "rule": {"type": "ip_deny", "ips": ["10.0.0.1"]}}),
            422,
            "UNKNOWN_ROUTE",
        ),
        (
            "POST",
            "/admin/guards",
            json!({"position": "pre_auth", "methods": ["FETCH"], "rule": {"type": "ip_deny", "ips": ["10.0.0.1"]}}),
            400,
            "INVALID_METHODS",
        ),
        (
            "POST",
            &grants,
            json!({"methods": ["GET"]}),
            400,
            "GRANTEE_REQUIRED",
        ),
        (
            "POST",
            &grants,
            json!({"role": "editor", "user": 1, "methods": ["GET"]}),
            400,
            "GRANTEE_REQUIRED",
        ),
        (
            "POST",
            &grants,
            json!({"role": "ghost", "methods": ["GET"]}),
            422,
            "UNKNOWN_ROLE",
        ),
        (
            "POST",
            &grants,
            json!({"user": 999, "methods": ["GET"]}),
            422,
            "UNKNOWN_USER",
        ),
        (
            "POST",
            &grants,
            json!({"role": "editor", "methods": []}),
            400,
            "METHODS_REQUIRED",
        ),
        (
            "POST",
            "/admin/routes/999/permissions",
            json!({"role": "editor", "methods": ["GET"]}),
            404,
            "NOT_FOUND",
        ),
    ];
    for (method, path, body, status, code) in cases {
        let reply = server.admin(method, path, Some(body.clone())).await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{method} {path} {body}: {:?}",
            reply.body
        );
    }
    assert_eq!(
        counts(&server, private).await,
        before,
        "nothing was written"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_in_use_and_the_last_root_admin_are_protected() {
    let server = TestServer::start().await;
    let role = created(&server, "/admin/roles", json!({"name": "editor"})).await;
    let user = created(
        &server,
        "/admin/users",
        json!({"email": "e@example.com", "password": "password-1234", "role": "editor"}),
    )
    .await;
    let in_use = server
        .admin("DELETE", &format!("/admin/roles/{}", role["id"]), None)
        .await;
    assert_eq!((in_use.status, in_use.code()), (409, "ROLE_IN_USE"));
    server
        .admin(
            "PATCH",
            &format!("/admin/users/{}", user["id"]),
            Some(json!({"role": null})),
        )
        .await;
    assert_eq!(
        server
            .admin("DELETE", &format!("/admin/roles/{}", role["id"]), None)
            .await
            .status,
        204
    );
    let me = server.admin("GET", "/me", None).await.body["id"].clone();
    let last = server
        .admin(
            "PATCH",
            &format!("/admin/users/{me}"),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!((last.status, last.code()), (409, "LAST_ROOT_ADMIN"));
    let last = server
        .admin("DELETE", &format!("/admin/users/{me}"), None)
        .await;
    assert_eq!((last.status, last.code()), (409, "LAST_ROOT_ADMIN"));
    // Organizations: deleting one detaches its members.
    let org = created(&server, "/admin/organizations", json!({"name": "Acme"})).await;
    server
        .admin(
            "PATCH",
            &format!("/admin/users/{}", user["id"]),
            Some(json!({"organization": org["id"]})),
        )
        .await;
    assert_eq!(
        server
            .admin(
                "DELETE",
                &format!("/admin/organizations/{}", org["id"]),
                None
            )
            .await
            .status,
        204
    );
    let after = server
        .admin("GET", &format!("/admin/users/{}", user["id"]), None)
        .await;
    assert_eq!(after.body["organization"], Value::Null);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_limits_count_the_client_behind_a_trusted_proxy() {
    let server = TestServer::start_with(|s| {
        s.trusted_proxies = "127.0.0.1".into();
        s.login_limit_per_ip = 2;
    })
    .await;
    let attempt = |ip: &'static str| {
        let server = &server;
        async move {
            let response = server
                .client()
                .post(format!("{}/auth/login", server.base))
                .header("x-forwarded-for", ip)
                .json(&json!({"email": "nobody@example.com", "password": "wrong-password"}))
                .send()
                .await
                .expect("request");
            response.status().as_u16()
        }
    };
    assert_eq!(attempt("198.51.100.1").await, 401);
    assert_eq!(attempt("198.51.100.1").await, 401);
    assert_eq!(attempt("198.51.100.1").await, 429);
    assert_eq!(
        attempt("198.51.100.2").await,
        401,
        "another client has its own count"
    );
    server.stop().await;
}
