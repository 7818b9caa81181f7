//! Route and hook definitions through the admin API: every bad input has its own code and
//! writes nothing; good changes apply to the next request without a restart.

use hookline_tests::TestServer;
use serde_json::{Value, json};

async fn server() -> TestServer {
    let server = TestServer::start().await;
    server.install("hello", "hello").await;
    server.install("tag", "tag").await;
    server
}

fn route(overrides: Value) -> Value {
    let mut base = json!({"path": "/r", "methods": ["GET"], "publishedMethods": ["GET"], "handler": {"plugin": "hello"}});
    for (k, v) in overrides.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base
}

#[tokio::test(flavor = "multi_thread")]
async fn every_bad_route_definition_is_refused_and_nothing_is_written() {
    let server = server().await;
    server.route(route(json!({"path": "/a/:id"}))).await;
    let cases = [
        (json!({"path": null}), 400, "PATH_REQUIRED"),
        (json!({"path": "no-slash"}), 400, "INVALID_PATH"),
        (json!({"path": "/a/*/b"}), 400, "INVALID_PATH"),
        (json!({"path": "/x/:1bad"}), 400, "INVALID_PATH"),
        (json!({"path": "/admin/x"}), 400, "RESERVED_PATH"),
        (json!({"methods": ["FETCH"]}), 400, "INVALID_METHODS"),
        (json!({"methods": []}), 400, "INVALID_METHODS"),
        (
            json!({"publishedMethods": ["POST"]}),
            400,
            "INVALID_METHODS",
        ),
        (json!({"handler": null}), 400, "HANDLER_REQUIRED"),
        (
            json!({"handler": {"plugin": "nope"}}),
            422,
            "UNKNOWN_PLUGIN",
        ),
        (
            json!({"handler": {"plugin": "tag"}}),
            422,
            "PLUGIN_KIND_MISMATCH",
        ),
        (json!({"timeoutMs": 0}), 400, "INVALID_TIMEOUT"),
        (json!({"timeoutMs": 600_001}), 400, "INVALID_TIMEOUT"),
        (json!({"colour": "blue"}), 400, "INVALID_BODY"),
        (json!({"methods": "GET"}), 400, "INVALID_BODY"),
        (json!({"path": "/a/:id"}), 409, "ROUTE_CONFLICT"),
        (json!({"path": "/a/:name"}), 409, "ROUTE_CONFLICT"),
    ];
    for (overrides, status, code) in cases {
        let reply = server
            .admin("POST", "/admin/routes", Some(route(overrides.clone())))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{overrides}: {:?}",
            reply.body
        );
    }
    let malformed = server
        .send_raw(
            "POST",
            "/admin/routes",
            Some(&server.admin_token),
            "application/json",
            b"{".to_vec(),
        )
        .await;
    assert_eq!((malformed.status, malformed.code()), (400, "INVALID_JSON"));
    let routes = server.admin("GET", "/admin/routes", None).await;
    assert_eq!(
        routes.body.as_array().unwrap().len(),
        1,
        "{:?}",
        routes.body
    );
    let not_found = server.admin("GET", "/admin/routes/999", None).await;
    assert_eq!((not_found.status, not_found.code()), (404, "NOT_FOUND"));
    let bad_id = server.admin("GET", "/admin/routes/abc", None).await;
    assert_eq!((bad_id.status, bad_id.code()), (400, "INVALID_ID"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_bad_hook_definition_is_refused_and_nothing_is_written() {
    let server = server().await;
    let id = server.route(route(json!({}))).await;
    let cases = [
        (
            json!({"phase": "during", "plugin": "tag"}),
            400,
            "INVALID_PHASE",
        ),
        (json!({"plugin": "tag"}), 400, "INVALID_PHASE"),
        (json!({"phase": "pre"}), 400, "PLUGIN_REQUIRED"),
        (
            json!({"phase": "pre", "plugin": "nope"}),
            422,
            "UNKNOWN_PLUGIN",
        ),
        (
            json!({"phase": "pre", "plugin": "hello"}),
            422,
            "PLUGIN_KIND_MISMATCH",
        ),
        (
            json!({"phase": "pre", "plugin": "tag", "route": 999}),
            422,
            "UNKNOWN_ROUTE",
        ),
        (
            json!({"phase": "pre", "plugin": "tag", "methods": ["BREW"]}),
            400,
            "INVALID_METHODS",
        ),
        (
            json!({"phase": "pre", "plugin": "tag", "priority": "high"}),
            400,
            "INVALID_BODY",
        ),
    ];
    for (body, status, code) in cases {
        let reply = server
            .admin("POST", "/admin/hooks", Some(body.clone()))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{body}: {:?}",
            reply.body
        );
    }
    assert_eq!(
        server.admin("GET", "/admin/hooks", None).await.body,
        json!([])
    );
    let hook = server
        .hook(json!({"phase": "pre", "route": id, "plugin": "tag"}))
        .await;
    let bad_patch = server
        .admin(
            "PATCH",
            &format!("/admin/hooks/{hook}"),
            Some(json!({"plugin": "hello"})),
        )
        .await;
    assert_eq!(
        (bad_patch.status, bad_patch.code()),
        (422, "PLUGIN_KIND_MISMATCH")
    );
    assert_eq!(
        server
            .admin("GET", &format!("/admin/hooks/{hook}"), None)
            .await
            .body["plugin"],
        "tag"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_apply_to_the_next_request() {
    let server = server().await;
    let id = server.route(route(json!({"path": "/hi/:name"}))).await;
    assert_eq!(
        server.get("/hi/ada").await.body,
        json!({"message": "hello, ada"})
    );
    let patched = server
        .admin(
            "PATCH",
            &format!("/admin/routes/{id}"),
            Some(json!({"handler": {"plugin": "hello", "config": {"greeting": "hey"}}})),
        )
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    assert_eq!(
        server.get("/hi/ada").await.body,
        json!({"message": "hey, ada"})
    );

    let hook = server
        .hook(json!({"phase": "post", "route": id, "plugin": "tag", "config": {"tag": "t"}}))
        .await;
    assert_eq!(server.get("/hi/ada").await.body["trace"], json!(["t"]));
    let disabled = server
        .admin(
            "PATCH",
            &format!("/admin/hooks/{hook}"),
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(disabled.body["enabled"], false);
    assert!(server.get("/hi/ada").await.body.get("trace").is_none());
    let global = server
        .admin(
            "PATCH",
            &format!("/admin/hooks/{hook}"),
            Some(json!({"enabled": true, "route": null})),
        )
        .await;
    assert_eq!(global.body["route"], Value::Null);
    assert_eq!(server.get("/hi/ada").await.body["trace"], json!(["t"]));
    assert_eq!(
        server
            .admin("DELETE", &format!("/admin/hooks/{hook}"), None)
            .await
            .status,
        204
    );
    assert!(server.get("/hi/ada").await.body.get("trace").is_none());

    let moved = server
        .admin(
            "PATCH",
            &format!("/admin/routes/{id}"),
            Some(json!({"path": "/bye/:name"})),
        )
        .await;
    assert_eq!(moved.status, 200);
    assert_eq!(server.get("/hi/ada").await.status, 404);
    assert_eq!(server.get("/bye/ada").await.status, 200);
    let private = server
        .admin(
            "PATCH",
            &format!("/admin/routes/{id}"),
            Some(json!({"publishedMethods": []})),
        )
        .await;
    assert_eq!(private.status, 200);
    assert_eq!(server.get("/bye/ada").await.status, 401);
    assert_eq!(
        server
            .admin("DELETE", &format!("/admin/routes/{id}"), None)
            .await
            .status,
        204
    );
    assert_eq!(server.get("/bye/ada").await.status, 404);
    server.stop().await;
}

/// A node that gets no change messages (here: no Redis at all, two nodes on one database)
/// still converges: it compares the database's definitions version at every check and
/// reloads. The same check repairs a node that missed one message while subscribed.
#[tokio::test(flavor = "multi_thread")]
async fn a_node_that_hears_of_no_change_converges_at_its_next_check() {
    use hookline_tests::node::Node;
    use std::time::Duration;

    let server = TestServer::start().await;
    let other = Node::beside_with(&server, &[("HOOKLINE_DEFINITIONS_CHECK_SECS", "1")]).await;
    let admin = Some(server.admin_token.as_str());
    let converges = |path: &'static str, expected: u16| {
        other.eventually_status("GET", path, admin, expected, Duration::from_secs(5))
    };
    // A plugin and a route made on the first node serve on the other.
    server.install("hello", "hello").await;
    let route = server
        .route(json!({"path": "/hello/:name", "methods": ["GET"], "handler": {"plugin": "hello"}}))
        .await;
    converges("/hello/x", 200).await;
    // A guard refuses there too, and its removal lets requests in again.
    let guard = server
        .admin(
            "POST",
            "/admin/guards",
            Some(json!({"position": "pre_auth", "route": route,
                "rule": {"type": "ip_deny", "ips": ["127.0.0.0/8"]}})),
        )
        .await;
    assert_eq!(guard.status, 201, "{:?}", guard.body);
    converges("/hello/x", 403).await;
    let removed = server
        .admin(
            "DELETE",
            &format!("/admin/guards/{}", guard.body["id"]),
            None,
        )
        .await;
    assert_eq!(removed.status, 204, "{:?}", removed.body);
    converges("/hello/x", 200).await;
    // A deleted route and plugin are gone there too.
    let deleted = server
        .admin("DELETE", &format!("/admin/routes/{route}"), None)
        .await;
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
    converges("/hello/x", 404).await;
    let deleted = server.admin("DELETE", "/admin/plugins/hello", None).await;
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
    // Uploaded again under the same name, another binary is version 1 again: the other node
    // loads it rather than keep what it had as version 1.
    let again = server.install("hello", "echo").await;
    assert_eq!(again["version"], 1);
    server
        .route(json!({"path": "/hello/:name", "methods": ["GET"], "handler": {"plugin": "hello"}}))
        .await;
    let started = std::time::Instant::now();
    loop {
        let reply = other.send("GET", "/hello/x", admin, None).await;
        if reply.status == 200 && reply.body["path"] == "/hello/x" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the other node still answers {} {:?}",
            reply.status,
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.stop().await;
}
