//! The query language of lists and `repos.find`: `filter` (`{field: {_op: value}}` combined by
//! `_and`, `_or`, `_not`, nested through relations), `fields`, `sort`, `limit`, `page` and
//! `meta`. Every field name is checked against the table's definition and every value bound;
//! nothing from the query is spliced into SQL.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::DbBackend;
use sea_orm::sea_query::{Alias, Condition, Expr, LikeExpr, Query, SimpleExpr};
use serde_json::Value;

use super::model::{ColumnType, TableDef};
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

/// Deepest nesting of relation filters.
const MAX_DEPTH: usize = 4;

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

/// Turns a filter into a condition on `table`. `tables` resolves relations.
pub struct FilterBuilder<'a> {
    pub tables: &'a HashMap<String, Arc<TableDef>>,
    pub backend: DbBackend,
}

impl FilterBuilder<'_> {
    pub fn condition(&self, table: &TableDef, filter: &Value) -> Result<Condition, HttpError> {
        self.object(table, filter, 0)
    }

    fn object(
        &self,
        table: &TableDef,
        filter: &Value,
        depth: usize,
    ) -> Result<Condition, HttpError> {
        let Value::Object(entries) = filter else {
            return Err(invalid("a filter is a JSON object"));
        };
        let mut all = Condition::all();
        for (key, value) in entries {
            all = all.add(self.entry(table, key, value, depth)?);
        }
        Ok(all)
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
        depth: usize,
    ) -> Result<Condition, HttpError> {
        match key {
            "_and" => Self::list(value, key)?
                .iter()
                .try_fold(Condition::all(), |c, f| {
                    Ok(c.add(self.object(table, f, depth)?))
                }),
            "_or" => Self::list(value, key)?
                .iter()
                .try_fold(Condition::any(), |c, f| {
                    Ok(c.add(self.object(table, f, depth)?))
                }),
            "_not" => Ok(self.object(table, value, depth)?.not()),
            _ => {
                if let Some(column_type) = field_type(table, key)? {
                    return self.operators(table, key, &column_type, value);
                }
                if depth >= MAX_DEPTH {
                    return Err(invalid(format!(
                        "relation filters nest at most {MAX_DEPTH} deep"
                    )));
                }
                if let Some(relation) = table.relations.iter().find(|r| r.name == key) {
                    let target = self.table(&relation.target)?;
                    let inner = Query::select()
                        .column((Alias::new(&target.name), Alias::new("id")))
                        .from(Alias::new(&target.name))
                        .cond_where(self.object(&target, value, depth + 1)?)
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
                        let inner = Query::select()
                            .column((Alias::new(&other.name), Alias::new(relation.column())))
                            .from(Alias::new(&other.name))
                            .cond_where(self.object(other, value, depth + 1)?)
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
