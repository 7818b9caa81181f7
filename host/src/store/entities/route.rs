use sea_orm::entity::prelude::*;

use crate::store::columns::MethodList;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "routes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub path: String,
    #[sea_orm(column_type = "Text")]
    pub methods: MethodList,
    pub handler_plugin: Option<String>,
    /// JSON configuration handed to the handler.
    #[sea_orm(column_type = "Text")]
    pub handler_config: String,
    /// The methods that skip authentication.
    #[sea_orm(column_type = "Text")]
    pub published_methods: MethodList,
    pub timeout_ms: Option<i64>,
    /// The user table whose default CRUD this route serves when it has no handler plugin.
    pub table_name: Option<String>,
    /// JSON array of the tables this route's hooks may use through `repos`.
    #[sea_orm(column_type = "Text", nullable)]
    pub target_tables: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
