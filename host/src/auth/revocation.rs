//! Cutting tokens off: a user's all at once (password change, disable), one login's family
//! (logout, refresh-token reuse), and forgetting cached identities after a change. Each writes
//! the database first, then invalidates this node's identity cache and publishes the change,
//! so that other nodes (with Redis) drop their copies too; a node that misses the message
//! follows when its copy expires (`identity_cache_ttl_secs`) or its subscription is restored.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

use super::{IdentityCache, sessions};
use crate::app::AppState;
use crate::error::HttpError;
use crate::events::{Change, EventBus};
use crate::store::entities::user;

/// How often expired sessions are deleted.
pub const SESSION_SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// Refuses every token `user_id` holds: access tokens issued until now (including those hooks
/// minted), and every refresh token. A new login works at once. The one path for a password
/// change or a disabled account, whether the admin API or a hook (`repos` on `users`) made it.
pub async fn revoke_user_tokens(
    db: &DatabaseConnection,
    identities: &IdentityCache,
    events: &EventBus,
    user_id: i64,
) -> Result<(), HttpError> {
    let txn = db.begin().await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::TokensValidAfter,
            Expr::value(Utc::now().timestamp()),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    let families = sessions::revoke_user(&txn, user_id).await?;
    txn.commit().await?;
    identities.forget_user(user_id);
    for family in &families {
        identities.family_was_revoked(family);
    }
    events.broadcast(&Change::User { id: user_id }).await;
    for family in families {
        events
            .broadcast(&Change::SessionFamily { id: family })
            .await;
    }
    Ok(())
}

impl AppState {
    /// [`revoke_user_tokens`] on this server's database, cache and event bus.
    pub async fn revoke_user_tokens(&self, user_id: i64) -> Result<(), HttpError> {
        revoke_user_tokens(&self.db, &self.identities, &self.events, user_id).await
    }

    /// Revokes one login: every access and refresh token of session family `family_id`.
    pub async fn revoke_session_family(&self, family_id: &str) -> Result<(), HttpError> {
        sessions::revoke_family(&self.db, family_id).await?;
        self.identities.family_was_revoked(family_id);
        self.events
            .broadcast(&Change::SessionFamily {
                id: family_id.to_owned(),
            })
            .await;
        Ok(())
    }

    /// Deletes expired sessions (see [`sessions::purge_expired`]); returns how many.
    pub async fn purge_expired_sessions(&self) -> Result<u64, HttpError> {
        Ok(sessions::purge_expired(&self.db, Utc::now()).await?)
    }

    /// Purges expired sessions every [`SESSION_SWEEP_INTERVAL`] until the server stops.
    pub fn spawn_session_sweeper(&self) -> tokio::task::JoinHandle<()> {
        let state = self.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(SESSION_SWEEP_INTERVAL);
            loop {
                interval.tick().await;
                match state.purge_expired_sessions().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(sessions = n, "purged expired sessions"),
                    Err(e) => tracing::warn!(error = %e, "could not purge expired sessions"),
                }
            }
        })
    }

    /// Makes this node read user `user_id` afresh on its next request (role, verified flag,
    /// organization or disabled flag changed). Revoking tokens is [`Self::revoke_user_tokens`].
    /// The other nodes are told in the background.
    pub fn forget_user(&self, user_id: i64) {
        self.identities.forget_user(user_id);
        let state = self.clone();
        tokio::spawn(async move {
            state.events.broadcast(&Change::User { id: user_id }).await;
        });
    }
}
