//! The first schema: users, plugins and their versions, routes and hooks.

use sea_orm_migration::prelude::*;

use super::{Common, id_column, timestamps};

#[derive(DeriveMigrationName)]
pub struct CreateSystemTables;

#[async_trait::async_trait]
impl MigrationTrait for CreateSystemTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Users::Table)
                        .if_not_exists()
                        .col(id_column(Users::Id))
                        .col(
                            ColumnDef::new(Users::Email)
                                .string()
                                .not_null()
                                .unique_key(),
                        )
                        .col(ColumnDef::new(Users::PasswordHash).string().not_null())
                        .col(ColumnDef::new(Users::IsRootAdmin).boolean().not_null())
                        .col(ColumnDef::new(Users::Verified).boolean().not_null()),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Plugins::Table)
                        .if_not_exists()
                        .col(id_column(Plugins::Id))
                        .col(
                            ColumnDef::new(Plugins::Name)
                                .string()
                                .not_null()
                                .unique_key(),
                        )
                        .col(ColumnDef::new(Plugins::ActiveVersion).integer().not_null()),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PluginVersions::Table)
                    .if_not_exists()
                    .col(id_column(PluginVersions::Id))
                    .col(
                        ColumnDef::new(PluginVersions::PluginId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(PluginVersions::Version).integer().not_null())
                    .col(ColumnDef::new(PluginVersions::Sha256).string().not_null())
                    .col(
                        ColumnDef::new(PluginVersions::Size)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(PluginVersions::Kinds).text().not_null())
                    .col(ColumnDef::new(PluginVersions::Binary).blob().not_null())
                    .col(
                        ColumnDef::new(Common::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PluginVersions::Table, PluginVersions::PluginId)
                            .to(Plugins::Table, Plugins::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .index(
                        Index::create()
                            .col(PluginVersions::PluginId)
                            .col(PluginVersions::Version)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Routes::Table)
                        .if_not_exists()
                        .col(id_column(Routes::Id))
                        .col(
                            ColumnDef::new(Routes::Path)
                                .string()
                                .not_null()
                                .unique_key(),
                        )
                        .col(ColumnDef::new(Routes::Methods).text().not_null())
                        .col(ColumnDef::new(Routes::HandlerPlugin).string().null())
                        .col(ColumnDef::new(Routes::HandlerConfig).text().not_null())
                        .col(ColumnDef::new(Routes::PublishedMethods).text().not_null())
                        .col(ColumnDef::new(Routes::TimeoutMs).big_integer().null()),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(Hooks::Table)
                        .if_not_exists()
                        .col(id_column(Hooks::Id))
                        .col(ColumnDef::new(Hooks::Phase).string().not_null())
                        .col(ColumnDef::new(Hooks::RouteId).big_integer().null())
                        .col(ColumnDef::new(Hooks::Methods).text().not_null())
                        .col(ColumnDef::new(Hooks::Plugin).string().not_null())
                        .col(ColumnDef::new(Hooks::Priority).integer().not_null())
                        .col(ColumnDef::new(Hooks::Enabled).boolean().not_null())
                        .col(ColumnDef::new(Hooks::Config).text().not_null())
                        .foreign_key(
                            ForeignKey::create()
                                .from(Hooks::Table, Hooks::RouteId)
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
pub(super) enum Users {
    Table,
    Id,
    Email,
    PasswordHash,
    IsRootAdmin,
    Verified,
    // Added by m0002.
    RoleId,
    OrganizationId,
    Disabled,
    TokensValidAfter,
}

#[derive(DeriveIden)]
enum Plugins {
    Table,
    Id,
    Name,
    ActiveVersion,
}

#[derive(DeriveIden)]
enum PluginVersions {
    Table,
    Id,
    PluginId,
    Version,
    Sha256,
    Size,
    Kinds,
    Binary,
}

#[derive(DeriveIden)]
pub(super) enum Routes {
    Table,
    Id,
    Path,
    Methods,
    HandlerPlugin,
    HandlerConfig,
    PublishedMethods,
    TimeoutMs,
    // Added by m0004.
    TableName,
    // Added by m0005.
    TargetTables,
}

#[derive(DeriveIden)]
pub(super) enum Hooks {
    Table,
    Id,
    Phase,
    RouteId,
    Methods,
    Plugin,
    Priority,
    Enabled,
    Config,
    // Added by m0005.
    Tables,
}
