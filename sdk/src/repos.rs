//! Repositories over user tables (`$ctx.$repos` in the reference): `find`, `find_one`,
//! `create`, `update`, `delete` and `count` on the tables the hook may use — its route's target
//! tables and its attachment's own. Rows come back as any type serde can deserialize.
//!
//! A refusal keeps the status and code the HTTP API would answer with (a 400
//! `VALIDATION_ERROR` with per-field `details`, 403 `TABLE_NOT_ALLOWED`, 404, 409
//! `UNIQUE_VIOLATION`, ...); `?` passes it on to the client.
//!
//! ```no_run
//! use hookline_sdk::{Context, HookError, Value, json, repos};
//!
//! fn cheap_books(_ctx: &Context) -> Result<Value, HookError> {
//!     let found: repos::Found<Value> = repos::find(
//!         "books",
//!         &json!({"filter": {"price": {"_lt": 10}}, "sort": ["-price"], "meta": ["filterCount"]}),
//!     )?;
//!     Ok(json!({"books": found.data, "count": found.meta.map(|m| m.filter_count)}))
//! }
//! ```

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::HookError;
use crate::bindings::hookline::plugin::repos as wit;
use crate::json::{parse_host_json, to_json};

/// What [`find`] returns.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub struct Found<T> {
    /// The rows of the page asked for.
    pub data: Vec<T>,
    /// Present when the query asked for `meta`.
    pub meta: Option<Meta>,
}

/// Counts a query asked for with `meta`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// Rows in the table.
    pub total_count: Option<u64>,
    /// Rows the filter matches.
    pub filter_count: Option<u64>,
}

fn refused(e: wit::RepoError) -> HookError {
    let mut error = HookError::new(e.status, e.message).with_code(e.code);
    if let Some(details) = e.details.as_deref() {
        error = error.with_details(parse_host_json(details));
    }
    error
}

fn rows<T: DeserializeOwned>(text: &str) -> Result<T, HookError> {
    serde_json::from_str(text).map_err(|e| {
        HookError::new(500, format!("a row is not of the expected type: {e}"))
            .with_code("INVALID_ROW")
    })
}

/// The rows `query` (`{filter, fields, sort, limit, page, meta}`) selects from `table`.
pub fn find<T: DeserializeOwned, Q: Serialize + ?Sized>(
    table: &str,
    query: &Q,
) -> Result<Found<T>, HookError> {
    rows(&wit::find(table, &to_json(query)?).map_err(refused)?)
}

/// The first row `query` selects, if any.
pub fn find_one<T: DeserializeOwned, Q: Serialize + ?Sized>(
    table: &str,
    query: &Q,
) -> Result<Option<T>, HookError> {
    match wit::find_one(table, &to_json(query)?).map_err(refused)? {
        Some(text) => rows(&text).map(Some),
        None => Ok(None),
    }
}

/// Inserts a row made of `data` and returns it.
pub fn create<T: DeserializeOwned, D: Serialize + ?Sized>(
    table: &str,
    data: &D,
) -> Result<T, HookError> {
    rows(&wit::create(table, &to_json(data)?).map_err(refused)?)
}

/// Changes the fields `data` names on row `id` and returns the row.
pub fn update<T: DeserializeOwned, D: Serialize + ?Sized>(
    table: &str,
    id: i64,
    data: &D,
) -> Result<T, HookError> {
    rows(&wit::update(table, id, &to_json(data)?).map_err(refused)?)
}

/// Deletes row `id` and returns what it was.
pub fn delete<T: DeserializeOwned>(table: &str, id: i64) -> Result<T, HookError> {
    rows(&wit::delete(table, id).map_err(refused)?)
}

/// How many rows of `table` match `filter` (`&serde_json::Value::Null` for all).
pub fn count<F: Serialize + ?Sized>(table: &str, filter: &F) -> Result<u64, HookError> {
    wit::count(table, &to_json(filter)?).map_err(refused)
}
