//! Host capabilities: the host side of the WIT interfaces, one module per interface. Each links
//! its interface into the shared linker once; none knows which pipeline stage called it.
//! Errors a guest can handle are returned in the WIT `result`; the outer `wasmtime::Result`
//! is reserved for traps (host faults, broken hard limits).

mod cache;
mod context;
pub(crate) mod helpers;
mod log;
mod rate_limit;
mod repos;

use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker};

pub use helpers::HelpersCtx;
pub use repos::ReposCtx;

use crate::runtime::HostState;
use crate::runtime::bindings::{self, types};

/// The shared state of every capability, built once at startup from the configuration and
/// handed to each hook call's store.
#[derive(Debug, Clone)]
pub struct Capabilities {
    pub helpers: Arc<HelpersCtx>,
    pub cache: Arc<crate::cache::CacheService>,
    pub limits: Arc<crate::cache::RateLimitService>,
    pub repos: Arc<ReposCtx>,
}

/// Links every Hookline interface into `linker`.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> anyhow::Result<()> {
    bindings::Plugin::add_to_linker::<HostState, HasSelf<HostState>>(linker, |state| state)
        .map_err(crate::runtime::to_anyhow)
}

impl types::Host for HostState {}

/// A guest-visible error from a host call.
fn guest_error(status: u16, code: &str, message: impl Into<String>) -> types::HookError {
    types::HookError {
        status,
        code: Some(code.to_owned()),
        message: message.into(),
        details: None,
        headers: Vec::new(),
    }
}
