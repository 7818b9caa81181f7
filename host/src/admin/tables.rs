//! `/admin/tables`: user tables. Create one from `{name, columns, relations}` (an `id` primary
//! key and `createdAt`/`updatedAt` are added); change it with `{addColumns, dropColumns,
//! addRelations}`; delete it. What would lose data (dropping columns or a table) needs
//! `?confirm=true`, else 409 `CONFIRMATION_REQUIRED` saying what would be lost. Each change
//! runs in one transaction with its definition row.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::RootAdmin;
use crate::app::AppState;
use crate::error::HttpError;
use crate::events::Change;
use crate::json::JsonBody;
use crate::schema::model::{check_distinct, check_table_name};
use crate::schema::{
    self, Column, ColumnInput, ColumnType, OnDelete, RelationInput, TableDef, ddl,
};
use crate::store::columns::MethodList;
use crate::store::entities::{guard, hook, route, route_permission, table_definition};
use axum::http::Method;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableInput {
    name: Option<String>,
    columns: Option<Vec<ColumnInput>>,
    relations: Option<Vec<RelationInput>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChangeInput {
    add_columns: Option<Vec<ColumnInput>>,
    drop_columns: Option<Vec<String>>,
    add_relations: Option<Vec<RelationInput>>,
}

#[derive(Debug, Deserialize)]
pub struct Confirm {
    confirm: Option<bool>,
}

fn column_json(c: &Column) -> Value {
    let mut out = json!({
        "name": c.name,
        "type": c.column_type.label(),
        "nullable": c.nullable,
        "unique": c.unique,
        "default": c.default,
        "encrypted": c.encrypted,
    });
    if let ColumnType::Enum { options } = &c.column_type {
        out["options"] = json!(options);
    }
    out
}

fn table_json(row: &table_definition::Model, table: &TableDef) -> Value {
    let on_delete = |o: OnDelete| match o {
        OnDelete::Cascade => "cascade",
        OnDelete::Restrict => "restrict",
        OnDelete::SetNull => "set null",
    };
    json!({
        "id": row.id,
        "name": table.name,
        "columns": table.columns.iter().map(column_json).collect::<Vec<_>>(),
        "relations": table.relations.iter().map(|r| json!({
            "name": r.name,
            "target": r.target,
            "column": r.column(),
            "onDelete": on_delete(r.on_delete),
            "nullable": r.nullable,
            "inverse": r.inverse,
        })).collect::<Vec<_>>(),
        "createdAt": row.created_at,
        "updatedAt": row.updated_at,
    })
}

fn parse_columns(inputs: Vec<ColumnInput>) -> Result<Vec<Column>, HttpError> {
    inputs
        .into_iter()
        .map(|c| {
            c.parse()
                .map_err(|e| HttpError::bad_request("INVALID_COLUMN", e))
        })
        .collect()
}

/// Checks that the `inverse` names of `added` (relations of `own`) are free on their targets:
/// an inverse is read as a field of the target (`fields=books.title`, `{"books": …}`), so it
/// may be neither one of the target's own fields nor another relation's inverse there.
fn check_inverses(
    tables: &HashMap<String, Arc<TableDef>>,
    own: &TableDef,
    added: &[schema::Relation],
) -> Result<(), HttpError> {
    for relation in added {
        let Some(inverse) = &relation.inverse else {
            continue;
        };
        let target: &TableDef = if relation.target == own.name {
            own
        } else {
            match tables.get(&relation.target) {
                Some(target) => target,
                None => continue,
            }
        };
        let is_field = target.column_names().iter().any(|c| c == inverse)
            || target.relations.iter().any(|r| &r.name == inverse);
        let others = tables
            .values()
            .filter(|t| t.name != own.name)
            .map(|t| &**t)
            .chain([own]);
        let is_inverse = others
            .flat_map(|t| t.relations.iter().map(move |r| (t, r)))
            .any(|(t, r)| {
                r.target == relation.target
                    && r.inverse.as_ref() == Some(inverse)
                    && !(t.name == own.name && r.name == relation.name)
            });
        if is_field || is_inverse {
            return Err(HttpError::bad_request(
                "INVALID_RELATION",
                format!(
                    "relation {}: the inverse name {inverse:?} is already a field or an inverse of {}",
                    relation.name, relation.target
                ),
            ));
        }
    }
    Ok(())
}

/// Parses relations and checks their targets exist (`name` itself may be the target).
async fn parse_relations(
    state: &AppState,
    name: &str,
    inputs: Vec<RelationInput>,
) -> Result<Vec<schema::Relation>, HttpError> {
    let mut relations = Vec::with_capacity(inputs.len());
    for input in inputs {
        let relation = input
            .parse()
            .map_err(|e| HttpError::bad_request("INVALID_RELATION", e))?;
        if relation.target != name && find_row(state, &relation.target).await?.is_none() {
            return Err(HttpError::unprocessable(
                "UNKNOWN_TABLE",
                format!(
                    "relation {}: no table named {:?}",
                    relation.name, relation.target
                ),
            ));
        }
        relations.push(relation);
    }
    Ok(relations)
}

async fn find_row(
    state: &AppState,
    name: &str,
) -> Result<Option<table_definition::Model>, HttpError> {
    Ok(table_definition::Entity::find()
        .filter(table_definition::Column::Name.eq(name))
        .one(&state.db)
        .await?)
}

async fn find(
    state: &AppState,
    name: &str,
) -> Result<(table_definition::Model, TableDef), HttpError> {
    let row = find_row(state, name)
        .await?
        .ok_or_else(|| HttpError::not_found(format!("no table named {name:?}")))?;
    let table = schema::definition_of(&row)?;
    Ok((row, table))
}

/// The database refused a change that passed validation (e.g. a unique index over rows that
/// already repeat a value); the transaction rolled back, so nothing changed.
fn refused(e: sea_orm::DbErr) -> HttpError {
    HttpError::conflict(
        "SCHEMA_CHANGE_FAILED",
        format!("the database refused the change, nothing was changed: {e}"),
    )
}

/// The routes a new table gets: `/<table>` (list, create) and `/<table>/:id` (read, update,
/// delete), not published: root admins only until permissions are granted.
fn crud_paths(table: &str) -> [(String, Vec<Method>); 2] {
    [
        (format!("/{table}"), vec![Method::GET, Method::POST]),
        (
            format!("/{table}/:id"),
            vec![Method::GET, Method::PATCH, Method::DELETE],
        ),
    ]
}

/// Applies a table change here (definitions, routes, and what routes carry) and on the other
/// nodes.
async fn tables_changed(state: &AppState) -> Result<(), HttpError> {
    state.definitions_changed(&Change::Tables).await
}

fn confirmation_required(what: String, details: Value) -> HttpError {
    HttpError::conflict(
        "CONFIRMATION_REQUIRED",
        format!("{what}; repeat with ?confirm=true to proceed"),
    )
    .with_details(details)
}

pub async fn create(
    State(state): State<AppState>,
    _: RootAdmin,
    JsonBody(input): JsonBody<TableInput>,
) -> Result<(StatusCode, Json<Value>), HttpError> {
    let _guard = state.definitions.lock().await;
    let name = input
        .name
        .ok_or_else(|| HttpError::bad_request("NAME_REQUIRED", "`name` is required"))?;
    check_table_name(&name).map_err(|e| HttpError::bad_request("INVALID_NAME", e))?;
    let columns = parse_columns(input.columns.unwrap_or_default())?;
    let relations = parse_relations(&state, &name, input.relations.unwrap_or_default()).await?;
    let table = TableDef {
        name,
        columns,
        relations,
        system: Default::default(),
    };
    check_distinct(&table).map_err(|e| HttpError::bad_request("DUPLICATE_COLUMN", e))?;
    check_inverses(&state.tables.load(), &table, &table.relations)?;
    if find_row(&state, &table.name).await?.is_some() {
        return Err(HttpError::conflict(
            "TABLE_EXISTS",
            format!("a table named {:?} exists", table.name),
        ));
    }
    let paths = crud_paths(&table.name);
    // Checked like any new route (a path taken, or `/books/:id` beside `/books/:slug`),
    // before anything is written.
    for (path, _) in &paths {
        super::routes::check_conflicts(&state, None, path).await?;
    }
    let now = Utc::now();
    let txn = state.db.begin().await?;
    ddl::create_table(&txn, &table).await.map_err(refused)?;
    for (path, methods) in paths {
        route::ActiveModel {
            path: Set(path),
            methods: Set(methods.into()),
            handler_plugin: Set(None),
            handler_config: Set("{}".into()),
            published_methods: Set(MethodList::default()),
            timeout_ms: Set(None),
            table_name: Set(Some(table.name.clone())),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let row = table_definition::ActiveModel {
        name: Set(table.name.clone()),
        definition: Set(serde_json::to_string(&table).map_err(HttpError::internal)?),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    tables_changed(&state).await?;
    Ok((StatusCode::CREATED, Json(table_json(&row, &table))))
}

pub async fn list(State(state): State<AppState>, _: RootAdmin) -> Result<Json<Value>, HttpError> {
    let rows = table_definition::Entity::find()
        .order_by_asc(table_definition::Column::Id)
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(table_json(row, &schema::definition_of(row)?));
    }
    Ok(Json(Value::Array(out)))
}

pub async fn show(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(name): Path<String>,
) -> Result<Json<Value>, HttpError> {
    let (row, table) = find(&state, &name).await?;
    Ok(Json(table_json(&row, &table)))
}

pub async fn update(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(name): Path<String>,
    Query(confirm): Query<Confirm>,
    JsonBody(input): JsonBody<ChangeInput>,
) -> Result<Json<Value>, HttpError> {
    let _guard = state.definitions.lock().await;
    let (row, current) = find(&state, &name).await?;
    let added = parse_columns(input.add_columns.unwrap_or_default())?;
    if let Some(column) = added.iter().find(|c| !c.nullable && c.default.is_none()) {
        return Err(HttpError::bad_request(
            "DEFAULT_REQUIRED",
            format!(
                "column {}: a non-nullable column added to an existing table needs a default",
                column.name
            ),
        ));
    }
    let relations = parse_relations(&state, &name, input.add_relations.unwrap_or_default()).await?;
    if let Some(relation) = relations.iter().find(|r| !r.nullable) {
        return Err(HttpError::bad_request(
            "INVALID_RELATION",
            format!(
                "relation {}: a relation added to an existing table must be nullable",
                relation.name
            ),
        ));
    }
    let mut dropped = Vec::new();
    for column in input.drop_columns.unwrap_or_default() {
        match current.columns.iter().find(|c| c.name == column) {
            Some(found) => dropped.push(found.clone()),
            None => {
                return Err(HttpError::bad_request(
                    "UNKNOWN_COLUMN",
                    format!(
                        "{column:?} is not a column of {name} that can be dropped (system columns and relation keys cannot)"
                    ),
                ));
            }
        }
    }
    let mut next = current.clone();
    next.columns
        .retain(|c| !dropped.iter().any(|d| d.name == c.name));
    next.columns.extend(added.iter().cloned());
    next.relations.extend(relations.iter().cloned());
    check_distinct(&next).map_err(|e| HttpError::bad_request("DUPLICATE_COLUMN", e))?;
    check_inverses(&state.tables.load(), &next, &relations)?;
    if !dropped.is_empty() && confirm.confirm != Some(true) {
        let rows = ddl::count_rows(&state.db, &name).await?;
        let columns: Vec<&str> = dropped.iter().map(|c| c.name.as_str()).collect();
        return Err(confirmation_required(
            format!(
                "dropping {} loses their values in {rows} row(s)",
                columns.join(", ")
            ),
            json!({"columns": columns, "rows": rows}),
        ));
    }
    let txn = state.db.begin().await?;
    for column in &added {
        ddl::add_column(&txn, &name, column)
            .await
            .map_err(refused)?;
    }
    for relation in &relations {
        ddl::add_relation(&txn, &name, relation)
            .await
            .map_err(refused)?;
    }
    for column in &dropped {
        ddl::drop_column(&txn, &name, column)
            .await
            .map_err(refused)?;
    }
    let mut model = row.into_active_model();
    model.definition = Set(serde_json::to_string(&next).map_err(HttpError::internal)?);
    model.updated_at = Set(Utc::now());
    let saved = model.update(&txn).await?;
    txn.commit().await?;
    tables_changed(&state).await?;
    Ok(Json(table_json(&saved, &next)))
}

pub async fn remove(
    State(state): State<AppState>,
    _: RootAdmin,
    Path(name): Path<String>,
    Query(confirm): Query<Confirm>,
) -> Result<StatusCode, HttpError> {
    let _guard = state.definitions.lock().await;
    let (row, _) = find(&state, &name).await?;
    let referencing: Vec<String> = schema::all(&state.db)
        .await?
        .into_iter()
        .filter(|t| t.name != name && t.relations.iter().any(|r| r.target == name))
        .map(|t| t.name)
        .collect();
    if !referencing.is_empty() {
        return Err(HttpError::conflict(
            "TABLE_REFERENCED",
            format!("{} have relations to {name}", referencing.join(", ")),
        )
        .with_details(json!({"referencedBy": referencing})));
    }
    if confirm.confirm != Some(true) {
        let rows = ddl::count_rows(&state.db, &name).await?;
        return Err(confirmation_required(
            format!("dropping table {name} loses its {rows} row(s)"),
            json!({"table": name, "rows": rows}),
        ));
    }
    let txn = state.db.begin().await?;
    // The table's routes go with it, and what was attached to them.
    let routes: Vec<i64> = route::Entity::find()
        .filter(route::Column::TableName.eq(&name))
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    hook::Entity::delete_many()
        .filter(hook::Column::RouteId.is_in(routes.clone()))
        .exec(&txn)
        .await?;
    guard::Entity::delete_many()
        .filter(guard::Column::RouteId.is_in(routes.clone()))
        .exec(&txn)
        .await?;
    route_permission::Entity::delete_many()
        .filter(route_permission::Column::RouteId.is_in(routes.clone()))
        .exec(&txn)
        .await?;
    route::Entity::delete_many()
        .filter(route::Column::Id.is_in(routes))
        .exec(&txn)
        .await?;
    ddl::drop_table(&txn, &name).await.map_err(refused)?;
    table_definition::Entity::delete_by_id(row.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    tables_changed(&state).await?;
    Ok(StatusCode::NO_CONTENT)
}
