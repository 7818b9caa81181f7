//! Who may reach what: the client IP behind trusted proxies, guards (IP rules and rate limits
//! before and after authentication) and route permissions. The tables are compiled from the
//! database at startup and after every change, and swapped in whole (`arc-swap`).

pub mod client_ip;
pub mod guards;
pub mod permissions;

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use sea_orm::{DatabaseConnection, EntityTrait};

pub use client_ip::ClientIpResolver;
pub use guards::{Admission, GuardTable, Position};
pub use permissions::PermissionTable;

use crate::store::entities::{guard, role, route_permission};

/// The compiled access tables of the running server.
#[derive(Debug)]
pub struct Access {
    pub client_ips: ClientIpResolver,
    pub guards: ArcSwap<GuardTable>,
    pub permissions: ArcSwap<PermissionTable>,
}

impl Access {
    pub fn new(client_ips: ClientIpResolver) -> Self {
        Self {
            client_ips,
            guards: ArcSwap::from_pointee(GuardTable::default()),
            permissions: ArcSwap::from_pointee(PermissionTable::default()),
        }
    }

    /// Recompiles the guards from the database.
    pub async fn reload_guards(&self, db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
        let rows = guard::Entity::find().all(db).await?;
        self.guards
            .store(Arc::new(GuardTable::build(&rows, self.client_ips.clone())));
        Ok(())
    }

    /// Recompiles the route permissions from the database.
    pub async fn reload_permissions(&self, db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
        let rows = route_permission::Entity::find().all(db).await?;
        let roles: HashMap<i64, String> = role::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
        self.permissions
            .store(Arc::new(PermissionTable::build(&rows, &roles)));
        Ok(())
    }
}
