//! The JavaScript and Python example plugins run through the same black-box checks as their
//! Rust twins: same inputs, same responses, same error codes.

use hookline_tests::{TestServer, dist_component, plugin_bytes, shared_artifact_dir};
use serde_json::json;

#[derive(Clone, Copy, Debug)]
enum Language {
    Rust,
    JavaScript,
    Python,
}

impl Language {
    /// The component of an example, or `None` when it was not built (skip).
    fn component(self, example: &str) -> Option<Vec<u8>> {
        match self {
            Language::Rust => Some(plugin_bytes(&example.replace('-', "_"))),
            Language::JavaScript => dist_component(&format!("{example}-js")),
            Language::Python => dist_component(&format!("{example}-py")),
        }
    }
}

async fn server() -> TestServer {
    TestServer::start_with(|s| s.artifact_dir = Some(shared_artifact_dir())).await
}

async fn install(server: &TestServer, name: &str, bytes: Vec<u8>) {
    let reply = server.upload_bytes(name, bytes).await;
    assert_eq!(reply.status, 201, "upload of {name}: {:?}", reply.body);
}

async fn hello_behaves(language: Language) {
    let Some(component) = language.component("hello") else {
        return;
    };
    let server = server().await;
    install(&server, "hello", component).await;
    for (path, config) in [
        ("/hello/:name", json!({})),
        ("/greet/:name", json!({"greeting": "hi"})),
        ("/anyone", json!({})),
    ] {
        server
            .route(
                json!({"path": path, "methods": ["GET"], "publishedMethods": ["GET"],
                          "handler": {"plugin": "hello", "config": config}}),
            )
            .await;
    }
    for (path, expected) in [
        ("/hello/ada", json!({"message": "hello, ada"})),
        ("/greet/ada", json!({"message": "hi, ada"})),
        ("/anyone", json!({"message": "hello, world"})),
        ("/hello/J%C3%BCrgen", json!({"message": "hello, Jürgen"})),
    ] {
        let reply = server.get(path).await;
        assert_eq!(
            (reply.status, &reply.body),
            (200, &expected),
            "{language:?} {path}"
        );
    }
    server.stop().await;
}

async fn normalize_email_behaves(language: Language) {
    let Some(component) = language.component("normalize-email") else {
        return;
    };
    let server = server().await;
    install(&server, "normalize-email", component).await;
    install(&server, "echo", plugin_bytes("echo")).await;
    let id = server
        .route(json!({"path": "/signup", "methods": ["POST"], "publishedMethods": ["POST"], "handler": {"plugin": "echo"}}))
        .await;
    server
        .hook(json!({"phase": "pre", "route": id, "plugin": "normalize-email"}))
        .await;
    for body in [json!({}), json!({"email": 5}), json!({"name": "ada"})] {
        let reply = server.post("/signup", body.clone()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "HOOK_ERROR"),
            "{language:?} {body}"
        );
        assert_eq!(reply.body["message"], "Email is required", "{language:?}");
    }
    let ok = server
        .post(
            "/signup",
            json!({"email": "  Ada@Example.COM ", "name": "Ada"}),
        )
        .await;
    assert_eq!(ok.status, 200, "{language:?}: {:?}", ok.body);
    assert_eq!(
        ok.body["body"],
        json!({"email": "ada@example.com", "name": "Ada"}),
        "{language:?}"
    );
    assert_eq!(ok.body["share"]["validationPassed"], true, "{language:?}");
    server.stop().await;
}

async fn slugify_behaves(language: Language) {
    let Some(component) = language.component("slugify") else {
        return;
    };
    let server = server().await;
    install(&server, "slugify", component).await;
    server
        .route(json!({"path": "/slugify", "methods": ["POST"], "publishedMethods": ["POST"], "handler": {"plugin": "slugify"}}))
        .await;
    for (text, slug) in [
        ("My Product Name", "my-product-name"),
        ("Crème Brûlée à la carte!", "creme-brulee-a-la-carte"),
        ("Привет, мир", "privet-mir"),
    ] {
        let reply = server.post("/slugify", json!({"text": text})).await;
        assert_eq!(
            (reply.status, &reply.body),
            (200, &json!({"slug": slug})),
            "{language:?} {text}"
        );
    }
    for body in [json!({}), json!({"text": 5})] {
        let reply = server.post("/slugify", body.clone()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (400, "HOOK_ERROR"),
            "{language:?} {body}"
        );
        assert_eq!(reply.body["message"], "text is required", "{language:?}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn slugify_in_rust() {
    slugify_behaves(Language::Rust).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn slugify_in_javascript() {
    slugify_behaves(Language::JavaScript).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn slugify_in_python() {
    slugify_behaves(Language::Python).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hello_in_rust() {
    hello_behaves(Language::Rust).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hello_in_javascript() {
    hello_behaves(Language::JavaScript).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hello_in_python() {
    hello_behaves(Language::Python).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn normalize_email_in_rust() {
    normalize_email_behaves(Language::Rust).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn normalize_email_in_javascript() {
    normalize_email_behaves(Language::JavaScript).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn normalize_email_in_python() {
    normalize_email_behaves(Language::Python).await;
}

/// A heavy guest compiles once at upload; a restart loads its artifact instead of recompiling.
async fn restarts_from_the_artifact_cache(language: Language) {
    let Some(component) = language.component("hello") else {
        return;
    };
    // The server's own artifact directory, so the first upload really compiles.
    let server = TestServer::start().await;
    install(&server, "hello", component).await;
    server
        .route(json!({"path": "/hello/:name", "methods": ["GET"], "publishedMethods": ["GET"], "handler": {"plugin": "hello"}}))
        .await;
    let stats = |s: &TestServer| s.state().runtime.stats().snapshot();
    assert_eq!(stats(&server)["compiled"], 1, "{language:?}");
    let server = server.restart().await;
    assert_eq!(stats(&server)["compiled"], 0, "{language:?}");
    assert_eq!(stats(&server)["artifactsLoaded"], 1, "{language:?}");
    let reply = server.get("/hello/ada").await;
    assert_eq!(reply.body, json!({"message": "hello, ada"}), "{language:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn javascript_restarts_from_the_artifact_cache() {
    restarts_from_the_artifact_cache(Language::JavaScript).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn python_restarts_from_the_artifact_cache() {
    restarts_from_the_artifact_cache(Language::Python).await;
}

/// With one fresh interpreter instance allowed at once, concurrent requests wait their turn
/// (within the hook's time budget) instead of failing.
#[tokio::test(flavor = "multi_thread")]
async fn javascript_requests_beyond_the_large_instance_cap_wait_their_turn() {
    let Some(component) = Language::JavaScript.component("hello") else {
        return;
    };
    let server = TestServer::start_with(|s| {
        s.artifact_dir = Some(shared_artifact_dir());
        s.max_large_instances = Some(1);
    })
    .await;
    install(&server, "hello", component).await;
    server
        .route(json!({"path": "/hello/:name", "methods": ["GET"], "publishedMethods": ["GET"], "handler": {"plugin": "hello"}}))
        .await;
    let client = &server;
    let replies = futures::future::join_all(
        (0..8).map(|i| async move { client.get(&format!("/hello/n{i}")).await }),
    )
    .await;
    for (i, reply) in replies.into_iter().enumerate() {
        assert_eq!(
            (reply.status, reply.body),
            (200, json!({"message": format!("hello, n{i}")}))
        );
    }
    server.stop().await;
}
