//! The findings of the adversarial review, each over HTTP: relation paths need read access to
//! the related table; queries are bounded in depth, rows, terms and pages; bodies are read only
//! after admission and parsed within a cap; a password set by a hook ends every session; plugin
//! rate-limit keys cannot touch the system's; bcrypt costs are capped; sessions end at an
//! absolute lifetime; the data directory is private. Every refusal: its status, its code, and
//! nothing written.

use hookline_tests::{Reply, TestServer};
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

fn assert_refused(reply: &Reply, status: u16, code: &str, what: &str) {
    assert_eq!(
        (reply.status, reply.code()),
        (status, code),
        "{what}: {:?}",
        reply.body
    );
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
