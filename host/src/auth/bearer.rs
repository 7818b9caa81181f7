//! The bearer check of every authenticated request: the token's signature and claims, then
//! its user (not disabled, token not issued before the user's cut-off) and its session (family
//! not revoked), from the identity cache when it can.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use sea_orm::EntityTrait;

use super::identity::{CachedUser, SessionFacts};
use super::sessions;
use super::tokens::{TokenError, VerifiedToken};
use crate::app::AppState;
use crate::context::AuthUser;
use crate::error::HttpError;
use crate::store::entities::session;

/// Why a bearer token did not yield a user.
#[derive(Debug)]
pub enum BearerError {
    /// The client's fault: 401 with `TOKEN_INVALID`, `TOKEN_EXPIRED` or `TOKEN_REVOKED`.
    Rejected(HttpError),
    /// The server's fault (database down).
    Internal(HttpError),
}

fn rejected(code: &'static str, message: &str) -> BearerError {
    BearerError::Rejected(HttpError::unauthorized(code, message))
}

fn internal(e: sea_orm::DbErr) -> BearerError {
    BearerError::Internal(e.into())
}

/// An authenticated bearer: the user, and the session family of a login token.
#[derive(Debug)]
pub(super) struct Bearer {
    pub user: AuthUser,
    pub family_id: Option<String>,
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, BearerError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|token| Some(token.trim()))
        .ok_or_else(|| {
            rejected(
                "TOKEN_INVALID",
                "the Authorization header must be `Bearer <token>`",
            )
        })
}

/// Whether `token` was issued before the user's cut-off (`tokens_valid_after`). Within the cut-off's
/// own second a session token is judged by its session instead (revoked with the cut-off, or
/// opened after it); a token without one is refused.
fn issued_before_cutoff(token: &VerifiedToken, tokens_valid_after: i64) -> bool {
    token.issued_at < tokens_valid_after
        || (token.issued_at == tokens_valid_after && token.session_id.is_none())
}

impl AppState {
    /// The user behind the request's `Authorization: Bearer` header; `Ok(None)` without one.
    pub async fn bearer_user(&self, headers: &HeaderMap) -> Result<Option<AuthUser>, BearerError> {
        Ok(self.bearer(headers).await?.map(|bearer| bearer.user))
    }

    pub(super) async fn bearer(&self, headers: &HeaderMap) -> Result<Option<Bearer>, BearerError> {
        let Some(token) = bearer_token(headers)? else {
            return Ok(None);
        };
        let token = self.tokens.verify(token).map_err(|e| {
            let code = match e {
                TokenError::Expired => "TOKEN_EXPIRED",
                TokenError::Invalid => "TOKEN_INVALID",
            };
            rejected(code, &e.to_string())
        })?;
        let user = self
            .cached_user(token.user_id)
            .await?
            .ok_or_else(|| rejected("TOKEN_INVALID", "the token's user does not exist"))?;
        if user.disabled {
            return Err(rejected("TOKEN_INVALID", "the token's user is disabled"));
        }
        // A plugin can sign any payload: what it signs must never be root-admin credentials.
        if let Some(plugin) = &token.minted_by
            && user.view.is_root_admin
        {
            return Err(rejected(
                "TOKEN_INVALID",
                &format!("a token minted by a hook ({plugin}) cannot act for a root admin"),
            ));
        }
        if issued_before_cutoff(&token, user.tokens_valid_after) {
            return Err(rejected(
                "TOKEN_REVOKED",
                "the token was revoked; sign in again",
            ));
        }
        let family_id = match &token.session_id {
            Some(session_id) => Some(self.check_session(session_id, token.user_id).await?),
            None => None,
        };
        Ok(Some(Bearer {
            user: user.view.clone(),
            family_id,
        }))
    }

    async fn cached_user(
        &self,
        id: i64,
    ) -> Result<Option<std::sync::Arc<CachedUser>>, BearerError> {
        if let Some(user) = self.identities.user(id) {
            return Ok(Some(user));
        }
        let ticket = self.identities.ticket();
        let loaded = CachedUser::load(&self.db, id).await.map_err(internal)?;
        Ok(loaded.map(|user| self.identities.put_user(ticket, user)))
    }

    /// The family of session `session_id`; refused when the session is not `user_id`'s or
    /// its family is revoked.
    async fn check_session(&self, session_id: &str, user_id: i64) -> Result<String, BearerError> {
        let facts = match self.identities.session(session_id) {
            Some(facts) => facts,
            None => {
                let row = session::Entity::find_by_id(session_id.to_owned())
                    .one(&self.db)
                    .await
                    .map_err(internal)?;
                let Some(row) = row else {
                    return Err(rejected(
                        "TOKEN_INVALID",
                        "the token's session does not exist",
                    ));
                };
                let facts = SessionFacts {
                    user_id: row.user_id,
                    family_id: row.family_id,
                };
                self.identities.put_session(session_id, facts.clone());
                facts
            }
        };
        if facts.user_id != user_id {
            return Err(rejected(
                "TOKEN_INVALID",
                "the token's session is another user's",
            ));
        }
        let revoked = match self.identities.family_revoked(&facts.family_id) {
            Some(revoked) => revoked,
            None => {
                let ticket = self.identities.ticket();
                let revoked = sessions::family_revoked(&self.db, &facts.family_id)
                    .await
                    .map_err(internal)?;
                self.identities
                    .put_family(ticket, &facts.family_id, revoked);
                revoked
            }
        };
        if revoked {
            return Err(rejected(
                "TOKEN_REVOKED",
                "the token's session was revoked; sign in again",
            ));
        }
        Ok(facts.family_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(issued_at: i64, session: Option<&str>) -> VerifiedToken {
        VerifiedToken {
            user_id: 1,
            issued_at,
            session_id: session.map(str::to_owned),
            minted_by: None,
        }
    }

    #[test]
    fn the_cutoff_refuses_older_tokens_and_sessionless_ones_of_its_second() {
        assert!(issued_before_cutoff(&token(99, Some("s")), 100));
        assert!(issued_before_cutoff(&token(99, None), 100));
        assert!(issued_before_cutoff(&token(100, None), 100));
        assert!(!issued_before_cutoff(&token(100, Some("s")), 100));
        assert!(!issued_before_cutoff(&token(101, None), 100));
        assert!(!issued_before_cutoff(&token(5, None), 0));
    }
}
