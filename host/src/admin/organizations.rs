//! `/admin/organizations`: organizations with their subscription status and expiry (the
//! `subscribed` directive reads them).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{RootAdmin, explicit, find_by_path_id};
use crate::app::AppState;
use crate::error::HttpError;
use crate::json::JsonBody;
use crate::store::entities::{organization, user};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrganizationInput {
    name: Option<String>,
    subscription_status: Option<String>,
    #[serde(default, deserialize_with = "explicit")]
    subscription_expires_at: Option<Option<String>>,
}

fn organization_json(o: &organization::Model) -> Value {
    json!({
        "id": o.id,
        "name": o.name,
        "subscriptionStatus": o.subscription_status,
        "subscriptionExpiresAt": o.subscription_expires_at,
        "createdAt": o.created_at,
        "updatedAt": o.updated_at,
    })
}

fn checked_name(name: &str) -> Result<String, HttpError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(HttpError::bad_request(
            "INVALID_NAME",
            "an organization name is 1 to 200 characters",
        ));
    }
    Ok(name.to_owned())
}

fn checked_status(status: &str) -> Result<String, HttpError> {
    match status {
        "active" | "inactive" => Ok(status.to_owned()),
        other => Err(HttpError::bad_request(
            "INVALID_SUBSCRIPTION_STATUS",
            format!("subscriptionStatus must be \"active\" or \"inactive\", got {other:?}"),
        )),
    }
}

fn checked_expiry(raw: Option<String>) -> Result<Option<DateTime<Utc>>, HttpError> {
    raw.map(|text| {
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                HttpError::bad_request(
                    "INVALID_DATE",
                    format!("subscriptionExpiresAt must be RFC 3339, got {text:?}"),
                )
            })
    })
    .transpose()
}

async fn find(state: &AppState, raw_id: &str) -> Result<organization::Model, HttpError> {
    find_by_path_id::<organization::Entity>(state, raw_id, "organization").await
}

pub async fn create(
    State(state): State<AppState>,
    _: RootAdmin,
    JsonBody(input): JsonBody<OrganizationInput>,
) -> Result<(StatusCode, Json<Value>), HttpError> {
    let name = checked_name(
        input
            .name
            .as_deref()
            .ok_or_else(|| HttpError::bad_request("NAME_REQUIRED", "`name` is required"))?,
    )?;
    let status = checked_status(input.subscription_status.as_deref().unwrap_or("inactive"))?;
    let expires = checked_expiry(input.subscription_expires_at.flatten())?;
    let now = Utc::now();
    let saved = organization::ActiveModel {
        name: Set(name),
        subscription_status: Set(status),
        subscription_expires_at: Set(expires),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    Ok((StatusCode::CREATED, Json(organization_json(&saved))))
}

pub async fn list(State(state): State<AppState>, _: RootAdmin) -> Result<Json<Value>, HttpError> {
    let all = organization::Entity::find()
        .order_by_asc(organization::Column::Id)
        .all(&state.db)
        .await?;
    Ok(Json(Value::Array(
        all.iter().map(organization_json).collect(),
    )))
}

pub async fn show(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
) -> Result<Json<Value>, HttpError> {
    Ok(Json(organization_json(&find(&state, &id).await?)))
}

pub async fn update(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<OrganizationInput>,
) -> Result<Json<Value>, HttpError> {
    let current = find(&state, &id).await?;
    let name = input.name.as_deref().map(checked_name).transpose()?;
    let status = input
        .subscription_status
        .as_deref()
        .map(checked_status)
        .transpose()?;
    let expires = input
        .subscription_expires_at
        .map(checked_expiry)
        .transpose()?;
    let mut model = current.into_active_model();
    if let Some(name) = name {
        model.name = Set(name);
    }
    if let Some(status) = status {
        model.subscription_status = Set(status);
    }
    if let Some(expires) = expires {
        model.subscription_expires_at = Set(expires);
    }
    model.updated_at = Set(Utc::now());
    Ok(Json(organization_json(&model.update(&state.db).await?)))
}

/// Deletes an organization and detaches its members, in one transaction.
pub async fn remove(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(id): Path<String>,
) -> Result<StatusCode, HttpError> {
    let current = find(&state, &id).await?;
    let members = user::Entity::find()
        .filter(user::Column::OrganizationId.eq(current.id))
        .all(&state.db)
        .await?;
    let txn = state.db.begin().await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::OrganizationId,
            Expr::value(Option::<i64>::None),
        )
        .filter(user::Column::OrganizationId.eq(current.id))
        .exec(&txn)
        .await?;
    organization::Entity::delete_by_id(current.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    for member in members {
        state.forget_user(member.id);
    }
    Ok(StatusCode::NO_CONTENT)
}
