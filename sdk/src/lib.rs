//! Write Hookline preHooks, handlers and postHooks in Rust.
//!
//! A plugin is a crate compiled to a WebAssembly component (`wasm32-wasip2`). It writes ordinary
//! functions over a [`Context`] and names them once in [`export!`]; the component then exports
//! exactly the Hookline interfaces it implements, which is how the server learns whether the
//! plugin is a preHook, a handler, a postHook, or several of them.
//!
//! | Export      | Signature                                                        |
//! |-------------|------------------------------------------------------------------|
//! | `pre_hook`  | `fn(&Context) -> Result<Option<impl Serialize>, HookError>`      |
//! | `handler`   | `fn(&Context) -> Result<impl Serialize, HookError>`              |
//! | `post_hook` | `fn(&Context) -> Result<(), HookError>`                          |
//!
//! A preHook returning `Ok(Some(value))` answers the request with `value` and skips the handler
//! (postHooks still run); `Ok(None)` continues. Any `Err` ends the request with that HTTP error;
//! [`throw!`] returns one in a line.
//!
//! # Example
//!
//! `Cargo.toml`:
//!
//! ```toml
//! [package]
//! name = "greeter"
//! version = "0.1.0"
//! edition = "2024"
//!
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! hookline-sdk = { path = "../../sdk" }
//! ```
//!
//! `src/lib.rs`:
//!
//! ```no_run
//! use hookline_sdk::{Context, HookError, Value, json, throw};
//!
//! /// preHook: requests without an API key stop here with a 401.
//! fn require_key(ctx: &Context) -> Result<Option<Value>, HookError> {
//!     if ctx.header("x-api-key").is_none() {
//!         throw!(401, "API key required", code = "API_KEY_MISSING");
//!     }
//!     let mut share = ctx.share();
//!     share["keyChecked"] = json!(true);
//!     ctx.set_share(&share)?;
//!     Ok(None)
//! }
//!
//! /// handler: greets the `name` route parameter, e.g. on the route `/hello/:name`.
//! fn greet(ctx: &Context) -> Result<Value, HookError> {
//!     let Some(name) = ctx.param("name") else {
//!         throw!(400, "name is required");
//!     };
//!     Ok(json!({ "message": format!("hello, {name}") }))
//! }
//!
//! /// postHook: logs the outcome of every request, successful or not.
//! fn audit(ctx: &Context) -> Result<(), HookError> {
//!     match ctx.error() {
//!         Some(error) => ctx.log(&format!("failed: {}", error.message)),
//!         None => ctx.log(&format!("answered {}", ctx.status())),
//!     }
//!     Ok(())
//! }
//!
//! hookline_sdk::export! { pre_hook: require_key, handler: greet, post_hook: audit }
//! # fn main() {}
//! ```
//!
//! Build it with `cargo build --release --target wasm32-wasip2`; the component is
//! `target/wasm32-wasip2/release/greeter.wasm`.

#![warn(missing_docs)]

#[allow(
    missing_docs,
    reason = "generated from the WIT, which documents only what needs explaining; reachable only \
              through `__private`"
)]
mod bindings;
pub mod cache;
mod context;
mod error;
mod export;
pub mod helpers;
mod json;
pub mod rate_limit;
pub mod repos;
mod types;

pub use context::Context;
pub use error::{HookError, codes};
pub use types::{ErrorInfo, LogLevel, Phase, User};

/// Names a plugin's hook functions and makes the component export their interfaces.
///
/// Write it once per crate, with any non-empty subset of `pre_hook`, `handler` and `post_hook`
/// in any order, each naming a function in scope or by path, e.g.
/// `export! { pre_hook: before, post_hook: after }`. The signatures are listed in the
/// [crate documentation](crate). Only the named interfaces are exported, so the server links
/// the plugin as exactly those kinds.
///
/// ```no_run
/// use hookline_sdk::{Context, HookError, Value, json};
///
/// fn handle(ctx: &Context) -> Result<Value, HookError> {
///     Ok(json!({ "path": ctx.path() }))
/// }
///
/// hookline_sdk::export! { handler: handle }
/// # fn main() {}
/// ```
pub use hookline_sdk_macros::export;

pub use serde;
pub use serde_json;
pub use serde_json::{Value, json};

/// What the code [`export!`] generates refers to; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::bindings::hookline::plugin::{
        cache, context, helpers, log, rate_limit, repos, types,
    };
    pub use crate::export::{run_handler, run_post_hook, run_pre_hook};
    pub use wit_bindgen;
}
