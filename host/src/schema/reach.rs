//! How far one query may reach beyond the table it reads: the related tables it follows —
//! relation paths in `fields` (`author.name`, `books.title`) and relation filters
//! (`{"author": {…}}`) — and how many rows it may bring back. Following a relation reads the
//! related table, so it needs read access to that table by the same rules as reading it
//! directly; the caller (default CRUD for an HTTP client, `repos` for a hook) says what those
//! rules are through [`TableReach`]. The limits keep a query's work and memory bounded
//! whatever the data: a relation path multiplies rows (each parent gets a copy of its related
//! rows, with theirs), so rows are counted as they are attached, not only as they are fetched.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::HttpError;

/// Deepest chain of relations a query may follow, in `fields` (`a.b.c.d.field`) and in
/// filters alike.
pub const MAX_RELATION_DEPTH: usize = 4;

/// Which tables a query may follow relations into.
pub trait TableReach: Send + Sync {
    /// `Ok` when the caller may read `table` directly; else the refusal it would get.
    fn may_read(&self, table: &str) -> Result<(), HttpError>;
}

/// Every table: for the server's own reads, and for callers who may read every table (root
/// admins).
#[derive(Debug, Clone, Copy)]
pub struct EveryTable;

impl TableReach for EveryTable {
    fn may_read(&self, _table: &str) -> Result<(), HttpError> {
        Ok(())
    }
}

/// The limits of one query, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct QueryLimits {
    /// The most rows one list returns (`HOOKLINE_MAX_QUERY_LIMIT`); `limit=0` means this. It
    /// also bounds the related rows one relation level may fetch for a page of rows.
    pub max_limit: u64,
    /// The most rows one query may materialise, its own and every related row attached to
    /// them, copies included (`HOOKLINE_MAX_QUERY_ROWS`).
    pub max_rows: u64,
}

impl QueryLimits {
    pub fn from_settings(settings: &crate::config::Settings) -> Self {
        Self {
            max_limit: settings.max_query_limit,
            max_rows: settings.max_query_rows,
        }
    }
}

/// The rows one query has materialised so far, against [`QueryLimits::max_rows`].
#[derive(Debug)]
pub struct RowBudget {
    max: u64,
    used: AtomicU64,
}

impl RowBudget {
    pub fn new(max: u64) -> Self {
        Self {
            max,
            used: AtomicU64::new(0),
        }
    }

    /// Counts `rows` more, or refuses when that passes the maximum.
    pub fn charge(&self, rows: u64) -> Result<(), HttpError> {
        let used = self
            .used
            .fetch_add(rows, Ordering::Relaxed)
            .saturating_add(rows);
        if used > self.max {
            return Err(too_large(format!(
                "this query would return more than {} rows, counting related rows \
                 (HOOKLINE_MAX_QUERY_ROWS); ask for fewer rows or relation fields",
                self.max
            )));
        }
        Ok(())
    }
}

/// 400 `QUERY_TOO_LARGE`: a query past one of the limits above.
pub fn too_large(message: impl Into<String>) -> HttpError {
    HttpError::bad_request("QUERY_TOO_LARGE", message)
}
