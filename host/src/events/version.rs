//! Convergence of definitions across nodes. Every committed definition change (routes, hooks,
//! plugins, permissions, guards, tables) raises one counter in the database and publishes the
//! new value with the change. A node remembers the value its tables reflect: a message one
//! past it is applied and advances it, a gap or a difference found by the periodic check
//! (`definitions_check_secs`) reloads everything. Broadcasts stay the fast path; the counter
//! is what makes a missed one harmless, and what keeps nodes without Redis in step.
//!
//! The counter is raised after the change's commit, so a node that reads value `v` and then
//! reloads sees every change numbered up to `v`. Applying, reloading and advancing happen under
//! one lock, so a slow reload of old rows can never overwrite a newer change.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};
use tokio::sync::Mutex;

use super::Change;
use crate::app::AppState;
use crate::error::HttpError;

/// The definitions version this node's in-memory tables reflect.
#[derive(Debug, Default)]
pub struct Seen {
    version: AtomicI64,
    /// Held while definitions are applied here, so applications never interleave.
    applying: Mutex<()>,
}

impl Seen {
    fn get(&self) -> i64 {
        self.version.load(Ordering::SeqCst)
    }

    fn set(&self, version: i64) {
        self.version.store(version, Ordering::SeqCst);
    }

    /// Advances to `version` when it is the next one; false when there is a gap.
    fn advance(&self, version: i64) -> bool {
        self.version
            .compare_exchange(version - 1, version, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }
}

/// The database's definitions version.
pub async fn current(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let row = db
        .query_one(Statement::from_string(
            backend,
            "SELECT version FROM definitions_version WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("definitions_version".into()))?;
    row.try_get_by_index(0)
}

/// Raises the database's definitions version and returns the new value.
async fn raise(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let row = db
        .query_one(Statement::from_string(
            backend,
            "UPDATE definitions_version SET version = version + 1 WHERE id = 1 \
             RETURNING version",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("definitions_version".into()))?;
    row.try_get_by_index(0)
}

impl AppState {
    /// Records that this node's tables were loaded at `version` (at startup, before loading).
    pub(crate) fn loaded_at(&self, version: i64) {
        self.events.seen.set(version);
    }

    /// The path of every committed definition change: applies it on this node by reloading
    /// what it touched, then numbers and publishes it.
    pub async fn definitions_changed(&self, change: &Change) -> Result<(), HttpError> {
        self.definitions_changed_with(change, async {
            self.apply(change).await.map_err(HttpError::internal)
        })
        .await
    }

    /// As [`Self::definitions_changed`], with `local` applying it here (e.g. activating a
    /// plugin version compiled already).
    pub async fn definitions_changed_with(
        &self,
        change: &Change,
        local: impl Future<Output = Result<(), HttpError>>,
    ) -> Result<(), HttpError> {
        let (applied, version) = {
            let _applying = self.events.seen.applying.lock().await;
            let applied = local.await;
            let version = raise(&self.db).await;
            if let (Ok(()), Ok(version)) = (&applied, &version) {
                // A gap (another node's change not received yet) leaves it behind: the
                // message or the next check reloads.
                self.events.seen.advance(*version);
            }
            (applied, version)
        };
        let version = match version {
            Ok(version) => Some(version),
            Err(e) => {
                tracing::error!(?change, error = %e,
                    "could not raise the definitions version; nodes that miss this change's \
                     message stay stale until the next change");
                None
            }
        };
        self.events.publish(change, version).await;
        applied
    }

    /// Applies a change another node published as `version`.
    pub(super) async fn apply_published(&self, change: &Change, version: i64) {
        let _applying = self.events.seen.applying.lock().await;
        let seen = self.events.seen.get();
        if version <= seen {
            return;
        }
        if version == seen + 1 {
            match self.apply(change).await {
                Ok(()) => self.events.seen.set(version),
                Err(e) => {
                    tracing::error!(?change, error = %e, "could not apply a change; the next check reloads");
                }
            }
            return;
        }
        drop(_applying);
        if let Err(e) = self.converge().await {
            tracing::error!(error = %e, "could not reload definitions after a missed change");
        }
    }

    /// Reloads every definition when the database's version differs from this node's.
    pub(crate) async fn converge(&self) -> anyhow::Result<()> {
        let _applying = self.events.seen.applying.lock().await;
        let version = current(&self.db).await?;
        if version == self.events.seen.get() {
            return Ok(());
        }
        tracing::info!(
            from = self.events.seen.get(),
            to = version,
            "definitions changed elsewhere; reloading"
        );
        self.reload_definitions().await?;
        self.events.seen.set(version);
        Ok(())
    }

    /// Checks the definitions version every `definitions_check_secs` until the server stops.
    pub fn spawn_definitions_check(&self) -> tokio::task::JoinHandle<()> {
        let state = self.clone();
        let period = Duration::from_secs(self.settings.definitions_check_secs);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                if let Err(e) = state.converge().await {
                    tracing::warn!(error = %e, "could not check the definitions version");
                }
            }
        })
    }
}
