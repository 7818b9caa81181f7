//! `POST /auth/login` and `GET /me`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{BearerError, verify_password};
use crate::app::AppState;
use crate::error::HttpError;
use crate::json::JsonBody;
use crate::store::entities::user;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/me", get(me))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    email: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Login>,
) -> Result<Json<Value>, HttpError> {
    let email = body.email.trim().to_lowercase();
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(&state.db)
        .await?;
    // Compare against a dummy hash when the user is unknown, so timing does not tell which
    // emails are registered.
    let hash = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.clone());
    let matches = verify_password(body.password, hash).await?;
    let Some(found) = found.filter(|_| matches) else {
        return Err(HttpError::unauthorized(
            "INVALID_CREDENTIALS",
            "wrong email or password",
        ));
    };
    let (token, exp_ms) = state
        .tokens
        .issue(found.id, &found.email)
        .map_err(HttpError::internal)?;
    Ok(Json(json!({"accessToken": token, "expTime": exp_ms})))
}

async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Value>, HttpError> {
    match state.bearer_user(&headers).await {
        Ok(Some(user)) => Ok(Json(
            serde_json::to_value(user).map_err(HttpError::internal)?,
        )),
        Ok(None) => Err(HttpError::unauthorized(
            "UNAUTHORIZED",
            "authentication is required",
        )),
        Err(BearerError::Rejected(e)) | Err(BearerError::Internal(e)) => Err(e),
    }
}
