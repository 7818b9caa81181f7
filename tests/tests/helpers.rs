//! The helpers capability through real plugins over HTTP: every function and its edges.

use std::process::Command;

use hookline_tests::{Reply, TestServer};
use serde_json::{Value, json};

async fn server() -> TestServer {
    let server = TestServer::start().await;
    server.install("probe", "helpers_probe").await;
    server
        .route(
            json!({"path": "/helpers", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "probe"}, "timeoutMs": 2000}),
        )
        .await;
    server
}

async fn call(server: &TestServer, op: Value) -> Reply {
    server.post("/helpers", op).await
}

async fn result(server: &TestServer, op: Value) -> Value {
    let reply = call(server, op.clone()).await;
    assert_eq!(reply.status, 200, "{op}: {:?}", reply.body);
    reply.body["result"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn jwt_accepts_each_expiration_form_and_its_tokens_open_private_routes() {
    let server = server().await;
    server.install("echo", "echo").await;
    let private = server
        .route(json!({"path": "/private", "methods": ["GET"], "handler": {"plugin": "echo"}}))
        .await;
    let user_id = server
        .create_user("member@example.org", "member-password", false)
        .await;
    let grant = server
        .admin(
            "POST",
            &format!("/admin/routes/{private}/permissions"),
            Some(json!({"user": user_id, "methods": ["GET"]})),
        )
        .await;
    assert_eq!(grant.status, 201, "{:?}", grant.body);
    for expiration in ["30s", "15m", "1h", "1d", "7d", "30d"] {
        let token = result(
            &server,
            json!({"op": "jwt", "payload": {"id": user_id}, "expiration": expiration}),
        )
        .await;
        let token = token.as_str().unwrap();
        let me = server.send("GET", "/private", Some(token), None).await;
        assert_eq!(me.status, 200, "{expiration}");
        assert_eq!(me.body["user"]["email"], "member@example.org");
    }

    // Whatever a plugin signs, it never acts for a root admin, and never opens a session.
    let admin_id = server
        .send("GET", "/me", Some(&server.admin_token), None)
        .await
        .body["id"]
        .clone();
    let forged = result(
        &server,
        json!({"op": "jwt", "payload": {"id": admin_id, "hook": null}, "expiration": "1h"}),
    )
    .await;
    for path in ["/me", "/private", "/admin/plugins"] {
        let reply = server.send("GET", path, forged.as_str(), None).await;
        assert_eq!(
            (reply.status, reply.code()),
            (401, "TOKEN_INVALID"),
            "{path}"
        );
    }
    let with_session = call(
        &server,
        json!({"op": "jwt", "payload": {"id": user_id, "sid": "x"}, "expiration": "1h"}),
    )
    .await;
    assert_eq!(
        (with_session.status, with_session.code()),
        (400, "INVALID_PAYLOAD")
    );
    for bad in ["7w", "", "0d", "1.5h", "366d"] {
        let reply = call(
            &server,
            json!({"op": "jwt", "payload": {"id": 1}, "expiration": bad}),
        )
        .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "INVALID_EXPIRATION"),
            "{bad}"
        );
        assert!(
            reply.body["message"]
                .as_str()
                .unwrap()
                .contains("15m, 1h, 1d, 7d, 30d"),
            "{bad}"
        );
    }
    let not_object = call(
        &server,
        json!({"op": "jwt", "payload": [1], "expiration": "1h"}),
    )
    .await;
    assert_eq!(
        (not_object.status, not_object.code()),
        (400, "INVALID_PAYLOAD")
    );
    // A token minted by a hook that has expired is refused by the server.
    let expired = server
        .state()
        .tokens
        .sign_claims(&json!({"id": admin_id, "iat": 1_000_000_000, "exp": 1_000_000_060}))
        .unwrap();
    let refused = server.send("GET", "/private", Some(&expired), None).await;
    assert_eq!((refused.status, refused.code()), (401, "TOKEN_EXPIRED"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bcrypt_hashes_compare_and_interoperate() {
    let server = server().await;
    let hash = result(
        &server,
        json!({"op": "bcryptHash", "plain": "myPassword123"}),
    )
    .await;
    let hash = hash.as_str().unwrap().to_owned();
    assert!(hash.starts_with("$2b$04$"), "{hash}");
    for (plain, hash, expected) in [
        ("myPassword123", hash.as_str(), true),
        ("wrong", hash.as_str(), false),
        // crypt_blowfish's published vector, and the same under the other prefixes.
        (
            "U*U",
            "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
            true,
        ),
        (
            "U*U",
            "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
            true,
        ),
        (
            "U*U",
            "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
            true,
        ),
        (
            "U*V",
            "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
            false,
        ),
        ("anything", "not a bcrypt hash", false),
        ("anything", "$2b$99$xxxx", false),
    ] {
        let matches = result(
            &server,
            json!({"op": "bcryptCompare", "plain": plain, "hash": hash}),
        )
        .await;
        assert_eq!(matches, expected, "{plain} vs {hash}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn slugs_transliterate_collapse_and_cap_at_100() {
    let server = server().await;
    let long = "Word ".repeat(60);
    for (text, slug) in [
        ("My Product Name", "my-product-name"),
        ("Crème Brûlée à la carte!", "creme-brulee-a-la-carte"),
        ("  Hello,   World -- again  ", "hello-world-again"),
        ("Привет, мир", "privet-mir"),
        ("", ""),
    ] {
        assert_eq!(
            result(&server, json!({"op": "autoSlug", "text": text})).await,
            slug,
            "{text}"
        );
    }
    let capped = result(&server, json!({"op": "autoSlug", "text": long})).await;
    let capped = capped.as_str().unwrap();
    assert!(
        capped.len() <= 100 && !capped.ends_with('-') && capped.starts_with("word-word"),
        "{capped}"
    );
    server.install("slugify", "slugify").await;
    server
        .route(json!({"path": "/slugify", "methods": ["POST"], "publishedMethods": ["POST"], "handler": {"plugin": "slugify"}}))
        .await;
    assert_eq!(
        server
            .post("/slugify", json!({"text": "My Product Name"}))
            .await
            .body,
        json!({"slug": "my-product-name"})
    );
    let missing = server.post("/slugify", json!({})).await;
    assert_eq!((missing.status, missing.code()), (400, "HOOK_ERROR"));
    assert_eq!(missing.body["message"], "text is required");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn crypto_helpers_match_vectors_and_bound_their_output() {
    let server = server().await;
    let uuid = result(&server, json!({"op": "randomUuid"})).await;
    let uuid = uuid.as_str().unwrap();
    assert_eq!((uuid.len(), &uuid[14..15]), (36, "4"), "{uuid}");
    for (size, encoding, len) in [
        (4096, "hex", 8192),
        (32, "base64", 44),
        (32, "base64url", 43),
        (0, "hex", 0),
    ] {
        let bytes = result(
            &server,
            json!({"op": "randomBytes", "size": size, "encoding": encoding}),
        )
        .await;
        assert_eq!(bytes.as_str().unwrap().len(), len, "{size} {encoding}");
    }
    let over = call(
        &server,
        json!({"op": "randomBytes", "size": 4097, "encoding": "hex"}),
    )
    .await;
    assert_eq!((over.status, over.code()), (400, "INVALID_SIZE"));
    let sha = result(
        &server,
        json!({"op": "sha256", "data": "abc", "encoding": "hex"}),
    )
    .await;
    assert_eq!(
        sha,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let sha64 = result(
        &server,
        json!({"op": "sha256", "data": "abc", "encoding": "base64"}),
    )
    .await;
    assert_eq!(sha64, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    // RFC 4231 test case 2.
    let mac = result(&server, json!({"op": "hmacSha256", "data": "what do ya want for nothing?", "secret": "Jefe", "encoding": "hex"})).await;
    assert_eq!(
        mac,
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    let mac64url = result(&server, json!({"op": "hmacSha256", "data": "what do ya want for nothing?", "secret": "Jefe", "encoding": "base64url"})).await;
    assert_eq!(mac64url, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ssh_key_pairs_are_openssh_and_pkcs1_and_belong_together() {
    use rsa::pkcs1::DecodeRsaPrivateKey;
    let server = server().await;
    server.install("keys", "keys").await;
    server
        .route(json!({"path": "/keys", "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "keys", "config": {"comment": "deploy@example.com"}}, "timeoutMs": 20000}))
        .await;
    let reply = server.get("/keys").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let public = reply.body["publicKey"].as_str().unwrap();
    let private = reply.body["privateKey"].as_str().unwrap();
    assert!(
        public.starts_with("ssh-rsa ") && public.ends_with(" deploy@example.com"),
        "{public}"
    );
    assert!(
        private.starts_with("-----BEGIN RSA PRIVATE KEY-----"),
        "{private}"
    );
    // In Rust: the public key derived from the private key is the one returned.
    let key = rsa::RsaPrivateKey::from_pkcs1_pem(private).expect("PKCS#1 PEM");
    let derived = ssh_key::PublicKey::new(
        ssh_key::public::KeyData::Rsa(key.to_public_key().try_into().unwrap()),
        "deploy@example.com",
    );
    assert_eq!(derived.to_openssh().unwrap(), public);
    // With ssh-keygen where installed.
    if Command::new("ssh-keygen").arg("-?").output().is_ok() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("id_rsa");
        std::fs::write(&file, private).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let out = Command::new("ssh-keygen")
            .arg("-y")
            .arg("-f")
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let from_keygen = String::from_utf8_lossy(&out.stdout);
        let without_comment: Vec<&str> = public.split(' ').take(2).collect();
        assert_eq!(
            from_keygen.split_whitespace().take(2).collect::<Vec<_>>(),
            without_comment
        );
    } else {
        eprintln!("ssh-keygen not installed: checked the pair in Rust only");
    }
    let fresh = server.get("/keys").await;
    assert_ne!(
        fresh.body["privateKey"], reply.body["privateKey"],
        "a fresh pair every call"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sleep_is_clamped_and_cut_short_by_the_deadline() {
    let server = server().await;
    let slept = result(&server, json!({"op": "sleep", "ms": 50}))
        .await
        .as_u64()
        .unwrap();
    assert!(slept >= 50, "{slept}");
    // The route's deadline is 2 s: a 30 s sleep ends there and the hook times out.
    let started = std::time::Instant::now();
    let cut = call(&server, json!({"op": "sleep", "ms": 30_000})).await;
    assert_eq!((cut.status, cut.code()), (504, "HOOK_TIMEOUT"));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(25),
        "ended at the deadline, not after the sleep"
    );
    server.stop().await;
}
