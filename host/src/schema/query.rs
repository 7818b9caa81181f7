//! The query language of lists and `repos.find`: `filter` (`{field: {_op: value}}` combined by
//! `_and`, `_or`, `_not`, nested through relations), `fields`, `sort`, `limit`, `page` and
//! `meta`. Every field name is checked against the table's definition and every value bound;
//! nothing from the query is spliced into SQL.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::DbBackend;
use sea_orm::sea_query::{Alias, Condition, Expr, LikeExpr, Query, SimpleExpr};
use serde_json::Value;

use super::model::{ColumnType, TableDef};
use super::reach::{MAX_RELATION_DEPTH, TableReach};
use super::rows::encode;
use crate::error::HttpError;

/// The operators a filter may use.
pub const OPERATORS: [&str; 14] = [
    "_eq",
    "_neq",
    "_gt",
    "_gte",
    "_lt",
    "_lte",
    "_in",
    "_nin",
    "_contains",
    "_starts_with",
    "_ends_with",
    "_between",
    "_is_null",
    "_is_not_null",
];

/// The operators of a `json` column: a JSON document has no order or equality that SQLite and
/// PostgreSQL agree on (PostgreSQL's `json` has no `=` at all), so only its presence is tested.
const JSON_OPERATORS: [&str; 2] = ["_is_null", "_is_not_null"];

/// Most conditions one filter may hold (field operators, relation and logical terms together):
/// a filter becomes one SQL expression, and databases cap an expression's depth (SQLite at
/// 1000), so a larger one would fail there, as a server error, instead of here.
pub const MAX_FILTER_TERMS: usize = 256;

/// Most values one `_in` or `_nin` lists: each is a bound parameter.
pub const MAX_IN_VALUES: usize = 1000;

/// Deepest nesting of `_and`, `_or` and `_not`.
pub const MAX_LOGIC_DEPTH: usize = 16;

fn invalid(message: impl Into<String>) -> HttpError {
    HttpError::bad_request("INVALID_FILTER", message)
}

/// The type of a filterable field of `table`: a column, `id`, a relation key or a timestamp.
fn field_type(table: &TableDef, name: &str) -> Result<Option<ColumnType>, HttpError> {
    if let Some(column) = table.columns.iter().find(|c| c.name == name) {
        if column.encrypted {
            return Err(invalid(format!(
                "{name} is encrypted: it cannot be filtered on"
            )));
        }
        return Ok(Some(column.column_type.clone()));
    }
    if name == "id" || table.relations.iter().any(|r| r.column() == name) {
        return Ok(Some(ColumnType::Bigint));
    }
    if name == "createdAt" || name == "updatedAt" {
        return Ok(Some(ColumnType::Datetime));
    }
    Ok(None)
}

/// Turns a filter into a condition on `table`. `tables` resolves relations; `reach` says which
/// related tables the caller may filter through (a relation filter reads the related table).
pub struct FilterBuilder<'a> {
    pub tables: &'a HashMap<String, Arc<TableDef>>,
    pub backend: DbBackend,
    pub reach: &'a dyn TableReach,
    /// Conditions counted so far, against [`MAX_FILTER_TERMS`].
    terms: Cell<usize>,
}

/// Where in a filter a term sits: how many relations and logical operators enclose it.
#[derive(Debug, Clone, Copy, Default)]
struct Depth {
    relations: usize,
    logic: usize,
}

impl<'a> FilterBuilder<'a> {
    pub fn new(
        tables: &'a HashMap<String, Arc<TableDef>>,
        backend: DbBackend,
        reach: &'a dyn TableReach,
    ) -> Self {
        Self {
            tables,
            backend,
            reach,
            terms: Cell::new(0),
        }
    }

    pub fn condition(&self, table: &TableDef, filter: &Value) -> Result<Condition, HttpError> {
        self.object(table, filter, Depth::default())
    }

    fn count_term(&self) -> Result<(), HttpError> {
        let terms = self.terms.get() + 1;
        self.terms.set(terms);
        if terms > MAX_FILTER_TERMS {
            return Err(invalid(format!(
                "a filter holds at most {MAX_FILTER_TERMS} conditions"
            )));
        }
        Ok(())
    }

    fn object(
        &self,
        table: &TableDef,
        filter: &Value,
        depth: Depth,
    ) -> Result<Condition, HttpError> {
        let Value::Object(entries) = filter else {
            return Err(invalid("a filter is a JSON object"));
        };
        let mut all = Condition::all();
        for (key, value) in entries {
            self.count_term()?;
            all = all.add(self.entry(table, key, value, depth)?);
        }
        Ok(all)
    }

    /// The depth inside one more `_and`, `_or` or `_not`.
    fn logic(depth: Depth) -> Result<Depth, HttpError> {
        if depth.logic >= MAX_LOGIC_DEPTH {
            return Err(invalid(format!(
                "_and, _or and _not nest at most {MAX_LOGIC_DEPTH} deep"
            )));
        }
        Ok(Depth {
            logic: depth.logic + 1,
            ..depth
        })
    }

    /// The depth inside one more relation, if the caller may read its table.
    fn through(&self, depth: Depth, target: &str) -> Result<Depth, HttpError> {
        if depth.relations >= MAX_RELATION_DEPTH {
            return Err(invalid(format!(
                "relation filters nest at most {MAX_RELATION_DEPTH} deep"
            )));
        }
        self.reach.may_read(target)?;
        Ok(Depth {
            relations: depth.relations + 1,
            ..depth
        })
    }

    fn list<'v>(value: &'v Value, key: &str) -> Result<&'v Vec<Value>, HttpError> {
        value
            .as_array()
            .ok_or_else(|| invalid(format!("{key} takes a list of filters")))
    }

    fn entry(
        &self,
        table: &TableDef,
        key: &str,
        value: &Value,
        depth: Depth,
    ) -> Result<Condition, HttpError> {
        match key {
            "_and" => {
                let inner = Self::logic(depth)?;
                Self::list(value, key)?
                    .iter()
                    .try_fold(Condition::all(), |c, f| {
                        Ok(c.add(self.object(table, f, inner)?))
                    })
            }
            "_or" => {
                let inner = Self::logic(depth)?;
                Self::list(value, key)?
                    .iter()
                    .try_fold(Condition::any(), |c, f| {
                        Ok(c.add(self.object(table, f, inner)?))
                    })
            }
            "_not" => Ok(self.object(table, value, Self::logic(depth)?)?.not()),
            _ => {
                if let Some(column_type) = field_type(table, key)? {
                    return self.operators(table, key, &column_type, value);
                }
                if let Some(relation) = table.relations.iter().find(|r| r.name == key) {
                    let target = self.table(&relation.target)?;
                    let inner_depth = self.through(depth, &target.name)?;
                    let inner = Query::select()
                        .column((Alias::new(&target.name), Alias::new("id")))
                        .from(Alias::new(&target.name))
                        .cond_where(self.object(&target, value, inner_depth)?)
                        .to_owned();
                    return Ok(Condition::all().add(
                        Expr::col((Alias::new(&table.name), Alias::new(relation.column())))
                            .in_subquery(inner),
                    ));
                }
                // The one-to-many side: another table's relation to this one, by its inverse.
                for other in self.tables.values() {
                    if let Some(relation) = other
                        .relations
                        .iter()
                        .find(|r| r.target == table.name && r.inverse.as_deref() == Some(key))
                    {
                        let inner_depth = self.through(depth, &other.name)?;
                        // Rows without the relation (a NULL key) point at no row here: left
                        // in, `id NOT IN (…, NULL)` would be unknown for every row under `_not`.
                        let key =
                            Expr::col((Alias::new(&other.name), Alias::new(relation.column())));
                        let inner = Query::select()
                            .column((Alias::new(&other.name), Alias::new(relation.column())))
                            .from(Alias::new(&other.name))
                            .cond_where(self.object(other, value, inner_depth)?)
                            .and_where(key.is_not_null())
                            .to_owned();
                        return Ok(Condition::all().add(
                            Expr::col((Alias::new(&table.name), Alias::new("id")))
                                .in_subquery(inner),
                        ));
                    }
                }
                Err(invalid(format!(
                    "{key:?} is not a field or relation of {}",
                    table.name
                )))
            }
        }
    }

    fn table(&self, name: &str) -> Result<Arc<TableDef>, HttpError> {
        self.tables
            .get(name)
            .cloned()
            .ok_or_else(|| invalid(format!("the related table {name} no longer exists")))
    }

    fn operators(
        &self,
        table: &TableDef,
        field: &str,
        column_type: &ColumnType,
        ops: &Value,
    ) -> Result<Condition, HttpError> {
        let Value::Object(ops) = ops else {
            return Err(invalid(format!(
                "{field}: give operators, e.g. {{\"_eq\": value}}; supported: {}",
                OPERATORS.join(", ")
            )));
        };
        let column = Expr::col((Alias::new(&table.name), Alias::new(table.sql_name(field))));
        let mut all = Condition::all();
        for (op, operand) in ops {
            self.count_term()?;
            if *column_type == ColumnType::Json && !JSON_OPERATORS.contains(&op.as_str()) {
                return Err(invalid(format!(
                    "{field} is a json column: it takes only {}",
                    JSON_OPERATORS.join(" and ")
                )));
            }
            let value = |v: &Value| -> Result<SimpleExpr, HttpError> {
                if column_type.accepts(v)
                    || (matches!(column_type, ColumnType::Enum { .. }) && v.is_string())
                {
                    Ok(encode(column_type, v, self.backend))
                } else {
                    Err(invalid(format!(
                        "{field} {op}: {v} is not a {} value",
                        column_type.label()
                    )))
                }
            };
            let text = || -> Result<String, HttpError> {
                let textual = matches!(
                    column_type,
                    ColumnType::Varchar { .. } | ColumnType::Text | ColumnType::Enum { .. }
                );
                match operand.as_str() {
                    Some(s) if textual => Ok(s
                        .replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")),
                    _ => Err(invalid(format!(
                        "{field} {op}: takes a string, on a text column"
                    ))),
                }
            };
            let flag = || -> Result<bool, HttpError> {
                operand
                    .as_bool()
                    .ok_or_else(|| invalid(format!("{field} {op}: takes true or false")))
            };
            let expr: SimpleExpr = match op.as_str() {
                "_eq" => column.clone().eq(value(operand)?),
                "_neq" => column.clone().ne(value(operand)?),
                "_gt" => column.clone().gt(value(operand)?),
                "_gte" => column.clone().gte(value(operand)?),
                "_lt" => column.clone().lt(value(operand)?),
                "_lte" => column.clone().lte(value(operand)?),
                "_in" | "_nin" => {
                    let items = operand
                        .as_array()
                        .ok_or_else(|| invalid(format!("{field} {op}: takes a list")))?;
                    if items.len() > MAX_IN_VALUES {
                        return Err(invalid(format!(
                            "{field} {op}: takes at most {MAX_IN_VALUES} values"
                        )));
                    }
                    let values = items.iter().map(value).collect::<Result<Vec<_>, _>>()?;
                    if op == "_in" {
                        column.clone().is_in(values)
                    } else {
                        column.clone().is_not_in(values)
                    }
                }
                "_between" => match operand.as_array().map(Vec::as_slice) {
                    Some([low, high]) => column.clone().between(value(low)?, value(high)?),
                    _ => return Err(invalid(format!("{field} _between: takes [low, high]"))),
                },
                "_contains" => column
                    .clone()
                    .like(LikeExpr::new(format!("%{}%", text()?)).escape('\\')),
                "_starts_with" => column
                    .clone()
                    .like(LikeExpr::new(format!("{}%", text()?)).escape('\\')),
                "_ends_with" => column
                    .clone()
                    .like(LikeExpr::new(format!("%{}", text()?)).escape('\\')),
                "_is_null" => {
                    if flag()? {
                        column.clone().is_null()
                    } else {
                        column.clone().is_not_null()
                    }
                }
                "_is_not_null" => {
                    if flag()? {
                        column.clone().is_not_null()
                    } else {
                        column.clone().is_null()
                    }
                }
                other => {
                    return Err(invalid(format!(
                        "{field}: unsupported operator {other:?}; supported: {}",
                        OPERATORS.join(", ")
                    )));
                }
            };
            all = all.add(expr);
        }
        Ok(all)
    }
}
