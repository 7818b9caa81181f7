//! Encrypted columns, on SQLite (and PostgreSQL in the suite's second pass): ciphertext in the
//! database, plaintext through default CRUD and `repos`, no filtering or sorting on them, and
//! values written before a secret rotation still readable with the previous secret configured.

use hookline_tests::TestServer;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

async fn raw_values(server: &TestServer) -> Vec<String> {
    let db = &server.state().db;
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        r#"SELECT "ssn", "profile" FROM "people" ORDER BY "id""#.to_owned(),
    ))
    .await
    .unwrap()
    .iter()
    .flat_map(|r| {
        [
            r.try_get::<Option<String>>("", "ssn")
                .unwrap()
                .unwrap_or_default(),
            r.try_get::<Option<String>>("", "profile")
                .unwrap()
                .unwrap_or_default(),
        ]
    })
    .collect()
}

async fn people(server: &TestServer) {
    let reply = server
        .admin(
            "POST",
            "/admin/tables",
            Some(json!({"name": "people", "columns": [
                {"name": "name", "type": "varchar(50)"},
                {"name": "ssn", "type": "varchar(11)", "encrypted": true},
                {"name": "profile", "type": "json", "encrypted": true}
            ]})),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn encrypted_columns_hold_ciphertext_and_answer_plaintext() {
    let server = TestServer::start().await;
    people(&server).await;
    let created = server
        .admin(
            "POST",
            "/people",
            Some(json!({"name": "Ada", "ssn": "123-45-6789", "profile": {"likes": ["maths"]}})),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(
        (created.body["ssn"].clone(), created.body["profile"].clone()),
        (json!("123-45-6789"), json!({"likes": ["maths"]}))
    );
    for stored in raw_values(&server).await {
        assert!(stored.starts_with("enc:"), "{stored}");
        assert!(
            !stored.contains("123") && !stored.contains("maths"),
            "{stored}"
        );
    }
    let listed = server.admin("GET", "/people", None).await;
    assert_eq!(listed.body["data"][0]["ssn"], "123-45-6789");
    let patched = server
        .admin("PATCH", "/people/1", Some(json!({"ssn": "987-65-4321"})))
        .await;
    assert_eq!(patched.body["ssn"], "987-65-4321");
    // The plaintext's type and length are checked before encryption.
    let too_long = server
        .admin("POST", "/people", Some(json!({"ssn": "123-45-67890"})))
        .await;
    assert_eq!(too_long.code(), "VALIDATION_ERROR");
    for (query, code) in [
        (
            r#"/people?filter={"ssn":{"_eq":"987-65-4321"}}"#,
            "INVALID_FILTER",
        ),
        ("/people?sort=ssn", "INVALID_QUERY"),
    ] {
        let reply = server.admin("GET", query, None).await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, code),
            "{query}: {:?}",
            reply.body
        );
    }
    // A plugin reads the plaintext too.
    server.install("repos-probe", "repos_probe").await;
    server
        .route(
            json!({"path": "/repo", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "repos-probe"}, "tables": ["people"]}),
        )
        .await;
    let found = server
        .post(
            "/repo",
            json!({"op": "findOne", "table": "people", "query": {"fields": ["ssn"]}}),
        )
        .await;
    assert_eq!(found.body["result"], json!({"ssn": "987-65-4321"}));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn values_survive_a_restart_and_a_secret_rotation() {
    let server = TestServer::start().await;
    people(&server).await;
    server
        .admin(
            "POST",
            "/people",
            Some(json!({"name": "Ada", "ssn": "123-45-6789"})),
        )
        .await;
    let old_secret = server.settings.secret_key.clone().unwrap();
    let server = server.restart().await;
    assert_eq!(
        server.admin("GET", "/people/1", None).await.body["ssn"],
        "123-45-6789"
    );

    // Rotated with the old secret kept for verification and decryption: still readable.
    let mut server = server;
    server.settings.secret_key = Some("a-brand-new-secret-a-brand-new-secret".into());
    server.settings.previous_secret_keys = old_secret;
    let server = server.restart().await;
    let read = server.admin("GET", "/people/1", None).await;
    assert_eq!(read.body["ssn"], "123-45-6789", "{:?}", read.body);
    // New writes use the new key; both rows read back.
    server
        .admin(
            "POST",
            "/people",
            Some(json!({"name": "Bob", "ssn": "000-00-0000"})),
        )
        .await;
    let all: Vec<Value> = server.admin("GET", "/people", None).await.body["data"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        all.iter().map(|p| p["ssn"].clone()).collect::<Vec<_>>(),
        [json!("123-45-6789"), json!("000-00-0000")]
    );

    // Without the old secret the old value cannot be read: a clear 500, not garbage.
    let mut server = server;
    server.settings.previous_secret_keys = String::new();
    let server = server.restart().await;
    let lost = server.admin("GET", "/people/1", None).await;
    assert_eq!((lost.status, lost.code()), (500, "DECRYPTION_FAILED"));
    assert_eq!(
        server.admin("GET", "/people/2", None).await.body["ssn"],
        "000-00-0000"
    );
    server.stop().await;
}
