//! The absolute end of a login: every refresh token of a family carries when the family ends,
//! set at the login, so rotating never extends a session past it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct AddSessionLifetime;

#[async_trait::async_trait]
impl MigrationTrait for AddSessionLifetime {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(
                        ColumnDef::new(Sessions::FamilyExpiresAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    FamilyExpiresAt,
}
