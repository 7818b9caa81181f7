use sea_orm::entity::prelude::*;

/// One refresh token of a login. Refreshing replaces it with a new one in the same family;
/// presenting a replaced or revoked one again revokes the whole family.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// A random UUID; access tokens name it in their `sid` claim.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: i64,
    /// The id of the first session of the login; shared by every rotation.
    pub family_id: String,
    /// SHA-256 (hex) of the refresh token; the token itself is never stored.
    #[sea_orm(unique)]
    pub refresh_hash: String,
    pub expires_at: ChronoDateTimeUtc,
    pub revoked_at: Option<ChronoDateTimeUtc>,
    /// The session that replaced this one at a refresh.
    pub replaced_by: Option<String>,
    pub created_at: ChronoDateTimeUtc,
    /// When the login this session belongs to ends, whatever its rotations: set at the login
    /// and carried to every rotation. Sessions from before the column have none.
    pub family_expires_at: Option<ChronoDateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
