//! The hook runtime: one wasmtime `Engine` per process, compiled components cached on disk,
//! the plugin registry, and a fresh `Store` per hook call — or, when a plugin runs more than
//! once in one request, one for its calls in that request. A fresh instance per request is the
//! isolation guarantee: nothing one request leaves in guest memory can reach another (unless
//! the plugin's author opts into reuse).
//! This module never decides what a hook's result means for the request; the pipeline does.

mod artifacts;
pub mod bindings;
mod compile;
mod engine;
mod held;
mod inspect;
mod invoke;
mod output;
mod registry;
mod reuse;
mod shared;
pub(crate) mod state;

pub use compile::{COMPILE_SUBCOMMAND, compile_child_main};
pub use engine::{
    AllocationMode, EngineSpec, GuestClass, HookRuntime, LARGE_GUEST_INITIAL_MEMORY, RuntimeLimits,
    RuntimeStats, engine_config, spawn_epoch_ticker,
};
pub use held::RequestInstances;
pub use inspect::{PluginKind, UploadRejection, check_header, initial_memory_bytes};
pub use invoke::{HookCall, HookOutcome};
pub use registry::{LoadedPlugin, PluginRegistry};
pub use reuse::MAX_INSTANCE_REUSE;
pub use state::{ContextHandle, HostState};

/// wasmtime's error as an `anyhow` error, keeping the whole cause chain in the message.
/// (wasmtime's own `From` conversion needs its `anyhow` feature, which we do not build.)
pub(crate) fn to_anyhow(e: wasmtime::Error) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}
