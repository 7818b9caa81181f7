use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub password_hash: String,
    pub is_root_admin: bool,
    pub verified: bool,
    pub role_id: Option<i64>,
    pub organization_id: Option<i64>,
    /// A disabled user cannot log in, and their tokens stop working.
    pub disabled: bool,
    /// Unix seconds: tokens issued (`iat`) before it are refused (password change, disable).
    pub tokens_valid_after: i64,
    pub created_at: ChronoDateTimeUtc,
    pub updated_at: ChronoDateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
