//! User tables over the admin API, on SQLite (and on PostgreSQL in the suite's second pass):
//! definitions, the physical schema behind them, confirmation of destructive changes, a change
//! failing midway rolled back whole, and names that try to break out of an identifier.

use hookline_tests::TestServer;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

/// Runs raw SQL against the server's database (the test inspects the physical schema).
async fn sql(server: &TestServer, text: &str) -> Result<Vec<sea_orm::QueryResult>, sea_orm::DbErr> {
    let db = &server.state().db;
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        text.to_owned(),
    ))
    .await
}

/// Whether `table` has `column`. Qualified, because SQLite reads an unknown double-quoted
/// name alone as a string literal.
async fn has_column(server: &TestServer, table: &str, column: &str) -> bool {
    sql(
        server,
        &format!(r#"SELECT "{table}"."{column}" FROM "{table}""#),
    )
    .await
    .is_ok()
}

async fn table_count(server: &TestServer) -> usize {
    server
        .admin("GET", "/admin/tables", None)
        .await
        .body
        .as_array()
        .map_or(0, Vec::len)
}

fn authors() -> Value {
    json!({"name": "authors", "columns": [{"name": "name", "type": "varchar(100)", "nullable": false}]})
}

fn posts() -> Value {
    json!({
        "name": "posts",
        "columns": [
            {"name": "title", "type": "varchar(200)", "nullable": false},
            {"name": "slug", "type": "varchar", "unique": true},
            {"name": "body", "type": "text"},
            {"name": "views", "type": "int", "default": 0, "nullable": false},
            {"name": "bigViews", "type": "bigint"},
            {"name": "score", "type": "float"},
            {"name": "price", "type": "decimal"},
            {"name": "published", "type": "boolean", "default": false},
            {"name": "ref", "type": "uuid"},
            {"name": "day", "type": "date"},
            {"name": "at", "type": "datetime"},
            {"name": "meta", "type": "json"},
            {"name": "status", "type": "enum", "options": ["draft", "live"], "default": "draft"}
        ],
        "relations": [{"name": "author", "target": "authors", "onDelete": "cascade", "inverse": "posts"}]
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_is_defined_and_created_with_its_columns_and_relations() {
    let server = TestServer::start().await;
    let created = server.admin("POST", "/admin/tables", Some(authors())).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let created = server.admin("POST", "/admin/tables", Some(posts())).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let body = &created.body;
    assert_eq!(body["name"], "posts");
    assert_eq!(
        body["columns"][0],
        json!({"name": "title", "type": "varchar(200)", "nullable": false, "unique": false, "default": null, "encrypted": false})
    );
    assert_eq!(body["columns"][12]["options"], json!(["draft", "live"]));
    assert_eq!(body["relations"][0]["column"], "authorId");
    assert_eq!(body["relations"][0]["onDelete"], "cascade");
    let shown = server.admin("GET", "/admin/tables/posts", None).await;
    assert_eq!(shown.body, created.body);

    // The physical tables: id, columns, relation key, timestamps; defaults and constraints.
    sql(&server, r#"INSERT INTO "authors" ("name", "createdAt", "updatedAt") VALUES ('Ada', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"#)
        .await
        .expect("insert author");
    sql(&server, r#"INSERT INTO "posts" ("title", "slug", "authorId", "createdAt", "updatedAt") VALUES ('Hi', 'hi', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"#)
        .await
        .expect("insert post");
    let rows = sql(&server, r#"SELECT "views", "status" FROM "posts""#)
        .await
        .unwrap();
    assert_eq!(rows[0].try_get::<i32>("", "views").unwrap(), 0);
    assert_eq!(rows[0].try_get::<String>("", "status").unwrap(), "draft");
    let duplicate = sql(&server, r#"INSERT INTO "posts" ("title", "slug", "createdAt", "updatedAt") VALUES ('Again', 'hi', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"#).await;
    assert!(duplicate.is_err(), "slug is unique");
    let orphan = sql(&server, r#"INSERT INTO "posts" ("title", "authorId", "createdAt", "updatedAt") VALUES ('x', 999, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"#).await;
    assert!(orphan.is_err(), "the relation is a foreign key");
    // onDelete cascade.
    sql(&server, r#"DELETE FROM "authors""#).await.unwrap();
    assert!(
        sql(&server, r#"SELECT "id" FROM "posts""#)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(table_count(&server).await, 2);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_definitions_are_refused_and_nothing_is_created() {
    let server = TestServer::start().await;
    server.admin("POST", "/admin/tables", Some(authors())).await;
    let cases = [
        (json!({"columns": []}), 400, "NAME_REQUIRED"),
        (json!({"name": "Bad Name"}), 400, "INVALID_NAME"),
        (
            json!({"name": "x\"; DROP TABLE users; --"}),
            400,
            "INVALID_NAME",
        ),
        (json!({"name": "users"}), 400, "INVALID_NAME"),
        (json!({"name": "sqlite_master"}), 400, "INVALID_NAME"),
        (json!({"name": "authors"}), 409, "TABLE_EXISTS"),
        (
            json!({"name": "t", "columns": [{"name": "a", "type": "money"}]}),
            400,
            "INVALID_COLUMN",
        ),
        (
            json!({"name": "t", "columns": [{"name": "a", "type": "varchar(0)"}]}),
            400,
            "INVALID_COLUMN",
        ),
        (
            json!({"name": "t", "columns": [{"name": "a", "type": "enum"}]}),
            400,
            "INVALID_COLUMN",
        ),
        (
            json!({"name": "t", "columns": [{"name": "a\" TEXT); DROP TABLE users; --", "type": "text"}]}),
            400,
            "INVALID_COLUMN",
        ),
        (
            json!({"name": "t", "columns": [{"name": "id", "type": "int"}]}),
            400,
            "INVALID_COLUMN",
        ),
        (
            json!({"name": "t", "columns": [{"name": "a", "type": "int", "default": "five"}]}),
            400,
            "INVALID_COLUMN",
        ),
        (
            json!({"name": "t", "columns": [{"name": "a", "type": "int", "encrypted": true}]}),
            400,
            "INVALID_COLUMN",
        ),
        (
            json!({"name": "t", "columns": [{"name": "a", "type": "int"}, {"name": "a", "type": "text"}]}),
            400,
            "DUPLICATE_COLUMN",
        ),
        (
            json!({"name": "t", "columns": [{"name": "authorId", "type": "int"}], "relations": [{"name": "author", "target": "authors"}]}),
            400,
            "DUPLICATE_COLUMN",
        ),
        (
            json!({"name": "t", "relations": [{"name": "owner", "target": "ghosts"}]}),
            422,
            "UNKNOWN_TABLE",
        ),
        (
            json!({"name": "t", "relations": [{"name": "owner", "target": "authors\"--"}]}),
            400,
            "INVALID_RELATION",
        ),
        (
            json!({"name": "t", "relations": [{"name": "owner", "target": "authors", "onDelete": "set null", "nullable": false}]}),
            400,
            "INVALID_RELATION",
        ),
        (
            json!({"name": "t", "relations": [{"name": "owner", "target": "authors", "onDelete": "explode"}]}),
            400,
            "INVALID_BODY",
        ),
        (json!({"name": "t", "colums": []}), 400, "INVALID_BODY"),
    ];
    for (body, status, code) in cases {
        let reply = server
            .admin("POST", "/admin/tables", Some(body.clone()))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{body}: {:?}",
            reply.body
        );
    }
    // The table's routes would collide with an existing route: refused before anything is
    // written (`/shelf/:id` beside `/shelf/:slug`).
    server.install("echo", "echo").await;
    server
        .route(json!({"path": "/shelf/:slug", "methods": ["GET"], "handler": {"plugin": "echo"}}))
        .await;
    let clash = server
        .admin("POST", "/admin/tables", Some(json!({"name": "shelf"})))
        .await;
    assert_eq!(
        (clash.status, clash.code()),
        (409, "ROUTE_CONFLICT"),
        "{:?}",
        clash.body
    );
    assert!(
        sql(&server, r#"SELECT 1 FROM "shelf""#).await.is_err(),
        "no table shelf"
    );
    assert_eq!(
        server.get("/shelf/x").await.status,
        401,
        "the old route still serves"
    );
    assert_eq!(table_count(&server).await, 1);
    assert!(
        sql(&server, r#"SELECT 1 FROM "t""#).await.is_err(),
        "no table t"
    );
    assert!(
        sql(&server, r#"SELECT "id" FROM "users""#).await.is_ok(),
        "users survived"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn columns_and_relations_are_added_and_dropping_needs_confirmation() {
    let server = TestServer::start().await;
    server.admin("POST", "/admin/tables", Some(authors())).await;
    server
        .admin("POST", "/admin/tables", Some(json!({"name": "notes", "columns": [{"name": "text", "type": "text"}, {"name": "tag", "type": "varchar(20)", "unique": true}]})))
        .await;
    let added = server
        .admin("PATCH", "/admin/tables/notes", Some(json!({
            "addColumns": [{"name": "pinned", "type": "boolean", "nullable": false, "default": false}],
            "addRelations": [{"name": "author", "target": "authors", "onDelete": "set null"}]
        })))
        .await;
    assert_eq!(added.status, 200, "{:?}", added.body);
    assert!(has_column(&server, "notes", "pinned").await);
    assert!(has_column(&server, "notes", "authorId").await);
    sql(&server, r#"INSERT INTO "notes" ("text", "tag", "createdAt", "updatedAt") VALUES ('a', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"#)
        .await
        .unwrap();

    // Refused additions.
    for (body, code) in [
        (
            json!({"addColumns": [{"name": "n", "type": "int", "nullable": false}]}),
            "DEFAULT_REQUIRED",
        ),
        (
            json!({"addRelations": [{"name": "owner", "target": "authors", "nullable": false}]}),
            "INVALID_RELATION",
        ),
        (
            json!({"addColumns": [{"name": "text", "type": "text"}]}),
            "DUPLICATE_COLUMN",
        ),
        (json!({"dropColumns": ["id"]}), "UNKNOWN_COLUMN"),
        (json!({"dropColumns": ["authorId"]}), "UNKNOWN_COLUMN"),
        (json!({"dropColumns": ["nope"]}), "UNKNOWN_COLUMN"),
    ] {
        let reply = server
            .admin("PATCH", "/admin/tables/notes", Some(body.clone()))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, code),
            "{body}: {:?}",
            reply.body
        );
    }

    // Dropping tells what would be lost, and needs confirmation.
    let unconfirmed = server
        .admin(
            "PATCH",
            "/admin/tables/notes",
            Some(json!({"dropColumns": ["tag"]})),
        )
        .await;
    assert_eq!(
        (unconfirmed.status, unconfirmed.code()),
        (409, "CONFIRMATION_REQUIRED")
    );
    assert_eq!(
        unconfirmed.body["error"]["details"],
        json!({"columns": ["tag"], "rows": 1})
    );
    assert!(has_column(&server, "notes", "tag").await);
    let confirmed = server
        .admin(
            "PATCH",
            "/admin/tables/notes?confirm=true",
            Some(json!({"dropColumns": ["tag"]})),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    assert!(!has_column(&server, "notes", "tag").await);
    let names: Vec<&str> = confirmed.body["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["text", "pinned"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_that_fails_midway_changes_nothing() {
    let server = TestServer::start().await;
    server
        .admin(
            "POST",
            "/admin/tables",
            Some(json!({"name": "items", "columns": [{"name": "label", "type": "text"}]})),
        )
        .await;
    for label in ["a", "b"] {
        sql(&server, &format!(r#"INSERT INTO "items" ("label", "createdAt", "updatedAt") VALUES ('{label}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"#))
            .await
            .unwrap();
    }
    let before = server.admin("GET", "/admin/tables/items", None).await.body;
    // The first column adds fine; the second's unique index fails over two rows sharing the
    // default: the whole change rolls back.
    let reply = server
        .admin(
            "PATCH",
            "/admin/tables/items",
            Some(json!({"addColumns": [
                {"name": "note", "type": "text"},
                {"name": "code", "type": "varchar(10)", "unique": true, "default": "same"}
            ]})),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (409, "SCHEMA_CHANGE_FAILED"),
        "{:?}",
        reply.body
    );
    assert_eq!(
        server.admin("GET", "/admin/tables/items", None).await.body,
        before
    );
    assert!(
        !has_column(&server, "items", "note").await,
        "the first addition was rolled back"
    );
    assert!(!has_column(&server, "items", "code").await);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_a_table_needs_confirmation_and_no_references() {
    let server = TestServer::start().await;
    server.admin("POST", "/admin/tables", Some(authors())).await;
    server
        .admin(
            "POST",
            "/admin/tables",
            Some(json!({"name": "books", "relations": [{"name": "author", "target": "authors"}]})),
        )
        .await;
    let referenced = server
        .admin("DELETE", "/admin/tables/authors?confirm=true", None)
        .await;
    assert_eq!(
        (referenced.status, referenced.code()),
        (409, "TABLE_REFERENCED")
    );
    let unconfirmed = server.admin("DELETE", "/admin/tables/books", None).await;
    assert_eq!(
        (unconfirmed.status, unconfirmed.code()),
        (409, "CONFIRMATION_REQUIRED")
    );
    assert_eq!(unconfirmed.body["error"]["details"]["rows"], 0);
    assert_eq!(
        server
            .admin("DELETE", "/admin/tables/books?confirm=true", None)
            .await
            .status,
        204
    );
    assert!(sql(&server, r#"SELECT 1 FROM "books""#).await.is_err());
    assert_eq!(
        server
            .admin("DELETE", "/admin/tables/authors?confirm=true", None)
            .await
            .status,
        204
    );
    assert_eq!(
        server
            .admin("GET", "/admin/tables/authors", None)
            .await
            .status,
        404
    );
    assert_eq!(table_count(&server).await, 0);
    server.stop().await;
}
