//! Per-invocation store state: WASI with no ambient authority, the resource table, the memory
//! limiter, captured output, and the request context lent to the hook for this one call.

use std::sync::Arc;

use wasmtime::StoreLimits;
use wasmtime::StoreLimitsBuilder;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::output::CapturedOutput;
use crate::context::RequestContext;

/// The lifecycle phase a call runs in; decides which context writes are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    PreHook,
    Handler,
    PostHook,
}

/// The host side of the `request-context` resource. The data lives in [`HostState::request`];
/// the handle only proves the guest was lent the context for this call.
#[derive(Debug)]
pub struct ContextHandle;

pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) limits: StoreLimits,
    pub(crate) stdout: CapturedOutput,
    pub(crate) stderr: CapturedOutput,
    pub(crate) request: RequestContext,
    pub(crate) phase: Phase,
    pub(crate) config: Arc<str>,
    pub(crate) plugin: Arc<str>,
}

impl HostState {
    pub(crate) fn new(
        request: RequestContext,
        phase: Phase,
        config: Arc<str>,
        plugin: Arc<str>,
        memory_bytes: usize,
        output_bytes: usize,
    ) -> Self {
        let stdout = CapturedOutput::new(output_bytes);
        let stderr = CapturedOutput::new(output_bytes);
        // Deny by default: no preopened directories, environment, arguments or sockets.
        let wasi = WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            limits: StoreLimitsBuilder::new()
                .memory_size(memory_bytes)
                .trap_on_grow_failure(false)
                .build(),
            stdout,
            stderr,
            request,
            phase,
            config,
            plugin,
        }
    }

    pub(crate) fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
