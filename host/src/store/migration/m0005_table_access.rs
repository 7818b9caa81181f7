//! Which tables a route's hooks may use through `repos` (its target tables), and which more a
//! hook attachment adds; JSON arrays of table names.

use sea_orm_migration::prelude::*;

use super::m0001_system_tables::{Hooks, Routes};

#[derive(DeriveMigrationName)]
pub struct AddTableAccess;

#[async_trait::async_trait]
impl MigrationTrait for AddTableAccess {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Routes::Table)
                    .add_column(ColumnDef::new(Routes::TargetTables).text().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Hooks::Table)
                    .add_column(ColumnDef::new(Hooks::Tables).text().null())
                    .to_owned(),
            )
            .await
    }
}
