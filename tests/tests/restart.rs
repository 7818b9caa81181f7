//! Restarts: compiled artifacts are reused, the development secret persists, bad settings
//! stop startup with a message naming them.

use hookline::Settings;
use hookline::config::Overrides;
use hookline_tests::TestServer;
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_loads_compiled_artifacts_without_recompiling() {
    let server = TestServer::start().await;
    server.install("hello", "hello").await;
    server
        .route(json!({"path": "/hello/:name", "methods": ["GET"], "publishedMethods": ["GET"], "handler": {"plugin": "hello"}}))
        .await;
    let before = server.admin("GET", "/admin/runtime", None).await;
    assert_eq!(before.body["stats"]["compiled"], 1);
    let server = server.restart().await;
    let after = server.admin("GET", "/admin/runtime", None).await;
    assert_eq!(after.body["stats"]["compiled"], 0, "{:?}", after.body);
    assert_eq!(after.body["stats"]["artifactsLoaded"], 1);
    assert_eq!(
        server.get("/hello/again").await.body,
        json!({"message": "hello, again"})
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_secret_key_a_private_development_secret_is_created_once() {
    let server = TestServer::start_with(|s| s.secret_key = None).await;
    let path = server.data_dir().join("secret.key");
    let first = std::fs::read_to_string(&path).expect("secret file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let token = server.admin_token.clone();
    let server = server.restart().await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), first);
    // Tokens signed before the restart still verify.
    assert_eq!(
        server.send("GET", "/me", Some(&token), None).await.status,
        200
    );
    server.stop().await;
}

#[test]
fn invalid_settings_name_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hookline.toml");
    std::fs::write(&file, "port = \"eighty\"\n").unwrap();
    let err = Settings::load(Some(&file), &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("port"), "{err}");
    std::fs::write(&file, "bcrypt_cost = 2\n").unwrap();
    let err = Settings::load(Some(&file), &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("bcrypt_cost"), "{err}");
    std::fs::write(&file, "max_body_byte = 1\n").unwrap();
    let err = Settings::load(Some(&file), &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("max_body_byte"), "{err}");
    let missing = Settings::load(Some(&dir.path().join("nope.toml")), &Overrides::default());
    assert!(missing.unwrap_err().to_string().contains("nope.toml"));
}

#[test]
fn flags_override_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hookline.toml");
    std::fs::write(&file, "port = 9000\nhook_timeout_ms = 1234\n").unwrap();
    let overrides = Overrides {
        port: Some(9001),
        ..Overrides::default()
    };
    let settings = Settings::load(Some(&file), &overrides).unwrap();
    assert_eq!((settings.port, settings.hook_timeout_ms), (9001, 1234));
}
