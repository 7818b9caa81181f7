//! `POST /auth/login`, `POST /auth/refresh`, `POST /auth/logout` and `GET /me`.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::{Value, json};

use super::login_limits::login_client_ip;
use super::sessions::{self, NewSession, Refreshed};
use super::{BearerError, verify_password};
use crate::app::AppState;
use crate::error::HttpError;
use crate::json::JsonBody;
use crate::store::entities::user;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    email: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Refresh {
    refresh_token: String,
}

impl AppState {
    fn session_lifetimes(&self) -> sessions::Lifetimes {
        sessions::Lifetimes {
            refresh: Duration::from_secs(self.settings.refresh_token_ttl_secs),
            family: Duration::from_secs(self.settings.session_max_lifetime_secs),
        }
    }

    /// `{accessToken, refreshToken, expTime}` for `user` in the session just created.
    fn session_tokens(
        &self,
        user: &user::Model,
        session: NewSession,
    ) -> Result<Json<Value>, HttpError> {
        let (access, exp_ms) = self
            .tokens
            .issue_for_session(user.id, &user.email, Some(&session.id))
            .map_err(HttpError::internal)?;
        Ok(Json(json!({
            "accessToken": access,
            "refreshToken": session.refresh_token,
            "expTime": exp_ms,
        })))
    }
}

async fn login(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Login>,
) -> Result<Json<Value>, HttpError> {
    let email = body.email.trim().to_lowercase();
    let ip = login_client_ip(
        &state,
        peer.map(|Extension(ConnectInfo(addr))| addr),
        &headers,
    );
    state.count_login_attempt(ip, &email).await?;
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(&state.db)
        .await?;
    // Compare against a dummy hash when the user is unknown, so timing does not tell which
    // emails are registered; a disabled user gets the same answer after the same work.
    let hash = found
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.clone());
    let matches = verify_password(body.password, hash, state.settings.max_bcrypt_cost).await?;
    let Some(found) = found.filter(|u| matches && !u.disabled) else {
        return Err(HttpError::unauthorized(
            "INVALID_CREDENTIALS",
            "wrong email or password",
        ));
    };
    let session = sessions::open(&state.db, found.id, state.session_lifetimes()).await?;
    state.session_tokens(&found, session)
}

async fn refresh(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Refresh>,
) -> Result<Json<Value>, HttpError> {
    match sessions::rotate(&state.db, &body.refresh_token, state.session_lifetimes()).await? {
        Refreshed::Rotated { user, session } => state.session_tokens(&user, session),
        Refreshed::Invalid => Err(HttpError::unauthorized(
            "REFRESH_TOKEN_INVALID",
            "the refresh token is unknown or expired; sign in again",
        )),
        Refreshed::Reused { family_id } => {
            state.revoke_session_family(&family_id).await?;
            Err(HttpError::unauthorized(
                "REFRESH_TOKEN_REUSED",
                "the refresh token was already used; every token of its login is revoked",
            ))
        }
    }
}

/// Revokes the login of the bearer token: its access tokens and its refresh token.
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, HttpError> {
    let bearer = match state.bearer(&headers).await {
        Ok(Some(bearer)) => bearer,
        Ok(None) => {
            return Err(HttpError::unauthorized(
                "UNAUTHORIZED",
                "authentication is required",
            ));
        }
        Err(BearerError::Rejected(e)) | Err(BearerError::Internal(e)) => return Err(e),
    };
    let Some(family_id) = bearer.family_id else {
        return Err(HttpError::bad_request(
            "NO_SESSION",
            "this token was not issued by /auth/login; there is no session to end",
        ));
    };
    state.revoke_session_family(&family_id).await?;
    Ok(StatusCode::NO_CONTENT)
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
