use sea_orm::entity::prelude::*;

use crate::store::columns::MethodList;

/// An admission rule checked before (`pre_auth`) or after (`post_auth`) authentication.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `pre_auth` or `post_auth`.
    pub position: String,
    /// The route it guards; `None` guards every route.
    pub route_id: Option<i64>,
    /// The methods it applies to; empty means all.
    #[sea_orm(column_type = "Text")]
    pub methods: MethodList,
    pub priority: i32,
    pub enabled: bool,
    /// JSON rule, e.g. `{"type": "ip_deny", "ips": ["10.0.0.0/8"]}`.
    #[sea_orm(column_type = "Text")]
    pub rule: String,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
