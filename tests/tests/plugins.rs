//! Plugin upload, versions, activation, rollback and deletion through the admin API.

use std::time::Duration;

use hookline_tests::{TestServer, plugin_bytes};
use serde_json::json;

/// A component with no imports and no exports.
const EMPTY_COMPONENT: &str = "(component)";

/// A component importing an interface Hookline does not provide.
const UNKNOWN_IMPORT: &str = r#"(component
  (import "acme:missing/thing" (instance (export "poke" (func))))
)"#;

/// A component exporting the handler interface with the wrong function type.
const WRONG_SIGNATURE: &str = r#"(component
  (core module $m (func (export "f")))
  (core instance $i (instantiate $m))
  (func $f (canon lift (core func $i "f")))
  (instance $inst (export "handle" (func $f)))
  (export "hookline:plugin/handler@0.1.0" (instance $inst))
)"#;

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("valid WAT")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_reports_its_version_digest_size_and_kinds() {
    let server = TestServer::start().await;
    let bytes = plugin_bytes("tag");
    let reply = server.upload_bytes("tag", bytes.clone()).await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["name"], "tag");
    assert_eq!(reply.body["version"], 1);
    assert_eq!(reply.body["size"], bytes.len());
    assert_eq!(reply.body["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(reply.body["kinds"], json!(["preHook", "postHook"]));
    let second = server.upload("tag", "tag").await;
    assert_eq!(second.body["version"], 2);
    let shown = server.admin("GET", "/admin/plugins/tag", None).await;
    assert_eq!(shown.body["activeVersion"], 2);
    assert_eq!(shown.body["versions"].as_array().map(Vec::len), Some(2));
    let hello = server.upload("hello", "hello").await;
    assert_eq!(hello.body["kinds"], json!(["handler"]));
    let list = server.admin("GET", "/admin/plugins", None).await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(2));
    server.stop().await;
}

/// Uploads of one plugin at once are numbered under the definitions lock: each gets its own
/// version, none is refused for a number another took.
#[tokio::test(flavor = "multi_thread")]
async fn uploads_of_one_plugin_at_once_get_consecutive_versions() {
    let server = TestServer::start().await;
    let bytes = plugin_bytes("tag");
    let uploads = (0..4).map(|_| server.upload_bytes("tag", bytes.clone()));
    let replies = futures::future::join_all(uploads).await;
    let mut versions: Vec<i64> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{:?}", r.body);
            r.body["version"].as_i64().expect("version")
        })
        .collect();
    versions.sort();
    assert_eq!(versions, [1, 2, 3, 4]);
    let shown = server.admin("GET", "/admin/plugins/tag", None).await;
    assert_eq!(shown.body["versions"].as_array().map(Vec::len), Some(4));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_bad_upload_is_refused_with_its_own_code_and_stores_nothing() {
    let server = TestServer::start().await;
    server.install("good", "hello").await;
    let artifact = std::fs::read_dir(server.data_dir().join("artifacts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .expect("a compiled artifact on disk");
    let precompiled = std::fs::read(artifact).unwrap();
    let mut garbage_component = b"\0asm\x0d\0\x01\0".to_vec();
    garbage_component.extend_from_slice(&[0xff; 32]);
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("empty", vec![], 400, "EMPTY_PLUGIN"),
        ("text", b"hello, world".to_vec(), 400, "NOT_WASM"),
        ("core", wat("(module)"), 422, "NOT_A_COMPONENT"),
        ("precompiled", precompiled, 422, "PRECOMPILED_NOT_ACCEPTED"),
        ("garbage", garbage_component, 422, "INVALID_COMPONENT"),
        ("imports", wat(UNKNOWN_IMPORT), 422, "UNSATISFIED_IMPORTS"),
        ("exports", wat(EMPTY_COMPONENT), 422, "NO_HOOK_EXPORTS"),
        ("signature", wat(WRONG_SIGNATURE), 422, "EXPORT_MISMATCH"),
    ];
    for (name, bytes, status, code) in cases {
        let reply = server.upload_bytes(name, bytes).await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{name}: {:?}",
            reply.body
        );
        assert!(
            !reply.body["message"].as_str().unwrap_or("").is_empty(),
            "{name}"
        );
    }
    let hello = plugin_bytes("hello");
    let no_name = server
        .send_raw(
            "POST",
            "/admin/plugins",
            Some(&server.admin_token),
            "application/wasm",
            hello.clone(),
        )
        .await;
    assert_eq!((no_name.status, no_name.code()), (400, "NAME_REQUIRED"));
    let bad_name = server.upload_bytes("Bad%20Name", hello.clone()).await;
    assert_eq!((bad_name.status, bad_name.code()), (400, "INVALID_NAME"));
    let wrong_type = server
        .send_raw(
            "POST",
            "/admin/plugins?name=x",
            Some(&server.admin_token),
            "application/octet-stream",
            hello,
        )
        .await;
    assert_eq!(
        (wrong_type.status, wrong_type.code()),
        (415, "UNSUPPORTED_MEDIA_TYPE")
    );
    // Nothing but the one good plugin was stored.
    let list = server.admin("GET", "/admin/plugins", None).await;
    let names: Vec<&str> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["good"]);
    assert_eq!(
        server.admin("GET", "/admin/plugins/good", None).await.body["versions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_over_the_size_cap_is_refused_with_413() {
    let server = TestServer::start_with(|s| s.max_plugin_bytes = 4096).await;
    let reply = server.upload("hello", "hello").await;
    assert_eq!((reply.status, reply.code()), (413, "PAYLOAD_TOO_LARGE"));
    assert_eq!(
        server.admin("GET", "/admin/plugins", None).await.body,
        json!([])
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_version_serves_the_next_request_while_one_in_flight_finishes_on_the_old() {
    let server = std::sync::Arc::new(TestServer::start().await);
    server.install("svc", "slow").await;
    let route = server
        .route(
            json!({"path": "/svc", "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "svc", "config": {"ms": 1500}}}),
        )
        .await;
    let in_flight = {
        let server = server.clone();
        tokio::spawn(async move { server.get("/svc").await })
    };
    // Wait until the slow call has started running.
    let stats = |s: &TestServer| {
        s.state().runtime.stats().snapshot()["invocations"]
            .as_u64()
            .unwrap()
    };
    while stats(&server) == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(server.upload("svc", "hello").await.body["version"], 2);
    let next = server.get("/svc").await;
    assert_eq!(next.body, json!({"message": "hello, world"}));
    let old = in_flight.await.unwrap();
    assert_eq!(old.status, 200);
    assert_eq!(old.body["slept"], 1500);

    // Rolling back makes version 1 serve again.
    let rollback = server
        .admin(
            "POST",
            "/admin/plugins/svc/activate",
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(rollback.status, 200, "{:?}", rollback.body);
    assert_eq!(rollback.body["activeVersion"], 1);
    server
        .admin(
            "PATCH",
            &format!("/admin/routes/{route}"),
            Some(json!({"handler": {"plugin": "svc", "config": {"ms": 1}}})),
        )
        .await;
    assert_eq!(server.get("/svc").await.body["slept"], 1);
    let missing = server
        .admin(
            "POST",
            "/admin/plugins/svc/activate",
            Some(json!({"version": 9})),
        )
        .await;
    assert_eq!((missing.status, missing.code()), (404, "VERSION_NOT_FOUND"));
    assert_eq!(
        server.admin("GET", "/admin/plugins/svc", None).await.body["activeVersion"],
        1
    );
    std::sync::Arc::into_inner(server).unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_version_lacking_an_export_in_use_is_refused() {
    let server = TestServer::start().await;
    server.install("svc", "hello").await;
    server
        .route(json!({"path": "/svc", "methods": ["GET"], "publishedMethods": ["GET"], "handler": {"plugin": "svc"}}))
        .await;
    let reply = server.upload("svc", "tag").await;
    assert_eq!(
        (reply.status, reply.code()),
        (422, "KINDS_IN_USE"),
        "{:?}",
        reply.body
    );
    assert_eq!(
        reply.body["error"]["details"]["missing"],
        json!(["handler"])
    );
    let shown = server.admin("GET", "/admin/plugins/svc", None).await;
    assert_eq!(shown.body["versions"].as_array().unwrap().len(), 1);
    assert_eq!(server.get("/svc").await.status, 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plugin_in_use_cannot_be_deleted() {
    let server = TestServer::start().await;
    server.install("hello", "hello").await;
    let route = server
        .route(json!({"path": "/h", "methods": ["GET"], "publishedMethods": ["GET"], "handler": {"plugin": "hello"}}))
        .await;
    let refused = server.admin("DELETE", "/admin/plugins/hello", None).await;
    assert_eq!((refused.status, refused.code()), (409, "PLUGIN_IN_USE"));
    assert_eq!(refused.body["error"]["details"]["routes"], json!([route]));
    assert_eq!(server.get("/h").await.status, 200);
    assert_eq!(
        server
            .admin("DELETE", &format!("/admin/routes/{route}"), None)
            .await
            .status,
        204
    );
    assert_eq!(
        server
            .admin("DELETE", "/admin/plugins/hello", None)
            .await
            .status,
        204
    );
    let gone = server.admin("GET", "/admin/plugins/hello", None).await;
    assert_eq!((gone.status, gone.code()), (404, "NOT_FOUND"));
    let unknown = server.admin("DELETE", "/admin/plugins/nope", None).await;
    assert_eq!(unknown.status, 404);
    server.stop().await;
}
