//! Default CRUD over HTTP on user tables, on SQLite (and PostgreSQL in the suite's second pass):
//! the routes a table gets, create/read/update/delete, every filter operator and combination
//! against a known data set, relation filters both ways, fields/sort/limit/page/meta,
//! validation errors with nothing written, and injection attempts.

use hookline_tests::{Reply, TestServer};
use serde_json::{Value, json};

async fn setup() -> TestServer {
    let server = TestServer::start().await;
    for table in [
        json!({"name": "authors", "columns": [
            {"name": "name", "type": "varchar(50)", "nullable": false, "unique": true},
            {"name": "country", "type": "varchar(2)"}
        ]}),
        json!({"name": "books", "columns": [
            {"name": "title", "type": "varchar(100)", "nullable": false},
            {"name": "pages", "type": "int"},
            {"name": "price", "type": "float"},
            {"name": "inPrint", "type": "boolean", "default": true},
            {"name": "genre", "type": "enum", "options": ["novel", "essay", "poetry"]},
            {"name": "published", "type": "date"},
            {"name": "tags", "type": "json"}
        ], "relations": [{"name": "author", "target": "authors", "onDelete": "cascade", "inverse": "books"}]}),
    ] {
        let reply = server.admin("POST", "/admin/tables", Some(table)).await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
    }
    for (name, country) in [("Ada", "UK"), ("Borges", "AR"), ("Colette", "FR")] {
        created(
            &server,
            "/authors",
            json!({"name": name, "country": country}),
        )
        .await;
    }
    let books = [
        ("Notes", 120, 9.5, true, "essay", "1843-09-01", 1),
        ("Ficciones", 200, 12.0, true, "novel", "1944-01-01", 2),
        ("El Aleph", 180, 11.0, false, "novel", "1949-06-01", 2),
        ("Poems", 90, 7.25, true, "poetry", "1950-03-15", 2),
        ("Cheri", 150, 8.0, false, "novel", "1920-07-01", 3),
    ];
    for (title, pages, price, in_print, genre, published, author) in books {
        created(
            &server,
            "/books",
            json!({"title": title, "pages": pages, "price": price, "inPrint": in_print, "genre": genre,
                   "published": published, "tags": {"t": title.len()}, "author": author}),
        )
        .await;
    }
    server
}

async fn created(server: &TestServer, path: &str, body: Value) -> Value {
    let reply = server.admin("POST", path, Some(body)).await;
    assert_eq!(reply.status, 201, "{path}: {:?}", reply.body);
    reply.body
}

/// GET `path` as the root admin, with the query string built from `pairs`.
async fn get(server: &TestServer, path: &str, pairs: &[(&str, &str)]) -> Reply {
    let url = reqwest::Url::parse_with_params(&format!("{}{path}", server.base), pairs).unwrap();
    let response = server
        .client()
        .get(url)
        .bearer_auth(&server.admin_token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

/// The titles of the books a filter selects, in id order.
async fn titles(server: &TestServer, filter: Value) -> Vec<String> {
    let reply = get(
        server,
        "/books",
        &[("filter", &filter.to_string()), ("limit", "0")],
    )
    .await;
    assert_eq!(reply.status, 200, "{filter}: {:?}", reply.body);
    reply.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_table_gets_routes_and_rows_round_trip() {
    let server = setup().await;
    let routes = server.admin("GET", "/admin/routes", None).await.body;
    let paths: Vec<&str> = routes
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"/books") && paths.contains(&"/books/:id"),
        "{paths:?}"
    );

    let book = get(&server, "/books/2", &[]).await;
    assert_eq!(book.status, 200, "{:?}", book.body);
    let b = &book.body;
    assert_eq!(
        (b["id"].clone(), b["title"].clone(), b["pages"].clone()),
        (json!(2), json!("Ficciones"), json!(200))
    );
    assert_eq!(
        (b["price"].clone(), b["inPrint"].clone(), b["genre"].clone()),
        (json!(12.0), json!(true), json!("novel"))
    );
    assert_eq!(
        (
            b["published"].clone(),
            b["tags"].clone(),
            b["authorId"].clone()
        ),
        (json!("1944-01-01"), json!({"t": 9}), json!(2))
    );
    assert!(b["createdAt"].as_str().unwrap().ends_with('Z'));

    let patched = server
        .admin(
            "PATCH",
            "/books/2",
            Some(json!({"pages": 210, "genre": "essay", "tags": null})),
        )
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    assert_eq!(
        (
            patched.body["pages"].clone(),
            patched.body["genre"].clone(),
            patched.body["tags"].clone()
        ),
        (json!(210), json!("essay"), Value::Null)
    );
    assert_eq!(patched.body["title"], "Ficciones", "untouched fields stay");

    let deleted = server.admin("DELETE", "/books/2", None).await;
    assert_eq!(
        (deleted.status, deleted.body["id"].clone()),
        (200, json!(2))
    );
    assert_eq!(get(&server, "/books/2", &[]).await.code(), "NOT_FOUND");
    assert_eq!(
        server
            .admin("PATCH", "/books/2", Some(json!({"pages": 1})))
            .await
            .status,
        404
    );
    assert_eq!(server.admin("DELETE", "/books/2", None).await.status, 404);
    assert_eq!(get(&server, "/books/abc", &[]).await.code(), "INVALID_ID");
    // onDelete cascade through CRUD.
    server.admin("DELETE", "/authors/3", None).await;
    assert!(
        !titles(&server, json!({}))
            .await
            .contains(&"Cheri".to_owned())
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_filter_operator_and_combination() {
    let server = setup().await;
    let cases = [
        (json!({"title": {"_eq": "Poems"}}), vec!["Poems"]),
        (json!({"genre": {"_neq": "novel"}}), vec!["Notes", "Poems"]),
        (
            json!({"pages": {"_gt": 150}}),
            vec!["Ficciones", "El Aleph"],
        ),
        (
            json!({"pages": {"_gte": 150}}),
            vec!["Ficciones", "El Aleph", "Cheri"],
        ),
        (json!({"price": {"_lt": 8.0}}), vec!["Poems"]),
        (json!({"price": {"_lte": 8.0}}), vec!["Poems", "Cheri"]),
        (
            json!({"id": {"_in": [1, 3, 99]}}),
            vec!["Notes", "El Aleph"],
        ),
        (
            json!({"genre": {"_nin": ["novel", "essay"]}}),
            vec!["Poems"],
        ),
        (json!({"title": {"_contains": "ic"}}), vec!["Ficciones"]),
        (json!({"title": {"_starts_with": "El"}}), vec!["El Aleph"]),
        (
            json!({"title": {"_ends_with": "s"}}),
            vec!["Notes", "Ficciones", "Poems"],
        ),
        (
            json!({"pages": {"_between": [100, 160]}}),
            vec!["Notes", "Cheri"],
        ),
        (
            json!({"published": {"_gte": "1944-01-01", "_lt": "1950-01-01"}}),
            vec!["Ficciones", "El Aleph"],
        ),
        (
            json!({"inPrint": {"_eq": false}}),
            vec!["El Aleph", "Cheri"],
        ),
        (json!({"tags": {"_is_null": true}}), Vec::<&str>::new()),
        (
            json!({"tags": {"_is_not_null": true}}),
            vec!["Notes", "Ficciones", "El Aleph", "Poems", "Cheri"],
        ),
        (
            json!({"_or": [{"pages": {"_lt": 100}}, {"genre": {"_eq": "essay"}}]}),
            vec!["Notes", "Poems"],
        ),
        (
            json!({"_and": [{"genre": {"_eq": "novel"}}, {"inPrint": {"_eq": true}}]}),
            vec!["Ficciones"],
        ),
        (
            json!({"_not": {"genre": {"_eq": "novel"}}}),
            vec!["Notes", "Poems"],
        ),
        (
            json!({"author": {"name": {"_eq": "Borges"}}}),
            vec!["Ficciones", "El Aleph", "Poems"],
        ),
        (
            json!({"author": {"country": {"_in": ["UK", "FR"]}}, "pages": {"_gt": 100}}),
            vec!["Notes", "Cheri"],
        ),
        // Matching is case-sensitive on both databases (SQLite's LIKE is not by default).
        (json!({"title": {"_contains": "IC"}}), Vec::<&str>::new()),
        (json!({"title": {"_starts_with": "el"}}), Vec::<&str>::new()),
        (json!({"title": {"_ends_with": "S"}}), Vec::<&str>::new()),
        (json!({"title": {"_contains": "%"}}), Vec::<&str>::new()),
        (json!({"title": {"_contains": "_"}}), Vec::<&str>::new()),
    ];
    for (filter, expected) in cases {
        assert_eq!(titles(&server, filter.clone()).await, expected, "{filter}");
    }
    // The one-to-many side: authors with a book in print under 100 pages.
    let reply = get(
        &server,
        "/authors",
        &[(
            "filter",
            &json!({"books": {"pages": {"_lt": 100}}}).to_string(),
        )],
    )
    .await;
    let names: Vec<&str> = reply.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Borges"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fields_sort_limit_page_and_meta() {
    let server = setup().await;
    let reply = get(
        &server,
        "/books",
        &[
            ("fields", "title,pages"),
            ("sort", "-pages"),
            ("limit", "2"),
            ("page", "2"),
            ("meta", "totalCount,filterCount"),
            ("filter", r#"{"inPrint": {"_eq": true}}"#),
        ],
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(
        reply.body,
        json!({"data": [{"title": "Poems", "pages": 90}], "meta": {"totalCount": 5, "filterCount": 3}})
    );
    let default = get(&server, "/books", &[("sort", "genre,-price")]).await;
    let order: Vec<&str> = default.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["title"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["Notes", "Ficciones", "El Aleph", "Cheri", "Poems"]);
    assert!(default.body.get("meta").is_none());
    let all = get(&server, "/books", &[("limit", "0"), ("meta", "*")]).await;
    assert_eq!(all.body["data"].as_array().unwrap().len(), 5);
    assert_eq!(all.body["meta"], json!({"totalCount": 5, "filterCount": 5}));
    let first = get(&server, "/books", &[("limit", "1")]).await;
    assert_eq!(first.body["data"].as_array().unwrap().len(), 1);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_writes_and_queries_are_refused_and_nothing_is_written() {
    let server = setup().await;
    let count = || get(&server, "/books", &[("limit", "0"), ("meta", "totalCount")]);
    let before = count().await.body["meta"]["totalCount"].clone();
    let writes = [
        (json!({"pages": 10}), "title"),
        (json!({"title": null}), "title"),
        (json!({"title": "x", "pages": "many"}), "pages"),
        (json!({"title": "x", "pages": 3_000_000_000u64}), "pages"),
        (json!({"title": "x", "genre": "comic"}), "genre"),
        (json!({"title": "x".repeat(101)}), "title"),
        (json!({"title": "x", "published": "yesterday"}), "published"),
        (json!({"title": "x", "author": "Ada"}), "author"),
        (json!({"title": "x", "isbn": "123"}), "isbn"),
        (json!({"title": "x", "id": 7}), "id"),
    ];
    for (body, field) in writes {
        let reply = server.admin("POST", "/books", Some(body.clone())).await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "VALIDATION_ERROR"),
            "{body}: {:?}",
            reply.body
        );
        assert!(
            reply.body["error"]["details"][field].is_string(),
            "{body}: {:?}",
            reply.body
        );
    }
    let not_object = server.admin("POST", "/books", Some(json!([1, 2]))).await;
    assert_eq!(not_object.code(), "VALIDATION_ERROR");
    let missing_author = server
        .admin("POST", "/books", Some(json!({"title": "x", "author": 999})))
        .await;
    assert_eq!(
        (missing_author.status, missing_author.code()),
        (400, "VALIDATION_ERROR"),
        "{:?}",
        missing_author.body
    );
    let duplicate = server
        .admin("POST", "/authors", Some(json!({"name": "Ada"})))
        .await;
    assert_eq!(
        (duplicate.status, duplicate.code()),
        (409, "UNIQUE_VIOLATION")
    );
    let bad_patch = server
        .admin("PATCH", "/books/1", Some(json!({"pages": "x"})))
        .await;
    assert_eq!(bad_patch.code(), "VALIDATION_ERROR");
    assert_eq!(count().await.body["meta"]["totalCount"], before);
    assert_eq!(
        get(&server, "/books/1", &[]).await.body["pages"],
        120,
        "the bad patch changed nothing"
    );

    let queries: [(&[(&str, &str)], &str); 10] = [
        (&[("filter", "{not json")], "INVALID_FILTER"),
        (
            &[("filter", r#"{"pages": {"_like": 3}}"#)],
            "INVALID_FILTER",
        ),
        (
            &[("filter", r#"{"pages": {"_eq": "ten"}}"#)],
            "INVALID_FILTER",
        ),
        (
            &[("filter", r#"{"title\"; DROP TABLE books; --": {"_eq": 1}}"#)],
            "INVALID_FILTER",
        ),
        (
            &[("filter", r#"{"title": {"_contains": 5}}"#)],
            "INVALID_FILTER",
        ),
        (
            &[("filter", r#"{"pages": {"_between": [1]}}"#)],
            "INVALID_FILTER",
        ),
        (&[("sort", "title; DROP TABLE books")], "INVALID_QUERY"),
        (&[("fields", "title,\"password\"")], "INVALID_QUERY"),
        (&[("limit", "-1")], "INVALID_QUERY"),
        (&[("page", "0")], "INVALID_QUERY"),
    ];
    for (pairs, code) in queries {
        let reply = get(&server, "/books", pairs).await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, code),
            "{pairs:?}: {:?}",
            reply.body
        );
    }
    let unsupported = get(
        &server,
        "/books",
        &[("filter", r#"{"pages": {"_like": 3}}"#)],
    )
    .await;
    assert!(
        unsupported.body["message"]
            .as_str()
            .unwrap()
            .contains("_starts_with"),
        "names the supported operators"
    );
    // A value that looks like SQL is just a value.
    let sneaky = json!({"title": {"_eq": "x' OR '1'='1"}});
    assert!(titles(&server, sneaky).await.is_empty());
    assert_eq!(count().await.body["meta"]["totalCount"], before);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn crud_routes_need_a_grant_and_run_between_hooks() {
    let server = setup().await;
    server
        .create_user("reader@example.com", "password-1234", false)
        .await;
    let reader = server.login("reader@example.com", "password-1234").await;
    let refused = server.send("GET", "/books", Some(&reader), None).await;
    assert_eq!(
        refused.status, 403,
        "not published: root admin only until a grant"
    );
    let routes = server.admin("GET", "/admin/routes", None).await.body;
    let list_route = routes
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "/books")
        .unwrap()["id"]
        .clone();
    assert_eq!(
        routes
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["path"] == "/books")
            .unwrap()["table"],
        "books"
    );
    let me = server.send("GET", "/me", Some(&reader), None).await.body["id"].clone();
    let granted = server
        .admin(
            "POST",
            &format!("/admin/routes/{list_route}/permissions"),
            Some(json!({"user": me, "methods": ["GET"]})),
        )
        .await;
    assert_eq!(granted.status, 201);
    assert_eq!(
        server
            .send("GET", "/books", Some(&reader), None)
            .await
            .status,
        200
    );
    assert_eq!(
        server
            .send("POST", "/books", Some(&reader), Some(json!({"title": "x"})))
            .await
            .status,
        403
    );

    // preHooks and postHooks wrap the CRUD handler like any other.
    server.install("tag", "tag").await;
    server
        .hook(json!({"phase": "pre", "route": list_route, "plugin": "tag", "config": {"tag": "before"}}))
        .await;
    server
        .hook(json!({"phase": "post", "route": list_route, "plugin": "tag", "config": {"tag": "after"}}))
        .await;
    let wrapped = server.admin("GET", "/books", None).await;
    assert_eq!(wrapped.status, 200, "{:?}", wrapped.body);
    assert_eq!(
        wrapped.body["logs"],
        json!(["tag:before", "tag:after"]),
        "{:?}",
        wrapped.body
    );
    assert_eq!(wrapped.body["data"].as_array().unwrap().len(), 5);

    // Dropping the table drops its routes and what hung on them.
    let dropped = server
        .admin("DELETE", "/admin/tables/books?confirm=true", None)
        .await;
    assert_eq!(dropped.status, 204, "{:?}", dropped.body);
    assert_eq!(server.admin("GET", "/books", None).await.status, 404);
    assert_eq!(
        server.admin("GET", "/admin/hooks", None).await.body,
        json!([])
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn relation_paths_in_fields_bring_related_rows() {
    let server = setup().await;
    let books = get(
        &server,
        "/books",
        &[("fields", "title,author.name"), ("limit", "2")],
    )
    .await;
    assert_eq!(books.status, 200, "{:?}", books.body);
    assert_eq!(
        books.body["data"],
        json!([{"title": "Notes", "author": {"name": "Ada"}}, {"title": "Ficciones", "author": {"name": "Borges"}}])
    );
    let whole = get(&server, "/books/1", &[]).await;
    let with_all = get(
        &server,
        "/books",
        &[("fields", "id,author.*"), ("limit", "1")],
    )
    .await;
    assert_eq!(with_all.body["data"][0]["author"]["country"], "UK");
    assert_eq!(
        with_all.body["data"][0]["author"]["id"],
        whole.body["authorId"]
    );
    // The one-to-many side, by the relation's inverse name.
    let authors = get(
        &server,
        "/authors",
        &[("fields", "name,books.title,books.pages"), ("sort", "name")],
    )
    .await;
    assert_eq!(authors.status, 200, "{:?}", authors.body);
    assert_eq!(
        authors.body["data"][1],
        json!({"name": "Borges", "books": [
            {"title": "Ficciones", "pages": 200}, {"title": "El Aleph", "pages": 180}, {"title": "Poems", "pages": 90}
        ]})
    );
    // Two levels: the books of each author, each with its author's country.
    let deep = get(
        &server,
        "/authors",
        &[
            ("fields", "name,books.author.country"),
            ("filter", r#"{"name":{"_eq":"Colette"}}"#),
        ],
    )
    .await;
    assert_eq!(
        deep.body["data"],
        json!([{"name": "Colette", "books": [{"author": {"country": "FR"}}]}])
    );
    let bad = get(&server, "/books", &[("fields", "title,publisher.name")]).await;
    assert_eq!((bad.status, bad.code()), (400, "INVALID_QUERY"));
    server.stop().await;
}
