use sea_orm::entity::prelude::*;

/// One immutable upload of a plugin: the component binary and what was learnt about it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plugin_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plugin_id: i64,
    pub version: i32,
    pub sha256: String,
    pub size: i64,
    /// JSON array of kinds: "preHook", "handler", "postHook".
    #[sea_orm(column_type = "Text")]
    pub kinds: String,
    #[sea_orm(column_type = "Blob")]
    pub binary: Vec<u8>,
    pub created_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::plugin::Entity",
        from = "Column::PluginId",
        to = "super::plugin::Column::Id",
        on_delete = "Cascade"
    )]
    Plugin,
}

impl Related<super::plugin::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Plugin.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
