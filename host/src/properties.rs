//! Property tests of the parsers that take outside input — route patterns, request bodies, the
//! filter language and list queries, CIDRs and forwarding headers, token lifetimes and bearer
//! tokens: whatever they are given, they answer (a value or a client error) and never panic,
//! and where a reference exists (serde_json) they agree with it. Each property runs proptest's
//! default 256 cases (`PROPTEST_CASES` changes it), a few seconds in all; a failing case
//! proptest finds is kept in `proptest-regressions/` beside this file and replayed first.

use std::collections::HashMap;
use std::sync::Arc;

use proptest::prelude::*;
use sea_orm::DbBackend;
use serde_json::{Value, json};

use crate::access::ClientIpResolver;
use crate::access::client_ip::{parse_list, parse_net};
use crate::capabilities::helpers::expiration;
use crate::pipeline::body::parse_bounded;
use crate::routing::parse_pattern;
use crate::schema::query::FilterBuilder;
use crate::schema::reach::EveryTable;
use crate::schema::repo::ListQuery;
use crate::schema::{ColumnInput, TableDef};

/// Any JSON value, up to four levels and 32 nodes, with the filter language's words among the
/// keys so that generated filters reach past the first check.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    let key = prop_oneof![
        "[a-zA-Z_]{1,8}",
        Just("_and".to_owned()),
        Just("_or".to_owned()),
        Just("_not".to_owned()),
        Just("_eq".to_owned()),
        Just("_in".to_owned()),
        Just("_between".to_owned()),
        Just("_contains".to_owned()),
        Just("_is_null".to_owned()),
        Just("title".to_owned()),
        Just("pages".to_owned()),
        Just("tags".to_owned()),
        Just("author".to_owned()),
        Just("books".to_owned()),
        Just("name".to_owned()),
    ];
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn column(value: Value) -> crate::schema::Column {
    serde_json::from_value::<ColumnInput>(value)
        .expect("column")
        .parse()
        .expect("valid column")
}

/// `authors` and `books` (books.author → authors, inverse `books`).
fn library() -> HashMap<String, Arc<TableDef>> {
    let authors = TableDef {
        name: "authors".into(),
        columns: vec![column(json!({"name": "name", "type": "varchar(50)"}))],
        relations: Vec::new(),
        system: Default::default(),
    };
    let books = TableDef {
        name: "books".into(),
        columns: vec![
            column(json!({"name": "title", "type": "text"})),
            column(json!({"name": "pages", "type": "int"})),
            column(json!({"name": "tags", "type": "json"})),
        ],
        relations: vec![
            serde_json::from_value::<crate::schema::RelationInput>(
                json!({"name": "author", "target": "authors", "inverse": "books"}),
            )
            .expect("relation")
            .parse()
            .expect("valid relation"),
        ],
        system: Default::default(),
    };
    HashMap::from([
        ("authors".to_owned(), Arc::new(authors)),
        ("books".to_owned(), Arc::new(books)),
    ])
}

proptest! {
    #[test]
    fn route_patterns_parse_or_are_refused(pattern in "\\PC{0,40}") {
        if let Ok(segments) = parse_pattern(&pattern) {
            prop_assert!(pattern.starts_with('/'));
            prop_assert!(segments.len() <= pattern.len());
        }
    }

    #[test]
    fn bodies_parse_as_serde_json_parses_them(text in "\\PC{0,64}") {
        let ours = parse_bounded(text.as_bytes(), 1_000).ok();
        let reference = serde_json::from_str::<Value>(&text).ok();
        prop_assert_eq!(ours, reference);
    }

    #[test]
    fn json_values_survive_the_bounded_parser(value in any_json()) {
        let text = serde_json::to_vec(&value).unwrap();
        let reference: Value = serde_json::from_slice(&text).unwrap();
        prop_assert_eq!(parse_bounded(&text, 1_000).unwrap(), reference);
        // Every value takes a byte of text at least, so its length is always enough.
        prop_assert!(parse_bounded(&text, text.len()).is_ok());
    }

    #[test]
    fn filters_build_or_are_refused_with_a_client_error(filter in any_json()) {
        let tables = library();
        let books = tables["books"].clone();
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            let built = FilterBuilder::new(&tables, backend, &EveryTable).condition(&books, &filter);
            if let Err(e) = built {
                prop_assert_eq!(e.status, 400, "{}: {}", filter, e.message);
                prop_assert_eq!(e.code.as_ref(), "INVALID_FILTER");
            }
        }
    }

    #[test]
    fn list_queries_parse_or_are_refused_with_a_client_error(query in any_json()) {
        if let Err(e) = ListQuery::from_json(&query) {
            prop_assert_eq!(e.status, 400);
        }
    }

    #[test]
    fn cidrs_and_lists_parse_or_are_refused(text in "[0-9a-fA-F:./, %]{0,40}") {
        if let Ok(net) = parse_net(&text) {
            prop_assert_eq!(net, net.trunc());
        }
        let _ = parse_list(&text);
    }

    #[test]
    fn forwarding_headers_are_believed_only_from_trusted_peers(
        xff in "[0-9a-f:.,\\[\\] %\"=;]{0,60}",
        forwarded in "[0-9a-zA-Z:.,\\[\\] %\"=;]{0,60}",
        trusted_peer in any::<bool>(),
    ) {
        let resolver = ClientIpResolver::new(parse_list("10.0.0.0/8").unwrap());
        let peer = if trusted_peer { "10.1.2.3" } else { "203.0.113.9" };
        let peer: std::net::IpAddr = peer.parse().unwrap();
        let mut headers = axum::http::HeaderMap::new();
        if let Ok(value) = xff.parse() {
            headers.insert("x-forwarded-for", value);
        }
        if let Ok(value) = forwarded.parse() {
            headers.insert("forwarded", value);
        }
        let client = resolver.resolve(peer, &headers);
        if !trusted_peer {
            prop_assert_eq!(client, peer);
        }
    }

    #[test]
    fn expirations_are_positive_and_at_most_a_year(text in "\\PC{0,10}") {
        if let Ok(lifetime) = expiration::parse(&text) {
            prop_assert!(lifetime.as_secs() > 0);
            prop_assert!(lifetime.as_secs() <= 365 * 24 * 3600);
        }
    }

    #[test]
    fn arbitrary_bearer_tokens_are_refused(token in "\\PC{0,80}", parts in prop::collection::vec("[A-Za-z0-9_-]{0,40}", 3)) {
        let service = crate::auth::TokenService::from_settings(
            "property-secret-property-secret-01234",
            &crate::config::Settings::default(),
        );
        prop_assert!(service.verify(&token).is_err());
        prop_assert!(service.verify(&parts.join(".")).is_err());
    }
}
