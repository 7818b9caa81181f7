//! The data API under attack, over HTTP: following a relation needs read access to the
//! related table (HTTP callers and hooks alike); queries are bounded in relation depth, rows
//! per level and rows materialised, in filter terms, fields, sort keys and pages, and refused
//! before any SQL where a database would fail; default CRUD answers within the route deadline;
//! inverse relation names are unique. Every refusal: its status, its code, nothing written.

use hookline_tests::{Reply, TestServer, assert_refused};
use serde_json::{Value, json};

/// Authors (with an encrypted `notes` column) and books, three authors and five books.
async fn library(server: &TestServer) {
    for table in [
        json!({"name": "authors", "columns": [
            {"name": "name", "type": "varchar(50)", "nullable": false},
            {"name": "notes", "type": "text", "encrypted": true}
        ]}),
        json!({"name": "books", "columns": [
            {"name": "title", "type": "varchar(100)", "nullable": false},
            {"name": "tags", "type": "json"}
        ], "relations": [{"name": "author", "target": "authors", "onDelete": "cascade", "inverse": "books"}]}),
    ] {
        let reply = server.admin("POST", "/admin/tables", Some(table)).await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
    }
    for name in ["Ada", "Borges", "Colette"] {
        let reply = server
            .admin(
                "POST",
                "/authors",
                Some(json!({"name": name, "notes": format!("secret of {name}")})),
            )
            .await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
    }
    for (title, author) in [
        ("Notes", 1),
        ("Ficciones", 2),
        ("El Aleph", 2),
        ("Poems", 2),
        ("Cheri", 3),
    ] {
        let reply = server
            .admin(
                "POST",
                "/books",
                Some(json!({"title": title, "tags": {"n": 1}, "author": author})),
            )
            .await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
    }
}

/// GET `path` with a query string built from `pairs`, as `token` (anonymous without one).
async fn get(
    server: &TestServer,
    token: Option<&str>,
    path: &str,
    pairs: &[(&str, &str)],
) -> Reply {
    let url = reqwest::Url::parse_with_params(&format!("{}{path}", server.base), pairs).unwrap();
    let mut request = server.client().get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.json().await.unwrap_or(Value::Null),
    }
}

/// The id of the route with `path`.
async fn route_id(server: &TestServer, path: &str) -> i64 {
    let routes = server.admin("GET", "/admin/routes", None).await.body;
    routes
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == path)
        .unwrap_or_else(|| panic!("no route {path}"))["id"]
        .as_i64()
        .unwrap()
}

/// Grants `GET` on the route with `path` to user `user`.
async fn grant_get(server: &TestServer, path: &str, user: i64) {
    let id = route_id(server, path).await;
    let reply = server
        .admin(
            "POST",
            &format!("/admin/routes/{id}/permissions"),
            Some(json!({"user": user, "methods": ["GET"]})),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
}

/// A user who may `GET /books` and nothing else, and their token.
async fn book_reader(server: &TestServer) -> (i64, String) {
    let id = server
        .create_user("reader@example.com", "password-1234", false)
        .await;
    grant_get(server, "/books", id).await;
    (
        id,
        server.login("reader@example.com", "password-1234").await,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn relation_paths_and_filters_need_read_access_to_the_related_table() {
    let server = TestServer::start().await;
    library(&server).await;
    let (reader, token) = book_reader(&server).await;
    let token = Some(token.as_str());

    let own = get(&server, token, "/books", &[("fields", "title")]).await;
    assert_eq!(own.status, 200, "{:?}", own.body);
    assert_refused(
        &get(&server, token, "/authors", &[]).await,
        403,
        "FORBIDDEN",
        "authors directly",
    );
    for (what, pairs) in [
        ("author.* in fields", vec![("fields", "title,author.*")]),
        (
            "author.notes in fields",
            vec![("fields", "title,author.notes")],
        ),
        (
            "a relation filter",
            vec![("filter", r#"{"author": {"name": {"_eq": "Ada"}}}"#)],
        ),
        (
            "a relation filter under _or",
            vec![(
                "filter",
                r#"{"_or": [{"author": {"name": {"_eq": "Ada"}}}]}"#,
            )],
        ),
    ] {
        let reply = get(&server, token, "/books", &pairs).await;
        assert_refused(&reply, 403, "FORBIDDEN", what);
        assert!(
            !reply.body.to_string().contains("secret of"),
            "{what}: nothing of the authors leaks"
        );
    }
    // The one-to-many side reads books: a reader of authors only may not follow it either.
    let author_reader = server
        .create_user("authors@example.com", "password-1234", false)
        .await;
    grant_get(&server, "/authors", author_reader).await;
    let author_token = server.login("authors@example.com", "password-1234").await;
    assert_refused(
        &get(
            &server,
            Some(&author_token),
            "/authors",
            &[("fields", "name,books.title")],
        )
        .await,
        403,
        "FORBIDDEN",
        "books through the inverse relation",
    );

    // With read access to authors (a grant of GET on one of its routes), both work.
    grant_get(&server, "/authors/:id", reader).await;
    let joined = get(
        &server,
        token,
        "/books",
        &[("fields", "title,author.name"), ("limit", "1")],
    )
    .await;
    assert_eq!(joined.status, 200, "{:?}", joined.body);
    assert_eq!(joined.body["data"][0]["author"]["name"], "Ada");
    let filtered = get(
        &server,
        token,
        "/books",
        &[("filter", r#"{"author": {"name": {"_eq": "Colette"}}}"#)],
    )
    .await;
    assert_eq!(filtered.status, 200, "{:?}", filtered.body);
    assert_eq!(filtered.body["data"].as_array().unwrap().len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hook_follows_relations_only_into_the_tables_it_may_use() {
    let server = TestServer::start().await;
    library(&server).await;
    server.install("repos-probe", "repos_probe").await;
    server
        .route(
            json!({"path": "/books-probe", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "repos-probe"}, "tables": ["books"]}),
        )
        .await;
    for (what, query) in [
        (
            "author.* in fields",
            json!({"fields": ["title", "author.*"]}),
        ),
        (
            "a relation filter",
            json!({"filter": {"author": {"name": {"_eq": "Ada"}}}}),
        ),
    ] {
        let reply = server
            .post(
                "/books-probe",
                json!({"op": "find", "table": "books", "query": query}),
            )
            .await;
        assert_refused(&reply, 403, "TABLE_NOT_ALLOWED", what);
        assert!(!reply.body.to_string().contains("secret of"), "{what}");
    }
    let count = server
        .post(
            "/books-probe",
            json!({"op": "count", "table": "books", "filter": {"author": {"name": {"_eq": "Ada"}}}}),
        )
        .await;
    assert_refused(&count, 403, "TABLE_NOT_ALLOWED", "count through a relation");
    server
        .route(
            json!({"path": "/both-probe", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "repos-probe"}, "tables": ["books", "authors"]}),
        )
        .await;
    let allowed = server
        .post(
            "/both-probe",
            json!({"op": "find", "table": "books", "query": {"fields": ["title", "author.notes"], "limit": 1}}),
        )
        .await;
    assert_eq!(allowed.status, 200, "{:?}", allowed.body);
    assert_eq!(
        allowed.body["result"]["data"][0]["author"]["notes"],
        "secret of Ada"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn relation_paths_are_bounded_in_depth_and_rows() {
    let server = TestServer::start_with(|s| {
        s.max_query_limit = 3;
        s.max_query_rows = 12;
    })
    .await;
    library(&server).await;
    let admin = Some(server.admin_token.as_str());
    let deep = get(
        &server,
        admin,
        "/books",
        &[("fields", "author.books.author.books.author.title")],
    )
    .await;
    assert_refused(&deep, 400, "INVALID_QUERY", "five relations");
    assert!(
        deep.body["message"].as_str().unwrap().contains("at most 4"),
        "{:?}",
        deep.body
    );
    let three = get(
        &server,
        admin,
        "/books",
        &[("fields", "title,author.books.author.name"), ("limit", "1")],
    )
    .await;
    assert_eq!(three.status, 200, "{:?}", three.body);
    assert_eq!(
        three.body["data"][0]["author"]["books"][0]["author"]["name"],
        "Ada"
    );

    // Borges's three books are more than one relation level may fetch for a page (3).
    let per_level = get(
        &server,
        admin,
        "/authors",
        &[("fields", "name,books.title"), ("limit", "2")],
    )
    .await;
    assert_refused(&per_level, 400, "QUERY_TOO_LARGE", "related rows per level");
    assert!(
        per_level.body["message"]
            .as_str()
            .unwrap()
            .contains("books")
    );
    // Copies count: two of Borges's books, each with a copy of Borges and his three books,
    // fetch 6 rows but hold 10, 16 in all: past 12.
    let multiplied = get(
        &server,
        admin,
        "/books",
        &[
            ("fields", "title,author.books.title"),
            ("limit", "2"),
            ("page", "2"),
        ],
    )
    .await;
    assert_refused(&multiplied, 400, "QUERY_TOO_LARGE", "materialised rows");
    assert!(
        multiplied.body["message"]
            .as_str()
            .unwrap()
            .contains("HOOKLINE_MAX_QUERY_ROWS")
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn queries_past_the_databases_limits_are_refused_before_any_sql() {
    let server = TestServer::start().await;
    library(&server).await;
    server.install("repos-probe", "repos_probe").await;
    server
        .route(
            json!({"path": "/probe", "methods": ["POST"], "publishedMethods": ["POST"],
                      "handler": {"plugin": "repos-probe"}, "tables": ["books"]}),
        )
        .await;
    let admin = Some(server.admin_token.as_str());
    let huge_page = u64::MAX.to_string();
    let many_or = json!({"_or": (0..1001).map(|i| json!({"title": {"_eq": format!("t{i}")}})).collect::<Vec<_>>()})
        .to_string();
    let deep_not = (0..20)
        .fold(json!({"title": {"_eq": "x"}}), |f, _| json!({"_not": f}))
        .to_string();
    let many_fields = vec!["title"; 2001].join(",");
    let many_sorts = vec!["title"; 2001].join(",");
    let many_in = json!({"id": {"_in": (0..1001).collect::<Vec<_>>()}}).to_string();
    for (what, pairs, code) in [
        (
            "a huge page",
            vec![("page", huge_page.as_str())],
            "INVALID_QUERY",
        ),
        (
            "1001 _or terms",
            vec![("filter", many_or.as_str())],
            "INVALID_FILTER",
        ),
        (
            "_not 20 deep",
            vec![("filter", deep_not.as_str())],
            "INVALID_FILTER",
        ),
        (
            "2001 fields",
            vec![("fields", many_fields.as_str())],
            "INVALID_QUERY",
        ),
        (
            "2001 sort keys",
            vec![("sort", many_sorts.as_str())],
            "INVALID_QUERY",
        ),
        (
            "1001 _in values",
            vec![("filter", many_in.as_str())],
            "INVALID_FILTER",
        ),
        (
            "_eq on json",
            vec![("filter", r#"{"tags": {"_eq": {"n": 1}}}"#)],
            "INVALID_FILTER",
        ),
        (
            "_gt on json",
            vec![("filter", r#"{"tags": {"_gt": 1}}"#)],
            "INVALID_FILTER",
        ),
        ("sort on json", vec![("sort", "tags")], "INVALID_QUERY"),
    ] {
        let reply = get(&server, admin, "/books", &pairs).await;
        assert_refused(&reply, 400, code, what);
    }
    let present = get(
        &server,
        admin,
        "/books",
        &[("filter", r#"{"tags": {"_is_not_null": true}}"#)],
    )
    .await;
    assert_eq!(present.status, 200, "{:?}", present.body);
    assert_eq!(present.body["data"].as_array().unwrap().len(), 5);

    // The same through `repos`.
    let through_hook = server
        .post(
            "/probe",
            json!({"op": "find", "table": "books", "query": {"page": u64::MAX}}),
        )
        .await;
    assert_refused(
        &through_hook,
        400,
        "INVALID_QUERY",
        "a huge page from a hook",
    );
    let sorted = server
        .post(
            "/probe",
            json!({"op": "find", "table": "books", "query": {"sort": ["tags"]}}),
        )
        .await;
    assert_refused(&sorted, 400, "INVALID_QUERY", "sort on json from a hook");

    // One spelling of a relation per write; nothing written.
    let before = get(
        &server,
        admin,
        "/books",
        &[("meta", "totalCount"), ("limit", "1")],
    )
    .await;
    let both = server
        .admin(
            "POST",
            "/books",
            Some(json!({"title": "Twice", "author": 1, "authorId": 2})),
        )
        .await;
    assert_refused(&both, 400, "VALIDATION_ERROR", "author and authorId");
    let patched = server
        .admin(
            "PATCH",
            "/books/1",
            Some(json!({"author": 2, "authorId": 3})),
        )
        .await;
    assert_refused(
        &patched,
        400,
        "VALIDATION_ERROR",
        "author and authorId on update",
    );
    let after = get(
        &server,
        admin,
        "/books",
        &[("meta", "totalCount"), ("limit", "1")],
    )
    .await;
    assert_eq!(before.body["meta"], after.body["meta"]);
    let first = server.admin("GET", "/books/1", None).await;
    assert_eq!(first.body["authorId"], 1, "the update changed nothing");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn default_crud_answers_within_the_route_deadline() {
    use sea_orm::ConnectionTrait;
    let server = TestServer::start().await;
    library(&server).await;
    // Enough rows that a scan takes tens of milliseconds.
    server
        .state()
        .db
        .execute_unprepared(
            r#"INSERT INTO books (title, "authorId", "createdAt", "updatedAt")
               WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
               SELECT 'filler ' || i, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM n"#,
        )
        .await
        .unwrap();
    server
        .route(json!({"path": "/books-in-a-hurry", "methods": ["GET"], "table": "books", "timeoutMs": 5}))
        .await;
    let admin = Some(server.admin_token.as_str());
    let scan = [
        ("filter", r#"{"title": {"_contains": "no such title"}}"#),
        ("meta", "*"),
    ];
    let reply = get(&server, admin, "/books-in-a-hurry", &scan).await;
    assert_refused(&reply, 504, "CRUD_TIMEOUT", "a scan past a 5 ms deadline");
    // The pool is not held: the next request is answered, the same scan on a roomier route too.
    let roomy = get(&server, admin, "/books", &scan).await;
    assert_eq!(roomy.status, 200, "{:?}", roomy.body);
    assert_eq!(roomy.body["meta"]["filterCount"], 0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_inverse_name_is_unique_on_its_target_and_not_over_a_null_key_finds_rows() {
    let server = TestServer::start().await;
    library(&server).await;
    for (what, inverse) in [("another inverse", "books"), ("a column", "name")] {
        let reply = server
            .admin(
                "POST",
                "/admin/tables",
                Some(json!({"name": "essays", "columns": [{"name": "title", "type": "text"}],
                            "relations": [{"name": "writer", "target": "authors", "inverse": inverse}]})),
            )
            .await;
        assert_refused(&reply, 400, "INVALID_RELATION", what);
        assert_eq!(
            server
                .admin("GET", "/admin/tables/essays", None)
                .await
                .status,
            404,
            "{what}: nothing created"
        );
    }
    let added = server
        .admin(
            "PATCH",
            "/admin/tables/books",
            Some(json!({"addRelations": [{"name": "editor", "target": "authors", "inverse": "books"}]})),
        )
        .await;
    assert_refused(&added, 400, "INVALID_RELATION", "an inverse added twice");

    // A book without an author must not make `_not` over the inverse find nothing.
    let anonymous = server
        .admin(
            "POST",
            "/books",
            Some(json!({"title": "Anonymous", "author": null})),
        )
        .await;
    assert_eq!(anonymous.status, 201, "{:?}", anonymous.body);
    let admin = Some(server.admin_token.as_str());
    let without_notes = get(
        &server,
        admin,
        "/authors",
        &[
            (
                "filter",
                r#"{"_not": {"books": {"title": {"_eq": "Notes"}}}}"#,
            ),
            ("fields", "name"),
        ],
    )
    .await;
    assert_eq!(without_notes.status, 200, "{:?}", without_notes.body);
    assert_eq!(
        without_notes.body["data"],
        json!([{"name": "Borges"}, {"name": "Colette"}])
    );
    server.stop().await;
}
