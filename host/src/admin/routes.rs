//! `/admin/routes`: create, list, show, update, delete. A change is validated in full (path,
//! methods, handler plugin and its kind, timeout, conflicts with other routes) before it is
//! written; the route table is rebuilt for the next request.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::methods::parse_methods;
use super::{RootAdmin, find_by_path_id};
use crate::app::AppState;
use crate::error::HttpError;
use crate::json::JsonBody;
use crate::routing::{RouteRow, build_table, parse_pattern};
use crate::runtime::PluginKind;
use crate::store::entities::{hook, route};
use crate::store::parse_json_text;

/// Longest route timeout a definition may ask for.
const MAX_TIMEOUT_MS: u64 = 600_000;

/// Paths served by the server itself; user routes may not shadow them.
const RESERVED_PREFIXES: [&str; 5] = ["/admin", "/auth", "/me", "/health", "/ready"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandlerInput {
    plugin: String,
    #[serde(default)]
    config: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteInput {
    path: Option<String>,
    methods: Option<Vec<String>>,
    handler: Option<HandlerInput>,
    /// A table whose default CRUD the route serves, instead of a handler.
    table: Option<String>,
    /// The tables the route's hooks may use through `repos` (its target tables).
    tables: Option<Vec<String>>,
    published_methods: Option<Vec<String>>,
    timeout_ms: Option<u64>,
}

pub fn route_json(r: &route::Model) -> Value {
    json!({
        "id": r.id,
        "path": r.path,
        "methods": r.methods,
        "handler": r.handler_plugin.as_ref().map(|p| json!({"plugin": p, "config": parse_json_text(&r.handler_config)})),
        "table": r.table_name,
        "tables": r.target_tables.as_deref().map(parse_json_text).unwrap_or_else(|| json!([])),
        "publishedMethods": r.published_methods,
        "timeoutMs": r.timeout_ms,
        "createdAt": r.created_at,
        "updatedAt": r.updated_at,
    })
}

fn reserved(path: &str) -> bool {
    RESERVED_PREFIXES
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// What answers a route: a handler plugin with its configuration, or a table's default CRUD.
enum Target {
    Plugin(String, Value),
    Table(String),
}

/// Applies `input` onto `current` (a new route when `None`) and validates the result.
fn merged(
    state: &AppState,
    current: Option<&route::Model>,
    input: RouteInput,
) -> Result<route::ActiveModel, HttpError> {
    let path = match (input.path, current) {
        (Some(p), _) => p,
        (None, Some(c)) => c.path.clone(),
        (None, None) => {
            return Err(HttpError::bad_request(
                "PATH_REQUIRED",
                "`path` is required",
            ));
        }
    };
    parse_pattern(&path)
        .map_err(|e| HttpError::bad_request("INVALID_PATH", format!("{path}: {e}")))?;
    if reserved(&path) {
        return Err(HttpError::bad_request(
            "RESERVED_PATH",
            format!("{path} is served by Hookline itself"),
        ));
    }
    let methods = match (&input.methods, current) {
        (Some(m), _) => parse_methods("methods", m)?,
        (None, Some(c)) => c.methods.0.clone(),
        (None, None) => {
            return Err(HttpError::bad_request(
                "INVALID_METHODS",
                "`methods` is required",
            ));
        }
    };
    if methods.is_empty() {
        return Err(HttpError::bad_request(
            "INVALID_METHODS",
            "`methods` must not be empty",
        ));
    }
    let published = match (&input.published_methods, current) {
        (Some(m), _) => parse_methods("publishedMethods", m)?,
        (None, Some(c)) => c.published_methods.0.clone(),
        (None, None) => Vec::new(),
    };
    if let Some(m) = published.iter().find(|m| !methods.contains(m)) {
        return Err(HttpError::bad_request(
            "INVALID_METHODS",
            format!("publishedMethods: {m} is not one of the route's methods"),
        ));
    }
    let target = match (input.handler, input.table, current) {
        (Some(_), Some(_), _) => {
            return Err(HttpError::bad_request(
                "HANDLER_REQUIRED",
                "give either `handler` (a plugin) or `table` (default CRUD), not both",
            ));
        }
        (Some(h), None, _) => Target::Plugin(h.plugin, h.config.unwrap_or_else(|| json!({}))),
        (None, Some(table), _) => Target::Table(table),
        (None, None, Some(c)) => match (&c.handler_plugin, &c.table_name) {
            (Some(plugin), _) => Target::Plugin(plugin.clone(), parse_json_text(&c.handler_config)),
            (None, Some(table)) => Target::Table(table.clone()),
            (None, None) => Target::Plugin(String::new(), json!({})),
        },
        (None, None, None) => {
            return Err(HttpError::bad_request(
                "HANDLER_REQUIRED",
                "`handler` with a plugin, or `table`, is required",
            ));
        }
    };
    match &target {
        Target::Plugin(plugin, _) => {
            let loaded = state.plugins.get(plugin).ok_or_else(|| {
                HttpError::unprocessable("UNKNOWN_PLUGIN", format!("no plugin named {plugin:?}"))
            })?;
            if !loaded.has_kind(PluginKind::Handler) {
                return Err(HttpError::unprocessable(
                    "PLUGIN_KIND_MISMATCH",
                    format!("plugin {plugin} does not export a handler"),
                ));
            }
        }
        Target::Table(table) => {
            if !state.tables.load().contains_key(table.as_str()) {
                return Err(HttpError::unprocessable(
                    "UNKNOWN_TABLE",
                    format!("no table named {table:?}"),
                ));
            }
        }
    }
    let timeout_ms = match (input.timeout_ms, current) {
        (Some(t), _) => {
            if t == 0 || t > MAX_TIMEOUT_MS {
                return Err(HttpError::bad_request(
                    "INVALID_TIMEOUT",
                    format!("timeoutMs must be between 1 and {MAX_TIMEOUT_MS}"),
                ));
            }
            Some(t as i64)
        }
        (None, Some(c)) => c.timeout_ms,
        (None, None) => None,
    };
    let target_tables = match input.tables {
        Some(names) => Some(super::known_tables(state, names)?),
        None => None,
    };
    let now = Utc::now();
    let mut model = match current {
        Some(c) => c.clone().into_active_model(),
        None => route::ActiveModel {
            created_at: Set(now),
            ..Default::default()
        },
    };
    model.path = Set(path);
    model.methods = Set(methods.into());
    model.published_methods = Set(published.into());
    match target {
        Target::Plugin(plugin, config) => {
            model.handler_plugin = Set(Some(plugin));
            model.handler_config = Set(config.to_string());
            model.table_name = Set(None);
        }
        Target::Table(table) => {
            model.handler_plugin = Set(None);
            model.handler_config = Set("{}".into());
            model.table_name = Set(Some(table));
        }
    }
    model.timeout_ms = Set(timeout_ms);
    if let Some(tables) = target_tables {
        model.target_tables = Set(Some(tables));
    }
    model.updated_at = Set(now);
    Ok(model)
}

/// Refuses a path that collides with another route's (e.g. `/a/:id` beside `/a/:name`).
pub(super) async fn check_conflicts(
    state: &AppState,
    id: Option<i64>,
    path: &str,
) -> Result<(), HttpError> {
    let (mut routes, hooks) = state.definition_rows().await?;
    routes.retain(|r| Some(r.id) != id);
    if routes.iter().any(|r| r.path == path) {
        return Err(HttpError::conflict(
            "ROUTE_CONFLICT",
            format!("a route with path {path} exists"),
        ));
    }
    routes.push(RouteRow {
        id: id.unwrap_or(-1),
        path: path.to_owned(),
        methods: vec![],
        published: vec![],
        handler_plugin: None,
        handler_config: Value::Null,
        table: None,
        target_tables: Vec::new(),
        timeout: Duration::ZERO,
    });
    build_table(&routes, &hooks)
        .map(|_| ())
        .map_err(|e| HttpError::conflict("ROUTE_CONFLICT", e))
}

async fn find(state: &AppState, raw_id: &str) -> Result<route::Model, HttpError> {
    find_by_path_id::<route::Entity>(state, raw_id, "route").await
}

pub async fn create(
    State(state): State<AppState>,
    _: RootAdmin,
    JsonBody(input): JsonBody<RouteInput>,
) -> Result<(StatusCode, Json<Value>), HttpError> {
    let _guard = state.definitions.lock().await;
    let model = merged(&state, None, input)?;
    check_conflicts(&state, None, model.path.as_ref()).await?;
    let saved = model.insert(&state.db).await?;
    state.reload_routes().await?;
    Ok((StatusCode::CREATED, Json(route_json(&saved))))
}

pub async fn list(State(state): State<AppState>, _: RootAdmin) -> Result<Json<Value>, HttpError> {
    let routes = route::Entity::find()
        .order_by_asc(route::Column::Id)
        .all(&state.db)
        .await?;
    Ok(Json(Value::Array(routes.iter().map(route_json).collect())))
}

pub async fn show(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(route_json(&find(&state, &id).await?)))
}

pub async fn update(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<RouteInput>,
) -> Result<Json<Value>, HttpError> {
    let _guard = state.definitions.lock().await;
    let current = find(&state, &id).await?;
    let model = merged(&state, Some(&current), input)?;
    check_conflicts(&state, Some(current.id), model.path.as_ref()).await?;
    let saved = model.update(&state.db).await?;
    state.reload_routes().await?;
    Ok(Json(route_json(&saved)))
}

/// Deletes the route and the hooks attached to it.
pub async fn remove(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    let _guard = state.definitions.lock().await;
    let current = find(&state, &id).await?;
    let txn = state.db.begin().await?;
    hook::Entity::delete_many()
        .filter(hook::Column::RouteId.eq(current.id))
        .exec(&txn)
        .await?;
    route::Entity::delete_by_id(current.id).exec(&txn).await?;
    txn.commit().await?;
    state.reload_routes().await?;
    Ok(StatusCode::NO_CONTENT)
}
