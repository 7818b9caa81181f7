//! `/admin/routes/{id}/permissions`: grants of methods on a route to a role (`{"role":
//! "editor", "methods": ["GET"]}`) or to one user (`{"user": 7, "methods": [...]}`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use serde_json::{Value, json};

use super::methods::parse_methods;
use super::{RootAdmin, find_by_path_id, parse_id, roles};
use crate::app::AppState;
use crate::error::HttpError;
use crate::json::JsonBody;
use crate::store::entities::{route, route_permission, user};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    role: Option<String>,
    user: Option<i64>,
    methods: Option<Vec<String>>,
}

fn grant_json(p: &route_permission::Model, role: Option<&str>) -> Value {
    json!({
        "id": p.id,
        "route": p.route_id,
        "role": role,
        "user": p.user_id,
        "methods": p.methods,
        "createdAt": p.created_at,
    })
}

async fn route_of(state: &AppState, raw_id: &str) -> Result<route::Model, HttpError> {
    find_by_path_id::<route::Entity>(state, raw_id, "route").await
}

pub async fn create(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(route_id): Path<String>,
    JsonBody(input): JsonBody<GrantInput>,
) -> Result<(StatusCode, Json<Value>), HttpError> {
    let _guard = state.definitions.lock().await;
    let route = route_of(&state, &route_id).await?;
    let role_name = input.role.clone();
    let (role_id, user_id) = match (input.role, input.user) {
        (Some(name), None) => (Some(roles::by_name(&state, &name).await?.id), None),
        (None, Some(id)) => {
            if user::Entity::find_by_id(id).one(&state.db).await?.is_none() {
                return Err(HttpError::unprocessable(
                    "UNKNOWN_USER",
                    format!("no user with id {id}"),
                ));
            }
            (None, Some(id))
        }
        _ => {
            return Err(HttpError::bad_request(
                "GRANTEE_REQUIRED",
                "give exactly one of `role` (a role name) or `user` (a user id)",
            ));
        }
    };
    let methods = parse_methods("methods", input.methods.as_deref().unwrap_or_default())?;
    if methods.is_empty() {
        return Err(HttpError::bad_request(
            "METHODS_REQUIRED",
            "`methods` must name at least one method",
        ));
    }
    let now = Utc::now();
    let saved = route_permission::ActiveModel {
        route_id: Set(route.id),
        role_id: Set(role_id),
        user_id: Set(user_id),
        methods: Set(methods.into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    state.permissions_changed().await?;
    Ok((
        StatusCode::CREATED,
        Json(grant_json(&saved, role_name.as_deref())),
    ))
}

pub async fn list(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(route_id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    let route = route_of(&state, &route_id).await?;
    let grants = route_permission::Entity::find()
        .filter(route_permission::Column::RouteId.eq(route.id))
        .order_by_asc(route_permission::Column::Id)
        .all(&state.db)
        .await?;
    let roles = roles::names_by_id(&state).await?;
    let out = grants
        .iter()
        .map(|g| {
            grant_json(
                g,
                g.role_id.and_then(|id| roles.get(&id)).map(String::as_str),
            )
        })
        .collect();
    Ok(Json(Value::Array(out)))
}

pub async fn remove(
    State(state): State<AppState>,
    _: RootAdmin,
    Path((route_id, grant_id)): Path<(String, String)>,
) -> Result<StatusCode, HttpError> {
    let _guard = state.definitions.lock().await;
    let route = route_of(&state, &route_id).await?;
    let grant_id = parse_id(&grant_id)?;
    let deleted = route_permission::Entity::delete_many()
        .filter(route_permission::Column::Id.eq(grant_id))
        .filter(route_permission::Column::RouteId.eq(route.id))
        .exec(&state.db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(HttpError::not_found(format!(
            "no permission {grant_id} on route {}",
            route.id
        )));
    }
    state.permissions_changed().await?;
    Ok(StatusCode::NO_CONTENT)
}
