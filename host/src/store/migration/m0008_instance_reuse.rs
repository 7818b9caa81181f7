//! Instance reuse per plugin: how many sequential requests one instance may serve (0: a fresh
//! instance per call, the default and the isolation promise).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct AddInstanceReuse;

#[async_trait::async_trait]
impl MigrationTrait for AddInstanceReuse {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Plugins::Table)
                    .add_column(
                        ColumnDef::new(Plugins::InstanceReuse)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Plugins {
    Table,
    InstanceReuse,
}
