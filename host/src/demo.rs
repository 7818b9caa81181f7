//! Demo wiring for the quick start: uploads the example plugins from a directory and creates
//! routes and hooks that use them, through the admin API itself (in-process, as the root
//! admin), so the demo passes the same validation as any client. Idempotent: existing routes
//! are kept and a plugin is uploaded again only when its binary changed.

use std::path::Path;

use anyhow::Context as _;
use axum::body::Body;
use axum::http::{Request, header};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::app::AppState;
use crate::server::app;
use crate::store::entities::user;

/// Example plugins the demo loads: (name, file stem in the build output).
const PLUGINS: [(&str, &str); 9] = [
    ("hello", "hello"),
    ("echo", "echo"),
    ("normalize-email", "normalize_email"),
    ("timing", "timing"),
    ("tag", "tag"),
    ("signup", "signup"),
    ("login", "login"),
    ("slugify", "slugify"),
    ("keys", "keys"),
];

/// Published single-handler demo routes: (path, method, plugin, the tables it may use).
const SIMPLE_ROUTES: [(&str, &str, &str, &[&str]); 4] = [
    ("/signup", "POST", "signup", &["users"]),
    ("/login", "POST", "login", &["users"]),
    ("/slugify", "POST", "slugify", &[]),
    ("/keys", "GET", "keys", &[]),
];

struct AdminClient {
    state: AppState,
    token: String,
}

impl AdminClient {
    async fn send(
        &self,
        method: &str,
        uri: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<(u16, Value)> {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))?;
        let response = app(self.state.clone()).oneshot(request).await?;
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        Ok((
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ))
    }

    async fn json(&self, method: &str, uri: &str, body: Value) -> anyhow::Result<Value> {
        let (status, value) = self
            .send(
                method,
                uri,
                "application/json",
                body.to_string().into_bytes(),
            )
            .await?;
        anyhow::ensure!(status < 300, "{method} {uri} answered {status}: {value}");
        Ok(value)
    }
}

/// Uploads the example plugins from `dir` and wires the demo routes.
pub async fn seed(state: &AppState, dir: &Path) -> anyhow::Result<()> {
    let admin = user::Entity::find()
        .filter(user::Column::IsRootAdmin.eq(true))
        .one(&state.db)
        .await?
        .context(
            "the demo needs a root admin: set HOOKLINE_ADMIN_EMAIL and HOOKLINE_ADMIN_PASSWORD",
        )?;
    let (token, _) = state.tokens.issue(admin.id, &admin.email)?;
    let client = AdminClient {
        state: state.clone(),
        token,
    };
    for (name, stem) in PLUGINS {
        let path = dir.join(format!("{stem}.wasm"));
        let binary = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let sha = hex::encode(Sha256::digest(&binary));
        if state.plugins.get(name).is_some_and(|p| p.sha256 == sha) {
            continue;
        }
        let (status, body) = client
            .send(
                "POST",
                &format!("/admin/plugins?name={name}"),
                "application/wasm",
                binary,
            )
            .await?;
        anyhow::ensure!(status == 201, "uploading {name} answered {status}: {body}");
    }
    let routes = client.json("GET", "/admin/routes", Value::Null).await?;
    let exists = |path: &str| {
        routes
            .as_array()
            .is_some_and(|a| a.iter().any(|r| r["path"] == path))
    };
    if !exists("/hello/:name") {
        client
            .json(
                "POST",
                "/admin/routes",
                json!({
                    "path": "/hello/:name", "methods": ["GET"], "publishedMethods": ["GET"],
                    "handler": {"plugin": "hello"}
                }),
            )
            .await?;
    }
    if !exists("/greet/:name") {
        client
            .json(
                "POST",
                "/admin/routes",
                json!({
                    "path": "/greet/:name", "methods": ["GET"], "publishedMethods": ["GET"],
                    "handler": {"plugin": "hello", "config": {"greeting": "hi"}}
                }),
            )
            .await?;
    }
    for (path, method, plugin, tables) in SIMPLE_ROUTES {
        if !exists(path) {
            client
                .json(
                    "POST",
                    "/admin/routes",
                    json!({
                        "path": path, "methods": [method], "publishedMethods": [method],
                        "handler": {"plugin": plugin}, "tables": tables, "timeoutMs": 10000
                    }),
                )
                .await?;
        }
    }
    if !exists("/echo") {
        let route = client
            .json("POST", "/admin/routes", json!({
                "path": "/echo", "methods": ["GET", "POST"], "publishedMethods": ["GET", "POST"],
                "handler": {"plugin": "echo"}
            }))
            .await?;
        let id = route["id"].clone();
        for hook in [
            json!({"phase": "pre", "route": id, "methods": ["POST"], "plugin": "normalize-email"}),
            json!({"phase": "pre", "route": id, "plugin": "timing"}),
            json!({"phase": "post", "route": id, "plugin": "timing"}),
            json!({"phase": "pre", "route": id, "plugin": "tag", "config": {"tag": "demo"}}),
            json!({"phase": "post", "route": id, "plugin": "tag", "config": {"tag": "demo"}}),
        ] {
            client.json("POST", "/admin/hooks", hook).await?;
        }
    }
    Ok(())
}
