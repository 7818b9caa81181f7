//! Authentication and authorization in the lifecycle, login and `/me`.

use hookline_tests::{ADMIN_EMAIL, TestServer};
use serde_json::json;

async fn server_with_routes() -> TestServer {
    let server = TestServer::start().await;
    server.install("echo", "echo").await;
    server
        .route(json!({"path": "/private", "methods": ["GET"], "handler": {"plugin": "echo"}}))
        .await;
    server
        .route(json!({"path": "/public", "methods": ["GET"], "publishedMethods": ["GET"], "handler": {"plugin": "echo"}}))
        .await;
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn a_private_route_needs_a_user_with_a_grant_and_root_admins_pass() {
    let server = server_with_routes().await;
    let anonymous = server.get("/private").await;
    assert_eq!((anonymous.status, anonymous.code()), (401, "UNAUTHORIZED"));
    let admin = server
        .send("GET", "/private", Some(&server.admin_token), None)
        .await;
    assert_eq!(admin.status, 200);
    assert_eq!(admin.body["user"]["email"], ADMIN_EMAIL);
    assert_eq!(admin.body["user"]["isRootAdmin"], true);
    server
        .create_user("plain@hookline.test", "plain-password", false)
        .await;
    let token = server.login("plain@hookline.test", "plain-password").await;
    let plain = server.send("GET", "/private", Some(&token), None).await;
    assert_eq!((plain.status, plain.code()), (403, "FORBIDDEN"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_tokens_are_refused_except_on_published_methods() {
    let server = server_with_routes().await;
    let tokens = &server.state().tokens;
    let expired = tokens
        .sign_claims(&json!({"id": 1, "exp": 1_000_000_000}))
        .unwrap();
    let no_exp = tokens.sign_claims(&json!({"id": 1})).unwrap();
    for (token, code) in [
        ("garbage", "TOKEN_INVALID"),
        (expired.as_str(), "TOKEN_EXPIRED"),
        (no_exp.as_str(), "TOKEN_INVALID"),
    ] {
        let private = server.send("GET", "/private", Some(token), None).await;
        assert_eq!((private.status, private.code()), (401, code), "{token}");
        let public = server.send("GET", "/public", Some(token), None).await;
        assert_eq!(public.status, 200, "{token}");
        assert_eq!(public.body["user"], serde_json::Value::Null);
    }
    let signed_in = server
        .send("GET", "/public", Some(&server.admin_token), None)
        .await;
    assert_eq!(signed_in.body["user"]["email"], ADMIN_EMAIL);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_checks_credentials_and_me_shows_the_user_without_secrets() {
    let server = TestServer::start().await;
    for body in [
        json!({"email": ADMIN_EMAIL, "password": "wrong"}),
        json!({"email": "nobody@hookline.test", "password": "x"}),
    ] {
        let reply = server.post("/auth/login", body).await;
        assert_eq!((reply.status, reply.code()), (401, "INVALID_CREDENTIALS"));
    }
    let missing = server
        .post("/auth/login", json!({"email": ADMIN_EMAIL}))
        .await;
    assert_eq!((missing.status, missing.code()), (400, "INVALID_BODY"));
    let login = server
        .post(
            "/auth/login",
            json!({"email": ADMIN_EMAIL, "password": hookline_tests::ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 200);
    assert!(login.body["expTime"].as_u64().is_some());
    let me = server
        .send("GET", "/me", Some(&server.admin_token), None)
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["email"], ADMIN_EMAIL);
    assert!(me.body.get("passwordHash").is_none() && me.body.get("password_hash").is_none());
    let anonymous = server.get("/me").await;
    assert_eq!((anonymous.status, anonymous.code()), (401, "UNAUTHORIZED"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_api_is_for_root_admins_only() {
    let server = TestServer::start().await;
    let anonymous = server.get("/admin/routes").await;
    assert_eq!((anonymous.status, anonymous.code()), (401, "UNAUTHORIZED"));
    server
        .create_user("plain@hookline.test", "plain-password", false)
        .await;
    let token = server.login("plain@hookline.test", "plain-password").await;
    for (method, path) in [
        ("GET", "/admin/routes"),
        ("GET", "/admin/plugins"),
        ("POST", "/admin/hooks"),
    ] {
        let reply = server
            .send(method, path, Some(&token), Some(json!({})))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (403, "FORBIDDEN"),
            "{method} {path}"
        );
    }
    let upload = server
        .send_raw(
            "POST",
            "/admin/plugins?name=x",
            Some(&token),
            "application/wasm",
            hookline_tests::plugin_bytes("hello"),
        )
        .await;
    assert_eq!(upload.status, 403);
    assert_eq!(
        server.admin("GET", "/admin/plugins", None).await.body,
        json!([])
    );
    server.stop().await;
}
