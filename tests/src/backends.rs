//! One test body, two cache backends: [`on_both_backends!`] runs each named `async fn(Setup)`
//! on the in-process backend and on a real `redis-server` started for the test.

use serde_json::{Value, json};

use crate::redis::RedisServer;
use crate::{Reply, TestServer};

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Embedded,
    Redis,
}

/// A server on one backend (user cache quota 1 MiB), with the `cache-probe` handler on
/// `POST /cache` (published).
pub struct Setup {
    pub server: TestServer,
    pub redis: Option<RedisServer>,
}

impl Setup {
    /// `None` when the backend is Redis and `redis-server` is not installed (outside CI).
    pub async fn start(backend: Backend) -> Option<Setup> {
        let redis = match backend {
            Backend::Embedded => None,
            Backend::Redis => Some(RedisServer::start()?),
        };
        let url = redis.as_ref().map(RedisServer::url);
        let server = TestServer::start_with(|s| {
            s.redis_url = url;
            s.user_cache_limit_mb = 1;
        })
        .await;
        server.install("cache-probe", "cache_probe").await;
        server
            .route(
                json!({"path": "/cache", "methods": ["POST"], "publishedMethods": ["POST"],
                          "handler": {"plugin": "cache-probe"}}),
            )
            .await;
        Some(Setup { server, redis })
    }

    /// Runs one probe operation anonymously; the whole reply.
    pub async fn call(&self, op: Value) -> Reply {
        self.server.post("/cache", op).await
    }

    /// Runs one probe operation that must succeed; its result.
    pub async fn ok(&self, op: Value) -> Value {
        let reply = self.call(op.clone()).await;
        assert_eq!(reply.status, 200, "{op}: {:?}", reply.body);
        reply.body["result"].clone()
    }
}

/// Generates `embedded::<name>` and `redis::<name>` tests, each running `<name>(setup)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $name() {
                    use $crate::backends::{Backend, Setup};
                    if let Some(setup) = Setup::start(Backend::Embedded).await {
                        super::$name(setup).await;
                    }
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $name() {
                    use $crate::backends::{Backend, Setup};
                    if let Some(setup) = Setup::start(Backend::Redis).await {
                        super::$name(setup).await;
                    }
                }
            )*
        }
    };
}
