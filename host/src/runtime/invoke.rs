//! One hook call: a fresh store and instance (or one the request holds from an earlier call of
//! the same plugin, or a kept one in reuse mode), the request context lent for the call, a
//! wall-clock deadline enforced by epoch interruption, and the outcome mapped to the
//! pipeline's terms. The context always comes back, whatever the guest did.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use wasmtime::component::{Instance, Resource};
use wasmtime::{Store, UpdateDeadline};

use super::bindings::types::HookError;
use super::held::RequestInstances;
use super::inspect::PluginKind;
use super::reuse::Kept;
use super::state::{CallSetup, ContextHandle, Phase};
use super::{GuestClass, HookRuntime, HostState, LoadedPlugin};
use crate::context::RequestContext;
use crate::error::HttpError;

/// Most lines of a trapped guest's output that reach the server log.
const MAX_TRAP_OUTPUT_LINES: usize = 20;

/// What to run: a plugin's entry point of one kind, with its attached configuration.
#[derive(Debug, Clone)]
pub struct HookCall {
    pub plugin: Arc<LoadedPlugin>,
    pub kind: PluginKind,
    /// The configuration JSON, serialised once when the route table was built.
    pub config: Arc<str>,
    /// The tables the hook may use through `repos`.
    pub tables: Arc<[Arc<str>]>,
}

/// What a successful call produced.
#[derive(Debug, PartialEq)]
pub enum HookOutcome {
    /// A preHook let the request continue, or a postHook finished.
    Continue,
    /// A preHook returned a value: it becomes the response and the handler is skipped.
    Respond(Value),
    /// A handler's result.
    Data(Value),
}

/// Raised from the epoch callback when a call passes its deadline.
#[derive(Debug, thiserror::Error)]
#[error("hook exceeded its time budget")]
struct DeadlineExceeded;

type GuestResult = Result<HookOutcome, HttpError>;

impl HookRuntime {
    /// Runs `call` against `request` until `deadline`. Returns the (possibly changed) context
    /// and the outcome: a guest error keeps its status; running out of time is 504
    /// `HOOK_TIMEOUT`; any trap is 500 `HOOK_TRAP` with the trap message only in the log.
    pub async fn invoke(
        &self,
        call: &HookCall,
        request: RequestContext,
        deadline: Instant,
    ) -> (RequestContext, GuestResult) {
        let mut instances = RequestInstances::default();
        self.invoke_within(call, request, deadline, &mut instances, false)
            .await
    }

    /// [`Self::invoke`] as one of a request's calls: it runs on the instance `instances` holds
    /// for this plugin version if there is one, and when `again` (the plugin has a later call
    /// in this request) its instance is held there afterwards, within the hold budget.
    pub async fn invoke_within(
        &self,
        call: &HookCall,
        request: RequestContext,
        deadline: Instant,
        instances: &mut RequestInstances,
        again: bool,
    ) -> (RequestContext, GuestResult) {
        let plugin = &call.plugin;
        let phase = match call.kind {
            PluginKind::PreHook => Phase::PreHook,
            PluginKind::Handler => Phase::Handler,
            PluginKind::PostHook => Phase::PostHook,
        };
        let setup = CallSetup {
            phase,
            config: call.config.clone(),
            plugin: plugin.name.clone(),
            tables: call.tables.clone(),
            deadline,
            memory_bytes: self.limits.memory_bytes,
            output_bytes: self.limits.max_guest_output_bytes,
        };
        let dropped_before = request.logs_dropped;
        // An instance this request holds for the plugin, or a kept one (reuse mode), comes
        // with its slot; otherwise a fresh store and instance in a slot of their own.
        let (held, hold) = match instances.take(plugin) {
            Some((kept, hold)) => {
                self.stats.same_request.fetch_add(1, Ordering::Relaxed);
                (Some(kept), Some(hold))
            }
            None => {
                let kept = plugin.take_kept();
                if kept.is_some() {
                    self.stats.reused.fetch_add(1, Ordering::Relaxed);
                }
                (kept, None)
            }
        };
        // A fresh large instance (an interpreter) also takes one of the large-guest permits,
        // for its call only: every slot such an instance used keeps its interpreter's pages
        // resident, so this cap bounds the slots that do ([`HookRuntime::large_slots`]).
        let mut large_permit = None;
        let (mut store, instance, served, permit) = match held {
            Some(kept) => {
                let mut store = kept.store;
                store.data_mut().rearm(request, setup);
                (store, Some(kept.instance), kept.served, kept.permit)
            }
            None => {
                if plugin.class == GuestClass::Large {
                    match acquire_within(&self.large_slots, deadline).await {
                        Some(permit) => large_permit = Some(permit),
                        None => return (request, Err(timeout_error(plugin))),
                    }
                }
                let Some(permit) = acquire_within(&self.slots, deadline).await else {
                    return (request, Err(timeout_error(plugin)));
                };
                let state = HostState::new(request, setup, &self.capabilities);
                (fresh_store(plugin, state), None, 0, permit)
            }
        };
        self.stats.invocations.fetch_add(1, Ordering::Relaxed);
        store.set_epoch_deadline(1);
        let result = run(&mut store, call, instance).await;
        drop(large_permit);
        let (mut request, output, dropped_bytes) = store.data_mut().finish();
        match &result {
            // Kept only after a call that did not trap (a timeout is a trap too): for this
            // request's next call of the plugin, or in reuse mode for as many calls as the
            // plugin allows.
            Ok((instance, _)) => {
                let kept = Kept {
                    store,
                    instance: *instance,
                    served: served + 1,
                    permit,
                };
                // The permit it came with, or a new one while the budget lasts.
                let hold = if again {
                    hold.or_else(|| self.holds.clone().try_acquire_owned().ok())
                } else {
                    None
                };
                match hold {
                    Some(hold) => instances.hold(plugin.clone(), kept, hold),
                    None if kept.served < plugin.reuse => plugin.keep(kept),
                    None => drop(kept),
                }
            }
            Err(_) => {
                drop(store);
                drop(permit);
            }
        }
        let result = result.map(|(_, outcome)| outcome);
        if result.is_err() {
            // A trapped guest's output (a panic message, say) is diagnostic: server log only,
            // and only its first lines, so a trap after a flood of output floods nothing.
            for line in output.iter().take(MAX_TRAP_OUTPUT_LINES) {
                tracing::warn!(request_id = %request.request_id, plugin = %plugin.name, "guest output: {line}");
            }
            request.logs_dropped += output.len().saturating_sub(MAX_TRAP_OUTPUT_LINES);
        } else {
            for line in output {
                request.log(line);
            }
        }
        let dropped_lines = request.logs_dropped - dropped_before;
        if dropped_lines > 0 || dropped_bytes > 0 {
            self.stats
                .log_lines_dropped
                .fetch_add(dropped_lines as u64, Ordering::Relaxed);
            self.stats
                .output_bytes_dropped
                .fetch_add(dropped_bytes as u64, Ordering::Relaxed);
            tracing::warn!(
                request_id = %request.request_id,
                plugin = %plugin.name,
                dropped_lines,
                dropped_bytes,
                "log lines or guest output past their caps were dropped"
            );
        }
        let outcome = match result {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(guest_error)) => Err(from_guest(guest_error, &request.request_id, plugin)),
            Err(trap) if trap.is::<DeadlineExceeded>() => {
                tracing::warn!(request_id = %request.request_id, plugin = %plugin.name, "hook timed out");
                Err(timeout_error(plugin))
            }
            Err(trap) => {
                tracing::error!(
                    request_id = %request.request_id,
                    plugin = %plugin.name,
                    version = plugin.version,
                    trap = ?trap,
                    "hook trapped"
                );
                Err(HttpError::new(
                    500,
                    "HOOK_TRAP",
                    format!("plugin {} failed", plugin.name),
                ))
            }
        };
        (request, outcome)
    }
}

/// A store for one call: the memory limiter, and the deadline checked on every epoch tick with
/// a yield to the executor in between, so a hook that never returns cannot hold a worker
/// thread for longer than one tick. The deadline is read from the state, so a kept store
/// follows each call's own.
fn fresh_store(plugin: &LoadedPlugin, state: HostState) -> Store<HostState> {
    let mut store = Store::new(plugin.instance_pre.engine(), state);
    store.limiter(|state| &mut state.limits);
    store.epoch_deadline_callback(|store| {
        if Instant::now() >= store.data().deadline {
            Err(wasmtime::Error::new(DeadlineExceeded))
        } else {
            Ok(UpdateDeadline::Yield(1))
        }
    });
    store
}

/// A permit of `semaphore`, or `None` when `deadline` passes first. A free permit, the common
/// case, is taken without registering a timer.
async fn acquire_within(
    semaphore: &Arc<Semaphore>,
    deadline: Instant,
) -> Option<OwnedSemaphorePermit> {
    if let Ok(permit) = semaphore.clone().try_acquire_owned() {
        return Some(permit);
    }
    tokio::time::timeout_at(deadline.into(), semaphore.clone().acquire_owned())
        .await
        .ok()?
        .ok()
}

fn timeout_error(plugin: &LoadedPlugin) -> HttpError {
    HttpError::new(
        504,
        "HOOK_TIMEOUT",
        format!("plugin {} ran out of time", plugin.name),
    )
}

/// Instantiates (unless given a kept instance) and calls the entry point of `call.kind`.
/// Returns the instance with the guest's answer, for the caller to keep or drop.
async fn run(
    store: &mut Store<HostState>,
    call: &HookCall,
    instance: Option<Instance>,
) -> wasmtime::Result<(Instance, Result<HookOutcome, HookError>)> {
    let instance = match instance {
        Some(instance) => instance,
        None => {
            call.plugin
                .instance_pre
                .instantiate_async(&mut *store)
                .await?
        }
    };
    let ctx = store.data_mut().table().push(ContextHandle)?;
    let outcome = call_entry(store, call, &instance, Resource::new_borrow(ctx.rep())).await;
    // The guest only borrowed it; a kept store must not collect one handle per request.
    store.data_mut().table().delete(ctx)?;
    Ok((instance, outcome?))
}

async fn call_entry(
    store: &mut Store<HostState>,
    call: &HookCall,
    instance: &Instance,
    ctx: Resource<ContextHandle>,
) -> wasmtime::Result<Result<HookOutcome, HookError>> {
    let plugin = &call.plugin;
    let missing =
        || wasmtime::format_err!("plugin {} does not export {:?}", plugin.name, call.kind);
    Ok(match call.kind {
        PluginKind::PreHook => {
            let guest = plugin
                .pre_hook
                .as_ref()
                .ok_or_else(missing)?
                .load(&mut *store, instance)?;
            match guest.call_run(&mut *store, ctx).await? {
                Ok(None) => Ok(HookOutcome::Continue),
                Ok(Some(text)) => parse_result(&text).map(HookOutcome::Respond),
                Err(e) => Err(e),
            }
        }
        PluginKind::Handler => {
            let guest = plugin
                .handler
                .as_ref()
                .ok_or_else(missing)?
                .load(&mut *store, instance)?;
            match guest.call_handle(&mut *store, ctx).await? {
                Ok(text) => parse_result(&text).map(HookOutcome::Data),
                Err(e) => Err(e),
            }
        }
        PluginKind::PostHook => {
            let guest = plugin
                .post_hook
                .as_ref()
                .ok_or_else(missing)?
                .load(&mut *store, instance)?;
            guest
                .call_run(&mut *store, ctx)
                .await?
                .map(|()| HookOutcome::Continue)
        }
    })
}

fn parse_result(text: &str) -> Result<Value, HookError> {
    serde_json::from_str(text).map_err(|e| HookError {
        status: 500,
        code: Some("INVALID_HOOK_RESULT".into()),
        message: format!("the hook returned invalid JSON: {e}"),
        details: None,
        headers: Vec::new(),
    })
}

/// A hook's own error: its status, its code or `HOOK_ERROR`. An error without an error status
/// is a plugin bug (a raw toolchain reporting an uncaught exception, say): the client gets a
/// plain 500 and the plugin's message goes to the server log only.
fn from_guest(e: HookError, request_id: &str, plugin: &LoadedPlugin) -> HttpError {
    if !(400..=599).contains(&e.status) {
        tracing::error!(
            request_id,
            plugin = %plugin.name,
            status = e.status,
            message = %e.message,
            "hook returned an error without an error status"
        );
        return HttpError::new(500, "HOOK_ERROR", format!("plugin {} failed", plugin.name));
    }
    let status = e.status;
    let code = e
        .code
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "HOOK_ERROR".into());
    let mut err = HttpError::new(status, code, e.message);
    if let Some(details) = e.details {
        err.details = Some(serde_json::from_str(&details).unwrap_or(Value::String(details)));
    }
    for (name, value) in e.headers {
        match crate::error::response_header(&name, &value) {
            Ok(header) => err.headers.push(header),
            Err(reason) => tracing::warn!(
                request_id,
                plugin = %plugin.name,
                header = %name,
                %reason,
                "dropped a header of a hook error"
            ),
        }
    }
    err
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_permit_is_awaited_until_the_deadline_and_no_longer() {
        let semaphore = Arc::new(Semaphore::new(1));
        let held = acquire_within(&semaphore, Instant::now() + Duration::from_secs(1))
            .await
            .expect("a free permit");
        let deadline = Instant::now() + Duration::from_millis(50);
        assert!(acquire_within(&semaphore, deadline).await.is_none());
        assert!(Instant::now() >= deadline, "it waited for the deadline");
        let waiting = tokio::spawn({
            let semaphore = semaphore.clone();
            async move { acquire_within(&semaphore, Instant::now() + Duration::from_secs(5)).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(held);
        assert!(
            waiting.await.unwrap().is_some(),
            "the waiter got the freed permit"
        );
    }
}
