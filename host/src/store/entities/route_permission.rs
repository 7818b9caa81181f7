use sea_orm::entity::prelude::*;

use crate::store::columns::MethodList;

/// Grants methods on a route to a role or to one user (exactly one of the two is set).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "route_permissions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub route_id: i64,
    pub role_id: Option<i64>,
    pub user_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub methods: MethodList,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
