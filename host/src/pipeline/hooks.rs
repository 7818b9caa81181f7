//! The hook phase: preHooks in order (a throw or a returned value stops them), the handler
//! unless skipped, then every postHook whatever happened (a failing postHook is logged and the
//! others still run). Returns the context and the error the client must get, if any.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::app::AppState;
use crate::context::{PhaseError, RequestContext};
use crate::error::{HttpError, now_timestamp};
use crate::routing::{Attachment, CompiledRoute};
use crate::runtime::{HookCall, HookOutcome, PluginKind};

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

    for hook in route.pre_hooks(&ctx.method).iter() {
        let (next, result) = call(state, hook, PluginKind::PreHook, ctx, false).await;
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
            Some(handler) => {
                let (next, result) = call(state, handler, PluginKind::Handler, ctx, false).await;
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

    for hook in route.post_hooks(&ctx.method).iter() {
        let (next, result) = call(state, hook, PluginKind::PostHook, ctx, true).await;
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

/// Resolves the active version of the attached plugin and runs one of its entry points.
async fn call(
    state: &AppState,
    attachment: &Attachment,
    kind: PluginKind,
    ctx: RequestContext,
    post: bool,
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
    state.runtime.invoke(&call, ctx, deadline).await
}
