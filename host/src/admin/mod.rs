//! The admin API (root admins only): plugins, routes, hooks, route permissions, guards, users,
//! roles and organizations. Every change is validated in
//! full before anything is written, written in one transaction, and applied to the next
//! request by rebuilding the in-memory tables.

mod guards;
mod hooks;
mod methods;
mod organizations;
mod permissions;
mod plugins;
mod roles;
mod routes;
mod tables;
mod users;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::auth::BearerError;
use crate::context::AuthUser;
use crate::error::HttpError;
use crate::runtime::PluginKind;
use crate::store::columns::HookPhase;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/plugins", post(plugins::upload).get(plugins::list))
        .route(
            "/admin/plugins/{name}",
            get(plugins::show)
                .patch(plugins::update)
                .delete(plugins::remove),
        )
        .route("/admin/plugins/{name}/activate", post(plugins::activate))
        .route("/admin/routes", post(routes::create).get(routes::list))
        .route(
            "/admin/routes/{id}",
            get(routes::show)
                .patch(routes::update)
                .delete(routes::remove),
        )
        .route("/admin/hooks", post(hooks::create).get(hooks::list))
        .route(
            "/admin/hooks/{id}",
            get(hooks::show).patch(hooks::update).delete(hooks::remove),
        )
        .route(
            "/admin/routes/{id}/permissions",
            post(permissions::create).get(permissions::list),
        )
        .route(
            "/admin/routes/{id}/permissions/{grant}",
            delete(permissions::remove),
        )
        .route("/admin/guards", post(guards::create).get(guards::list))
        .route(
            "/admin/guards/{id}",
            get(guards::show)
                .patch(guards::update)
                .delete(guards::remove),
        )
        .route("/admin/users", post(users::create).get(users::list))
        .route(
            "/admin/users/{id}",
            get(users::show).patch(users::update).delete(users::remove),
        )
        .route("/admin/roles", post(roles::create).get(roles::list))
        .route(
            "/admin/roles/{id}",
            get(roles::show).patch(roles::update).delete(roles::remove),
        )
        .route(
            "/admin/organizations",
            post(organizations::create).get(organizations::list),
        )
        .route(
            "/admin/organizations/{id}",
            get(organizations::show)
                .patch(organizations::update)
                .delete(organizations::remove),
        )
        .route("/admin/tables", post(tables::create).get(tables::list))
        .route(
            "/admin/tables/{name}",
            get(tables::show)
                .patch(tables::update)
                .delete(tables::remove),
        )
        .route("/admin/runtime", get(runtime))
}

/// The caller, proven to be a root admin: 401 without a valid token, 403 for anyone else.
#[derive(Debug)]
pub struct RootAdmin(pub AuthUser);

impl FromRequestParts<AppState> for RootAdmin {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        match state.bearer_user(&parts.headers).await {
            Ok(Some(user)) if user.is_root_admin => Ok(RootAdmin(user)),
            Ok(Some(_)) => Err(HttpError::forbidden("the admin API is for root admins")),
            Ok(None) => Err(HttpError::unauthorized(
                "UNAUTHORIZED",
                "authentication is required",
            )),
            Err(BearerError::Rejected(e)) | Err(BearerError::Internal(e)) => Err(e),
        }
    }
}

/// Distinguishes an absent field from an explicit `null` (`"route": null` makes a hook
/// global; `"organization": null` detaches a user).
fn explicit<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// The row of `E` whose id the path names: 400 `INVALID_ID` for a non-number, 404 naming
/// `what` when there is none.
async fn find_by_path_id<E>(
    state: &AppState,
    raw_id: &str,
    what: &str,
) -> Result<E::Model, HttpError>
where
    E: sea_orm::EntityTrait,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i64>,
{
    let id = parse_id(raw_id)?;
    E::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| HttpError::not_found(format!("no {what} with id {id}")))
}

/// A JSON array of `names` after checking each is a user table or a system table hooks may
/// use (`users`): 422 `UNKNOWN_TABLE` otherwise.
fn known_tables(state: &AppState, names: Vec<String>) -> Result<String, HttpError> {
    let tables = state.tables.load();
    if let Some(unknown) = names.iter().find(|n| {
        !tables.contains_key(n.as_str()) && !crate::schema::system::EXPOSED.contains(&n.as_str())
    }) {
        return Err(HttpError::unprocessable(
            "UNKNOWN_TABLE",
            format!("no table named {unknown:?}"),
        ));
    }
    Ok(serde_json::Value::from(names).to_string())
}

/// The export a hook attached in `phase` calls.
fn hook_kind(phase: HookPhase) -> PluginKind {
    match phase {
        HookPhase::Pre => PluginKind::PreHook,
        HookPhase::Post => PluginKind::PostHook,
    }
}

/// Parses a numeric id from the path, 400 `INVALID_ID` otherwise.
fn parse_id(raw: &str) -> Result<i64, HttpError> {
    raw.parse()
        .map_err(|_| HttpError::bad_request("INVALID_ID", format!("{raw:?} is not an id")))
}

/// What the hook runtime did: allocator in use and counters.
async fn runtime(State(state): State<AppState>, _: RootAdmin) -> Json<Value> {
    Json(json!({
        "allocation": state.runtime.mode(),
        "stats": state.runtime.stats().snapshot(),
        "cache": {
            "backend": state.backends.kind(),
            "failures": state.backends.cache.failures(),
            "rateLimitFailures": state.backends.limits.failures(),
        },
    }))
}
