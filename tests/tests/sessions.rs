//! Sessions and access tokens over HTTP: login, refresh rotation and reuse detection, logout,
//! revocation, disabled users, the claim checks of every access token, key rotation and the
//! login rate limits. `GET /me` is the probe of whether an access token is accepted.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hookline::store::entities::{session, user};
use hookline_tests::{ADMIN_EMAIL, ADMIN_PASSWORD, Reply, TestServer};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const USER_EMAIL: &str = "user@hookline.test";
const USER_PASSWORD: &str = "user-password";

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The tokens of one login or refresh.
struct Pair {
    access: String,
    refresh: String,
}

impl Pair {
    fn of(reply: &Reply) -> Pair {
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        Pair {
            access: reply.body["accessToken"].as_str().unwrap().to_owned(),
            refresh: reply.body["refreshToken"].as_str().unwrap().to_owned(),
        }
    }
}

async fn login(server: &TestServer, email: &str, password: &str) -> Reply {
    server
        .post("/auth/login", json!({"email": email, "password": password}))
        .await
}

async fn sign_in(server: &TestServer, email: &str, password: &str) -> Pair {
    Pair::of(&login(server, email, password).await)
}

async fn refresh(server: &TestServer, refresh_token: &str) -> Reply {
    server
        .post("/auth/refresh", json!({"refreshToken": refresh_token}))
        .await
}

/// `(status, code)` of `GET /me` with `token`; `(200, "")` when it is accepted.
async fn probe(server: &TestServer, token: &str) -> (u16, String) {
    let reply = server.send("GET", "/me", Some(token), None).await;
    (reply.status, reply.code().to_owned())
}

fn accepted() -> (u16, String) {
    (200, String::new())
}

fn refused(code: &str) -> (u16, String) {
    (401, code.to_owned())
}

/// The claims of a JWT, read without checking it.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// A token with `header` and `claims`, signed with HMAC-SHA256 under `key` whatever the header
/// says.
fn hmac_token(header: Value, claims: &Value, key: &[u8]) -> String {
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    let tag = ring::hmac::sign(&key, message.as_bytes());
    format!("{message}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

fn secret_of(server: &TestServer) -> Vec<u8> {
    server.settings.secret_key.clone().unwrap().into_bytes()
}

/// Claims the server would accept for user 1 (the root admin), but for what a test changes.
fn admin_claims() -> Value {
    json!({"id": 1, "iss": "hookline", "aud": "hookline", "iat": now_secs(), "exp": now_secs() + 600})
}

async fn session_rows(server: &TestServer) -> u64 {
    session::Entity::find()
        .count(&server.state().db)
        .await
        .unwrap()
}

async fn with_user(server: &TestServer) -> i64 {
    server.create_user(USER_EMAIL, USER_PASSWORD, false).await
}

#[tokio::test(flavor = "multi_thread")]
async fn login_returns_an_access_token_for_a_new_session_and_a_refresh_token() {
    let server = TestServer::start().await;
    let before = session_rows(&server).await;
    let reply = login(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let pair = Pair::of(&reply);
    assert_eq!(session_rows(&server).await, before + 1);
    let claims = claims_of(&pair.access);
    let sid = claims["sid"].as_str().expect("sid");
    assert_eq!(
        (&claims["iss"], &claims["aud"]),
        (&json!("hookline"), &json!("hookline"))
    );
    assert_eq!(
        reply.body["expTime"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap() * 1000
    );
    let header = jsonwebtoken::decode_header(&pair.access).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::HS256);
    assert_eq!(
        header.kid,
        Some(hookline::auth::key_id(&secret_of(&server)))
    );
    assert!(URL_SAFE_NO_PAD.decode(&pair.refresh).unwrap().len() >= 32);
    let stored = session::Entity::find_by_id(sid.to_owned())
        .one(&server.state().db)
        .await
        .unwrap()
        .expect("the session row");
    assert_ne!(stored.refresh_hash, pair.refresh, "only a digest is stored");
    assert_eq!(stored.refresh_hash.len(), 64);
    assert_eq!(probe(&server, &pair.access).await, accepted());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_rotates_the_refresh_token_and_issues_a_new_access_token() {
    let server = TestServer::start().await;
    let first = sign_in(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let second = Pair::of(&refresh(&server, &first.refresh).await);
    assert_ne!(second.refresh, first.refresh);
    let (old_sid, new_sid) = (
        claims_of(&first.access)["sid"].clone(),
        claims_of(&second.access)["sid"].clone(),
    );
    assert_ne!(old_sid, new_sid);
    assert_eq!(probe(&server, &second.access).await, accepted());
    assert_eq!(
        probe(&server, &first.access).await,
        accepted(),
        "a rotated login's earlier access token lives until it expires"
    );
    let third = Pair::of(&refresh(&server, &second.refresh).await);
    assert_eq!(probe(&server, &third.access).await, accepted());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reused_refresh_token_revokes_every_token_of_its_login() {
    let server = TestServer::start().await;
    let other_login = sign_in(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let first = sign_in(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let second = Pair::of(&refresh(&server, &first.refresh).await);
    let reuse = refresh(&server, &first.refresh).await;
    assert_eq!((reuse.status, reuse.code()), (401, "REFRESH_TOKEN_REUSED"));
    let newest = refresh(&server, &second.refresh).await;
    assert_eq!(
        (newest.status, newest.code()),
        (401, "REFRESH_TOKEN_REUSED")
    );
    assert_eq!(
        probe(&server, &first.access).await,
        refused("TOKEN_REVOKED")
    );
    assert_eq!(
        probe(&server, &second.access).await,
        refused("TOKEN_REVOKED")
    );
    assert_eq!(probe(&server, &other_login.access).await, accepted());
    assert_eq!(refresh(&server, &other_login.refresh).await.status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_refreshes_of_one_token_let_exactly_one_through() {
    let server = TestServer::start().await;
    let pair = sign_in(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let replies = futures::future::join_all((0..8).map(|_| refresh(&server, &pair.refresh))).await;
    let winners = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        winners,
        1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for loser in replies.iter().filter(|r| r.status != 200) {
        assert_eq!((loser.status, loser.code()), (401, "REFRESH_TOKEN_REUSED"));
    }
    let rows = session::Entity::find()
        .filter(session::Column::FamilyId.eq(claims_of(&pair.access)["sid"].as_str().unwrap()))
        .count(&server.state().db)
        .await
        .unwrap();
    assert_eq!(rows, 2, "one rotation, no orphan rows from the losers");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_revokes_the_access_and_refresh_tokens_of_that_login_only() {
    let server = TestServer::start().await;
    let leaving = sign_in(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let staying = sign_in(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let reply = server
        .send("POST", "/auth/logout", Some(&leaving.access), None)
        .await;
    assert_eq!(reply.status, 204, "{:?}", reply.body);
    assert_eq!(
        probe(&server, &leaving.access).await,
        refused("TOKEN_REVOKED")
    );
    assert_eq!(refresh(&server, &leaving.refresh).await.status, 401);
    assert_eq!(probe(&server, &staying.access).await, accepted());
    let again = server
        .send("POST", "/auth/logout", Some(&leaving.access), None)
        .await;
    assert_eq!((again.status, again.code()), (401, "TOKEN_REVOKED"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_without_a_token_is_unauthorized() {
    let server = TestServer::start().await;
    let reply = server.send("POST", "/auth/logout", None, None).await;
    assert_eq!((reply.status, reply.code()), (401, "UNAUTHORIZED"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_with_a_hook_minted_token_has_no_session_to_end() {
    let server = TestServer::start().await;
    let hook_token = server
        .state()
        .tokens
        .sign_claims(&json!({"id": 1, "exp": now_secs() + 600}))
        .unwrap();
    let before = session_rows(&server).await;
    let reply = server
        .send("POST", "/auth/logout", Some(&hook_token), None)
        .await;
    assert_eq!((reply.status, reply.code()), (400, "NO_SESSION"));
    assert_eq!(probe(&server, &hook_token).await, accepted());
    assert_eq!(session_rows(&server).await, before);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn revoking_a_users_tokens_cuts_off_every_token_they_hold_and_a_new_login_works() {
    let server = TestServer::start().await;
    let user_id = with_user(&server).await;
    let login_pair = sign_in(&server, USER_EMAIL, USER_PASSWORD).await;
    let refreshed = Pair::of(&refresh(&server, &login_pair.refresh).await);
    let hook_token = server
        .state()
        .tokens
        .sign_claims(&json!({"id": user_id, "exp": now_secs() + 600}))
        .unwrap();
    for token in [&login_pair.access, &refreshed.access, &hook_token] {
        assert_eq!(probe(&server, token).await, accepted());
    }
    let admin = sign_in(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    server.state().revoke_user_tokens(user_id).await.unwrap();
    for token in [&login_pair.access, &refreshed.access, &hook_token] {
        assert_eq!(probe(&server, token).await, refused("TOKEN_REVOKED"));
    }
    assert_eq!(refresh(&server, &refreshed.refresh).await.status, 401);
    let fresh = sign_in(&server, USER_EMAIL, USER_PASSWORD).await;
    assert_eq!(probe(&server, &fresh.access).await, accepted());
    assert_eq!(refresh(&server, &fresh.refresh).await.status, 200);
    assert_eq!(
        probe(&server, &admin.access).await,
        accepted(),
        "other users keep theirs"
    );
    server.stop().await;
}

async fn disable(server: &TestServer, user_id: i64) {
    user::Entity::update_many()
        .col_expr(user::Column::Disabled, Expr::value(true))
        .filter(user::Column::Id.eq(user_id))
        .exec(&server.state().db)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_user_cannot_log_in_and_their_tokens_stop_working() {
    let server = TestServer::start().await;
    let user_id = with_user(&server).await;
    let pair = sign_in(&server, USER_EMAIL, USER_PASSWORD).await;
    assert_eq!(probe(&server, &pair.access).await, accepted());
    disable(&server, user_id).await;
    server.state().forget_user(user_id);
    let reply = login(&server, USER_EMAIL, USER_PASSWORD).await;
    assert_eq!((reply.status, reply.code()), (401, "INVALID_CREDENTIALS"));
    assert_eq!(probe(&server, &pair.access).await, refused("TOKEN_INVALID"));
    let renewed = refresh(&server, &pair.refresh).await;
    assert_eq!(
        (renewed.status, renewed.code()),
        (401, "REFRESH_TOKEN_INVALID")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_this_node_was_not_told_about_takes_effect_within_the_cache_ttl() {
    let server = TestServer::start_with(|s| s.identity_cache_ttl_secs = 1).await;
    let user_id = with_user(&server).await;
    let pair = sign_in(&server, USER_EMAIL, USER_PASSWORD).await;
    assert_eq!(probe(&server, &pair.access).await, accepted());
    disable(&server, user_id).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(probe(&server, &pair.access).await, refused("TOKEN_INVALID"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_refused_as_expired() {
    let server = TestServer::start().await;
    let mut claims = admin_claims();
    claims["exp"] = json!(now_secs() - 3600);
    let token = server.state().tokens.sign_claims(&claims).unwrap();
    assert_eq!(probe(&server, &token).await, refused("TOKEN_EXPIRED"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_signed_with_another_key_or_algorithm_are_invalid() {
    use rsa::pkcs1::EncodeRsaPrivateKey;
    let server = TestServer::start().await;
    let secret = secret_of(&server);
    let kid = hookline::auth::key_id(&secret);
    let claims = admin_claims();
    assert_eq!(
        probe(
            &server,
            &hmac_token(json!({"alg": "HS256", "kid": kid}), &claims, &secret)
        )
        .await,
        accepted(),
        "the hand-made token is otherwise right"
    );
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT"}).to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let rsa_key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let rsa_der = rsa_key.to_pkcs1_der().unwrap();
    let mut rs_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    rs_header.kid = Some(kid.clone());
    let rs256 = jsonwebtoken::encode(
        &rs_header,
        &claims,
        &jsonwebtoken::EncodingKey::from_rsa_der(rsa_der.as_bytes()),
    )
    .unwrap();
    for (what, token) in [
        (
            "another key",
            hmac_token(
                json!({"alg": "HS256"}),
                &claims,
                b"another-secret-another-secret-0123",
            ),
        ),
        ("alg none", unsigned),
        (
            "RS256 header, HMAC with the secret",
            hmac_token(json!({"alg": "RS256", "kid": kid}), &claims, &secret),
        ),
        ("a real RS256 token", rs256),
        (
            "HS512 with the secret",
            hmac_token(json!({"alg": "HS512", "kid": kid}), &claims, &secret),
        ),
        (
            "an unknown kid",
            hmac_token(json!({"alg": "HS256", "kid": "0badc0de"}), &claims, &secret),
        ),
        ("not a JWT", "garbage".to_owned()),
    ] {
        assert_eq!(
            probe(&server, &token).await,
            refused("TOKEN_INVALID"),
            "{what}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_without_exp_or_for_another_issuer_or_audience_are_invalid() {
    let server = TestServer::start().await;
    let secret = secret_of(&server);
    let without = |claim: &str| {
        let mut claims = admin_claims();
        claims.as_object_mut().unwrap().remove(claim);
        claims
    };
    let with = |claim: &str, value: Value| {
        let mut claims = admin_claims();
        claims[claim] = value;
        claims
    };
    for (what, claims) in [
        ("no exp", without("exp")),
        ("no iss", without("iss")),
        ("no aud", without("aud")),
        ("no iat", without("iat")),
        ("another issuer", with("iss", json!("elsewhere"))),
        ("another audience", with("aud", json!("another-api"))),
        (
            "issued in the future",
            with("iat", json!(now_secs() + 3600)),
        ),
    ] {
        let token = hmac_token(json!({"alg": "HS256"}), &claims, &secret);
        assert_eq!(
            probe(&server, &token).await,
            refused("TOKEN_INVALID"),
            "{what}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_key_rotation_tokens_signed_with_the_previous_secret_are_still_accepted() {
    let mut server = TestServer::start().await;
    let old_secret = secret_of(&server);
    let before = sign_in(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let new_secret = "a-brand-new-secret-a-brand-new-secret-0123".to_owned();
    server.settings.previous_secret_keys = String::from_utf8(old_secret.clone()).unwrap();
    server.settings.secret_key = Some(new_secret.clone());
    let server = server.restart().await;
    assert_eq!(probe(&server, &before.access).await, accepted());
    let after = sign_in(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let kid = jsonwebtoken::decode_header(&after.access).unwrap().kid;
    assert_eq!(kid, Some(hookline::auth::key_id(new_secret.as_bytes())));
    Pair::of(&refresh(&server, &before.refresh).await);
    let mut server = server;
    server.settings.previous_secret_keys = String::new();
    let server = server.restart().await;
    assert_eq!(
        probe(&server, &before.access).await,
        refused("TOKEN_INVALID"),
        "once the old secret is dropped, its tokens are refused"
    );
    server.stop().await;
}

fn assert_rate_limited(reply: &Reply, limit: u32) {
    assert_eq!(
        (reply.status, reply.code()),
        (429, "RATE_LIMITED"),
        "{:?}",
        reply.body
    );
    let number = |name: &str| -> u64 {
        reply
            .header(name)
            .unwrap_or_else(|| panic!("{name} header"))
            .parse()
            .unwrap()
    };
    assert!(number("retry-after") >= 1);
    assert_eq!(number("x-ratelimit-limit"), u64::from(limit));
    assert_eq!(number("x-ratelimit-remaining"), 0);
    assert!(number("x-ratelimit-reset") >= now_secs());
}

#[tokio::test(flavor = "multi_thread")]
async fn login_attempts_are_limited_per_client_ip() {
    // The harness's own admin login at startup is the first attempt from this IP.
    let server = TestServer::start_with(|s| {
        s.login_limit_per_ip = 3;
        s.login_limit_per_account = 100;
    })
    .await;
    with_user(&server).await;
    assert_eq!(login(&server, USER_EMAIL, "wrong").await.status, 401);
    assert_eq!(login(&server, USER_EMAIL, USER_PASSWORD).await.status, 200);
    let rows = session_rows(&server).await;
    for (email, password) in [(USER_EMAIL, USER_PASSWORD), (ADMIN_EMAIL, ADMIN_PASSWORD)] {
        assert_rate_limited(&login(&server, email, password).await, 3);
    }
    assert_eq!(
        session_rows(&server).await,
        rows,
        "a refused login opens no session"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_attempts_are_limited_per_account_from_any_ip() {
    let server = TestServer::start_with(|s| {
        s.login_limit_per_ip = 100;
        s.login_limit_per_account = 2;
    })
    .await;
    with_user(&server).await;
    for _ in 0..2 {
        let reply = login(&server, USER_EMAIL, "wrong").await;
        assert_eq!((reply.status, reply.code()), (401, "INVALID_CREDENTIALS"));
    }
    let rows = session_rows(&server).await;
    assert_rate_limited(&login(&server, USER_EMAIL, USER_PASSWORD).await, 2);
    assert_rate_limited(
        &login(&server, " User@Hookline.test ", USER_PASSWORD).await,
        2,
    );
    assert_eq!(session_rows(&server).await, rows);
    assert_eq!(
        login(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await.status,
        200
    );
    server.stop().await;
}

/// Sends `body` (raw, with `content_type`) to `path` and checks the refusal and that no
/// session was written.
async fn assert_bad_input(path: &str, content_type: &str, body: &str, status: u16, code: &str) {
    let server = TestServer::start().await;
    let pair = sign_in(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let rows = session_rows(&server).await;
    let reply = server
        .send_raw("POST", path, None, content_type, body.as_bytes().to_vec())
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (status, code),
        "{body}: {:?}",
        reply.body
    );
    assert_eq!(session_rows(&server).await, rows, "nothing written");
    assert_eq!(probe(&server, &pair.access).await, accepted());
    assert_eq!(
        refresh(&server, &pair.refresh).await.status,
        200,
        "nothing revoked"
    );
    server.stop().await;
}

const JSON: &str = "application/json";

#[tokio::test(flavor = "multi_thread")]
async fn login_without_a_password_is_a_bad_body() {
    assert_bad_input(
        "/auth/login",
        JSON,
        r#"{"email": "root@hookline.test"}"#,
        400,
        "INVALID_BODY",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_with_an_unknown_field_is_a_bad_body() {
    let body = r#"{"email": "root@hookline.test", "password": "x", "remember": true}"#;
    assert_bad_input("/auth/login", JSON, body, 400, "INVALID_BODY").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_with_a_number_for_the_email_is_a_bad_body() {
    assert_bad_input(
        "/auth/login",
        JSON,
        r#"{"email": 5, "password": "x"}"#,
        400,
        "INVALID_BODY",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_with_an_empty_body_is_invalid_json() {
    assert_bad_input("/auth/login", JSON, "", 400, "INVALID_JSON").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_with_a_form_body_is_an_unsupported_media_type() {
    let form = "application/x-www-form-urlencoded";
    assert_bad_input(
        "/auth/login",
        form,
        "email=a&password=b",
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_without_the_token_is_a_bad_body() {
    assert_bad_input("/auth/refresh", JSON, "{}", 400, "INVALID_BODY").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_with_the_snake_case_field_is_a_bad_body() {
    assert_bad_input(
        "/auth/refresh",
        JSON,
        r#"{"refresh_token": "x"}"#,
        400,
        "INVALID_BODY",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_with_a_number_for_the_token_is_a_bad_body() {
    assert_bad_input(
        "/auth/refresh",
        JSON,
        r#"{"refreshToken": 12}"#,
        400,
        "INVALID_BODY",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_with_an_empty_body_is_invalid_json() {
    assert_bad_input("/auth/refresh", JSON, "", 400, "INVALID_JSON").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_with_an_unknown_token_is_an_invalid_refresh_token() {
    assert_bad_input(
        "/auth/refresh",
        JSON,
        r#"{"refreshToken": "not-a-token"}"#,
        401,
        "REFRESH_TOKEN_INVALID",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_with_an_empty_token_is_an_invalid_refresh_token() {
    assert_bad_input(
        "/auth/refresh",
        JSON,
        r#"{"refreshToken": ""}"#,
        401,
        "REFRESH_TOKEN_INVALID",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_refresh_token_is_invalid() {
    let server = TestServer::start().await;
    let pair = sign_in(&server, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let sid = claims_of(&pair.access)["sid"].as_str().unwrap().to_owned();
    session::Entity::update_many()
        .col_expr(
            session::Column::ExpiresAt,
            Expr::value(sea_orm::prelude::ChronoDateTimeUtc::from(UNIX_EPOCH)),
        )
        .filter(session::Column::Id.eq(sid))
        .exec(&server.state().db)
        .await
        .unwrap();
    let reply = refresh(&server, &pair.refresh).await;
    assert_eq!((reply.status, reply.code()), (401, "REFRESH_TOKEN_INVALID"));
    assert_eq!(
        probe(&server, &pair.access).await,
        accepted(),
        "expiry is not reuse"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_sessions_are_purged_and_live_ones_kept() {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    let server = TestServer::start().await;
    with_user(&server).await;
    let old = sign_in(&server, USER_EMAIL, USER_PASSWORD).await;
    let live = sign_in(&server, USER_EMAIL, USER_PASSWORD).await;
    let before = session_rows(&server).await;
    // Age the first login's session past its expiry.
    let old_sid = claims_of(&old.access)["sid"].as_str().unwrap().to_owned();
    session::Entity::update_many()
        .col_expr(
            session::Column::ExpiresAt,
            Expr::value(sea_orm::prelude::ChronoDateTimeUtc::from(
                std::time::SystemTime::now() - std::time::Duration::from_secs(86_400),
            )),
        )
        .filter(session::Column::Id.eq(old_sid))
        .exec(&server.state().db)
        .await
        .unwrap();
    assert_eq!(server.state().purge_expired_sessions().await.unwrap(), 1);
    assert_eq!(session_rows(&server).await, before - 1);
    assert_eq!(
        refresh(&server, &old.refresh).await.code(),
        "REFRESH_TOKEN_INVALID"
    );
    assert_eq!(
        refresh(&server, &live.refresh).await.status,
        200,
        "the live login is kept"
    );
    server.stop().await;
}
