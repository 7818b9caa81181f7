//! The `repos` capability through real plugins over HTTP, on SQLite (and PostgreSQL in the
//! suite's second pass): every function, access limited to a route's target tables and a hook
//! attachment's own, refusals as the guest sees them, and the reference's patterns — a
//! filtered find with meta (`products`), audit logging from a global postHook (`audit`) and an
//! ownership check in a preHook (`ownership`).

use hookline_tests::TestServer;
use serde_json::{Value, json};

async fn table(server: &TestServer, definition: Value) {
    let reply = server
        .admin("POST", "/admin/tables", Some(definition))
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
}

async fn create(server: &TestServer, path: &str, rows: &[Value]) {
    for row in rows {
        let reply = server.admin("POST", path, Some(row.clone())).await;
        assert_eq!(reply.status, 201, "{path}: {:?}", reply.body);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_repository_function_within_the_route_target_tables() {
    let server = TestServer::start().await;
    table(
        &server,
        json!({"name": "books", "columns": [
            {"name": "title", "type": "varchar(100)", "nullable": false, "unique": true},
            {"name": "pages", "type": "int"}
        ]}),
    )
    .await;
    table(
        &server,
        json!({"name": "secrets", "columns": [{"name": "value", "type": "text"}]}),
    )
    .await;
    create(
        &server,
        "/books",
        &[
            json!({"title": "A", "pages": 10}),
            json!({"title": "B", "pages": 20}),
        ],
    )
    .await;
    server.install("repos-probe", "repos_probe").await;
    server
        .route(
            json!({"path": "/repo", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "repos-probe"}, "tables": ["books"]}),
        )
        .await;
    let call = |op: Value| server.post("/repo", op);
    let ok = |reply: hookline_tests::Reply| {
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        reply.body["result"].clone()
    };

    let found = ok(call(json!({"op": "find", "table": "books",
        "query": {"filter": {"pages": {"_gte": 15}}, "fields": ["title"], "meta": ["totalCount", "filterCount"]}})).await);
    assert_eq!(
        found,
        json!({"data": [{"title": "B"}], "meta": {"totalCount": 2, "filterCount": 1}})
    );
    let one =
        ok(call(json!({"op": "findOne", "table": "books", "query": {"sort": "-pages"}})).await);
    assert_eq!(one["title"], "B");
    let none = ok(call(
        json!({"op": "findOne", "table": "books", "query": {"filter": {"pages": {"_gt": 99}}}}),
    )
    .await);
    assert_eq!(none, Value::Null);
    let created = ok(call(
        json!({"op": "create", "table": "books", "data": {"title": "C", "pages": 30}}),
    )
    .await);
    let id = created["id"].as_i64().unwrap();
    let updated =
        ok(call(json!({"op": "update", "table": "books", "id": id, "data": {"pages": 31}})).await);
    assert_eq!(
        (updated["title"].clone(), updated["pages"].clone()),
        (json!("C"), json!(31))
    );
    assert_eq!(
        ok(call(json!({"op": "count", "table": "books", "filter": null})).await),
        json!(3)
    );
    assert_eq!(
        ok(call(json!({"op": "count", "table": "books", "filter": {"pages": {"_lt": 25}}})).await),
        json!(2)
    );
    let deleted = ok(call(json!({"op": "delete", "table": "books", "id": id})).await);
    assert_eq!(deleted["title"], "C");

    // Refusals keep the HTTP API's status and code; nothing is written.
    let cases = [
        (
            json!({"op": "find", "table": "secrets", "query": {}}),
            403,
            "TABLE_NOT_ALLOWED",
        ),
        (
            json!({"op": "create", "table": "secrets", "data": {"value": "x"}}),
            403,
            "TABLE_NOT_ALLOWED",
        ),
        (
            json!({"op": "create", "table": "books", "data": {"pages": "many"}}),
            400,
            "VALIDATION_ERROR",
        ),
        (
            json!({"op": "create", "table": "books", "data": {"title": "A"}}),
            409,
            "UNIQUE_VIOLATION",
        ),
        (
            json!({"op": "update", "table": "books", "id": 999, "data": {"pages": 1}}),
            404,
            "NOT_FOUND",
        ),
        (
            json!({"op": "delete", "table": "books", "id": 999}),
            404,
            "NOT_FOUND",
        ),
        (
            json!({"op": "find", "table": "books", "query": {"filter": {"pages": {"_regex": "x"}}}}),
            400,
            "INVALID_FILTER",
        ),
        (
            json!({"op": "find", "table": "books", "query": {"where": {}}}),
            400,
            "INVALID_QUERY",
        ),
        (
            json!({"op": "find", "table": "books", "query": {"sort": ["password"]}}),
            400,
            "INVALID_QUERY",
        ),
        (
            json!({"op": "count", "table": "books", "filter": {"title\" OR 1=1 --": {"_eq": 1}}}),
            400,
            "INVALID_FILTER",
        ),
    ];
    for (op, status, code) in cases {
        let reply = call(op.clone()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{op}: {:?}",
            reply.body
        );
    }
    let invalid = call(json!({"op": "create", "table": "books", "data": {"pages": "many"}})).await;
    assert!(
        invalid.body["error"]["details"]["pages"].is_string(),
        "{:?}",
        invalid.body
    );
    assert_eq!(
        ok(call(json!({"op": "count", "table": "books", "filter": null})).await),
        json!(2)
    );
    let secrets = server.admin("GET", "/secrets", None).await;
    assert_eq!(secrets.body["data"], json!([]));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn products_finds_with_a_filter_and_meta() {
    let server = TestServer::start().await;
    table(
        &server,
        json!({"name": "products", "columns": [
            {"name": "name", "type": "varchar(100)", "nullable": false},
            {"name": "price", "type": "float", "nullable": false},
            {"name": "stock", "type": "int", "nullable": false, "default": 0}
        ]}),
    )
    .await;
    create(
        &server,
        "/products",
        &[
            json!({"name": "desk lamp", "price": 30.0, "stock": 4}),
            json!({"name": "floor lamp", "price": 80.0, "stock": 1}),
            json!({"name": "lamp shade", "price": 12.5, "stock": 0}),
            json!({"name": "bulb", "price": 3.0, "stock": 50}),
            json!({"name": "tiny lamp", "price": 9.0, "stock": 2}),
        ],
    )
    .await;
    server.install("products", "products").await;
    server
        .route(
            json!({"path": "/shop", "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "products"}, "tables": ["products"]}),
        )
        .await;
    let reply = server.get("/shop?q=lamp&maxPrice=50").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let names: Vec<&str> = reply.body["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["tiny lamp", "desk lamp"],
        "in stock, under 50, cheapest first"
    );
    assert_eq!(
        (reply.body["total"].clone(), reply.body["matching"].clone()),
        (json!(5), json!(2))
    );
    assert_eq!(
        server.get("/shop?maxPrice=cheap").await.code(),
        "INVALID_PRICE"
    );
    assert_eq!(server.get("/shop?page=2").await.body["products"], json!([]));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_logs_every_request_from_a_global_post_hook() {
    let server = TestServer::start().await;
    table(
        &server,
        json!({"name": "audit_logs", "columns": [
            {"name": "action", "type": "varchar(300)", "nullable": false},
            {"name": "userId", "type": "bigint"},
            {"name": "statusCode", "type": "int", "nullable": false},
            {"name": "error", "type": "text"}
        ]}),
    )
    .await;
    server.install("echo", "echo").await;
    server.install("tag", "tag").await;
    server.install("audit", "audit").await;
    server
        .route(json!({"path": "/open", "methods": ["GET"], "publishedMethods": ["GET"], "handler": {"plugin": "echo"}}))
        .await;
    let failing = server
        .route(json!({"path": "/fails", "methods": ["GET"], "publishedMethods": ["GET"], "handler": {"plugin": "echo"}}))
        .await;
    server
        .hook(json!({"phase": "pre", "route": failing, "plugin": "tag", "config": {"throw": 418}}))
        .await;
    // Global, with the table of its own: the routes themselves target none.
    server
        .hook(json!({"phase": "post", "route": null, "plugin": "audit", "tables": ["audit_logs"]}))
        .await;
    assert_eq!(server.get("/open").await.status, 200);
    let failed = server.get("/fails").await;
    assert_eq!(
        failed.status, 418,
        "the original error is what the client gets: {:?}",
        failed.body
    );
    server.admin("GET", "/open", None).await;
    let logs = server
        .admin("GET", "/audit_logs?sort=id&limit=0", None)
        .await;
    let rows = logs.body["data"].as_array().unwrap().clone();
    // The admin's own GET /audit_logs is audited too, after this read.
    let seen: Vec<(String, i64, bool, bool)> = rows
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap().to_owned(),
                r["statusCode"].as_i64().unwrap(),
                r["userId"].is_null(),
                r["error"].is_null(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("GET /open".to_owned(), 200, true, true),
            ("GET /fails".to_owned(), 418, true, false),
            ("GET /open".to_owned(), 200, false, true),
        ]
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_owner_passes_the_ownership_check() {
    let server = TestServer::start().await;
    table(
        &server,
        json!({"name": "notes", "columns": [
            {"name": "text", "type": "text"},
            {"name": "ownerId", "type": "bigint", "nullable": false}
        ]}),
    )
    .await;
    let alice = server
        .create_user("alice@example.com", "password-1234", false)
        .await;
    let bob = server
        .create_user("bob@example.com", "password-1234", false)
        .await;
    create(
        &server,
        "/notes",
        &[json!({"text": "alice's", "ownerId": alice})],
    )
    .await;
    let routes = server.admin("GET", "/admin/routes", None).await.body;
    let by_id = routes
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "/notes/:id")
        .unwrap()["id"]
        .clone();
    for user in [alice, bob] {
        server
            .admin(
                "POST",
                &format!("/admin/routes/{by_id}/permissions"),
                Some(json!({"user": user, "methods": ["GET", "PATCH"]})),
            )
            .await;
    }
    server.install("ownership", "ownership").await;
    server
        .hook(json!({"phase": "pre", "route": by_id, "plugin": "ownership", "config": {"table": "notes", "ownerField": "ownerId"}}))
        .await;
    let alice_token = server.login("alice@example.com", "password-1234").await;
    let bob_token = server.login("bob@example.com", "password-1234").await;
    assert_eq!(
        server
            .send("GET", "/notes/1", Some(&alice_token), None)
            .await
            .status,
        200
    );
    let patched = server
        .send(
            "PATCH",
            "/notes/1",
            Some(&alice_token),
            Some(json!({"text": "edited"})),
        )
        .await;
    assert_eq!(patched.body["text"], "edited");
    let refused = server
        .send(
            "PATCH",
            "/notes/1",
            Some(&bob_token),
            Some(json!({"text": "mine"})),
        )
        .await;
    assert_eq!((refused.status, refused.code()), (403, "NOT_OWNER"));
    assert_eq!(
        server
            .send("GET", "/notes/99", Some(&bob_token), None)
            .await
            .code(),
        "NOT_FOUND"
    );
    assert_eq!(
        server.admin("GET", "/notes/1", None).await.status,
        200,
        "root admins pass"
    );
    assert_eq!(
        server.admin("GET", "/notes/1", None).await.body["text"],
        "edited"
    );
    server.stop().await;
}
