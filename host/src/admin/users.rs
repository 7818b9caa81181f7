//! `/admin/users`: people, their role, organization, `verified` and `disabled` flags.
//! Passwords are write-only: stored as bcrypt hashes, never returned. Changing a password or
//! disabling a user revokes their sessions and tokens; other changes reach the next request
//! through the identity cache's invalidation.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::roles;
use super::{RootAdmin, explicit, find_by_path_id};
use crate::app::AppState;
use crate::auth::{checked_email, hash_password};
use crate::error::HttpError;
use crate::json::JsonBody;
use crate::store::entities::{organization, route_permission, session, user};

/// Shortest password the API accepts.
const MIN_PASSWORD_CHARS: usize = 8;
/// bcrypt reads at most 72 bytes; longer passwords would be silently truncated.
const MAX_PASSWORD_BYTES: usize = 72;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserInput {
    email: Option<String>,
    password: Option<String>,
    #[serde(default, deserialize_with = "explicit")]
    role: Option<Option<String>>,
    verified: Option<bool>,
    #[serde(default, deserialize_with = "explicit")]
    organization: Option<Option<i64>>,
    is_root_admin: Option<bool>,
    disabled: Option<bool>,
}

/// A user as the admin API shows it: everything but the password hash.
fn user_json(u: &user::Model, role: Option<&str>) -> Value {
    json!({
        "id": u.id,
        "email": u.email,
        "role": role,
        "verified": u.verified,
        "organization": u.organization_id,
        "isRootAdmin": u.is_root_admin,
        "disabled": u.disabled,
        "createdAt": u.created_at,
        "updatedAt": u.updated_at,
    })
}

/// A user as the admin API shows it, its role name looked up.
async fn one_user_json(state: &AppState, u: &user::Model) -> Result<Value, HttpError> {
    let role = crate::auth::role_name(&state.db, u.role_id).await?;
    Ok(user_json(u, role.as_deref()))
}

fn checked_password(password: &str) -> Result<(), HttpError> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(HttpError::bad_request(
            "INVALID_PASSWORD",
            format!(
                "a password is {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_BYTES} bytes long (bcrypt reads no more)"
            ),
        ));
    }
    Ok(())
}

async fn ensure_email_free(
    state: &AppState,
    email: &str,
    except: Option<i64>,
) -> Result<(), HttpError> {
    let taken = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(&state.db)
        .await?;
    match taken {
        Some(u) if Some(u.id) != except => Err(HttpError::conflict(
            "EMAIL_TAKEN",
            format!("a user with email {email} exists"),
        )),
        _ => Ok(()),
    }
}

async fn role_id_of(state: &AppState, name: Option<String>) -> Result<Option<i64>, HttpError> {
    match name {
        None => Ok(None),
        Some(name) => Ok(Some(roles::by_name(state, &name).await?.id)),
    }
}

async fn ensure_organization(state: &AppState, id: Option<i64>) -> Result<(), HttpError> {
    if let Some(id) = id
        && organization::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .is_none()
    {
        return Err(HttpError::unprocessable(
            "UNKNOWN_ORGANIZATION",
            format!("no organization with id {id}"),
        ));
    }
    Ok(())
}

async fn find(state: &AppState, raw_id: &str) -> Result<user::Model, HttpError> {
    find_by_path_id::<user::Entity>(state, raw_id, "user").await
}

/// Opens the transaction of a change that may demote, disable or delete a root admin. On
/// PostgreSQL it locks the active root admins' rows, so two admins demoting each other at once
/// serialise (the second sees the first's change and is refused); SQLite has one writer, and the
/// change's first statement is its write.
async fn begin_root_admin_change(state: &AppState) -> Result<DatabaseTransaction, HttpError> {
    let txn = state.db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        user::Entity::find()
            .filter(user::Column::IsRootAdmin.eq(true))
            .filter(user::Column::Disabled.eq(false))
            .lock_exclusive()
            .all(&txn)
            .await?;
    }
    Ok(txn)
}

/// Commits `txn` if an active root admin is left after it, and refuses (nothing written)
/// otherwise.
async fn commit_keeping_a_root_admin(txn: DatabaseTransaction) -> Result<(), HttpError> {
    let left = user::Entity::find()
        .filter(user::Column::IsRootAdmin.eq(true))
        .filter(user::Column::Disabled.eq(false))
        .count(&txn)
        .await?;
    if left == 0 {
        txn.rollback().await?;
        return Err(last_root_admin_error());
    }
    txn.commit().await?;
    Ok(())
}

fn last_root_admin_error() -> HttpError {
    HttpError::conflict(
        "LAST_ROOT_ADMIN",
        "this is the last active root admin; keep at least one",
    )
}

pub async fn create(
    State(state): State<AppState>,
    _: RootAdmin,
    JsonBody(input): JsonBody<UserInput>,
) -> Result<(StatusCode, Json<Value>), HttpError> {
    let email = checked_email(
        input
            .email
            .as_deref()
            .ok_or_else(|| HttpError::bad_request("EMAIL_REQUIRED", "`email` is required"))?,
    )?;
    let password = input
        .password
        .ok_or_else(|| HttpError::bad_request("PASSWORD_REQUIRED", "`password` is required"))?;
    checked_password(&password)?;
    let role_id = role_id_of(&state, input.role.flatten()).await?;
    let organization_id = input.organization.flatten();
    ensure_organization(&state, organization_id).await?;
    ensure_email_free(&state, &email, None).await?;
    let hash = hash_password(password, state.settings.bcrypt_cost).await?;
    let now = Utc::now();
    let saved = user::ActiveModel {
        email: Set(email),
        password_hash: Set(hash),
        is_root_admin: Set(input.is_root_admin.unwrap_or(false)),
        verified: Set(input.verified.unwrap_or(false)),
        role_id: Set(role_id),
        organization_id: Set(organization_id),
        disabled: Set(input.disabled.unwrap_or(false)),
        tokens_valid_after: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&state.db)
    .await
    .map_err(unique_email)?;
    Ok((
        StatusCode::CREATED,
        Json(one_user_json(&state, &saved).await?),
    ))
}

/// A unique violation on insert or update: another request took the email meanwhile.
fn unique_email(e: sea_orm::DbErr) -> HttpError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            HttpError::conflict("EMAIL_TAKEN", "a user with this email exists")
        }
        _ => e.into(),
    }
}

pub async fn list(State(state): State<AppState>, _: RootAdmin) -> Result<Json<Value>, HttpError> {
    let users = user::Entity::find()
        .order_by_asc(user::Column::Id)
        .all(&state.db)
        .await?;
    let roles = roles::names_by_id(&state).await?;
    let out = users
        .iter()
        .map(|u| {
            user_json(
                u,
                u.role_id.and_then(|id| roles.get(&id)).map(String::as_str),
            )
        })
        .collect();
    Ok(Json(Value::Array(out)))
}

pub async fn show(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    let found = find(&state, &id).await?;
    Ok(Json(one_user_json(&state, &found).await?))
}

pub async fn update(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<UserInput>,
) -> Result<Json<Value>, HttpError> {
    let current = find(&state, &id).await?;
    let email = input.email.as_deref().map(checked_email).transpose()?;
    if let Some(password) = &input.password {
        checked_password(password)?;
    }
    let role_id = match input.role {
        Some(name) => Some(role_id_of(&state, name).await?),
        None => None,
    };
    if let Some(organization) = input.organization {
        ensure_organization(&state, organization).await?;
    }
    if let Some(email) = &email {
        ensure_email_free(&state, email, Some(current.id)).await?;
    }
    let revoke = input.password.is_some() || (input.disabled == Some(true) && !current.disabled);
    let current_is_active_root = current.is_root_admin && !current.disabled;
    let user_id = current.id;
    let mut model = current.into_active_model();
    if let Some(email) = email {
        model.email = Set(email);
    }
    if let Some(password) = input.password {
        model.password_hash = Set(hash_password(password, state.settings.bcrypt_cost).await?);
    }
    let demotes = current_is_active_root
        && (input.is_root_admin == Some(false) || input.disabled == Some(true));
    if let Some(role_id) = role_id {
        model.role_id = Set(role_id);
    }
    if let Some(organization) = input.organization {
        model.organization_id = Set(organization);
    }
    if let Some(verified) = input.verified {
        model.verified = Set(verified);
    }
    if let Some(root) = input.is_root_admin {
        model.is_root_admin = Set(root);
    }
    if let Some(disabled) = input.disabled {
        model.disabled = Set(disabled);
    }
    model.updated_at = Set(Utc::now());
    let saved = if demotes {
        let txn = begin_root_admin_change(&state).await?;
        let saved = model.update(&txn).await.map_err(unique_email)?;
        commit_keeping_a_root_admin(txn).await?;
        saved
    } else {
        model.update(&state.db).await.map_err(unique_email)?
    };
    if revoke {
        state.revoke_user_tokens(user_id).await?;
    } else {
        state.forget_user(user_id);
    }
    Ok(Json(one_user_json(&state, &saved).await?))
}

pub async fn remove(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    let current = find(&state, &id).await?;
    let txn = begin_root_admin_change(&state).await?;
    route_permission::Entity::delete_many()
        .filter(route_permission::Column::UserId.eq(current.id))
        .exec(&txn)
        .await?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(current.id))
        .exec(&txn)
        .await?;
    user::Entity::delete_by_id(current.id).exec(&txn).await?;
    commit_keeping_a_root_admin(txn).await?;
    state.forget_user(current.id);
    state.permissions_changed().await?;
    Ok(StatusCode::NO_CONTENT)
}

impl AppState {
    /// Drops the cached identity of every holder of `role_id` (its name changed).
    pub async fn forget_users_with_role(&self, role_id: i64) -> Result<(), HttpError> {
        let holders = user::Entity::find()
            .filter(user::Column::RoleId.eq(role_id))
            .all(&self.db)
            .await?;
        for holder in holders {
            self.forget_user(holder.id);
        }
        Ok(())
    }
}
