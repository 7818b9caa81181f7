//! Hookline: a server that runs a database-defined HTTP API whose behaviour is written by its
//! users as WebAssembly components (preHooks, handlers, postHooks) inside a fixed request
//! lifecycle.
//!
//! - [`server`] assembles the HTTP app and serves it; [`app`] builds the shared state.
//! - [`pipeline`] is the request lifecycle; [`routing`] the compiled route table.
//! - [`runtime`] runs hooks in wasmtime; [`capabilities`] are the host side of the WIT.
//! - [`cache`] holds the user cache, locks and rate limits, in process or on Redis.
//! - [`access`] compiles guards, route permissions and the trusted-proxy client IP.
//! - [`schema`] defines user tables (DDL through sea-query on both databases).
//! - [`admin`] and [`auth`] are plain HTTP APIs over the [`store`].

pub mod access;
pub mod admin;
pub mod alloc;
pub mod app;
pub mod auth;
pub mod cache;
pub mod capabilities;
pub mod config;
pub mod context;
pub mod demo;
pub mod error;
pub mod events;
pub mod json;
pub mod pipeline;
pub mod routing;
pub mod runtime;
pub mod schema;
pub mod server;
pub mod store;

#[cfg(test)]
mod properties;

pub use config::Settings;
pub use server::{RunningServer, spawn};
