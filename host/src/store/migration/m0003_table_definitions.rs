//! User table definitions: one row per table, its columns and relations as JSON. The physical
//! table is created and altered in the same transaction as its row.

use sea_orm_migration::prelude::*;

use super::{id_column, timestamps};

#[derive(DeriveMigrationName)]
pub struct CreateTableDefinitions;

#[async_trait::async_trait]
impl MigrationTrait for CreateTableDefinitions {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                timestamps(
                    Table::create()
                        .table(TableDefinitions::Table)
                        .if_not_exists()
                        .col(id_column(TableDefinitions::Id))
                        .col(
                            ColumnDef::new(TableDefinitions::Name)
                                .string()
                                .not_null()
                                .unique_key(),
                        )
                        .col(
                            ColumnDef::new(TableDefinitions::Definition)
                                .text()
                                .not_null(),
                        ),
                )
                .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum TableDefinitions {
    Table,
    Id,
    Name,
    Definition,
}
