//! `/admin/roles`: named roles that users hold and route permissions grant to.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{RootAdmin, find_by_path_id};
use crate::app::AppState;
use crate::error::HttpError;
use crate::json::JsonBody;
use crate::store::entities::{role, route_permission, user};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    name: Option<String>,
}

pub fn role_json(r: &role::Model) -> Value {
    json!({"id": r.id, "name": r.name, "createdAt": r.created_at, "updatedAt": r.updated_at})
}

/// A role name: 1 to 64 letters, digits, `-`, `_` or `.`.
fn checked_name(name: Option<String>) -> Result<String, HttpError> {
    let name = name.map(|n| n.trim().to_owned()).unwrap_or_default();
    if name.is_empty() {
        return Err(HttpError::bad_request(
            "NAME_REQUIRED",
            "`name` is required",
        ));
    }
    let valid = name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return Err(HttpError::bad_request(
            "INVALID_NAME",
            "a role name is 1 to 64 letters, digits, '-', '_' or '.'",
        ));
    }
    Ok(name)
}

async fn ensure_unique(state: &AppState, name: &str, except: Option<i64>) -> Result<(), HttpError> {
    let taken = role::Entity::find()
        .filter(role::Column::Name.eq(name))
        .one(&state.db)
        .await?;
    match taken {
        Some(r) if Some(r.id) != except => Err(HttpError::conflict(
            "ROLE_EXISTS",
            format!("a role named {name:?} exists"),
        )),
        _ => Ok(()),
    }
}

pub async fn find(state: &AppState, raw_id: &str) -> Result<role::Model, HttpError> {
    find_by_path_id::<role::Entity>(state, raw_id, "role").await
}

/// Every role's name by id (for lists that show role names).
pub async fn names_by_id(state: &AppState) -> Result<HashMap<i64, String>, HttpError> {
    Ok(role::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
}

/// The role called `name`, or 422 `UNKNOWN_ROLE`.
pub async fn by_name(state: &AppState, name: &str) -> Result<role::Model, HttpError> {
    role::Entity::find()
        .filter(role::Column::Name.eq(name))
        .one(&state.db)
        .await?
        .ok_or_else(|| HttpError::unprocessable("UNKNOWN_ROLE", format!("no role named {name:?}")))
}

pub async fn create(
    State(state): State<AppState>,
    _: RootAdmin,
    JsonBody(input): JsonBody<RoleInput>,
) -> Result<(StatusCode, Json<Value>), HttpError> {
    let _guard = state.definitions.lock().await;
    let name = checked_name(input.name)?;
    ensure_unique(&state, &name, None).await?;
    let now = Utc::now();
    let saved = role::ActiveModel {
        name: Set(name),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    Ok((StatusCode::CREATED, Json(role_json(&saved))))
}

pub async fn list(State(state): State<AppState>, _: RootAdmin) -> Result<Json<Value>, HttpError> {
    let roles = role::Entity::find()
        .order_by_asc(role::Column::Id)
        .all(&state.db)
        .await?;
    Ok(Json(Value::Array(roles.iter().map(role_json).collect())))
}

pub async fn show(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(role_json(&find(&state, &id).await?)))
}

/// Renames a role; grants and users follow the new name.
pub async fn update(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<RoleInput>,
) -> Result<Json<Value>, HttpError> {
    let _guard = state.definitions.lock().await;
    let current = find(&state, &id).await?;
    let name = checked_name(input.name)?;
    ensure_unique(&state, &name, Some(current.id)).await?;
    let role_id = current.id;
    let mut model = current.into_active_model();
    model.name = Set(name);
    model.updated_at = Set(Utc::now());
    let saved = model.update(&state.db).await?;
    state.permissions_changed().await?;
    state.forget_users_with_role(role_id).await?;
    Ok(Json(role_json(&saved)))
}

/// Deletes a role no user holds, with its grants; 409 `ROLE_IN_USE` otherwise.
pub async fn remove(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    let _guard = state.definitions.lock().await;
    let current = find(&state, &id).await?;
    let holders = user::Entity::find()
        .filter(user::Column::RoleId.eq(current.id))
        .count(&state.db)
        .await?;
    if holders > 0 {
        return Err(HttpError::conflict(
            "ROLE_IN_USE",
            format!("{holders} user(s) hold the role {:?}", current.name),
        ));
    }
    let txn = state.db.begin().await?;
    route_permission::Entity::delete_many()
        .filter(route_permission::Column::RoleId.eq(current.id))
        .exec(&txn)
        .await?;
    role::Entity::delete_by_id(current.id).exec(&txn).await?;
    txn.commit().await?;
    state.permissions_changed().await?;
    Ok(StatusCode::NO_CONTENT)
}
