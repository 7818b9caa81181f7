//! Property tests of the parsers that take outside input — route patterns, request bodies, the
//! filter language and list queries, CIDRs and forwarding headers, token lifetimes, bearer
//! tokens and their headers, uploaded binaries: whatever they are given, they answer (a value or
//! a client error) and never panic, and where a reference exists (serde_json) they agree with
//! it. Each property runs proptest's default 256 cases (`PROPTEST_CASES` changes it; the
//! compiling one runs 64), a few seconds in all; a failing case proptest finds is kept in
//! `proptest-regressions/` beside this file and replayed first.

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
use crate::runtime::{UploadRejection, check_header};
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
        let service = token_service();
        prop_assert!(service.verify(&token).is_err());
        prop_assert!(service.verify(&parts.join(".")).is_err());
    }

    #[test]
    fn a_token_under_any_other_header_is_refused(
        alg in prop_oneof![
            Just("none".to_owned()),
            Just("HS256".to_owned()),
            Just("HS512".to_owned()),
            Just("RS256".to_owned()),
            "[A-Za-z0-9]{0,8}",
        ],
        kid in prop::option::of("\\PC{0,24}"),
        extra in prop::option::of(any_json()),
    ) {
        use base64::Engine as _;
        let service = token_service();
        let (token, _) = service.issue(1, "a@example.com").expect("a token");
        let (header, rest) = token.split_once('.').expect("three parts");
        let mut forged = json!({"alg": alg, "typ": "JWT"});
        if let Some(kid) = kid {
            forged["kid"] = kid.into();
        }
        if let Some(extra) = extra {
            forged["x"] = extra;
        }
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged.to_string());
        prop_assume!(forged != header);
        let presented = format!("{forged}.{rest}");
        prop_assert!(service.verify(&presented).is_err());
    }

    #[test]
    fn uploads_are_judged_by_their_first_eight_bytes(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..32),
            prop::collection::vec(any::<u8>(), 0..32).prop_map(|tail| [b"\0asm".as_slice(), &tail].concat()),
        ],
    ) {
        let verdict = check_header(&bytes);
        let expected = if bytes.is_empty() {
            "empty"
        } else if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
            "not wasm"
        } else if bytes[4..8] == [1, 0, 0, 0] {
            "core module"
        } else {
            "passes"
        };
        let got = match verdict {
            Ok(()) => "passes",
            Err(UploadRejection::Empty) => "empty",
            Err(UploadRejection::NotWasm) => "not wasm",
            Err(UploadRejection::CoreModule) => "core module",
            Err(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
        };
        prop_assert_eq!(got, expected);
    }
}

fn token_service() -> crate::auth::TokenService {
    crate::auth::TokenService::from_settings(
        "property-secret-property-secret-01234",
        &crate::config::Settings::default(),
    )
}

/// A small component with a core module, an instance, a lifted function and an export: the
/// parts an upload's parser walks.
const SMALL_COMPONENT: &str = r#"(component
  (core module $m
    (memory (export "memory") 1)
    (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add))
  (core instance $i (instantiate $m))
  (func $f (param "x" u32) (result u32) (canon lift (core func $i "f")))
  (instance $inst (export "f" (func $f)))
  (export "hookline:plugin/probe@0.1.0" (instance $inst))
)"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A damaged upload is refused with an error, never a panic of the parser or the compiler.
    #[test]
    fn damaged_components_are_refused_without_a_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        keep in prop::option::of(any::<prop::sample::Index>()),
    ) {
        static ENGINE: std::sync::LazyLock<wasmtime::Engine> = std::sync::LazyLock::new(|| {
            let mut config = wasmtime::Config::new();
            config.wasm_component_model(true);
            wasmtime::Engine::new(&config).expect("an engine")
        });
        let mut bytes = wat::parse_str(SMALL_COMPONENT).expect("valid WAT");
        for (at, byte) in flips {
            let at = at.index(bytes.len());
            bytes[at] = byte;
        }
        if let Some(keep) = keep {
            bytes.truncate(keep.index(bytes.len()) + 1);
        }
        if check_header(&bytes).is_ok() {
            // Ok for a damage that left it valid; an error otherwise; never a panic.
            let _ = wasmtime::component::Component::new(&ENGINE, &bytes);
        }
    }
}

#[test]
fn the_undamaged_component_compiles() {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model(true);
    let engine = wasmtime::Engine::new(&config).expect("an engine");
    let bytes = wat::parse_str(SMALL_COMPONENT).expect("valid WAT");
    check_header(&bytes).expect("a component header");
    wasmtime::component::Component::new(&engine, &bytes).expect("it compiles");
}
