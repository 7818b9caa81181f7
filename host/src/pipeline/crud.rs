//! Default CRUD: a route with a table and no handler plugin serves `GET` (a list, or one row
//! by the `:id` parameter), `POST` (create, 201), `PATCH /:id` and `DELETE /:id`, between the
//! preHooks and the postHooks like any handler. Lists take `filter` (JSON), `fields`, `sort`,
//! `limit`, `page` and `meta` from the query string; the work is [`crate::schema::repo`]'s.

use axum::http::Method;
use serde_json::{Map, Value};

use crate::app::AppState;
use crate::context::RequestContext;
use crate::error::HttpError;
use crate::schema::repo::{ListQuery, Repository, list_of};

/// A query-string parameter as text (the first, when repeated).
fn param<'q>(query: &'q Map<String, Value>, name: &str) -> Option<&'q str> {
    match query.get(name)? {
        Value::String(s) => Some(s),
        Value::Array(items) => items.first()?.as_str(),
        _ => None,
    }
}

fn number(query: &Map<String, Value>, name: &str) -> Result<Option<u64>, HttpError> {
    param(query, name)
        .map(|raw| {
            raw.parse::<u64>().map_err(|_| {
                HttpError::bad_request(
                    "INVALID_QUERY",
                    format!("{name} must be a whole number, got {raw:?}"),
                )
            })
        })
        .transpose()
}

/// The list request a query string makes.
fn list_query(query: &Map<String, Value>) -> Result<ListQuery, HttpError> {
    let filter = param(query, "filter")
        .map(|raw| {
            serde_json::from_str(raw).map_err(|e| {
                HttpError::bad_request("INVALID_FILTER", format!("filter is not JSON: {e}"))
            })
        })
        .transpose()?;
    Ok(ListQuery {
        filter,
        fields: param(query, "fields").map(list_of),
        sort: param(query, "sort").map(list_of).unwrap_or_default(),
        limit: number(query, "limit")?,
        page: number(query, "page")?,
        meta: param(query, "meta").map(list_of).unwrap_or_default(),
    })
}

/// Serves `ctx` from table `table_name`, setting `data` (and `status` on create).
pub async fn serve(
    state: &AppState,
    table_name: &str,
    ctx: &mut RequestContext,
) -> Result<(), HttpError> {
    let tables = state.tables.load();
    let table = tables
        .get(table_name)
        .cloned()
        .ok_or_else(|| HttpError::not_found(format!("table {table_name} no longer exists")))?;
    let id = match ctx.params.get("id") {
        None => None,
        Some(raw) => Some(
            raw.as_str()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| {
                    HttpError::bad_request("INVALID_ID", format!("{raw} is not an id"))
                })?,
        ),
    };
    let repo = Repository {
        db: &state.db,
        table,
        tables: &tables,
        max_limit: state.settings.max_query_limit,
        crypto: &state.crypto,
    };
    match (&ctx.method, id) {
        (&Method::GET, None) => ctx.data = repo.find(&list_query(&ctx.query)?).await?,
        (&Method::GET, Some(id)) => ctx.data = repo.one(id).await?,
        (&Method::POST, None) => {
            ctx.data = repo.create(&ctx.body).await?;
            ctx.status = 201;
        }
        (&Method::PATCH, Some(id)) => ctx.data = repo.update(id, &ctx.body).await?,
        (&Method::DELETE, Some(id)) => ctx.data = repo.delete(id).await?,
        (method, _) => {
            return Err(HttpError::new(
                405,
                "METHOD_NOT_ALLOWED",
                format!("{method} is not a CRUD operation on this route"),
            ));
        }
    }
    Ok(())
}
