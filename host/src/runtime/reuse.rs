//! Instance reuse, a per-plugin opt-in: an instance serves up to `reuse` sequential requests
//! of its plugin version, then is dropped. It is dropped at once after a trap (a timeout is
//! one), and it never serves two calls at once: a call takes it out of its plugin's idle list
//! and puts it back only when done.
//!
//! This weakens isolation for the plugins whose authors choose it: what one request leaves in
//! the guest's memory (globals, caches, a module-level variable) the next request of the same
//! plugin may see. The host keeps its own side clean: between two calls the store holds a
//! vacant request context, no captured output and no context handle.
//! Plugins without it (the default) get a fresh instance per call.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedSemaphorePermit;
use wasmtime::Store;
use wasmtime::component::Instance;

use super::{HostState, LoadedPlugin};

/// Most requests one instance may serve in reuse mode.
pub const MAX_INSTANCE_REUSE: u32 = 10_000;

/// An idle instance of a plugin in reuse mode, with the pool slot it occupies.
pub(crate) struct Kept {
    // Dropped in this order: the store frees the pool slot before the permit lets another
    // call take it.
    pub(crate) store: Store<HostState>,
    pub(crate) instance: Instance,
    /// Requests it has served.
    pub(crate) served: u32,
    pub(crate) permit: OwnedSemaphorePermit,
}

/// The idle instances of one plugin version.
pub(crate) struct KeptInstances {
    idle: Mutex<Vec<Kept>>,
    limits: Arc<KeptLimits>,
}

impl KeptInstances {
    pub(crate) fn new(limits: Arc<KeptLimits>) -> Self {
        Self {
            idle: Mutex::new(Vec::new()),
            limits,
        }
    }
}

/// How many idle instances the runtime keeps: per plugin, and in all. Idle instances hold
/// instance slots, so their total is bounded to leave the others free for fresh calls.
#[derive(Debug)]
pub(crate) struct KeptLimits {
    pub(crate) per_plugin: usize,
    pub(crate) total: usize,
    pub(crate) idle: AtomicUsize,
}

/// How many slots may sit idle (kept instances; instances held within a request, each budget
/// on its own): a quarter of them, none of fewer than four, so that idle instances never leave
/// the calls that run without a slot.
pub(crate) fn idle_slot_budget(max_instances: u32) -> usize {
    max_instances as usize / 4
}

impl KeptLimits {
    pub(crate) fn new(max_instances: u32) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            // More than one per worker thread would stay idle: a call holds its instance
            // only while it runs.
            per_plugin: cores.max(2),
            total: idle_slot_budget(max_instances),
            idle: AtomicUsize::new(0),
        }
    }
}

impl LoadedPlugin {
    /// An idle instance of this version, if it is in reuse mode and has one.
    pub(crate) fn take_kept(&self) -> Option<Kept> {
        if self.reuse == 0 {
            return None;
        }
        let kept = self
            .kept
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()?;
        self.kept.limits.idle.fetch_sub(1, Ordering::Relaxed);
        Some(kept)
    }

    /// Puts `kept` back for the next call, or drops it when the plugin or the runtime already
    /// keeps as many as they may.
    pub(crate) fn keep(&self, kept: Kept) {
        let limits = &self.kept.limits;
        let mut idle = self.kept.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() >= limits.per_plugin {
            return;
        }
        let total = limits
            .idle
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n < limits.total).then_some(n + 1)
            });
        if total.is_ok() {
            idle.push(kept);
        }
    }

    /// Idle instances of this version.
    pub fn idle_instances(&self) -> usize {
        self.kept
            .idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }
}

impl Drop for KeptInstances {
    /// A version's idle instances go with it (replaced, deleted, or its reuse changed).
    fn drop(&mut self) {
        let idle = self.idle.get_mut().unwrap_or_else(|p| p.into_inner());
        self.limits.idle.fetch_sub(idle.len(), Ordering::Relaxed);
    }
}
