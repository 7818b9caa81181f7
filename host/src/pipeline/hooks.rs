//! The hook phase: preHooks in order (a throw or a returned value stops them), the handler
//! unless skipped, then every postHook whatever happened (a failing postHook is logged and the
//! others still run). A plugin that runs more than once in the request runs on one instance.
//! Returns the context and the error the client must get, if any.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::app::AppState;
use crate::context::{PhaseError, RequestContext};
use crate::error::{HttpError, now_timestamp};
use crate::routing::{Attachment, CompiledRoute};
use crate::runtime::{HookCall, HookOutcome, PluginKind, RequestInstances};

/// Time a postHook gets even when the request deadline has already passed, so that audit and
/// cleanup hooks still run after a timeout.
const POST_HOOK_MIN_BUDGET: Duration = Duration::from_secs(1);

pub async fn run(
    state: &AppState,
    route: &CompiledRoute,
    mut ctx: RequestContext,
) -> (RequestContext, Option<HttpError>) {
    let mut failure: Option<HttpError> = None;
    let mut responded = false;
    let pre_hooks = route.pre_hooks(&ctx.method);
    let post_hooks = route.post_hooks(&ctx.method);
    let mut calls = Calls::new(&pre_hooks, route.handler.as_ref(), &post_hooks);

    for i in 0..pre_hooks.len() {
        let (next, result) = calls.call(state, Step::Pre(i), ctx).await;
        ctx = next;
        match result {
            Ok(HookOutcome::Respond(value)) => {
                ctx.data = value;
                responded = true;
                break;
            }
            Ok(_) => {}
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }

    if failure.is_none() && !responded {
        match &route.handler {
            Some(_) => {
                let (next, result) = calls.call(state, Step::Handler, ctx).await;
                ctx = next;
                match result {
                    Ok(HookOutcome::Data(value)) => ctx.data = value,
                    Ok(_) => {}
                    Err(e) => failure = Some(e),
                }
            }
            None => match &route.table {
                Some(table) => {
                    if let Err(e) = super::crud::serve(state, table, &mut ctx).await {
                        failure = Some(e);
                    }
                }
                None => {
                    failure = Some(HttpError::new(
                        501,
                        "NO_HANDLER",
                        format!("route {} has no handler", route.pattern),
                    ))
                }
            },
        }
    }

    if let Some(error) = &failure {
        ctx.data = Value::Null;
        ctx.status = error.status;
        ctx.error = Some(PhaseError {
            error: error.clone(),
            timestamp: now_timestamp(),
        });
    }

    for (i, hook) in post_hooks.iter().enumerate() {
        let (next, result) = calls.call(state, Step::Post(i), ctx).await;
        ctx = next;
        if let Err(e) = result {
            tracing::warn!(request_id = %ctx.request_id, plugin = %hook.plugin, error = %e, "postHook failed");
            ctx.log(format!(
                "postHook {} failed: {} {}",
                hook.plugin, e.code, e.message
            ));
        }
    }
    (ctx, failure)
}

/// The request's hook calls in order, and the instances it holds between them: a plugin that
/// runs again later in the request (a preHook that is also its postHook, say) keeps its
/// instance for that call.
struct Calls<'r> {
    pre: &'r [Attachment],
    handler: Option<&'r Attachment>,
    post: &'r [Attachment],
    instances: RequestInstances,
}

/// Which call of the request: a preHook or a postHook by its place in its chain, or the handler.
#[derive(Clone, Copy)]
enum Step {
    Pre(usize),
    Handler,
    Post(usize),
}

impl<'r> Calls<'r> {
    fn new(pre: &'r [Attachment], handler: Option<&'r Attachment>, post: &'r [Attachment]) -> Self {
        Self {
            pre,
            handler,
            post,
            instances: RequestInstances::default(),
        }
    }

    /// Runs the call of `step` (its attachment exists: the caller iterates the same chains).
    async fn call(
        &mut self,
        state: &AppState,
        step: Step,
        ctx: RequestContext,
    ) -> (RequestContext, Result<HookOutcome, HttpError>) {
        let none: &[Attachment] = &[];
        // The attachment, its kind, and the calls that may come after it.
        let (attachment, kind, pre, handler, post) = match step {
            Step::Pre(i) => (
                &self.pre[i],
                PluginKind::PreHook,
                &self.pre[i + 1..],
                self.handler,
                self.post,
            ),
            Step::Handler => (
                self.handler.expect("the route has a handler"),
                PluginKind::Handler,
                none,
                None,
                self.post,
            ),
            Step::Post(i) => (
                &self.post[i],
                PluginKind::PostHook,
                none,
                None,
                &self.post[i + 1..],
            ),
        };
        let again = pre
            .iter()
            .chain(handler)
            .chain(post)
            .any(|later| later.plugin == attachment.plugin);
        let post = matches!(step, Step::Post(_));
        call(
            state,
            attachment,
            kind,
            ctx,
            post,
            &mut self.instances,
            again,
        )
        .await
    }
}

/// Resolves the active version of the attached plugin and runs one of its entry points.
async fn call(
    state: &AppState,
    attachment: &Attachment,
    kind: PluginKind,
    ctx: RequestContext,
    post: bool,
    instances: &mut RequestInstances,
    again: bool,
) -> (RequestContext, Result<HookOutcome, HttpError>) {
    let Some(plugin) = state.plugins.get(&attachment.plugin) else {
        return (
            ctx,
            Err(HttpError::new(
                500,
                "PLUGIN_UNAVAILABLE",
                format!("plugin {} is not loaded", attachment.plugin),
            )),
        );
    };
    if !plugin.has_kind(kind) {
        return (
            ctx,
            Err(HttpError::new(
                500,
                "PLUGIN_KIND_MISSING",
                format!(
                    "plugin {} (version {}) does not export {kind:?}",
                    plugin.name, plugin.version
                ),
            )),
        );
    }
    let now = Instant::now();
    let budget_end = now + state.runtime.limits().hook_timeout;
    let deadline = if post {
        budget_end.min(ctx.deadline.max(now + POST_HOOK_MIN_BUDGET))
    } else if ctx.deadline <= now {
        return (
            ctx,
            Err(HttpError::new(
                504,
                "HOOK_TIMEOUT",
                "the request deadline has passed",
            )),
        );
    } else {
        budget_end.min(ctx.deadline)
    };
    let call = HookCall {
        plugin,
        kind,
        config: attachment.config.clone(),
        tables: attachment.tables.clone(),
    };
    state
        .runtime
        .invoke_within(&call, ctx, deadline, instances, again)
        .await
}
