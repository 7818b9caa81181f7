//! Authentication: HS256 access tokens with the algorithm pinned and `exp` required, bcrypt
//! password hashes, the first-start root admin, `POST /auth/login` and `GET /me`. Secrets and
//! hashes never leave this module in a response.

mod bootstrap;
mod passwords;
mod routes;
mod tokens;

pub use bootstrap::{ensure_root_admin, load_or_create_secret};
pub use passwords::{hash_password, verify_password};
pub use routes::router;
pub use tokens::{TokenError, TokenService};

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use sea_orm::EntityTrait;

use crate::app::AppState;
use crate::context::AuthUser;
use crate::error::HttpError;
use crate::store::entities::user;

/// Why a bearer token did not yield a user.
#[derive(Debug)]
pub enum BearerError {
    /// The client's fault: 401 with `TOKEN_INVALID` or `TOKEN_EXPIRED`.
    Rejected(HttpError),
    /// The server's fault (database down).
    Internal(HttpError),
}

pub fn user_view(model: &user::Model) -> AuthUser {
    AuthUser {
        id: model.id,
        email: model.email.clone(),
        role: None,
        is_root_admin: model.is_root_admin,
        verified: model.verified,
        organization: None,
    }
}

impl AppState {
    /// The user behind the request's `Authorization: Bearer` header; `Ok(None)` without one.
    pub async fn bearer_user(&self, headers: &HeaderMap) -> Result<Option<AuthUser>, BearerError> {
        let Some(value) = headers.get(AUTHORIZATION) else {
            return Ok(None);
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| {
                BearerError::Rejected(HttpError::unauthorized(
                    "TOKEN_INVALID",
                    "the Authorization header must be `Bearer <token>`",
                ))
            })?;
        let user_id = self.tokens.verify(token).map_err(|e| {
            let code = match e {
                TokenError::Expired => "TOKEN_EXPIRED",
                TokenError::Invalid => "TOKEN_INVALID",
            };
            BearerError::Rejected(HttpError::unauthorized(code, e.to_string()))
        })?;
        let model = user::Entity::find_by_id(user_id)
            .one(&self.db)
            .await
            .map_err(|e| BearerError::Internal(e.into()))?
            .ok_or_else(|| {
                BearerError::Rejected(HttpError::unauthorized(
                    "TOKEN_INVALID",
                    "the token's user does not exist",
                ))
            })?;
        Ok(Some(user_view(&model)))
    }
}
