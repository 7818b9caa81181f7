//! User table definitions: what a table is made of, parsed and validated from the admin API's
//! JSON. Every name that reaches SQL is checked here against a strict identifier pattern, and
//! the DDL quotes it, so no input can change the statement's shape.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Longest varchar a column may declare.
pub const MAX_VARCHAR: u32 = 65_535;

/// Tables Hookline owns, and names that would collide with its HTTP paths or the databases'
/// own catalogs; a user table may not take them.
const RESERVED_TABLES: [&str; 17] = [
    "users",
    "roles",
    "organizations",
    "sessions",
    "route_permissions",
    "guards",
    "plugins",
    "plugin_versions",
    "routes",
    "hooks",
    "table_definitions",
    "seaql_migrations",
    "admin",
    "auth",
    "me",
    "health",
    "ready",
];

/// Columns every table has, added by Hookline.
pub const SYSTEM_COLUMNS: [&str; 3] = ["id", "createdAt", "updatedAt"];

/// A column's type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ColumnType {
    Int,
    Bigint,
    Float,
    Decimal,
    Varchar { length: u32 },
    Text,
    Boolean,
    Uuid,
    Date,
    Datetime,
    Json,
    Enum { options: Vec<String> },
}

impl ColumnType {
    /// The type as the API writes it: `int`, `varchar(255)`, `enum`, ...
    pub fn label(&self) -> String {
        match self {
            ColumnType::Int => "int".into(),
            ColumnType::Bigint => "bigint".into(),
            ColumnType::Float => "float".into(),
            ColumnType::Decimal => "decimal".into(),
            ColumnType::Varchar { length } => format!("varchar({length})"),
            ColumnType::Text => "text".into(),
            ColumnType::Boolean => "boolean".into(),
            ColumnType::Uuid => "uuid".into(),
            ColumnType::Date => "date".into(),
            ColumnType::Datetime => "datetime".into(),
            ColumnType::Json => "json".into(),
            ColumnType::Enum { .. } => "enum".into(),
        }
    }

    fn parse(text: &str, options: Option<Vec<String>>) -> Result<Self, String> {
        let text = text.trim().to_ascii_lowercase();
        if let Some(length) = text
            .strip_prefix("varchar(")
            .and_then(|rest| rest.strip_suffix(')'))
        {
            let length: u32 = length
                .trim()
                .parse()
                .map_err(|_| format!("varchar length {length:?} is not a number"))?;
            if !(1..=MAX_VARCHAR).contains(&length) {
                return Err(format!("varchar length must be 1 to {MAX_VARCHAR}"));
            }
            return Ok(ColumnType::Varchar { length });
        }
        let parsed = match text.as_str() {
            "int" => ColumnType::Int,
            "bigint" => ColumnType::Bigint,
            "float" => ColumnType::Float,
            "decimal" => ColumnType::Decimal,
            "varchar" => ColumnType::Varchar { length: 255 },
            "text" => ColumnType::Text,
            "boolean" => ColumnType::Boolean,
            "uuid" => ColumnType::Uuid,
            "date" => ColumnType::Date,
            "datetime" => ColumnType::Datetime,
            "json" => ColumnType::Json,
            "enum" => {
                let options = options.unwrap_or_default();
                if options.is_empty() || options.iter().any(|o| o.is_empty() || o.len() > 255) {
                    return Err("an enum needs `options`: 1 or more non-empty strings".into());
                }
                let mut unique = options.clone();
                unique.sort();
                unique.dedup();
                if unique.len() != options.len() {
                    return Err("enum options must be distinct".into());
                }
                return Ok(ColumnType::Enum { options });
            }
            other => {
                return Err(format!(
                    "unknown type {other:?}; types: int, bigint, float, decimal, varchar(n), \
                     text, boolean, uuid, date, datetime, json, enum"
                ));
            }
        };
        if options.is_some() {
            return Err("`options` is only for enum columns".into());
        }
        Ok(parsed)
    }

    /// Whether `value` is a valid value of this type (JSON as the API takes it).
    pub fn accepts(&self, value: &Value) -> bool {
        match (self, value) {
            (ColumnType::Int, Value::Number(n)) => {
                n.as_i64().is_some_and(|v| i32::try_from(v).is_ok())
            }
            (ColumnType::Bigint, Value::Number(n)) => n.as_i64().is_some(),
            (ColumnType::Float | ColumnType::Decimal, Value::Number(_)) => true,
            (ColumnType::Varchar { length }, Value::String(s)) => {
                s.chars().count() <= *length as usize
            }
            (ColumnType::Text, Value::String(_)) => true,
            (ColumnType::Boolean, Value::Bool(_)) => true,
            (ColumnType::Uuid, Value::String(s)) => uuid::Uuid::parse_str(s).is_ok(),
            (ColumnType::Date, Value::String(s)) => {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
            }
            (ColumnType::Datetime, Value::String(s)) => {
                chrono::DateTime::parse_from_rfc3339(s).is_ok()
            }
            (ColumnType::Json, _) => true,
            (ColumnType::Enum { options }, Value::String(s)) => options.contains(s),
            _ => false,
        }
    }
}

/// What `onDelete` does to the rows pointing at a deleted row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnDelete {
    Cascade,
    Restrict,
    #[serde(rename = "set null")]
    SetNull,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    pub nullable: bool,
    pub unique: bool,
    pub default: Option<Value>,
    pub encrypted: bool,
}

/// A many-to-one relation: the column `<name>Id` holds the id of a row of `target`; `inverse`
/// names the one-to-many side on the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Relation {
    pub name: String,
    pub target: String,
    pub on_delete: OnDelete,
    pub nullable: bool,
    pub inverse: Option<String>,
}

impl Relation {
    /// The foreign-key column.
    pub fn column(&self) -> String {
        format!("{}Id", self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableDef {
    pub name: String,
    pub columns: Vec<Column>,
    pub relations: Vec<Relation>,
    /// How a system table's fields sit on its columns; empty for user tables (see
    /// [`crate::schema::system`]).
    #[serde(skip)]
    pub system: SystemView,
}

/// A system table shown to hooks as if it were a user table: field names mapped onto its
/// columns, and the rows hooks never see kept out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemView {
    /// `(field, column)` for the fields whose column is named differently.
    pub renames: &'static [(&'static str, &'static str)],
    /// `(column, value)`: only rows holding these values are visible, and an insert sets them.
    pub scope: &'static [(&'static str, bool)],
    /// `(column, value)`: what an insert sets when the body does not name the field.
    pub insert_defaults: &'static [(&'static str, bool)],
}

impl TableDef {
    /// The column field `name` is stored in.
    pub fn sql_name<'a>(&self, name: &'a str) -> &'a str {
        self.system
            .renames
            .iter()
            .find(|(field, _)| *field == name)
            .map_or(name, |(_, column)| *column)
    }

    /// Every column name in use, the system ones and the relations' keys included.
    pub fn column_names(&self) -> Vec<String> {
        SYSTEM_COLUMNS
            .iter()
            .map(|c| (*c).to_owned())
            .chain(self.columns.iter().map(|c| c.name.clone()))
            .chain(self.relations.iter().map(Relation::column))
            .collect()
    }
}

/// A column as the API takes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnInput {
    name: String,
    #[serde(rename = "type")]
    column_type: String,
    options: Option<Vec<String>>,
    nullable: Option<bool>,
    unique: Option<bool>,
    default: Option<Value>,
    encrypted: Option<bool>,
}

/// A relation as the API takes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RelationInput {
    name: String,
    target: String,
    on_delete: Option<OnDelete>,
    nullable: Option<bool>,
    inverse: Option<String>,
}

/// A table name: lower-case letters, digits and `_`, starting with a letter or `_`, at most
/// 63 bytes (PostgreSQL's limit), and not reserved.
pub fn check_table_name(name: &str) -> Result<(), String> {
    let shaped = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !shaped {
        return Err(format!(
            "{name:?} is not a table name: lower-case letters, digits and _, at most 63, not starting with a digit"
        ));
    }
    if RESERVED_TABLES.contains(&name) || name.starts_with("sqlite_") || name.starts_with("pg_") {
        return Err(format!("{name:?} is reserved"));
    }
    Ok(())
}

/// A column or relation name: letters, digits and `_`, starting with a letter or `_`, at most
/// 60 bytes (room for a relation's `Id`).
pub fn check_column_name(name: &str) -> Result<(), String> {
    let shaped = !name.is_empty()
        && name.len() <= 60
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !shaped {
        return Err(format!(
            "{name:?} is not a column name: letters, digits and _, at most 60, not starting with a digit"
        ));
    }
    Ok(())
}

impl ColumnInput {
    pub fn parse(self) -> Result<Column, String> {
        check_column_name(&self.name)?;
        if SYSTEM_COLUMNS.contains(&self.name.as_str()) {
            return Err(format!("{:?} is added by Hookline", self.name));
        }
        let column_type = ColumnType::parse(&self.column_type, self.options)
            .map_err(|e| format!("column {}: {e}", self.name))?;
        let encrypted = self.encrypted.unwrap_or(false);
        let unique = self.unique.unwrap_or(false);
        if encrypted
            && !matches!(
                column_type,
                ColumnType::Text | ColumnType::Varchar { .. } | ColumnType::Json
            )
        {
            return Err(format!(
                "column {}: only text, varchar and json columns can be encrypted",
                self.name
            ));
        }
        if encrypted && unique {
            return Err(format!(
                "column {}: an encrypted column cannot be unique (its ciphertext is random)",
                self.name
            ));
        }
        let default = self.default.filter(|d| !d.is_null());
        if let Some(default) = &default {
            if encrypted {
                return Err(format!(
                    "column {}: an encrypted column has no default",
                    self.name
                ));
            }
            if !column_type.accepts(default) || matches!(column_type, ColumnType::Json) {
                return Err(format!(
                    "column {}: default {default} is not a {} value",
                    self.name,
                    column_type.label()
                ));
            }
        }
        Ok(Column {
            name: self.name,
            column_type,
            nullable: self.nullable.unwrap_or(true),
            unique,
            default,
            encrypted,
        })
    }
}

impl RelationInput {
    pub fn parse(self) -> Result<Relation, String> {
        check_column_name(&self.name)?;
        check_table_name(&self.target).map_err(|e| format!("relation {}: {e}", self.name))?;
        if let Some(inverse) = &self.inverse {
            check_column_name(inverse)?;
        }
        let on_delete = self.on_delete.unwrap_or(OnDelete::Restrict);
        let nullable = self.nullable.unwrap_or(true);
        if on_delete == OnDelete::SetNull && !nullable {
            return Err(format!(
                "relation {}: onDelete \"set null\" needs a nullable relation",
                self.name
            ));
        }
        Ok(Relation {
            name: self.name,
            target: self.target,
            on_delete,
            nullable,
            inverse: self.inverse,
        })
    }
}

/// Checks that no two columns or relations of `table` share a name.
pub fn check_distinct(table: &TableDef) -> Result<(), String> {
    let mut names = table.column_names();
    names.sort();
    for pair in names.windows(2) {
        if pair[0] == pair[1] {
            return Err(format!("{:?} is defined twice", pair[0]));
        }
    }
    let mut relations: Vec<&str> = table.relations.iter().map(|r| r.name.as_str()).collect();
    relations.extend(table.columns.iter().map(|c| c.name.as_str()));
    relations.sort_unstable();
    if relations.windows(2).any(|p| p[0] == p[1]) {
        return Err("a relation and a column share a name".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn column(value: Value) -> Result<Column, String> {
        serde_json::from_value::<ColumnInput>(value)
            .map_err(|e| e.to_string())?
            .parse()
    }

    #[test]
    fn types_parse_and_check_values() {
        let name = column(json!({"name": "name", "type": "varchar(3)", "default": "abc"})).unwrap();
        assert_eq!(name.column_type, ColumnType::Varchar { length: 3 });
        assert!(column(json!({"name": "name", "type": "varchar(3)", "default": "abcd"})).is_err());
        assert!(column(json!({"name": "n", "type": "varchar(0)"})).is_err());
        assert!(column(json!({"name": "n", "type": "money"})).is_err());
        let status = column(
            json!({"name": "status", "type": "enum", "options": ["a", "b"], "default": "a"}),
        )
        .unwrap();
        assert!(status.column_type.accepts(&json!("b")));
        assert!(!status.column_type.accepts(&json!("c")));
        assert!(column(json!({"name": "s", "type": "enum"})).is_err());
        assert!(column(json!({"name": "s", "type": "int", "options": ["a"]})).is_err());
        assert!(
            ColumnType::Int.accepts(&json!(5))
                && !ColumnType::Int.accepts(&json!(5_000_000_000i64))
        );
        assert!(
            ColumnType::Date.accepts(&json!("2026-11-21"))
                && !ColumnType::Date.accepts(&json!("21/11/2026"))
        );
        assert!(ColumnType::Uuid.accepts(&json!("67e55044-10b1-426f-9247-bb680e5fe0c8")));
    }

    #[test]
    fn names_are_strict_identifiers() {
        for bad in [
            "",
            "Users",
            "1abc",
            "a-b",
            "a b",
            "users",
            "sqlite_master",
            "pg_class",
            "x\"; drop",
        ] {
            assert!(check_table_name(bad).is_err(), "{bad}");
        }
        assert!(check_table_name("blog_posts2").is_ok());
        for bad in ["", "1a", "a-b", "a\"b", "a b"] {
            assert!(check_column_name(bad).is_err(), "{bad}");
        }
        assert!(column(json!({"name": "id", "type": "int"})).is_err());
        assert!(column(json!({"name": "createdAt", "type": "datetime"})).is_err());
    }

    #[test]
    fn encrypted_columns_are_text_without_unique_or_default() {
        assert!(column(json!({"name": "ssn", "type": "text", "encrypted": true})).is_ok());
        assert!(column(json!({"name": "ssn", "type": "int", "encrypted": true})).is_err());
        let unique = json!({"name": "ssn", "type": "text", "encrypted": true, "unique": true});
        assert!(column(unique).is_err());
    }
}
