//! A route may serve a table's default CRUD instead of a plugin handler.

use sea_orm_migration::prelude::*;

use super::m0001_system_tables::Routes;

#[derive(DeriveMigrationName)]
pub struct AddRouteTable;

#[async_trait::async_trait]
impl MigrationTrait for AddRouteTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Routes::Table)
                    .add_column(ColumnDef::new(Routes::TableName).string().null())
                    .to_owned(),
            )
            .await
    }
}
