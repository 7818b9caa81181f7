use sea_orm::entity::prelude::*;

use crate::store::columns::{HookPhase, MethodList};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hooks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub phase: HookPhase,
    /// None: a global hook.
    pub route_id: Option<i64>,
    /// Empty means all.
    #[sea_orm(column_type = "Text")]
    pub methods: MethodList,
    pub plugin: String,
    pub priority: i32,
    pub enabled: bool,
    #[sea_orm(column_type = "Text")]
    pub config: String,
    /// JSON array of tables this attachment may use beyond its route's.
    #[sea_orm(column_type = "Text", nullable)]
    pub tables: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
