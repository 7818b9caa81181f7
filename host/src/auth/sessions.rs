//! Sessions: one row per refresh token. A login opens a family; each refresh replaces the
//! presented token with a new one in the same family; presenting a replaced or revoked token
//! again is reuse and revokes the whole family. A family counts as revoked as soon as any of
//! its rows is, so a rotation racing a revocation cannot leave a live row behind.
//!
//! Refresh tokens are 32 random bytes (base64url); only their SHA-256 is stored. This module
//! owns the rows and the rotation rule; it never issues access tokens.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::store::entities::{session, user};

/// Random bytes of a refresh token: 256 bits, beyond guessing.
pub const REFRESH_TOKEN_BYTES: usize = 32;

/// How long refresh tokens live: each one `refresh` from its issue, and never past `family`
/// from the login that opened its family.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub refresh: Duration,
    pub family: Duration,
}

fn after(now: chrono::DateTime<Utc>, span: Duration) -> chrono::DateTime<Utc> {
    chrono::Duration::from_std(span)
        .ok()
        .and_then(|span| now.checked_add_signed(span))
        .unwrap_or(chrono::DateTime::<Utc>::MAX_UTC)
}

/// A session just created, with the only copy of its refresh token.
#[derive(Debug)]
pub struct NewSession {
    pub id: String,
    pub refresh_token: String,
}

impl NewSession {
    fn generate() -> Self {
        let mut bytes = [0u8; REFRESH_TOKEN_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            refresh_token: URL_SAFE_NO_PAD.encode(bytes),
        }
    }

    /// Stores this session in `family_id`, valid `refresh` from now but not past `family_ends`.
    async fn insert(
        &self,
        db: &impl ConnectionTrait,
        user_id: i64,
        family_id: &str,
        refresh: Duration,
        family_ends: chrono::DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let now = Utc::now();
        session::ActiveModel {
            id: Set(self.id.clone()),
            user_id: Set(user_id),
            family_id: Set(family_id.to_owned()),
            refresh_hash: Set(refresh_hash(&self.refresh_token)),
            expires_at: Set(after(now, refresh).min(family_ends)),
            revoked_at: Set(None),
            replaced_by: Set(None),
            created_at: Set(now),
            family_expires_at: Set(Some(family_ends)),
        }
        .insert(db)
        .await?;
        Ok(())
    }
}

/// The stored form of a refresh token: SHA-256, hex.
pub fn refresh_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Opens a new family for `user_id` (a login), ending `lifetimes.family` from now.
pub async fn open(
    db: &DatabaseConnection,
    user_id: i64,
    lifetimes: Lifetimes,
) -> Result<NewSession, DbErr> {
    let session = NewSession::generate();
    let family_ends = after(Utc::now(), lifetimes.family);
    session
        .insert(db, user_id, &session.id, lifetimes.refresh, family_ends)
        .await?;
    Ok(session)
}

/// What presenting a refresh token came to.
#[derive(Debug)]
pub enum Refreshed {
    /// The token was current: it is now replaced by `session`.
    Rotated {
        user: user::Model,
        session: NewSession,
    },
    /// Unknown or expired token, or its user is gone or disabled.
    Invalid,
    /// The token was replaced or revoked before: its family must be revoked.
    Reused { family_id: String },
}

/// Replaces the session of `refresh_token` with a new one valid `lifetimes.refresh`, within
/// its family's end. Of two concurrent refreshes of one token at most one rotates; the other
/// is reuse, and the caller revokes the family.
pub async fn rotate(
    db: &DatabaseConnection,
    refresh_token: &str,
    lifetimes: Lifetimes,
) -> Result<Refreshed, DbErr> {
    let Some(current) = session::Entity::find()
        .filter(session::Column::RefreshHash.eq(refresh_hash(refresh_token)))
        .one(db)
        .await?
    else {
        return Ok(Refreshed::Invalid);
    };
    let reused = || Refreshed::Reused {
        family_id: current.family_id.clone(),
    };
    if current.replaced_by.is_some()
        || current.revoked_at.is_some()
        || family_revoked(db, &current.family_id).await?
    {
        return Ok(reused());
    }
    let now = Utc::now();
    // A family from before the absolute lifetime ends that long after this rotation.
    let family_ends = current
        .family_expires_at
        .unwrap_or_else(|| after(now, lifetimes.family));
    if current.expires_at <= now || family_ends <= now {
        return Ok(Refreshed::Invalid);
    }
    let Some(user) = user::Entity::find_by_id(current.user_id)
        .one(db)
        .await?
        .filter(|u| !u.disabled)
    else {
        return Ok(Refreshed::Invalid);
    };
    let next = NewSession::generate();
    let txn = db.begin().await?;
    // The conditional update is the race's referee: only one refresh finds the row current.
    let claimed = session::Entity::update_many()
        .col_expr(session::Column::ReplacedBy, Expr::value(next.id.clone()))
        .filter(session::Column::Id.eq(&current.id))
        .filter(session::Column::ReplacedBy.is_null())
        .filter(session::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(reused());
    }
    next.insert(
        &txn,
        user.id,
        &current.family_id,
        lifetimes.refresh,
        family_ends,
    )
    .await?;
    txn.commit().await?;
    Ok(Refreshed::Rotated {
        user,
        session: next,
    })
}

/// Revokes every session of family `family_id`.
pub async fn revoke_family(db: &impl ConnectionTrait, family_id: &str) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(session::Column::FamilyId.eq(family_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every live session of `user_id`; returns the families it revoked.
pub async fn revoke_user(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<String>, DbErr> {
    let families: Vec<String> = session::Entity::find()
        .select_only()
        .column(session::Column::FamilyId)
        .distinct()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(families)
}

/// Deletes the sessions that expired before `now`; returns how many. An expired refresh token
/// is refused whether or not its row is still there, and every access token naming one of
/// these sessions expired long before (access tokens live hours, sessions weeks), so nothing
/// that still works loses its row. A revoked family stays revoked: its unexpired rows are
/// revoked too.
pub async fn purge_expired(
    db: &impl ConnectionTrait,
    now: chrono::DateTime<Utc>,
) -> Result<u64, DbErr> {
    let deleted = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    Ok(deleted.rows_affected)
}

/// Whether any session of family `family_id` is revoked.
pub async fn family_revoked(db: &impl ConnectionTrait, family_id: &str) -> Result<bool, DbErr> {
    let revoked = session::Entity::find()
        .filter(session::Column::FamilyId.eq(family_id))
        .filter(session::Column::RevokedAt.is_not_null())
        .count(db)
        .await?;
    Ok(revoked > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_long_random_and_stored_only_as_a_digest() {
        let a = NewSession::generate();
        let b = NewSession::generate();
        assert_ne!(a.refresh_token, b.refresh_token);
        assert_eq!(
            URL_SAFE_NO_PAD.decode(&a.refresh_token).unwrap().len(),
            REFRESH_TOKEN_BYTES
        );
        let digest = refresh_hash(&a.refresh_token);
        assert_eq!(digest.len(), 64);
        assert!(!digest.contains(&a.refresh_token));
    }
}
