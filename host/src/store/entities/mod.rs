//! sea-orm entities of the system tables. JSON-valued columns are stored as text so that one
//! schema serves SQLite and PostgreSQL alike.

pub mod guard;
pub mod hook;
pub mod organization;
pub mod plugin;
pub mod plugin_version;
pub mod role;
pub mod route;
pub mod route_permission;
pub mod session;
pub mod table_definition;
pub mod user;
