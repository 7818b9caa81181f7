//! sea-orm entities of the system tables. JSON-valued columns are stored as text so that one
//! schema serves SQLite and PostgreSQL alike.

pub mod hook;
pub mod plugin;
pub mod plugin_version;
pub mod route;
pub mod user;
