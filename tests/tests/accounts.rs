//! Signup and login written entirely as plugins (`signup`, `login`), over Hookline's own
//! `users` table through `repos`, and that table's view as hooks get it: no root admins, a
//! bcrypt hash required for `password`, no deletes, a new password cutting off old tokens.

use hookline::store::entities::user;
use hookline_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Reply, TestServer};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

/// A server with `/signup`, `/login` (published, the plugins), `/private` (the echo handler,
/// not published) and `/repos` (the repository probe, published, with `users` as its table).
async fn server() -> (TestServer, i64) {
    let server = TestServer::start().await;
    for (name, stem) in [
        ("signup", "signup"),
        ("login", "login"),
        ("echo", "echo"),
        ("probe", "repos_probe"),
    ] {
        server.install(name, stem).await;
    }
    for (path, plugin) in [
        ("/signup", "signup"),
        ("/login", "login"),
        ("/repos", "probe"),
    ] {
        server
            .route(
                json!({"path": path, "methods": ["POST"], "publishedMethods": ["POST"],
                          "handler": {"plugin": plugin}, "tables": ["users"], "timeoutMs": 5000}),
            )
            .await;
    }
    let private = server
        .route(json!({"path": "/private", "methods": ["GET"], "handler": {"plugin": "echo"}}))
        .await;
    (server, private)
}

async fn user_count(server: &TestServer) -> u64 {
    user::Entity::find()
        .count(&server.state().db)
        .await
        .expect("counting users")
}

async fn signup(server: &TestServer, email: &str, password: &str) -> Reply {
    server
        .post("/signup", json!({"email": email, "password": password}))
        .await
}

async fn login(server: &TestServer, email: &str, password: &str) -> Reply {
    server
        .post("/login", json!({"email": email, "password": password}))
        .await
}

async fn repos(server: &TestServer, op: Value) -> Reply {
    server.post("/repos", op).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plugin_signup_and_login_give_a_token_hookline_accepts() {
    let (server, private) = server().await;
    let created = signup(&server, "  Grace@Example.ORG ", PASSWORD).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_i64().expect("the new user's id");
    assert_eq!(created.body["email"], "grace@example.org");

    // Stored as a bcrypt hash, never the password.
    let stored = user::Entity::find_by_id(id)
        .one(&server.state().db)
        .await
        .unwrap()
        .expect("the user row");
    assert!(stored.password_hash.starts_with("$2b$"));
    assert!(hookline::auth::is_bcrypt_hash(&stored.password_hash, 31));
    assert!(!stored.password_hash.contains(PASSWORD));
    assert!(!stored.is_root_admin && !stored.verified && !stored.disabled);
    assert_eq!(stored.role_id, None);

    let logged_in = login(&server, "GRACE@example.org", PASSWORD).await;
    assert_eq!(logged_in.status, 200, "{:?}", logged_in.body);
    let token = logged_in.body["accessToken"].as_str().unwrap().to_owned();

    // The token names the user: without a grant the private route is forbidden, with one open.
    let me = server.send("GET", "/me", Some(&token), None).await;
    assert_eq!((me.status, me.body["id"].as_i64()), (200, Some(id)));
    let refused = server.send("GET", "/private", Some(&token), None).await;
    assert_eq!((refused.status, refused.code()), (403, "FORBIDDEN"));
    let grant = server
        .admin(
            "POST",
            &format!("/admin/routes/{private}/permissions"),
            Some(json!({"user": id, "methods": ["GET"]})),
        )
        .await;
    assert_eq!(grant.status, 201, "{:?}", grant.body);
    let opened = server.send("GET", "/private", Some(&token), None).await;
    assert_eq!(opened.status, 200, "{:?}", opened.body);
    assert_eq!(opened.body["user"]["email"], "grace@example.org");
    assert_eq!(server.send("GET", "/private", None, None).await.status, 401);

    // The hash a plugin made is an ordinary bcrypt hash: Hookline's own login takes it too.
    let host_login = server
        .post(
            "/auth/login",
            json!({"email": "grace@example.org", "password": PASSWORD}),
        )
        .await;
    assert_eq!(host_login.status, 200, "{:?}", host_login.body);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_signups_and_logins_are_refused_and_write_nothing() {
    let (server, _) = server().await;
    assert_eq!(
        signup(&server, "ada@example.org", PASSWORD).await.status,
        201
    );
    let before = user_count(&server).await;

    let cases = [
        (
            json!({"email": "ADA@example.org", "password": PASSWORD}),
            409,
            "EMAIL_TAKEN",
        ),
        (
            json!({"email": "not-an-email", "password": PASSWORD}),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json!({"email": "bob@example.org", "password": "short"}),
            400,
            "INVALID_PASSWORD",
        ),
        (
            json!({"email": "bob@example.org", "password": "x".repeat(73)}),
            400,
            "INVALID_PASSWORD",
        ),
        (
            json!({"email": "bob@example.org"}),
            400,
            "INVALID_CREDENTIALS_BODY",
        ),
        (
            json!({"email": 7, "password": PASSWORD}),
            400,
            "INVALID_CREDENTIALS_BODY",
        ),
        (json!([]), 400, "INVALID_CREDENTIALS_BODY"),
    ];
    for (body, status, code) in cases {
        let reply = server.post("/signup", body.clone()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{body}: {:?}",
            reply.body
        );
    }
    assert_eq!(
        user_count(&server).await,
        before,
        "a refused signup wrote a user"
    );

    for (email, password) in [
        ("ada@example.org", "wrong password"),
        ("nobody@example.org", PASSWORD),
        // Root admins are not in the view hooks get, so a plugin login cannot reach them.
        (ADMIN_EMAIL, ADMIN_PASSWORD),
    ] {
        let reply = login(&server, email, password).await;
        assert_eq!(
            (reply.status, reply.code()),
            (401, "INVALID_CREDENTIALS"),
            "{email}"
        );
    }
    let no_body = server
        .post("/login", json!({"email": "ada@example.org"}))
        .await;
    assert_eq!(
        (no_body.status, no_body.code()),
        (400, "INVALID_CREDENTIALS_BODY")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_plugin_tokens_are_refused() {
    let server = TestServer::start().await;
    server.install("login", "login").await;
    server.install("signup", "signup").await;
    for (path, plugin, config) in [
        ("/signup", "signup", json!({})),
        ("/login", "login", json!({"expiration": "1s"})),
    ] {
        server
            .route(
                json!({"path": path, "methods": ["POST"], "publishedMethods": ["POST"],
                          "handler": {"plugin": plugin, "config": config}, "tables": ["users"]}),
            )
            .await;
    }
    assert_eq!(
        signup(&server, "eve@example.org", PASSWORD).await.status,
        201
    );
    let token = login(&server, "eve@example.org", PASSWORD).await.body["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        server.send("GET", "/me", Some(&token), None).await.status,
        200
    );
    // One second of life plus the verifier's leeway.
    let wait = 1 + hookline::auth::TOKEN_LEEWAY_SECS + 1;
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let expired = server.send("GET", "/me", Some(&token), None).await;
    assert_eq!((expired.status, expired.code()), (401, "TOKEN_EXPIRED"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_users_view_keeps_root_admins_hashes_and_deletes_in_check() {
    let (server, _) = server().await;
    let id = signup(&server, "lin@example.org", PASSWORD).await.body["id"]
        .as_i64()
        .unwrap();
    let token = login(&server, "lin@example.org", PASSWORD).await.body["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();

    // Only the view's fields, and no root admin.
    let all = repos(
        &server,
        json!({"op": "find", "table": "users", "query": {"limit": 0, "meta": "*"}}),
    )
    .await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    let rows = all.body["result"]["data"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 1);
    let mut fields: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "createdAt",
            "email",
            "id",
            "password",
            "updatedAt",
            "verified"
        ]
    );
    assert_eq!(all.body["result"]["meta"]["totalCount"], 1);
    let root_id = server
        .send("GET", "/me", Some(&server.admin_token), None)
        .await
        .body["id"]
        .as_i64()
        .unwrap();
    for op in [
        json!({"op": "update", "table": "users", "id": root_id, "data": {"verified": false}}),
        json!({"op": "findOne", "table": "users", "query": {"filter": {"id": {"_eq": root_id}}}}),
    ] {
        let reply = repos(&server, op.clone()).await;
        let hidden = reply.status == 404 || reply.body["result"].is_null();
        assert!(hidden, "{op}: {:?}", reply.body);
    }
    let count = repos(
        &server,
        json!({"op": "count", "table": "users", "filter": null}),
    )
    .await;
    assert_eq!(count.body["result"], 1);

    // Writes: a plain password, fields outside the view, a delete.
    let refusals = [
        (
            json!({"op": "update", "table": "users", "id": id, "data": {"password": "plain-text-password"}}),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json!({"op": "update", "table": "users", "id": id, "data": {"isRootAdmin": true}}),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json!({"op": "create", "table": "users", "data": {"email": "x@example.org", "password": "plain"}}),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json!({"op": "create", "table": "users", "data": {"email": "x@example.org"}}),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json!({"op": "delete", "table": "users", "id": id}),
            403,
            "SYSTEM_TABLE_READ_ONLY",
        ),
    ];
    let before = user_count(&server).await;
    for (op, status, code) in refusals {
        let reply = repos(&server, op.clone()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{op}: {:?}",
            reply.body
        );
    }
    assert_eq!(user_count(&server).await, before);
    assert_eq!(
        server.send("GET", "/me", Some(&token), None).await.status,
        200
    );

    // A new password (a bcrypt hash) cuts off the tokens issued before it.
    let hash = hookline::auth::hash_password("a brand new password".into(), 4)
        .await
        .unwrap();
    let changed = repos(
        &server,
        json!({"op": "update", "table": "users", "id": id, "data": {"password": hash, "verified": true}}),
    )
    .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body["result"]["verified"], true);
    let old = server.send("GET", "/me", Some(&token), None).await;
    assert_eq!((old.status, old.code()), (401, "TOKEN_REVOKED"));
    assert_eq!(
        login(&server, "lin@example.org", PASSWORD).await.status,
        401
    );
    // A token from the cut-off's own second is refused too: log in again in the next one.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let fresh = login(&server, "lin@example.org", "a brand new password").await;
    assert_eq!(fresh.status, 200, "{:?}", fresh.body);
    let me = server
        .send("GET", "/me", fresh.body["accessToken"].as_str(), None)
        .await;
    assert_eq!(
        (me.status, me.body["verified"].as_bool()),
        (200, Some(true))
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_exposed_system_tables_can_be_named_and_only_where_named() {
    let server = TestServer::start().await;
    server.install("probe", "repos_probe").await;
    for table in ["roles", "sessions", "plugins"] {
        let reply = server
            .admin(
                "POST",
                "/admin/routes",
                Some(json!({"path": format!("/x-{table}"), "methods": ["POST"],
                            "handler": {"plugin": "probe"}, "tables": [table]})),
            )
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (422, "UNKNOWN_TABLE"),
            "{table}"
        );
    }
    server
        .route(
            json!({"path": "/plain", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "probe"}}),
        )
        .await;
    let reply = server
        .post(
            "/plain",
            json!({"op": "count", "table": "users", "filter": null}),
        )
        .await;
    assert_eq!((reply.status, reply.code()), (403, "TABLE_NOT_ALLOWED"));
    server.stop().await;
}
