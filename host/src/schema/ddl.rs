//! DDL for user tables through sea-query, so one code path serves SQLite and PostgreSQL. Names
//! were validated as identifiers ([`super::model`]) and sea-query quotes them; values (column
//! defaults) are bound by sea-query's value rendering, never spliced from input text.

use sea_orm::sea_query::{
    Alias, Asterisk, ColumnDef, Expr, ForeignKey, ForeignKeyAction, Func, Index, Query, Table,
    TableCreateStatement,
};
use sea_orm::{ConnectionTrait, DbErr, Statement};
use sha2::{Digest, Sha256};

use super::model::{Column, ColumnType, OnDelete, Relation, TableDef};

/// A short, stable constraint name (PostgreSQL truncates identifiers at 63 bytes).
fn constraint_name(prefix: &str, table: &str, column: &str) -> String {
    let digest = Sha256::digest(format!("{table}.{column}").as_bytes());
    format!("{prefix}_{}", &hex::encode(digest)[..16])
}

fn column_def(column: &Column) -> ColumnDef {
    let mut def = ColumnDef::new(Alias::new(&column.name));
    if column.encrypted {
        def.text();
    } else {
        match &column.column_type {
            ColumnType::Int => def.integer(),
            ColumnType::Bigint => def.big_integer(),
            ColumnType::Float => def.double(),
            ColumnType::Decimal => def.decimal(),
            ColumnType::Varchar { length } => def.string_len(*length),
            ColumnType::Text => def.text(),
            ColumnType::Boolean => def.boolean(),
            ColumnType::Uuid => def.uuid(),
            ColumnType::Date => def.date(),
            ColumnType::Datetime => def.timestamp_with_time_zone(),
            ColumnType::Json => def.json(),
            // Options are checked by Hookline on every write, identically on both databases.
            ColumnType::Enum { .. } => def.string_len(255),
        };
    }
    if column.nullable {
        def.null();
    } else {
        def.not_null();
    }
    if let Some(default) = &column.default {
        def.default(json_to_value(default));
    }
    def
}

fn json_to_value(value: &serde_json::Value) -> sea_orm::sea_query::Value {
    use sea_orm::sea_query::Value as V;
    match value {
        serde_json::Value::Bool(b) => V::Bool(Some(*b)),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => V::BigInt(Some(i)),
            None => V::Double(n.as_f64()),
        },
        serde_json::Value::String(s) => V::String(Some(Box::new(s.clone()))),
        other => V::String(Some(Box::new(other.to_string()))),
    }
}

fn action(on_delete: OnDelete) -> ForeignKeyAction {
    match on_delete {
        OnDelete::Cascade => ForeignKeyAction::Cascade,
        OnDelete::Restrict => ForeignKeyAction::Restrict,
        OnDelete::SetNull => ForeignKeyAction::SetNull,
    }
}

fn timestamp(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

async fn run(db: &impl ConnectionTrait, statement: Statement) -> Result<(), DbErr> {
    db.execute(statement).await.map(drop)
}

async fn unique_index(db: &impl ConnectionTrait, table: &str, column: &str) -> Result<(), DbErr> {
    let index = Index::create()
        .name(constraint_name("uq", table, column))
        .table(Alias::new(table))
        .col(Alias::new(column))
        .unique()
        .to_owned();
    run(db, db.get_database_backend().build(&index)).await
}

/// `CREATE TABLE` with `id`, the columns, the relations' keys, `createdAt` and `updatedAt`,
/// then one unique index per unique column.
pub async fn create_table(db: &impl ConnectionTrait, table: &TableDef) -> Result<(), DbErr> {
    let mut create: TableCreateStatement = Table::create();
    create.table(Alias::new(&table.name)).col(
        ColumnDef::new(Alias::new("id"))
            .big_integer()
            .not_null()
            .auto_increment()
            .primary_key(),
    );
    for column in &table.columns {
        create.col(column_def(column));
    }
    for relation in &table.relations {
        let key = relation.column();
        let mut def = ColumnDef::new(Alias::new(&key));
        def.big_integer();
        if relation.nullable {
            def.null();
        } else {
            def.not_null();
        }
        create.col(def).foreign_key(
            ForeignKey::create()
                .name(constraint_name("fk", &table.name, &key))
                .from(Alias::new(&table.name), Alias::new(&key))
                .to(Alias::new(&relation.target), Alias::new("id"))
                .on_delete(action(relation.on_delete)),
        );
    }
    create
        .col(timestamp("createdAt"))
        .col(timestamp("updatedAt"));
    run(db, db.get_database_backend().build(&create)).await?;
    for column in table.columns.iter().filter(|c| c.unique) {
        unique_index(db, &table.name, &column.name).await?;
    }
    Ok(())
}

/// `ALTER TABLE ... ADD COLUMN`, and its unique index.
pub async fn add_column(
    db: &impl ConnectionTrait,
    table: &str,
    column: &Column,
) -> Result<(), DbErr> {
    let alter = Table::alter()
        .table(Alias::new(table))
        .add_column(column_def(column))
        .to_owned();
    run(db, db.get_database_backend().build(&alter)).await?;
    if column.unique {
        unique_index(db, table, &column.name).await?;
    }
    Ok(())
}

/// Adds a relation's key column with its foreign key. Neither database can add a constraint
/// to an existing column the same way, but both accept `ADD COLUMN ... REFERENCES`; the
/// identifiers are validated and quoted, the action is one of three fixed words.
pub async fn add_relation(
    db: &impl ConnectionTrait,
    table: &str,
    relation: &Relation,
) -> Result<(), DbErr> {
    let action = match relation.on_delete {
        OnDelete::Cascade => "CASCADE",
        OnDelete::Restrict => "RESTRICT",
        OnDelete::SetNull => "SET NULL",
    };
    let sql = format!(
        r#"ALTER TABLE "{table}" ADD COLUMN "{}" BIGINT NULL REFERENCES "{}" ("id") ON DELETE {action}"#,
        relation.column(),
        relation.target
    );
    run(db, Statement::from_string(db.get_database_backend(), sql)).await
}

/// Drops a column (its unique index first: SQLite will not drop an indexed column).
pub async fn drop_column(
    db: &impl ConnectionTrait,
    table: &str,
    column: &Column,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    if column.unique {
        let drop = Index::drop()
            .name(constraint_name("uq", table, &column.name))
            .table(Alias::new(table))
            .to_owned();
        run(db, backend.build(&drop)).await?;
    }
    let alter = Table::alter()
        .table(Alias::new(table))
        .drop_column(Alias::new(&column.name))
        .to_owned();
    run(db, backend.build(&alter)).await
}

pub async fn drop_table(db: &impl ConnectionTrait, table: &str) -> Result<(), DbErr> {
    let drop = Table::drop().table(Alias::new(table)).to_owned();
    run(db, db.get_database_backend().build(&drop)).await
}

/// How many rows `table` holds.
pub async fn count_rows(db: &impl ConnectionTrait, table: &str) -> Result<i64, DbErr> {
    let query = Query::select()
        .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("n"))
        .from(Alias::new(table))
        .to_owned();
    let row = db
        .query_one(db.get_database_backend().build(&query))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0))
}
