//! Default CRUD: a route with a table and no handler plugin serves `GET` (a list, or one row
//! by the `:id` parameter), `POST` (create, 201), `PATCH /:id` and `DELETE /:id`, between the
//! preHooks and the postHooks like any handler. Lists take `filter` (JSON), `fields`, `sort`,
//! `limit`, `page` and `meta` from the query string.

use std::sync::Arc;

use axum::http::Method;
use sea_orm::sea_query::{Alias, Asterisk, Expr, Func, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, SqlErr};
use serde_json::{Map, Value, json};

use crate::app::AppState;
use crate::context::RequestContext;
use crate::error::HttpError;
use crate::schema::TableDef;
use crate::schema::query::FilterBuilder;
use crate::schema::rows::{Kind, columns_of, read, select_expr, writable};

/// Default number of rows a list returns.
pub const DEFAULT_LIMIT: u64 = 10;

/// Serves `ctx` from table `table_name`, setting `data` (and `status` on create).
pub async fn serve(
    state: &AppState,
    table_name: &str,
    ctx: &mut RequestContext,
) -> Result<(), HttpError> {
    let table = state
        .tables
        .load()
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
    let crud = Crud {
        state,
        table,
        backend: state.db.get_database_backend(),
    };
    match (&ctx.method, id) {
        (&Method::GET, None) => ctx.data = crud.list(&ctx.query).await?,
        (&Method::GET, Some(id)) => ctx.data = crud.one(id).await?,
        (&Method::POST, None) => {
            ctx.data = crud.create(&ctx.body).await?;
            ctx.status = 201;
        }
        (&Method::PATCH, Some(id)) => ctx.data = crud.update(id, &ctx.body).await?,
        (&Method::DELETE, Some(id)) => ctx.data = crud.delete(id).await?,
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

struct Crud<'a> {
    state: &'a AppState,
    table: Arc<TableDef>,
    backend: DbBackend,
}

/// A write the database refused: a unique value taken (409), a related row missing (400).
fn write_error(e: DbErr) -> HttpError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(detail)) => HttpError::conflict(
            "UNIQUE_VIOLATION",
            format!("a row with this value exists: {detail}"),
        ),
        Some(SqlErr::ForeignKeyConstraintViolation(detail)) => HttpError::bad_request(
            "VALIDATION_ERROR",
            format!("a related row does not exist, or rows still refer to this one: {detail}"),
        ),
        _ => e.into(),
    }
}

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

fn list_of(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Crud<'_> {
    fn select(&self, columns: &[(String, Kind)]) -> SelectStatement {
        let mut select = Query::select();
        select.from(Alias::new(&self.table.name));
        for (name, _) in columns {
            select.expr_as(
                select_expr(&self.table, name, self.backend),
                Alias::new(name),
            );
        }
        select
    }

    fn by_id(&self, id: i64) -> sea_orm::sea_query::SimpleExpr {
        Expr::col((Alias::new(&self.table.name), Alias::new("id"))).eq(id)
    }

    fn not_found(&self, id: i64) -> HttpError {
        HttpError::not_found(format!("no row {id} in {}", self.table.name))
    }

    async fn one(&self, id: i64) -> Result<Value, HttpError> {
        let columns = columns_of(&self.table);
        let statement = self.select(&columns).and_where(self.by_id(id)).to_owned();
        let row = self
            .state
            .db
            .query_one(self.backend.build(&statement))
            .await?
            .ok_or_else(|| self.not_found(id))?;
        Ok(read(&row, &columns))
    }

    async fn count(
        &self,
        condition: Option<sea_orm::sea_query::Condition>,
    ) -> Result<i64, HttpError> {
        let mut statement = Query::select();
        statement
            .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("n"))
            .from(Alias::new(&self.table.name));
        if let Some(condition) = condition {
            statement.cond_where(condition);
        }
        let row = self
            .state
            .db
            .query_one(self.backend.build(&statement))
            .await?;
        Ok(row
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0))
    }

    async fn list(&self, query: &Map<String, Value>) -> Result<Value, HttpError> {
        let all = columns_of(&self.table);
        let columns = match param(query, "fields") {
            None | Some("*") => all.clone(),
            Some(raw) => {
                let mut picked = Vec::new();
                for name in list_of(raw) {
                    let found = all.iter().find(|(n, _)| *n == name).ok_or_else(|| {
                        HttpError::bad_request(
                            "INVALID_QUERY",
                            format!("fields: {name:?} is not a field of {}", self.table.name),
                        )
                    })?;
                    picked.push(found.clone());
                }
                picked
            }
        };
        let condition = match param(query, "filter") {
            None => None,
            Some(raw) => {
                let filter: Value = serde_json::from_str(raw).map_err(|e| {
                    HttpError::bad_request("INVALID_FILTER", format!("filter is not JSON: {e}"))
                })?;
                let tables = self.state.tables.load();
                let builder = FilterBuilder {
                    tables: &tables,
                    backend: self.backend,
                };
                Some(builder.condition(&self.table, &filter)?)
            }
        };
        let mut statement = self.select(&columns);
        if let Some(condition) = &condition {
            statement.cond_where(condition.clone());
        }
        for key in param(query, "sort").map(list_of).unwrap_or_default() {
            let (name, order) = match key.strip_prefix('-') {
                Some(name) => (name.to_owned(), Order::Desc),
                None => (key.clone(), Order::Asc),
            };
            if !all.iter().any(|(n, _)| *n == name) {
                return Err(HttpError::bad_request(
                    "INVALID_QUERY",
                    format!("sort: {name:?} is not a field of {}", self.table.name),
                ));
            }
            statement.order_by((Alias::new(&self.table.name), Alias::new(name)), order);
        }
        statement.order_by((Alias::new(&self.table.name), Alias::new("id")), Order::Asc);
        let max = self.state.settings.max_query_limit;
        let limit = match number(query, "limit")?.unwrap_or(DEFAULT_LIMIT) {
            0 => max,
            n => n.min(max),
        };
        let page = number(query, "page")?.unwrap_or(1);
        if page == 0 {
            return Err(HttpError::bad_request("INVALID_QUERY", "page starts at 1"));
        }
        statement
            .limit(limit)
            .offset((page - 1).saturating_mul(limit));
        let rows = self
            .state
            .db
            .query_all(self.backend.build(&statement))
            .await?;
        let data: Vec<Value> = rows.iter().map(|r| read(r, &columns)).collect();
        let mut out = json!({ "data": data });
        if let Some(raw) = param(query, "meta") {
            let wanted = list_of(raw);
            let every = wanted.iter().any(|m| m == "*");
            let mut meta = Map::new();
            for name in &wanted {
                if !matches!(name.as_str(), "*" | "totalCount" | "filterCount") {
                    return Err(HttpError::bad_request(
                        "INVALID_QUERY",
                        format!("meta: {name:?} is not totalCount or filterCount"),
                    ));
                }
            }
            if every || wanted.iter().any(|m| m == "totalCount") {
                meta.insert("totalCount".into(), self.count(None).await?.into());
            }
            if every || wanted.iter().any(|m| m == "filterCount") {
                meta.insert(
                    "filterCount".into(),
                    self.count(condition.clone()).await?.into(),
                );
            }
            out["meta"] = Value::Object(meta);
        }
        Ok(out)
    }

    fn now(&self) -> sea_orm::sea_query::SimpleExpr {
        Expr::val(sea_orm::sea_query::Value::ChronoDateTimeUtc(Some(
            Box::new(chrono::Utc::now()),
        )))
        .into()
    }

    async fn create(&self, body: &Value) -> Result<Value, HttpError> {
        let values = writable(&self.table, body, false, self.backend)?;
        let mut columns: Vec<Alias> = values.iter().map(|(n, _)| Alias::new(n)).collect();
        let mut exprs: Vec<_> = values.into_iter().map(|(_, v)| v).collect();
        columns.extend([Alias::new("createdAt"), Alias::new("updatedAt")]);
        exprs.extend([self.now(), self.now()]);
        let statement = Query::insert()
            .into_table(Alias::new(&self.table.name))
            .columns(columns)
            .values(exprs)
            .map_err(HttpError::internal)?
            .returning_col(Alias::new("id"))
            .to_owned();
        let row = self
            .state
            .db
            .query_one(self.backend.build(&statement))
            .await
            .map_err(write_error)?
            .ok_or_else(|| HttpError::internal("insert returned no id"))?;
        let id: i64 = row.try_get("", "id")?;
        self.one(id).await
    }

    async fn update(&self, id: i64, body: &Value) -> Result<Value, HttpError> {
        let mut values = writable(&self.table, body, true, self.backend)?;
        values.push(("updatedAt".into(), self.now()));
        let statement = Query::update()
            .table(Alias::new(&self.table.name))
            .values(values.into_iter().map(|(n, v)| (Alias::new(n), v)))
            .and_where(self.by_id(id))
            .to_owned();
        let done = self
            .state
            .db
            .execute(self.backend.build(&statement))
            .await
            .map_err(write_error)?;
        if done.rows_affected() == 0 {
            return Err(self.not_found(id));
        }
        self.one(id).await
    }

    async fn delete(&self, id: i64) -> Result<Value, HttpError> {
        let row = self.one(id).await?;
        let statement = Query::delete()
            .from_table(Alias::new(&self.table.name))
            .and_where(self.by_id(id))
            .to_owned();
        self.state
            .db
            .execute(self.backend.build(&statement))
            .await
            .map_err(write_error)?;
        Ok(row)
    }
}
