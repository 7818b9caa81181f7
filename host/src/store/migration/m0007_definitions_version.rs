//! One counter of definition changes (routes, hooks, plugins, permissions, guards, tables),
//! raised after every committed change. Each node remembers the value its tables were loaded
//! at and compares it periodically, so a node that missed a change broadcast still converges.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct AddDefinitionsVersion;

#[async_trait::async_trait]
impl MigrationTrait for AddDefinitionsVersion {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DefinitionsVersion::Table)
                    .col(
                        ColumnDef::new(DefinitionsVersion::Id)
                            .integer()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DefinitionsVersion::Version)
                            .big_integer()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(DefinitionsVersion::Table)
                    .columns([DefinitionsVersion::Id, DefinitionsVersion::Version])
                    .values_panic([1.into(), 0.into()])
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum DefinitionsVersion {
    Table,
    Id,
    Version,
}
