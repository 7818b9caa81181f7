//! The database: sea-orm entities and migrations for the system tables, one code path for
//! SQLite (embedded default) and PostgreSQL. Owns connecting and migrating; it never decides
//! policy (who may change what), which belongs to the admin and auth APIs.

pub mod columns;
pub mod entities;
mod migration;

use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;

pub use migration::Migrator;

/// Opens the database and brings its schema up to date.
/// Longest a statement waits for a pooled connection before it fails (503 `DATABASE_BUSY`):
/// sqlx's default of 30 s would let a burst of slow queries stall logins for half a minute.
pub const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

pub async fn connect(url: &str) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false).acquire_timeout(ACQUIRE_TIMEOUT);
    if url.starts_with("sqlite:") {
        // One writer at a time is SQLite's rule; a small pool keeps readers concurrent. A
        // connection is a handle on a local file: pinging it before each use (sqlx's default)
        // only adds a round trip to its worker thread to every statement.
        options
            .max_connections(8)
            .min_connections(1)
            .test_before_acquire(false)
            // Pragmas are per connection, so they go in the options every pooled connection
            // is opened with. WAL lets readers proceed while a writer commits; SQLite leaves
            // foreign keys off by default; and its LIKE ignores ASCII case where PostgreSQL's
            // does not, so `_contains` and friends would answer differently on the two.
            .map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .journal_mode(SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .pragma("case_sensitive_like", "ON")
            });
    } else {
        options.max_connections(16).min_connections(1);
    }
    let db = Database::connect(options).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// Serialises a JSON value for a text column.
pub fn json_text(value: &serde_json::Value) -> String {
    value.to_string()
}

/// Parses a JSON text column; a corrupt value reads as `null` rather than failing a request.
pub fn parse_json_text(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}
