//! A repository over one user table: list (the query language), read, create, update, delete
//! and count, with every name checked against the definition and every value bound. Default
//! CRUD (HTTP) and the `repos` capability (plugins) are two front ends of this one module.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::sea_query::{
    Alias, Asterisk, Condition, Expr, Func, Order, Query, SelectStatement, SimpleExpr,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, SqlErr};
use serde_json::{Map, Value, json};

use super::TableDef;
use super::crypto::ColumnCrypto;
use super::query::FilterBuilder;
use super::reach::{MAX_RELATION_DEPTH, QueryLimits, RowBudget, TableReach, too_large};
use super::rows::{Kind, columns_of, read, select_expr, writable};
use crate::error::HttpError;

/// Default number of rows a list returns.
pub const DEFAULT_LIMIT: u64 = 10;

/// Most entries of `fields`: each becomes a selected column (databases cap those: SQLite at
/// 2000) or a relation path.
pub const MAX_FIELDS: usize = 256;

/// Most keys of `sort`.
pub const MAX_SORT_KEYS: usize = 16;

/// A list request: the query language, parsed from a query string or from a plugin's JSON.
#[derive(Debug, Default, Clone)]
pub struct ListQuery {
    pub filter: Option<Value>,
    /// `None` or `*`: every field.
    pub fields: Option<Vec<String>>,
    /// `name` ascending, `-name` descending; id breaks ties.
    pub sort: Vec<String>,
    /// Default [`DEFAULT_LIMIT`]; 0 means the configured maximum.
    pub limit: Option<u64>,
    /// From 1.
    pub page: Option<u64>,
    /// `totalCount`, `filterCount` or `*`.
    pub meta: Vec<String>,
}

impl ListQuery {
    /// Reads `{filter, fields, sort, limit, page, meta}` from JSON; `fields`, `sort` and `meta`
    /// may be lists or comma-separated strings.
    pub fn from_json(value: &Value) -> Result<ListQuery, HttpError> {
        let Value::Object(map) = value else {
            if value.is_null() {
                return Ok(ListQuery::default());
            }
            return Err(HttpError::bad_request(
                "INVALID_QUERY",
                "a query is a JSON object",
            ));
        };
        let words = |name: &str| -> Result<Vec<String>, HttpError> {
            match map.get(name) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::String(s)) => Ok(list_of(s)),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| {
                        i.as_str().map(str::to_owned).ok_or_else(|| {
                            HttpError::bad_request("INVALID_QUERY", format!("{name} lists strings"))
                        })
                    })
                    .collect(),
                Some(_) => Err(HttpError::bad_request(
                    "INVALID_QUERY",
                    format!("{name} is a list or a string"),
                )),
            }
        };
        let number = |name: &str| -> Result<Option<u64>, HttpError> {
            match map.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                    HttpError::bad_request(
                        "INVALID_QUERY",
                        format!("{name} must be a whole number"),
                    )
                }),
            }
        };
        for key in map.keys() {
            if !matches!(
                key.as_str(),
                "filter" | "fields" | "sort" | "limit" | "page" | "meta"
            ) {
                return Err(HttpError::bad_request(
                    "INVALID_QUERY",
                    format!("{key:?} is not one of filter, fields, sort, limit, page, meta"),
                ));
            }
        }
        let fields = words("fields")?;
        Ok(ListQuery {
            filter: map.get("filter").filter(|f| !f.is_null()).cloned(),
            fields: (!fields.is_empty()).then_some(fields),
            sort: words("sort")?,
            limit: number("limit")?,
            page: number("page")?,
            meta: words("meta")?,
        })
    }
}

/// A relation path of `fields`: rows of `target` joined through `target_key` to `local_key`
/// of this table (`author.name`: many-to-one through `authorId`; `books.title`: one-to-many,
/// the target's key pointing at this table's `id`).
struct Link {
    name: String,
    target: String,
    many: bool,
    /// The joining column on this table: the relation key, or `id`.
    local: String,
    /// The joining column on the target: `id`, or its relation key.
    remote: String,
    fields: Vec<String>,
}

impl Link {
    fn local_key(&self) -> String {
        self.local.clone()
    }
}

/// Relation paths of `fields` by relation name: `author.name` → (`author`, [`name`]).
type RelationPaths = Vec<(String, Vec<String>)>;

/// Where a related row keeps its joining key while rows are matched (not a column name).
const JOIN_KEY: &str = "\u{0}key";

/// Splits `fields` into this table's own (`None`: all) and relation paths by relation name.
fn split_fields(fields: Option<&[String]>) -> (Option<Vec<String>>, RelationPaths) {
    let Some(fields) = fields else {
        return (None, Vec::new());
    };
    let mut plain = Vec::new();
    let mut nested: Vec<(String, Vec<String>)> = Vec::new();
    for field in fields {
        match field.split_once('.') {
            None => plain.push(field.clone()),
            Some((relation, rest)) => match nested.iter_mut().find(|(n, _)| n == relation) {
                Some((_, rests)) => rests.push(rest.to_owned()),
                None => nested.push((relation.to_owned(), vec![rest.to_owned()])),
            },
        }
    }
    // Only relation paths asked for: this table's fields are all there, as with no `fields`.
    let plain = if plain.is_empty() { None } else { Some(plain) };
    (plain, nested)
}

/// Comma-separated words, trimmed, empty ones dropped.
pub fn list_of(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub struct Repository<'a> {
    pub db: &'a DatabaseConnection,
    pub table: Arc<TableDef>,
    /// Every table, for relation filters.
    pub tables: &'a HashMap<String, Arc<TableDef>>,
    /// The most rows a list returns and a query materialises.
    pub limits: QueryLimits,
    /// Encrypts and decrypts encrypted columns.
    pub crypto: &'a ColumnCrypto,
    /// The related tables the caller may follow relations into.
    pub reach: &'a dyn TableReach,
}

/// A write the database refused: a unique value taken (409), a related row missing or still
/// referring (400).
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

fn bad_query(message: String) -> HttpError {
    HttpError::bad_request("INVALID_QUERY", message)
}

impl Repository<'_> {
    fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    fn select(&self, columns: &[(String, Kind)]) -> SelectStatement {
        let mut select = Query::select();
        select.from(Alias::new(&self.table.name));
        select.cond_where(self.scope());
        for (name, _) in columns {
            select.expr_as(
                select_expr(&self.table, name, self.backend()),
                Alias::new(name),
            );
        }
        select
    }

    fn column(&self, field: &str) -> Expr {
        Expr::col((
            Alias::new(&self.table.name),
            Alias::new(self.table.sql_name(field)),
        ))
    }

    /// The rows this repository may see: all of a user table's; a system table's view.
    fn scope(&self) -> Condition {
        self.table
            .system
            .scope
            .iter()
            .fold(Condition::all(), |all, (column, value)| {
                all.add(self.column(column).eq(*value))
            })
    }

    /// Row `id`, if it is in scope.
    fn by_id(&self, id: i64) -> Condition {
        self.scope().add(self.column("id").eq(id))
    }

    fn not_found(&self, id: i64) -> HttpError {
        HttpError::not_found(format!("no row {id} in {}", self.table.name))
    }

    /// The condition a filter stands for.
    fn condition(&self, filter: &Value) -> Result<Condition, HttpError> {
        FilterBuilder::new(self.tables, self.backend(), self.reach).condition(&self.table, filter)
    }

    /// Row `id`, or 404.
    pub async fn one(&self, id: i64) -> Result<Value, HttpError> {
        let columns = columns_of(&self.table);
        // `select` already keeps to the scope.
        let statement = self
            .select(&columns)
            .cond_where(self.column("id").eq(id))
            .to_owned();
        let row = self
            .db
            .query_one(self.backend().build(&statement))
            .await?
            .ok_or_else(|| self.not_found(id))?;
        read(&row, &self.table.name, &columns, self.crypto)
    }

    async fn count_where(&self, condition: Option<Condition>) -> Result<i64, HttpError> {
        let mut statement = Query::select();
        statement
            .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("n"))
            .from(Alias::new(&self.table.name))
            .cond_where(self.scope());
        if let Some(condition) = condition {
            statement.cond_where(condition);
        }
        let row = self.db.query_one(self.backend().build(&statement)).await?;
        Ok(row
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0))
    }

    /// How many rows match `filter` (all without one).
    pub async fn count(&self, filter: Option<&Value>) -> Result<i64, HttpError> {
        let condition = filter.map(|f| self.condition(f)).transpose()?;
        self.count_where(condition).await
    }

    /// `{"data": [...], "meta"?: {...}}` for `query`.
    pub async fn find(&self, query: &ListQuery) -> Result<Value, HttpError> {
        if let Some(name) = query
            .meta
            .iter()
            .find(|m| !matches!(m.as_str(), "*" | "totalCount" | "filterCount"))
        {
            return Err(bad_query(format!(
                "meta: {name:?} is not totalCount or filterCount"
            )));
        }
        let limit = match query.limit.unwrap_or(DEFAULT_LIMIT) {
            0 => self.limits.max_limit,
            n => n.min(self.limits.max_limit),
        };
        let page = query.page.unwrap_or(1);
        if page == 0 {
            return Err(bad_query("page starts at 1".into()));
        }
        // Databases take the offset as a signed 64-bit number.
        let offset = (page - 1)
            .checked_mul(limit)
            .filter(|offset| i64::try_from(*offset).is_ok())
            .ok_or_else(|| bad_query(format!("page {page} is past any table's end")))?;
        let condition = query
            .filter
            .as_ref()
            .map(|f| self.condition(f))
            .transpose()?;
        let budget = RowBudget::new(self.limits.max_rows);
        let (data, _) = self
            .rows(
                query.fields.as_deref(),
                &query.sort,
                condition.clone(),
                (limit, offset),
                &budget,
                0,
            )
            .await?;
        let mut out = json!({ "data": data });
        if !query.meta.is_empty() {
            let every = query.meta.iter().any(|m| m == "*");
            let mut meta = Map::new();
            if every || query.meta.iter().any(|m| m == "totalCount") {
                meta.insert("totalCount".into(), self.count_where(None).await?.into());
            }
            if every || query.meta.iter().any(|m| m == "filterCount") {
                meta.insert(
                    "filterCount".into(),
                    self.count_where(condition).await?.into(),
                );
            }
            out["meta"] = Value::Object(meta);
        }
        Ok(out)
    }

    /// The rows `condition` selects, `(limit, offset)` of them in `sort` order, with the
    /// `fields` asked for and the relation paths among them attached; `depth` relations below
    /// the query's own table. Beside each row, how many rows it holds (itself and every related
    /// row attached to it), which is what copying it into a parent costs the `budget`.
    async fn rows(
        &self,
        fields: Option<&[String]>,
        sort: &[String],
        condition: Option<Condition>,
        (limit, offset): (u64, u64),
        budget: &RowBudget,
        depth: usize,
    ) -> Result<(Vec<Value>, Vec<u64>), HttpError> {
        if fields.is_some_and(|f| f.len() > MAX_FIELDS) {
            return Err(bad_query(format!("fields: at most {MAX_FIELDS} entries")));
        }
        if sort.len() > MAX_SORT_KEYS {
            return Err(bad_query(format!("sort: at most {MAX_SORT_KEYS} keys")));
        }
        let all = columns_of(&self.table);
        let (plain, nested) = split_fields(fields);
        let mut columns = match &plain {
            None => all.clone(),
            Some(names) if names.iter().any(|n| n == "*") => all.clone(),
            Some(names) => {
                let mut picked: Vec<(String, Kind)> = Vec::new();
                for name in names {
                    let column = all.iter().find(|(n, _)| n == name).ok_or_else(|| {
                        bad_query(format!(
                            "fields: {name:?} is not a field of {}",
                            self.table.name
                        ))
                    })?;
                    if !picked.iter().any(|(n, _)| n == name) {
                        picked.push(column.clone());
                    }
                }
                picked
            }
        };
        // Relation paths need the keys that join them; those not asked for are dropped later.
        let links = nested
            .iter()
            .map(|(name, fields)| self.link(name, fields.clone(), depth))
            .collect::<Result<Vec<_>, _>>()?;
        let mut helpers = Vec::new();
        for link in &links {
            let key = link.local_key();
            if !columns.iter().any(|(n, _)| *n == key) {
                columns.push((key.clone(), Kind::Integer));
                helpers.push(key);
            }
        }
        let mut statement = self.select(&columns);
        if let Some(condition) = condition {
            statement.cond_where(condition);
        }
        for key in sort {
            let (name, order) = match key.strip_prefix('-') {
                Some(name) => (name, Order::Desc),
                None => (key.as_str(), Order::Asc),
            };
            if !all.iter().any(|(n, _)| n == name) {
                return Err(bad_query(format!(
                    "sort: {name:?} is not a field of {}",
                    self.table.name
                )));
            }
            if let Some(column) = self.table.columns.iter().find(|c| c.name == name) {
                if column.encrypted {
                    return Err(bad_query(format!(
                        "sort: {name} is encrypted: it cannot be sorted on"
                    )));
                }
                if column.column_type == super::ColumnType::Json {
                    return Err(bad_query(format!(
                        "sort: {name} is a json column: it cannot be sorted on"
                    )));
                }
            }
            statement.order_by(
                (
                    Alias::new(&self.table.name),
                    Alias::new(self.table.sql_name(name)),
                ),
                order,
            );
        }
        statement.order_by((Alias::new(&self.table.name), Alias::new("id")), Order::Asc);
        statement.limit(limit).offset(offset);
        let rows = self.db.query_all(self.backend().build(&statement)).await?;
        budget.charge(rows.len() as u64)?;
        let mut data = rows
            .iter()
            .map(|r| read(r, &self.table.name, &columns, self.crypto))
            .collect::<Result<Vec<Value>, _>>()?;
        let mut weights = vec![1; data.len()];
        for link in &links {
            self.attach(link, &mut data, &mut weights, budget, depth)
                .await?;
        }
        for row in &mut data {
            if let Value::Object(fields) = row {
                for key in &helpers {
                    fields.remove(key);
                }
            }
        }
        Ok((data, weights))
    }

    /// The join a relation path of `fields` names, `depth` relations below the query's own
    /// table: a relation of this table, or another table's relation to this one by its
    /// `inverse` name. Following it reads the related table, so the caller must be allowed to.
    fn link(&self, name: &str, fields: Vec<String>, depth: usize) -> Result<Link, HttpError> {
        if depth >= MAX_RELATION_DEPTH {
            return Err(bad_query(format!(
                "fields: a relation path follows at most {MAX_RELATION_DEPTH} relations"
            )));
        }
        let link = if let Some(relation) = self.table.relations.iter().find(|r| r.name == name) {
            Link {
                name: name.to_owned(),
                target: relation.target.clone(),
                many: false,
                local: relation.column(),
                remote: "id".into(),
                fields,
            }
        } else {
            let (other, relation) = self
                .tables
                .values()
                .find_map(|other| {
                    let relation = other.relations.iter().find(|r| {
                        r.target == self.table.name && r.inverse.as_deref() == Some(name)
                    })?;
                    Some((other, relation))
                })
                .ok_or_else(|| {
                    bad_query(format!(
                        "fields: {name:?} is not a relation of {}",
                        self.table.name
                    ))
                })?;
            Link {
                name: name.to_owned(),
                target: other.name.clone(),
                many: true,
                local: "id".into(),
                remote: relation.column(),
                fields,
            }
        };
        self.reach.may_read(&link.target)?;
        Ok(link)
    }

    /// Fetches the related rows of `link` for `rows` in one query and attaches them: an object
    /// (or null) for a many-to-one relation, a list for a one-to-many one. One query fetches
    /// at most [`QueryLimits::max_limit`] related rows; every copy attached counts against the
    /// `budget`, and adds its weight to its parent's.
    async fn attach(
        &self,
        link: &Link,
        rows: &mut [Value],
        weights: &mut [u64],
        budget: &RowBudget,
        depth: usize,
    ) -> Result<(), HttpError> {
        let mut keys: Vec<i64> = rows
            .iter()
            .filter_map(|r| r[&link.local].as_i64())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let target = self.tables.get(&link.target).cloned().ok_or_else(|| {
            bad_query(format!(
                "the related table {} no longer exists",
                link.target
            ))
        })?;
        let (related, related_weights) = if keys.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let asks_remote = link.fields.iter().any(|f| f == &link.remote || f == "*");
            let mut fields = link.fields.clone();
            if !asks_remote {
                fields.push(link.remote.clone());
            }
            let sub = Repository {
                db: self.db,
                table: target,
                tables: self.tables,
                limits: self.limits,
                crypto: self.crypto,
                reach: self.reach,
            };
            let max = self.limits.max_limit;
            let condition = Condition::all().add(
                Expr::col((
                    Alias::new(&sub.table.name),
                    Alias::new(sub.table.sql_name(&link.remote)),
                ))
                .is_in(keys),
            );
            let (mut found, weights) = Box::pin(sub.rows(
                Some(&fields),
                &[],
                Some(condition),
                (max.saturating_add(1), 0),
                budget,
                depth + 1,
            ))
            .await?;
            if found.len() as u64 > max {
                return Err(too_large(format!(
                    "fields: {} relates more than {max} rows to one page \
                     (HOOKLINE_MAX_QUERY_LIMIT); ask for fewer rows",
                    link.name
                )));
            }
            for row in &mut found {
                if let Value::Object(fields) = row {
                    let key = if asks_remote {
                        fields.get(&link.remote).cloned()
                    } else {
                        fields.remove(&link.remote)
                    };
                    fields.insert(JOIN_KEY.into(), key.unwrap_or(Value::Null));
                }
            }
            (found, weights)
        };
        let key_of = |row: &Value| row.get(JOIN_KEY).and_then(Value::as_i64);
        let strip = |row: &Value| {
            let mut row = row.clone();
            if let Value::Object(fields) = &mut row {
                fields.remove(JOIN_KEY);
            }
            row
        };
        for (row, weight) in rows.iter_mut().zip(weights.iter_mut()) {
            let own = row[&link.local].as_i64();
            let matching = related
                .iter()
                .zip(&related_weights)
                .filter(|(r, _)| own.is_some() && key_of(r) == own);
            let value = if link.many {
                let matched: Vec<_> = matching.collect();
                let cost: u64 = matched.iter().map(|(_, w)| **w).sum();
                budget.charge(cost)?;
                *weight += cost;
                Value::Array(matched.into_iter().map(|(r, _)| strip(r)).collect())
            } else {
                match matching.into_iter().next() {
                    Some((r, w)) => {
                        budget.charge(*w)?;
                        *weight += *w;
                        strip(r)
                    }
                    None => Value::Null,
                }
            };
            if let Value::Object(fields) = row {
                fields.insert(link.name.clone(), value);
            }
        }
        Ok(())
    }

    /// The first row `query` finds, if any.
    pub async fn find_one(&self, query: &ListQuery) -> Result<Option<Value>, HttpError> {
        let first = ListQuery {
            limit: Some(1),
            page: Some(1),
            meta: Vec::new(),
            ..query.clone()
        };
        let found = self.find(&first).await?;
        Ok(found["data"]
            .as_array()
            .and_then(|rows| rows.first().cloned()))
    }

    fn now() -> SimpleExpr {
        Expr::val(sea_orm::sea_query::Value::ChronoDateTimeUtc(Some(
            Box::new(chrono::Utc::now()),
        )))
        .into()
    }

    /// Inserts a row from `body` (checked in full) and returns it.
    pub async fn create(&self, body: &Value) -> Result<Value, HttpError> {
        let mut values = writable(&self.table, body, false, self.backend(), self.crypto)?;
        let system = &self.table.system;
        for (column, value) in system.scope.iter().chain(system.insert_defaults) {
            if !values
                .iter()
                .any(|(n, _)| self.table.sql_name(n) == *column)
            {
                values.push(((*column).to_owned(), Expr::val(*value).into()));
            }
        }
        values.push(("createdAt".into(), Self::now()));
        values.push(("updatedAt".into(), Self::now()));
        let columns: Vec<Alias> = values
            .iter()
            .map(|(n, _)| Alias::new(self.table.sql_name(n)))
            .collect();
        let exprs: Vec<_> = values.into_iter().map(|(_, v)| v).collect();
        let statement = Query::insert()
            .into_table(Alias::new(&self.table.name))
            .columns(columns)
            .values(exprs)
            .map_err(HttpError::internal)?
            .returning_col(Alias::new("id"))
            .to_owned();
        let row = self
            .db
            .query_one(self.backend().build(&statement))
            .await
            .map_err(write_error)?
            .ok_or_else(|| HttpError::internal("insert returned no id"))?;
        let id: i64 = row.try_get("", "id")?;
        self.one(id).await
    }

    /// Changes the fields `body` names on row `id` and returns the row.
    pub async fn update(&self, id: i64, body: &Value) -> Result<Value, HttpError> {
        self.update_with(id, body, Vec::new()).await
    }

    /// [`Self::update`], also setting `extra` (column, value) in the same statement.
    pub async fn update_with(
        &self,
        id: i64,
        body: &Value,
        extra: Vec<(String, SimpleExpr)>,
    ) -> Result<Value, HttpError> {
        let mut values = writable(&self.table, body, true, self.backend(), self.crypto)?;
        values.push(("updatedAt".into(), Self::now()));
        values.extend(extra);
        let statement = Query::update()
            .table(Alias::new(&self.table.name))
            .values(
                values
                    .into_iter()
                    .map(|(n, v)| (Alias::new(self.table.sql_name(&n)), v)),
            )
            .cond_where(self.by_id(id))
            .to_owned();
        let done = self
            .db
            .execute(self.backend().build(&statement))
            .await
            .map_err(write_error)?;
        if done.rows_affected() == 0 {
            return Err(self.not_found(id));
        }
        self.one(id).await
    }

    /// Deletes row `id` and returns what it was.
    pub async fn delete(&self, id: i64) -> Result<Value, HttpError> {
        let row = self.one(id).await?;
        let statement = Query::delete()
            .from_table(Alias::new(&self.table.name))
            .cond_where(self.by_id(id))
            .to_owned();
        self.db
            .execute(self.backend().build(&statement))
            .await
            .map_err(write_error)?;
        Ok(row)
    }
}
