//! Rows of user tables as JSON: checking a request body against a table's columns (400
//! `VALIDATION_ERROR` with a message per field), turning JSON values into bound SQL values, and
//! reading rows back into JSON the same way on SQLite and PostgreSQL.

use sea_orm::sea_query::{Alias, Expr, Keyword, SimpleExpr, Value as SqlValue};
use sea_orm::{DbBackend, QueryResult};
use serde_json::{Map, Value};

use super::crypto::ColumnCrypto;
use super::model::{ColumnType, TableDef};
use crate::error::HttpError;

/// How a selected column is read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Number,
    Boolean,
    Text,
    Timestamp,
    Json,
    /// Ciphertext of a text value, or of a JSON document when `json`.
    Encrypted {
        json: bool,
    },
}

impl Kind {
    pub fn of(column_type: &ColumnType) -> Kind {
        match column_type {
            ColumnType::Int | ColumnType::Bigint => Kind::Integer,
            ColumnType::Float | ColumnType::Decimal => Kind::Number,
            ColumnType::Boolean => Kind::Boolean,
            ColumnType::Varchar { .. }
            | ColumnType::Text
            | ColumnType::Enum { .. }
            | ColumnType::Uuid
            | ColumnType::Date => Kind::Text,
            ColumnType::Datetime => Kind::Timestamp,
            ColumnType::Json => Kind::Json,
        }
    }
}

/// Every column of `table` in row order, with how to read it: `id`, the columns, the
/// relations' keys, `createdAt`, `updatedAt`.
pub fn columns_of(table: &TableDef) -> Vec<(String, Kind)> {
    let mut out = vec![("id".to_owned(), Kind::Integer)];
    out.extend(table.columns.iter().map(|c| {
        let kind = if c.encrypted {
            Kind::Encrypted {
                json: c.column_type == ColumnType::Json,
            }
        } else {
            Kind::of(&c.column_type)
        };
        (c.name.clone(), kind)
    }));
    out.extend(table.relations.iter().map(|r| (r.column(), Kind::Integer)));
    out.push(("createdAt".into(), Kind::Timestamp));
    out.push(("updatedAt".into(), Kind::Timestamp));
    out
}

/// The expression that selects column `name` so that [`read`] can decode it on `backend`:
/// PostgreSQL's uuid, date, numeric and json types are read as text.
pub fn select_expr(table: &TableDef, name: &str, backend: DbBackend) -> SimpleExpr {
    let column = Expr::col((Alias::new(&table.name), Alias::new(table.sql_name(name))));
    let needs_text = backend == DbBackend::Postgres
        && table.columns.iter().any(|c| {
            c.name == name
                && !c.encrypted
                && matches!(
                    c.column_type,
                    ColumnType::Uuid | ColumnType::Date | ColumnType::Json | ColumnType::Decimal
                )
        });
    if needs_text {
        column.cast_as(Alias::new("text"))
    } else {
        column.into()
    }
}

fn read_one(row: &QueryResult, name: &str, kind: Kind) -> Value {
    let get = |r: &QueryResult| -> Option<Value> {
        match kind {
            // PostgreSQL's int is 4 bytes, bigint 8; SQLite has one integer type.
            Kind::Integer => match r.try_get::<Option<i64>>("", name) {
                Ok(v) => Some(v.map_or(Value::Null, Value::from)),
                Err(_) => Some(
                    r.try_get::<Option<i32>>("", name)
                        .ok()?
                        .map_or(Value::Null, Value::from),
                ),
            },
            Kind::Number => match r.try_get::<Option<f64>>("", name) {
                Ok(v) => Some(v.map_or(Value::Null, Value::from)),
                Err(_) => match r.try_get::<Option<i64>>("", name) {
                    Ok(v) => Some(v.map_or(Value::Null, |i| Value::from(i as f64))),
                    Err(_) => Some(
                        r.try_get::<Option<String>>("", name)
                            .ok()?
                            .and_then(|s| s.parse::<f64>().ok())
                            .map_or(Value::Null, Value::from),
                    ),
                },
            },
            Kind::Boolean => match r.try_get::<Option<bool>>("", name) {
                Ok(v) => Some(v.map_or(Value::Null, Value::from)),
                Err(_) => Some(
                    r.try_get::<Option<i64>>("", name)
                        .ok()?
                        .map_or(Value::Null, |i| Value::from(i != 0)),
                ),
            },
            Kind::Text => Some(
                r.try_get::<Option<String>>("", name)
                    .ok()?
                    .map_or(Value::Null, Value::from),
            ),
            Kind::Timestamp => match r.try_get::<Option<chrono::DateTime<chrono::Utc>>>("", name) {
                Ok(v) => Some(v.map_or(Value::Null, |t| {
                    Value::from(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                })),
                Err(_) => Some(
                    r.try_get::<Option<String>>("", name)
                        .ok()?
                        .map_or(Value::Null, Value::from),
                ),
            },
            // Decrypted by `read`, which knows the table.
            Kind::Encrypted { .. } => Some(
                r.try_get::<Option<String>>("", name)
                    .ok()?
                    .map_or(Value::Null, Value::from),
            ),
            Kind::Json => Some(
                r.try_get::<Option<String>>("", name)
                    .ok()?
                    .map_or(Value::Null, |s| {
                        serde_json::from_str(&s).unwrap_or(Value::String(s))
                    }),
            ),
        }
    };
    get(row).unwrap_or(Value::Null)
}

/// A row of `table` as JSON, its columns in `columns` order, encrypted ones decrypted; a value
/// that does not decrypt (written under a secret the server no longer has) is a 500.
pub fn read(
    row: &QueryResult,
    table: &str,
    columns: &[(String, Kind)],
    crypto: &ColumnCrypto,
) -> Result<Value, HttpError> {
    let mut out = Map::new();
    for (name, kind) in columns {
        let mut value = read_one(row, name, *kind);
        if let (Kind::Encrypted { json }, Value::String(stored)) = (kind, &value) {
            let plain = crypto.decrypt(table, name, stored).ok_or_else(|| {
                tracing::error!(table, column = %name, "an encrypted value does not decrypt");
                HttpError::new(
                    500,
                    "DECRYPTION_FAILED",
                    format!("{table}.{name} holds a value this server cannot decrypt"),
                )
            })?;
            value = if *json {
                serde_json::from_str(&plain).unwrap_or(Value::String(plain))
            } else {
                Value::String(plain)
            };
        }
        out.insert(name.clone(), value);
    }
    Ok(Value::Object(out))
}

fn null() -> SimpleExpr {
    SimpleExpr::Keyword(Keyword::Null)
}

/// A checked JSON value of `column_type` as a bound SQL value (PostgreSQL gets the casts its
/// typed parameters need).
pub fn encode(column_type: &ColumnType, value: &Value, backend: DbBackend) -> SimpleExpr {
    let postgres = backend == DbBackend::Postgres;
    let text = |s: String, cast: &str| {
        let expr = Expr::val(s);
        if postgres {
            expr.cast_as(Alias::new(cast))
        } else {
            expr.into()
        }
    };
    match (column_type, value) {
        (_, Value::Null) => null(),
        (ColumnType::Int, v) => Expr::val(SqlValue::Int(v.as_i64().map(|i| i as i32))).into(),
        (ColumnType::Bigint, v) => Expr::val(SqlValue::BigInt(v.as_i64())).into(),
        (ColumnType::Float | ColumnType::Decimal, v) => {
            Expr::val(SqlValue::Double(v.as_f64())).into()
        }
        (ColumnType::Boolean, v) => Expr::val(SqlValue::Bool(v.as_bool())).into(),
        (ColumnType::Uuid, v) => text(v.as_str().unwrap_or_default().to_owned(), "uuid"),
        (ColumnType::Date, v) => text(v.as_str().unwrap_or_default().to_owned(), "date"),
        (ColumnType::Datetime, v) => {
            let at = chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_default())
                .map(|t| t.with_timezone(&chrono::Utc))
                .ok();
            Expr::val(SqlValue::ChronoDateTimeUtc(at.map(Box::new))).into()
        }
        (ColumnType::Json, v) => text(v.to_string(), "json"),
        (ColumnType::Varchar { .. } | ColumnType::Text | ColumnType::Enum { .. }, v) => {
            Expr::val(v.as_str().unwrap_or_default().to_owned()).into()
        }
    }
}

/// Checks `body` against `table` and returns the values to write, by column. `partial` (an
/// update) does not require the required columns. Unknown fields, system columns, wrong types
/// and missing required values are each reported under their field name.
pub fn writable(
    table: &TableDef,
    body: &Value,
    partial: bool,
    backend: DbBackend,
    crypto: &ColumnCrypto,
) -> Result<Vec<(String, SimpleExpr)>, HttpError> {
    let Value::Object(fields) = body else {
        return Err(HttpError::bad_request(
            "VALIDATION_ERROR",
            "the body must be a JSON object",
        ));
    };
    let mut errors = Map::new();
    let mut values = Vec::new();
    for (name, value) in fields {
        if let Some(column) = table.columns.iter().find(|c| &c.name == name) {
            if value.is_null() {
                if column.nullable {
                    values.push((name.clone(), null()));
                } else {
                    errors.insert(name.clone(), "must not be null".into());
                }
            } else if column.column_type.accepts(value) && column.encrypted {
                let plain = match value {
                    Value::String(s) if column.column_type != ColumnType::Json => s.clone(),
                    other => other.to_string(),
                };
                let sealed = crypto.encrypt(&table.name, &column.name, &plain);
                values.push((name.clone(), Expr::val(sealed).into()));
            } else if column.column_type.accepts(value) {
                values.push((name.clone(), encode(&column.column_type, value, backend)));
            } else {
                let expected = match &column.column_type {
                    ColumnType::Enum { options } => format!("one of {}", options.join(", ")),
                    other => format!("a {} value", other.label()),
                };
                errors.insert(name.clone(), format!("must be {expected}").into());
            }
        } else if let Some(relation) = table
            .relations
            .iter()
            .find(|r| &r.name == name || &r.column() == name)
        {
            // `author` and `authorId` are two spellings of one column: a write names it once.
            if values
                .iter()
                .any(|(column, _)| *column == relation.column())
                || (errors.contains_key(&relation.name) || errors.contains_key(&relation.column()))
            {
                errors.insert(
                    name.clone(),
                    format!(
                        "is given twice, as {} and {}: give one",
                        relation.name,
                        relation.column()
                    )
                    .into(),
                );
                continue;
            }
            match value {
                Value::Null if relation.nullable => values.push((relation.column(), null())),
                Value::Null => {
                    errors.insert(name.clone(), "must not be null".into());
                }
                Value::Number(n) if n.as_i64().is_some() => values.push((
                    relation.column(),
                    Expr::val(SqlValue::BigInt(n.as_i64())).into(),
                )),
                _ => {
                    errors.insert(
                        name.clone(),
                        format!("must be the id of a row of {}", relation.target).into(),
                    );
                }
            }
        } else if super::model::SYSTEM_COLUMNS.contains(&name.as_str()) {
            errors.insert(name.clone(), "is set by the server".into());
        } else {
            errors.insert(name.clone(), "is not a field of this table".into());
        }
    }
    if !partial {
        for column in &table.columns {
            if !column.nullable && column.default.is_none() && !fields.contains_key(&column.name) {
                errors.insert(column.name.clone(), "is required".into());
            }
        }
        for relation in table.relations.iter().filter(|r| !r.nullable) {
            if !fields.contains_key(&relation.name) && !fields.contains_key(&relation.column()) {
                errors.insert(relation.name.clone(), "is required".into());
            }
        }
    }
    if !errors.is_empty() {
        return Err(HttpError::bad_request(
            "VALIDATION_ERROR",
            format!("{} field(s) are invalid", errors.len()),
        )
        .with_details(Value::Object(errors)));
    }
    Ok(values)
}
