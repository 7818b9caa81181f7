//! Where uploads are compiled: in a child process of the server's binary (what `hookline
//! serve` does), with a fallback to compiling in process when the child cannot run.

use hookline_tests::{TestServer, assert_refused, node, plugin_bytes};
use serde_json::{Value, json};

async fn runtime_stats(server: &TestServer) -> Value {
    server.admin("GET", "/admin/runtime", None).await.body["stats"].clone()
}

async fn serves_hello(server: &TestServer) {
    serves_hello_as(server, "hello").await;
}

/// Installs the `hello` example as plugin `name` on the route `/<name>/:name`, checks that it
/// answers there, and returns the route's id.
async fn serves_hello_as(server: &TestServer, name: &str) -> i64 {
    server.install(name, "hello").await;
    let route = server
        .route(json!({"path": format!("/{name}/:name"), "methods": ["GET"], "publishedMethods": ["GET"], "handler": {"plugin": name}}))
        .await;
    assert_eq!(
        server.get(&format!("/{name}/ada")).await.body,
        json!({"message": "hello, ada"})
    );
    route
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_is_compiled_by_a_child_of_the_server_binary() {
    let server = TestServer::start_with(|s| s.compiler_exe = Some(node::binary())).await;
    serves_hello(&server).await;
    let stats = runtime_stats(&server).await;
    assert_eq!(
        (stats["compiled"].clone(), stats["compiledInChild"].clone()),
        (json!(1), json!(1))
    );
    let artifacts: Vec<_> = std::fs::read_dir(server.data_dir().join("artifacts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(
        artifacts.len(),
        1,
        "one artifact, no temporary file left: {artifacts:?}"
    );
    assert!(artifacts[0].extension().is_some_and(|e| e == "cwasm"));
    // What the child wrote is what a restart loads.
    let server = server.restart().await;
    assert_eq!(runtime_stats(&server).await["artifactsLoaded"], 1);
    assert_eq!(
        server.get("/hello/again").await.body,
        json!({"message": "hello, again"})
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_component_the_child_cannot_compile_is_refused_with_its_own_code() {
    let server = TestServer::start_with(|s| s.compiler_exe = Some(node::binary())).await;
    // Well-formed enough for the upload checks before compiling (a header, sections that
    // parse), but a function that returns nothing where it declares an i32: the child's
    // validation fails, and the server's own attempt names the reason.
    let ill_typed = wat::parse_str("(component (core module (func (result i32))))").unwrap();
    let reply = server.upload_bytes("ill-typed", ill_typed).await;
    assert_refused(&reply, 422, "INVALID_COMPONENT", "ill-typed");
    let list = server.admin("GET", "/admin/plugins", None).await;
    assert_eq!(list.body, json!([]), "nothing stored");
    let stats = runtime_stats(&server).await;
    assert_eq!(
        (stats["compiled"].clone(), stats["compiledInChild"].clone()),
        (json!(0), json!(0))
    );
    let artifacts = std::fs::read_dir(server.data_dir().join("artifacts"))
        .unwrap()
        .count();
    assert_eq!(artifacts, 0, "no artifact and no temporary file left");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_compiler_binary_the_server_compiles_in_process() {
    let missing = std::env::temp_dir()
        .join("no-such-dir-hookline")
        .join("hookline");
    let server = TestServer::start_with(|s| s.compiler_exe = Some(missing)).await;
    serves_hello(&server).await;
    let stats = runtime_stats(&server).await;
    assert_eq!(
        (stats["compiled"].clone(), stats["compiledInChild"].clone()),
        (json!(1), json!(0))
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_child_and_the_server_compile_the_same_artifact_name() {
    // A server compiling in process and one compiling in a child, sharing an artifact
    // directory: the second loads what the first wrote, so both engines agree on the
    // fingerprint the child's engine was built with.
    let shared = tempfile::tempdir().unwrap();
    let dir = shared.path().to_path_buf();
    let first = TestServer::start_with(|s| {
        s.artifact_dir = Some(dir.clone());
        s.compiler_exe = Some(node::binary());
    })
    .await;
    first.upload_bytes("hello", plugin_bytes("hello")).await;
    assert_eq!(runtime_stats(&first).await["compiledInChild"], 1);
    first.stop().await;
    let second = TestServer::start_with(|s| s.artifact_dir = Some(dir.clone())).await;
    second.upload_bytes("hello", plugin_bytes("hello")).await;
    let stats = runtime_stats(&second).await;
    assert_eq!(
        (stats["compiled"].clone(), stats["artifactsLoaded"].clone()),
        (json!(0), json!(1))
    );
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn plugins_uploaded_with_one_binary_share_one_loaded_component() {
    let server = TestServer::start().await;
    let routes = [
        (serves_hello_as(&server, "hello").await, "hello"),
        (serves_hello_as(&server, "hello-again").await, "hello-again"),
    ];
    let stats = runtime_stats(&server).await;
    assert_eq!(
        (stats["compiled"].clone(), stats["componentsShared"].clone()),
        (json!(1), json!(1)),
        "compiled once, the second plugin took the first one's component"
    );

    // Gone from memory once no plugin holds it: a later upload loads the artifact from disk.
    for (route, plugin) in routes {
        let deleted = server
            .admin("DELETE", &format!("/admin/routes/{route}"), None)
            .await;
        assert_eq!(deleted.status, 204);
        let deleted = server
            .admin("DELETE", &format!("/admin/plugins/{plugin}"), None)
            .await;
        assert_eq!(deleted.status, 204);
    }
    server.install("hello", "hello").await;
    let stats = runtime_stats(&server).await;
    assert_eq!(
        (
            stats["compiled"].clone(),
            stats["componentsShared"].clone(),
            stats["artifactsLoaded"].clone()
        ),
        (json!(1), json!(1), json!(1))
    );
    server.stop().await;
}
