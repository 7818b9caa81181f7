//! Schema migrations for the system tables, applied at startup in order. A released migration
//! is never edited; changes come as new ones.

mod m0001_system_tables;
mod m0002_identity;
mod m0003_table_definitions;
mod m0004_route_tables;
mod m0005_table_access;
mod m0006_session_lifetime;
mod m0007_definitions_version;
mod m0008_instance_reuse;

use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_system_tables::CreateSystemTables),
            Box::new(m0002_identity::CreateIdentityTables),
            Box::new(m0003_table_definitions::CreateTableDefinitions),
            Box::new(m0004_route_tables::AddRouteTable),
            Box::new(m0005_table_access::AddTableAccess),
            Box::new(m0006_session_lifetime::AddSessionLifetime),
            Box::new(m0007_definitions_version::AddDefinitionsVersion),
            Box::new(m0008_instance_reuse::AddInstanceReuse),
        ]
    }
}

fn id_column<T: IntoIden>(name: T) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn timestamps(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(
            ColumnDef::new(Common::CreatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
        .col(
            ColumnDef::new(Common::UpdatedAt)
                .timestamp_with_time_zone()
                .not_null(),
        )
}

#[derive(DeriveIden)]
enum Common {
    CreatedAt,
    UpdatedAt,
}
