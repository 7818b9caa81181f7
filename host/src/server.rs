//! The HTTP edge: assembles the axum app (health, auth, admin, and the database-defined API as
//! the fallback), wraps every response in the request envelope (request id, error shape), and
//! serves it on a socket.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::ConnectionTrait;
use serde_json::json;
use tokio::net::TcpListener;

use crate::app::AppState;
use crate::config::Settings;
use crate::error::{HttpError, PendingError, RequestInfo, error_body, now_timestamp};
use crate::{admin, auth, pipeline};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The whole application as a tower service, testable without a socket.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .merge(auth::router())
        .merge(admin::router())
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(pipeline::handle)
        .layer(middleware::from_fn(envelope))
        .with_state(state)
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// Ready when the database and the cache backend both answer; 503 `NOT_READY` naming what is
/// down otherwise (the server keeps running and reconnects by itself).
async fn ready(State(state): State<AppState>) -> Response {
    let database = state.db.execute_unprepared("SELECT 1").await.err();
    let cache = state.backends.ping().await.err();
    if let Some(e) = &database {
        tracing::warn!(error = %e, "readiness: the database is unreachable");
    }
    if let Some(e) = &cache {
        tracing::warn!(error = %e, "readiness: the cache backend is unreachable");
    }
    let status = |down: bool| if down { "unavailable" } else { "ok" };
    let report = json!({
        "database": status(database.is_some()),
        "cache": status(cache.is_some()),
        "cacheBackend": state.backends.kind(),
    });
    if database.is_none() && cache.is_none() {
        let mut body = report;
        body["status"] = json!("ready");
        return Json(body).into_response();
    }
    let down: Vec<&str> = [
        ("the database", database.is_some()),
        ("the cache", cache.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, down)| down.then_some(name))
    .collect();
    let verb = if down.len() > 1 { "are" } else { "is" };
    HttpError::new(
        503,
        "NOT_READY",
        format!("{} {verb} unreachable", down.join(" and ")),
    )
    .with_details(report)
    .into_response()
}

async fn method_not_allowed(request: Request) -> HttpError {
    HttpError::new(
        405,
        "METHOD_NOT_ALLOWED",
        format!(
            "{} is not served on {}",
            request.method(),
            request.uri().path()
        ),
    )
}

/// Gives every request an id, answers with it in `X-Request-Id`, and renders errors in the one
/// shape with the request's path, method and id.
async fn envelope(mut request: Request, next: Next) -> Response {
    let info = RequestInfo {
        request_id: uuid::Uuid::new_v4().to_string(),
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
    };
    request.extensions_mut().insert(info.clone());
    let mut response = next.run(request).await;
    if let Some(PendingError { error, logs }) = response.extensions_mut().remove::<PendingError>() {
        let body = error_body(&error, &info, &now_timestamp(), &logs);
        let (mut parts, _) = response.into_parts();
        parts.status = error.status_code();
        parts.headers.remove(CONTENT_LENGTH);
        parts
            .headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for (name, value) in &error.headers {
            parts.headers.append(name, value.clone());
        }
        response = Response::from_parts(parts, Body::from(body.to_string()));
    } else if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        // axum's own body-limit rejection: give it the common shape too.
        let error = HttpError::new(413, "PAYLOAD_TOO_LARGE", "the request body is too large");
        let body = error_body(&error, &info, &now_timestamp(), &[]);
        response = (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response();
    }
    if let Ok(value) = HeaderValue::from_str(&info.request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// A server started in the background (tests, embedding).
#[derive(Debug)]
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Applies other nodes' changes (with Redis); stopped with the server.
    listener: Option<tokio::task::JoinHandle<()>>,
    /// Deletes expired sessions now and then; stopped with the server.
    sweeper: Option<tokio::task::JoinHandle<()>>,
    /// Compares the definitions version with the database's; stopped with the server.
    checker: Option<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    /// Stops accepting, lets requests in flight finish — for at most
    /// `shutdown_timeout_secs`, after which the ones still running are cut off — then stops the
    /// background tasks and closes the database pool.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take() {
            let grace = Duration::from_secs(self.state.settings.shutdown_timeout_secs);
            if tokio::time::timeout(grace, &mut task).await.is_err() {
                tracing::warn!(
                    seconds = grace.as_secs(),
                    "requests still in flight after the shutdown timeout: cutting them off"
                );
                task.abort();
            }
        }
        for task in [
            self.listener.take(),
            self.sweeper.take(),
            self.checker.take(),
        ]
        .into_iter()
        .flatten()
        {
            task.abort();
        }
        if let Err(e) = self.state.db.close_by_ref().await {
            tracing::warn!(error = %e, "closing the database pool");
        }
    }
}

/// Resolves on the first SIGTERM (what service managers send) or SIGINT (Ctrl-C).
pub async fn termination() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
            _ = int.recv() => tracing::info!("SIGINT: shutting down"),
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// Starts the server in the background and returns once it accepts connections.
pub async fn spawn(settings: Settings) -> anyhow::Result<RunningServer> {
    crate::alloc::purge_freed_memory_at_once();
    crate::alloc::return_large_c_blocks_at_once();
    let listener = TcpListener::bind((settings.host, settings.port)).await?;
    let addr = listener.local_addr()?;
    let state = AppState::start(settings).await?;
    let service = app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    let listener = state.spawn_event_listener();
    let sweeper = Some(state.spawn_session_sweeper());
    let checker = Some(state.spawn_definitions_check());
    Ok(RunningServer {
        addr,
        state,
        shutdown: Some(tx),
        task: Some(task),
        listener,
        sweeper,
        checker,
    })
}
