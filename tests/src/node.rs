//! A second Hookline node: the `hookline` binary in its own process, on the same database,
//! secret and Redis as a [`TestServer`], for tests of what several nodes share.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{Reply, TestServer, send_json};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The server binary beside the test executable's `deps` directory. `cargo test --workspace`
/// builds it (the `hookline` package has integration tests); building it from here would wait
/// forever on the build-directory lock the running `cargo test` holds.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let binary = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps")
        .join("hookline");
    assert!(
        binary.is_file(),
        "{} is missing: run the tests with `cargo test --workspace` (or `cargo xtask test`)",
        binary.display()
    );
    binary
}

pub struct Node {
    pub base: String,
    child: Child,
    client: reqwest::Client,
}

impl Node {
    /// Starts the binary as another node of `server`: same data directory (and so the same
    /// SQLite file), database URL, secret, artifact cache, node name and Redis.
    pub async fn beside(server: &TestServer) -> Node {
        Self::beside_with(server, &[]).await
    }

    /// As [`Node::beside`], with more `HOOKLINE_*` variables.
    pub async fn beside_with(server: &TestServer, env: &[(&str, &str)]) -> Node {
        let settings = &server.settings;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free loopback port");
        let mut command = Command::new(binary());
        command
            .arg("serve")
            .env("HOOKLINE_PORT", port.to_string())
            .env("HOOKLINE_DATA_DIR", &settings.data_dir)
            .env("HOOKLINE_ARTIFACT_DIR", settings.effective_artifact_dir())
            .env("HOOKLINE_NODE_NAME", &settings.node_name)
            .env("HOOKLINE_BCRYPT_COST", settings.bcrypt_cost.to_string())
            .env(
                "HOOKLINE_HOOK_MEMORY_BYTES",
                settings.hook_memory_bytes.to_string(),
            )
            .env("HOOKLINE_MAX_INSTANCES", settings.max_instances.to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        let optional = [
            ("HOOKLINE_DATABASE_URL", settings.database_url.clone()),
            ("HOOKLINE_SECRET_KEY", settings.secret_key.clone()),
            ("HOOKLINE_REDIS_URL", settings.redis_url.clone()),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                command.env(name, value);
            }
        }
        command.envs(env.iter().copied());
        let child = command.spawn().expect("hookline starts");
        let mut node = Node {
            base: format!("http://127.0.0.1:{port}"),
            child,
            client: reqwest::Client::new(),
        };
        let started = Instant::now();
        loop {
            if let Ok(response) = node
                .client
                .get(format!("{}/health", node.base))
                .send()
                .await
                && response.status().is_success()
            {
                return node;
            }
            if let Ok(Some(status)) = node.child.try_wait() {
                panic!("the second node exited during startup: {status}");
            }
            assert!(
                started.elapsed() < STARTUP_TIMEOUT,
                "the second node did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        send_json(&self.client, &self.base, method, path, token, body).await
    }
}

impl Node {
    /// Polls `method path` on this node until it answers `expected`, for at most `within`;
    /// returns how long that took.
    pub async fn eventually_status(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        expected: u16,
        within: Duration,
    ) -> Duration {
        let started = Instant::now();
        loop {
            let reply = self.send(method, path, token, None).await;
            if reply.status == expected {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "{method} {path} on the other node: still {} after {within:?} ({:?})",
                reply.status,
                reply.body
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
