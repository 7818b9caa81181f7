//! Instance reuse, the per-plugin opt-in (`PATCH /admin/plugins/{name}` `instanceReuse`): a
//! plugin without it gets a fresh instance per request and sees nothing of an earlier one; a
//! plugin with it has an instance serve up to N sequential requests, and never after a trap.
//! The `memo` plugin answers how many calls its instance served and the name of the one
//! before, from a static in its own linear memory.

use hookline_tests::{TestServer, assert_refused, dist_component, shared_artifact_dir};
use serde_json::{Value, json};

async fn memo_server() -> TestServer {
    let server = TestServer::start_with(|s| s.artifact_dir = Some(shared_artifact_dir())).await;
    server.install("memo", "memo").await;
    server
        .route(
            json!({"path": "/memo/:name", "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "memo"}}),
        )
        .await;
    server
}

async fn set_reuse(server: &TestServer, plugin: &str, reuse: u32) -> Value {
    let reply = server
        .admin(
            "PATCH",
            &format!("/admin/plugins/{plugin}"),
            Some(json!({"instanceReuse": reuse})),
        )
        .await;
    assert_eq!(reply.status, 200, "PATCH instanceReuse: {:?}", reply.body);
    reply.body
}

/// What the memo plugin answered for `name`.
async fn memo(server: &TestServer, name: &str) -> Value {
    let reply = server.get(&format!("/memo/{name}")).await;
    assert_eq!(reply.status, 200, "/memo/{name}: {:?}", reply.body);
    reply.body
}

fn answer(calls: u64, previous: Option<&str>) -> Value {
    json!({"calls": calls, "previous": previous})
}

/// A counter of `GET /admin/runtime`: `reused` (calls by a kept instance), `sameRequest`
/// (calls by the instance of the plugin's earlier call in the request).
async fn runtime_stat(server: &TestServer, name: &str) -> u64 {
    let stats = server.admin("GET", "/admin/runtime", None).await.body;
    stats["stats"][name].as_u64().expect(name)
}

#[tokio::test]
async fn a_fresh_instance_plugin_sees_nothing_of_an_earlier_request() {
    let server = memo_server().await;
    for name in ["ada", "grace", "ada", "linus"] {
        assert_eq!(memo(&server, name).await, answer(1, None), "after {name}");
    }
    // Concurrent requests each get their own fresh instance as well.
    let paths: Vec<String> = (0..8).map(|i| format!("/memo/n{i}")).collect();
    let answers = futures::future::join_all(paths.iter().map(|path| server.get(path))).await;
    for reply in answers {
        assert_eq!((reply.status, reply.body), (200, answer(1, None)));
    }
    assert_eq!(runtime_stat(&server, "reused").await, 0);
    let shown = server.admin("GET", "/admin/plugins/memo", None).await;
    assert_eq!(shown.body["instanceReuse"], 0);
    server.stop().await;
}

#[tokio::test]
async fn in_reuse_mode_an_instance_serves_at_most_n_sequential_requests() {
    let server = memo_server().await;
    let shown = set_reuse(&server, "memo", 3).await;
    assert_eq!(shown["instanceReuse"], 3);
    assert_eq!(memo(&server, "a").await, answer(1, None));
    assert_eq!(memo(&server, "b").await, answer(2, Some("a")));
    assert_eq!(memo(&server, "c").await, answer(3, Some("b")));
    // Served 3: replaced by a fresh instance.
    assert_eq!(memo(&server, "d").await, answer(1, None));
    assert_eq!(memo(&server, "e").await, answer(2, Some("d")));
    assert_eq!(runtime_stat(&server, "reused").await, 3);

    // Turned off: fresh instances again, the kept one is gone.
    set_reuse(&server, "memo", 0).await;
    assert_eq!(memo(&server, "f").await, answer(1, None));
    assert_eq!(memo(&server, "g").await, answer(1, None));
    server.stop().await;
}

#[tokio::test]
async fn a_trap_discards_the_kept_instance() {
    let server = memo_server().await;
    set_reuse(&server, "memo", 100).await;
    assert_eq!(memo(&server, "a").await, answer(1, None));
    assert_eq!(memo(&server, "b").await, answer(2, Some("a")));
    let trapped = server.get("/memo/boom").await;
    assert_refused(&trapped, 500, "HOOK_TRAP", "the trapping call");
    // The instance that trapped is not reused: the next call starts from nothing.
    assert_eq!(memo(&server, "c").await, answer(1, None));
    server.stop().await;
}

#[tokio::test]
async fn a_new_version_never_runs_on_an_instance_of_the_old_one() {
    let server = memo_server().await;
    set_reuse(&server, "memo", 100).await;
    assert_eq!(memo(&server, "a").await, answer(1, None));
    assert_eq!(memo(&server, "b").await, answer(2, Some("a")));
    // A new version keeps the plugin's setting and starts on instances of its own.
    let uploaded = server.install("memo", "memo").await;
    assert_eq!(uploaded["version"], 2);
    assert_eq!(memo(&server, "c").await, answer(1, None));
    assert_eq!(memo(&server, "d").await, answer(2, Some("c")));
    let shown = server.admin("GET", "/admin/plugins/memo", None).await;
    assert_eq!(shown.body["instanceReuse"], 100);
    server.stop().await;
}

#[tokio::test]
async fn plugin_settings_refuse_each_bad_input_and_change_nothing() {
    let server = memo_server().await;
    let cases = [
        (json!({"instanceReuse": -1}), 400, "INVALID_INSTANCE_REUSE"),
        (
            json!({"instanceReuse": 10_001}),
            400,
            "INVALID_INSTANCE_REUSE",
        ),
        (
            json!({"instanceReuse": 1u64 << 40}),
            400,
            "INVALID_INSTANCE_REUSE",
        ),
        (json!({"instanceReuse": "3"}), 400, "INVALID_BODY"),
        (json!({"instanceReuse": 2.5}), 400, "INVALID_BODY"),
        (json!({"instanceReuse": null}), 400, "INVALID_BODY"),
        (json!({}), 400, "INVALID_BODY"),
        (json!({"instanceReuse": 3, "other": 1}), 400, "INVALID_BODY"),
    ];
    for (body, status, code) in cases {
        let reply = server
            .admin("PATCH", "/admin/plugins/memo", Some(body.clone()))
            .await;
        assert_refused(&reply, status, code, &format!("PATCH {body}"));
    }
    let missing = server
        .admin(
            "PATCH",
            "/admin/plugins/nothing",
            Some(json!({"instanceReuse": 3})),
        )
        .await;
    assert_refused(&missing, 404, "NOT_FOUND", "an unknown plugin");
    let anonymous = server
        .send(
            "PATCH",
            "/admin/plugins/memo",
            None,
            Some(json!({"instanceReuse": 3})),
        )
        .await;
    assert_eq!(anonymous.status, 401, "{:?}", anonymous.body);
    server
        .create_user("user@example.com", "user-password-1", false)
        .await;
    let token = server.login("user@example.com", "user-password-1").await;
    let not_admin = server
        .send(
            "PATCH",
            "/admin/plugins/memo",
            Some(&token),
            Some(json!({"instanceReuse": 3})),
        )
        .await;
    assert_eq!(not_admin.status, 403, "{:?}", not_admin.body);

    let shown = server.admin("GET", "/admin/plugins/memo", None).await;
    assert_eq!(shown.body["instanceReuse"], 0, "nothing was changed");
    assert_eq!(memo(&server, "a").await, answer(1, None));
    assert_eq!(memo(&server, "b").await, answer(1, None));
    server.stop().await;
}

// Loading plugins at startup compiles on the caller's thread (`block_in_place`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_setting_survives_a_restart() {
    let server = memo_server().await;
    set_reuse(&server, "memo", 5).await;
    let server = server.restart().await;
    assert_eq!(memo(&server, "a").await, answer(1, None));
    assert_eq!(memo(&server, "b").await, answer(2, Some("a")));
    server.stop().await;
}

/// The interpreters run correctly on a kept instance: the same answers, request after request.
#[tokio::test]
async fn javascript_and_python_handlers_answer_alike_on_kept_instances() {
    for name in ["hello-js", "hello-py"] {
        let Some(component) = dist_component(name) else {
            continue;
        };
        let server = TestServer::start_with(|s| s.artifact_dir = Some(shared_artifact_dir())).await;
        let reply = server.upload_bytes(name, component).await;
        assert_eq!(reply.status, 201, "upload of {name}: {:?}", reply.body);
        server
            .route(
                json!({"path": "/hello/:name", "methods": ["GET"], "publishedMethods": ["GET"],
                          "handler": {"plugin": name}}),
            )
            .await;
        set_reuse(&server, name, 50).await;
        for i in 0..20 {
            let reply = server.get(&format!("/hello/n{i}")).await;
            assert_eq!(
                (reply.status, reply.body),
                (200, json!({"message": format!("hello, n{i}")})),
                "{name}, request {i}"
            );
        }
        assert!(
            runtime_stat(&server, "reused").await >= 19,
            "{name} reused its instance"
        );
        // An interpreter's initial memory makes it a large guest, on the engine for those.
        let list = server.admin("GET", "/admin/plugins", None).await;
        assert_eq!(
            list.body[0]["guestClass"], "large",
            "{name}: {:?}",
            list.body
        );
        server.stop().await;
    }
}

#[tokio::test]
async fn a_rust_plugin_is_a_small_guest() {
    let server = memo_server().await;
    let list = server.admin("GET", "/admin/plugins", None).await;
    assert_eq!(list.body[0]["guestClass"], "small", "{:?}", list.body);
    server.stop().await;
}

/// A server with memo as the preHook, the handler and the postHook of `/memo-all/:name`.
async fn memo_everywhere(max_instances: u32) -> TestServer {
    let server = TestServer::start_with(|s| {
        s.artifact_dir = Some(shared_artifact_dir());
        s.max_instances = max_instances;
    })
    .await;
    server.install("memo", "memo").await;
    let id = server
        .route(
            json!({"path": "/memo-all/:name", "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "memo"}}),
        )
        .await;
    for phase in ["pre", "post"] {
        server
            .hook(json!({"phase": phase, "route": id, "plugin": "memo"}))
            .await;
    }
    server
}

fn everywhere(calls: u64, previous: Option<&str>, post_calls: u64) -> Value {
    json!({"calls": calls, "previous": previous, "postCalls": post_calls})
}

#[tokio::test]
async fn a_plugin_that_runs_more_than_once_in_a_request_runs_on_one_instance() {
    let server = memo_everywhere(32).await;
    // PreHook, handler and postHook share the request's instance, and the next request starts
    // from nothing: the same answer every time.
    for name in ["ada", "grace", "linus"] {
        let reply = server.get(&format!("/memo-all/{name}")).await;
        assert_eq!(
            (reply.status, reply.body),
            (200, everywhere(2, Some(name), 3)),
            "{name}"
        );
    }
    let paths: Vec<String> = (0..6).map(|i| format!("/memo-all/n{i}")).collect();
    let answers = futures::future::join_all(paths.iter().map(|path| server.get(path))).await;
    for (path, reply) in paths.iter().zip(answers) {
        let name = path.trim_start_matches("/memo-all/");
        assert_eq!(
            (reply.status, reply.body),
            (200, everywhere(2, Some(name), 3)),
            "{path}"
        );
    }
    assert_eq!(runtime_stat(&server, "sameRequest").await, 2 * 9);
    assert_eq!(runtime_stat(&server, "reused").await, 0);
    // The route with memo only as handler still gets one fresh instance per request.
    server
        .route(
            json!({"path": "/memo/:name", "methods": ["GET"], "publishedMethods": ["GET"],
                      "handler": {"plugin": "memo"}}),
        )
        .await;
    assert_eq!(memo(&server, "a").await, answer(1, None));
    assert_eq!(memo(&server, "b").await, answer(1, None));
    server.stop().await;
}

#[tokio::test]
async fn a_trapped_call_leaves_no_instance_for_the_rest_of_the_request() {
    let server = memo_everywhere(32).await;
    // The preHook traps on `boom`; the postHook runs on a fresh instance and traps too (logged),
    // and the next request is whole again.
    let trapped = server.get("/memo-all/boom").await;
    assert_refused(&trapped, 500, "HOOK_TRAP", "the trapping preHook");
    assert_eq!(runtime_stat(&server, "sameRequest").await, 0);
    let reply = server.get("/memo-all/ada").await;
    assert_eq!(
        (reply.status, reply.body),
        (200, everywhere(2, Some("ada"), 3))
    );
    server.stop().await;
}

#[tokio::test]
async fn with_fewer_than_four_slots_no_instance_waits_idle() {
    // Holding an instance between calls (or keeping one in reuse mode) would leave a
    // one-slot server's next call without a slot: every call gets its own fresh instance.
    let server = memo_everywhere(1).await;
    set_reuse(&server, "memo", 100).await;
    for name in ["ada", "grace"] {
        let reply = server.get(&format!("/memo-all/{name}")).await;
        assert_eq!(
            (reply.status, reply.body),
            (200, everywhere(1, None, 1)),
            "{name}"
        );
    }
    assert_eq!(runtime_stat(&server, "sameRequest").await, 0);
    assert_eq!(runtime_stat(&server, "reused").await, 0);
    server.stop().await;
}

#[tokio::test]
async fn in_reuse_mode_the_request_s_instance_goes_back_to_the_plugin() {
    let server = memo_everywhere(32).await;
    set_reuse(&server, "memo", 100).await;
    let first = server.get("/memo-all/a").await;
    assert_eq!(first.body, everywhere(2, Some("a"), 3));
    // The next request continues on the same instance: three more calls.
    let second = server.get("/memo-all/b").await;
    assert_eq!(second.body, everywhere(5, Some("b"), 6));
    server.stop().await;
}
