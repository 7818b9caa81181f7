//! Admission stages: what must pass before any hook runs. A failure here answers at once and
//! no hook runs.

use crate::access::{Admission, Position, guards, permissions};
use crate::app::AppState;
use crate::auth::BearerError;
use crate::context::RequestContext;
use crate::error::HttpError;
use crate::routing::CompiledRoute;

/// One admission stage; [`super::ADMISSION`] holds them in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdmissionStage {
    /// Stage 4: bearer JWT → user. No token: anonymous. A bad token is anonymous on a
    /// published method and 401 elsewhere.
    Authenticate,
    /// Stage 5: published methods pass; no user is 401; root admins pass; everyone else
    /// needs a permission grant to their role or to them.
    Authorize,
    /// Stage 6: the post-auth guards (IP rules, rate limits by user, IP+user, ...).
    PostAuthGuards,
}

impl AdmissionStage {
    pub async fn run(
        self,
        state: &AppState,
        route: &CompiledRoute,
        ctx: &mut RequestContext,
    ) -> Result<(), HttpError> {
        match self {
            AdmissionStage::Authenticate => authenticate(state, route, ctx).await,
            AdmissionStage::Authorize => authorize(state, route, ctx),
            AdmissionStage::PostAuthGuards => {
                let request = Admission {
                    route_id: route.id,
                    route_pattern: &route.pattern,
                    method: &ctx.method,
                    client_ip: ctx.client_ip,
                    user: ctx.user.as_ref(),
                    deadline: ctx.deadline,
                };
                let table = state.access.guards.load_full();
                guards::check(&table, Position::PostAuth, &request, &state.backends.limits).await
            }
        }
    }
}

async fn authenticate(
    state: &AppState,
    route: &CompiledRoute,
    ctx: &mut RequestContext,
) -> Result<(), HttpError> {
    match state.bearer_user(&ctx.headers).await {
        Ok(user) => {
            ctx.user = user;
            Ok(())
        }
        Err(BearerError::Rejected(_)) if route.is_published(&ctx.method) => Ok(()),
        Err(BearerError::Rejected(e)) | Err(BearerError::Internal(e)) => Err(e),
    }
}

fn authorize(
    state: &AppState,
    route: &CompiledRoute,
    ctx: &RequestContext,
) -> Result<(), HttpError> {
    permissions::authorize(
        &state.access.permissions.load(),
        route,
        &ctx.method,
        ctx.user.as_ref(),
    )
}
