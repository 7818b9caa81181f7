//! Default CRUD: a route with a table and no handler plugin serves `GET` (a list, or one row
//! by the `:id` parameter), `POST` (create, 201), `PATCH /:id` and `DELETE /:id`, between the
//! preHooks and the postHooks like any handler. Lists take `filter` (JSON), `fields`, `sort`,
//! `limit`, `page` and `meta` from the query string; the work is [`crate::schema::repo`]'s.

use axum::http::Method;
use serde_json::{Map, Value};

use crate::access::permissions::CallerReach;
use crate::app::AppState;
use crate::context::RequestContext;
use crate::error::HttpError;
use crate::schema::reach::QueryLimits;
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

/// Serves `ctx` from table `table_name`, setting `data` (and `status` on create), within the
/// request's deadline: a query still running then is dropped and the answer is 504
/// `CRUD_TIMEOUT`, so slow lists cannot hold the database pool past their requests.
pub async fn serve(
    state: &AppState,
    table_name: &str,
    ctx: &mut RequestContext,
) -> Result<(), HttpError> {
    let work = answer(state, table_name, ctx);
    let (data, status) = tokio::time::timeout_at(ctx.deadline.into(), work)
        .await
        .map_err(|_| {
            HttpError::new(
                504,
                "CRUD_TIMEOUT",
                format!("{table_name}: the database did not answer before the request's deadline"),
            )
        })??;
    ctx.data = data;
    if let Some(status) = status {
        ctx.status = status;
    }
    Ok(())
}

/// The data of a CRUD request, and its status when it is not the default (201 on create).
async fn answer(
    state: &AppState,
    table_name: &str,
    ctx: &RequestContext,
) -> Result<(Value, Option<u16>), HttpError> {
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
    let routes = state.routes.load();
    let permissions = state.access.permissions.load();
    let reach = CallerReach {
        routes: &routes,
        permissions: &permissions,
        user: ctx.user.as_ref(),
    };
    let repo = Repository {
        db: &state.db,
        table,
        tables: &tables,
        limits: QueryLimits::from_settings(&state.settings),
        crypto: &state.crypto,
        reach: &reach,
    };
    Ok(match (&ctx.method, id) {
        (&Method::GET, None) => (repo.find(&list_query(&ctx.query)?).await?, None),
        (&Method::GET, Some(id)) => (repo.one(id).await?, None),
        (&Method::POST, None) => (repo.create(&ctx.body).await?, Some(201)),
        (&Method::PATCH, Some(id)) => (repo.update(id, &ctx.body).await?, None),
        (&Method::DELETE, Some(id)) => (repo.delete(id).await?, None),
        (method, _) => {
            return Err(HttpError::new(
                405,
                "METHOD_NOT_ALLOWED",
                format!("{method} is not a CRUD operation on this route"),
            ));
        }
    })
}
