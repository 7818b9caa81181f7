//! Black-box test harness: builds the example plugins once, starts Hookline on a temporary data
//! directory and speaks HTTP to it. The database is a SQLite file by default and a real
//! PostgreSQL server (started by [`postgres`]) when `HOOKLINE_TEST_DB=postgres`.

pub mod backends;
pub mod node;
pub mod plugins;
pub mod postgres;
pub mod redis;

use std::path::PathBuf;

use hookline::{RunningServer, Settings};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub use plugins::{
    backends_required, dist_component, plugin_bytes, plugin_path, shared_artifact_dir,
};

pub const ADMIN_EMAIL: &str = "root@hookline.test";
pub const ADMIN_PASSWORD: &str = "root-password-for-tests";

fn chrono_now() -> sea_orm::prelude::ChronoDateTimeUtc {
    sea_orm::prelude::ChronoDateTimeUtc::from(std::time::SystemTime::now())
}

/// An HTTP response, its body parsed as JSON (`Null` when it is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The machine code of an error response.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Asserts that `reply` is the error `status` with machine code `code`; `what` names the case.
pub fn assert_refused(reply: &Reply, status: u16, code: &str, what: &str) {
    assert_eq!(
        (reply.status, reply.code()),
        (status, code),
        "{what}: {:?}",
        reply.body
    );
}

/// Sends a JSON request to `base`; `token` becomes a bearer token.
pub async fn send_json(
    client: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    try_send_json(client, base, method, path, token, body)
        .await
        .expect("request answered")
}

/// As [`send_json`], with a failed connection as an error rather than a panic (outage tests).
pub async fn try_send_json(
    client: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Result<Reply, reqwest::Error> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = client.request(method, format!("{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    try_finish(request).await
}

async fn finish(request: reqwest::RequestBuilder) -> Reply {
    try_finish(request).await.expect("request answered")
}

async fn try_finish(request: reqwest::RequestBuilder) -> Result<Reply, reqwest::Error> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await?;
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// A running server with its data directory and an admin token.
pub struct TestServer {
    pub base: String,
    pub settings: Settings,
    pub admin_token: String,
    running: Option<RunningServer>,
    client: reqwest::Client,
    _data_dir: std::sync::Arc<tempfile::TempDir>,
}

fn test_settings(data_dir: PathBuf, database_url: Option<String>) -> Settings {
    Settings {
        port: 0,
        data_dir,
        database_url,
        secret_key: Some("test-secret-test-secret-test-secret-0123".into()),
        admin_email: Some(ADMIN_EMAIL.into()),
        admin_password: Some(ADMIN_PASSWORD.into()),
        bcrypt_cost: 4,
        hook_memory_bytes: 32 * 1024 * 1024,
        max_instances: 32,
        // Every test client logs in from 127.0.0.1: the tests of the login limits set their own.
        login_limit_per_ip: 10_000,
        login_limit_per_account: 1_000,
        ..Settings::default()
    }
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a server whose settings `adjust` may change first.
    pub async fn start_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let dir = std::sync::Arc::new(tempfile::tempdir().expect("temporary data directory"));
        let database_url = match std::env::var("HOOKLINE_TEST_DB").as_deref() {
            Ok("postgres") => Some(postgres::fresh_database().await),
            _ => None,
        };
        let mut settings = test_settings(dir.path().to_path_buf(), database_url);
        adjust(&mut settings);
        Self::boot(settings, dir).await
    }

    async fn boot(settings: Settings, dir: std::sync::Arc<tempfile::TempDir>) -> Self {
        let running = hookline::spawn(settings.clone())
            .await
            .expect("server starts");
        let base = format!("http://{}", running.addr);
        // A server may answer before reading a body it refuses and then close the connection;
        // fresh connections keep one such answer from failing the next request.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("http client");
        let mut server = TestServer {
            base,
            settings,
            admin_token: String::new(),
            running: Some(running),
            client,
            _data_dir: dir,
        };
        server.admin_token = server.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        server
    }

    /// Stops the server and starts a new one on the same data directory and database.
    pub async fn restart(mut self) -> Self {
        let settings = self.settings.clone();
        let dir = self._data_dir.clone();
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
        Self::boot(settings, dir).await
    }

    pub fn state(&self) -> &hookline::app::AppState {
        &self.running.as_ref().expect("server running").state
    }

    pub fn data_dir(&self) -> PathBuf {
        self.settings.data_dir.clone()
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let reply = self
            .send(
                "POST",
                "/auth/login",
                None,
                Some(json!({"email": email, "password": password})),
            )
            .await;
        assert_eq!(reply.status, 200, "login failed: {:?}", reply.body);
        reply.body["accessToken"]
            .as_str()
            .expect("accessToken")
            .to_owned()
    }

    /// Sends a request; `token` becomes a bearer token, `body` JSON.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        send_json(&self.client, &self.base, method, path, token, body).await
    }

    /// Sends raw bytes with a content type.
    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        finish(request).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send("POST", path, None, Some(body)).await
    }

    /// An admin API call as the root admin.
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.send(method, path, Some(&self.admin_token), body).await
    }

    /// Uploads a built example plugin (`stem` as in the build output) under `name`.
    pub async fn upload(&self, name: &str, stem: &str) -> Reply {
        self.upload_bytes(name, plugin_bytes(stem)).await
    }

    pub async fn upload_bytes(&self, name: &str, bytes: Vec<u8>) -> Reply {
        self.send_raw(
            "POST",
            &format!("/admin/plugins?name={name}"),
            Some(&self.admin_token),
            "application/wasm",
            bytes,
        )
        .await
    }

    /// Uploads a plugin and asserts it was accepted.
    pub async fn install(&self, name: &str, stem: &str) -> Value {
        let reply = self.upload(name, stem).await;
        assert_eq!(reply.status, 201, "upload of {name}: {:?}", reply.body);
        reply.body
    }

    /// Creates a route and returns its id.
    pub async fn route(&self, definition: Value) -> i64 {
        let reply = self.admin("POST", "/admin/routes", Some(definition)).await;
        assert_eq!(reply.status, 201, "route: {:?}", reply.body);
        reply.body["id"].as_i64().expect("route id")
    }

    /// Attaches a hook and returns its id.
    pub async fn hook(&self, definition: Value) -> i64 {
        let reply = self.admin("POST", "/admin/hooks", Some(definition)).await;
        assert_eq!(reply.status, 201, "hook: {:?}", reply.body);
        reply.body["id"].as_i64().expect("hook id")
    }

    /// Adds a user straight to the database (the users API arrives with the identity work).
    pub async fn create_user(&self, email: &str, password: &str, root_admin: bool) -> i64 {
        use hookline::store::entities::user;
        use sea_orm::{ActiveModelTrait, Set};
        let hash = hookline::auth::hash_password(password.into(), 4)
            .await
            .expect("hash");
        let now = chrono_now();
        user::ActiveModel {
            email: Set(email.into()),
            password_hash: Set(hash),
            is_root_admin: Set(root_admin),
            verified: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.state().db)
        .await
        .expect("insert user")
        .id
    }

    /// The HTTP client of this server, for requests the helpers above do not cover.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
    }
}
