//! The identity cache: what authenticating a request needs to know about a user (the view a
//! plugin gets, the disabled flag, the token cut-off) and about a session family (revoked or
//! not), kept in process so that an authenticated request does not read the database.
//!
//! Entries live `identity_cache_ttl_secs` (default 10 s). A change made through this node
//! (revocation, logout, `forget_user`) takes effect here at once; another node keeps acting on
//! its copy until that copy expires, so the TTL is the bound on cross-node staleness. A read
//! of the database that raced an invalidation cannot put the old state back: inserts carry a
//! [`Ticket`] taken before the read and are dropped when an invalidation came in between.
//! Password hashes are never held here.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use moka::sync::Cache;
use sea_orm::{DatabaseConnection, DbErr, EntityTrait};

use crate::context::AuthUser;
use crate::store::entities::{role, user};

/// Most users cached at once (a few hundred bytes each): beyond it the least recently used
/// are read again from the database.
pub const MAX_CACHED_USERS: u64 = 50_000;
/// Most sessions and session families cached at once (each under a hundred bytes).
pub const MAX_CACHED_SESSIONS: u64 = 100_000;

/// What a plugin may see of `model`, with the name of its role.
pub fn user_view(model: &user::Model, role: Option<String>) -> AuthUser {
    AuthUser {
        id: model.id,
        email: model.email.clone(),
        role,
        is_root_admin: model.is_root_admin,
        verified: model.verified,
        organization: model.organization_id,
    }
}

/// The name of the role `role_id` names, if any.
pub async fn role_name(
    db: &DatabaseConnection,
    role_id: Option<i64>,
) -> Result<Option<String>, DbErr> {
    let Some(role_id) = role_id else {
        return Ok(None);
    };
    Ok(role::Entity::find_by_id(role_id)
        .one(db)
        .await?
        .map(|r| r.name))
}

/// A user as authentication needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedUser {
    pub view: AuthUser,
    pub disabled: bool,
    /// Unix seconds: tokens issued earlier are refused.
    pub tokens_valid_after: i64,
}

impl CachedUser {
    /// Reads user `id` and its role name; `None` when the user does not exist.
    pub async fn load(db: &DatabaseConnection, id: i64) -> Result<Option<Self>, DbErr> {
        let Some(model) = user::Entity::find_by_id(id).one(db).await? else {
            return Ok(None);
        };
        let role = role_name(db, model.role_id).await?;
        Ok(Some(Self {
            view: user_view(&model, role),
            disabled: model.disabled,
            tokens_valid_after: model.tokens_valid_after,
        }))
    }
}

/// Who a session belongs to; fixed for the session's life, so never invalidated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFacts {
    pub user_id: i64,
    pub family_id: String,
}

/// Taken before reading the database; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

/// The in-process identity cache of one node.
pub struct IdentityCache {
    users: Cache<i64, Arc<CachedUser>>,
    sessions: Cache<String, SessionFacts>,
    /// Family id → revoked. Revocation is final, so `true` never turns back to `false`.
    families: Cache<String, bool>,
    /// Bumped by every invalidation; guards inserts (see [`Ticket`]).
    generation: Mutex<u64>,
}

impl std::fmt::Debug for IdentityCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityCache")
            .field("users", &self.users.entry_count())
            .field("sessions", &self.sessions.entry_count())
            .field("families", &self.families.entry_count())
            .finish()
    }
}

impl IdentityCache {
    /// A cache whose entries live `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            users: Cache::builder()
                .max_capacity(MAX_CACHED_USERS)
                .time_to_live(ttl)
                .build(),
            sessions: Cache::builder()
                .max_capacity(MAX_CACHED_SESSIONS)
                .time_to_live(ttl)
                .build(),
            families: Cache::builder()
                .max_capacity(MAX_CACHED_SESSIONS)
                .time_to_live(ttl)
                .build(),
            generation: Mutex::new(0),
        }
    }

    fn generation(&self) -> std::sync::MutexGuard<'_, u64> {
        // The guarded value is a counter: a panic elsewhere cannot leave it inconsistent.
        self.generation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Take one before reading what will be inserted.
    pub fn ticket(&self) -> Ticket {
        Ticket(*self.generation())
    }

    /// Runs `invalidate` as one invalidation: tickets taken before it become stale.
    fn invalidating(&self, invalidate: impl FnOnce()) {
        let mut generation = self.generation();
        *generation += 1;
        invalidate();
    }

    pub fn user(&self, id: i64) -> Option<Arc<CachedUser>> {
        self.users.get(&id)
    }

    /// Caches `user` unless an invalidation came after `ticket`; returns it either way.
    pub fn put_user(&self, ticket: Ticket, user: CachedUser) -> Arc<CachedUser> {
        let user = Arc::new(user);
        let generation = self.generation();
        if *generation == ticket.0 {
            self.users.insert(user.view.id, user.clone());
        }
        user
    }

    pub fn forget_user(&self, id: i64) {
        self.invalidating(|| self.users.invalidate(&id));
    }

    /// Forgets every cached user, session and family (this node may have missed changes).
    pub fn forget_all(&self) {
        self.invalidating(|| {
            self.users.invalidate_all();
            self.sessions.invalidate_all();
            self.families.invalidate_all();
        });
    }

    pub fn session(&self, id: &str) -> Option<SessionFacts> {
        self.sessions.get(id)
    }

    pub fn put_session(&self, id: &str, facts: SessionFacts) {
        self.sessions.insert(id.to_owned(), facts);
    }

    /// Whether family `id` is revoked, when known.
    pub fn family_revoked(&self, id: &str) -> Option<bool> {
        self.families.get(id)
    }

    /// Caches family `id`'s state unless an invalidation came after `ticket`.
    pub fn put_family(&self, ticket: Ticket, id: &str, revoked: bool) {
        let generation = self.generation();
        if *generation == ticket.0 {
            self.families.insert(id.to_owned(), revoked);
        }
    }

    /// Records that family `id` was revoked (through this node).
    pub fn family_was_revoked(&self, id: &str) {
        self.invalidating(|| self.families.insert(id.to_owned(), true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached(id: i64, disabled: bool) -> CachedUser {
        CachedUser {
            view: AuthUser {
                id,
                email: format!("u{id}@example.test"),
                role: None,
                is_root_admin: false,
                verified: false,
                organization: None,
            },
            disabled,
            tokens_valid_after: 0,
        }
    }

    #[test]
    fn a_read_that_raced_an_invalidation_is_not_cached() {
        let cache = IdentityCache::new(Duration::from_secs(60));
        let before = cache.ticket();
        cache.forget_user(1);
        cache.put_user(before, cached(1, false));
        assert_eq!(cache.user(1), None);
        cache.put_user(cache.ticket(), cached(1, true));
        assert!(cache.user(1).unwrap().disabled);
    }

    #[test]
    fn a_revoked_family_is_not_overwritten_by_an_older_read() {
        let cache = IdentityCache::new(Duration::from_secs(60));
        let before = cache.ticket();
        cache.family_was_revoked("f");
        cache.put_family(before, "f", false);
        assert_eq!(cache.family_revoked("f"), Some(true));
    }

    #[test]
    fn forgetting_everything_drops_what_was_cached_and_reads_from_before() {
        let cache = IdentityCache::new(Duration::from_secs(60));
        let before = cache.ticket();
        cache.put_user(before, cached(1, false));
        cache.put_family(before, "f", false);
        cache.put_session(
            "s",
            SessionFacts {
                user_id: 1,
                family_id: "f".into(),
            },
        );
        cache.forget_all();
        assert_eq!(cache.user(1), None);
        assert_eq!(cache.family_revoked("f"), None);
        assert_eq!(cache.session("s"), None);
        cache.put_user(before, cached(1, false));
        assert_eq!(cache.user(1), None, "a read from before is stale");
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let cache = IdentityCache::new(Duration::from_millis(50));
        cache.put_user(cache.ticket(), cached(1, false));
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(cache.user(1), None);
    }
}
