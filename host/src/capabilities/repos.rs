//! `hookline:plugin/repos`: the user tables a hook may use (its route's target tables and its
//! attachment's own), through [`crate::schema::repo::Repository`] — the same code as default
//! CRUD — and the system tables hooks may be given ([`crate::schema::system`]). Every refusal
//! is a guest-visible `repo-error` with the status and code the HTTP API would answer with; a
//! call never outlives the hook's deadline.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use sea_orm::sea_query::Expr;
use serde_json::Value;

use crate::auth::{IdentityCache, revocation};
use crate::error::HttpError;
use crate::events::{Change, EventBus};
use crate::runtime::HostState;
use crate::runtime::bindings::repos::{self, RepoError};
use crate::schema::TableRegistry;
use crate::schema::crypto::ColumnCrypto;
use crate::schema::reach::{QueryLimits, TableReach};
use crate::schema::repo::{ListQuery, Repository};
use crate::schema::system;

/// What the `repos` capability needs, built once at startup.
pub struct ReposCtx {
    pub db: DatabaseConnection,
    pub tables: Arc<TableRegistry>,
    pub limits: QueryLimits,
    /// Highest bcrypt cost a password hash written to `users` may carry.
    pub max_bcrypt_cost: u32,
    pub crypto: Arc<ColumnCrypto>,
    /// Forgotten, and the change published, when a hook changes a user.
    pub identities: Arc<IdentityCache>,
    pub events: Arc<EventBus>,
}

impl std::fmt::Debug for ReposCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReposCtx")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

type Answer<T> = wasmtime::Result<Result<T, RepoError>>;

fn refused(e: HttpError) -> RepoError {
    RepoError {
        status: e.status,
        code: e.code.into_owned(),
        message: e.message,
        details: e.details.map(|d| d.to_string()),
    }
}

fn parse(text: &str, what: &str) -> Result<Value, HttpError> {
    serde_json::from_str(text).map_err(|e| {
        HttpError::bad_request("INVALID_JSON", format!("{what} is not valid JSON: {e}"))
    })
}

/// The tables a hook may use: its route's target tables and its attachment's own. They are
/// also the only tables its queries may follow relations into.
struct HookTables<'a>(&'a [Arc<str>]);

impl TableReach for HookTables<'_> {
    fn may_read(&self, table: &str) -> Result<(), HttpError> {
        if self.0.iter().any(|t| &**t == table) {
            return Ok(());
        }
        Err(HttpError::forbidden(format!(
            "this hook may not use table {table:?}; a route's target tables and the hook's own are allowed"
        ))
        .with_code("TABLE_NOT_ALLOWED"))
    }
}

impl HostState {
    /// Runs `work` on `table` if this call may use it, bounded by the call's deadline.
    async fn with_repo<T>(
        &mut self,
        table: &str,
        work: impl AsyncFnOnce(&Repository<'_>) -> Result<T, HttpError>,
    ) -> Answer<T> {
        let allowed = self.tables.clone();
        let reach = HookTables(&allowed);
        if let Err(e) = reach.may_read(table) {
            return Ok(Err(refused(e)));
        }
        let ctx = &self.capabilities.repos;
        let tables = ctx.tables.load_full();
        let Some(definition) = tables
            .get(table)
            .cloned()
            .or_else(|| system::exposed(table))
        else {
            return Ok(Err(refused(HttpError::not_found(format!(
                "no table named {table:?}"
            )))));
        };
        let repo = Repository {
            db: &ctx.db,
            table: definition,
            tables: &tables,
            limits: ctx.limits,
            crypto: &ctx.crypto,
            reach: &reach,
        };
        let outcome = tokio::time::timeout_at(self.deadline.into(), work(&repo)).await;
        Ok(match outcome {
            Ok(result) => result.map_err(refused),
            Err(_) => Err(refused(HttpError::new(
                504,
                "REPO_TIMEOUT",
                "the database did not answer before the hook's deadline",
            ))),
        })
    }
}

impl repos::Host for HostState {
    async fn find(&mut self, table: String, query: String) -> Answer<String> {
        self.with_repo(&table, async |repo| {
            let query = ListQuery::from_json(&parse(&query, "the query")?)?;
            Ok(repo.find(&query).await?.to_string())
        })
        .await
    }

    async fn find_one(&mut self, table: String, query: String) -> Answer<Option<String>> {
        self.with_repo(&table, async |repo| {
            let query = ListQuery::from_json(&parse(&query, "the query")?)?;
            Ok(repo.find_one(&query).await?.map(|row| row.to_string()))
        })
        .await
    }

    async fn create(&mut self, table: String, data: String) -> Answer<String> {
        let ctx = self.capabilities.repos.clone();
        self.with_repo(&table, async |repo| {
            let mut data = parse(&data, "the data")?;
            if table == system::USERS {
                data = system::users_write(&data, ctx.max_bcrypt_cost)?.0;
            }
            Ok(repo.create(&data).await?.to_string())
        })
        .await
    }

    async fn update(&mut self, table: String, id: i64, data: String) -> Answer<String> {
        let ctx = self.capabilities.repos.clone();
        self.with_repo(&table, async |repo| {
            let data = parse(&data, "the data")?;
            if table != system::USERS {
                return Ok(repo.update(id, &data).await?.to_string());
            }
            let (data, sets_password) = system::users_write(&data, ctx.max_bcrypt_cost)?;
            // A new password cuts off the tokens issued before it, in the same statement.
            let extra = if sets_password {
                let now = chrono::Utc::now().timestamp();
                vec![("tokens_valid_after".to_owned(), Expr::val(now).into())]
            } else {
                Vec::new()
            };
            let row = repo.update_with(id, &data, extra).await?;
            if sets_password {
                // Refresh tokens too, as a password change through the admin API does.
                revocation::revoke_user_tokens(&ctx.db, &ctx.identities, &ctx.events, id).await?;
            } else {
                ctx.identities.forget_user(id);
                ctx.events.broadcast(&Change::User { id }).await;
            }
            Ok(row.to_string())
        })
        .await
    }

    async fn delete(&mut self, table: String, id: i64) -> Answer<String> {
        self.with_repo(&table, async |repo| {
            if table == system::USERS {
                return Err(system::not_allowed(
                    &table,
                    "delete",
                    "users are deleted through DELETE /admin/users/{id}",
                ));
            }
            Ok(repo.delete(id).await?.to_string())
        })
        .await
    }

    async fn count(&mut self, table: String, filter: String) -> Answer<u64> {
        self.with_repo(&table, async |repo| {
            let filter = parse(&filter, "the filter")?;
            let count = repo.count((!filter.is_null()).then_some(&filter)).await?;
            Ok(u64::try_from(count).unwrap_or_default())
        })
        .await
    }
}
