//! `/admin/hooks`: preHooks and postHooks attached to a route or globally, with a method
//! filter, priority, enabled flag and configuration JSON.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, QueryOrder, Set};
use serde::Deserialize;
use serde_json::{Value, json};

use super::methods::parse_methods;
use super::{RootAdmin, explicit, find_by_path_id};
use crate::app::{AppState, hook_row};
use crate::error::HttpError;
use crate::json::JsonBody;
use crate::store::entities::{hook, route};
use crate::store::parse_json_text;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookInput {
    phase: Option<String>,
    #[serde(default, deserialize_with = "explicit")]
    route: Option<Option<i64>>,
    methods: Option<Vec<String>>,
    plugin: Option<String>,
    priority: Option<i32>,
    enabled: Option<bool>,
    config: Option<Value>,
    /// Tables this attachment may use through `repos`, beyond its route's.
    tables: Option<Vec<String>>,
}

pub fn hook_json(h: &hook::Model) -> Value {
    json!({
        "id": h.id,
        "phase": h.phase,
        "route": h.route_id,
        "methods": h.methods,
        "plugin": h.plugin,
        "priority": h.priority,
        "enabled": h.enabled,
        "config": parse_json_text(&h.config),
        "tables": h.tables.as_deref().map(parse_json_text).unwrap_or_else(|| json!([])),
        "createdAt": h.created_at,
        "updatedAt": h.updated_at,
    })
}

async fn merged(
    state: &AppState,
    current: Option<&hook::Model>,
    input: HookInput,
) -> Result<hook::ActiveModel, HttpError> {
    let phase = match (input.phase, current) {
        (Some(p), _) => p.parse().ok(),
        (None, Some(c)) => Some(c.phase),
        (None, None) => None,
    };
    let Some(phase) = phase else {
        return Err(HttpError::bad_request(
            "INVALID_PHASE",
            "`phase` must be \"pre\" or \"post\"",
        ));
    };
    let kind = super::hook_kind(phase);
    let route_id = match (input.route, current) {
        (Some(r), _) => r,
        (None, Some(c)) => c.route_id,
        (None, None) => None,
    };
    if let Some(id) = route_id
        && route::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .is_none()
    {
        return Err(HttpError::unprocessable(
            "UNKNOWN_ROUTE",
            format!("no route with id {id}"),
        ));
    }
    let methods = match (&input.methods, current) {
        (Some(m), _) => parse_methods("methods", m)?,
        (None, Some(c)) => hook_row(c).methods,
        (None, None) => Vec::new(),
    };
    let plugin = match (input.plugin, current) {
        (Some(p), _) => p,
        (None, Some(c)) => c.plugin.clone(),
        (None, None) => {
            return Err(HttpError::bad_request(
                "PLUGIN_REQUIRED",
                "`plugin` is required",
            ));
        }
    };
    let loaded = state.plugins.get(&plugin).ok_or_else(|| {
        HttpError::unprocessable("UNKNOWN_PLUGIN", format!("no plugin named {plugin:?}"))
    })?;
    if !loaded.has_kind(kind) {
        return Err(HttpError::unprocessable(
            "PLUGIN_KIND_MISMATCH",
            format!("plugin {plugin} does not export a {phase}Hook"),
        ));
    }
    let tables = match input.tables {
        Some(names) => Some(super::known_tables(state, names)?),
        None => None,
    };
    let now = Utc::now();
    let mut model = match current {
        Some(c) => c.clone().into_active_model(),
        None => hook::ActiveModel {
            created_at: Set(now),
            priority: Set(0),
            enabled: Set(true),
            config: Set("{}".into()),
            ..Default::default()
        },
    };
    model.phase = Set(phase);
    model.route_id = Set(route_id);
    model.methods = Set(methods.into());
    model.plugin = Set(plugin);
    if let Some(p) = input.priority {
        model.priority = Set(p);
    }
    if let Some(e) = input.enabled {
        model.enabled = Set(e);
    }
    if let Some(c) = input.config {
        model.config = Set(c.to_string());
    }
    if let Some(tables) = tables {
        model.tables = Set(Some(tables));
    }
    model.updated_at = Set(now);
    Ok(model)
}

async fn find(state: &AppState, raw_id: &str) -> Result<hook::Model, HttpError> {
    find_by_path_id::<hook::Entity>(state, raw_id, "hook").await
}

pub async fn create(
    State(state): State<AppState>,
    _: RootAdmin,
    JsonBody(input): JsonBody<HookInput>,
) -> Result<(StatusCode, Json<Value>), HttpError> {
    let _guard = state.definitions.lock().await;
    let saved = merged(&state, None, input).await?.insert(&state.db).await?;
    state.reload_routes().await?;
    Ok((StatusCode::CREATED, Json(hook_json(&saved))))
}

pub async fn list(State(state): State<AppState>, _: RootAdmin) -> Result<Json<Value>, HttpError> {
    let hooks = hook::Entity::find()
        .order_by_asc(hook::Column::Id)
        .all(&state.db)
        .await?;
    Ok(Json(Value::Array(hooks.iter().map(hook_json).collect())))
}

pub async fn show(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(hook_json(&find(&state, &id).await?)))
}

pub async fn update(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<HookInput>,
) -> Result<Json<Value>, HttpError> {
    let _guard = state.definitions.lock().await;
    let current = find(&state, &id).await?;
    let saved = merged(&state, Some(&current), input)
        .await?
        .update(&state.db)
        .await?;
    state.reload_routes().await?;
    Ok(Json(hook_json(&saved)))
}

pub async fn remove(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    let _guard = state.definitions.lock().await;
    let current = find(&state, &id).await?;
    hook::Entity::delete_by_id(current.id)
        .exec(&state.db)
        .await?;
    state.reload_routes().await?;
    Ok(StatusCode::NO_CONTENT)
}
