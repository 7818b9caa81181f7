//! Identity and admission: roles, organizations, the user's role, organization, disabled flag
//! and token cut-off, sessions (refresh-token families), route permissions and guards.
//!
//! Columns added to `users` carry no foreign-key constraint (SQLite cannot add one to an
//! existing table); the admin API keeps them consistent: a role in use cannot be deleted, and
//! deleting an organization detaches its users in the same transaction.

use sea_orm_migration::prelude::*;

use super::m0001_system_tables::{Routes, Users};
use super::{Common, id_column, timestamps};

#[derive(DeriveMigrationName)]
pub struct CreateIdentityTables;

#[async_trait::async_trait]
impl MigrationTrait for CreateIdentityTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Roles::Table)
                        .if_not_exists()
                        .col(id_column(Roles::Id))
                        .col(ColumnDef::new(Roles::Name).string().not_null().unique_key()),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Organizations::Table)
                        .if_not_exists()
                        .col(id_column(Organizations::Id))
                        .col(ColumnDef::new(Organizations::Name).string().not_null())
                        .col(
                            ColumnDef::new(Organizations::SubscriptionStatus)
                                .string()
                                .not_null(),
                        )
                        .col(
                            ColumnDef::new(Organizations::SubscriptionExpiresAt)
                                .timestamp_with_time_zone()
                                .null(),
                        ),
                )
                .to_owned(),
            )
            .await?;
        // SQLite takes one column per ALTER TABLE.
        let added = [
            ColumnDef::new(Users::RoleId)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Users::OrganizationId)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Users::Disabled)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
            ColumnDef::new(Users::TokensValidAfter)
                .big_integer()
                .not_null()
                .default(0)
                .to_owned(),
        ];
        for mut column in added {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Sessions::Id)
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Sessions::UserId).big_integer().not_null())
                    .col(ColumnDef::new(Sessions::FamilyId).string().not_null())
                    .col(
                        ColumnDef::new(Sessions::RefreshHash)
                            .string()
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Sessions::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Sessions::RevokedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Sessions::ReplacedBy).string().null())
                    .col(
                        ColumnDef::new(Common::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_family")
                    .table(Sessions::Table)
                    .col(Sessions::FamilyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(RoutePermissions::Table)
                        .if_not_exists()
                        .col(id_column(RoutePermissions::Id))
                        .col(
                            ColumnDef::new(RoutePermissions::RouteId)
                                .big_integer()
                                .not_null(),
                        )
                        .col(
                            ColumnDef::new(RoutePermissions::RoleId)
                                .big_integer()
                                .null(),
                        )
                        .col(
                            ColumnDef::new(RoutePermissions::UserId)
                                .big_integer()
                                .null(),
                        )
                        .col(ColumnDef::new(RoutePermissions::Methods).text().not_null())
                        .foreign_key(
                            ForeignKey::create()
                                .from(RoutePermissions::Table, RoutePermissions::RouteId)
                                .to(Routes::Table, Routes::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .from(RoutePermissions::Table, RoutePermissions::RoleId)
                                .to(Roles::Table, Roles::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .from(RoutePermissions::Table, RoutePermissions::UserId)
                                .to(Users::Table, Users::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Guards::Table)
                        .if_not_exists()
                        .col(id_column(Guards::Id))
                        .col(ColumnDef::new(Guards::Position).string().not_null())
                        .col(ColumnDef::new(Guards::RouteId).big_integer().null())
                        .col(ColumnDef::new(Guards::Methods).text().not_null())
                        .col(ColumnDef::new(Guards::Priority).integer().not_null())
                        .col(ColumnDef::new(Guards::Enabled).boolean().not_null())
                        .col(ColumnDef::new(Guards::Rule).text().not_null())
                        .foreign_key(
                            ForeignKey::create()
                                .from(Guards::Table, Guards::RouteId)
                                .to(Routes::Table, Routes::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        ),
                )
                .to_owned(),
            )
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    Id,
    Name,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Name,
    SubscriptionStatus,
    SubscriptionExpiresAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    FamilyId,
    RefreshHash,
    ExpiresAt,
    RevokedAt,
    ReplacedBy,
}

#[derive(DeriveIden)]
enum RoutePermissions {
    Table,
    Id,
    RouteId,
    RoleId,
    UserId,
    Methods,
}

#[derive(DeriveIden)]
enum Guards {
    Table,
    Id,
    Position,
    RouteId,
    Methods,
    Priority,
    Enabled,
    Rule,
}
