//! Per-invocation store state: WASI with no ambient authority, the resource table, the memory
//! limiter, captured output, and the request context lent to the hook for this one call.

use std::sync::Arc;
use std::time::Instant;

use wasmtime::StoreLimits;
use wasmtime::StoreLimitsBuilder;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::output::CapturedOutput;
use crate::capabilities::Capabilities;
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
    /// The tables this call may use through `repos`.
    pub(crate) tables: Arc<[Arc<str>]>,
    /// When this call must end; host calls that wait (sleep) end early at it.
    pub(crate) deadline: Instant,
    /// The shared state of every capability (helpers, cache, rate limits).
    pub(crate) capabilities: Arc<Capabilities>,
}

/// What a hook call's store is made from besides the request.
pub(crate) struct CallSetup {
    pub phase: Phase,
    pub config: Arc<str>,
    pub plugin: Arc<str>,
    pub tables: Arc<[Arc<str>]>,
    pub deadline: Instant,
    pub memory_bytes: usize,
    pub output_bytes: usize,
}

impl HostState {
    pub(crate) fn new(
        request: RequestContext,
        setup: CallSetup,
        capabilities: &Arc<Capabilities>,
    ) -> Self {
        let stdout = CapturedOutput::new(setup.output_bytes);
        let stderr = CapturedOutput::new(setup.output_bytes);
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
                .memory_size(setup.memory_bytes)
                .trap_on_grow_failure(false)
                .build(),
            stdout,
            stderr,
            request,
            phase: setup.phase,
            config: setup.config,
            plugin: setup.plugin,
            tables: setup.tables,
            deadline: setup.deadline,
            capabilities: capabilities.clone(),
        }
    }

    /// Readies a kept instance's state for its next call: the new request and setup in, the
    /// output sinks empty (they were emptied when the last call finished). WASI and the
    /// resource table stay: the guest may hold handles to its own streams.
    pub(crate) fn rearm(&mut self, request: RequestContext, setup: CallSetup) {
        self.request = request;
        self.phase = setup.phase;
        self.config = setup.config;
        self.plugin = setup.plugin;
        self.tables = setup.tables;
        self.deadline = setup.deadline;
    }

    /// Takes back what a finished call leaves: the request (a vacant one stays behind) and the
    /// guest's output lines with the bytes dropped past the cap.
    pub(crate) fn finish(&mut self) -> (RequestContext, Vec<String>, usize) {
        let request = std::mem::replace(&mut self.request, RequestContext::vacant());
        let (mut lines, out_dropped) = self.stdout.take();
        let (err_lines, err_dropped) = self.stderr.take();
        lines.extend(err_lines);
        (request, lines, out_dropped + err_dropped)
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
