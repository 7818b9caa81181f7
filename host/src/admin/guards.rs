//! `/admin/guards`: IP rules and rate limits before (`pre_auth`) or after (`post_auth`)
//! authentication, globally or on one route, with a method filter and a priority. A rule that
//! needs the user is refused under `pre_auth`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, QueryOrder, Set};
use serde::Deserialize;
use serde_json::{Value, json};

use super::methods::parse_methods;
use super::{RootAdmin, explicit, find_by_path_id};
use crate::access::guards::{Position, Rule};
use crate::app::AppState;
use crate::error::HttpError;
use crate::json::JsonBody;
use crate::store::columns::MethodList;
use crate::store::entities::{guard, route};
use crate::store::parse_json_text;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardInput {
    position: Option<String>,
    #[serde(default, deserialize_with = "explicit")]
    route: Option<Option<i64>>,
    methods: Option<Vec<String>>,
    priority: Option<i32>,
    enabled: Option<bool>,
    rule: Option<Value>,
}

fn guard_json(g: &guard::Model) -> Value {
    json!({
        "id": g.id,
        "position": g.position,
        "route": g.route_id,
        "methods": g.methods,
        "priority": g.priority,
        "enabled": g.enabled,
        "rule": parse_json_text(&g.rule),
        "createdAt": g.created_at,
        "updatedAt": g.updated_at,
    })
}

/// The stored guard with `input` applied, validated in full.
async fn merged(
    state: &AppState,
    current: Option<&guard::Model>,
    input: GuardInput,
) -> Result<guard::ActiveModel, HttpError> {
    let position_text = match (input.position, current) {
        (Some(p), _) => p,
        (None, Some(c)) => c.position.clone(),
        (None, None) => {
            return Err(HttpError::bad_request(
                "POSITION_REQUIRED",
                "`position` is required: \"pre_auth\" or \"post_auth\"",
            ));
        }
    };
    let position = Position::parse(&position_text)
        .map_err(|e| HttpError::bad_request("INVALID_POSITION", e))?;
    let rule = match (input.rule, current) {
        (Some(r), _) => r,
        (None, Some(c)) => parse_json_text(&c.rule),
        (None, None) => {
            return Err(HttpError::bad_request(
                "RULE_REQUIRED",
                "`rule` is required",
            ));
        }
    };
    Rule::parse(&rule, position).map_err(|e| HttpError::bad_request("INVALID_RULE", e))?;
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
    let methods = input
        .methods
        .as_deref()
        .map(|m| parse_methods("methods", m))
        .transpose()?;
    let now = Utc::now();
    let mut model = match current {
        Some(c) => c.clone().into_active_model(),
        None => guard::ActiveModel {
            created_at: Set(now),
            priority: Set(0),
            enabled: Set(true),
            methods: Set(MethodList::default()),
            ..Default::default()
        },
    };
    model.position = Set(position_text);
    model.route_id = Set(route_id);
    model.rule = Set(rule.to_string());
    if let Some(methods) = methods {
        model.methods = Set(methods.into());
    }
    if let Some(p) = input.priority {
        model.priority = Set(p);
    }
    if let Some(e) = input.enabled {
        model.enabled = Set(e);
    }
    model.updated_at = Set(now);
    Ok(model)
}

async fn find(state: &AppState, raw_id: &str) -> Result<guard::Model, HttpError> {
    find_by_path_id::<guard::Entity>(state, raw_id, "guard").await
}

pub async fn create(
    State(state): State<AppState>,
    _: RootAdmin,
    JsonBody(input): JsonBody<GuardInput>,
) -> Result<(StatusCode, Json<Value>), HttpError> {
    let _guard = state.definitions.lock().await;
    let saved = merged(&state, None, input).await?.insert(&state.db).await?;
    state.guards_changed().await?;
    Ok((StatusCode::CREATED, Json(guard_json(&saved))))
}

pub async fn list(State(state): State<AppState>, _: RootAdmin) -> Result<Json<Value>, HttpError> {
    let guards = guard::Entity::find()
        .order_by_asc(guard::Column::Id)
        .all(&state.db)
        .await?;
    Ok(Json(Value::Array(guards.iter().map(guard_json).collect())))
}

pub async fn show(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(guard_json(&find(&state, &id).await?)))
}

pub async fn update(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<GuardInput>,
) -> Result<Json<Value>, HttpError> {
    let _guard = state.definitions.lock().await;
    let current = find(&state, &id).await?;
    let saved = merged(&state, Some(&current), input)
        .await?
        .update(&state.db)
        .await?;
    state.guards_changed().await?;
    Ok(Json(guard_json(&saved)))
}

pub async fn remove(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    let _guard = state.definitions.lock().await;
    let current = find(&state, &id).await?;
    guard::Entity::delete_by_id(current.id)
        .exec(&state.db)
        .await?;
    state.guards_changed().await?;
    Ok(StatusCode::NO_CONTENT)
}
