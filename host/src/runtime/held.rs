//! One instance per plugin per request: when a plugin version runs more than once in one
//! request (a preHook that is also the route's postHook, say), its later calls run on the
//! instance of its first, instead of instantiating again. What the plugin keeps in its own
//! memory from one of those calls to the next is documented behaviour; nothing crosses
//! requests: when the request ends its held instances are dropped (or, for a plugin in reuse
//! mode, go back to the plugin's idle instances as after any call).
//!
//! A held instance keeps its slot while the calls in between run, so how many are held at once
//! is bounded (a quarter of the slots, none with fewer than four): the other slots always
//! remain for the calls that run, and past the bound a call gets a fresh instance as before.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::LoadedPlugin;
use super::reuse::{Kept, idle_slot_budget};

/// The instances one request holds for its later hook calls. Made by the pipeline for each
/// request and passed to every [`super::HookRuntime::invoke_within`] of it.
#[derive(Default)]
pub struct RequestInstances {
    held: Vec<Held>,
}

struct Held {
    plugin: Arc<LoadedPlugin>,
    kept: Kept,
    /// Its share of the runtime's hold budget, returned when the request lets it go.
    _hold: OwnedSemaphorePermit,
}

impl std::fmt::Debug for RequestInstances {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestInstances")
            .field("held", &self.held.len())
            .finish()
    }
}

impl RequestInstances {
    /// The instance this request holds for exactly this plugin version, with its hold permit.
    pub(crate) fn take(
        &mut self,
        plugin: &Arc<LoadedPlugin>,
    ) -> Option<(Kept, OwnedSemaphorePermit)> {
        let at = self
            .held
            .iter()
            .position(|held| Arc::ptr_eq(&held.plugin, plugin))?;
        let held = self.held.swap_remove(at);
        Some((held.kept, held._hold))
    }

    pub(crate) fn hold(
        &mut self,
        plugin: Arc<LoadedPlugin>,
        kept: Kept,
        hold: OwnedSemaphorePermit,
    ) {
        self.held.push(Held {
            plugin,
            kept,
            _hold: hold,
        });
    }
}

impl Drop for RequestInstances {
    /// The request is over: a reuse-mode instance with requests left goes back to its plugin,
    /// any other is dropped with its slot.
    fn drop(&mut self) {
        for held in self.held.drain(..) {
            if held.kept.served < held.plugin.reuse {
                held.plugin.keep(held.kept);
            }
        }
    }
}

/// The hold budget of a runtime with `max_instances` slots.
pub(crate) fn hold_budget(max_instances: u32) -> Arc<Semaphore> {
    Arc::new(Semaphore::new(idle_slot_budget(max_instances)))
}
