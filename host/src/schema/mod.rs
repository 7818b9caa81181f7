//! User tables: their definitions ([`model`]) and the DDL that makes the database match
//! ([`ddl`]). The admin API changes both in one transaction, so a definition and its physical
//! table never disagree.

pub mod crypto;
pub mod ddl;
pub mod model;
pub mod query;
pub mod reach;
pub mod repo;
pub mod rows;
pub mod system;

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

pub use model::{Column, ColumnInput, ColumnType, OnDelete, Relation, RelationInput, TableDef};

use crate::store::entities::table_definition;

/// Every user table's definition by name, swapped whole on change; shared by default CRUD and
/// the `repos` capability.
pub type TableRegistry = ArcSwap<HashMap<String, Arc<TableDef>>>;

/// The definition stored in `row`.
pub fn definition_of(row: &table_definition::Model) -> Result<TableDef, DbErr> {
    serde_json::from_str(&row.definition).map_err(|e| {
        DbErr::Custom(format!(
            "table {}: stored definition unreadable: {e}",
            row.name
        ))
    })
}

/// Every user table's definition.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<TableDef>, DbErr> {
    table_definition::Entity::find()
        .all(db)
        .await?
        .iter()
        .map(definition_of)
        .collect()
}
